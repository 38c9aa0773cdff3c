"""The JPEG 2000 facts PDF/A-2/3 clause 6.2.8.3 looks at, read from the JP2 header boxes (ISO/IEC 15444-1
annex I: `ihdr`, `bpcc`, `colr`) or, for a bare codestream, from its SIZ marker segment. Only headers are
read: nothing is decoded."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

_SOC_SIZ = b"\xff\x4f\xff\x51"
MAX_BOXES = 256  # a JP2 header has a handful; a file with more is not read further


@dataclass
class ColourSpec:
    method: int  # METH: 1 enumerated, 2 restricted ICC, 3 any ICC (JPX), others not allowed
    approx: int  # APPROX: 1 = the best colour fidelity among several specifications
    enum_cs: int | None  # EnumCS when METH is 1 (19 = CIEJab)


@dataclass
class JpxHeader:
    channels: int | None = None
    bit_depth: int | None = None  # None with a bpcc box (components of different depths)
    bpcc: bool = False
    colours: list[ColourSpec] = field(default_factory=list)

    @property
    def colour(self) -> ColourSpec | None:
        """The specification a reader uses: the one marked best (APPROX 1), else the first."""
        best = [c for c in self.colours if c.approx == 1]
        return best[0] if len(best) == 1 else (self.colours[0] if self.colours else None)


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, bytes]]:
    pos = start
    for _ in range(MAX_BOXES):
        if pos + 8 > end:
            return
        length, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if length == 1:
            if pos + 16 > end:
                return
            (length,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif length == 0:  # the last box runs to the end
            length = end - pos
        if length < header or pos + length > end:
            return
        yield kind, data[pos + header : pos + length]
        pos += length


def _from_codestream(data: bytes) -> JpxHeader | None:
    # SIZ: Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz (2+2+8*4 bytes), Csiz, then
    # Ssiz XRsiz YRsiz per component; the bit depth of a component is (Ssiz & 0x7F) + 1
    if len(data) < 4 + 38 + 2:
        return None
    (count,) = struct.unpack_from(">H", data, 4 + 36)
    sizes = data[4 + 38 : 4 + 38 + 3 * count : 3]
    if len(sizes) != count or count == 0:
        return None
    depths = {(s & 0x7F) + 1 for s in sizes}
    return JpxHeader(
        channels=count, bit_depth=depths.pop() if len(depths) == 1 else None, bpcc=len(depths) > 1
    )


def read_header(data: bytes) -> JpxHeader | None:
    """The header of a JPXDecode stream's bytes; None when they are neither a JP2 file nor a codestream."""
    if data.startswith(_SOC_SIZ):
        return _from_codestream(data)
    header = JpxHeader()
    found = False
    for kind, body in _boxes(data, 0, len(data)):
        if kind == b"jp2c":
            break
        if kind != b"jp2h":
            continue
        for sub, content in _boxes(body, 0, len(body)):
            if sub == b"ihdr" and len(content) >= 14:
                found = True
                header.channels = struct.unpack_from(">H", content, 8)[0]
                bpc = content[10]
                header.bpcc = bpc == 0xFF
                header.bit_depth = None if header.bpcc else (bpc & 0x7F) + 1
            elif sub == b"bpcc":
                header.bpcc = True
            elif sub == b"colr" and len(content) >= 3:
                method, approx = content[0], content[2]
                enum_cs = (
                    struct.unpack_from(">I", content, 3)[0] if method == 1 and len(content) >= 7 else None
                )
                header.colours.append(ColourSpec(method, approx, enum_cs))
    return header if found else None
