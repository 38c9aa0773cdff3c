"""`fpcli generate` through the CLI: exit codes, stdout vs stderr, atomic outputs, batches."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree

from fpcli.cii.namespaces import RAM
from tests.cli.helpers import run
from tests.conftest import EXAMPLES

GOLDEN = Path(__file__).parent / "golden"
SERVICES = str(EXAMPLES / "invoice-services.yaml")


def test_xml_to_file(runner, tmp_path: Path) -> None:
    out = tmp_path / "inv.xml"
    result = run(runner, "generate", SERVICES, "-t", "xml", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"wrote `{out}`: invoice FA-2026-0042 (en16931, xml)" in result.stderr
    tree = etree.fromstring(out.read_bytes())
    assert tree.findtext(f".//{{{RAM}}}DuePayableAmount") == "2717.58"


def test_xml_to_stdout_is_data_only(runner) -> None:
    result = run(runner, "generate", SERVICES, "-t", "xml", "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("<?xml version='1.0' encoding='UTF-8'?>")
    assert "wrote stdout" in result.stderr


def test_stdin_to_stdout(runner) -> None:
    data = (EXAMPLES / "invoice-goods.json").read_bytes()
    result = run(runner, "generate", "-", "-t", "xml", input=data)
    assert result.exit_code == 0, result.stderr
    assert b"F2026-1187" in result.stdout_bytes


def test_refuses_to_overwrite_without_force(runner, tmp_path: Path) -> None:
    out = tmp_path / "inv.xml"
    out.write_text("precious")
    result = run(runner, "generate", SERVICES, "-t", "xml", "-o", str(out))
    assert result.exit_code == 2
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert out.read_text() == "precious"
    assert run(runner, "generate", SERVICES, "-t", "xml", "-o", str(out), "--force").exit_code == 0
    assert out.read_bytes().startswith(b"<?xml")


def test_bad_input_exit_3_and_no_output_file(runner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "number": "F",
                "issue_date": "2026-01-01",
                "seller": {"name": "S"},
                "buyer": {"name": "B"},
                "lines": [{"name": "x", "quantity": "-1x", "unit_price": "1"}],
            }
        )
    )
    out = tmp_path / "out.xml"
    result = run(runner, "generate", str(bad), "-t", "xml", "-o", str(out))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert (
        f"error: {bad}: line 1: lines[0].quantity: Input should be a valid decimal (BT-129)" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]  # no temporary file left behind


def test_totals_disagreement_is_reported(runner, tmp_path: Path) -> None:
    doc = json.loads((EXAMPLES / "invoice-goods.json").read_text())
    doc["totals"] = {"tax_exclusive": "1.00", "tax_inclusive": "1.20", "due": "1.20"}
    src = tmp_path / "t.json"
    src.write_text(json.dumps(doc))
    result = run(runner, "generate", str(src), "-t", "xml", "-o", str(tmp_path / "o.xml"))
    assert result.exit_code == 3
    assert "totals.tax_exclusive: given 1.00, computed" in result.stderr
    assert not (tmp_path / "o.xml").exists()


def test_minimum_reports_what_it_drops_and_strict_fails(runner, tmp_path: Path) -> None:
    out = tmp_path / "m.xml"
    # A French seller's invoice needs the PMT/PMD/AAB notes (BR-FR-05) that MINIMUM cannot carry.
    refused = run(runner, "generate", SERVICES, "-t", "xml", "-p", "minimum", "-o", str(out))
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "invoice FA-2026-0042: 5 error(s) from the official rules; nothing written" in refused.stderr
    assert "BR-FR-05_BT-22_PMT" in refused.stderr
    assert "in the input: `notes` (BG-1), near line 12, which profile minimum leaves out" in refused.stderr
    assert "hint: profile minimum cannot carry BG-1 invoice notes" in refused.stderr
    assert not out.exists()
    result = run(runner, "generate", SERVICES, "-t", "xml", "-p", "minimum", "--no-check", "-o", str(out))
    assert result.exit_code == 0
    assert "warning: invoice FA-2026-0042: profile minimum cannot carry BG-1 invoice notes" in result.stderr
    strict = run(
        runner, "generate", SERVICES, "-t", "xml", "-p", "minimum", "--strict", "-o", str(tmp_path / "s.xml")
    )
    assert strict.exit_code == 2
    assert "cannot carry" in strict.stderr and "--strict" in strict.stderr
    assert not (tmp_path / "s.xml").exists()


def test_unknown_profile_is_usage_error(runner) -> None:
    result = run(runner, "generate", SERVICES, "-p", "gold")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown profile `gold`")


def test_batch_one_bad_input_does_not_stop_others(runner, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for f in EXAMPLES.glob("*.*"):
        shutil.copy(f, src / f.name)
    (src / "broken.yaml").write_text("number: [\n")
    out = tmp_path / "out"
    out.mkdir()
    result = run(runner, "generate", str(src), "-t", "xml", "-o", str(out), "--json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["summary"] == {"ok": 3, "failed": 1}
    assert sorted(p.name for p in out.iterdir()) == ["AV-2026-0007.xml", "F2026-1187.xml", "FA-2026-0042.xml"]
    assert "broken.yaml: line" in result.stderr


@pytest.mark.slow
def test_batch_parallel_matches_serial(runner, tmp_path: Path) -> None:
    serial, parallel = tmp_path / "s", tmp_path / "p"
    serial.mkdir()
    parallel.mkdir()
    assert run(runner, "generate", str(EXAMPLES), "-t", "xml", "-o", str(serial)).exit_code == 0
    result = run(runner, "generate", str(EXAMPLES), "-t", "xml", "-o", str(parallel), "-j", "2")
    assert result.exit_code == 0, result.stderr
    for f in serial.iterdir():
        assert (parallel / f.name).read_bytes() == f.read_bytes()


def test_json_report_golden(runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXAMPLES / "invoice-goods.json", tmp_path / "goods.json")
    result = run(runner, "generate", "goods.json", "-t", "xml", "-p", "basicwl", "--json")
    assert result.exit_code == 0
    golden = GOLDEN / "generate-report.json"
    assert json.loads(result.stdout) == json.loads(golden.read_text())


def test_json_and_stdout_conflict(runner) -> None:
    result = run(runner, "generate", SERVICES, "-o", "-", "--json")
    assert result.exit_code == 2
    assert "both want stdout" in result.stderr


def test_schema(runner) -> None:
    result = run(runner, "generate", "--schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Invoice"
    assert "BT-1" in schema["properties"]["number"]["description"]


def test_no_input(runner) -> None:
    result = run(runner, "generate")
    assert result.exit_code == 2
    assert "no input given" in result.stderr


def test_missing_file(runner) -> None:
    result = run(runner, "generate", "nope.yaml")
    assert result.exit_code == 3
    assert result.stderr == "error: nope.yaml: no such file\n"


def test_deterministic_xml(runner, tmp_path: Path) -> None:
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    run(runner, "generate", SERVICES, "-t", "xml", "-o", str(a))
    run(runner, "generate", SERVICES, "-t", "xml", "-o", str(b))
    assert a.read_bytes() == b.read_bytes()


def test_pdf_default_and_extract_gives_back_the_xml(runner, tmp_path: Path) -> None:
    pdf, xml = tmp_path / "inv.pdf", tmp_path / "inv.xml"
    result = run(runner, "generate", SERVICES, "-o", str(pdf))
    assert result.exit_code == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF-1.7")
    assert run(runner, "generate", SERVICES, "-t", "xml", "-o", str(xml)).exit_code == 0
    extracted = run(runner, "extract", str(pdf))
    assert extracted.exit_code == 0
    assert extracted.stdout_bytes == xml.read_bytes()


def test_pdf_deterministic_with_source_date_epoch(runner, tmp_path: Path) -> None:
    import time

    from fpcli.pdf.pdfa3 import srgb_icc

    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert run(runner, "generate", SERVICES, "-o", str(a)).exit_code == 0
    # A later run is a new process: everything built at run time is built again, seconds later.
    srgb_icc.cache_clear()
    time.sleep(1.1)
    assert run(runner, "generate", SERVICES, "-o", str(b)).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_pdf_into_base_pdf(runner, tmp_path: Path) -> None:
    base = tmp_path / "base.pdf"
    assert run(runner, "generate", SERVICES, "-o", str(base)).exit_code == 0
    out = tmp_path / "out.pdf"
    goods = str(EXAMPLES / "invoice-goods.json")
    result = run(runner, "generate", goods, "--pdf", str(base), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    xml = run(runner, "extract", str(out)).stdout
    assert "F2026-1187" in xml and "FA-2026-0042" not in xml


def test_truncated_base_pdf(runner, tmp_path: Path) -> None:
    base = tmp_path / "base.pdf"
    base.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    out = tmp_path / "out.pdf"
    result = run(runner, "generate", SERVICES, "--pdf", str(base), "-o", str(out))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: {base}: unreadable or truncated PDF: unable to find trailer")
    assert not out.exists()


def test_extract_from_pdf_without_attachment(runner, tmp_path: Path) -> None:
    import pikepdf

    plain = tmp_path / "plain.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(plain)
    result = run(runner, "extract", str(plain))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == f"error: {plain}: no embedded invoice XML (the PDF has no attachment)\n"


def test_generate_then_extract_json_gives_back_the_model(runner, tmp_path: Path) -> None:
    from fpcli.cii.reader import strip_computed
    from fpcli.model.load import invoices_from_data, load_invoices

    pdf = tmp_path / "inv.pdf"
    assert run(runner, "generate", SERVICES, "-o", str(pdf)).exit_code == 0
    result = run(runner, "extract", str(pdf), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["schema_version"] == 1 and report["attachment"] == "factur-x.xml"
    assert report["profile"] == "en16931" and report["warnings"] == []
    original = load_invoices((EXAMPLES / "invoice-services.yaml").read_bytes(), "in.yaml")[0]
    back = invoices_from_data(report["invoice"], "extract.json")[0]
    assert strip_computed(back) == strip_computed(original)
    # and the extracted JSON is itself valid generate input
    again = tmp_path / "again.json"
    again.write_text(json.dumps(report["invoice"]))
    assert run(runner, "generate", str(again), "-t", "xml", "-o", str(tmp_path / "again.xml")).exit_code == 0
