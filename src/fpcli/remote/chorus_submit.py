"""Depositing invoices on Chorus Pro exactly once, or saying it may not have been.

Same journal as `pdp submit` (atomic claim per file and destination, marked sent before the upload). Chorus
Pro's deposit takes no client tracking id, so an upload whose outcome is unknown cannot be looked up reliably
(integration is asynchronous): fpcli marks it uncertain and sends nothing more until the user checked and
chose (`pdp journal --resolve`, or `--force`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fpcli.errors import FpcliError
from fpcli.remote.chorus import FINAL_STATES, ChorusClient
from fpcli.remote.flowinfo import FlowFile
from fpcli.remote.http import RemoteUncertain
from fpcli.remote.journal import Journal, destination
from fpcli.remote.submit import SubmissionUncertainError, SubmitBatch, SubmitResult, poll_until, read_flows


def deposit(client: ChorusClient, journal: Journal, flow: FlowFile, *, force: bool) -> SubmitResult:
    target = destination("chorus", client.target.api_url)
    entry = journal.claim(flow.sha256, flow.name, target, "-", force=force, verb="deposited").entry
    if entry.sent_at is not None:  # an earlier deposit got no answer: only the user can tell
        if not force:
            journal.finish(entry.id, "uncertain", detail=entry.detail or "an earlier deposit got no answer")
            raise SubmissionUncertainError.for_entry(entry, "an earlier deposit got no answer")
        journal.finish(entry.id, "failed", detail="deposited again with --force")
        entry = journal.claim(flow.sha256, flow.name, target, "-", force=True, verb="deposited").entry
    journal.mark_sent(entry.id)
    try:
        answer = client.deposit(flow.data, flow.filename, flow.syntax)
    except RemoteUncertain as exc:
        journal.finish(entry.id, "uncertain", detail=exc.message)
        raise SubmissionUncertainError.for_entry(entry, exc.message) from None
    except FpcliError as exc:
        journal.finish(entry.id, "failed", detail=exc.message)
        raise
    number = str(answer["numeroFluxDepot"])
    journal.finish(entry.id, "submitted", flow_id=number)
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
    batch = SubmitBatch(destination("chorus", client.target.api_url))
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
