"""`fpcli send` end to end against the test PA on loopback: generate, preflight, submit through the journal
(each flow once), with an invalid invoice, a repeat and a failing upload in the batch."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fpcli.preflight import Directory
from fpcli.remote.journal import Journal
from fpcli.remote.pa import PASession
from fpcli.remote.submit import SubmitBatch, SubmitOptions, submit_files
from fpcli.send import SendRequest, SendResult, send_invoices
from tests.cli.helpers import run
from tests.remote.pa_server import DIRECTORY_PREFIX, FLOW_PREFIX, PAServer
from tests.remote.test_preflight import ACME, BASE, invoice_file


def write_input(folder: Path, number: str, **changes: Any) -> Path:
    data = {**copy.deepcopy(BASE), "number": number, "buyer": ACME, **changes}
    path = folder / f"{number}.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    return path


def send(session: PASession, inputs: list[Path], outbox: Path, **kw: Any) -> SendResult:
    def submit(paths: list[str], rule: str | None) -> SubmitBatch:
        return submit_files(session, paths, SubmitOptions(rule, lookup_wait=0.2))

    request = SendRequest([str(p) for p in inputs], outbox, **kw)
    return send_invoices(request, directory=Directory(session.directory.get), submit=submit, target="test")


def statuses(result: SendResult) -> dict[str, str]:
    return {str(i.invoice_number): i.status for i in result.items}


def test_batch_with_an_invalid_invoice_a_repeat_and_a_failing_upload(
    session: PASession, pa_server: PAServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, outbox = tmp_path / "in", tmp_path / "outbox"
    folder.mkdir()
    inputs = [write_input(folder, f"F-{n}") for n in range(1, 7)]
    first = send(session, inputs[:1], outbox)
    assert statuses(first) == {"F-1": "sent"} and first.exit_code == 0
    assert first.items[0].processing_rule == "B2B" and first.items[0].flow == "domestic-b2b"
    # An invoice whose total was changed by hand: the official rules refuse it, with their findings.
    good = Path(invoice_file(tmp_path, "bad", buyer=ACME, number="F-BAD"))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(good.read_bytes().replace(b"<ram:GrandTotalAmount>", b"<ram:GrandTotalAmount>9"))
    pa_server.state.faults["createFlow"].append("500")  # one upload fails with its outcome unknown …
    pa_server.state.faults["searchFlows"] += ["500"] * 40  # … and the PA's search is down: nobody can tell
    result = send(session, [*inputs, bad], outbox)
    assert statuses(result) == {
        "F-1": "already-sent", "F-2": "uncertain", "F-3": "sent", "F-4": "sent", "F-5": "sent", "F-6": "sent",
        "F-BAD": "refused",
    }  # fmt: skip
    refused = result.items[-1]
    assert any(f["code"].startswith("BR-CO") for f in refused.findings), refused.findings
    assert result.exit_code == 4  # F-2 may have arrived and the search cannot say: not re-sent
    assert pa_server.state.faults["createFlow"] == []  # the failing upload happened
    assert len(pa_server.state.created) == 5  # F-1 in the first run, F-3..F-6 now: each once, F-2 not
    assert {i.flow_id for i in result.items if i.status == "sent"} <= {
        f["flowId"] for f in pa_server.state.created
    }
    # Sent files are kept in the outbox. The search is back: the next run asks the PA about F-2 first and
    # finds it absent (the 500 came before it was recorded). By default it stays uncertain: not sent.
    assert sorted(p.name for p in outbox.glob("*.pdf")) == [f"F-{n}.pdf" for n in range(1, 7)]
    pa_server.state.faults["searchFlows"].clear()
    strict = send(session, inputs, outbox)
    assert statuses(strict)["F-2"] == "uncertain" and len(pa_server.state.created) == 5
    # With FPCLI_RESEND_ABSENT=1 (the user knows the PA's search is prompt) it is sent, once.
    monkeypatch.setenv("FPCLI_RESEND_ABSENT", "1")
    again = send(session, inputs, outbox)
    assert statuses(again)["F-2"] == "sent" and again.exit_code == 0
    assert {statuses(again)[f"F-{n}"] for n in (1, 3, 4, 5, 6)} == {"already-sent"}
    assert len(pa_server.state.created) == 6 and pa_server.state.duplicates() == []
    entry = Journal().latest(hashlib.sha256((outbox / "F-2.pdf").read_bytes()).hexdigest())
    assert entry is not None and entry.state == "submitted" and "sent again" in (entry.detail or "")


def test_upload_faults_each_invoice_once(
    session: PASession, pa_server: PAServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """503 (not taken: sent again at once), a timeout after the PA stored the flow (found by the search, not
    sent again), a timeout before it stored it (proven absent by the search, then sent once, as
    FPCLI_RESEND_ABSENT=1 allows)."""
    monkeypatch.setenv("FPCLI_RESEND_ABSENT", "1")
    folder = tmp_path / "in"
    folder.mkdir()
    inputs = [write_input(folder, f"F-3{n}") for n in range(4)]
    pa_server.state.faults["createFlow"] += ["503", "slow", "slow_unprocessed"]
    result = send(session, inputs, tmp_path / "outbox")
    # F-30: 503, then its retry is the slow one (stored, answered late): recovered. F-31: not stored, sent again.
    assert statuses(result) == {"F-30": "recovered", "F-31": "sent", "F-32": "sent", "F-33": "sent"}
    assert result.exit_code == 0 and pa_server.state.faults["createFlow"] == []
    assert pa_server.state.calls.count("createFlow") == 6  # 4 invoices + the 503 retry + the proven re-send
    assert len(pa_server.state.created) == 4 and pa_server.state.duplicates() == []
    assert {i.flow_id for i in result.items} == {f["flowId"] for f in pa_server.state.created}


def test_dry_run_uploads_nothing_and_a_changed_sent_invoice_is_not_replaced(
    session: PASession, pa_server: PAServer, tmp_path: Path
) -> None:
    folder, outbox = tmp_path / "in", tmp_path / "outbox"
    folder.mkdir()
    path = write_input(folder, "F-7")
    dry = send(session, [path], outbox, dry_run=True)
    assert statuses(dry) == {"F-7": "dry-run"} and pa_server.state.created == []
    assert "searchFlows" not in pa_server.state.calls
    assert send(session, [path], outbox).items[0].status == "sent"
    write_input(folder, "F-7", purchase_order_reference="PO-CHANGED")
    changed = send(session, [path], outbox)
    item = changed.items[0]
    assert item.status == "failed" and "sent before with other content" in str(item.error)
    assert changed.exit_code == 2 and len(pa_server.state.created) == 1


def test_b2c_goes_to_e_reporting_and_a_bad_input_does_not_stop_the_others(
    session: PASession, pa_server: PAServer, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    person = {"name": "Jeanne Martin", "electronic_address": {"id": "jeanne@example.fr", "scheme": "EM"},
              "address": {"line1": "2 rue Haute", "city": "Lyon", "postcode": "69001", "country": "FR"}}  # fmt: skip
    b2c = write_input(folder, "F-8", buyer=person)
    broken = folder / "broken.json"
    broken.write_text('{"number": "F-9"}', encoding="utf-8")
    ok = write_input(folder, "F-10")
    result = send(session, [b2c, broken, ok], tmp_path / "outbox")
    by_input = {Path(i.input).name: i for i in result.items}
    assert by_input["F-8.json"].status == "e-reporting" and by_input["F-8.json"].flow == "b2c"
    assert by_input["broken.json"].status == "failed" and "required field missing" in str(
        by_input["broken.json"].error
    )
    assert by_input["F-10.json"].status == "sent"
    assert result.exit_code == 3 and len(pa_server.state.created) == 1


def pa_env(monkeypatch: pytest.MonkeyPatch, pa_server: PAServer, **extra: str) -> None:
    """The loopback PA given to the CLI as CI gives it: FPCLI_* variables, no profile."""
    for var, value in {
        "FPCLI_PA_FLOW_URL": pa_server.url + FLOW_PREFIX, "FPCLI_PA_DIRECTORY_URL": pa_server.url + DIRECTORY_PREFIX,
        "FPCLI_PA_TOKEN_URL": pa_server.url + "/oauth/token", "FPCLI_PA_CLIENT_ID": "acme-client",
        "FPCLI_PA_CLIENT_SECRET": "s3cret-client", "FPCLI_BACKOFF": "0.01", **extra,
    }.items():  # fmt: skip
        monkeypatch.setenv(var, value)


def test_cli_one_line_per_invoice_and_json(
    runner: CliRunner, pa_server: PAServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pa_env(monkeypatch, pa_server, FPCLI_TIMEOUT="0.5")
    monkeypatch.chdir(tmp_path)
    a, b = write_input(tmp_path, "F-11"), write_input(tmp_path, "F-12")
    result = run(runner, "send", str(a), "--wait")
    assert result.exit_code == 0, result.stderr
    line = result.stdout.splitlines()[0]
    assert line.startswith("sent ") and "(Ok)\tF-11\toutbox/F-11.pdf [domestic-b2b]" in line
    assert "1 sent" in result.stderr
    result = run(runner, "--json", "send", str(a), str(b))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["summary"] == {"already-sent": 1, "sent": 1}
    assert [i["status"] for i in data["invoices"]] == ["already-sent", "sent"]
    assert run(runner, "send", str(a), "--to", "mail").exit_code == 2
    stdin = run(runner, "send", "-", input=a.read_text())
    assert stdin.exit_code == 2 and "reads files, not stdin" in stdin.stderr


@pytest.mark.slow
def test_fifty_invoices_one_invalid_one_repeat_and_a_503(
    runner: CliRunner, pa_server: PAServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's acceptance run: 48 flows each created once, 1 refusal with findings, 1 "already sent"."""
    pa_env(monkeypatch, pa_server, FPCLI_TIMEOUT="2", FPCLI_LOOKUP_WAIT="0.2")
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    inputs = [str(write_input(folder, f"F-{n:02d}")) for n in range(1, 50)]
    assert run(runner, "send", inputs[0]).exit_code == 0  # sent before: the repeat in the batch below
    good = Path(invoice_file(tmp_path, "bad", buyer=ACME, number="F-BAD"))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(good.read_bytes().replace(b"<ram:GrandTotalAmount>", b"<ram:GrandTotalAmount>9"))
    before = len(pa_server.state.created)
    pa_server.state.faults["createFlow"].append("503")
    result = run(runner, "--json", "send", *inputs, str(bad))
    assert result.exit_code == 1, result.stderr  # the refused invoice; the 503'd one was sent again at once
    data = json.loads(result.stdout)
    assert data["summary"] == {"already-sent": 1, "sent": 48, "refused": 1}
    assert pa_server.state.faults["createFlow"] == []  # the 503 was answered
    assert len(pa_server.state.created) - before == 48 and pa_server.state.duplicates() == []  # each once
    assert pa_server.state.calls.count("createFlow") == 1 + 49  # the earlier one, 48 + the 503'd attempt
    refused = [i for i in data["invoices"] if i["status"] == "refused"]
    assert refused[0]["invoice_number"] == "F-BAD" and any(
        f["code"] == "BR-CO-15" for f in refused[0]["findings"]
    )


def test_send_signs_with_the_profile_settings_and_to_chorus(
    runner: CliRunner,
    pa_server: PAServer,
    chorus: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.remote.test_cli_pdp import add_profile

    monkeypatch.setenv("FPCLI_TIMEOUT", "0.5")
    monkeypatch.setenv("FPCLI_BACKOFF", "0.01")
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "pw")
    monkeypatch.chdir(tmp_path)
    assert add_profile(runner, pa_server).exit_code == 0
    assert run(runner, "sign", "make-test-cert", "-o", "t.p12").exit_code == 0
    assert run(runner, "sign", "configure", "--p12", "t.p12", "--level", "B-B").exit_code == 0
    a = write_input(tmp_path, "F-20")
    result = run(runner, "send", str(a))
    assert result.exit_code == 0, result.stderr
    sent = pa_server.state.files[pa_server.state.created[0]["flowId"]]
    assert sent == (tmp_path / "outbox" / "F-20.pdf").read_bytes() and b"/ByteRange" in sent  # signed
    verified = run(runner, "--json", "sign", "verify", "outbox/F-20.pdf")
    assert json.loads(verified.stdout)["signatures"][0]["intact"] is True, verified.stdout
    # The same invoice through Chorus Pro: the outbox file (same bytes) is deposited once.
    b = write_input(tmp_path, "F-21")
    assert run(runner, "chorus", "configure", "--sandbox").exit_code == 0
    deposited = run(runner, "--json", "send", str(b), "--to", "chorus", "--no-sign")
    assert deposited.exit_code == 0, deposited.stderr
    data = json.loads(deposited.stdout)
    assert data["target"].startswith("chorus:") and data["invoices"][0]["status"] == "sent"
    again = json.loads(run(runner, "--json", "send", str(b), "--to", "chorus", "--no-sign").stdout)
    assert again["invoices"][0]["status"] == "already-sent"


def test_send_to_chorus_needs_only_the_chorus_pro_settings(
    runner: CliRunner, chorus: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No PA profile and no PA settings: the public buyer is checked with Chorus Pro's structure look-up,
    then deposited once; a buyer Chorus Pro does not know is not ready and nothing is deposited for it."""
    from tests.remote.test_preflight import ARMEES

    monkeypatch.setenv("FPCLI_TIMEOUT", "0.5")
    monkeypatch.setenv("FPCLI_BACKOFF", "0.01")
    monkeypatch.chdir(tmp_path)
    coded = {**ARMEES, "electronic_address": {"id": "110043015_11004301500012_SGA-ACHATS", "scheme": "0225"}}
    good = write_input(tmp_path, "F-40", buyer=coded, purchase_order_reference="EJ-2026-17")
    no_engagement = write_input(tmp_path, "F-41", buyer=coded, purchase_order_reference=None)
    result = run(runner, "--json", "send", str(good), str(no_engagement), "--to", "chorus", "--no-sign")
    assert result.exit_code == 1, result.stderr
    assert "public buyers are looked up in Chorus Pro's structures" in result.stderr
    data = json.loads(result.stdout)
    assert data["target"].startswith("chorus:") and data["summary"] == {"sent": 1, "not-ready": 1}
    sent, held = data["invoices"]
    assert (sent["flow"], sent["processing_rule"], sent["flow_id"]) == ("public", "B2G", "CPP0000000001")
    assert held["status"] == "not-ready" and "legal commitment number (BT-13)" in held["error"]
    assert len(chorus.state.deposits) == 1
    assert chorus.state.deposits[0]["data"] == (tmp_path / "outbox" / "F-40.pdf").read_bytes()
    assert chorus.state.calls.count("/structures/v1/rechercher") == 1  # one look-up, then the cache
    again = json.loads(run(runner, "--json", "send", str(good), "--to", "chorus", "--no-sign").stdout)
    assert again["invoices"][0]["status"] == "already-sent" and len(chorus.state.deposits) == 1
    # Asking for a PA by name that is not set up stays an error: no silent fallback then.
    named = run(runner, "send", str(good), "--to", "chorus", "--pa", "mypa", "--no-sign")
    assert named.exit_code == 2 and "no profile and no PA settings" in named.stderr
