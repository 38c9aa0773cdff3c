"""`fpcli doctor` against the loopback PA and Chorus Pro servers: exit 0 when all that is needed works,
otherwise the first fix, with the exit code of that failure."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.cli.helpers import run
from tests.conftest import FailingKeyring
from tests.remote.pa_server import PAServer
from tests.remote.public_servers import ChorusServer
from tests.remote.test_cli_pdp import add_profile


@pytest.fixture
def profile(runner: CliRunner, pa_server: PAServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FPCLI_TIMEOUT", "0.5")
    monkeypatch.setenv("FPCLI_BACKOFF", "0.01")
    added = add_profile(runner, pa_server)
    assert added.exit_code == 0, added.stderr


def checks(result) -> dict[str, str]:
    return {c["name"]: c["state"] for c in json.loads(result.stdout)["checks"]}


def test_everything_works(
    runner: CliRunner, profile: None, pa_server: PAServer, chorus: ChorusServer
) -> None:
    result = run(runner, "doctor", "--json")
    assert result.exit_code == 0, result.stderr
    states = checks(result)
    assert states["secret store"] == "ok" and states["profile"] == "ok"
    assert states["PA Flow Service"] == states["PA Directory Service"] == "ok"
    assert states["Chorus Pro"] == "ok" and states["rule sets"] == "ok"
    assert pa_server.state.calls.count("getHealth") == 2
    text = run(runner, "doctor")
    assert text.exit_code == 0 and text.stderr == ""
    assert "ok    PA Flow Service: " in text.stdout and "s3cret" not in text.stdout


def test_a_pa_that_is_down_is_the_first_fix(runner: CliRunner, profile: None, pa_server: PAServer) -> None:
    pa_server.state.healthy = False
    result = run(runner, "doctor")
    assert result.exit_code == 4
    assert "fail  PA Flow Service" in result.stdout
    assert result.stderr.startswith("error: PA Flow Service: ") and "503" in result.stderr


def test_without_a_keyring(
    runner: CliRunner, profile: None, failing_keyring: FailingKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(runner, "doctor", "--json")
    assert result.exit_code == 5 and checks(result)["secret store"] == "fail"
    assert "--secret-store file" in result.stderr
    monkeypatch.setenv("FPCLI_PA_CLIENT_SECRET", "s3cret-client")
    calls = failing_keyring.calls
    in_ci = run(runner, "doctor", "--json")
    assert in_ci.exit_code == 0, in_ci.stderr
    assert checks(in_ci)["secret store"] == "skip" and checks(in_ci)["PA token"] == "ok"
    assert failing_keyring.calls == calls  # the environment wins: the keyring is not even asked


def test_secret_file_readable_by_others(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from fpcli.profiles.secrets import secrets_file

    path = secrets_file()
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    path.chmod(0o644)
    result = run(runner, "doctor")
    assert result.exit_code == 5 and f"chmod 600 {path}" in result.stderr
