"""`fpcli cdar` through the CLI: exit codes, stdout (data) and stderr (messages) apart."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import run
from tests.lifecycle.conftest import SAMPLES, invoice_bytes


def _invoice(tmp_path: Path) -> Path:
    path = tmp_path / "inv.xml"
    path.write_bytes(invoice_bytes())
    return path


def test_refuse_then_read_and_validate(runner, tmp_path: Path) -> None:
    inv, out = _invoice(tmp_path), tmp_path / "refus.xml"
    result = run(runner, "cdar", "refuse", "-i", str(inv), "--reason", "DOUBLON", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and "status 210 (Refusée)" in result.stderr and "SE, DFH" in result.stderr
    read = run(runner, "cdar", "read", str(out), "--json")
    assert read.exit_code == 0
    summary = json.loads(read.stdout)["summary"]
    assert summary["references"][0]["details"][0]["reason"] == "DOUBLON"
    assert summary["references"][0]["to_tax_administration"] is True
    checked = run(runner, "cdar", "validate", str(out), "--json")
    assert checked.exit_code == 0
    assert json.loads(checked.stdout)["files"][0]["status"] == "valid"


def test_paid_to_stdout(runner, tmp_path: Path) -> None:
    result = run(runner, "cdar", "paid", "-i", str(_invoice(tmp_path)), "--amount", "20=100.00", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert "<ram:ProcessConditionCode>212</ram:ProcessConditionCode>" in result.stdout
    assert '<ram:ValueAmount currencyID="EUR">100.00</ram:ValueAmount>' in result.stdout


def test_create_any_status_json(runner, tmp_path: Path) -> None:
    out = tmp_path / "m.xml"
    result = run(
        runner, "cdar", "create", "-s", "204", "-i", str(_invoice(tmp_path)), "-o", str(out), "--json"
    )
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert (
        payload["schema_version"] == 1
        and payload["status"]["code"] == "204"
        and payload["recipients"] == ["SE"]
    )


def test_missing_reason_is_a_usage_error_without_output(runner, tmp_path: Path) -> None:
    out = tmp_path / "m.xml"
    result = run(runner, "cdar", "create", "-s", "210", "-i", str(_invoice(tmp_path)), "-o", str(out))
    assert result.exit_code == 2
    assert result.stdout == "" and "needs a reason" in result.stderr
    assert not out.exists()


def test_unknown_status_exit_2(runner, tmp_path: Path) -> None:
    out = tmp_path / "m.xml"
    result = run(runner, "cdar", "create", "-s", "299", "-i", str(_invoice(tmp_path)), "-o", str(out))
    assert result.exit_code == 2 and "unknown lifecycle status `299`" in result.stderr
    assert not out.exists()


def test_amount_over_the_invoice_exit_3(runner, tmp_path: Path) -> None:
    out = tmp_path / "m.xml"
    result = run(
        runner, "cdar", "paid", "-i", str(_invoice(tmp_path)), "--amount", "20=99999", "-o", str(out)
    )
    assert result.exit_code == 3
    assert "inv.xml: BG-23: amounts cashed at 20 % add up to 99999.00" in result.stderr
    assert not out.exists()


def test_no_overwrite_without_force(runner, tmp_path: Path) -> None:
    out = tmp_path / "m.xml"
    out.write_text("keep")
    result = run(runner, "cdar", "create", "-s", "205", "-i", str(_invoice(tmp_path)), "-o", str(out))
    assert result.exit_code == 2 and out.read_text() == "keep"


def test_validate_invalid_sample_exit_1(runner) -> None:
    sample = next(p for p in SAMPLES if p.name.endswith("212_Encaissee.xml"))
    result = run(runner, "cdar", "validate", str(sample))
    assert result.exit_code == 1
    assert result.stderr == "" and "BR-FR-CDV-16_MDT-124-2" in result.stdout


def test_read_not_xml_exit_3(runner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<a>")
    result = run(runner, "cdar", "read", str(bad))
    assert result.exit_code == 3 and "bad.xml: line" in result.stderr


def test_statuses(runner) -> None:
    text = run(runner, "cdar", "statuses")
    assert text.exit_code == 0 and text.stderr == ""
    grep = [line for line in text.stdout.splitlines() if "210" in line]  # `fpcli cdar statuses | grep 210`
    assert grep and grep[0].startswith("210   Refusée")
    data = json.loads(run(runner, "cdar", "statuses", "--json").stdout)
    to_ppf = [s["code"] for s in data["statuses"] if s["to_tax_administration"]]
    assert to_ppf == ["200", "210", "212", "213"]


def test_rejection_needs_where_it_was_rejected(runner, tmp_path: Path) -> None:
    inv, out = _invoice(tmp_path), tmp_path / "rej.xml"
    base = ["cdar", "create", "-s", "213", "--reason", "DOUBLON", "-i", str(inv), "-o", str(out)]
    missing = run(runner, *base)
    assert missing.exit_code == 2 and missing.stdout == "" and not out.exists()
    assert "say where it was rejected" in missing.stderr and "--rejected-at" in missing.stderr
    wrong = run(runner, *base[:-2], "--rejected-at", "reception", "-o", str(tmp_path / "x.xml"), "-s", "204")
    assert wrong.exit_code == 2 and "applies to status 213, not to 204" in wrong.stderr
    done = run(runner, *base, "--rejected-at", "reception", "--received", "2025-07-01T16:10:00", "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["recipients"] == ["SE", "BY", "DFH"]
    xml = out.read_text()
    assert "<ram:StatusCode>8</ram:StatusCode>" in xml and "20250701161000</udt:DateTimeString>" in xml
    assert "<ram:ReferenceTypeCode>urn.cpro.gouv.fr:1p0:CDV:einvoicingF2</ram:ReferenceTypeCode>" in xml


def test_new_statuses_read_back_with_their_names(runner, tmp_path: Path) -> None:
    inv = _invoice(tmp_path)
    for code, name in (("220", "Annulée"), ("221", "Erreur de routage"), ("225", "Affacturée")):
        out = tmp_path / f"{code}.xml"
        extra = ["--reason", "ROUTAGE_ERR"] if code == "221" else []
        made = run(runner, "cdar", "create", "-s", code, *extra, "-i", str(inv), "-o", str(out))
        assert made.exit_code == 0, made.stderr
        read = run(runner, "cdar", "read", str(out))
        assert read.exit_code == 0 and f"status {code} {name}" in read.stdout
    bad = run(runner, "cdar", "create", "-s", "221", "--reason", "DOUBLON", "-i", str(inv), "-o", "-")
    assert bad.exit_code == 2 and "not allowed for status 221" in bad.stderr and bad.stdout == ""


def test_refusal_note(runner, tmp_path: Path) -> None:
    inv = str(_invoice(tmp_path))
    base = ["cdar", "refuse", "-i", inv, "--reason", "DOUBLON", "-o", "-"]
    alone = run(runner, *base, "--note-subject", "AHN")
    assert alone.exit_code == 2 and alone.stdout == "" and "give the note with `--note TEXT`" in alone.stderr
    noted = run(
        runner, *base, "--note", "Facture identique reçue sur une autre adresse", "--note-subject", "AHN"
    )
    assert noted.exit_code == 0, noted.stderr
    assert "<ram:Content>Facture identique reçue sur une autre adresse</ram:Content>" in noted.stdout
    assert "<ram:SubjectCode>AHN</ram:SubjectCode>" in noted.stdout
    out = tmp_path / "noted.xml"
    out.write_text(noted.stdout)
    read = run(runner, "cdar", "read", str(out))
    assert read.exit_code == 0 and "note: Facture identique reçue sur une autre adresse" in read.stdout


def test_action_text_needs_the_action(runner, tmp_path: Path) -> None:
    inv = str(_invoice(tmp_path))
    base = ["cdar", "create", "-s", "207", "--reason", "TX_TVA_ERR", "-i", inv, "-o", "-"]
    alone = run(runner, *base, "--action-text", "Créer une Facture Rectificative")
    assert alone.exit_code == 2 and alone.stdout == "" and "give its code with `--action`" in alone.stderr
    both = run(runner, *base, "--action", "NIN", "--action-text", "Créer une Facture Rectificative")
    assert both.exit_code == 0, both.stderr
    assert "<ram:RequestedAction>Créer une Facture Rectificative</ram:RequestedAction>" in both.stdout
