"""fpcli's flux 10 checks and the official files, side by side: the sample, the reports fpcli builds from the
examples, and mutated reports. Same verdicts, except the divergences of the official Flux10.sch that its
PROVENANCE.md notes, explained below.

Structure: `fpcli.xmlshape` with `ereporting/shape.py` versus lxml with the DGFiP e-reporting XSD.
Rules: fpcli's `flux10-ereporting.sch` versus the official Flux10.sch, both compiled by fpcli's compiler.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from lxml import etree

from fpcli.ereporting.build import Header, build_report
from fpcli.ereporting.shape import REPORT
from fpcli.validation.document import rules_path
from fpcli.validation.saxon import findings_from_svrl, run_svrl
from fpcli.xmlshape import check
from tests.conftest import EXAMPLES, SHARED

DIR = SHARED / "reference" / "fr" / "e-reporting"
SAMPLE = DIR / "samples" / "FFE1025A_PPF262_PPF2621025000000000000290.xml"
pytestmark = pytest.mark.skipif(not DIR.is_dir(), reason="../shared/reference/fr/e-reporting not found")
HEADER = Header("340577964", "NOM MATELAS", "2728", dt.date(2025, 9, 1), dt.date(2025, 9, 30), "PDP_2728")
EXAMPLE_FILES = {
    "10.1": "10.1-invoices.csv",
    "10.2": "10.2-payments.csv",
    "10.3": "10.3-b2c-daily.csv",
    "10.4": "10.4-payments-daily.csv",
}


@cache
def official_xsd() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DIR / "xsd" / "ereporting.xsd")))


def findings(sch: str, xml: bytes) -> list[Any]:
    return findings_from_svrl(run_svrl(sch, xml), None, layer="schematron", rule_set="x")


def official(xml: bytes) -> set[str]:
    return {f.rule_id for f in findings(str(DIR / "schematron" / "Flux10.sch"), xml) if f.severity == "error"}


def fpcli(xml: bytes) -> set[str]:
    return {f.rule_id for f in findings(rules_path("flux10-ereporting.sch"), xml) if f.severity == "error"}


@cache
def built(flow: str) -> bytes:
    path = EXAMPLES / "ereport" / EXAMPLE_FILES[flow]
    return build_report(path.read_bytes(), str(path), flow, HEADER).xml


def test_sample_same_verdict() -> None:
    xml = SAMPLE.read_bytes()
    assert official_xsd().validate(etree.parse(str(SAMPLE)))
    assert check(etree.fromstring(xml), REPORT) == []
    assert official(xml) == fpcli(xml) == set()


@pytest.mark.parametrize("flow", sorted(EXAMPLE_FILES))
def test_built_reports_pass_official_xsd_and_schematron(flow: str) -> None:
    xml = built(flow)
    assert official_xsd().validate(etree.fromstring(xml)), official_xsd().error_log
    assert official(xml) == set()
    assert fpcli(xml) == set()


def _mutate(flow: str, change: Callable[[Any], None]) -> bytes:
    root = etree.fromstring(built(flow))
    change(root)
    return etree.tostring(root)


def _set(path: str, value: str) -> Callable[[Any], None]:
    def change(root: Any) -> None:
        for el in root.xpath(path):
            el.text = value

    return change


def _attr(path: str, name: str, value: str) -> Callable[[Any], None]:
    return lambda root: root.xpath(path)[0].set(name, value)


def _drop(path: str) -> Callable[[Any], None]:
    def change(root: Any) -> None:
        for el in root.xpath(path):
            el.getparent().remove(el)

    return change


INV = "/Report/TransactionsReport/Invoice"
TX = "/Report/TransactionsReport/Transactions"
# (case, flow, mutation, official invalid?, fpcli invalid?)
MUTATIONS = [
    ("total HT off", "10.1", _set(f"{INV}[1]/MonetaryTotal/TaxExclusiveAmount", "9999.00"), True, True),
    ("VAT total off", "10.3", _set(f"{TX}[1]/TaxTotal", "1.00"), True, True),
    ("category TXX1", "10.3", _set(f"{TX}[1]/CategoryCode", "TXX1"), True, True),
    ("rate 19", "10.3", _set(f"{TX}[1]/TaxSubtotal[1]/TaxPercent", "19"), True, True),
    ("date with dashes", "10.3", _set(f"{TX}[1]/Date", "2025-09-01"), True, True),
    ("year 1999", "10.4", _set("//Payment/Date", "19990901"), True, True),
    ("3 decimals", "10.3", _set(f"{TX}[1]/TaxExclusiveAmount", "1.005"), True, True),
    ("E without reason", "10.1", _drop(f"{INV}[1]/TaxSubTotal/TaxCategory/TaxExemptionReason"), True, True),
    ("no buyer id", "10.1", _drop(f"{INV}[1]/Buyer/CompanyId"), True, True),
    ("frame Z9", "10.1", _set(f"{INV}[1]/BusinessProcess/ID", "Z9"), True, True),
    (
        "period reversed",
        "10.2",
        _set("/Report/PaymentsReport/ReportPeriod/StartDate", "20251231"),
        True,
        True,
    ),
    ("type XX", "10.2", _set("/Report/ReportDocument/TypeCode", "XX"), True, True),
    ("issuer not a SIREN", "10.2", _set("/Report/ReportDocument/Issuer/Id", "12345"), True, True),
    ("payment in USD", "10.4", _set("//SubTotals/CurrencyCode", "USD"), True, True),
    ("id with a comma", "10.2", _set("/Report/PaymentsReport/Invoice[1]/InvoiceID", "F,1"), True, True),
    (
        "two reports",
        "10.3",
        lambda r: r.append(etree.fromstring(built("10.4")).find("PaymentsReport")),
        True,
        True,
    ),
    # Divergence (PROVENANCE.md, issues #54/#67): the official G6.22/G7.51 accept only a platform as sender;
    # fpcli warns instead, since a company preparing the report for its platform is not one.
    (
        "sender is the company",
        "10.3",
        lambda r: (
            _attr("/Report/ReportDocument/Sender/Id", "schemeId", "0002")(r),
            _set("/Report/ReportDocument/Sender/Id", "340577964")(r),
            _set("/Report/ReportDocument/Sender/RoleCode", "SE")(r),
        ),
        True,
        False,
    ),
    # Divergence (PROVENANCE.md, issue #60): the official G1.16 forbids negative amounts cashed (TT-95/TT-99);
    # payments may be negative (refunds, XP Z12-014): fpcli accepts them.
    ("negative payment", "10.4", _set("//SubTotals[1]/Amount", "-20.00"), True, False),
]


@pytest.mark.parametrize(("name", "flow", "change", "off", "own"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutations_verdicts(
    name: str, flow: str, change: Callable[[Any], None], off: bool, own: bool
) -> None:
    xml = _mutate(flow, change)
    assert bool(official(xml)) is off, official(xml)
    assert bool(fpcli(xml)) is own, fpcli(xml)


def test_same_rule_numbers_reported() -> None:
    xml = _mutate("10.3", _set(f"{TX}[1]/CategoryCode", "TXX1"))
    assert official(xml) == fpcli(xml) == {"G1.68"}


def test_sender_divergence_is_a_warning_in_fpcli() -> None:
    xml = _mutate("10.3", _set("/Report/ReportDocument/Sender/RoleCode", "SE"))
    own = findings(rules_path("flux10-ereporting.sch"), xml)
    assert [(f.rule_id, f.severity) for f in own] == [("G7.51", "warning")]
    assert official(xml) == {"G7.51"}


STRUCTURE = [
    ("no monetary total", "10.1", _drop(f"{INV}[1]/MonetaryTotal")),
    (
        "misplaced currency",
        "10.1",
        lambda r: r.xpath(f"{INV}[1]")[0].append(r.xpath(f"{INV}[1]/CurrencyCode")[0]),
    ),
    ("comma amount", "10.3", _set(f"{TX}[1]/TaxExclusiveAmount", "12,50")),
    ("count 1.5", "10.3", _set(f"{TX}[1]/TransactionsCount", "1.5")),
    ("no scheme", "10.2", lambda r: r.xpath("/Report/ReportDocument/Sender/Id")[0].attrib.pop("schemeId")),
    ("unknown element", "10.4", lambda r: etree.SubElement(r.find("PaymentsReport"), "Foo")),
]


@pytest.mark.parametrize(("name", "flow", "change"), STRUCTURE, ids=[s[0] for s in STRUCTURE])
def test_structure_check_agrees_with_official_xsd(
    name: str, flow: str, change: Callable[[Any], None]
) -> None:
    root = etree.fromstring(_mutate(flow, change))
    assert not official_xsd().validate(root)
    assert check(root, REPORT) != []


FOREIGN = {"10.1": "10.1-invoices-foreign-currency.csv", "10.3": "10.3-b2c-foreign-currency.csv"}


@pytest.mark.parametrize("flow", sorted(FOREIGN))
def test_reports_in_other_currencies_pass_official_xsd_and_schematron(flow: str) -> None:
    """G1.12 / G6.23: a 10.1 invoice in USD or CHF, its VAT total in euros; 10.3 sales in USD."""
    path = EXAMPLES / "ereport" / FOREIGN[flow]
    xml = build_report(path.read_bytes(), str(path), flow, HEADER).xml
    root = etree.fromstring(xml)
    currencies = root.xpath("//Invoice/CurrencyCode/text() | //Transactions/TransactionsCurrency/text()")
    assert {"EUR", "USD"} <= set(currencies)
    assert set(root.xpath("//MonetaryTotal/TaxAmount/@CurrencyCode")) <= {"EUR"}
    assert official_xsd().validate(root), official_xsd().error_log
    assert official(xml) == fpcli(xml) == set()
    # The official rules agree that the VAT total of an invoice in dollars is stated in euros (G6.23) …
    if flow == "10.1":
        usd_vat = f"{INV}[CurrencyCode = 'USD']/MonetaryTotal/TaxAmount"
        wrong = _mutate_xml(xml, _attr(usd_vat, "CurrencyCode", "USD"))
        assert official(wrong) == fpcli(wrong) == {"G6.23"}
    # … and that a currency is an ISO 4217 code (G1.10).
    bad = _mutate_xml(
        xml, _set("(//Invoice/CurrencyCode | //Transactions/TransactionsCurrency)[. = 'USD']", "usd")
    )
    assert official(bad) == fpcli(bad) == {"G1.10"}


def _mutate_xml(xml: bytes, change: Callable[[Any], None]) -> bytes:
    root = etree.fromstring(xml)
    change(root)
    return etree.tostring(root)


@pytest.mark.parametrize("flow", sorted(EXAMPLE_FILES))
def test_empty_period_reports_pass_official_xsd_and_schematron(flow: str) -> None:
    """A period without sales: the header row only gives a report with its period and nothing else."""
    path = EXAMPLES / "ereport" / EXAMPLE_FILES[flow]
    header_only = path.read_bytes().splitlines(keepends=True)[0]
    xml = build_report(header_only, str(path), flow, HEADER).xml
    assert official_xsd().validate(etree.fromstring(xml)), official_xsd().error_log
    assert official(xml) == fpcli(xml) == set()
    assert len(etree.fromstring(xml)[1]) == 1  # the report part holds its ReportPeriod only
