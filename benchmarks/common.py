"""Shared helpers for benchmarks: timing, tables, synthetic invoices."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def median_time(fn: Callable[[], Any], repeat: int = 5) -> float:
    """Median wall time of `repeat` runs, in seconds (robust to scheduler noise on a shared machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, rows)])


def synthetic_invoices(n: int) -> list[dict[str, Any]]:
    """n distinct invoices derived from the bundled goods example (numbers and quantities vary)."""
    base = json.loads((REPO / "examples" / "invoice-goods.json").read_text(encoding="utf-8"))
    out = []
    for i in range(n):
        doc = json.loads(json.dumps(base))
        doc["number"] = f"BENCH-{i:05d}"
        for j, line in enumerate(doc["lines"]):
            line["quantity"] = str(1 + (i + j) % 17)
        out.append(doc)
    return out


def run_measured(cmd: list[str], **kwargs: Any) -> tuple[float, float | None]:
    """(wall seconds, peak RSS in MB of the largest process of the run) for one command.

    Peak memory comes from GNU time's %M (the kernel's ru_maxrss); None when /usr/bin/time is missing.
    """
    import os
    import subprocess
    import tempfile

    gnu_time = "/usr/bin/time"
    if not os.path.exists(gnu_time):
        start = time.perf_counter()
        subprocess.run(cmd, check=False, capture_output=True, **kwargs)
        return time.perf_counter() - start, None
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        start = time.perf_counter()
        subprocess.run(
            [gnu_time, "-f", "%M", "-o", out.name, *cmd], check=False, capture_output=True, **kwargs
        )
        elapsed = time.perf_counter() - start
        text = out.read().strip().splitlines()
    try:
        return elapsed, int(text[-1]) / 1024
    except (IndexError, ValueError):
        return elapsed, None
