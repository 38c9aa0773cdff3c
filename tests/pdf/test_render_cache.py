"""Font subsets kept between invoices (issue 18): an invoice renders to the same bytes whatever was rendered
before it in the process, and the cached subsets carry the characters each invoice prints."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys

import pikepdf

from fpcli.model.invoice import Invoice
from fpcli.model.load import load_invoices
from fpcli.pdf.layout import render_invoice_pdf
from tests.conftest import EXAMPLES

DATE = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
RENDER_ONE = (
    "import sys, datetime as dt\n"
    "from fpcli.model.load import load_invoices\n"
    "from fpcli.pdf.layout import render_invoice_pdf\n"
    "inv = load_invoices(open(sys.argv[1], 'rb').read(), sys.argv[1])[0]\n"
    "sys.stdout.buffer.write(render_invoice_pdf(inv, date=dt.datetime(2026, 11, 25, tzinfo=dt.UTC)))\n"
)


def _example(name: str) -> Invoice:
    path = EXAMPLES / name
    return load_invoices(path.read_bytes(), str(path))[0]


def _font_programs(pdf: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return sorted(
            bytes(font.FontDescriptor.FontFile2.read_bytes())
            for page in doc.pages
            for font in page.Resources.Font.values()
            if "/FontDescriptor" in font
        )


def test_same_bytes_after_other_invoices() -> None:
    goods, services = _example("invoice-goods.json"), _example("invoice-services.yaml")
    cold = subprocess.run(
        [sys.executable, "-c", RENDER_ONE, str(EXAMPLES / "invoice-goods.json")],
        capture_output=True,
        check=True,
    ).stdout
    render_invoice_pdf(services, date=DATE)  # fills the subset cache with other characters
    warm = render_invoice_pdf(goods, date=DATE)
    again = render_invoice_pdf(goods, date=DATE)  # served from the cache
    assert cold.startswith(b"%PDF-")
    assert warm == cold
    assert again == cold


def test_each_invoice_gets_its_own_subset() -> None:
    goods, services = _example("invoice-goods.json"), _example("invoice-services.yaml")
    a = _font_programs(render_invoice_pdf(goods, date=DATE))
    b = _font_programs(render_invoice_pdf(services, date=DATE))
    assert len(a) == len(b) == 2  # regular and bold, embedded
    assert a != b  # different characters printed, different subsets
    assert all(program.startswith(b"\x00\x01\x00\x00") for program in a + b)  # TrueType programs, inflated


def test_reportlab_runs_its_c_accelerator() -> None:
    """rl-accel is a dependency: reportlab's number formatting comes from the C module, not its fallback."""
    from reportlab.lib import rl_accel

    assert rl_accel.fp_str.__module__ == "_rl_accel"
