"""Every valid file of the corpus renders: read, validated, placed and escaped without an error."""

from __future__ import annotations

import csv

import pytest

from fpcli.view.load import load
from fpcli.view.render import render_html
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"


def _valid() -> list[str]:
    with (CORPUS / "MANIFEST.csv").open() as fh:
        return [
            r["file"]
            for r in csv.DictReader(fh)
            if r["expected"] == "valid"
            and r["kind"] in ("cii", "ubl", "pdf")
            and not r["file"].startswith("pdfa")
        ]


@pytest.mark.slow
@pytest.mark.parametrize("name", _valid())
def test_valid_corpus_file_renders(name: str) -> None:
    doc = load(str(CORPUS / name))
    assert doc.kind != "error", doc.error
    # ZUGFeRD 1.0 predates EN 16931: shown as it is written, the rest through the invoice model
    assert doc.kind == ("outline" if doc.syntax == "ZUGFeRD 1.0" else "invoice"), doc.warnings[:1]
    assert doc.report is not None
    html = render_html([doc]).html
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    if doc.invoice is not None:
        assert doc.invoice.number.replace("&", "&amp;").replace("<", "&lt;") in html
    # every finding of the report is on the page, wherever it was placed
    for finding in doc.report.findings:
        assert f"<code>{finding.rule_id}</code>" in html
