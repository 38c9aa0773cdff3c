"""The local submission journal: a file reaches a destination exactly once, or the user is told it may not.

SQLite in the user data dir (0600), one row per submission attempt, keyed by the SHA-256 of the bytes sent
AND the destination (a PA's flow URL, or Chorus Pro). A row is *claimed* before the upload, in one
`BEGIN IMMEDIATE` transaction that reads and inserts together; a partial unique index allows one open row
(`pending` or `uncertain`) per file and destination, so two processes can never both hold the claim. States:

- `pending`: claimed by `owner` (pid@host); `sent_at` is set just before the bytes leave, so a row whose owner
  died before that point was never sent and may be taken over and sent;
- `submitted`: the destination holds it (`flow_id`);
- `failed`: definitely refused, or decided absent by the user: the next submit may send it again;
- `uncertain`: it may or may not have arrived and a verified look-up could not tell; nothing is sent until the
  user decides (`pdp journal --resolve`) or a later look-up finds it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from fpcli.errors import StorageError, UsageError
from fpcli.redact import redact

STATES = ("pending", "submitted", "failed", "uncertain")
OPEN_STATES = ("pending", "uncertain")
SCHEMA_VERSION = 3
TABLE = """
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL,
    file TEXT NOT NULL,
    target TEXT NOT NULL,
    tracking_id TEXT NOT NULL,
    flow_id TEXT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'submitted', 'failed', 'uncertain')),
    detail TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    owner TEXT,
    sent_at TEXT
)"""
INDEXES = (
    "CREATE INDEX IF NOT EXISTS submissions_sha256 ON submissions (sha256)",
    # One open row per file and destination: the database itself refuses a second concurrent claim.
    "CREATE UNIQUE INDEX IF NOT EXISTS submissions_open ON submissions (sha256, target)"
    " WHERE state IN ('pending', 'uncertain')",
)
COLUMNS = (
    "id, sha256, file, target, tracking_id, flow_id, state, detail, created_at, updated_at, owner, sent_at"
)


def destination(kind: str, url: str) -> str:
    """The journal's key for a destination: its kind and its URL without userinfo, query or a trailing
    slash, scheme and host in lower case and the default port dropped. Not the profile's name: one PA (or
    Chorus Pro) reached through two profiles, or through environment variables, is one destination."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return f"{kind}:{url.strip()}"
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host + (f":{port}" if port and port != default else "")
    return f"{kind}:{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}"


_LEGACY_PA = re.compile(r"^.* \((\w+://.*)\)$")  # journal v2: "profile/pa (https://…)"


class AlreadySubmittedError(UsageError):
    """The same bytes were submitted before to this destination; `--force` submits them again."""


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
    owner: str | None = None  # pid@host of the process that claimed the row
    sent_at: str | None = None  # when the first upload attempt began (None: never sent)

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


@dataclass(frozen=True)
class Claim:
    """The row this process now owns. `fresh`: nothing was ever sent under it, so it may be sent; otherwise an
    earlier attempt may have arrived and the destination must be asked first."""

    entry: Entry
    fresh: bool


def journal_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("fpcli") / "submissions.sqlite"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _me() -> str:
    return f"{os.getpid()}@{socket.gethostname()}"


_opening = threading.Lock()


def _create_private(path: Path) -> None:
    """The journal names invoices and flow ids: only its owner may read it (0600, directory 0700)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Closing any descriptor of the file drops this process's SQLite locks on it (POSIX locks are per
    # process): create it only when absent, under `_opening`, before any connection of ours exists.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    if path.stat().st_mode & 0o077:  # journals written by earlier versions were 0644
        path.chmod(0o600)


# The destination, or a Chorus Pro row of journal v2 ("chorus:<profile name>", no URL): which Chorus Pro it
# went to is not recorded, so a claim for any Chorus Pro counts it, the cautious reading.
_SAME_DESTINATION = (
    "(target = ? OR (? LIKE 'chorus:%' AND target LIKE 'chorus:%' AND target NOT LIKE '%://%'))"
)


class Journal:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or journal_path()
        try:
            with _opening:
                _create_private(self.path)
                # SQLite's rollback journal takes the mode of the database file: 0600 too.
                self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self._migrate()
        except OSError as exc:
            raise StorageError.from_os(self.path, exc) from None
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: submission journal unusable: {exc}") from None

    def _migrate(self) -> None:
        # Single statements only: executescript() would commit the transaction half-way.
        with self._tx() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                return
            exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'submissions'").fetchone()
            old = exists and version < 2
            if old:  # version 1: no `uncertain` state (a CHECK cannot be altered), no sent_at, maybe no owner
                db.execute("ALTER TABLE submissions RENAME TO submissions_v1")
                db.execute("DROP INDEX IF EXISTS submissions_sha256")
            if old or not exists:
                db.execute(TABLE)
            if old:
                kept = {row[1] for row in db.execute("PRAGMA table_info(submissions_v1)")}
                listed = ", ".join(c for c in COLUMNS.split(", ") if c in kept)
                db.execute(f"INSERT INTO submissions ({listed}) SELECT {listed} FROM submissions_v1")  # noqa: S608
                db.execute("DROP TABLE submissions_v1")
                # A v1 pending row may or may not have been sent, and v1 allowed several per file: the
                # newest must be looked up before anything is sent again, the older ones were superseded.
                db.execute(
                    "UPDATE submissions SET state = 'failed', detail = 'superseded by a later attempt'"
                    " WHERE state = 'pending' AND id NOT IN"
                    " (SELECT MAX(id) FROM submissions WHERE state = 'pending' GROUP BY sha256, target)"
                )
                db.execute(
                    "UPDATE submissions SET state = 'uncertain', sent_at = created_at,"
                    " detail = 'pending in a journal of an earlier fpcli' WHERE state = 'pending'"
                )
            if exists:
                self._rekey(db)
            for index in INDEXES:
                db.execute(index)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @staticmethod
    def _rekey(db: sqlite3.Connection) -> None:
        """v2 -> v3: PA rows keyed by `profile/pa (URL)` get the URL's destination key. Of two open rows
        that now share a key (one PA under two profile names), the newest stays open; the older ones keep
        their state under a key of their own, listed for `pdp journal --resolve`."""
        db.execute("DROP INDEX IF EXISTS submissions_open")
        rows = db.execute("SELECT id, sha256, target, state FROM submissions ORDER BY id DESC").fetchall()
        open_keys: set[tuple[str, str]] = set()
        for row_id, sha256, target, state in rows:
            legacy = _LEGACY_PA.match(target)
            key = destination("pa", legacy.group(1)) if legacy else target
            if state in ("pending", "uncertain"):
                if (sha256, key) in open_keys:
                    key = f"{key}#row{row_id}"
                open_keys.add((sha256, key))
            if key != target:
                db.execute("UPDATE submissions SET target = ? WHERE id = ?", (key, row_id))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock before the first read: read-then-insert is one atomic step.
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StorageError(f"{self.path}: submission journal unusable: {exc}") from None
        try:
            yield self.db
        except BaseException:
            self._rollback()
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:  # disk full, read-only file
            self._rollback()
            raise StorageError(f"{self.path}: cannot write the submission journal: {exc}") from None

    def _rollback(self) -> None:
        if self.db.in_transaction:  # SQLite ends it by itself after some errors (I/O, full disk)
            self.db.execute("ROLLBACK")

    def _rows(self, where: str, args: tuple[object, ...]) -> list[Entry]:
        cur = self.db.execute(f"SELECT {COLUMNS} FROM submissions {where}", args)  # noqa: S608 (fixed clauses)
        return [Entry(*row) for row in cur.fetchall()]

    def latest(self, sha256: str, target: str | None = None) -> Entry | None:
        """The last submission of these bytes (to `target` when given) that did not fail."""
        where = "WHERE sha256 = ? AND state != 'failed'" + (" AND target = ?" if target else "")
        args: tuple[object, ...] = (sha256, target) if target else (sha256,)
        rows = self._rows(where + " ORDER BY id DESC LIMIT 1", args)
        return rows[0] if rows else None

    def get(self, row: int) -> Entry | None:
        rows = self._rows("WHERE id = ?", (row,))
        return rows[0] if rows else None

    def claim(
        self,
        sha256: str,
        file: str,
        target: str,
        tracking_id: str,
        *,
        force: bool = False,
        verb: str = "submitted",
    ) -> Claim:
        """Own the submission of these bytes to `target`, or raise AlreadySubmittedError. Atomic across
        processes: the read and the write happen under one write lock."""
        with self._tx() as db:
            same = _SAME_DESTINATION
            open_rows = self._rows(
                f"WHERE sha256 = ? AND {same} AND state IN ('pending', 'uncertain')", (sha256, target, target)
            )
            if open_rows:
                entry = open_rows[0]
                if entry.state == "pending" and entry.owner_alive():
                    raise AlreadySubmittedError(
                        f"{file}: process {entry.owner} is submitting these bytes to {target} right now",
                        hint="wait for it to finish; `fpcli pdp journal` shows the outcome",
                    )
                # The owner died (kill -9, power cut) or an earlier run could not tell: take the row over.
                db.execute(
                    "UPDATE submissions SET state = 'pending', owner = ?, updated_at = ? WHERE id = ?",
                    (_me(), _now(), entry.id),
                )
                taken = self.get(entry.id)
                assert taken is not None
                return Claim(taken, fresh=entry.state == "pending" and entry.sent_at is None)
            done = self._rows(
                f"WHERE sha256 = ? AND {same} AND state = 'submitted' ORDER BY id DESC LIMIT 1",
                (sha256, target, target),
            )
            if done and not force:
                previous = done[0]
                raise AlreadySubmittedError(
                    f"{file}: these bytes were already {verb} to {previous.target} on "
                    f"{previous.created_at} (flow {previous.flow_id or '?'}, sha256 {sha256[:12]}…)",
                    hint="check with `fpcli pdp flows get FLOW_ID` (Chorus Pro: `fpcli chorus status FLUX`); "
                    "`--force` sends them again",
                )
            cur = db.execute(
                "INSERT INTO submissions"
                " (sha256, file, target, tracking_id, state, created_at, updated_at, owner)"
                " VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
                (sha256, file, target, tracking_id, _now(), _now(), _me()),
            )
            claimed = self.get(int(cur.lastrowid or 0))
            assert claimed is not None
            return Claim(claimed, fresh=True)

    def mark_sent(self, row: int) -> None:
        """Recorded before the bytes leave: from now on a crash means "may have arrived"."""
        with self._tx() as db:
            db.execute(
                "UPDATE submissions SET sent_at = COALESCE(sent_at, ?), updated_at = ? WHERE id = ?",
                (_now(), _now(), row),
            )

    def finish(self, row: int, state: str, *, flow_id: str | None = None, detail: str | None = None) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE submissions SET state = ?, flow_id = COALESCE(?, flow_id), detail = ?, updated_at = ?"
                " WHERE id = ?",
                (state, flow_id, redact(detail) if detail else None, _now(), row),
            )

    def resolve(self, row: int, flow_id: str | None) -> Entry:
        """The user's decision on an uncertain row: it arrived as `flow_id`, or (None) it is absent and the
        next submit may send it again."""
        with self._tx() as db:
            entry = self.get(row)
            if entry is None:
                raise UsageError(f"the journal has no entry {row}", hint="`fpcli pdp journal` lists them")
            if entry.state not in OPEN_STATES or (entry.state == "pending" and entry.owner_alive()):
                raise UsageError(
                    f"journal entry {row} is {entry.state}"
                    + (f" and owned by running process {entry.owner}" if entry.state == "pending" else "")
                    + ": only uncertain entries need a decision"
                )
            if flow_id:
                db.execute(
                    "UPDATE submissions SET state = 'submitted', flow_id = ?, detail = ?, updated_at = ?"
                    " WHERE id = ?",
                    (flow_id, "resolved by the user: on the destination", _now(), row),
                )
            else:
                db.execute(
                    "UPDATE submissions SET state = 'failed', detail = ?, updated_at = ? WHERE id = ?",
                    ("resolved by the user: absent from the destination", _now(), row),
                )
        resolved = self.get(row)
        assert resolved is not None
        return resolved

    def entries(self, limit: int = 50, *, state: str | None = None) -> list[Entry]:
        if state:
            return self._rows("WHERE state = ? ORDER BY id DESC LIMIT ?", (state, limit))
        return self._rows("ORDER BY id DESC LIMIT ?", (limit,))
