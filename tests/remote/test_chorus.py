"""`fpcli chorus` against a Chorus Pro (PISTE) server on loopback: deposits never duplicated, faults, reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.helpers import run
from tests.conftest import EXAMPLES, MemoryKeyring
from tests.remote.public_servers import CLIENT_ID, CLIENT_SECRET, LOGIN, PASSWORD, ChorusServer
from tests.remote.test_submit import invoice


@pytest.fixture
def pdf(runner: CliRunner, tmp_path: Path) -> Path:
    out = tmp_path / "FA-2026-0042.pdf"
    assert run(runner, "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(out)).exit_code == 0
    return out


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FPCLI_TIMEOUT", "0.5")
    monkeypatch.setenv("FPCLI_BACKOFF", "0.01")


def test_deposit_wait_and_never_twice(runner: CliRunner, chorus: ChorusServer, pdf: Path) -> None:
    result = run(runner, "chorus", "submit", str(pdf), "--wait", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)["submitted"][0]
    assert (
        report["flow_id"] == "CPP0000000001"
        and report["ack_status"] == "Ok"
        and report["detail"] == "IN_INTEGRE"
    )
    assert chorus.state.deposits[0]["syntax"] == "IN_DP_E2_CII_FACTURX"
    assert chorus.state.deposits[0]["data"] == pdf.read_bytes()
    again = run(runner, "chorus", "submit", str(pdf))
    assert again.exit_code == 2 and "already deposited" in again.stderr and len(chorus.state.deposits) == 1
    status = run(runner, "chorus", "status", "CPP0000000001")
    assert status.exit_code == 0 and status.stdout.strip() == "CPP0000000001: IN_INTEGRE"


def test_xml_syntaxes_and_rejection(runner: CliRunner, chorus: ChorusServer, tmp_path: Path) -> None:
    xml = tmp_path / "r.xml"
    xml.write_bytes(invoice(1, b"REJECT-ME"))
    result = run(runner, "chorus", "submit", str(xml), "--wait")
    assert (
        result.exit_code == 1
        and "IN_REJETE" in result.stdout
        and "REJ_DOUBLON: facture en doublon" in result.stderr
    )
    assert chorus.state.deposits[0]["syntax"] == "IN_DP_E1_CII_16B"


def test_dropped_deposit_is_not_sent_again_by_accident(
    runner: CliRunner, chorus: ChorusServer, pdf: Path
) -> None:
    chorus.state.faults["/factures/v1/deposer/flux"].append("drop")
    first = run(runner, "chorus", "submit", str(pdf))
    assert first.exit_code == 4 and "may or may not have reached chorus:http" in first.stderr
    assert "connection lost" in first.stderr and "--resolve 1 --flow-id" in first.stderr
    assert len(chorus.state.deposits) == 1  # the server did receive it
    second = run(runner, "chorus", "submit", str(pdf))
    assert second.exit_code == 4 and "an earlier deposit got no answer" in second.stderr
    assert len(chorus.state.deposits) == 1
    listing = run(runner, "pdp", "journal", "--state", "uncertain")
    assert listing.exit_code == 0 and listing.stdout.startswith("1\t") and "\tuncertain\t" in listing.stdout
    assert "uncertain entries may or may not have arrived" in listing.stderr
    search = json.loads(
        run(runner, "chorus", "invoices", "search", "--number", "FA-2026-0042", "--json").stdout
    )
    assert search["listeFactures"][0]["idFacture"] == 1  # the user checks: it is there, nothing to re-send
    resolved = run(runner, "pdp", "journal", "--resolve", "1", "--flow-id", "CPP0000000001")
    assert resolved.exit_code == 0 and "journal entry 1" in resolved.stderr and "submitted" in resolved.stderr
    third = run(runner, "chorus", "submit", str(pdf))
    assert third.exit_code == 2 and "already deposited" in third.stderr and len(chorus.state.deposits) == 1
    assert run(runner, "pdp", "journal", "--resolve", "1", "--absent").exit_code == 2  # decided already


@pytest.mark.parametrize("fault", ["429", "503", "expire_token"])
def test_refused_before_processing_is_retried_once(
    runner: CliRunner, chorus: ChorusServer, pdf: Path, fault: str
) -> None:
    chorus.state.faults["/factures/v1/deposer/flux"].append(fault)
    result = run(runner, "chorus", "submit", str(pdf))
    assert result.exit_code == 0, result.stderr
    assert len(chorus.state.deposits) == 1 and chorus.state.calls.count("/factures/v1/deposer/flux") == 2


@pytest.mark.parametrize("fault", ["500", "slow"])
def test_uncertain_deposit_is_not_retried(
    runner: CliRunner, chorus: ChorusServer, pdf: Path, fault: str
) -> None:
    chorus.state.faults["/factures/v1/deposer/flux"].append(fault)
    result = run(runner, "chorus", "submit", str(pdf))
    assert result.exit_code == 4 and "may or may not have reached" in result.stderr
    assert chorus.state.calls.count("/factures/v1/deposer/flux") == 1
    if fault == "500":  # refused before recording: the user checks, it is absent, the next submit sends it
        assert run(runner, "pdp", "journal", "--resolve", "1", "--absent").exit_code == 0
        assert run(runner, "chorus", "submit", str(pdf)).exit_code == 0
        assert chorus.state.calls.count("/factures/v1/deposer/flux") == 2
    else:  # recorded late: the user finds it, the next submit refuses to send it again
        assert run(runner, "pdp", "journal", "--resolve", "1", "--flow-id", "CPP0000000001").exit_code == 0
        assert run(runner, "chorus", "submit", str(pdf)).exit_code == 2
    assert len(chorus.state.deposits) == 1


def test_search_get_download_structure(
    runner: CliRunner, chorus: ChorusServer, pdf: Path, tmp_path: Path
) -> None:
    assert run(runner, "chorus", "submit", str(pdf)).exit_code == 0
    listing = run(runner, "chorus", "invoices", "search")
    assert listing.exit_code == 0 and listing.stdout.startswith(
        "1\tFA-2026-0042\t2026-11-20\tMISE_A_DISPOSITION"
    )
    details = json.loads(run(runner, "chorus", "invoices", "get", "1", "--json").stdout)
    assert details["numeroFacture"] == "FA-2026-0042"
    out = tmp_path / "back.pdf"
    assert run(runner, "chorus", "invoices", "get", "1", "-o", str(out)).exit_code == 0
    assert out.read_bytes() == pdf.read_bytes()
    structure = json.loads(run(runner, "chorus", "structure", "11004301500012", "--json").stdout)
    assert structure["service_code_required"] and structure["engagement_required"]
    assert structure["services"] == [{"code": "SGA-ACHATS", "name": "Achats"}]  # inactive ones left out
    unknown = run(runner, "chorus", "structure", "98765432400019")
    assert unknown.exit_code == 4 and "no public structure with SIRET 98765432400019" in unknown.stderr
    missing = run(runner, "chorus", "invoices", "get", "99")
    assert missing.exit_code == 4 and "codeRetour 20002 Facture inconnue" in missing.stderr
    assert chorus.state.token_requests == 7  # no profile (CI): one token per command, not per call


def test_configure_keeps_secrets_in_the_keyring(
    runner: CliRunner,
    isolation: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    chorus: ChorusServer,
    pdf: Path,
) -> None:
    for var in (
        "FPCLI_CHORUS_CLIENT_SECRET",
        "FPCLI_CHORUS_PASSWORD",
        "FPCLI_CHORUS_CLIENT_ID",
        "FPCLI_CHORUS_LOGIN",
    ):
        monkeypatch.delenv(var)
    assert run(runner, "profile", "add", "acme").exit_code == 0
    missing = run(runner, "chorus", "status", "X")
    assert (
        missing.exit_code == 5
        and "no technical login" in missing.stderr
        and "FPCLI_CHORUS_LOGIN" in missing.stderr
    )
    result = run(
        runner,
        "chorus",
        "configure",
        "--sandbox",
        "--client-id",
        CLIENT_ID,
        "--login",
        LOGIN,
        "--secrets-stdin",
        input=f"{CLIENT_SECRET}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.stderr
    assert isolation.store[("fpcli", "acme/chorus/client_secret")] == CLIENT_SECRET
    assert isolation.store[("fpcli", "acme/chorus/technical_password")] == PASSWORD
    from fpcli.profiles.config import config_path

    assert CLIENT_SECRET not in config_path().read_text() and PASSWORD not in config_path().read_text()
    assert run(runner, "chorus", "submit", str(pdf)).exit_code == 0
    assert ("fpcli", "acme/chorus/token") in isolation.store
    assert run(runner, "auth", "logout").exit_code == 0
    assert not [k for k in isolation.store if k[1].startswith("acme/")]


def test_token_endpoint_answering_html_is_an_auth_error(
    runner: CliRunner, chorus: ChorusServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.remote.loopback import JsonHandler, LoopbackServer

    class Html(JsonHandler):
        def do_POST(self) -> None:
            self._body()
            self._send(200, raw=b"<html>maintenance</html>", content_type="text/html")

    with LoopbackServer(Html) as portal:
        monkeypatch.setenv("FPCLI_CHORUS_TOKEN_URL", portal.url + "/api/oauth/token")
        result = run(runner, "chorus", "status", "CPP0000000001")
    assert result.exit_code == 5
    assert "PISTE OAuth2 " in result.stderr and "the answer is not a JSON object" in result.stderr


def test_submit_checks_first_and_deposits_nothing_invalid(
    runner: CliRunner, chorus: ChorusServer, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(
        invoice(2).replace(b"<ram:CountryID>FR</ram:CountryID>", b"<ram:CountryID>XX</ram:CountryID>")
    )
    result = run(runner, "chorus", "submit", str(bad))
    assert result.exit_code == 1
    assert f"{bad}: " in result.stderr and "nothing sent" in result.stderr
    assert chorus.state.deposits == []
    assert run(runner, "chorus", "submit", str(bad), "--no-check").exit_code == 0
    assert len(chorus.state.deposits) == 1
