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
