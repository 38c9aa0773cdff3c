"""Access tokens for a PA: OAuth2 client credentials, or username/password against a JWT endpoint of the
`/api/token/` + `/api/token/refresh/` kind (access ~30 min, refresh ~7 days).

Tokens are cached in the secret store (`<profile>/pa/<pa>/token`, JSON with expiries) and renewed `MARGIN`
seconds before they expire: refresh token first, then credentials. When the credential comes from the
environment, tokens stay in memory (or in a 0600 cache file with FPCLI_TOKEN_CACHE=file) and no secret
store is touched; `FPCLI_ACCESS_TOKEN` short-cuts everything (CI).
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from fpcli.errors import AuthError
from fpcli.profiles.resolve import SECRET_ENV, TOKEN_ENV, PATarget
from fpcli.remote.http import Http

MARGIN = 60.0  # seconds: renew a token this long before it expires, so no request carries a dying token
JWT_ACCESS_DEFAULT = 30 * 60.0
JWT_REFRESH_DEFAULT = 7 * 24 * 3600.0
OAUTH_DEFAULT = 300.0


@dataclass
class Token:
    access: str
    expires_at: float
    refresh: str | None = None
    refresh_expires_at: float | None = None

    def usable(self, now: float) -> bool:
        return self.expires_at - MARGIN > now

    def refreshable(self, now: float) -> bool:
        return bool(self.refresh) and (self.refresh_expires_at or 0) - MARGIN > now

    def dumps(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def loads(cls, raw: str) -> Token | None:
        try:
            data = json.loads(raw)
            return cls(**data)
        except (ValueError, TypeError):
            return None  # a damaged cache entry is no token: log in again


def jwt_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT, read without verifying it (only to know when to renew)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError):
        return None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    return float(exp) if isinstance(exp, int | float) else None


def post_json(http: Http, url: str, service: str, **kwargs: Any) -> dict[str, Any]:
    """POST to a token endpoint (safe to retry: a token request changes nothing); the answer as an object."""
    response = http.request("POST", url, service=service, idempotent=True, **kwargs)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise AuthError(f"{service} {url}: the answer is not a JSON object")
    return body


def client_auth(how: str, client_id: str, secret: str | None, form: dict[str, str]) -> dict[str, Any]:
    """The token request's credentials (RFC 6749 2.3.1): in the form (`body`, client_secret_post), or as
    HTTP Basic (`basic`, client_secret_basic) with id and secret form-encoded first, as the RFC says."""
    if how == "basic":
        from urllib.parse import quote_plus

        pair = f"{quote_plus(client_id)}:{quote_plus(secret or '')}".encode()
        return {"data": form, "headers": {"Authorization": "Basic " + base64.b64encode(pair).decode()}}
    extra = {"client_id": client_id} if secret is None else {"client_id": client_id, "client_secret": secret}
    return {"data": {**form, **extra}}


def oauth2_token(body: dict[str, Any], service: str, now: float, default_lifetime: float) -> Token:
    """An OAuth2 token answer (RFC 6749 5.1) as a Token; expiry from `expires_in`, else the JWT's `exp`,
    else `default_lifetime`."""
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise AuthError(f"{service}: no access_token in the answer")
    expires_in = body.get("expires_in")
    expires_at = now + float(expires_in) if isinstance(expires_in, int | float) else None
    refresh = body.get("refresh_token") if isinstance(body.get("refresh_token"), str) else None
    refresh_in = body.get("refresh_expires_in")
    return Token(
        access,
        expires_at or jwt_expiry(access) or now + default_lifetime,
        refresh,
        now + float(refresh_in) if refresh and isinstance(refresh_in, int | float) else None,
    )


def refresh_url(token_url: str) -> str:
    """`…/api/token/` -> `…/api/token/refresh/` (the simplejwt convention the PA APIs follow)."""
    return token_url.rstrip("/") + "/refresh/"


class TokenManager:
    """Gives a valid access token for one PA; the `Authenticator` of `Http.request`."""

    def __init__(self, target: PATarget, http: Http, *, clock: Callable[[], float] = time.time) -> None:
        self.target = target
        self.http = http
        self.clock = clock
        self._token: Token | None = None
        self._loaded = False
        self._lock = threading.Lock()  # parallel submissions share one token: renew it once

    # -- cache ---------------------------------------------------------------------------------------------
    def cached(self) -> Token | None:
        if not self._loaded:
            self._loaded = True
            if (cache := self.target.token_cache()) is not None:
                raw = cache[0].get(cache[1])
                self._token = Token.loads(raw) if raw else None
        return self._token

    def _keep(self, token: Token) -> Token:
        self._token, self._loaded = token, True
        if (cache := self.target.token_cache()) is not None:
            cache[0].set(cache[1], token.dumps())
        return token

    # -- Authenticator -------------------------------------------------------------------------------------
    def token(self) -> str:
        if env := os.environ.get(TOKEN_ENV):
            return env
        with self._lock:
            return self._valid_token()

    def _valid_token(self) -> str:
        now = self.clock()
        token = self.cached()
        if token is not None and token.usable(now):
            return token.access
        if token is not None and token.refreshable(now):
            try:
                return self.refresh(token).access
            except AuthError:
                pass  # a revoked refresh token: fall back to credentials
        return self.login().access

    def invalidate(self, refused: str | None = None) -> None:
        if os.environ.get(TOKEN_ENV):
            raise AuthError(f"the PA refused the token in {TOKEN_ENV} (HTTP 401)", hint="get a fresh token")
        with self._lock:
            # Only the token that was refused: a parallel request may have renewed it already.
            if self._token is not None and refused in (None, self._token.access):
                self._token.expires_at = 0.0  # keep the refresh token: it is tried first

    # -- grants --------------------------------------------------------------------------------------------
    def _token_url(self) -> str:
        url = self.target.config.token_url
        if not url:
            raise AuthError(
                f"PA {self.target.label} has no token URL",
                hint="set it with `fpcli profile edit … --token-url URL` or FPCLI_PA_TOKEN_URL",
            )
        return url

    def login(self, secret: str | None = None) -> Token:
        """Get a new token with the credentials (`secret` given, else from the environment or keyring)."""
        cfg = self.target.config
        what = cfg.secret_kind
        secret = secret or self.target.secret(what)
        if not secret:
            raise AuthError(
                f"no {what.replace('_', ' ')} for PA {self.target.label}",
                hint=f"set {SECRET_ENV[what]}, or keep it with `fpcli auth login` (in the secret store)",
            )
        if cfg.auth == "oauth2":
            return self._keep(self._oauth2(secret))
        return self._keep(self._jwt_login(secret))

    def _post(self, url: str, **kwargs: Any) -> dict[str, Any]:
        return post_json(self.http, url, "token endpoint", **kwargs)

    def _oauth2(self, secret: str) -> Token:
        cfg = self.target.config
        if not cfg.client_id:
            raise AuthError(
                f"PA {self.target.label} has no client id", hint="set FPCLI_PA_CLIENT_ID or the profile"
            )
        body = self._post(
            self._token_url(),
            **client_auth(cfg.token_auth, cfg.client_id, secret, {"grant_type": "client_credentials"}),
        )
        return oauth2_token(body, f"token endpoint {self._token_url()}", self.clock(), OAUTH_DEFAULT)

    def _jwt_login(self, password: str) -> Token:
        cfg = self.target.config
        if not cfg.username:
            raise AuthError(
                f"PA {self.target.label} has no username", hint="set FPCLI_PA_USERNAME or the profile"
            )
        payload: dict[str, str] = {"username": cfg.username, "password": password}
        if self.target.client_uid:
            payload["client_uid"] = self.target.client_uid
        body = self._post(self._token_url(), json=payload)
        return self._jwt_token(body, previous_refresh=None)

    def refresh(self, token: Token) -> Token:
        if self.target.config.auth == "oauth2":
            body = self._post(
                self._token_url(),
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": token.refresh or "",
                    "client_id": self.target.config.client_id or "",
                },
            )
            renewed = Token(
                str(body.get("access_token", "")),
                self.clock() + float(body.get("expires_in", OAUTH_DEFAULT)),
                body.get("refresh_token") or token.refresh,
                token.refresh_expires_at,
            )
            if not renewed.access:
                raise AuthError("token endpoint: no access_token in the refresh answer")
            return self._keep(renewed)
        body = self._post(refresh_url(self._token_url()), json={"refresh": token.refresh})
        return self._keep(self._jwt_token(body, previous_refresh=token))

    def _jwt_token(self, body: dict[str, Any], previous_refresh: Token | None) -> Token:
        access = body.get("access")
        if not isinstance(access, str) or not access:
            raise AuthError(f"token endpoint {self._token_url()}: no `access` token in the answer")
        now = self.clock()
        refresh = body.get("refresh") if isinstance(body.get("refresh"), str) else None
        if refresh is None and previous_refresh is not None:
            refresh_token, refresh_at = previous_refresh.refresh, previous_refresh.refresh_expires_at
        else:
            refresh_token = refresh
            refresh_at = (jwt_expiry(refresh) or now + JWT_REFRESH_DEFAULT) if refresh else None
        return Token(access, jwt_expiry(access) or now + JWT_ACCESS_DEFAULT, refresh_token, refresh_at)
