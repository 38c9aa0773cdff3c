"""Console entry point."""

from __future__ import annotations


def main() -> None:
    from fpcli.cli.app import app
    from fpcli.cli.runtime import install_signal_handlers

    install_signal_handlers()
    app()
