"""The HTML page of `fpcli view`: Jinja2 templates with autoescape on, so every value from a file is text.

The page is self-contained: CSS inline, no script, no image, no link to anything, and a
Content-Security-Policy that forbids any request should a later template forget. Values from files are never
put in attributes that load or run anything (no href, no src); a URI from an invoice is shown as text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from fpcli import __version__
from fpcli.errors import UsageError
from fpcli.model.invoice import AllowanceCharge
from fpcli.model.totals import allowance_amount
from fpcli.view import codes
from fpcli.view.labels import LABELS, LANGS
from fpcli.view.load import Viewed
from fpcli.view.locate import placed


@dataclass(frozen=True)
class Page:
    html: str
    documents: int
    unreadable: int


@cache
def _env(lang: str) -> Any:
    """One environment per language, kept: compiling the templates costs more than rendering a page."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("fpcli.view", "templates"),
        autoescape=True,  # every template, whatever its name: file content must never become markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(_filters(lang))

    def say(kind: str, code: str | None) -> str:
        """A code in words with the code beside it; the bare code when the list does not know it."""
        if code is None:
            return ""
        words = codes.word(kind, code, lang)
        return f"{words} ({code})" if words else code

    def findings_at(places: dict[Any, Any], section: str, line: int | None = None) -> list[Any]:
        return list(places.get((section, line), []))

    env.globals.update(
        t=LABELS[lang],
        say=say,
        word=codes.word,
        lang=lang,
        at=findings_at,
        val=_value,
        amount_of=_amount_of,
        version=__version__,
    )
    return env


def _number(value: Decimal, lang: str, places: int | None) -> str:
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
        text = f"{value:,.{places}f}"
    else:
        text = f"{value.normalize():,f}"
    if lang == "fr":
        return text.replace(",", "\u202f").replace(".", ",")
    return text


def _filters(lang: str) -> dict[str, Any]:
    def money(value: Decimal | None, currency: str | None = None) -> str:
        if value is None:
            return ""
        exponent = value.normalize().as_tuple().exponent
        # cents, or the decimals a unit price really has (up to the model's 6)
        places = min(6, max(2, -exponent)) if isinstance(exponent, int) else 2
        return _number(value, lang, places) + (f" {currency}" if currency else "")

    def num(value: Decimal | None) -> str:
        return "" if value is None else _number(value, lang, None)

    def day(value: dt.date | str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            value = _parse_day(value)
            if isinstance(value, str):
                return value
        return value.strftime("%d/%m/%Y") if lang == "fr" else value.isoformat()

    def size(n: int) -> str:
        return f"{_number(Decimal(n), lang, None)} {LABELS[lang]['bytes']}"

    def vat_text(text: str | None) -> str:
        """A VAT breakdown text, its multi-vendor `#number#` marker (BR-FR-MV-09) said in words."""
        from fpcli.model.groups import split_exemption_prefix

        sub_invoice, rest = split_exemption_prefix(text or "")
        if sub_invoice is None:
            return rest
        return f"{LABELS[lang]['sub_invoice']} {sub_invoice}" + (f" — {rest}" if rest else "")

    return {"money": money, "num": num, "day": day, "size": size, "vat_text": vat_text}


def _parse_day(value: str) -> dt.date | str:
    """CDAR and flux 10 dates are text (CCYYMMDD, maybe with a time); anything else is shown as written."""
    digits = value.strip()
    if len(digits) >= 8 and digits[:8].isdigit():
        try:
            return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        except ValueError:
            return value
    return value


def _amount_of(item: AllowanceCharge) -> Decimal:
    """An allowance or charge as the file states it, or as fpcli computes it from base and percentage."""
    return item.amount if item.amount is not None else allowance_amount(item)


def _value(node: Any) -> str | None:
    """A leaf of CDAR / flux 10 data (`fpcli.xmlshape`): text, or a dict with its text under "value"."""
    if isinstance(node, dict):
        node = node.get("value")
    return node if isinstance(node, str) else None


def _context(doc: Viewed, index: int, lang: str) -> dict[str, Any]:
    places = placed(doc.findings)
    return {
        "doc": doc,
        "anchor": f"doc-{index}",
        "inv": doc.invoice,
        "s": doc.summary,
        "places": places,
        "status": "unchecked" if doc.report is None else doc.report.status,
    }


def render_html(docs: list[Viewed], lang: str = "fr") -> Page:
    """One page for every document, in `lang` ("fr" or "en")."""
    if lang not in LANGS:
        raise UsageError(f"unknown language `{lang}`", hint="use `fr` or `en`")
    template = _env(lang).get_template("page.html.j2")
    html = template.render(docs=[_context(d, i + 1, lang) for i, d in enumerate(docs)])
    return Page(html=html, documents=len(docs), unreadable=sum(1 for d in docs if d.kind == "error"))
