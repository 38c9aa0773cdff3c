"""Checks an HTTP request against an OpenAPI 3.0 document: path, parameters, JSON and multipart bodies.

Used by the test PA server on every request fpcli sends; each problem is one readable line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker


@dataclass
class Operation:
    method: str
    template: str
    regex: re.Pattern[str]
    groups: dict[str, str]
    spec: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId"))


class OpenApiChecker:
    def __init__(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        self.doc = yaml.safe_load(text) if path.suffix in (".yml", ".yaml") else json.loads(text)
        self.operations: list[Operation] = []
        for template, item in self.doc["paths"].items():
            for method, op in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                groups: dict[str, str] = {}

                def group(m: re.Match[str], groups: dict[str, str] = groups) -> str:
                    name = f"p{len(groups)}"
                    groups[name] = m.group(1).replace("\\", "")
                    return f"(?P<{name}>[^/]+)"

                pattern = re.sub(r"\\\{([^}]+)\\\}", group, re.escape(template))
                self.operations.append(
                    Operation(method.upper(), template, re.compile(f"^{pattern}$"), groups, op)
                )

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def _validate(self, value: Any, schema: dict[str, Any], where: str) -> list[str]:
        # The schema travels with the document's components so that `#/components/...` refs resolve.
        full = {**schema, "components": self.doc["components"]} if "$ref" not in schema else {
            "allOf": [schema], "components": self.doc["components"]
        }  # fmt: skip
        validator = OAS30Validator(full, format_checker=oas30_format_checker)
        return [
            f"{where}: {e.message} (at {'/'.join(str(p) for p in e.absolute_path) or '.'})"
            for e in validator.iter_errors(value)
        ]

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        for op in self.operations:
            if op.method == method and (m := op.regex.match(path)):
                return op, {op.groups[k]: v for k, v in m.groupdict().items()}
        return None

    def check(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> tuple[str | None, list[str]]:
        """Returns (operationId, problems)."""
        found = self.match(method, path)
        if found is None:
            return None, [f"{method} {path}: no such operation in {self.doc['info']['title']}"]
        op, path_params = found
        where = f"{op.operation_id}"
        problems: list[str] = []
        lower_headers = {k.lower(): v for k, v in headers.items()}
        for param in (self.resolve(p) for p in op.spec.get("parameters", [])):
            name, place, schema = param["name"], param["in"], param.get("schema", {})
            if place == "path":
                raw: str | None = path_params.get(name)
            elif place == "query":
                raw = query[name][0] if name in query else None
            elif place == "header":
                raw = lower_headers.get(name.lower())
            else:
                continue
            if raw is None:
                if param.get("required"):
                    problems.append(f"{where}: required {place} parameter `{name}` missing")
                continue
            value: Any = raw
            resolved = self.resolve(schema)
            if resolved.get("type") == "array":
                value = raw.split(",")
            elif resolved.get("type") == "integer":
                value = int(raw) if raw.lstrip("-").isdigit() else raw
            problems += self._validate(value, schema, f"{where} {place} `{name}`")
        for name, value in lower_headers.items():
            if name == "authorization" and not value.startswith("Bearer "):
                problems.append(f"{where}: Authorization is not a Bearer token")
        request_body = self.resolve(op.spec.get("requestBody")) if op.spec.get("requestBody") else None
        if request_body is None:
            return op.operation_id, problems
        content_type = lower_headers.get("content-type", "")
        media = content_type.split(";")[0].strip()
        content = request_body.get("content", {})
        if media not in content:
            return op.operation_id, [
                *problems,
                f"{where}: body media type `{media}` not in {sorted(content)}",
            ]
        schema = content[media].get("schema", {})
        if media == "application/json":
            try:
                value = json.loads(body)
            except ValueError:
                return op.operation_id, [*problems, f"{where}: body is not JSON"]
            problems += self._validate(value, schema, f"{where} body")
        elif media == "multipart/form-data":
            problems += self._multipart(
                where, content_type, body, self.resolve(schema), content[media].get("encoding", {})
            )
        return op.operation_id, problems

    def _multipart(
        self, where: str, content_type: str, body: bytes, schema: dict[str, Any], encoding: dict[str, Any]
    ) -> list[str]:
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        if not message.is_multipart():
            return [f"{where}: multipart body cannot be parsed"]
        parts = {}
        problems: list[str] = []
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            parts[str(name)] = part
        for required in schema.get("required", []):
            if required not in parts:
                problems.append(f"{where}: multipart part `{required}` missing")
        for name, part in parts.items():
            prop = schema.get("properties", {}).get(name)
            if prop is None:
                problems.append(f"{where}: unexpected multipart part `{name}`")
                continue
            allowed = [
                t.strip() for t in encoding.get(name, {}).get("contentType", "").split(",") if t.strip()
            ]
            if allowed and part.get_content_type() not in allowed:
                problems.append(
                    f"{where}: part `{name}` has content type {part.get_content_type()}, not one of {allowed}"
                )
            payload = part.get_payload(decode=True) or b""
            if self.resolve(prop).get("format") == "binary":
                if not part.get_filename():
                    problems.append(f"{where}: part `{name}` has no filename")
                continue
            try:
                value = json.loads(payload)
            except ValueError:
                problems.append(f"{where}: part `{name}` is not JSON")
                continue
            problems += self._validate(value, prop, f"{where} part `{name}`")
        return problems

    def parts(self, content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        out = {}
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            out[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
        return out
