"""Verifying PAdES signatures: integrity, coverage, chain and trust, revocation, timestamps, LTV material,
the PAdES level reached and the eIDAS level the certificate supports."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from fpcli.errors import InputError

QC_STATEMENTS = "1.3.6.1.5.5.7.1.3"
QC_COMPLIANCE = "0.4.0.1862.1.1"


@dataclass
class SignatureResult:
    field_name: str
    signer: str
    issuer: str
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    expired_at_signing: bool
    covers_whole_file: bool
    modification_level: str
    signing_time: str | None
    timestamp: str | None
    timestamp_valid: bool | None
    ltv: bool
    pades_level: str
    eidas_level: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["ok"] = self.ok
        return out


@dataclass
class VerifyResult:
    source: str
    signatures: list[SignatureResult]

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "command": "sign verify",
            "source": self.source,
            "ok": self.ok,
            "signatures": [s.to_dict() for s in self.signatures],
        }


def _name(name: Any) -> str:
    return str(name.human_friendly)


def eidas_level(cert: Any) -> str:
    """SES for a self-signed certificate, QES when it carries the ETSI QcCompliance statement, else AdES."""
    for ext in cert["tbs_certificate"]["extensions"]:
        if ext["extn_id"].dotted == QC_STATEMENTS:
            statements = ext["extn_value"].parsed
            if any(s["statement_id"].dotted == QC_COMPLIANCE for s in statements):
                return "QES"
    return "SES" if cert.self_signed in ("yes", "maybe") else "AdES"


def _pades_level(reader: Any, has_ts: bool) -> tuple[str, bool]:
    dss = reader.root.get("/DSS")
    dss = dss.get_object() if dss is not None else None
    ltv = bool(dss is not None and ("/OCSPs" in dss or "/CRLs" in dss) and "/Certs" in dss)
    doc_ts = any(getattr(s, "sig_object_type", None) == "/DocTimeStamp" for s in reader.embedded_signatures)
    if ltv and doc_ts:
        return "B-LTA", ltv
    if ltv and has_ts:
        return "B-LT", ltv
    return ("B-T" if has_ts else "B-B"), ltv


def verify_pdf(data: bytes, source: str, trust_roots: list[bytes]) -> VerifyResult:
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError, IndexError) as exc:
        raise InputError.at(source, None, f"unreadable or truncated PDF: {exc}") from None
    anchors = [c for blob in trust_roots for c in load_certs_from_pemder_data(blob)]
    results = []
    for sig in signatures:
        if getattr(sig, "sig_object_type", None) == "/DocTimeStamp":
            continue
        vc = ValidationContext(trust_roots=anchors, allow_fetching=True, revocation_mode="soft-fail")
        status = validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=vc)
        results.append(_result(sig, status, reader, bool(anchors)))
    if not results:
        raise InputError.at(source, None, "the PDF carries no signature")
    return VerifyResult(source=source, signatures=results)


def _result(sig: Any, status: Any, reader: Any, have_anchors: bool) -> SignatureResult:
    cert = status.signing_cert
    ts = status.timestamp_validity
    signing_time = status.signer_reported_dt
    when = ts.timestamp if ts is not None else signing_time
    expired = bool(when and (when < cert.not_valid_before or when > cert.not_valid_after))
    level, ltv = _pades_level(reader, ts is not None)
    coverage = str(getattr(status.coverage, "name", status.coverage))
    modification = str(getattr(status.modification_level, "name", status.modification_level))
    problems = []
    if not status.intact:
        problems.append("the signed bytes were modified after signing (digest mismatch)")
    elif not status.valid:
        problems.append("the cryptographic signature does not verify")
    if coverage != "ENTIRE_FILE" and modification not in ("NONE", "LTA_UPDATES"):
        problems.append(f"the file was changed after signing ({modification.lower()})")
    if status.revoked:
        problems.append("the signer's certificate is revoked")
    if expired:
        problems.append("the signer's certificate was not valid at signing time (expired or not yet valid)")
    if not status.trusted and not status.revoked:
        problems.append(
            "untrusted: the certificate chain does not lead to a trusted root"
            + ("" if have_anchors else " (no `--trust` root given)")
        )
    if ts is not None and not (ts.intact and ts.valid):
        problems.append("the timestamp token does not verify")
    return SignatureResult(
        field_name=sig.field_name,
        signer=_name(cert.subject),
        issuer=_name(cert.issuer),
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        revoked=bool(status.revoked),
        expired_at_signing=expired,
        covers_whole_file=coverage == "ENTIRE_FILE",
        modification_level=modification,
        signing_time=signing_time.isoformat() if signing_time else None,
        timestamp=ts.timestamp.isoformat() if ts is not None else None,
        timestamp_valid=bool(ts.intact and ts.valid and ts.trusted) if ts is not None else None,
        ltv=ltv,
        pades_level=level,
        eidas_level=eidas_level(cert),
        problems=problems,
    )
