"""Find and extract the invoice XML embedded in any Factur-X / ZUGFeRD / XRechnung PDF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fpcli.errors import InputError
from fpcli.pdf.reading import open_pdf
from fpcli.pdf.streams import read_bounded

KNOWN_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")
MAX_ATTACHMENT = 50 * 1024 * 1024


@dataclass(frozen=True)
class ExtractedXml:
    filename: str
    data: bytes
    relationship: str | None
    mime: str | None


def _candidates(pdf: Any, source: str) -> list[tuple[str, Any]]:
    """(name, filespec) pairs from the EmbeddedFiles name tree, then the catalog AF array. Entries that are
    not dictionaries (damaged files) are skipped; a name tree that cannot be walked is an input error."""
    import pikepdf

    found: list[tuple[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    names = pdf.Root.get("/Names")
    try:
        if isinstance(names, pikepdf.Dictionary) and isinstance(
            names.get("/EmbeddedFiles"), pikepdf.Dictionary
        ):
            for key, spec in pikepdf.NameTree(names.EmbeddedFiles).items():
                if isinstance(spec, pikepdf.Dictionary):
                    found.append((str(spec.get("/UF", spec.get("/F", key))), spec))
                    if spec.is_indirect:
                        seen.add(spec.objgen)
    except (pikepdf.PdfError, TypeError, ValueError, KeyError) as exc:
        raise InputError.at(source, "EmbeddedFiles", f"the attachment list is damaged ({exc})") from None
    af = pdf.Root.get("/AF")
    for spec in af if isinstance(af, pikepdf.Array) else []:
        if not isinstance(spec, pikepdf.Dictionary) or (spec.is_indirect and spec.objgen in seen):
            continue
        found.append((str(spec.get("/UF", spec.get("/F", ""))), spec))
    return found


def _payload(spec: Any, name: str, source: str) -> tuple[bytes, str | None]:
    import pikepdf

    ef = spec.get("/EF")
    stream = ef.get("/F", ef.get("/UF")) if isinstance(ef, pikepdf.Dictionary) else None
    if not isinstance(stream, pikepdf.Stream):
        raise InputError.at(source, f"attachment `{name}`", "file specification has no embedded file stream")
    try:
        data = read_bounded(stream, MAX_ATTACHMENT, source, f"attachment `{name}`")
    except InputError:
        raise
    except Exception as exc:  # pikepdf raises several types for broken streams
        raise InputError.at(source, f"attachment `{name}`", f"cannot decode the stream ({exc})") from None
    subtype = stream.get("/Subtype")
    return data, (str(subtype)[1:].replace("#2F", "/") if subtype is not None else None)


def extract_xml(pdf_bytes: bytes, source: str) -> ExtractedXml:
    """The invoice XML: a known Factur-X/ZUGFeRD/XRechnung name first, else the first XML attachment."""
    pdf = open_pdf(pdf_bytes, source)
    candidates = _candidates(pdf, source)
    if not candidates:
        raise InputError.at(source, None, "no embedded invoice XML (the PDF has no attachment)")
    ordered = sorted(candidates, key=lambda c: c[0].lower() not in KNOWN_NAMES)
    for name, spec in ordered:
        data, mime = _payload(spec, name, source)
        if name.lower() in KNOWN_NAMES or data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
            rel = spec.get("/AFRelationship")
            return ExtractedXml(name, data, str(rel)[1:] if rel is not None else None, mime)
    names = ", ".join(n for n, _ in candidates)
    raise InputError.at(source, None, f"no embedded invoice XML (attachments: {names})")
