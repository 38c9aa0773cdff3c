"""`fpcli view` through the CLI: the page on stdout or in a file, exit codes, batches, attachments."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import run
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def invoice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("cli-view") / "inv.pdf"
    assert (
        run(CliRunner(), "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(out)).exit_code == 0
    )
    return out


def test_page_on_stdout(runner, invoice: Path) -> None:
    result = run(runner, "view", str(invoice), "--no-check")
    assert result.exit_code == 0
    assert result.stdout.startswith("<!DOCTYPE html>") and "FA-2026-0042" in result.stdout
    assert result.stderr == ""


def test_page_to_file_then_refuses_to_overwrite(runner, invoice: Path, tmp_path: Path) -> None:
    out = tmp_path / "v.html"
    result = run(runner, "view", str(invoice), "-o", str(out), "--lang", "en")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.startswith(f"wrote `{out}` (1 document(s), ")
    assert "Commercial invoice (380) FA-2026-0042" in out.read_text()
    again = run(runner, "view", str(invoice), "-o", str(out))
    assert again.exit_code == 2 and "already exists" in again.stderr and again.stdout == ""


def test_unreadable_file_exit_3_one_line(runner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("not xml")
    result = run(runner, "view", str(bad))
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.startswith(f"error: {bad}: line 1: not well-formed XML")
    assert "Traceback" not in result.stderr


def test_batch_with_one_bad_file_writes_the_others(runner, invoice: Path, tmp_path: Path) -> None:
    out = tmp_path / "batch.html"
    result = run(runner, "view", str(invoice), str(tmp_path / "missing.xml"), "-o", str(out), "--no-check")
    assert result.exit_code == 3
    assert f"error: {tmp_path / 'missing.xml'}: no such file" in result.stderr
    page = out.read_text()
    assert "FA-2026-0042" in page and "Fichier illisible" in page


def test_unknown_language_is_usage_error(runner, invoice: Path) -> None:
    result = run(runner, "view", str(invoice), "--lang", "de")
    assert result.exit_code == 2 and "unknown language `de`" in result.stderr and result.stdout == ""


def test_attachments_written(runner, invoice: Path, tmp_path: Path) -> None:
    out = tmp_path / "files"
    out.mkdir()
    result = run(
        runner, "view", str(invoice), "-o", str(tmp_path / "v.html"), "--attachments", str(out), "--no-check"
    )
    assert result.exit_code == 0, result.stderr
    assert (out / "factur-x.xml").read_bytes().startswith(b"<?xml")
    assert f"wrote `{out / 'factur-x.xml'}`" in result.stderr


def test_pdf_without_chromium_says_how(runner, invoice: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FPCLI_CHROMIUM", "no-such-browser-here")
    out = tmp_path / "v.pdf"
    result = run(runner, "view", str(invoice), "-o", str(out), "--no-check")
    assert result.exit_code == 2 and "needs Chromium" in result.stderr
    assert not out.exists()  # nothing half-written


def test_missing_attachment_directory_writes_nothing(runner, invoice: Path, tmp_path: Path) -> None:
    page = tmp_path / "v.html"
    result = run(runner, "view", str(invoice), "-o", str(page), "--attachments", str(tmp_path / "nope"))
    assert result.exit_code == 3 and "is not a directory" in result.stderr
    assert not page.exists()  # checked before the page is written


def test_multi_vendor_page_shows_groups_and_line_sellers(runner, tmp_path: Path) -> None:
    """A received multi-vendor invoice (XP Z12-014 UC10): each seller's part and each line's seller shown."""
    from tests.cii.test_corpus import CORPUS

    source = CORPUS / "cii" / "xpz12014__UC10_F202600004_MULTI-VENDEUR_CII_Commentee_EXTENDED.xml"
    if not source.is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    result = run(runner, "view", str(source), "--no-check", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    page = result.stdout
    assert "Line groups (sub-totals, sellers)" in page
    for shown in ("SOUS-TOTAL2", "VENDEUR XXX", "111111118_F202600004", "Line seller"):
        assert shown in page, shown
    assert page.index("SOUS-TOTAL1") < page.index("SOUS-TOTAL2")
    # the VAT breakdown's `#sub-invoice#` marker (BR-FR-MV-09) is said in words
    assert "Sub-invoice 111111118_F202600004" in page and "#111111118_F202600004#" not in page
