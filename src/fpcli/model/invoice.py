"""The EN 16931 semantic invoice model (pydantic v2, Decimal only).

Each field names its business term (BT) or group (BG) in its description; that id is the key for people
and for the CII mapping in `fpcli.cii`. Unknown attributes are rejected everywhere (`extra="forbid"`).

Identifier checks (SIREN/SIRET keys, VAT numbers, IBAN) run when validation context
`{"check_identifiers": True}` is given: user input is checked, invoices read from third-party XML are not
(their test data often carries made-up numbers that the official rules accept).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from fpcli.model import codes, identifiers

Amount = Annotated[Decimal, Field(max_digits=19, decimal_places=6)]
Quantity = Annotated[Decimal, Field(max_digits=19, decimal_places=6)]
Rate = Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=4)]
# EN 16931 sets no length on identifiers and codes (BR-FR-01 limits BT-1 to 35: a validation rule).
Code = Annotated[str, Field(min_length=1, max_length=1000)]
Text = Annotated[str, Field(min_length=1, max_length=10000)]
# Code-list values are checked against the official lists when user input is read (fpcli.model.rules), with
# "did you mean"; a shape pattern here would refuse `jour` before fpcli could say `DAY`.
CountryCode = Annotated[str, Field(min_length=1, max_length=100)]
CurrencyCode = Annotated[str, Field(min_length=1, max_length=100)]
UnitCode = Annotated[str, Field(min_length=1, max_length=100)]


# Characters XML 1.0 cannot carry (C0 controls but tab and newlines, U+FFFE/FFFF, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)

    @field_validator("*", mode="after")
    @classmethod
    def _xml_text(cls, value: Any) -> Any:
        if isinstance(value, str) and (bad := _NOT_XML.search(value)):
            raise ValueError(
                f"holds the control character U+{ord(bad.group()):04X} at position {bad.start() + 1}, "
                "which an invoice cannot carry; remove it"
            )
        return value


# Context for invoices read from a third party's XML: taken as written, no input conventions of fpcli's.
AS_READ: dict[str, bool] = {"as_read": True}


def _checking(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("check_identifiers"))


def _checked_vat(value: str | None, info: ValidationInfo) -> str | None:
    if value is not None and _checking(info):
        value = identifiers.compact_vat(value)
        identifiers.check_vat(value)
    return value


class Identifier(_Model):
    """An identifier with its optional scheme (ISO 6523 ICD, e.g. 0009 SIRET, 0002 SIREN, 0088 GLN)."""

    id: Code = Field(description="The identifier")
    scheme: Code | None = Field(default=None, description="Scheme identifier (ISO 6523 ICD or EAS)")

    @model_validator(mode="after")
    def _check_key(self, info: ValidationInfo) -> Identifier:
        if _checking(info):
            self.id = identifiers.compact(self.id, self.scheme)
            identifiers.check_scheme_id(self.id, self.scheme)
        return self


class Address(_Model):
    """BG-5 / BG-8 / BG-12 / BG-15 postal address."""

    line1: Text | None = Field(default=None, description="BT-35 Address line 1")
    line2: Text | None = Field(default=None, description="BT-36 Address line 2")
    line3: Text | None = Field(default=None, description="BT-162 Address line 3")
    city: Text | None = Field(default=None, description="BT-37 City")
    postcode: Code | None = Field(default=None, description="BT-38 Post code")
    subdivision: Text | None = Field(default=None, description="BT-39 Country subdivision")
    country: CountryCode = Field(description="BT-40 Country code (ISO 3166-1 alpha-2, e.g. FR, BE, DE)")


class Contact(_Model):
    """BG-6 / BG-9 contact."""

    name: Text | None = Field(default=None, description="BT-41 / BT-56 Contact point (a person's name)")
    department: Text | None = Field(
        default=None, description="BT-41-0 / BT-56-0 Contact department (CII DepartmentName)"
    )
    telephone: Code | None = Field(default=None, description="BT-42 / BT-57 Telephone")
    email: Text | None = Field(default=None, description="BT-43 / BT-58 Email")


class Party(_Model):
    """BG-4 Seller / BG-7 Buyer."""

    name: Text = Field(description="BT-27 / BT-44 Name")
    trading_name: Text | None = Field(default=None, description="BT-28 / BT-45 Trading name")
    identifiers: list[Identifier] = Field(
        default_factory=list, description="BT-29 / BT-46 Identifiers (SIRET: scheme 0009)"
    )
    legal_id: Identifier | None = Field(
        default=None, description="BT-30 / BT-47 Legal registration identifier (SIREN: scheme 0002)"
    )
    vat_id: Code | None = Field(default=None, description="BT-31 / BT-48 VAT identifier")
    tax_registration_id: Code | None = Field(default=None, description="BT-32 Seller tax registration id")
    legal_info: Text | None = Field(
        default=None, description="BT-33 Additional legal information (legal form, capital, RCS)"
    )
    electronic_address: Identifier | None = Field(
        default=None, description="BT-34 / BT-49 Electronic address (scheme 0225 in France)"
    )
    address: Address | None = Field(default=None, description="BG-5 / BG-8 Postal address")
    contact: Contact | None = Field(default=None, description="BG-6 / BG-9 Contact")

    @field_validator("vat_id")
    @classmethod
    def _check_vat(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _checked_vat(value, info)


class Payee(_Model):
    """BG-10 Payee, when different from the seller."""

    name: Text = Field(description="BT-59 Payee name")
    identifiers: list[Identifier] = Field(default_factory=list, description="BT-60 Payee identifier")
    legal_id: Identifier | None = Field(default=None, description="BT-61 Payee legal registration id")
    role_code: Code | None = Field(default=None, description="EXTENDED: payee role code (UNTDID 3035)")
    address: Address | None = Field(default=None, description="EXTENDED: payee postal address")
    electronic_address: Identifier | None = Field(
        default=None, description="EXTENDED: payee electronic address (CII URIUniversalCommunication)"
    )


class TaxRepresentative(_Model):
    """BG-11 Seller tax representative."""

    name: Text = Field(description="BT-62 Name")
    vat_id: Code = Field(description="BT-63 VAT identifier")
    address: Address = Field(description="BG-12 Postal address")


class Delivery(_Model):
    """BG-13 Delivery information."""

    party_name: Text | None = Field(default=None, description="BT-70 Deliver to party name")
    location_id: Identifier | None = Field(default=None, description="BT-71 Deliver to location identifier")
    date: dt.date | None = Field(default=None, description="BT-72 Actual delivery date")
    address: Address | None = Field(default=None, description="BG-15 Deliver to address")
    contact: Contact | None = Field(
        default=None, description="EXTENDED: contact at the deliver-to party (CII ShipToTradeParty contact)"
    )
    electronic_address: Identifier | None = Field(
        default=None, description="EXTENDED: electronic address of the deliver-to party"
    )


class Period(_Model):
    """BG-14 / BG-26 Invoicing period."""

    start: dt.date | None = Field(default=None, description="BT-73 / BT-134 Start date")
    end: dt.date | None = Field(default=None, description="BT-74 / BT-135 End date")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start is None and self.end is None:
            raise ValueError("a period needs a start or an end date (BR-CO-19)")
        if self.start and self.end and self.end < self.start:
            raise ValueError("end date is before start date (BR-29)")
        return self


class Note(_Model):
    """BG-1 Invoice note."""

    text: Text = Field(description="BT-22 Invoice note")
    subject: Code | None = Field(default=None, description="BT-21 Subject code (UNTDID 4451: PMT, PMD, AAB…)")
    content_code: Code | None = Field(
        default=None, description="EXTENDED: note content code (CII IncludedNote/ContentCode, BT-X-5)"
    )


class ExchangeRate(_Model):
    """EXTENDED: the rate from the invoice currency (BT-5) to the VAT accounting currency (BT-6)."""

    rate: Annotated[Decimal, Field(gt=0, max_digits=19, decimal_places=10)] = Field(
        description="Units of BT-6 per unit of BT-5, e.g. 1.12244"
    )
    date: dt.date | None = Field(default=None, description="Date of the rate")


class DeliveryNote(_Model):
    """EXTENDED: the delivery note the invoice refers to (CII DeliveryNoteReferencedDocument)."""

    id: Code = Field(description="Delivery note number")
    date: dt.date | None = Field(default=None, description="Delivery note date")


class PrecedingInvoice(_Model):
    """BG-3 Preceding invoice reference."""

    number: Code = Field(description="BT-25 Preceding invoice reference")
    date: dt.date | None = Field(default=None, description="BT-26 Preceding invoice issue date")


class Attachment(_Model):
    """BT-125 An attached document, embedded in the invoice (base64)."""

    content: Annotated[str, Field(min_length=1, max_length=70_000_000)] = Field(
        description="BT-125 The document's bytes in base64 (e.g. `base64 -w0 timesheet.pdf`), at most ~50 MB"
    )
    mime_code: Code = Field(
        description="BT-125-1 MIME code: application/pdf, image/png, image/jpeg, text/csv, "
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, "
        "application/vnd.oasis.opendocument.spreadsheet"
    )
    filename: Text = Field(description="BT-125-2 Attached document file name, e.g. timesheet.pdf")

    @field_validator("content")
    @classmethod
    def _base64(cls, value: str) -> str:
        value = "".join(value.split())  # line breaks inside base64 are layout
        try:
            base64.b64decode(value, validate=True)
        except binascii.Error:
            raise ValueError(
                "is not base64: give the file's bytes encoded, e.g. `base64 -w0 file.pdf`"
            ) from None
        return value


class SupportingDocument(_Model):
    """BG-24 Additional supporting document (also BT-17 tender, BT-18 invoiced object via type_code)."""

    id: Code = Field(description="BT-122 Supporting document reference")
    description: Text | None = Field(default=None, description="BT-123 Description")
    uri: Text | None = Field(default=None, description="BT-124 External document location")
    type_code: Code = Field(default="916", description="Document type: 916 document, 50 tender, 130 object")
    scheme: Code | None = Field(default=None, description="BT-18-1 Identifier scheme (type 130 only)")
    attachment: Attachment | None = Field(default=None, description="BT-125 Attached document (base64)")


class CreditTransfer(_Model):
    """BG-17 Credit transfer."""

    iban: Code = Field(description="BT-84 Payment account identifier (IBAN)")
    account_name: Text | None = Field(default=None, description="BT-85 Payment account name")
    bic: Code | None = Field(default=None, description="BT-86 Payment service provider identifier (BIC)")

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> CreditTransfer:
        if _checking(info):
            self.iban = "".join(self.iban.split()).upper()  # IBANs are printed in groups of four
            identifiers.check_iban(self.iban)
            if self.bic:
                identifiers.check_bic(self.bic)
        return self


class Card(_Model):
    """BG-18 Payment card information."""

    pan: Code = Field(description="BT-87 Payment card primary account number (last digits only)")
    holder: Text | None = Field(default=None, description="BT-88 Payment card holder name")


class DirectDebit(_Model):
    """BG-19 Direct debit."""

    mandate_id: Code | None = Field(default=None, description="BT-89 Mandate reference identifier")
    creditor_id: Code | None = Field(default=None, description="BT-90 Bank assigned creditor identifier")
    debited_account: Code | None = Field(default=None, description="BT-91 Debited account identifier")


class DiscountTerms(_Model):
    """EXTENDED: early-payment discount terms (escompte; CII ApplicableTradePaymentDiscountTerms)."""

    basis_date: dt.date | None = Field(default=None, description="Date the discount period starts from")
    period_days: Annotated[int, Field(ge=0, le=3650)] | None = Field(
        default=None, description="Days after the basis date during which the discount applies"
    )
    basis_amount: Amount | None = Field(default=None, description="Amount the discount applies to")
    percent: Rate | None = Field(default=None, description="Discount percentage, e.g. 2")
    amount: Amount | None = Field(default=None, description="Discount amount")


class AdvanceTax(_Model):
    """The VAT included in an advance payment, per category and rate."""

    category: Code = Field(description="VAT category of the advance (UNTDID 5305)")
    rate: Rate | None = Field(default=None, description="VAT rate of the advance")
    tax_amount: Amount = Field(description="VAT included in the advance")


class AdvancePayment(_Model):
    """EXTENDED: an advance payment received before this invoice (CII SpecifiedAdvancePayment)."""

    amount: Amount = Field(description="Amount paid in advance")
    received_date: dt.date | None = Field(default=None, description="Date it was received")
    taxes: list[AdvanceTax] = Field(min_length=1, description="VAT included in it, per category and rate")
    invoice_number: Code | None = Field(default=None, description="The advance invoice it settled")


class Payment(_Model):
    """BG-16 Payment instructions."""

    means_code: Code = Field(
        default="30",
        description="BT-81 Payment means (UNTDID 4461): 30 transfer, 58 SEPA transfer, 49/59 debit, 48 card",
    )
    means_text: Text | None = Field(default=None, description="BT-82 Payment means text")
    remittance_info: Text | None = Field(default=None, description="BT-83 Remittance information")
    credit_transfers: list[CreditTransfer] = Field(default_factory=list, description="BG-17 Credit transfers")
    card: Card | None = Field(default=None, description="BG-18 Payment card")
    direct_debit: DirectDebit | None = Field(default=None, description="BG-19 Direct debit")


class AllowanceCharge(_Model):
    """BG-20 / BG-21 document level (with VAT) and BG-27 / BG-28 line level (without VAT)."""

    amount: Amount | None = Field(
        default=None, description="BT-92/99/136/141 Amount (computed from base × %)"
    )
    base_amount: Amount | None = Field(default=None, description="BT-93/100/137/142 Base amount")
    percentage: Rate | None = Field(default=None, description="BT-94/101/138/143 Percentage")
    vat_category: Code | None = Field(default=None, description="BT-95/102 VAT category (document level)")
    vat_rate: Rate | None = Field(default=None, description="BT-96/103 VAT rate (document level)")
    reason: Text | None = Field(default=None, description="BT-97/104/139/144 Reason")
    reason_code: Code | None = Field(
        default=None, description="BT-98/105/140/145 Reason code (UNTDID 5189/7161)"
    )

    @model_validator(mode="after")
    def _check(self) -> AllowanceCharge:
        if self.amount is None and (self.base_amount is None or self.percentage is None):
            raise ValueError("give `amount`, or `base_amount` and `percentage`")
        if self.reason is None and self.reason_code is None:
            raise ValueError("give a `reason` or a `reason_code` (BR-33 / BR-38 / BR-42 / BR-44)")
        if self.vat_category is not None and self.vat_category not in codes.VAT_CATEGORIES:
            raise ValueError(codes.unknown_vat_category(self.vat_category))
        return self


class PercentAdjustment(_Model):
    """A document discount or charge as a percentage of the lines; fpcli splits it per VAT rate (BG-20/21)."""

    percent: Rate = Field(description="BT-94 / BT-101 Percentage of each VAT rate's line total, e.g. 5")
    reason: Text | None = Field(default=None, description="BT-97 / BT-104 Reason (default Remise / Frais)")
    reason_code: Code | None = Field(
        default=None, description="BT-98 / BT-105 Reason code (UNTDID 5189 / 7161; default 95 / ABK)"
    )


class ItemAttribute(_Model):
    """BG-32 Item attribute."""

    name: Text = Field(description="BT-160 Item attribute name")
    value: Text = Field(description="BT-161 Item attribute value")


class Classification(_Model):
    """BT-158 Item classification identifier with its scheme."""

    code: Code = Field(description="BT-158 Item classification identifier")
    scheme: Code | None = Field(default=None, description="BT-158-1 Scheme (UNTDID 7143)")
    version: Code | None = Field(default=None, description="BT-158-2 Scheme version")


class LineSeller(_Model):
    """Multi-vendor invoices (EXTENDED-CTC-FR, BT-23 S8/B8/M8): the seller of a line or line group, when not
    the invoice's seller (CII ItemSellerTradeParty, EXT-FR-FE-164..177)."""

    name: Text | None = Field(
        default=None, description="EXT-FR-FE-164 Seller name (required on a top-level line group)"
    )
    identifiers: list[Identifier] = Field(
        default_factory=list, description="EXT-FR-FE-165/166 Seller identifiers (SIRET: scheme 0009)"
    )
    legal_id: Identifier | None = Field(
        default=None,
        description="EXT-FR-FE-167 Seller legal registration identifier (SIREN: scheme 0002); required on a "
        "top-level line group, and taken from the group by its lines when left out",
    )
    vat_id: Code | None = Field(default=None, description="EXT-FR-FE-168 Seller VAT identifier")
    country: CountryCode | None = Field(
        default=None, description="EXT-FR-FE-177 Seller country code (required on a top-level line group)"
    )

    @field_validator("vat_id")
    @classmethod
    def _check_vat(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _checked_vat(value, info)


class LineGroup(_Model):
    """EXTENDED: a line group (CII line with LineStatusReasonCode GROUP): a sub-total over the lines whose
    `parent_id` names it; on a multi-vendor invoice (BT-23 S8/B8/M8) one sub-invoice of one seller."""

    id: Code = Field(description="BT-126 Line identifier of the group (its lines name it in `parent_id`)")
    status: Literal["GROUP", "INFORMATION"] = Field(
        default="GROUP",
        description="EXT-FR-FE-163 Line sub-type: GROUP, a sub-total of its lines (default), or INFORMATION, "
        "a line shown for information and not billed (e.g. a gift)",
    )
    parent_id: Code | None = Field(
        default=None, description="EXT-FR-FE-162 Identifier of the enclosing group, for nested groups"
    )
    name: Text = Field(description="BT-153 Group name, e.g. Sous-total vendeur 2")
    description: Text | None = Field(default=None, description="BT-154 Group description")
    note: Text | None = Field(default=None, description="BT-127 Group note")
    seller: LineSeller | None = Field(
        default=None, description="EXT-FR-FE-164..177 The seller of this group's lines (multi-vendor)"
    )
    sub_invoice: Code | None = Field(
        default=None,
        description="BT-128 with scheme AFL: the sub-invoice number of this seller's part (multi-vendor; "
        "the main seller's part uses BT-1)",
    )
    object_id: Identifier | None = Field(
        default=None, description="BT-128 Other invoiced object identifier, e.g. {id: S1, scheme: AVV}"
    )
    order_line_ref: Code | None = Field(default=None, description="BT-132 Referenced purchase order line")
    vat_point_code: Code | None = Field(
        default=None, description="EXT-FR-FE-180 VAT due date type code of the group (UNTDID 2005)"
    )
    quantity: Quantity | None = Field(
        default=None, description="BT-129 Quantity shown on the group line (e.g. 20 kits); not billed again"
    )
    unit: UnitCode | None = Field(default=None, description="BT-130 Unit of that quantity (UN/ECE rec 20/21)")
    unit_price: Amount | None = Field(default=None, description="BT-146 Price shown on the group line")
    base_quantity: Quantity | None = Field(default=None, description="BT-149 Price base quantity")


class Line(_Model):
    """BG-25 Invoice line."""

    id: Code | None = Field(default=None, description="BT-126 Line identifier (numbered 1… when omitted)")
    parent_id: Code | None = Field(
        default=None,
        description="EXT-FR-FE-162 The line group (`line_groups[].id`) this line belongs to (written as a "
        "DETAIL sub-line, EXTENDED)",
    )
    note: Text | None = Field(default=None, description="BT-127 Invoice line note")
    object_id: Identifier | None = Field(default=None, description="BT-128 Invoiced object identifier")
    quantity: Quantity = Field(
        description="BT-129 Invoiced quantity, e.g. 3.5 (a point before decimals; positive on a 380 invoice)"
    )
    unit: UnitCode = Field(
        default="C62",
        description="BT-130 Unit (UN/ECE rec 20/21): C62 one/piece, DAY, HUR hour, KGM, MTR, LS lump sum",
    )
    net_amount: Amount | None = Field(
        default=None, description="BT-131 Line net amount (computed; a given value must agree)"
    )
    order_line_ref: Code | None = Field(default=None, description="BT-132 Referenced purchase order line")
    accounting_ref: Code | None = Field(default=None, description="BT-133 Buyer accounting reference")
    seller: LineSeller | None = Field(
        default=None,
        description="EXT-FR-FE-164..177 The seller of this line when not the invoice's (multi-vendor); "
        "left out, the line takes its group's",
    )
    sub_invoice: Code | None = Field(
        default=None,
        description="BT-128 with scheme AFL: sub-invoice number (multi-vendor); left out, the line takes "
        "its group's",
    )
    vat_point_code: Code | None = Field(
        default=None, description="EXT-FR-FE-180 VAT due date type code of the line (UNTDID 2005: 5, 29, 72)"
    )
    period: Period | None = Field(default=None, description="BG-26 Invoice line period")
    allowances: list[AllowanceCharge] = Field(default_factory=list, description="BG-27 Line allowances")
    charges: list[AllowanceCharge] = Field(default_factory=list, description="BG-28 Line charges")
    unit_price: Amount = Field(description="BT-146 Item net price")
    price_discount: Amount | None = Field(default=None, description="BT-147 Item price discount")
    price_discount_reason: Text | None = Field(
        default=None, description="EXTENDED: reason of the item price discount (BT-147), e.g. Rabatt"
    )
    gross_price: Amount | None = Field(default=None, description="BT-148 Item gross price")
    base_quantity: Quantity | None = Field(default=None, description="BT-149 Item price base quantity")
    base_unit: UnitCode | None = Field(default=None, description="BT-150 Base quantity unit of measure")
    package_quantity: Quantity | None = Field(
        default=None, description="EXTENDED: number of packages (CII PackageQuantity)"
    )
    package_unit: UnitCode | None = Field(default=None, description="EXTENDED: package unit, e.g. XPK")
    vat_category: Code = Field(
        default="S",
        description="BT-151 VAT category (UNTDID 5305): S standard (give vat_rate), Z zero, E exempt, "
        "AE reverse charge, K intra-EU, G export, O outside scope",
    )
    vat_rate: Rate | None = Field(
        default=None,
        description="BT-152 VAT rate in percent, e.g. 20 (above 0 for S, 0 for Z/E/AE/K/G, none for O)",
    )
    name: Text = Field(description="BT-153 Item name")
    description: Text | None = Field(default=None, description="BT-154 Item description")
    seller_item_id: Code | None = Field(default=None, description="BT-155 Item Seller's identifier")
    buyer_item_id: Code | None = Field(default=None, description="BT-156 Item Buyer's identifier")
    standard_id: Identifier | None = Field(
        default=None, description="BT-157 Item standard identifier (GTIN…)"
    )
    classifications: list[Classification] = Field(default_factory=list, description="BT-158 Classifications")
    origin_country: CountryCode | None = Field(default=None, description="BT-159 Item country of origin")
    attributes: list[ItemAttribute] = Field(default_factory=list, description="BG-32 Item attributes")

    @model_validator(mode="after")
    def _check(self) -> Line:
        if self.unit_price < 0:
            raise ValueError("unit_price: the item net price must not be negative (BR-27)")
        if self.gross_price is not None and self.gross_price < 0:
            raise ValueError("gross_price: the item gross price must not be negative (BR-28)")
        if self.base_quantity is not None and self.base_quantity <= 0:
            raise ValueError("base_quantity: must be positive")
        if self.vat_category not in codes.VAT_CATEGORIES:
            raise ValueError("vat_category: " + codes.unknown_vat_category(self.vat_category))
        return self


class VatExemption(_Model):
    """Exemption reason for a VAT category (BT-120 text, BT-121 VATEX code)."""

    category: Code = Field(description="VAT category the reason applies to (E, AE, K, G, O)")
    reason: Text | None = Field(default=None, description="BT-120 VAT exemption reason text")
    code: Code | None = Field(default=None, description="BT-121 VAT exemption reason code (VATEX)")


class VatBreakdown(_Model):
    """BG-23 VAT breakdown (computed by fpcli; a given one must agree)."""

    category: Code = Field(description="BT-118 VAT category code")
    rate: Rate | None = Field(default=None, description="BT-119 VAT category rate")
    taxable_amount: Amount = Field(description="BT-116 VAT category taxable amount")
    tax_amount: Amount = Field(description="BT-117 VAT category tax amount")
    exemption_reason: Text | None = Field(default=None, description="BT-120 VAT exemption reason text")
    exemption_code: Code | None = Field(default=None, description="BT-121 VAT exemption reason code")


class Totals(_Model):
    """BG-22 Document totals (computed by fpcli; given values must agree)."""

    line_total: Amount | None = Field(default=None, description="BT-106 Sum of invoice line net amount")
    allowance_total: Amount | None = Field(default=None, description="BT-107 Sum of allowances")
    charge_total: Amount | None = Field(default=None, description="BT-108 Sum of charges")
    tax_exclusive: Amount = Field(description="BT-109 Invoice total amount without VAT")
    tax_total: Amount | None = Field(default=None, description="BT-110 Invoice total VAT amount")
    tax_total_accounting: Amount | None = Field(
        default=None, description="BT-111 Invoice total VAT amount in accounting currency"
    )
    tax_inclusive: Amount = Field(description="BT-112 Invoice total amount with VAT")
    prepaid: Amount | None = Field(default=None, description="BT-113 Paid amount")
    rounding: Amount | None = Field(default=None, description="BT-114 Rounding amount")
    due: Amount = Field(description="BT-115 Amount due for payment")


class Invoice(_Model):
    """An EN 16931 invoice (or credit note, by BT-3)."""

    number: Code = Field(description="BT-1 Invoice number")
    document_name: Text | None = Field(
        default=None,
        description="EXTENDED: document name, e.g. FACTURE DE PRESTATIONS (CII ExchangedDocument/Name)",
    )
    test_indicator: bool | None = Field(
        default=None, description="EXTENDED: true marks a test document (CII TestIndicator, BT-X-1)"
    )
    issue_date: dt.date = Field(description="BT-2 Invoice issue date, YYYY-MM-DD")
    type_code: Code = Field(default="380", description="BT-3 Invoice type code (UNTDID 1001)")
    currency: CurrencyCode = Field(
        default="EUR", description="BT-5 Invoice currency code (ISO 4217, e.g. EUR)"
    )
    tax_currency: CurrencyCode | None = Field(default=None, description="BT-6 VAT accounting currency code")
    tax_exchange_rate: ExchangeRate | None = Field(
        default=None,
        description="EXTENDED: exchange rate from BT-5 to BT-6, {rate: 1.12244, date: 2026-01-02}",
    )
    tax_point_date: dt.date | None = Field(default=None, description="BT-7 Value added tax point date")
    tax_point_code: Code | None = Field(default=None, description="BT-8 VAT point date code (UNTDID 2005)")
    due_date: dt.date | None = Field(default=None, description="BT-9 Payment due date")
    buyer_reference: Code | None = Field(default=None, description="BT-10 Buyer reference (service code)")
    project_reference: Code | None = Field(default=None, description="BT-11 Project reference")
    project_name: Text | None = Field(
        default=None, description="BT-11-0 Project name (CII requires one with BT-11; default: placeholder)"
    )
    contract_reference: Code | None = Field(default=None, description="BT-12 Contract reference")
    purchase_order_reference: Code | None = Field(default=None, description="BT-13 Purchase order reference")
    sales_order_reference: Code | None = Field(default=None, description="BT-14 Sales order reference")
    receiving_advice_reference: Code | None = Field(default=None, description="BT-15 Receiving advice ref")
    despatch_advice_reference: Code | None = Field(default=None, description="BT-16 Despatch advice ref")
    delivery_note: DeliveryNote | None = Field(
        default=None, description="EXTENDED: delivery note reference, {id: BL-123, date: 2026-01-02}"
    )
    tender_reference: Code | None = Field(default=None, description="BT-17 Tender or lot reference")
    invoiced_object: Identifier | None = Field(default=None, description="BT-18 Invoiced object identifier")
    buyer_accounting_reference: Code | None = Field(default=None, description="BT-19 Buyer accounting ref")
    payment_terms: Text | None = Field(default=None, description="BT-20 Payment terms")
    discount_terms: DiscountTerms | None = Field(
        default=None,
        description="EXTENDED: early-payment discount terms (escompte); the AAB note still says it in words",
    )
    notes: list[Note] = Field(default_factory=list, description="BG-1 Invoice notes")
    business_process: Code | None = Field(
        default=None, description="BT-23 Business process type (French billing frame: S1, B1, M1…)"
    )
    preceding_invoices: list[PrecedingInvoice] = Field(default_factory=list, description="BG-3")
    seller: Party = Field(description="BG-4 Seller")
    buyer: Party = Field(description="BG-7 Buyer")
    payee: Payee | None = Field(default=None, description="BG-10 Payee")
    invoicee: Party | None = Field(
        default=None,
        description="EXTENDED: invoicee, the party the invoice is addressed to when not the buyer "
        "(CII InvoiceeTradeParty; left out, with a warning, below EXTENDED)",
    )
    tax_representative: TaxRepresentative | None = Field(default=None, description="BG-11")
    delivery: Delivery | None = Field(default=None, description="BG-13 Delivery information")
    period: Period | None = Field(default=None, description="BG-14 Invoicing period")
    payment: Payment | None = Field(default=None, description="BG-16 Payment instructions")
    allowances: list[AllowanceCharge] = Field(default_factory=list, description="BG-20 Document allowances")
    charges: list[AllowanceCharge] = Field(default_factory=list, description="BG-21 Document charges")
    discount: PercentAdjustment | None = Field(
        default=None,
        description="Document discount as a percentage, e.g. {percent: 5, reason: Remise fidélité}: "
        "fpcli writes one BG-20 allowance per VAT category and rate",
    )
    charge: PercentAdjustment | None = Field(
        default=None,
        description="Document charge as a percentage: one BG-21 charge per VAT category and rate",
    )
    supporting_documents: list[SupportingDocument] = Field(default_factory=list, description="BG-24")
    lines: list[Line] = Field(default_factory=list, description="BG-25 Invoice lines")
    line_groups: list[LineGroup] = Field(
        default_factory=list,
        description="EXTENDED: line groups (sub-totals; on a multi-vendor invoice, BT-23 S8/B8/M8, one per "
        "seller's sub-invoice); lines join one with `parent_id`",
    )
    vat_exemptions: list[VatExemption] = Field(
        default_factory=list, description="Exemption reasons per VAT category (BT-120/BT-121)"
    )
    vat_breakdown: list[VatBreakdown] | None = Field(
        default=None, description="BG-23 VAT breakdown (computed when omitted; required without lines)"
    )
    totals: Totals | None = Field(
        default=None, description="BG-22 Document totals (computed when omitted; required without lines)"
    )
    prepaid_amount: Amount | None = Field(default=None, description="BT-113 Paid amount")
    advance_payments: list[AdvancePayment] = Field(
        default_factory=list, description="EXTENDED: advance payments, detailed (BT-113 carries their total)"
    )
    rounding_amount: Amount | None = Field(default=None, description="BT-114 Rounding amount")

    @field_validator("type_code")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in codes.INVOICE_TYPE_CODES:
            raise ValueError(
                f"`{value}` is not an invoice type code of UNTDID 1001 (e.g. 380 invoice, 381 credit)"
            )
        return value

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Invoice:
        if not self.lines and self.totals is None:
            raise ValueError("an invoice without `lines` must give its `totals` (BG-22)")
        # A received credit note may have negative lines (EN 16931 allows them); fpcli's input may not.
        if self.is_credit_note and not (info.context or {}).get("as_read"):
            for i, line in enumerate(self.lines):
                if line.quantity < 0:
                    raise ValueError(
                        f"lines[{i}].quantity: a credit note (type {self.type_code}) states positive "
                        "quantities; the type code already makes it a credit"
                    )
        if (
            self.tax_currency
            and self.tax_currency != self.currency
            and (self.totals is None or self.totals.tax_total_accounting is None)
        ):
            raise ValueError("with `tax_currency` (BT-6), give totals.tax_total_accounting (BT-111, BR-53)")
        return self

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in codes.CREDIT_NOTE_TYPE_CODES


def schema() -> dict[str, Any]:
    """The JSON Schema of the input format (`fpcli generate --schema`)."""
    return Invoice.model_json_schema()
