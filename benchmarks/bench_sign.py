"""Signing speed: PAdES B-B and B-T (TSA on loopback) signatures per second with fpcli, and pyHanko's own CLI
(`pyhanko sign addsig`, from the `pyhanko-cli` package: `pip install -e '.[bench]'`) on the same file.

    python benchmarks/bench_sign.py [--n 30]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, table

sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    n = parser.parse_args().n
    from tests.signing.pki import running_pki

    from fpcli.signing.keys import load_pkcs12
    from fpcli.signing.sign import Level, SignRequest, sign_pdf

    with tempfile.TemporaryDirectory() as tmp, running_pki(Path(tmp)) as pki:
        invoice = Path(tmp) / "inv.pdf"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "fpcli",
                "-q",
                "generate",
                str(REPO / "examples" / "invoice-services.yaml"),
                "-o",
                str(invoice),
            ],
            check=True,
        )
        data = invoice.read_bytes()
        p12 = pki.write_p12("signer", b"secret")
        signer = load_pkcs12(p12.read_bytes(), "signer.p12", b"secret")
        rows = []
        rates = {}
        for level in (Level.B_B, Level.B_T):
            req = SignRequest(level, pki.tsa_url)
            sign_pdf(data, signer, req, "warm-up")
            start = time.perf_counter()
            for _ in range(n):
                sign_pdf(data, signer, req, "inv.pdf")
            rates[level] = n / (time.perf_counter() - start)
            rows.append((f"fpcli sign_pdf {level} (in process)", f"{rates[level]:.1f}"))
        cli = shutil.which("pyhanko") or str(Path(sys.executable).parent / "pyhanko")
        if Path(cli).exists():
            passfile = Path(tmp) / "pass"
            passfile.write_text("secret")
            for level, extra in ((Level.B_B, []), (Level.B_T, ["--timestamp-url", pki.tsa_url])):
                m = max(3, n // 5)
                start = time.perf_counter()
                for i in range(m):
                    out = Path(tmp) / f"ph{i}.pdf"
                    subprocess.run(
                        [
                            cli,
                            "sign",
                            "addsig",
                            "--field",
                            f"Sig{i}",
                            "--use-pades",
                            *extra,
                            "pkcs12",
                            "--passfile",
                            str(passfile),
                            str(invoice),
                            str(out),
                            str(p12),
                        ],
                        check=True,
                        capture_output=True,
                    )
                ph = m / (time.perf_counter() - start)
                fpcli_cli = m / sum(
                    _timed(
                        [
                            sys.executable,
                            "-m",
                            "fpcli",
                            "-q",
                            "sign",
                            str(invoice),
                            "-o",
                            str(Path(tmp) / f"f{level}-{j}.pdf"),
                            "--level",
                            str(level),
                            "--p12",
                            str(p12),
                            *(["--tsa", pki.tsa_url] if extra else []),
                        ]
                    )
                    for j in range(m)
                )
                rows.append((f"pyhanko sign addsig {level} (CLI, per process)", f"{ph:.1f}"))
                rows.append((f"fpcli sign {level} (CLI, per process)", f"{fpcli_cli:.1f}"))
                rows.append((f"  ratio fpcli / pyhanko CLI, {level}", f"{fpcli_cli / ph:.2f}x"))
                batch = _batch_rate(Path(tmp), invoice, p12, level, n, extra and pki.tsa_url)
                jobs = " -j 4" if extra else ""
                rows.append(
                    (f"fpcli sign DIR -o OUTDIR{jobs} {level} (one command, {n} files)", f"{batch:.1f}")
                )
                rows.append((f"  ratio batch / per process, {level}", f"{batch / fpcli_cli:.1f}x"))
        else:
            rows.append(("pyhanko CLI not installed (pip install pyhanko-cli)", "-"))
    print(f"sign: Factur-X invoice, test PKI and TSA on 127.0.0.1, {n} signatures per in-process row\n")
    print(table(rows, ("run", "signatures/s")))


def _batch_rate(tmp: Path, invoice: Path, p12: Path, level: object, n: int, tsa: object) -> float:
    """`fpcli sign DIR -o OUTDIR`: n copies of the invoice signed by one command (start-up included)."""
    folder, out = tmp / f"batch-in-{level}", tmp / f"batch-out-{level}"
    folder.mkdir()
    for i in range(n):
        shutil.copy(invoice, folder / f"inv{i:03}.pdf")
    cmd = [sys.executable, "-m", "fpcli", "-q", "sign", str(folder), "-o", str(out), "--level", str(level)]
    cmd += [
        "--p12",
        str(p12),
        *(["--tsa", str(tsa), "--jobs", "4"] if tsa else []),
    ]  # 4 worker processes: each signature waits on the TSA
    return n / _timed(cmd)


def _timed(cmd: list[str]) -> float:
    import os

    env = dict(os.environ, FPCLI_SIGN_PASSPHRASE="secret")
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
