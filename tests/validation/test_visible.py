"""`validate --visible`: the visible pages against the embedded XML (fpcli.validation.visible)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pikepdf
import pytest

from fpcli.cii.profile import Profile
from fpcli.cii.writer import to_cii
from fpcli.model.load import load_invoices
from fpcli.pdf.layout import render_invoice_pdf
from fpcli.pdf.pdfa3 import PdfMetadata, embed_xml
from fpcli.validation.checks import ValidateOptions, validate_bytes
from fpcli.validation.visible import amount_forms, date_forms
from tests.cli.helpers import run
from tests.conftest import EXAMPLES

DATE = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
META = PdfMetadata(title="Facture", author="Atelier", subject="Facture", date=DATE)
# Corpus Factur-X PDFs MANIFEST calls valid whose pages show another invoice than their XML (checked by hand).
INCONSISTENT = {
    "pdf/zfcorpus__MustangGnuaccountingBeispielRE-20201121_508_withBOM.pdf": "page shows RE-20190610/507",
    "pdf/zfcorpus__sample_inofficial_20190125_atgp_factur-x_v_1_0.pdf": "page shows RE-20190121/507",
    "pdf/zfcorpus__zugferd_2p1_BASIC-WL_Einfach.pdf": "page shows IBAN DE20…, the XML FR20…",
}


@pytest.fixture(scope="module")
def facturx() -> bytes:
    invoice = load_invoices((EXAMPLES / "invoice-services.yaml").read_bytes(), "x.yaml")[0]
    xml = to_cii(invoice, Profile.EN16931).xml
    return embed_xml(
        render_invoice_pdf(invoice, date=DATE), xml, profile=Profile.EN16931, metadata=META, source="x"
    )


def visible(data: bytes) -> dict[str, tuple[str, str]]:
    report = validate_bytes(data, "x.pdf", ValidateOptions(fr=False, visible=True))
    assert "visible" in report.layers
    return {f.rule_id: (f.severity, f.message) for f in report.findings if f.layer == "visible"}


def tampered(data: bytes, old: bytes, new: bytes) -> bytes:
    pdf = pikepdf.open(io.BytesIO(data))
    page = pdf.pages[0].obj
    content = page.Contents.read_bytes()
    assert old in content
    page.Contents = pdf.make_stream(content.replace(old, new))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_forms_of_amounts_and_dates() -> None:
    assert {"1 210,49", "1.210,49", "1,210.49", "1210.49", "1210,49"} <= set(amount_forms("1210.49"))
    assert {"20/11/2026", "20.11.2026", "2026-11-20", "20 novembre 2026", "November 20, 2026"} <= set(
        date_forms("20261120")
    )


def test_fpcli_pdf_shows_what_its_xml_says(facturx: bytes) -> None:
    assert visible(facturx) == {}


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        (b"717,58", b"717,85", "VISIBLE-BT-112"),  # total with VAT (and amount due): both printed lines
        (b"20/12/2026", b"21/12/2026", "VISIBLE-BT-9"),  # due date
        (b"20/11/2026", b"19/11/2026", "VISIBLE-BT-2"),  # issue date
        (b"437,93", b"473,93", "VISIBLE-BT-110"),  # VAT total (and VAT at 20 %)
    ],
)
def test_one_changed_value_is_found_with_its_bt(facturx: bytes, old: bytes, new: bytes, rule: str) -> None:
    found = visible(tampered(facturx, old, new))
    assert found[rule][0] == "error", found
    assert "does not appear on the visible pages" in found[rule][1]


def test_another_iban_on_the_page_is_an_error(facturx: bytes) -> None:
    found = visible(tampered(facturx, b"FR7630006000011234567890189", b"FR7610107001011234567890129"))
    severity, message = found["VISIBLE-BT-84"]
    assert severity == "error"
    assert "the pages show FR7610107001011234567890129, the XML FR7630006000011234567890189" in message


def test_image_only_pages_give_a_no_text_warning(facturx: bytes) -> None:
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=True)
    canvas.rect(50, 50, 300, 300, fill=1)  # a drawing, no text: what a scan gives
    canvas.save()
    source = pikepdf.open(io.BytesIO(facturx))
    xml = source.Root.AF[0].EF.F.read_bytes()
    scan = embed_xml(buf.getvalue(), xml, profile=Profile.EN16931, metadata=META, source="scan")
    assert list(visible(scan)) == ["VISIBLE-NO-TEXT"]
    assert visible(scan)["VISIBLE-NO-TEXT"][0] == "warning"


@pytest.mark.slow
def test_corpus_facturx_pdfs_are_consistent(shared: Path) -> None:
    rows = csv.DictReader((shared / "corpus" / "MANIFEST.csv").open(encoding="utf-8"))
    checked, inconsistent = 0, set()
    for r in rows:
        if not r["file"].startswith("pdf/") or r["expected"] != "valid":
            continue
        report = validate_bytes(
            (shared / "corpus" / r["file"]).read_bytes(), r["file"], ValidateOptions(fr=False, visible=True)
        )
        checked += 1
        if any(f.layer == "visible" and f.severity == "error" for f in report.findings):
            inconsistent.add(r["file"])
    assert checked >= 80
    assert inconsistent == set(INCONSISTENT)


def test_cli_visible_exit_codes(runner, facturx: bytes, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(facturx)
    bad.write_bytes(tampered(facturx, b"717,58", b"717,85"))
    assert run(runner, "validate", "--visible", "--no-fr", str(good)).exit_code == 0
    result = run(runner, "validate", "--visible", "--no-fr", str(bad))
    assert result.exit_code == 1
    assert "VISIBLE-BT-112" in result.stdout + result.stderr
