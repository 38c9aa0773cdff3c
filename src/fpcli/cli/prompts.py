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
