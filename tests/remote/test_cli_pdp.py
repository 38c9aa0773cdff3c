"""`fpcli profile`, `fpcli auth` and `fpcli pdp` end to end against the test PA on loopback."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from tests.cli.helpers import run
from tests.conftest import EXAMPLES, MemoryKeyring
from tests.remote.pa_server import DIRECTORY_PREFIX, FLOW_PREFIX, PAServer
from tests.remote.test_submit import invoice

SECRET = "s3cret-client"


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FPCLI_TIMEOUT", "0.5")
    monkeypatch.setenv("FPCLI_BACKOFF", "0.01")


def verify_args(payload: Path, headers: dict[str, str]) -> list[str]:
    """`pdp webhook verify` with the signature headers a sender attached."""
    signature, timestamp = headers["Afnor-Signature"], headers["Afnor-Signature-Timestamp"]
    return ["pdp", "webhook", "verify", str(payload), "--signature", signature, "--timestamp", timestamp]


def add_profile(runner: CliRunner, server: PAServer, name: str = "acme") -> Any:
    return run(
        runner, "profile", "add", name, "--pa", "main", "--flow-url", server.url + FLOW_PREFIX,
        "--directory-url", server.url + DIRECTORY_PREFIX, "--token-url", server.url + "/oauth/token",
        "--client-id", "acme-client", "--client-uid", "acme-uid", "--secret-stdin", input=SECRET + "\n",
    )  # fmt: skip


def test_profile_lifecycle_keeps_secrets_out_of_files_and_output(
    runner: CliRunner, pa_server: PAServer, isolation: MemoryKeyring, tmp_path: Path
) -> None:
    result = add_profile(runner, pa_server)
    assert result.exit_code == 0, result.stderr
    assert (
        "client secret of acme/main kept in the keyring backend tests.conftest.MemoryKeyring" in result.stderr
    )
    from fpcli.profiles.config import config_path

    text = config_path().read_text()
    assert "acme-client" in text and SECRET not in text
    assert isolation.store[("fpcli", "acme/pa/main/client_secret")] == SECRET
    shown = run(runner, "profile", "show", "acme")
    assert shown.exit_code == 0 and SECRET not in shown.stdout + shown.stderr
    assert "client_secret set" in shown.stdout and "token not set" in shown.stdout
    data = json.loads(run(runner, "profile", "show", "--json").stdout)
    assert data["pa"]["main"]["secrets"]["client_secret"] == "set" and data["default"] is True
    assert run(runner, "profile", "add", "acme").exit_code == 2
    add_profile(runner, pa_server, "other")
    listing = json.loads(run(runner, "profile", "list", "--json").stdout)
    assert [p["name"] for p in listing["profiles"]] == ["acme", "other"] and listing["default"] == "acme"
    assert run(runner, "profile", "use", "other").exit_code == 0
    assert json.loads(run(runner, "profile", "list", "--json").stdout)["default"] == "other"
    edited = run(runner, "profile", "edit", "acme", "--pa", "main", "--flow-url", "ftp://nope")
    assert edited.exit_code == 2 and "not an http(s) URL" in edited.stderr
    removed = run(runner, "profile", "remove", "acme")
    assert removed.exit_code == 0 and "1 secrets and tokens removed" in removed.stderr
    assert ("fpcli", "acme/pa/main/client_secret") not in isolation.store


def test_auth_login_status_token_logout(
    runner: CliRunner, pa_server: PAServer, isolation: MemoryKeyring
) -> None:
    add_profile(runner, pa_server)
    login = run(runner, "auth", "login")
    assert login.exit_code == 0 and "access token valid for 30 min" in login.stderr
    status = json.loads(run(runner, "auth", "status", "--json").stdout)["pas"][0]
    assert (
        status["access_valid"] is True
        and status["secret_stored"] is True
        and 1700 < status["access_expires_in"] <= 1800
    )
    token = run(runner, "auth", "token").stdout.strip()
    assert token in pa_server.state.tokens
    out = run(runner, "auth", "logout")
    assert out.exit_code == 0 and "2 secrets and tokens removed" in out.stderr
    assert isolation.store == {}
    again = run(runner, "auth", "token")
    assert again.exit_code == 5 and "no client secret for PA acme/main" in again.stderr


def test_submit_twice_is_refused_and_json_report(
    runner: CliRunner, pa_server: PAServer, tmp_path: Path, fast: None
) -> None:
    add_profile(runner, pa_server)
    f = tmp_path / "inv.xml"
    f.write_bytes(invoice(1))
    first = run(runner, "pdp", "submit", str(f), "--json", "--processing-rule", "B2B")
    assert first.exit_code == 0, first.stderr
    report = json.loads(first.stdout)
    assert (
        report["schema_version"] == 1
        and report["submitted"][0]["flow_id"] == pa_server.state.created[0]["flowId"]
    )
    second = run(runner, "pdp", "submit", str(f))
    assert second.exit_code == 2 and "already submitted" in second.stderr and "--force" in second.stderr
    assert len(pa_server.state.created) == 1
    journal = json.loads(run(runner, "pdp", "journal", "--json").stdout)["entries"]
    assert [e["state"] for e in journal] == ["submitted"]


def test_submit_wait_reports_the_acknowledgement(
    runner: CliRunner, pa_server: PAServer, tmp_path: Path, fast: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_profile(runner, pa_server)
    pa_server.state.ack_after = 0
    good, bad, broken = tmp_path / "a.xml", tmp_path / "b.xml", tmp_path / "c.xml"
    good.write_bytes(invoice(2))
    bad.write_bytes(invoice(3, b"ERROR-ME"))
    broken.write_bytes(b"<unclosed")
    result = run(runner, "pdp", "submit", str(tmp_path), "--wait")
    assert result.exit_code == 3  # the unreadable file; the two others were still submitted
    assert f"{good}\tflow" in result.stdout and "acknowledgement Ok" in result.stdout
    assert "acknowledgement Error" in result.stdout and "REJ_SEMAN: duplicate invoice number" in result.stderr
    assert f"{broken}: line 1: not well-formed XML" in result.stderr
    assert "2 submitted, 1 failed" in result.stderr


def test_submit_a_generated_factur_x_pdf(
    runner: CliRunner, pa_server: PAServer, tmp_path: Path, fast: None
) -> None:
    add_profile(runner, pa_server)
    pdf = tmp_path / "inv.pdf"
    assert run(runner, "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(pdf)).exit_code == 0
    result = run(runner, "pdp", "submit", str(pdf))
    assert result.exit_code == 0, result.stderr
    created = pa_server.state.created[0]
    assert (created["flowSyntax"], created["flowProfile"]) == ("Factur-X", "Basic")
    out = tmp_path / "back.pdf"
    got = run(runner, "pdp", "flows", "get", created["flowId"], "-o", str(out))
    assert got.exit_code == 0 and out.read_bytes() == pdf.read_bytes()
    assert (
        run(runner, "pdp", "flows", "get", created["flowId"], "-o", str(out)).exit_code == 2
    )  # no overwrite


def test_flows_search_all_and_verbose_log_redacts_the_token(
    runner: CliRunner, pa_server: PAServer, tmp_path: Path, fast: None
) -> None:
    add_profile(runner, pa_server)
    for n in range(3):
        (tmp_path / f"{n}.xml").write_bytes(invoice(10 + n))
    assert run(runner, "pdp", "submit", str(tmp_path)).exit_code == 0
    result = run(
        runner, "-vvv", "pdp", "flows", "search", "--flow-type", "CustomerInvoice", "--all", "--json"
    )
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["results"]) == 3
    assert "http: POST " in result.stderr and "/v1/flows/search -> 200" in result.stderr
    assert "Bearer ***" in result.stderr
    assert not any(token in result.stderr for token in pa_server.state.tokens)
    assert run(runner, "pdp", "flows", "search").exit_code == 2  # at least one filter


def test_directory_lookups(runner: CliRunner, pa_server: PAServer, fast: None) -> None:
    add_profile(runner, pa_server)
    one = json.loads(run(runner, "pdp", "directory", "siren", "732829320", "--json").stdout)
    assert one["results"][0]["businessName"] == "ACME INDUSTRIE"
    found = run(
        runner,
        "pdp",
        "directory",
        "siren",
        "--where",
        "businessName~acme",
        "--where",
        "administrativeStatus=A",
        "--sort",
        "siren:desc",
    )
    assert found.exit_code == 0 and "ACME INDUSTRIE" in found.stdout and "ANCIENNE" not in found.stdout
    facility = json.loads(
        run(runner, "pdp", "directory", "siret", "--where", "postalCode^750", "--limit", "1", "--json").stdout
    )
    assert facility["total"] == 2 and len(facility["results"]) == 1
    code = json.loads(
        run(runner, "pdp", "directory", "routing-code", "11004301500012", "SERVICE-ACHATS", "--json").stdout
    )
    assert code["results"][0]["managesLegalCommitmentCode"] is True
    lines = json.loads(run(runner, "pdp", "directory", "line", "--where", "siren=732829320", "--json").stdout)
    assert lines["total"] == 2
    missing = run(runner, "pdp", "directory", "siren", "999999999")
    assert missing.exit_code == 4 and "HTTP 404 NOT_FOUND" in missing.stderr
    bad_op = run(runner, "pdp", "directory", "siren", "--where", "siren~73")
    assert bad_op.exit_code == 2 and "does not take `~`" in bad_op.stderr
    assert run(runner, "pdp", "directory", "siren", "12345").exit_code == 2


def test_ci_environment_without_profile(
    runner: CliRunner, pa_server: PAServer, monkeypatch: pytest.MonkeyPatch, fast: None
) -> None:
    monkeypatch.setenv("FPCLI_PA_DIRECTORY_URL", pa_server.url + DIRECTORY_PREFIX)
    monkeypatch.setenv("FPCLI_PA_TOKEN_URL", pa_server.url + "/oauth/token")
    monkeypatch.setenv("FPCLI_PA_CLIENT_ID", "acme-client")
    monkeypatch.setenv("FPCLI_PA_CLIENT_SECRET", SECRET)
    result = run(runner, "pdp", "directory", "siret", "73282932000074", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["results"][0]["name"] == "ACME SIEGE"


def test_no_keyring_backend_names_the_environment_variables(runner: CliRunner, pa_server: PAServer) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    result = run(
        runner,
        "profile",
        "add",
        "ci",
        "--pa",
        "x",
        "--flow-url",
        "http://127.0.0.1:9",
        "--secret-stdin",
        input="s\n",
    )
    assert result.exit_code == 5
    assert "no OS keyring backend" in result.stderr and "FPCLI_PA_CLIENT_SECRET" in result.stderr


def test_no_profile_and_no_environment_is_a_usage_error(runner: CliRunner) -> None:
    result = run(runner, "pdp", "directory", "siren", "732829320")
    assert result.exit_code == 2 and "FPCLI_PA_FLOW_URL" in result.stderr


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_notify_posts_a_signed_summary_that_webhook_verify_accepts(
    runner: CliRunner, pa_server: PAServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: None
) -> None:
    add_profile(runner, pa_server)
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    _Receiver.received = []
    try:
        f = tmp_path / "n.xml"
        f.write_bytes(invoice(20))
        missing = run(
            runner, "pdp", "submit", str(f), "--notify", f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        )
        assert (
            missing.exit_code == 2
            and "FPCLI_NOTIFY_SECRET" in missing.stderr
            and pa_server.state.created == []
        )
        monkeypatch.setenv("FPCLI_NOTIFY_SECRET", "hook-key")
        result = run(
            runner, "pdp", "submit", str(f), "--notify", f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        )
        assert result.exit_code == 0, result.stderr
    finally:
        receiver.shutdown()
    headers, body = _Receiver.received[0]
    summary = json.loads(body)
    assert summary["event"] == "fpcli.pdp.submit" and summary["submitted"][0]["file"] == str(f)
    payload = tmp_path / "payload.json"
    payload.write_bytes(body)
    monkeypatch.setenv("FPCLI_WEBHOOK_SECRET", "hook-key")
    args = verify_args(payload, headers)
    assert run(runner, *args).exit_code == 0
    payload.write_bytes(body.replace(b"fpcli.pdp.submit", b"fpcli.pdp.submiT"))
    tampered = run(runner, *args)
    assert tampered.exit_code == 6 and "does not match" in tampered.stderr
    payload.write_bytes(body)
    monkeypatch.setenv("FPCLI_WEBHOOK_SECRET", "other-key")
    assert run(runner, *args).exit_code == 6


def test_webhook_replay_is_refused(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fpcli.remote.webhooks import sign

    payload = tmp_path / "p.json"
    payload.write_bytes(b'{"flowId": "1"}')
    headers = sign(payload.read_bytes(), "k", timestamp=1_000_000)
    monkeypatch.setenv("FPCLI_WEBHOOK_SECRET", "k")
    result = run(
        runner,
        "pdp",
        "webhook",
        "verify",
        str(payload),
        "--signature",
        headers["Afnor-Signature"],
        "--timestamp",
        "1000000",
    )
    assert result.exit_code == 6 and "a replay?" in result.stderr


def test_webhooks_create_list_verify_delete(
    runner: CliRunner, pa_server: PAServer, isolation: MemoryKeyring, tmp_path: Path, fast: None
) -> None:
    import time

    from tests.remote.pa_server import signed_event

    add_profile(runner, pa_server)
    created = run(
        runner,
        "pdp",
        "webhook",
        "create",
        "https://erp.example/hooks/pa",
        "--flow-type",
        "SupplierInvoice",
        "--json",
    )
    assert created.exit_code == 0, created.stderr
    answer = json.loads(created.stdout)
    uid = answer["webhookId"]
    assert "signingKey" not in answer  # a secret: only with --print-key
    key = pa_server.state.webhooks[uid]["signingKey"]
    assert isolation.store[("fpcli", f"acme/pa/main/webhook/{uid}")] == key
    listed = run(runner, "pdp", "webhook", "list", "--json")
    assert [h["webhookId"] for h in json.loads(listed.stdout)["webhooks"]] == [
        uid
    ] and key not in listed.stdout
    payload = tmp_path / "event.json"
    payload.write_bytes(b'{"flowId": "abc", "ackStatus": "Ok"}')
    headers = signed_event(key, payload.read_bytes(), int(time.time()))
    args = verify_args(payload, headers)
    ok = run(runner, *args, "--webhook-id", uid, "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["reading"] == "digest fingerprint, base64-decoded key"
    assert run(runner, *args).exit_code == 2  # no key given at all
    deleted = run(runner, "pdp", "webhook", "delete", uid)
    assert deleted.exit_code == 0 and pa_server.state.webhooks == {}
    assert ("fpcli", f"acme/pa/main/webhook/{uid}") not in isolation.store
    assert run(runner, "pdp", "webhook", "delete", uid).exit_code == 4  # 404 on the PA


def test_logout_removes_webhook_keys(
    runner: CliRunner, pa_server: PAServer, isolation: MemoryKeyring, fast: None
) -> None:
    add_profile(runner, pa_server)
    assert run(runner, "pdp", "webhook", "create", "https://erp.example/h").exit_code == 0
    assert any("/webhook/" in k[1] for k in isolation.store)
    assert run(runner, "auth", "logout").exit_code == 0
    assert isolation.store == {}


def test_submit_checks_first_and_sends_nothing_invalid(
    runner: CliRunner, pa_server: PAServer, tmp_path: Path, fast: None
) -> None:
    add_profile(runner, pa_server)
    bad = tmp_path / "bad.xml"
    # A unit code the official code list does not know: the Factur-X Schematron rejects it.
    bad.write_bytes(invoice(40).replace(b'unitCode="DAY"', b'unitCode="JRS"'))
    result = run(runner, "pdp", "submit", str(bad))
    assert result.exit_code == 1, result.stderr
    assert f"{bad}: 1 error(s) from the official rules; nothing sent" in result.stderr
    assert "FX-SCH-A-000613" in result.stderr or "BR-CL-23" in result.stderr
    assert pa_server.state.created == []
    forced = run(runner, "pdp", "submit", str(bad), "--no-check")
    assert forced.exit_code == 0, forced.stderr
    assert len(pa_server.state.created) == 1


def test_submit_reads_subdirectories_only_with_recursive(
    runner: CliRunner, pa_server: PAServer, tmp_path: Path, fast: None
) -> None:
    add_profile(runner, pa_server)
    (tmp_path / "2026" / "11").mkdir(parents=True)
    (tmp_path / "2026" / "11" / "a.xml").write_bytes(invoice(50))
    flat = run(runner, "pdp", "submit", str(tmp_path / "2026"))
    assert flat.exit_code == 3 and "(`-r` also reads its subdirectories)" in flat.stderr
    assert pa_server.state.created == []
    deep = run(runner, "pdp", "submit", "-r", str(tmp_path / "2026"))
    assert deep.exit_code == 0, deep.stderr
    assert len(pa_server.state.created) == 1


def test_pdp_health_reports_both_services_and_exits_4_when_one_is_down(
    runner: CliRunner, pa_server: PAServer, fast: None
) -> None:
    assert add_profile(runner, pa_server).exit_code == 0
    up = run(runner, "pdp", "health")
    assert up.exit_code == 0, up.stderr
    assert up.stdout.splitlines() == [
        f"up    Flow Service: {pa_server.url}{FLOW_PREFIX}",
        f"up    Directory Service: {pa_server.url}{DIRECTORY_PREFIX}",
    ]
    assert pa_server.state.calls.count("getHealth") == 2
    pa_server.state.healthy = False
    down = run(runner, "--json", "pdp", "health")
    assert down.exit_code == 4
    services = json.loads(down.stdout)["services"]
    assert [s["up"] for s in services] == [False, False] and "HTTP 503" in services[0]["detail"]


def test_pdp_inbox_fetches_each_flow_once_and_answers_once(
    runner: CliRunner, pa_server: PAServer, fast: None, tmp_path: Path
) -> None:
    from tests.lifecycle.conftest import invoice_bytes

    assert add_profile(runner, pa_server).exit_code == 0
    good = invoice_bytes()
    bad = good.replace(b"<ram:GrandTotalAmount>", b"<ram:GrandTotalAmount>9")
    first, second = pa_server.state.receive(good, "FA-1.xml"), pa_server.state.receive(bad, "FA-2.xml")
    folder = tmp_path / "received"
    args = ["pdp", "inbox", "-o", str(folder), "--ack", "204", "--refuse-invalid", "NON_CONFORME"]
    result = run(runner, *args)
    assert result.exit_code == 0, result.stderr
    lines = sorted(result.stdout.splitlines())
    assert len(lines) == 2 and "2 new, 0 already fetched" in result.stderr
    by_flow = {line.split("\t")[0]: line for line in lines}
    assert "\tvalid, answered 204 (" in by_flow[first] and "INVALID (" in by_flow[second]
    assert "answered 210 (" in by_flow[second]
    assert (folder / f"{first}-FA-1.xml").read_bytes() == good and (
        folder / f"{first}-FA-1.xml.html"
    ).is_file()
    answers = [pa_server.state.files[f["flowId"]] for f in pa_server.state.created]
    assert len(answers) == 2 and all(b"CrossDomainAcknowledgementAndResponse" in a for a in answers)
    downloads = pa_server.state.calls.count("getFlow")
    again = run(runner, "--json", *args)  # the second run in a row: nothing fetched, nothing answered
    assert again.exit_code == 0, again.stderr
    data = json.loads(again.stdout)
    assert data["fetched"] == [] and data["skipped"] == 2
    assert pa_server.state.calls.count("getFlow") == downloads and len(pa_server.state.created) == 2
    third = pa_server.state.receive(good.replace(b"FA-2026-0042", b"FA-2026-0043"), "FA-3.xml")
    later = json.loads(run(runner, "--json", "pdp", "inbox", "-o", str(folder)).stdout)
    assert [i["flow_id"] for i in later["fetched"]] == [third] and later["fetched"][0]["answer"] is None
    wrong = run(runner, "pdp", "inbox", "-o", str(folder), "--refuse-invalid", "NOPE")
    assert wrong.exit_code == 2 and "one of " in wrong.stderr and wrong.stdout == ""


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["pdp", "flows", "search", "--flow-type", "Invoice"], "one of CustomerInvoice, SupplierInvoice"),
        (["pdp", "flows", "search", "--updated-after", "yesterday"], "not an RFC 3339 date-time"),
        (["pdp", "flows", "search", "--updated-after", "2026-11-01T00:00:00"], "not an RFC 3339 date-time"),
        (["pdp", "flows", "search", "--ack-status", "OK"], "one of Pending, Ok, Error"),
        (
            ["pdp", "directory", "siren", "--where", "entityType=Private"],
            "one of Public, PrivateVatRegistered",
        ),
        (["pdp", "directory", "siret", "--where", "siren=12345"], "a SIREN has 9 digits"),
        (
            ["pdp", "webhook", "create", "https://erp.example/h", "--flow-type", "Bad"],
            "one of CustomerInvoice",
        ),
    ],
)
def test_values_outside_the_openapi_enums_are_refused_before_sending(
    runner: CliRunner, pa_server: PAServer, fast: None, args: list[str], said: str
) -> None:
    assert add_profile(runner, pa_server).exit_code == 0
    result = run(runner, *args)
    assert result.exit_code == 2 and said in result.stderr, result.stderr
    assert [c for c in pa_server.state.calls if c != "getHealth"] == []  # nothing reached the PA
