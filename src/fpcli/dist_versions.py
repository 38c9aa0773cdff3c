"""Versions of installed distributions for `fpcli --version`, in one pass over `sys.path`.

`importlib.metadata.version()` costs ~15 ms of imports (email, zipfile, …) and a search of `sys.path` per
name. This module looks where the standard library's finder looks, in the same order, and reads what it
reads: in each `sys.path` directory, the `NAME-VERSION.dist-info` or `NAME….egg-info` entry whose name
normalizes to the one asked (first match on `sys.path`, then in directory order, wins), and the `Version:`
header of its `METADATA` or `PKG-INFO`. Anything it cannot read the standard way (a zip or `.egg` on the
path, a distribution finder before the path finder on `sys.meta_path`, metadata without a version) is
left to importlib.metadata, so the answer is the same either way.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path


def normalize(name: str) -> str:
    """PEP 503 normalization with underscores, as importlib.metadata's `Prepared.normalize`."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _version_in(info: Path) -> str | None:
    """The `Version:` header of a .dist-info / .egg-info entry (a directory, or an egg-info file)."""
    for path in (info / "METADATA", info / "PKG-INFO", info):
        try:
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        break  # end of the headers
                    if line[0] in " \t":
                        continue  # a folded header's continuation
                    key, sep, value = line.partition(":")
                    if sep and key.strip().lower() == "version":
                        return value.strip() or None
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            continue
        except (OSError, UnicodeDecodeError):
            return None
        return None  # the first readable file decides, as importlib.metadata's read_text does
    return None


def _path_finder_first() -> bool:
    """importlib.metadata asks each finder of sys.meta_path in turn and takes the first distribution found:
    the one pass agrees with it when no other finder of distributions comes before the path finder (those
    after it answer only for names the path finder lacks, which are left to importlib.metadata here)."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is PathFinder:
            return True
        if hasattr(finder, "find_distributions"):
            return False
    return False


def scan(names: Iterable[str]) -> dict[str, str]:
    """Versions found in one pass over sys.path, by the name asked; names missing here need importlib."""
    wanted = {normalize(name): name for name in names}
    found: dict[str, str] = {}
    settled: set[str] = set()  # first match on the path: found, or left to importlib.metadata
    if not _path_finder_first():
        return found
    for entry in sys.path:
        if not wanted.keys() - settled:
            break
        root = Path(entry or ".")
        if root.name.lower().endswith(".egg"):
            break  # egg layout (EGG-INFO): importlib.metadata for the rest, in path order
        try:
            children = list(root.iterdir())  # directory order, as importlib.metadata's os.listdir
        except FileNotFoundError:
            continue
        except OSError:
            if root.exists():
                break  # a zip file or an unreadable directory: importlib.metadata for the rest
            continue
        for child in children:
            low = child.name.lower()
            if not low.endswith((".dist-info", ".egg-info")):
                continue
            key = normalize(low.rpartition(".")[0].partition("-")[0])
            if key not in wanted or key in settled:
                continue
            settled.add(key)
            version = _version_in(child)
            if version is not None:
                found[wanted[key]] = version
    return found


def versions(names: Iterable[str]) -> dict[str, str | None]:
    """`name -> version` (None: not installed), as `importlib.metadata.version` gives them."""
    names = list(names)
    result: dict[str, str | None] = dict(scan(names))
    missing = [name for name in names if name not in result]
    if missing:
        from importlib import metadata

        for name in missing:
            try:
                result[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                result[name] = None
    return {name: result[name] for name in names}
