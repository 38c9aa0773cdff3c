"""A real browser loads the page offline: headless Chromium (Debian `chromium`) takes a screenshot, and the
screenshot is checked to show a page, not a blank or an error. CI installs Chromium (.ci/run)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from fpcli.view.load import load
from fpcli.view.pdf import chromium_args, find_browser
from fpcli.view.render import render_html

BROWSER = find_browser()
needs_browser = pytest.mark.skipif(
    BROWSER is None and not os.environ.get("CI"), reason="Chromium not installed (CI installs it)"
)


def _screenshot(page: Path, png: Path, tmp: Path) -> None:
    assert BROWSER is not None, "Chromium must be installed on CI"
    args = [*chromium_args(BROWSER, str(tmp / "profile")), "--window-size=1200,1600", f"--screenshot={png}"]
    done = subprocess.run([*args, page.as_uri()], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-500:]


@needs_browser
def test_page_renders_in_chromium(services_xml: Path, tmp_path: Path) -> None:
    page = tmp_path / "view.html"
    page.write_text(render_html([load(str(services_xml))]).html, encoding="utf-8")
    png = tmp_path / "shot.png"
    _screenshot(page, png, tmp_path)
    image = Image.open(png).convert("RGB")
    assert image.size == (1200, 1600)
    colours = image.getcolors(maxcolors=1_000_000) or []
    # A blank or failed page is one or two colours; a rendered invoice has text in many anti-aliased shades
    assert len(colours) > 50
    dark = sum(count for count, (r, g, b) in colours if r + g + b < 200)
    assert dark > 2000  # text pixels


@needs_browser
def test_pdf_output_is_a_pdf_with_the_invoice_text(services_xml: Path, tmp_path: Path) -> None:
    from fpcli.view.pdf import html_to_pdf

    pdf = html_to_pdf(render_html([load(str(services_xml), check=False)]).html)
    assert pdf.startswith(b"%PDF-")
    out = tmp_path / "view.pdf"
    out.write_bytes(pdf)
    # read back by an independent tool (poppler's pdftotext, installed by .ci/run)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True).stdout.decode()
    assert "Facture (380) FA-2026-0042" in text
    assert "Atelier Numérique SAS" in text
