"""Text that leaves fpcli for a person: no secret, no terminal control sequence.

Secrets are redacted by value: every secret fpcli learns (environment, keyring, tokens, the
`cpro-account` header, passwords in token requests, URL userinfo) is registered here, and `redact` replaces
each occurrence in log lines, messages and journal rows, whatever header, body or URL carried it.
`printable` removes the escape and control characters a hostile file or server could use to rewrite a
terminal.
"""

from __future__ import annotations

import os
import re
import threading
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
MIN_SECRET = 4  # shorter values would mask ordinary words
SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN", "PASSPHRASE", "PIN")  # as name endings: not FPCLI_PA_TOKEN_URL
SECRET_KEYS = frozenset(
    {"password", "client_secret", "refresh", "refresh_token", "access", "access_token", "assertion", "secret"}
)
SECRET_HEADERS = frozenset({"authorization", "cpro-account", "cookie", "proxy-authorization", "x-api-key"})

_known: set[str] = set()
_lock = threading.Lock()
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
# CSI / OSC / other ESC sequences, then any remaining C0/C1 control character except tab and newline.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def register(*values: str | None) -> None:
    """Remember secrets so that `redact` hides them (and their base64 form, as sent in Basic-like headers)."""
    import base64  # here: `fpcli --help` imports this module without registering anything

    with _lock:
        for value in values:
            if value and len(value) >= MIN_SECRET:
                _known.add(value)
                _known.add(base64.b64encode(value.encode()).decode())


def register_environment() -> None:
    """Every `FPCLI_*` variable whose name says it holds a secret."""
    register(*(v for k, v in os.environ.items() if k.startswith("FPCLI_") and k.endswith(SECRET_WORDS)))


def register_mapping(data: object) -> None:
    """Secret-looking fields of a request body (token requests: password, client_secret, refresh …)."""
    if isinstance(data, dict):
        register(*(str(v) for k, v in data.items() if str(k).lower() in SECRET_KEYS and v))


def register_headers(headers: dict[str, str]) -> None:
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            register(value, value.split(" ", 1)[-1])  # "Bearer X": X alone too


def url(value: str) -> str:
    """A URL without its userinfo (`http://user:pw@host` -> `http://***@host`)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return redact(value)
    if parts.username is None and parts.password is None:
        return value
    host = parts.hostname or ""
    netloc = f"{MASK}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def redact(text: str) -> str:
    """`text` with every known secret and any URL userinfo replaced by ***."""
    if not text:
        return text
    text = _USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)
    with _lock:
        known = sorted(_known, key=len, reverse=True)  # longest first: a secret containing another
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def printable(text: str) -> str:
    """`text` without terminal escape sequences and control characters (tab and newline kept)."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def for_terminal(text: str) -> str:
    return printable(redact(text))
