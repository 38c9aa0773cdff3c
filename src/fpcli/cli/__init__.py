"""The Typer command-line layer: parse options, call one core function, render its result."""
