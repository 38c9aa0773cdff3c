"""The structure of an e-reporting transmission (flux 10, DGFiP/PPF `Report` schema, elements without a
namespace), declared for `fpcli.xmlshape`. TB/TG/TT ids are those of the DGFiP annex."""

from __future__ import annotations

from fpcli.xmlshape import Attr, El, Simple, seq

N = None
S = Simple("string")
DEC = Simple("decimal")
INT = Simple("integer")


def e(name: str, content: Simple | object = S, min: int = 1, max: int | None = 1) -> El:
    return El(name, content, min, max)  # type: ignore[arg-type]


def _with(attr: str, kind: str = "decimal", *, required: bool = True) -> Simple:
    return Simple(kind, (Attr(attr, required),))


def _party_header() -> El:
    return e("URIUniversalCommunication", seq(e("URIID")), 0)


REPORT_DOCUMENT = seq(
    e("Id"),  # TT-1
    e("Name", S, 0),
    e("IssueDateTime", seq(e("DateTimeString"))),  # TT-3
    e("TypeCode"),  # TT-4: IN / RE
    e("Sender", seq(e("Id", _with("schemeId", "string")), e("Name"), e("RoleCode"), _party_header())),
    e("Issuer", seq(e("Id", _with("schemeId", "string")), e("Name"), e("RoleCode"), _party_header())),
)

PERIOD = seq(e("StartDate"), e("EndDate"))
_VAT_ID = _with("qualifyingId", "string")
INVOICE = seq(
    e("ID"),  # TT-19
    e("IssueDate"),
    e("TypeCode"),
    e("CurrencyCode"),
    e("DueDate", S, 0),
    e("TaxDueDateTypeCode", S, 0),
    e("IncludedNote", seq(e("Subject", S, 0), e("Content", S, 0)), 0, N),
    e("BusinessProcess", seq(e("ID"), e("TypeID"))),
    e("ReferencedDocument", seq(e("ID"), e("IssueDate", S, 0)), 0, N),
    e(
        "Seller",
        seq(
            e("CompanyId", _with("schemeId", "string")),
            e("TaxRegistrationId", _VAT_ID, 0),
            e("PostalAddress", seq(e("CountryId")), 0),
        ),
    ),
    e(
        "Buyer",
        seq(
            e("CompanyId", _with("schemeId", "string"), 0),
            e("TaxRegistrationId", _VAT_ID, 0),
            e("PostalAddress", seq(e("CountryId")), 0),
        ),
        0,
    ),
    e("SellerTaxRepresentative", seq(e("TaxRegistrationId", _with("schemeId", "string"))), 0),
    e(
        "Delivery",
        seq(
            e("Date", S, 0),
            e(
                "Location",
                seq(
                    *(
                        e(n, S, 0)
                        for n in (
                            "LineOne",
                            "LineTwo",
                            "LineThree",
                            "CityName",
                            "PostalZone",
                            "CountrySubentity",
                            "CountryId",
                        )
                    )
                ),
                0,
            ),
        ),
        0,
        N,
    ),
    e("InvoicePeriod", seq(e("StartDate", S, 0), e("EndDate", S, 0)), 0),
    e(
        "AllowanceCharge",
        seq(
            e("Amount", DEC, 0),
            e("TaxCategoryCode", S, 0),
            e("TaxPercent", DEC, 0),
            attrs=(Attr("ChargeIndicator", True, "boolean"),),
        ),
        0,
        N,
    ),
    e("MonetaryTotal", seq(e("TaxExclusiveAmount", DEC, 0), e("TaxAmount", _with("CurrencyCode")))),
    e(
        "TaxSubTotal",
        seq(
            e("TaxableAmount", DEC),
            e("TaxAmount", DEC),
            e(
                "TaxCategory",
                seq(
                    e("Code", S, 0),
                    e("Percent", DEC),
                    e("TaxExemptionReason", S, 0),
                    e("TaxExemptionReasonCode", S, 0),
                ),
            ),
        ),
        1,
        N,
    ),
    e(
        "Line",
        seq(
            e("Note", seq(e("Code", S, 0), e("Comment", S, 0)), 0, N),
            e("BilledQuantity", Simple("decimal", (Attr("UnitCode"),)), 0),
            e("ReferencedDocument", seq(e("ID", S, 0), e("IssueDate", S, 0)), 0),
            e(
                "Delivery",
                seq(
                    e("Name", S, 0),
                    e(
                        "Location",
                        seq(
                            *(e(n, S, 0) for n in ("LineOne", "CityName", "PostalZone", "CountrySubentity")),
                            e("CountryId"),
                        ),
                        0,
                    ),
                ),
                0,
            ),
            e("InvoicePeriod", seq(e("StartDate", S, 0), e("EndDate", S, 0)), 0),
            e(
                "AllowanceCharge",
                seq(e("Amount", DEC), attrs=(Attr("ChargeIndicator", True, "boolean"),)),
                0,
                N,
            ),
            e(
                "Price",
                seq(
                    e("PriceAmount", DEC, 0),
                    e("AllowanceChargeAmount", DEC, 0),
                    e("AllowanceChargeBaseAmount", DEC, 0),
                ),
                0,
            ),
            e("Product", seq(e("Name")), 0),
        ),
        0,
        N,
    ),
)
TRANSACTIONS = seq(
    e("Date"),  # TT-77
    e("TransactionsCurrency"),
    e("TaxDueDateTypeCode", S, 0),
    e("CategoryCode"),  # TLB1, TPS1, TNT1, TMA1
    e("TaxExclusiveAmount", DEC),
    e("TaxTotal", DEC),
    e("TransactionsCount", INT, 0),
    e("TaxSubtotal", seq(e("TaxPercent", DEC), e("TaxableAmount", DEC), e("TaxTotal", DEC)), 1, N),
)
TRANSACTIONS_REPORT = seq(
    e("ReportPeriod", PERIOD), e("Invoice", INVOICE, 0, N), e("Transactions", TRANSACTIONS, 0, N)
)

_PAYMENT = seq(
    e("Date"),
    e("SubTotals", seq(e("TaxPercent", DEC), e("CurrencyCode", S, 0), e("Amount", DEC)), 1, N),
)
PAYMENTS_REPORT = seq(
    e("ReportPeriod", PERIOD),
    e("Invoice", seq(e("InvoiceID"), e("IssueDate"), e("Payment", _PAYMENT)), 0, N),
    e("Transactions", seq(e("Payment", _PAYMENT)), 0, N),
)

REPORT: El = e(
    "Report",
    seq(
        e("ReportDocument", REPORT_DOCUMENT),
        e("TransactionsReport", TRANSACTIONS_REPORT, 0),
        e("PaymentsReport", PAYMENTS_REPORT, 0),
    ),
)
