"""VAT that is always right: category rules at input, document allowances/charges with category and rate,
percentage discounts split per VAT rate, and totals that satisfy EN 16931 for random invoices (hypothesis)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fpcli.errors import InvoiceDataError
from fpcli.model.load import load_invoices
from fpcli.model.totals import compute
from tests.model.test_load import load_json, minimal


def r2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), "ROUND_HALF_UP")


def line(rate: str | None, price: str = "100", category: str = "S", qty: str = "1") -> dict[str, object]:
    out: dict[str, object] = {"name": "x", "quantity": qty, "unit_price": price, "vat_category": category}
    if rate is not None:
        out["vat_rate"] = rate
    return out


def problems(**over: object) -> list[str]:
    with pytest.raises(InvoiceDataError) as info:
        load_json(minimal(**over))
    return info.value.problems


@pytest.mark.parametrize(
    ("ln", "expected"),
    [
        (line(None), "lines[0].vat_rate: VAT category S needs its rate (BR-S-05)"),
        (line("0"), "lines[0].vat_rate: VAT category S needs a rate above 0 (BR-S-05)"),
        (line("20", category="Z"), "lines[0].vat_rate: VAT category Z has rate 0 (BR-Z-05)"),
        (line("5.5", category="K"), "lines[0].vat_rate: VAT category K has rate 0 (BR-IC-05)"),
        (line("20", category="O"), "lines[0].vat_rate: VAT category O (not subject to VAT) has no rate"),
        (line(None, category="L"), "lines[0].vat_rate: VAT category L needs its rate"),
    ],
)
def test_category_rate_rules(ln: dict[str, object], expected: str) -> None:
    assert any(p.startswith(expected) for p in problems(lines=[ln])), expected


def test_no_exemption_reason_for_taxed_categories() -> None:
    found = problems(vat_exemptions=[{"category": "Z", "reason": "Taux zéro"}])
    assert found == [
        "vat_exemptions[0].category: VAT category Z is taxed (at 0 %) and takes no exemption reason (BR-Z-10); "
        "remove this entry"
    ]


def test_document_allowance_needs_category_and_rate_with_a_way_out() -> None:
    lines = [line("20", "1000"), line("10", "500")]
    found = problems(lines=lines, allowances=[{"reason": "Remise", "amount": "10"}])
    assert found[0].startswith(
        "allowances[0].vat_category: a document-level allowance needs its VAT category"
    )
    assert "discount: {percent: 5" in found[0]
    found = problems(lines=lines, allowances=[{"reason": "Remise", "amount": "10", "vat_category": "S"}])
    assert found[0].startswith("allowances[0].vat_rate: VAT category S needs its rate (BR-S-05); write e.g.")
    assert (
        "write e.g. `vat_rate: 20` (the lines carry 20, 10)" in found[0]
        and "splits it per VAT rate" in found[0]
    )


def test_the_issue_case_a_5_percent_discount_on_20_and_10_percent_lines() -> None:
    """The reported case: 5 % off an invoice with 20 % and 10 % lines. VAT must be 1 210,49, not 1 274,20."""
    doc = minimal(
        lines=[line("20", "4542"), line("10", "2000")],
        discount={"percent": "5", "reason": "Remise fidélité"},
    )
    inv = load_json(doc)[0]
    assert [(a.vat_rate, a.base_amount, a.percentage) for a in inv.allowances] == [
        (Decimal(10), Decimal("2000.00"), Decimal(5)),
        (Decimal(20), Decimal("4542.00"), Decimal(5)),
    ]
    computed = compute(inv)
    # 20 %: (4542 - 227.10) × 0.20 = 862.98; 10 %: (2000 - 100) × 0.10 = 190.00
    assert {b.rate: b.tax_amount for b in computed.vat_breakdown} == {
        Decimal(20): Decimal("862.98"),
        Decimal(10): Decimal("190.00"),
    }
    assert computed.totals.allowance_total == Decimal("327.10")
    assert computed.totals.tax_total == Decimal("1052.98")


def test_discount_in_yaml_and_generated_xml_carries_each_rate(runner, tmp_path) -> None:
    from lxml import etree

    from fpcli.cii.namespaces import RAM
    from tests.cli.helpers import run
    from tests.conftest import EXAMPLES

    data = json.loads((EXAMPLES / "invoice-goods.json").read_text())
    data["discount"] = {"percent": "5", "reason": "Remise fidélité"}
    src = tmp_path / "in.json"
    src.write_text(json.dumps(data))
    out = tmp_path / "out.xml"
    result = run(runner, "generate", str(src), "-t", "xml", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    tree = etree.parse(str(out))
    rates = tree.xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge"
        "[ram:ChargeIndicator/*='false']/ram:CategoryTradeTax/ram:RateApplicablePercent/text()",
        namespaces={"ram": RAM},
    )
    assert sorted(Decimal(r) for r in rates) == [Decimal("5.5"), Decimal(20)]


# Random invoices: 1-6 lines over the French rates and the zero-rate categories, an optional discount.
_RATES = st.sampled_from([("S", "20"), ("S", "10"), ("S", "5.5"), ("S", "2.1"), ("Z", "0"), ("K", "0")])
_LINE = st.builds(
    lambda cat_rate, qty, price: line(cat_rate[1], str(price), cat_rate[0], str(qty)),
    _RATES,
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10000), places=3),
    st.decimals(min_value=Decimal(0), max_value=Decimal(100000), places=2),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(_LINE, min_size=1, max_size=6),
    percent=st.one_of(st.none(), st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)),
)
def test_totals_satisfy_en16931_business_rules(
    lines: list[dict[str, object]], percent: Decimal | None
) -> None:
    doc = minimal(lines=lines)
    if percent is not None:
        doc["discount"] = {"percent": str(percent)}
    inv = load_invoices(json.dumps(doc).encode(), "random.json")[0]
    c = compute(inv)
    t = c.totals
    allowances = sum((r2(a.base_amount * a.percentage / 100) for a in inv.allowances), Decimal(0))
    assert t.line_total == sum(c.line_nets, Decimal(0))  # BR-CO-10
    assert (t.allowance_total or 0) == allowances  # BR-CO-11
    assert (t.charge_total or 0) == 0  # BR-CO-12
    assert t.tax_exclusive == t.line_total - (t.allowance_total or 0) + (t.charge_total or 0)  # BR-CO-13
    assert t.tax_total == sum((b.tax_amount for b in c.vat_breakdown), Decimal(0))  # BR-CO-14
    assert t.tax_inclusive == t.tax_exclusive + t.tax_total  # BR-CO-15
    assert t.due == t.tax_inclusive - (t.prepaid or 0) + (t.rounding or 0)  # BR-CO-16
    for b in c.vat_breakdown:  # BR-CO-17: VAT = taxable × rate, rounded to the cent
        assert b.tax_amount == r2(b.taxable_amount * (b.rate or 0) / 100)
    # every taxable base is the lines of that rate minus the discount split onto it
    for b in c.vat_breakdown:
        lines_of = sum(
            (
                n
                for ln, n in zip(inv.lines, c.line_nets, strict=True)
                if (ln.vat_category, ln.vat_rate or 0) == (b.category, b.rate or 0)
            ),
            Decimal(0),
        )
        off = sum(
            (
                r2(a.base_amount * a.percentage / 100)
                for a in inv.allowances
                if (a.vat_category, a.vat_rate or 0) == (b.category, b.rate or 0)
            ),
            Decimal(0),
        )
        assert b.taxable_amount == lines_of - off


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(_LINE, min_size=1, max_size=4), percent=st.decimals(min_value=0, max_value=50, places=1)
)
def test_random_invoices_pass_the_official_rules(lines: list[dict[str, object]], percent: Decimal) -> None:
    from fpcli.cii.profile import Profile
    from fpcli.cii.writer import to_cii
    from fpcli.validation.gate import check_document
    from tests.conftest import EXAMPLES

    doc = json.loads((EXAMPLES / "invoice-goods.json").read_text())
    doc.update(lines=lines, discount={"percent": str(percent)})
    doc.pop("charges")
    inv = load_invoices(json.dumps(doc).encode(), "random.json")[0]
    xml = to_cii(inv, Profile.EN16931, compute(inv)).xml
    check_document(xml, "random.xml", profile=Profile.EN16931, action="nothing written")
