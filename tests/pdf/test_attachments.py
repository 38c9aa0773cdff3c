"""Which embedded XML is the invoice, and how many files a PDF embeds, when writers do unusual things."""

from __future__ import annotations

import io

import pikepdf
import pytest

from fpcli.pdf.attachments import _candidates, extract_xml
from fpcli.validation.checks import ValidateOptions, validate_bytes
from tests.cli.helpers import run
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def facturx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("att") / "inv.pdf"
    assert run(CliRunner(), "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(out)).exit_code == 0
    return out.read_bytes()


def _save(pdf: pikepdf.Pdf) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_xmp_names_the_invoice_among_several(facturx: bytes) -> None:
    pdf = pikepdf.open(io.BytesIO(facturx))
    other = b"<?xml version='1.0'?><rsm:CrossIndustryInvoice xmlns:rsm='urn:x'/>"
    pdf.attachments["zugferd-invoice.xml"] = pikepdf.AttachedFileSpec(pdf, other, mime_type="text/xml")
    meta = pdf.Root.Metadata
    meta.write(meta.read_bytes().replace(b"factur-x.xml", b"zugferd-invoice.xml"))
    found = extract_xml(_save(pdf), "two.pdf")
    # factur-x.xml comes first in the name tree; the XMP says the invoice is the other one
    assert (found.filename, found.data) == ("zugferd-invoice.xml", other)


def test_without_xmp_name_the_known_name_wins(facturx: bytes) -> None:
    found = extract_xml(facturx, "inv.pdf")
    assert found.filename == "factur-x.xml" and found.data.startswith(b"<?xml")


def test_file_referenced_twice_counts_once(facturx: bytes) -> None:
    pdf = pikepdf.open(io.BytesIO(facturx))
    spec = pdf.Root.AF[0]
    # a direct copy of the same file specification in /AF, pointing at the same embedded stream
    pdf.Root.AF.append(pikepdf.Dictionary({k: spec[k] for k in spec}))
    data = _save(pdf)
    assert len(_candidates(pikepdf.open(io.BytesIO(data)), "x.pdf")) == 1
    report = validate_bytes(data, "twice.pdf", ValidateOptions(fr=False))
    assert "FX-PDF-03" not in {f.rule_id for f in report.findings}, [f.message for f in report.findings]
    assert report.valid
