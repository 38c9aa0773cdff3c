"""The UBL reader: every valid UBL invoice and credit note of the corpus reads into the model, and the
EN 16931-3-2 binding puts each business term where the CII reader puts it."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from fpcli.errors import InputError
from fpcli.ubl.reader import read_ubl
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"


def _ubl(expected: str) -> list[str]:
    with (CORPUS / "MANIFEST.csv").open() as fh:
        return [
            r["file"]
            for r in csv.DictReader(fh)
            if r["kind"] == "ubl" and r["expected"] == expected and not r["file"].startswith("cen-tests")
        ]


@pytest.mark.slow
@pytest.mark.parametrize("name", _ubl("valid"))
def test_every_valid_corpus_ubl_reads(name: str) -> None:
    doc = read_ubl((CORPUS / name).read_bytes(), name)
    inv = doc.invoice
    assert inv.number and inv.seller.name and inv.buyer.name
    assert inv.totals is not None
    # What the reader leaves out it says, with the XPath and the line.
    assert all(" line " in w for w in doc.warnings)


def test_max_content_terms() -> None:
    name = "ubl/cen-testfiles__Invoice-Max_content.xml"
    doc = read_ubl((CORPUS / name).read_bytes(), name)
    inv = doc.invoice
    assert (inv.number, str(inv.issue_date), inv.currency, inv.tax_currency) == (
        "2018210",
        "2018-02-08",
        "SEK",
        "EUR",
    )
    assert inv.seller.vat_id == "SE123456789001"
    assert inv.seller.legal_id is not None and inv.seller.legal_id.id == "1234567890"
    assert inv.seller.address is not None and inv.seller.address.country == "SE"
    assert inv.buyer.electronic_address is not None and inv.buyer.electronic_address.scheme == "0007"
    assert inv.payment is not None and inv.payment.means_code == "30"
    assert inv.payment.credit_transfers[0].iban
    assert inv.totals is not None and inv.totals.tax_total_accounting is not None
    assert inv.delivery is not None and inv.delivery.party_name == "Deliver-to Name A.S."
    assert [p.number for p in inv.preceding_invoices] == ["Preceding invoice no.1", "Preceding invoice no.2"]
    line = inv.lines[0]
    assert (line.quantity, line.unit, line.unit_price) == (Decimal(500), "MTR", Decimal("20.00"))
    assert line.gross_price == Decimal("20.50") and line.price_discount == Decimal("0.50")
    assert {a.name for a in line.attributes} >= {"Surface grade"}


def test_credit_note_with_negative_line_reads_as_written() -> None:
    # EN 16931 lets a received credit note carry a negative line; fpcli's own input convention does not apply.
    name = "ubl/cen-testfiles__BIS_Billing_30-Kreditering_med_kreditnota.xml"
    inv = read_ubl((CORPUS / name).read_bytes(), name).invoice
    assert inv.type_code == "381"
    assert any(line.quantity < 0 for line in inv.lines)


def test_extended_group_lines_are_reported_not_dropped() -> None:
    name = "ubl/xpz12014__UC10_F202600004_MULTI-VENDEUR_UBL_Commentee_EXTENDED.xml"
    doc = read_ubl((CORPUS / name).read_bytes(), name)
    assert any("GROUP sub-line" in w and "line 177" in w for w in doc.warnings)


def test_not_ubl_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"x\.xml: line 1: not a UBL invoice: root element is `Order`"):
        read_ubl(b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>", "x.xml")
