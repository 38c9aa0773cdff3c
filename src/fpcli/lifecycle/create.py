"""Creating a CDAR lifecycle message for one invoice, with the references taken from the invoice itself.

Parties follow XP Z12-012: the reporting party is the issuer (a platform, WK, in the transmission phase
305; the buyer, BY, or the seller, SE, in the processing phase 23); the invoice's other party is the
recipient, reached at its electronic address (BT-34 / BT-49); statuses the tax administration must receive
(200, 210, 212, 213) also name the PPF (platform 0000, role DFH). A rejection (213) goes to the seller, and
also to the buyer when the buyer's platform rejects on reception (XP Z12-014 annex B, UC2 "Rejetée": seller,
buyer and PPF); on emission the buyer never had the invoice. The invoice reference carries MDT-97 (G7.14: a
status on an e-invoicing invoice). The message is checked against fpcli's structure and BR-FR-CDV rules
before it is returned: fpcli never hands out a message that fails them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lxml import etree

from fpcli.errors import InputError, InvalidDocumentError, UsageError
from fpcli.lifecycle.shape import CDAR, NSMAP
from fpcli.lifecycle.statuses import PPF_ID, PROCESSING, REASONS, Status, status
from fpcli.model.invoice import Invoice, Party
from fpcli.validation.findings import Report
from fpcli.xmlshape import from_data

CENT = Decimal("0.01")
GUIDELINE = "urn.cpro.gouv.fr:1p0:CDV:invoice"
# The PPF's format of flux 6 (DGFiP annex; the official `…_POUR_PPF` samples): this guideline as MDT-3,
# no business process (MDT-2), the platform identified (scheme 0238), the PPF as the only recipient.
PPF_GUIDELINE = "urn.cpro.gouv.fr:1p0:CDV:einvoicingF2"
# MDT-97 (ReferenceTypeCode, 1..1 in XP Z12-012 annex A): what the status is about, per the DGFiP code G7.14;
# an e-invoicing invoice (flux 2) is `…:einvoicingF2`, as the annex's `…_POUR_PPF` examples write it. The
# annex's examples between platforms leave it out; fpcli writes it in both formats.
REFERENCE_TYPE = "urn.cpro.gouv.fr:1p0:CDV:einvoicingF2"
PAYMENT_STATUSES = ("211", "212")
STAGES = ("emission", "reception")  # where a 213 rejection happened


@dataclass(frozen=True)
class Payment:
    """An amount cashed (212) or paid (211); `rate` is the VAT rate it falls under (None: the only one)."""

    amount: Decimal
    rate: Decimal | None = None

    @classmethod
    def parse(cls, text: str) -> Payment:
        """`1200.00`, or `20=1000.00` (VAT rate = amount)."""
        rate, _, amount = text.rpartition("=")
        try:
            return cls(Decimal(amount.strip()), Decimal(rate.strip()) if rate else None)
        except ArithmeticError:
            hint = "write `1200.00`, or `20=1000.00` for the part at 20 % (a point as decimal separator)"
            raise UsageError(f"`--amount {text}` is not an amount", hint=hint) from None


@dataclass(frozen=True)
class CreateRequest:
    status: str
    reason: str | None = None
    reason_text: str | None = None
    action: str | None = None  # MDT-121 requested action (NOA, PIN, NIN, CNF, CNP, CNA, OTH)
    action_text: str | None = None  # MDT-122: that action in words
    note: str | None = None  # MDT-126: a note on the status (the annex's 213: what made it a duplicate)
    note_subject: str | None = None  # MDT-127: the note's subject (UNTDID 4451, e.g. AHN as in that example)
    payments: tuple[Payment, ...] = ()
    issuer_role: str | None = None  # default: the status's reporter
    issuer_id: str | None = None  # SIREN of the reporting company, when the invoice lacks it
    platform_id: str | None = None  # the sending platform's number (scheme 0238)
    platform_name: str | None = None
    date: dt.datetime | None = None  # when the status happened (MDT-78); default: now
    received: dt.datetime | None = None  # when the reporter received the invoice (MDT-95), if given
    for_ppf: bool = False  # the PPF's format (einvoicingF2), for statuses the tax administration receives
    vat_on_collection: bool | None = None  # 212: VAT due on collection (PPF informed); None: from BT-8
    rejected_at: str | None = None  # 213: "emission" (seller's platform) or "reception" (buyer's platform)


@dataclass
class CreateResult:
    xml: bytes
    status: Status
    invoice_number: str
    recipients: list[str]
    report: Report


def _stamp(when: dt.datetime) -> dict[str, Any]:
    return {"DateTimeString": {"value": when.strftime("%Y%m%d%H%M%S"), "@format": "204"}}


def _siren(party: Party) -> str | None:
    if party.legal_id and (party.legal_id.scheme in (None, "0002")) and len(party.legal_id.id) == 9:
        return party.legal_id.id
    for ident in party.identifiers:  # a SIRET starts with the SIREN
        if ident.scheme == "0009" and len(ident.id) == 14:
            return ident.id[:9]
    return None


def _gid(value: str, scheme: str) -> list[dict[str, str]]:
    return [{"value": value, "@schemeID": scheme}]


def _check_reason(st: Status, request: CreateRequest) -> None:
    reason = request.reason
    if reason is None:
        if st.reason_required:
            raise UsageError(
                f"status {st.code} ({st.name}) needs a reason: `--reason CODE`",
                hint="allowed: " + ", ".join(sorted(st.reasons)),
            )
        return
    if reason not in REASONS:
        raise UsageError(
            f"unknown reason code `{reason}`", hint="list them with `fpcli cdar statuses --json`"
        )
    if st.reasons and reason not in st.reasons:
        raise UsageError(
            f"reason `{reason}` is not allowed for status {st.code} ({st.name})",
            hint="allowed: " + ", ".join(sorted(st.reasons)),
        )


def _party(invoice: Invoice, role: str, source: str, *, recipient: bool) -> dict[str, Any]:
    party = invoice.seller if role == "SE" else invoice.buyer
    bt = ("BT-30", "BT-34") if role == "SE" else ("BT-47", "BT-49")
    out: dict[str, Any] = {}
    siren = _siren(party)
    if siren:
        out["GlobalID"] = _gid(siren, "0002")
    out["Name"] = party.name
    out["RoleCode"] = role
    if recipient:
        address = party.electronic_address
        if address is None:
            raise InputError.at(
                source,
                bt[1],
                f"the invoice has no electronic address for the {'seller' if role == 'SE' else 'buyer'}, "
                "needed to address the message (MDT-73, BR-FR-CDV-08)",
            )
        uri: dict[str, str] = {"value": address.id}
        if address.scheme:
            uri["@schemeID"] = address.scheme
        out["URIUniversalCommunication"] = {"URIID": uri}
    return out


def _platform(request: CreateRequest) -> dict[str, Any]:
    """The sending platform (role WK), identified by its number when given."""
    out: dict[str, Any] = {}
    if request.platform_id:
        out["GlobalID"] = _gid(request.platform_id, "0238")
    if request.platform_name:
        out["Name"] = request.platform_name
    out["RoleCode"] = "WK"
    return out


def _issuer(invoice: Invoice, st: Status, role: str, request: CreateRequest, source: str) -> dict[str, Any]:
    if role == "WK":
        return _platform(request)
    out = _party(invoice, role, source, recipient=False)
    if request.issuer_id:
        out["GlobalID"] = _gid(request.issuer_id, "0002")
    if st.phase == PROCESSING and "GlobalID" not in out:
        which = "seller (BT-30)" if role == "SE" else "buyer (BT-47)"
        raise InputError.at(
            source,
            None,
            f"the invoice gives no SIREN for the {which}, who reports status {st.code} "
            "(MDT-38, BR-FR-CDV-07)",
            hint="pass `--issuer-id SIREN`",
        )
    return out


def _check_note(request: CreateRequest) -> None:
    if request.action_text is not None and request.action is None:
        raise UsageError("`--action-text` words a requested action: give its code with `--action`")
    if request.note_subject is not None and request.note is None:
        raise UsageError("`--note-subject` qualifies a note: give the note with `--note TEXT`")
    if request.note is not None and not request.note.strip():
        raise UsageError("`--note` is empty")


def _check_stage(st: Status, request: CreateRequest) -> None:
    stage = request.rejected_at
    if st.code == "213" and stage not in STAGES:
        raise UsageError(
            "status 213 (Rejetée) goes to the seller, and to the buyer too when rejected on reception: "
            + ("say where it was rejected" if stage is None else f"`{stage}` is neither"),
            hint="`--rejected-at emission` (by the seller's platform) or `reception` (by the buyer's)",
        )
    if st.code != "213" and stage is not None:
        raise UsageError(f"`--rejected-at` applies to status 213, not to {st.code}")


def _recipient_roles(st: Status, role: str, request: CreateRequest) -> list[str]:
    if role == "WK":
        both = st.code in ("202", "203") or (st.code == "213" and request.rejected_at == "reception")
        return ["SE", "BY"] if both else ["SE"]
    return ["BY"] if role == "SE" else ["SE"]


def _rates(invoice: Invoice) -> dict[Decimal, Decimal]:
    """VAT rate -> amount with VAT, from the invoice's VAT breakdown."""
    out: dict[Decimal, Decimal] = {}
    for b in invoice.vat_breakdown or []:
        rate = b.rate if b.rate is not None else Decimal(0)
        out[rate] = out.get(rate, Decimal(0)) + b.taxable_amount + b.tax_amount
    return out


def _payments(invoice: Invoice, st: Status, request: CreateRequest, source: str) -> list[Payment]:
    if st.code not in PAYMENT_STATUSES:
        if request.payments:
            raise UsageError(f"`--amount` applies to statuses 211 and 212, not to {st.code}")
        return []
    for p in request.payments:
        if p.amount != p.amount.quantize(CENT):
            raise UsageError(f"amount `{p.amount}` has more than 2 decimals")
    if st.code == "211":
        if len(request.payments) > 1 or any(p.rate is not None for p in request.payments):
            raise UsageError("status 211 takes one amount paid, without a VAT rate: `--amount 1200.00`")
        due = invoice.totals.due if invoice.totals else None
        amount = request.payments[0].amount if request.payments else due
        if amount is None:
            raise InputError.at(source, "BT-115", "the invoice gives no amount due; pass `--amount`")
        return [Payment(amount)]
    by_rate = _rates(invoice)
    if not request.payments:
        return [Payment(total, rate) for rate, total in by_rate.items()]
    return _cashed(request.payments, by_rate, source)


def _cashed(given: tuple[Payment, ...], by_rate: dict[Decimal, Decimal], source: str) -> list[Payment]:
    rates = ", ".join(f"{r.normalize():f} %" for r in by_rate) or "none"
    out: dict[Decimal, Decimal] = {}
    for p in given:
        rate = p.rate
        if rate is None:
            if len(by_rate) != 1:
                raise UsageError(
                    f"the invoice has several VAT rates ({rates}): say which each amount falls under",
                    hint="`--amount 20=1000.00 --amount 5.5=105.50`",
                )
            rate = next(iter(by_rate))
        match = next((r for r in by_rate if r == rate), None)
        if match is None:
            raise InputError.at(
                source, "BG-23", f"{rate.normalize():f} % is not a VAT rate of the invoice ({rates})"
            )
        out[match] = out.get(match, Decimal(0)) + p.amount
    for rate, amount in out.items():
        if abs(amount) > abs(by_rate[rate]):
            raise InputError.at(
                source,
                "BG-23",
                f"amounts cashed at {rate.normalize():f} % add up to {amount:.2f}, more than the invoice's "
                f"{by_rate[rate]:.2f} with VAT at that rate",
            )
    return [Payment(amount, rate) for rate, amount in out.items()]


def _status_detail(
    st: Status, request: CreateRequest, payments: list[Payment], currency: str, when: dt.datetime
) -> dict[str, Any] | None:
    if request.reason is None and not payments and request.action is None and request.note is None:
        return None
    detail: dict[str, Any] = {}
    if request.reason:
        detail["ReasonCode"] = request.reason
        detail["Reason"] = [request.reason_text or REASONS[request.reason]]
    if request.action:
        detail["RequestedActionCode"] = request.action
        if request.action_text:
            detail["RequestedAction"] = [request.action_text]
    detail["SequenceNumeric"] = "1"
    if request.note is not None:
        note: dict[str, Any] = {"Content": [request.note]}
        if request.note_subject:
            note["SubjectCode"] = request.note_subject
        detail["IncludedNote"] = [note]
    characteristics = []
    for p in payments:
        c: dict[str, Any] = {
            "TypeCode": "MEN" if st.code == "212" else "MPA",
            "ValueChangedIndicator": {"IndicatorString": {"value": "false"}},  # MDT-209, as in the annex
            "ValueAmount": {"value": f"{p.amount:.2f}", "@currencyID": currency},
        }
        if st.code == "211":
            c["ValueDateTime"] = {"DateTimeString": {"value": when.strftime("%Y%m%d"), "@format": "102"}}
        else:
            c["ValuePercent"] = f"{p.rate or 0:.2f}"
        characteristics.append(c)
    if characteristics:
        detail["SpecifiedDocumentCharacteristic"] = characteristics
    return detail


# BT-8 (CII DueDateTypeCode): 72 VAT due on payment received; 5 on invoicing, 29 on delivery (débits).
_ON_COLLECTION = {"72": True, "5": False, "29": False}


def to_ppf(st: Status, request: CreateRequest, invoice: Invoice) -> bool:
    """Whether the tax administration receives this status. A cashed invoice (212) concerns it only when the
    VAT is due on collection: as the request says, else as the invoice's BT-8 says; unknown -> sent."""
    if st.code != "212":
        return st.to_ppf
    if request.vat_on_collection is not None:
        return request.vat_on_collection
    return _ON_COLLECTION.get(invoice.tax_point_code or "", True)


def _check_for_ppf(st: Status, request: CreateRequest, invoice: Invoice) -> None:
    if st.code == "212" and not to_ppf(st, request, invoice):
        raise UsageError(
            "status 212 goes to the PPF only when VAT is due on collection; this one is not",
            hint="BT-8 or `--vat-on-debit` says the VAT was due on invoicing or delivery",
        )
    if not st.to_ppf:
        raise UsageError(
            f"status {st.code} ({st.name}) is not sent to the PPF",
            hint="`fpcli cdar statuses` lists those that are",
        )
    if not request.platform_id:
        raise UsageError(
            "the PPF format names the sending platform",
            hint="give its number (scheme 0238): `--platform-id N`",
        )


def _message_id(invoice: Invoice, st: Status, request: CreateRequest, now: dt.datetime) -> str:
    """MDT-4 as the annex B examples build it: invoice number, status, the invoice's receipt date-time
    (MDT-95; fpcli takes the message's own when not given), `#`, invoice type and date."""
    stamp = (request.received or now).strftime("%Y%m%d%H%M%S")
    return f"{invoice.number}_{st.code}_{stamp}#{invoice.type_code}_{invoice.issue_date.strftime('%Y%m%d')}"


def build_message(invoice: Invoice, request: CreateRequest, source: str, now: dt.datetime) -> dict[str, Any]:
    """The message as shape data (see `fpcli.xmlshape`); raises UsageError/InputError on bad requests."""
    st = status(request.status)
    _check_reason(st, request)
    _check_stage(st, request)
    _check_note(request)
    role = (request.issuer_role or st.issuer_role).upper()
    when = request.date or now
    seller_siren = _siren(invoice.seller)
    if seller_siren is None:
        raise InputError.at(
            source, "BT-30", "the invoice gives no SIREN for the seller (MDT-129, BR-FR-CDV-13)"
        )
    payments = _payments(invoice, st, request, source)
    ppf = {"GlobalID": _gid(PPF_ID, "0238"), "Name": "PPF", "RoleCode": "DFH"}
    if request.for_ppf:
        _check_for_ppf(st, request, invoice)
        recipients = [ppf]
    else:
        roles = _recipient_roles(st, role, request)
        recipients = [_party(invoice, r, source, recipient=True) for r in roles]
        if to_ppf(st, request, invoice):
            recipients.append(ppf)
    reference: dict[str, Any] = {"IssuerAssignedID": invoice.number}
    if st.status_code:
        reference["StatusCode"] = st.status_code
    reference["TypeCode"] = invoice.type_code
    if request.received:
        reference["ReceiptDateTime"] = _stamp(request.received)  # MDT-95
    reference["ReferenceTypeCode"] = REFERENCE_TYPE  # MDT-97
    reference["FormattedIssueDateTime"] = {
        "DateTimeString": {"value": invoice.issue_date.strftime("%Y%m%d"), "@format": "102"}
    }
    reference["ProcessConditionCode"] = st.code
    reference["ProcessCondition"] = [st.label]
    reference["IssuerTradeParty"] = {"GlobalID": _gid(seller_siren, "0002")}
    detail = _status_detail(st, request, payments, invoice.currency, when)
    if detail:
        reference["SpecifiedDocumentStatus"] = [detail]
    return {
        "ExchangedDocumentContext": {"GuidelineSpecifiedDocumentContextParameter": {"ID": PPF_GUIDELINE}}
        if request.for_ppf
        else {
            "BusinessProcessSpecifiedDocumentContextParameter": {"ID": "REGULATED"},
            "GuidelineSpecifiedDocumentContextParameter": {"ID": GUIDELINE},
        },
        "ExchangedDocument": {
            "ID": _message_id(invoice, st, request, now),
            "IssueDateTime": _stamp(now),
            "SenderTradeParty": _platform(request),
            "IssuerTradeParty": _issuer(invoice, st, role, request, source),
            "RecipientTradeParty": recipients,
        },
        "AcknowledgementDocument": [
            {
                "MultipleReferencesIndicator": {"Indicator": "false"},
                "TypeCode": st.phase,
                "IssueDateTime": _stamp(when),
                "ReferenceReferencedDocument": [reference],
            }
        ],
    }


def read_invoice(data: bytes, source: str) -> Invoice:
    """The invoice of a CII XML or Factur-X PDF."""
    from fpcli.cii.reader import read_cii
    from fpcli.pdf.attachments import invoice_xml

    return read_cii(*invoice_xml(data, source)).invoice


def create_message(invoice_data: bytes, source: str, request: CreateRequest) -> CreateResult:
    from fpcli.clock import source_date
    from fpcli.lifecycle.validate import validate_cdar
    from fpcli.validation.document import findings_text

    st = status(request.status)
    _check_reason(st, request)  # before reading the invoice: usage errors first
    _check_stage(st, request)
    _check_note(request)
    invoice = read_invoice(invoice_data, source)
    data = build_message(invoice, request, source, source_date())
    xml = etree.tostring(
        from_data(data, CDAR, NSMAP), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    report = validate_cdar(xml, "<generated>")
    if not report.valid:
        raise InvalidDocumentError(
            f"the {st.code} message for `{source}` would break the lifecycle rules:\n{findings_text(report)}"
        )
    recipients = [r["RoleCode"] for r in data["ExchangedDocument"]["RecipientTradeParty"]]
    return CreateResult(xml, st, invoice.number, recipients, report)
