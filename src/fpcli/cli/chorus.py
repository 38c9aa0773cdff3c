"""`fpcli chorus`: Chorus Pro (public-sector invoicing) through PISTE."""

from typing import Annotated, Any

import typer

from fpcli.cli.options import ForceOpt, JsonOpt, NoCheckOpt, RecursiveOpt
from fpcli.cli.prompts import stdin_secrets
from fpcli.cli.render_submit import render_batch
from fpcli.cli.runtime import FpcliGroup, terminal_of
from fpcli.cli.terminal import echo_text

app = typer.Typer(
    cls=FpcliGroup,
    help="Chorus Pro (public sector) through PISTE: deposit invoices, deposit reports, search and download "
    "invoices, public structures and their services.",
    no_args_is_help=True,
)
invoices_app = typer.Typer(cls=FpcliGroup, help="Search, read and download invoices.", no_args_is_help=True)
app.add_typer(invoices_app, name="invoices")


def _client(ctx: typer.Context) -> Any:
    from fpcli.remote.chorus import ChorusClient, resolve_chorus
    from fpcli.remote.http import Http

    return ChorusClient(resolve_chorus(terminal_of(ctx).user_profile), Http())


@app.command("configure", help="Set the profile's Chorus Pro settings; secrets go to the secret store.")
def configure_cmd(
    ctx: typer.Context,
    sandbox: Annotated[
        bool | None,
        typer.Option("--sandbox/--production", help="PISTE sandbox (qualification) or production."),
    ] = None,
    client_id: Annotated[str | None, typer.Option("--client-id", help="PISTE application client id.")] = None,
    login: Annotated[str | None, typer.Option("--login", help="Chorus Pro technical account login.")] = None,
    api_url: Annotated[str | None, typer.Option("--api-url", help="Override the API base URL.")] = None,
    token_url: Annotated[
        str | None, typer.Option("--token-url", help="Override the OAuth2 token URL.")
    ] = None,
    secrets_stdin: Annotated[
        bool,
        typer.Option(
            "--secrets-stdin",
            help="Read two lines from stdin: the PISTE client secret, then the technical account password.",
        ),
    ] = False,
) -> None:
    from fpcli.profiles.manage import set_chorus

    values: dict[str, str] = {}
    if secrets_stdin:
        pair = stdin_secrets("--secrets-stdin", "the PISTE client secret", "the technical account password")
        values = {"client_secret": pair[0], "technical_password": pair[1]}
    settings = {
        "sandbox": sandbox,
        "client_id": client_id,
        "technical_login": login,
        "api_url": api_url,
        "token_url": token_url,
    }
    saved = set_chorus(terminal_of(ctx).user_profile, settings, values)
    kept = f" (secrets kept in {saved.secrets_in})" if saved.secrets_in else ""
    terminal_of(ctx).done(
        f"profile {saved.name}: Chorus Pro settings updated{kept}",
        {"profile": saved.name, "secrets_kept_in": saved.secrets_in},
    )


@app.command(
    "submit", help="Deposit invoices (Factur-X PDF, CII, UBL); never the same bytes twice by accident."
)
def submit_cmd(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="Invoice files or directories (*.xml, *.pdf).")],
    force: Annotated[
        bool, typer.Option("--force", help="Deposit bytes the journal says were deposited.")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Poll the deposit report until integrated or rejected.")
    ] = False,
    wait_timeout: Annotated[
        float, typer.Option("--wait-timeout", help="Seconds to wait per deposit.")
    ] = 600.0,
    no_check: NoCheckOpt = False,
    recursive: RecursiveOpt = False,
    json_: JsonOpt = False,
) -> None:
    from fpcli.cli.render import progress
    from fpcli.fileio import expand_paths
    from fpcli.remote.chorus_submit import deposit_files

    term = terminal_of(ctx)
    files = expand_paths(files, (".xml", ".pdf"), recursive=recursive)
    with progress(term, len(files), "depositing") as advance, _client(ctx) as client:
        batch = deposit_files(
            client,
            files,
            force=force,
            wait=wait,
            wait_timeout=wait_timeout,
            on_done=advance,
            check=not no_check,
        )
    render_batch(term, batch, as_json=json_ or term.json, noun="flux", verb="deposited")
    raise typer.Exit(batch.exit_code)


@app.command("status", help="The deposit report (compte rendu) of a deposited flux.")
def status_cmd(
    ctx: typer.Context, flux: Annotated[str, typer.Argument(help="numeroFluxDepot.")], json_: JsonOpt = False
) -> None:
    from fpcli.remote.chorus_submit import summary

    term = terminal_of(ctx)
    with _client(ctx) as client:
        report = client.deposit_report(flux)
    if json_ or term.json:
        term.data_json({"schema_version": 1, **report})
        return
    echo_text(summary(report))
    for e in report.get("listeErreurs") or []:
        echo_text(f"  {e.get('codeErreur')}: {e.get('libelleErreur')}")


@app.command(
    "structure", help="A public structure by SIRET: service code / engagement requirements, services."
)
def structure_cmd(
    ctx: typer.Context,
    siret: Annotated[str, typer.Argument(help="SIRET of the public buyer.")],
    json_: JsonOpt = False,
) -> None:
    term = terminal_of(ctx)
    with _client(ctx) as client:
        info = client.structure(siret)
    if json_ or term.json:
        term.data_json(info)
        return
    echo_text(f"{info['siret']}  {info['name']}  (Chorus Pro id {info['id']})")
    echo_text(f"  service code required: {'yes' if info['service_code_required'] else 'no'}")
    echo_text(f"  engagement number required: {'yes' if info['engagement_required'] else 'no'}")
    for s in info["services"]:
        echo_text(f"  service {s['code']}\t{s['name']}")


@invoices_app.command("search", help="Search the supplier's invoices on Chorus Pro.")
def search_cmd(
    ctx: typer.Context,
    number: Annotated[str | None, typer.Option("--number", help="Invoice number.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Chorus Pro status (e.g. MISE_A_DISPOSITION).")
    ] = None,
    since: Annotated[str | None, typer.Option("--from", help="Deposit date from (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Deposit date to (YYYY-MM-DD).")] = None,
    page: Annotated[int, typer.Option("--page", min=1, help="Result page.")] = 1,
    json_: JsonOpt = False,
) -> None:
    term = terminal_of(ctx)
    criteria: dict[str, Any] = {}
    for key, value in (
        ("numeroFacture", number),
        ("statut", status),
        ("periodeDateHeureEtatCourantDu", since),
        ("periodeDateHeureEtatCourantAu", until),
    ):
        if value:
            criteria[key] = value
    with _client(ctx) as client:
        found = client.search_invoices(criteria, page=page)
    if json_ or term.json:
        term.data_json({"schema_version": 1, **found})
        return
    for inv in found.get("listeFactures") or []:
        cells = [inv.get(k) for k in ("idFacture", "numeroFacture", "dateFacture", "statut", "montantTTC")]
        echo_text("\t".join("-" if c is None else str(c) for c in cells))
    pages = (found.get("parametresRetour") or {}).get("pages")
    if pages and pages > page:
        term.info(f"page {page} of {pages}: `--page {page + 1}` for more")


@invoices_app.command("get", help="An invoice's details and status, or (`-o`) its PDF.")
def get_cmd(
    ctx: typer.Context,
    invoice_id: Annotated[int, typer.Argument(help="Chorus Pro idFacture.")],
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Download the PDF here (`-` for stdout).")
    ] = None,
    force: ForceOpt = False,
    json_: JsonOpt = False,
) -> None:
    from fpcli.fileio import write_output

    term = terminal_of(ctx)
    with _client(ctx) as client:
        if output:
            data = client.download(invoice_id)
            write_output(output, data, force=force)
            term.info(f"invoice {invoice_id}: {len(data)} bytes written to {output}")
            return
        details = client.invoice(invoice_id)
    if json_ or term.json:
        term.data_json({"schema_version": 1, **details})
        return
    for key in ("numeroFacture", "dateFacture", "statut", "montantHT", "montantTTC", "destinataire"):
        if key in details:
            echo_text(f"{key}: {details[key]}")
