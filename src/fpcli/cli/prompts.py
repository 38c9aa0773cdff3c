"""Secrets from the user: a hidden prompt only on a terminal, `--…-stdin` lines for scripts, never a flag
value (a flag would land in shell history and process listings)."""

import os
import sys

from fpcli.errors import UsageError


def can_prompt() -> bool:
    """A person is at a terminal and prompts are not switched off (FPCLI_NO_INPUT)."""
    return sys.stdin.isatty() and sys.stderr.isatty() and not os.environ.get("FPCLI_NO_INPUT")


def stdin_secrets(option: str, *names: str) -> list[str]:
    """One line of stdin per name; all must be non-empty."""
    lines = [sys.stdin.readline().rstrip("\r\n") for _ in names]
    if not all(lines):
        raise UsageError(f"`{option}` expects {', then '.join(names)} on stdin, one per line")
    return lines


def secret_from_file(path: str, option: str) -> str:
    """The first line of a file holding a secret (a CI secret file, a tmpfs mount); never empty."""
    from pathlib import Path

    from fpcli.errors import InputError

    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError.at(path, None, f"cannot read (given with {option}): {exc.strerror}") from None
    line = raw.decode("utf-8", "replace").splitlines()[0] if raw else ""
    if not line:
        raise InputError.at(path, None, f"empty (given with {option}): the first line must be the secret")
    return line


def secret_from_fd(fd: int, option: str) -> str:
    """One line read from an open file descriptor (`--passphrase-fd 3 3<file`), like gpg's option."""
    try:
        with os.fdopen(os.dup(fd), "rb") as fh:
            line = fh.readline().decode("utf-8", "replace").rstrip("\r\n")
    except OSError as exc:
        raise UsageError(f"{option} {fd}: cannot read: {exc.strerror}") from None
    if not line:
        raise UsageError(f"{option} {fd}: nothing to read: the first line must be the secret")
    return line
