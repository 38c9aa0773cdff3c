"""The profiles file's settings as pydantic models (what `config.load` returns; `fpcli.profiles.config`
re-exports them). Built when first used: importing pydantic and building these costs ~60-90 ms, which
read-only views of the file (`fpcli profile list`, completions) avoid (see `config.summaries`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from fpcli.profiles.config import AuthKind, TokenAuth, is_url


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class PAConfig(_Settings):
    """One approved platform (PA): its AFNOR XP Z12-013 endpoints and how to authenticate."""

    flow_url: str | None = Field(None, description="Flow Service base URL (…/flow-service)")
    directory_url: str | None = Field(None, description="Directory Service base URL (…/directory-service)")
    token_url: str | None = Field(None, description="OAuth2 token URL, or the JWT `/api/token/` URL")
    auth: AuthKind = Field("oauth2", description="oauth2 (client credentials) or jwt (username/password)")
    client_id: str | None = None
    token_auth: TokenAuth = Field(
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
        if value is not None and not is_url(value):
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
