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

The settings' models (PAConfig, Profile, ProfileFile…) are in `profiles/models.py`, imported when a file is
loaded: they need pydantic, which read-only views of the file do not (`summaries`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from fpcli.errors import InputError, UsageError

if TYPE_CHECKING:
    from fpcli.profiles.models import Profile, ProfileFile

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
URL = re.compile(r"^https?://[^\s/]+")
AUTH_KINDS = ("oauth2", "jwt")
TOKEN_AUTHS = ("body", "basic")
AuthKind = Literal["oauth2", "jwt"]
TokenAuth = Literal["body", "basic"]


def is_url(value: str) -> bool:
    """What the URL settings accept: http(s) with a host."""
    return URL.match(value) is not None


def check_name(kind: str, name: str) -> str:
    if not NAME.match(name):
        raise UsageError(
            f"invalid {kind} name `{name}`",
            hint="use letters, digits, `-`, `_` or `.` (at most 64), starting with a letter or digit",
        )
    return name


def config_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path("fpcli") / "profiles.toml"


def read(path: Path) -> dict[str, Any]:
    """The file's TOML data ({} when there is no file); unreadable or malformed: InputError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise InputError.at(str(path), None, f"cannot read: {exc.strerror}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError.at(str(path), None, f"not valid TOML: {exc}") from None


def _validated(data: dict[str, Any], path: Path) -> ProfileFile:
    from pydantic import ValidationError

    from fpcli.profiles.models import ProfileFile

    try:
        return ProfileFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InputError.at(str(path), where, err["msg"]) from None


def load(path: Path | None = None) -> ProfileFile:
    path = path or config_path()
    return _validated(read(path), path)


# -- read-only views without pydantic ----------------------------------------------------------------------
# The models' shapes when every value already has its type, as in any file fpcli writes. `plain(data)` is
# True only for data the models accept unchanged (every key known, every value of its type, URLs and
# choices as the models check them), so a view built from such data is the one the models would give;
# anything else goes through the models, with their coercions and their error messages.
# tests/core/test_profiles_summaries.py keeps these tables equal to the models' fields.

Check = Callable[[Any], bool]


def _str(value: Any) -> bool:
    return isinstance(value, str)


def _url(value: Any) -> bool:
    return isinstance(value, str) and is_url(value)


def _strs(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _choice(choices: tuple[str, ...]) -> Check:
    return lambda value: isinstance(value, str) and value in choices


def _table(fields: dict[str, Check]) -> Check:
    return lambda value: (
        isinstance(value, dict) and all(key in fields and fields[key](v) for key, v in value.items())
    )


def _tables(check: Check) -> Check:
    return lambda value: (
        isinstance(value, dict) and all(isinstance(key, str) and check(v) for key, v in value.items())
    )


PLAIN_PA: dict[str, Check] = {
    **dict.fromkeys(("flow_url", "directory_url", "token_url"), _url),
    "auth": _choice(AUTH_KINDS),
    "token_auth": _choice(TOKEN_AUTHS),
    **dict.fromkeys(("client_id", "username", "organization_id"), _str),
    "webhooks": _strs,
}
PLAIN_CHORUS: dict[str, Check] = {
    "sandbox": lambda value: isinstance(value, bool),
    **dict.fromkeys(("api_url", "token_url", "client_id", "technical_login"), _str),
}
PLAIN_SIGNING: dict[str, Check] = {
    **dict.fromkeys(("p12", "key", "cert", "level", "tsa"), _str),
    "chain": _strs,
}
PLAIN_PROFILE: dict[str, Check] = {
    **dict.fromkeys(("client_uid", "default_pa"), _str),
    "pa": _tables(_table(PLAIN_PA)),
    "chorus": _table(PLAIN_CHORUS),
    "signing": _table(PLAIN_SIGNING),
    "invoice_notes": _tables(_str),
}
PLAIN_FILE: dict[str, Check] = {"default": _str, "profiles": _tables(_table(PLAIN_PROFILE))}
plain = _table(PLAIN_FILE)


@dataclass(frozen=True)
class Summary:
    """What `fpcli profile list` and completions show of a profile."""

    client_uid: str | None
    default_pa: str | None
    pas: list[str]


def summaries(path: Path | None = None) -> tuple[str | None, dict[str, Summary]]:
    """(the default profile, each profile's summary), validated as `load` validates: an error for a file
    `load` rejects, the same values for a file it accepts."""
    path = path or config_path()
    data = read(path)
    if plain(data):
        profiles: dict[str, Any] = data.get("profiles", {})
        return data.get("default"), {
            name: Summary(p.get("client_uid"), p.get("default_pa"), sorted(p.get("pa", {})))
            for name, p in profiles.items()
        }
    checked = _validated(data, path)
    return checked.default, {
        name: Summary(p.client_uid, p.default_pa, sorted(p.pa)) for name, p in checked.profiles.items()
    }


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
