"""`fpcli preflight`: what would happen if an invoice were sent, without sending it.

For each invoice: the flow it belongs to (domestic B2B through the PAs, international B2B -> e-reporting
10.1, B2C -> e-reporting 10.3, public buyer -> Chorus Pro), the seller's and buyer's electronic addresses
(BT-34 / BT-49) and public-sector identifiers looked up in the PA's Directory Service, the rule sets
`fpcli validate` applies and the reform phase on the invoice date. Ready means: no reason of severity error.

Directory answers are cached on disk (the directory is the national one that every PA mirrors, so the cache
is keyed by the look-up alone); `offline` answers from the cache only, stale entries included, saying so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from fpcli.errors import FpcliError
from fpcli.model.invoice import Identifier, Invoice, Party
from fpcli.remote.cache import JsonCache

Severity = Literal["error", "warning", "info"]
SCHEMA_VERSION = 1
DEFAULT_MAX_AGE = 24 * 3600.0
NOT_ASKED = "not asked"  # Lookup.source of a question the directory in use cannot answer
SIRET, SIREN, ROUTING, ADDRESS = "0009", "0002", "0224", "0225"
# Document types a buyer issues on the seller's behalf (self-billing): BR-FR-22 checks BT-34 then, not BT-49.
SELF_BILLED = ("389", "501", "500", "471", "473", "261", "502")
# Reform calendar (loi de finances 2024, art. 91): receiving for all and issuing for large and mid-size
# companies from 1 September 2026; issuing for small companies from 1 September 2027.
RECEIVE_ALL = dt.date(2026, 9, 1)
ISSUE_ALL = dt.date(2027, 9, 1)

FLOWS = {
    "domestic-b2b": ("B2B", "e-invoice through the PAs (flux 1/2)"),
    "public": ("B2G", "Chorus Pro (public buyer)"),
    "international-b2b": ("B2BInt", "e-reporting flux 10.1 (transaction data), no e-invoice to the buyer"),
    "b2c": ("B2C", "e-reporting flux 10.3 (aggregated sales), no e-invoice to the buyer"),
    "out-of-scope": ("OutOfScope", "outside the French e-invoicing reform"),
}
BAR = {
    "B2B": None,
    "B2BINT": "international-b2b",
    "B2C": "b2c",
    "B2CINT": "b2c",
    "OUTOFSCOPE": "out-of-scope",
    "ARCHIVEONLY": "out-of-scope",
}


@dataclass(frozen=True)
class Reason:
    code: str
    severity: Severity
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "message": self.message}


@dataclass
class Lookup:
    """One Directory Service answer: `found` None when it could not be asked (offline, not cached)."""

    what: str  # "directory line 732829320", "facility 11004301500012", …
    found: bool | None
    record: dict[str, Any] | None
    source: str  # "directory", "cache", "cache (stale)", "none"
    age: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "found": self.found,
            "source": self.source,
            "age_seconds": round(self.age) if self.age is not None else None,
            "record": self.record,
        }


class Directory:
    """Directory look-ups through a cache. `get` is `DirectoryService.get`, or None offline."""

    name = "directory"

    def __init__(
        self,
        get: Callable[[str], dict[str, Any]] | None,
        *,
        max_age: float = DEFAULT_MAX_AGE,
        root: Path | None = None,
        cache: str = "directory",
    ) -> None:
        self.get = get
        self.cache = JsonCache(cache, max_age, root)

    def look(self, what: str, path: str) -> Lookup:
        from fpcli.remote.http import RemoteNotFound

        hit = self.cache.get(path, allow_stale=self.get is None)
        if hit is not None:
            value, age = hit
            stale = age > self.cache.ttl
            return Lookup(what, value is not None, value, "cache (stale)" if stale else "cache", age)
        if self.get is None:
            return Lookup(what, None, None, "none")
        try:
            record: dict[str, Any] | None = self.get(path)
        except RemoteNotFound:
            record = None  # a "no" is an answer too: cached like a "yes"
        self.cache.put(path, record)
        return Lookup(what, record is not None, record, "directory", 0.0)

    def line(self, addressing_id: str) -> Lookup:
        return self.look(
            f"directory line {addressing_id}", f"/v1/directory-line/code:{quote(addressing_id, safe='')}"
        )

    def siren(self, siren: str) -> Lookup:
        return self.look(f"legal unit {siren}", f"/v1/siren/code-insee:{quote(siren, safe='')}")

    def siret(self, siret: str) -> Lookup:
        return self.look(f"facility {siret}", f"/v1/siret/code-insee:{quote(siret, safe='')}")

    def routing_code(self, siret: str, code: str) -> Lookup:
        return self.look(
            f"routing code {code} of {siret}",
            f"/v1/routing-code/siret:{quote(siret, safe='')}/code:{quote(code, safe='')}",
        )


class ChorusStructures(Directory):
    """Public-sector look-ups through Chorus Pro's own structure search, for sending to Chorus Pro without a
    PA: a facility (SIRET), whether it requires a service code or a legal commitment number, and its active
    services, in the shape the PA directory gives them (`b2gAdditionalData`, routing codes). Chorus Pro has
    no directory lines and no legal units: those are not asked (`NOT_ASKED`); an invoice sent to Chorus Pro
    has a public buyer, looked up by its SIRET. `structure` is `ChorusClient.structure`, or None offline."""

    name = "Chorus Pro structures"

    def __init__(
        self,
        structure: Callable[[str], dict[str, Any]] | None,
        *,
        scope: str = "",
        max_age: float = DEFAULT_MAX_AGE,
        root: Path | None = None,
    ) -> None:
        import hashlib

        # Sandbox and production hold different structures: one cache per Chorus Pro API (`scope`).
        cache = "chorus-structures-" + hashlib.sha256(scope.encode()).hexdigest()[:12]
        super().__init__(None if structure is None else self._get, max_age=max_age, root=root, cache=cache)
        self.structure = structure
        self._seen: dict[str, dict[str, Any]] = {}

    def _facility(self, siret: str) -> dict[str, Any]:
        assert self.structure is not None
        if siret not in self._seen:  # one structure answer serves the facility and its services
            self._seen[siret] = self.structure(siret)
        return self._seen[siret]

    def _get(self, key: str) -> dict[str, Any]:
        from fpcli.remote.http import RemoteNotFound

        kind, siret, code = [*key.split(":", 2), ""][:3]
        info = self._facility(siret)
        if kind == "siret":
            return {
                "siret": siret,
                "name": info.get("name"),
                "idStructureCPP": info.get("id"),
                "b2gAdditionalData": {
                    "serviceCodeStatus": bool(info.get("service_code_required")),
                    "managesLegalCommitmentCode": bool(info.get("engagement_required")),
                },
            }
        for service in info.get("services") or []:
            if service.get("code") == code:
                return {"siret": siret, "routingIdentifier": code, "routingCodeName": service.get("name")}
        raise RemoteNotFound(f"Chorus Pro: structure {siret} has no active service `{code}`")

    def line(self, addressing_id: str) -> Lookup:
        return Lookup(f"directory line {addressing_id}", None, None, NOT_ASKED)

    def siren(self, siren: str) -> Lookup:
        return Lookup(f"legal unit {siren}", None, None, NOT_ASKED)

    def siret(self, siret: str) -> Lookup:
        return self.look(f"Chorus Pro structure {siret}", f"siret:{siret}")

    def routing_code(self, siret: str, code: str) -> Lookup:
        return self.look(f"service {code} of Chorus Pro structure {siret}", f"service:{siret}:{code}")


@dataclass
class PublicIds:
    """The public-sector identifiers as XP Z12-012 annex A reads them."""

    siret: str | None  # BT-46 with scheme 0009
    service_code: str | None  # routing code: BT-46 with scheme 0224, else the BT-49 suffix, else BT-10
    service_code_from: str | None
    engagement: str | None  # BT-13 purchase order reference (numéro d'engagement)

    def to_dict(self) -> dict[str, Any]:
        return {
            "siret": self.siret,
            "service_code": self.service_code,
            "service_code_from": self.service_code_from,
            "engagement": self.engagement,
        }


@dataclass
class PreflightResult:
    source: str
    number: str | None = None
    issue_date: dt.date | None = None
    flow: str | None = None
    processing_rule: str | None = None
    route: str | None = None
    phase: str | None = None
    rule_sets: list[dict[str, str]] = field(default_factory=list)
    public: PublicIds | None = None
    lookups: list[Lookup] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    rules_failed: bool = False  # the official rules (as `fpcli validate` runs them) found errors

    @property
    def ready(self) -> bool:
        return not any(r.severity == "error" for r in self.reasons)

    def add(self, code: str, severity: Severity, message: str) -> None:
        self.reasons.append(Reason(code, severity, message))

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ready": self.ready,
            "invoice_number": self.number,
            "issue_date": self.issue_date.isoformat() if self.issue_date else None,
            "flow": self.flow,
            "processing_rule": self.processing_rule,
            "route": self.route,
            "phase": self.phase,
            "rules_failed": self.rules_failed,
            "rule_sets": self.rule_sets,
            "public": self.public.to_dict() if self.public else None,
            "lookups": [lk.to_dict() for lk in self.lookups],
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass
class PreflightBatch:
    results: list[PreflightResult]
    offline: bool

    @property
    def exit_code(self) -> int:
        return 0 if all(r.ready for r in self.results) else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "offline": self.offline,
            "ready": sum(r.ready for r in self.results),
            "not_ready": sum(not r.ready for r in self.results),
            "invoices": [r.to_dict() for r in self.results],
        }


# -- reading ------------------------------------------------------------------------------------------------
def _read(path: str, result: PreflightResult) -> list[Invoice]:
    """The invoices of one file; XML and PDF invoices are also checked as `fpcli validate` checks them."""
    from fpcli.fileio import read_input

    data = read_input(path)
    if Path(path).suffix.lower() in (".json", ".yaml", ".yml"):
        from fpcli.model.load import load_invoices

        result.add("NOT-CHECKED", "info", "JSON/YAML input: the official rules run when it is generated")
        return load_invoices(data, path)
    from fpcli.convert import read_invoice
    from fpcli.validation.checks import ValidateOptions, validate_bytes

    report = validate_bytes(data, path, ValidateOptions())
    result.rule_sets = [{"id": r.id, "title": r.title, "version": r.version} for r in report.rule_sets]
    result.rules_failed = bool(report.errors) or report.unreadable
    for f in report.errors[:20]:
        where = f" (XML line {f.line})" if f.line else ""
        result.add(f.rule_id, "error", f"{f.message}{where}")
    if len(report.errors) > 20:
        result.add("RULES", "error", f"… {len(report.errors) - 20} more (`fpcli validate` lists them all)")
    if report.unreadable:
        return []
    return [read_invoice(data, path).invoice]


# -- classification -----------------------------------------------------------------------------------------
def _country(party: Party) -> str | None:
    if party.address is not None:
        return party.address.country
    if party.vat_id and party.vat_id[:2].isalpha():
        return party.vat_id[:2].upper()
    return None


def _ids(party: Party, scheme: str) -> list[str]:
    return [i.id for i in party.identifiers if i.scheme == scheme]


def _siren(party: Party) -> str | None:
    legal: Identifier | None = party.legal_id
    if legal is not None and legal.scheme in (SIREN, None) and len(legal.id) == 9 and legal.id.isdigit():
        return legal.id
    sirets = _ids(party, SIRET)
    return sirets[0][:9] if sirets else None


def _bar(invoice: Invoice) -> str | None:
    for note in invoice.notes:
        if note.subject == "BAR":
            return note.text.strip().upper()
    return None


def _phase(day: dt.date) -> str:
    if day < RECEIVE_ALL:
        return f"before {RECEIVE_ALL}: e-invoicing not yet mandatory on this date"
    if day < ISSUE_ALL:
        return (
            "receiving mandatory for all; issuing for large and mid-size companies (small: from 2027-09-01)"
        )
    return "receiving and issuing mandatory for all companies"


def classify(invoice: Invoice, directory: Directory, result: PreflightResult) -> str:
    """The flow this invoice belongs to, with the look-ups that decided it."""
    bar = _bar(invoice)
    if bar is not None and bar not in BAR:
        result.add("BAR", "error", f"BT-22 note BAR says `{bar}`: not one of {', '.join(BAR)}")
    elif bar is not None and BAR[bar]:
        return str(BAR[bar])
    # A party whose country is not stated (no address, no VAT number) is taken as French.
    seller, buyer = _country(invoice.seller) or "FR", _country(invoice.buyer) or "FR"
    if seller != "FR" and buyer != "FR":
        return "out-of-scope"
    siren = _siren(invoice.buyer)
    if siren is None and not invoice.buyer.vat_id and buyer == "FR":
        return "b2c"
    if seller != "FR" or buyer != "FR":
        return "international-b2b"
    if siren is None:
        return "domestic-b2b"
    unit = directory.siren(siren)
    result.lookups.append(unit)
    _stale(unit, result)
    if unit.source == NOT_ASKED:  # Chorus Pro's structures only: the invoice goes to Chorus Pro
        result.add(
            "FLOW-CHORUS",
            "info",
            f"buyer {siren}: sent to Chorus Pro, so a public buyer; its facility is looked up in "
            f"{directory.name}",
        )
        return "public"
    if unit.found is None:
        # Offline and not cached: INSEE gives public bodies SIRENs starting with 1 or 2; say it is a guess.
        guess = "public" if siren[0] in "12" else "domestic-b2b"
        result.add(
            "FLOW-GUESSED", "warning", f"buyer {siren} not in the cache: flow {guess} guessed from the SIREN"
        )
        return guess
    record = unit.record or {}
    return "public" if record.get("entityType") == "Public" else "domestic-b2b"


# -- checks per flow ----------------------------------------------------------------------------------------
def _address(party: Party) -> Identifier | None:
    return party.electronic_address


def _line(
    directory: Directory, role: str, party: Party, result: PreflightResult, *, required: bool
) -> Lookup | None:
    term = "BT-34" if role == "seller" else "BT-49"
    address = _address(party)
    severity: Severity = "error" if required else "warning"
    if address is None:
        result.add(f"{term}-MISSING", severity, f"the {role} has no electronic address ({term})")
        return None
    siren = _siren(party)
    if address.scheme != ADDRESS or (siren and not address.id.startswith(siren)):
        result.add(
            f"{term}-FORM",
            severity,
            f"{term} `{address.id}` (scheme {address.scheme}): a French address has scheme {ADDRESS} and "
            f"starts with the SIREN{f' {siren}' if siren else ''}",
        )
    found = directory.line(address.id)
    result.lookups.append(found)
    _stale(found, result)
    if found.source == NOT_ASKED:
        result.add(
            f"{term}-NOT-CHECKED",
            "info",
            f"{term} `{address.id}`: not checked, {directory.name} have no directory lines (no PA profile); "
            "Chorus Pro routes by the buyer's SIRET and service code",
        )
        return found
    if found.found is None:
        result.add("OFFLINE", "error", f"{found.what}: not in the cache; run without `--offline` once")
    elif not found.found:
        result.add(
            f"{term}-UNKNOWN", severity, f"{term} `{address.id}`: the {role} has no line in the PA directory"
        )
    elif (status := (found.record or {}).get("directoryLineStatus")) not in (None, "Enabled"):
        result.add(
            f"{term}-{str(status).upper()}",
            severity,
            f"{term} `{address.id}`: the directory line is {status}",
        )
    return found


def _stale(found: Lookup, result: PreflightResult) -> None:
    if found.source == "cache (stale)" and found.age is not None:
        hours = found.age / 3600
        result.add(
            "CACHE-STALE", "warning", f"{found.what}: cached {hours:.0f} h ago, past the cache's expiry"
        )


def public_ids(invoice: Invoice) -> PublicIds:
    buyer = invoice.buyer
    sirets = _ids(buyer, SIRET)
    code, source = None, None
    if routing := _ids(buyer, ROUTING):
        code, source = routing[0], f"BT-46 scheme {ROUTING}"
    elif buyer.electronic_address and buyer.electronic_address.id.count("_") >= 2:
        code, source = buyer.electronic_address.id.split("_", 2)[2], "BT-49 (SIREN_SIRET_CODE)"
    elif invoice.buyer_reference:
        code, source = invoice.buyer_reference, "BT-10"
    return PublicIds(sirets[0] if sirets else None, code, source, invoice.purchase_order_reference)


def _public(invoice: Invoice, directory: Directory, result: PreflightResult) -> None:
    ids = result.public = public_ids(invoice)
    if ids.siret is None:
        result.add(
            "BT-46-SIRET", "error", f"a public buyer is addressed by its SIRET: BT-46 with scheme {SIRET}"
        )
        return
    facility = directory.siret(ids.siret)
    result.lookups.append(facility)
    _stale(facility, result)
    record = facility.record or {}
    if facility.found is None:
        result.add("OFFLINE", "error", f"{facility.what}: not in the cache; run without `--offline` once")
        return
    if not facility.found:
        result.add("BT-46-UNKNOWN", "error", f"BT-46 SIRET `{ids.siret}`: not in the {directory.name}")
        return
    if record.get("administrativeStatus") == "C":
        result.add("BT-46-CLOSED", "error", f"BT-46 SIRET `{ids.siret}`: the facility is closed")
    b2g = record.get("b2gAdditionalData") or {}
    needs_code, needs_engagement = (
        bool(b2g.get("serviceCodeStatus")),
        bool(b2g.get("managesLegalCommitmentCode")),
    )
    if ids.service_code is not None:
        code = directory.routing_code(ids.siret, ids.service_code)
        result.lookups.append(code)
        _stale(code, result)
        if code.found is False:
            result.add(
                "SERVICE-CODE-UNKNOWN",
                "error",
                f"service code `{ids.service_code}` ({ids.service_code_from}): "
                f"not a routing code of {ids.siret}",
            )
        elif code.record is not None:
            needs_engagement = needs_engagement or bool(code.record.get("managesLegalCommitmentCode"))
            if code.record.get("administrativeStatus") == "C":
                result.add("SERVICE-CODE-CLOSED", "error", f"service code `{ids.service_code}` is closed")
        if ids.service_code_from == "BT-10":
            result.add(
                "SERVICE-CODE-BT10",
                "warning",
                f"service code read from BT-10 only; annex A reads it from BT-46 with scheme {ROUTING}",
            )
    elif needs_code:
        result.add(
            "SERVICE-CODE-MISSING",
            "error",
            f"{ids.siret} requires a service code: BT-46 with scheme {ROUTING}",
        )
    if needs_engagement and not ids.engagement:
        result.add("ENGAGEMENT-MISSING", "error", "the buyer requires a legal commitment number (BT-13)")
    if b2g.get("managesLegalCommitmentOrServiceCode") and not (ids.service_code or ids.engagement):
        result.add(
            "CODE-OR-ENGAGEMENT",
            "error",
            "the buyer requires a service code (BT-46 scheme 0224) or a commitment number (BT-13)",
        )


def preflight_invoice(invoice: Invoice, directory: Directory, result: PreflightResult) -> None:
    result.number, result.issue_date = invoice.number, invoice.issue_date
    result.phase = _phase(invoice.issue_date)
    flow = result.flow = classify(invoice, directory, result)
    result.processing_rule, result.route = FLOWS[flow]
    if flow in ("domestic-b2b", "public"):
        self_billed = invoice.type_code in SELF_BILLED
        _line(directory, "seller", invoice.seller, result, required=self_billed)
        if flow == "domestic-b2b":
            _line(directory, "buyer", invoice.buyer, result, required=not self_billed)
        else:
            _public(invoice, directory, result)
    elif flow == "out-of-scope":
        result.add("OUT-OF-SCOPE", "info", "nothing to send to a PA for this invoice")


def preflight_files(paths: list[str], directory: Directory, *, offline: bool) -> PreflightBatch:
    """One result per invoice (a file holding a list gives one per invoice); a file that cannot be read is
    that file's reason, never the end of the batch. Remote failures (PA down, credentials) do end it."""
    results: list[PreflightResult] = []
    for path in paths:
        head = PreflightResult(path)
        try:
            invoices = _read(path, head)
        except FpcliError as exc:
            for line in exc.message.splitlines():  # one reason per problem (input errors list several)
                head.add("UNREADABLE", "error", line)
            results.append(head)
            continue
        if not invoices:
            results.append(head)
        for invoice in invoices:
            result = PreflightResult(
                path, rule_sets=head.rule_sets, reasons=list(head.reasons), rules_failed=head.rules_failed
            )
            preflight_invoice(invoice, directory, result)
            results.append(result)
    return PreflightBatch(results, offline)
