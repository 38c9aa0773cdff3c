"""Tokens with an in-memory keyring: login, cached reuse, refresh before expiry, fallback, logout."""

from __future__ import annotations

import json

import pytest

from fpcli.errors import AuthError, ExitCode
from fpcli.profiles import config, manage, models, secrets
from fpcli.profiles.resolve import PATarget
from fpcli.remote import pa as pa_core
from fpcli.remote.tokens import MARGIN, Token, TokenManager, jwt_expiry
from tests.conftest import MemoryKeyring
from tests.remote.conftest import pa_config, session_for
from tests.remote.pa_server import PAServer


def make_profile(server: PAServer, auth: str = "oauth2", name: str = "acme") -> PATarget:
    profiles = config.load()
    profiles.profiles[name] = models.Profile(
        client_uid="acme-uid", default_pa="main", pa={"main": pa_config(server, auth)}
    )
    config.save(profiles)
    return PATarget(name, "main", profiles.profiles[name].pa["main"], "acme-uid")


def test_oauth2_login_is_cached_in_the_keyring_and_reused(
    pa_server: PAServer, isolation: MemoryKeyring
) -> None:
    target = make_profile(pa_server)
    with session_for(target) as session:
        token, where = pa_core.login(session, "s3cret-client")
    assert where == "the keyring backend tests.conftest.MemoryKeyring"
    stored = isolation.store[("fpcli", "acme/pa/main/token")]
    assert json.loads(stored)["access"] == token.access
    assert isolation.store[("fpcli", "acme/pa/main/client_secret")] == "s3cret-client"
    # a new process: the cached token serves, no token request
    with session_for(target) as session:
        assert session.tokens.token() == token.access
        session.directory.get("/v1/siren/code-insee:732829320")
    assert [r["kind"] for r in pa_server.state.token_requests] == ["oauth2"]


def test_jwt_login_sends_client_uid_then_refreshes_before_expiry(
    pa_server: PAServer, isolation: MemoryKeyring
) -> None:
    target = make_profile(pa_server, "jwt")
    now = [1_000_000.0]
    with session_for(target) as session:
        tokens = TokenManager(target, session.http, clock=lambda: now[0])
        first = tokens.login("pa55word")
        assert pa_server.state.token_requests == [{"kind": "jwt", "client_uid": "acme-uid"}]
        assert first.refresh and first.expires_at == jwt_expiry(first.access)
        now[0] = first.expires_at - MARGIN / 2  # inside the renewal margin: refresh, not a new login
        second = tokens.token()
    assert second != first.access
    assert [r["kind"] for r in pa_server.state.token_requests] == ["jwt", "refresh"]
    cached = Token.loads(isolation.store[("fpcli", "acme/pa/main/token")])
    assert cached is not None and cached.access == second and cached.refresh == first.refresh


def test_expired_refresh_token_falls_back_to_credentials(
    pa_server: PAServer, isolation: MemoryKeyring
) -> None:
    target = make_profile(pa_server, "jwt")
    isolation.store[("fpcli", "acme/pa/main/password")] = "pa55word"
    isolation.store[("fpcli", "acme/pa/main/token")] = Token("old", 0.0, "revoked-refresh", 9e12).dumps()
    with session_for(target) as session:
        assert session.tokens.token() != "old"
    assert [r["kind"] for r in pa_server.state.token_requests] == ["refresh", "jwt"]


def test_token_expiring_mid_run_is_renewed_once(pa_server: PAServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FPCLI_PA_CLIENT_SECRET", "s3cret-client")
    target = make_profile(pa_server)
    with session_for(target) as session:
        session.directory.get("/v1/siren/code-insee:732829320")
        pa_server.state.faults["getCompanyBySiren"].append("expire_token")
        assert session.directory.get("/v1/siren/code-insee:732829320")["businessName"] == "ACME INDUSTRIE"
    assert [r["kind"] for r in pa_server.state.token_requests] == ["oauth2", "oauth2"]


def test_wrong_secret_is_exit_5_and_never_echoed(pa_server: PAServer) -> None:
    target = make_profile(pa_server)
    with session_for(target) as session, pytest.raises(AuthError) as info:
        pa_core.login(session, "wrong-secret-value")
    assert info.value.exit_code == ExitCode.AUTH
    assert "HTTP 401 invalid_client: bad client credentials" in info.value.message
    assert "wrong-secret-value" not in info.value.message + (info.value.hint or "")


def test_missing_secret_names_the_ways_to_give_one(pa_server: PAServer) -> None:
    target = make_profile(pa_server)
    with session_for(target) as session, pytest.raises(AuthError) as info:
        session.tokens.token()
    assert "no client secret for PA acme/main" in info.value.message
    assert "fpcli auth login" in (info.value.hint or "") and "FPCLI_PA_CLIENT_SECRET" in (
        info.value.hint or ""
    )


def test_logout_removes_every_secret_of_the_profile(pa_server: PAServer, isolation: MemoryKeyring) -> None:
    make_profile(pa_server)
    manage.edit(
        "acme",
        client_uid=None,
        pa="second",
        pa_settings={"flow_url": pa_server.url},
        default_pa=None,
        remove_pa=None,
    )
    make_profile(pa_server, name="other")
    profile = config.load().profiles["acme"]
    for key in secrets.names_of("acme", profile):
        isolation.store[("fpcli", key)] = "x"
    isolation.store[("fpcli", "other/pa/main/token")] = "keep"
    result = pa_core.logout("acme")
    assert (result.name, result.removed) == ("acme", len(secrets.names_of("acme", profile)))
    assert result.store_problem is None
    assert isolation.store == {("fpcli", "other/pa/main/token"): "keep"}


def test_env_token_short_cuts_and_a_refused_one_is_exit_5(
    pa_server: PAServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FPCLI_ACCESS_TOKEN", "not-a-token-the-pa-knows")
    with (
        session_for(PATarget(None, "env", pa_config(pa_server))) as session,
        pytest.raises(AuthError) as info,
    ):
        session.directory.get("/v1/siren/code-insee:732829320")
    assert "FPCLI_ACCESS_TOKEN" in info.value.message and pa_server.state.token_requests == []


def test_removing_a_pa_removes_its_webhook_keys(pa_server: PAServer, isolation: MemoryKeyring) -> None:
    make_profile(pa_server)
    profiles = config.load()
    profiles.profiles["acme"].pa["main"].webhooks = ["w-1"]
    config.save(profiles)
    isolation.store[("fpcli", "acme/pa/main/webhook/w-1")] = "key"
    isolation.store[("fpcli", "acme/pa/main/token")] = "tok"
    manage.edit("acme", client_uid=None, pa=None, pa_settings={}, default_pa=None, remove_pa="main")
    assert isolation.store == {}


@pytest.mark.parametrize("how", ["body", "basic"])
def test_client_credentials_as_form_or_http_basic(
    pa_server: PAServer, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    secret = "s3cret:+&=é"  # characters RFC 6749 2.3.1 has form-encoded before Basic
    pa_server.state.clients["odd-client"] = secret
    monkeypatch.setenv("FPCLI_PA_CLIENT_SECRET", secret)
    config = pa_config(pa_server).model_copy(update={"client_id": "odd-client", "token_auth": how})
    with session_for(PATarget(None, "test", config)) as s:
        assert s.tokens.token()
    request = pa_server.state.token_requests[-1]
    assert (request["basic"], request["secret_in_body"]) == (how == "basic", how == "body")


def test_http_basic_with_a_wrong_secret_is_refused(
    pa_server: PAServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FPCLI_PA_CLIENT_SECRET", "not-the-secret")
    config = pa_config(pa_server).model_copy(update={"token_auth": "basic"})
    with session_for(PATarget(None, "test", config)) as s, pytest.raises(AuthError) as caught:
        s.tokens.token()
    assert caught.value.exit_code == ExitCode.AUTH and pa_server.state.token_requests[-1]["basic"]
