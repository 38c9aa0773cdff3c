"""Where the CLI writes: data to stdout, everything else (messages, progress, colour) to stderr."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fpcli.redact import for_terminal, printable, redact

if TYPE_CHECKING:
    from rich.console import Console


def _color_wanted(no_color_flag: bool) -> bool | None:
    if no_color_flag or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return None  # let rich decide from the terminal


@dataclass
class Terminal:
    """Global CLI state: verbosity (-v count minus -q count), JSON mode, colour, debug."""

    verbosity: int = 0
    json: bool = False
    debug: bool = False
    no_color: bool = False
    user_profile: str | None = None
    _err: Console | None = field(default=None, repr=False)

    @property
    def err(self) -> Console:
        if self._err is None:
            from rich.console import Console  # lazy: keeps `fpcli --help` start-up short

            forced = _color_wanted(self.no_color)
            # markup/highlight off: invoice text such as "[SIREN]" must print as is.
            self._err = Console(
                stderr=True,
                markup=False,
                highlight=False,
                no_color=forced is False,
                force_terminal=True if forced else None,
                soft_wrap=True,
            )
        return self._err

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0

    @property
    def interactive(self) -> bool:
        return sys.stderr.isatty() and not self.quiet and not os.environ.get("CI")

    # Every message goes through for_terminal: it may quote a file or a server (escape sequences) and an
    # error text may quote a request (secrets, masked by value).
    def info(self, message: str) -> None:
        if not self.quiet:
            self.err.print(for_terminal(message))

    def detail(self, message: str) -> None:
        if self.verbosity > 0:
            self.err.print(for_terminal(message))

    def warn(self, message: str) -> None:
        if not self.quiet:
            self.err.print(f"warning: {for_terminal(message)}", style="yellow")

    def error(self, message: str, hint: str | None = None) -> None:
        self.err.print(f"error: {for_terminal(message)}", style="bold red")
        if hint:
            self.err.print()
            self.err.print(f"hint: {for_terminal(hint)}", style="cyan")

    @staticmethod
    def data_json(payload: dict[str, Any]) -> None:
        # json.dumps escapes control characters itself; secrets are masked by value.
        sys.stdout.write(redact(json.dumps(payload, ensure_ascii=False, indent=2, default=str)) + "\n")
        sys.stdout.flush()

    @staticmethod
    def data_bytes(payload: bytes) -> None:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()


def echo_text(text: str) -> None:
    """A result line on stdout that quotes a server or a file: without escape or control sequences."""
    import typer

    typer.echo(printable(redact(text)))
