"""`fpcli convert` through the CLI: exit codes, what is said on stderr, nothing half-written."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import run
from tests.conftest import SHARED

UBL = str(SHARED / "corpus" / "ubl" / "cen__guide-example1.xml")
MINIMUM = str(SHARED / "corpus" / "cii" / "akretion__factur-x-minimum.xml")


def test_ubl_to_cii_then_back(runner, tmp_path: Path) -> None:
    cii, ubl = tmp_path / "a.xml", tmp_path / "b.xml"
    result = run(runner, "convert", UBL, "--to", "cii", "-o", str(cii))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"wrote `{cii}`: UBL invoice " in result.stderr and "as cii (checked)" in result.stderr
    assert b"CrossIndustryInvoice" in cii.read_bytes()
    back = run(runner, "convert", str(cii), "--to", "ubl", "-o", str(ubl))
    assert back.exit_code == 0 and b"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" in ubl.read_bytes()


def test_to_stdout(runner) -> None:
    result = run(runner, "convert", UBL, "--to", "cii", "-o", "-")
    assert result.exit_code == 0 and result.stdout.startswith("<?xml")


def test_output_failing_target_rules_is_not_written(runner, tmp_path: Path) -> None:
    out = tmp_path / "m.xml"
    result = run(runner, "convert", MINIMUM, "--to", "ubl", "-o", str(out))
    assert result.exit_code == 1
    assert "the ubl output fails its rules; nothing written" in result.stderr and "BR-16" in result.stderr
    assert not out.exists() and result.stdout == ""


def test_usage_errors(runner, tmp_path: Path) -> None:
    bad = run(runner, "convert", UBL, "--to", "xml", "-o", str(tmp_path / "x"))
    assert bad.exit_code == 2 and "unknown target `xml`" in bad.stderr
    profile = run(runner, "convert", UBL, "--to", "ubl", "-p", "basic", "-o", str(tmp_path / "x"))
    assert profile.exit_code == 2 and "`--profile` is for CII and Factur-X output" in profile.stderr


def test_unreadable_input(runner, tmp_path: Path) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_text("<Order/>")
    result = run(runner, "convert", str(junk), "--to", "cii", "-o", str(tmp_path / "o.xml"))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: {junk}: line 1: `Order` is neither a CII nor a UBL invoice")
