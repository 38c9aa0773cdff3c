"""Submitting flows to a PA without ever creating the same flow twice by accident, and waiting for them.

1. The journal is asked first: the same bytes already submitted (or pending after a crash) are not sent again
   unless `force`; a pending entry is looked up on the PA by its tracking id.
2. A journal row (state pending, tracking id) is written before the upload.
3. If the upload's outcome is unknown (timeout, dropped connection, 5xx), the flow is searched by tracking
   id: found -> it was created, nothing is re-sent; not found -> the upload is sent again with the same
   tracking id (bounded). Only a definite refusal (4xx) marks the row failed, which allows a later submit.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fpcli.errors import FpcliError, RemoteError, UsageError
from fpcli.remote.afnor import ACK_FINAL, FlowService
from fpcli.remote.flowinfo import FlowFile
from fpcli.remote.http import RemoteUncertain
from fpcli.remote.journal import Journal

UPLOAD_ATTEMPTS = 3
LOOKUP_DELAYS = (0.0, 1.0, 3.0)  # a PA may index a flow a moment after accepting it


class AlreadySubmittedError(UsageError):
    """The same bytes were submitted before; `--force` submits them again."""


@dataclass
class SubmitResult:
    file: str
    sha256: str
    tracking_id: str
    flow_id: str | None = None
    status: str = "submitted"  # submitted | recovered | skipped | failed
    ack_status: str | None = None
    detail: str | None = None
    ack_details: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "tracking_id": self.tracking_id,
            "flow_id": self.flow_id,
            "status": self.status,
            "ack_status": self.ack_status,
            "ack_details": self.ack_details,
            "detail": self.detail,
        }


@dataclass
class Submitter:
    flows: FlowService
    journal: Journal
    target: str  # the PA, as recorded in the journal (profile/pa and URL)
    processing_rule: str | None = None
    force: bool = False
    sleep: Callable[[float], None] = time.sleep
    lookup_delays: tuple[float, ...] = LOOKUP_DELAYS

    def submit(self, flow: FlowFile) -> SubmitResult:
        previous = self.journal.latest(flow.sha256)
        tracking_id = uuid.uuid4().hex
        if previous is not None and previous.state == "pending" and previous.owner_alive():
            raise AlreadySubmittedError(
                f"{flow.name}: process {previous.owner} is submitting these bytes right now",
                hint="wait for it to finish; `fpcli pdp journal` shows the outcome",
            )
        if previous is not None and previous.state == "pending" and not self.force:
            # An earlier run died or gave up without knowing: ask the PA before anything is re-sent.
            found = self._lookup(previous.tracking_id)
            row = previous.id
            if found is not None:
                self.journal.finish(row, "submitted", flow_id=found["flowId"], detail="found by tracking id")
                return SubmitResult(
                    flow.name, flow.sha256, previous.tracking_id, found["flowId"], "recovered"
                )
            self.journal.finish(row, "failed", detail="not found on the PA by tracking id")
            previous = None
        if previous is not None and not self.force:
            raise AlreadySubmittedError(
                f"{flow.name}: these bytes were already submitted to {previous.target} on "
                f"{previous.created_at} (flow {previous.flow_id or '?'}, sha256 {flow.sha256[:12]}…)",
                hint="check with `fpcli pdp flows get FLOW_ID`; `--force` submits them again",
            )
        row = self.journal.begin(flow.sha256, flow.name, self.target, tracking_id)
        info = flow.flow_info(tracking_id, self.processing_rule)
        uncertain: RemoteUncertain | None = None
        for _ in range(UPLOAD_ATTEMPTS):
            try:
                answer = self.flows.submit(flow.data, flow.filename, flow.media_type, info)
            except RemoteUncertain as exc:
                uncertain = exc
                found = self._lookup(tracking_id)
                if found is not None:
                    self.journal.finish(
                        row, "submitted", flow_id=found["flowId"], detail=f"after: {exc.message}"
                    )
                    return SubmitResult(
                        flow.name, flow.sha256, tracking_id, found["flowId"], "recovered", detail=exc.message
                    )
                continue
            except FpcliError as exc:
                self.journal.finish(row, "failed", detail=exc.message)
                raise
            self.journal.finish(row, "submitted", flow_id=str(answer["flowId"]))
            return SubmitResult(flow.name, flow.sha256, tracking_id, str(answer["flowId"]))
        message = uncertain.message if uncertain else "unknown outcome"
        raise RemoteError(
            f"{flow.name}: submission outcome unknown after {UPLOAD_ATTEMPTS} attempts ({message})",
            hint=f"the journal keeps tracking id {tracking_id}: the next `pdp submit` of this file looks it "
            "up first",
        )

    def _lookup(self, tracking_id: str) -> dict[str, Any] | None:
        for delay in self.lookup_delays:
            if delay:
                self.sleep(delay)
            found = self.flows.find_by_tracking_id(tracking_id)
            if found is not None and found.get("flowId"):
                return found
        return None


def poll_until(
    done: Callable[[], bool],
    *,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    first_delay: float = 1.0,
    max_delay: float = 30.0,
) -> bool:
    """Call `done` with exponential backoff between calls until it is true or `timeout` passes."""
    deadline = clock() + timeout
    delay = first_delay
    while not done():
        remaining = deadline - clock()
        if remaining <= 0:
            return False
        sleep(min(delay, remaining))
        delay = min(delay * 2, max_delay)
    return True


def wait_for_ack(
    flows: FlowService,
    result: SubmitResult,
    *,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SubmitResult:
    """Poll the flow's metadata with backoff until its acknowledgement is Ok or Error, or `timeout` passes."""
    flow_id = result.flow_id
    if not flow_id:
        return result

    def final() -> bool:
        ack = flows.metadata(flow_id).get("acknowledgement") or {}
        result.ack_status = ack.get("status")
        result.ack_details = list(ack.get("details") or [])
        return result.ack_status in ACK_FINAL

    if not poll_until(final, timeout=timeout, sleep=sleep, clock=clock):
        result.detail = f"still {result.ack_status or 'unknown'} after {timeout:g} s"
    return result


@dataclass
class SubmitOptions:
    processing_rule: str | None = None
    syntax: str | None = None
    force: bool = False
    wait: bool = False
    wait_timeout: float = 600.0
    notify_url: str | None = None
    notify_secret: str | None = None
    jobs: int = 1
    check: bool = True  # `fpcli validate`'s rules before the upload (fpcli.validation.gate)


@dataclass
class SubmitBatch:
    pa: str
    results: list[SubmitResult] = field(default_factory=list)
    errors: list[tuple[str, FpcliError]] = field(default_factory=list)
    notify_error: str | None = None

    @property
    def exit_code(self) -> int:
        if self.errors:
            return int(self.errors[0][1].exit_code)
        return 1 if any(r.ack_status == "Error" for r in self.results) else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "pa": self.pa,
            "submitted": [r.to_dict() for r in self.results],
            "errors": [
                {"file": f, "error": e.message, "exit_code": int(e.exit_code)} for f, e in self.errors
            ],
            "notify_error": self.notify_error,
        }


def read_flows(
    paths: list[str],
    syntax: str | None,
    batch: SubmitBatch,
    on_done: Callable[[object], None] | None,
    *,
    check: bool = True,
) -> list[FlowFile]:
    """Read and classify every file first; unreadable ones, invalid ones (with `check`) and repeats of the
    same bytes become errors."""
    from fpcli.fileio import read_input
    from fpcli.remote.flowinfo import classify

    flows: list[FlowFile] = []
    first: dict[str, str] = {}
    for path in paths:
        try:
            flow = classify(path, read_input(path), syntax=syntax)
            if flow.sha256 in first:  # two uploads of one invoice in one batch would race the journal
                raise AlreadySubmittedError(f"{path}: same bytes as {first[flow.sha256]} in this batch")
            first[flow.sha256] = path
            if check:
                from fpcli.validation.gate import check_flow

                check_flow(path, flow.data, flow.syntax)
            flows.append(flow)
        except FpcliError as exc:
            batch.errors.append((path, exc))
            if on_done is not None:
                on_done(path)
    return flows


def _map(fn: Callable[[FlowFile], Any], items: list[FlowFile], jobs: int) -> list[Any]:
    """`fn` over `items`, in order; in `jobs` threads (HTTP waits, no engine runs here)."""
    if jobs <= 1 or len(items) <= 1:
        return [fn(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="fpcli-submit") as pool:
        return list(pool.map(fn, items))


def submit_files(
    session: Any,
    paths: list[str],
    options: SubmitOptions,
    on_done: Callable[[object], None] | None = None,
) -> SubmitBatch:
    """Submit each file (one bad file does not stop the others), optionally wait and notify."""
    if options.notify_url and not options.notify_secret:
        raise UsageError(
            "`--notify` needs a signing secret",
            hint="set FPCLI_NOTIFY_SECRET to the key the receiver checks",
        )
    batch = SubmitBatch(session.journal_target)
    flows = read_flows(paths, options.syntax, batch, on_done, check=options.check)

    def one(flow: FlowFile) -> SubmitResult | FpcliError:
        journal = Journal()  # one SQLite connection per thread
        try:
            submitter = Submitter(
                session.flows, journal, session.journal_target, options.processing_rule, options.force
            )
            result = submitter.submit(flow)
            if options.wait:
                wait_for_ack(session.flows, result, timeout=options.wait_timeout)
            return result
        except FpcliError as exc:
            return exc
        finally:
            journal.close()
            if on_done is not None:
                on_done(flow.name)

    for flow, outcome in zip(flows, _map(one, flows, options.jobs), strict=True):
        if isinstance(outcome, FpcliError):
            batch.errors.append((flow.name, outcome))
        else:
            batch.results.append(outcome)
    if options.notify_url and options.notify_secret:
        from fpcli.remote.webhooks import notify

        try:
            notify(
                session.http,
                options.notify_url,
                {"event": "fpcli.pdp.submit", **batch.to_dict()},
                options.notify_secret,
            )
        except FpcliError as exc:  # the submissions stand; a lost notification must not hide them
            batch.notify_error = exc.message
    return batch
