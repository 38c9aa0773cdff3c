"""`fpcli pdp`: the AFNOR XP Z12-013 client of a PA (Flow Service, Directory Service)."""

import os
from typing import Annotated, Any

import typer

from fpcli.cli.options import ForceOpt, JsonOpt, NoCheckOpt, PaOpt, RecursiveOpt
from fpcli.cli.render_submit import ack_detail, render_batch
from fpcli.cli.runtime import FpcliGroup, terminal_of
from fpcli.cli.teach import complete_processing_rules, complete_syntaxes
from fpcli.cli.terminal import echo_text

app = typer.Typer(
    cls=FpcliGroup,
    help="Talk to a PA (Plateforme Agréée) through the AFNOR XP Z12-013 API: submit and search flows, "
    "download them, look up the directory.",
    no_args_is_help=True,
)
flows_app = typer.Typer(
    cls=FpcliGroup, help="Search flows, read their status, download them.", no_args_is_help=True
)
directory_app = typer.Typer(
    cls=FpcliGroup,
    help="Directory Service look-ups: SIREN, SIRET, routing codes, directory (addressing) lines. Filters: "
    "`--where FIELD=VALUE` (strict), `FIELD~VALUE` (contains), `FIELD^VALUE` (starts with).",
    no_args_is_help=True,
)
webhook_app = typer.Typer(
    cls=FpcliGroup,
    help="Webhooks: create, list, delete them on the PA; verify their signatures.",
    no_args_is_help=True,
)
app.add_typer(flows_app, name="flows")
app.add_typer(directory_app, name="directory")
app.add_typer(webhook_app, name="webhook")


def _session(ctx: typer.Context, pa: str | None) -> Any:
    from fpcli.remote.pa import PASession

    return PASession.open(terminal_of(ctx).user_profile, pa)


def _files(paths: list[str], recursive: bool) -> list[str]:
    from fpcli.fileio import expand_paths

    return expand_paths(paths, (".xml", ".pdf"), recursive=recursive)


@app.command(
    "submit", help="Submit invoices, CDAR messages or e-reporting files as flows (never twice by accident)."
)
def submit_cmd(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="Files or directories (*.xml, *.pdf).")],
    pa: PaOpt = None,
    processing_rule: Annotated[
        str | None,
        typer.Option(
            "--processing-rule",
            autocompletion=complete_processing_rules,
            help="B2B, B2BInt, B2C, B2G, B2GInt, OutOfScope, …",
        ),
    ] = None,
    syntax: Annotated[
        str | None,
        typer.Option(
            "--syntax",
            autocompletion=complete_syntaxes,
            help="Override the detected flowSyntax: CII, UBL, Factur-X, CDAR, FRR.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Submit again bytes the journal says were submitted.")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Poll each flow until its acknowledgement is Ok or Error.")
    ] = False,
    wait_timeout: Annotated[float, typer.Option("--wait-timeout", help="Seconds to wait per flow.")] = 600.0,
    notify: Annotated[
        str | None,
        typer.Option(
            "--notify", help="POST an HMAC-signed JSON summary to this URL at the end (FPCLI_NOTIFY_SECRET)."
        ),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=16, help="Parallel uploads (threads).")] = 1,
    no_check: NoCheckOpt = False,
    recursive: RecursiveOpt = False,
    json_: JsonOpt = False,
) -> None:
    from fpcli.cli.render import progress
    from fpcli.errors import UsageError
    from fpcli.remote.flowinfo import PROCESSING_RULES, SYNTAXES
    from fpcli.remote.submit import SubmitOptions, lookup_wait, submit_files
    from fpcli.remote.webhooks import NOTIFY_SECRET_ENV

    term = terminal_of(ctx)
    if processing_rule and processing_rule not in PROCESSING_RULES:
        raise UsageError(
            f"unknown processing rule `{processing_rule}`", hint=f"one of {', '.join(PROCESSING_RULES)}"
        )
    if syntax and syntax not in SYNTAXES:
        raise UsageError(f"unknown syntax `{syntax}`", hint=f"one of {', '.join(SYNTAXES)}")
    paths = _files(files, recursive)
    options = SubmitOptions(
        processing_rule,
        syntax,
        force,
        wait,
        wait_timeout,
        notify,
        os.environ.get(NOTIFY_SECRET_ENV),
        jobs,
        check=not no_check,
        lookup_wait=lookup_wait(),
    )
    with _session(ctx, pa) as session, progress(term, len(paths), "submitting") as advance:
        batch = submit_files(session, paths, options, advance)
    render_batch(term, batch, as_json=json_ or term.json, noun="flow", verb="submitted")
    raise typer.Exit(batch.exit_code)


@app.command(
    "health",
    help="Ask the PA's Flow and Directory Services whether they are up (getHealth): exit 0 "
    "when every configured service answers, 4 otherwise.",
)
def health_cmd(ctx: typer.Context, pa: PaOpt = None, json_: JsonOpt = False) -> None:
    from fpcli.remote.pa import health

    term = terminal_of(ctx)
    with _session(ctx, pa) as session:
        answers = health(session)
    if json_ or term.json:
        term.data_json({"schema_version": 1, "services": [a.to_dict() for a in answers]})
    else:
        for a in answers:
            state = {True: "up", False: "DOWN", None: "skip"}[a.up]
            term.out.print(f"{state:4}  {a.service}: {a.url or '-'}" + ("" if a.up else f" ({a.detail})"))
    raise typer.Exit(4 if any(a.up is False for a in answers) else 0)


@app.command(
    "inbox",
    help="Fetch the invoices received since the last run: each checked, written with a readable view to a "
    "folder, optionally answered (`--ack 204`, `--refuse-invalid REASON`); never fetched or answered twice.",
)
def inbox_cmd(
    ctx: typer.Context,
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="DIR", help="Folder for the invoices.")
    ] = "inbox",
    ack: Annotated[
        str | None, typer.Option("--ack", metavar="STATUS", help="Answer each valid invoice: 204 or 205.")
    ] = None,
    refuse_invalid: Annotated[
        str | None,
        typer.Option(
            "--refuse-invalid", metavar="REASON", help="Answer each invalid invoice with 210 and this reason."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATETIME", help="First run: only flows updated after this."),
    ] = None,
    pa: PaOpt = None,
    json_: JsonOpt = False,
) -> None:
    from pathlib import Path

    from fpcli.remote.inbox import InboxRequest, InboxState, fetch_inbox, state_path
    from fpcli.remote.submit import SubmitOptions, submit_files

    term = terminal_of(ctx)
    request = InboxRequest(Path(output), ack, refuse_invalid, since)
    with _session(ctx, pa) as session:
        state = InboxState.load(state_path(session.target.profile, session.target.name))
        answer = None
        if ack or refuse_invalid:
            answer = lambda paths: submit_files(session, paths, SubmitOptions(syntax="CDAR"))  # noqa: E731
        result = fetch_inbox(session.flows, state, request, answer)
    if json_ or term.json:
        term.data_json(result.to_dict())
    else:
        for i in result.items:
            verdict = {True: "valid", False: f"INVALID ({i.errors} error(s))", None: "-"}[i.valid]
            sent = f", answered {i.answer} ({i.answer_flow_id})" if i.answer else ""
            typer.echo(f"{i.flow_id}\t{i.invoice_number or '-'}\t{verdict}{sent}\t{i.file or '-'}")
            if i.error:
                term.warn(f"{i.flow_id}: {i.error}")
    for flow_id in result.pending_answers:
        term.warn(f"{flow_id}: an earlier run was answering it when it stopped; check `fpcli pdp journal`")
    term.info(f"{len(result.items)} new, {result.skipped} already fetched")
    raise typer.Exit(result.exit_code)


@flows_app.command("search", help="Search flows (AND of the filters); `--all` follows the cursors.")
def search_cmd(
    ctx: typer.Context,
    pa: PaOpt = None,
    updated_after: Annotated[str | None, typer.Option("--updated-after", help="ISO 8601 date-time.")] = None,
    updated_before: Annotated[
        str | None, typer.Option("--updated-before", help="ISO 8601 date-time.")
    ] = None,
    flow_type: Annotated[
        list[str] | None, typer.Option("--flow-type", help="CustomerInvoice, SupplierInvoice, … (repeat).")
    ] = None,
    direction: Annotated[list[str] | None, typer.Option("--direction", help="In or Out (repeat).")] = None,
    processing_rule: Annotated[list[str] | None, typer.Option("--processing-rule", help="(repeat)")] = None,
    tracking_id: Annotated[
        str | None, typer.Option("--tracking-id", help="The trackingId sent at submission.")
    ] = None,
    ack_status: Annotated[str | None, typer.Option("--ack-status", help="Pending, Ok or Error.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, max=100, help="Results per page.")] = None,
    all_pages: Annotated[bool, typer.Option("--all", help="Follow nextCursor through every page.")] = False,
    json_: JsonOpt = False,
) -> None:
    from fpcli.errors import UsageError

    term = terminal_of(ctx)
    where: dict[str, Any] = {}
    for key, value in (
        ("updatedAfter", updated_after),
        ("updatedBefore", updated_before),
        ("flowType", flow_type),
        ("flowDirection", direction),
        ("processingRule", processing_rule),
        ("trackingId", tracking_id),
        ("ackStatus", ack_status),
    ):
        if value:
            where[key] = value
    if not where:
        raise UsageError(
            "a flow search needs at least one filter", hint="e.g. `--updated-after 2026-11-01T00:00:00Z`"
        )
    with _session(ctx, pa) as session:
        if all_pages:
            results = list(session.flows.search_all(where, limit=limit))
            page: dict[str, Any] = {"results": results}
        else:
            page = session.flows.search(where, limit=limit)
            results = page.get("results") or []
    if json_ or term.json:
        term.data_json({"schema_version": 1, **page})
        return
    for f in results:
        ack = (f.get("acknowledgement") or {}).get("status", "-")
        cells = [f.get("flowId"), f.get("flowType", "-"), f.get("flowDirection", "-"), ack]
        echo_text("\t".join(str(c) for c in [*cells, f.get("updatedAt", "-"), f.get("name", "")]))
    if page.get("nextCursor") and not all_pages:
        term.info("more results: rerun with `--all`")


@flows_app.command("get", help="A flow's metadata and acknowledgement, or (`-o`) its file.")
def get_cmd(
    ctx: typer.Context,
    flow_id: Annotated[str, typer.Argument(help="Flow id.")],
    pa: PaOpt = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Download the file here (`-` for stdout).")
    ] = None,
    doc_type: Annotated[
        str, typer.Option("--doc-type", help="Original, Converted or ReadableView (with -o).")
    ] = "Original",
    force: ForceOpt = False,
    json_: JsonOpt = False,
) -> None:
    from fpcli.fileio import write_output

    term = terminal_of(ctx)
    with _session(ctx, pa) as session:
        if output:
            download = session.flows.download(flow_id, doc_type)
            write_output(output, download.content, force=force)
            term.info(f"flow {flow_id}: {len(download.content)} bytes written to {output}")
            return
        meta = session.flows.metadata(flow_id)
    if json_ or term.json:
        term.data_json({"schema_version": 1, **meta})
        return
    ack = meta.get("acknowledgement") or {}
    kind = f"{meta.get('flowType', '-')} {meta.get('flowDirection', '-')}"
    echo_text(f"flow {meta.get('flowId')}: {kind}, acknowledgement {ack.get('status', '-')}")
    for d in ack.get("details") or []:
        echo_text(f"  {ack_detail(d)}")
    raise typer.Exit(1 if ack.get("status") == "Error" else 0)


@app.command(
    "journal",
    help="The local submission journal of `pdp submit` and `chorus submit` (what was submitted, where, its "
    "flow id); `--resolve ID` records your decision on an uncertain entry.",
)
def journal_cmd(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest entries to show.")] = 50,
    state: Annotated[
        str | None,
        typer.Option("--state", help="Only entries in this state: pending, submitted, failed, uncertain."),
    ] = None,
    resolve: Annotated[
        int | None,
        typer.Option("--resolve", help="Decide an uncertain entry (its ID): with `--flow-id` or `--absent`."),
    ] = None,
    flow_id: Annotated[
        str | None, typer.Option("--flow-id", help="With --resolve: it arrived, as this flow (or flux) id.")
    ] = None,
    absent: Annotated[
        bool, typer.Option("--absent", help="With --resolve: it did not arrive; the next submit sends it.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    from fpcli.errors import UsageError
    from fpcli.remote.journal import STATES, Journal

    term = terminal_of(ctx)
    if state is not None and state not in STATES:
        raise UsageError(f"unknown state `{state}`", hint=f"one of {', '.join(STATES)}")
    if resolve is not None and bool(flow_id) == absent:
        raise UsageError("`--resolve` needs exactly one of `--flow-id ID` and `--absent`")
    if resolve is None and (flow_id or absent):
        raise UsageError("`--flow-id` and `--absent` go with `--resolve ID`")
    with Journal() as journal:
        if resolve is not None:
            entry = journal.resolve(resolve, flow_id)
            term.info(f"journal entry {entry.id} ({entry.file}): {entry.state}, {entry.detail}")
            return
        entries = journal.entries(limit, state=state)
    if json_ or term.json:
        term.data_json(
            {"schema_version": 1, "journal": str(journal.path), "entries": [e.to_dict() for e in entries]}
        )
        return
    for e in entries:
        cells = [e.id, e.created_at, e.state, e.flow_id or "-", e.sha256[:12], e.file, e.target]
        echo_text("\t".join(str(c) for c in cells))
    if any(e.state == "uncertain" for e in entries):
        term.warn(
            "uncertain entries may or may not have arrived: check, then `--resolve ID --flow-id|--absent`"
        )


WhereOpt = Annotated[
    list[str] | None,
    typer.Option("--where", "-w", help="Filter FIELD=VALUE, FIELD~VALUE or FIELD^VALUE (repeat)."),
]
SortOpt = Annotated[list[str] | None, typer.Option("--sort", help="FIELD[:asc|:desc] (repeat).")]
FieldsOpt = Annotated[str | None, typer.Option("--fields", help="Comma-separated fields to return.")]
IncludeOpt = Annotated[
    str | None, typer.Option("--include", help="Related resources to include (comma-separated).")
]
LimitOpt = Annotated[int | None, typer.Option("--limit", min=1, help="Maximum results.")]
IgnoreOpt = Annotated[int | None, typer.Option("--ignore", min=0, help="Results to skip (offset).")]
DIRECTORY_COMMANDS = {
    # command: (resource, KEY argument help, help)
    "siren": (
        "siren",
        "SIREN (9 digits).",
        "Legal units: by SIREN, or search (businessName, entityType, …).",
    ),
    "siret": ("siret", "SIRET (14 digits).", "Facilities: by SIRET, or search (siren, name, postalCode, …)."),
    "routing-code": (
        "routing-code",
        "SIRET of the routing code (with CODE).",
        "Routing codes: SIRET and CODE, or search (routingIdentifier, routingCodeName, …).",
    ),
    "line": (
        "directory-line",
        "Addressing identifier.",
        "Directory lines (addressing): by addressing identifier, or search (siren, siret, …).",
    ),
}


def _directory_command(name: str, kind: str, key_help: str, help_text: str) -> None:
    def command(
        ctx: typer.Context,
        key: Annotated[str | None, typer.Argument(help=key_help, metavar="KEY")] = None,
        code: Annotated[
            str | None, typer.Argument(help="Routing identifier (routing-code only).", metavar="CODE")
        ] = None,
        where: WhereOpt = None,
        sort: SortOpt = None,
        fields: FieldsOpt = None,
        include: IncludeOpt = None,
        limit: LimitOpt = None,
        ignore: IgnoreOpt = None,
        pa: PaOpt = None,
        json_: JsonOpt = False,
    ) -> None:
        from fpcli.errors import UsageError
        from fpcli.remote.directory import DirectoryQuery, lookup

        if code is not None and kind != "routing-code":
            raise UsageError(f"`pdp directory {name}` takes one key, not `{code}`")
        term = terminal_of(ctx)
        split = [[v for v in (text or "").split(",") if v] for text in (fields, include)]
        query = DirectoryQuery(kind, key, code, where or [], sort or [], split[0], split[1], limit, ignore)
        with _session(ctx, pa) as session:
            answer = lookup(session.directory, query)
        if json_ or term.json:
            term.data_json(answer.to_dict())
            return
        from fpcli.cli.render_directory import render_directory

        render_directory(term, answer)

    directory_app.command(name, help=help_text)(command)


for _name, (_kind, _key_help, _help) in DIRECTORY_COMMANDS.items():
    _directory_command(_name, _kind, _key_help, _help)


@webhook_app.command(
    "verify", help="Check the Afnor-Signature of a webhook payload (exit 0 valid, 6 invalid)."
)
def webhook_verify_cmd(
    ctx: typer.Context,
    payload: Annotated[str, typer.Argument(help="The payload file exactly as received (`-` for stdin).")],
    signature: Annotated[str, typer.Option("--signature", help="Afnor-Signature header (base64).")],
    timestamp: Annotated[
        str, typer.Option("--timestamp", help="Afnor-Signature-Timestamp header (epoch s).")
    ],
    max_age: Annotated[
        float, typer.Option("--max-age", help="Refuse older timestamps (replays), seconds.")
    ] = 300.0,
    webhook_id: Annotated[
        str | None,
        typer.Option("--webhook-id", help="Use the signing key kept when fpcli created this webhook."),
    ] = None,
    pa: PaOpt = None,
    json_: JsonOpt = False,
) -> None:
    from fpcli.errors import UsageError
    from fpcli.fileio import read_input
    from fpcli.remote.webhooks import WEBHOOK_SECRET_ENV, verify, webhook_secret

    term = terminal_of(ctx)
    target = None
    if webhook_id and not os.environ.get(WEBHOOK_SECRET_ENV):
        from fpcli.profiles.resolve import resolve_pa

        target = resolve_pa(term.user_profile, pa)
    secret = webhook_secret(target, webhook_id)
    if not secret:
        raise UsageError(
            "no webhook signing key",
            hint=f"set {WEBHOOK_SECRET_ENV}, or give `--webhook-id` of a webhook fpcli created",
        )
    check = verify(read_input(payload), signature, timestamp, secret, max_age=max_age)
    if json_ or term.json:
        term.data_json(check.to_dict())
    else:
        term.out.print(f"signature valid ({check.reading}, {check.age_seconds:.0f} s old)")


@webhook_app.command(
    "create", help="Create a webhook on the PA; its signing key is kept in the secret store."
)
def webhook_create_cmd(
    ctx: typer.Context,
    callback_url: Annotated[str, typer.Argument(help="Where the PA posts events (https URL).")],
    flow_type: Annotated[
        list[str] | None, typer.Option("--flow-type", help="Only these flow types (repeat).")
    ] = None,
    direction: Annotated[str | None, typer.Option("--direction", help="In or Out.")] = None,
    ack_status: Annotated[str | None, typer.Option("--ack-status", help="Pending, Ok or Error.")] = None,
    print_key: Annotated[
        bool,
        typer.Option("--print-key", help="Also print the signing key on stdout (for the receiver's setup)."),
    ] = False,
    pa: PaOpt = None,
    json_: JsonOpt = False,
) -> None:
    from fpcli.remote.webhooks import create_webhook

    term = terminal_of(ctx)
    params: dict[str, Any] = {"callbackUrl": callback_url}
    for key, value in (("flowTypes", flow_type), ("flowDirection", direction), ("ackStatus", ack_status)):
        if value:
            params[key] = value
    with _session(ctx, pa) as session:
        created, kept = create_webhook(session, params)
    shown = {k: v for k, v in created.items() if k != "signingKey" or print_key}
    if json_ or term.json:
        term.data_json({"schema_version": 1, **shown})
    else:
        echo_text(str(created["webhookId"]))
        if print_key and created.get("signingKey"):
            echo_text(str(created["signingKey"]))
    where = f"kept in {kept}" if kept else "not kept (no profile): use --print-key"
    term.info(f"webhook {created['webhookId']} created; signing key {where}")


@webhook_app.command("list", help="The webhooks this account has on the PA (signing keys never shown).")
def webhook_list_cmd(ctx: typer.Context, pa: PaOpt = None, json_: JsonOpt = False) -> None:
    term = terminal_of(ctx)
    with _session(ctx, pa) as session:
        hooks = session.flows.list_webhooks()
    hooks = [{k: v for k, v in h.items() if k != "signingKey"} for h in hooks]
    if json_ or term.json:
        term.data_json({"schema_version": 1, "webhooks": hooks})
        return
    for h in hooks:
        types = ",".join(h.get("flowTypes") or []) or "*"
        echo_text(f"{h.get('webhookId')}\t{h.get('callbackUrl')}\t{types}")


@webhook_app.command("delete", help="Delete a webhook on the PA (and its kept signing key).")
def webhook_delete_cmd(
    ctx: typer.Context, webhook_id: Annotated[str, typer.Argument(help="Webhook id.")], pa: PaOpt = None
) -> None:
    from fpcli.remote.webhooks import delete_webhook

    with _session(ctx, pa) as session:
        delete_webhook(session, webhook_id)
    terminal_of(ctx).done(f"webhook {webhook_id} deleted", {"webhook_id": webhook_id, "deleted": True})
