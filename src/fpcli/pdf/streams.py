"""Reading PDF streams with a bound on the DECODED size: a 6 MB file must not inflate to gigabytes.

A stream's /Length is its compressed size and says nothing about what Flate will produce (ratios beyond
1000:1 are easy to craft). `decoded_size` runs the stream's filter chain in Python, holding at most `limit`
bytes, and stops as soon as the output passes `limit`; only a stream that fits is then decoded by qpdf
(`read_bytes`, which also applies predictors — they never enlarge the data).
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from typing import Any

from fpcli.errors import InputError

CHUNK = 64 * 1024
# Worst-case expansion of filters fpcli does not run itself: LZW (12-bit codes of up to 4096 bytes) and
# RunLength (2 bytes -> 128). Image codecs (DCT, JPX, JBIG2, CCITT) are not decoded by `read_bytes`.
WORST_CASE = {"/LZWDecode": 4096 * 8 // 9 + 1, "/LZW": 4096 * 8 // 9 + 1, "/RunLengthDecode": 64, "/RL": 64}
IMAGE_CODECS = {"/DCTDecode", "/DCT", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/CCF", "/Crypt"}
_SPACE = re.compile(rb"\s+")


class TooLarge(Exception):
    pass


def _filters(stream: Any) -> list[str]:
    import pikepdf

    value = stream.stream_dict.get("/Filter")
    if value is None:
        return []
    return [str(v) for v in (list(value) if isinstance(value, pikepdf.Array) else [value])]


def _inflate(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj()
    out = bytearray()
    for start in range(0, len(data), CHUNK):
        try:
            out += inflater.decompress(data[start : start + CHUNK], limit + 1 - len(out))
            while inflater.unconsumed_tail and len(out) <= limit:
                out += inflater.decompress(inflater.unconsumed_tail, limit + 1 - len(out))
        except zlib.error:
            break  # damaged data: qpdf recovers what it can, which is no more than this
        if len(out) > limit:
            raise TooLarge
        if inflater.eof:
            break
    return bytes(out)


def _step(name: str, data: bytes, limit: int) -> bytes:
    if name in ("/FlateDecode", "/Fl"):
        return _inflate(data, limit)
    if name in ("/ASCIIHexDecode", "/AHx"):
        digits = _SPACE.sub(b"", data).split(b">", 1)[0]
        return binascii.unhexlify(digits + b"0" * (len(digits) % 2))
    if name in ("/ASCII85Decode", "/A85"):
        body = _SPACE.sub(b"", data).removeprefix(b"<~").split(b"~>", 1)[0]
        return base64.a85decode(body)
    return data  # image codecs and unknown filters: `read_bytes` leaves them encoded


def decoded_size(stream: Any, limit: int) -> int | None:
    """The size `stream` decodes to, or None when it would pass `limit` bytes."""
    data = bytes(stream.read_raw_bytes())
    if len(data) > limit and not _filters(stream):
        return None
    filters = _filters(stream)
    try:
        for i, name in enumerate(filters):
            if name in IMAGE_CODECS:
                break
            if name in WORST_CASE:  # not run here: bounded by its worst case, and nothing may follow it
                bound = len(data) * WORST_CASE[name]
                return bound if bound <= limit and i == len(filters) - 1 else None
            data = _step(name, data, limit)
            if len(data) > limit:
                return None
    except TooLarge:
        return None
    except (ValueError, binascii.Error):
        pass  # malformed encoding: qpdf reports it when decoding
    return len(data)


def content_fits(page_or_stream: Any, limit: int) -> bool:
    """True when a page's content streams (or one content stream) decode to at most `limit` bytes together."""
    import pikepdf

    if isinstance(page_or_stream, pikepdf.Stream):
        return decoded_size(page_or_stream, limit) is not None
    contents = page_or_stream.get("/Contents") if isinstance(page_or_stream, pikepdf.Dictionary) else None
    parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    total = 0
    for part in parts:
        if isinstance(part, pikepdf.Stream):
            size = decoded_size(part, limit - total)
            if size is None:
                return False
            total += size
    return True


def read_bounded(stream: Any, limit: int, source: str, what: str) -> bytes:
    """The decoded bytes of `stream`, or InputError naming `what` when they would pass `limit`."""
    data = read_or_none(stream, limit)
    if data is None:
        raise InputError.at(source, what, f"decodes to more than {limit // (1024 * 1024)} MiB (limit)")
    return data


MAX_FONT_BYTES = 20 * 1024 * 1024  # font programs, CMaps and CIDToGIDMaps the PDF/A checks read


def read_or_none(stream: Any, limit: int) -> bytes | None:
    """The decoded bytes of `stream`, or None when they would pass `limit` (for checks that skip such a
    stream, or report it, rather than stop)."""
    if decoded_size(stream, limit) is None:
        return None
    data = bytes(stream.read_bytes())
    return data if len(data) <= limit else None  # a filter this module only estimates may decode to more
