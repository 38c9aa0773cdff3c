"""The structure of a CDAR message (UN/CEFACT CrossDomainAcknowledgementAndResponse D22B, "uncoupled" code
lists as published by FNFE-MPE), declared for `fpcli.xmlshape`."""

from __future__ import annotations

from fpcli.xmlshape import Attr, Complex, El, Simple, in_ns, seq

RSM = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP: dict[str | None, str] = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}

rsm, ram, udt, qdt = in_ns(RSM), in_ns(RAM), in_ns(UDT), in_ns(QDT)
N = None  # unbounded

_ID_ATTRS = ("schemeID", "schemeName", "schemeAgencyID", "schemeAgencyName", "schemeVersionID")
_CODE_ATTRS = ("listID", "listAgencyID", "listAgencyName", "listName", "listVersionID", "name", "languageID")
ID = Simple("string", tuple(Attr(a) for a in (*_ID_ATTRS, "schemeDataURI", "schemeURI")))
CODE = Simple("string", tuple(Attr(a) for a in (*_CODE_ATTRS, "listURI", "listSchemeURI")))
QCODE = Simple("string", (Attr("listID"), Attr("listAgencyID")))  # qualified code types (qdt)
TEXT = Simple("string", (Attr("languageID"), Attr("languageLocaleID")))
AMOUNT = Simple("decimal", (Attr("currencyID"), Attr("currencyCodeListVersionID")))
NUMERIC = Simple("decimal", (Attr("format"),))
MEASURE = Simple("decimal", (Attr("unitCode"), Attr("unitCodeListVersionID")))
QUANTITY = Simple(
    "decimal",
    tuple(Attr(a) for a in ("unitCode", "unitCodeListID", "unitCodeListAgencyID", "unitCodeListAgencyName")),
)
BINARY = Simple(
    "base64",
    tuple(Attr(a) for a in ("format", "mimeCode", "encodingCode", "characterSetCode", "uri", "filename")),
)
COUNTRY = Simple("string", (Attr("listID"), Attr("schemeAgencyID")))
LANGUAGE = Simple("string", (Attr("schemeID"), Attr("schemeAgencyID")))
_FORMATTED = Simple("string", (Attr("format"),))

DATETIME = Complex((udt("DateTimeString", _FORMATTED), udt("DateTime", Simple("dateTime"))), choice=True)
INDICATOR = Complex((udt("IndicatorString", _FORMATTED), udt("Indicator", Simple("boolean"))), choice=True)
FORMATTED_DATETIME = seq(qdt("DateTimeString", _FORMATTED))

CONTEXT_PARAMETER = seq(ram("ID", ID))
PERIOD = seq(ram("StartDateTime", DATETIME, 0), ram("EndDateTime", DATETIME, 0))
NOTE = seq(ram("ContentCode", CODE, 0), ram("Content", TEXT, 0, N), ram("SubjectCode", CODE, 0))
COMMUNICATION = seq(ram("URIID", ID, 0), ram("CompleteNumber", TEXT, 0))
CONTACT = seq(
    ram("ID", ID, 0),
    ram("PersonName", TEXT, 0),
    ram("DepartmentName", TEXT, 0),
    ram("TypeCode", QCODE, 0),
    ram("TelephoneUniversalCommunication", COMMUNICATION, 0, N),
    ram("FaxUniversalCommunication", COMMUNICATION, 0, N),
    ram("EmailURIUniversalCommunication", COMMUNICATION, 0),
)
ADDRESS = seq(
    ram("PostcodeCode", CODE, 0),
    *(ram(n, TEXT, 0) for n in ("LineOne", "LineTwo", "LineThree", "LineFour", "LineFive", "StreetName")),
    ram("CityName", TEXT, 0),
    ram("CountryID", COUNTRY, 0),
    ram("CountryName", TEXT, 0),
    ram("CountrySubDivisionID", ID, 0),
    ram("CountrySubDivisionName", TEXT, 0),
)
PARTY = seq(
    ram("ID", ID, 0, N),
    ram("GlobalID", ID, 0, N),
    ram("Name", TEXT, 0),
    ram("RoleCode", QCODE, 0),
    ram("DefinedTradeContact", CONTACT, 0, N),
    ram("PostalTradeAddress", ADDRESS, 0),
    ram("URIUniversalCommunication", COMMUNICATION, 0),
)
CHARACTERISTIC = seq(
    ram("ID", ID, 0),
    ram("TypeCode", CODE, 0),
    ram("ValueChangedIndicator", INDICATOR, 0),
    ram("ValueAdjustmentDirectionCode", CODE, 0),
    ram("Name", TEXT, 0, N),
    ram("Description", TEXT, 0, N),
    ram("Location", TEXT, 0),
    ram("Value", TEXT, 0, N),
    ram("ValueAmount", AMOUNT, 0),
    ram("ValueMeasure", MEASURE, 0),
    ram("ValueDateTime", DATETIME, 0),
    ram("ValueCode", CODE, 0),
    ram("ValueQuantity", QUANTITY, 0),
    ram("ValueNumeric", NUMERIC, 0),
    ram("ValuePercent", NUMERIC, 0),
)
STATUS = seq(
    ram("ReferenceDateTime", DATETIME, 0),
    ram("ConditionCode", QCODE, 0),
    ram("ReasonCode", CODE, 0),
    ram("Reason", TEXT, 0, N),
    ram("Condition", TEXT, 0, N),
    ram("ProcessConditionCode", CODE, 0),
    ram("ProcessCondition", TEXT, 0, N),
    ram("ReasonInformationCode", CODE, 0),
    ram("ReasonInformation", TEXT, 0, N),
    ram("ReasonClassificationCode", CODE, 0),
    ram("ReasonClassification", TEXT, 0, N),
    ram("RequestedActionCode", CODE, 0),
    ram("RequestedAction", TEXT, 0, N),
    ram("InvalidInformation", TEXT, 0),
    ram("ValidInformation", TEXT, 0),
    ram("SequenceNumeric", NUMERIC, 0),
    ram("IncludedNote", NOTE, 0, N),
    ram("SpecifiedDocumentCharacteristic", CHARACTERISTIC, 0, N),
)
REFERENCED_DOCUMENT = seq(
    ram("IssuerAssignedID", ID, 0),
    ram("StatusCode", QCODE, 0),
    ram("CopyIndicator", INDICATOR, 0),
    ram("LineID", ID, 0),
    ram("TypeCode", QCODE, 0),
    ram("GlobalID", ID, 0),
    ram("RevisionID", ID, 0),
    ram("Name", TEXT, 0),
    ram("ReceiptDateTime", DATETIME, 0),
    ram("AttachmentBinaryObject", BINARY, 0, N),
    ram("ReferenceTypeCode", QCODE, 0),
    ram("LanguageID", LANGUAGE, 0),
    ram("Description", TEXT, 0, N),
    ram("FormattedIssueDateTime", FORMATTED_DATETIME, 0),
    ram("IncludedAmount", AMOUNT, 0, N),
    ram("VersionID", ID, 0),
    ram("TotalIssueCountNumeric", NUMERIC, 0),
    ram("Status", TEXT, 0, N),
    ram("ProcessConditionCode", CODE, 0),
    ram("ProcessCondition", TEXT, 0, N),
    ram("Type", TEXT, 0),
    ram("IssuerTradeParty", PARTY, 0),
    ram("RecipientTradeParty", PARTY, 0, N),
    ram("SenderTradeParty", PARTY, 0),
    ram("SpecifiedDocumentStatus", STATUS, 0, N),
    ram("ValiditySpecifiedPeriod", PERIOD, 0),
)
ACKNOWLEDGEMENT_DOCUMENT = seq(
    ram("MultipleReferencesIndicator", INDICATOR, 0),
    ram("ID", ID, 0),
    ram("TypeCode", QCODE, 0),
    ram("Name", TEXT, 0),
    ram("IssueDateTime", DATETIME, 0),
    ram("StatusCode", QCODE, 0),
    ram("AcknowledgementStatusCode", QCODE, 0),
    ram("ItemIdentificationID", ID, 0),
    ram("ReasonInformation", TEXT, 0, N),
    ram("ChannelCode", CODE, 0),
    ram("ProcessConditionCode", CODE, 0),
    ram("ProcessCondition", TEXT, 0, N),
    ram("Status", TEXT, 0, N),
    ram("ReferenceReferencedDocument", REFERENCED_DOCUMENT, 1, N),
)
EXCHANGED_DOCUMENT = seq(
    ram("ID", ID, 0),
    ram("Name", TEXT, 0),
    ram("TypeCode", QCODE, 0),
    ram("StatusCode", QCODE, 0),
    ram("IssueDateTime", DATETIME, 0),
    ram("LanguageID", ID, 0),
    ram("ElectronicPresentationIndicator", INDICATOR, 0),
    ram("VersionID", ID, 0),
    ram("GlobalID", ID, 0),
    ram("IncludedNote", NOTE, 0, N),
    ram("EffectiveSpecifiedPeriod", PERIOD, 0),
    ram("SenderTradeParty", PARTY, 0),
    ram("IssuerTradeParty", PARTY, 0),
    ram("RecipientTradeParty", PARTY, 1, N),
)
EXCHANGED_DOCUMENT_CONTEXT = seq(
    ram("TestIndicator", INDICATOR, 0),
    ram("BusinessProcessSpecifiedDocumentContextParameter", CONTEXT_PARAMETER, 0),
    ram("GuidelineSpecifiedDocumentContextParameter", CONTEXT_PARAMETER),
)

CDAR: El = rsm(
    "CrossDomainAcknowledgementAndResponse",
    seq(
        rsm("ExchangedDocumentContext", EXCHANGED_DOCUMENT_CONTEXT, 0),
        rsm("ExchangedDocument", EXCHANGED_DOCUMENT),
        rsm("AcknowledgementDocument", ACKNOWLEDGEMENT_DOCUMENT, 1, N),
    ),
)
