"""Invoices for the view tests: generated from the examples by fpcli itself, then edited by the tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import EXAMPLES

RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"


def generate_xml(directory: Path, example: str = "invoice-services.yaml") -> Path:
    from typer.testing import CliRunner

    from tests.cli.helpers import run

    out = directory / (Path(example).stem + ".xml")
    result = run(CliRunner(), "generate", str(EXAMPLES / example), "-t", "xml", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def services_xml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_xml(tmp_path_factory.mktemp("view"))


def edit(source: Path, target: Path, changes: dict[str, str]) -> Path:
    """Set the text of the first element at each XPath (ram: prefix) and write the result."""
    tree = etree.parse(str(source))
    for path, text in changes.items():
        tree.xpath(path, namespaces={"ram": RAM})[0].text = text
    tree.write(str(target), xml_declaration=True, encoding="UTF-8")
    return target
