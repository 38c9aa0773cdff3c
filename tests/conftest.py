"""Test isolation (STYLE.md rule 18): temporary HOME and XDG dirs, no colour, fixed width, an in-memory
keyring, and sockets limited to loopback."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asn1crypto.tsp  # noqa: F401  (before any CMS use: see fpcli/signing/__init__.py)
import keyring
import pytest
from keyring.backend import KeyringBackend
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples"


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


class FailingKeyring(KeyringBackend):
    """A keyring that fails on every call, like Secret Service on a headless server (no D-Bus session)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def _fail(self) -> None:
        from keyring.errors import KeyringError

        self.calls += 1
        raise KeyringError("no D-Bus session bus (test backend that fails on every call)")

    def get_password(self, service: str, username: str) -> str | None:
        self._fail()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._fail()

    def delete_password(self, service: str, username: str) -> None:
        self._fail()


@pytest.fixture
def failing_keyring() -> FailingKeyring:
    ring = FailingKeyring()
    keyring.set_keyring(ring)  # the isolation fixture puts the previous one back
    return ring


def _is_loopback(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return True  # AF_UNIX paths


@pytest.fixture(autouse=True)
def isolation(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MemoryKeyring]:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for var in [v for v in os.environ if v.startswith("FPCLI_")]:  # a developer's own settings stay out
        monkeypatch.delenv(var)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    from fpcli.profiles import secrets

    monkeypatch.setattr(secrets, "_chosen", None)  # a `--secret-store` of an earlier test does not carry over
    ring = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise ConnectionRefusedError(f"tests may only connect to loopback, not {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}: corpus and reference tests need it")
    return SHARED


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A certomancer test PKI (root, intermediate, signers, OCSP, CRL, TSA) served on 127.0.0.1."""
    from tests.signing.pki import running_pki

    with running_pki(tmp_path_factory.mktemp("pki")) as running:
        yield running
