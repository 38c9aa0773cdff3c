"""French mandatory mentions for every input: PMT/PMD/AAB notes (input > profile > defaults), a delivery date
or period, and never an empty delivery element (PEPPOL-EN16931-R008)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from fpcli.cii.namespaces import RAM
from tests.cli.helpers import run
from tests.conftest import EXAMPLES

NS = {"ram": RAM}
SERVICES = (EXAMPLES / "invoice-services.yaml").read_text()


def _without_notes(text: str) -> str:
    return text[: text.index("notes:")] + text[text.index("seller:") :]


def _notes(xml: Path) -> dict[str, str]:
    tree = etree.parse(str(xml))
    return {
        n.findtext("ram:SubjectCode", namespaces=NS): n.findtext("ram:Content", namespaces=NS)
        for n in tree.xpath("//ram:IncludedNote", namespaces=NS)
    }


def test_missing_notes_get_the_defaults_and_the_file_is_valid(runner, tmp_path: Path) -> None:
    src = tmp_path / "in.yaml"
    src.write_text(_without_notes(SERVICES).replace("delivery: { date: 2026-11-30 }", ""))
    out = tmp_path / "out.xml"
    result = run(runner, "generate", str(src), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr  # no PEPPOL-EN16931-R008: the delivery element is not empty
    notes = _notes(out)
    assert set(notes) == {"PMT", "PMD", "AAB"} and "40 €" in notes["PMT"]
    # only the period was given: its end is the date the service was completed (BT-72)
    tree = etree.parse(str(out))
    assert (
        tree.xpath(
            "string(//ram:ActualDeliverySupplyChainEvent//*[local-name()='DateTimeString'])", namespaces=NS
        )
        == "20261130"
    )


def test_input_and_profile_notes_win_over_the_defaults(runner, tmp_path: Path) -> None:
    from fpcli.profiles.config import config_path

    cfg = config_path()
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(
        'default = "atelier"\n[profiles.atelier.invoice_notes]\n'
        'PMD = "Pénalités de retard : 10 % l\'an"\nAAB = "Escompte de 2 % pour paiement sous 8 jours"\n'
    )
    src = tmp_path / "in.yaml"
    text = _without_notes(SERVICES).replace(
        "seller:", 'notes:\n  - { subject: AAB, text: "Pas d\'escompte" }\nseller:', 1
    )
    src.write_text(text)
    out = tmp_path / "out.xml"
    result = run(runner, "generate", str(src), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert _notes(out) == {
        "AAB": "Pas d'escompte",  # the input's own
        "PMD": "Pénalités de retard : 10 % l'an",  # the profile's
        "PMT": "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €",
    }


def test_no_delivery_date_nor_period_states_the_issue_date(runner, tmp_path: Path) -> None:
    src = tmp_path / "in.yaml"
    src.write_text(
        SERVICES.replace("delivery: { date: 2026-11-30 }", "").replace(
            "period: { start: 2026-11-01, end: 2026-11-30 }", ""
        )
    )
    out = tmp_path / "out.xml"
    result = run(runner, "generate", str(src), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
    tree = etree.parse(str(out))
    when = "string(//ram:ActualDeliverySupplyChainEvent//*[local-name()='DateTimeString'])"
    assert tree.xpath(when, namespaces=NS) == "20261120"  # the issue date


def test_bundled_examples_draw_no_warning(runner, tmp_path: Path) -> None:
    for example in sorted(EXAMPLES.glob("*.*")):
        out = tmp_path / (example.stem + ".pdf")
        result = run(runner, "generate", str(example), "-o", str(out))
        assert result.exit_code == 0, result.stderr
        assert "warning" not in result.stderr, result.stderr
