"""Secrets and tokens of a profile, in the secret store the user chose: the OS keyring (default, service
`fpcli`) or, by explicit choice (`--secret-store file` / FPCLI_SECRET_STORE=file), a 0600 plain file.
fpcli never falls back from one to the other on its own, and every message names where a secret went.

Keyring backends cannot list their entries, so every secret has a name built from the profile and what it
belongs to (`acme/pa/main/client_secret`); `names_of` lists them all, which is how logout removes every one.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from fpcli.errors import AuthError, UsageError

if TYPE_CHECKING:
    from fpcli.profiles.models import PAConfig, Profile

SERVICE = "fpcli"
PA_SECRETS = ("client_secret", "password", "token")
CHORUS_SECRETS = ("client_secret", "technical_password", "token")
STORE_ENV = "FPCLI_SECRET_STORE"
STORES = ("keyring", "file")
ENV_HELP = (
    "give secrets through the environment instead (FPCLI_PA_CLIENT_SECRET or FPCLI_PA_PASSWORD, or "
    "FPCLI_ACCESS_TOKEN; FPCLI_CHORUS_CLIENT_SECRET; FPCLI_SIGN_PASSPHRASE_FILE), or choose a 0600 plain "
    "file with `--secret-store file` (FPCLI_SECRET_STORE=file); see `fpcli doctor`"
)
# Backends of the keyring package that keep secrets in the operating system's own store.
_OS_BACKENDS = ("keyring.backends.SecretService", "keyring.backends.libsecret", "keyring.backends.kwallet",
                "keyring.backends.macOS", "keyring.backends.Windows")  # fmt: skip

_chosen: str | None = None  # set by the CLI from `--secret-store`; None: FPCLI_SECRET_STORE, else keyring


def choose(store: str | None) -> None:
    """The store named on the command line (None: FPCLI_SECRET_STORE, else the OS keyring)."""
    global _chosen  # noqa: PLW0603 (one choice per process, made by the CLI's root options)
    _chosen = store
    if store is not None:
        chosen()  # a wrong name fails now, as a usage error, before any command runs


def chosen() -> str:
    value = (_chosen or os.environ.get(STORE_ENV) or "keyring").strip().lower()
    if value not in STORES:
        raise UsageError(
            f"unknown secret store `{value}` (from --secret-store or {STORE_ENV})",
            hint="use `keyring` (the OS keyring, default) or `file` (a 0600 plain file you opt into)",
        )
    return value


def pa_key(profile: str, pa: str, what: str) -> str:
    return f"{profile}/pa/{pa}/{what}"


def chorus_key(profile: str, what: str) -> str:
    return f"{profile}/chorus/{what}"


def pa_names(profile: str, pa: str, cfg: PAConfig) -> list[str]:
    """Every entry of one PA of a profile: credentials, token, kept webhook signing keys."""
    return [pa_key(profile, pa, what) for what in PA_SECRETS] + [
        pa_key(profile, pa, f"webhook/{uid}") for uid in cfg.webhooks
    ]


def names_of(name: str, profile: Profile) -> list[str]:
    keys = [key for pa, cfg in profile.pa.items() for key in pa_names(name, pa, cfg)]
    keys += [chorus_key(name, what) for what in CHORUS_SECRETS]
    keys += [f"{name}/signing/passphrase"]
    return keys


class _Backend(Protocol):
    label: str

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str) -> None: ...
    def delete(self, key: str) -> bool: ...


def keyring_label(backend: object) -> str:
    """What a keyring backend really is: only the OS's own stores are called "OS keyring"."""
    cls = type(backend)
    module, name = cls.__module__, getattr(backend, "name", cls.__name__)
    if module.startswith(_OS_BACKENDS):
        return f"the OS keyring ({name})"
    if path := getattr(backend, "file_path", None):  # keyrings.alt file backends
        return f"the file {path} ({module}.{cls.__name__}, not an OS keyring)"
    if children := getattr(backend, "backends", None):  # keyring's chainer: name what it chains
        return "keyrings: " + ", ".join(keyring_label(b) for b in children)
    return f"the keyring backend {module}.{cls.__name__}"


def _help() -> str:
    """ENV_HELP, and a pointer to a secrets file kept earlier: the user chooses it again, fpcli does not."""
    path = secrets_file()
    return ENV_HELP + (
        f"; secrets were kept in `{path}` before: add `--secret-store file`" if path.exists() else ""
    )


class _Keyring:
    def __init__(self) -> None:
        import keyring
        from keyring.backends import fail, null

        self.backend = keyring.get_keyring()
        if isinstance(self.backend, fail.Keyring | null.Keyring):
            raise AuthError("no OS keyring backend is available here", hint=_help())
        self.label = keyring_label(self.backend)

    def _fail(self, exc: Exception) -> AuthError:
        # Backends raise many types (D-Bus, locked collections, …): all mean "the store is unusable".
        return AuthError(f"{self.label} failed: {type(exc).__name__}: {exc}".rstrip(": "), hint=_help())

    def get(self, key: str) -> str | None:
        try:
            value = self.backend.get_password(SERVICE, key)
        except Exception as exc:
            raise self._fail(exc) from None
        return value if isinstance(value, str) else None

    def set(self, key: str, value: str) -> None:
        try:
            self.backend.set_password(SERVICE, key, value)
        except Exception as exc:
            error = self._fail(exc)
            error.message = error.message.replace(value, "***")  # a backend's message never shows the secret
            raise error from None

    def delete(self, key: str) -> bool:
        from keyring.errors import PasswordDeleteError

        try:
            if self.backend.get_password(SERVICE, key) is None:
                return False
            self.backend.delete_password(SERVICE, key)
        except PasswordDeleteError:
            return False
        except Exception as exc:
            raise self._fail(exc) from None
        return True


def secrets_file() -> Path:
    from platformdirs import user_data_path

    return user_data_path("fpcli") / "secrets.json"


class JsonFile:
    """A JSON object of name -> value in a file only its owner can read (0600), rewritten atomically.
    Used for secrets the user opted into keeping in a plain file, and for the opt-in token cache."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        self.label = f"the plain file {path} (0600, not encrypted: {what})"

    def _read(self) -> dict[str, str]:
        try:
            info = self.path.stat()
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise AuthError(f"{self.path}: cannot read: {exc.strerror}") from None
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise AuthError(
                f"{self.path}: readable by others (mode {stat.S_IMODE(info.st_mode):o})",
                hint=f"`chmod 600 {self.path}`, and change the secrets it holds",
            )
        import json  # here and in _write: `fpcli profile list` imports this module and needs neither

        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise AuthError(f"{self.path}: not a JSON object of strings", hint="remove it and store again")
        return data

    def _write(self, data: dict[str, str]) -> None:
        import json

        from fpcli.fileio import write_output

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise AuthError(f"{self.path.parent}: cannot create: {exc.strerror}") from None
        # private: created 0600 before any byte is written, whatever the umask
        write_output(self.path, json.dumps(data, indent=1, sort_keys=True).encode(), force=True, private=True)

    def get(self, key: str) -> str | None:
        return self._read().get(key)

    def set(self, key: str, value: str) -> None:
        data = self._read()
        data[key] = value
        self._write(data)

    def delete(self, key: str) -> bool:
        data = self._read()
        if data.pop(key, None) is None:
            return False
        self._write(data)
        return True

    def check_writable(self) -> None:
        directory = self.path.parent
        while not directory.exists():
            directory = directory.parent
        if not os.access(directory, os.W_OK):
            raise AuthError(f"{self.path}: directory `{directory}` is not writable")


TOKEN_CACHE_ENV = "FPCLI_TOKEN_CACHE"  # noqa: S105 (a variable name)


def env_token_cache(key: str) -> tuple[JsonFile, str] | None:
    """Where a run whose credentials come from the environment keeps its tokens: memory only (None), or a
    0600 file under the user cache dir when FPCLI_TOKEN_CACHE=file asks for it. Never a secret store."""
    if os.environ.get(TOKEN_CACHE_ENV, "").strip().lower() != "file":
        return None
    from platformdirs import user_cache_path

    path = user_cache_path("fpcli") / "tokens.json"
    return JsonFile(path, "token cache chosen with FPCLI_TOKEN_CACHE=file"), key


class SecretStore:
    """The chosen store (see `chosen`): one-line errors naming the other ways when it does not work.

    Opening is lazy, so a command whose secrets all come from the environment never touches a store."""

    def __init__(self, kind: str | None = None) -> None:
        self.kind = kind
        self._backend: _Backend | None = None

    @property
    def backend(self) -> _Backend:
        if self._backend is None:
            kind = self.kind or chosen()
            if kind == "file":
                self._backend = JsonFile(secrets_file(), "chosen with --secret-store file")
            else:
                self._backend = _Keyring()
        return self._backend

    @property
    def label(self) -> str:
        return self.backend.label

    def get(self, key: str) -> str | None:
        from fpcli import redact

        value = self.backend.get(key)
        if value is not None:
            redact.register(value)  # masked by value in any output from now on
        return value

    def set(self, key: str, value: str) -> None:
        from fpcli import redact

        redact.register(value)
        self.backend.set(key, value)

    def delete(self, key: str) -> bool:
        return self.backend.delete(key)

    def check(self) -> str:
        """Raise AuthError unless the store can be read (and, for a file, written); returns its label.
        Commands that store secrets call this before they change anything."""
        backend = self.backend
        backend.get(f"{SERVICE}-probe")  # a read: backends that fail on every call fail here
        if isinstance(backend, JsonFile):
            backend.check_writable()
        return backend.label

    def problem(self) -> str | None:
        """Why the store is unusable, or None when it works (an unknown store name stays a usage error)."""
        try:
            self.check()
        except AuthError as exc:
            return exc.message
        return None

    def available(self) -> bool:
        return self.problem() is None
