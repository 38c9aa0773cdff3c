"""PAdES signing of a (Factur-X) PDF as an incremental update, so the original bytes, the XMP and the
embedded XML stay untouched: B-B (CMS signature), B-T (+ RFC 3161 timestamp), B-LT (+ DSS with
certificates, OCSP responses and CRLs)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fpcli.errors import InputError, RemoteError, SignatureError, UsageError


class Level(StrEnum):
    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"


@dataclass(frozen=True)
class SignRequest:
    level: Level
    tsa_url: str | None = None
    reason: str | None = None
    location: str | None = None
    contact: str | None = None
    visible_page: int | None = None  # 1-based
    visible_box: tuple[int, int, int, int] | None = None
    trust_roots: tuple[bytes, ...] = ()  # for B-LT: anchors of the chain whose revocation data is embedded
    timeout: float = 15.0


def parse_visible(spec: str) -> tuple[int, tuple[int, int, int, int]]:
    """`PAGE,X1,Y1,X2,Y2` (points, origin bottom-left)."""
    try:
        page, x1, y1, x2, y2 = (int(p) for p in spec.split(","))
    except ValueError:
        raise UsageError(
            f"`--visible {spec}`: expected PAGE,X1,Y1,X2,Y2 in points", hint="e.g. 1,400,40,560,100"
        ) from None
    if page < 1 or x2 <= x1 or y2 <= y1:
        raise UsageError(f"`--visible {spec}`: page starts at 1 and the box needs x2 > x1, y2 > y1")
    return page, (x1, y1, x2, y2)


def _validation_context(roots: tuple[bytes, ...]) -> Any:
    from pyhanko_certvalidator import ValidationContext

    from fpcli.signing.keys import load_trust_certs

    anchors = [c for data in roots for c in load_trust_certs(data, "trust root")]
    return ValidationContext(trust_roots=anchors, allow_fetching=True, revocation_mode="hard-fail")


def _keep_metadata_writer(data: bytes) -> Any:
    """An incremental writer that leaves the Info dictionary and the XMP packet alone.

    pyHanko rewrites the XMP packet (its own serialiser: `fx:` becomes `ns0:`, the Factur-X extension schema's
    layout changes) and Info's Producer/ModDate on every write; a Factur-X invoice must keep both exactly as
    they were, and consistent with each other, so this writer skips that step (pyHanko's `_update_meta`)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class KeepMetadata(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:
            return None

    return KeepMetadata(io.BytesIO(data), strict=False)


def _dss_writer(data: bytes, signatures: list[Any], context: Any) -> Any:
    """A metadata-keeping writer over `data` with a DSS holding the certificates, OCSP responses and CRLs of
    the chains (signer and TSA) of `signatures`; fetching them validates the chains in hard-fail mode."""
    import asyncio

    from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info

    paths = [p for s in signatures for p in asyncio.run(collect_validation_info(s, context))]
    writer = _keep_metadata_writer(data)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=paths, validation_context=context)
    return writer


def _add_dss(signed: bytes, trust_roots: tuple[bytes, ...]) -> bytes:
    """B-LT: a DSS for the signature just made, as a further incremental update."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    last = PdfFileReader(io.BytesIO(signed), strict=False).embedded_signatures[-1]
    out = io.BytesIO()
    _dss_writer(signed, [last], _validation_context(trust_roots)).write(out)
    return out.getvalue()


def check_signer(signer: Any, now: dt.datetime | None = None) -> list[str]:
    """Refuse a certificate that is expired or not yet valid (a signature made with it is worthless, at
    every level); return warnings to show (a TEST certificate). Revocation is checked by B-LT signing and by
    `sign verify`, not here: it needs the network."""
    from fpcli.signing.verify import is_test_certificate, validity_problem

    cert = signer.signing_cert
    problem = validity_problem(cert, now or dt.datetime.now(dt.UTC))
    if problem:
        raise SignatureError(
            problem.replace("at signing time", "now") + f": `{cert.subject.human_friendly}`",
            hint="sign with a currently valid certificate",
        )
    if is_test_certificate(cert):
        return [f"`{cert.subject.human_friendly}` is a TEST certificate: not for production invoices"]
    return []


def sign_pdf(data: bytes, signer: Any, request: SignRequest, source: str) -> bytes:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign import fields, signers, timestamps

    try:
        writer = _keep_metadata_writer(data)
    except (PdfReadError, ValueError, KeyError, IndexError) as exc:
        raise InputError.at(source, None, f"unreadable or truncated PDF: {exc}") from None
    if writer.prev.encrypted:
        raise InputError.at(
            source, None, "the PDF is encrypted; PDF/A invoices may not be, fpcli does not sign it"
        )
    check_signer(signer)
    if request.level in (Level.B_T, Level.B_LT) and not request.tsa_url:
        raise UsageError(f"level {request.level} needs a timestamp authority", hint="give `--tsa URL`")
    if request.level is Level.B_LT and not request.trust_roots:
        raise UsageError(
            "level B-LT needs the root certificate of the signer's chain", hint="give `--trust ROOT.pem`"
        )
    field_name = _free_field_name(writer)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=request.reason,
        location=request.location,
        contact_info=request.contact,
    )
    stamper = (
        timestamps.HTTPTimeStamper(request.tsa_url, timeout=int(request.timeout))
        if request.level in (Level.B_T, Level.B_LT) and request.tsa_url
        else None
    )
    field_spec = None
    style = None
    if request.visible_page is not None and request.visible_box is not None:
        field_spec = fields.SigFieldSpec(
            field_name, on_page=request.visible_page - 1, box=request.visible_box
        )
        from fpcli.signing.stamp import stamp_style

        style = stamp_style()
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, timestamper=stamper, new_field_spec=field_spec, stamp_style=style
    )
    try:
        signed = bytes(pdf_signer.sign_pdf(writer).getvalue())
        return _add_dss(signed, request.trust_roots) if request.level is Level.B_LT else signed
    except Exception as exc:  # pyHanko wraps network and validation failures in many types
        raise _classify(exc, request) from None


def _free_field_name(writer: Any) -> str:
    from pyhanko.sign.fields import enumerate_sig_fields

    taken = {name for name, _, _ in enumerate_sig_fields(writer.prev)}
    n = 1
    while f"Signature{n}" in taken:
        n += 1
    return f"Signature{n}"


def _classify(exc: Exception, request: SignRequest) -> Exception:
    text = f"{type(exc).__name__}: {exc}"
    lowered = text.lower()
    if any(w in lowered for w in ("timestamp", "tsa", "connect", "timeout", "http")):
        return RemoteError(
            f"timestamp or revocation service failed ({text.splitlines()[0]})",
            hint=f"check `--tsa {request.tsa_url}` and the OCSP/CRL URLs in the certificates",
        )
    return SignatureError(f"signing failed: {text.splitlines()[0]}")


def extend_pdf(data: bytes, source: str, trust_roots: tuple[bytes, ...], tsa_url: str | None) -> bytes:
    """Add LTV material (a DSS for every signature's chains) and, with a TSA, a document timestamp after it:
    B-T -> B-LT, B-LT -> B-LTA. Info and XMP stay as they were."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers, timestamps

    if not trust_roots:
        raise UsageError(
            "extending needs the root certificate of the signers' chains", hint="give `--trust ROOT.pem`"
        )
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = [s for s in reader.embedded_signatures if s.sig_object_type == "/Sig"]
    except (PdfReadError, ValueError, KeyError, IndexError) as exc:
        raise InputError.at(source, None, f"unreadable or truncated PDF: {exc}") from None
    if not sigs:
        raise InputError.at(source, None, "the PDF carries no signature to extend")
    request = SignRequest(Level.B_LT, tsa_url)
    try:
        writer = _dss_writer(data, sigs, _validation_context(trust_roots))
        out = io.BytesIO()
        if tsa_url:
            stamper = timestamps.HTTPTimeStamper(tsa_url, timeout=int(request.timeout))
            signers.PdfTimeStamper(stamper).timestamp_pdf(writer, "sha256", output=out)
        else:
            writer.write(out)
    except Exception as exc:  # network and validation failures come in many types
        raise _classify(exc, request) from None
    return out.getvalue()
