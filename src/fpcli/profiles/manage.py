"""Profile operations behind `fpcli profile …`: each loads the TOML file, changes it, saves it atomically.

Operations that keep a secret check the secret store first, store the secret, and only then save the settings:
when the store does not work nothing is written, and a rerun after fixing it works."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from fpcli.errors import InputError, UsageError
from fpcli.profiles import config, secrets

if TYPE_CHECKING:
    from pydantic import BaseModel

    from fpcli.profiles.models import Profile

# pydantic and the models are imported by the operations that change the file: `listing` does without them
Section = TypeVar("Section", bound="BaseModel")


@dataclass
class Saved:
    """A profile change: the profile's name, and where its secrets went (None: no secret given)."""

    name: str
    secrets_in: str | None = None
    kind: str = "secret"  # what was kept: client_secret, password, …
    store_problem: str | None = None  # why secrets of a removed PA could not be deleted


@dataclass
class Removed:
    """Secrets removed from the store, or why the store could not be used (then none were removed)."""

    name: str
    removed: int
    store_problem: str | None = None


def _keep(entries: dict[str, str]) -> str | None:
    """Store the secrets (after checking the store works); returns where they went."""
    if not entries:
        return None
    store = secrets.SecretStore()
    where = store.check()
    for key, value in entries.items():
        store.set(key, value)
    return where


def _merge(model: type[Section], current: BaseModel | None, changes: dict[str, Any], where: str) -> Section:
    """`current` settings with the options that were given (None or an empty list: not given)."""
    from pydantic import ValidationError

    base = current.model_dump(exclude_none=True) if current is not None else {}
    try:
        return model.model_validate({**base, **{k: v for k, v in changes.items() if v not in (None, [])}})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise UsageError(f"{where}.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None


def add(
    name: str,
    *,
    client_uid: str | None,
    pa: str | None,
    pa_settings: dict[str, Any],
    use: bool,
    secret: str | None = None,
) -> Saved:
    from fpcli.profiles.models import PAConfig, Profile

    config.check_name("profile", name)
    if secret and pa is None:
        raise UsageError("`--secret-stdin` needs `--pa NAME`")
    profiles = config.load()
    if name in profiles.profiles:
        raise UsageError(
            f"profile `{name}` already exists", hint=f"change it with `fpcli profile edit {name}`"
        )
    profile = Profile(client_uid=client_uid)
    if pa is not None:
        config.check_name("PA", pa)
        profile.pa[pa] = _merge(PAConfig, None, pa_settings, f"{name}.pa.{pa}")
        profile.default_pa = pa
    elif any(v is not None for v in pa_settings.values()):
        raise UsageError("PA settings need `--pa NAME`")
    profiles.profiles[name] = profile
    if use or profiles.default is None:
        profiles.default = name
    kind = profile.pa[pa].secret_kind if pa else "secret"
    where = _keep({secrets.pa_key(name, pa, kind): secret} if secret and pa else {})
    config.save(profiles)
    return Saved(name, where, kind)


def edit(
    name: str,
    *,
    client_uid: str | None,
    pa: str | None,
    pa_settings: dict[str, Any],
    default_pa: str | None,
    remove_pa: str | None,
    secret: str | None = None,
) -> Saved:
    from fpcli.profiles.models import PAConfig

    if secret and pa is None:
        raise UsageError("`--secret-stdin` needs `--pa NAME`")
    profiles = config.load()
    profile = config.get(profiles, name)
    if pa is not None:
        config.check_name("PA", pa)
        profile.pa[pa] = _merge(PAConfig, profile.pa.get(pa), pa_settings, f"{name}.pa.{pa}")
        profile.default_pa = profile.default_pa or pa
    elif any(v is not None for v in pa_settings.values()):
        raise UsageError("PA settings need `--pa NAME`")
    if client_uid is not None:
        profile.client_uid = client_uid or None
    forget: list[str] = []
    if remove_pa is not None:
        if remove_pa not in profile.pa:
            raise UsageError(f"profile `{name}` has no PA `{remove_pa}`")
        forget = secrets.pa_names(name, remove_pa, profile.pa[remove_pa])
        del profile.pa[remove_pa]
        if profile.default_pa == remove_pa:
            profile.default_pa = next(iter(profile.pa), None)
    if default_pa is not None:
        if default_pa not in profile.pa:
            raise UsageError(f"profile `{name}` has no PA `{default_pa}`")
        profile.default_pa = default_pa
    # Every check is done: only now secrets change, then the file.
    kind = profile.pa[pa].secret_kind if pa else "secret"
    where = _keep({secrets.pa_key(name, pa, kind): secret} if secret and pa else {})
    store_problem = _forget(forget)
    config.save(profiles)
    return Saved(name, where, kind, store_problem)


def _forget(keys: list[str]) -> str | None:
    """Delete these secrets; a store that does not work is returned (the settings still change)."""
    if not keys:
        return None
    store = secrets.SecretStore()
    if (problem := store.problem()) is not None:
        return problem
    for key in keys:
        store.delete(key)
    return None


def remove(name: str) -> Removed:
    """Remove the profile and every secret it has in the secret store. Without a usable store the profile
    is still removed (a CI machine must be able to), and the result says its secrets were not."""
    profiles = config.load()
    profile = config.get(profiles, name)
    result = forget_secrets(name, profile)
    del profiles.profiles[name]
    if profiles.default == name:
        profiles.default = None
    config.save(profiles)
    return result


def forget_secrets(name: str, profile: Profile) -> Removed:
    """Delete every secret and token of a profile from the store; a store that does not work is reported."""
    store = secrets.SecretStore()
    if (problem := store.problem()) is not None:
        return Removed(name, 0, problem)
    return Removed(name, sum(store.delete(key) for key in secrets.names_of(name, profile)))


def use(name: str) -> None:
    profiles = config.load()
    config.get(profiles, name)
    profiles.default = name
    config.save(profiles)


def describe(name: str | None) -> dict[str, Any]:
    """A profile's settings and which secrets are set, never their values."""
    profiles = config.load()
    name, profile = config.active(profiles, name)
    store = secrets.SecretStore()
    problem = store.problem()
    data = profile.model_dump(mode="json", exclude_none=True)
    for pa_name, pa_data in data.get("pa", {}).items():
        pa_data["secrets"] = {
            what: ("set" if store.get(secrets.pa_key(name, pa_name, what)) else "not set")
            if problem is None
            else "unknown (no usable secret store)"
            for what in secrets.PA_SECRETS
        }
    return {
        "schema_version": 1,
        "name": name,
        "default": profiles.default == name,
        "secret_store": store.label if problem is None else f"unusable: {problem}",
        **data,
    }


def listing() -> dict[str, Any]:
    default, profiles = config.summaries()
    return {
        "schema_version": 1,
        "default": default,
        "profiles": [
            {
                "name": n,
                "default": n == default,
                "client_uid": p.client_uid,
                "pas": p.pas,
                "default_pa": p.default_pa,
            }
            for n, p in sorted(profiles.items())
        ],
    }


def _set_section(
    name: str | None,
    section: str,
    model: type[BaseModel],
    settings: dict[str, Any],
    entries: Callable[[str], dict[str, str]],
) -> Saved:
    """Merge `settings` into a section; `entries(name)` gives the secrets to keep, stored before saving."""
    profiles = config.load()
    name, profile = config.active(profiles, name)
    setattr(profile, section, _merge(model, getattr(profile, section), settings, f"{name}.{section}"))
    where = _keep(entries(name))
    config.save(profiles)
    return Saved(name, where)


def set_chorus(name: str | None, settings: dict[str, Any], secret_values: dict[str, str]) -> Saved:
    """Update the profile's Chorus Pro settings; secrets (client secret, technical password) go to the
    secret store."""
    from fpcli.profiles.models import ChorusConfig

    return _set_section(
        name,
        "chorus",
        ChorusConfig,
        settings,
        lambda n: {secrets.chorus_key(n, what): value for what, value in secret_values.items()},
    )


def set_signing(name: str | None, settings: dict[str, Any], passphrase: str | None) -> Saved:
    """Update the profile's signing settings (key files, level, TSA); the passphrase goes to the secret
    store. Key and certificate files must exist now: a typo would otherwise only show when signing."""
    for option in ("p12", "key", "cert", "chain"):
        value = settings.get(option)
        for path in value if isinstance(value, list) else [value] if value else []:
            if not Path(path).is_file():
                raise InputError.at(path, None, f"no such file (given with `--{option}`)")
    from fpcli.profiles.models import SigningConfig

    return _set_section(
        name,
        "signing",
        SigningConfig,
        settings,
        lambda n: {f"{n}/signing/passphrase": passphrase} if passphrase else {},
    )


def signing(name: str | None) -> tuple[str | None, Any]:
    """(profile name, its SigningConfig or None); (None, None) when there is no profile at all."""
    profiles = config.load()
    name = name or profiles.default
    if name is None or name not in profiles.profiles:
        return None, None
    return name, profiles.profiles[name].signing


def signing_passphrase(name: str | None) -> str | None:
    if name is None:
        return None
    store = secrets.SecretStore()
    return store.get(f"{name}/signing/passphrase") if store.available() else None
