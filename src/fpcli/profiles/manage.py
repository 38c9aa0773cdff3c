"""Profile operations behind `fpcli profile …`: each loads the TOML file, changes it, saves it atomically."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from fpcli.errors import UsageError
from fpcli.profiles import config, secrets
from fpcli.profiles.config import ChorusConfig, PAConfig, Profile, SigningConfig

Section = TypeVar("Section", bound=BaseModel)


def _merge(model: type[Section], current: BaseModel | None, changes: dict[str, Any], where: str) -> Section:
    """`current` settings with the options that were given (None or an empty list: not given)."""
    base = current.model_dump(exclude_none=True) if current is not None else {}
    try:
        return model.model_validate({**base, **{k: v for k, v in changes.items() if v not in (None, [])}})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise UsageError(f"{where}.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None


def add(
    name: str, *, client_uid: str | None, pa: str | None, pa_settings: dict[str, Any], use: bool
) -> Profile:
    config.check_name("profile", name)
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
    config.save(profiles)
    return profile


def edit(
    name: str,
    *,
    client_uid: str | None,
    pa: str | None,
    pa_settings: dict[str, Any],
    default_pa: str | None,
    remove_pa: str | None,
) -> Profile:
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
    if remove_pa is not None:
        if remove_pa not in profile.pa:
            raise UsageError(f"profile `{name}` has no PA `{remove_pa}`")
        store = secrets.SecretStore()
        for key in secrets.pa_names(name, remove_pa, profile.pa[remove_pa]):
            store.delete(key)
        del profile.pa[remove_pa]
        if profile.default_pa == remove_pa:
            profile.default_pa = next(iter(profile.pa), None)
    if default_pa is not None:
        if default_pa not in profile.pa:
            raise UsageError(f"profile `{name}` has no PA `{default_pa}`")
        profile.default_pa = default_pa
    config.save(profiles)
    return profile


def remove(name: str) -> int:
    """Remove the profile and every secret it has in the keyring; returns how many secrets were removed."""
    profiles = config.load()
    profile = config.get(profiles, name)
    store = secrets.SecretStore()
    removed = sum(store.delete(key) for key in secrets.names_of(name, profile)) if store.available() else 0
    del profiles.profiles[name]
    if profiles.default == name:
        profiles.default = None
    config.save(profiles)
    return removed


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
    has_keyring = store.available()
    data = profile.model_dump(mode="json", exclude_none=True)
    for pa_name, pa_data in data.get("pa", {}).items():
        pa_data["secrets"] = {
            what: ("set" if store.get(secrets.pa_key(name, pa_name, what)) else "not set")
            if has_keyring
            else "no keyring"
            for what in secrets.PA_SECRETS
        }
    return {"schema_version": 1, "name": name, "default": profiles.default == name, **data}


def listing() -> dict[str, Any]:
    profiles = config.load()
    return {
        "schema_version": 1,
        "default": profiles.default,
        "profiles": [
            {
                "name": n,
                "default": n == profiles.default,
                "client_uid": p.client_uid,
                "pas": sorted(p.pa),
                "default_pa": p.default_pa,
            }
            for n, p in sorted(profiles.profiles.items())
        ],
    }


def store_secret(name: str, pa: str, secret: str) -> str:
    """Keep a PA's client secret (oauth2) or password (jwt) in the keyring; returns which one it was."""
    profile = config.get(config.load(), name)
    if pa not in profile.pa:
        raise UsageError(f"profile `{name}` has no PA `{pa}`")
    what = profile.pa[pa].secret_kind
    secrets.SecretStore().set(secrets.pa_key(name, pa, what), secret)
    return what


def _set_section(name: str | None, section: str, model: type[BaseModel], settings: dict[str, Any]) -> str:
    profiles = config.load()
    name, profile = config.active(profiles, name)
    setattr(profile, section, _merge(model, getattr(profile, section), settings, f"{name}.{section}"))
    config.save(profiles)
    return name


def set_chorus(name: str | None, settings: dict[str, Any], secret_values: dict[str, str]) -> str:
    """Update the profile's Chorus Pro settings; secrets (client secret, technical password) go to the
    keyring."""
    name = _set_section(name, "chorus", ChorusConfig, settings)
    store = secrets.SecretStore()
    for what, value in secret_values.items():
        store.set(secrets.chorus_key(name, what), value)
    return name


def set_signing(name: str | None, settings: dict[str, Any], passphrase: str | None) -> str:
    """Update the profile's signing settings (key files, level, TSA); the passphrase goes to the keyring."""
    name = _set_section(name, "signing", SigningConfig, settings)
    if passphrase:
        secrets.SecretStore().set(f"{name}/signing/passphrase", passphrase)
    return name


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
