"""Exit codes are the contract: nothing a user or a remote party can cause ends in exit 70 (internal error).
Bad input is exit 3 naming the file and the place, a bad setting exit 2, one bad file in a batch is that
file's finding, and a bounded mutation fuzz over corpus files never reaches an internal error."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml
from lxml import etree
from typer.testing import CliRunner

from tests.cli.helpers import run
from tests.conftest import EXAMPLES, SHARED

CII = sorted((SHARED / "corpus/cii").glob("*.xml"))[0]


def encoded(path: Path, encoding: str) -> bytes:
    tree = etree.fromstring(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    return etree.tostring(tree, encoding=encoding, xml_declaration=True)


def nested(depth: int) -> bytes:
    """The corpus CII with `depth` more elements nested inside ExchangedDocument."""
    data = CII.read_bytes()
    tag = b"<rsm:ExchangedDocument>"
    return data.replace(tag, tag + b"<x>" * depth + b"</x>" * depth, 1)


def test_declared_encodings_are_honoured(runner: CliRunner, tmp_path: Path) -> None:
    reference = run(runner, "validate", str(CII))
    for encoding in ("ISO-8859-1", "UTF-16", "windows-1252"):
        path = tmp_path / f"{encoding}.xml"
        path.write_bytes(encoded(CII, encoding))
        result = run(runner, "validate", str(path))
        assert result.exit_code == reference.exit_code, (encoding, result.stderr)
        assert "internal error" not in result.stderr


@pytest.mark.parametrize("depth", [101, 150, 256, 300])
def test_deep_nesting_is_an_input_error(runner: CliRunner, tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.xml"
    path.write_bytes(nested(depth))
    result = run(runner, "validate", str(path))
    assert result.exit_code == 3, result.stderr
    assert "internal error" not in result.stderr
    assert "nested more than 100 deep" in result.stdout or "line" in result.stdout  # the report: stdout


def test_one_bad_file_in_a_batch_is_that_files_finding(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a-good.xml").write_bytes(CII.read_bytes())
    (tmp_path / "b-latin1.xml").write_bytes(encoded(CII, "ISO-8859-1"))
    (tmp_path / "c-deep.xml").write_bytes(nested(120))
    (tmp_path / "d-junk.xml").write_bytes(b"\x00\xff garbage")
    (tmp_path / "e-good.xml").write_bytes(CII.read_bytes())
    result = run(runner, "validate", "--json", str(tmp_path))
    assert result.exit_code == 3  # the batch says some files were unreadable
    report = json.loads(result.stdout)
    statuses = {Path(f["source"]).name: f["status"] for f in report["files"]}
    good = statuses["a-good.xml"]
    assert statuses == {
        "a-good.xml": good, "b-latin1.xml": good, "c-deep.xml": "unreadable", "d-junk.xml": "unreadable",
        "e-good.xml": good,
    }  # fmt: skip


def test_extract_of_an_empty_file_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "zero.pdf"
    empty.write_bytes(b"")
    out = tmp_path / "zero.xml"
    result = run(runner, "extract", str(empty), "-o", str(out))
    assert result.exit_code == 3 and "zero.pdf: empty file" in result.stderr
    assert not out.exists()
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x89PNG not an invoice")
    assert run(runner, "extract", str(junk), "-o", str(out)).exit_code == 3 and not out.exists()


def test_bad_settings_are_usage_errors(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FPCLI_PA_FLOW_URL", "http://127.0.0.1:9/flows")
    monkeypatch.setenv("FPCLI_ACCESS_TOKEN", "t")
    for value in ("abc", "nan", "inf", "-1"):
        monkeypatch.setenv("FPCLI_TIMEOUT", value)
        result = run(runner, "pdp", "flows", "search", "--ack-status", "Ok")
        assert result.exit_code == 2 and f"FPCLI_TIMEOUT=`{value}`" in result.stderr, result.stderr
    payload = tmp_path / "event.json"
    payload.write_bytes(b"{}")
    monkeypatch.setenv("FPCLI_WEBHOOK_SECRET", "a2V5")
    for age in ("nan", "inf"):
        result = run(
            runner, "pdp", "webhook", "verify", str(payload), "--signature", "AAAA", "--timestamp", "1",
            "--max-age", age,
        )  # fmt: skip
        assert result.exit_code == 2 and "--max-age" in result.stderr, result.stderr


def test_control_characters_and_huge_fields_are_input_errors(runner: CliRunner, tmp_path: Path) -> None:
    doc = yaml.safe_load((EXAMPLES / "invoice-services.yaml").read_text())
    doc["seller"]["name"] = "ACME\x00\x1b[31m SA"
    src = tmp_path / "nul.json"
    src.write_text(json.dumps(doc, default=str))
    result = run(runner, "generate", str(src), "-o", str(tmp_path / "nul.xml"))
    assert result.exit_code == 3 and "seller.name: holds the control character U+0000" in result.stderr
    header = "invoice_id;issue_date;business_process;seller_id;buyer_id;buyer_scheme;vat_category;vat_rate;"
    header += "taxable_amount"
    args = ["--flow", "10.1", "-o", str(tmp_path / "r.xml"), "--issuer-siren", "732829320", "--issuer-name",
            "A", "--sender-id", "0001", "--start", "2026-01-01", "--end", "2026-01-31"]  # fmt: skip
    for name, row, message in (
        ("nul.csv", "F1;2026-01-02;S1;1;2;0002;S;20;\x00100", "row 2 column 9: control character U+0000"),
        ("huge.csv", "F1;2026-01-02;S1;1;2;0002;S;20;" + "1" * 200_000, "row 2: malformed CSV: field larger"),
    ):
        path = tmp_path / name
        path.write_text(f"{header}\n{row}\n")
        result = run(runner, "ereport", "build", str(path), *args)
        assert result.exit_code == 3 and message in result.stderr, result.stderr
        assert not (tmp_path / "r.xml").exists()


def test_input_size_limits_are_enforced(runner: CliRunner, tmp_path: Path) -> None:
    doc = yaml.safe_load((EXAMPLES / "invoice-services.yaml").read_text())
    line = doc["lines"][0]
    doc["lines"] = [dict(line, id=str(i)) for i in range(20_001)]
    many = tmp_path / "many.json"
    many.write_text(json.dumps(doc, default=str))
    result = run(runner, "generate", str(many), "-o", str(tmp_path / "m.xml"))
    assert result.exit_code == 3 and "20001 invoice lines: more than the 20000" in result.stderr
    big = tmp_path / "big.json"
    big.write_bytes(b'{"notes": "' + b"x" * (10 * 1024 * 1024) + b'"}')
    result = run(runner, "generate", str(big), "-o", str(tmp_path / "b.xml"))
    assert result.exit_code == 3 and "larger than the 10 MiB limit" in result.stderr


def _mutations(data: bytes, rng: random.Random) -> bytes:
    """One atheris-style mutation: flip bytes, cut, duplicate or splice a slice, or insert hostile bytes."""
    choice = rng.randrange(6)
    if not data:
        return b"<"
    i, j = sorted(rng.randrange(len(data)) for _ in range(2))
    if choice == 0:
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if choice == 1:
        return data[:i]
    if choice == 2:
        return data[:j] + data[i:j] + data[j:]
    if choice == 3:
        return (
            data[:i]
            + rng.choice([b"\x00", b"\x1b[2J", b"&#0;", b"<!DOCTYPE x>", b"\xff\xfe", b"]]>"])
            + data[i:]
        )
    if choice == 4:
        return data[:i] + data[j:]
    return data.replace(b"UTF-8", b"UTF-16", 1).replace(b"utf-8", b"latin-1", 1)


FUZZ_FILES = 150  # a bounded run (about 10 s): mutations are seeded, so a failure is reproducible


def test_fuzzed_corpus_files_never_end_in_an_internal_error(runner: CliRunner, tmp_path: Path) -> None:
    rng = random.Random(17)
    sources = [p for p in sorted((SHARED / "corpus").rglob("*")) if p.suffix in (".xml", ".pdf")]
    sources = [p for p in sources if "pdfa2b" not in p.parts and p.stat().st_size < 2_000_000]
    picked = rng.sample(sources, 20)
    folder = tmp_path / "fuzz"
    folder.mkdir()
    for n in range(FUZZ_FILES):
        source = picked[n % len(picked)]
        data = source.read_bytes()
        for _ in range(rng.randint(1, 3)):
            data = _mutations(data, rng)
        (folder / f"{n:03d}-{source.name}").write_bytes(data)
    result = run(runner, "validate", "--json", str(folder))
    assert result.exit_code != 70 and "internal error" not in result.stderr, result.stderr[-2000:]
    assert len(json.loads(result.stdout)["files"]) == FUZZ_FILES
    for path in sorted(folder.iterdir())[:50]:
        for args in (["extract", str(path), "--json"], ["extract", str(path), "-o", str(tmp_path / "x.xml")]):
            out = run(runner, *args, "--force") if "-o" in args else run(runner, *args)
            assert out.exit_code != 70 and "internal error" not in out.stderr, (path.name, out.stderr)


def test_many_unknown_elements_do_not_keep_the_rule_engine_busy(runner: CliRunner, tmp_path: Path) -> None:
    """The official Schematron XSLTs take quadratic time in elements the XSD does not declare (8,000 took
    6 s, 260,000 hours): past 1,000 the Schematron layers are skipped, and the report says so."""
    import time

    data = CII.read_bytes()
    tag = b"<rsm:ExchangedDocument>"
    path = tmp_path / "unknown.xml"
    path.write_bytes(data.replace(tag, tag + b"<x/>" * 200_000, 1))
    started = time.monotonic()
    result = run(runner, "validate", "--json", str(path))
    assert time.monotonic() - started < 20
    assert result.exit_code == 1
    rules = {f["rule_id"] for f in json.loads(result.stdout)["files"][0]["findings"]}
    assert {"XSD", "FPCLI-SCH-SKIPPED"} <= rules
