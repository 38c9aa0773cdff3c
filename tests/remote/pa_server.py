"""A test PA on 127.0.0.1: AFNOR Flow and Directory Services, OAuth2 and JWT token endpoints, fault injection.

Every request to the services is checked against the OpenAPI files in ../shared (problems collected in
`state.violations`, which the fixture asserts empty). Faults are queued per operationId and consumed one per
request: "slow" (answer after the client's timeout, the request processed), "slow_unprocessed" (answer 500
after the client's timeout, the request not processed), "500" (refused, not processed), "503" (unavailable,
not processed, Retry-After: 0),
"500_after" (processed, then 500), "429" (Retry-After: 1), "drop" (processed, connection closed without an
answer), "expire_token" (every token issued so far becomes invalid: 401).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

from tests.conftest import SHARED
from tests.remote.loopback import JsonHandler, LoopbackServer
from tests.remote.openapi_check import OpenApiChecker

SPEC = SHARED / "reference/fr/afnor-xp-z12-013"
FLOW_PREFIX = "/flow-service"
DIRECTORY_PREFIX = "/directory-service"

LEGAL_UNITS = [
    {
        "siren": "732829320",
        "businessName": "ACME INDUSTRIE",
        "entityType": "PrivateVatRegistered",
        "administrativeStatus": "A",
    },
    {
        "siren": "110043015",
        "businessName": "MINISTERE DES ARMEES",
        "entityType": "Public",
        "administrativeStatus": "A",
    },
    {
        "siren": "552100554",
        "businessName": "ANCIENNE SOCIETE",
        "entityType": "PrivateVatRegistered",
        "administrativeStatus": "C",
    },
]
FACILITIES = [
    {"siret": "73282932000074", "siren": "732829320", "name": "ACME SIEGE", "facilityType": "P", "administrativeStatus": "A",
     "address": {"addressLine1": "1 rue de la Paix", "postalCode": "75002", "locality": "Paris", "countryCode": "FR"}},
    {"siret": "11004301500012", "siren": "110043015", "name": "SGA", "facilityType": "P", "administrativeStatus": "A",
     "address": {"addressLine1": "60 bd du General Martial Valin", "postalCode": "75015", "locality": "Paris", "countryCode": "FR"},
     "b2gAdditionalData": {"serviceCodeStatus": True, "managesLegalCommitmentCode": False}},
]  # fmt: skip
ROUTING_CODES = [
    {"siret": "11004301500012", "routingIdentifier": "SERVICE-ACHATS", "routingIdentifierType": "0224",
     "routingCodeName": "Service des achats", "managesLegalCommitmentCode": True, "administrativeStatus": "A"},
]  # fmt: skip
DIRECTORY_LINES = [
    {"addressingIdentifier": "732829320", "siren": "732829320", "platformType": "PDP", "directoryLineStatus": "Enabled"},
    {"addressingIdentifier": "732829320_73282932000074", "siren": "732829320", "siret": "73282932000074", "platformType": "PDP", "directoryLineStatus": "Enabled"},
]  # fmt: skip


def jwt(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


@dataclass
class State:
    clients: dict[str, str] = field(default_factory=lambda: {"acme-client": "s3cret-client"})
    users: dict[str, str] = field(default_factory=lambda: {"alice": "pa55word"})
    healthy: bool = True  # getHealth answers 503 when False
    token_lifetime: int = 1800
    refresh_lifetime: int = 7 * 24 * 3600
    tokens: dict[str, float] = field(default_factory=dict)
    refresh_tokens: dict[str, float] = field(default_factory=dict)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)
    webhooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    created: list[dict[str, Any]] = field(default_factory=list)  # every createFlow that was processed
    faults: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    calls: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    ack_after: int = 1  # metadata reads before a flow's acknowledgement turns final
    slow_seconds: float = 1.5
    page_size: int = 2
    ignore_filters: bool = False  # searches answer every flow, whatever the `where` (a PA seen doing so)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, data: bytes, name: str) -> str:
        """A supplier's invoice arriving for the client (flowType SupplierInvoice, direction In)."""
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        flow_id = uuid.uuid4().hex
        with self.lock:
            self.flows[flow_id] = {
                "flowId": flow_id, "submittedAt": now, "updatedAt": now, "name": name, "flowSyntax": "CII",
                "flowProfile": "CIUS", "processingRule": "B2B", "processingRuleSource": "Computed",
                "flowType": "SupplierInvoice", "flowDirection": "In", "acknowledgement": {"status": "Ok"},
                "sha256": hashlib.sha256(data).hexdigest(), "_reads": 0, "_final": "Ok",
            }  # fmt: skip
            self.files[flow_id] = data
        return flow_id

    def duplicates(self) -> list[str]:
        seen: dict[str, int] = defaultdict(int)
        for flow in self.created:
            seen[flow["sha256"]] += 1
        return [sha for sha, n in seen.items() if n > 1]


class PAServer(LoopbackServer):
    def __init__(self, *, check: bool = True) -> None:
        self.check = check  # off only in benchmarks: the OpenAPI check costs ~50 ms per request
        self.state = State()
        self.flow_api = OpenApiChecker(SPEC / "flow-service-1.3.0.swagger.json")
        self.directory_api = OpenApiChecker(SPEC / "directory-service-1.3.0.swagger.json")
        super().__init__(type("Handler", (_Handler,), {"server_obj": self}))

    def __enter__(self) -> PAServer:
        super().__enter__()
        return self


class _Handler(JsonHandler):
    server_obj: PAServer

    @property
    def state(self) -> State:
        return self.server_obj.state

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        path, query = split.path, parse_qs(split.query)
        body = self._body()
        if path == "/oauth/token":
            return self._oauth(body)
        if path == "/api/token/":
            return self._jwt_login(body)
        if path == "/api/token/refresh/":
            return self._jwt_refresh(body)
        if path.startswith(FLOW_PREFIX):
            api, sub = self.server_obj.flow_api, path[len(FLOW_PREFIX) :]
        elif path.startswith(DIRECTORY_PREFIX):
            api, sub = self.server_obj.directory_api, path[len(DIRECTORY_PREFIX) :]
        else:
            return self._error(404, "NOT_FOUND", path)
        if self.server_obj.check:
            op_id, problems = api.check(method, sub, query, dict(self.headers), body)
        else:
            found = api.match(method, sub)
            op_id, problems = (found[0].operation_id if found else None), []
        with self.state.lock:
            self.state.violations += problems
            self.state.calls.append(op_id or f"{method} {path}")
            fault = self.state.faults[op_id].pop(0) if op_id and self.state.faults[op_id] else None
            if fault == "expire_token":
                self.state.tokens.clear()
        if not self._authorised():
            return self._error(401, "UNAUTHORIZED", "invalid or expired token")
        if fault == "429":
            return self._error(429, "TOO_MANY_REQUESTS", "slow down", {"Retry-After": "1"})
        if fault == "500":
            return self._error(500, "INTERNAL", "try later")
        if fault == "503":
            return self._error(503, "UNAVAILABLE", "maintenance", {"Retry-After": "0"})
        if fault == "slow_unprocessed":  # the client gives up waiting; the PA then fails without recording
            time.sleep(self.state.slow_seconds)
            return self._error(500, "INTERNAL", "gave up")
        handler = getattr(self, f"op_{op_id}", None)
        if handler is None:
            return self._error(501, "NOT_IMPLEMENTED", str(op_id))
        status, payload, headers, raw = handler(sub, query, body)
        if fault == "slow":
            time.sleep(self.state.slow_seconds)
        if fault == "drop":
            return self._drop()
        if fault == "500_after":
            return self._error(500, "INTERNAL", "processed but failed to answer")
        self._send(
            status,
            payload,
            headers=headers,
            raw=raw,
            content_type="application/octet-stream" if raw is not None else "application/json",
        )
        return None

    def _authorised(self) -> bool:
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        with self.state.lock:
            expiry = self.state.tokens.get(token)
        return expiry is not None and expiry > time.time()

    # -- tokens --------------------------------------------------------------------------------------------
    def _issue(self) -> tuple[str, str]:
        now = time.time()
        access = jwt({"exp": int(now + self.state.token_lifetime), "jti": uuid.uuid4().hex})
        refresh = jwt(
            {"exp": int(now + self.state.refresh_lifetime), "jti": uuid.uuid4().hex, "type": "refresh"}
        )
        with self.state.lock:
            self.state.tokens[access] = now + self.state.token_lifetime
            self.state.refresh_tokens[refresh] = now + self.state.refresh_lifetime
        return access, refresh

    def _oauth(self, body: bytes) -> None:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):  # RFC 6749 2.3.1 client_secret_basic: form-encoded id and secret
            user, _, password = base64.b64decode(basic[6:]).decode().partition(":")
            form["client_id"], form["client_secret"] = unquote_plus(user), unquote_plus(password)
        self.state.token_requests.append(
            {"kind": "oauth2", "grant_type": form.get("grant_type"), "basic": basic.startswith("Basic "),
             "secret_in_body": "client_secret" in parse_qs(body.decode())}
        )  # fmt: skip
        known = self.state.clients.get(form.get("client_id", ""))
        if (
            form.get("grant_type") != "client_credentials"
            or known is None
            or known != form.get("client_secret")
        ):
            return self._send(401, {"error": "invalid_client", "error_description": "bad client credentials"})
        access, _ = self._issue()
        self._send(
            200, {"access_token": access, "token_type": "Bearer", "expires_in": self.state.token_lifetime}
        )
        return None

    def _jwt_login(self, body: bytes) -> None:
        data = json.loads(body or b"{}")
        self.state.token_requests.append({"kind": "jwt", "client_uid": data.get("client_uid")})
        if self.state.users.get(data.get("username", "")) != data.get("password"):
            return self._send(401, {"detail": "No active account found with the given credentials"})
        access, refresh = self._issue()
        self._send(200, {"access": access, "refresh": refresh})
        return None

    def _jwt_refresh(self, body: bytes) -> None:
        data = json.loads(body or b"{}")
        self.state.token_requests.append({"kind": "refresh"})
        with self.state.lock:
            expiry = self.state.refresh_tokens.get(data.get("refresh", ""))
        if expiry is None or expiry < time.time():
            return self._send(401, {"detail": "Token is invalid or expired", "code": "token_not_valid"})
        access, _ = self._issue()
        self._send(200, {"access": access})
        return None

    # -- Flow Service --------------------------------------------------------------------------------------
    def op_createFlow(
        self, sub: str, query: Any, body: bytes
    ) -> tuple[int, Any, dict[str, str] | None, bytes | None]:
        parts = self.server_obj.flow_api.parts(self.headers.get("Content-Type", ""), body)
        info = json.loads(parts["flowInfo"][1])
        _filename, data = parts["file"]
        sha = hashlib.sha256(data).hexdigest()
        if info.get("sha256") and info["sha256"] != sha:
            return (
                400,
                {"errorCode": "SHA256_MISMATCH", "errorMessage": "sha256 does not match the file"},
                None,
                None,
            )
        if b"REJECT-ME" in data:
            return (
                422,
                {"errorCode": "INVALID_FLOW", "errorMessage": "the file cannot be processed"},
                None,
                None,
            )
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        flow_id = uuid.uuid4().hex
        flow = {
            "flowId": flow_id, "submittedAt": now, "updatedAt": now, "trackingId": info.get("trackingId"),
            "name": info["name"], "flowSyntax": info["flowSyntax"], "flowProfile": info.get("flowProfile", "Undefined"),
            "processingRule": info.get("processingRule", "Undefined"), "processingRuleSource": "Computed" if "processingRule" not in info else "Input",
            "flowType": "CustomerInvoice", "flowDirection": "In", "acknowledgement": {"status": "Pending"},
            "sha256": sha, "_reads": 0, "_final": "Error" if b"ERROR-ME" in data else "Ok",
        }  # fmt: skip
        with self.state.lock:
            self.state.flows[flow_id] = flow
            self.state.files[flow_id] = data
            self.state.created.append(flow)
        answer = {
            k: v
            for k, v in flow.items()
            if k
            in (
                "flowId",
                "submittedAt",
                "trackingId",
                "name",
                "flowSyntax",
                "flowProfile",
                "processingRule",
                "sha256",
            )
        }
        return 202, answer, None, None

    @staticmethod
    def _public(flow: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in flow.items() if not k.startswith("_") and k != "sha256"}

    def op_searchFlows(
        self, sub: str, query: Any, body: bytes
    ) -> tuple[int, Any, dict[str, str] | None, bytes | None]:
        params = json.loads(body)
        where = {} if self.state.ignore_filters else params.get("where", {})
        limit = min(params.get("limit", self.state.page_size), self.state.page_size)
        start = int(params.get("cursor") or 0)
        with self.state.lock:
            flows = [f for f in self.state.flows.values()
                     if ("trackingId" not in where or f["trackingId"] == where["trackingId"])
                     and ("ackStatus" not in where or f["acknowledgement"]["status"] == where["ackStatus"])
                     and ("flowType" not in where or f["flowType"] in where["flowType"])
                     and ("flowDirection" not in where or f["flowDirection"] in where["flowDirection"])
                     and ("updatedAfter" not in where or f["updatedAt"] > where["updatedAfter"])]  # fmt: skip
        page = flows[start : start + limit]
        answer: dict[str, Any] = {
            "limit": limit,
            "filters": where,
            "results": [self._public(f) for f in page],
        }
        if start + limit < len(flows):
            answer["nextCursor"] = str(start + limit)
        return 200, answer, None, None

    def op_getFlow(
        self, sub: str, query: Any, body: bytes
    ) -> tuple[int, Any, dict[str, str] | None, bytes | None]:
        flow_id = sub.rsplit("/", 1)[1]
        doc_type = query.get("docType", ["Metadata"])[0]
        with self.state.lock:
            flow = self.state.flows.get(flow_id)
            if flow is None:
                return 404, {"errorCode": "NOT_FOUND", "errorMessage": f"no flow {flow_id}"}, None, None
            if doc_type == "Metadata":
                flow["_reads"] += 1
                if flow["_reads"] > self.state.ack_after:
                    flow["acknowledgement"] = {"status": flow["_final"]}
                    if flow["_final"] == "Error":
                        flow["acknowledgement"]["details"] = [
                            {
                                "level": "Error",
                                "item": "BT-1",
                                "reasonCode": "REJ_SEMAN",
                                "reasonMessage": "duplicate invoice number",
                            }
                        ]
                return 200, self._public(flow), None, None
            data = self.state.files[flow_id]
        return 200, None, {"Content-Disposition": f"attachment;filename={flow['name']}"}, data

    # -- webhooks --------------------------------------------------------------------------------------------
    def op_getHealth(self, sub: str, query: Any, body: bytes) -> tuple[int, Any, None, None]:
        """Flow and Directory `GET /v1/healthcheck`: 503 while `state.healthy` is False."""
        return (200, None, None, None) if self.state.healthy else (503, {"errorCode": "DOWN"}, None, None)

    def op_createWebhook(self, sub: str, query: Any, body: bytes) -> tuple[int, Any, None, None]:
        params = json.loads(body)
        uid = str(uuid.uuid4())
        key = base64.b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes).decode()  # 256 bits
        created = {"webhookId": uid, "signingKey": key, "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ")}
        with self.state.lock:
            self.state.webhooks[uid] = {**created, **params}
        return 201, created, None, None

    def op_listWebhooks(self, sub: str, query: Any, body: bytes) -> tuple[int, Any, None, None]:
        hooks = list(self.state.webhooks.values())
        return (
            200,
            {"count": len(hooks), "webhookIds": [h["webhookId"] for h in hooks], "webhooks": hooks},
            None,
            None,
        )

    def op_deleteWebhook(self, sub: str, query: Any, body: bytes) -> tuple[int, Any, None, bytes | None]:
        uid = sub.rsplit("/", 1)[1]
        with self.state.lock:
            if self.state.webhooks.pop(uid, None) is None:
                return 404, {"errorCode": "NOT_FOUND", "errorMessage": f"no webhook {uid}"}, None, None
        return 204, None, None, b""

    # -- Directory Service ---------------------------------------------------------------------------------
    @staticmethod
    def _matches(record: dict[str, Any], filters: dict[str, Any]) -> bool:
        for name, cond in filters.items():
            raw = record.get(name, (record.get("address") or {}).get(name, ""))
            value, wanted = str(raw), str(cond.get("value", ""))
            op = cond.get("op", "strict")
            if (
                (op == "strict" and value != wanted)
                or (op == "contains" and wanted.lower() not in value.lower())
                or (op == "startWith" and not value.lower().startswith(wanted.lower()))
            ):
                return False
        return True

    def _search(self, records: list[dict[str, Any]], body: bytes) -> tuple[int, Any, None, None]:
        params = json.loads(body)
        hits = [r for r in records if self._matches(r, params.get("filters", {}))]
        for sort in reversed(params.get("sorting", [])):
            hits.sort(
                key=lambda r, f=sort["field"]: str(r.get(f, "")), reverse=sort.get("order") == "descending"
            )
        ignore, limit = params.get("ignore", 0), params.get("limit", 50)
        return (
            200,
            {"search": params, "totalNumberOfResults": len(hits), "results": hits[ignore : ignore + limit]},
            None,
            None,
        )

    def _get(self, records: list[dict[str, Any]], key: str, value: str) -> tuple[int, Any, None, None]:
        for r in records:
            if r.get(key) == value:
                return 200, r, None, None
        return 404, {"errorCode": "NOT_FOUND", "errorMessage": f"no {key} {value}"}, None, None

    def op_searchCompanyBySiren(self, sub: str, q: Any, body: bytes) -> Any:
        return self._search(LEGAL_UNITS, body)

    def op_getCompanyBySiren(self, sub: str, q: Any, body: bytes) -> Any:
        return self._get(LEGAL_UNITS, "siren", sub.rsplit(":", maxsplit=1)[-1])

    def op_searchFacilityBySiret(self, sub: str, q: Any, body: bytes) -> Any:
        return self._search(FACILITIES, body)

    def op_getFacilityBySiret(self, sub: str, q: Any, body: bytes) -> Any:
        return self._get(FACILITIES, "siret", sub.rsplit(":", maxsplit=1)[-1])

    def op_searchRoutingCode(self, sub: str, q: Any, body: bytes) -> Any:
        return self._search(ROUTING_CODES, body)

    def op_getRoutingCodeBySiretAndId(self, sub: str, q: Any, body: bytes) -> Any:
        code = sub.rsplit(":", 1)[1]
        return self._get(ROUTING_CODES, "routingIdentifier", code)

    def op_searchDirectoryLine(self, sub: str, q: Any, body: bytes) -> Any:
        return self._search(DIRECTORY_LINES, body)

    def op_getDirectoryLineById(self, sub: str, q: Any, body: bytes) -> Any:
        return self._get(DIRECTORY_LINES, "addressingIdentifier", sub.split(":", 1)[1])


def signed_event(key: str, payload: bytes, timestamp: int) -> dict[str, str]:
    """Headers a PA sends with an event: HMAC-SHA-256 (base64-decoded key) of SHA-256(payload@timestamp)."""
    fingerprint = hashlib.sha256(payload + b"@" + str(timestamp).encode()).digest()
    mac = hmac.new(base64.b64decode(key), fingerprint, hashlib.sha256).digest()
    return {"Afnor-Signature": base64.b64encode(mac).decode(), "Afnor-Signature-Timestamp": str(timestamp)}
