"""Loading invoices from JSON or YAML (same schema): one invoice or a list."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from pydantic import ValidationError

from fpcli.errors import InputError, InvoiceDataError
from fpcli.model.invoice import Invoice
from fpcli.model.rules import input_problems, split_percentages

_CHECK = {"check_identifiers": True}


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors/aliases: invoices never need them and they carry 'billion laughs' bombs."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases (`*name`) are not allowed in invoice input", event.start_mark
            )
        return super().compose_node(parent, index)


# No amount, quantity or rate needs more digits than this; longer numbers are refused before any
# conversion (Python refuses int() of more than 4300 digits with a ValueError, not an input error).
MAX_NUMBER_CHARS = 40


def _number_text(node: yaml.ScalarNode, text: str) -> str:
    if len(text) > MAX_NUMBER_CHARS:
        raise yaml.constructor.ConstructorError(
            None, None, f"a number of {len(text)} characters; amounts have at most 19 digits", node.start_mark
        )
    return text


def _float_as_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    # Money must never pass through binary floating point.
    text = _number_text(node, str(loader.construct_scalar(node)).replace("_", ""))
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():  # YAML's .nan / .inf
        raise yaml.constructor.ConstructorError(
            None, None, f"`{text}` is not a finite number", node.start_mark
        )
    return value


def _checked_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    _number_text(node, str(loader.construct_scalar(node)))
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _checked_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:  # 2026-02-30: YAML's pattern matches, the calendar does not
        raise yaml.constructor.ConstructorError(
            None, None, f"`{loader.construct_scalar(node)}` is not a date ({exc})", node.start_mark
        ) from None


_NoAliasLoader.add_constructor("tag:yaml.org,2002:float", _float_as_decimal)
_NoAliasLoader.add_constructor("tag:yaml.org,2002:int", _checked_int)
_NoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", _checked_timestamp)


class _TooLong(ValueError):
    pass


def _json_number(text: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise _TooLong(f"a number of {len(text)} characters; amounts have at most 19 digits")
    return Decimal(text)


def parse_document(data: bytes, source: str) -> Any:
    """Parse JSON or YAML bytes (chosen by the file name, or by content for stdin)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.at(source, f"byte {exc.start}", "not UTF-8 text") from None
    is_json = source.lower().endswith(".json") or (
        not source.lower().endswith((".yaml", ".yml")) and text.lstrip().startswith(("{", "["))
    )
    if is_json:
        try:
            return json.loads(text, parse_float=_json_number, parse_int=_json_number)
        except json.JSONDecodeError as exc:
            raise InputError.at(
                source, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}"
            ) from None
        except _TooLong as exc:
            raise InputError.at(source, None, f"invalid JSON: {exc}") from None
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


def user_invoice(item: Any, prefix: tuple[int | str, ...], problems: list[str]) -> Invoice | None:
    """One invoice a user wrote: the model with identifier checks, then fpcli's input rules
    (fpcli.model.rules), percentages split per VAT rate. Problems are appended; None when there are any."""
    try:
        invoice = Invoice.model_validate(item, context=_CHECK)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, prefix))
        return None
    found = input_problems(invoice)
    problems.extend(f"{format_loc(prefix)}.{p}" if prefix else p for p in found)
    return None if found else split_percentages(invoice)


def invoices_from_data(raw: Any, source: str, *, check_identifiers: bool = True) -> list[Invoice]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise InputError.at(source, None, "no invoice in the input")
    invoices: list[Invoice] = []
    problems: list[str] = []
    for i, item in enumerate(items):
        prefix: tuple[int | str, ...] = (i,) if isinstance(raw, list) else ()
        if not isinstance(item, dict):
            problems.append(f"{format_loc(prefix)}: expected an invoice object, got {type(item).__name__}")
            continue
        if check_identifiers:
            invoice = user_invoice(item, prefix, problems)
            if invoice is not None:
                invoices.append(invoice)
            continue
        try:
            invoices.append(Invoice.model_validate(item))
        except ValidationError as exc:
            problems.extend(validation_problems(exc, prefix))
    if problems:
        raise InvoiceDataError(source, problems)
    return invoices


def load_invoices(data: bytes, source: str) -> list[Invoice]:
    """Load and check one invoice or a list of invoices from JSON/YAML bytes."""
    return invoices_from_data(parse_document(data, source), source)
