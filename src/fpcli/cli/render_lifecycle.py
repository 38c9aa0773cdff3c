"""Rendering for `fpcli cdar` and `fpcli ereport`: summaries on stderr for people, JSON on stdout."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fpcli.cli.terminal import Terminal

if TYPE_CHECKING:
    from fpcli.ereporting.read import EreportDocument
    from fpcli.lifecycle.read import CdarMessage
    from fpcli.validation.findings import Report


def render_reports(
    term: Terminal, names: list[str], validate: Callable[[bytes, str], Report], json_out: bool
) -> int:
    """Validate each file, render like `fpcli validate`, and return the exit code."""
    from fpcli.cli.render_validate import render_batch
    from fpcli.errors import InputError
    from fpcli.fileio import STDIO, read_input
    from fpcli.validation.batch import BatchResult
    from fpcli.validation.findings import Finding
    from fpcli.validation.findings import Report as ReportClass

    result = BatchResult()
    for name in names:
        source = "<stdin>" if name == STDIO else name
        try:
            result.add(validate(read_input(name), source))
        except InputError as exc:
            report = ReportClass(source=source, unreadable=True)
            report.findings.append(Finding("READ", "error", exc.message, None, None, "wellformed", "fpcli"))
            result.add(report)
    render_batch(term, result, "json" if json_out or term.json else "text")
    return int(result.exit_code)


def show(term: Terminal, document: Any, as_json: bool, render: Callable[[Terminal, Any], None]) -> None:
    """A document read by `cdar read` / `ereport read`: JSON or a text summary, on stdout."""
    if as_json or term.json:
        term.data_json(document.to_dict())
    else:
        render(term, document)


def render_cdar(term: Terminal, message: CdarMessage) -> None:
    s = message.summary
    issuer = s["issuer"]
    term.out.print(f"{message.source}: message {s['id']} of {s['issued']} (phase {s['phase']})")
    term.out.print(
        f"  from {issuer['role']} {issuer['name'] or ''} to "
        + ", ".join(r["role"] or "?" for r in s["recipients"])
    )
    for ref in s["references"]:
        ppf = " — sent to the tax administration" if ref["to_tax_administration"] else ""
        term.out.print(
            f"  invoice {ref['invoice']} ({ref['invoice_type']}, {ref['invoice_date']}): "
            f"status {ref['status']} {ref['status_name'] or ''}{ppf}"
        )
        for d in ref["details"]:
            if d["reason"]:
                term.out.print(f"    reason {d['reason']}: {d['reason_text'] or ''}")
            if d["note"]:
                term.out.print(f"    note: {d['note']}")
            for a in d["amounts"]:
                rate = f" at {a['vat_rate']} %" if a["vat_rate"] else ""
                term.out.print(f"    {a['type']} {a['amount']} {a['currency'] or ''}{rate}")


def render_statuses(term: Terminal, *, as_json: bool) -> None:
    from fpcli.lifecycle.statuses import REASONS, STATUSES

    if as_json or term.json:
        term.data_json(
            {"schema_version": 1, "statuses": [s.to_dict() for s in STATUSES.values()], "reasons": REASONS}
        )
        return
    width = max(len(s.name) for s in STATUSES.values())
    term.out.print(f"code  {'name':{width}} phase         by  PPF  reason")
    for s in STATUSES.values():
        reason = "required" if s.reason_required else ("optional" if s.reasons else "")
        term.out.print(
            f"{s.code}   {s.name:{width}} {s.phase_name:13} {s.issuer_role}  "
            f"{'yes' if s.to_ppf else 'no ':3}  {reason}"
        )
    term.out.print(
        "PPF: the status must also be sent to the tax administration. `--json` lists the reason codes."
    )


def render_ereport(term: Terminal, document: EreportDocument) -> None:
    s = document.summary
    period = " – ".join(s.get("period") or [])
    term.out.print(
        f"{document.source}: transmission {s['id']} ({s['type']}) by SIREN {s['issuer']['siren']} "
        f"{s['issuer']['name'] or ''}, period {period}"
    )
    for flow, totals in s["flows"].items():
        by_currency = totals.get("by_currency") or {}
        plain = {k: v for k, v in totals.items() if k != "by_currency" and v is not None}
        line = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in plain.items())
        if len(by_currency) > 1:  # never one sum across currencies: one group per currency
            line += "; " + "; ".join(
                f"{cur}: " + ", ".join(f"{k} {v}" for k, v in sums.items())
                for cur, sums in by_currency.items()
            )
        term.out.print(f"  flow {flow}: {line}")
