"""The one place where errors become exit codes (STYLE.md rule 6).

`FpcliGroup.invoke` wraps every command: FpcliError -> its message and exit code, KeyboardInterrupt -> 130,
SIGTERM/SIGHUP -> 143/129 like Ctrl-C, anything unexpected -> one line asking for `--debug` (exit 70),
tracebacks only with --debug/FPCLI_DEBUG.
"""

from __future__ import annotations

import importlib
import os
import signal
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import typer
from typer._coercion import RuntimeParam, build_runtime_param
from typer.core import TyperGroup

from fpcli.cli.terminal import Terminal


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
        from fpcli.errors import ExitCode, FpcliError  # not needed by `fpcli --help`

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


@dataclass(frozen=True)
class LazyCommand:
    """A command whose module is imported only when the command is used: `target` is
    `module:attribute`, a command function (with `kwargs` for `app.command`) or, with `group=True`, a
    Typer sub-app. `help` is what the root's command list shows without importing the module (a test
    keeps it equal to the real one)."""

    target: str
    help: str
    group: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict)

    def load(self, name: str) -> Any:
        module, attribute = self.target.split(":")
        obj = getattr(importlib.import_module(module), attribute)
        # A throw-away parent with the root's settings, so typer builds the command as it would in the tree
        holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_show_locals=False, add_completion=False)
        holder.callback()(lambda: None)  # a callback makes typer build a group even for one command
        if self.group:
            holder.add_typer(obj, name=name)
        else:
            holder.command(name, help=self.help, **self.kwargs)(obj)
        return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]


class LazyCommands(MutableMapping[str, Any]):
    """The root's `commands`: names are known up front, each command is built on first access, so
    `fpcli CMD` imports and builds CMD only (start-up, issue 18). Walking `.items()` loads everything,
    which is what docs, completions and tests that walk the tree want."""

    def __init__(self, loaded: MutableMapping[str, Any], on_load: Callable[[Any, str], None]) -> None:
        self._loaded = dict(loaded)
        self._lazy: dict[str, LazyCommand] = {}
        self._on_load = on_load

    def add_lazy(self, name: str, entry: LazyCommand) -> None:
        self._lazy[name] = entry

    def pending(self, name: str) -> LazyCommand | None:
        return self._lazy.get(name) if name not in self._loaded else None

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            command = self._lazy[name].load(name)  # KeyError for unknown names, as a dict
            self._on_load(command, name)
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._loaded and name not in self._lazy:
            raise KeyError(name)
        self._loaded.pop(name, None)
        self._lazy.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self._loaded
        yield from (name for name in self._lazy if name not in self._loaded)

    def __len__(self) -> int:
        return len(self._loaded.keys() | self._lazy.keys())


def _prepare_tree(command: Any, path: str) -> None:
    """Teach `command` and its subcommands (cli/teach.py); plain parameters get the quick coercion."""
    from fpcli.cli.teach import teach

    teach(command, path)
    _quick_coercion(command)
    for name, sub in getattr(command, "commands", {}).items():
        _prepare_tree(sub, f"{path} {name}".strip())


@dataclass(frozen=True)
class _PlainValue(RuntimeParam):
    """typer coerces every option value through a pydantic TypeAdapter, and importing pydantic for that is
    the largest part of a command's start-up. Values that need no conversion (a string for `str`, digits
    for `int`, a bool or nothing for a flag, strings for `list[str]`) are taken as they are; anything else
    goes to typer's own coercion, so results and error messages stay typer's."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        kind = self.annotation
        if getattr(self.parameter_info, "parser", None) is not None:
            # fpcli's parsers (e.g. `--jobs`) return values of this type unchanged: only strings need them
            if isinstance(kind, type) and isinstance(value, kind) and not isinstance(value, str):
                return value
            return build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)
        if (kind is str and isinstance(value, str)) or (kind is bool and isinstance(value, bool)):
            return value
        if kind is int and isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value)
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            low, high = getattr(self.parameter_info, "min", None), getattr(self.parameter_info, "max", None)
            if (low is None or value >= low) and (high is None or value <= high):
                return value  # out of range: typer's own message, below
        if kind == list[str] and isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return list(value)
        return build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)


_PLAIN = (str, int, bool, list[str])
_CONSTRAINTS = ("click_type",)  # min/max are checked here for int (`--jobs`, `--passphrase-fd`)


def _bounded(info: Any) -> bool:
    return getattr(info, "min", None) is not None or getattr(info, "max", None) is not None


def _quick_coercion(command: Any) -> None:
    _quick_params(command.params)
    make_help = command.get_help_option
    if not getattr(make_help, "quick", False):

        def get_help_option(ctx: Any) -> Any:  # made per parse, after the command is built
            option = make_help(ctx)
            _quick_params([option] if option is not None else [])
            return option

        get_help_option.quick = True  # type: ignore[attr-defined]
        command.get_help_option = get_help_option


def _quick_params(params: list[Any]) -> None:
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", False) is not None:
            continue  # not a typer parameter, or typer's internals changed: leave it to typer
        info = descriptor.parameter_info
        if descriptor.file_annotation is not None or any(
            getattr(info, a, None) is not None for a in _CONSTRAINTS
        ):
            continue
        if _bounded(info) and (descriptor.annotation is not int or getattr(info, "clamp", False)):
            continue
        if descriptor.annotation in _PLAIN:
            param._runtime_param = _PlainValue(parameter_info=info, annotation=descriptor.annotation)


class FpcliRoot(FpcliGroup):
    """The root group: its commands are built when used (`lazy`, filled by cli/app.py), and every command
    gets its placeholders and examples (cli/teach.py) when built, so the help of a new command teaches
    without extra work."""

    lazy: ClassVar[dict[str, LazyCommand]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from fpcli.cli.teach import teach

        teach(self, "")
        _quick_coercion(self)
        for name, command in self.commands.items():  # the ones registered eagerly with typer
            _prepare_tree(command, name)
        commands = LazyCommands(self.commands, _prepare_tree)
        for name, entry in self.lazy.items():
            commands.add_lazy(name, entry)
        self.commands = commands

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _quick_params(self.params)  # typer appends its completion options after the group is built
        return list(super().parse_args(ctx, args))

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # names only: typer's version builds every command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The command list from the names and summaries, without building commands that are not used."""
        from typer._click.utils import make_default_short_help

        commands = self.commands
        assert isinstance(commands, LazyCommands)
        rows: list[tuple[str, str | Any]] = []
        for name in self.list_commands(ctx):
            entry = commands.pending(name)
            if entry is not None:
                rows.append((name, entry.help))
            elif not commands[name].hidden:
                rows.append((name, commands[name]))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl(
                    [
                        (
                            name,
                            make_default_short_help(c, limit)
                            if isinstance(c, str)
                            else c.get_short_help_str(limit),
                        )
                        for name, c in rows
                    ]
                )
