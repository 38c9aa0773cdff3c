"""Run every benchmark in one go: `python benchmarks/run.py` (each script can also run alone).

The README's Performance table comes from one run of this script: it prints the date, the cores and the
machine's load average before and after, since the machine is shared and ratios are what compare.
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
    subprocess.run([sys.executable, str(script)], check=False, cwd=HERE)
print(f"\nend: {conditions()}")
