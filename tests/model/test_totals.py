"""Totals and VAT breakdown per EN 16931: rounding, allowances/charges, disagreement is an error."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from fpcli.model.load import invoices_from_data
from fpcli.model.totals import TotalsMismatch, compute
from tests.model.test_load import minimal


def invoice(**over: object):
    return invoices_from_data(minimal(**over), "t.json")[0]


def test_line_net_rounds_half_up_and_uses_base_quantity() -> None:
    inv = invoice(
        lines=[
            {"name": "a", "quantity": "3", "unit_price": "0.125", "vat_rate": "20"},  # 0.375 -> 0.38
            {"name": "b", "quantity": "250", "unit_price": "12.00", "base_quantity": "100", "vat_rate": "20"},
        ]
    )
    c = compute(inv)
    assert c.line_nets == [D("0.38"), D("30.00")]
    assert c.totals.line_total == D("30.38")


def test_vat_per_category_and_rate_with_document_allowance_and_charge() -> None:
    inv = invoice(
        lines=[
            {"name": "a", "quantity": "1", "unit_price": "100", "vat_rate": "20"},
            {"name": "b", "quantity": "1", "unit_price": "50", "vat_rate": "5.5"},
            {"name": "c", "quantity": "1", "unit_price": "10", "vat_category": "E", "vat_rate": "0"},
        ],
        allowances=[
            {
                "reason": "remise",
                "base_amount": "100",
                "percentage": "10",
                "vat_category": "S",
                "vat_rate": "20",
            }
        ],
        charges=[{"reason": "port", "amount": "5", "vat_category": "S", "vat_rate": "5.5"}],
        vat_exemptions=[{"category": "E", "reason": "Exonération", "code": "VATEX-FR-CGI261-4"}],
    )
    c = compute(inv)
    by = {(b.category, b.rate): b for b in c.vat_breakdown}
    assert by[("S", D(20))].taxable_amount == D("90.00") and by[("S", D(20))].tax_amount == D("18.00")
    assert by[("S", D("5.5"))].taxable_amount == D("55.00") and by[("S", D("5.5"))].tax_amount == D("3.03")
    assert by[("E", D(0))].tax_amount == D("0.00") and by[("E", D(0))].exemption_code == "VATEX-FR-CGI261-4"
    t = c.totals
    assert (t.line_total, t.allowance_total, t.charge_total) == (D("160.00"), D("10.00"), D("5.00"))
    assert (t.tax_exclusive, t.tax_total, t.tax_inclusive, t.due) == (
        D("155.00"),
        D("21.03"),
        D("176.03"),
        D("176.03"),
    )


def test_given_total_that_disagrees_is_an_error_not_replaced() -> None:
    inv = invoice(
        totals={"tax_exclusive": "10.00", "tax_inclusive": "12.50", "due": "12.50"},
    )
    with pytest.raises(TotalsMismatch) as info:
        compute(inv)
    assert info.value.problems == [
        "totals.tax_inclusive: given 12.50, computed 12.00",
        "totals.due: given 12.50, computed 12.00",
    ]


def test_given_total_that_agrees_is_accepted() -> None:
    inv = invoice(totals={"tax_exclusive": "10", "tax_inclusive": "12", "due": "12"})
    assert compute(inv).totals.due == D("12.00")


def test_prepaid_and_rounding() -> None:
    inv = invoice(prepaid_amount="5.00", rounding_amount="0.01")
    assert compute(inv).totals.due == D("7.01")


def test_exempt_category_needs_a_reason() -> None:
    inv = invoice(
        lines=[{"name": "x", "quantity": "1", "unit_price": "1", "vat_category": "E", "vat_rate": "0"}]
    )
    with pytest.raises(TotalsMismatch) as info:
        compute(inv)
    assert "BR-E-10" in info.value.problems[0]


def test_standard_rate_required() -> None:
    # input rules refuse it when read (tests/model/test_vat_rules.py); compute still guards invoices read
    # without them
    inv = invoices_from_data(
        minimal(lines=[{"name": "x", "quantity": "1", "unit_price": "1"}]), "t.json", check_identifiers=False
    )[0]
    with pytest.raises(TotalsMismatch) as info:
        compute(inv)
    assert info.value.problems == ["lines[0].vat_rate: required for VAT category S (BR-S-05)"]


def test_given_vat_breakdown_within_per_line_rounding_is_kept() -> None:
    lines = [{"name": str(i), "quantity": "1", "unit_price": "0.05", "vat_rate": "20"} for i in range(3)]
    # per-line VAT 0.01 × 3 = 0.03, per-category 0.15 × 20 % = 0.03; a given 0.04 is within 3 lines' rounding
    inv = invoice(
        lines=lines,
        vat_breakdown=[{"category": "S", "rate": "20", "taxable_amount": "0.15", "tax_amount": "0.04"}],
    )
    assert compute(inv).vat_breakdown[0].tax_amount == D("0.04")
    bad = invoice(
        lines=lines,
        vat_breakdown=[{"category": "S", "rate": "20", "taxable_amount": "0.15", "tax_amount": "0.10"}],
    )
    with pytest.raises(TotalsMismatch):
        compute(bad)


def test_minimum_invoice_without_lines_checks_its_own_totals() -> None:
    totals = {"tax_exclusive": "100", "tax_total": "20", "tax_inclusive": "120", "due": "119", "prepaid": "2"}
    with pytest.raises(TotalsMismatch) as info:
        compute(invoice(lines=[], totals=totals))
    assert info.value.problems == ["totals.due: given 119, computed 118.00"]


def test_minimum_without_paid_amount_may_owe_less_than_total() -> None:
    """MINIMUM cannot carry BT-113, so a due amount below the total cannot be checked."""
    inv = invoice(
        lines=[], totals={"tax_exclusive": "100", "tax_total": "20", "tax_inclusive": "120", "due": "90"}
    )
    assert compute(inv).totals.due == D("90")


def test_lenient_keeps_stated_line_net_and_warns() -> None:
    line = {
        "name": "x",
        "quantity": "3",
        "unit_price": "49",
        "base_quantity": "49",
        "net_amount": "147",
        "vat_rate": "20",
    }
    inv = invoice(lines=[line])
    with pytest.raises(TotalsMismatch):
        compute(inv)
    c = compute(inv, lenient=True)
    assert c.line_nets == [D("147.00")]
    assert c.warnings and "kept as stated" in c.warnings[0]
