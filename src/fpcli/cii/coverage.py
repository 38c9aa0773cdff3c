"""Which business terms each Factur-X profile carries (Factur-X 1.09 profile tables).

A term maps to the lowest profile that carries it; every higher profile carries it too. Terms absent from
this table are EN16931-level. The writer reports data the chosen profile cannot carry.
"""

from __future__ import annotations

from fpcli.cii.profile import Profile

M, WL, B, EN, X = Profile.MINIMUM, Profile.BASIC_WL, Profile.BASIC, Profile.EN16931, Profile.EXTENDED

LOWEST_PROFILE: dict[str, Profile] = {
    # MINIMUM
    **dict.fromkeys(
        [
            "BT-1",
            "BT-2",
            "BT-3",
            "BT-5",
            "BT-10",
            "BT-13",
            "BT-23",
            "BT-24",
            "BT-27",
            "BT-30",
            "BT-31",
            "BT-32",
            "BT-40",
            "BT-44",
            "BT-47",
            "BT-109",
            "BT-110",
            "BT-112",
            "BT-115",
        ],
        M,
    ),
    # BASIC WL: header-level data, no lines
    **dict.fromkeys(
        [
            "BG-1",
            "BT-6",
            "BT-7",
            "BT-8",
            "BT-9",
            "BT-12",
            "BT-16",
            "BT-19",
            "BT-20",
            "BT-28",
            "BT-29",
            "BT-34",
            "BG-5",
            "BT-46",
            "BT-48",
            "BT-49",
            "BG-8",
            "BG-3",
            "BG-10",
            "BG-11",
            "BG-13",
            "BG-14",
            "BT-81",
            "BT-83",
            "BT-84",
            "BT-89",
            "BT-90",
            "BT-91",
            "BG-20",
            "BG-21",
            "BG-22",
            "BG-23",
        ],
        WL,
    ),
    # BASIC: lines with price, quantity, VAT, period and allowances/charges
    **dict.fromkeys(
        ["BG-25", "BT-127", "BT-157", "BG-26", "BG-27", "BG-28", "BT-147", "BT-148", "BT-149"], B
    ),
    # EXTENDED only (Factur-X extension terms, named here by their CII element)
    "EXT-INVOICEE": X,
    "EXT-DISCOUNT-TERMS": X,
    "EXT-ADVANCE-PAYMENTS": X,
    "EXT-PACKAGE-QUANTITY": X,
    "EXT-LINE-GROUPS": X,
    "EXT-LINE-SELLER": X,
    "EXT-SUB-INVOICE": X,
    "EXT-LINE-VAT-POINT": X,
    "EXT-DOCUMENT-NAME": X,
    "EXT-TEST-INDICATOR": X,
    "EXT-NOTE-CONTENT-CODE": X,
    "EXT-DELIVERY-NOTE": X,
    "EXT-PRICE-DISCOUNT-REASON": X,
    "EXT-SHIP-TO-CONTACT": X,
    "EXT-SHIP-TO-ADDRESS": X,
    "EXT-PAYEE-DETAILS": X,
    "EXT-EXCHANGE-RATE": X,
}

LABELS: dict[str, str] = {
    "BG-1": "invoice notes",
    "BT-11": "project reference",
    "BT-14": "sales order reference",
    "BT-15": "receiving advice reference",
    "BT-17": "tender reference",
    "BT-18": "invoiced object identifier",
    "BG-24": "supporting documents",
    "BT-33": "seller additional legal information",
    "BT-45": "buyer trading name",
    "BG-6": "seller contact",
    "BG-9": "buyer contact",
    "BT-82": "payment means text",
    "BT-85": "account name",
    "BT-86": "BIC",
    "BG-18": "payment card",
    "BG-25": "invoice lines",
    "BT-154": "item description",
    "BT-155": "seller item id",
    "BT-156": "buyer item id",
    "BT-158": "item classification",
    "BT-159": "item origin country",
    "BG-32": "item attributes",
    "BT-128": "line object identifier",
    "BT-132": "order line reference",
    "BT-133": "line accounting reference",
    "BT-29": "seller identifiers",
    "BT-46": "buyer identifiers",
    "BT-34": "seller electronic address",
    "BT-49": "buyer electronic address",
    "EXT-INVOICEE": "invoicee (InvoiceeTradeParty)",
    "EXT-DISCOUNT-TERMS": "early-payment discount terms (ApplicableTradePaymentDiscountTerms)",
    "EXT-ADVANCE-PAYMENTS": "advance payments (SpecifiedAdvancePayment)",
    "EXT-PACKAGE-QUANTITY": "line package quantities (PackageQuantity)",
    "EXT-LINE-GROUPS": "line groups and sub-lines (LineStatusReasonCode GROUP/DETAIL, EXT-FR-FE-162/163)",
    "EXT-LINE-SELLER": "line seller of a multi-vendor invoice (ItemSellerTradeParty, EXT-FR-FE-164..177)",
    "EXT-SUB-INVOICE": "sub-invoice number of a multi-vendor line (BT-128 scheme AFL)",
    "EXT-LINE-VAT-POINT": "line VAT due date code (EXT-FR-FE-180)",
    "EXT-DOCUMENT-NAME": "document name (ExchangedDocument/Name)",
    "EXT-TEST-INDICATOR": "test indicator (TestIndicator)",
    "EXT-NOTE-CONTENT-CODE": "note content codes (IncludedNote/ContentCode)",
    "EXT-DELIVERY-NOTE": "delivery note reference (DeliveryNoteReferencedDocument)",
    "EXT-PRICE-DISCOUNT-REASON": "item price discount reasons",
    "EXT-SHIP-TO-CONTACT": "deliver-to contact (ShipToTradeParty/DefinedTradeContact)",
    "EXT-SHIP-TO-ADDRESS": "deliver-to electronic address",
    "EXT-PAYEE-DETAILS": "payee role code, postal and electronic address",
    "EXT-EXCHANGE-RATE": "tax currency exchange rate (TaxApplicableTradeCurrencyExchange)",
}


def carries(profile: Profile, term: str) -> bool:
    return profile.at_least(LOWEST_PROFILE.get(term, EN))
