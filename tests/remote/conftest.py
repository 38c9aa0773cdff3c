"""Fixtures for remote clients: a test PA on loopback, and targets pointing at it with short timeouts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fpcli.profiles.models import PAConfig
from fpcli.profiles.resolve import PATarget
from fpcli.remote.http import Http, HttpSettings
from fpcli.remote.pa import PASession
from tests.remote.pa_server import DIRECTORY_PREFIX, FLOW_PREFIX, PAServer
from tests.remote.public_servers import (
    CLIENT_ID,
    CLIENT_SECRET,
    LOGIN,
    PASSWORD,
    ChorusServer,
    CompaniesServer,
)

TIMEOUT = 0.5  # seconds: the "slow" fault answers after 1.5 s, well past it


@pytest.fixture
def pa_server(shared: object) -> Iterator[PAServer]:
    with PAServer() as server:
        yield server
        # Every request fpcli sent matched the OpenAPI files; no flow was ever created twice.
        assert server.state.violations == []
        assert server.state.duplicates() == []


def pa_config(server: PAServer, auth: str = "oauth2") -> PAConfig:
    return PAConfig(
        flow_url=server.url + FLOW_PREFIX,
        directory_url=server.url + DIRECTORY_PREFIX,
        token_url=server.url + ("/oauth/token" if auth == "oauth2" else "/api/token/"),
        auth=auth,  # type: ignore[arg-type]
        client_id="acme-client" if auth == "oauth2" else None,
        username="alice" if auth == "jwt" else None,
    )


def session_for(target: PATarget) -> PASession:
    sleeps: list[float] = []
    http = Http(
        HttpSettings(timeout=TIMEOUT, connect_timeout=TIMEOUT, retries=3, backoff=0.01), sleep=sleeps.append
    )
    session = PASession(target, http)
    session.sleeps = sleeps  # type: ignore[attr-defined]
    return session


@pytest.fixture
def session(pa_server: PAServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[PASession]:
    monkeypatch.setenv("FPCLI_PA_CLIENT_SECRET", "s3cret-client")
    with session_for(PATarget(None, "test", pa_config(pa_server))) as s:
        yield s


@pytest.fixture
def companies(shared: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[CompaniesServer]:
    with CompaniesServer() as server:
        monkeypatch.setenv("FPCLI_COMPANIES_URL", server.url)
        monkeypatch.setenv("FPCLI_TIMEOUT", "0.5")
        monkeypatch.setenv("FPCLI_BACKOFF", "0.01")
        yield server
        assert server.state.violations == []  # every request matched the API's OpenAPI file


@pytest.fixture
def chorus(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChorusServer]:
    with ChorusServer() as server:
        for var, value in {
            "FPCLI_CHORUS_API_URL": server.url + "/cpro", "FPCLI_CHORUS_TOKEN_URL": server.url + "/api/oauth/token",
            "FPCLI_CHORUS_CLIENT_ID": CLIENT_ID, "FPCLI_CHORUS_CLIENT_SECRET": CLIENT_SECRET,
            "FPCLI_CHORUS_LOGIN": LOGIN, "FPCLI_CHORUS_PASSWORD": PASSWORD,
        }.items():  # fmt: skip
            monkeypatch.setenv(var, value)
        yield server
        assert server.state.violations == []
        assert server.duplicates() == []
