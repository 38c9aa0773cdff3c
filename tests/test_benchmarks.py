"""Every benchmark script still runs (the README's figures come from them): each at a tiny size, on the same
code paths as a real run. Speed is not asserted here; only that each script finishes and prints its table."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

BENCH = REPO / "benchmarks"

CASES = {
    "bench_startup.py": (["--repeat", "1"], "x python -c pass"),
    "bench_submit.py": (["--n", "3"], "bare httpx"),
    "bench_validate.py": (["--copies", "1", "--no-java"], "files/s"),
    "bench_generate.py": (["--n", "3"], "invoices/s"),
    "bench_sign.py": (["--n", "1"], "signatures/s"),
    "bench_jobs.py": (["--copies", "1", "--n", "3", "--repeat", "1"], "sign PAdES B-B"),
    "bench_embed.py": (["--n", "1"], "ms (median)"),
}


def test_every_script_is_covered() -> None:
    assert sorted(p.name for p in BENCH.glob("bench_*.py")) == sorted(CASES)


@pytest.mark.parametrize("script", sorted(CASES))
def test_benchmark_runs(script: str) -> None:
    args, expected = CASES[script]
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        cwd=BENCH,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert expected in proc.stdout, proc.stdout[-2000:]
