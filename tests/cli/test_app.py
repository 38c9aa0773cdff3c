"""The root app: version, help golden, exit-code table, error mapping."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import fpcli.cli.app  # noqa: F401 (fills FpcliRoot.lazy)
from fpcli.cli.runtime import FpcliRoot
from fpcli.errors import ExitCode
from tests.cli.helpers import run
from tests.conftest import EXAMPLES, REPO

GOLDEN = Path(__file__).parent / "golden"


def test_version_lists_engines(runner) -> None:
    result = run(runner, "--version")
    assert result.exit_code == 0
    first, *engines = result.stdout.splitlines()
    assert first.startswith("fpcli ")
    names = [e.split()[0] for e in engines]
    assert names == ["lxml", "saxonche", "pikepdf", "pyhanko", "factur-x", "pydantic", "typer"]


def test_help_golden(runner) -> None:
    result = run(runner, "--help")
    assert result.exit_code == 0
    assert result.stdout == (GOLDEN / "help.txt").read_text()


def test_exit_codes_match_design() -> None:
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0,
        "INVALID": 1,
        "USAGE": 2,
        "BAD_INPUT": 3,
        "REMOTE": 4,
        "AUTH": 5,
        "SIGNATURE": 6,
        "INTERNAL": 70,
        "INTERRUPTED": 130,
    }


def test_internal_error_is_one_line_without_traceback(runner, monkeypatch: pytest.MonkeyPatch) -> None:
    import fpcli.generate

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("token=SECRET should not leak as a traceback")

    monkeypatch.setattr(fpcli.generate, "expand_inputs", boom)
    result = run(runner, "generate", "x.yaml")
    assert result.exit_code == 70
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: internal error (RuntimeError)")
    assert "--debug" in result.stderr


def test_keyboard_interrupt_is_130(runner, monkeypatch: pytest.MonkeyPatch) -> None:
    import fpcli.generate

    def interrupted(*_a: object, **_k: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fpcli.generate, "expand_inputs", interrupted)
    result = run(runner, "generate", "x.yaml")
    assert result.exit_code == 130


def test_python_dash_m_and_bad_option() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "fpcli", "generate", "--bogus"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "No such option" in proc.stderr
    assert proc.stdout == ""


def test_generated_docs_are_fresh() -> None:
    """man page, completions and README reference are generated from the command tree."""
    proc = subprocess.run(
        [sys.executable, str(REPO / "tools" / "gen_docs.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, f"stale generated files; run `python tools/gen_docs.py`:\n{proc.stderr}"


def test_every_command_has_help() -> None:
    import typer

    from fpcli.cli.app import app

    root = typer.main.get_command(app)

    def walk(group: object, prefix: str) -> list[str]:
        missing = []
        for name, cmd in group.commands.items():  # type: ignore[attr-defined]
            if not (cmd.help or "").strip():
                missing.append(f"{prefix}{name}")
            for p in cmd.params:
                if p.param_type_name == "option" and not (p.help or "").strip():
                    missing.append(f"{prefix}{name} {p.opts[0]}")
            if hasattr(cmd, "commands"):
                missing += walk(cmd, f"{prefix}{name} ")
        return missing

    assert walk(root, "") == []


HEAVY = {
    "httpx",
    "lxml",
    "pikepdf",
    "saxonche",
    "pyhanko",
    "reportlab",
    "pydantic",
    "keyring",
    "rich",
    "facturx",
}
# every command module the root knows of (cli/app.py registers them lazily)
COMMAND_MODULES = {entry.target.split(":")[0] for entry in FpcliRoot.lazy.values()}


def _modules_after(argv: list[str]) -> set[str]:
    """The modules a fresh interpreter has loaded once `fpcli ARGV` is done."""
    code = (
        "import sys\nfrom fpcli.cli.main import main\nsys.argv = ['fpcli', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    return set(proc.stderr.split())


def test_start_up_imports_no_engine() -> None:
    """`fpcli --help` stays fast because command modules are imported when their command runs, and they
    import their engines lazily (measured in benchmarks/; this guards the cause, not the time)."""
    code = "import sys, fpcli.cli.app; print(' '.join(sorted(sys.modules)))"
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert loaded & (HEAVY | COMMAND_MODULES) == set()
    loaded = _modules_after(["--help"])
    assert {m.split(".")[0] for m in loaded} & HEAVY == set()
    assert loaded & COMMAND_MODULES == set()
    assert loaded & (DEFERRED | {"fpcli.errors"}) == set()


# Modules the start-up defers until something is written or looked up (issue 18): fpcli.redact (its patterns,
# base64) and json when a message or a JSON result is printed, importlib.metadata (email, zipfile…) for
# `--version` only, fpcli.errors when a command runs.
DEFERRED = {"json", "base64", "fpcli.redact", "importlib.metadata", "email", "zipfile"}


def test_version_reads_versions_without_importing_the_engines() -> None:
    loaded = _modules_after(["--version"])
    assert "fpcli.redact" not in loaded  # nothing secret to mask: its patterns are not loaded
    assert {m.split(".")[0] for m in loaded} & HEAVY == set()  # versions come from metadata, not imports


@pytest.mark.parametrize("command", ["generate", "validate", "sign", "sign verify", "pdp submit", "view"])
def test_command_help_imports_its_module_only(command: str) -> None:
    """`fpcli CMD --help` builds CMD alone: no other command module, no engine, and no pydantic (typer's
    coercion imports it; plain values skip it, see cli/runtime.py `_PlainValue`)."""
    loaded = _modules_after([*command.split(), "--help"])
    module = "fpcli.cli." + command.split(maxsplit=1)[0]
    assert loaded & COMMAND_MODULES == {module}
    assert {m.split(".")[0] for m in loaded} & HEAVY == set()
    assert loaded & DEFERRED == set()


def test_root_help_lists_what_the_commands_say() -> None:
    """The root's command list is written from cli/app.py's summaries without importing the commands: it must
    read the same as when every command is built."""
    import typer
    from typer import _click

    from fpcli.cli.app import app

    root = typer.main.get_command(app)
    ctx = _click.Context(root, info_name="fpcli")
    lazy_help = root.get_help(ctx)
    built = dict(root.commands.items())  # type: ignore[attr-defined]
    assert set(built) >= {"generate", "validate", "sign", "pdp", "chorus"}
    assert root.get_help(ctx) == lazy_help
    for name, command in built.items():
        assert command.name == name


def _outcome(runtime: object, value: object, param: object, ctx: object) -> tuple[str, object]:
    try:
        return "value", runtime._coerce_value(value, param=param, ctx=ctx)  # type: ignore[attr-defined]
    except Exception as exc:  # which error, with which message, is what is compared
        return type(exc).__name__, str(exc)


def test_plain_values_coerce_as_typer_does() -> None:
    """Every parameter that skips typer's pydantic coercion gets what typer would have given it: the same
    value, or the same error with the same message."""
    import typer
    from typer import _click
    from typer._coercion import build_runtime_param

    from fpcli.cli.app import app
    from fpcli.cli.runtime import _PlainValue

    root = typer.main.get_command(app)
    commands = [root]
    for command in commands:
        commands += list(getattr(command, "commands", {}).values())
    samples = ["abc", "", " 12 ", "007", "12", "-3", "1_000", "x", True, False, 0, 5, 32, 33, "40", -1, None,
               ["a", "b"], ("a",), [1]]  # fmt: skip
    checked = 0
    for command in commands:
        ctx = _click.Context(command, info_name="fpcli")
        for param in command.params:
            quick = getattr(param, "_runtime_param", None)
            if not isinstance(quick, _PlainValue):
                continue
            full = build_runtime_param(param.type_descriptor)
            for value in samples:
                assert _outcome(quick, value, param, ctx) == _outcome(full, value, param, ctx), (
                    f"{command.name} {param.name} {value!r}"
                )
            checked += 1
    assert checked > 100  # the plain parameters of the whole tree


def test_signing_a_file_imports_no_pydantic(runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`fpcli sign` runs once per file in many scripts: with key material on the command line it needs no
    profile and no pydantic (typer's coercion of `--jobs`' bounded int used to pull it in: ~90 ms a process,
    the gap to pyHanko's own CLI in benchmarks/bench_sign.py)."""
    from fpcli.signing.testcert import make_test_p12

    (tmp_path / "t.p12").write_bytes(make_test_p12("bench", 30, b"pw"))
    made = run(runner, "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(tmp_path / "in.pdf"))
    assert made.exit_code == 0, made.stderr
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "pw")
    out = tmp_path / "out.pdf"
    loaded = _modules_after(["sign", str(tmp_path / "in.pdf"), "-o", str(out), "--p12", str(tmp_path / "t.p12")])
    assert out.read_bytes().startswith(b"%PDF-")  # it really signed
    assert "pydantic" not in loaded
