"""The one HTTP base every remote client uses (httpx).

- explicit timeouts (`FPCLI_TIMEOUT`, default 30 s per read; 10 s to connect);
- bounded retries with exponential backoff and jitter: on any call when nothing was sent (connection refused)
  or the server said it did not take the request (429 Too Many Requests, 503 Service Unavailable; Retry-After
  honoured up to `max_retry_after`), and on timeouts, dropped connections and other 5xx only for idempotent
  calls. A non-idempotent call (a submission) that may have been processed (a timeout once the request was
  sent, a dropped connection, 500/502/504, an unreadable 2xx) raises `RemoteUncertain`, so the caller can look
  the result up instead of sending it twice;
- one token renewal on 401, then `AuthError` (exit 5); other HTTP errors -> `RemoteError` (exit 4) with the
  service's `errorCode`/`errorMessage`;
- request lines logged on `fpcli.http` (the CLI shows them with -vv) with secret headers and URL userinfo
  masked; every secret sent is registered with `fpcli.redact`, which masks it by value everywhere.
"""

from __future__ import annotations

import email.utils
import logging
import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from fpcli import __version__, redact
from fpcli.errors import AuthError, RemoteError, UsageError

log = logging.getLogger("fpcli.http")
USER_AGENT = f"fpcli/{__version__} (+https://github.com/fpcli/fpcli)"
# Answers by which a service says it did not take the request: safe to send again, even a submission.
NOT_TAKEN = (429, 503)


class RemoteUncertain(RemoteError):
    """A non-idempotent request was sent but its outcome is unknown (timeout, dropped connection, 5xx)."""


class RemoteNotFound(RemoteError):
    """The service answered 404: what was asked for does not exist there (a directory look-up's "no")."""


class Authenticator(Protocol):
    def token(self) -> str: ...

    def invalidate(self, refused: str | None = None) -> None: ...


def env_number(name: str, default: float, *, zero_ok: bool = False) -> float:
    """A number of seconds (or retries) from the environment; a bad value is a usage error (exit 2)."""
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"{name}=`{raw}` is not a number") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        raise UsageError(
            f"{name}=`{raw}` must be a finite number, {'zero or more' if zero_ok else 'positive'}"
        )
    return value


@dataclass
class HttpSettings:
    timeout: float = 30.0
    connect_timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5
    max_retry_after: float = 120.0

    @classmethod
    def from_env(cls) -> HttpSettings:
        timeout = env_number("FPCLI_TIMEOUT", 30.0)
        return cls(
            timeout=timeout,
            connect_timeout=min(10.0, timeout),
            retries=int(env_number("FPCLI_RETRIES", 3, zero_ok=True)),
            backoff=env_number("FPCLI_BACKOFF", 0.5),
        )


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), None when absent or unreadable."""
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_text(response: httpx.Response) -> str:
    """The service's own words: AFNOR `errorCode: errorMessage`, RFC 7807 `title/detail`, OAuth2 `error`."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        code = body.get("errorCode") or body.get("error") or body.get("title") or body.get("code")
        message = (
            body.get("errorMessage")
            or body.get("error_description")
            or body.get("detail")
            or body.get("message")
            or body.get("details")
        )
        parts = [str(p) for p in (code, message) if p]
        if parts:
            return " ".join(": ".join(parts).split())[:300]
    text = " ".join(response.text.split())[:200]
    return text or response.reason_phrase


def raise_for(response: httpx.Response, service: str) -> None:
    if response.is_success:
        return
    status = response.status_code
    message = f"{service}: HTTP {status} {error_text(response)}"
    if status in (401, 403):
        raise AuthError(message, hint="check the profile's credentials (`fpcli auth status`)")
    raise (RemoteNotFound if status == 404 else RemoteError)(message)


class Http:
    """A pooled httpx client with fpcli's timeout, retry, auth and error rules. Use as a context manager."""

    def __init__(
        self,
        settings: HttpSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings or HttpSettings.from_env()
        redact.register_environment()
        self.sleep = sleep
        s = self.settings
        self.client = httpx.Client(
            timeout=httpx.Timeout(s.timeout, connect=s.connect_timeout),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,  # a redirect could carry the bearer token to another host
            transport=transport,
        )

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def _backoff(self, attempt: int) -> float:
        return float(min(30.0, self.settings.backoff * 2 ** (attempt - 1)) * (0.5 + random.random() / 2))

    def request(
        self,
        method: str,
        url: str,
        *,
        service: str,
        idempotent: bool,
        auth: Authenticator | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send with retries; return a 2xx response or raise RemoteError / RemoteUncertain / AuthError."""
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            can_retry = attempt <= self.settings.retries
            sent = dict(headers or {})
            token = auth.token() if auth is not None else None
            if token is not None:
                sent["Authorization"] = f"Bearer {token}"
            # Whatever this request carries as a secret is masked in every log line and message from now on.
            redact.register_headers(sent)
            redact.register_mapping(kwargs.get("data"))
            redact.register_mapping(kwargs.get("json"))
            started = time.monotonic()
            try:
                response = self.client.request(method, url, headers=sent, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                self._log(method, url, f"cannot connect ({type(exc).__name__})", started, attempt, sent)
                if can_retry:
                    self.sleep(self._backoff(attempt))
                    continue
                raise RemoteError(f"{service}: cannot connect to {httpx.URL(url).host}: {exc}") from None
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                what = (
                    f"no answer within {self.settings.timeout:g} s"
                    if isinstance(exc, httpx.TimeoutException)
                    else f"connection lost ({type(exc).__name__})"
                )
                self._log(method, url, what, started, attempt, sent)
                if idempotent and can_retry:
                    self.sleep(self._backoff(attempt))
                    continue
                error = RemoteError if idempotent else RemoteUncertain
                raise error(f"{service}: {method} {httpx.URL(url).path}: {what}") from None
            self._log(method, url, str(response.status_code), started, attempt, sent)
            status = response.status_code
            if status == 401 and auth is not None and not renewed:
                renewed = True  # an expired or revoked token: renew once; not a retry of the budget
                attempt -= 1
                auth.invalidate(token)
                continue
            if status in NOT_TAKEN and can_retry:
                # The service says it did not take the request (RFC 6585 §4, RFC 9110 §15.6.4): sending it
                # again cannot make a second copy, on any call.
                wait = retry_after(response)
                if wait is not None and wait > self.settings.max_retry_after:
                    raise RemoteError(
                        f"{service}: HTTP {status}, the service asks to wait {wait:.0f} s; try later"
                    )
                self.sleep(wait if wait is not None else self._backoff(attempt))
                continue
            if status >= 500 and status not in NOT_TAKEN:
                if idempotent and can_retry:
                    self.sleep(self._backoff(attempt))
                    continue
                if not idempotent:  # 500, 502, 504: the request may have been processed
                    raise RemoteUncertain(f"{service}: HTTP {status} {error_text(response)}")
            raise_for(response, service)
            return response

    @staticmethod
    def _log(
        method: str, url: str, outcome: str, started: float, attempt: int, headers: dict[str, str]
    ) -> None:
        if not log.isEnabledFor(logging.DEBUG):
            return
        ms = (time.monotonic() - started) * 1000
        log.debug("%s %s -> %s (%.0f ms, attempt %d)", method, redact.url(url), outcome, ms, attempt)
        masked = {"authorization": "Bearer ***"}
        shown = {
            k: masked.get(k.lower(), "***") if k.lower() in redact.SECRET_HEADERS else v
            for k, v in headers.items()
        }
        if shown:
            log.log(5, "  request headers: %s", shown)  # level 5: shown with -vvv
