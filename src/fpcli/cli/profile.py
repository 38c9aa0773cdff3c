"""`fpcli profile add|list|show|use|remove|edit`: named client_uid contexts and their PA configurations."""

from typing import Annotated, Any

import typer

from fpcli.cli.options import JsonOpt
from fpcli.cli.prompts import stdin_secrets
from fpcli.cli.runtime import FpcliGroup, terminal_of
from fpcli.cli.teach import complete_auth, complete_profiles

app = typer.Typer(
    cls=FpcliGroup,
    help="Profiles: PA configurations (endpoints, client id), Chorus Pro and signing settings. "
    "Settings go to a TOML file in the user config dir, secrets only to the secret store (the OS keyring, "
    "or the file chosen with --secret-store file).",
    no_args_is_help=True,
)

NameArg = Annotated[str, typer.Argument(autocompletion=complete_profiles, help="Profile name.")]
PaOpt = Annotated[str | None, typer.Option("--pa", help="PA configuration to add or change in this profile.")]
FlowUrlOpt = Annotated[str | None, typer.Option("--flow-url", help="Flow Service base URL.")]
DirUrlOpt = Annotated[str | None, typer.Option("--directory-url", help="Directory Service base URL.")]
TokenUrlOpt = Annotated[
    str | None, typer.Option("--token-url", help="OAuth2 token URL, or the JWT `…/api/token/` URL.")
]
AuthOpt = Annotated[
    str | None,
    typer.Option(
        "--auth", autocompletion=complete_auth, help="oauth2 (client credentials) or jwt (username/password)."
    ),
]
ClientIdOpt = Annotated[str | None, typer.Option("--client-id", help="OAuth2 client id.")]
TokenAuthOpt = Annotated[
    str | None,
    typer.Option(
        "--token-auth",
        metavar="body|basic",
        help="oauth2: client credentials in the form body (default) or as HTTP Basic (client_secret_basic).",
    ),
]
UserOpt = Annotated[str | None, typer.Option("--username", help="Username (jwt).")]
OrgOpt = Annotated[
    str | None, typer.Option("--organization-id", help="Organization-Id header (multi-tenant PAs).")
]
ClientUidOpt = Annotated[str | None, typer.Option("--client-uid", help="client_uid of this profile.")]
SecretStdinOpt = Annotated[
    bool,
    typer.Option(
        "--secret-stdin",
        help="Read the PA's client secret (oauth2) or password (jwt) from stdin; kept in the secret store.",
    ),
]


def _read_secret(from_stdin: bool) -> str | None:
    return stdin_secrets("--secret-stdin", "the secret")[0] if from_stdin else None


def _said(ctx: typer.Context, saved: Any, done: str, pa: str | None) -> None:
    message = f"profile {saved.name} {done}"
    if saved.secrets_in:
        message += f"; {saved.kind.replace('_', ' ')} of {saved.name}/{pa} kept in {saved.secrets_in}"
    if saved.store_problem:
        message += f"; the removed PA's secrets were not deleted: {saved.store_problem}"
    terminal_of(ctx).done(
        message,
        {"profile": saved.name, done: True, "secret_kept_in": saved.secrets_in},
    )


@app.command("add", help="Create a profile, optionally with its first PA configuration.")
def add_cmd(
    ctx: typer.Context,
    name: NameArg,
    pa: PaOpt = None,
    flow_url: FlowUrlOpt = None,
    directory_url: DirUrlOpt = None,
    token_url: TokenUrlOpt = None,
    auth: AuthOpt = None,
    client_id: ClientIdOpt = None,
    token_auth: TokenAuthOpt = None,
    username: UserOpt = None,
    organization_id: OrgOpt = None,
    client_uid: ClientUidOpt = None,
    secret_stdin: SecretStdinOpt = False,
    use: Annotated[bool, typer.Option("--use", help="Make it the default profile.")] = False,
) -> None:
    from fpcli.profiles import manage

    secret = _read_secret(secret_stdin)
    settings = {
        "flow_url": flow_url,
        "directory_url": directory_url,
        "token_url": token_url,
        "auth": auth,
        "client_id": client_id,
        "token_auth": token_auth,
        "username": username,
        "organization_id": organization_id,
    }
    saved = manage.add(name, client_uid=client_uid, pa=pa, pa_settings=settings, use=use, secret=secret)
    _said(ctx, saved, "created", pa)


@app.command(
    "edit", help="Change a profile: add or update a PA (`--pa NAME …`), remove one, pick the default PA."
)
def edit_cmd(
    ctx: typer.Context,
    name: NameArg,
    pa: PaOpt = None,
    flow_url: FlowUrlOpt = None,
    directory_url: DirUrlOpt = None,
    token_url: TokenUrlOpt = None,
    auth: AuthOpt = None,
    client_id: ClientIdOpt = None,
    token_auth: TokenAuthOpt = None,
    username: UserOpt = None,
    organization_id: OrgOpt = None,
    client_uid: ClientUidOpt = None,
    secret_stdin: SecretStdinOpt = False,
    default_pa: Annotated[
        str | None, typer.Option("--default-pa", help="PA used when `--pa` is not given.")
    ] = None,
    remove_pa: Annotated[
        str | None, typer.Option("--remove-pa", help="Remove this PA and its secrets.")
    ] = None,
) -> None:
    from fpcli.profiles import manage

    if secret_stdin and not pa:  # before reading stdin
        from fpcli.errors import UsageError

        raise UsageError("`--secret-stdin` needs `--pa NAME`")
    secret = _read_secret(secret_stdin)
    settings = {
        "flow_url": flow_url,
        "directory_url": directory_url,
        "token_url": token_url,
        "auth": auth,
        "client_id": client_id,
        "token_auth": token_auth,
        "username": username,
        "organization_id": organization_id,
    }
    saved = manage.edit(
        name,
        client_uid=client_uid,
        pa=pa,
        pa_settings=settings,
        default_pa=default_pa,
        remove_pa=remove_pa,
        secret=secret,
    )
    _said(ctx, saved, "updated", pa)


@app.command("list", help="List profiles (the default one is marked).")
def list_cmd(ctx: typer.Context, json_: JsonOpt = False) -> None:
    from fpcli.profiles import manage

    term = terminal_of(ctx)
    data = manage.listing()
    if json_ or term.json:
        term.data_json(data)
        return
    if not data["profiles"]:
        term.info("no profiles yet: `fpcli profile add NAME --pa PA --flow-url …`")
    for p in data["profiles"]:
        mark = "*" if p["default"] else " "
        typer.echo(
            f"{mark} {p['name']}\tPAs: {', '.join(p['pas']) or '-'}\tclient_uid: {p['client_uid'] or '-'}"
        )


@app.command("show", help="Show a profile's settings and which secrets are set (never their values).")
def show_cmd(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(autocompletion=complete_profiles, help="Profile (default: the active one)."),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    from fpcli.profiles import manage

    term = terminal_of(ctx)
    data = manage.describe(name or term.user_profile)
    if json_ or term.json:
        term.data_json(data)
        return
    typer.echo(f"profile {data['name']}{' (default)' if data['default'] else ''}")
    typer.echo(f"  client_uid: {data.get('client_uid', '-')}")
    typer.echo(f"  default PA: {data.get('default_pa', '-')}")
    typer.echo(f"  secret store: {data['secret_store']}")
    for pa_name, pa in data.get("pa", {}).items():
        typer.echo(f"  PA {pa_name}:")
        for key, value in pa.items():
            shown = ", ".join(f"{k} {v}" for k, v in value.items()) if key == "secrets" else value
            typer.echo(f"    {key}: {shown}")
    for section in ("chorus", "signing"):
        if section in data:
            typer.echo(f"  {section}: {data[section]}")


@app.command("use", help="Make a profile the default one.")
def use_cmd(ctx: typer.Context, name: NameArg) -> None:
    from fpcli.profiles import manage

    manage.use(name)
    terminal_of(ctx).done(f"default profile: {name}", {"default": name})


@app.command("remove", help="Remove a profile and every secret and token it has in the secret store.")
def remove_cmd(ctx: typer.Context, name: NameArg) -> None:
    from fpcli.profiles import manage

    report_removed(ctx, manage.remove(name), f"profile {name} removed")


def report_removed(ctx: typer.Context, result: Any, done: str) -> None:
    if result.store_problem:
        message = f"{done}; no secret removed: {result.store_problem}"
    else:
        message = f"{done}: {result.removed} secrets and tokens removed from the secret store"
    data = {"profile": result.name, "removed": result.removed, "store_problem": result.store_problem}
    terminal_of(ctx).done(message, data)
