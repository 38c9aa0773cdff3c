"""Run every benchmark in one go: `python benchmarks/run.py [--write-readme]` (each script can also run alone).

The README's Performance tables come from one run of this script: it prints the date, the cores and the
machine's load average before and after, since the machine is shared and ratios are what compare.
`bench_jobs.py` (the `-j 1` / `-j 2` table) prints markdown; with `--write-readme` it also writes its table
into README.md.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def conditions() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {os.cpu_count()} cores; load average {load}"


print(f"benchmarks: Python {platform.python_version()}, {platform.machine()}; {conditions()}", flush=True)
for script in sorted(HERE.glob("bench_*.py")):
    print(f"\n=== {script.name} ===", flush=True)
    extra = []
    if script.name == "bench_jobs.py":
        extra = ["--write-readme"] if "--write-readme" in sys.argv[1:] else ["--markdown"]
    subprocess.run([sys.executable, str(script), *extra], check=False, cwd=HERE)
print(f"\nend: {conditions()}")
