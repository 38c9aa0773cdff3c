"""Creating messages from an invoice (errors before any output), and reading messages back without loss."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from fpcli.errors import InputError, UsageError
from fpcli.lifecycle.create import CreateRequest, Payment, create_message
from fpcli.lifecycle.read import read_cdar
from fpcli.lifecycle.shape import CDAR, NSMAP
from fpcli.xmlshape import from_data
from tests.lifecycle.conftest import SAMPLES, invoice_bytes


def _tree(e: Any) -> Any:
    kids = [_tree(c) for c in e if isinstance(c.tag, str)]
    return (e.tag, dict(e.attrib), None if kids else (e.text or ""), kids)


@pytest.mark.skipif(not SAMPLES, reason="../shared not found")
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_samples_read_back_without_loss(sample: Path) -> None:
    data = sample.read_bytes()
    message = read_cdar(data, sample.name)
    written = from_data(message.data, CDAR, NSMAP)
    assert _tree(written) == _tree(etree.fromstring(data.removeprefix(b"\xef\xbb\xbf")))
    ref = message.summary["references"][0]
    assert ref["invoice"].startswith("F2025") and ref["status"] in sample.name


@pytest.mark.skipif(not SAMPLES, reason="../shared not found")
def test_read_summary_of_a_dispute() -> None:
    sample = next(p for p in SAMPLES if "UC4" in p.name)
    s = read_cdar(sample.read_bytes(), sample.name).summary
    assert s["issuer"]["role"] == "BY" and s["recipients"][0]["address"] == "100000009_STATUTS"
    assert s["references"][0]["details"][0]["reason"] == "TX_TVA_ERR"
    assert s["references"][0]["status_name"] == "En litige"


def test_paid_amounts_per_rate_and_summary() -> None:
    request = CreateRequest("212", payments=(Payment(Decimal("1000.00"), Decimal(20)), Payment.parse("0=90")))
    result = create_message(invoice_bytes(), "inv.xml", request)
    assert result.recipients == ["BY", "DFH"] and result.report.valid
    amounts = read_cdar(result.xml, "m.xml").summary["references"][0]["details"][0]["amounts"]
    assert [(a["amount"], a["vat_rate"]) for a in amounts] == [("1000.00", "20.00"), ("90.00", "0.00")]


def test_paid_by_default_is_the_invoice_total_per_rate() -> None:
    result = create_message(invoice_bytes(), "inv.xml", CreateRequest("212"))
    amounts = read_cdar(result.xml, "m.xml").summary["references"][0]["details"][0]["amounts"]
    assert sum(Decimal(a["amount"]) for a in amounts) == Decimal("2717.58")


@pytest.mark.parametrize(
    ("request_", "error", "text"),
    [
        (CreateRequest("299"), UsageError, "unknown lifecycle status `299`"),
        (CreateRequest("210"), UsageError, "status 210 (Refusée) needs a reason"),
        (CreateRequest("210", reason="PU_ERR"), UsageError, "not allowed for status 210"),
        (CreateRequest("210", reason="NOPE"), UsageError, "unknown reason code"),
        (
            CreateRequest("205", payments=(Payment(Decimal(1)),)),
            UsageError,
            "applies to statuses 211 and 212",
        ),
        (CreateRequest("212", payments=(Payment(Decimal(5)),)), UsageError, "several VAT rates"),
        (
            CreateRequest("212", payments=(Payment(Decimal("9999"), Decimal(20)),)),
            InputError,
            "more than the invoice",
        ),
        (CreateRequest("212", payments=(Payment(Decimal("10"), Decimal(10)),)), InputError, "not a VAT rate"),
        (
            CreateRequest("212", payments=(Payment(Decimal("10.001"), Decimal(20)),)),
            UsageError,
            "more than 2 decimals",
        ),
    ],
)
def test_bad_requests(request_: CreateRequest, error: type[Exception], text: str) -> None:
    with pytest.raises(error) as caught:
        create_message(invoice_bytes(), "inv.xml", request_)
    assert text in str(caught.value)


def test_bad_amount_text() -> None:
    with pytest.raises(UsageError, match="is not an amount"):
        Payment.parse("12,50")


def test_invoice_not_xml() -> None:
    with pytest.raises(InputError, match=r"inv\.xml"):
        create_message(b"not xml", "inv.xml", CreateRequest("205"))


def test_read_refuses_a_broken_structure() -> None:
    data = create_message(invoice_bytes(), "inv.xml", CreateRequest("205")).xml
    broken = data.replace(b"<ram:TypeCode>23</ram:TypeCode>", b"<ram:Foo>23</ram:Foo>")
    with pytest.raises(
        InputError, match=r"m.xml: line \d+: not a valid CDAR document: unexpected element `Foo`"
    ):
        read_cdar(broken, "m.xml")
