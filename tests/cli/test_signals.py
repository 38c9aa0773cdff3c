"""SIGTERM and SIGHUP behave like Ctrl-C: workers stopped, no `.part` file left, exit 143 / 129."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fpcli.cli.runtime import Terminated
from tests.conftest import EXAMPLES, SHARED


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found |= {int(c) for c in task.read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 invoice sources (YAML for generate) and 300 CII files (for validate)."""
    folder = tmp_path_factory.mktemp("many")
    text = (EXAMPLES / "invoice-services.yaml").read_text()
    cii = sorted((SHARED / "corpus/cii").glob("*.xml"))[0].read_bytes()
    for i in range(300):
        (folder / f"i{i:03d}.yaml").write_text(text.replace("FA-2026-0042", f"FA-2026-{i:04d}"))
        (folder / f"i{i:03d}.xml").write_bytes(cii)
    return folder


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
@pytest.mark.parametrize("command", ["generate", "validate"])
def test_signal_stops_workers_and_leaves_no_part_file(
    inputs: Path, tmp_path: Path, sig: signal.Signals, code: int, command: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = ["generate", str(inputs), "-o", str(out)] if command == "generate" else ["validate", str(inputs)]
    child = subprocess.Popen(
        [sys.executable, "-m", "fpcli", *args, "--jobs", "3"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    # `--jobs 3`: this process and 2 spawned workers, fed through pipes
    while len(children(child.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = children(child.pid)
    assert len(workers) >= 2, workers
    if command == "generate":  # let them get to work, and write
        while not any(not p.name.endswith(".part") for p in out.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
    else:
        time.sleep(1.5)
    child.send_signal(sig)
    _, err = child.communicate(timeout=30)
    assert child.returncode == code, err
    assert f"terminated by {sig.name}" in err.decode() and "Traceback" not in err.decode()
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(w) for w in workers)
    assert [p.name for p in out.iterdir() if p.name.endswith(".part")] == []
    if command == "generate":
        written = list(out.iterdir())
        assert 0 < len(written) < 300  # stopped part-way, and what was written is complete
        assert all(p.read_bytes().rstrip().endswith(b"%%EOF") for p in written)


def test_termination_mid_write_removes_the_part_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fpcli.fileio import write_output

    def fsync(fd: int) -> None:
        raise Terminated(signal.SIGTERM)  # as the handler does when SIGTERM arrives during the write

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(Terminated):
        write_output(tmp_path / "out.pdf", b"x" * 100_000)
    assert list(tmp_path.iterdir()) == []
