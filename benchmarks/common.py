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
