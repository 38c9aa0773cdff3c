"""The rendered page an accountant reads: every mandatory mention printed, read back with poppler's
pdftotext, and each page rendered to PNG with pdftoppm (Debian poppler-utils, installed by .ci/run)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.helpers import run
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) not installed; .ci/run installs it",
)


def text_of(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout


def pages_as_png(pdf: Path, tmp_path: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    return pngs


def generate(runner, src: Path | str, out: Path) -> str:
    result = run(runner, "generate", str(src), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return text_of(out)


def test_invoice_prints_every_french_mention(runner, tmp_path: Path) -> None:
    text = generate(runner, EXAMPLES / "invoice-services.yaml", tmp_path / "inv.pdf")
    for mention in (
        "FACTURE FA-2026-0042",
        "Date : 20/11/2026",
        "Échéance : 20/12/2026",
        "SIREN 123 456 782",  # the SIREN as such, not only inside the SIRET
        "N° TVA FR11123456782",
        "Contact : Claire Martin",
        "Période : du 01/11/2026 au 30/11/2026",
        "Date de livraison / d'exécution : 30/11/2026",
        "3,5 jours",  # French unit names, not DAY / HUR
        "2 heures",
        "Remise : Remise fidélité (TVA 20 %)",
        "TVA 20 % : base",
        "Exonéré de TVA : base 90,00 EUR, TVA 0,00 EUR — Exonération de TVA, article 261-4-4° du CGI",
        "Net à payer",
        "Indemnité forfaitaire pour frais de recouvrement",
        "Pénalités de retard",
        "escompte",
        "SAS au capital de 10 000 €",
    ):
        assert mention in text, mention
    assert "DAY" not in text and "hors champ" not in text
    assert len(pages_as_png(tmp_path / "inv.pdf", tmp_path)) == 1


def test_credit_note_is_titled_and_totalled_as_one(runner, tmp_path: Path) -> None:
    text = generate(runner, EXAMPLES / "creditnote.yaml", tmp_path / "cn.pdf")
    assert "AVOIR AV-2026-0007" in text and "Facture d'origine : FA-2026-0042" in text
    assert "Montant à rembourser" in text and "Net à payer" not in text
    assert "Date de livraison / d'exécution : 24/11/2026" in text  # no date given: the issue date


def test_long_invoice_numbers_its_pages(runner, tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "invoice-goods.json").read_text())
    data["lines"] = [
        {"name": f"Article {i}", "quantity": "1", "unit": "H87", "unit_price": "1.00", "vat_rate": "20"}
        for i in range(90)
    ]
    src = tmp_path / "long.json"
    src.write_text(json.dumps(data))
    out = tmp_path / "long.pdf"
    text = generate(runner, src, out)
    pngs = pages_as_png(out, tmp_path)
    assert len(pngs) >= 2
    for n in range(1, len(pngs) + 1):
        assert f"page {n} / {len(pngs)}" in text
    assert "Article 89" in text and "1 pièce" in text


def test_every_font_of_the_rendered_page_is_embedded(runner, tmp_path: Path) -> None:
    """pdffonts (poppler) lists each font the pages reference: all embedded, no stray Helvetica from
    reportlab's default initial font."""
    out = tmp_path / "inv.pdf"
    generate(runner, EXAMPLES / "invoice-services.yaml", out)
    rows = subprocess.run(["pdffonts", str(out)], capture_output=True, check=True, text=True).stdout
    fonts = rows.splitlines()[2:]
    assert fonts, rows
    assert all(line.split()[-5] == "yes" for line in fonts), rows  # the "emb" column
    assert "Helvetica" not in rows


def test_multi_vendor_page_shows_each_sellers_part(runner, tmp_path: Path) -> None:
    out = tmp_path / "mv.pdf"
    source = EXAMPLES / "extended" / "invoice-multi-vendor.yaml"
    result = run(runner, "generate", "-p", "extended", str(source), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = " ".join(text_of(out).split())
    for mention in (
        "Pour compte propre 1 000,00 EUR",
        "Vendeur : Le Vendeur SARL – SIREN 100000009 – sous-facture F2026-0004",
        "Pour compte de tiers 4 500,00 EUR",
        "Vendeur : Vendeur XXX – SIREN 111111118 – sous-facture 111111118_F2026-0004",
        "Déplacement 3 jours 1 000,00 10 % 3 000,00 EUR",
        "Total HT 5 500,00 EUR",
    ):
        assert mention in text, mention
    assert text.index("Vendeur XXX – SIREN") < text.index("Déplacement")  # the group heads its lines
    # the VAT breakdown's `#sub-invoice#` marker (BR-FR-MV-09) is for machines: the page says it in words
    assert "TVA 10 % : base 4 500,00 EUR, TVA 450,00 EUR — sous-facture 111111118_F2026-0004" in text
    assert "#" not in text
