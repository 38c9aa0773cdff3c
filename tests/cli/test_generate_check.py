"""`fpcli generate` checks every output with `fpcli validate`'s rules before writing it (`--no-check` skips)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import run
from tests.conftest import EXAMPLES

SERVICES = str(EXAMPLES / "invoice-services.yaml")
GOODS = EXAMPLES / "invoice-goods.json"


def _goods(tmp_path: Path, name: str, **changes: object) -> Path:
    data = json.loads(GOODS.read_text())
    data.update(changes)
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("fmt", ["xml", "pdf"])
def test_every_profile_written_is_valid(runner, tmp_path: Path, fmt: str) -> None:
    for profile in ("basicwl", "basic", "en16931", "extended"):
        out = tmp_path / f"{profile}.{fmt}"
        result = run(runner, "generate", SERVICES, "-t", fmt, "-p", profile, "-o", str(out))
        assert result.exit_code == 0, result.stderr
        check = run(runner, "validate", str(out))
        assert check.exit_code == 0, check.stderr


def test_a_rule_violation_writes_nothing(runner, tmp_path: Path) -> None:
    # No electronic address for the buyer: BR-FR-12 (BT-49) rejects it; the model alone cannot tell.
    data = json.loads(GOODS.read_text())
    del data["buyer"]["electronic_address"]
    src = tmp_path / "inv.json"
    src.write_text(json.dumps(data))
    out = tmp_path / "inv.pdf"
    result = run(runner, "generate", str(src), "-o", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"error: {src}: invoice F2026-1187: 1 error(s) from the official rules; nothing written" in (
        result.stderr
    )
    assert "BR-FR-12_BT-49" in result.stderr and "--no-check" in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [src]
    trusted = run(runner, "generate", str(src), "-o", str(out), "--no-check")
    assert trusted.exit_code == 0 and out.exists()
    assert run(runner, "validate", str(out)).exit_code == 1


def test_ordinary_base_pdf_becomes_checked_facturx(runner, tmp_path: Path) -> None:
    """An office-style PDF (Helvetica, not embedded: PDF/A-3 forbids it) used to give exit 0 and a file
    `validate` rejects; it is now converted to PDF/A-3 (Ghostscript) and checked before it is written."""
    from reportlab.pdfgen import canvas

    base = tmp_path / "plain.pdf"
    page = canvas.Canvas(str(base))
    page.drawString(100, 700, "Facture")
    page.save()
    out = tmp_path / "out.pdf"
    result = run(runner, "generate", str(GOODS), "--pdf", str(base), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    checked = run(runner, "validate", str(out))
    assert checked.exit_code == 0 and "VALID" in checked.stdout, checked.stdout


def test_batch_json_names_the_findings_and_goes_on(runner, tmp_path: Path) -> None:
    good = _goods(tmp_path, "a.json")
    bad = _goods(tmp_path, "b.json", number="F2026-1188", business_process="ZZ")
    result = run(runner, "generate", str(good), str(bad), "-t", "xml", "-j", "2", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    by_input = {r["input"]: r for r in report["results"]}
    assert by_input[str(good)]["status"] == "ok" and (tmp_path / "F2026-1187.xml").exists()
    assert by_input[str(bad)]["status"] == "error"
    assert any(f["severity"] == "error" for f in by_input[str(bad)]["findings"])
    assert not (tmp_path / "F2026-1188.xml").exists()


def test_a_hostile_input_in_a_directory_does_not_stop_the_others(runner, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    text = Path(SERVICES).read_text()
    (src / "a.yaml").write_text(text.replace("issue_date: 2026-11-20", "issue_date: 2026-02-30"))
    (src / "b.yaml").write_text(
        text.replace("Claire Martin", '"Claire\\0Martin"').replace("FA-2026-0042", "B-1")
    )
    (src / "c.yaml").write_text(text.replace("FA-2026-0042", "C-1"))
    out = tmp_path / "out"
    out.mkdir()
    result = run(runner, "generate", str(src), "-t", "xml", "-o", str(out))
    assert result.exit_code == 3
    assert f"{src / 'a.yaml'}: line 4 column 13: invalid YAML: `2026-02-30` is not a date" in result.stderr
    assert "seller.contact.name: holds the control character U+0000" in result.stderr
    assert "1 generated, 2 failed" in result.stderr
    assert [p.name for p in out.iterdir()] == ["C-1.xml"]
