"""Decompression bombs: small PDFs whose streams inflate to 1.5 GiB. Every command that reads them stays
under 1 GiB of memory (a watchdog kills it otherwise) and answers with a finding or a one-line error naming
the stream, never exit 70. Limits are on the DECODED size, not on the compressed /Length."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fpcli.pdf.streams import decoded_size
from tests.cli.helpers import run
from tests.conftest import EXAMPLES
from tests.watchdog import GIB, run_watched

BOMB = 3 * GIB // 2
MIB = 1024 * 1024


def deflate_bomb(size: int, unit: bytes = b" ") -> bytes:
    """A valid zlib stream of `size` bytes of `unit`, built from one repeated flushed block (fast to make)."""
    chunk = unit * (MIB // len(unit))
    packer = zlib.compressobj(9)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    header, block = block[:2], block[2:]
    adler = 1
    for _ in range(size // MIB):
        adler = zlib.adler32(chunk, adler)
    return header + block * (size // MIB) + b"\x03\x00" + adler.to_bytes(4, "big")


def test_the_bomb_is_what_it_claims() -> None:
    data = deflate_bomb(64 * MIB)
    assert len(data) < 200_000 and len(zlib.decompress(data)) == 64 * MIB


@pytest.fixture(scope="module")
def factur_x(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bombs") / "good.pdf"
    result = run(CliRunner(), "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def _xmp(pdf: Any) -> Any:
    return pdf.Root.Metadata


def _invoice(pdf: Any) -> Any:
    return pdf.attachments["factur-x.xml"].obj.EF.F


def _content(pdf: Any) -> Any:
    import pikepdf

    contents = pdf.pages[0].obj.Contents
    return contents[0] if isinstance(contents, pikepdf.Array) else contents


def _icc(pdf: Any) -> Any:
    return pdf.Root.OutputIntents[0].DestOutputProfile


def bombed(source: Path, where: Callable[[Any], Any], target: Path) -> Path:
    """`source` with one stream replaced by a bomb. qpdf would inflate the bomb while saving (it writes XMP
    uncompressed), so a same-length placeholder is saved under a junk key and swapped in afterwards."""
    import os

    import pikepdf

    bomb = deflate_bomb(BOMB)
    placeholder = os.urandom(len(bomb))
    with pikepdf.open(source) as pdf:
        stream = where(pdf)
        stream.write(placeholder)
        stream.Fxxxxx = pikepdf.Name.FlateDecode  # becomes /Filter below: same length, offsets kept
        pdf.save(
            target, compress_streams=False, fix_metadata_version=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
        )  # fmt: skip
    data = target.read_bytes()
    assert data.count(placeholder) == 1 and data.count(b"/Fxxxxx") == 1
    target.write_bytes(data.replace(placeholder, bomb).replace(b"/Fxxxxx", b"/Filter"))
    with pikepdf.open(target) as pdf:
        assert decoded_size(where(pdf), 64 * MIB) is None  # the bomb is in place, and bounded here
    assert target.stat().st_size < 8 * MIB
    return target


STREAMS = {"xmp": _xmp, "factur-x.xml": _invoice, "page content": _content, "icc": _icc}


@pytest.mark.parametrize("stream", list(STREAMS))
def test_bombs_stay_under_1_gib(stream: str, factur_x: Path, tmp_path: Path) -> None:
    pdf = bombed(factur_x, STREAMS[stream], tmp_path / f"bomb-{stream.replace(' ', '-')}.pdf")
    env = {"FPCLI_PA_FLOW_URL": "http://127.0.0.1:9/flows", "FPCLI_ACCESS_TOKEN": "t"}  # never reached
    commands = [["validate", str(pdf)]]
    if stream == "factur-x.xml":  # the only stream that extract and submit decode
        commands += [["extract", str(pdf), "-o", str(tmp_path / "out.xml")], ["pdp", "submit", str(pdf)]]
    for args in commands:
        watched = run_watched(*args, env=env)
        assert not watched.killed and watched.peak_rss < GIB, (args, watched.peak_rss)
        assert watched.code in (0, 1, 3, 4), (args, watched.code, watched.stderr)
        assert "internal error" not in watched.stderr and "Traceback" not in watched.stderr
        if stream == "page content" and args[0] == "validate":  # said, not silently skipped
            assert "PDFA-X-LIMIT" in run_watched("--json", *args).stdout
        if stream == "factur-x.xml":
            assert "decodes to more than 50 MiB" in watched.stdout + watched.stderr, (args, watched.stderr)


def test_decoded_size_follows_the_filter_chain_without_inflating_past_the_limit() -> None:
    import binascii

    import pikepdf

    pdf = pikepdf.new()
    data = b"<x>" + b" " * 100_000 + b"</x>"
    flate = zlib.compress(data)

    def stream(raw: bytes, *filters: str) -> pikepdf.Stream:
        s = pikepdf.Stream(pdf, b"")
        s.write(raw, filter=[pikepdf.Name(f) for f in filters] or None, type_check=False)
        return s

    assert decoded_size(stream(flate, "/FlateDecode"), 200_000) == len(data)
    assert decoded_size(stream(flate, "/FlateDecode"), 50_000) is None
    hexed = binascii.hexlify(flate) + b">"  # ASCIIHex then Flate: both undone
    assert decoded_size(stream(hexed, "/ASCIIHexDecode", "/FlateDecode"), 200_000) == len(data)
    assert decoded_size(stream(hexed, "/ASCIIHexDecode", "/FlateDecode"), 1000) is None
    assert decoded_size(stream(b"x" * 5000), 1000) is None  # unfiltered: its own length
    assert decoded_size(stream(b"x" * 100, "/LZWDecode"), 1000) is None  # worst case 455:1
    assert decoded_size(stream(b"\xff\xd8 jpeg", "/DCTDecode"), 1000) == 7  # images stay encoded
    assert decoded_size(stream(flate[:40], "/FlateDecode"), 200_000) is not None  # truncated: no error
