"""Profiles: non-secret settings in a TOML file under the user config dir (secrets live in the secret store).

default = "acme"
[profiles.acme]
client_uid = "acme-prod"
default_pa = "main"
[profiles.acme.pa.main]
flow_url = "https://api.flow.pa.example/flow-service"
directory_url = "https://api.directory.pa.example/directory-service"
token_url = "https://auth.pa.example/auth-service/acme/token"
auth = "oauth2"
client_id = "acme-client"
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fpcli.errors import InputError, UsageError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
AuthKind = Literal["oauth2", "jwt"]


def check_name(kind: str, name: str) -> str:
    if not NAME.match(name):
        raise UsageError(
            f"invalid {kind} name `{name}`",
            hint="use letters, digits, `-`, `_` or `.` (at most 64), starting with a letter or digit",
        )
    return name


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class PAConfig(_Settings):
    """One approved platform (PA): its AFNOR XP Z12-013 endpoints and how to authenticate."""

    flow_url: str | None = Field(None, description="Flow Service base URL (…/flow-service)")
    directory_url: str | None = Field(None, description="Directory Service base URL (…/directory-service)")
    token_url: str | None = Field(None, description="OAuth2 token URL, or the JWT `/api/token/` URL")
    auth: AuthKind = Field("oauth2", description="oauth2 (client credentials) or jwt (username/password)")
    client_id: str | None = None
    token_auth: Literal["body", "basic"] = Field(
        "body",
        description="oauth2: how the client credentials reach the token endpoint: `body` (form fields, "
        "client_secret_post) or `basic` (HTTP Basic, RFC 6749 client_secret_basic)",
    )
    username: str | None = None
    organization_id: str | None = Field(None, description="Organization-Id header (multi-tenant PAs)")
    webhooks: list[str] = Field(default_factory=list, description="ids of webhooks created with fpcli")

    @property
    def secret_kind(self) -> str:
        """The keyring entry holding this PA's credential: `client_secret` (oauth2) or `password` (jwt)."""
        return "client_secret" if self.auth == "oauth2" else "password"

    @field_validator("flow_url", "directory_url", "token_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"`{value}` is not an http(s) URL")
        return value


class ChorusConfig(_Settings):
    """Chorus Pro through PISTE: sandbox (qualification) or production."""

    sandbox: bool = True
    api_url: str | None = None
    token_url: str | None = None
    client_id: str | None = None
    technical_login: str | None = Field(None, description="Chorus Pro technical account login")


class SigningConfig(_Settings):
    p12: str | None = None
    key: str | None = None
    cert: str | None = None
    chain: list[str] = Field(default_factory=list)
    level: str | None = None
    tsa: str | None = None


class Profile(_Settings):
    client_uid: str | None = Field(None, description="client_uid sent to PAs that ask for it")
    default_pa: str | None = None
    pa: dict[str, PAConfig] = Field(default_factory=dict)
    chorus: ChorusConfig | None = None
    signing: SigningConfig | None = None
    invoice_notes: dict[str, str] = Field(
        default_factory=dict,
        description="`fpcli generate`: default texts of the French mandatory notes (PMT, PMD, AAB)",
    )


class ProfileFile(_Settings):
    default: str | None = None
    profiles: dict[str, Profile] = Field(default_factory=dict)


def config_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path("fpcli") / "profiles.toml"


def load(path: Path | None = None) -> ProfileFile:
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ProfileFile()
    except OSError as exc:
        raise InputError.at(str(path), None, f"cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError.at(str(path), None, f"not valid TOML: {exc}") from None
    try:
        return ProfileFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InputError.at(str(path), where, err["msg"]) from None


def save(profiles: ProfileFile, path: Path | None = None) -> Path:
    import tomli_w

    from fpcli.fileio import write_output

    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = tomli_w.dumps(profiles.model_dump(mode="json", exclude_none=True, exclude_defaults=False))
    header = "# fpcli profiles: no secrets here (they are in the secret store: `fpcli profile show`)\n"
    write_output(path, (header + text).encode(), force=True, private=True)
    return path


def get(profiles: ProfileFile, name: str) -> Profile:
    try:
        return profiles.profiles[name]
    except KeyError:
        known = ", ".join(sorted(profiles.profiles)) or "none"
        raise UsageError(
            f"no profile `{name}` (known: {known})", hint="create it with `fpcli profile add NAME`"
        ) from None


def active(profiles: ProfileFile, name: str | None) -> tuple[str, Profile]:
    """The named profile, else the default one; a usage error when there is neither."""
    name = name or profiles.default
    if name is None:
        raise UsageError(
            "no profile given and no default profile",
            hint="give `--profile NAME`, or create one with `fpcli profile add NAME`",
        )
    return name, get(profiles, name)
