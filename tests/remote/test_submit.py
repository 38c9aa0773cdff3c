"""Submitting flows under faults: fpcli succeeds or fails clearly, and the PA never holds a duplicate flow."""

from __future__ import annotations

import pytest

from fpcli.errors import ExitCode, RemoteError
from fpcli.remote.flowinfo import classify
from fpcli.remote.journal import Journal
from fpcli.remote.pa import PASession
from fpcli.remote.submit import AlreadySubmittedError, SubmissionUncertainError, Submitter, wait_for_ack
from tests.remote.pa_server import PAServer


def _valid_invoice() -> bytes:
    """A CII that passes every rule `pdp submit` checks before uploading (the bundled services example)."""
    from fpcli.cii.profile import Profile
    from fpcli.cii.writer import to_cii
    from fpcli.model.load import load_invoices
    from fpcli.model.totals import compute
    from tests.conftest import EXAMPLES

    inv = load_invoices((EXAMPLES / "invoice-services.yaml").read_bytes(), "services.yaml")[0]
    return to_cii(inv, Profile.EN16931, compute(inv)).xml.replace(b"FA-2026-0042", b"F-%d")


INVOICE = _valid_invoice()


def invoice(n: int, marker: bytes = b"") -> bytes:
    """A small CII whose invoice number carries the test PA's behaviour markers (REJECT-ME, ERROR-ME)."""
    return INVOICE.replace(b"F-%d", b"F-" + str(n).encode() + marker)


class FakeTime:
    """A clock that moves only when slept on: look-up backoffs run instantly and can be checked."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def submitter(session: PASession, **kwargs: object) -> Submitter:
    time = FakeTime()
    return Submitter(
        session.flows,
        Journal(),
        session.journal_target,
        lookup_wait=5.0,
        sleep=time.sleep,
        clock=time.clock,
        **kwargs,
    )  # type: ignore[arg-type]


def test_submit_sends_flow_info_and_records_the_flow(session: PASession, pa_server: PAServer) -> None:
    flow = classify("f1.xml", invoice(1))
    assert (flow.syntax, flow.profile, flow.media_type) == ("CII", "Basic", "application/xml")
    result = submitter(session, processing_rule="B2B").submit(flow)
    assert result.status == "submitted"
    created = pa_server.state.created
    assert len(created) == 1 and created[0]["flowId"] == result.flow_id
    assert created[0]["trackingId"] == result.tracking_id and created[0]["processingRule"] == "B2B"
    entry = Journal().latest(flow.sha256)
    assert entry is not None and entry.state == "submitted" and entry.flow_id == result.flow_id


def test_same_bytes_are_refused_unless_forced(session: PASession, pa_server: PAServer) -> None:
    flow = classify("f2.xml", invoice(2))
    submitter(session).submit(flow)
    with pytest.raises(AlreadySubmittedError) as info:
        submitter(session).submit(flow)
    assert info.value.exit_code == ExitCode.USAGE and "already submitted" in info.value.message
    assert "--force" in (info.value.hint or "")
    assert len(pa_server.state.created) == 1
    # --force is the explicit way to send the same bytes again (the fixture's duplicate check is lifted)
    submitter(session, force=True).submit(flow)
    assert len(pa_server.state.created) == 2
    pa_server.state.created.pop()


# fault on the upload -> (result status, uploads): the PA stored the flow and the answer was lost (found by
# the reconciliation search, never sent again); or it said it did not take it (429, 503: sent again at once);
# or it did not store it and fpcli cannot tell (500, a timeout: the search proves it absent, sent once more
# with FPCLI_RESEND_ABSENT=1, the mode tested here; by default it stays uncertain, tested below).
UPLOAD_FAULTS = {
    "slow": ("recovered", 1), "500_after": ("recovered", 1), "drop": ("recovered", 1),
    "429": ("submitted", 2), "503": ("submitted", 2), "expire_token": ("submitted", 2),
    "500": ("submitted", 2), "slow_unprocessed": ("submitted", 2),
}  # fmt: skip


@pytest.mark.parametrize("fault", sorted(UPLOAD_FAULTS))
def test_faults_on_upload_never_duplicate(session: PASession, pa_server: PAServer, fault: str) -> None:
    pa_server.state.faults["createFlow"].append(fault)
    flow = classify(f"{fault}.xml", invoice(3))
    result = submitter(session, resend_absent=True).submit(flow)
    created = [f for f in pa_server.state.created if f["sha256"] == flow.sha256]
    assert len(created) == 1, f"{fault}: {len(created)} flows created"
    assert result.flow_id == created[0]["flowId"]
    status, uploads = UPLOAD_FAULTS[fault]
    assert result.status == status
    assert pa_server.state.calls.count("createFlow") == uploads, pa_server.state.calls
    entry = Journal().latest(flow.sha256)
    assert entry is not None and entry.state == "submitted" and entry.flow_id == result.flow_id
    if fault in ("500", "slow_unprocessed"):  # a second upload only after the search proved it absent
        calls = pa_server.state.calls
        first, second = (i for i, c in enumerate(calls) if c == "createFlow")
        assert "searchFlows" in calls[first:second]
        assert "sent again" in (entry.detail or "") and "not on the PA" in (entry.detail or "")


def test_503_to_the_end_is_a_refusal_not_uncertain(session: PASession, pa_server: PAServer) -> None:
    flow = classify("busy.xml", invoice(12))
    pa_server.state.faults["createFlow"] += ["503"] * 4  # 1 + 3 retries, each "not taken"
    with pytest.raises(RemoteError) as info:
        submitter(session).submit(flow)
    assert not isinstance(info.value, SubmissionUncertainError) and "HTTP 503" in info.value.message
    assert pa_server.state.created == [] and "searchFlows" not in pa_server.state.calls
    assert Journal().latest(flow.sha256) is None  # failed: the next submit sends it
    assert submitter(session).submit(flow).status == "submitted" and len(pa_server.state.created) == 1


def test_long_retry_after_on_upload_is_not_waited(session: PASession, pa_server: PAServer) -> None:
    from fpcli.remote.http import HttpSettings

    flow = classify("later.xml", invoice(13))
    session.http.settings = HttpSettings(timeout=0.5, connect_timeout=0.5, retries=3, max_retry_after=0.5)
    pa_server.state.faults["createFlow"].append("429")  # Retry-After: 1
    with pytest.raises(RemoteError, match="HTTP 429, the service asks to wait 1 s; try later"):
        submitter(session).submit(flow)
    assert pa_server.state.created == [] and Journal().latest(flow.sha256) is None


def test_definite_refusal_is_reported_and_allows_a_corrected_retry(
    session: PASession, pa_server: PAServer
) -> None:
    bad = classify("bad.xml", invoice(4, b"REJECT-ME"))
    with pytest.raises(RemoteError) as info:
        submitter(session).submit(bad)
    assert info.value.exit_code == ExitCode.REMOTE
    assert "HTTP 422 INVALID_FLOW: the file cannot be processed" in info.value.message
    assert Journal().latest(bad.sha256) is None  # a refused upload does not block the next one


def test_unknown_outcome_proven_absent_is_sent_once_more(session: PASession, pa_server: PAServer) -> None:
    flow = classify("lost.xml", invoice(5))
    pa_server.state.faults["createFlow"].append("500")  # refused before recording, but fpcli cannot know
    first = submitter(session, resend_absent=True)
    result = first.submit(flow)
    # searched with backoff over the whole 5 s window before the second upload, which took
    assert first.sleep.__self__.sleeps == [1.0, 2.0, 2.0]  # type: ignore[attr-defined]
    assert result.status == "submitted" and len(pa_server.state.created) == 1
    assert pa_server.state.calls.count("createFlow") == 2
    assert pa_server.state.created[0]["trackingId"] == result.tracking_id  # the same tracking id
    with pytest.raises(AlreadySubmittedError):
        submitter(session).submit(flow)


@pytest.mark.parametrize("fault", ["500", "slow_unprocessed"])
def test_by_default_an_unknown_outcome_proven_absent_is_not_sent_again(
    session: PASession, pa_server: PAServer, fault: str
) -> None:
    """Without FPCLI_RESEND_ABSENT=1 a PA whose search lags behind its intake can never get the invoice twice:
    the entry is uncertain, says how to send it again, and a rerun does not send it either."""
    flow = classify("lost.xml", invoice(15))
    pa_server.state.faults["createFlow"].append(fault)
    for _ in range(2):
        with pytest.raises(SubmissionUncertainError):
            submitter(session).submit(flow)
    assert pa_server.state.calls.count("createFlow") == 1 and pa_server.state.created == []
    entry = Journal().latest(flow.sha256)
    assert entry is not None and entry.state == "uncertain"
    assert "not on the PA" in (entry.detail or "") and "FPCLI_RESEND_ABSENT=1" in (entry.detail or "")


@pytest.mark.parametrize(
    ("search", "why"),
    [
        (["500"] * 40, "searches failed"),  # the search is down for the whole look-up
        (["ignore_filters"], "does not filter by tracking id"),
    ],
)
def test_unknown_outcome_is_uncertain_until_found_or_decided(
    session: PASession, pa_server: PAServer, search: list[str], why: str
) -> None:
    submitter(session).submit(classify("other.xml", invoice(14)))  # a flow with another tracking id
    flow = classify("lost.xml", invoice(5))
    pa_server.state.faults["createFlow"].append("500")  # refused before recording, but fpcli cannot know
    if search == ["ignore_filters"]:
        pa_server.state.ignore_filters = True
    else:
        pa_server.state.faults["searchFlows"] += search
    with pytest.raises(SubmissionUncertainError) as info:
        submitter(session).submit(flow)
    assert info.value.exit_code == ExitCode.REMOTE and "may or may not have reached" in info.value.message
    assert "--resolve 2 --flow-id" in (info.value.hint or "")
    entry = Journal().latest(flow.sha256)
    assert entry is not None and entry.state == "uncertain" and entry.sent_at is not None
    assert why in (entry.detail or "")
    # a rerun looks it up again, cannot tell either, does not send it, and stays uncertain
    with pytest.raises(SubmissionUncertainError):
        submitter(session).submit(flow)
    assert pa_server.state.calls.count("createFlow") == 2 and len(pa_server.state.created) == 1
    # the user checked the PA: absent. The next submit sends it, once.
    assert Journal().resolve(entry.id, None).state == "failed"
    pa_server.state.faults["searchFlows"].clear()
    result = submitter(session).submit(flow)
    assert result.status == "submitted" and len(pa_server.state.created) == 2
    with pytest.raises(AlreadySubmittedError):
        submitter(session).submit(flow)


def test_uncertain_row_found_later_is_recovered(session: PASession, pa_server: PAServer) -> None:
    flow = classify("late.xml", invoice(11))
    pa_server.state.faults["createFlow"].append("drop")
    pa_server.state.faults["searchFlows"] += ["500"] * 40  # the search is down for the whole look-up
    with pytest.raises(SubmissionUncertainError):
        submitter(session).submit(flow)
    pa_server.state.faults["searchFlows"].clear()
    result = submitter(session).submit(flow)  # the next run finds it: recovered, not sent again
    assert result.status == "recovered" and result.flow_id == pa_server.state.created[0]["flowId"]
    assert pa_server.state.calls.count("createFlow") == 1


def test_pending_entry_found_on_the_pa_is_not_sent_again(session: PASession, pa_server: PAServer) -> None:
    flow = classify("crash.xml", invoice(6))
    first = submitter(session).submit(flow)
    journal = Journal()
    # simulate a crash between upload and answer: the journal still says pending
    journal.db.execute("UPDATE submissions SET state = 'pending', flow_id = NULL")  # sent_at stays set
    result = submitter(session).submit(flow)
    assert result.status == "recovered" and result.flow_id == first.flow_id
    assert pa_server.state.calls.count("createFlow") == 1


def test_wait_polls_until_the_acknowledgement_is_final(session: PASession, pa_server: PAServer) -> None:
    pa_server.state.ack_after = 2
    result = submitter(session).submit(classify("w.xml", invoice(7)))
    sleeps: list[float] = []
    wait_for_ack(session.flows, result, timeout=60, sleep=sleeps.append)
    assert result.ack_status == "Ok"
    assert sleeps == [1.0, 2.0]  # backoff between the polls
    rejected = submitter(session).submit(classify("e.xml", invoice(8, b"ERROR-ME")))
    wait_for_ack(session.flows, rejected, timeout=60, sleep=lambda s: None)
    assert rejected.ack_status == "Error" and rejected.ack_details[0]["reasonCode"] == "REJ_SEMAN"


def test_wait_gives_up_after_the_time_limit(session: PASession, pa_server: PAServer) -> None:
    pa_server.state.ack_after = 1000
    result = submitter(session).submit(classify("t.xml", invoice(9)))
    clock = iter(range(0, 1000, 10))
    wait_for_ack(session.flows, result, timeout=25, sleep=lambda s: None, clock=lambda: float(next(clock)))
    assert result.ack_status == "Pending" and "still Pending after 25 s" in (result.detail or "")


def test_search_follows_cursors(session: PASession, pa_server: PAServer) -> None:
    for n in range(5):
        submitter(session).submit(classify(f"s{n}.xml", invoice(100 + n)))
    page = session.flows.search({"flowType": ["CustomerInvoice"]})
    assert len(page["results"]) == 2 and page["nextCursor"] == "2"
    every = list(session.flows.search_all({"flowType": ["CustomerInvoice"]}))
    assert len(every) == 5 and len({f["flowId"] for f in every}) == 5


@pytest.mark.parametrize("fault", ["slow", "500", "drop", "429"])
def test_idempotent_calls_are_retried(session: PASession, pa_server: PAServer, fault: str) -> None:
    pa_server.state.faults["searchFlows"].append(fault)
    page = session.flows.search({"ackStatus": "Ok"})
    assert page["results"] == []
    assert pa_server.state.calls.count("searchFlows") == 2
    if fault == "429":
        assert session.sleeps == [1.0]  # type: ignore[attr-defined]  # Retry-After honoured


def test_retries_are_bounded(session: PASession, pa_server: PAServer) -> None:
    pa_server.state.faults["searchFlows"] += ["500"] * 10
    with pytest.raises(RemoteError) as info:
        session.flows.search({"ackStatus": "Ok"})
    assert info.value.exit_code == ExitCode.REMOTE and "HTTP 500 INTERNAL: try later" in info.value.message
    assert pa_server.state.calls.count("searchFlows") == 4  # 1 + 3 retries


def test_download_and_metadata(session: PASession, pa_server: PAServer) -> None:
    data = invoice(10)
    result = submitter(session).submit(classify("d.xml", data))
    assert result.flow_id is not None
    download = session.flows.download(result.flow_id, "Original")
    assert download.content == data and download.filename == "d.xml"
    assert session.flows.metadata(result.flow_id)["flowId"] == result.flow_id
    with pytest.raises(RemoteError, match="HTTP 404 NOT_FOUND: no flow nope"):
        session.flows.metadata("nope")


def test_parallel_batch_under_faults_shares_one_token(
    session: PASession, pa_server: PAServer, tmp_path
) -> None:
    from fpcli.remote.submit import SubmitOptions, submit_files

    paths = []
    for n in range(6):
        path = tmp_path / f"p{n}.xml"
        path.write_bytes(invoice(200 + n))
        paths.append(str(path))
    twin = tmp_path / "twin.xml"
    twin.write_bytes(invoice(200))
    session.tokens.token()  # a valid token before the run, as after `fpcli auth login`
    pa_server.state.faults["createFlow"] += ["drop", "expire_token"]
    batch = submit_files(session, [*paths, str(twin)], SubmitOptions(jobs=3))
    assert [r.file for r in batch.results] == paths  # input order kept
    assert [(f, e.message) for f, e in batch.errors] == [
        (str(twin), f"{twin}: same bytes as {paths[0]} in this batch")
    ]
    assert len(pa_server.state.created) == 6
    assert [r["kind"] for r in pa_server.state.token_requests] == ["oauth2", "oauth2"]  # one renewal only


def test_submission_in_progress_elsewhere_is_not_touched(session: PASession, pa_server: PAServer) -> None:
    import socket

    flow = classify("busy.xml", invoice(300))
    journal = Journal()
    row = journal.claim(flow.sha256, "busy.xml", session.journal_target, "t-1").entry.id
    journal.db.execute("UPDATE submissions SET owner = ? WHERE id = ?", (f"1@{socket.gethostname()}", row))
    with pytest.raises(
        AlreadySubmittedError, match=r"process 1@.* is submitting these bytes to pa:http.* right now"
    ):
        submitter(session).submit(flow)
    assert pa_server.state.calls == []


def test_syntax_of_lifecycle_and_e_reporting_files(shared) -> None:
    cdar = sorted((shared / "reference/fr/cdar/samples").glob("*.xml"))[0]
    report = sorted((shared / "reference/fr/e-reporting/samples").glob("*.xml"))[0]
    assert classify(cdar.name, cdar.read_bytes()).syntax == "CDAR"
    flow = classify(report.name, report.read_bytes())
    assert (flow.syntax, flow.profile) == ("FRR", None)
    info = flow.flow_info("t", None)
    assert info["flowSyntax"] == "FRR" and "flowProfile" not in info and info["name"] == report.name


def test_journal_is_keyed_per_destination_and_private(session: PASession, pa_server: PAServer) -> None:
    import stat

    flow = classify("two.xml", invoice(400))
    submitter(session).submit(flow)
    other = Submitter(session.flows, Journal(), "env/other (http://elsewhere.example/flow)")
    row = other.journal.claim(flow.sha256, flow.name, other.target, "t-2")  # another PA: its own claim
    assert row.fresh and row.entry.target != session.journal_target
    with pytest.raises(AlreadySubmittedError):  # the same PA: refused
        submitter(session).submit(flow)
    path = Journal().path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_journal_of_an_earlier_version_is_migrated(tmp_path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE submissions (id INTEGER PRIMARY KEY AUTOINCREMENT, sha256 TEXT NOT NULL, file TEXT NOT NULL,"
        " target TEXT NOT NULL, tracking_id TEXT NOT NULL, flow_id TEXT, state TEXT NOT NULL CHECK (state IN"
        " ('pending', 'submitted', 'failed')), detail TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
        "INSERT INTO submissions VALUES (1, 'aa', 'a.xml', 'pa', 't1', 'F1', 'submitted', NULL, 'x', 'x');"
        "INSERT INTO submissions VALUES (2, 'bb', 'b.xml', 'pa', 't2', NULL, 'pending', NULL, 'x', 'x');"
        "INSERT INTO submissions VALUES (3, 'bb', 'b.xml', 'pa', 't3', NULL, 'pending', NULL, 'y', 'y');"
    )
    db.commit()
    db.close()
    path.chmod(0o644)
    journal = Journal(path)
    states = [(e.id, e.state, e.sent_at) for e in journal.entries()]
    assert states == [(3, "uncertain", "y"), (2, "failed", None), (1, "submitted", None)]
    with pytest.raises(AlreadySubmittedError):
        journal.claim("aa", "a.xml", "pa", "t9")
    assert not journal.claim("bb", "b.xml", "pa", "t9").fresh  # the newest pending one is looked up first
    assert path.stat().st_mode & 0o077 == 0


def test_unwritable_journal_directory_is_exit_4_with_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from fpcli.errors import StorageError

    monkeypatch.setenv("XDG_DATA_HOME", "/proc/fpcli-cannot-be-here")  # refused even to root
    with pytest.raises(StorageError) as info:
        Journal()
    assert info.value.exit_code == ExitCode.REMOTE
    assert "/proc/fpcli-cannot-be-here/fpcli/submissions.sqlite: cannot write" in info.value.message


def test_one_pa_under_two_profile_names_is_one_destination() -> None:
    from fpcli.remote.journal import destination

    key = destination("pa", "https://pa.example/flow-service")
    for spelling in ("HTTPS://PA.example:443/flow-service/", "https://user:pw@pa.example/flow-service?x=1"):
        assert destination("pa", spelling) == key
    assert destination("pa", "https://pa.example:8443/flow-service") != key
    assert destination("chorus", "https://pa.example/flow-service") != key


def test_journal_v2_rows_are_keyed_by_the_pa_url_and_chorus_rows_kept_cautious(tmp_path) -> None:
    """Journal v2 keyed rows by `profile/pa (URL)`: after the upgrade, bytes sent through profile `a` are
    refused through profile `b` of the same PA, and of two open rows that now share a key, the newest stays
    the open one. A v2 Chorus Pro row ("chorus:<profile>", no URL) counts for any Chorus Pro."""
    import sqlite3

    from fpcli.remote.journal import TABLE, destination

    path = tmp_path / "v2.sqlite"
    db = sqlite3.connect(path)
    db.execute(TABLE)
    cols = "(id, sha256, file, target, tracking_id, flow_id, state, created_at, updated_at, sent_at)"
    rows = [
        (1, "aa", "a.xml", "a/pa (https://pa.example/flow)", "t1", "F1", "submitted", "x", "x", "x"),
        (2, "bb", "b.xml", "a/pa (https://pa.example/flow)", "t2", None, "uncertain", "x", "x", "x"),
        (3, "bb", "b.xml", "b/pa (https://PA.example/flow/)", "t3", None, "uncertain", "y", "y", "y"),
        (4, "cc", "c.pdf", "chorus:default", "t4", "C1", "submitted", "x", "x", "x"),
    ]
    db.executemany(f"INSERT INTO submissions {cols} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    journal = Journal(path)
    pa = destination("pa", "https://pa.example/flow")
    with pytest.raises(AlreadySubmittedError):
        journal.claim("aa", "a.xml", pa, "t9")
    taken = journal.claim("bb", "b.xml", pa, "t9")
    assert not taken.fresh and taken.entry.id == 3  # the newest open row, looked up before any re-send
    older = journal.get(2)
    assert older is not None and older.state == "uncertain"  # kept for `pdp journal --resolve`
    with pytest.raises(AlreadySubmittedError):
        journal.claim("cc", "c.pdf", destination("chorus", "https://chorus.example/cpro"), "t9")
    assert journal.claim("cc", "c.pdf", pa, "t9").fresh  # a PA is another destination
