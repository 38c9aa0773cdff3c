"""The hardened parser: XXE, entity bombs, DOCTYPEs, BOMs, garbage — clear errors, no file read."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpcli.errors import InputError
from fpcli.xmlsafe import parse_xml


def test_plain_xml_with_bom() -> None:
    tree = parse_xml(b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?><a>x</a>", "bom.xml")
    assert tree.getroot().text == "x"


def test_xxe_reading_a_local_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]><a>&x;</a>'.encode()
    with pytest.raises(InputError) as info:
        parse_xml(doc, "xxe.xml")
    assert info.value.message.startswith("xxe.xml: line 1: XML with a DOCTYPE is refused")
    assert "TOP-SECRET" not in info.value.message


def test_billion_laughs_is_refused_quickly() -> None:
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol">'
        + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9))
        + b"]><l>&j;</l>"
    )
    with pytest.raises(InputError) as info:
        parse_xml(lol, "bomb.xml")
    assert "bomb.xml" in info.value.message


def test_malformed_names_line() -> None:
    with pytest.raises(InputError) as info:
        parse_xml(b"<a>\n<b>\n</a>", "bad.xml")
    assert info.value.message.startswith("bad.xml: line 3: not well-formed XML")


def test_size_limit() -> None:
    with pytest.raises(InputError) as info:
        parse_xml(b"<a>" + b"x" * 2000 + b"</a>", "big.xml", limit=1000)
    assert "larger than" in info.value.message


def test_binary_garbage() -> None:
    with pytest.raises(InputError) as info:
        parse_xml(b"%PDF-1.7\n\x00\x01\x02", "x.pdf")
    assert info.value.message.startswith("x.pdf: line 1: not well-formed XML")


def test_external_dtd_is_not_fetched() -> None:
    doc = b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://127.0.0.1:9/evil.dtd"><a/>'
    with pytest.raises(InputError):
        parse_xml(doc, "ext.xml")
