"""One PA session: the resolved target, its HTTP client, token manager and service clients."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from fpcli.profiles import config, secrets
from fpcli.profiles.manage import Removed, forget_secrets
from fpcli.profiles.resolve import SECRET_ENV, TOKEN_ENV, PATarget, resolve_pa
from fpcli.remote.afnor import DirectoryService, FlowService
from fpcli.remote.http import Http
from fpcli.remote.tokens import Token, TokenManager


class PASession:
    def __init__(self, target: PATarget, http: Http | None = None) -> None:
        self.target = target
        self.http = http or Http()
        self.tokens = TokenManager(target, self.http)

    @classmethod
    def open(cls, profile: str | None, pa: str | None) -> PASession:
        return cls(resolve_pa(profile, pa))

    def __enter__(self) -> PASession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.client.close()

    @property
    def flows(self) -> FlowService:
        cfg = self.target.config
        return FlowService(self.http, cfg.flow_url, self.tokens, cfg.organization_id)

    @property
    def directory(self) -> DirectoryService:
        cfg = self.target.config
        return DirectoryService(self.http, cfg.directory_url, self.tokens, cfg.organization_id)

    @property
    def journal_target(self) -> str:
        from fpcli.remote.journal import destination

        return destination("pa", self.target.config.flow_url or "")


@dataclass
class TokenStatus:
    """One PA of the profile. `secret_source`: the FPCLI_* variable that gives the credential, else
    `store`; `secret_stored` is None when the store was not consulted (environment) or does not work."""

    pa: str
    auth: str
    secret_source: str
    secret_stored: bool | None
    token: Token | None
    store: str

    def to_dict(self, now: float) -> dict[str, Any]:
        t = self.token
        return {
            "pa": self.pa,
            "auth": self.auth,
            "secret_source": self.secret_source,
            "secret_stored": self.secret_stored,
            "store": self.store,
            "access_valid": bool(t and t.usable(now)),
            "access_expires_in": round(t.expires_at - now) if t else None,
            "refresh_expires_in": round(t.refresh_expires_at - now) if t and t.refresh_expires_at else None,
        }


def login(session: PASession, secret: str | None) -> tuple[Token, str | None]:
    """Get a token now; a secret given here is kept in the secret store once the PA accepted it (the store
    is checked first, so a store that does not work fails before anything). Returns the token and where
    the secret went (None: not stored)."""
    target = session.target
    where = target.store.check() if secret and target.profile else None
    token = session.tokens.login(secret)
    if where is not None and secret and target.profile:
        target.store.set(secrets.pa_key(target.profile, target.name, target.config.secret_kind), secret)
    return token, where


def status(profile_name: str | None) -> list[TokenStatus]:
    """Per PA of the profile: where its credential comes from and its cached token. Reports (never fails)
    when the secret store does not work; does not touch it when the environment gives the credential."""
    profiles = config.load()
    name = profile_name or profiles.default
    if name is None:
        return []
    profile = config.get(profiles, name)
    store = secrets.SecretStore()
    out = []
    for pa_name, pa in profile.pa.items():
        target = PATarget(name, pa_name, pa, store=store)
        stored: bool | None = None
        if target.from_env():
            source = TOKEN_ENV if os.environ.get(TOKEN_ENV) else SECRET_ENV[pa.secret_kind]
            where, cache = "not used (credential from the environment)", target.token_cache()
        else:
            problem = store.problem()
            source, where = "store", f"unusable: {problem}" if problem else store.label
            cache = None if problem else target.token_cache()
            if not problem:
                stored = store.get(secrets.pa_key(name, pa_name, pa.secret_kind)) is not None
        raw = cache[0].get(cache[1]) if cache else None
        out.append(TokenStatus(pa_name, pa.auth, source, stored, Token.loads(raw) if raw else None, where))
    return out


def logout(profile_name: str | None) -> Removed:
    """Remove every secret and token of the profile from the secret store; reports a store that does not
    work instead of failing."""
    name, profile = config.active(config.load(), profile_name)
    return forget_secrets(name, profile)


def now() -> float:
    return time.time()


@dataclass
class ServiceHealth:
    service: str
    url: str | None
    up: bool | None  # None: no URL configured, not asked
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "url": self.url, "up": self.up, "detail": self.detail}


def health(session: PASession) -> list[ServiceHealth]:
    """getHealth of the Flow and Directory Services (`GET /v1/healthcheck`, each with the PA's token);
    one service down does not hide the other's answer."""
    from fpcli.errors import FpcliError

    out = []
    cfg = session.target.config
    for name, url, service in (
        ("Flow Service", cfg.flow_url, lambda: session.flows),
        ("Directory Service", cfg.directory_url, lambda: session.directory),
    ):
        if not url:
            out.append(ServiceHealth(name, None, None, "no URL configured"))
            continue
        try:
            service().health()
        except FpcliError as exc:
            out.append(ServiceHealth(name, url, False, exc.message))
            continue
        out.append(ServiceHealth(name, url, True, "up"))
    return out
