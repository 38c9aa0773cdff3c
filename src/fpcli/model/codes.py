"""Code lists the model checks against (UNTDID 1001, 5305, 4461; ISO 4217/3166 shapes)."""

from __future__ import annotations

# UNTDID 1001 document types usable as BT-3 (EN 16931 code list).
INVOICE_TYPE_CODES: frozenset[str] = frozenset(
    [
        "71",
        "80",
        "81",
        "82",
        "83",
        "84",
        "102",
        "130",
        "202",
        "203",
        "204",
        "211",
        "218",
        "219",
        "261",
        "262",
        "295",
        "296",
        "308",
        "325",
        "326",
        "331",
        "380",
        "381",
        "382",
        "383",
        "384",
        "385",
        "386",
        "387",
        "388",
        "389",
        "390",
        "393",
        "394",
        "395",
        "396",
        "420",
        "456",
        "457",
        "458",
        "471",
        "472",
        "473",
        "500",
        "501",
        "502",
        "503",
        "527",
        "532",
        "553",
        "575",
        "623",
        "633",
        "751",
        "780",
        "817",
        "870",
        "875",
        "876",
        "877",
        "935",
    ]
)
# Credit notes: amounts are stated positive, the type says they are a credit.
CREDIT_NOTE_TYPE_CODES: frozenset[str] = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "502", "503", "532"}
)

# UNTDID 5305 VAT categories used by EN 16931 (BT-95/102/118/151).
VAT_CATEGORIES: frozenset[str] = frozenset({"S", "Z", "E", "AE", "K", "G", "O", "L", "M"})


def unknown_vat_category(value: str) -> str:
    from fpcli.model.codelists import suggest

    hint = " or ".join(f"`{c}`" for c in suggest("vat_category", value))
    return f"unknown VAT category `{value}` (BT-151 / BT-95 / BT-102)" + (
        f"; did you mean {hint}?" if hint else ""
    )


# Categories that need an exemption reason (BT-120) or code (BT-121) in the VAT breakdown.
EXEMPT_CATEGORIES: frozenset[str] = frozenset({"E", "AE", "K", "G", "O"})
# Categories whose rate is always 0 (BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05); O has no rate at all.
ZERO_RATE_CATEGORIES: frozenset[str] = frozenset({"Z", "E", "AE", "K", "G"})

# Default exemption reasons (VATEX code list) where the category fully determines the legal basis.
DEFAULT_EXEMPTIONS: dict[str, tuple[str, str]] = {
    "AE": ("VATEX-EU-AE", "Autoliquidation"),
    "K": ("VATEX-EU-IC", "Exonération de TVA, article 262 ter I du CGI (livraison intracommunautaire)"),
    "G": ("VATEX-EU-G", "Exonération de TVA, article 262 I du CGI (exportation hors UE)"),
    "O": ("VATEX-EU-O", "Hors champ d'application de la TVA"),
}

# French mandatory note subjects (UNTDID 4451) carried in BG-1.
FR_NOTE_SUBJECTS: dict[str, str] = {
    "PMT": "indemnité forfaitaire pour frais de recouvrement",
    "PMD": "pénalités de retard",
    "AAB": "escompte",
}

# Payment means codes (UNTDID 4461) that need an IBAN (BR-50 / BR-61).
CREDIT_TRANSFER_MEANS: frozenset[str] = frozenset({"30", "58"})
DIRECT_DEBIT_MEANS: frozenset[str] = frozenset({"49", "59"})
CARD_MEANS: frozenset[str] = frozenset({"48", "54", "55"})
