"""Business terms (BT/BG ids) -> the input's field paths, read from the model's own field descriptions, so
that a finding of the official rules ("BR-FR-12/BT-49 …") can name the field the user writes
(`buyer.electronic_address`)."""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel

from fpcli.model.invoice import Invoice
from fpcli.model.load import model_of

_TERM = re.compile(r"\bB([TG])-(\d+)(?:-\d+)?")
# Party fields describe the seller's and the buyer's term together ("BT-34 / BT-49"): keep each side's.
_SIDES = {"seller": range(27, 44), "buyer": range(44, 59)}


def _walk(model: type[BaseModel], path: str, out: dict[str, list[str]], depth: int) -> None:
    if depth > 4:
        return
    for name, info in model.model_fields.items():
        if not path and name == "invoicee":  # a Party like the buyer: BT-44… name the buyer, not it
            continue
        here = f"{path}.{name}" if path else name
        side = _SIDES.get(path.split(".", maxsplit=1)[0].split("[", maxsplit=1)[0])
        for kind, number, *_ in _TERM.findall(info.description or ""):
            if kind == "T" and side is not None and int(number) not in side:
                continue
            out.setdefault(f"B{kind}-{number}", []).append(here)
        inner = model_of(info.annotation)
        if inner is not None:
            is_list = "list[" in str(info.annotation)
            _walk(inner, here + ("[]" if is_list else ""), out, depth + 1)


@cache
def index() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    _walk(Invoice, "", out, 0)
    return out


def fields_named_in(message: str) -> list[tuple[str, str]]:
    """(term, input field path) for each BT/BG id the message names that the input model carries."""
    seen: list[tuple[str, str]] = []
    for kind, number in {(m.group(1), m.group(2)) for m in _TERM.finditer(message)}:
        term = f"B{kind}-{number}"
        for path in index().get(term, [])[:2]:
            seen.append((term, path))
    return sorted(seen)
