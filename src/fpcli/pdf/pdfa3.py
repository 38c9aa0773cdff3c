"""Turn any PDF into a Factur-X PDF/A-3b carrying the invoice XML.

What PDF/A-3 and Factur-X ask for, and what this writes: an OutputIntent (GTS_PDFA1, sRGB ICC), an XMP
packet with pdfaid part 3 and the Factur-X extension schema, an Info dictionary that agrees with it, and the
XML as an associated file (EmbeddedFiles name tree + catalog AF, AFRelationship, MIME subtype, Params with
Size/ModDate/CheckSum). Everything derives from the inputs and `metadata.date`, so the same inputs give the
same bytes (deterministic /ID, no wall clock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from fpcli import __version__
from fpcli.cii.profile import Profile
from fpcli.pdf.reading import open_pdf
from fpcli.pdf.xmp import XmpFields, build_xmp, pdf_date

ATTACHMENT_NAME = "factur-x.xml"


@dataclass(frozen=True)
class PdfMetadata:
    title: str
    author: str
    subject: str
    date: dt.datetime
    producer: str = field(default=f"fpcli {__version__}")


def relationship_for(profile: Profile) -> str:
    # Factur-X 1.0.7+: MINIMUM and BASIC WL are not full invoices, so the XML is "Data"; else "Alternative".
    return "Data" if profile in (Profile.MINIMUM, Profile.BASIC_WL) else "Alternative"


@cache
def srgb_icc() -> bytes:
    from PIL import ImageCms

    data = bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    # lcms stamps the creation time into the header (bytes 24-35): a fixed date keeps output reproducible
    # (the profile ID, bytes 84-99, is zero here, so no checksum covers it).
    return data[:24] + bytes.fromhex("07d000010001000000000000") + data[36:]


def embed_xml(pdf_bytes: bytes, xml: bytes, *, profile: Profile, metadata: PdfMetadata, source: str) -> bytes:
    """Return `pdf_bytes` as a Factur-X PDF/A-3b with `xml` embedded as factur-x.xml."""
    import pikepdf
    from pikepdf import Dictionary, Name, String

    pdf = open_pdf(pdf_bytes, source)
    when = pdf_date(metadata.date)
    _remove_invoice_attachments(pdf)
    relationship = Name("/" + relationship_for(profile))

    stream = pikepdf.Stream(pdf, xml)
    stream["/Type"] = Name.EmbeddedFile
    stream["/Subtype"] = Name("/text/xml")
    stream["/Params"] = Dictionary(
        Size=len(xml),
        ModDate=String(when),
        CheckSum=String(hashlib.md5(xml).digest()),  # noqa: S324 (PDF spec)
    )
    filespec = pdf.make_indirect(
        Dictionary(
            Type=Name.Filespec,
            F=String(ATTACHMENT_NAME),
            UF=String(ATTACHMENT_NAME),
            Desc=String("Factur-X invoice"),
            AFRelationship=relationship,
            EF=Dictionary(F=stream, UF=stream),
        )
    )
    root = pdf.Root
    names = root.get("/Names") or pdf.make_indirect(Dictionary())
    root["/Names"] = names
    tree = (
        pikepdf.NameTree.new(pdf) if "/EmbeddedFiles" not in names else pikepdf.NameTree(names.EmbeddedFiles)
    )
    tree[ATTACHMENT_NAME] = filespec
    names["/EmbeddedFiles"] = tree.obj
    af = root.get("/AF") or pikepdf.Array()
    af.append(filespec)
    root["/AF"] = pdf.make_indirect(af) if not af.is_indirect else af

    if not _has_pdfa_output_intent(root):
        icc = pikepdf.Stream(pdf, srgb_icc())
        icc["/N"] = 3
        intent = Dictionary(
            Type=Name.OutputIntent,
            S=Name.GTS_PDFA1,
            OutputConditionIdentifier=String("sRGB IEC61966-2.1"),
            Info=String("sRGB IEC61966-2.1"),
            DestOutputProfile=pdf.make_indirect(icc),
        )
        intents = root.get("/OutputIntents") or pikepdf.Array()
        intents.append(pdf.make_indirect(intent))
        root["/OutputIntents"] = intents

    xmp = build_xmp(
        XmpFields(
            title=metadata.title,
            author=metadata.author,
            subject=metadata.subject,
            producer=metadata.producer,
            creator_tool=metadata.producer,
            date=metadata.date,
            conformance_level=profile.label,
        )
    )
    meta = pikepdf.Stream(pdf, xmp)
    meta["/Type"] = Name.Metadata
    meta["/Subtype"] = Name.XML
    root["/Metadata"] = pdf.make_indirect(meta)
    root["/PageMode"] = Name.UseAttachments
    info = pdf.make_indirect(
        Dictionary(
            Title=String(metadata.title),
            Author=String(metadata.author),
            Subject=String(metadata.subject),
            Producer=String(metadata.producer),
            Creator=String(metadata.producer),
            CreationDate=String(when),
            ModDate=String(when),
        )
    )
    pdf.trailer["/Info"] = info
    out = io.BytesIO()
    pdf.save(
        out,
        deterministic_id=True,
        fix_metadata_version=False,  # keep our XMP exactly as written
        min_version="1.7",
        # classic xref table: the most widely readable layout for archiving software
        object_stream_mode=pikepdf.ObjectStreamMode.disable,
    )
    return out.getvalue()


def _has_pdfa_output_intent(root: Any) -> bool:
    for intent in root.get("/OutputIntents", []):
        if str(intent.get("/S", "")) == "/GTS_PDFA1" and "/DestOutputProfile" in intent:
            return True
    return False


def _remove_invoice_attachments(pdf: Any) -> None:
    """Re-embedding replaces the invoice XML instead of adding a second one."""
    import pikepdf

    root = pdf.Root
    names = root.get("/Names")
    if names is not None and "/EmbeddedFiles" in names:
        tree = pikepdf.NameTree(names.EmbeddedFiles)
        for key in list(tree.keys()):
            if key.lower() in {"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"}:
                del tree[key]
    if "/AF" in root:
        kept = [
            spec
            for spec in root.AF
            if str(spec.get("/UF", spec.get("/F", ""))).lower()
            not in {"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"}
        ]
        root["/AF"] = pikepdf.Array(kept)
