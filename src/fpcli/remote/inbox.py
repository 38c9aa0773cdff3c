"""`fpcli pdp inbox`: fetch the invoices received since the last run, check them, keep them with a readable
view, and optionally answer each with a lifecycle status, never fetching or answering one twice.

State per profile and PA (a JSON file under the user data dir, written atomically): a cursor (the latest
`updatedAt` seen) and every flow already handled with what was done. The search starts a margin before the
cursor (AFNOR's `updatedAfter` is strict and a PA may index a flow late); flows already in the state are
skipped. An answer is marked `answering` before it is sent and `answered` after: a run that died in between
leaves `answering`, which is reported and never re-sent on its own.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpcli.errors import FpcliError, UsageError
from fpcli.fileio import write_output
from fpcli.remote.afnor import FlowService
from fpcli.remote.submit import SubmitBatch

SCHEMA_VERSION = 1
MARGIN = dt.timedelta(minutes=10)
INCOMING = {"flowDirection": ["In"], "flowType": ["SupplierInvoice"]}
ANSWERS = ("204", "205")  # statuses a buyer sends on receipt: 204 taken over, 205 approved

# (path of a CDAR message, flow name) -> the submission batch of `pdp submit`
SubmitAnswer = Callable[[list[str]], SubmitBatch]


def state_path(profile: str | None, pa: str) -> Path:
    from platformdirs import user_data_path

    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{profile or 'env'}-{pa}")
    return user_data_path("fpcli") / "inbox" / f"{safe}.json"


@dataclass
class InboxState:
    path: Path
    cursor: str | None = None
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> InboxState:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            raise UsageError(
                f"{path}: the inbox state cannot be read ({exc})",
                hint="it records what was fetched and answered: restore it rather than delete it",
            ) from None
        return cls(path, raw.get("cursor"), dict(raw.get("flows") or {}))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"schema_version": SCHEMA_VERSION, "cursor": self.cursor, "flows": self.flows}
        write_output(self.path, json.dumps(payload, indent=1, sort_keys=True).encode(), force=True)


@dataclass(frozen=True)
class InboxRequest:
    folder: Path
    ack: str | None = None  # status sent for each valid invoice (204, 205)
    refuse_invalid: str | None = None  # reason code of a 210 sent for each invalid invoice
    since: str | None = None  # first run: fetch what was updated after this date-time (default: everything)


@dataclass
class InboxItem:
    flow_id: str
    file: str | None = None
    view: str | None = None
    invoice_number: str | None = None
    valid: bool | None = None
    errors: int = 0
    answer: str | None = None  # status code sent
    answer_flow_id: str | None = None
    state: str = "fetched"  # fetched | answered | answering (outcome unknown) | failed
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow_id": self.flow_id,
            "file": self.file,
            "view": self.view,
            "invoice_number": self.invoice_number,
            "valid": self.valid,
            "errors": self.errors,
            "answer": self.answer,
            "answer_flow_id": self.answer_flow_id,
            "state": self.state,
            "error": self.error,
        }


@dataclass
class InboxResult:
    items: list[InboxItem]
    skipped: int  # flows already handled by an earlier run
    cursor: str | None
    pending_answers: list[str]  # flows whose answer was being sent when an earlier run stopped

    @property
    def exit_code(self) -> int:
        failed = [i for i in self.items if i.state == "failed"]
        return 4 if failed else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "fetched": [i.to_dict() for i in self.items],
            "skipped": self.skipped,
            "cursor": self.cursor,
            "pending_answers": self.pending_answers,
        }


def _check_request(request: InboxRequest) -> None:
    if request.ack is not None and request.ack not in ANSWERS:
        raise UsageError(f"`--ack {request.ack}`: not a receipt status", hint=f"one of {', '.join(ANSWERS)}")
    if request.refuse_invalid is not None:
        from fpcli.lifecycle.statuses import status

        reasons = status("210").reasons
        if request.refuse_invalid not in reasons:  # before anything is fetched: no answer half-made
            raise UsageError(
                f"`--refuse-invalid {request.refuse_invalid}`: not a refusal reason",
                hint=f"one of {', '.join(sorted(reasons))}",
            )
    if request.folder.exists() and not request.folder.is_dir():
        raise UsageError(f"`{request.folder}` is a file: the inbox needs a directory")


def _since(state: InboxState, request: InboxRequest) -> str:
    if state.cursor:
        start = dt.datetime.fromisoformat(state.cursor.replace("Z", "+00:00")) - MARGIN
        return start.strftime("%Y-%m-%dT%H:%M:%SZ")
    return request.since or "1970-01-01T00:00:00Z"


def _fetch(flows: FlowService, flow: dict[str, Any], folder: Path, item: InboxItem) -> bytes:
    from fpcli.view.run import ViewRequest, make_view

    original = flows.download(item.flow_id, "Original")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", original.filename or flow.get("name") or "invoice.xml")
    path = folder / f"{item.flow_id}-{name}"
    write_output(path, original.content, force=True)  # the same flow's bytes: rewriting after a crash is safe
    item.file = str(path)
    view = make_view(ViewRequest([str(path)]))  # reads and checks it as `fpcli validate` would
    doc = view.docs[0]
    if doc.invoice is not None:
        item.invoice_number = doc.invoice.number
    report = doc.report
    item.valid = bool(report and report.valid)
    item.errors = len(report.errors) if report else 0
    view_path = path.with_name(path.name + ".html")
    write_output(view_path, view.payload, force=True)
    item.view = str(view_path)
    return original.content


def _answer(
    data: bytes, item: InboxItem, request: InboxRequest, state: InboxState, submit: SubmitAnswer
) -> None:
    from fpcli.lifecycle.create import CreateRequest, create_message

    if item.valid and request.ack:
        create = CreateRequest(request.ack)
    elif not item.valid and request.refuse_invalid:
        create = CreateRequest("210", reason=request.refuse_invalid)
    else:
        return
    message = create_message(data, str(item.file), create)
    path = Path(str(item.file)).with_name(f"{item.flow_id}-cdar-{create.status}.xml")
    write_output(path, message.xml, force=True)
    state.flows[item.flow_id].update(state="answering", answer=create.status)
    state.save()  # before the upload: a crash now leaves `answering`, never a second answer
    batch = submit([str(path)])
    if batch.errors:
        _, exc = batch.errors[0]
        item.state, item.error = "answering", exc.message
        return
    item.answer, item.answer_flow_id, item.state = create.status, batch.results[0].flow_id, "answered"
    state.flows[item.flow_id].update(state="answered", answer_flow_id=item.answer_flow_id)
    state.save()


def fetch_inbox(
    flows: FlowService, state: InboxState, request: InboxRequest, submit: SubmitAnswer | None = None
) -> InboxResult:
    """Every incoming invoice not handled yet: fetched, checked, viewed, answered when asked."""
    _check_request(request)
    request.folder.mkdir(parents=True, exist_ok=True)
    pending = [fid for fid, f in state.flows.items() if f.get("state") == "answering"]
    where = {**INCOMING, "updatedAfter": _since(state, request)}
    items: list[InboxItem] = []
    skipped = 0
    latest = state.cursor
    for flow in flows.search_all(where):
        flow_id = str(flow.get("flowId") or "")
        updated = flow.get("updatedAt")
        if isinstance(updated, str) and (latest is None or updated > latest):
            latest = updated
        if not flow_id or flow_id in state.flows:
            skipped += bool(flow_id)
            continue
        item = InboxItem(flow_id)
        items.append(item)
        try:
            data = _fetch(flows, flow, request.folder, item)
        except FpcliError as exc:
            item.state, item.error = "failed", exc.message
            continue  # not recorded: the next run tries it again
        state.flows[flow_id] = {"state": "fetched", "file": item.file, "updatedAt": updated}
        state.save()
        if submit is not None:
            try:
                _answer(data, item, request, state, submit)
            except FpcliError as exc:  # the invoice is kept; its answer could not be made
                item.error = exc.message
    state.cursor = latest
    state.save()
    return InboxResult(items, skipped, latest, pending)
