"""`fpcli doctor`: is this machine ready (secret store, profile, PA and Chorus Pro endpoints, rule sets)?"""

import typer

from fpcli.cli.options import JsonOpt
from fpcli.cli.runtime import terminal_of

_STYLE = {"ok": "green", "fail": "red", "skip": "dim"}


def doctor(ctx: typer.Context, json_: JsonOpt = False) -> None:
    from fpcli.doctor import diagnose

    term = terminal_of(ctx)
    result = diagnose(term.user_profile)
    if json_ or term.json:
        term.data_json(result.to_dict())
    else:
        for c in result.checks:
            term.out.print(f"{c.state:4}  {c.name}: {c.detail}", style=_STYLE[c.state])
    failed = result.first_failure
    if failed is not None:
        term.error(f"{failed.name}: {failed.detail}", failed.fix)
    raise typer.Exit(result.exit_code)
