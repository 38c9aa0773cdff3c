"""The one place where errors become exit codes (STYLE.md rule 6).

`FpcliGroup.invoke` wraps every command: FpcliError -> its message and exit code, KeyboardInterrupt -> 130,
SIGTERM/SIGHUP -> 143/129 like Ctrl-C, anything unexpected -> one line asking for `--debug` (exit 70),
tracebacks only with --debug/FPCLI_DEBUG.
"""

from __future__ import annotations

import os
import signal
from typing import Any

import typer
from typer.core import TyperGroup

from fpcli.cli.terminal import Terminal
from fpcli.errors import ExitCode, FpcliError


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled like Ctrl-C: every `finally` and cleanup runs (temporary files removed,
    workers stopped, journal rows left as they are), then exit 128 + the signal number (143, 129)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated(signum)


def install_signal_handlers() -> None:
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_terminated)


def terminal_of(ctx: Any) -> Terminal:
    root = ctx.find_root()
    if not isinstance(root.obj, Terminal):
        root.obj = Terminal()
    return root.obj


def _is_framework_flow(exc: BaseException) -> bool:
    """Exit/Abort/usage exceptions of typer (and the click it vendors) carry their own exit handling."""
    module = type(exc).__module__
    return module.startswith(("typer", "click"))


class FpcliGroup(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except typer.Exit as exc:  # typer's Exit is not the vendored click's: pass its code through
            ctx.exit(exc.exit_code)
        except FpcliError as exc:
            terminal_of(ctx).error(exc.message, exc.hint)
            ctx.exit(int(exc.exit_code))
        except Terminated as exc:
            terminal_of(ctx).error(f"terminated by {signal.Signals(exc.signum).name}")
            ctx.exit(128 + exc.signum)
        except KeyboardInterrupt:
            terminal_of(ctx).error("interrupted")
            ctx.exit(int(ExitCode.INTERRUPTED))
        except Exception as exc:
            if _is_framework_flow(exc):
                raise
            term = terminal_of(ctx)
            if term.debug or os.environ.get("FPCLI_DEBUG"):
                raise
            term.error(
                f"internal error ({type(exc).__name__}): {exc}",
                "rerun with `--debug` for the traceback, and report it",
            )
            ctx.exit(int(ExitCode.INTERNAL))


class FpcliRoot(FpcliGroup):
    """The root group: once the whole command tree is built, every command gets its placeholders and
    examples (cli/teach.py), so the help of a new command teaches without extra work."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from fpcli.cli.teach import teach

        teach(self, "")

        def walk(prefix: str, group: Any) -> None:
            for name, cmd in group.commands.items():
                path = f"{prefix} {name}".strip()
                teach(cmd, path)
                if hasattr(cmd, "commands"):
                    walk(path, cmd)

        walk("", self)
