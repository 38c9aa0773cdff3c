"""Line groups without the CLI: nested sub-totals, line numbering around group ids, what lines inherit on a
multi-vendor invoice, and the input problems of groups (unknown parent, cycles, shared VAT rates)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fpcli.model.groups import GroupTree, problems
from fpcli.model.invoice import Invoice
from fpcli.model.totals import compute

PARTY = {"name": "S", "address": {"country": "FR"}, "legal_id": {"id": "100000009", "scheme": "0002"}}


def invoice(groups: list[dict[str, Any]], lines: list[dict[str, Any]], **extra: Any) -> Invoice:
    return Invoice.model_validate(
        {
            "number": "F1",
            "issue_date": "2026-01-01",
            "seller": PARTY,
            "buyer": {"name": "B"},
            "line_groups": groups,
            "lines": [{"quantity": "1", "vat_rate": "20", **ln} for ln in lines],
            **extra,
        }
    )


def test_nested_groups_sum_their_lines_and_sub_groups() -> None:
    # the shape of X03_01 (ZUGFeRD): group 01 holds group 01.01 (three lines) and one line of its own
    inv = invoice(
        [{"id": "01", "name": "Summe"}, {"id": "01.01", "parent_id": "01", "name": "Teil"}],
        [
            {"name": "a", "unit_price": "700", "parent_id": "01.01"},
            {"name": "b", "unit_price": "700", "parent_id": "01.01"},
            {"name": "c", "unit_price": "1500", "parent_id": "01"},
            {"name": "d", "unit_price": "5"},
        ],
    )
    tree = GroupTree(inv)
    nets = tree.nets(compute(inv).line_nets)
    assert nets == {"01": Decimal("2900.00"), "01.01": Decimal("1400.00")}
    assert compute(inv).totals.line_total == Decimal("2905.00")  # groups are not counted again
    order = [e if isinstance(e, int) else e.id for e in tree.order()]
    assert order == ["01", "01.01", 0, 1, 2, 3]
    assert problems(inv) == []


def test_lines_are_numbered_around_group_ids() -> None:
    inv = invoice(
        [{"id": "1", "name": "G"}, {"id": "3", "name": "H"}], [{"name": "a", "unit_price": "1"}] * 3
    )
    assert GroupTree(inv).line_ids() == ["2", "4", "5"]
    plain = invoice([], [{"name": "a", "unit_price": "1", "id": "7"}, {"name": "b", "unit_price": "1"}])
    assert GroupTree(plain).line_ids() == ["7", "2"]  # without groups: as before, index + 1


def test_group_problems_name_the_field() -> None:
    cyc = invoice(
        [{"id": "A", "parent_id": "B", "name": "a"}, {"id": "B", "parent_id": "A", "name": "b"}],
        [{"name": "x", "unit_price": "1", "parent_id": "Z"}],
    )
    found = problems(cyc)
    assert "line_groups[0].parent_id: groups `A` and `B` contain each other" in found
    assert any(p.startswith("lines[0].parent_id: no line group has id `Z`") for p in found)


def test_multi_vendor_lines_inherit_and_sub_invoices_need_their_own_rates() -> None:
    third = {"name": "T", "legal_id": {"id": "111111118", "scheme": "0002"}, "country": "FR"}
    groups = [{"id": "A", "name": "own"}, {"id": "B", "name": "third", "sub_invoice": "T-1", "seller": third}]
    lines = [
        {"name": "a", "unit_price": "1", "parent_id": "A"},
        {"name": "b", "unit_price": "2", "parent_id": "B"},
    ]
    inv = invoice(groups, lines, business_process="S8")
    tree = GroupTree(inv)
    own, other = (tree.for_line(line) for line in inv.lines)
    assert (own.sub_invoice, own.seller and own.seller.legal_id and own.seller.legal_id.id) == (
        "F1",
        "100000009",
    )
    assert (other.sub_invoice, other.seller and other.seller.legal_id and other.seller.legal_id.id) == (
        "T-1",
        "111111118",
    )
    found = problems(inv)
    assert len(found) == 1 and found[0].startswith(
        "lines[1].vat_rate: sub-invoices `F1` (lines[0]) and `T-1`"
    )
    # at different rates each sub-invoice has its own BG-23, marked with its number
    lines[1]["vat_rate"] = "10"
    inv = invoice(groups, lines, business_process="S8")
    assert problems(inv) == []
    assert sorted(b.exemption_reason or "" for b in compute(inv).vat_breakdown) == ["#F1#", "#T-1#"]


def test_schema_says_how_to_write_each_multi_vendor_field() -> None:
    from fpcli.model.invoice import schema

    defs = schema()["$defs"]
    for model, field, term in (
        ("LineGroup", "id", "BT-126"),
        ("LineGroup", "sub_invoice", "AFL"),
        ("LineGroup", "seller", "EXT-FR-FE-164"),
        ("LineSeller", "legal_id", "EXT-FR-FE-167"),
        ("LineSeller", "country", "EXT-FR-FE-177"),
        ("Line", "parent_id", "EXT-FR-FE-162"),
        ("Line", "seller", "EXT-FR-FE-164"),
        ("Line", "vat_point_code", "EXT-FR-FE-180"),
    ):
        assert term in defs[model]["properties"][field]["description"], (model, field)
    assert "multi-vendor" in schema()["properties"]["line_groups"]["description"]
    for name, model in defs.items():  # every field of the input format says what it is
        for field, spec in model.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"
