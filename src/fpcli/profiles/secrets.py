"""Secrets and tokens of a profile in the OS keyring (service `fpcli`), nowhere else.

Keyring backends cannot list their entries, so every secret has a name built from the profile and what it
belongs to (`acme/pa/main/client_secret`); `names_of` lists them all, which is how logout removes every one.
"""

from __future__ import annotations

from fpcli import redact
from fpcli.errors import AuthError
from fpcli.profiles.config import PAConfig, Profile

SERVICE = "fpcli"
PA_SECRETS = ("client_secret", "password", "token")
CHORUS_SECRETS = ("client_secret", "technical_password", "token")
ENV_HELP = (
    "no usable OS keyring here (CI?): give secrets through the environment instead: FPCLI_PA_CLIENT_SECRET "
    "or FPCLI_PA_PASSWORD (or FPCLI_ACCESS_TOKEN), FPCLI_CHORUS_CLIENT_SECRET, FPCLI_SIGN_PASSPHRASE; "
    "see `fpcli auth --help`"
)


def pa_key(profile: str, pa: str, what: str) -> str:
    return f"{profile}/pa/{pa}/{what}"


def chorus_key(profile: str, what: str) -> str:
    return f"{profile}/chorus/{what}"


def pa_names(profile: str, pa: str, cfg: PAConfig) -> list[str]:
    """Every keyring entry of one PA of a profile: credentials, token, kept webhook signing keys."""
    return [pa_key(profile, pa, what) for what in PA_SECRETS] + [
        pa_key(profile, pa, f"webhook/{uid}") for uid in cfg.webhooks
    ]


def names_of(name: str, profile: Profile) -> list[str]:
    keys = [key for pa, cfg in profile.pa.items() for key in pa_names(name, pa, cfg)]
    keys += [chorus_key(name, what) for what in CHORUS_SECRETS]
    keys += [f"{name}/signing/passphrase"]
    return keys


def _keyring() -> object:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise AuthError("no OS keyring backend is available", hint=ENV_HELP)
    return backend


class SecretStore:
    """Thin keyring wrapper: one-line errors naming the environment variables when no backend works."""

    def get(self, key: str) -> str | None:
        from keyring.errors import KeyringError

        backend = _keyring()
        try:
            value = backend.get_password(SERVICE, key)  # type: ignore[attr-defined]
        except KeyringError as exc:
            raise AuthError(f"the OS keyring failed: {type(exc).__name__}", hint=ENV_HELP) from None
        if not isinstance(value, str):
            return None
        redact.register(value)  # masked by value in any output from now on
        return value

    def set(self, key: str, value: str) -> None:
        from keyring.errors import KeyringError

        backend = _keyring()
        try:
            backend.set_password(SERVICE, key, value)  # type: ignore[attr-defined]
        except KeyringError as exc:
            raise AuthError(f"the OS keyring failed: {type(exc).__name__}", hint=ENV_HELP) from None

    def delete(self, key: str) -> bool:
        from keyring.errors import KeyringError, PasswordDeleteError

        backend = _keyring()
        try:
            if backend.get_password(SERVICE, key) is None:  # type: ignore[attr-defined]
                return False
            backend.delete_password(SERVICE, key)  # type: ignore[attr-defined]
        except PasswordDeleteError:
            return False
        except KeyringError as exc:
            raise AuthError(f"the OS keyring failed: {type(exc).__name__}", hint=ENV_HELP) from None
        return True

    def available(self) -> bool:
        try:
            _keyring()
        except AuthError:
            return False
        return True
