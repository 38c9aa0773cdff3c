"""PDF/A-2/3 clause 6.2.11.5: the widths a font dictionary declares agree with its embedded font program.

Like veraPDF, only the glyphs a content stream shows are compared (fonts often declare 0 for unused codes).
Checked for TrueType programs (FontFile2), which is what invoice generators and signature stamps embed: a
simple TrueType font's /Widths and a CIDFontType2's /W, each against the program's advance widths scaled to
1/1000 em (veraPDF's tolerance: 1 unit). Glyphs the program does not hold (subsets) are not compared.
Type 1 and CFF programs are not checked here.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

# fontTools logs about odd but harmless table values (e.g. "'modified' timestamp seems very low"); the
# findings here are what fpcli reports, so its logger gets a handler of its own (no stderr fallback).
logging.getLogger("fontTools").addHandler(logging.NullHandler())

TOLERANCE = 1.0
MAX_GLYPHS = 5_000
MAX_PROGRAM_BYTES = 20 * 1024 * 1024


def width_mismatches(font: Any, shown: bytes) -> list[str]:
    """The first mismatches (at most 3) between declared and program widths; [] when they agree or when the
    font is not a checkable TrueType font."""
    import pikepdf

    if not isinstance(font, pikepdf.Dictionary):
        return []
    if font.get("/Subtype") == "/Type0":
        desc = font.get("/DescendantFonts")
        cid = desc[0] if isinstance(desc, pikepdf.Array) and len(desc) else None
        if not isinstance(cid, pikepdf.Dictionary) or cid.get("/Subtype") != "/CIDFontType2":
            return []
        program = _program(cid)
        used = {int.from_bytes(shown[i : i + 2], "big") for i in range(0, len(shown) - 1, 2)}
        if font.get("/Encoding") != "/Identity-H" and font.get("/Encoding") != "/Identity-V":
            return []  # other CMaps map codes to CIDs in ways not followed here
        return [] if program is None else _first(_cid_pairs(cid, program, used), program)
    if font.get("/Subtype") != "/TrueType":
        return []
    program = _program(font)
    return [] if program is None else _first(_simple_pairs(font, program, set(shown)), program)


def _program(font: Any) -> Any:
    import pikepdf
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    fd = font.get("/FontDescriptor")
    stream = fd.get("/FontFile2") if isinstance(fd, pikepdf.Dictionary) else None
    if not isinstance(stream, pikepdf.Stream):
        return None
    try:
        data = stream.read_bytes()
        if len(data) > MAX_PROGRAM_BYTES:
            return None
        tt = TTFont(io.BytesIO(data), lazy=True)
        if tt["head"].unitsPerEm <= 0 or tt["hmtx"] is None:
            return None
    except Exception:  # a broken program is another clause's finding, not a width mismatch
        return None
    return tt


def _advance(program: Any, glyph: str) -> float | None:
    metrics = program["hmtx"].metrics
    if glyph not in metrics:
        return None
    return float(metrics[glyph][0]) * 1000 / float(program["head"].unitsPerEm)


def _first(pairs: Iterator[tuple[str, float, str]], program: Any) -> list[str]:
    out = []
    for label, declared, glyph in pairs:
        actual = _advance(program, glyph)
        if actual is not None and abs(declared - actual) > TOLERANCE:
            out.append(f"{label}: declared width {declared:g}, the font program's {actual:.0f}")
            if len(out) == 3:
                break
    return out


def _cid_pairs(cid: Any, program: Any, used: set[int]) -> Iterator[tuple[str, float, str]]:
    """(label, declared width, glyph name) per CID in /W; CIDToGIDMap Identity (or absent) or a stream."""
    import pikepdf

    order = program.getGlyphOrder()
    mapping = cid.get("/CIDToGIDMap")
    table = mapping.read_bytes() if isinstance(mapping, pikepdf.Stream) else None
    w = list(cid.get("/W", pikepdf.Array()))
    i, count = 0, 0
    while i < len(w) and count < MAX_GLYPHS:
        first = int(w[i])
        if i + 1 < len(w) and isinstance(w[i + 1], pikepdf.Array):
            items = [(first + k, float(v)) for k, v in enumerate(w[i + 1])]
            i += 2
        elif i + 2 < len(w):
            last, width = int(w[i + 1]), float(w[i + 2])
            items = [(c, width) for c in range(first, min(last, first + MAX_GLYPHS) + 1)]
            i += 3
        else:
            break
        for c, width in items:
            count += 1
            gid = (
                c
                if table is None
                else int.from_bytes(table[2 * c : 2 * c + 2], "big")
                if 2 * c + 2 <= len(table)
                else -1
            )
            if c in used and 0 < gid < len(order):
                yield f"CID {c}", width, order[gid]


def _simple_pairs(font: Any, program: Any, used: set[int]) -> Iterator[tuple[str, float, str]]:
    """(label, declared width, glyph name) per code of /Widths, the glyph found as a PDF reader would: the
    (3,0) cmap for symbolic fonts, else the (3,1) cmap through the encoding, else the (1,0) cmap."""
    import pikepdf

    widths = font.get("/Widths")
    if not isinstance(widths, pikepdf.Array):
        return
    first = int(font.get("/FirstChar", 0))
    cmap = program.get("cmap")
    if cmap is None:
        return
    sym = cmap.getcmap(3, 0)
    uni = cmap.getcmap(3, 1)
    mac = cmap.getcmap(1, 0)
    encoding = font.get("/Encoding")
    codec = "mac_roman" if encoding == "/MacRomanEncoding" else "cp1252"
    differences: dict[int, str] = {}
    if isinstance(encoding, pikepdf.Dictionary) and isinstance(encoding.get("/Differences"), pikepdf.Array):
        code = 0
        for item in encoding.Differences:
            if isinstance(item, pikepdf.Name):
                differences[code] = str(item)[1:]
                code += 1
            else:
                code = int(item)
    names = set(program.getGlyphOrder())
    for k, width in enumerate(list(widths)[:256]):
        code = first + k
        if code not in used:
            continue
        glyph = None
        if code in differences and differences[code] in names:
            glyph = differences[code]
        elif sym is not None:
            glyph = sym.cmap.get(0xF000 + code) or sym.cmap.get(code)
        elif uni is not None:
            try:
                glyph = uni.cmap.get(ord(bytes([code]).decode(codec)))
            except UnicodeDecodeError:
                glyph = None
        elif mac is not None:
            glyph = mac.cmap.get(code)
        if glyph:
            yield f"code {code}", float(width), glyph
