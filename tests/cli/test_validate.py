"""`fpcli validate` through the CLI: exit codes 0/1/3, formats, batches, hostile files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from tests.cli.helpers import run
from tests.conftest import EXAMPLES

SERVICES = str(EXAMPLES / "invoice-services.yaml")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from typer.testing import CliRunner

    d = tmp_path_factory.mktemp("gen")
    r = CliRunner()
    out = {"pdf": d / "inv.pdf", "xml": d / "inv.xml"}
    assert run(r, "generate", SERVICES, "-o", str(out["pdf"])).exit_code == 0
    assert run(r, "generate", SERVICES, "-t", "xml", "-o", str(out["xml"])).exit_code == 0
    bad = d / "bad.xml"
    bad.write_bytes(out["xml"].read_bytes().replace(b"<ram:DuePayableAmount>", b"<ram:DuePayableAmount>9"))
    out["bad"] = bad
    return out


def test_valid_pdf_exit_0(runner, generated) -> None:
    result = run(runner, "validate", str(generated["pdf"]))
    assert result.exit_code == 0
    assert result.stderr == ""  # the report is the result: stdout, so `> report.txt` keeps it
    assert result.stdout.startswith(f"VALID      {generated['pdf']}  (PDF CII en16931; 0 error(s)")


def test_invalid_xml_exit_1_names_rule_and_line(runner, generated) -> None:
    result = run(runner, "validate", str(generated["bad"]))
    assert result.exit_code == 1
    assert "INVALID" in result.stdout
    assert "error   BR-CO-16 line " in result.stdout


def test_json_report_shape(runner, generated) -> None:
    result = run(runner, "validate", str(generated["bad"]), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["schema_version"] == 1 and report["command"] == "validate"
    assert report["summary"] == {"valid": 0, "invalid": 1, "unreadable": 0}
    f = report["files"][0]
    assert set(f) == {
        "source",
        "status",
        "valid",
        "container",
        "syntax",
        "attachment",
        "guideline_id",
        "profile",
        "layers",
        "rule_sets",
        "counts",
        "findings",
    }
    assert f["layers"] == ["wellformed", "xsd", "schematron", "br-fr"]
    assert {r["id"] for r in f["rule_sets"]} == {"xsd-en16931", "sch-en16931", "br-fr-cii"}
    assert all(r["version"] for r in f["rule_sets"])
    finding = next(x for x in f["findings"] if x["rule_id"] == "BR-CO-16")
    assert set(finding) == {
        "rule_id",
        "official_id",
        "severity",
        "message",
        "location",
        "line",
        "layer",
        "rule_set",
    }
    assert finding["official_id"] is None  # the EN16931 rule set publishes it as BR-CO-16 itself


def test_official_id_beside_business_rule_id(runner, tmp_path) -> None:
    # The Factur-X BASIC rule set publishes BR-CO-16 as FX-SCH-A-000122: both are reported
    basic = tmp_path / "basic.xml"
    assert run(runner, "generate", SERVICES, "-t", "xml", "-p", "basic", "-o", str(basic)).exit_code == 0
    basic.write_bytes(basic.read_bytes().replace(b"<ram:DuePayableAmount>", b"<ram:DuePayableAmount>9"))
    result = run(runner, "validate", str(basic), "--no-fr", "--json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["files"][0]["findings"]
    assert [(f["rule_id"], f["official_id"]) for f in findings if f["severity"] == "error"] == [
        ("BR-CO-16", "FX-SCH-A-000122")
    ]
    text = run(runner, "validate", str(basic), "--no-fr")
    assert "error   BR-CO-16 (FX-SCH-A-000122) line " in text.stdout + text.stderr


def test_junit(runner, generated) -> None:
    result = run(runner, "validate", str(generated["pdf"]), str(generated["bad"]), "--format", "junit")
    assert result.exit_code == 1
    suites = etree.fromstring(result.stdout_bytes)
    suite = suites.find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    assert [c.get("name") for c in suite.iter("testcase")] == [str(generated["pdf"]), str(generated["bad"])]
    assert "BR-CO-16" in suite.find("testcase/failure").text


def test_svrl(runner, generated) -> None:
    result = run(runner, "validate", str(generated["xml"]), "--format", "svrl")
    assert result.exit_code == 0
    doc = etree.fromstring(result.stdout_bytes)
    svrl = doc.findall(".//{http://purl.oclc.org/dsdl/svrl}schematron-output")
    assert len(svrl) == 2  # Factur-X EN16931 and BR-FR


def test_unreadable_exit_3(runner, tmp_path: Path) -> None:
    xxe = tmp_path / "xxe.xml"
    xxe.write_text('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')
    truncated = tmp_path / "t.pdf"
    truncated.write_bytes(b"%PDF-1.7\n1 0 obj\n<<")
    result = run(runner, "validate", str(xxe), str(truncated), "nope.xml")
    assert result.exit_code == 3
    assert result.stdout.count("UNREADABLE") == 3 and "3 unreadable" in result.stderr
    assert "root:" not in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_pdf_attachment_not_xml(runner, tmp_path: Path) -> None:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.attachments["factur-x.xml"] = pikepdf.AttachedFileSpec(pdf, b"\x89PNG not xml", mime_type="text/xml")
    path = tmp_path / "a.pdf"
    pdf.save(path)
    result = run(runner, "validate", str(path), "--json")
    assert result.exit_code in (1, 3)
    report = json.loads(result.stdout)["files"][0]
    assert report["status"] in ("invalid", "unreadable")
    assert any("well-formed" in f["message"] for f in report["findings"])


def test_huge_xml_refused_with_bounded_memory(runner, tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    with big.open("wb") as fh:  # 200 MB, written in chunks: the file, not the test, is big
        fh.write(b"<a>")
        chunk = b"<b>x</b>" * 131072
        for _ in range(200):
            fh.write(chunk)
        fh.write(b"</a>")
    result = run(runner, "validate", str(big))
    assert result.exit_code == 3
    assert "larger than the 100 MiB limit" in result.stdout


@pytest.mark.slow
def test_batch_two_jobs_same_as_one(runner, generated, tmp_path: Path) -> None:
    one = run(runner, "validate", str(generated["pdf"].parent), "--json")
    two = run(runner, "validate", str(generated["pdf"].parent), "--json", "-j", "2")
    assert one.exit_code == two.exit_code == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)


def test_rules_listing(runner) -> None:
    result = run(runner, "validate", "--rules", "--json")
    assert result.exit_code == 0
    sets = {r["id"]: r for r in json.loads(result.stdout)["rule_sets"]}
    assert sets["sch-en16931"]["rules"] > 300 and sets["br-fr-cii"]["rules"] > 100
    assert sets["sch-en16931"]["version"].startswith("Factur-X 1.09")


def test_no_fr(runner, generated) -> None:
    result = run(runner, "validate", str(generated["xml"]), "--no-fr", "--json")
    assert json.loads(result.stdout)["files"][0]["layers"] == ["wellformed", "xsd", "schematron"]


def test_bad_format(runner, generated) -> None:
    result = run(runner, "validate", str(generated["xml"]), "--format", "html")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown format `html`")


def test_jobs_auto_is_the_available_cores(runner, generated, monkeypatch: pytest.MonkeyPatch) -> None:
    from fpcli.cli import options
    from fpcli.validation import batch

    seen: list[int] = []
    real = batch.validate_many

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(int(kwargs["jobs"]))  # type: ignore[call-overload]
        return real(*args, **{**kwargs, "jobs": 1})  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "validate_many", spy)
    monkeypatch.setattr(options, "available_cores", lambda: 3)
    result = run(runner, "validate", str(generated["xml"]), "--jobs", "auto", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["valid"] == 1
    assert seen == [3]


@pytest.mark.parametrize(
    ("value", "message"), [("0", "0 is not in the range 1-64"), ("x", "'x' is not a number of workers")]
)
def test_jobs_bad_value_is_a_usage_error(runner, generated, value: str, message: str) -> None:
    result = run(runner, "validate", str(generated["xml"]), "--jobs", value)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


@pytest.mark.slow
def test_batch_of_many_profiles_same_report_with_routed_workers(runner, shared: Path, tmp_path: Path) -> None:
    """Files routed to workers by profile (each worker compiles fewer rule sets): the same report, in the
    same order, as one process gives."""
    import csv
    import shutil

    rows = list(csv.DictReader((shared / "corpus" / "MANIFEST.csv").open(encoding="utf-8")))
    per_profile: dict[str, list[str]] = {}
    for r in rows:
        if r["kind"] == "cii":
            per_profile.setdefault(r["profile"], []).append(r["file"])
    picked = [f for files in per_profile.values() for f in files[:3]]
    assert len(per_profile) >= 6
    for i, name in enumerate(picked * 2):  # interleaved profiles, as a sorted directory has them
        shutil.copy(shared / "corpus" / name, tmp_path / f"{i % len(picked):03d}-{i:03d}.xml")
    one = run(runner, "validate", str(tmp_path), "--json")
    two = run(runner, "validate", str(tmp_path), "--json", "-j", "2")
    assert one.exit_code == two.exit_code and one.exit_code in (1, 3)
    assert one.stdout == two.stdout
    assert len(json.loads(two.stdout)["files"]) == 2 * len(picked)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_streamed_reports_are_the_batch_document(runner, generated, jobs: str) -> None:
    """Without a progress bar, reports are written as they come (the batch keeps only counts): the same JSON
    document and the same text as the whole batch rendered at the end."""
    from fpcli.validation.batch import validate_many
    from fpcli.validation.checks import ValidateOptions

    inputs = [str(generated[k]) for k in ("bad", "pdf", "xml", "bad")]
    kept = validate_many(inputs, ValidateOptions(keep_svrl=False))
    assert len(kept.reports) == 4 and kept.summary() == {"valid": 2, "invalid": 2, "unreadable": 0}
    streamed = validate_many(inputs, ValidateOptions(keep_svrl=False), keep=False)
    assert streamed.reports == [] and streamed.summary() == kept.summary()
    expected = json.dumps(kept.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n"
    result = run(runner, "validate", *inputs, "--json", "-j", jobs)
    assert result.exit_code == 1
    assert result.stdout == expected
    assert [line.split()[0] for line in result.stderr.splitlines()] == ["INVALID", "VALID", "VALID", "INVALID"]
    text = run(runner, "validate", *inputs, "-j", jobs)
    assert text.exit_code == 1
    assert [line.split()[0] for line in text.stdout.splitlines() if not line.startswith(" ")] == [
        "INVALID",
        "VALID",
        "VALID",
        "INVALID",
    ]
    assert text.stderr == "4 file(s): 2 valid, 2 invalid, 0 unreadable\n"
