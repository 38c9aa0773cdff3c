"""`fpcli ereport`: e-reporting transmissions (flux 10) — build from CSV/JSON, read, validate, columns."""

import datetime as dt
from typing import Annotated

import typer

from fpcli.cli.options import ForceOpt, JsonOpt, check_json_vs_stdout
from fpcli.cli.runtime import FpcliGroup, terminal_of
from fpcli.cli.teach import complete_flows

app = typer.Typer(
    cls=FpcliGroup,
    help="E-reporting to the tax administration (flux 10): build reports 10.1 to 10.4, read, validate.",
    no_args_is_help=True,
)

_DATE_FORMATS = ["%Y-%m-%d", "%Y%m%d"]
FlowOpt = Annotated[
    str,
    typer.Option(
        "--flow",
        autocompletion=complete_flows,
        help="10.1 invoices, 10.2 payments, 10.3 B2C days, 10.4 payment days.",
    ),
]


@app.command(
    "build", help="Build a flux 10 report from a CSV or JSON file (columns: `fpcli ereport columns`)."
)
def build_cmd(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="CSV or JSON rows (`-` for stdin).")],
    flow: FlowOpt,
    output: Annotated[str, typer.Option("--output", "-o", help="Report XML to write (`-` for stdout).")],
    issuer_siren: Annotated[str, typer.Option("--issuer-siren", help="SIREN of the declaring company.")],
    issuer_name: Annotated[str, typer.Option("--issuer-name", help="Name of the declaring company.")],
    sender_id: Annotated[
        str, typer.Option("--sender-id", help="Sender: the platform's number (scheme 0238).")
    ],
    start: Annotated[
        dt.datetime, typer.Option("--start", formats=_DATE_FORMATS, help="First day of the period.")
    ],
    end: Annotated[dt.datetime, typer.Option("--end", formats=_DATE_FORMATS, help="Last day of the period.")],
    issuer_role: Annotated[str, typer.Option("--issuer-role", help="SE (sales) or BY (purchases).")] = "SE",
    sender_name: Annotated[str | None, typer.Option("--sender-name", help="Sender's name.")] = None,
    sender_scheme: Annotated[str, typer.Option("--sender-scheme", help="Scheme of --sender-id.")] = "0238",
    sender_role: Annotated[str, typer.Option("--sender-role", help="Sender's role (WK: platform).")] = "WK",
    type_code: Annotated[str, typer.Option("--type", help="IN (initial) or RE (corrective).")] = "IN",
    transmission_id: Annotated[
        str | None, typer.Option("--id", help="Transmission id (default: generated).")
    ] = None,
    force: ForceOpt = False,
    json_out: JsonOpt = False,
) -> None:
    from fpcli.ereporting.build import Header, build_report
    from fpcli.fileio import read_input, write_output

    check_json_vs_stdout(json_out or terminal_of(ctx).json, output)
    header = Header(
        issuer_siren, issuer_name, sender_id, start.date(), end.date(), sender_name, sender_scheme,
        sender_role,
        issuer_role, type_code.upper(), transmission_id,
    )  # fmt: skip
    result = build_report(read_input(source), source, flow, header)
    write_output(output, result.xml, force=force)
    term = terminal_of(ctx)
    if json_out or term.json:
        term.data_json(
            {
                "schema_version": 1,
                "output": output,
                "flow": flow,
                "rows": result.rows,
                "groups": result.groups,
            }
        )
    for warning in result.report.warnings:
        term.warn(f"{warning.rule_id}: {warning.message}")
    term.info(
        f"flux {flow}: {result.rows} row(s) → {result.groups} group(s)"
        + ("" if output == "-" else f" → `{output}`")
    )


@app.command("read", help="Read a flux 10 report: header, flows and totals.")
def read_cmd(
    ctx: typer.Context,
    report: Annotated[str, typer.Argument(help="Report XML (`-` for stdin).")],
    json_out: JsonOpt = False,
) -> None:
    from fpcli.cli.render_lifecycle import render_ereport, show
    from fpcli.ereporting.read import read_report
    from fpcli.fileio import read_input

    show(terminal_of(ctx), read_report(read_input(report), report), json_out, render_ereport)


@app.command("validate", help="Validate flux 10 reports: e-reporting XSD structure and the flux 10 rules.")
def validate_cmd(
    ctx: typer.Context,
    reports: Annotated[list[str], typer.Argument(help="Report XML files (`-` for stdin).")],
    json_out: JsonOpt = False,
) -> None:
    from fpcli.cli.render_lifecycle import render_reports
    from fpcli.ereporting.validate import validate_report

    raise typer.Exit(render_reports(terminal_of(ctx), reports, validate_report, json_out))


@app.command("columns", help="List the input columns of a flow (see docs/ereport-csv.md).")
def columns_cmd(ctx: typer.Context, flow: FlowOpt, json_out: JsonOpt = False) -> None:
    from fpcli.ereporting.rows import COLUMNS, column_docs
    from fpcli.errors import UsageError

    if flow not in COLUMNS:
        raise UsageError(f"unknown flow `{flow}`", hint="use 10.1, 10.2, 10.3 or 10.4")
    term = terminal_of(ctx)
    if json_out or term.json:
        term.data_json({"schema_version": 1, "flow": flow, "columns": column_docs(flow)})
        return
    for c in column_docs(flow):
        term.out.print(f"{c['name']:24} {'required' if c['required'] else 'optional':9} {c['doc']}")
