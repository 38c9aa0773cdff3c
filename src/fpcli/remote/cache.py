"""A small on-disk cache of JSON look-ups (platformdirs user cache dir) with an expiry.

One file per key, written atomically; a damaged or expired entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from fpcli.fileio import write_output


class JsonCache:
    def __init__(self, name: str, ttl: float, root: Path | None = None) -> None:
        if root is None:
            from platformdirs import user_cache_path

            root = user_cache_path("fpcli")
        self.dir = root / name
        self.ttl = ttl

    def _path(self, key: str) -> Path:
        return self.dir / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")

    def get(self, key: str, *, allow_stale: bool = False) -> tuple[Any, float] | None:
        """(value, age in seconds), or None when absent, damaged, or expired (unless `allow_stale`)."""
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            stored, value = float(entry["stored_at"]), entry["value"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        age = time.time() - stored
        if age > self.ttl and not allow_stale:
            return None
        return value, age

    def put(self, key: str, value: Any) -> None:
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        payload = json.dumps({"key": key, "stored_at": time.time(), "value": value}, ensure_ascii=False)
        write_output(self._path(key), payload.encode(), force=True, private=True)
