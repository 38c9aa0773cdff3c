"""Building reports from rows: Decimal aggregation, cross-checks, one-line errors naming row and column."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from lxml import etree

from fpcli.ereporting.build import Header, build_report
from fpcli.ereporting.read import read_report
from fpcli.ereporting.shape import REPORT
from fpcli.errors import InputError, InvalidDocumentError, UsageError
from fpcli.xmlshape import from_data
from tests.conftest import EXAMPLES, SHARED

HEADER = Header("340577964", "NOM MATELAS", "2728", dt.date(2025, 9, 1), dt.date(2025, 9, 30))
B2C = "date,category,vat_rate,taxable_amount,vat_amount,count\n"
SAMPLE = SHARED / "reference" / "fr" / "e-reporting" / "samples" / "FFE1025A_PPF262_PPF2621025000000000000290.xml"


def build(text: str, flow: str = "10.3", header: Header = HEADER) -> bytes:
    return build_report(text.encode(), "in.csv", flow, header).xml


def test_aggregation_per_day_category_and_rate() -> None:
    xml = build(
        B2C + "2025-09-01,TLB1,20,10.10,2.02,1\n2025-09-01,tlb1,20,0.20,,2\n2025-09-01,TLB1,5.5,10,0.55,1\n"
        "2025-09-02,TPS1,20,1,,\n"
    )
    root = etree.fromstring(xml)
    first, second = root.findall("TransactionsReport/Transactions")
    assert first.findtext("TaxExclusiveAmount") == "20.30" and first.findtext("TaxTotal") == "2.61"
    assert first.findtext("TransactionsCount") == "4"
    assert [
        (s.findtext("TaxPercent"), s.findtext("TaxableAmount"), s.findtext("TaxTotal"))
        for s in first.findall("TaxSubtotal")
    ] == [
        ("5.5", "10.00", "0.55"),
        ("20", "10.30", "2.06"),
    ]
    assert second.find("TransactionsCount") is None  # a row without count: no count reported


def test_example_totals_read_back() -> None:
    path = EXAMPLES / "ereport" / "10.1-invoices.csv"
    xml = build_report(path.read_bytes(), str(path), "10.1", HEADER).xml
    summary = read_report(xml, "r.xml").summary
    assert summary["flows"]["10.1"] == {
        "invoices": 3, "currency": "EUR", "taxable": "13800.00", "vat": "245.50",
        "by_currency": {"EUR": {"taxable": "13800.00", "vat": "245.50"}},
    }  # fmt: skip
    assert summary["period"] == ["20250901", "20250930"]


def test_totals_without_tt51_and_never_across_currencies() -> None:
    path = EXAMPLES / "ereport" / "10.1-invoices.csv"
    root = etree.fromstring(build_report(path.read_bytes(), str(path), "10.1", HEADER).xml)
    invoices = root.findall("TransactionsReport/Invoice")
    first = invoices[0]
    given = first.find("MonetaryTotal/TaxExclusiveAmount")
    breakdown = sum(Decimal(t.text or "0") for t in first.findall("TaxSubTotal/TaxableAmount"))
    assert given is not None and Decimal(given.text or "") == breakdown  # what the breakdown says too
    given.getparent().remove(given)  # TT-51 is optional: the total then comes from TT-54
    summary = read_report(etree.tostring(root), "r.xml").summary["flows"]["10.1"]
    assert summary["taxable"] == "13800.00" and summary["currency"] == "EUR"
    # An invoice in US dollars (its VAT accounted in euros): its amount is not added to the euros.
    second = invoices[1]
    usd = sum(Decimal(t.text or "0") for t in second.findall("MonetaryTotal/TaxExclusiveAmount"))
    second.find("CurrencyCode").text = "USD"
    summary = read_report(etree.tostring(root), "r.xml").summary["flows"]["10.1"]
    assert summary["taxable"] is None and summary["currency"] is None
    assert summary["by_currency"]["USD"] == {"taxable": str(usd)}
    assert Decimal(summary["by_currency"]["EUR"]["taxable"]) == Decimal("13800.00") - usd
    assert summary["by_currency"]["EUR"]["vat"] == "245.50"


def test_json_rows() -> None:
    rows = {"rows": [{"payment_date": "2025-09-03", "vat_rate": 20, "amount": 12.5}]}
    xml = build_report(json.dumps(rows).encode(), "in.json", "10.4", HEADER).xml
    assert etree.fromstring(xml).findtext(".//SubTotals/Amount") == "12.50"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            B2C + '2025-09-01,TLB1,20,"12,50",,\n',
            "in.csv: row 2, column taxable_amount: `12,50` uses a comma as decimal separator",
        ),
        (
            "date,category,taxable_amount\n2025-09-01,TLB1,1\n",
            "in.csv: row 1 (header): missing column `vat_rate`",
        ),
        (B2C.replace("count", "nombre") + "2025-09-01,TLB1,20,1,,\n", "unknown column `nombre`"),
        (B2C + "2025-09-01,TLB1,20,100.00,25.00,\n", "row 2, column vat_amount: 25.00 is not 20 % of 100.00"),
        (B2C + "2025-09-01,TLB1,19,100.00,,\n", "row 2, column vat_rate: 19 % is not a French VAT rate"),
        (
            B2C + "2025-10-01,TLB1,20,100.00,,\n",
            "row 2, column date: 20251001 is outside the reporting period",
        ),
        (B2C + "01/09/2025,TLB1,20,100.00,,\n", "row 2, column date: `01/09/2025` is not a date"),
        (B2C + "2025-09-01,XXX,20,100.00,,\n", "row 2, column category: `XXX` is not a category"),
        (B2C + "2025-09-01,TLB1,20,100.001,,\n", "more than 2 decimals"),
        (B2C + "2025-09-01,TLB1,20\n", "row 2: 3 fields, but the header has 6 columns"),
    ],
)
def test_bad_rows(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        build(text)
    assert message in caught.value.message
    assert "\n" not in caught.value.message


def test_a_period_without_sales_is_an_empty_report() -> None:
    result = build_report(B2C.encode(), "in.csv", "10.3", HEADER)
    root = etree.fromstring(result.xml)
    assert (result.rows, result.groups) == (0, 0) and result.report.valid
    assert root.find("TransactionsReport/ReportPeriod/EndDate").text == "20250930"
    assert root.find("TransactionsReport/Transactions") is None
    assert read_report(result.xml, "r.xml").summary["flows"] == {}


def test_a_period_not_over_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2025, 9, 15, tzinfo=dt.UTC).timestamp())))
    with pytest.raises(UsageError, match=r"the period ends 2025-09-30, after today \(2025-09-15\)"):
        build(B2C + "2025-09-01,TLB1,20,100.00,,\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2025, 9, 30, tzinfo=dt.UTC).timestamp())))
    assert b"<Transactions>" in build(B2C + "2025-09-01,TLB1,20,100.00,,\n")  # its last day: accepted


def test_invoice_rows_must_agree() -> None:
    head = "invoice_id,issue_date,business_process,seller_id,seller_vat,buyer_id,buyer_scheme,vat_category,vat_rate,taxable_amount\n"
    rows = "A1,2025-09-01,S1,340577964,FR41340577964,X1,0227,S,20,10\nA1,2025-09-02,S1,340577964,FR41340577964,X1,0227,S,20,10\n"
    with pytest.raises(
        InputError, match="row 3, column issue_date: `2025-09-02` differs from `2025-09-01` on row 2"
    ):
        build(head + rows, "10.1")


def test_rules_failure_is_exit_1_and_names_the_rule() -> None:
    head = "invoice_id,issue_date,business_process,seller_id,buyer_id,buyer_scheme,vat_category,vat_rate,taxable_amount\n"
    with pytest.raises(InvalidDocumentError, match=r"G2\.33"):  # a SIREN seller needs its VAT number
        build(head + "A1,2025-09-01,S1,340577964,X1,0227,S,20,10\n", "10.1")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (Header("123456789", "X", "2728", dt.date(2025, 9, 1), dt.date(2025, 9, 30)), "not a valid SIREN"),
        (Header("340577964", "X", "2728", dt.date(2025, 9, 30), dt.date(2025, 9, 1)), "the period ends"),
        (
            Header("340577964", "X", "2728", dt.date(2025, 9, 1), dt.date(2025, 9, 30), type_code="XX"),
            "transmission type",
        ),
    ],
)
def test_bad_header(header: Header, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        build(B2C + "2025-09-01,TLB1,20,1,,\n", header=header)


def test_not_utf8() -> None:
    with pytest.raises(InputError, match="not UTF-8"):
        build_report((B2C + "2025-09-01,TLB1,20,1,,é\n").encode("latin-1"), "in.csv", "10.3", HEADER)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared not found")
def test_sample_reads_back_without_loss() -> None:
    path = SAMPLE
    document = read_report(path.read_bytes(), path.name)

    def tree(e: etree._Element) -> object:
        kids = [tree(c) for c in e if isinstance(c.tag, str)]
        return (e.tag, dict(e.attrib), None if kids else (e.text or ""), kids)

    assert tree(from_data(document.data, REPORT)) == tree(etree.parse(str(path)).getroot())
    assert sorted(document.summary["flows"]) == ["10.1", "10.3"]
    assert Decimal(document.summary["flows"]["10.1"]["taxable"]) == Decimal("210000.0")


def test_csv_docs_and_examples_cover_every_flow_and_column() -> None:
    from fpcli.ereporting.rows import COLUMNS
    from tests.conftest import REPO

    docs = (REPO / "docs" / "ereport-csv.md").read_text(encoding="utf-8")
    for flow, columns in COLUMNS.items():
        assert f"## {flow} " in docs
        for c in columns:
            assert f"| `{c.name}` |" in docs, (flow, c.name)
        assert any(p.name.startswith(flow) for p in (EXAMPLES / "ereport").glob("*.csv")), flow


INVOICE_HEAD = (
    "invoice_id,issue_date,currency,vat_total_eur,business_process,seller_id,seller_vat,buyer_id,buyer_scheme,"
    "vat_category,vat_rate,taxable_amount\n"
)


def test_invoice_in_another_currency_states_its_vat_total_in_euros() -> None:
    """G1.12: an invoice in another currency gives its VAT total in euros too; TT-52 is in euros (G6.23),
    TT-22, TT-51 and the breakdown in the invoice's currency."""
    xml = build(
        INVOICE_HEAD + "A1,2025-09-01,CHF,21.60,S1,340577964,FR41340577964,X1,0227,S,20,100\n", "10.1"
    )
    invoice = etree.fromstring(xml).find("TransactionsReport/Invoice")
    assert invoice.findtext("CurrencyCode") == "CHF"
    total = invoice.find("MonetaryTotal/TaxAmount")
    assert (total.text, total.get("CurrencyCode")) == ("21.60", "EUR")
    assert invoice.findtext("MonetaryTotal/TaxExclusiveAmount") == "100.00"
    assert invoice.findtext("TaxSubTotal/TaxAmount") == "20.00"  # in francs, as on the invoice
    summary = read_report(xml, "r.xml").summary["flows"]["10.1"]
    assert summary["by_currency"] == {"CHF": {"taxable": "100.00"}, "EUR": {"vat": "21.60"}}
    assert summary["currency"] is None and summary["taxable"] is None and summary["vat"] is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A1,2025-09-01,USD,,S1,340577964,FR41340577964,X1,0227,S,20,100\n",
         "row 2, column vat_total_eur: is empty: the invoice is in USD, and its VAT total is reported in euros (DGFiP G1.12"),
        ("A1,2025-09-01,EUR,19.99,S1,340577964,FR41340577964,X1,0227,S,20,100\n",
         "row 2, column vat_total_eur: 19.99 differs from the invoice's VAT 20.00"),
        ("A1,2025-09-01,dollar,1,S1,340577964,FR41340577964,X1,0227,S,20,100\n",
         "row 2, column currency: `dollar` is not an ISO 4217 currency code (G1.10)"),
        ("A1,2025-09-01,usd,1,S1,340577964,FR41340577964,X1,0227,S,20,100\n", "did you mean `USD`?"),
    ],
)  # fmt: skip
def test_invoice_currency_problems(row: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        build(INVOICE_HEAD + row, "10.1")
    assert message in caught.value.message
    assert "\n" not in caught.value.message


def test_b2c_sales_in_another_currency_are_grouped_apart() -> None:
    xml = build(
        "date,category,vat_rate,taxable_amount,currency\n"
        "2025-09-01,TLB1,20,100,EUR\n2025-09-01,TLB1,20,50,USD\n2025-09-01,TLB1,20,10,\n"
    )
    groups = etree.fromstring(xml).findall("TransactionsReport/Transactions")
    assert [(g.findtext("TransactionsCurrency"), g.findtext("TaxExclusiveAmount")) for g in groups] == [
        ("EUR", "110.00"),
        ("USD", "50.00"),
    ]
    summary = read_report(xml, "r.xml").summary["flows"]["10.3"]
    assert summary["by_currency"] == {
        "EUR": {"taxable": "110.00", "vat": "22.00"},
        "USD": {"taxable": "50.00", "vat": "10.00"},
    }
    assert summary["taxable"] is None


@pytest.mark.parametrize("flow", ["10.2", "10.4"])
def test_amounts_cashed_are_in_euros(flow: str) -> None:
    head = "invoice_id,issue_date," if flow == "10.2" else ""
    values = "A1,2025-09-01," if flow == "10.2" else ""
    text = f"{head}payment_date,vat_rate,amount,currency\n{values}2025-09-03,20,12.50,USD\n"
    with pytest.raises(
        InputError,
        match=r"row 2, column currency: `USD`: amounts cashed are reported in euros \(DGFiP G6\.27\)",
    ):
        build(text, flow)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared not found")
def test_official_sample_totals_without_tt51() -> None:
    """The official sample without its optional TT-51: the totals come from the breakdown (TT-54), the same."""
    path = SAMPLE
    root = etree.parse(str(path)).getroot()
    before = read_report(etree.tostring(root), path.name).summary["flows"]
    for total in root.findall("TransactionsReport/Invoice/MonetaryTotal/TaxExclusiveAmount"):
        total.getparent().remove(total)
    assert root.find("TransactionsReport/Invoice/MonetaryTotal/TaxExclusiveAmount") is None
    after = read_report(etree.tostring(root), path.name).summary["flows"]
    assert after == before
    assert Decimal(after["10.1"]["taxable"]) == Decimal("210000") and after["10.1"]["currency"] == "EUR"
    assert Decimal(after["10.3"]["vat"]) == Decimal("4000")
