"""Submitting flows to a PA exactly once, and waiting for them.

1. The journal claims the file for this PA atomically (journal.py): already submitted -> refused unless
   `force`; claimed by a live process -> refused; left by a dead one or uncertain -> looked up first.
2. The claim is marked "sent" just before the upload.
3. A PA that answers 429 or 503 did not take the upload: the HTTP base sends it again, bounded, after the
   Retry-After it asks for (http.py). Still refused at the end: the row is failed, a later submit may send it.
4. If the upload's outcome is unknown (a timeout once the request was sent, a dropped connection, 500, 502,
   504, an unreadable 2xx), the PA is asked before anything is sent again (reconciliation): its Flow Service
   search by tracking id, with backoff, for `FPCLI_LOOKUP_WAIT` seconds counted from the failed request's end
   (the longest a PA may take to show a flow it received). A result counts only when its trackingId and name
   (and sha256 when the PA shows it) are ours: a PA that ignores the filter must not make a lost invoice look
   "recovered".
   - found -> `recovered`, nothing is sent again;
   - proven absent (every search of the whole window answered, honoured the filter -- no other tracking id
     among the results -- and showed no flow with our tracking id) -> `uncertain` by default; sent once more,
     under the same tracking id, only with `FPCLI_RESEND_ABSENT=1`: a PA whose search lags behind its intake
     by more than the window would otherwise get the invoice twice, and "exactly once" comes before
     "eventually sent" (the user decides with `pdp journal --resolve`, or a later run finds it);
   - anything else (a search failed, the PA ignores the filter, a flow with our tracking id but other
     content, `FPCLI_LOOKUP_WAIT=0`, or the second upload is unknown too) -> the row is `uncertain`: nothing
     is re-sent, the run exits non-zero, `pdp journal --resolve` decides.
   Only a definite refusal (4xx, or 429/503 to the end, nothing taken) marks the row failed.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fpcli.errors import FpcliError, RemoteError, UsageError
from fpcli.remote.afnor import ACK_FINAL, FlowService
from fpcli.remote.flowinfo import FlowFile
from fpcli.remote.http import RemoteUncertain, env_number
from fpcli.remote.journal import AlreadySubmittedError, Entry, Journal

__all__ = ["AlreadySubmittedError", "SubmissionUncertainError", "Submitter"]

LOOKUP_WAIT = 30.0  # seconds a PA may take to show a flow in its search after creating it
LOOKUP_WAIT_ENV = "FPCLI_LOOKUP_WAIT"
LOOKUP_PAGES = 20  # a PA that ignores the trackingId filter is searched this far, no further


RESEND_ABSENT_ENV = "FPCLI_RESEND_ABSENT"


def lookup_wait() -> float:
    return env_number(LOOKUP_WAIT_ENV, LOOKUP_WAIT, zero_ok=True)


def resend_absent() -> bool:
    """Whether an upload of unknown outcome that the PA's search proves absent is sent once more (opt-in)."""
    return os.environ.get(RESEND_ABSENT_ENV, "").strip().lower() in {"1", "true", "yes"}


class SubmissionUncertainError(RemoteError):
    """The file may or may not have reached the destination; nothing more is sent until someone decides."""

    @classmethod
    def for_entry(cls, entry: Entry, why: str) -> SubmissionUncertainError:
        return cls(
            f"{entry.file}: may or may not have reached {entry.target} ({why}); not sent again, journal "
            f"entry {entry.id} is uncertain",
            hint=f"check the destination, then `fpcli pdp journal --resolve {entry.id} --flow-id ID` (it "
            f"arrived) or `--absent` (it did not); the next submit of this file looks it up again",
        )


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


@dataclass(frozen=True)
class Lookup:
    """What the PA's search says of a flow: `found` (the PA's flow), or `absent` (proven: every search of
    the whole window answered and honoured the tracking-id filter, none showed it), or neither (unknown)."""

    found: dict[str, Any] | None
    absent: bool
    why: str


@dataclass
class Submitter:
    flows: FlowService
    journal: Journal
    target: str  # the PA, as recorded in the journal (profile/pa and URL)
    processing_rule: str | None = None
    force: bool = False
    sleep: Callable[[float], None] = time.sleep
    lookup_wait: float = LOOKUP_WAIT
    clock: Callable[[], float] = time.monotonic
    resend_absent: bool = field(default_factory=resend_absent)

    def submit(self, flow: FlowFile) -> SubmitResult:
        claim = self.journal.claim(flow.sha256, flow.name, self.target, uuid.uuid4().hex, force=self.force)
        entry = claim.entry
        if not claim.fresh:
            # An earlier run died after sending, or could not tell: ask the PA before anything is re-sent.
            lookup = self._lookup(entry.tracking_id, flow)
            if lookup.found is not None:
                return self._recovered(
                    flow, entry, lookup.found, "found by tracking id after an interrupted run"
                )
            if lookup.absent and self.resend_absent:  # it did not arrive: this is the one re-send it gets
                return self._upload(flow, entry, resend=f"an earlier attempt did not arrive ({lookup.why})")
            if not self.force:
                self.journal.finish(entry.id, "uncertain", detail=_uncertain("not found on the PA", lookup))
                raise SubmissionUncertainError.for_entry(entry, "an earlier attempt got no answer")
            self.journal.finish(entry.id, "failed", detail="not found on the PA; sent again with --force")
            entry = self.journal.claim(
                flow.sha256, flow.name, self.target, uuid.uuid4().hex, force=True
            ).entry
        return self._upload(flow, entry)

    def _upload(self, flow: FlowFile, entry: Entry, resend: str | None = None) -> SubmitResult:
        """Send under `entry`; `resend` says why this is the second upload (after a proven absence)."""
        info = flow.flow_info(entry.tracking_id, self.processing_rule)
        self.journal.mark_sent(entry.id)
        try:
            answer = self.flows.submit(flow.data, flow.filename, flow.media_type, info)
        except RemoteUncertain as exc:
            return self._reconcile(flow, entry, exc.message, may_resend=resend is None)
        except FpcliError as exc:  # a definite refusal: the PA did not take it
            self.journal.finish(entry.id, "failed", detail=exc.message)
            raise
        flow_id = str(answer["flowId"])
        detail = f"sent again: {resend}" if resend else None
        self.journal.finish(entry.id, "submitted", flow_id=flow_id, detail=detail)
        return SubmitResult(flow.name, flow.sha256, entry.tracking_id, flow_id, detail=detail)

    def _reconcile(self, flow: FlowFile, entry: Entry, why: str, *, may_resend: bool) -> SubmitResult:
        """The upload's outcome is unknown: found on the PA, proven absent (sent once more), or uncertain."""
        lookup = self._lookup(entry.tracking_id, flow)
        if lookup.found is not None:
            return self._recovered(flow, entry, lookup.found, f"after: {why}")
        if lookup.absent and may_resend and self.resend_absent:
            return self._upload(flow, entry, resend=f"after: {why}; {lookup.why}")
        self.journal.finish(entry.id, "uncertain", detail=_uncertain(why, lookup))
        raise SubmissionUncertainError.for_entry(entry, why) from None

    def _recovered(self, flow: FlowFile, entry: Entry, found: dict[str, Any], detail: str) -> SubmitResult:
        flow_id = str(found["flowId"])
        self.journal.finish(entry.id, "submitted", flow_id=flow_id, detail=detail)
        return SubmitResult(flow.name, flow.sha256, entry.tracking_id, flow_id, "recovered", detail=detail)

    def _lookup(self, tracking_id: str, flow: FlowFile) -> Lookup:
        """The PA's flow with our tracking id, name and bytes, searched with backoff for `lookup_wait` s;
        or whether the searches prove it absent."""
        found: list[dict[str, Any]] = []
        name = flow.flow_info(tracking_id, None)["name"]
        seen = {"searches": 0, "failed": 0, "other ids": 0, "other content": 0}

        def matches(candidate: dict[str, Any]) -> bool:
            return (
                bool(candidate.get("flowId"))
                and candidate.get("name") == name
                and candidate.get("sha256") in (None, flow.sha256)
            )

        def search() -> bool:
            seen["searches"] += 1
            try:
                results = list(self.flows.search_all({"trackingId": tracking_id}, max_pages=LOOKUP_PAGES))
            except FpcliError:
                seen["failed"] += 1
                return False  # a failing search proves nothing: try again until the time is up
            for f in results:
                if not isinstance(f, dict) or f.get("trackingId") != tracking_id:
                    seen["other ids"] += 1  # the PA ignores the filter: its "no" would prove nothing
                elif matches(f):
                    found.append(f)
                else:
                    seen["other content"] += 1
            return bool(found)

        if self.lookup_wait > 0:
            poll_until(search, timeout=self.lookup_wait, sleep=self.sleep, clock=self.clock)
        if found:
            return Lookup(found[0], absent=False, why="found")
        n = seen["searches"]
        if n == 0:
            return Lookup(None, absent=False, why=f"not looked up ({LOOKUP_WAIT_ENV}=0)")
        if seen["failed"]:
            return Lookup(None, absent=False, why=f"{seen['failed']} of {n} searches failed")
        if seen["other ids"]:
            return Lookup(None, absent=False, why="the PA's search does not filter by tracking id")
        if seen["other content"]:
            return Lookup(None, absent=False, why="the PA holds this tracking id with other content")
        return Lookup(None, absent=True, why=f"not on the PA: {n} searches over {self.lookup_wait:g} s")


def _uncertain(why: str, lookup: Lookup) -> str:
    hint = f" ({RESEND_ABSENT_ENV}=1 would send it again)" if lookup.absent else ""
    return f"{why}; {lookup.why}{hint}"


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
    lookup_wait: float = LOOKUP_WAIT


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

    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="fpcli-submit")
    try:
        return list(pool.map(fn, items))
    finally:
        # Interrupted: uploads in flight finish and are journalled, queued files are not started.
        pool.shutdown(wait=True, cancel_futures=True)


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
                session.flows,
                journal,
                session.journal_target,
                options.processing_rule,
                options.force,
                lookup_wait=options.lookup_wait,
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
