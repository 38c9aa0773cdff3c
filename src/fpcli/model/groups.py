"""Line groups and multi-vendor invoices (EXTENDED / EXTENDED-CTC-FR, XP Z12-014 use cases UC10/UC11).

A line group (CII line with LineStatusReasonCode GROUP) is a sub-total over the lines and groups whose
`parent_id` names it. On a multi-vendor invoice (BT-23 S8, B8, M8; and S9, B9, M9) each top-level group is
one seller's sub-invoice: the BR-FR-MV rules want on every line the seller's legal identifier (EXT-FR-FE-167)
and the sub-invoice number (BT-128, scheme AFL) of its group, a line VAT exemption text starting `#number#`,
and VAT breakdowns (BG-23) told apart by that same `#number#`. The user writes the seller and number once,
on the group; this module resolves what each line takes from its group, computes group sub-totals, and lists
what a user's multi-vendor input lacks, in its own terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from fpcli.model.invoice import Identifier, Invoice, Line, LineGroup, LineSeller

# BR-FR-MV-* apply to these billing frames (custom:isSpecialContract); MV-02 (a top-level group) to the first.
MULTI_VENDOR = ("S8", "B8", "M8")
SPECIAL_CONTRACT = (*MULTI_VENDOR, "S9", "B9", "M9")
AFL = "AFL"  # BT-128 scheme of a sub-invoice number
_ZERO = Decimal("0.00")


def is_special_contract(invoice: Invoice) -> bool:
    return (invoice.business_process or "").strip() in SPECIAL_CONTRACT


@dataclass(frozen=True)
class Resolved:
    """What a line or group carries once the group tree is taken into account (multi-vendor terms)."""

    seller: LineSeller | None
    sub_invoice: str | None


class GroupTree:
    """The groups of an invoice by id, with what each line and group inherits from its enclosing group."""

    def __init__(self, invoice: Invoice) -> None:
        self.invoice = invoice
        self.groups: dict[str, LineGroup] = {g.id: g for g in invoice.line_groups}
        self.special = is_special_contract(invoice)

    def top(self, group_id: str | None) -> LineGroup | None:
        """The top-level group above `group_id` (itself when it has no parent); None for unknown ids."""
        seen: set[str] = set()
        group = self.groups.get(group_id or "")
        while group is not None and group.parent_id and group.id not in seen:
            seen.add(group.id)
            parent = self.groups.get(group.parent_id)
            if parent is None:
                return group
            group = parent
        return group

    def group_seller(self, group: LineGroup) -> LineSeller | None:
        """A group's seller: its own, else its top group's; on a multi-vendor invoice a top-level group
        without one is the invoice seller's own part (BT-27, BT-30, BT-31, BT-40)."""
        if group.seller is not None:
            return group.seller
        top = self.top(group.id)
        if top is not None and top is not group:
            return self.group_seller(top)
        if not self.special:
            return None
        s = self.invoice.seller
        return LineSeller(
            name=s.name,
            identifiers=[i for i in s.identifiers if i.scheme],
            legal_id=s.legal_id,
            vat_id=s.vat_id,
            country=s.address.country if s.address else None,
        )

    def group_sub_invoice(self, group: LineGroup) -> str | None:
        """A group's sub-invoice number (BT-128 AFL): its own, else its top group's; on a multi-vendor
        invoice the invoice seller's own part is numbered by BT-1 (BR-FR-MV-11)."""
        if group.sub_invoice:
            return group.sub_invoice
        top = self.top(group.id)
        if top is not None and top is not group:
            return self.group_sub_invoice(top)
        seller = self.group_seller(group)
        if (
            self.special
            and seller is not None
            and _same_legal_id(seller.legal_id, self.invoice.seller.legal_id)
        ):
            return self.invoice.number
        return None

    def for_group(self, group: LineGroup) -> Resolved:
        """What the GROUP line carries: a nested group, like a line, its top group's legal id only."""
        if group.seller is None and group.parent_id and self.special:
            inherited = self.group_seller(group)
            seller = LineSeller(legal_id=inherited.legal_id) if inherited and inherited.legal_id else None
            return Resolved(seller, self.group_sub_invoice(group))
        return Resolved(self.group_seller(group), self.group_sub_invoice(group))

    def for_line(self, line: Line) -> Resolved:
        """A line's seller and sub-invoice: its own, else (on a multi-vendor invoice) its group's; the
        seller a line inherits is its legal identifier only, as the XP Z12-014 examples write it."""
        group = self.groups.get(line.parent_id or "")
        if group is None or not self.special:
            return Resolved(line.seller, line.sub_invoice)
        seller, inherited = line.seller, self.group_seller(group)
        if inherited is not None and inherited.legal_id is not None:
            if seller is None:
                seller = LineSeller(legal_id=inherited.legal_id)
            elif seller.legal_id is None:  # the rules want the group's legal id on every line (MV-06)
                seller = seller.model_copy(update={"legal_id": inherited.legal_id})
        return Resolved(seller, line.sub_invoice or self.group_sub_invoice(group))

    def line_ids(self) -> list[str]:
        """BT-126 of each line: its own, else numbered 1… in writing order, skipping the ids groups use."""
        if not self.groups:
            return [line.id or str(i + 1) for i, line in enumerate(self.invoice.lines)]
        used = set(self.groups) | {line.id for line in self.invoice.lines if line.id}
        ids = [line.id or "" for line in self.invoice.lines]
        counter = 0
        for entry in self.order():
            if isinstance(entry, int) and not ids[entry]:
                counter += 1
                while str(counter) in used:
                    counter += 1
                ids[entry] = str(counter)
        return ids

    def nets(self, line_nets: list[Decimal]) -> dict[str, Decimal]:
        """Each group's net (BT-131 of the GROUP line): the sum of its lines' and sub-groups' nets."""
        direct: dict[str, Decimal] = dict.fromkeys(self.groups, _ZERO)
        for line, net in zip(self.invoice.lines, line_nets, strict=True):
            if line.parent_id in direct:
                direct[line.parent_id] += net
        out: dict[str, Decimal] = {}

        def total(group_id: str, depth: int) -> Decimal:
            if group_id in out:
                return out[group_id]
            value = direct[group_id]
            if depth < len(self.groups):  # a cycle is an input problem, reported by `problems`
                for child in self.groups.values():  # INFORMATION lines are not billed (BR-FR-MV-05)
                    if child.parent_id == group_id and child.id != group_id and child.status == "GROUP":
                        value += total(child.id, depth + 1)
            out[group_id] = value
            return value

        for group_id in self.groups:
            total(group_id, 0)
        return out

    def order(self) -> list[LineGroup | int]:
        """Groups and line indexes in writing order: each group just before its first line or sub-group."""
        written: set[str] = set()
        out: list[LineGroup | int] = []

        def place(group_id: str | None) -> None:
            chain: list[LineGroup] = []
            group = self.groups.get(group_id or "")
            while group is not None and group.id not in written and group not in chain:
                chain.append(group)
                group = self.groups.get(group.parent_id or "")
            for g in reversed(chain):
                written.add(g.id)
                out.append(g)

        for i, line in enumerate(self.invoice.lines):
            place(line.parent_id)
            out.append(i)
        for group_id in self.groups:
            place(group_id)
        return out


def _same_legal_id(a: Identifier | None, b: Identifier | None) -> bool:
    return a is not None and b is not None and a.id == b.id


def exemption_prefix(sub_invoice: str | None) -> str | None:
    """The `#number#` a multi-vendor line's VAT exemption text and its BG-23 start with (BR-FR-MV-08/09)."""
    return f"#{sub_invoice}#" if sub_invoice else None


_PREFIX = re.compile(r"^#([^#]+)#\s*")


def split_exemption_prefix(text: str) -> tuple[str | None, str]:
    """(sub-invoice number, the rest) of a VAT text that starts with the `#number#` marker; (None, text)
    otherwise. The marker is for machines: pages and views say it in words."""
    mark = _PREFIX.match(text)
    return (mark.group(1), text[mark.end() :]) if mark else (None, text)


def problems(invoice: Invoice) -> list[str]:
    """What a user's line groups lack or contradict, one line per field path with the fix."""
    tree = GroupTree(invoice)
    out: list[str] = []
    ids = [g.id for g in invoice.line_groups]
    line_ids = {ln.id for ln in invoice.lines if ln.id}
    for i, group in enumerate(invoice.line_groups):
        path = f"line_groups[{i}]"
        if ids.count(group.id) > 1 or group.id in line_ids:
            out.append(
                f"{path}.id: `{group.id}` is used twice; each line and group needs its own id (BT-126)"
            )
        if group.parent_id is not None and group.parent_id not in tree.groups:
            out.append(_unknown_parent(f"{path}.parent_id", group.parent_id, ids))
        elif group.parent_id is not None and _cycle(tree, group):
            out.append(f"{path}.parent_id: groups `{group.id}` and `{group.parent_id}` contain each other")
    for i, line in enumerate(invoice.lines):
        if line.parent_id is not None and line.parent_id not in tree.groups:
            out.append(_unknown_parent(f"lines[{i}].parent_id", line.parent_id, ids))
    if out or not tree.special:
        return out
    return out + _multi_vendor_problems(invoice, tree)


def _unknown_parent(path: str, value: str, ids: list[str]) -> str:
    known = ", ".join(f"`{g}`" for g in ids) or "none: add `line_groups`"
    return f"{path}: no line group has id `{value}` (EXT-FR-FE-162); the groups are {known}"


def _cycle(tree: GroupTree, group: LineGroup) -> bool:
    seen = {group.id}
    current = tree.groups.get(group.parent_id or "")
    while current is not None:
        if current.id in seen:
            return True
        seen.add(current.id)
        current = tree.groups.get(current.parent_id or "")
    return False


def _multi_vendor_problems(invoice: Invoice, tree: GroupTree) -> list[str]:
    bp = invoice.business_process
    out: list[str] = []
    tops = [(i, g) for i, g in enumerate(invoice.line_groups) if g.parent_id is None and g.status == "GROUP"]
    if not tops and bp in MULTI_VENDOR:
        out.append(
            f"line_groups: a multi-vendor invoice (business_process {bp}) needs one group per seller's "
            "sub-invoice, its lines naming it in `parent_id` (BR-FR-MV-02); see the README, multi-vendor"
        )
    for i, group in tops:
        seller = tree.group_seller(group)
        path = f"line_groups[{i}].seller"
        for value, field, term, example in (
            (seller and seller.name, "name", "EXT-FR-FE-164", "name: VENDEUR XXX"),
            (
                seller and seller.legal_id,
                "legal_id",
                "EXT-FR-FE-167",
                'legal_id: {id: "111111118", scheme: "0002"}',
            ),
            (seller and seller.country, "country", "EXT-FR-FE-177", "country: FR"),
        ):
            if not value:
                what = {"legal_id": "legal id (SIREN)", "country": "country code"}.get(field, field)
                out.append(
                    f"{path}.{field}: the seller of a sub-invoice needs its {what} "
                    f"({term}, BR-FR-MV-03); write e.g. `{example}` under `seller`"
                )
        if not tree.group_sub_invoice(group):
            out.append(
                f"line_groups[{i}].sub_invoice: another seller's part needs its sub-invoice number (BT-128 "
                "scheme AFL, BR-FR-MV-07); write e.g. `sub_invoice: 111111118_F2026-0004`"
            )
    for i, line in enumerate(invoice.lines):
        if line.parent_id is None:
            out.append(
                f"lines[{i}].parent_id: on a multi-vendor invoice (business_process {bp}) each line belongs "
                f"to a seller's group (BR-FR-MV-06); write `parent_id: {tops[0][1].id if tops else '1'}`"
            )
            continue
        group = tree.groups[line.parent_id]
        own, mine = tree.group_seller(group), line.seller
        if mine and mine.legal_id and own and own.legal_id and mine.legal_id.id != own.legal_id.id:
            out.append(
                f"lines[{i}].seller.legal_id: `{mine.legal_id.id}` differs from its group's "
                f"`{own.legal_id.id}` (EXT-FR-FE-167, BR-FR-MV-06); leave it out, the line takes its group's"
            )
        number = tree.group_sub_invoice(group)
        if line.sub_invoice and number and line.sub_invoice != number:
            out.append(
                f"lines[{i}].sub_invoice: `{line.sub_invoice}` differs from its group's `{number}` "
                "(BT-128 AFL, BR-FR-MV-07); leave it out, the line takes its group's"
            )
    out.extend(_shared_rates(invoice, tree))
    return out


def _shared_rates(invoice: Invoice, tree: GroupTree) -> list[str]:
    """Two sub-invoices at the same VAT category and rate cannot have their own BG-23 each: EN 16931 sums
    BG-23 per category and rate over all lines (BR-S-08), BR-FR-MV-09 per sub-invoice."""
    seen: dict[tuple[str, Decimal | None], tuple[str, int]] = {}
    out: list[str] = []
    for i, line in enumerate(invoice.lines):
        number = tree.for_line(line).sub_invoice
        key = (line.vat_category, line.vat_rate)
        if number is None:
            continue
        first = seen.setdefault(key, (number, i))
        if first[0] != number:
            rate = "" if line.vat_rate is None else f" {line.vat_rate.normalize():f} %"
            out.append(
                f"lines[{i}].vat_rate: sub-invoices `{first[0]}` (lines[{first[1]}]) and `{number}` share "
                f"VAT {line.vat_category}{rate}; the official rules give each sub-invoice its own VAT "
                "breakdown (BR-FR-MV-09) and each rate one (BR-S-08): bill them on separate invoices"
            )
            seen[key] = (number, i)
    return out
