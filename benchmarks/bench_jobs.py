"""`--jobs` scaling: `-j 1` against `-j 2` for validate (defaults and `--no-fr`; the corpus' EN16931 CII and
its mixed CII of every profile), generate (checked rendered PDFs) and sign (PAdES B-B), 200+ files each, with
peak memory, in one run. Each row runs `-j 1` and `-j 2` alternately `--repeat` times (3) and shows the
median run of each side: the machine's speed drifts between runs, and alternating lets it hit both sides.

    python benchmarks/bench_jobs.py [--copies 8] [--n 200] [--repeat 3] [--markdown] [--write-readme]

`benchmarks/run.py` runs it with `--markdown`; `run.py --write-readme` also puts the table, with the date and the
machine's load, into README.md's Performance section (between the `bench_jobs` markers).

On a shared machine wall-clock ratios say more about the neighbours than about fpcli, so each run is also
accounted in CPU time, per process (sampled from /proc every 10 ms): the parent's start-up before its first
worker, its CPU while the worker runs (at `-j N` the parent is one of the N processes working), each worker's
CPU, the parent's tail. From them, the `-j 2` time a free 2-core machine would take: start-up + max(the busiest
process, all the CPU between start-up and tail / 2) + tail, and `-j 1`'s is its CPU time (one process, nothing
waits on I/O). "predicted" is the median of the per-repeat ratios of the two; "measured" is the wall-clock
ratio of the median runs.
Peak RSS is the largest sum over the process tree at one sample (parent + workers).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import REPO, SHARED, synthetic_invoices, table

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> tuple[float, int] | None:
    """(CPU seconds, RSS bytes) of a process, from /proc; None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK, int(fields[21]) * PAGE


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            out += [int(c) for c in task.read_text().split()]
    return out


@dataclass
class Run:
    wall: float = 0.0
    cpu: float = 0.0  # the whole tree, from getrusage (exact)
    start: float = 0.0  # parent CPU before its first worker appeared
    tail: float = 0.0  # parent CPU after its last worker was seen
    workers: dict[int, float] = field(default_factory=dict)  # last CPU seen per worker
    peak_mb: float = 0.0
    code: int = 0

    @property
    def predicted(self) -> float:
        """The wall time on a free 2-core machine (CPU time only; -j 1: its CPU time)."""
        if not self.workers:
            return self.cpu
        busy = self.cpu - self.start - self.tail  # workers and the parent while they run
        return self.start + max(*self.workers.values(), self.during, busy / 2) + self.tail

    @property
    def during(self) -> float:
        """The parent's CPU while its workers run (its own share of the work)."""
        return max(0.0, self.cpu - self.start - self.tail - sum(self.workers.values()))


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    run = Run()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    begin = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    stop = threading.Event()
    parent_cpu: list[float] = []
    seen_workers = [False]
    helpers: set[int] = set()

    def sample() -> None:
        last_parent = 0.0
        while not stop.is_set():
            own = _stat(child.pid)
            if own is None:
                break
            last_parent = own[0]
            rss = own[1]
            kids = [k for k in _children(child.pid) if k not in helpers]
            for kid in kids:
                got = _stat(kid)
                if got is None:
                    continue
                if "resource_tracker" in _cmdline(kid):
                    helpers.add(kid)
                    continue
                if not seen_workers[0]:
                    seen_workers[0] = True
                    run.start = last_parent
                run.workers[kid] = got[0]
                rss += got[1]
            if kids and seen_workers[0]:
                parent_cpu.append(last_parent)
            run.peak_mb = max(run.peak_mb, rss / 2**20)
            stop.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = child.communicate()
    run.wall = time.perf_counter() - begin
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    run.code = child.returncode
    if run.workers:
        workers_cpu = sum(run.workers.values())
        parent_total = run.cpu - workers_cpu
        run.tail = max(0.0, parent_total - (parent_cpu[-1] if parent_cpu else parent_total))
    if run.code not in (0, 1, 3):  # valid, invalid, some file unreadable: all finished runs
        raise SystemExit(f"{' '.join(cmd)}: exit {run.code}\n{err.decode()[-2000:]}")
    return run


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def fpcli(*args: str) -> list[str]:
    return [sys.executable, "-m", "fpcli", "-q", *args]


def corpus_cii(en16931_only: bool) -> list[Path]:
    rows = csv.DictReader((SHARED / "corpus" / "MANIFEST.csv").open(encoding="utf-8"))
    return [
        SHARED / "corpus" / r["file"]
        for r in rows
        if r["kind"] == "cii" and (r["profile"] == "EN16931" or not en16931_only)
    ]


def copies_of(files: list[Path], copies: int, folder: Path) -> Path:
    folder.mkdir()
    for i in range(copies):
        for f in files:
            shutil.copy(f, folder / f"{i:03d}-{f.name}")
    return folder


ONLY = [""]
REPEAT = [3]  # alternated -j 1 / -j 2 runs per row
DETAILS: list[str] = []  # where each -j 2 run spent its CPU time


def pair(name: str, cmd1: list[str], cmd2: list[str], n: int, env: dict[str, str] | None = None) -> tuple:
    """`-j 1` and `-j 2` run alternately REPEAT times (drift on a shared machine hits both sides alike); the
    row shows the median run of each side, and the median of the per-repeat predicted ratios."""
    if ONLY[0] not in name:
        return ()
    ones: list[Run] = []
    twos: list[Run] = []
    for _ in range(REPEAT[0]):
        ones.append(measure(cmd1, env))
        twos.append(measure(cmd2, env))
    one = sorted(ones, key=lambda r: r.wall)[len(ones) // 2]
    two = sorted(twos, key=lambda r: r.wall)[len(twos) // 2]
    predicted = statistics.median(a.predicted / b.predicted for a, b in zip(ones, twos, strict=True))
    load = os.getloadavg()[0]
    workers = " + ".join(f"{c:.2f}" for c in sorted(two.workers.values()))
    spread = ", ".join(f"{a.wall / b.wall:.2f}x" for a, b in zip(ones, twos, strict=True))
    DETAILS.append(
        f"{name}: measured per repeat {spread}; -j 2 CPU s: parent before its worker {two.start:.2f}, while it "
        f"runs {two.during:.2f}, worker {workers}, parent after it {two.tail:.2f} (-j 1: {one.cpu:.2f} in one "
        "process)"
    )
    return (
        name,
        str(n),
        f"{one.wall:.2f} / {two.wall:.2f}",
        f"{one.wall / two.wall:.2f}x",
        f"{one.cpu:.2f} / {two.cpu:.2f}",
        f"{predicted:.2f}x",
        f"{one.peak_mb:.0f} / {two.peak_mb:.0f}",
        f"{load:.1f}",
    )


HEADER = (
    "run (-j 1 / -j 2)",
    "files",
    "wall s",
    "measured",
    "CPU s",
    "predicted",
    "peak RSS MB",
    "load",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=8, help="copies of the 55 EN16931 CII files")
    parser.add_argument("--n", type=int, default=200, help="invoices generated and signed")
    parser.add_argument("--markdown", action="store_true", help="print the table as the README's markdown")
    parser.add_argument("--only", default="", help="run only the rows whose name contains this")
    parser.add_argument("--repeat", type=int, default=3, help="alternated -j 1 / -j 2 runs per row (median)")
    parser.add_argument("--write-readme", action="store_true", help="put the table into README.md")
    args = parser.parse_args()
    ONLY[0] = args.only
    REPEAT[0] = args.repeat
    rows: list[tuple] = []
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        en = copies_of(corpus_cii(True), args.copies, root / "en")
        mixed_files = corpus_cii(False)
        mixed = copies_of(mixed_files, max(2, -(-200 // len(mixed_files))), root / "mixed")
        for label, folder in (("EN16931 CII", en), ("mixed CII, every profile", mixed)):
            n = len(list(folder.iterdir()))
            for flags, what in (([], "defaults"), (["--no-fr"], "--no-fr")):
                cmd = fpcli("validate", str(folder), *flags, "--json")
                rows.append(pair(f"validate {label}, {what}", [*cmd, "-j", "1"], [*cmd, "-j", "2"], n))
        # memory against batch size, and the speed-up once the fixed costs weigh less
        big_name = f"validate EN16931 CII, defaults, {args.copies * 4 * len(corpus_cii(True))} files"
        if args.only in big_name:
            big = copies_of(corpus_cii(True), args.copies * 4, root / "en-big")
            cmd = fpcli("validate", str(big), "--json")
            rows.append(pair(big_name, [*cmd, "-j", "1"], [*cmd, "-j", "2"], len(list(big.iterdir()))))

        sources = root / "invoices"
        sources.mkdir()
        for i, doc in enumerate(synthetic_invoices(args.n)):
            (sources / f"inv{i:04d}.json").write_text(json.dumps(doc), encoding="utf-8")
        outs = [root / "pdf1", root / "pdf2"]
        rows.append(
            pair(
                "generate rendered PDFs, checked (defaults)",
                fpcli("generate", str(sources), "-o", str(outs[0]), "-t", "pdf", "-j", "1", "--force"),
                fpcli("generate", str(sources), "-o", str(outs[1]), "-t", "pdf", "-j", "2", "--force"),
                args.n,
            )
        )
        if args.only in "sign PAdES B-B":
            if not outs[0].exists():
                subprocess.run(
                    fpcli("generate", str(sources), "-o", str(outs[0]), "-t", "pdf", "-j", "2"), check=True
                )
            rows.append(_sign_rows(root, outs[0], args.n))
    rows = [r for r in rows if r]
    heading = (
        f"--jobs scaling, {started}; {os.cpu_count()} cores; load average "
        f"{', '.join(f'{x:.1f}' for x in load_before)} before, "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} after"
    )
    markdown = "\n".join(
        [
            "| " + " | ".join(HEADER) + " |",
            "|" + "---|" * len(HEADER),
            *("| " + " | ".join(row) + " |" for row in rows),
        ]
    )
    print(heading + "\n")
    print(markdown if args.markdown or args.write_readme else table(rows, HEADER))
    print(f"\n{NOTE}\n")
    print("\n".join(DETAILS))
    if args.write_readme:
        write_readme(f"{heading} (`python benchmarks/run.py --write-readme`):\n\n{markdown}\n\n{NOTE}")


NOTE = (
    "predicted: the -j 1 / -j 2 ratio a free 2-core machine gives, from each process's CPU time; "
    "measured: the wall-clock ratio of the median runs (goal >= 1.8x at -j 2 on 200+ files)"
)
START, END = "<!-- bench_jobs: start -->", "<!-- bench_jobs: end -->"


def write_readme(block: str) -> None:
    """Replace what stands between the markers in README.md (atomically: a temporary file, then rename)."""
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} block to write the table into")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    part = readme.with_suffix(".md.part")
    part.write_text(f"{head}{START}\n{block}\n{END}{tail}", encoding="utf-8")
    part.replace(readme)
    print(f"wrote the table into {readme}")


def _sign_rows(root: Path, pdfs: Path, n: int) -> tuple:
    sys.path.insert(0, str(REPO))
    from tests.signing.pki import running_pki

    (root / "pki").mkdir()
    with running_pki(root / "pki") as pki:
        p12 = pki.write_p12("signer", b"secret")
        env = dict(os.environ, FPCLI_SIGN_PASSPHRASE="secret")
        base = ["sign", str(pdfs), "--p12", str(p12), "--level", "B-B"]
        return pair(
            "sign PAdES B-B",
            fpcli(*base, "-o", str(root / "signed1"), "-j", "1", "--force"),
            fpcli(*base, "-o", str(root / "signed2"), "-j", "2", "--force"),
            n,
            env,
        )


if __name__ == "__main__":
    main()
