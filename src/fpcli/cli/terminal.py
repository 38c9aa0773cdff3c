"""Where the CLI writes: data to stdout, everything else (messages, progress, colour) to stderr."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

# fpcli.redact (its patterns, base64) and json are imported when something is written, not at start-up:
# `fpcli --help` needs neither (issue 18).


def for_terminal(text: str) -> str:
    from fpcli.redact import for_terminal

    return for_terminal(text)


def redact(text: str) -> str:
    from fpcli.redact import redact

    return redact(text)


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
    _out: Console | None = field(default=None, repr=False)

    def _console(self, stderr: bool) -> Console:
        from rich.console import Console  # lazy: keeps `fpcli --help` start-up short

        forced = _color_wanted(self.no_color)
        # markup/highlight off: invoice text such as "[SIREN]" must print as is.
        return Console(
            stderr=stderr,
            markup=False,
            highlight=False,
            no_color=forced is False,
            force_terminal=True if forced else None,
            soft_wrap=True,
        )

    @property
    def err(self) -> Console:
        """Talk about the run: progress, notes, warnings, errors."""
        if self._err is None:
            self._err = self._console(stderr=True)
        return self._err

    @property
    def out(self) -> Console:
        """The command's result as text (reports, tables): stdout, so `> file` and `| grep` work."""
        if self._out is None:
            self._out = self._console(stderr=False)
        return self._out

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

    def done(self, message: str, data: dict[str, Any]) -> None:
        """An action's outcome: a note on stderr and, with `--json`, `data` as the JSON result on stdout
        (so the JSON output of every command parses, not only of the commands that report)."""
        self.info(message)
        if self.json:
            self.data_json({"schema_version": 1, **data})

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
        import json

        # json.dumps escapes control characters itself; secrets are masked by value.
        sys.stdout.write(redact(json.dumps(payload, ensure_ascii=False, indent=2, default=str)) + "\n")
        sys.stdout.flush()

    @staticmethod
    def data_text(piece: str) -> None:
        """A piece of the command's result written as it comes (a streamed batch report), secrets masked."""
        sys.stdout.write(redact(piece))
        sys.stdout.flush()

    @staticmethod
    def data_bytes(payload: bytes) -> None:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()


def echo_text(text: str) -> None:
    """A result line on stdout that quotes a server or a file: without escape or control sequences."""
    import typer

    from fpcli.redact import printable

    typer.echo(printable(redact(text)))
