"""Expanding a simplified input into a full EN 16931 invoice with public company data.

Seller and buyer come from "Recherche d'entreprises" (name, address, VAT id from the answer or derived from
the SIREN, legal form, state); a public buyer's Chorus Pro structure says whether a service code or an
engagement number is required. Every look-up is reported ("what was looked up is shown").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from fpcli.errors import FpcliError, InputError, InvoiceDataError
from fpcli.model.invoice import Invoice
from fpcli.model.load import parse_document, user_invoice, validation_problems
from fpcli.model.rules import FR_DEFAULT_NOTES
from fpcli.model.simplified import SimplifiedInvoice
from fpcli.remote.companies import Company, CompanyDirectory
from fpcli.remote.http import Http

# The three notes French law requires on B2B invoices (BR-FR-05), in their usual wording.
DEFAULT_NOTES = [{"subject": k, "text": v} for k, v in FR_DEFAULT_NOTES.items()]


@dataclass
class Expansion:
    invoices: list[Invoice]
    lookups: list[str] = field(default_factory=list)


class ChorusStructures:
    """Chorus Pro structure look-ups for public buyers (None when no Chorus Pro access is configured)."""

    def __init__(self, client: Any, offline: bool) -> None:
        from fpcli.remote.cache import JsonCache

        self.client = client
        self.offline = offline
        self.cache = JsonCache("chorus-structures", 24 * 3600.0)

    def get(self, siret: str) -> tuple[dict[str, Any] | None, str]:
        hit = self.cache.get(siret)
        if hit is not None:
            return hit[0], "cache"
        if self.offline or self.client is None:
            return None, "offline" if self.offline else "no Chorus Pro access configured"
        structure = self.client.structure(siret)
        self.cache.put(siret, structure)
        return structure, "Chorus Pro"


def _party(company: Company) -> dict[str, Any]:
    party: dict[str, Any] = {
        "name": company.name,
        "identifiers": [{"id": company.siret, "scheme": "0009"}],
        "legal_id": {"id": company.siren, "scheme": "0002"},
        "electronic_address": {"id": company.siren, "scheme": "0225"},
        "address": {
            "line1": company.address_line,
            "city": company.city,
            "postcode": company.postcode,
            "country": company.country,
        },
    }
    if company.vat_id:
        party["vat_id"] = company.vat_id
    if company.trade_name:
        party["trading_name"] = company.trade_name
    return party


def _describe(role: str, company: Company, how: str) -> str:
    where = ", ".join(p for p in (company.address_line, company.postcode, company.city) if p)
    form = f", {company.legal_form}" if company.legal_form else ""
    origin = "from the API" if company.vat_source == "api" else "derived from the SIREN"
    vat = f"VAT {company.vat_id} ({origin})"
    return f"{role} SIRET {company.siret}: {company.name}{form}, {where}, {vat} [{how}]"


def expand_one(
    simple: SimplifiedInvoice, source: str, where: str, companies: CompanyDirectory, chorus: ChorusStructures
) -> tuple[dict[str, Any], list[str]]:
    seller, seller_how = companies.by_siret(simple.seller.siret, source, f"{where}seller.siret")
    buyer, buyer_how = companies.by_siret(simple.buyer.siret, source, f"{where}buyer.siret")
    lookups = [_describe("seller", seller, seller_how), _describe("buyer", buyer, buyer_how)]
    seller_party = _party(seller)
    if seller.legal_form:
        seller_party["legal_info"] = seller.legal_form
    data: dict[str, Any] = {
        "number": simple.number,
        "issue_date": simple.issue_date.isoformat(),
        "type_code": "380",
        "currency": simple.currency,
        "due_date": (simple.due_date or simple.issue_date + dt.timedelta(days=30)).isoformat(),
        "business_process": simple.business_process,
        "notes": DEFAULT_NOTES,
        "seller": seller_party,
        "buyer": _party(buyer),
        "lines": [
            {
                "name": line.description,
                "quantity": str(line.quantity),
                "unit": line.unit,
                "unit_price": str(line.unit_price),
                "vat_category": "S" if line.vat_rate > Decimal(0) else "E",
                "vat_rate": str(line.vat_rate),
            }
            for line in simple.lines
        ],
    }
    if simple.vat_exemption_reason:
        exemption = {"category": "E", "reason": simple.vat_exemption_reason}
        if simple.vat_exemption_code:
            exemption["code"] = simple.vat_exemption_code
        data["vat_exemptions"] = [exemption]
    if simple.seller.iban:
        transfer = {"iban": simple.seller.iban, "account_name": seller.name}
        if simple.seller.bic:
            transfer["bic"] = simple.seller.bic
        data["payment"] = {
            "means_code": "30",
            "remittance_info": simple.number,
            "credit_transfers": [transfer],
        }
    if simple.buyer.service_code:
        data["buyer_reference"] = simple.buyer.service_code
    if simple.buyer.engagement:
        data["purchase_order_reference"] = simple.buyer.engagement
    if buyer.public:
        lookups.append(_public_buyer(simple, buyer, source, where, chorus))
    return data, lookups


def _public_buyer(
    simple: SimplifiedInvoice, buyer: Company, source: str, where: str, chorus: ChorusStructures
) -> str:
    structure, how = chorus.get(buyer.siret)
    if structure is None:
        return f"buyer {buyer.siret} is a public entity: Chorus Pro requirements not checked ({how})"
    services = [s["code"] for s in structure.get("services", []) if s.get("code")]
    if structure.get("service_code_required") and not simple.buyer.service_code:
        raise InputError.at(
            source,
            f"{where}buyer.service_code",
            f"{structure.get('name') or buyer.name} requires a Chorus Pro service code",
            hint=f"one of: {', '.join(services) or '(no active service listed)'}",
        )
    if simple.buyer.service_code and services and simple.buyer.service_code not in services:
        raise InputError.at(
            source,
            f"{where}buyer.service_code",
            f"`{simple.buyer.service_code}` is not an active service of "
            f"{structure.get('name') or buyer.name}",
            hint=f"one of: {', '.join(services)}",
        )
    if structure.get("engagement_required") and not simple.buyer.engagement:
        raise InputError.at(
            source,
            f"{where}buyer.engagement",
            f"{structure.get('name') or buyer.name} requires an engagement number (numéro d'engagement)",
        )
    flags = (("service code", "service_code_required"), ("engagement", "engagement_required"))
    needs = ", ".join(n for n, k in flags if structure.get(k)) or "nothing more"
    return f"buyer {buyer.siret} on Chorus Pro: structure {structure.get('id')}, requires {needs} [{how}]"


def expand(data: bytes, source: str, companies: CompanyDirectory, chorus: ChorusStructures) -> Expansion:
    raw = parse_document(data, source)
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise InputError.at(source, None, "no invoice in the input")
    expansion = Expansion([])
    problems: list[str] = []
    for i, item in enumerate(items):
        prefix: tuple[int | str, ...] = (i,) if isinstance(raw, list) else ()
        where = f"[{i}]." if prefix else ""
        try:
            simple = SimplifiedInvoice.model_validate(item)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, prefix, SimplifiedInvoice))
            continue
        full, lookups = expand_one(simple, source, where, companies, chorus)
        expansion.lookups += lookups
        invoice = user_invoice(full, prefix, problems)
        if invoice is not None:
            expansion.invoices.append(invoice)
    if problems:
        raise InvoiceDataError(source, problems)
    return expansion


def expand_file(data: bytes, source: str, *, offline: bool, profile: str | None) -> Expansion:
    """`expand` with the look-up services opened for this input and closed after it."""
    with Http() as http:
        return expand(data, source, *open_sources(http, offline, profile))


def open_sources(http: Http, offline: bool, profile: str | None) -> tuple[CompanyDirectory, ChorusStructures]:
    """The look-up services: Recherche d'entreprises always; Chorus Pro when the profile or env has access."""
    from fpcli.remote.chorus import ChorusClient, resolve_chorus

    client = None
    try:
        target = resolve_chorus(profile)
        if target.settings.client_id and target.settings.technical_login:
            client = ChorusClient(target, http)
    except FpcliError:
        client = None  # no profile at all: Recherche d'entreprises only
    return CompanyDirectory(http, offline=offline), ChorusStructures(client, offline)
