"""Invoking the CLI in tests: exit code, stdout and stderr kept apart."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from fpcli.cli.app import app


def run(runner: CliRunner, *args: str, input: bytes | str | None = None) -> Any:
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)
