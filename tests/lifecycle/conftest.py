"""Shared fixtures: an invoice (CII XML of the services example) and the official CDAR files in ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, SHARED

CDAR_DIR = SHARED / "reference" / "fr" / "cdar"
OFFICIAL_SCH = CDAR_DIR / "schematron" / "BR-FR-CDV-Schematron-CDAR.sch"
OFFICIAL_XSD = CDAR_DIR / "xsd" / "CrossDomainAcknowledgementAndResponse_100pD22B.xsd"
SAMPLES = sorted((CDAR_DIR / "samples").glob("*.xml")) if CDAR_DIR.is_dir() else []


def invoice_bytes() -> bytes:
    from fpcli.cii.profile import Profile
    from fpcli.cii.writer import to_cii
    from fpcli.model.load import load_invoices

    path = EXAMPLES / "invoice-services.yaml"
    return to_cii(load_invoices(path.read_bytes(), str(path))[0], Profile.EN16931).xml


@pytest.fixture(scope="session")
def invoice_xml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("invoice") / "invoice.xml"
    path.write_bytes(invoice_bytes())
    return path
