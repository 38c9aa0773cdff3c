"""The Typer command-line layer: parse options, call one core function, render its result.

Command modules do not use `from __future__ import annotations`: Typer evaluates the annotations of every
command when it builds the command tree, even for `fpcli --help`, and evaluating them from strings cost
~70 ms of start-up. Engines (lxml, httpx, pikepdf, saxonche …) are imported inside the commands.
"""
