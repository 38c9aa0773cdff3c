"""Exactly-once submission end to end: real `fpcli pdp submit` processes against the independent fake PA.

In every scenario: no file reaches the PA twice (0 duplicates), no file is called submitted that the PA does
not hold (no false "recovered"), and once the user settles the uncertain entries the way the hint says
(`pdp journal --resolve`, then submit again), every file is on the PA exactly once (0 lost).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fpcli.remote.journal import Journal
from tests.remote.fake_pa import Behaviour, FakePA
from tests.remote.test_submit import invoice


@pytest.fixture
def invoices(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "out"
    folder.mkdir()
    yield folder


def write(folder: Path, n: int) -> dict[str, str]:
    """`n` invoices in `folder`; their name -> sha256."""
    shas = {}
    for i in range(n):
        data = invoice(9000 + i)
        (folder / f"inv-{i:03d}.xml").write_bytes(data)
        shas[f"inv-{i:03d}.xml"] = hashlib.sha256(data).hexdigest()
    return shas


def start(pa: FakePA, *args: str, **env: str) -> subprocess.Popen[str]:
    environ = {**os.environ, **pa.env(), "FPCLI_BACKOFF": "0.05", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "fpcli", *args], env=environ, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def fpcli(pa: FakePA, *args: str, **env: str) -> tuple[int, str, str]:
    return finish(start(pa, *args, **env))


def journal_states() -> dict[str, str]:
    """The newest journal state of each file name."""
    with Journal() as journal:
        states: dict[str, str] = {}
        for e in reversed(journal.entries(10_000)):
            states[Path(e.file).name] = e.state
        return states


def no_false_claims(pa: FakePA, shas: dict[str, str]) -> None:
    """0 duplicates, and every journal row saying `submitted` names a flow the PA holds with those bytes."""
    assert pa.ledger.duplicates() == []
    held = {f["flowId"]: f["_sha256"] for f in pa.ledger.created}
    with Journal() as journal:
        for e in journal.entries(10_000):
            if e.state == "submitted":
                assert held.get(e.flow_id or "") == e.sha256, (
                    f"{e.file}: journal says {e.flow_id}, PA disagrees"
                )


def settle(pa: FakePA, folder: Path, shas: dict[str, str]) -> None:
    """What the hint tells the user: check each uncertain entry on the PA, resolve it, submit again."""
    held = {f["_sha256"]: f["flowId"] for f in pa.ledger.created}
    with Journal() as journal:
        uncertain = journal.entries(10_000, state="uncertain")
    for e in uncertain:
        decision = ["--flow-id", held[e.sha256]] if e.sha256 in held else ["--absent"]
        code, _, err = fpcli(pa, "pdp", "journal", "--resolve", str(e.id), *decision)
        assert code == 0, err
    code, _, err = fpcli(pa, "pdp", "submit", str(folder), "--jobs", "4")
    # every file now either goes up once or is refused as already submitted (exit 2), never re-sent
    assert code in (0, 2), err
    assert pa.ledger.counts() == dict.fromkeys(shas.values(), 1), "a file is missing or duplicated"
    assert set(journal_states().values()) == {"submitted"}


def test_four_concurrent_processes_never_upload_a_file_twice(invoices: Path) -> None:
    shas = write(invoices, 24)
    with FakePA(Behaviour(delay=0.1)) as pa:
        runs = [start(pa, "pdp", "submit", str(invoices), "--jobs", "4") for _ in range(4)]
        results = [finish(p) for p in runs]
        for code, _, err in results:
            assert code in (0, 2), err  # 2: some files were claimed or done by another run
            assert "already submitted" in err or "submitting these bytes" in err or code == 0
        assert pa.ledger.uploads == 24
        no_false_claims(pa, shas)
        assert pa.ledger.counts() == dict.fromkeys(shas.values(), 1)
        assert set(journal_states().values()) == {"submitted"}


@pytest.mark.parametrize(
    ("behaviour", "env"),
    [  # a PA slower than the timeout, recording at the end; a PA whose search shows flows late
        (Behaviour(delay=1.0, record_at_start=False), {"FPCLI_TIMEOUT": "0.3", "FPCLI_LOOKUP_WAIT": "6"}),
        (Behaviour(drop_after_record=True, search_lag=1.5), {"FPCLI_LOOKUP_WAIT": "8"}),
    ],
    ids=["slow-pa", "lagging-search"],
)
def test_unanswered_upload_is_found_within_the_bound_not_resent(
    invoices: Path, behaviour: Behaviour, env: dict[str, str]
) -> None:
    shas = write(invoices, 8)
    with FakePA(behaviour) as pa:
        code, out, err = fpcli(pa, "pdp", "submit", str(invoices), "--jobs", "4", **env)
        assert code == 0, err
        assert out.count("found on the platform after an uncertain upload") == 8
        assert pa.ledger.uploads == 8
        no_false_claims(pa, shas)
        settle(pa, invoices, shas)


def test_without_look_up_time_nothing_is_resent_and_a_later_look_up_finds_it(invoices: Path) -> None:
    """FPCLI_LOOKUP_WAIT=0 (for a PA whose search lag is unknown): no reconciliation, so an unknown outcome
    is never sent again; a later run with look-up time finds the flow once the PA shows it."""
    shas = write(invoices, 4)
    with FakePA(Behaviour(drop_after_record=True, search_lag=2.0)) as pa:
        code, _, err = fpcli(pa, "pdp", "submit", str(invoices), FPCLI_LOOKUP_WAIT="0")
        assert code == 4 and err.count("may or may not have reached") == 4, err
        assert set(journal_states().values()) == {"uncertain"}
        listing = fpcli(pa, "pdp", "journal")
        assert listing[1].count("\tuncertain\t") == 4 and "--resolve ID" in listing[2]
        again = fpcli(pa, "pdp", "submit", str(invoices), FPCLI_LOOKUP_WAIT="0")  # a rerun never re-sends
        assert again[0] in (0, 4) and pa.ledger.uploads == 4
        time.sleep(2.0)
        late = fpcli(pa, "pdp", "submit", str(invoices), FPCLI_LOOKUP_WAIT="1")  # indexed by now: found
        assert late[0] in (0, 2), late[2]  # 2: found by the previous rerun already
        assert set(journal_states().values()) == {"submitted"} and pa.ledger.uploads == 4
        no_false_claims(pa, shas)
        settle(pa, invoices, shas)


def test_search_ignoring_filters_and_500_before_record_lose_nothing(invoices: Path) -> None:
    shas = write(invoices, 10)
    odd = {name for name in shas if int(name[4:7]) % 2}
    # every odd file's first upload is refused before recording; the search answers every flow it holds
    behaviour = Behaviour(ignore_filters=True, page_size=3, fail_before_record=lambda name: name in odd)
    with FakePA(behaviour) as pa:
        code, _, err = fpcli(pa, "pdp", "submit", str(invoices), "--jobs", "2", FPCLI_LOOKUP_WAIT="1")
        assert code == 4, err
        states = journal_states()
        assert {n for n, s in states.items() if s == "uncertain"} == odd  # not "recovered" from another flow
        assert {n for n, s in states.items() if s == "submitted"} == set(shas) - odd
        no_false_claims(pa, shas)
        settle(pa, invoices, shas)  # the odd ones are absent: resolved so, submitted again, once


def test_kill_9_and_immediate_rerun(invoices: Path) -> None:
    shas = write(invoices, 16)
    with FakePA(Behaviour(delay=0.4)) as pa:
        first = start(pa, "pdp", "submit", str(invoices), "--jobs", "4")
        deadline = time.monotonic() + 30
        while len(pa.ledger.created) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()  # reaped: its pid is gone, as after a crash
        assert 0 < len(pa.ledger.created) < 16
        code, _, err = fpcli(pa, "pdp", "submit", str(invoices), "--jobs", "4", FPCLI_LOOKUP_WAIT="2")
        # 2: files the killed run had finished; 4: a claim marked sent whose request never left is uncertain
        assert code in (0, 2, 4), err
        no_false_claims(pa, shas)
        settle(pa, invoices, shas)


def test_failed_before_record_is_proven_absent_and_sent_once(invoices: Path) -> None:
    """A 500 that came before the PA recorded anything: the search (honouring its filter) proves the flow
    absent over the whole window, so with FPCLI_RESEND_ABSENT=1 the file is sent once more, in the same run;
    0 duplicates, 0 lost."""
    shas = write(invoices, 6)
    odd = {name for name in shas if int(name[4:7]) % 2}
    with FakePA(Behaviour(fail_before_record=lambda name: name in odd)) as pa:
        env = {"FPCLI_LOOKUP_WAIT": "1", "FPCLI_RESEND_ABSENT": "1"}
        code, _, err = fpcli(pa, "pdp", "submit", str(invoices), "--jobs", "2", **env)
        assert code == 0, err
        assert pa.ledger.uploads == len(shas) + len(odd)
        assert pa.ledger.counts() == dict.fromkeys(shas.values(), 1)
        assert set(journal_states().values()) == {"submitted"}
        no_false_claims(pa, shas)


def test_by_default_proven_absent_is_uncertain_not_sent_twice(invoices: Path) -> None:
    """The same faults without FPCLI_RESEND_ABSENT: nothing is uploaded a second time (a PA whose search lags
    could otherwise get it twice); the lost files are uncertain and the run exits 4."""
    shas = write(invoices, 6)
    odd = {name for name in shas if int(name[4:7]) % 2}
    with FakePA(Behaviour(fail_before_record=lambda name: name in odd)) as pa:
        code, _, err = fpcli(pa, "pdp", "submit", str(invoices), "--jobs", "2", FPCLI_LOOKUP_WAIT="1")
        assert code == 4, err
        assert pa.ledger.uploads == len(shas)
        assert sorted(journal_states().values()) == sorted(
            ["uncertain"] * len(odd) + ["submitted"] * (6 - len(odd))
        )
