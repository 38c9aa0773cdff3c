"""`fpcli send`: generate, sign, preflight and submit invoices in one command, each invoice on its own."""

from pathlib import Path
from typing import Annotated, Any

import typer

from fpcli.cli.options import JsonOpt, PaOpt
from fpcli.cli.runtime import terminal_of
from fpcli.cli.teach import complete_facturx_profiles

_TARGETS = ("pa", "chorus")


def send(
    ctx: typer.Context,
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Invoices: JSON/YAML input (simplified too), CII, UBL or Factur-X files, directories."
        ),
    ],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="pa|chorus",
            help="Send through the PA or Chorus Pro (Chorus Pro needs no PA: its own structure look-up).",
        ),
    ] = "pa",
    sign: Annotated[
        bool | None,
        typer.Option(
            "--sign/--no-sign", help="Sign PDFs (PAdES) with the profile's settings; default: when set."
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for each flow's first status (acknowledgement).")
    ] = False,
    wait_timeout: Annotated[float, typer.Option("--wait-timeout", help="Seconds to wait per flow.")] = 600.0,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Do everything but the upload.")] = False,
    outbox: Annotated[
        str, typer.Option("--outbox", metavar="DIR", help="Where the files sent are kept, one per invoice.")
    ] = "outbox",
    fx_profile: Annotated[
        str,
        typer.Option(
            "--fx-profile",
            metavar="PROFILE",
            autocompletion=complete_facturx_profiles,
            help="Factur-X profile for JSON/YAML input: en16931 (default), basic, extended, extended-ctc-fr…",
        ),
    ] = "en16931",
    simplified: Annotated[
        bool,
        typer.Option("--simplified", help="JSON/YAML input is the simplified form (companies looked up)."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an outbox file whose invoice changed after it was sent.")
    ] = False,
    pa: PaOpt = None,
    json_: JsonOpt = False,
) -> None:
    from fpcli.cii.profile import Profile
    from fpcli.errors import UsageError
    from fpcli.send import SendRequest

    term = terminal_of(ctx)
    if to not in _TARGETS:
        raise UsageError(f"`--to {to}`: unknown target", hint="one of pa, chorus")
    try:
        profile = Profile(fx_profile.lower())
    except ValueError:
        raise UsageError(
            f"unknown Factur-X profile `{fx_profile}`", hint=", ".join(p.value for p in Profile)
        ) from None
    from fpcli.cli.sign import profile_signer

    signer = (
        profile_signer(term, required=True)
        if sign
        else None
        if sign is False
        else profile_signer(term, False)
    )
    request = SendRequest(inputs, Path(outbox), profile, simplified, term.user_profile, dry_run, force)
    result = _run(ctx, request, to, pa, signer, wait, wait_timeout)
    _render(term, result, json_ or term.json)
    raise typer.Exit(result.exit_code)


def _run(
    ctx: typer.Context, request: Any, to: str, pa: str | None, signer: Any, wait: bool, timeout: float
) -> Any:
    from fpcli.preflight import Directory
    from fpcli.remote.pa import PASession
    from fpcli.remote.submit import SubmitOptions, submit_files
    from fpcli.send import send_invoices

    term = terminal_of(ctx)
    if to == "chorus":
        return _to_chorus(ctx, request, pa, signer, wait, timeout)
    with PASession.open(term.user_profile, pa) as session:
        return send_invoices(
            request,
            directory=Directory(session.directory.get),
            target=session.journal_target,
            sign=signer,
            submit=lambda paths, rule: submit_files(
                session, paths, SubmitOptions(rule, wait=wait, wait_timeout=timeout)
            ),
        )


def _to_chorus(
    ctx: typer.Context, request: Any, pa: str | None, signer: Any, wait: bool, timeout: float
) -> Any:
    """Through Chorus Pro: the PA's directory when a PA is set up (or `--pa`), else Chorus Pro's own
    structure look-up: a public-sector send needs only the Chorus Pro settings."""
    import contextlib

    from fpcli.cli.chorus import _client
    from fpcli.errors import UsageError
    from fpcli.preflight import ChorusStructures, Directory
    from fpcli.remote.chorus_submit import deposit_files
    from fpcli.remote.journal import destination
    from fpcli.remote.pa import PASession
    from fpcli.send import send_invoices

    term = terminal_of(ctx)
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(_client(ctx))
        directory: Directory
        try:
            session = stack.enter_context(PASession.open(term.user_profile, pa))
            directory = Directory(session.directory.get)
        except UsageError:
            if pa is not None:  # asked for by name: its problem is the user's to fix
                raise
            directory = ChorusStructures(client.structure, scope=client.target.api_url)
            term.info("no PA directory: public buyers are looked up in Chorus Pro's structures")
        return send_invoices(
            request,
            directory=directory,
            target=destination("chorus", client.target.api_url),
            sign=signer,
            submit=lambda paths, _rule: deposit_files(
                client, paths, force=False, wait=wait, wait_timeout=timeout
            ),
        )


def _render(term: Any, result: Any, as_json: bool) -> None:
    if as_json:
        term.data_json(result.to_dict())
        return
    for i in result.items:
        where = f" {i.flow_id}" if i.flow_id else ""
        ack = f" ({i.ack_status})" if i.ack_status else ""
        flow = f" [{i.flow}]" if i.flow else ""
        typer.echo(f"{i.status}{where}{ack}\t{i.invoice_number or '-'}\t{i.file or i.input}{flow}")
        for f in i.findings:
            typer.echo(f"  {f['severity']}: {f['code']}: {f['message']}")
        if i.error and not i.findings:
            typer.echo(f"  error: {i.error.splitlines()[0]}")
    summary = ", ".join(f"{n} {status}" for status, n in result.to_dict()["summary"].items())
    term.info(f"{summary or 'nothing to send'} ({result.target}{', dry run' if result.dry_run else ''})")
