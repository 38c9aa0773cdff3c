"""Golden pages: the whole HTML of a few documents, one per kind, compared byte for byte.

Regenerate after an intended change with `REGEN_GOLDEN=1 pytest tests/view/test_golden.py`, then read
the diff: it is the change a user will see.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fpcli import __version__
from fpcli.view.load import load
from fpcli.view.render import render_html
from tests.conftest import SHARED

GOLDEN = Path(__file__).parent / "golden"
CASES = {
    # (file under ../shared, language, validate?)
    "ubl-max-content.fr.html": ("corpus/ubl/cen-testfiles__Invoice-Max_content.xml", "fr", False),
    "cii-einfach.en.html": ("corpus/cii/zfcorpus-xr__EN16931_Einfach.cii.xml", "en", False),
    "cdar-207.fr.html": ("reference/fr/cdar/samples/UC4_F202500006_04-CDV-207_En_litige.xml", "fr", True),
    "ereport.fr.html": (
        "reference/fr/e-reporting/samples/FFE1025A_PPF262_PPF2621025000000000000290.xml",
        "fr",
        False,
    ),
}


@pytest.mark.parametrize("golden", sorted(CASES))
def test_golden_page(golden: str, monkeypatch: pytest.MonkeyPatch) -> None:
    relative, lang, check = CASES[golden]
    monkeypatch.chdir(SHARED)  # the page names the file as given: keep it the same on every machine
    html = render_html([load(relative, check=check)], lang).html.replace(__version__, "VERSION")
    path = GOLDEN / golden
    if os.environ.get("REGEN_GOLDEN"):
        path.write_text(html, encoding="utf-8")
    assert html == path.read_text(encoding="utf-8")
