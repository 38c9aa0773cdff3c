"""AFNOR XP Z12-013 (v1.3.0) clients: Flow Service and Directory Service of a PA.

Each call carries a fresh `Request-Id` (UUID, for the PA's log correlation) and the profile's
`Organization-Id` when set. Searches and downloads are idempotent (retried); `createFlow` is not.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from fpcli.errors import RemoteError, UsageError
from fpcli.remote.flowinfo import PROCESSING_RULES
from fpcli.remote.http import Authenticator, Http, RemoteUncertain

DOC_TYPES = ("Metadata", "Original", "Converted", "ReadableView")
ACK_FINAL = ("Ok", "Error")
# Enumerations of AFNOR XP Z12-013 Flow Service 1.3.0 (components/schemas): values are checked before a
# request leaves, so a typo is a usage error naming the allowed values, not a PA's 400.
FLOW_TYPES = (
    "CustomerInvoice", "SupplierInvoice", "CustomerInvoiceLC", "SupplierInvoiceLC", "StateCustomerInvoiceLC",
    "StateSupplierInvoiceLC", "AggregatedCustomerTransactionReport", "UnitaryCustomerTransactionReport",
    "AggregatedCustomerPaymentReport", "UnitaryCustomerPaymentReport", "UnitarySupplierTransactionReport",
    "MultiFlowReport", "StateCustomerInvoice", "StateSupplierInvoice", "StateTransactionReport",
    "StateTransactionReportLC", "StatePaymentReport", "StatePaymentReportLC", "Undefined",
)  # fmt: skip
DIRECTIONS = ("In", "Out")
ACK_STATUSES = ("Pending", "Ok", "Error")
_ENUMS: dict[str, tuple[str, ...]] = {
    "flowType": FLOW_TYPES,
    "flowTypes": FLOW_TYPES,
    "flowDirection": DIRECTIONS,
    "processingRule": PROCESSING_RULES,
    "ackStatus": ACK_STATUSES,
}
_DATE_TIMES = ("updatedAfter", "updatedBefore")


def check_values(params: dict[str, Any]) -> None:
    """Enumerated values and date-times as the OpenAPI file defines them; UsageError (exit 2) otherwise."""
    import datetime as dt

    for name, value in params.items():
        allowed = _ENUMS.get(name)
        for item in value if isinstance(value, list) else [value]:
            if allowed is not None and item not in allowed:
                raise UsageError(
                    f"{name} `{item}` is not a value the PA API knows", hint=f"one of {', '.join(allowed)}"
                )
            if name in _DATE_TIMES:
                try:
                    parsed = dt.datetime.fromisoformat(str(item).replace("Z", "+00:00"))
                except ValueError:
                    parsed = None
                if parsed is None or parsed.tzinfo is None:
                    raise UsageError(
                        f"{name} `{item}` is not an RFC 3339 date-time", hint="e.g. 2026-11-01T00:00:00Z"
                    )
        if name == "callbackUrl" and not str(value).startswith(("https://", "http://")):
            raise UsageError(f"callbackUrl `{value}` is not an http(s) URL")


@dataclass
class Download:
    content: bytes
    filename: str | None
    media_type: str


class _Service:
    service = "PA"

    def __init__(
        self, http: Http, base_url: str | None, auth: Authenticator, organization_id: str | None
    ) -> None:
        if not base_url:
            raise UsageError(
                f"the PA has no {self.service} URL",
                hint="set it in the profile (`fpcli profile edit`) or through FPCLI_PA_FLOW_URL / "
                "FPCLI_PA_DIRECTORY_URL",
            )
        self.http = http
        self.base = base_url.rstrip("/")
        self.auth = auth
        self.organization_id = organization_id

    def _headers(self) -> dict[str, str]:
        headers = {"Request-Id": str(uuid.uuid4())}
        if self.organization_id:
            headers["Organization-Id"] = self.organization_id
        return headers

    def _request(self, method: str, path: str, *, idempotent: bool = True, **kwargs: Any) -> httpx.Response:
        return self.http.request(
            method,
            self.base + path,
            service=self.service,
            idempotent=idempotent,
            auth=self.auth,
            headers=self._headers(),
            **kwargs,
        )

    def _json(self, method: str, path: str, *, idempotent: bool = True, **kwargs: Any) -> Any:
        response = self._request(method, path, idempotent=idempotent, **kwargs)
        try:
            return response.json()
        except ValueError:
            # After a 2xx to a non-idempotent call the PA may well have acted: uncertain, not refused.
            error = RemoteError if idempotent else RemoteUncertain
            raise error(f"{self.service}: {method} {path}: the answer is not JSON") from None

    def health(self) -> None:
        """`GET /v1/healthcheck` (getHealth, both services): returns when the PA says it is up."""
        self._request("GET", "/v1/healthcheck")


class FlowService(_Service):
    service = "Flow Service"

    def submit(
        self, data: bytes, filename: str, media_type: str, flow_info: dict[str, Any]
    ) -> dict[str, Any]:
        files = {
            "flowInfo": (None, json.dumps(flow_info), "application/json"),
            "file": (filename, data, media_type),
        }
        body = self._json("POST", "/v1/flows", idempotent=False, files=files)
        if not isinstance(body, dict) or not body.get("flowId"):
            raise RemoteUncertain(f"{self.service}: the submission answer has no flowId")
        return body

    def search(
        self, where: dict[str, Any], *, limit: int | None = None, cursor: str | None = None
    ) -> dict[str, Any]:
        check_values(where)
        payload: dict[str, Any] = {"where": where}
        if limit is not None:
            payload["limit"] = limit
        if cursor:
            payload["cursor"] = cursor
        # A search changes nothing on the PA: safe to retry although it is a POST.
        body = self._json("POST", "/v1/flows/search", json=payload)
        if not isinstance(body, dict):
            raise RemoteError(f"{self.service}: the search answer is not a JSON object")
        return body

    def search_all(
        self, where: dict[str, Any], *, limit: int | None = None, max_pages: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """Every result, following `nextCursor` (bounded, and stopping if a PA repeats a cursor)."""
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(max_pages):
            page = self.search(where, limit=limit, cursor=cursor)
            yield from page.get("results") or []
            cursor = page.get("nextCursor")
            if not cursor or cursor in seen or not page.get("results"):
                return
            seen.add(cursor)

    def find_by_tracking_id(self, tracking_id: str) -> dict[str, Any] | None:
        results = self.search({"trackingId": tracking_id}).get("results") or []
        return results[0] if results else None

    def metadata(self, flow_id: str) -> dict[str, Any]:
        body = self._json("GET", f"/v1/flows/{quote(flow_id, safe='')}", params={"docType": "Metadata"})
        if not isinstance(body, dict):
            raise RemoteError(f"{self.service}: flow {flow_id}: metadata is not a JSON object")
        return body

    def download(self, flow_id: str, doc_type: str) -> Download:
        if doc_type not in DOC_TYPES:
            raise UsageError(f"unknown document type `{doc_type}`", hint=f"one of {', '.join(DOC_TYPES)}")
        response = self._request("GET", f"/v1/flows/{quote(flow_id, safe='')}", params={"docType": doc_type})
        disposition = response.headers.get("Content-Disposition", "")
        filename = None
        if "filename=" in disposition:
            filename = disposition.split("filename=", 1)[1].strip().strip('"').split(";")[0] or None
        return Download(response.content, filename, response.headers.get("Content-Type", ""))

    # -- webhooks ------------------------------------------------------------------------------------------
    def list_webhooks(self) -> list[dict[str, Any]]:
        body = self._json("GET", "/v1/webhooks")
        return list(body.get("webhooks") or []) if isinstance(body, dict) else []

    def create_webhook(self, params: dict[str, Any]) -> dict[str, Any]:
        check_values(params)
        body = self._json("POST", "/v1/webhooks", idempotent=False, json=params)
        if not isinstance(body, dict) or not body.get("webhookId"):
            raise RemoteError(f"{self.service}: the webhook answer has no webhookId")
        return body

    def delete_webhook(self, uid: str) -> None:
        self._request("DELETE", f"/v1/webhooks/{quote(uid, safe='')}")


class DirectoryService(_Service):
    service = "Directory Service"

    def get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        body = self._json("GET", path, params=params or None)
        if not isinstance(body, dict):
            raise RemoteError(f"{self.service}: {path}: the answer is not a JSON object")
        return body

    def search(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = self._json("POST", f"/v1/{kind}/search", json=payload)
        if not isinstance(body, dict):
            raise RemoteError(f"{self.service}: {kind} search: the answer is not a JSON object")
        return body
