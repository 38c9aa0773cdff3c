"""Start-up: the fixed cost every `fpcli` command pays before working, as a ratio to a bare `python -c pass`
measured in the same run (goal: <= 7x, about 0.1 s on a quiet machine).

    python benchmarks/bench_startup.py [--repeat 21] [--base SRC]

What is timed is what an installed package costs: the fpcli package directory of each timed tree is
byte-compiled first (`compileall`, as `pip install` of the wheel does; an editable install under
PYTHONDONTWRITEBYTECODE=1 otherwise recompiles fpcli from source on every run), and each case runs once,
untimed, before its timed runs (file cache warm). `fpcli profile list` reads a one-profile TOML file in a
temporary config directory (XDG_CONFIG_HOME), so it times the validation of a real file whatever the
machine's own config holds. Each row gives the median and the minimum of `--repeat` runs; ratios are medians
over the median of `python -c pass` from the same run.

`--base SRC` also times another source tree (e.g. an export of main's `src/`: `git archive main src | tar -x
-C /tmp/main`) in the same run, its runs interleaved with ours, so the two columns are comparable on a shared
machine. Its package directory is byte-compiled too (its `__pycache__` is written in that tree).
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import table

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
PROFILES = """default = "acme"
[profiles.acme]
client_uid = "acme-prod"
default_pa = "main"
[profiles.acme.pa.main]
flow_url = "https://api.flow.pa.example/flow-service"
directory_url = "https://api.directory.pa.example/directory-service"
token_url = "https://auth.pa.example/auth-service/acme/token"
auth = "oauth2"
client_id = "acme-client"
"""


def environment(config_home: Path, src: str | None) -> dict[str, str]:
    env = dict(os.environ, NO_COLOR="1", XDG_CONFIG_HOME=str(config_home))
    env.pop("PYTHONPATH", None)
    if src:
        env["PYTHONPATH"] = src
    return env


def byte_compile(env: dict[str, str]) -> Path:
    """Byte-compile the fpcli package this environment imports; returns its directory."""
    where = subprocess.run(
        [sys.executable, "-c", "import fpcli, os; print(os.path.dirname(fpcli.__file__))"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.strip()
    if not compileall.compile_dir(where, quiet=1):
        raise SystemExit(f"{where}: byte-compiling failed")
    return Path(where)


def run_once(argv: list[str], env: dict[str, str]) -> float:
    cmd = [sys.executable, "-c", ENTRY, *argv] if argv else [sys.executable, "-c", "pass"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=False, capture_output=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"`fpcli {' '.join(argv)}` exited {proc.returncode}: {proc.stderr.decode()[-300:]}")
    return elapsed


def timings(argv: list[str], envs: list[dict[str, str]], repeat: int) -> list[list[float]]:
    """`repeat` times of `argv` per environment, after one untimed warm-up each; runs interleaved."""
    for env in envs:
        run_once(argv, env)
    times: list[list[float]] = [[] for _ in envs]
    for _ in range(repeat):
        for column, env in zip(times, envs, strict=True):
            column.append(run_once(argv, env))
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--base", help="another fpcli src/ directory to time in the same run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config_home = Path(tmp)
        (config_home / "fpcli").mkdir()
        (config_home / "fpcli" / "profiles.toml").write_text(PROFILES, encoding="utf-8")
        envs = [environment(config_home, None)]
        if args.base:
            envs.append(environment(config_home, args.base))
        compiled = [byte_compile(env) for env in envs]
        if args.base and compiled[0] == compiled[1]:
            raise SystemExit(f"--base {args.base} imports the same fpcli as this environment: {compiled[0]}")
        bare_times = timings([], envs[:1], args.repeat)[0]
        bare = statistics.median(bare_times)
        header: tuple[str, ...] = ("command", "median ms", "min ms", "x python -c pass")
        if args.base:
            header = (*header, "base median", "base min", "base x")
        rows = [
            (
                "python -c pass",
                f"{1000 * bare:.0f}",
                f"{1000 * min(bare_times):.0f}",
                "1.0",
                *(("", "", "") if args.base else ()),
            )
        ]
        for argv in CASES:
            row: tuple[str, ...] = (f"fpcli {' '.join(argv)}",)
            for column in timings(argv, envs, args.repeat):
                median = statistics.median(column)
                row = (*row, f"{1000 * median:.0f}", f"{1000 * min(column):.0f}", f"{median / bare:.1f}")
            rows.append(row)
    print(
        f"start-up, median and min of {args.repeat} runs after one warm-up, byte-compiled "
        f"({', '.join(map(str, compiled))}); load average {os.getloadavg()[0]:.1f}"
    )
    print(table(rows, header))


if __name__ == "__main__":
    main()
