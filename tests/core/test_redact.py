"""Masking secrets by value and keeping escape sequences away from terminals."""

from __future__ import annotations

import base64

import pytest

from fpcli import redact


def test_secrets_are_masked_by_value_in_any_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FPCLI_PA_CLIENT_SECRET", "sec-4471-xyz")
    monkeypatch.setenv("FPCLI_PA_TOKEN_URL", "https://auth.example/token")  # a URL, not a secret
    redact.register_environment()
    redact.register_headers({"cpro-account": "bG9naW46cGFzcw==", "Authorization": "Bearer tok-9981"})
    redact.register_mapping({"grant_type": "password", "password": "pa55-7713", "username": "alice"})
    text = (
        "sec-4471-xyz " + base64.b64encode(b"sec-4471-xyz").decode() + " bG9naW46cGFzcw== tok-9981 pa55-7713 "
        "alice https://auth.example/token http://bob:pw-1@host:8080/x"
    )
    assert redact.redact(text) == (
        "*** *** *** *** *** alice https://auth.example/token http://***@host:8080/x"
    )
    assert redact.url("http://bob:pw-1@host:8080/x?q=1") == "http://***@host:8080/x?q=1"
    assert redact.url("https://host/x") == "https://host/x"


def test_printable_removes_escape_and_control_sequences() -> None:
    hostile = "a\x1b[31mred\x1b[0m\x1b]0;title\x07b\x00c\u202ed\tx\ny\x9bz"
    assert redact.printable(hostile) == "aredbcd\tx\nyz"
