"""Rendering validation results on stdout: a summary per file and findings by layer for people, JSON, JUnit
or SVRL for machines. Talk about the run (the batch count) goes to stderr."""

from __future__ import annotations

from fpcli.cli.terminal import Terminal
from fpcli.validation.batch import BatchResult
from fpcli.validation.findings import LAYERS, SCHEMA_VERSION, Report

_STYLE = {"valid": "green", "invalid": "red", "unreadable": "red"}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}


def _summary(r: Report) -> str:
    # --pdfa-only names the PDF/A part and level checked (PDFA-X-PART: "checked as PDF/A-2b …")
    part = next((f.message.split()[2] for f in r.findings if f.rule_id == "PDFA-X-PART"), None)
    container = part or (r.container.upper() if r.container == "pdf" else "")
    what = " ".join(x for x in (container, r.syntax or "", r.profile or "") if x)
    counts = f"{len(r.errors)} error(s), {len(r.warnings)} warning(s)"
    return f"{r.status.upper():10} {r.source}" + (f"  ({what}; {counts})" if what else f"  ({counts})")


def _report_text(term: Terminal, r: Report) -> None:
    term.out.print(_summary(r), style=_STYLE[r.status])
    if term.quiet:
        return
    shown = [f for f in r.findings if f.severity != "info" or term.verbosity > 0]
    for layer in LAYERS:
        items = [f for f in shown if f.layer == layer]
        if not items:
            continue
        term.out.print(f"  {layer}:")
        for f in items[: 50 if term.verbosity <= 0 else None]:
            where = f" line {f.line}" if f.line else ""
            rule = f"{f.rule_id} ({f.official_id})" if f.official_id else f.rule_id
            term.out.print(
                f"    {f.severity:7} {rule}{where}: {f.message}", style=_SEVERITY_STYLE[f.severity]
            )
        if term.verbosity <= 0 and len(items) > 50:
            term.out.print(f"    … {len(items) - 50} more (use -v)")
    if term.verbosity > 0:
        for rs in r.rule_sets:
            term.out.print(f"  rules: {rs.title} — {rs.version}", style="dim")


def _text_total(term: Terminal, result: BatchResult) -> None:
    if result.count > 1 or term.verbosity > 0:
        s = result.summary()
        term.info(
            f"{result.count} file(s): {s['valid']} valid, {s['invalid']} invalid, "
            f"{s['unreadable']} unreadable"
        )


def render_text(term: Terminal, result: BatchResult) -> None:
    for r in result.reports:
        _report_text(term, r)
    _text_total(term, result)


def render_batch(term: Terminal, result: BatchResult, fmt: str) -> None:
    if fmt == "json":
        term.data_json(result.to_dict())
    elif fmt == "junit":
        from fpcli.validation.formats import junit

        term.data_bytes(junit(result))
    elif fmt == "svrl":
        from fpcli.validation.formats import svrl

        term.data_bytes(svrl(result))
    else:
        render_text(term, result)
        return
    for r in result.reports:  # machine formats on stdout; one line per file on stderr for the log
        if not term.quiet:
            term.err.print(_summary(r), style=_STYLE[r.status])


class StreamedBatch:
    """Text and JSON reports written as each file's report comes (in input order), so that a batch keeps no
    report in memory: the same bytes as `render_batch` writes at the end. JSON is `Terminal.data_json`'s
    layout (indent 2), written piece by piece."""

    def __init__(self, term: Terminal, fmt: str) -> None:
        self.term, self.fmt, self.first = term, fmt, True

    def add(self, r: Report) -> None:
        if self.fmt == "text":
            _report_text(self.term, r)
            return
        import json

        item = json.dumps(r.to_dict(), ensure_ascii=False, indent=2, default=str).replace("\n", "\n    ")
        head = (
            f'{{\n  "schema_version": {SCHEMA_VERSION},\n  "command": "validate",\n  "files": [\n    '
            if self.first
            else ",\n    "
        )
        self.first = False
        self.term.data_text(head + item)
        if not self.term.quiet:
            self.term.err.print(_summary(r), style=_STYLE[r.status])

    def finish(self, result: BatchResult) -> None:
        if self.fmt == "text":
            _text_total(self.term, result)
            return
        if self.first:  # no report came
            self.term.data_json(result.to_dict())
            return
        import json

        summary = json.dumps(result.summary(), indent=2).replace("\n", "\n  ")
        self.term.data_text(f'\n  ],\n  "summary": {summary}\n}}\n')


def render_rules(term: Terminal, *, as_json: bool) -> None:
    from fpcli.validation.rulesets import ALL, rule_count

    rows = [
        {
            "id": rs.id,
            "title": rs.title,
            "kind": rs.kind,
            "version": rs.version,
            "rules": rule_count(rs.id),
            "file": rs.relative,
        }
        for rs in ALL.values()
    ]
    if as_json:
        term.data_json({"schema_version": SCHEMA_VERSION, "rule_sets": rows})
        return
    width = max(len(rs_id) for rs_id in ALL)
    lines = [
        f"{r['id']:{width}}  {r['kind']:10}  {r['rules']:>5}  {r['version']}  {r['title']}" for r in rows
    ]
    term.data_bytes(("\n".join(lines) + "\n").encode())
