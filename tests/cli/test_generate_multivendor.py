"""Multi-vendor invoices (BT-23 S8, XP Z12-014 UC10) written by a user: `line_groups` with their seller and
sub-invoice number, lines naming their group. The output passes the official rules (the check on write, and
`fpcli validate` again); the usual mistakes fail at input time with one line naming the line, field, term and
fix, and nothing is written."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from fpcli.cii.namespaces import RAM
from tests.cli.helpers import run
from tests.conftest import EXAMPLES

EXAMPLE = EXAMPLES / "extended" / "invoice-multi-vendor.yaml"
NS = {"ram": RAM}


def _generate(runner, source: Path, out: Path, profile: str = "extended-ctc-fr"):
    return run(runner, "generate", "-p", profile, str(source), "-o", str(out))


def test_example_is_valid_and_carries_the_multi_vendor_terms(runner, tmp_path: Path) -> None:
    out = tmp_path / "mv.xml"
    result = _generate(runner, EXAMPLE, out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "wrote" in result.stderr and "warning" not in result.stderr
    again = run(runner, "validate", str(out))
    assert again.exit_code == 0, again.stdout
    assert again.stdout.startswith("VALID")

    root = etree.fromstring(out.read_bytes())
    items = root.findall(".//ram:IncludedSupplyChainTradeLineItem", NS)

    def field(item: etree._Element, path: str) -> str | None:
        return item.findtext(path, namespaces=NS)

    by_id = {field(i, "ram:AssociatedDocumentLineDocument/ram:LineID"): i for i in items}
    # writing order: each group just before its lines; lines numbered 1… around the group ids A and B
    assert list(by_id) == ["A", "1", "2", "B", "3", "4"]
    groups = [i for i in items if field(i, ".//ram:LineStatusReasonCode") == "GROUP"]
    assert len(groups) == 2 and all(field(g, ".//ram:ParentLineID") is None for g in groups)
    own, third = by_id["A"], by_id["B"]
    # the seller's own part takes the invoice seller (BT-27/BT-30/BT-40) and BT-1 as its number
    assert field(own, ".//ram:ItemSellerTradeParty/ram:Name") == "Le Vendeur SARL"
    assert field(own, ".//ram:ItemSellerTradeParty/ram:PostalTradeAddress/ram:CountryID") == "FR"
    seller_id = ".//ram:ItemSellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID"
    afl = ".//ram:AdditionalReferencedDocument[ram:ReferenceTypeCode='AFL']/ram:IssuerAssignedID"
    for line_id, group, siren, number in (
        ("1", own, "100000009", "F2026-0004"),
        ("2", own, "100000009", "F2026-0004"),
        ("3", third, "111111118", "111111118_F2026-0004"),
        ("4", third, "111111118", "111111118_F2026-0004"),
    ):
        line = by_id[line_id]
        assert field(line, ".//ram:ParentLineID") == field(group, ".//ram:LineID")
        assert field(line, ".//ram:LineStatusReasonCode") == "DETAIL"
        assert field(line, seller_id) == field(group, seller_id) == siren  # BR-FR-MV-06
        assert field(line, afl) == field(group, afl) == number  # BR-FR-MV-07
        assert field(line, ".//ram:ApplicableTradeTax/ram:ExemptionReason") == f"#{number}#"  # MV-08
    # group sub-totals: net of its lines, VAT of its breakdown (BR-FR-MV-05/09/10)
    summ = ".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:"
    assert [field(own, summ + t) for t in ("LineTotalAmount", "TaxTotalAmount", "GrandTotalAmount")] == [
        "1000.00",
        "200.00",
        "1200.00",
    ]
    assert field(third, summ + "TaxTotalAmount") == "450.00"
    header = root.findall(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", NS)
    assert sorted((field(t, "ram:ExemptionReason"), field(t, "ram:CalculatedAmount")) for t in header) == [
        ("#111111118_F2026-0004#", "450.00"),
        ("#F2026-0004#", "200.00"),
    ]
    total = Decimal(
        field(root, ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:LineTotalAmount") or ""
    )
    assert total == Decimal("5500.00")  # groups are sub-totals, not lines of their own


MISTAKES = [
    pytest.param(
        ('legal_id: { id: "111111118", scheme: "0002" }  # SIREN (EXT-FR-FE-167)', ""),
        "line 27: line_groups[1].seller.legal_id: the seller of a sub-invoice needs its legal id (SIREN) "
        '(EXT-FR-FE-167, BR-FR-MV-03); write e.g. `legal_id: {id: "111111118", scheme: "0002"}` under `seller`',
        id="missing-line-seller-siren",
    ),
    pytest.param(
        ('scheme: "0002" }  # SIREN (EXT-FR-FE-167)', "scheme: SIREN }"),
        "line 29: line_groups[1].seller.legal_id.scheme: `SIREN` is not a legal registration scheme (ISO 6523 "
        "ICD, e.g. 0002 SIREN) (EXT-FR-FE-167-1); did you mean `0002`?",
        id="wrong-scheme-id",
    ),
    pytest.param(
        ("    sub_invoice:", "    sub_invoce:"),
        "line 26: line_groups[1].sub_invoce: unknown field `sub_invoce`; did you mean `sub_invoice`?",
        id="misspelt-field",
    ),
    pytest.param(
        ("{ parent_id: B, name: Support", "{ parent_id: C, name: Support"),
        "line 36: lines[3].parent_id: no line group has id `C` (EXT-FR-FE-162); the groups are `A`, `B`",
        id="unknown-group",
    ),
    pytest.param(
        ("{ parent_id: B, name: Support", "{ name: Support"),
        "line 36: lines[3].parent_id: on a multi-vendor invoice (business_process S8) each line belongs to a "
        "seller's group (BR-FR-MV-06); write `parent_id: A`",
        id="line-without-group",
    ),
]


@pytest.mark.parametrize(("change", "message"), MISTAKES)
def test_mistakes_fail_at_input_in_the_users_terms(
    runner, tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert change[0] in text
    source = tmp_path / "mv.yaml"
    source.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    out = tmp_path / "mv.xml"
    result = _generate(runner, source, out)
    assert result.exit_code == 3, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == f"error: {source}: {message}"  # one line: place, field, term, fix
    assert not out.exists()


def test_profile_below_extended_says_what_it_drops_and_writes_nothing(runner, tmp_path: Path) -> None:
    out = tmp_path / "mv.xml"
    result = _generate(runner, EXAMPLE, out, profile="en16931")
    assert result.exit_code == 1  # BR-FR-MV-02 needs the GROUP lines EN 16931 cannot carry
    assert "EXT-LINE-GROUPS" in result.stderr and "EXT-LINE-SELLER" in result.stderr
    assert "BR-FR-MV-02" in result.stderr
    assert not out.exists()
