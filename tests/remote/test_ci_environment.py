"""CI and servers (issue 12): a profile file is present, the keyring fails on every call, the secrets are in
FPCLI_* variables. Every remote command works against the loopback servers and never touches the keyring."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.helpers import run
from tests.conftest import EXAMPLES, FailingKeyring
from tests.remote.pa_server import PAServer
from tests.remote.public_servers import ChorusServer
from tests.remote.test_cli_pdp import add_profile
from tests.remote.test_submit import invoice

SECRET = "s3cret-client"


@pytest.fixture
def ci_profile(runner: CliRunner, pa_server: PAServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A profile written while a keyring worked (no secret in it), then the CI machine's failing keyring."""
    monkeypatch.setenv("FPCLI_TIMEOUT", "0.5")
    monkeypatch.setenv("FPCLI_BACKOFF", "0.01")
    added = add_profile(runner, pa_server)  # its secret went to the keyring of the machine that wrote it
    assert added.exit_code == 0, added.stderr


def test_env_secret_wins_and_the_keyring_is_never_touched(
    runner: CliRunner,
    ci_profile: None,
    pa_server: PAServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ring = FailingKeyring()
    import keyring

    keyring.set_keyring(ring)
    monkeypatch.setenv("FPCLI_PA_CLIENT_SECRET", SECRET)
    siren = run(runner, "pdp", "directory", "siren", "732829320", "--json")
    assert siren.exit_code == 0, siren.stderr
    assert json.loads(siren.stdout)["results"][0]["businessName"] == "ACME INDUSTRIE"
    f = tmp_path / "inv.xml"
    f.write_bytes(invoice(1))
    submitted = run(runner, "pdp", "submit", str(f), "--processing-rule", "B2B", "--json")
    assert submitted.exit_code == 0, submitted.stderr
    assert json.loads(submitted.stdout)["submitted"][0]["flow_id"] == pa_server.state.created[0]["flowId"]
    flow_id = pa_server.state.created[0]["flowId"]
    for args in (
        ["pdp", "flows", "search", "--updated-after", "2020-01-01T00:00:00Z", "--json"],
        ["pdp", "flows", "get", flow_id, "--json"],
        ["pdp", "directory", "siret", "73282932000074", "--json"],
        ["pdp", "webhook", "list", "--json"],
    ):
        result = run(runner, *args)
        assert result.exit_code == 0, (args, result.stderr)
        json.loads(result.stdout)
    token = run(runner, "auth", "token")
    assert token.exit_code == 0 and token.stdout.strip() and SECRET not in token.stdout + token.stderr
    login = run(runner, "auth", "login")
    assert login.exit_code == 0 and "access token valid" in login.stderr and "kept" not in login.stderr
    status = run(runner, "auth", "status", "--json")
    assert status.exit_code == 0
    row = json.loads(status.stdout)["pas"][0]
    assert row["secret_source"] == "FPCLI_PA_CLIENT_SECRET" and row["secret_stored"] is None
    assert ring.calls == 0  # not one keyring call, token cache included
    # one token per process (memory cache): directory, submit, token, login
    assert len(pa_server.state.token_requests) >= 4


def test_token_cache_file_only_when_asked(
    runner: CliRunner, ci_profile: None, pa_server: PAServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from platformdirs import user_cache_path

    ring = FailingKeyring()
    import keyring

    keyring.set_keyring(ring)
    monkeypatch.setenv("FPCLI_PA_CLIENT_SECRET", SECRET)
    cache = user_cache_path("fpcli") / "tokens.json"
    assert run(runner, "auth", "token").exit_code == 0
    assert not cache.exists()
    monkeypatch.setenv("FPCLI_TOKEN_CACHE", "file")
    first = run(runner, "auth", "token")
    second = run(runner, "auth", "token")
    assert first.exit_code == second.exit_code == 0 and first.stdout == second.stdout
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600 and SECRET not in cache.read_text()
    assert len(pa_server.state.token_requests) == 2  # the second file-cached run reused the token
    monkeypatch.setenv("FPCLI_PA_CLIENT_ID", "other-client")  # another account: not the cached token
    assert run(runner, "auth", "token").exit_code == 5
    assert ring.calls == 0


def test_chorus_with_env_secrets_and_a_profile(
    runner: CliRunner,
    chorus: ChorusServer,
    failing_keyring: FailingKeyring,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from fpcli.profiles import config
    from fpcli.profiles.models import ChorusConfig, Profile

    profiles = config.load()
    profiles.profiles["acme"] = Profile(chorus=ChorusConfig(sandbox=True))
    profiles.default = "acme"
    config.save(profiles)
    monkeypatch.setenv("FPCLI_TIMEOUT", "0.5")
    result = run(runner, "chorus", "structure", "11004301500012", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["services"] == [{"code": "SGA-ACHATS", "name": "Achats"}]
    pdf = tmp_path / "inv.pdf"
    assert run(runner, "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(pdf)).exit_code == 0
    deposited = run(runner, "chorus", "submit", str(pdf), "--json")
    assert deposited.exit_code == 0, deposited.stderr
    assert json.loads(deposited.stdout)["submitted"][0]["flow_id"] == "CPP0000000001"
    assert failing_keyring.calls == 0


def test_without_a_keyring_status_logout_show_report_and_exit_0(
    runner: CliRunner, ci_profile: None, failing_keyring: FailingKeyring, pa_server: PAServer
) -> None:
    status = run(runner, "auth", "status")
    assert status.exit_code == 0, status.stderr
    assert "secret store unusable" in status.stdout and "no D-Bus session bus" in status.stdout
    logout = run(runner, "auth", "logout")
    assert logout.exit_code == 0 and "no secret removed" in logout.stderr
    show = run(runner, "profile", "show", "--json")
    assert show.exit_code == 0
    assert json.loads(show.stdout)["pa"]["main"]["secrets"]["client_secret"].startswith("unknown")
    stored = run(runner, "auth", "login", "--secret-stdin", input=SECRET + "\n")
    assert stored.exit_code == 5 and "no D-Bus session bus" in stored.stderr  # checked before logging in
    missing = run(runner, "auth", "token")  # no env secret: the store is needed and fails, named
    assert missing.exit_code == 5 and "no D-Bus session bus" in missing.stderr
    assert "--secret-store file" in missing.stderr
    assert pa_server.state.token_requests == []  # nothing was sent for a secret that could not be kept
