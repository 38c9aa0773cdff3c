"""Which PA, with which settings and secrets: flag > `FPCLI_*` environment > profile > keyring (DESIGN.md).

A CI job needs no profile at all: `FPCLI_PA_FLOW_URL`, `FPCLI_PA_TOKEN_URL`, `FPCLI_PA_CLIENT_ID` and
`FPCLI_PA_CLIENT_SECRET` (or `FPCLI_ACCESS_TOKEN`) describe one PA.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from pydantic import ValidationError

from fpcli.errors import UsageError
from fpcli.profiles import config
from fpcli.profiles.models import PAConfig
from fpcli.profiles.secrets import JsonFile, SecretStore, env_token_cache, pa_key

SETTING_ENV = {
    "flow_url": "FPCLI_PA_FLOW_URL",
    "directory_url": "FPCLI_PA_DIRECTORY_URL",
    "token_url": "FPCLI_PA_TOKEN_URL",
    "auth": "FPCLI_PA_AUTH",
    "client_id": "FPCLI_PA_CLIENT_ID",
    "token_auth": "FPCLI_PA_TOKEN_AUTH",
    "username": "FPCLI_PA_USERNAME",
    "organization_id": "FPCLI_PA_ORGANIZATION_ID",
}
SECRET_ENV = {"client_secret": "FPCLI_PA_CLIENT_SECRET", "password": "FPCLI_PA_PASSWORD"}
TOKEN_ENV = "FPCLI_ACCESS_TOKEN"  # noqa: S105 (a variable name)
ENV_PROFILE_NAME = "env"


@dataclass
class PATarget:
    """One PA as fpcli will talk to it. `profile` is None when it is described by the environment only."""

    profile: str | None
    name: str
    config: PAConfig
    client_uid: str | None = None
    store: SecretStore = field(default_factory=SecretStore)

    @property
    def label(self) -> str:
        return f"{self.profile}/{self.name}" if self.profile else f"{ENV_PROFILE_NAME}/{self.name}"

    def secret(self, what: str) -> str | None:
        """A secret (`client_secret`, `password`): environment first, then the keyring of the profile."""
        env = SECRET_ENV.get(what)
        if env and (value := os.environ.get(env)):
            return value
        if self.profile is None:
            return None
        return self.store.get(pa_key(self.profile, self.name, what))

    def from_env(self) -> bool:
        """The credential (or a token) is in the environment: then no secret store is touched at all."""
        return bool(os.environ.get(TOKEN_ENV) or os.environ.get(SECRET_ENV[self.config.secret_kind]))

    def token_cache(self) -> tuple[SecretStore | JsonFile, str] | None:
        """Where tokens are cached (store, key); None: in memory only, for this run."""
        if self.from_env():
            # the account is part of the key: another FPCLI_PA_CLIENT_ID must not reuse this token
            account = self.config.client_id or self.config.username
            return env_token_cache(f"{self.label}@{self.config.token_url}#{account}")
        if self.profile is None:
            return None
        return self.store, pa_key(self.profile, self.name, "token")


def _env_overrides() -> dict[str, str]:
    return {key: value for key, env in SETTING_ENV.items() if (value := os.environ.get(env))}


def resolve_pa(profile_name: str | None, pa_name: str | None) -> PATarget:
    profiles = config.load()
    name = profile_name or profiles.default
    overrides = _env_overrides()
    pa_name = pa_name or os.environ.get("FPCLI_PA")
    if name is None:
        if not overrides:
            raise UsageError(
                "no profile and no PA settings in the environment",
                hint="create one with `fpcli profile add NAME --pa PA --flow-url …`, or set "
                "FPCLI_PA_FLOW_URL, FPCLI_PA_TOKEN_URL, FPCLI_PA_CLIENT_ID and FPCLI_PA_CLIENT_SECRET",
            )
        return PATarget(
            None, pa_name or "pa", _build(PAConfig(), overrides), os.environ.get("FPCLI_CLIENT_UID")
        )
    profile = config.get(profiles, name)
    if pa_name is None:
        pa_name = profile.default_pa or (next(iter(profile.pa)) if len(profile.pa) == 1 else None)
    if pa_name is None:
        known = ", ".join(sorted(profile.pa)) or "none"
        raise UsageError(
            f"profile `{name}` has several PAs or none (known: {known})", hint="pick one with `--pa NAME`"
        )
    if pa_name not in profile.pa:
        known = ", ".join(sorted(profile.pa)) or "none"
        raise UsageError(
            f"profile `{name}` has no PA `{pa_name}` (known: {known})",
            hint=f"add it with `fpcli profile edit {name} --pa {pa_name} --flow-url …`",
        )
    client_uid = os.environ.get("FPCLI_CLIENT_UID") or profile.client_uid
    return PATarget(name, pa_name, _build(profile.pa[pa_name], overrides), client_uid)


def _build(base: PAConfig, overrides: dict[str, str]) -> PAConfig:
    try:
        return PAConfig.model_validate({**base.model_dump(exclude_none=True), **overrides})
    except ValidationError as exc:
        err = exc.errors()[0]
        field_name = str(err["loc"][0]) if err["loc"] else "?"
        source = SETTING_ENV.get(field_name, field_name)
        raise UsageError(f"{source}: {err['msg']}") from None
