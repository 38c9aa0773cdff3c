"""The local submission journal: never submit the same invoice twice by accident.

SQLite in the user data dir, one row per submission attempt, keyed by the SHA-256 of the bytes sent. A row is
written *before* the upload (state `pending`, with the tracking id sent in flowInfo), so even a crash between
upload and answer leaves what is needed to look the flow up instead of sending it again.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fpcli.errors import InputError

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL,
    file TEXT NOT NULL,
    target TEXT NOT NULL,
    tracking_id TEXT NOT NULL,
    flow_id TEXT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'submitted', 'failed')),
    detail TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    owner TEXT
);
CREATE INDEX IF NOT EXISTS submissions_sha256 ON submissions (sha256);
"""


@dataclass(frozen=True)
class Entry:
    id: int
    sha256: str
    file: str
    target: str
    tracking_id: str
    flow_id: str | None
    state: str
    detail: str | None
    created_at: str
    updated_at: str
    owner: str | None = None  # pid@host of the process that wrote the row

    def owner_alive(self) -> bool:
        """True when another live process on this host owns this row (a submission in progress)."""
        if not self.owner or "@" not in self.owner:
            return False
        pid, host = self.owner.split("@", 1)
        if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def journal_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("fpcli") / "submissions.sqlite"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Journal:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or journal_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.executescript(SCHEMA)
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(submissions)")}
            if "owner" not in columns:  # journals written before rows had an owner
                self.db.execute("ALTER TABLE submissions ADD COLUMN owner TEXT")
        except sqlite3.Error as exc:
            raise InputError.at(str(self.path), None, f"submission journal unusable: {exc}") from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE: two fpcli processes submitting the same file serialise on the journal.
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _rows(self, where: str, args: tuple[object, ...]) -> list[Entry]:
        cur = self.db.execute(f"SELECT * FROM submissions {where}", args)  # noqa: S608 (fixed clauses)
        return [Entry(*row) for row in cur.fetchall()]

    def latest(self, sha256: str) -> Entry | None:
        """The last submission of these bytes that did not fail (pending or submitted)."""
        rows = self._rows("WHERE sha256 = ? AND state != 'failed' ORDER BY id DESC LIMIT 1", (sha256,))
        return rows[0] if rows else None

    def begin(self, sha256: str, file: str, target: str, tracking_id: str) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO submissions"
                " (sha256, file, target, tracking_id, state, created_at, updated_at, owner)"
                " VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
                (sha256, file, target, tracking_id, _now(), _now(), f"{os.getpid()}@{socket.gethostname()}"),
            )
            return int(cur.lastrowid or 0)

    def finish(self, row: int, state: str, *, flow_id: str | None = None, detail: str | None = None) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE submissions SET state = ?, flow_id = COALESCE(?, flow_id), detail = ?, updated_at = ?"
                " WHERE id = ?",
                (state, flow_id, detail, _now(), row),
            )

    def entries(self, limit: int = 50) -> list[Entry]:
        return self._rows("ORDER BY id DESC LIMIT ?", (limit,))
