"""XSDs loaded once per process (lxml), never touching the network."""

from __future__ import annotations

from functools import cache

from lxml import etree


@cache
def schema(path: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(path, parser))
