"""The README's promises: exactly two Quick start commands, CI runs the second one, exit codes documented."""

from __future__ import annotations

import re

from fpcli.errors import ExitCode
from tests.conftest import REPO


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.S)


def test_quick_start_has_exactly_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == quick_start_commands()[1]
    assert "set -euo pipefail" in ci


def test_every_exit_code_is_documented() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    man = (REPO / "man" / "fpcli.1").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {int(code)} |" in readme, code
        assert f".B {int(code)}\n" in man, code


def test_ci_section_examples_parse_and_use_only_the_environment() -> None:
    import yaml

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## CI and servers", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2  # GitHub Actions and GitLab CI
    for block in blocks:
        assert isinstance(yaml.safe_load(block), dict)
        assert "FPCLI_PA_CLIENT_" in block and "fpcli pdp submit" in block
        assert "profile add" not in block and "auth login" not in block and "-stdin" not in block
