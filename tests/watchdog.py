"""Running fpcli in a child process under a memory watchdog.

RLIMIT_AS cannot be used: Saxon (a GraalVM native image) reserves tens of GiB of address space at start-up
and fails under any such limit. The watchdog polls the child's resident set instead and kills it past the
limit; `os.wait4` then gives the child's peak RSS, which the tests assert."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

GIB = 1024 * 1024 * 1024


@dataclass
class Watched:
    code: int
    stdout: str
    stderr: str
    peak_rss: int  # bytes
    killed: bool


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_watched(
    *args: str, limit: int = GIB, timeout: float = 120, env: dict[str, str] | None = None
) -> Watched:
    """`python -m fpcli ARGS` killed when its RSS passes `limit` bytes."""
    with open(os.devnull, "rb") as stdin:
        child = subprocess.Popen(
            [sys.executable, "-m", "fpcli", *args], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )  # fmt: skip
    killed = False
    deadline = time.monotonic() + timeout
    import threading

    out: dict[str, bytes] = {}

    def drain(name: str, stream: object) -> None:
        out[name] = stream.read()  # type: ignore[attr-defined]

    readers = [
        threading.Thread(target=drain, args=(n, s)) for n, s in (("out", child.stdout), ("err", child.stderr))
    ]
    for r in readers:
        r.start()
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if _rss(child.pid) > limit or time.monotonic() > deadline:
            killed = True
            os.kill(child.pid, signal.SIGKILL)
        time.sleep(0.01)
    for r in readers:
        r.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    return Watched(
        child.returncode, out["out"].decode(errors="replace"), out["err"].decode(errors="replace"),
        usage.ru_maxrss * 1024, killed,
    )  # fmt: skip
