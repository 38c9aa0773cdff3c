"""Loading invoices from JSON or YAML (same schema): one invoice or a list."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import yaml
from pydantic import ValidationError

from fpcli.errors import InputError, InvoiceDataError
from fpcli.model.invoice import Invoice

_CHECK = {"check_identifiers": True}
# Documented limits (README "Guarantees"): memory grows with lines (~15 KiB each once modelled).
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_LINES = 20_000


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors/aliases: invoices never need them and they carry 'billion laughs' bombs."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases (`*name`) are not allowed in invoice input", event.start_mark
            )
        return super().compose_node(parent, index)


def _float_as_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    # Money must never pass through binary floating point.
    return Decimal(loader.construct_scalar(node).replace("_", ""))


_NoAliasLoader.add_constructor("tag:yaml.org,2002:float", _float_as_decimal)


def parse_document(data: bytes, source: str) -> Any:
    """Parse JSON or YAML bytes (chosen by the file name, or by content for stdin)."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError.at(source, None, f"larger than the {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.at(source, f"byte {exc.start}", "not UTF-8 text") from None
    is_json = source.lower().endswith(".json") or (
        not source.lower().endswith((".yaml", ".yml")) and text.lstrip().startswith(("{", "["))
    )
    if is_json:
        try:
            return json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise InputError.at(
                source, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}"
            ) from None
        except RecursionError:
            raise InputError.at(source, None, "invalid JSON: nested too deeply") from None
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"line {mark.line + 1} column {mark.column + 1}" if mark else None
        raise InputError.at(source, place, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InputError.at(source, None, f"invalid YAML: {exc}") from None


def format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


_PATH_IN_MESSAGE = re.compile(r"^[A-Za-z_][\w\[\].]*: ")


def validation_problems(exc: ValidationError, prefix: tuple[int | str, ...] = ()) -> list[str]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        msg = err["msg"].removeprefix("Value error, ")
        if not loc and _PATH_IN_MESSAGE.match(msg):
            # model-level checks name their own field path: join it to the list index, if any
            problems.append(f"{format_loc(prefix)}.{msg}" if prefix else msg)
        else:
            problems.append(f"{format_loc(prefix + loc)}: {msg}")
    return problems


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_characters(value: Any, loc: tuple[int | str, ...] = ()) -> list[str]:
    """Problems for strings holding control characters (XML cannot carry them; terminals obey them)."""
    if isinstance(value, str):
        bad = _CONTROL.search(value)
        return [f"{format_loc(loc)}: control character U+{ord(bad.group()):04X}"] if bad else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in control_characters(v, (*loc, str(k)))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in control_characters(v, (*loc, i))]
    return []


def invoices_from_data(raw: Any, source: str, *, check_identifiers: bool = True) -> list[Invoice]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise InputError.at(source, None, "no invoice in the input")
    if bad := control_characters(raw):
        raise InvoiceDataError(source, bad[:20])
    lines = sum(
        len(i.get("lines") or []) for i in items if isinstance(i, dict) and isinstance(i.get("lines"), list)
    )
    if lines > MAX_LINES:
        raise InputError.at(
            source, None, f"{lines} invoice lines: more than the {MAX_LINES} fpcli handles at once"
        )
    invoices: list[Invoice] = []
    problems: list[str] = []
    for i, item in enumerate(items):
        prefix: tuple[int | str, ...] = (i,) if isinstance(raw, list) else ()
        if not isinstance(item, dict):
            problems.append(f"{format_loc(prefix)}: expected an invoice object, got {type(item).__name__}")
            continue
        try:
            invoices.append(Invoice.model_validate(item, context=_CHECK if check_identifiers else None))
        except ValidationError as exc:
            problems.extend(validation_problems(exc, prefix))
    if problems:
        raise InvoiceDataError(source, problems)
    return invoices


def load_invoices(data: bytes, source: str) -> list[Invoice]:
    """Load and check one invoice or a list of invoices from JSON/YAML bytes."""
    return invoices_from_data(parse_document(data, source), source)
