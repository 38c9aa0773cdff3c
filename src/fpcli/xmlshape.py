"""XML shapes: the subset of XSD that flux 6 (CDAR) and flux 10 (e-reporting) use, declared in Python.

One declaration serves three purposes: checking a document's structure (element order, cardinality,
required attributes, lexical forms of decimals, integers, booleans, date-times: what the official XSDs
check), reading a document into JSON-able data without loss, and writing data back as XML in schema order.

fpcli carries these declarations instead of the official XSDs (which it may not redistribute from
../shared); tests check that this module and lxml with the official XSDs reach the same verdicts.

Data form: a complex element is a dict in schema order; a repeatable element (max > 1) is a list; a simple
element is its text, or `{"value": text, "@attr": …}` when it carries attributes; attributes of complex
elements are `"@attr"` keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

XSI = "http://www.w3.org/2001/XMLSchema-instance"

_LEXICAL: dict[str, re.Pattern[str]] = {
    "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    "integer": re.compile(r"[+-]?\d+"),
    "boolean": re.compile(r"true|false|1|0"),
    "dateTime": re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?"),
    "base64": re.compile(r"[A-Za-z0-9+/=\s]*"),
}


@dataclass(frozen=True)
class Attr:
    name: str
    required: bool = False
    kind: str = "string"


@dataclass(frozen=True)
class Simple:
    """Text content of `kind` (string, decimal, integer, boolean, dateTime, base64) with attributes."""

    kind: str = "string"
    attrs: tuple[Attr, ...] = ()


@dataclass(frozen=True)
class Complex:
    children: tuple[El, ...]
    choice: bool = False
    attrs: tuple[Attr, ...] = ()


@dataclass(frozen=True)
class El:
    name: str
    content: Simple | Complex
    min: int = 1
    max: int | None = 1  # None: unbounded
    ns: str = ""

    @property
    def tag(self) -> str:
        return f"{{{self.ns}}}{self.name}" if self.ns else self.name

    @property
    def repeats(self) -> bool:
        return self.max is None or self.max > 1


@dataclass(frozen=True)
class Problem:
    message: str
    path: str
    line: int | None


@dataclass
class _Checker:
    problems: list[Problem] = field(default_factory=list)

    def add(self, node: Any, path: str, message: str) -> None:
        self.problems.append(Problem(message, path, getattr(node, "sourceline", None)))


def _elements(node: Any) -> list[Any]:
    return [c for c in node if isinstance(c.tag, str)]


def _local(tag: str) -> str:
    return str(etree.QName(tag).localname)


def _check_attrs(node: Any, attrs: tuple[Attr, ...], path: str, out: _Checker) -> None:
    declared = {a.name: a for a in attrs}
    for name, value in node.attrib.items():
        if etree.QName(name).namespace == XSI:
            continue
        spec = declared.get(name)
        if spec is None:
            out.add(node, path, f"attribute `{name}` is not allowed on `{_local(node.tag)}`")
        elif spec.kind in _LEXICAL and not _LEXICAL[spec.kind].fullmatch(value.strip()):
            out.add(node, path, f"attribute `{name}` = `{value}` is not a valid {spec.kind}")
    for spec in attrs:
        if spec.required and spec.name not in node.attrib:
            out.add(node, path, f"`{_local(node.tag)}` lacks its required attribute `{spec.name}`")


def _check_node(node: Any, el: El, path: str, out: _Checker) -> None:
    content = el.content
    _check_attrs(node, content.attrs, path, out)
    if isinstance(content, Simple):
        if _elements(node):
            out.add(node, path, f"`{el.name}` has simple content: child elements are not allowed")
            return
        text = (node.text or "").strip()
        pattern = _LEXICAL.get(content.kind)
        if pattern is not None and not pattern.fullmatch(text):
            out.add(node, path, f"`{el.name}` = `{node.text or ''}` is not a valid {content.kind}")
        return
    if (node.text or "").strip() or any((c.tail or "").strip() for c in node):
        out.add(node, path, f"`{el.name}` has element content: text is not allowed")
    children = _elements(node)
    if content.choice:
        _check_choice(node, children, content, path, out)
    else:
        _check_sequence(node, children, content, path, out)


def _check_choice(node: Any, children: list[Any], content: Complex, path: str, out: _Checker) -> None:
    options = {c.tag: c for c in content.children}
    if len(children) != 1 or children[0].tag not in options:
        names = " or ".join(f"`{c.name}`" for c in content.children)
        out.add(node, path, f"`{_local(node.tag)}` must contain exactly one of {names}")
        return
    child = children[0]
    _check_node(child, options[child.tag], f"{path}/{options[child.tag].name}", out)


def _check_sequence(node: Any, children: list[Any], content: Complex, path: str, out: _Checker) -> None:
    i = 0
    missing: list[str] = []
    for spec in content.children:
        count = 0
        while i < len(children) and children[i].tag == spec.tag:
            count += 1
            child_path = f"{path}/{spec.name}" + (f"[{count}]" if spec.repeats else "")
            if spec.max is not None and count > spec.max:
                out.add(children[i], child_path, f"`{spec.name}` may occur at most {spec.max} time(s) here")
            else:
                _check_node(children[i], spec, child_path, out)
            i += 1
        if count < spec.min:
            missing.append(spec.name)
    if i >= len(children):
        for name in missing:
            out.add(node, path, f"`{_local(node.tag)}` lacks its mandatory element `{name}`")
    else:  # an element out of place: say so, rather than what seems to be missing after it
        bad = children[i]
        allowed = ", ".join(f"`{c.name}`" for c in content.children)
        out.add(
            bad,
            f"{path}/{_local(bad.tag)}",
            f"unexpected element `{_local(bad.tag)}` in `{_local(node.tag)}` (misplaced or unknown; "
            f"allowed in this order: {allowed})",
        )


def check(root: Any, shape: El) -> list[Problem]:
    """Structure problems of `root` (an lxml element) against `shape`; empty when it conforms."""
    out = _Checker()
    if root.tag != shape.tag:
        out.add(root, "/", f"root element is `{_local(root.tag)}`, expected `{shape.name}`")
        return out.problems
    _check_node(root, shape, f"/{shape.name}", out)
    return out.problems


def to_data(node: Any, el: El) -> Any:
    """Read a conforming element into data (see the module docstring)."""
    content = el.content
    attrs = {f"@{k}": v for k, v in node.attrib.items() if etree.QName(k).namespace != XSI}
    if isinstance(content, Simple):
        return {"value": node.text or "", **attrs} if attrs else (node.text or "")
    out: dict[str, Any] = dict(attrs)
    for spec in content.children:
        found = [to_data(c, spec) for c in node if c.tag == spec.tag]
        if found:
            out[spec.name] = found if spec.repeats else found[0]
    return out


class ShapeDataError(ValueError):
    """Data that does not fit the shape; `path` is where, in the data."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def _set_attrs(node: Any, data: dict[str, Any], attrs: tuple[Attr, ...], path: str) -> None:
    names = {a.name for a in attrs}
    for key, value in data.items():
        if key.startswith("@"):
            if key[1:] not in names:
                raise ShapeDataError(path, f"attribute `{key[1:]}` is not allowed here")
            node.set(key[1:], str(value))


def from_data(data: Any, el: El, nsmap: dict[str | None, str] | None = None) -> Any:
    """Write data as an lxml element in schema order; raises ShapeDataError on data that does not fit."""
    node = etree.Element(el.tag, nsmap=nsmap)
    _fill(node, data, el, f"/{el.name}")
    return node


def _fill(node: Any, data: Any, el: El, path: str) -> None:
    content = el.content
    if isinstance(content, Simple):
        if isinstance(data, dict):
            extra = set(data) - {"value"} - {f"@{a.name}" for a in content.attrs}
            if extra:
                raise ShapeDataError(path, f"unknown key(s) {', '.join(sorted(extra))}")
            _set_attrs(node, data, content.attrs, path)
            node.text = str(data.get("value", ""))
        else:
            node.text = str(data)
        return
    if not isinstance(data, dict):
        raise ShapeDataError(path, "expected an object")
    known = {c.name for c in content.children}
    unknown = [k for k in data if not k.startswith("@") and k not in known]
    if unknown:
        raise ShapeDataError(path, f"unknown key(s) {', '.join(unknown)}")
    _set_attrs(node, data, content.attrs, path)
    for spec in content.children:
        if spec.name not in data or data[spec.name] is None:
            continue
        value = data[spec.name]
        items = value if isinstance(value, list) else [value]
        for n, item in enumerate(items, 1):
            child = etree.SubElement(node, spec.tag)
            _fill(child, item, spec, f"{path}/{spec.name}" + (f"[{n}]" if len(items) > 1 else ""))


def seq(*children: El, attrs: tuple[Attr, ...] = ()) -> Complex:
    return Complex(tuple(children), attrs=attrs)


def in_ns(ns: str) -> Callable[..., El]:
    """An El constructor for one namespace: `ram = in_ns(RAM); ram("ID", TEXT, 0)`."""

    def make(name: str, content: Simple | Complex, min: int = 1, max: int | None = 1) -> El:
        return El(name, content, min, max, ns)

    return make
