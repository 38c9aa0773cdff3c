"""`fpcli profile list` and completions read the profiles file without pydantic (profiles/config.py
`summaries`): they must accept exactly what the models accept and show the same values."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from fpcli.errors import InputError
from fpcli.profiles import config
from fpcli.profiles.models import ChorusConfig, PAConfig, Profile, ProfileFile, SigningConfig

FULL: dict[str, Any] = {
    "default": "acme",
    "profiles": {
        "acme": {
            "client_uid": "acme-uid",
            "default_pa": "main",
            "pa": {
                "main": {
                    "flow_url": "https://flow.example/flow-service",
                    "directory_url": "http://dir.example",
                    "token_url": "https://auth.example/token",
                    "auth": "jwt",
                    "client_id": "c",
                    "token_auth": "basic",
                    "username": "u",
                    "organization_id": "o",
                    "webhooks": ["w1", "w2"],
                },
                "other": {},
            },
            "chorus": {
                "sandbox": False,
                "api_url": "https://api.example",
                "token_url": "https://t.example",
                "client_id": "c",
                "technical_login": "tech",
            },
            "signing": {
                "p12": "k.p12",
                "key": "k.pem",
                "cert": "c.pem",
                "chain": ["ca.pem"],
                "level": "B-T",
                "tsa": "https://tsa.example",
            },
            "invoice_notes": {"PMT": "text"},
        },
        "bare": {},
    },
}
# values of every kind a TOML file can hold, valid for some fields and not for others
CANDIDATES: list[Any] = [
    "x",
    "",
    "https://h.example/p",
    "http://h",
    "ftp://h.example",
    "https:///nohost",
    "oauth2",
    "jwt",
    "body",
    "basic",
    "true",
    "1",
    1,
    0,
    1.5,
    True,
    False,
    [],
    ["a"],
    [1],
    ["a", 2],
    {},
    {"k": "v"},
    {"k": 1},
    {"flow_url": "https://h.example"},
]


def _paths(node: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path of FULL, tables included."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((*path, key))
            out.extend(_paths(value, (*path, key)))
    return out


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(FULL)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def _through_models(data: dict[str, Any]) -> tuple[str | None, dict[str, config.Summary]] | None:
    try:
        checked = ProfileFile.model_validate(data)
    except ValidationError:
        return None
    return checked.default, {
        n: config.Summary(p.client_uid, p.default_pa, sorted(p.pa)) for n, p in checked.profiles.items()
    }


def _fast(data: dict[str, Any]) -> tuple[str | None, dict[str, config.Summary]]:
    return data.get("default"), {
        n: config.Summary(p.get("client_uid"), p.get("default_pa"), sorted(p.get("pa", {})))
        for n, p in data.get("profiles", {}).items()
    }


@pytest.mark.parametrize(
    ("table", "model"),
    [
        (config.PLAIN_FILE, ProfileFile),
        (config.PLAIN_PROFILE, Profile),
        (config.PLAIN_PA, PAConfig),
        (config.PLAIN_CHORUS, ChorusConfig),
        (config.PLAIN_SIGNING, SigningConfig),
    ],
)
def test_plain_tables_name_the_models_fields(table: dict[str, Any], model: type[Any]) -> None:
    assert set(table) == set(model.model_fields)


def test_a_file_fpcli_writes_takes_the_fast_path() -> None:
    assert config.plain(FULL)
    assert config.plain(ProfileFile.model_validate(FULL).model_dump(mode="json", exclude_none=True))
    assert _through_models(FULL) == _fast(FULL)


def test_what_the_fast_path_accepts_the_models_accept_with_the_same_values() -> None:
    """Every key of the file set to every kind of value, and an unknown key added to every table: whenever
    `plain` says yes, the models accept the data and give the same summaries."""
    paths = _paths(FULL)
    docs = [_with(path, value) for path in paths for value in CANDIDATES]
    tables = [p for p in [(), *paths] if isinstance(_get(FULL, p), dict)]
    docs += [_with((*p, "unknown"), "x") if p else {**FULL, "unknown": "x"} for p in tables]
    accepted = 0
    for doc in docs:
        if config.plain(doc):
            accepted += 1
            assert _through_models(doc) == _fast(doc), doc
    rejected_by_models = sum(_through_models(doc) is None for doc in docs)
    assert accepted > 100 and rejected_by_models > 100  # both sides of the property were exercised


def _get(node: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def test_summaries_reject_what_load_rejects_with_its_message(tmp_path: Path) -> None:
    path = tmp_path / "profiles.toml"
    path.write_text('[profiles.acme.pa.main]\nflow_url = "ftp://x"\n', encoding="utf-8")
    with pytest.raises(InputError) as by_load:
        config.load(path)
    with pytest.raises(InputError) as by_summaries:
        config.summaries(path)
    assert by_summaries.value.message == by_load.value.message
    assert "profiles.acme.pa.main.flow_url" in by_load.value.message


def test_summaries_of_values_the_models_convert(tmp_path: Path) -> None:
    """A value the models coerce (a string for a bool) is not plain: the models read it, as `load` does."""
    path = tmp_path / "profiles.toml"
    path.write_text('default = "a"\n[profiles.a]\nclient_uid = "u"\n[profiles.a.chorus]\nsandbox = "false"\n')
    assert config.load(path).profiles["a"].chorus.sandbox is False  # type: ignore[union-attr]
    assert config.summaries(path) == ("a", {"a": config.Summary("u", None, [])})
    assert config.summaries(tmp_path / "missing.toml") == (None, {})


def test_profile_list_imports_no_pydantic(tmp_path: Path) -> None:
    (tmp_path / "fpcli").mkdir()
    (tmp_path / "fpcli" / "profiles.toml").write_text(
        'default = "acme"\n[profiles.acme]\nclient_uid = "acme-uid"\n[profiles.acme.pa.main]\n'
        'flow_url = "https://flow.example"\n',
        encoding="utf-8",
    )
    code = (
        "import sys\nfrom fpcli.cli.main import main\nsys.argv = ['fpcli', 'profile', 'list']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)"
    )
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path), NO_COLOR="1")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert proc.stdout == "* acme\tPAs: main\tclient_uid: acme-uid\n"
    loaded = set(proc.stderr.split())
    assert {m.split(".")[0] for m in loaded} & {"pydantic", "pydantic_core", "keyring"} == set()
    assert loaded & {"fpcli.profiles.models", "json", "fpcli.redact"} == set()
