"""PAdES signing of a (Factur-X) PDF as an incremental update, so the original bytes, the XMP and the
embedded XML stay untouched: B-B (CMS signature), B-T (+ RFC 3161 timestamp), B-LT (+ DSS with
certificates, OCSP responses and CRLs)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from fpcli.errors import InputError, RemoteError, UsageError


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
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko_certvalidator import ValidationContext

    anchors = [c for data in roots for c in load_certs_from_pemder_data(data)]
    return ValidationContext(trust_roots=anchors, allow_fetching=True, revocation_mode="hard-fail")


@cache
def _stamp_font() -> bytes:
    """Vera (shipped with reportlab) rescaled to 1000 units per em. pyHanko writes the font's advance widths
    into the PDF's W array unscaled, which PDF/A (6.2.11.5) rejects unless the font has 1000 units per em."""
    from pathlib import Path

    import reportlab
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"))
    scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _stamp_style() -> Any:
    """A text stamp with an embedded TrueType font: the standard fonts are not embedded and break PDF/A."""
    from pyhanko.pdf_utils.font.api import FontEngineFactory
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    class StampFont(FontEngineFactory):
        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> Any:
            handle = io.BytesIO(_stamp_font())
            return GlyphAccumulator(writer=writer, font_handle=handle, font_size=10, obj_stream=obj_stream)

    return TextStampStyle(
        stamp_text="Signé par %(signer)s\n%(ts)s", text_box_style=TextBoxStyle(font=StampFont())
    )


def sign_pdf(data: bytes, signer: Any, request: SignRequest, source: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign import fields, signers, timestamps

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except (PdfReadError, ValueError, KeyError, IndexError) as exc:
        raise InputError.at(source, None, f"unreadable or truncated PDF: {exc}") from None
    if writer.prev.encrypted:
        raise InputError.at(source, None, "PDF is encrypted; PDF/A invoices may not be")
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
        embed_validation_info=request.level is Level.B_LT,
        validation_context=_validation_context(request.trust_roots) if request.level is Level.B_LT else None,
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
        style = _stamp_style()
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, timestamper=stamper, new_field_spec=field_spec, stamp_style=style
    )
    try:
        out = pdf_signer.sign_pdf(writer)
    except Exception as exc:  # pyHanko wraps network and validation failures in many types
        raise _classify(exc, request) from None
    return bytes(out.getvalue())


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
    from fpcli.errors import SignatureError

    return SignatureError(f"signing failed: {text.splitlines()[0]}")
