"""Atomic writes, no overwrite without force, size limits on reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpcli.errors import InputError, OutputExistsError
from fpcli.fileio import read_input, write_output


def test_write_is_atomic_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    write_output(target, b"abc")
    assert target.read_bytes() == b"abc"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_no_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"keep")
    with pytest.raises(OutputExistsError):
        write_output(target, b"new")
    assert target.read_bytes() == b"keep"
    write_output(target, b"new", force=True)
    assert target.read_bytes() == b"new"


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        write_output(tmp_path / "nope" / "out.bin", b"x")
    assert "does not exist" in info.value.message


def test_read_limits(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(InputError) as info:
        read_input(big, limit=1024)
    assert info.value.message.startswith(f"{big}: larger than")
    with pytest.raises(InputError, match="is a directory"):
        read_input(tmp_path)


def test_outputs_follow_the_umask_and_private_files_stay_0600(tmp_path: Path) -> None:
    import os
    import stat

    from fpcli import fileio

    fileio._umask.cache_clear()
    old = os.umask(0o027)
    try:
        write_output(tmp_path / "shared.pdf", b"x")
        write_output(tmp_path / "cache.json", b"x", private=True)
    finally:
        os.umask(old)
        fileio._umask.cache_clear()
    assert stat.S_IMODE((tmp_path / "shared.pdf").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "cache.json").stat().st_mode) == 0o600


def test_read_only_directory_is_exit_4_with_the_path(tmp_path: Path) -> None:
    import os

    from fpcli.errors import ExitCode, StorageError

    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    if os.geteuid() == 0:  # root writes through directory modes: /proc refuses new files even to root
        ro = Path("/proc")
    with pytest.raises(StorageError) as info:
        write_output(ro / "out.xml", b"x")
    assert info.value.exit_code == ExitCode.REMOTE and str(ro / "out.xml") in info.value.message


def test_full_disk_and_file_size_limit_are_exit_4_and_leave_nothing(tmp_path: Path) -> None:
    """Under RLIMIT_FSIZE in a child process (the way a full disk looks to a writer: the write fails)."""
    import subprocess
    import sys

    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        "from fpcli.errors import StorageError\n"
        "from fpcli.fileio import write_output\n"
        "try:\n"
        f"    write_output({str(tmp_path / 'big.pdf')!r}, b'x' * 100000)\n"
        "except StorageError as exc:\n"
        "    print(int(exc.exit_code), exc.message)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("4 ") and "big.pdf: cannot write: File too large" in out
    assert list(tmp_path.iterdir()) == []  # neither the output nor its .part file
