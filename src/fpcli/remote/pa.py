"""One PA session: the resolved target, its HTTP client, token manager and service clients."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from fpcli import redact
from fpcli.profiles import config, secrets
from fpcli.profiles.resolve import PATarget, resolve_pa
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
        return f"{self.target.label} ({redact.url(self.target.config.flow_url or '')})"


@dataclass
class TokenStatus:
    pa: str
    auth: str
    secret_stored: bool
    token: Token | None

    def to_dict(self, now: float) -> dict[str, Any]:
        t = self.token
        return {
            "pa": self.pa,
            "auth": self.auth,
            "secret_stored": self.secret_stored,
            "access_valid": bool(t and t.usable(now)),
            "access_expires_in": round(t.expires_at - now) if t else None,
            "refresh_expires_in": round(t.refresh_expires_at - now) if t and t.refresh_expires_at else None,
        }


def login(session: PASession, secret: str | None) -> Token:
    """Get a token now; a secret given here is kept in the keyring once the PA accepted it."""
    token = session.tokens.login(secret)
    target = session.target
    if secret and target.profile:
        target.store.set(secrets.pa_key(target.profile, target.name, target.config.secret_kind), secret)
    return token


def status(profile_name: str | None) -> list[TokenStatus]:
    profiles = config.load()
    name = profile_name or profiles.default
    if name is None:
        return []
    profile = config.get(profiles, name)
    store = secrets.SecretStore()
    out = []
    for pa_name, pa in profile.pa.items():
        raw = store.get(secrets.pa_key(name, pa_name, "token"))
        out.append(
            TokenStatus(
                pa_name,
                pa.auth,
                store.get(secrets.pa_key(name, pa_name, pa.secret_kind)) is not None,
                Token.loads(raw) if raw else None,
            )
        )
    return out


def logout(profile_name: str | None) -> tuple[str, int]:
    """Remove every secret and token of the profile from the keyring; returns (profile, how many removed)."""
    name, profile = config.active(config.load(), profile_name)
    store = secrets.SecretStore()
    return name, sum(store.delete(key) for key in secrets.names_of(name, profile))


def now() -> float:
    return time.time()
