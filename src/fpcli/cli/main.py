"""Console entry point."""

from __future__ import annotations


def main() -> None:
    from fpcli.cli.app import app

    app()
