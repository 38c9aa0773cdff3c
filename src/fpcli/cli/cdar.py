"""`fpcli cdar`: lifecycle messages (flux 6) — create, refuse, paid, read, validate, statuses."""

import datetime as dt
from typing import Annotated, Any

import typer

from fpcli.cli.options import ForceOpt, JsonOpt, check_json_vs_stdout
from fpcli.cli.runtime import FpcliGroup, terminal_of
from fpcli.cli.teach import complete_stages, complete_statuses

app = typer.Typer(
    cls=FpcliGroup,
    help="French invoice lifecycle messages (CDAR, flux 6): create, read and validate statuses 200 to 228.",
    no_args_is_help=True,
)

InvoiceOpt = Annotated[
    str, typer.Option("--invoice", "-i", help="The invoice the status is about: CII XML or Factur-X PDF.")
]
MessageOut = Annotated[str, typer.Option("--output", "-o", help="CDAR message to write (`-` for stdout).")]
ReasonTextOpt = Annotated[str | None, typer.Option("--reason-text", help="Reason in words (MDT-114).")]
NoteOpt = Annotated[
    str | None, typer.Option("--note", help="A note on the status (MDT-126), e.g. what was found.")
]
NoteSubjectOpt = Annotated[
    str | None,
    typer.Option("--note-subject", help="The note's subject (MDT-127, a UNTDID 4451 code such as AHN)."),
]
DateOpt = Annotated[
    dt.datetime | None,
    typer.Option("--date", formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], help="When the status happened."),
]
ReceivedOpt = Annotated[
    dt.datetime | None,
    typer.Option(
        "--received",
        formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
        help="When the reporter received the invoice (MDT-95): for the seller's side the date of status "
        "200 or 213, for the buyer's the date of 202 or 213.",
    ),
]
AmountOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--amount",
        help="Amount paid (211) or cashed (212), VAT included: `1200.00`, or `RATE=AMOUNT` per VAT rate "
        "(repeat). Default for 212: the invoice's total per rate.",
    ),
]
ForPpfOpt = Annotated[
    bool,
    typer.Option(
        "--for-ppf",
        help="The PPF's format (guideline einvoicingF2, the PPF as only recipient; needs --platform-id).",
    ),
]
PlatformOpt = Annotated[
    str | None,
    typer.Option("--platform-id", help="Number (scheme 0238) of the platform sending the message."),
]


def _create(
    ctx: typer.Context, invoice: str, output: str, force: bool, json_out: bool, **fields: Any
) -> None:
    from fpcli.fileio import read_input, write_output
    from fpcli.lifecycle.create import CreateRequest, Payment, create_message

    check_json_vs_stdout(json_out or terminal_of(ctx).json, output)
    fields["payments"] = tuple(Payment.parse(a) for a in fields.get("payments") or ())
    request = CreateRequest(**fields)
    result = create_message(read_input(invoice), invoice, request)
    write_output(output, result.xml, force=force)
    term = terminal_of(ctx)
    if json_out or term.json:
        term.data_json(
            {
                "schema_version": 1,
                "output": output,
                "invoice": result.invoice_number,
                "status": result.status.to_dict(),
                "recipients": result.recipients,
            }
        )
    term.info(
        f"wrote status {result.status.code} ({result.status.name}) for invoice {result.invoice_number} "
        f"to {', '.join(result.recipients)}" + ("" if output == "-" else f" → `{output}`")
    )


@app.command(
    "create", help="Create the lifecycle message of any status (200 to 228, see `statuses`) for an invoice."
)
def create_cmd(
    ctx: typer.Context,
    status: Annotated[
        str,
        typer.Option(
            "--status", "-s", autocompletion=complete_statuses, help="Status code, e.g. 204, 210, 212."
        ),
    ],
    invoice: InvoiceOpt,
    output: MessageOut,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Reason code (MDT-113), e.g. TX_TVA_ERR.")
    ] = None,
    reason_text: ReasonTextOpt = None,
    note: NoteOpt = None,
    note_subject: NoteSubjectOpt = None,
    action: Annotated[
        str | None,
        typer.Option("--action", help="Requested action (MDT-121): NOA, PIN, NIN, CNF, CNP, CNA, OTH."),
    ] = None,
    action_text: Annotated[
        str | None,
        typer.Option(
            "--action-text", help="That action in words (MDT-122), e.g. `Créer une Facture Rectificative`."
        ),
    ] = None,
    amount: AmountOpt = None,
    issuer_role: Annotated[
        str | None, typer.Option("--issuer-role", help="Who reports: BY, SE or WK (default: per status).")
    ] = None,
    issuer_id: Annotated[
        str | None,
        typer.Option("--issuer-id", help="SIREN of the reporting company, if the invoice lacks it."),
    ] = None,
    platform_id: PlatformOpt = None,
    platform_name: Annotated[
        str | None, typer.Option("--platform-name", help="Name of that platform.")
    ] = None,
    date: DateOpt = None,
    received: ReceivedOpt = None,
    rejected_at: Annotated[
        str | None,
        typer.Option(
            "--rejected-at",
            autocompletion=complete_stages,
            help="Status 213: `emission` (by the seller's platform: to the seller) or `reception` (by the "
            "buyer's platform: to the seller and the buyer).",
        ),
    ] = None,
    for_ppf: ForPpfOpt = False,
    force: ForceOpt = False,
    json_out: JsonOpt = False,
) -> None:
    _create(
        ctx, invoice, output, force, json_out, status=status, reason=reason, reason_text=reason_text,
        note=note, note_subject=note_subject, action=action, action_text=action_text, payments=amount,
        issuer_role=issuer_role, issuer_id=issuer_id, platform_id=platform_id, platform_name=platform_name,
        date=date, received=received, for_ppf=for_ppf, rejected_at=rejected_at,
    )  # fmt: skip


@app.command("refuse", help="Refuse an invoice (status 210, sent to the buyer's seller and the PPF).")
def refuse_cmd(
    ctx: typer.Context,
    invoice: InvoiceOpt,
    reason: Annotated[str, typer.Option("--reason", help="Refusal reason code (MDT-113), e.g. DOUBLON.")],
    output: MessageOut,
    reason_text: ReasonTextOpt = None,
    note: NoteOpt = None,
    note_subject: NoteSubjectOpt = None,
    platform_id: PlatformOpt = None,
    date: DateOpt = None,
    received: ReceivedOpt = None,
    for_ppf: ForPpfOpt = False,
    force: ForceOpt = False,
    json_out: JsonOpt = False,
) -> None:
    _create(
        ctx, invoice, output, force, json_out, status="210", reason=reason, reason_text=reason_text,
        note=note, note_subject=note_subject,
        platform_id=platform_id, date=date, received=received, for_ppf=for_ppf,
    )  # fmt: skip


@app.command(
    "paid",
    help="Report an invoice as cashed (status 212, sent to the buyer, and to the PPF when VAT is due on "
    "collection).",
)
def paid_cmd(
    ctx: typer.Context,
    invoice: InvoiceOpt,
    output: MessageOut,
    amount: AmountOpt = None,
    vat_on_collection: Annotated[
        bool | None,
        typer.Option(
            "--vat-on-collection/--vat-on-debit",
            help="VAT due on collection (the PPF is informed) or on invoicing/delivery (it is not); "
            "default: the invoice's BT-8 (72: on collection), else on collection.",
        ),
    ] = None,
    platform_id: PlatformOpt = None,
    date: DateOpt = None,
    received: ReceivedOpt = None,
    for_ppf: ForPpfOpt = False,
    force: ForceOpt = False,
    json_out: JsonOpt = False,
) -> None:
    _create(
        ctx,
        invoice,
        output,
        force,
        json_out,
        status="212",
        payments=amount,
        platform_id=platform_id,
        date=date,
        received=received,
        for_ppf=for_ppf,
        vat_on_collection=vat_on_collection,
    )


@app.command("read", help="Read a lifecycle message: its status, invoice, parties and amounts.")
def read_cmd(
    ctx: typer.Context,
    message: Annotated[str, typer.Argument(help="CDAR message (`-` for stdin).")],
    json_out: JsonOpt = False,
) -> None:
    from fpcli.cli.render_lifecycle import render_cdar, show
    from fpcli.fileio import read_input
    from fpcli.lifecycle.read import read_cdar

    show(terminal_of(ctx), read_cdar(read_input(message), message), json_out, render_cdar)


@app.command("validate", help="Validate lifecycle messages: CDAR D22B structure and the BR-FR-CDV rules.")
def validate_cmd(
    ctx: typer.Context,
    messages: Annotated[list[str], typer.Argument(help="CDAR messages (`-` for stdin).")],
    json_out: JsonOpt = False,
) -> None:
    from fpcli.cli.render_lifecycle import render_reports
    from fpcli.lifecycle.validate import validate_cdar

    raise typer.Exit(render_reports(terminal_of(ctx), messages, validate_cdar, json_out))


@app.command("statuses", help="List the lifecycle statuses: codes, names, phases, reasons, PPF obligation.")
def statuses_cmd(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    from fpcli.cli.render_lifecycle import render_statuses

    render_statuses(terminal_of(ctx), as_json=json_out)
