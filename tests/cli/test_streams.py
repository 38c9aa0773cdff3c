"""stdout is the result, for every command (issue 12): one walk through the whole command tree, against the
loopback PA and Chorus Pro servers. Each command runs as a person runs it (its result on stdout, notes on
stderr) and with the global `--json` (stdout parses as one JSON object). A new command fails this test until
it is added to the walk."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.cli.helpers import run
from tests.conftest import EXAMPLES
from tests.lifecycle.conftest import invoice_bytes
from tests.remote.conftest import chorus, pa_server  # noqa: F401 (fixtures used by the walk)
from tests.remote.pa_server import DIRECTORY_PREFIX, FLOW_PREFIX, PAServer, signed_event
from tests.remote.test_submit import invoice

REPORT, ACTION = "report", "action"  # a report prints its result; an action's outcome is a note on stderr
HEADER = ["--issuer-siren", "340577964", "--issuer-name", "Matelas", "--sender-id", "2728",
          "--start", "2025-09-01", "--end", "2025-09-30"]  # fmt: skip


def all_commands() -> set[str]:
    import typer

    from fpcli.cli.app import app

    out: set[str] = set()

    def walk(prefix: str, group: Any) -> None:
        for name, cmd in group.commands.items():
            full = f"{prefix} {name}".strip()
            walk(full, cmd) if hasattr(cmd, "commands") else out.add(full)

    walk("", typer.main.get_command(app))
    return out


class Walk:
    def __init__(self, runner: CliRunner) -> None:
        self.runner = runner
        self.seen: set[str] = set()

    def step(
        self,
        name: str,
        kind: str,
        text: list[str],
        as_json: list[str] | None = None,
        code: int = 0,
        **kw: Any,
    ) -> tuple[Any, Any]:
        """Run `text` as a person would, then `as_json` (default: the same arguments) with `--json`."""
        self.seen.add(name)
        words = name.split()
        if words == ["sign", "pdf"]:
            words = ["sign"]  # `fpcli sign IN -o OUT` is how the README says it
        plain = run(self.runner, *words, *text, **kw)
        where = f"`fpcli {name}` ({plain.exit_code}): {plain.stderr}"
        assert plain.exit_code == code, where
        for line in plain.stdout.splitlines():
            assert not line.startswith(("error:", "warning:", "hint:")), where
        if kind == REPORT:
            assert plain.stdout.strip(), f"`fpcli {name}` printed its report elsewhere than stdout"
        else:
            assert plain.stdout == "" and plain.stderr.strip(), where
        machine = run(self.runner, "--json", *words, *(text if as_json is None else as_json), **kw)
        assert machine.exit_code == code, f"`fpcli --json {name}`: {machine.stderr}"
        data = json.loads(machine.stdout)  # parses: nothing else shares stdout with the JSON
        assert isinstance(data, dict) and data, name
        return plain, data


@pytest.fixture
def ready(
    runner: CliRunner,
    pa_server: PAServer,  # noqa: F811 (the fixture imported above)
    chorus: Any,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Walk, PAServer, Path]:
    monkeypatch.setenv("FPCLI_TIMEOUT", "0.5")
    monkeypatch.setenv("FPCLI_BACKOFF", "0.01")
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "pw")
    monkeypatch.chdir(tmp_path)
    return Walk(runner), pa_server, tmp_path


def test_every_command_prints_its_result_on_stdout_and_json_parses(
    ready: tuple[Walk, PAServer, Path],
) -> None:
    w, server, tmp = ready
    pa = ["--pa", "main", "--flow-url", server.url + FLOW_PREFIX, "--directory-url", server.url + DIRECTORY_PREFIX,
          "--token-url", server.url + "/oauth/token", "--client-id", "acme-client", "--secret-stdin"]  # fmt: skip
    w.step("profile add", ACTION, ["acme", *pa], ["acme2", *pa], input="s3cret-client\n")
    w.step("profile edit", ACTION, ["acme", "--client-uid", "acme-uid"])
    w.step("profile use", ACTION, ["acme"])
    w.step("profile list", REPORT, [])
    w.step("profile show", REPORT, [])
    w.step("auth login", ACTION, [])
    w.step("auth status", REPORT, [])
    w.step("auth token", REPORT, [])

    w.step("generate", ACTION, [str(EXAMPLES / "invoice-services.yaml"), "-o", "inv.pdf"],
           [str(EXAMPLES / "invoice-services.yaml"), "-o", "inv2.pdf"])  # fmt: skip
    w.step("extract", REPORT, ["inv.pdf"])
    w.step("validate", REPORT, ["inv.pdf"])
    (tmp / "inv-only.xml").write_bytes(invoice_bytes())
    w.step("embed", ACTION, ["inv-only.xml", "inv.pdf", "-o", "fx.pdf"], ["inv-only.xml", "inv.pdf", "-o", "fx2.pdf"])
    w.step("view", ACTION, ["inv.pdf", "-o", "inv.html"], ["inv.pdf", "-o", "inv2.html"])
    w.step("convert", ACTION, ["inv.pdf", "--to", "ubl", "-o", "u.xml"], ["inv.pdf", "--to", "ubl", "-o", "u2.xml"])
    w.step("sign make-test-cert", ACTION, ["-o", "t.p12"], ["-o", "t2.p12"])
    w.step(
        "sign pdf",
        ACTION,
        ["inv.pdf", "-o", "s.pdf", "--p12", "t.p12"],
        ["inv.pdf", "-o", "s2.pdf", "--p12", "t.p12"],
    )
    verified, _ = w.step("sign verify", REPORT, ["s.pdf"], code=6)  # self-signed: untrusted
    assert "INVALID" in verified.stdout.splitlines()[1]
    w.step("sign extend", ACTION, ["s.pdf", "-o", "e.pdf", "--trust", "t.pem"],
           ["s.pdf", "-o", "e2.pdf", "--trust", "t.pem"])  # fmt: skip
    w.step("sign configure", ACTION, ["--p12", "t.p12", "--level", "B-B"])

    (tmp / "inv.xml").write_bytes(invoice_bytes())
    w.step(
        "cdar create",
        ACTION,
        ["-s", "204", "-i", "inv.xml", "-o", "m.xml"],
        ["-s", "204", "-i", "inv.xml", "-o", "m2.xml"],
    )
    w.step("cdar paid", ACTION, ["-i", "inv.xml", "--amount", "20=100.00", "-o", "p.xml"],
           ["-i", "inv.xml", "--amount", "20=100.00", "-o", "p2.xml"])  # fmt: skip
    w.step("cdar refuse", ACTION, ["-i", "inv.xml", "--reason", "DOUBLON", "-o", "r.xml"],
           ["-i", "inv.xml", "--reason", "DOUBLON", "-o", "r2.xml"])  # fmt: skip
    w.step("cdar read", REPORT, ["r.xml"])
    w.step("cdar validate", REPORT, ["r.xml"])
    statuses, _ = w.step("cdar statuses", REPORT, [])
    assert any(line.startswith("210 ") for line in statuses.stdout.splitlines())  # `| grep 210` finds it

    csv = str(EXAMPLES / "ereport" / "10.3-b2c-daily.csv")
    w.step("ereport build", ACTION, [csv, "--flow", "10.3", *HEADER, "-o", "e.xml"],
           [csv, "--flow", "10.3", *HEADER, "-o", "e2.xml"])  # fmt: skip
    w.step("ereport read", REPORT, ["e.xml"])
    w.step("ereport validate", REPORT, ["e.xml"])
    w.step("ereport columns", REPORT, ["--flow", "10.3"])

    (tmp / "a.xml").write_bytes(invoice(1))
    (tmp / "b.xml").write_bytes(invoice(2))
    w.step("pdp submit", REPORT, ["a.xml", "--processing-rule", "B2B"], ["b.xml", "--processing-rule", "B2B"])
    flow_id = server.state.created[0]["flowId"]
    w.step("pdp journal", REPORT, [])
    w.step("pdp health", REPORT, [])
    server.state.receive(invoice_bytes(), "received.xml")
    w.step("pdp inbox", REPORT, ["-o", "received"])
    w.step("preflight", REPORT, ["inv.xml"], code=1)  # the example buyer has no line in the test directory
    # Same answer through `send`: the invoice is refused before any upload, the report is on stdout.
    w.step("send", REPORT, [str(EXAMPLES / "invoice-services.yaml")], ["inv.xml", "--dry-run"], code=1)
    w.step("pdp flows search", REPORT, ["--updated-after", "2020-01-01T00:00:00Z"])
    w.step("pdp flows get", REPORT, [flow_id])
    w.step("pdp directory siren", REPORT, ["732829320"])
    w.step("pdp directory siret", REPORT, ["73282932000074"])
    w.step("pdp directory routing-code", REPORT, ["11004301500012", "SERVICE-ACHATS"])
    w.step("pdp directory line", REPORT, ["--where", "siren=732829320"])
    created, second = w.step("pdp webhook create", REPORT, ["https://erp.example/h"])
    first = created.stdout.split()[0]
    w.step("pdp webhook list", REPORT, [])
    payload = tmp / "event.json"
    payload.write_bytes(b'{"flowId": "abc", "ackStatus": "Ok"}')
    headers = signed_event(server.state.webhooks[first]["signingKey"], payload.read_bytes(), int(time.time()))
    w.step("pdp webhook verify", REPORT, [str(payload), "--signature", headers["Afnor-Signature"],
           "--timestamp", headers["Afnor-Signature-Timestamp"], "--webhook-id", first])  # fmt: skip
    w.step("pdp webhook delete", ACTION, [first], [str(second["webhookId"])])

    w.step("chorus configure", ACTION, ["--sandbox"])
    w.step("chorus submit", REPORT, ["inv.pdf"], ["s.pdf"])
    w.step("chorus status", REPORT, ["CPP0000000001"])
    w.step("chorus structure", REPORT, ["11004301500012"])
    w.step("chorus invoices search", REPORT, [])
    w.step("chorus invoices get", REPORT, ["1"])

    w.step("doctor", REPORT, [])
    w.step("auth logout", ACTION, [])
    w.step("profile remove", ACTION, ["acme2"], ["acme"])
    assert w.seen == all_commands(), f"not walked: {sorted(all_commands() - w.seen)}"


def test_json_and_a_document_on_stdout_are_refused_before_any_work(runner: CliRunner, tmp_path: Path) -> None:
    inv = tmp_path / "inv.xml"
    inv.write_bytes(invoice_bytes())
    csv = str(EXAMPLES / "ereport" / "10.3-b2c-daily.csv")
    for args in (
        ["cdar", "create", "-s", "204", "-i", str(inv), "-o", "-"],
        ["ereport", "build", csv, "--flow", "10.3", *HEADER, "-o", "-"],
        ["generate", str(EXAMPLES / "invoice-services.yaml"), "-t", "xml", "-o", "-"],
    ):
        result = run(runner, "--json", *args)
        assert result.exit_code == 2 and result.stdout == "", args
        assert "`--json` and `-o -` both want stdout" in result.stderr
