"""`fpcli --version`'s one-pass reading of distribution versions gives what importlib.metadata gives."""

from __future__ import annotations

import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from fpcli import dist_versions

ENGINES = (
    "lxml",
    "saxonche",
    "pikepdf",
    "pyhanko",
    "factur-x",
    "pydantic",
    "typer",
    "tomli-w",
    "Typing_Extensions",
)


def _dist_info(where: Path, dirname: str, version: str, file: str = "METADATA") -> None:
    info = where / dirname
    info.mkdir(parents=True)
    (info / file).write_text(
        f"Metadata-Version: 2.1\nName: {dirname.split('-', maxsplit=1)[0]}\nVersion: {version}\n\nVersion: 9.9 (body)\n",
        encoding="utf-8",
    )


def test_installed_engines_read_like_importlib_metadata() -> None:
    found = dist_versions.scan(ENGINES)
    assert set(found) == set(ENGINES)  # all are in this venv: none needed the fallback
    assert found == {name: metadata.version(name) for name in ENGINES}


def test_first_on_sys_path_wins_and_names_normalize(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _dist_info(first, "Foo_Bar-1.0.dist-info", "1.0")
    _dist_info(second, "foo.bar-2.0.dist-info", "2.0")
    _dist_info(second, "legacy-3.1.egg-info", "3.1", file="PKG-INFO")
    (second / "single-4.0.egg-info").write_text("Metadata-Version: 1.0\nName: single\nVersion: 4.0\n")
    _dist_info(second, "noversion-1.dist-info", "")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(first), str(second)])
    names = ["foo-bar", "Legacy", "single", "absent-dist", "noversion"]
    assert dist_versions.scan(names) == {"foo-bar": "1.0", "Legacy": "3.1", "single": "4.0"}
    got = dist_versions.versions(names)
    expected: dict[str, str | None] = {}
    for name in names:
        try:
            expected[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected[name] = None
    assert got == expected
    assert got["foo-bar"] == "1.0" and got["absent-dist"] is None


def test_a_zip_on_the_path_leaves_the_rest_to_importlib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip earlier on sys.path may hold the first match: the one pass stops there, importlib answers."""
    archive = tmp_path / "dists.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped-5.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped\nVersion: 5.0\n")
    later = tmp_path / "later"
    _dist_info(later, "zipped-6.0.dist-info", "6.0")
    monkeypatch.setattr(sys, "path", [str(archive), str(later)])
    assert dist_versions.scan(["zipped"]) == {}
    assert dist_versions.versions(["zipped"]) == {"zipped": "5.0"} == {"zipped": metadata.version("zipped")}


def test_a_distribution_finder_before_the_path_finder_defers_to_importlib(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Finder:
        @staticmethod
        def find_spec(*args: object) -> None:
            return None

        @staticmethod
        def find_distributions(*args: object) -> list[object]:
            return []

    monkeypatch.setattr(sys, "meta_path", [Finder, *sys.meta_path])
    assert dist_versions.scan(["typer"]) == {}
    assert dist_versions.versions(["typer"]) == {"typer": metadata.version("typer")}
