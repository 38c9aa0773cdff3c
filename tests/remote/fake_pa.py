"""An independent fake PA for the exactly-once scenarios, written from the AFNOR XP Z12-013 Flow Service
OpenAPI (createFlow, searchFlows) and sharing no code with pa_server.py, so that the scenarios do not test
fpcli against its own assumptions. It misbehaves the way real platforms were seen to:

- `delay`: createFlow answers after `delay` seconds, recording the flow at the start or at the end of it;
- `search_lag`: a flow shows in searches only `search_lag` seconds after it was recorded;
- `ignore_filters`: searches return every flow, whatever the `where` (paged by `page_size`);
- `fail_before_record`: a predicate on the flow name; when true, the first createFlow of that name answers
  500 without recording anything;
- `drop_after_record`: the connection is closed without an answer after the flow was recorded.

`created` is the oracle: every flow the PA holds, with the SHA-256 of its file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.remote.loopback import LoopbackServer

PREFIX = "/flows-api"


@dataclass
class Behaviour:
    delay: float = 0.0
    record_at_start: bool = True
    search_lag: float = 0.0
    ignore_filters: bool = False
    page_size: int = 25
    fail_before_record: Callable[[str], bool] = lambda name: False
    drop_after_record: bool = False


@dataclass
class Ledger:
    created: list[dict[str, Any]] = field(default_factory=list)
    failed_once: set[str] = field(default_factory=set)
    uploads: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(f["_sha256"] for f in self.created)

    def duplicates(self) -> list[str]:
        return [sha for sha, n in self.counts().items() if n > 1]


class FakePA(LoopbackServer):
    """Only the thread-and-socket plumbing is shared with the other test servers; the API is its own."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        self.ledger = Ledger()
        super().__init__(type("Handler", (_Handler,), {"pa": self}))

    def env(self) -> dict[str, str]:
        """The environment that points fpcli at this PA (no profile needed)."""
        return {
            "FPCLI_PA_FLOW_URL": self.url + PREFIX,
            "FPCLI_PA_TOKEN_URL": self.url + "/token",
            "FPCLI_PA_CLIENT_ID": "scenario-client",
            "FPCLI_PA_CLIENT_SECRET": "scenario-secret-0451",
        }

    def __enter__(self) -> FakePA:
        super().__enter__()
        return self


class _Handler(BaseHTTPRequestHandler):  # not JsonHandler: written afresh from the OpenAPI file
    pa: FakePA
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (timeout, kill -9): nothing to tell it
            self.wfile.write(data)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/token":
            return self._reply(200, {"access_token": "tok-" + uuid.uuid4().hex, "expires_in": 3600})
        if not self.headers.get("Authorization", "").startswith("Bearer tok-"):
            return self._reply(401, {"errorCode": "401", "errorMessage": "no token"})
        if self.path == PREFIX + "/v1/flows":
            return self._create(body)
        if self.path == PREFIX + "/v1/flows/search":
            return self._search(json.loads(body))
        return self._reply(404, {"errorCode": "404", "errorMessage": self.path})

    def _create(self, body: bytes) -> None:
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body
        )
        parts = {p.get_param("name", header="content-disposition"): p for p in message.iter_parts()}
        info = json.loads(parts["flowInfo"].get_payload(decode=True))
        data = parts["file"].get_payload(decode=True)
        b, ledger = self.pa.behaviour, self.pa.ledger
        with ledger.lock:
            ledger.uploads += 1
            refuse = b.fail_before_record(info["name"]) and info["name"] not in ledger.failed_once
            if refuse:
                ledger.failed_once.add(info["name"])
        if refuse:
            return self._reply(500, {"errorCode": "500", "errorMessage": "internal error"})
        flow = {
            "flowId": uuid.uuid4().hex, "trackingId": info.get("trackingId"), "name": info["name"],
            "flowSyntax": info["flowSyntax"], "flowProfile": info.get("flowProfile", "Basic"),
            "processingRule": info.get("processingRule", "B2B"), "submittedAt": "2026-11-30T12:00:00Z",
            "_sha256": hashlib.sha256(data).hexdigest(),
        }  # fmt: skip
        if not b.record_at_start:
            time.sleep(b.delay)
        flow["_at"] = time.monotonic()
        with ledger.lock:
            ledger.created.append(flow)
        if b.record_at_start:
            time.sleep(b.delay)
        if b.drop_after_record:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        return self._reply(201, {k: v for k, v in flow.items() if not k.startswith("_")})

    def _search(self, params: dict[str, Any]) -> None:
        b, ledger = self.pa.behaviour, self.pa.ledger
        where = params.get("where") or {}
        visible_before = time.monotonic() - b.search_lag
        with ledger.lock:
            flows = [f for f in ledger.created if f["_at"] <= visible_before]
        if not b.ignore_filters and "trackingId" in where:
            flows = [f for f in flows if f["trackingId"] == where["trackingId"]]
        start = int(params.get("cursor") or 0)
        page = flows[start : start + b.page_size]
        answer: dict[str, Any] = {
            "results": [{k: v for k, v in f.items() if not k.startswith("_")} for f in page]
        }
        if start + b.page_size < len(flows):
            answer["nextCursor"] = str(start + b.page_size)
        self._reply(200, answer)
