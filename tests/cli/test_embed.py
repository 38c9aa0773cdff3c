"""`fpcli embed` and `fpcli generate --pdf` with an ordinary PDF: exit codes, stdout vs stderr, nothing
written on failure, and the output accepted by `fpcli validate`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.helpers import run
from tests.conftest import EXAMPLES
from tests.pdf.test_embed import reportlab_pdf

pytestmark = pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (`gs`) is not installed")
SERVICES = str(EXAMPLES / "invoice-services.yaml")


@pytest.fixture
def files(runner, tmp_path: Path) -> tuple[Path, Path]:
    xml = tmp_path / "invoice.xml"
    assert run(runner, "generate", SERVICES, "-t", "xml", "-o", str(xml)).exit_code == 0
    base = tmp_path / "erp.pdf"
    base.write_bytes(reportlab_pdf())
    return xml, base


def test_generate_pdf_with_ordinary_base_validates(runner, files, tmp_path: Path) -> None:
    """The trust bug of issue 15: `generate --pdf` wrote, with exit 0, a file that `validate` rejected."""
    _, base = files
    out = tmp_path / "out.pdf"
    result = run(runner, "generate", SERVICES, "--pdf", str(base), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    checked = run(runner, "validate", str(out))
    assert checked.exit_code == 0, checked.stdout
    assert f"VALID      {out}" in checked.stdout + checked.stderr  # whichever stream the report is on


def test_embed_writes_valid_facturx(runner, files, tmp_path: Path) -> None:
    xml, base = files
    note = tmp_path / "note.txt"
    note.write_text("livraison du 2 novembre\n")
    out = tmp_path / "out.pdf"
    result = run(runner, "embed", str(xml), str(base), "-o", str(out), "--attach", str(note))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"wrote `{out}`: Factur-X PDF/A-3 (en16931, 1 extra attachment(s))\n"
    assert run(runner, "validate", str(out)).exit_code == 0
    assert run(runner, "extract", str(out)).stdout_bytes == xml.read_bytes()


def test_embed_json_report(runner, files, tmp_path: Path) -> None:
    xml, base = files
    out = tmp_path / "out.pdf"
    result = run(runner, "embed", str(xml), str(base), "-o", str(out), "--attach-source", SERVICES, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "schema_version": 1,
        "command": "embed",
        "output": str(out),
        "profile": "en16931",
        "attachments": ["invoice-services.yaml"],
        "removed": [],
        "checked": True,
    }


def test_invalid_invoice_writes_nothing(runner, files, tmp_path: Path) -> None:
    xml, base = files
    bad = tmp_path / "bad.xml"
    bad.write_bytes(
        xml.read_bytes().replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:TypeCode>999</ram:TypeCode>")
    )
    out = tmp_path / "out.pdf"
    result = run(runner, "embed", str(bad), str(base), "-o", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {out}: the Factur-X PDF fails validation, nothing was written: ")
    assert not out.exists() and list(tmp_path.glob(".out.pdf*")) == []
    result = run(runner, "embed", str(bad), str(base), "-o", str(out), "--no-check")
    assert result.exit_code == 0
    assert "warning: not checked (`--no-check`)" in result.stderr
    assert out.exists()


def test_not_cii_is_exit_3(runner, files, tmp_path: Path) -> None:
    _, base = files
    ubl = tmp_path / "ubl.xml"
    ubl.write_text('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
    out = tmp_path / "out.pdf"
    result = run(runner, "embed", str(ubl), str(base), "-o", str(out))
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: {ubl}: not a CII invoice (rsm:CrossIndustryInvoice): Factur-X PDFs carry CII XML\n"
    )
    assert not out.exists()


def test_output_exists_needs_force(runner, files, tmp_path: Path) -> None:
    xml, base = files
    out = tmp_path / "out.pdf"
    out.write_bytes(b"keep")
    result = run(runner, "embed", str(xml), str(base), "-o", str(out))
    assert result.exit_code == 2
    assert out.read_bytes() == b"keep"


def test_missing_ghostscript(runner, files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xml, base = files
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    out = tmp_path / "out.pdf"
    result = run(runner, "embed", str(xml), str(base), "-o", str(out))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith(
        "error: Ghostscript (`gs`) is not installed: fpcli needs it to turn an ordinary PDF into PDF/A-3\n"
    )
    assert not out.exists()
