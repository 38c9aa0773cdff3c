"""Find and extract the invoice XML embedded in any Factur-X / ZUGFeRD / XRechnung PDF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fpcli.errors import InputError
from fpcli.pdf.reading import is_pdf, open_pdf
from fpcli.pdf.streams import read_bounded

KNOWN_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")
MAX_ATTACHMENT = 50 * 1024 * 1024
MAX_XMP = 4 * 1024 * 1024
FX_XMP = ("urn:factur-x:pdfa:", "urn:zugferd:pdfa:", "urn:ferd:pdfa:")


@dataclass(frozen=True)
class ExtractedXml:
    filename: str
    data: bytes
    relationship: str | None
    mime: str | None


def file_identities(spec: Any) -> set[tuple[str, int, int]]:
    """What makes two references one embedded file: the same file specification object, or the same embedded
    file stream (some writers put a direct copy of the specification in /AF)."""
    import pikepdf

    out = set()
    if spec.is_indirect:
        out.add(("spec", *spec.objgen))
    ef = spec.get("/EF")
    stream = ef.get("/F", ef.get("/UF")) if isinstance(ef, pikepdf.Dictionary) else None
    if isinstance(stream, pikepdf.Stream) and stream.is_indirect:
        out.add(("stream", *stream.objgen))
    return out


def _candidates(pdf: Any, source: str) -> list[tuple[str, Any]]:
    """(name, filespec) pairs from the EmbeddedFiles name tree, then the catalog AF array, each file once.
    Entries that are not dictionaries (damaged files) are skipped; a name tree that cannot be walked is an
    input error."""
    import pikepdf

    found: list[tuple[str, Any]] = []
    seen: set[tuple[str, int, int]] = set()

    def add(spec: Any, key: str) -> None:
        ids = file_identities(spec)
        if ids & seen:
            return
        seen.update(ids)
        found.append((str(spec.get("/UF", spec.get("/F", key))), spec))

    names = pdf.Root.get("/Names")
    try:
        if isinstance(names, pikepdf.Dictionary) and isinstance(
            names.get("/EmbeddedFiles"), pikepdf.Dictionary
        ):
            for key, spec in pikepdf.NameTree(names.EmbeddedFiles).items():
                if isinstance(spec, pikepdf.Dictionary):
                    add(spec, str(key))
    except (pikepdf.PdfError, TypeError, ValueError, KeyError) as exc:
        raise InputError.at(source, "EmbeddedFiles", f"the attachment list is damaged ({exc})") from None
    af = pdf.Root.get("/AF")
    for spec in af if isinstance(af, pikepdf.Array) else []:
        if isinstance(spec, pikepdf.Dictionary):
            add(spec, "")
    return found


def xmp_invoice_name(pdf: Any) -> str | None:
    """The invoice file the Factur-X / ZUGFeRD XMP names (fx:DocumentFileName), if it names one."""
    import pikepdf
    from lxml import etree

    from fpcli.pdf.streams import read_or_none
    from fpcli.xmlsafe import parse_xml

    meta = pdf.Root.get("/Metadata")
    try:  # bounded on the decoded size: the XMP stream can be a decompression bomb
        data = read_or_none(meta, MAX_XMP) if isinstance(meta, pikepdf.Stream) else None
    except Exception:  # pikepdf raises several types for broken streams; the XMP is then no help
        return None
    if not data:
        return None
    try:
        tree = parse_xml(data, "XMP")
    except InputError:
        return None
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        values = [(el.tag, el.text), *el.attrib.items()]
        for tag, value in values:
            q = etree.QName(tag)
            if q.localname == "DocumentFileName" and (q.namespace or "").startswith(FX_XMP) and value:
                return str(value).strip()
    return None


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
    """The invoice XML: the file the XMP names (fx:DocumentFileName), else a known Factur-X / ZUGFeRD /
    XRechnung name, else the first XML attachment."""
    pdf = open_pdf(pdf_bytes, source)
    candidates = _candidates(pdf, source)
    if not candidates:
        raise InputError.at(source, None, "no embedded invoice XML (the PDF has no attachment)")
    named = xmp_invoice_name(pdf)
    ordered = sorted(candidates, key=lambda c: (c[0] != named, c[0].lower() not in KNOWN_NAMES))
    for name, spec in ordered:
        data, mime = _payload(spec, name, source)
        if name.lower() in KNOWN_NAMES or data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
            rel = spec.get("/AFRelationship")
            return ExtractedXml(name, data, str(rel)[1:] if rel is not None else None, mime)
    names = ", ".join(n for n, _ in candidates)
    raise InputError.at(source, None, f"no embedded invoice XML (attachments: {names})")


def invoice_xml(data: bytes, source: str) -> tuple[bytes, str]:
    """The invoice XML of a file that is either that XML or a PDF embedding it, and the name to report it
    under (`x.pdf:factur-x.xml` for an embedded one)."""
    if not is_pdf(data):
        return data, source
    found = extract_xml(data, source)
    return found.data, f"{source}:{found.filename}"
