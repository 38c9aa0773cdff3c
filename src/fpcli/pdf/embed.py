"""Any PDF in, a valid Factur-X PDF/A-3 out: `fpcli embed` and `fpcli generate --pdf`.

An ordinary PDF (an ERP's print, a word processor's export) breaks PDF/A in ways a metadata edit cannot fix:
fonts not embedded, device colours, transparency, missing widths. Fixing that means rewriting the page
content, which is a PDF interpreter's job, so fpcli hands it to Ghostscript's pdfwrite device (`-dPDFA=3`),
run as an external program with a timeout, as OCRmyPDF does. Before that, fpcli removes what PDF/A forbids
and Ghostscript would stop on (JavaScript, Launch and other actions, additional actions, encryption) and lists
what it removed. After it, fpcli adds the output intent, XMP, the invoice XML and any extra attachments
(`fpcli.pdf.pdfa3.embed_xml`), then checks the result with the same code as `fpcli validate`: a result that
fails is an `InvalidDocumentError` (exit 1) and the caller writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import mimetypes
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpcli.cii.profile import Profile
from fpcli.errors import InputError, InvalidDocumentError, OutputExistsError, UsageError
from fpcli.pdf.pdfa3 import ATTACHMENT_NAME, PdfMetadata, embed_xml
from fpcli.pdf.reading import open_pdf

GHOSTSCRIPT_NAMES = ("gs", "gswin64c", "gswin32c")
GS_TIMEOUT = 120.0  # seconds; a few pages take well under one
RELATIONSHIPS = ("Supplement", "Source", "Data", "Alternative", "Unspecified")
# Actions PDF/A-2/3 allow (ISO 19005-3 6.5.1); any other action is removed before conversion.
_ALLOWED_ACTIONS = frozenset({"GoTo", "GoToR", "GoToE", "Thread", "URI", "Named", "SubmitForm"})
_FORBIDDEN_ANNOTATIONS = frozenset({"3D", "Sound", "Screen", "Movie", "RichMedia"})
_INVOICE_NAMES = frozenset({"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"})


@dataclass(frozen=True)
class ExtraAttachment:
    """A file to carry next to the invoice XML (PDF/A-3 associated file)."""

    name: str
    data: bytes
    relationship: str = "Supplement"
    mime: str | None = None

    @classmethod
    def from_file(cls, path: str, relationship: str) -> ExtraAttachment:
        from fpcli.fileio import read_input

        if relationship not in RELATIONSHIPS:
            raise UsageError(
                f"unknown AFRelationship `{relationship}`", hint=f"use one of: {', '.join(RELATIONSHIPS)}"
            )
        name = Path(path).name
        if name.lower() in _INVOICE_NAMES:
            raise UsageError(
                f"`{path}`: an attachment named `{name}` would be taken for the invoice XML",
                hint="rename the file before attaching it",
            )
        return cls(name=name, data=read_input(path), relationship=relationship)


@dataclass
class EmbedResult:
    pdf: bytes
    profile: Profile
    removed: list[str] = field(default_factory=list)  # what PDF/A forbids and fpcli took out
    attachments: list[str] = field(default_factory=list)
    checked: bool = False

    def to_dict(self, output: str) -> dict[str, object]:
        return {
            "schema_version": 1,
            "command": "embed",
            "output": output,
            "profile": self.profile.value,
            "attachments": self.attachments,
            "removed": self.removed,
            "checked": self.checked,
        }


def ghostscript() -> str:
    """The Ghostscript executable on PATH, or an InputError (exit 3) naming the missing program."""
    for name in GHOSTSCRIPT_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise InputError(
        "Ghostscript (`gs`) is not installed: fpcli needs it to turn an ordinary PDF into PDF/A-3",
        hint="install it (`apt-get install ghostscript`, `brew install ghostscript`, or "
        "https://ghostscript.com) and run the command again",
    )


def facturx_from_pdf(
    base: bytes,
    xml: bytes,
    *,
    profile: Profile,
    metadata: PdfMetadata,
    source: str,
    attachments: Sequence[ExtraAttachment] = (),
    check: bool = True,
    output_name: str | None = None,
) -> EmbedResult:
    """Convert `base` to PDF/A-3 with Ghostscript and embed `xml`; with `check`, validate before returning."""
    names = [a.name for a in attachments]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UsageError(f"attachment `{duplicates[0]}` is given twice", hint="attach each file once")
    cleaned, removed = sanitize(base, source)
    converted = convert_to_pdfa(cleaned, source)
    with_extras = add_attachments(converted, attachments, date=metadata.date, source=source)
    pdf = embed_xml(with_extras, xml, profile=profile, metadata=metadata, source=source)
    result = EmbedResult(pdf=pdf, profile=profile, removed=removed, attachments=names)
    if check:
        check_output(pdf, output_name or f"PDF made from {source}", profile)
        result.checked = True
    return result


def check_output(pdf: bytes, name: str, profile: Profile) -> None:
    """Validate the new Factur-X PDF as `fpcli validate` does; InvalidDocumentError (exit 1) if it fails."""
    from fpcli.validation.checks import ValidateOptions, validate_bytes

    report = validate_bytes(pdf, name, ValidateOptions(profile=profile))
    errors = report.errors
    if not errors:
        return
    shown = "; ".join(f"{f.rule_id}: {f.message}" for f in errors[:3])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    raise InvalidDocumentError(
        f"{name}: the Factur-X PDF fails validation, nothing was written: {shown}{more}",
        hint="fix the base PDF or the XML; `--no-check` writes the file anyway, for inspection with "
        "`fpcli validate`",
    )


# ---------------------------------------------------------------------------------------------------
# before conversion: remove what PDF/A forbids


def sanitize(data: bytes, source: str) -> tuple[bytes, list[str]]:
    """Remove JavaScript, forbidden actions and annotations, and encryption; return the bytes and a list of
    what was removed (empty when nothing was)."""
    import pikepdf

    pdf = open_pdf(data, source, allow_encrypted=True)
    removed: list[str] = []
    if pdf.is_encrypted:
        removed.append("encryption")
    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        del names["/JavaScript"]
        removed.append("document JavaScript")
    if "/AA" in root:
        del root["/AA"]
        removed.append("document additional actions (AA)")
    open_action = root.get("/OpenAction")
    if isinstance(open_action, pikepdf.Dictionary) and not _action_allowed(open_action):
        del root["/OpenAction"]
        removed.append(f"open action ({_action_kind(open_action)})")
    _strip_outline_actions(root, removed)
    for index, page in enumerate(pdf.pages):
        obj = page.obj
        where = f"page {index + 1}"
        if "/AA" in obj:
            del obj["/AA"]
            removed.append(f"{where} additional actions (AA)")
        annots = obj.get("/Annots")
        if not isinstance(annots, pikepdf.Array):
            continue
        kept = pikepdf.Array()
        for number, annot in enumerate(annots, start=1):
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            subtype = str(annot.get("/Subtype", "/?"))[1:]
            if subtype in _FORBIDDEN_ANNOTATIONS:
                removed.append(f"{where} {subtype} annotation")
                continue
            _strip_annotation_actions(annot, f"{where} annotation {number}", removed)
            kept.append(annot)
        obj["/Annots"] = kept
    out = io.BytesIO()
    # pikepdf writes without encryption unless asked: saving is what removes it
    pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue(), removed


def _action_kind(action: Any) -> str:
    return str(action.get("/S", "/unknown"))[1:]


def _action_allowed(action: Any) -> bool:
    import pikepdf

    if not isinstance(action, pikepdf.Dictionary):
        return True  # a destination array, not an action
    if _action_kind(action) not in _ALLOWED_ACTIONS:
        return False
    if _action_kind(action) == "Named":
        return str(action.get("/N", "")) in {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
    return True


def _strip_annotation_actions(annot: Any, where: str, removed: list[str]) -> None:
    if "/AA" in annot:
        del annot["/AA"]
        removed.append(f"{where} additional actions (AA)")
    action = annot.get("/A")
    if action is not None and not _action_allowed(action):
        del annot["/A"]
        removed.append(f"{where} action ({_action_kind(action)})")


def _strip_outline_actions(root: Any, removed: list[str]) -> None:
    import pikepdf

    outlines = root.get("/Outlines")
    if not isinstance(outlines, pikepdf.Dictionary):
        return
    stack = [outlines.get("/First")]
    seen: set[tuple[int, int]] = set()
    while stack and len(seen) < 10_000:  # bounded: outlines can be cyclic in broken files
        item = stack.pop()
        if not isinstance(item, pikepdf.Dictionary) or (item.is_indirect and item.objgen in seen):
            continue
        if item.is_indirect:
            seen.add(item.objgen)
        action = item.get("/A")
        if action is not None and not _action_allowed(action):
            del item["/A"]
            removed.append(f"bookmark action ({_action_kind(action)})")
        stack.extend([item.get("/Next"), item.get("/First")])


# ---------------------------------------------------------------------------------------------------
# conversion


def convert_to_pdfa(data: bytes, source: str, *, timeout: float = GS_TIMEOUT) -> bytes:
    """Rewrite `data` as PDF/A-3 with Ghostscript pdfwrite: fonts embedded, colours converted to RGB."""
    program = ghostscript()
    with tempfile.TemporaryDirectory(prefix="fpcli-gs-") as tmp:
        src, dst = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        src.write_bytes(data)
        command = [
            program,
            "-q",
            "-dSAFER",  # no file access beyond the input and output
            "-dBATCH",
            "-dNOPAUSE",
            "-sDEVICE=pdfwrite",
            "-dPDFA=3",
            "-dPDFACompatibilityPolicy=1",  # drop what cannot be made PDF/A and go on, else stop
            "-sColorConversionStrategy=RGB",  # matches the sRGB output intent embed_xml adds
            "-dAutoRotatePages=/None",  # keep the pages as the ERP laid them out
            f"-sOutputFile={dst}",
            str(src),
        ]
        env = {**os.environ}
        env.pop("GS_OPTIONS", None)  # a user's GS_OPTIONS must not change what fpcli checks
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=timeout, check=False, env=env, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            raise InputError.at(
                source, None, f"Ghostscript did not finish converting to PDF/A-3 within {timeout:.0f} s"
            ) from None
        except OSError as exc:
            raise InputError.at(source, None, f"cannot run Ghostscript `{program}`: {exc.strerror}") from None
        talk = (done.stdout + done.stderr).decode("utf-8", "replace")
        # Ghostscript can exit 0 after "aborting conversion" and leave a broken file: treat as failure.
        fatal = [ln.strip() for ln in talk.splitlines() if "abort" in ln.lower() or "error" in ln.lower()]
        if done.returncode != 0 or any("abort" in ln.lower() for ln in fatal) or not dst.is_file():
            reason = (fatal or [ln.strip() for ln in talk.splitlines() if ln.strip()] or ["no message"])[0]
            raise InputError.at(source, None, f"Ghostscript cannot convert the PDF to PDF/A-3: {reason}")
        return dst.read_bytes()


def add_attachments(
    data: bytes, attachments: Sequence[ExtraAttachment], *, date: dt.datetime, source: str
) -> bytes:
    """Add each attachment as a PDF/A-3 associated file (EmbeddedFiles name tree + catalog AF)."""
    import pikepdf
    from pikepdf import Dictionary, Name, String

    from fpcli.pdf.xmp import pdf_date

    pdf = open_pdf(data, source)
    if "/ID" in pdf.trailer:
        del pdf.trailer["/ID"]  # Ghostscript's is random; embed_xml derives one from the content
    root = pdf.Root
    names = root.get("/Names") or pdf.make_indirect(Dictionary())
    root["/Names"] = names
    tree = pikepdf.NameTree(names.EmbeddedFiles) if "/EmbeddedFiles" in names else pikepdf.NameTree.new(pdf)
    af = root.get("/AF") or pikepdf.Array()
    _associate_kept_files(pdf, tree, af)
    for item in attachments:
        mime = item.mime or mimetypes.guess_type(item.name)[0] or "application/octet-stream"
        stream = pikepdf.Stream(pdf, item.data)
        stream["/Type"] = Name.EmbeddedFile
        stream["/Subtype"] = Name("/" + mime)
        stream["/Params"] = Dictionary(
            Size=len(item.data),
            ModDate=String(pdf_date(date)),
            CheckSum=String(hashlib.md5(item.data).digest()),  # noqa: S324 (PDF spec)
        )
        spec = pdf.make_indirect(
            Dictionary(
                Type=Name.Filespec,
                F=String(item.name),
                UF=String(item.name),
                AFRelationship=Name("/" + item.relationship),
                EF=Dictionary(F=stream, UF=stream),
            )
        )
        tree[item.name] = spec
        af.append(spec)
    names["/EmbeddedFiles"] = tree.obj  # embed_xml adds factur-x.xml to the same tree
    root["/AF"] = af if af.is_indirect else pdf.make_indirect(af)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def _associate_kept_files(pdf: Any, tree: Any, af: Any) -> None:
    """Ghostscript keeps the base PDF's attachments but drops the catalog AF array, which PDF/A-3 needs
    for every embedded file (6.8-4): put them back in AF, with the fields 6.8 asks for."""
    import pikepdf

    listed = {spec.objgen for spec in af if isinstance(spec, pikepdf.Dictionary) and spec.is_indirect}
    for key, found in list(tree.items())[:1000]:
        if not isinstance(found, pikepdf.Dictionary):
            continue
        spec = found
        if not spec.is_indirect:  # AF refers to file specifications by reference
            spec = pdf.make_indirect(found)
            tree[key] = spec
        if spec.objgen in listed:
            continue
        if "/AFRelationship" not in spec:
            spec["/AFRelationship"] = pikepdf.Name.Unspecified
        ef = spec.get("/EF")
        if isinstance(ef, pikepdf.Dictionary):
            for stream in (ef.get("/F"), ef.get("/UF")):
                if isinstance(stream, pikepdf.Stream) and "/Subtype" not in stream.stream_dict:
                    stream.stream_dict["/Subtype"] = pikepdf.Name("/application/octet-stream")
        af.append(spec)
        listed.add(spec.objgen)


# ---------------------------------------------------------------------------------------------------
# `fpcli embed INVOICE.xml BASE.pdf`


@dataclass(frozen=True)
class EmbedRequest:
    xml: str
    base_pdf: str
    output: str
    attach: list[str] = field(default_factory=list)
    attach_source: list[str] = field(default_factory=list)
    force: bool = False
    check: bool = True
    date: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def embed_invoice(request: EmbedRequest) -> EmbedResult:
    """Read the CII invoice and the base PDF, make the Factur-X PDF, check it and write it atomically."""
    from fpcli.fileio import STDIO, read_input, write_output

    if request.xml == STDIO and request.base_pdf == STDIO:
        raise UsageError("only one of the invoice XML and the base PDF can come from stdin (`-`)")
    if request.output != STDIO:  # fail before the conversion, not after it
        target = Path(request.output)
        if target.exists() and not request.force:
            raise OutputExistsError.for_path(target)
        if not (target.parent if str(target.parent) else Path()).is_dir():
            raise InputError.at(target, None, f"directory `{target.parent}` does not exist")
    xml_name = request.xml if request.xml != STDIO else "<stdin>"
    xml = read_input(request.xml)
    profile, metadata = describe_cii(xml, xml_name, request.date)
    base = read_input(request.base_pdf)
    attachments = [ExtraAttachment.from_file(p, "Supplement") for p in request.attach]
    attachments += [ExtraAttachment.from_file(p, "Source") for p in request.attach_source]
    result = facturx_from_pdf(
        base,
        xml,
        profile=profile,
        metadata=metadata,
        source=request.base_pdf if request.base_pdf != STDIO else "<stdin>",
        attachments=attachments,
        check=request.check,
        output_name=request.output if request.output != STDIO else "<stdout>",
    )
    write_output(request.output, result.pdf, force=request.force)
    return result


def describe_cii(xml: bytes, source: str, date: dt.datetime) -> tuple[Profile, PdfMetadata]:
    """The Factur-X profile (from BT-24) and the PDF metadata (number, seller, buyer) of a CII invoice."""
    from fpcli.cii.namespaces import RAM, RSM
    from fpcli.cii.profile import profile_from_guideline
    from fpcli.xmlsafe import parse_xml, strip_bom

    root = parse_xml(strip_bom(xml), source).getroot()
    if root.tag != f"{{{RSM}}}CrossIndustryInvoice":
        raise InputError.at(
            source, None, "not a CII invoice (rsm:CrossIndustryInvoice): Factur-X PDFs carry CII XML"
        )
    gid = (
        root.findtext(
            f"{{{RSM}}}ExchangedDocumentContext/{{{RAM}}}GuidelineSpecifiedDocumentContextParameter/{{{RAM}}}ID"
        )
        or ""
    ).strip()
    profile = profile_from_guideline(gid) if gid else None
    if profile is None:
        raise InputError.at(
            source,
            "BT-24",
            f"guideline `{gid or '(empty)'}` is not a Factur-X profile",
            hint="Factur-X PDFs carry MINIMUM, BASIC WL, BASIC, EN 16931, EXTENDED or EXTENDED-CTC-FR CII",
        )
    number = (root.findtext(f"{{{RSM}}}ExchangedDocument/{{{RAM}}}ID") or "").strip() or "?"
    credit = (root.findtext(f"{{{RSM}}}ExchangedDocument/{{{RAM}}}TypeCode") or "").strip() in {"381", "261"}
    agreement = f"{{{RSM}}}SupplyChainTradeTransaction/{{{RAM}}}ApplicableHeaderTradeAgreement"
    seller = (root.findtext(f"{agreement}/{{{RAM}}}SellerTradeParty/{{{RAM}}}Name") or "").strip()
    buyer = (root.findtext(f"{agreement}/{{{RAM}}}BuyerTradeParty/{{{RAM}}}Name") or "").strip()
    title = f"{'Avoir' if credit else 'Facture'} {number}"
    metadata = PdfMetadata(
        title=title, author=seller or "?", subject=f"{title} — {seller} → {buyer}", date=date
    )
    return profile, metadata


__all__ = [
    "ATTACHMENT_NAME",
    "EmbedRequest",
    "EmbedResult",
    "ExtraAttachment",
    "embed_invoice",
    "facturx_from_pdf",
]
