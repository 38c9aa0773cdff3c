"""Verifying the signatures of a PDF, each on its own and in file order: integrity, what the signature covers
(whole file, later allowed updates, or a modification), chain and trust, revocation as it is (good / revoked /
unknown and why), certificate validity at signing time, timestamps, the PAdES level this signature reaches,
the eIDAS level its certificate supports, and a verdict.

Allowed later updates (further signatures, DSS, document timestamps, annotations under DocMDP) are judged by
pyHanko's difference analysis. Revocation is probed separately in hard-fail mode, so that "could not check"
is never silently reported as "not revoked".
"""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from fpcli.errors import InputError
from fpcli.signing.fetch import FetchLog, FetchPolicy, fetcher_backend

QC_STATEMENTS = "1.3.6.1.5.5.7.1.3"
QC_COMPLIANCE = "0.4.0.1862.1.1"
PADES_SUBFILTER = "/ETSI.CAdES.detached"
TEST_MARK = re.compile(r"\bTEST\b", re.IGNORECASE)


class RevocationMode(StrEnum):
    SOFT = "soft"  # unknown revocation is a warning; revoked is invalid
    HARD = "hard"  # unknown revocation is invalid too


class Verdict(StrEnum):
    VALID = "valid"
    WARNINGS = "valid-with-warnings"
    INVALID = "invalid"


@dataclass(frozen=True)
class VerifyOptions:
    trust_roots: tuple[Any, ...] = ()  # asn1crypto certificates (see keys.load_trust_certs)
    revocation: RevocationMode = RevocationMode.SOFT
    fetch: FetchPolicy = field(default_factory=FetchPolicy)


@dataclass
class Revocation:
    status: str  # good | revoked | unknown
    detail: str  # the source when good; date and reason when revoked; why when unknown

    def to_dict(self) -> dict[str, str]:
        return {"status": self.status, "detail": self.detail}


@dataclass
class SignatureResult:
    index: int  # 1 = oldest
    field_name: str
    kind: str  # signature | document timestamp
    subfilter: str
    signer: str
    issuer: str
    intact: bool
    valid: bool
    trusted: bool
    revocation: Revocation
    expired_at_signing: bool
    test_certificate: bool
    coverage: str  # whole file | followed by N allowed update(s) | modified
    later_updates: int
    modification_level: str
    signing_time: str | None
    timestamp: str | None
    timestamp_valid: bool | None
    ltv: bool
    pades_level: str
    eidas_level: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def revoked(self) -> bool:
        return self.revocation.status == "revoked"

    @property
    def covers_whole_file(self) -> bool:
        return self.coverage == "whole file"

    @property
    def verdict(self) -> Verdict:
        if self.problems:
            return Verdict.INVALID
        return Verdict.WARNINGS if self.warnings else Verdict.VALID

    @property
    def ok(self) -> bool:
        return self.verdict is not Verdict.INVALID

    def to_dict(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["revocation"] = self.revocation.to_dict()
        out.update(revoked=self.revoked, covers_whole_file=self.covers_whole_file)
        out.update(verdict=str(self.verdict), ok=self.ok)
        return out


@dataclass
class VerifyResult:
    source: str
    signatures: list[SignatureResult]
    revocation_mode: str = RevocationMode.SOFT
    offline: bool = False
    unchecked: list[str] = field(default_factory=list)  # what could not be fetched, and why

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 2,
            "command": "sign verify",
            "source": self.source,
            "ok": self.ok,
            "revocation_mode": str(self.revocation_mode),
            "offline": self.offline,
            "not_fetched": self.unchecked,
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


def is_test_certificate(cert: Any) -> bool:
    """fpcli's `make-test-cert` certificates, and any self-signed certificate whose name says TEST."""
    return cert.self_signed in ("yes", "maybe") and bool(TEST_MARK.search(_name(cert.subject)))


def validity_problem(cert: Any, when: datetime) -> str | None:
    if when < cert.not_valid_before:
        start = f"{cert.not_valid_before:%Y-%m-%d}"
        return f"the signer's certificate was not yet valid at signing time (valid from {start})"
    if when > cert.not_valid_after:
        return (
            f"the signer's certificate had expired at signing time (expired {cert.not_valid_after:%Y-%m-%d})"
        )
    return None


# ---------------------------------------------------------------------------------------------------
# reading


def open_signed(data: bytes, source: str) -> Any:
    """A pyHanko reader; an encrypted file opens only with an empty user password."""
    from pyhanko.pdf_utils.crypt import AuthStatus
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            try:
                status = reader.decrypt(b"").status
            except Exception:  # unsupported handlers (public-key, unknown filters) raise several types
                status = AuthStatus.FAILED
            if status is AuthStatus.FAILED:
                raise InputError.at(
                    source,
                    None,
                    "the PDF is encrypted with a password; fpcli opens only files whose "
                    "user password is empty",
                    hint="decrypt it first, e.g. `qpdf --decrypt`",
                )
        list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise InputError.at(source, None, f"unreadable or truncated PDF: {exc}") from None
    return reader


def _trailing_bytes(data: bytes, reader: Any) -> int:
    """Bytes after the last revision's `%%EOF`: part of no revision, covered by no signature."""
    last = reader.xrefs.total_revisions - 1
    start = reader.xrefs.get_startxref_for_revision(last)
    eof = data.find(b"%%EOF", start)
    if eof < 0:
        return 0
    return len(data[eof + 5 :].strip(b"\r\n\t\f\x00 "))


def _dss(reader: Any) -> Any:
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    try:
        return DocumentSecurityStore.read_dss(reader)
    except Exception:  # no DSS, or an unreadable one: nothing embedded to use
        return None


def _embedded_material(dss: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """Certificates, OCSP responses and CRLs in the DSS."""
    from asn1crypto import crl, ocsp
    from pyhanko.pdf_utils.decode_limits import DecodePurpose

    if dss is None:
        return [], [], []
    ocsps = [ocsp.OCSPResponse.load(r.get_object().read_data(DecodePurpose.OCSP_RESPONSE)) for r in dss.ocsps]
    crls = [crl.CertificateList.load(r.get_object().read_data(DecodePurpose.CRL)) for r in dss.crls]
    return list(dss.load_certs()), ocsps, crls


def _has_revinfo_for(cert: Any, ocsps: list[Any], crls: list[Any]) -> bool:
    """Does the embedded material hold revocation data about this certificate (B-LT)?"""
    serial = cert.serial_number
    for resp in ocsps:
        try:
            basic = resp["response_bytes"]["response"].parsed
            single = basic["tbs_response_data"]["responses"]
        except (KeyError, ValueError, TypeError):
            continue
        if any(s["cert_id"]["serial_number"].native == serial for s in single):
            return True
    return any(c.issuer == cert.issuer for c in crls)


# ---------------------------------------------------------------------------------------------------
# verifying


def verify_pdf(data: bytes, source: str, options: VerifyOptions | None = None) -> VerifyResult:
    options = options or VerifyOptions()
    reader = open_signed(data, source)
    embedded = sorted(reader.embedded_signatures, key=lambda s: s.signed_revision)
    if not embedded:
        raise InputError.at(source, None, "the PDF carries no signature")
    log = FetchLog(options.fetch)
    results = asyncio.run(_verify_all(reader, embedded, options, log))
    trailing = _trailing_bytes(data, reader)
    if trailing:
        for s in results:
            s.warnings.append(
                f"{trailing} bytes after the end of the file's last revision are signed by nobody"
            )
    return VerifyResult(
        source=source,
        signatures=results,
        revocation_mode=options.revocation,
        offline=options.fetch.offline,
        unchecked=list(log.failures),
    )


async def _verify_all(reader: Any, embedded: list[Any], options: VerifyOptions, log: FetchLog) -> list[Any]:
    dss = _dss(reader)
    certs, ocsps, crls = _embedded_material(dss)
    fetchers = None if options.fetch.offline else fetcher_backend(log).get_fetchers()

    def context(fetch: bool = True, **extra: Any) -> Any:
        from pyhanko_certvalidator import ValidationContext

        fetch = fetch and fetchers is not None
        return ValidationContext(
            trust_roots=list(options.trust_roots),
            other_certs=certs,
            ocsps=ocsps,
            crls=crls,
            allow_fetching=fetch,
            fetchers=fetchers if fetch else None,
            **extra,
        )

    total = reader.xrefs.total_revisions
    doc_ts_revisions = [s.signed_revision for s in embedded if s.sig_object_type == "/DocTimeStamp"]
    results = []
    for index, sig in enumerate(embedded, start=1):
        later = total - 1 - sig.signed_revision
        if sig.sig_object_type == "/DocTimeStamp":
            results.append(await _doc_timestamp(index, sig, context(), later))
            continue
        results.append(
            await _signature(index, sig, context, options, log, later, (ocsps, crls), doc_ts_revisions)
        )
    return results


def _integrity(status: Any, coverage: str, change: str | None) -> tuple[str, list[str]]:
    """Digest, signature value and later changes: the problems every kind of signature can have."""
    problems = []
    if not status.intact:
        problems.append("the signed bytes were modified after signing (digest mismatch)")
    elif not status.valid:
        problems.append("the cryptographic signature does not verify")
    if change:
        problems.append(change)
    return coverage, problems


def _coverage(status: Any, later: int) -> tuple[str, str | None]:
    """(coverage, problem) from pyHanko's coverage level and difference analysis."""
    coverage = str(getattr(status.coverage, "name", status.coverage))
    if coverage == "ENTIRE_FILE":
        return "whole file", None
    level = getattr(status.modification_level, "name", None)
    if status.docmdp_ok and coverage == "ENTIRE_REVISION":
        if later == 0:  # no later revision: what follows is loose bytes (reported as a warning)
            return "followed by bytes outside any revision", None
        return f"followed by {later} allowed update{'s' if later != 1 else ''}", None
    reason = status.diff_result if not hasattr(status.diff_result, "modification_level") else None
    why = f": {str(reason).splitlines()[0]}" if reason else ""
    return "modified", (
        f"the file was changed after signing in a way this signature does not allow "
        f"({(level or coverage).lower()}{why})"
    )


async def _signature(
    index: int,
    sig: Any,
    context: Any,
    options: VerifyOptions,
    log: FetchLog,
    later: int,
    revinfo: tuple[list[Any], list[Any]],
    doc_ts_revisions: list[int],
) -> SignatureResult:
    from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature

    subfilter = str(sig.sig_object.get("/SubFilter", "?"))
    vc = context(revocation_mode="soft-fail")
    status = await async_validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=vc)
    cert = status.signing_cert
    ts = status.timestamp_validity
    ts_ok = ts is not None and bool(ts.intact and ts.valid and ts.trusted)
    signing_time = status.signer_reported_dt
    when = ts.timestamp if ts is not None else signing_time
    warnings: list[str] = []
    coverage, problems = _integrity(status, *_coverage(status, later))
    validity = validity_problem(cert, when) if when else None
    if validity:
        problems.append(validity)
    if not when:
        warnings.append("no signing time: certificate validity at signing time not checked")
    revocation = await _revocation(
        cert, sig, context, log, ts.timestamp if ts_ok and ts is not None else None, revinfo, options
    )
    if revocation.status == "revoked":
        problems.append(f"the signer's certificate is revoked ({revocation.detail})")
    elif revocation.status == "unknown" and not validity:
        text = f"revocation not checked: {revocation.detail}"
        (problems if options.revocation is RevocationMode.HARD else warnings).append(text)
    if not status.trusted and revocation.status != "revoked" and not validity:
        problems.append(_trust_problem(status, bool(options.trust_roots)))
    if ts is not None and not (ts.intact and ts.valid):
        problems.append("the timestamp token does not verify")
    elif ts is not None and not ts.trusted:
        problems.append("the timestamp authority is not trusted (give its root with `--trust`)")
    test = is_test_certificate(cert)
    if test:
        warnings.append("a TEST certificate (self-signed, named TEST): not for production invoices")
    ltv = ts is not None and _has_revinfo_for(cert, *revinfo)
    level = _pades_level(
        subfilter, ts is not None, ltv, any(r > sig.signed_revision for r in doc_ts_revisions)
    )
    if level.startswith("not PAdES"):
        warnings.append(f"{level}: a PDF signature, but not one of the PAdES baseline levels")
    return SignatureResult(
        index=index,
        field_name=sig.field_name,
        kind="signature",
        subfilter=subfilter.lstrip("/"),
        signer=_name(cert.subject),
        issuer=_name(cert.issuer),
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        revocation=revocation,
        expired_at_signing=bool(validity),
        test_certificate=test,
        coverage=coverage,
        later_updates=later,
        modification_level=str(getattr(status.modification_level, "name", status.modification_level)),
        signing_time=signing_time.isoformat() if signing_time else None,
        timestamp=ts.timestamp.isoformat() if ts is not None else None,
        timestamp_valid=ts_ok if ts is not None else None,
        ltv=ltv,
        pades_level=level,
        eidas_level=eidas_level(cert),
        problems=problems,
        warnings=warnings,
    )


def _pades_level(subfilter: str, has_ts: bool, ltv: bool, doc_ts_after: bool) -> str:
    if subfilter != PADES_SUBFILTER:
        return f"not PAdES ({subfilter.lstrip('/')})"
    if not has_ts:
        return "B-B"
    if not ltv:
        return "B-T"
    return "B-LTA" if doc_ts_after else "B-LT"


def _trust_problem(status: Any, have_anchors: bool) -> str:
    indic = getattr(status.trust_problem_indic, "name", None)
    if not have_anchors:
        return "untrusted: no `--trust` root given, so no chain can lead to a trusted root"
    if indic in (None, "NO_CERTIFICATE_CHAIN_FOUND"):
        return "untrusted: the certificate chain does not lead to a trusted root" + (
            "" if have_anchors else " (no `--trust` root given)"
        )
    return f"untrusted: {str(indic).replace('_', ' ').lower()}"


async def _revocation(
    cert: Any,
    sig: Any,
    context: Any,
    log: FetchLog,
    proven_time: datetime | None,
    revinfo: tuple[list[Any], list[Any]],
    options: VerifyOptions,
) -> Revocation:
    """Probe the signer's chain in hard-fail mode: good, revoked (when, why) or unknown (why)."""
    from pyhanko_certvalidator import CertificateValidator
    from pyhanko_certvalidator.errors import (
        ExpiredError,
        InsufficientRevinfoError,
        NotYetValidError,
        PathBuildingError,
        PathValidationError,
        RevokedError,
    )

    if not options.trust_roots and cert.self_signed not in ("yes", "maybe"):
        return Revocation("unknown", "no trusted root given (`--trust`): the chain cannot be checked")
    ocsp_urls, crl_urls = list(cert.ocsp_urls), [u for dp in cert.crl_distribution_points for u in dp.url]
    if cert.self_signed in ("yes", "maybe") or not (
        ocsp_urls or crl_urls or _has_revinfo_for(cert, *revinfo)
    ):
        return Revocation("unknown", "the certificate names no OCSP responder or CRL, and none is embedded")
    # with a trusted timestamp, the status at that time counts; later revinfo ("still good") may prove it.
    # Embedded material first: certvalidator ignores it once a fetch for the same certificate fails.
    moment = proven_time or datetime.now(UTC)
    why = "no OCSP or CRL answer could be used for this certificate"
    for fetch in (False, True) if not options.fetch.offline else (False,):
        vc = context(fetch, revocation_mode="hard-fail", moment=moment, retroactive_revinfo=bool(proven_time))
        validator = CertificateValidator(
            cert, intermediate_certs=list(sig.other_embedded_certs), validation_context=vc
        )
        try:
            await validator.async_validate_path()
        except RevokedError as exc:
            reason = str(getattr(exc.reason, "human_friendly", exc.reason))
            who = "" if exc.is_ee_cert else " (a CA of its chain)"
            since = f"{exc.revocation_dt:%Y-%m-%d %H:%M} UTC"
            return Revocation("revoked", f"revoked{who} since {since}, reason: {reason}")
        except InsufficientRevinfoError:
            why = _why_unknown(log, ocsp_urls + crl_urls, options.fetch, fetch)
            continue
        except (ExpiredError, NotYetValidError):
            return Revocation("unknown", "the certificate was not valid at the time checked")
        except (PathBuildingError, PathValidationError) as exc:
            return Revocation("unknown", f"the chain could not be validated ({type(exc).__name__})")
        return Revocation(
            "good", "not revoked (" + ("OCSP/CRL fetched" if fetch else "embedded OCSP/CRL") + ")"
        )
    return Revocation("unknown", why)


def _why_unknown(log: FetchLog, urls: list[str], policy: FetchPolicy, fetched: bool) -> str:
    if not fetched:
        offline = "`--offline`, and " if policy.offline else ""
        return offline + "the file embeds no usable revocation data for this certificate"
    notes = log.for_urls(urls) or log.failures
    if notes:
        return "; ".join(notes)
    return "no OCSP or CRL answer could be used for this certificate"


async def _doc_timestamp(index: int, sig: Any, vc: Any, later: int) -> SignatureResult:
    from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_timestamp

    status = await async_validate_pdf_timestamp(sig, validation_context=vc)
    cert = status.signing_cert
    coverage, problems = _integrity(status, *_ts_coverage(status, later))
    if status.intact and status.valid and not status.trusted:
        problems.append("the timestamp authority is not trusted (give its root with `--trust`)")
    return SignatureResult(
        index=index,
        field_name=sig.field_name,
        kind="document timestamp",
        subfilter=str(sig.sig_object.get("/SubFilter", "?")).lstrip("/"),
        signer=_name(cert.subject),
        issuer=_name(cert.issuer),
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        revocation=Revocation("unknown", "not probed for timestamp authorities"),
        expired_at_signing=False,
        test_certificate=is_test_certificate(cert),
        coverage=coverage,
        later_updates=later,
        modification_level=str(getattr(status.modification_level, "name", status.modification_level)),
        signing_time=None,
        timestamp=status.timestamp.isoformat(),
        timestamp_valid=bool(status.intact and status.valid and status.trusted),
        ltv=False,
        pades_level="document timestamp",
        eidas_level=eidas_level(cert),
        problems=problems,
    )


def _ts_coverage(status: Any, later: int) -> tuple[str, str | None]:
    coverage = str(getattr(status.coverage, "name", status.coverage))
    if coverage == "ENTIRE_FILE":
        return "whole file", None
    level = getattr(status.modification_level, "name", "OTHER")
    if coverage == "ENTIRE_REVISION" and level != "OTHER":
        return f"followed by {later} allowed update{'s' if later != 1 else ''}", None
    return (
        "modified",
        f"the file was changed after this timestamp in a way it does not allow ({level.lower()})",
    )
