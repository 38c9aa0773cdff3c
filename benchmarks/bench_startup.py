"""Start-up: the fixed cost every `fpcli` command pays before working, as a ratio to a bare `python -c pass`
measured in the same run (goal: <= 7x, about 0.1 s on a quiet machine).

    python benchmarks/bench_startup.py [--repeat 11] [--base SRC]

`--base SRC` also times another source tree (e.g. an export of main's `src/`) in the same run, so the two
columns are comparable on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from common import median_time, table

# what the console script runs; `-c` rather than `-m fpcli` so runpy's own cost is not counted
ENTRY = "import sys; from fpcli.cli.main import main; sys.argv[0] = 'fpcli'; main()"
CASES = [
    ["--help"],
    ["--version"],
    ["validate", "--help"],
    ["generate", "--help"],
    ["sign", "--help"],
    ["pdp", "submit", "--help"],
    ["profile", "list"],
]


def startup_s(argv: list[str], repeat: int, src: str | None = None) -> float:
    env = dict(os.environ, NO_COLOR="1")
    if src:
        env["PYTHONPATH"] = src
    cmd = [sys.executable, "-c", ENTRY, *argv] if argv else [sys.executable, "-c", "pass"]
    return median_time(lambda: subprocess.run(cmd, check=False, capture_output=True, env=env), repeat)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--base", help="another fpcli src/ directory to time in the same run")
    args = parser.parse_args()
    bare = startup_s([], args.repeat)
    header = ("command", "median ms", "x python -c pass")
    if args.base:
        header = (*header, "base ms", "base x")
    rows = [("python -c pass", f"{1000 * bare:.0f}", "1.0", *(("", "") if args.base else ()))]
    for argv in CASES:
        own = startup_s(argv, args.repeat)
        row: tuple[str, ...] = (f"fpcli {' '.join(argv)}", f"{1000 * own:.0f}", f"{own / bare:.1f}")
        if args.base:
            base = startup_s(argv, args.repeat, args.base)
            row = (*row, f"{1000 * base:.0f}", f"{base / bare:.1f}")
        rows.append(row)
    print(f"start-up, median of {args.repeat} runs; load average {os.getloadavg()[0]:.1f}")
    print(table(rows, header))


if __name__ == "__main__":
    main()
