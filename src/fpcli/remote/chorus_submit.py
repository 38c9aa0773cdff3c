"""Depositing invoices on Chorus Pro without ever depositing the same one twice by accident.

Same journal as `pdp submit` (SHA-256 of the bytes, row written before the upload). Chorus Pro's deposit takes
no client tracking id, so an upload whose outcome is unknown cannot be looked up reliably (integration is
asynchronous): fpcli leaves it pending and refuses to send it again until the user checked and chose
`--force`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fpcli.errors import FpcliError, RemoteError
from fpcli.remote.chorus import FINAL_STATES, ChorusClient
from fpcli.remote.flowinfo import FlowFile
from fpcli.remote.http import RemoteUncertain
from fpcli.remote.journal import Journal
from fpcli.remote.submit import AlreadySubmittedError, SubmitBatch, SubmitResult, poll_until, read_flows


def deposit(client: ChorusClient, journal: Journal, flow: FlowFile, *, force: bool) -> SubmitResult:
    target = f"chorus:{client.target.label}"
    previous = journal.latest(flow.sha256)
    if previous is not None and not force:
        if previous.state == "pending":
            raise AlreadySubmittedError(
                f"{flow.name}: an earlier deposit of these bytes ({previous.created_at}, {previous.target}) "
                "ended without an answer; it may have been received",
                hint="look for it with `fpcli chorus invoices search --number …`; if absent, `--force` "
                "deposits again",
            )
        raise AlreadySubmittedError(
            f"{flow.name}: these bytes were already deposited on {previous.target} on {previous.created_at} "
            f"(flux {previous.flow_id or '?'})",
            hint="`fpcli chorus status FLUX` shows its deposit report; `--force` deposits again",
        )
    row = journal.begin(flow.sha256, flow.name, target, "-")
    try:
        answer = client.deposit(flow.data, flow.filename, flow.syntax)
    except RemoteUncertain as exc:
        journal.finish(row, "pending", detail=exc.message)
        raise RemoteError(
            f"{flow.name}: deposit outcome unknown ({exc.message})",
            hint="check `fpcli chorus invoices search` before depositing again with `--force`",
        ) from None
    except FpcliError as exc:
        journal.finish(row, "failed", detail=exc.message)
        raise
    number = str(answer["numeroFluxDepot"])
    journal.finish(row, "submitted", flow_id=number)
    return SubmitResult(flow.name, flow.sha256, "-", number)


def wait_for_report(
    client: ChorusClient,
    result: SubmitResult,
    *,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SubmitResult:
    """Poll the deposit report until the flux is integrated or rejected, or `timeout` passes."""
    flux = result.flow_id
    if not flux:
        return result

    def final() -> bool:
        report = client.deposit_report(flux)
        state = str(report.get("etatCourantFlux") or report.get("etatCourantDepotFlux") or "")
        result.ack_status = (
            "Error" if state == "IN_REJETE" else ("Ok" if state in FINAL_STATES else "Pending")
        )
        result.detail = state
        result.ack_details = [
            {"level": "Error", "item": e.get("identifiantFacture", "-"), "reasonCode": e.get("codeErreur"),
             "reasonMessage": e.get("libelleErreur")}
            for e in report.get("listeErreurs") or []
        ]  # fmt: skip
        return state in FINAL_STATES

    poll_until(final, timeout=timeout, sleep=sleep, clock=clock)
    return result


def deposit_files(
    client: ChorusClient,
    paths: list[str],
    *,
    force: bool,
    wait: bool,
    wait_timeout: float,
    on_done: Callable[[object], None] | None = None,
    check: bool = True,
) -> SubmitBatch:
    batch = SubmitBatch(f"chorus:{client.target.label}")
    flows = read_flows(paths, None, batch, on_done, check=check)
    journal = Journal()
    try:
        for flow in flows:
            try:
                result = deposit(client, journal, flow, force=force)
                if wait:
                    wait_for_report(client, result, timeout=wait_timeout)
                batch.results.append(result)
            except FpcliError as exc:
                batch.errors.append((flow.name, exc))
            if on_done is not None:
                on_done(flow.name)
    finally:
        journal.close()
    return batch


def summary(report: dict[str, Any]) -> str:
    state = report.get("etatCourantFlux") or report.get("etatCourantDepotFlux") or "?"
    return f"{report.get('numeroFluxDepot', '?')}: {state}"
