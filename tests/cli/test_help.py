"""Help that teaches (issue 12): placeholders instead of Python types, 1-3 examples per command that name real
options, value completion in bash/zsh/fish, and one list of environment variables that --help, the man page,
the README and the code agree on."""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from fpcli.cli.app import app
from fpcli.cli.teach import EXAMPLES
from fpcli.envvars import VARIABLES
from tests.cli.helpers import run
from tests.conftest import REPO


def tree() -> dict[str, Any]:
    out: dict[str, Any] = {}

    def walk(prefix: str, group: Any) -> None:
        for name, cmd in group.commands.items():
            full = f"{prefix} {name}".strip()
            walk(full, cmd) if hasattr(cmd, "commands") else out.setdefault(full, cmd)

    walk("", typer.main.get_command(app))
    return out


def help_of(path: str) -> str:
    result = CliRunner().invoke(app, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("path", sorted(tree()))
def test_help_has_placeholders_and_examples(path: str) -> None:
    text = help_of(path)
    assert not re.search(r"<(?:str|int|float|bool|list|tuple|path|%)", text), (
        f"`fpcli {path} --help` shows a Python type: {text}"
    )
    assert 1 <= len(EXAMPLES.get(path, [])) <= 3, f"`fpcli {path}` needs 1-3 examples in cli/teach.py"
    assert "Examples:\n" in text and all(e in text for e in EXAMPLES[path])


def _example_words(example: str) -> list[str]:
    """The fpcli part of a shell line: from `fpcli` to the first redirection or pipe."""
    if "$(" in example:  # fpcli inside a command substitution
        example = example.split("$(", 1)[1].split(")", 1)[0]
    words = shlex.split(example)
    words = words[words.index("fpcli") + 1 :]
    stop = next(
        (i for i, w in enumerate(words) if w in (">", "<", "|", ")") or w.startswith(">")), len(words)
    )
    return words[:stop]


def test_examples_name_real_commands_and_options() -> None:
    commands, root = tree(), typer.main.get_command(app)
    root_opts = {o for p in root.params for o in p.opts + p.secondary_opts}
    assert set(EXAMPLES) == set(commands), "examples for commands that do not exist, or commands without"
    for path, examples in EXAMPLES.items():
        cmd = commands[path]
        known = root_opts | {o for p in cmd.params for o in p.opts + getattr(p, "secondary_opts", [])}
        for example in examples:
            words = _example_words(example)
            while words and words[0].startswith("-"):  # global options first
                words = words[2:] if words[0] in ("--profile", "--secret-store") else words[1:]
            shown = " ".join(words[: len(path.split())])
            assert shown == path or (path == "sign pdf" and words[0] == "sign"), example
            for word in words:
                if word.startswith("-") and word != "-":
                    assert word.split("=")[0] in known, f"{example}: `{word}` is no option of `fpcli {path}`"


def test_examples_are_in_the_man_page() -> None:
    man = (REPO / "man" / "fpcli.1").read_text(encoding="utf-8")
    for examples in EXAMPLES.values():
        for example in examples:
            assert example.replace("\\", "\\\\").replace("-", "\\-") in man, example


def test_every_environment_variable_is_declared_once_and_documented(runner: CliRunner) -> None:
    used = set()
    for path in (REPO / "src" / "fpcli").rglob("*.py"):
        used |= set(re.findall(r"\bFPCLI_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")))
    used -= {"FPCLI_NS"}  # an XML namespace constant, not a variable
    assert used == set(VARIABLES), f"undeclared: {used - set(VARIABLES)}; unused: {set(VARIABLES) - used}"
    man = (REPO / "man" / "fpcli.1").read_text(encoding="utf-8").replace("\\-", "-").replace("\\_", "_")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    root_help = run(runner, "--help").stdout
    for name in VARIABLES:
        assert f".B {name}\n" in man, name
        assert f"| `{name}` |" in readme, name
        assert name in root_help, name


def test_readme_says_which_python() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'requires-python = ">=3.11"' in pyproject and "Python >= 3.11" in readme


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("fpcli --profile ", ["acme", "other"]),
        ("fpcli profile show o", ["other"]),
        ("fpcli validate --format j", ["json", "junit"]),
        ("fpcli generate -p ext", ["extended", "extended-ctc-fr"]),
        ("fpcli sign pdf x.pdf --level B-", ["B-B", "B-T", "B-LT"]),
        ("fpcli cdar create --status 21", ["210", "211", "212", "213", "214"]),
        ("fpcli cdar create --rejected-at r", ["reception"]),
        ("fpcli ereport columns --flow 10.", ["10.1", "10.2", "10.3", "10.4"]),
        ("fpcli --secret-store f", ["file"]),
        ("fpcli pdp submit --pa ", ["main", "second"]),
        ("fpcli --profile other auth token --pa ", ["third"]),
    ],
)
def test_option_values_complete_in_bash(runner: CliRunner, words: str, expected: list[str]) -> None:
    for name, pas in (("acme", ["main", "second"]), ("other", ["third"])):
        assert run(runner, "profile", "add", name).exit_code == 0
        for pa in pas:
            assert (
                run(runner, "profile", "edit", name, "--pa", pa, "--flow-url", "https://pa.example").exit_code
                == 0
            )
    env = {
        "_FPCLI_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    result = runner.invoke(app, [], env=env, prog_name="fpcli")
    assert result.stdout.split() == expected


def test_completion_scripts_for_zsh_and_fish(runner: CliRunner) -> None:
    assert run(runner, "profile", "add", "acme").exit_code == 0
    zsh = runner.invoke(
        app,
        [],
        env={"_FPCLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "fpcli --profile a"},
        prog_name="fpcli",
    )
    assert '"acme"' in zsh.stdout
    fish = runner.invoke(
        app, [], prog_name="fpcli",
        env={"_FPCLI_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "fpcli sign pdf x --level B-L",
             "_TYPER_COMPLETE_FISH_ACTION": "get-args"},
    )  # fmt: skip
    assert fish.stdout.split() == ["B-LT"]
    for shell in ("bash", "zsh", "fish"):
        assert "_FPCLI_COMPLETE" in (REPO / "completions" / f"fpcli.{shell}").read_text()
