"""No secret anywhere: every remote command at -vvv, under faults, against the loopback servers with known
secrets; then every byte of output and every file fpcli wrote is searched for each secret (and its base64)."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.helpers import run
from tests.conftest import EXAMPLES
from tests.remote.pa_server import DIRECTORY_PREFIX, FLOW_PREFIX, PAServer
from tests.remote.public_servers import CLIENT_SECRET, LOGIN, PASSWORD, ChorusServer
from tests.remote.test_cli_pdp import SECRET, add_profile
from tests.remote.test_submit import invoice

URL_PASSWORD = "url-pw-7731"


def forms(secret: str) -> list[str]:
    return [secret, base64.b64encode(secret.encode()).decode()]


def leaks(texts: dict[str, str], secrets: list[str]) -> list[str]:
    return [f"{where}: {s[:6]}…" for where, text in texts.items() for s in secrets if s in text]


def files_under(*roots: Path) -> dict[str, str]:
    out = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                out[str(path)] = path.read_bytes().decode("latin-1")  # SQLite pages too
    return out


def test_remote_commands_at_vvv_leak_no_secret(
    runner: CliRunner,
    pa_server: PAServer,
    chorus: ChorusServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FPCLI_WEBHOOK_SECRET", "webhook-secret-5512")
    add_profile(runner, pa_server)
    xml = tmp_path / "inv.xml"
    xml.write_bytes(invoice(77))
    other = tmp_path / "other.xml"
    other.write_bytes(invoice(78))
    pdf = tmp_path / "FA.pdf"
    assert run(runner, "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(pdf)).exit_code == 0
    pa_server.state.faults["createFlow"].append("drop")  # an uncertain upload: messages quote the request
    pa_server.state.faults["searchFlows"].append("500")
    commands = [
        ["auth", "login"], ["auth", "status", "--json"],
        ["pdp", "submit", str(xml), "--json"], ["pdp", "submit", str(xml)],
        ["pdp", "flows", "search", "--ack-status", "Ok", "--all"],
        ["pdp", "directory", "siren", "732829320", "--json"],
        ["pdp", "webhook", "create", "https://erp.example/h", "--json"], ["pdp", "webhook", "list"],
        ["pdp", "journal", "--json"],
        ["chorus", "submit", str(pdf), "--wait"], ["chorus", "status", "CPP0000000001"],
        ["chorus", "invoices", "search", "--json"], ["chorus", "structure", "11004301500012"],
        ["chorus", "invoices", "get", "99"],
    ]  # fmt: skip
    outputs: dict[str, str] = {}
    for args in commands:
        result = run(runner, "-vvv", *args)
        assert result.exit_code in (0, 2, 4), (args, result.stderr)
        outputs[" ".join(args)] = result.stdout + result.stderr
    assert "http:   request headers:" in outputs["chorus invoices get 99"]  # -vvv did show headers
    assert "cpro-account': '***'" in outputs["chorus invoices get 99"]
    # credentials in a URL: the PA refuses them, and neither the messages nor the journal show them
    monkeypatch.setenv("FPCLI_PA_FLOW_URL", f"http://bob:{URL_PASSWORD}@127.0.0.1:1{FLOW_PREFIX}")
    monkeypatch.setenv("FPCLI_TIMEOUT", "0.2")
    refused = run(runner, "-vvv", "pdp", "submit", str(other))
    assert refused.exit_code == 4, refused.stderr
    outputs["submit with userinfo"] = refused.stdout + refused.stderr
    assert "http://***@127.0.0.1:1" in refused.stderr

    tokens = [*pa_server.state.tokens, *pa_server.state.refresh_tokens, *chorus.state.tokens]
    secrets = [
        *forms(SECRET), *forms(CLIENT_SECRET), *forms(PASSWORD), *forms(f"{LOGIN}:{PASSWORD}"),
        *forms(URL_PASSWORD), *forms("webhook-secret-5512"), *tokens,
    ]  # fmt: skip
    assert len(tokens) >= 3
    home = Path.home()
    written = files_under(home, tmp_path)
    assert any(p.endswith("submissions.sqlite") for p in written)
    assert leaks(outputs, secrets) == []
    assert leaks(written, secrets) == []
    journal = next(Path(p) for p in written if p.endswith("submissions.sqlite"))
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    entries = json.loads(outputs["pdp journal --json"])["entries"]
    assert {e["state"] for e in entries} >= {"submitted"}


def test_escape_sequences_from_a_server_do_not_reach_the_terminal(
    runner: CliRunner, pa_server: PAServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FPCLI_PA_FLOW_URL", pa_server.url + FLOW_PREFIX)
    monkeypatch.setenv("FPCLI_PA_DIRECTORY_URL", pa_server.url + DIRECTORY_PREFIX)
    monkeypatch.setenv("FPCLI_PA_TOKEN_URL", pa_server.url + "/oauth/token")
    monkeypatch.setenv("FPCLI_PA_CLIENT_ID", "acme-client")
    monkeypatch.setenv("FPCLI_PA_CLIENT_SECRET", SECRET)
    result = run(runner, "pdp", "flows", "get", "\x1b]0;pwned\x07\x1b[2J\u202enope")
    assert result.exit_code == 4
    assert "no flow" in result.stderr and "\x1b" not in result.stderr and "\u202e" not in result.stderr
    hostile = tmp_path / "inv\x1b[2J\x1b]0;pwned\x07.xml"  # a file name is text from outside too
    hostile.write_bytes(invoice(79))
    for args in (
        ["pdp", "submit", str(hostile)],
        ["pdp", "journal"],
        ["pdp", "flows", "search", "--ack-status", "Pending"],
    ):
        shown = run(runner, *args)
        assert shown.exit_code == 0, shown.stderr
        assert "inv.xml" in shown.stdout or args[2] == "search"  # the sequences are gone, not just ESC
        assert "\x1b" not in shown.stdout + shown.stderr and "\x07" not in shown.stdout + shown.stderr
