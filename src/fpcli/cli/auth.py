"""`fpcli auth login|logout|status|token`: PA tokens, cached in the secret store and renewed before expiry
(in memory only when the credential comes from the environment).

The environment variables a CI job uses instead are listed in fpcli/envvars.py (and `fpcli --help`).
"""

import sys
from typing import Annotated

import typer

from fpcli.cli.options import JsonOpt, PaOpt
from fpcli.cli.prompts import can_prompt
from fpcli.cli.runtime import FpcliGroup, terminal_of

app = typer.Typer(
    cls=FpcliGroup,
    help="Log in to a PA (OAuth2 client credentials or JWT username/password), show and print tokens. "
    "Tokens and secrets live in the secret store (the OS keyring, or `--secret-store file`); in CI use the "
    "FPCLI_PA_* environment variables: then no store is touched.",
    no_args_is_help=True,
)


@app.command(
    "login", help="Get a token now; asks for the client secret or password on a terminal if none is stored."
)
def login_cmd(
    ctx: typer.Context,
    pa: PaOpt = None,
    secret_stdin: Annotated[
        bool, typer.Option("--secret-stdin", help="Read the client secret or password from stdin.")
    ] = False,
) -> None:
    from fpcli.remote import pa as pa_core

    term = terminal_of(ctx)
    with pa_core.PASession.open(term.user_profile, pa) as session:
        secret = None
        kind = session.target.config.secret_kind
        if secret_stdin:
            secret = sys.stdin.readline().rstrip("\r\n") or None
        elif session.target.secret(kind) is None and can_prompt():
            label = kind.replace("_", " ")
            secret = typer.prompt(f"{label} for {session.target.label}", hide_input=True, err=True)
        token, where = pa_core.login(session, secret)
        minutes = max(0, round((token.expires_at - pa_core.now()) / 60))
        kept = f"; {kind.replace('_', ' ')} kept in {where}" if where else ""
        term.done(
            f"logged in to {session.target.label}: access token valid for {minutes} min{kept}",
            {"pa": session.target.label, "access_expires_in": minutes * 60, "secret_kept_in": where},
        )


@app.command("logout", help="Remove every secret and token of the profile from the secret store.")
def logout_cmd(ctx: typer.Context) -> None:
    from fpcli.cli.profile import report_removed
    from fpcli.remote import pa as pa_core

    result = pa_core.logout(terminal_of(ctx).user_profile)
    report_removed(ctx, result, f"profile {result.name} logged out")


@app.command("status", help="Per PA of the profile: secret stored, token validity.")
def status_cmd(ctx: typer.Context, json_: JsonOpt = False) -> None:
    from fpcli.remote import pa as pa_core

    term = terminal_of(ctx)
    now = pa_core.now()
    rows = [s.to_dict(now) for s in pa_core.status(term.user_profile)]
    if json_ or term.json:
        term.data_json({"schema_version": 1, "pas": rows})
        return
    if not rows:
        term.info("no profile: tokens come from FPCLI_* variables only")
    for r in rows:
        token = (
            f"access valid {r['access_expires_in'] // 60} min"
            if r["access_valid"]
            else "no valid access token"
        )
        refresh = f", refresh valid {r['refresh_expires_in'] // 3600} h" if r["refresh_expires_in"] else ""
        if r["secret_source"] != "store":  # noqa: S105 (`store` is a source's name, not a secret)
            secret = f"secret from {r['secret_source']}"
        elif r["secret_stored"] is None:
            secret = f"secret store {r['store']}"
        else:
            secret = f"secret {'stored' if r['secret_stored'] else 'not stored'} in {r['store']}"
        typer.echo(f"{r['pa']}\t{r['auth']}\t{secret}\t{token}{refresh}")


@app.command("token", help="Print a valid access token on stdout (renewed if needed), for scripts.")
def token_cmd(ctx: typer.Context, pa: PaOpt = None) -> None:
    from fpcli.remote import pa as pa_core

    term = terminal_of(ctx)
    with pa_core.PASession.open(term.user_profile, pa) as session:
        token = session.tokens.token()
    if term.json:
        term.data_json({"schema_version": 1, "access_token": token})
    else:
        typer.echo(token)
