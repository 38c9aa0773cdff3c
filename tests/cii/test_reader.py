"""CII reader: the inverse of the writer on the examples, robust on hostile or incomplete input."""

from __future__ import annotations

import pytest

from fpcli.cii.profile import Profile
from fpcli.cii.reader import read_cii, strip_computed
from fpcli.cii.writer import to_cii
from fpcli.errors import InputError
from fpcli.model.load import invoices_from_data, load_invoices
from fpcli.model.totals import compute
from tests.conftest import EXAMPLES


def examples():
    out = []
    for path in sorted(EXAMPLES.glob("*.*")):
        out += load_invoices(path.read_bytes(), path.name)
    return out


@pytest.mark.parametrize("invoice", examples(), ids=lambda i: i.number)
def test_en16931_round_trip_is_exact(invoice) -> None:
    doc = read_cii(to_cii(invoice, Profile.EN16931).xml, "x.xml")
    assert doc.profile is Profile.EN16931 and doc.warnings == []
    assert strip_computed(doc.invoice) == strip_computed(invoice)
    assert compute(doc.invoice).totals == compute(invoice).totals


@pytest.mark.parametrize("profile", [Profile.BASIC, Profile.EXTENDED, Profile.EXTENDED_CTC_FR], ids=str)
def test_line_profiles_round_trip_what_they_carry(profile: Profile) -> None:
    for invoice in examples():
        back = read_cii(to_cii(invoice, profile).xml, "x.xml").invoice
        regenerated = to_cii(back, profile).xml
        assert regenerated == to_cii(invoice, profile).xml


@pytest.mark.parametrize("profile", [Profile.MINIMUM, Profile.BASIC_WL], ids=str)
def test_header_profiles_keep_totals(profile: Profile) -> None:
    for invoice in examples():
        back = read_cii(to_cii(invoice, profile).xml, "x.xml").invoice
        assert back.lines == []
        assert back.totals is not None and back.totals.due == compute(invoice).totals.due
        assert to_cii(back, profile).xml == to_cii(invoice, profile).xml


def test_extract_json_is_generate_input() -> None:
    invoice = examples()[1]
    doc = read_cii(to_cii(invoice, Profile.EN16931).xml, "x.xml")
    data = doc.invoice.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    again = invoices_from_data(data, "extract.json")[0]
    assert strip_computed(again) == strip_computed(invoice)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<a/>", "not a CII invoice"),
        (
            b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>',
            "without ExchangedDocument",
        ),
    ],
)
def test_not_cii(xml: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        read_cii(xml, "in.xml")
    assert info.value.message.startswith("in.xml") and message in info.value.message


def test_bad_number_names_xpath_and_line() -> None:
    xml = to_cii(examples()[0], Profile.EN16931).xml.replace(
        b'<ram:BilledQuantity unitCode="DAY">0.5<', b'<ram:BilledQuantity unitCode="DAY">0,5<'
    )
    with pytest.raises(InputError) as info:
        read_cii(xml, "in.xml")
    assert (
        "BilledQuantity" in info.value.message
        and " line " in info.value.message
        and "`0,5` is not a number" in info.value.message
    )
