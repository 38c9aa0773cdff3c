"""fpcli's verdicts against the corpus: MANIFEST.csv expected outcomes and every CEN per-rule assertion.

MANIFEST verdicts are EN 16931 / Factur-X verdicts, so BR-FR is off here (it is tested on its own); rows whose
profile is PDF/A are PDF/A test files, checked with `pdfa_only`. Disagreements are printed with file and rules.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from lxml import etree

from fpcli.cii.profile import Profile
from fpcli.validation import rulesets
from fpcli.validation.checks import ValidateOptions, validate_bytes
from fpcli.validation.saxon import findings_from_svrl, run_svrl

# Known disagreements, each with its reason. Anything else failing is a regression.
KNOWN = {
    "pdf/mustang__invalidXRechnung.pdf": "invalid only under XRechnung's own CIUS rules, which fpcli does not ship "
    "(it validates non-Factur-X CII with CEN's generic EN 16931 rules: see validation/checks.py)",
}
VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"
PDFA2B = "pdfa2b/"
# veraPDF's PDF/A-2b suite: fpcli's PDF/A checks cover part of veraPDF's rules. This floor is the agreement
# measured last; it may only rise. Every disagreement is a file veraPDF fails and fpcli passes (fpcli fails
# no file veraPDF passes), and its clause must be one of these, each with the reason fpcli misses it.
PDFA2B_FLOOR = 763
PDFA2B_GAPS = {
    "6-1-6": "hexadecimal strings inside content streams (those outside streams are checked)",
    "6-1-9": "`endobj` not on its own line is a warning: corpus Factur-X producers write it so",
    "6-1-13": "CID values above 65535 inside an embedded CMap stream (t08/t10)",
    "6-2-4-3": "Default colour spaces of the page applied inside a pattern that has its own resources (t02-h)",
    "6-2-11-4-1": "glyphs missing from a CIDFontType2 program reached through a CIDToGIDMap stream",
    "6-2-11-4-2": "CharSet and CIDSet completeness",
    "6-2-11-8": ".notdef through a TrueType cmap fpcli resolves to another glyph",
}


def manifest(shared: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((shared / "corpus" / "MANIFEST.csv").open(encoding="utf-8")))


@pytest.mark.slow
def test_manifest_verdicts_agree(shared: Path) -> None:
    rows = [
        r
        for r in manifest(shared)
        if r["expected"] in ("valid", "invalid") and not r["file"].startswith(PDFA2B)
    ]
    disagreements = []
    for r in rows:
        options = ValidateOptions(fr=False, pdfa_only=r["profile"].startswith("PDF/A"))
        report = validate_bytes((shared / "corpus" / r["file"]).read_bytes(), r["file"], options)
        if report.valid != (r["expected"] == "valid"):
            rules = sorted({f.rule_id for f in report.errors})
            disagreements.append(
                f"{r['file']}: expected {r['expected']} ({r['expected_rules']}), got {report.status} {rules}"
            )
    for line in disagreements:
        print("DISAGREES", line)
    agreement = 1 - len(disagreements) / len(rows)
    print(f"MANIFEST agreement: {len(rows) - len(disagreements)}/{len(rows)} = {agreement:.1%}")
    assert agreement >= 0.99
    assert {d.split(":")[0] for d in disagreements} <= set(KNOWN), disagreements


@pytest.mark.slow
def test_pdfa2b_agreement_never_drops(shared: Path) -> None:
    rows = [r for r in manifest(shared) if r["file"].startswith(PDFA2B)]
    agree = 0
    unexplained = []
    for r in rows:
        report = validate_bytes(
            (shared / "corpus" / r["file"]).read_bytes(), r["file"], ValidateOptions(fr=False, pdfa_only=True)
        )
        if report.valid == (r["expected"] == "valid"):
            agree += 1
            continue
        print(f"PDFA2B-DISAGREES {r['file']}: expected {r['expected']}, got {report.status}")
        if report.valid is False or r["expected_rules"] not in PDFA2B_GAPS:
            unexplained.append(f"{r['file']}: expected {r['expected']}, got {report.status}")
    print(f"veraPDF PDF/A-2b agreement: {agree}/{len(rows)}")
    assert len(rows) == 774
    assert agree >= PDFA2B_FLOOR
    assert unexplained == []


@pytest.mark.slow
def test_expected_rules_are_found_on_invalid_cii(shared: Path) -> None:
    """Where MANIFEST names the failing business rules of an invalid CII, fpcli reports those rules."""
    missing = []
    for r in manifest(shared):
        if (
            r["kind"] != "cii"
            or r["expected"] != "invalid"
            or not r["expected_rules"].startswith(("BR-", "CII-"))
        ):
            continue
        report = validate_bytes(
            (shared / "corpus" / r["file"]).read_bytes(), r["file"], ValidateOptions(fr=False)
        )
        found = {f.rule_id for f in report.errors}
        defined = set().union(*(rulesets.rule_ids(rs.id) for rs in report.rule_sets))
        wanted = {x.strip() for x in r["expected_rules"].replace(";", " ").split() if x.strip()} & defined
        if not wanted:
            print(
                f"NOT-IN-RULE-SET {r['file']}: {r['expected_rules']} not defined by {[rs.id for rs in report.rule_sets]}"
            )
            continue
        if not wanted & found:
            missing.append(f"{r['file']}: expected {sorted(wanted)}, found {sorted(found)}")
    assert missing == []


def test_unknown_outcomes_are_reported_not_asserted(shared: Path) -> None:
    rows = [r for r in manifest(shared) if r["expected"] not in ("valid", "invalid", "mixed")]
    for r in rows:
        report = validate_bytes(
            (shared / "corpus" / r["file"]).read_bytes(), r["file"], ValidateOptions(fr=False)
        )
        print(
            f"UNKNOWN-OUTCOME {r['file']}: fpcli says {report.status} {sorted({f.rule_id for f in report.errors})}"
        )
    assert rows, "the corpus has files of unknown outcome; this test reports them"


def _documents(path: Path) -> list[bytes]:
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    docs = []
    for test in root.iter(f"{VEFA}test"):
        doc = next(c for c in test if isinstance(c.tag, str) and c.tag != f"{VEFA}assert")
        docs.append(etree.tostring(doc))
    return docs


@pytest.mark.slow
def test_every_cen_per_rule_assertion(shared: Path) -> None:
    rows = list(csv.DictReader((shared / "corpus" / "cen-tests" / "EXPECTATIONS.csv").open(encoding="utf-8")))
    cache: dict[str, list[bytes]] = {}
    disagreements = []
    for r in rows:
        docs = cache.setdefault(r["file"], _documents(shared / "corpus" / r["file"]))
        doc = docs[int(r["test_index"]) - 1]
        rs = (
            rulesets.ALL["sch-ubl-en16931"]
            if "UBL" in r["file"]
            else rulesets.schematron_for(Profile.EN16931)
        )
        hits = [
            f
            for f in findings_from_svrl(run_svrl(rs.path, doc), None, layer="schematron", rule_set=rs.id)
            if f.rule_id == r["rule"]
        ]
        severities = {f.severity for f in hits}
        got = "error" if "error" in severities else "warning" if "warning" in severities else "success"
        if got != r["expectation"]:
            disagreements.append(
                f"{r['file']} test {r['test_index']} {r['rule']}: expected {r['expectation']}, got {got}"
            )
    print(f"CEN per-rule assertions: {len(rows) - len(disagreements)}/{len(rows)} agree")
    assert disagreements == []
