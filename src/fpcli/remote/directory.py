"""Directory Service look-ups (annuaire): by SIREN, SIRET, routing code and directory (addressing) line.

A look-up by key uses the GET endpoints; anything else builds a search with the spec's filters (each with the
operators the spec allows), sorting, fields, include, limit and ignore (offset). Filters are written
`FIELD=VALUE` (strict), `FIELD~VALUE` (contains) or `FIELD^VALUE` (starts with).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fpcli.errors import UsageError
from fpcli.remote.afnor import DirectoryService

STRICT, CONTAINS, START = "strict", "contains", "startWith"
OPERATORS = {"=": STRICT, "~": CONTAINS, "^": START}
# Filters and their operators, as in AFNOR Directory Service 1.3.0 (components/schemas/search*Filters).
FILTERS: dict[str, dict[str, tuple[str, ...]]] = {
    "siren": {
        "siren": (STRICT,),
        "businessName": (CONTAINS, STRICT, START),
        "entityType": (STRICT,),
        "administrativeStatus": (STRICT,),
    },
    "siret": {
        "siret": (STRICT,),
        "siren": (STRICT,),
        "facilityType": (STRICT,),
        "name": (CONTAINS, STRICT, START),
        "addressLines": (CONTAINS, START),
        "postalCode": (START, STRICT),
        "countrySubdivision": (STRICT,),
        "locality": (CONTAINS, STRICT, START),
        "administrativeStatus": (STRICT,),
    },
    "routing-code": {
        "routingIdentifier": (CONTAINS, STRICT),
        "siret": (STRICT,),
        "routingCodeName": (CONTAINS, STRICT),
        "administrativeStatus": (STRICT,),
        "addressLines": (CONTAINS, START),
        "postalCode": (START, STRICT),
        "locality": (CONTAINS, STRICT, START),
    },
    "directory-line": {
        "addressingIdentifier": (CONTAINS, STRICT),
        "siren": (STRICT,),
        "siret": (STRICT,),
        "routingIdentifier": (CONTAINS, STRICT),
        "addressingSuffix": (CONTAINS, STRICT),
    },
}
INCLUDES = {
    "siren": (),
    "siret": ("siren",),
    "routing-code": ("siren", "siret"),
    "directory-line": ("siren", "siret", "routingCode"),
}
KEY_PATTERN = {"siren": re.compile(r"^\d{9}$"), "siret": re.compile(r"^\d{14}$")}
# Enumerated filter values (Directory Service 1.3.0 components/schemas), checked before a search is sent.
VALUES: dict[str, tuple[str, ...]] = {
    "entityType": ("Public", "PrivateVatRegistered"),
    "administrativeStatus": ("A", "C"),
    "facilityType": ("P", "S"),
}
FILTER_SYNTAX = re.compile(r"^([A-Za-z]+)([=~^])(.*)$", re.S)


@dataclass
class DirectoryQuery:
    kind: str  # siren | siret | routing-code | directory-line
    key: str | None = None  # SIREN, SIRET, addressing identifier, or SIRET for a routing code
    code: str | None = None  # routing identifier (with kind routing-code and a SIRET key)
    where: list[str] = field(default_factory=list)
    sort: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    limit: int | None = None
    ignore: int | None = None

    def check(self) -> None:
        if self.kind not in FILTERS:
            raise UsageError(f"unknown directory resource `{self.kind}`", hint=f"one of {', '.join(FILTERS)}")
        pattern = KEY_PATTERN.get(self.kind if self.kind != "routing-code" else "siret")
        if self.key and pattern and not pattern.match(self.key):
            raise UsageError(
                f"`{self.key}` is not a {'SIREN (9 digits)' if self.kind == 'siren' else 'SIRET (14 digits)'}"
            )
        for inc in self.include:
            if inc not in INCLUDES[self.kind]:
                raise UsageError(
                    f"`--include {inc}` is not offered for {self.kind}",
                    hint=f"one of {', '.join(INCLUDES[self.kind]) or 'none'}",
                )

    @property
    def direct(self) -> bool:
        """A plain key look-up (GET) rather than a search (POST …/search)."""
        if self.where or self.sort or self.limit is not None or self.ignore is not None:
            return False
        if self.kind == "routing-code":
            return bool(self.key and self.code)
        return bool(self.key)


def parse_filter(kind: str, text: str) -> tuple[str, dict[str, str]]:
    match = FILTER_SYNTAX.match(text)
    if not match:
        raise UsageError(f"filter `{text}` is not FIELD=VALUE, FIELD~VALUE or FIELD^VALUE")
    name, sign, value = match.groups()
    allowed = FILTERS[kind].get(name)
    if allowed is None:
        raise UsageError(f"`{name}` is not a {kind} filter", hint=f"one of {', '.join(FILTERS[kind])}")
    op = OPERATORS[sign]
    if name in VALUES and value not in VALUES[name]:
        raise UsageError(
            f"filter `{name}`: `{value}` is not one of its values", hint=f"one of {', '.join(VALUES[name])}"
        )
    if op == STRICT and name in KEY_PATTERN and not KEY_PATTERN[name].match(value):
        raise UsageError(
            f"filter `{name}={value}`: a {name.upper()} has {9 if name == 'siren' else 14} digits"
        )
    if op not in allowed:
        signs = " ".join(s for s, o in OPERATORS.items() if o in allowed)
        raise UsageError(f"filter `{name}` does not take `{sign}` ({op})", hint=f"use {signs}")
    return name, {"op": op, "value": value}


def parse_sort(text: str) -> dict[str, str]:
    name, _, order = text.partition(":")
    order = {"": "ascending", "asc": "ascending", "desc": "descending"}.get(order, order)
    if order not in ("ascending", "descending"):
        raise UsageError(f"sort `{text}`: order must be asc or desc")
    return {"field": name, "order": order}


def search_payload(query: DirectoryQuery) -> dict[str, Any]:
    filters: dict[str, Any] = dict(parse_filter(query.kind, w) for w in query.where)
    if query.key:
        key_field = {
            "siren": "siren",
            "siret": "siret",
            "routing-code": "siret",
            "directory-line": "addressingIdentifier",
        }[query.kind]
        filters.setdefault(key_field, {"op": STRICT, "value": query.key})
    if query.code and query.kind == "routing-code":
        filters.setdefault("routingIdentifier", {"op": STRICT, "value": query.code})
    if not filters:
        raise UsageError(
            f"a {query.kind} search needs at least one filter", hint="give a key or `--where FIELD=VALUE`"
        )
    payload: dict[str, Any] = {"filters": filters}
    if query.sort:
        payload["sorting"] = [parse_sort(s) for s in query.sort]
    if query.fields:
        payload["fields"] = query.fields
    if query.include:
        payload["include"] = query.include
    if query.limit is not None:
        payload["limit"] = query.limit
    if query.ignore is not None:
        payload["ignore"] = query.ignore
    return payload


@dataclass
class DirectoryAnswer:
    kind: str
    results: list[dict[str, Any]]
    total: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": 1, "resource": self.kind, "total": self.total, "results": self.results}


def lookup(service: DirectoryService, query: DirectoryQuery) -> DirectoryAnswer:
    query.check()
    if query.direct:
        key = quote(query.key or "", safe="")
        path = {
            "siren": f"/v1/siren/code-insee:{key}",
            "siret": f"/v1/siret/code-insee:{key}",
            "routing-code": f"/v1/routing-code/siret:{key}/code:{quote(query.code or '', safe='')}",
            "directory-line": f"/v1/directory-line/code:{key}",
        }[query.kind]
        params = {}
        if query.fields:
            params["fields"] = ",".join(query.fields)
        if query.include:
            params["include"] = ",".join(query.include)
        return DirectoryAnswer(query.kind, [service.get(path, params)], 1)
    body = service.search(query.kind, search_payload(query))
    results = body.get("results") or []
    total = body.get("totalNumberOfResults")
    return DirectoryAnswer(query.kind, list(results), total if isinstance(total, int) else None)
