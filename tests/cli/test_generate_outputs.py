"""`fpcli generate` outputs: format from `-o`'s extension, new `-o` directories, duplicate invoice numbers,
`-r` for every batch command, and `extract` refusing what is neither PDF nor XML."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.cli.helpers import run
from tests.conftest import EXAMPLES

SERVICES = str(EXAMPLES / "invoice-services.yaml")
GOODS = EXAMPLES / "invoice-goods.json"


def test_format_follows_the_output_extension(runner, tmp_path: Path) -> None:
    out = tmp_path / "out.xml"
    result = run(runner, "generate", SERVICES, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"<?xml") and "(en16931, xml)" in result.stderr
    pdf = tmp_path / "out.PDF"
    assert run(runner, "generate", SERVICES, "-o", str(pdf)).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_conflicting_format_is_a_usage_error(runner, tmp_path: Path) -> None:
    out = tmp_path / "out.xml"
    result = run(runner, "generate", SERVICES, "-t", "pdf", "-o", str(out))
    assert result.exit_code == 2 and result.stdout == ""
    assert f"error: `-t pdf` but `-o {out}` ends in .xml" in result.stderr
    assert not out.exists()


def test_missing_output_directory_is_created(runner, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for n in ("A-1", "A-2"):
        data = json.loads(GOODS.read_text())
        data["number"] = n
        (src / f"{n}.json").write_text(json.dumps(data))
    out = tmp_path / "new" / "dir"
    result = run(runner, "generate", str(src), "-t", "xml", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["A-1.xml", "A-2.xml"]


def test_output_with_a_trailing_slash_is_a_new_directory(runner, tmp_path: Path) -> None:
    out = tmp_path / "factures"
    result = run(runner, "generate", SERVICES, "-o", f"{out}/")
    assert result.exit_code == 0, result.stderr
    assert out.is_dir() and [p.name for p in out.iterdir()] == ["FA-2026-0042.pdf"]


def test_duplicate_invoice_numbers_in_a_batch_name_both(runner, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.json").write_text(GOODS.read_text())
    (src / "b.json").write_text(GOODS.read_text())
    other = json.loads(GOODS.read_text())
    other["number"] = "F2026-2000"
    (src / "c.json").write_text(json.dumps(other))
    out = tmp_path / "out"
    for extra in ([], ["--force"]):
        result = run(runner, "generate", str(src), "-t", "xml", "-o", str(out), *extra)
        assert result.exit_code == 3
        a, b = src / "a.json", src / "b.json"
        assert f"error: {a}: invoice number F2026-1187 is also in `{b}`" in result.stderr
        assert f"error: {b}: invoice number F2026-1187 is also in `{a}`" in result.stderr
        assert "--force" not in result.stderr
        assert [p.name for p in out.iterdir()] == ["F2026-2000.xml"]


def test_recursive_is_the_same_for_generate_validate(runner, tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "a.json").write_text(GOODS.read_text())
    flat = run(runner, "generate", str(src), "-t", "xml")
    assert flat.exit_code == 3 and "(`-r` also reads its subdirectories)" in flat.stderr
    deep = run(runner, "generate", "-r", str(src), "-t", "xml")
    assert deep.exit_code == 0, deep.stderr
    assert (src / "sub" / "a.xml").exists()
    assert run(runner, "validate", str(src)).exit_code == 3
    checked = run(runner, "validate", "--recursive", str(src))
    assert checked.exit_code == 0 and "VALID" in checked.stdout  # the report is the result: stdout


def test_extract_refuses_what_is_neither_pdf_nor_xml(runner, tmp_path: Path) -> None:
    junk = tmp_path / "x.pdf"
    junk.write_bytes(os.urandom(300).replace(b"<", b"").replace(b"%PDF-", b""))
    result = run(runner, "extract", str(junk))
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.startswith(f"error: {junk}: neither a PDF (no `%PDF-` header) nor XML")
    assert list(tmp_path.iterdir()) == [junk]
    html = tmp_path / "y.xml"
    html.write_text("<html><body>not closed")
    assert run(runner, "extract", str(html)).exit_code == 3


def test_extended_ctc_fr_is_xml_only_and_says_so(runner, tmp_path: Path) -> None:
    out = tmp_path / "ctc"
    result = run(runner, "generate", SERVICES, "-p", "extended-ctc-fr", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "note: EXTENDED-CTC-FR is not a Factur-X profile (FNFE-MPE guidance" in result.stderr
    assert out.read_bytes().startswith(b"<?xml")
    assert run(runner, "validate", str(out)).exit_code == 0
    for args in (["-o", str(tmp_path / "ctc.pdf")], ["-t", "pdf", "-o", str(tmp_path / "x")]):
        refused = run(runner, "generate", SERVICES, "-p", "extended-ctc-fr", *args)
        assert refused.exit_code == 2 and "a PDF was asked for" in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ctc"]


def test_lenient_regenerates_a_third_party_invoice_with_made_up_numbers(runner, tmp_path: Path) -> None:
    import pytest

    from tests.cii.test_corpus import CORPUS

    source = CORPUS / "cii" / "drafthorse__zugferd_2p1_EN16931_Einfach-LineObjectIdentifier.xml"
    if not source.is_file():
        pytest.skip("corpus not found")
    extracted = run(runner, "extract", "--json", str(source))
    assert extracted.exit_code == 0, extracted.stderr
    src = tmp_path / "in.json"
    src.write_text(json.dumps(json.loads(extracted.stdout)["invoice"]))
    out = tmp_path / "out.xml"
    strict = run(runner, "generate", str(src), "-o", str(out))
    assert (
        strict.exit_code == 3 and "seller.vat_id: `DE123456789` is not a valid EU VAT number" in strict.stderr
    )
    lenient = run(runner, "generate", str(src), "-o", str(out), "--lenient")
    assert lenient.exit_code == 0, lenient.stderr
    assert "warning: " in lenient.stderr and "`DE123456789` is not a valid EU VAT number" in lenient.stderr
    assert run(runner, "validate", str(out)).exit_code == 0
