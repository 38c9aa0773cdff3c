"""PDF/A 6.2.11.5: the widths a font dictionary gives (Widths, W, DW) agree with the embedded font program's
glyph advances, within 1 unit of 1000, for every glyph the pages show (veraPDF rule 6.2.11.5-1).

Font programs are read with fontTools (TrueType/OpenType `glyf`/`hmtx`, bare CFF). Checked: simple TrueType
and Type1C fonts, Type3 fonts (`d0`/`d1` of the glyph procedure), Type0 fonts with Identity-H/V over
CIDFontType2 or CIDFontType0C. Type1 (FontFile) programs are not read. A program fontTools cannot read is not
reported here: this rule is about widths, not about damaged fonts.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

from fpcli.pdf.streams import MAX_FONT_BYTES, read_or_none

TOLERANCE = 1.0  # veraPDF's: |program - dictionary| <= 1 in 1/1000 of text space
MAX_CODES = 4096


def _encoding_names(font: Any) -> dict[int, str]:
    """code -> glyph name from the font's Encoding (base encoding + Differences)."""
    import pikepdf

    enc = font.get("/Encoding")
    base = enc if isinstance(enc, pikepdf.Name) else (enc.get("/BaseEncoding") if enc is not None else None)
    names: dict[int, str] = {}
    if base is not None:
        names.update(_base_encoding(str(base)))
    if isinstance(enc, pikepdf.Dictionary) and isinstance(enc.get("/Differences"), pikepdf.Array):
        code = 0
        for item in enc.Differences:
            if isinstance(item, int):
                code = item
            elif isinstance(item, pikepdf.Name):
                names[code] = str(item)[1:]
                code += 1
    return names


def _base_encoding(name: str) -> dict[int, str]:
    from fontTools.agl import UV2AGL
    from fontTools.encodings.StandardEncoding import StandardEncoding

    if name == "/StandardEncoding":
        return {i: n for i, n in enumerate(StandardEncoding) if n != ".notdef"}
    codec = {"/WinAnsiEncoding": "cp1252", "/MacRomanEncoding": "mac_roman"}.get(name)
    if codec is None:
        return {}
    out = {}
    for code in range(32, 256):
        try:
            char = bytes([code]).decode(codec)
        except UnicodeDecodeError:
            continue
        if ord(char) in UV2AGL:
            out[code] = UV2AGL[ord(char)]
    return out


class _Program:
    """An embedded font program: advance width (in 1/1000 text space) by glyph name or glyph id."""

    def __init__(self, data: bytes, kind: str) -> None:
        import logging

        # fontTools logs oddities of subset fonts (old timestamps…) that are no PDF/A finding
        logging.getLogger("fontTools").setLevel(logging.ERROR)
        self.kind = kind
        self.tt: Any = None
        self.cff: Any = None
        self.scale = 1000.0
        if kind == "truetype":
            from fontTools.ttLib import TTFont

            self.tt = TTFont(io.BytesIO(data), lazy=True)
            self.scale = 1000.0 / self.tt["head"].unitsPerEm
        else:
            from fontTools.cffLib import CFFFontSet

            fonts = CFFFontSet()
            fonts.decompile(io.BytesIO(data), None)
            self.cff = fonts[fonts.fontNames[0]]
            matrix = getattr(self.cff, "FontMatrix", None) or [0.001]
            self.scale = float(matrix[0]) * 1000.0

    def width_of_name(self, name: str) -> float | None:
        if self.tt is not None:
            metrics = self.tt["hmtx"].metrics
            return metrics[name][0] * self.scale if name in metrics else None
        strings = self.cff.CharStrings
        if name not in strings:
            return None
        from fontTools.pens.basePen import NullPen

        glyph = strings[name]
        glyph.draw(NullPen())  # runs the charstring, which sets its width
        return float(glyph.width) * self.scale

    def width_of_gid(self, gid: int) -> float | None:
        order = self.tt.getGlyphOrder() if self.tt is not None else self.cff.charset
        return self.width_of_name(order[gid]) if 0 <= gid < len(order) else None

    def width_of_cid(self, cid: int) -> float | None:
        if self.cff is not None and hasattr(self.cff, "ROS"):  # CID-keyed CFF names glyphs by CID
            return self.width_of_name(f"cid{cid:05d}")
        return self.width_of_gid(cid)

    def truetype_glyph(self, code: int, names: dict[int, str]) -> str | None:
        """The glyph a simple TrueType font shows for `code` (ISO 32000-1 9.6.6.4)."""
        from fontTools.agl import toUnicode

        cmaps = {(t.platformID, t.platEncID): t.cmap for t in self.tt["cmap"].tables}
        name = names.get(code)
        if (3, 1) in cmaps and name:
            text = toUnicode(name)
            if len(text) == 1 and ord(text) in cmaps[(3, 1)]:
                return str(cmaps[(3, 1)][ord(text)])
        if (3, 0) in cmaps:
            for candidate in (code, 0xF000 + code):
                if candidate in cmaps[(3, 0)]:
                    return str(cmaps[(3, 0)][candidate])
        if (1, 0) in cmaps and code in cmaps[(1, 0)]:
            return str(cmaps[(1, 0)][code])
        if name and name in self.tt["hmtx"].metrics:
            return name
        return None


def _program(font: Any) -> _Program | None:
    import pikepdf

    fd = font.get("/FontDescriptor")
    if not isinstance(fd, pikepdf.Dictionary):
        return None
    # Decoded sizes are bounded: a font stream can be a decompression bomb like any other.
    if isinstance(fd.get("/FontFile2"), pikepdf.Stream):
        data = read_or_none(fd.FontFile2, MAX_FONT_BYTES)
        return _Program(data, "truetype") if data is not None else None
    ff3 = fd.get("/FontFile3")
    if isinstance(ff3, pikepdf.Stream):
        subtype = ff3.stream_dict.get("/Subtype")
        data = read_or_none(ff3, MAX_FONT_BYTES)
        if data is None:
            return None
        if subtype in ("/Type1C", "/CIDFontType0C"):
            return _Program(data, "cff")
        if subtype == "/OpenType":
            return _Program(data, "truetype") if data[:4] in (b"\x00\x01\x00\x00", b"true") else None
    return None


def _simple_dict_width(font: Any, code: int) -> float | None:
    first = font.get("/FirstChar")
    widths = font.get("/Widths")
    if isinstance(first, int) and widths is not None and 0 <= code - first < len(widths):
        return float(widths[code - first])
    fd = font.get("/FontDescriptor")
    return float(fd.get("/MissingWidth", 0)) if fd is not None else None


def _cid_dict_widths(cidfont: Any) -> tuple[dict[int, float], float]:
    import pikepdf

    widths: dict[int, float] = {}
    w = cidfont.get("/W")
    if isinstance(w, pikepdf.Array):
        items = list(w)
        i = 0
        while i < len(items) and len(widths) < 65536:
            start = items[i]
            if i + 1 < len(items) and isinstance(items[i + 1], pikepdf.Array):
                for k, value in enumerate(items[i + 1]):
                    widths[int(start) + k] = float(value)
                i += 2
            elif i + 2 < len(items):
                for cid in range(int(start), min(int(items[i + 1]), int(start) + 65536) + 1):
                    widths[cid] = float(items[i + 2])
                i += 3
            else:
                break
    return widths, float(cidfont.get("/DW", 1000))


def width_mismatch(font: Any, shown: Iterable[bytes]) -> str | None:
    """The first shown glyph whose dictionary width disagrees with the font program's, as a message."""
    import pikepdf

    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return _type3_mismatch(font, shown)
    if subtype == "/Type0":
        return _type0_mismatch(font, shown)
    program = _program(font)
    if program is None:
        return None
    names = _encoding_names(font)
    if program.cff is not None and not names:
        names = _cff_builtin_names(program)
    codes = sorted({b for s in shown for b in s})[:MAX_CODES]
    for code in codes:
        expected = _simple_dict_width(font, code)
        if program.tt is not None:
            glyph = program.truetype_glyph(code, names)
            actual = program.width_of_name(glyph) if glyph else None
        else:
            actual = program.width_of_name(names[code]) if code in names else None
        if _differ(expected, actual):
            return _message(font, code, expected, actual)
    _ = pikepdf
    return None


def _cff_builtin_names(program: _Program) -> dict[int, str]:
    encoding = getattr(program.cff, "Encoding", None)
    if isinstance(encoding, list):
        return {i: n for i, n in enumerate(encoding) if n and n != ".notdef"}
    return _base_encoding("/StandardEncoding")


def _type0_mismatch(font: Any, shown: Iterable[bytes]) -> str | None:
    import pikepdf

    if font.get("/Encoding") not in ("/Identity-H", "/Identity-V"):
        return None
    descendants = font.get("/DescendantFonts")
    if not isinstance(descendants, pikepdf.Array) or not descendants:
        return None
    cidfont = descendants[0]
    program = _program(cidfont)
    if program is None:
        return None
    widths, default = _cid_dict_widths(cidfont)
    gid_map = cidfont.get("/CIDToGIDMap")
    mapping = read_or_none(gid_map, MAX_FONT_BYTES) if isinstance(gid_map, pikepdf.Stream) else None
    cids = sorted({int.from_bytes(s[i : i + 2], "big") for s in shown for i in range(0, len(s) - 1, 2)})
    for cid in cids[:MAX_CODES]:
        if program.tt is not None:
            gid = int.from_bytes(mapping[2 * cid : 2 * cid + 2], "big") if mapping is not None else cid
            actual = program.width_of_gid(gid)
        else:
            actual = program.width_of_cid(cid)
        expected = widths.get(cid, default)
        if _differ(expected, actual):
            return _message(font, cid, expected, actual, what="CID")
    return None


def _type3_mismatch(font: Any, shown: Iterable[bytes]) -> str | None:
    import pikepdf

    procs = font.get("/CharProcs")
    if not isinstance(procs, pikepdf.Dictionary):
        return None
    names = _encoding_names(font)
    for code in sorted({b for s in shown for b in s})[:MAX_CODES]:
        name = names.get(code)
        proc = procs.get("/" + name) if name else None
        if not isinstance(proc, pikepdf.Stream):
            continue
        try:
            ops = pikepdf.parse_content_stream(proc)
        except pikepdf.PdfError:
            continue
        first = next((op for op in ops if str(op.operator) in ("d0", "d1")), None)
        if first is None or not first.operands:
            continue
        # Widths and d0/d1 are both in glyph space for Type3 fonts: compare them directly.
        expected, actual = _simple_dict_width(font, code), float(first.operands[0])
        if expected is not None and abs(expected - actual) > TOLERANCE:
            return _message(font, code, expected, actual)
    return None


def _differ(expected: float | None, actual: float | None) -> bool:
    return expected is not None and actual is not None and abs(expected - actual) > TOLERANCE


def _message(font: Any, code: int, expected: float | None, actual: float | None, what: str = "code") -> str:
    base = str(font.get("/BaseFont", "/?"))[1:]
    return f"the font {base} gives {what} {code} the width {expected:g} but its embedded program {actual:.0f}"


# ---------------------------------------------------------------------------------------------------
# font dictionaries (6.2.11.3, 6.2.11.6) and glyphs shown (6.2.11.4.1-2, 6.2.11.8)

# ISO 32000-1 Table 118: CMaps a PDF/A file may use without embedding them.
PREDEFINED_CMAPS = frozenset(
    f"{n}-{d}"
    for n in (
        "GB-EUC", "GBpc-EUC", "GBK-EUC", "GBKp-EUC", "GBK2K", "UniGB-UCS2", "UniGB-UTF16", "B5pc", "HKscs-B5",
        "ETen-B5", "ETenms-B5", "CNS-EUC", "UniCNS-UCS2", "UniCNS-UTF16", "83pv-RKSJ", "90ms-RKSJ",
        "90msp-RKSJ", "90pv-RKSJ", "Add-RKSJ", "EUC", "Ext-RKSJ", "UniJIS-UCS2", "UniJIS-UCS2-HW",
        "UniJIS-UTF16", "KSC-EUC", "KSCms-UHC", "KSCms-UHC-HW", "KSCpc-EUC", "UniKS-UCS2", "UniKS-UTF16",
        "Identity",
    )
    for d in ("H", "V")
) | {"H", "V"}  # fmt: skip
_SYMBOLIC = 4
_NONSYMBOLIC = 32


def font_problems(font: Any) -> list[tuple[str, str]]:
    """(rule id, message) for what veraPDF checks on the dictionaries of a font used for rendering."""
    import pikepdf

    base = str(font.get("/BaseFont", "/?"))[1:]
    problems: list[tuple[str, str]] = []
    subtype = font.get("/Subtype")
    if subtype == "/TrueType" and isinstance(font.get("/FontDescriptor"), pikepdf.Dictionary):
        flags = int(font.FontDescriptor.get("/Flags", 0))
        enc = font.get("/Encoding")
        if flags & _SYMBOLIC and not flags & _NONSYMBOLIC:
            if enc is not None:
                problems.append(("PDFA-6.2.11.6-3", f"the symbolic TrueType font {base} has an Encoding"))
        else:
            base_enc = enc.get("/BaseEncoding") if isinstance(enc, pikepdf.Dictionary) else enc
            if base_enc not in ("/MacRomanEncoding", "/WinAnsiEncoding"):
                problems.append(
                    ("PDFA-6.2.11.6-2", f"the non-symbolic TrueType font {base} has no MacRoman or WinAnsi "
                     "Encoding")
                )  # fmt: skip
            elif isinstance(enc, pikepdf.Dictionary) and not _differences_in_agl(enc):
                problems.append(
                    (
                        "PDFA-6.2.11.6-2",
                        f"the TrueType font {base} has Differences outside the Adobe Glyph List",
                    )
                )
    if subtype == "/Type0":
        problems.extend(_type0_problems(font, base))
    return problems


def _differences_in_agl(enc: Any) -> bool:
    import pikepdf
    from fontTools.agl import AGL2UV

    diffs = enc.get("/Differences")
    if not isinstance(diffs, pikepdf.Array):
        return True
    return all(str(n)[1:] in AGL2UV or str(n) == "/.notdef" for n in diffs if isinstance(n, pikepdf.Name))


def _type0_problems(font: Any, base: str) -> list[tuple[str, str]]:
    import pikepdf

    problems: list[tuple[str, str]] = []
    descendants = font.get("/DescendantFonts")
    cidfont = descendants[0] if isinstance(descendants, pikepdf.Array) and len(descendants) else None
    enc = font.get("/Encoding")
    if isinstance(enc, pikepdf.Name) and str(enc)[1:] not in PREDEFINED_CMAPS:
        problems.append(
            ("PDFA-6.2.11.3.3-1", f"the CMap {str(enc)[1:]} of {base} is neither embedded nor predefined")
        )
    if isinstance(enc, pikepdf.Stream):
        match = re.search(rb"/WMode\s+(\d)\s+def", (read_or_none(enc, MAX_FONT_BYTES) or b"")[:65536])
        if match and int(match.group(1)) != int(enc.stream_dict.get("/WMode", 0)):
            problems.append(("PDFA-6.2.11.3.3-2", f"the CMap of {base} gives two different WMode values"))
        info = enc.stream_dict.get("/CIDSystemInfo")
        theirs = cidfont.get("/CIDSystemInfo") if isinstance(cidfont, pikepdf.Dictionary) else None
        if isinstance(info, pikepdf.Dictionary) and isinstance(theirs, pikepdf.Dictionary):
            same = all(str(info.get(k)) == str(theirs.get(k)) for k in ("/Registry", "/Ordering"))
            if not same or int(theirs.get("/Supplement", 0)) > int(info.get("/Supplement", 0)):
                problems.append(
                    ("PDFA-6.2.11.3.1-1", f"the CIDSystemInfo of {base}'s CIDFont does not match its CMap")
                )
    if isinstance(cidfont, pikepdf.Dictionary) and cidfont.get("/Subtype") == "/CIDFontType2":
        fd = cidfont.get("/FontDescriptor")
        embedded = isinstance(fd, pikepdf.Dictionary) and "/FontFile2" in fd
        gid_map = cidfont.get("/CIDToGIDMap")
        if embedded and not (isinstance(gid_map, pikepdf.Stream) or gid_map == "/Identity"):
            problems.append(
                ("PDFA-6.2.11.3.2-1", f"the CIDFontType2 {base} has no CIDToGIDMap stream or Identity")
            )
    return problems


def glyph_problems(font: Any, shown: Iterable[bytes]) -> list[tuple[str, str]]:
    """Shown codes that select .notdef (6.2.11.8-1) or a glyph the embedded program lacks (6.2.11.4.1-2)."""
    import pikepdf

    base = str(font.get("/BaseFont", "/?"))[1:]
    subtype = font.get("/Subtype")
    if subtype == "/Type0":
        if font.get("/Encoding") not in ("/Identity-H", "/Identity-V"):
            return []
        descendants = font.get("/DescendantFonts")
        cidfont = descendants[0] if isinstance(descendants, pikepdf.Array) and len(descendants) else None
        if not isinstance(cidfont, pikepdf.Dictionary):
            return []
        program = _program(cidfont)
        if program is None:
            return []
        gid_map = cidfont.get("/CIDToGIDMap")
        mapping = read_or_none(gid_map, MAX_FONT_BYTES) if isinstance(gid_map, pikepdf.Stream) else None
        count = len(program.tt.getGlyphOrder()) if program.tt is not None else len(program.cff.charset)
        for s in shown:
            for i in range(0, len(s) - 1, 2):
                cid = int.from_bytes(s[i : i + 2], "big")
                if cid > 65535:
                    return [("PDFA-6.1.13-10", f"the font {base} shows CID {cid}, above 65535")]
                if program.tt is not None:
                    gid = int.from_bytes(mapping[2 * cid : 2 * cid + 2], "big") if mapping else cid
                elif hasattr(program.cff, "ROS"):
                    name = f"cid{cid:05d}"
                    gid = program.cff.charset.index(name) if name in program.cff.CharStrings else count
                else:
                    gid = cid
                if gid == 0:
                    return [("PDFA-6.2.11.8-1", f"the font {base} shows CID {cid}, the .notdef glyph")]
                if gid >= count:
                    return [
                        ("PDFA-6.2.11.4.1-2", f"the font {base} shows CID {cid}, a glyph its program lacks")
                    ]
        return []
    if subtype not in ("/TrueType", "/Type1", "/MMType1"):
        return []
    program = _program(font)
    if program is None:
        return []
    names = _encoding_names(font) or (_cff_builtin_names(program) if program.cff is not None else {})
    for code in sorted({b for s in shown for b in s})[:MAX_CODES]:
        if program.tt is not None:
            glyph = program.truetype_glyph(code, names)
        else:
            glyph = names.get(code, ".notdef")
            if glyph not in program.cff.CharStrings:
                return [
                    (
                        "PDFA-6.2.11.4.1-2",
                        f"the font {base} shows code {code} ({glyph}), a glyph its program lacks",
                    )
                ]
        if glyph in (None, ".notdef"):
            return [("PDFA-6.2.11.8-1", f"the font {base} shows code {code}, the .notdef glyph")]
    return []
