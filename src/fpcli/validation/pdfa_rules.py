"""PDF/A-2/3 rules on the file bytes and on single objects, called by `fpcli.validation.pdfa`.

Each check names the veraPDF rule (clause-testNumber of the PDF/A-2B/3B profiles) it agrees with:

| rule id            | check                                                                           |
|--------------------|---------------------------------------------------------------------------------|
| PDFA-6.1.2-1/2     | header `%PDF-1.n` at byte 0 with one EOL, then `%` and four bytes above 127     |
| PDFA-6.1.3-3       | nothing but one optional EOL after the last `%%EOF`                             |
| PDFA-6.1.9-1       | `n g obj` with single spaces, `obj`/`endobj` each preceded and followed by EOL   |
| PDFA-6.1.6-1/2     | hexadecimal strings outside streams: hex digits only, an even number of them    |
| PDFA-6.1.7.1-1/2   | stream Length matches its bytes; `stream` + CRLF/LF; EOL before `endstream`      |
| PDFA-6.1.7.2-1     | no LZWDecode or Crypt stream filter, nor a filter ISO 32000-1 does not define   |
| PDFA-6.1.12-1      | a Perms dictionary holds only UR3 and DocMDP                                    |
| PDFA-6.1.13-1..5   | integers within 32 bits, reals within ±3.403e38 and not closer to 0 than        |
|                    | 1.175e-38, strings up to 32767 bytes, names up to 127 bytes                     |
| PDFA-6.1.13-11     | page boundaries (MediaBox, CropBox…) between 3 and 14400 units                  |
| PDFA-6.2.5-1..5    | ExtGState without TR, TR2 other than Default, HTP; halftones of type 1 or 5,    |
|                    | without HalftoneName                                                             |
| PDFA-6.2.5-6       | halftone TransferFunction only for non-primary colourants of a type 5 halftone  |
| PDFA-6.2.6-1       | rendering intents (ExtGState RI, image Intent, `ri`) among the four standard    |
| PDFA-6.2.8-1..5    | images without Alternates or OPI, Interpolate false, BitsPerComponent 1/2/4/8/16|
|                    | (1 for image masks)                                                              |
| PDFA-6.2.8.3-1..5 | JPEG 2000 images: 1, 3 or 4 channels; one bit depth from 1 to 38; without a      |
|                    | ColorSpace, colour boxes with METH 1-3, no CIEJab, one marked best (APPROX 1)    |
| PDFA-6.2.9-1/3     | form XObjects without OPI, PS or Subtype2 PS; no PostScript XObjects             |
| PDFA-6.4.1-1..3    | widgets without A/AA, fields without AA, NeedAppearances not true               |
| PDFA-6.4.2-1/2     | no XFA in the AcroForm, no NeedsRendering in the catalog                        |
| PDFA-6.10-1/2      | no AlternatePresentations name tree, no PresSteps on pages                      |
| PDFA-6.11-1        | no Requirements in the catalog                                                   |
| PDFA-6.1.12-2      | a DocMDP signature reference has no DigestLocation, DigestMethod, DigestValue   |
| PDFA-6.1.8-1       | Separation / DeviceN colourant names valid UTF-8                                 |
| PDFA-6.2.4.4-1/2   | DeviceN spot colours listed in Colorants; Separations of one name share their   |
|                    | alternate space and tint transform (compared by content)                         |
| PDFA-6.1.13-9      | DeviceN with at most 32 colourants                                               |

Content-stream rules (undefined operators 6.2.2-1, q nesting 6.1.13-8, content numbers and strings
6.1.13-1/3, inline image filters 6.1.10-1 and Interpolate 6.2.8-3) are in `fpcli.validation.pdfa`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fpcli.validation.pdfa import _Collector

STANDARD_FILTERS = frozenset(
    {
        "ASCIIHexDecode", "ASCII85Decode", "FlateDecode", "RunLengthDecode", "CCITTFaxDecode",
        "JBIG2Decode", "DCTDecode", "JPXDecode",
    }
)  # fmt: skip
PAGE_BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")
MAX_INT = 2_147_483_647
MAX_REAL = 3.403e38
MIN_REAL = 1.175e-38

_HEADER = re.compile(rb"%PDF-1\.[0-7](\r\n|\r|\n)")
_OBJ_KEYWORD = re.compile(rb"(?<!end)obj\b")
# what precedes an `obj` keyword: EOL, object number, white space, generation, white space (a bounded window,
# so that long runs of digits cannot make the search quadratic)
_OBJ_HEADER = re.compile(rb"(?:^|[\r\n])(\d{1,10})([ \t\r\n\f\x00]{1,8})(\d{1,5})([ \t\r\n\f\x00]{1,8})$")
_ENDOBJ = re.compile(rb"endobj")


def check_file_bytes(data: bytes, out: _Collector) -> None:
    """Rules on the bytes of the file as written (veraPDF's parser-level checks)."""
    header = _HEADER.match(data)
    if header is None:
        out.add(
            "PDFA-6.1.2-1",
            "error",
            "the file does not start with `%PDF-1.n` (n from 0 to 7) and one end-of-line marker",
            "file header",
        )
    else:
        marker = data[header.end() : header.end() + 5]
        if len(marker) < 5 or marker[0:1] != b"%" or any(b <= 127 for b in marker[1:5]):
            out.add(
                "PDFA-6.1.2-2",
                "error",
                "the header line is not followed by a comment of at least four bytes above 127",
                "file header",
            )
    end = data.rfind(b"%%EOF")
    if end >= 0 and data[end + 5 :] not in (b"", b"\n", b"\r", b"\r\n"):
        out.add(
            "PDFA-6.1.3-3",
            "error",
            f"{len(data) - end - 5} bytes follow the last %%EOF marker",
            "end of file",
        )
    _check_object_syntax(data, out)


def _check_object_syntax(data: bytes, out: _Collector) -> None:
    body = _without_stream_bodies(data)
    for count, keyword in enumerate(_OBJ_KEYWORD.finditer(body)):
        if count > 200_000:  # as many objects as the graph walk looks at, and then some
            break
        window = body[max(0, keyword.start() - 40) : keyword.start()]
        m = _OBJ_HEADER.search(window)
        if m is None or (m.start() == 0 and keyword.start() > 40 and window[:1] not in (b"\r", b"\n")):
            continue  # not at the start of a line: a number inside another object, not an object header
        if m.group(2) != b" " or m.group(4) != b" ":
            out.add(
                "PDFA-6.1.9-1",
                "error",
                "an object header does not separate number, generation and `obj` by single spaces",
                f"object {int(m.group(1))} {int(m.group(3))}",
            )
            return
        after = body[keyword.end() : keyword.end() + 1]
        if after not in (b"\n", b"\r"):
            out.add(
                "PDFA-6.1.9-1",
                "error",
                "the `obj` keyword is not followed by an end-of-line marker",
                f"object {int(m.group(1))} {int(m.group(3))}",
            )
            return
    _check_stream_keywords(data, out)
    _check_hex_strings(body, out)
    for m in _ENDOBJ.finditer(body):
        before, after = body[m.start() - 1 : m.start()], body[m.end() : m.end() + 1]
        if before not in (b"\n", b"\r") or after not in (b"\n", b"\r", b""):
            # A warning: invoice producers write `8746 endobj` and every reader copes (corpus Factur-X
            # files veraPDF-style checks would otherwise reject).
            out.add(
                "PDFA-6.1.9-1",
                "warning",
                "the `endobj` keyword is not preceded and followed by an end-of-line marker",
                f"byte {m.start()}",
            )
            return


_STREAM_START = re.compile(rb">>[ \t\r\n\f\x00]*stream")


def _check_stream_keywords(data: bytes, out: _Collector) -> None:
    """6.1.7.1-2: `stream` is followed by CRLF or LF, `endstream` preceded by an EOL marker."""
    for count, m in enumerate(_STREAM_START.finditer(data)):
        if count > 200_000:
            return
        after = data[m.end() : m.end() + 2]
        if not (after == b"\r\n" or after[:1] == b"\n"):
            out.add(
                "PDFA-6.1.7.1-2",
                "error",
                "a `stream` keyword is not followed by CRLF or LF",
                f"byte {m.end()}",
            )
            return
        end = data.find(b"endstream", m.end())
        if end > 0 and data[end - 1 : end] not in (b"\n", b"\r"):
            out.add(
                "PDFA-6.1.7.1-2",
                "error",
                "an `endstream` keyword is not preceded by an EOL marker",
                f"byte {end}",
            )
            return


_SYNTAX = re.compile(rb"[(<%]")
_HEX_BODY = re.compile(rb"[0-9A-Fa-f \t\r\n\f\x00]*")


def _check_hex_strings(body: bytes, out: _Collector) -> None:
    """6.1.6: hexadecimal strings hold only hex digits (and white space), an even number of them. Literal
    strings and comments are skipped, as their bytes may contain `<`."""
    pos, seen = 0, 0
    while seen < 200_000:
        m = _SYNTAX.search(body, pos)
        if m is None:
            return
        seen += 1
        char, pos = body[m.start() : m.start() + 1], m.start() + 1
        if char == b"%":
            eol = min((i for i in (body.find(b"\n", pos), body.find(b"\r", pos)) if i >= 0), default=-1)
            pos = len(body) if eol < 0 else eol
        elif char == b"(":
            pos = _end_of_literal(body, pos)
        elif body[pos : pos + 1] == b"<":
            pos += 1  # a dictionary
        else:
            end = body.find(b">", pos)
            if end < 0:
                return
            content = body[pos:end]
            digits = re.sub(rb"[ \t\r\n\f\x00]", b"", content)
            if _HEX_BODY.fullmatch(content) is None:
                out.add(
                    "PDFA-6.1.6-2",
                    "error",
                    "a hexadecimal string holds other characters than 0-9, A-F",
                    f"byte {m.start()}",
                )
                return
            if len(digits) % 2:
                out.add(
                    "PDFA-6.1.6-1",
                    "error",
                    "a hexadecimal string has an odd number of digits",
                    f"byte {m.start()}",
                )
                return
            pos = end + 1


def _end_of_literal(body: bytes, pos: int) -> int:
    """The position after the `)` closing a literal string that starts at `pos` (escapes and nesting)."""
    depth = 1
    while pos < len(body):
        char = body[pos]
        if char == 0x5C:  # backslash: the next byte is escaped
            pos += 2
            continue
        if char == 0x28:
            depth += 1
        elif char == 0x29:
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    return pos


def _without_stream_bodies(data: bytes) -> bytes:
    """Stream bodies can hold anything: cut them out so their bytes are not read as object syntax. A linear
    scan (find), so that a hostile file full of `stream` keywords costs no more than its length."""
    parts = []
    pos = 0
    while True:
        start = data.find(b"stream", pos)
        if start < 0:
            break
        end = data.find(b"endstream", start + 6)
        if end < 0:
            break
        if data[start - 3 : start] == b"end":  # an `endstream` without its `stream`: keep scanning after it
            parts.append(data[pos : start + 6])
            pos = start + 6
            continue
        parts.append(data[pos : start + 6] + b"\n")
        pos = end
    parts.append(data[pos:])
    return b"".join(parts)


def check_scalar(value: Any, out: _Collector, where: str) -> None:
    """6.1.13 implementation limits on one number, string or name."""
    import pikepdf

    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not -MAX_INT - 1 <= value <= MAX_INT:
            out.add("PDFA-6.1.13-1", "error", f"the integer {value} is outside 32 bits", where)
    elif isinstance(value, Decimal | float):
        number = float(value)
        if abs(number) > MAX_REAL:
            out.add("PDFA-6.1.13-2", "error", f"the real {value} is outside ±3.403e38", where)
        elif number != 0 and abs(number) < MIN_REAL:
            out.add("PDFA-6.1.13-5", "error", f"the real {value} is closer to 0 than 1.175e-38", where)
    elif isinstance(value, pikepdf.String):
        if len(bytes(value)) > 32767:
            out.add("PDFA-6.1.13-3", "error", "a string is longer than 32767 bytes", where)
    elif isinstance(value, pikepdf.Name):  # by its bytes: str() raises for a name that is not UTF-8
        check_name("/" + name_bytes(value).decode("utf-8", "surrogateescape"), out, where)


_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def name_bytes(name: Any) -> bytes:
    """A name's bytes without its `/`, #xx escapes expanded."""
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), bytes(name.unparse())[1:])


def name_is_utf8(name: Any) -> bool:
    """6.1.8-1: a name's bytes are UTF-8 (pikepdf's str() of a name that is not raises instead)."""
    try:
        name_bytes(name).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check_name(name: str, out: _Collector, where: str) -> None:
    if len(name[1:].encode("utf-8", "surrogateescape")) > 127:
        out.add("PDFA-6.1.13-4", "error", f"the name {name[:40]}… is longer than 127 bytes", where)


def _names(value: Any) -> list[str]:
    import pikepdf

    if isinstance(value, pikepdf.Name):
        return [str(value)[1:]]
    if isinstance(value, pikepdf.Array):
        return [str(v)[1:] for v in value if isinstance(v, pikepdf.Name)]
    return []


def check_object(obj: Any, keys: list[str], is_stream: bool, out: _Collector, where: str) -> None:
    """Rules that look at one dictionary or stream dictionary."""
    d = obj.stream_dict if is_stream else obj
    typ = d.get("/Type")
    subtype = d.get("/Subtype")
    if is_stream:
        raw = _check_length(obj, d, out, where)
        bad = [f for f in _names(d.get("/Filter")) if f not in STANDARD_FILTERS]
        if bad:
            out.add("PDFA-6.1.7.2-1", "error", f"the stream filter {bad[0]} is not allowed", where)
        if subtype == "/Image":
            _check_image(d, keys, out, where)
            if _names(d.get("/Filter")) == ["JPXDecode"]:
                _check_jpx(obj, d, out, where, raw)
        elif subtype == "/Form":
            if "/OPI" in keys or "/PS" in keys or d.get("/Subtype2") == "/PS":
                out.add("PDFA-6.2.9-1", "error", "a form XObject has OPI, PS or Subtype2 PS", where)
        elif subtype == "/PS":
            out.add("PDFA-6.2.9-3", "error", "a PostScript XObject", where)
        return
    if typ == "/ExtGState":
        _check_gstate(d, out, where)
    gstates: Any = d.get("/ExtGState") if "/ExtGState" in keys else None
    if hasattr(gstates, "keys"):  # a resource dictionary: its graphics states, whatever their Type
        for name in list(gstates.keys())[:256]:
            gs = gstates.get(name)
            if hasattr(gs, "keys") and gs.get("/Type") != "/ExtGState":
                _check_gstate(gs, out, f"ExtGState {name[1:]}")
    if typ == "/Halftone" or "/HalftoneType" in keys:
        if d.get("/HalftoneType") not in (1, 5):
            out.add("PDFA-6.2.5-4", "error", "a halftone is not of type 1 or 5", where)
        if "/HalftoneName" in keys:
            out.add("PDFA-6.2.5-5", "error", "a halftone has a HalftoneName", where)
        _check_transfer_functions(d, keys, out, where)
    if "/Perms" in keys:
        perms = d.get("/Perms")
        _check_docmdp(perms, out)
        extra = [
            k[1:] for k in (perms.keys() if hasattr(perms, "keys") else []) if k not in ("/UR3", "/DocMDP")
        ]
        if extra:
            out.add("PDFA-6.1.12-1", "error", f"the permissions dictionary has {', '.join(extra)}", where)
    if typ == "/Catalog":
        for key, rule, what in (
            ("/NeedsRendering", "PDFA-6.4.2-2", "the catalog has NeedsRendering"),
            ("/Requirements", "PDFA-6.11-1", "the catalog has Requirements"),
        ):
            if key in keys:
                out.add(rule, "error", what, "catalog")
        form = d.get("/AcroForm")
        if hasattr(form, "keys"):
            if "/XFA" in form:
                out.add("PDFA-6.4.2-1", "error", "the interactive form has XFA", "catalog AcroForm")
            if form.get("/NeedAppearances") is True:
                out.add("PDFA-6.4.1-3", "error", "NeedAppearances is true", "catalog AcroForm")
        names = d.get("/Names")
        if hasattr(names, "keys") and "/AlternatePresentations" in names:
            out.add("PDFA-6.10-1", "error", "the document has AlternatePresentations", "catalog Names")
    if "/PresSteps" in keys and (typ == "/Page" or "/MediaBox" in keys):
        out.add("PDFA-6.10-2", "error", "a page has PresSteps", where)
    for box in PAGE_BOXES:
        if box in keys:
            _check_box(d.get(box), box, out, where)
    if subtype == "/Widget" and ("/A" in keys or "/AA" in keys):
        out.add("PDFA-6.4.1-1", "error", "a widget annotation has an action (A or AA)", where)
    elif "/FT" in keys and "/AA" in keys:
        out.add("PDFA-6.4.1-2", "error", "a form field has additional actions (AA)", where)


def _check_length(stream: Any, d: Any, out: _Collector, where: str) -> bytes | None:
    """6.1.7.1-1: Length is the number of bytes between `stream` EOL and `endstream` (qpdf finds the real
    end when they differ and reads that many bytes instead). Returns the raw bytes it read, for the other
    checks of the same stream (None when it did not read them)."""
    length = d.get("/Length")
    if not isinstance(length, int) or length > 10 * 1024 * 1024:
        return None  # very large streams are not read twice just for this
    try:
        raw = bytes(stream.read_raw_bytes())
    except Exception:  # qpdf raises several types for damaged streams: not this rule's finding
        return None
    if len(raw) != length:
        out.add(
            "PDFA-6.1.7.1-1", "error", f"the stream Length is {length} but it holds {len(raw)} bytes", where
        )
    return raw


PRIMARY_COLORANTS = frozenset({"/Cyan", "/Magenta", "/Yellow", "/Black"})
HALFTONE_KEYS = frozenset({"/Type", "/HalftoneType", "/HalftoneName", "/Default"})


def _check_transfer_functions(d: Any, keys: list[str], out: _Collector, where: str) -> None:
    """6.2.5-6: a halftone's TransferFunction only where ISO 32000-1 requires it: never for a primary
    colourant (or a halftone of no colourant), always for another colourant of a type 5 halftone."""
    if d.get("/HalftoneType") != 5:
        return  # its colourant is its key in a type 5 halftone, or none when an ExtGState's HT (below)
    import pikepdf

    for colorant in keys[:64]:
        sub = d.get(colorant)
        if isinstance(sub, pikepdf.Stream):  # a type 6, 10 or 16 halftone
            sub = sub.stream_dict
        if colorant in HALFTONE_KEYS or not isinstance(sub, pikepdf.Dictionary):
            continue
        has = "/TransferFunction" in sub
        if colorant in PRIMARY_COLORANTS and has:
            out.add("PDFA-6.2.5-6", "error", f"the halftone of {colorant[1:]} has a TransferFunction", where)
        elif colorant not in PRIMARY_COLORANTS and not has:
            out.add(
                "PDFA-6.2.5-6",
                "error",
                f"the halftone of the colourant {colorant[1:]} has no TransferFunction",
                where,
            )


RENDERING_INTENTS = frozenset(
    {"/RelativeColorimetric", "/AbsoluteColorimetric", "/Perceptual", "/Saturation"}
)


def check_rendering_intent(value: Any, out: _Collector, where: str) -> None:
    """6.2.6-1: one of the four rendering intents of ISO 32000-1 Table 70."""
    if value is not None and str(value) not in RENDERING_INTENTS:
        out.add(
            "PDFA-6.2.6-1",
            "error",
            f"the rendering intent {value} is not one of the four standard ones",
            where,
        )


def _check_gstate(gs: Any, out: _Collector, where: str) -> None:
    check_rendering_intent(gs.get("/RI"), out, where)
    import pikepdf

    ht = gs.get("/HT")
    ht = ht.stream_dict if isinstance(ht, pikepdf.Stream) else ht
    if isinstance(ht, pikepdf.Dictionary) and ht.get("/HalftoneType") != 5 and "/TransferFunction" in ht:
        out.add("PDFA-6.2.5-6", "error", "a halftone of no colourant has a TransferFunction", where)
    if "/TR" in gs:
        out.add("PDFA-6.2.5-1", "error", "an ExtGState has a transfer function (TR)", where)
    if "/TR2" in gs and gs.get("/TR2") != "/Default":
        out.add("PDFA-6.2.5-2", "error", "an ExtGState has TR2 other than Default", where)
    if "/HTP" in gs:
        out.add("PDFA-6.2.5-3", "error", "an ExtGState has HTP", where)


def _check_box(box: Any, name: str, out: _Collector, where: str) -> None:
    try:
        x1, y1, x2, y2 = (float(v) for v in box)
    except (TypeError, ValueError):
        return
    if not (3 <= abs(x2 - x1) <= 14400 and 3 <= abs(y2 - y1) <= 14400):
        out.add("PDFA-6.1.13-11", "error", f"the {name[1:]} is not between 3 and 14400 units", where)


def _check_image(d: Any, keys: list[str], out: _Collector, where: str) -> None:
    check_rendering_intent(d.get("/Intent"), out, where)
    if "/Alternates" in keys:
        out.add("PDFA-6.2.8-1", "error", "an image has Alternates", where)
    if "/OPI" in keys:
        out.add("PDFA-6.2.8-2", "error", "an image has OPI", where)
    if d.get("/Interpolate") is True:
        out.add("PDFA-6.2.8-3", "error", "an image has Interpolate true", where)
    bpc = d.get("/BitsPerComponent")
    if d.get("/ImageMask") is True:
        if bpc is not None and bpc != 1:
            out.add("PDFA-6.2.8-5", "error", "an image mask has BitsPerComponent other than 1", where)
    elif bpc is not None and bpc not in (1, 2, 4, 8, 16):
        out.add("PDFA-6.2.8-4", "error", f"an image has BitsPerComponent {bpc}", where)


MAX_JPX_BYTES = 64 * 1024 * 1024  # the raw (undecoded) bytes of one image, read for its header boxes


def _check_jpx(stream: Any, d: Any, out: _Collector, where: str, raw: bytes | None) -> None:
    """6.2.8.3: what a JPEG 2000 image's own header says; its colour boxes only count when the image
    dictionary gives no ColorSpace. `raw`: the stream's bytes when the Length check read them already."""
    from fpcli.validation.jpx import read_header

    if raw is None:
        length = d.get("/Length")
        if not isinstance(length, int) or length > MAX_JPX_BYTES:
            return
        try:
            raw = bytes(stream.read_raw_bytes())
        except Exception:  # qpdf raises several types for damaged streams: not this rule's finding
            return
    header = read_header(raw)
    if header is None:
        return
    if header.channels not in (1, 3, 4):
        out.add("PDFA-6.2.8.3-1", "error", f"a JPEG 2000 image has {header.channels} colour channels", where)
    if "/ColorSpace" not in d and header.colours:
        best = sum(1 for c in header.colours if c.approx == 1)
        if len(header.colours) > 1 and best != 1:
            out.add(
                "PDFA-6.2.8.3-2",
                "error",
                f"a JPEG 2000 image has {len(header.colours)} colour specifications,"
                f" {best} marked best (APPROX 1)",
                where,
            )
        colour = header.colour
        if colour is not None and colour.method not in (1, 2, 3):
            out.add(
                "PDFA-6.2.8.3-3", "error", f"a JPEG 2000 colour specification has METH {colour.method}", where
            )
        if colour is not None and colour.enum_cs == 19:
            out.add("PDFA-6.2.8.3-4", "error", "a JPEG 2000 image uses colour space 19 (CIEJab)", where)
    if header.bpcc or header.bit_depth is None or not 1 <= header.bit_depth <= 38:
        depth = "components of different bit depths" if header.bpcc else f"bit depth {header.bit_depth}"
        out.add("PDFA-6.2.8.3-5", "error", f"a JPEG 2000 image has {depth} (1 to 38, one for all)", where)


def _check_docmdp(perms: Any, out: _Collector) -> None:
    import pikepdf

    if not isinstance(perms, pikepdf.Dictionary):
        return
    sig = perms.get("/DocMDP")
    refs = sig.get("/Reference") if isinstance(sig, pikepdf.Dictionary) else None
    for ref in list(refs)[:64] if isinstance(refs, pikepdf.Array) else []:
        digest = [k[1:] for k in ("/DigestLocation", "/DigestMethod", "/DigestValue") if k in ref]
        if digest:
            out.add(
                "PDFA-6.1.12-2", "error", f"the DocMDP signature reference has {', '.join(digest)}", "Perms"
            )


def check_colour_array(array: Any, out: _Collector, where: str, separations: dict[str, str]) -> None:
    """Separation arrays of one name agree (6.2.4.4-2); DeviceN spot colours are in Colorants (6.2.4.4-1)."""
    import pikepdf

    if len(array) < 4 or not isinstance(array[0], pikepdf.Name):
        return
    colourants = [array[1]] if isinstance(array[1], pikepdf.Name) else list(array[1])[:64]
    for name in colourants:
        if isinstance(name, pikepdf.Name) and not name_is_utf8(name):
            shown = name.unparse().decode("ascii", "replace")
            out.add("PDFA-6.1.8-1", "error", f"the colourant name {shown} is not valid UTF-8", where)
            return  # its text cannot be compared with the other colour spaces'
    kind = str(array[0])
    if kind == "/Separation" and isinstance(array[1], pikepdf.Name):
        alternate, tint = array[2], array[3]
        signature = f"{alternate.unparse()!r} {_identity(tint)}"
        known = separations.setdefault(str(array[1]), signature)
        if known != signature:
            out.add(
                "PDFA-6.2.4.4-2",
                "error",
                f"the Separation colour {str(array[1])[1:]} has two different alternate spaces or tint "
                "transforms",
                where,
            )
    elif kind == "/DeviceN" and isinstance(array[1], pikepdf.Array):
        process = {"/Cyan", "/Magenta", "/Yellow", "/Black", "/None", "/All"}
        spots = [str(n) for n in array[1] if isinstance(n, pikepdf.Name) and str(n) not in process]
        attrs = array[4] if len(array) > 4 else None
        colorants = attrs.get("/Colorants") if isinstance(attrs, pikepdf.Dictionary) else None
        missing = [n[1:] for n in spots if not (isinstance(colorants, pikepdf.Dictionary) and n in colorants)]
        if missing:
            out.add(
                "PDFA-6.2.4.4-1",
                "error",
                f"the DeviceN spot colour {missing[0]} has no entry in the Colorants dictionary",
                where,
            )
        if len(array[1]) > 32:
            out.add("PDFA-6.1.13-9", "error", "a DeviceN colour space has more than 32 colourants", where)


def _identity(obj: Any) -> str:
    """What makes two tint transforms the same function: their content, not their object numbers."""
    import hashlib

    import pikepdf

    try:
        if isinstance(obj, pikepdf.Stream):
            raw = obj.stream_dict.unparse(resolved=True) + obj.read_raw_bytes()[:1_000_000]
            return hashlib.sha256(raw).hexdigest()
        return hashlib.sha256(obj.unparse(resolved=True)).hexdigest()
    except (AttributeError, pikepdf.PdfError):
        return repr(obj)
