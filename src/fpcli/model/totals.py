"""Totals (BG-22) and VAT breakdown (BG-23) computed per EN 16931.

Rounding: line net amounts, allowance/charge amounts and VAT per category are rounded to 2 decimals, half up
(BR-DEC-*). VAT is computed per category and rate on the summed taxable amount (BR-CO-17). Values the user
gave are compared with the computed ones; a disagreement is an error, never silently replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from fpcli.model import codes, groups
from fpcli.model.invoice import AllowanceCharge, Invoice, Line, Totals, VatBreakdown, VatExemption

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# EN 16931 BR-CO-17 accepts a VAT amount within one currency unit of taxable × rate; invoices that round VAT
# per line legitimately differ by a cent per line. We accept a given amount within that per-line rounding.
_PER_LINE_VAT_TOLERANCE = Decimal("0.01")


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def allowance_amount(item: AllowanceCharge) -> Decimal:
    if item.amount is not None:
        return round2(item.amount)
    assert item.base_amount is not None and item.percentage is not None  # guaranteed by the model
    return round2(item.base_amount * item.percentage / 100)


def line_net(line: Line) -> Decimal:
    """BT-131 = BT-129 × (BT-146 / BT-149) + Σ BT-141 − Σ BT-136."""
    base = line.base_quantity or Decimal(1)
    net = round2(line.quantity * line.unit_price / base)
    net += sum((allowance_amount(c) for c in line.charges), ZERO)
    net -= sum((allowance_amount(a) for a in line.allowances), ZERO)
    return round2(net)


def _rate_of(category: str, rate: Decimal | None) -> Decimal | None:
    if category == "O":
        return None
    if category in codes.ZERO_RATE_CATEGORIES:
        return Decimal(0)
    return rate


@dataclass(frozen=True)
class Computed:
    line_nets: list[Decimal]
    vat_breakdown: list[VatBreakdown]
    totals: Totals
    warnings: tuple[str, ...] = ()


class TotalsMismatch(ValueError):
    """Given totals disagree with the computed ones; `problems` is one line per field path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def compute(invoice: Invoice, *, lenient: bool = False) -> Computed:
    """Compute line nets, VAT breakdown and totals, and check them against any values the input gave.

    `lenient` is for re-emitting an invoice someone else issued (read from CII): the amounts it states are
    kept where they differ from fpcli's arithmetic (EN 16931 has no rule on BT-131 = BT-129 × BT-146 / BT-149,
    and issuers differ in rounding), and each difference becomes a warning instead of an error.
    """
    if not invoice.lines:
        return _from_given(invoice)
    if lenient:
        return _lenient(invoice)
    problems: list[str] = []
    nets = [line_net(line) for line in invoice.lines]
    for i, (line, net) in enumerate(zip(invoice.lines, nets, strict=True)):
        if line.net_amount is not None and round2(line.net_amount) != net:
            problems.append(f"lines[{i}].net_amount: given {line.net_amount}, computed {net}")
        if line.vat_category not in ("O",) and line.vat_category not in codes.ZERO_RATE_CATEGORIES:
            if line.vat_rate is None:
                problems.append(
                    f"lines[{i}].vat_rate: required for VAT category {line.vat_category} (BR-S-05)"
                )
        elif line.vat_rate not in (None, Decimal(0)) and line.vat_category != "O":
            problems.append(f"lines[{i}].vat_rate: must be 0 for VAT category {line.vat_category}")
    for name, items in (("allowances", invoice.allowances), ("charges", invoice.charges)):
        for i, item in enumerate(items):
            if item.vat_category is None:
                problems.append(f"{name}[{i}].vat_category: required on document level (BR-32 / BR-37)")
    if problems:
        raise TotalsMismatch(problems)

    groups: dict[tuple[str, Decimal | None], list[Decimal]] = {}
    line_counts: dict[tuple[str, Decimal | None], int] = {}
    for line, net in zip(invoice.lines, nets, strict=True):
        key = (line.vat_category, _rate_of(line.vat_category, line.vat_rate))
        groups.setdefault(key, []).append(net)
        line_counts[key] = line_counts.get(key, 0) + 1
    for sign, items in ((Decimal(-1), invoice.allowances), (Decimal(1), invoice.charges)):
        for item in items:
            assert item.vat_category is not None
            key = (item.vat_category, _rate_of(item.vat_category, item.vat_rate))
            groups.setdefault(key, []).append(sign * allowance_amount(item))

    exemptions = {e.category: e for e in invoice.vat_exemptions}
    breakdown: list[VatBreakdown] = []
    for (category, rate), amounts in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        taxable = round2(sum(amounts, ZERO))
        tax = round2(taxable * rate / 100) if rate is not None else ZERO
        reason, code = _exemption(category, exemptions)
        if category in codes.EXEMPT_CATEGORIES and not (reason or code):
            problems.append(
                f"vat_exemptions: VAT category {category} needs an exemption reason or VATEX code "
                f"(BR-{category}-10)"
            )
        breakdown.append(
            VatBreakdown(
                category=category,
                rate=rate,
                taxable_amount=taxable,
                tax_amount=tax,
                exemption_reason=reason,
                exemption_code=code,
            )
        )
    if problems:
        raise TotalsMismatch(problems)
    breakdown = _mark_sub_invoices(invoice, breakdown)
    if invoice.vat_breakdown is not None:
        breakdown = _reconcile_breakdown(invoice.vat_breakdown, breakdown, line_counts, problems)

    line_total = round2(sum(nets, ZERO))
    allowance_total = round2(sum((allowance_amount(a) for a in invoice.allowances), ZERO))
    charge_total = round2(sum((allowance_amount(c) for c in invoice.charges), ZERO))
    tax_exclusive = line_total - allowance_total + charge_total
    tax_total = round2(sum((b.tax_amount for b in breakdown), ZERO))
    tax_inclusive = tax_exclusive + tax_total
    given = invoice.totals
    prepaid = _pick(invoice.prepaid_amount, given.prepaid if given else None)
    rounding = _pick(invoice.rounding_amount, given.rounding if given else None)
    due = tax_inclusive - (prepaid or ZERO) + (rounding or ZERO)
    totals = Totals(
        line_total=line_total,
        allowance_total=allowance_total if invoice.allowances else None,
        charge_total=charge_total if invoice.charges else None,
        tax_exclusive=tax_exclusive,
        tax_total=tax_total,
        tax_total_accounting=given.tax_total_accounting if given else None,
        tax_inclusive=tax_inclusive,
        prepaid=prepaid,
        rounding=rounding,
        due=due,
    )
    if given is not None:
        _compare_totals(given, totals, problems)
    if problems:
        raise TotalsMismatch(problems)
    return Computed(line_nets=nets, vat_breakdown=breakdown, totals=totals)


def _mark_sub_invoices(invoice: Invoice, breakdown: list[VatBreakdown]) -> list[VatBreakdown]:
    """On a multi-vendor invoice each BG-23 says whose sub-invoice it is: its exemption text starts with
    `#number#` (BR-FR-MV-09), the number of the sub-invoice of the lines at that category and rate."""
    if not groups.is_special_contract(invoice):
        return breakdown
    tree = groups.GroupTree(invoice)
    numbers: dict[tuple[str, Decimal | None], set[str | None]] = {}
    for line in invoice.lines:
        key = (line.vat_category, _rate_of(line.vat_category, line.vat_rate))
        numbers.setdefault(key, set()).add(tree.for_line(line).sub_invoice)
    out = []
    for b in breakdown:
        found = numbers.get((b.category, b.rate), set())
        prefix = groups.exemption_prefix(next(iter(found))) if len(found) == 1 else None
        if prefix and not (b.exemption_reason or "").startswith(prefix):
            reason = f"{prefix} {b.exemption_reason}" if b.exemption_reason else prefix
            out.append(b.model_copy(update={"exemption_reason": reason}))
        else:
            out.append(b)
    return out


def _pick(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return a if a is not None else b


def _exemption(category: str, given: dict[str, VatExemption]) -> tuple[str | None, str | None]:
    exemption = given.get(category)
    if exemption is not None:
        return exemption.reason, exemption.code
    if category in codes.DEFAULT_EXEMPTIONS:
        code, reason = codes.DEFAULT_EXEMPTIONS[category]
        return reason, code
    return None, None


def _reconcile_breakdown(
    given: list[VatBreakdown],
    computed: list[VatBreakdown],
    line_counts: dict[tuple[str, Decimal | None], int],
    problems: list[str],
) -> list[VatBreakdown]:
    """Keep the given breakdown when it agrees (tax within per-line rounding); report each disagreement."""
    by_key = {(b.category, b.rate if b.category != "O" else None): b for b in computed}
    result: list[VatBreakdown] = []
    seen: set[tuple[str, Decimal | None]] = set()
    for i, g in enumerate(given):
        key = (g.category, _rate_of(g.category, g.rate))
        c = by_key.get(key)
        if c is None:
            problems.append(
                f"vat_breakdown[{i}]: no line or allowance/charge has category {g.category} rate {g.rate}"
            )
            continue
        seen.add(key)
        if round2(g.taxable_amount) != c.taxable_amount:
            problems.append(
                f"vat_breakdown[{i}].taxable_amount: given {g.taxable_amount}, computed {c.taxable_amount}"
            )
        tolerance = _PER_LINE_VAT_TOLERANCE * max(1, line_counts.get(key, 1))
        if abs(g.tax_amount - c.tax_amount) > tolerance:
            problems.append(f"vat_breakdown[{i}].tax_amount: given {g.tax_amount}, computed {c.tax_amount}")
        result.append(
            c.model_copy(
                update={
                    "tax_amount": round2(g.tax_amount),
                    "exemption_reason": g.exemption_reason or c.exemption_reason,
                    "exemption_code": g.exemption_code or c.exemption_code,
                }
            )
        )
    for key, c in by_key.items():
        if key not in seen:
            problems.append(
                f"vat_breakdown: missing category {c.category} rate {c.rate} (computed {c.tax_amount})"
            )
    return result


def _compare_totals(given: Totals, computed: Totals, problems: list[str]) -> None:
    for name in Totals.model_fields:
        g = getattr(given, name)
        c = getattr(computed, name)
        if g is None or name == "tax_total_accounting":
            continue
        if c is None:
            c = ZERO
        if round2(g) != round2(c):
            problems.append(f"totals.{name}: given {g}, computed {c}")


def _from_given(invoice: Invoice) -> Computed:
    """Invoices without lines (MINIMUM, BASIC WL) carry their own totals; check what can be checked."""
    assert invoice.totals is not None
    t = invoice.totals
    problems: list[str] = []
    breakdown = invoice.vat_breakdown or []
    if breakdown and t.tax_total is not None:
        s = round2(sum((b.tax_amount for b in breakdown), ZERO))
        if s != round2(t.tax_total):
            problems.append(f"totals.tax_total: given {t.tax_total}, sum of vat_breakdown {s}")
    if t.tax_total is not None and round2(t.tax_exclusive + t.tax_total) != round2(t.tax_inclusive):
        problems.append(
            f"totals.tax_inclusive: given {t.tax_inclusive}, computed {t.tax_exclusive + t.tax_total}"
        )
    expected_due = t.tax_inclusive - (t.prepaid or ZERO) + (t.rounding or ZERO)
    # MINIMUM cannot carry the paid amount (BT-113): without it, a due amount below the total is legitimate.
    if (t.prepaid is not None or t.rounding is not None) and round2(expected_due) != round2(t.due):
        problems.append(f"totals.due: given {t.due}, computed {expected_due}")
    if problems:
        raise TotalsMismatch(problems)
    return Computed(line_nets=[], vat_breakdown=list(breakdown), totals=t)


def _lenient(invoice: Invoice) -> Computed:
    warnings: list[str] = []
    nets = []
    for i, line in enumerate(invoice.lines):
        net = line_net(line)
        if line.net_amount is not None and round2(line.net_amount) != net:
            warnings.append(
                f"lines[{i}].net_amount: stated {line.net_amount}, fpcli computes {net}; kept as stated"
            )
            net = round2(line.net_amount)
        nets.append(net)
    stripped = invoice.model_copy(
        update={
            "lines": [ln.model_copy(update={"net_amount": None}) for ln in invoice.lines],
            "vat_breakdown": None,
            "totals": None,
        }
    )
    try:
        strict = compute(stripped)
        breakdown, totals = list(strict.vat_breakdown), strict.totals
    except TotalsMismatch as exc:
        warnings.extend(exc.problems)
        breakdown, totals = [], None
    if invoice.vat_breakdown is not None:
        if [(b.category, b.taxable_amount, b.tax_amount) for b in invoice.vat_breakdown] != [
            (b.category, b.taxable_amount, b.tax_amount) for b in breakdown
        ]:
            warnings.append("vat_breakdown: stated breakdown differs from fpcli's; kept as stated")
        breakdown = list(invoice.vat_breakdown)
    if invoice.totals is not None:
        if totals is not None and invoice.totals != totals:
            warnings.append("totals: stated totals differ from fpcli's; kept as stated")
        totals = invoice.totals
    if totals is None:
        raise TotalsMismatch(warnings or ["totals: cannot be computed"])
    return Computed(line_nets=nets, vat_breakdown=breakdown, totals=totals, warnings=tuple(warnings))
