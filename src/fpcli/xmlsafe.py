"""The one hardened XML parser factory: no network, no DTD, no entity expansion, size limits.

Every XML input (invoices, CDAR, e-reporting, XMP) goes through `parse_xml`.
"""

from __future__ import annotations

from lxml import etree

from fpcli.errors import InputError

UTF8_BOM = b"\xef\xbb\xbf"
MAX_XML_BYTES = 50 * 1024 * 1024
# Invoices nest about 10 deep; the Schematron engine fails past 100, libxml2 past 256.
MAX_XML_DEPTH = 100
_TOO_DEEP = etree.XPath("/*" + "/*" * MAX_XML_DEPTH)  # elements one level below the limit, found in O(n)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def strip_bom(data: bytes) -> bytes:
    return data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data


def parse_xml(data: bytes, source: str, *, limit: int = MAX_XML_BYTES) -> etree._ElementTree:
    """Parse untrusted XML. Raises `InputError` naming `source` and the line on any problem.

    A DOCTYPE is refused outright: invoices never need one, and it is the carrier of XXE and entity bombs.
    """
    if len(data) > limit:
        raise InputError.at(source, None, f"XML larger than the {limit // (1024 * 1024)} MiB limit")
    data = strip_bom(data)
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else "?"
        msg = str(exc.msg).split(" (line")[0] if exc.msg else "malformed XML"
        raise InputError.at(source, f"line {line}", f"not well-formed XML: {msg}") from None
    except ValueError as exc:  # e.g. a str with an encoding declaration
        raise InputError.at(source, None, f"not XML: {exc}") from None
    except LookupError as exc:  # an encoding declaration lxml does not know
        raise InputError.at(source, "line 1", f"unknown encoding: {exc}") from None
    if tree.docinfo.doctype:
        raise InputError.at(
            source, "line 1", "XML with a DOCTYPE is refused (DTDs and entities are not allowed in invoices)"
        )
    deep = _TOO_DEEP(tree)
    if isinstance(deep, list) and deep:
        element = deep[0]
        raise InputError.at(
            source,
            f"line {getattr(element, 'sourceline', None) or '?'}",
            f"elements nested more than {MAX_XML_DEPTH} deep",
        )
    return tree
