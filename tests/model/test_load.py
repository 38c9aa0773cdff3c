"""Loading invoice input: clear one-line problems with their paths, hostile YAML/JSON refused."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from fpcli.errors import ExitCode, InputError, InvoiceDataError
from fpcli.model.load import load_invoices, parse_document
from tests.conftest import EXAMPLES


def minimal(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "number": "F1",
        "issue_date": "2026-11-20",
        "seller": {"name": "S", "address": {"country": "FR"}},
        "buyer": {"name": "B"},
        "lines": [{"name": "x", "quantity": "1", "unit_price": "10", "vat_rate": "20"}],
    }
    base.update(over)
    return base


def load_json(obj: object, name: str = "in.json") -> list:
    return load_invoices(json.dumps(obj).encode(), name)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.*")), ids=lambda p: p.name)
def test_examples_load(path) -> None:
    invoices = load_invoices(path.read_bytes(), path.name)
    assert invoices and all(inv.seller.name for inv in invoices)


def test_each_problem_on_its_own_line_with_path() -> None:
    bad = minimal(
        lines=[
            {"name": "a", "quantity": "1", "unit_price": "1", "vat_rate": "20"},
            {"name": "b", "quantity": "abc", "unit_price": "1", "vat_rate": "20"},
            {"name": "c", "quantity": "1", "unit_price": "1", "vat_rate": "20", "colour": "red"},
        ]
    )
    with pytest.raises(InvoiceDataError) as info:
        load_json(bad)
    assert info.value.exit_code == ExitCode.BAD_INPUT
    problems = info.value.problems
    assert any(p.startswith("lines[1].quantity:") for p in problems), problems
    assert any(
        p.startswith("lines[2].colour: unknown field `colour`; the fields here are id, parent_id, note")
        for p in problems
    ), problems
    assert all("\n" not in p for p in problems)
    assert str(info.value).splitlines()[0].startswith("in.json: ")


def test_wrong_siret_key_is_named() -> None:
    bad = minimal(seller={"name": "S", "identifiers": [{"id": "12345678200011", "scheme": "0009"}]})
    with pytest.raises(InvoiceDataError) as info:
        load_json(bad)
    assert info.value.problems == [
        "seller.identifiers[0]: `12345678200011` is not a valid SIRET (scheme 0009): "
        "The number's checksum or check digit is invalid. (BT-29)"
    ]


def test_wrong_vat_and_iban() -> None:
    bad = minimal(
        seller={"name": "S", "vat_id": "FR00123456782"},
        payment={"credit_transfers": [{"iban": "FR7630006000011234567890188"}]},
    )
    with pytest.raises(InvoiceDataError) as info:
        load_json(bad)
    joined = "\n".join(info.value.problems)
    assert "seller.vat_id" in joined and "French VAT number" in joined
    assert "payment.credit_transfers[0]" in joined and "IBAN" in joined


def test_negative_quantity_refused_on_credit_note_and_invoice_allowed_on_corrective() -> None:
    line = {"name": "x", "quantity": "-2", "unit_price": "10", "vat_rate": "20"}
    assert load_json(minimal(type_code="384", lines=[line]))[0].lines[0].quantity == Decimal(-2)
    with pytest.raises(InvoiceDataError) as info:
        load_json(minimal(type_code="381", lines=[line]))
    assert info.value.problems[0].startswith("lines[0].quantity: a credit note (type 381)")
    with pytest.raises(InvoiceDataError) as info:
        load_json(minimal(lines=[line]))
    assert info.value.problems[0].startswith("lines[0].quantity: an invoice (type_code 380) bills positive")
    assert 'issue a credit note: `type_code: "381"`' in info.value.problems[0]


def test_negative_price_is_br27() -> None:
    with pytest.raises(InvoiceDataError) as info:
        load_json(minimal(lines=[{"name": "x", "quantity": "1", "unit_price": "-1", "vat_rate": "20"}]))
    assert "BR-27" in info.value.problems[0]


def test_unknown_type_code() -> None:
    with pytest.raises(InvoiceDataError) as info:
        load_json(minimal(type_code="999"))
    assert info.value.problems[0].startswith("type_code: `999` is not an invoice type code")


def test_malformed_json_names_line_and_column() -> None:
    with pytest.raises(InputError) as info:
        load_invoices(b'{\n  "number": "F1",\n  "issue_date": \n}', "bad.json")
    assert info.value.message.startswith("bad.json: line 4 column 1: invalid JSON")


def test_malformed_yaml_names_line() -> None:
    with pytest.raises(InputError) as info:
        load_invoices(b"number: F1\nseller: [unclosed\n", "bad.yaml")
    assert info.value.message.startswith("bad.yaml: line ")
    assert "invalid YAML" in info.value.message


def test_yaml_alias_bomb_refused() -> None:
    levels = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    levels += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with pytest.raises(InputError) as info:
        load_invoices("\n".join(levels).encode(), "bomb.yaml")
    assert info.value.message == "bomb.yaml: YAML aliases would add more than 100,000 values once expanded"


def test_a_large_invoice_without_aliases_is_not_taken_for_a_bomb() -> None:
    """15,000 lines of 8 fields: over 100,000 nodes of the document's own, none added by an alias."""
    line = "  - {{id: '{i}', name: Conseil, quantity: 1, unit: HUR, unit_price: 10, vat_category: S, vat_rate: 20, note: n}}"
    doc = "lines:\n" + "\n".join(line.format(i=i) for i in range(15_000))
    assert len(parse_document(doc.encode(), "big.yaml")["lines"]) == 15_000


def test_aliases_may_add_up_to_the_bound_on_top_of_a_large_document() -> None:
    own = "\n".join(f"k{i}: v" for i in range(60_000))
    ten = "t: &t [" + ",".join(["x"] * 1_000) + "]"
    uses = "u: [" + ",".join(["*t"] * 90) + "]"  # 90,000 values added by aliases: under the bound
    assert len(parse_document(f"{own}\n{ten}\n{uses}".encode(), "in.yaml")["u"]) == 90
    too_many = "u: [" + ",".join(["*t"] * 101) + "]"
    with pytest.raises(InputError, match="aliases would add more than 100,000"):
        parse_document(f"{own}\n{ten}\n{too_many}".encode(), "in.yaml")


def test_yaml_anchors_for_repeated_parts_are_accepted() -> None:
    doc = (
        "number: F1\nissue_date: 2026-11-20\n"
        "seller: &me {name: S, address: {country: FR}}\nbuyer: *me\n"
        "lines:\n  - &l {name: x, quantity: 1, unit_price: 10, vat_rate: 20}\n  - *l\n"
    )
    inv = load_invoices(doc.encode(), "in.yaml")[0]
    assert inv.buyer == inv.seller and len(inv.lines) == 2


def test_yaml_floats_become_exact_decimals() -> None:
    doc = b"number: F1\nissue_date: 2026-11-20\nseller: {name: S}\nbuyer: {name: B}\n" + (
        b"lines: [{name: x, quantity: 3, unit_price: 0.1, vat_rate: 20}]\n"
    )
    inv = load_invoices(doc, "in.yaml")[0]
    assert inv.lines[0].unit_price == Decimal("0.1")


def test_not_utf8() -> None:
    with pytest.raises(InputError) as info:
        load_invoices(b"\xff\xfe n\x00", "latin.yaml")
    assert "not UTF-8" in info.value.message


def test_list_input_prefixes_index() -> None:
    with pytest.raises(InvoiceDataError) as info:
        load_json([minimal(), minimal(number=None)])
    assert info.value.problems[0].startswith("[1].number:")


def test_invoice_without_lines_needs_totals() -> None:
    with pytest.raises(InvoiceDataError) as info:
        load_json(minimal(lines=[]))
    assert "totals" in info.value.problems[0]


SERVICES_YAML = (EXAMPLES / "invoice-services.yaml").read_text()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "issue_date: 2026-11-20",
            "issue_date: 2026-02-30",
            "line 4 column 13: invalid YAML: `2026-02-30` is not a date",
        ),
        ("quantity: 3.5", "quantity: .nan", "line 47 column 15: invalid YAML: `.nan` is not a finite number"),
        (
            "quantity: 3.5",
            "quantity: -.inf",
            "line 47 column 15: invalid YAML: `-.inf` is not a finite number",
        ),
        (
            "quantity: 3.5",
            "quantity: " + "9" * 5000,
            "line 47 column 15: invalid YAML: a number of 5000 characters",
        ),
        (
            "quantity: 3.5",
            "quantity: 0." + "1" * 5000,
            "line 47 column 15: invalid YAML: a number of 5002 characters",
        ),
    ],
)
def test_hostile_yaml_values_are_input_errors_with_their_line(old: str, new: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        load_invoices(SERVICES_YAML.replace(old, new, 1).encode(), "in.yaml")
    assert info.value.exit_code == ExitCode.BAD_INPUT
    assert info.value.message.startswith(f"in.yaml: {expected}"), info.value.message


def test_huge_json_number_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        load_invoices(b'{"number": "F", "lines": [{"quantity": ' + b"9" * 5000 + b"}]}", "in.json")
    assert (
        info.value.message
        == "in.json: invalid JSON: a number of 5000 characters; amounts have at most 19 digits"
    )


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\ufffe"])
def test_control_characters_in_text_are_named(char: str) -> None:
    with pytest.raises(InvoiceDataError) as info:
        load_json(minimal(buyer={"name": f"B{char}x"}))
    assert info.value.problems == [
        f"buyer.name: holds the control character U+{ord(char):04X} at position 2, which an invoice cannot "
        "carry; remove it (BT-27)"
    ]


MISTAKES = [
    (
        "due_date: 2026-12-20",
        "due_date: 20/12/2026",
        "line 7: due_date: `20/12/2026` is not a date fpcli reads: write `2026-12-20`",
    ),
    (
        "    vat_rate: 20\n  - name: Hébergement",
        "    vat_rat: 20\n  - name: Hébergement",
        "line 51: lines[0].vat_rat: unknown field `vat_rat`; did you mean `vat_rate`?",
    ),
    (
        "unit_price: 29.90",
        "unit_price: '1 029,90'",
        "line 55: lines[1].unit_price: `1 029,90` is not a number: write `1029.90`",
    ),
    (
        "unit: DAY",
        "unit: JRS",
        "line 48: lines[0].unit: `JRS` is not a unit of UN/ECE Recommendation 20/21 (BT-130); did you mean `DAY`?",
    ),
    (
        "unit: HUR",
        "unit: heure",
        "line 62: lines[2].unit: `heure` is not a unit of UN/ECE Recommendation 20/21 (BT-130); did you mean `HUR`?",
    ),
    (
        'means_code: "30"',
        "means_code: virement",
        "line 38: payment.means_code: `virement` is not a payment means code of UNTDID 4461 (BT-81); did you mean `30` or `58`?",
    ),
    (
        "country: FR }\n  contact",
        "country: XX }\n  contact",
        "line 26: seller.address.country: `XX` is not an ISO 3166-1 alpha-2 country code (BT-40)",
    ),
    (
        "currency: EUR",
        "currency: euros",
        "line 6: currency: `euros` is not an ISO 4217 currency code (BT-5); did you mean `EUR`?",
    ),
    (
        "    vat_category: S\n    vat_rate: 20\n  - name: Héb",
        "    vat_category: standard\n    vat_rate: 20\n  - name: Héb",
        "line 50: lines[0].vat_category: unknown VAT category `standard` (BT-151 / BT-95 / BT-102); did you mean `S`?",
    ),
    (
        "  - subject: PMT",
        "  - subject: PTM",
        "line 13: notes[0].subject: `PTM` is not a note subject code of UNTDID 4451 (BT-21); did you mean `PMT`",
    ),
    (
        'identifiers: [{ id: "12345678200010", scheme: "0009" }]',
        'identifiers: [{ id: "12345678200010", scheme: SIRET }]',
        "line 21: seller.identifiers[0].scheme: `SIRET` is not an identifier scheme (ISO 6523 ICD, e.g. 0009 "
        "SIRET, 0088 GLN) (BT-29-1); did you mean `0009`?",
    ),
    (
        'electronic_address: { id: "123456782", scheme: "0225" }',
        'electronic_address: { id: "123456782", scheme: 225 }',
        "line 25: seller.electronic_address.scheme: `225` is not an electronic address scheme",
    ),
    (
        "business_process: S1",
        "business_proces: S1",
        "line 8: business_proces: unknown field `business_proces`; did you mean `business_process`?",
    ),
    (
        "  name: Atelier Numérique SAS\n  identifiers",
        "  identifiers",
        "line 19: seller.name: required field missing (BT-27)",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), MISTAKES, ids=[m[2].split(":")[1].strip() for m in MISTAKES]
)
def test_a_new_users_mistakes_are_named_with_line_field_term_and_fix(
    old: str, new: str, expected: str
) -> None:
    assert old in SERVICES_YAML
    with pytest.raises(InvoiceDataError) as info:
        load_invoices(SERVICES_YAML.replace(old, new, 1).encode(), "facture.yaml")
    assert info.value.exit_code == ExitCode.BAD_INPUT
    assert any(line.startswith(f"facture.yaml: {expected}") for line in info.value.message.splitlines()), (
        info.value.message
    )


def test_siret_vat_and_iban_as_people_write_them_are_accepted_compacted() -> None:
    text = (
        SERVICES_YAML.replace('id: "12345678200010"', 'id: "123 456 782 00010"')
        .replace("vat_id: FR11123456782", "vat_id: FR 11 123 456 782")
        .replace("iban: FR7630006000011234567890189", "iban: FR76 3000 6000 0112 3456 7890 189")
    )
    inv = load_invoices(text.encode(), "in.yaml")[0]
    assert inv.seller.identifiers[0].id == "12345678200010"
    assert inv.seller.vat_id == "FR11123456782"
    assert inv.payment is not None and inv.payment.credit_transfers[0].iban == "FR7630006000011234567890189"


def test_attached_document_round_trips_and_bad_base64_is_named() -> None:
    import base64

    from fpcli.cii.profile import Profile
    from fpcli.cii.reader import read_cii
    from fpcli.cii.writer import to_cii

    pdf = base64.b64encode(b"%PDF-1.4 timesheet").decode()
    doc = {"id": "TS-1", "attachment": {"content": pdf, "mime_code": "application/pdf", "filename": "ts.pdf"}}
    invoice = load_json(minimal(supporting_documents=[doc]))[0]
    back = read_cii(to_cii(invoice, Profile.EN16931).xml, "x").invoice
    attachment = back.supporting_documents[0].attachment
    assert attachment is not None and base64.b64decode(attachment.content) == b"%PDF-1.4 timesheet"
    assert (attachment.mime_code, attachment.filename) == ("application/pdf", "ts.pdf")
    doc["attachment"]["content"] = "not base64!"  # type: ignore[index]
    with pytest.raises(InvoiceDataError) as err:
        load_json(minimal(supporting_documents=[doc]))
    assert "supporting_documents[0].attachment.content" in str(err.value)
    assert "is not base64" in str(err.value) and "BT-125" in str(err.value)
