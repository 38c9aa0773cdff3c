"""PDF/A 6.2.11.5 (font widths vs the embedded program) on veraPDF's own failing test files."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpcli.validation.pdfa import check_pdfa, open_pdf


@pytest.mark.parametrize(
    ("letter", "expected"),
    [
        ("d", "gives code 32 the width 250 but its embedded program 278"),
        ("f", "gives CID 3 the width 300 but its embedded program 464"),
    ],
)
def test_verapdf_width_failures_found(shared: Path, letter: str, expected: str) -> None:
    path = shared / "corpus" / "pdfa2b" / f"veraPDF_test_suite_6-2-11-5-t01-fail-{letter}.pdf"
    findings = check_pdfa(open_pdf(path.read_bytes(), path.name), path.name)
    widths = [f.message for f in findings if f.rule_id == "PDFA-6.2.11.5-1"]
    assert widths and expected in widths[0]


def test_unused_codes_with_zero_width_are_not_findings(shared: Path) -> None:
    """Word's subset fonts declare 0 for codes no text uses; veraPDF (and fpcli) compare shown glyphs only."""
    path = shared / "corpus" / "pdf" / "fnfe-fx107__Facture_F20220026-LE_FOURNISSEUR-POUR-LE_CLIENT_BASIC.pdf"
    findings = check_pdfa(open_pdf(path.read_bytes(), path.name), path.name)
    assert not [f for f in findings if f.rule_id == "PDFA-6.2.11.5-1"]
