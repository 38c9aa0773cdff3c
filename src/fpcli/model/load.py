"""Loading invoices from JSON or YAML (same schema): one invoice or a list."""

from __future__ import annotations

import difflib
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from fpcli.errors import InputError, InvoiceDataError
from fpcli.model.invoice import Invoice
from fpcli.model.rules import input_problems, refund_problems, split_percentages

_CHECK = {"check_identifiers": True}
# Documented limits (README "Guarantees"): memory grows with lines (~15 KiB each once modelled).
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_LINES = 20_000


# libyaml's parser when PyYAML was built with it (the wheels are): a 10,000-line invoice parses several times
# faster than with the pure-Python one, with the same nodes, marks and constructors.
try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _InvoiceLoader(_SafeLoader):
    """YAML with exact decimals, checked dates and numbers; anchors/aliases allowed, bounded (below)."""


# Anchors and aliases are handy for repeated parties or lines; expanded, a "billion laughs" document would
# hold 10⁹ nodes. fpcli counts the nodes the aliases would add once expanded and refuses above this (the
# document's own nodes are bounded by its size and line limits).
MAX_ALIAS_NODES = 100_000


def _expanded_size(node: yaml.Node, memo: dict[int, int], cap: int) -> int:
    """The node's size once its aliases are expanded, capped at `cap + 1`; `memo` ends up holding one entry
    per distinct node (what the document itself holds)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = cap + 1  # a recursive alias counts as too big
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(n, memo, cap) for n in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo, cap) + _expanded_size(v, memo, cap) for k, v in node.value)
    else:
        size = 1
    memo[key] = min(size, cap + 1)
    return memo[key]


def _aliases_too_big(root: yaml.Node) -> bool:
    # One walk: the expanded size less the distinct nodes is what aliases add. The cap only keeps the sums
    # small; it is above any document's own node count (a node takes at least half a byte: `a:` is two).
    memo: dict[int, int] = {}
    cap = 2 * MAX_DOCUMENT_BYTES + MAX_ALIAS_NODES
    return _expanded_size(root, memo, cap) - len(memo) > MAX_ALIAS_NODES


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
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


def _checked_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:  # 2026-02-30: YAML's pattern matches, the calendar does not
        raise yaml.constructor.ConstructorError(
            None, None, f"`{loader.construct_scalar(node)}` is not a date ({exc})", node.start_mark
        ) from None


_InvoiceLoader.add_constructor("tag:yaml.org,2002:float", _float_as_decimal)
_InvoiceLoader.add_constructor("tag:yaml.org,2002:int", _checked_int)
_InvoiceLoader.add_constructor("tag:yaml.org,2002:timestamp", _checked_timestamp)


class _TooLong(ValueError):
    pass


def _json_number(text: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise _TooLong(f"a number of {len(text)} characters; amounts have at most 19 digits")
    return Decimal(text)


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
            return json.loads(text, parse_float=_json_number, parse_int=_json_number)
        except json.JSONDecodeError as exc:
            raise InputError.at(
                source, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}"
            ) from None
        except _TooLong as exc:
            raise InputError.at(source, None, f"invalid JSON: {exc}") from None
        except RecursionError:
            raise InputError.at(source, None, "invalid JSON: nested too deeply") from None
    loader = _InvoiceLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _aliases_too_big(node):
            raise InputError.at(
                source,
                None,
                f"YAML aliases would add more than {MAX_ALIAS_NODES:,} values once expanded",
                hint="write the repeated parts out, or use fewer aliases",
            )
        return None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"line {mark.line + 1} column {mark.column + 1}" if mark else None
        raise InputError.at(source, place, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InputError.at(source, None, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError.at(source, None, "invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


MAX_POSITIONS = 1_000_000  # field paths remembered for messages (aliases can repeat paths)


def positions(data: bytes) -> dict[tuple[int | str, ...], int]:
    """Field path -> line (1-based) of each value in a YAML or JSON input (JSON read as YAML), for messages.
    Empty when the text cannot be read that way: messages then carry the path alone."""
    out: dict[tuple[int | str, ...], int] = {}
    try:
        loader = _SafeLoader(data.decode("utf-8-sig"))
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return out

    def walk(node: yaml.Node, path: tuple[int | str, ...], depth: int) -> None:
        if depth > 50 or len(out) > MAX_POSITIONS:
            return
        out.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    out.setdefault((*path, str(k.value)), k.start_mark.line + 1)
                    walk(v, (*path, str(k.value)), depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, (*path, i), depth + 1)

    if root is not None:
        walk(root, (), 0)
    return out


def format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


_PATH_IN_MESSAGE = re.compile(r"^[A-Za-z_][\w\[\].]*: ")


_TERM = re.compile(r"\b(B[TG]-\d+(?:-\d+)?)")
_FR_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside `X`, `X | None` or `list[X]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = model_of(arg)
        if found is not None:
            return found
    return None


def _field_at(
    model: type[BaseModel], loc: tuple[int | str, ...]
) -> tuple[type[BaseModel] | None, str | None]:
    """(the model holding the last name of `loc`, that name) by walking the model's fields."""
    current: type[BaseModel] | None = model
    last: str | None = None
    for i, part in enumerate(loc):
        if isinstance(part, int) or current is None:
            continue
        if i == len(loc) - 1 or all(isinstance(p, int) for p in loc[i + 1 :]):
            return current, part
        info = current.model_fields.get(part)
        current = model_of(info.annotation) if info is not None else None
        last = part
    return current, last


def _term(model: type[BaseModel] | None, name: str | None) -> str | None:
    info = model.model_fields.get(name) if model is not None and name else None
    hit = _TERM.search(info.description or "") if info is not None else None
    return hit.group(1) if hit else None


def _explain(err: Any, model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """Pydantic's message, plus what to write instead where the mistake is a common one."""
    msg = str(err["msg"]).removeprefix("Value error, ")
    if _PATH_IN_MESSAGE.match(msg):  # a model-level check naming its own field and terms
        return msg
    kind, given = err["type"], err.get("input")
    holder, name = _field_at(model, loc)
    if kind == "extra_forbidden" and holder is not None and name is not None:
        close = difflib.get_close_matches(name, list(holder.model_fields), n=1, cutoff=0.6)
        fix = (
            f"; did you mean `{close[0]}`?"
            if close
            else f"; the fields here are {', '.join(holder.model_fields)}"
        )
        return f"unknown field `{name}`{fix}"
    if kind.startswith("decimal") and isinstance(given, str) and "," in given:
        fixed = given.replace(" ", "").replace("\u202f", "").replace(",", ".")
        return f"`{given}` is not a number: write `{fixed}` (a point before decimals, no thousands separator)"
    if kind.startswith("date") and isinstance(given, str) and (m := _FR_DATE.match(given)):
        day, month, year = m.groups()
        iso = f"{year}-{int(month):02d}-{int(day):02d}"
        return f"`{given}` is not a date fpcli reads: write `{iso}` (YYYY-MM-DD)"
    term = _term(holder, name)
    if kind == "missing" and term:
        return f"required field missing ({term})"
    return f"{msg} ({term})" if term and term not in msg else msg


def validation_problems(
    exc: ValidationError, prefix: tuple[int | str, ...] = (), model: type[BaseModel] = Invoice
) -> list[str]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        msg = _explain(err, model, loc)
        if _PATH_IN_MESSAGE.match(msg):
            # model-level checks name their own field path: join it to where the model sits
            where = prefix + loc
            problems.append(f"{format_loc(where)}.{msg}" if where else msg)
        else:
            problems.append(f"{format_loc(prefix + loc)}: {msg}")
    return problems


_PATH = re.compile(r"^((?:\[\d+\])*[A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*|(?:\[\d+\])+)")
_PART = re.compile(r"\[(\d+)\]|\.?([A-Za-z_]\w*)")


def line_of(problem: str, where: dict[tuple[int | str, ...], int]) -> int | None:
    """The input line a problem's field path points at (the deepest part of it present in the input)."""
    m = _PATH.match(problem)
    if not m or not where:
        return None
    parts: list[int | str] = [int(i) if i else str(n) for i, n in _PART.findall(m.group(1))]
    while parts:
        if tuple(parts) in where:
            return where[tuple(parts)]
        parts.pop()
    return None


def user_invoice(
    item: Any, prefix: tuple[int | str, ...], problems: list[str], warnings: list[str] | None = None
) -> Invoice | None:
    """One invoice a user wrote: the model with identifier checks, then fpcli's input rules
    (fpcli.model.rules), percentages split per VAT rate. Problems are appended; None when there are any.

    With `warnings` (`--lenient`, for invoices someone else issued, e.g. from `extract --json`): identifiers
    with a bad check digit and negative quantities on a 380 invoice are warnings, not problems.
    """
    here = f"{format_loc(prefix)}." if prefix else ""
    try:
        invoice = Invoice.model_validate(item, context=_CHECK)
        soft = refund_problems(invoice)
    except ValidationError as exc:
        if warnings is None:
            problems.extend(validation_problems(exc, prefix))
            return None
        try:
            invoice = Invoice.model_validate(item)
        except ValidationError as plain:
            problems.extend(validation_problems(plain, prefix))
            return None
        soft = [p.removeprefix(here) for p in validation_problems(exc, prefix)] + refund_problems(invoice)
    found = input_problems(invoice)
    if warnings is None:
        found += soft
    else:
        warnings.extend(here + p for p in soft)
    problems.extend(here + p for p in found)
    return None if found else split_percentages(invoice)


def invoices_from_data(
    raw: Any,
    source: str,
    *,
    check_identifiers: bool = True,
    where: dict[tuple[int | str, ...], int] | None = None,
    warnings: list[str] | None = None,
) -> list[Invoice]:
    """Invoices from parsed input; `where` (from `positions`) adds the input line to each problem."""
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise InputError.at(source, None, "no invoice in the input")
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
        if check_identifiers:
            invoice = user_invoice(item, prefix, problems, warnings)
            if invoice is not None:
                invoices.append(invoice)
            continue
        try:
            invoices.append(Invoice.model_validate(item))
        except ValidationError as exc:
            problems.extend(validation_problems(exc, prefix))
    if problems:
        raise InvoiceDataError(
            source, problems, lines=[line_of(p, where) for p in problems] if where else None
        )
    return invoices


def load_invoices(data: bytes, source: str, *, warnings: list[str] | None = None) -> list[Invoice]:
    """Load and check one invoice or a list of invoices from JSON/YAML bytes (`warnings`: lenient)."""
    raw = parse_document(data, source)
    try:
        return invoices_from_data(raw, source, warnings=warnings)
    except InvoiceDataError as exc:
        raise InvoiceDataError(
            source, exc.problems, lines=[line_of(p, positions(data)) for p in exc.problems]
        ) from None
