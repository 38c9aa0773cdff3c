"""Rules fpcli applies to what a user writes (not to invoices read from third-party XML): VAT categories
and rates, document allowances/charges, negative quantities, and percentage discounts split per VAT rate.

Each problem names its field path (`lines[2].vat_rate`) and what to write instead, so that an invoice the
official rules would reject is refused when the input is read, in the input's own terms.
"""

from __future__ import annotations

from decimal import Decimal

from fpcli.model import codelists, codes, groups
from fpcli.model.invoice import AllowanceCharge, Delivery, Invoice, Note

# EN 16931: S needs a rate above 0 (BR-S-05); Z, E, AE, K, G a rate of 0 (BR-Z-05, BR-E-05, BR-AE-05,
# BR-IC-05, BR-G-05); O no rate at all (BR-O-05); L and M (IGIC, IPSI) a rate of 0 or more (BR-AF-05,
# BR-AG-05), and no exemption reason: the issue's "L/M rate 0" would contradict those rules.
_RATE_RULE = {
    "S": "BR-S-05",
    "Z": "BR-Z-05",
    "E": "BR-E-05",
    "AE": "BR-AE-05",
    "K": "BR-IC-05",
    "G": "BR-G-05",
}
INVOICE_TYPE = "380"


def _rate_problem(path: str, category: str, rate: Decimal | None, line_rates: list[Decimal]) -> str | None:
    if category == "S":
        if rate is None:
            rates = [f"{r.normalize():f}" for r in line_rates] or ["20"]
            said = (
                f" (the lines carry {', '.join(rates)})" if line_rates else " (20, 10, 5.5 or 2.1 in France)"
            )
            fix = f"write e.g. `vat_rate: {rates[0]}`{said}"
            return f"{path}.vat_rate: VAT category S needs its rate (BR-S-05); {fix}"
        if rate <= 0:
            return (
                f"{path}.vat_rate: VAT category S needs a rate above 0 (BR-S-05); for a 0 % rate write "
                "`vat_category: Z`, for an exemption `vat_category: E` with its reason"
            )
    elif category in codes.ZERO_RATE_CATEGORIES:
        if rate not in (None, Decimal(0)):
            rule = _RATE_RULE[category]
            return f"{path}.vat_rate: VAT category {category} has rate 0 ({rule}); write `vat_rate: 0`"
    elif category == "O":
        if rate not in (None, Decimal(0)):
            return (
                f"{path}.vat_rate: VAT category O (not subject to VAT) has no rate (BR-O-05); "
                "leave `vat_rate` out"
            )
    elif category in ("L", "M") and rate is None:
        return f"{path}.vat_rate: VAT category {category} needs its rate, 0 or more (BR-AF-05 / BR-AG-05)"
    return None


def _code_problems(invoice: Invoice) -> list[str]:
    """Every code-list value of the input against the list the official rules check it with."""
    checks: list[tuple[str, str, str | None, str]] = [
        ("currency", "currency", invoice.currency, "BT-5"),
        ("currency", "tax_currency", invoice.tax_currency, "BT-6"),
    ]
    for name, party, terms in (
        ("seller", invoice.seller, ("BT-40", "BT-30-1")),
        ("buyer", invoice.buyer, ("BT-55", "BT-47-1")),
    ):
        if party.address is not None:
            checks.append(("country", f"{name}.address.country", party.address.country, terms[0]))
        if party.legal_id is not None:
            checks.append(("legal_scheme", f"{name}.legal_id.scheme", party.legal_id.scheme, terms[1]))
        for j, ident in enumerate(party.identifiers):
            term = "BT-29-1" if name == "seller" else "BT-46-1"
            checks.append(("identifier_scheme", f"{name}.identifiers[{j}].scheme", ident.scheme, term))
        if party.electronic_address is not None:
            term = "BT-34-1" if name == "seller" else "BT-49-1"
            checks.append(
                ("address_scheme", f"{name}.electronic_address.scheme", party.electronic_address.scheme, term)
            )
    if invoice.delivery is not None and invoice.delivery.address is not None:
        checks.append(("country", "delivery.address.country", invoice.delivery.address.country, "BT-80"))
    if invoice.tax_representative is not None:
        checks.append(
            (
                "country",
                "tax_representative.address.country",
                invoice.tax_representative.address.country,
                "BT-69",
            )
        )
    if invoice.payment is not None:
        checks.append(("payment_means", "payment.means_code", invoice.payment.means_code, "BT-81"))
    for i, note in enumerate(invoice.notes):
        checks.append(("note_subject", f"notes[{i}].subject", note.subject, "BT-21"))
    for i, ex in enumerate(invoice.vat_exemptions):
        checks.append(("vatex", f"vat_exemptions[{i}].code", ex.code, "BT-121"))
    for i, a in enumerate(invoice.allowances):
        checks.append(("allowance_reason", f"allowances[{i}].reason_code", a.reason_code, "BT-98"))
    for i, c in enumerate(invoice.charges):
        checks.append(("charge_reason", f"charges[{i}].reason_code", c.reason_code, "BT-105"))
    for i, line in enumerate(invoice.lines):
        checks.append(("unit", f"lines[{i}].unit", line.unit, "BT-130"))
        checks.append(("unit", f"lines[{i}].base_unit", line.base_unit, "BT-150"))
        checks.append(("unit", f"lines[{i}].package_unit", line.package_unit, "EXTENDED package unit"))
        checks.append(("country", f"lines[{i}].origin_country", line.origin_country, "BT-159"))
        for j, a in enumerate(line.allowances):
            checks.append(
                ("allowance_reason", f"lines[{i}].allowances[{j}].reason_code", a.reason_code, "BT-140")
            )
        for j, c in enumerate(line.charges):
            checks.append(("charge_reason", f"lines[{i}].charges[{j}].reason_code", c.reason_code, "BT-145"))
    sellers = [(f"line_groups[{i}].seller", g.seller) for i, g in enumerate(invoice.line_groups)]
    sellers += [(f"lines[{i}].seller", ln.seller) for i, ln in enumerate(invoice.lines)]
    for path, seller in sellers:
        if seller is None:
            continue
        checks.append(("country", f"{path}.country", seller.country, "EXT-FR-FE-177"))
        if seller.legal_id is not None:
            checks.append(
                ("legal_scheme", f"{path}.legal_id.scheme", seller.legal_id.scheme, "EXT-FR-FE-167-1")
            )
        for j, ident in enumerate(seller.identifiers):
            checks.append(
                ("identifier_scheme", f"{path}.identifiers[{j}].scheme", ident.scheme, "EXT-FR-FE-166-1")
            )
    found = (codelists.problem(name, path, value, term) for name, path, value, term in checks if value)
    return [p for p in found if p]


def input_problems(invoice: Invoice) -> list[str]:
    """Problems with a user's invoice that the model's types cannot express, one per field path."""
    problems: list[str] = _code_problems(invoice) + groups.problems(invoice)
    s_rates = sorted(
        {ln.vat_rate for ln in invoice.lines if ln.vat_category == "S" and ln.vat_rate}, reverse=True
    )
    for i, line in enumerate(invoice.lines):
        problem = _rate_problem(f"lines[{i}]", line.vat_category, line.vat_rate, [])
        if problem:
            problems.append(problem)
    for i, exemption in enumerate(invoice.vat_exemptions):
        if exemption.category in ("S", "Z"):
            how = "at 0 %" if exemption.category == "Z" else "at its rate"
            problems.append(
                f"vat_exemptions[{i}].category: VAT category {exemption.category} is taxed ({how}) and takes "
                f"no exemption reason (BR-{exemption.category}-10); remove this entry"
            )
    for name, items in (("allowances", invoice.allowances), ("charges", invoice.charges)):
        for i, item in enumerate(items):
            path = f"{name}[{i}]"
            if item.vat_category is None:
                problems.append(
                    f"{path}.vat_category: a document-level {name[:-1]} needs its VAT category and rate "
                    "(BR-32 / BR-37); write e.g. `vat_category: S` and `vat_rate: 20`, or give a percentage "
                    f"as `{'discount' if name == 'allowances' else 'charge'}: {{percent: 5, reason: ...}}` "
                    "and fpcli splits it per VAT rate"
                )
                continue
            problem = _rate_problem(path, item.vat_category, item.vat_rate, s_rates)
            if problem and item.vat_category == "S" and item.vat_rate is None and len(s_rates) > 1:
                field = "discount" if name == "allowances" else "charge"
                problem += (
                    f"; the lines carry several rates: give `{field}: {{percent: ..., reason: ...}}` instead "
                    "and fpcli splits it per VAT rate"
                )
            if problem:
                problems.append(problem)
    return problems


# The three notes French law requires on B2B invoices (BR-FR-05, Code de commerce L441-9), usual wording;
# a note with the same subject in the input, or `invoice_notes` in the user's profile, replaces each.
FR_DEFAULT_NOTES: dict[str, str] = {
    "PMT": "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €",
    "PMD": "Pénalités de retard : trois fois le taux d'intérêt légal",
    "AAB": "Pas d'escompte pour paiement anticipé",
}


def is_french_seller(invoice: Invoice) -> bool:
    address = invoice.seller.address
    return address is not None and address.country == "FR"


def with_french_mentions(invoice: Invoice, notes: dict[str, str] | None = None) -> Invoice:
    """The invoice with what French and EU law ask it to state that the input may leave implicit:

    - for a French seller, the PMT/PMD/AAB notes (BR-FR-05): the input's own, else the profile's
      `invoice_notes`, else fpcli's usual wording;
    - a delivery date (BT-72) when none is given: the end of the invoicing period if there is one (the date
      the service was completed), else the issue date, which is what the law presumes when the invoice
      states no other date (VAT directive art. 226(7), CGI art. 242 nonies A). The delivery element is then
      never written empty (PEPPOL-EN16931-R008).
    """
    update: dict[str, object] = {}
    if is_french_seller(invoice):
        given = {n.subject for n in invoice.notes if n.subject}
        defaults = {**FR_DEFAULT_NOTES, **(notes or {})}
        missing = [
            Note(subject=k, text=text)
            for k, text in defaults.items()
            if k in FR_DEFAULT_NOTES and k not in given
        ]
        if missing:
            update["notes"] = [*invoice.notes, *missing]
    delivery = invoice.delivery
    if invoice.lines and (delivery is None or delivery.date is None):
        period_end = invoice.period.end if invoice.period is not None else None
        update["delivery"] = (delivery or Delivery()).model_copy(
            update={"date": period_end or invoice.issue_date}
        )
    return invoice.model_copy(update=update) if update else invoice


def refund_problems(invoice: Invoice) -> list[str]:
    """Negative quantities on a 380 invoice: EN 16931 allows them, but written by hand they are almost
    always a refund that belongs on a credit note (errors for user input, warnings with `--lenient`)."""
    if invoice.type_code != INVOICE_TYPE:
        return []
    return [
        f"lines[{i}].quantity: an invoice (type_code 380) bills positive quantities; to give money "
        'back, issue a credit note: `type_code: "381"`, the same lines with positive quantities, and '
        "`preceding_invoices: [{number: ...}]` naming the invoice it corrects"
        for i, line in enumerate(invoice.lines)
        if line.quantity < 0
    ]


def split_percentages(invoice: Invoice) -> Invoice:
    """`discount` / `charge` given as a percentage of the lines -> one document allowance/charge per VAT
    category and rate, on that group's line total (EN 16931 gives each its own category and rate)."""
    if invoice.discount is None and invoice.charge is None:
        return invoice
    from fpcli.model.totals import line_net, round2

    groups: dict[tuple[str, Decimal | None], Decimal] = {}
    for line in invoice.lines:
        rate = None if line.vat_category == "O" else (line.vat_rate or Decimal(0))
        key = (line.vat_category, rate)
        groups[key] = groups.get(key, Decimal(0)) + line_net(line)
    update: dict[str, object] = {"discount": None, "charge": None}
    for field, default_code, default_reason in (("discount", "95", "Remise"), ("charge", "ABK", "Frais")):
        spec = getattr(invoice, field)
        if spec is None:
            continue
        made = [
            AllowanceCharge(
                base_amount=round2(base),
                percentage=spec.percent,
                vat_category=category,
                vat_rate=rate,
                reason=spec.reason or (None if spec.reason_code else default_reason),
                reason_code=spec.reason_code or (None if spec.reason else default_code),
            )
            for (category, rate), base in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
            if base != 0
        ]
        target = "allowances" if field == "discount" else "charges"
        update[target] = [*getattr(invoice, target), *made]
    return invoice.model_copy(update=update)
