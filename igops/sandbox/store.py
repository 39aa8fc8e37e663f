"""Where the sandbox keeps its experiences: an SQLite database, in a file or in memory.

One row per experience holds its read shape, history and change log as JSON, beside the
columns requests look it up by: its id (unique), its name (the API lets names repeat; an index
serves the check of a sandbox that models an account where they may not), and the list filters
(status, category, module) in an index kept in creation order, so a list page skips the
experiences before it without reading them. A second table maps every entity id to its experience, so a
write's check that a new id belongs to nothing else is a lookup too. What a request costs does
not grow with the account, but for a list's count of its matches over that small index.

Every request is one transaction. A write begins IMMEDIATE, taking the database's write lock
before it reads, then validates and changes rows, so processes sharing a file (servers,
in-process sandboxes) never slip a change between another's check and its change; WAL lets
reads carry on meanwhile. A state file in the JSON format that came before is converted once;
one of an older SQLite format is brought up to date when it is opened (see _MIGRATIONS).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .entities import every_id
from .taxonomy import category_of, module_of

APPLICATION_ID = 0x69676F70  # "igop", in the database header: this database is a sandbox state
FORMAT_VERSION = 3  # in the header's user_version; version 1 was one JSON document
_SQLITE_HEADER = b"SQLite format 3\x00"
_BUSY_TIMEOUT_S = 60.0  # how long a write waits for other processes' writes to finish
_MEMORY = Path(":memory:")  # how errors name an in-memory state

_EXPERIENCES = """CREATE TABLE {table} (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    category TEXT NOT NULL,
    module TEXT NOT NULL,
    experience TEXT NOT NULL,
    history TEXT NOT NULL,
    change_log TEXT NOT NULL
)"""
_EXPERIENCE_INDEXES = (
    # Covers list requests: their filters and their order (seq, the creation order).
    "CREATE INDEX experiences_listed ON experiences (seq, status, category, module)",
    "CREATE INDEX experiences_named ON experiences (name)",
)
_SCHEMA = (
    "CREATE TABLE account (organization_id TEXT NOT NULL)",
    _EXPERIENCES.format(table="experiences"),
    *_EXPERIENCE_INDEXES,
    """CREATE TABLE entity_ids (
        id TEXT NOT NULL,
        experience_id TEXT NOT NULL,
        PRIMARY KEY (id, experience_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX entity_ids_of_experience ON entity_ids (experience_id)",
)
_RECORD = "SELECT experience, history, change_log FROM experiences"


def _names_may_repeat(db: sqlite3.Connection) -> None:
    """Format 2 to 3: names were UNIQUE, a rule the API does not have. SQLite drops a constraint
    only with its table: the rows move to a new one, seq (the creation order) and all."""
    db.execute(_EXPERIENCES.format(table="experiences_3"))
    db.execute("INSERT INTO experiences_3 SELECT * FROM experiences")
    db.execute("DROP TABLE experiences")
    db.execute("ALTER TABLE experiences_3 RENAME TO experiences")
    for statement in _EXPERIENCE_INDEXES:
        db.execute(statement)


# What brings a state of each older SQLite format to the next one, by the format it starts from.
_MIGRATIONS = {2: _names_may_repeat}


class StateFileError(Exception):
    """The state file cannot be used: `reason` completes "<path> ...", e.g. "cannot be written (...)"."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class Record:
    experience: dict[str, Any]  # the read shape GET answers with (without changeLog)
    history: list[dict[str, Any]] = field(default_factory=list)
    change_log: list[dict[str, Any]] = field(default_factory=list)  # newest first


@dataclass(frozen=True)
class ListFilter:
    """What a list request asks for; None matches every value. Fields are named as columns."""

    status: str | None = None
    category: str | None = None
    module: str | None = None

    def where(self) -> tuple[str, list[str]]:
        chosen = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        clause = " AND ".join(f"{column} = ?" for column in chosen)
        return (f"WHERE {clause}" if clause else ""), list(chosen.values())


class Reader:
    """The queries requests make, within one transaction."""

    def __init__(self, db: sqlite3.Connection, organization_id: str) -> None:
        self._db = db
        self.organization_id = organization_id

    def get(self, experience_id: str) -> Record | None:
        row = self._db.execute(f"{_RECORD} WHERE id = ?", (experience_id,)).fetchone()
        return None if row is None else _record(row)

    def records(self) -> list[Record]:
        """Every experience, oldest first."""
        return [_record(row) for row in self._db.execute(f"{_RECORD} ORDER BY seq")]

    def page(self, matching: ListFilter, start: int, limit: int) -> tuple[list[Record], int]:
        """The matching experiences from the `start`th (0-based, oldest first), at most `limit`
        of them, and how many match in all."""
        where, values = matching.where()
        total: int = self._db.execute(f"SELECT count(*) FROM experiences {where}", values).fetchone()[0]
        if start >= total:
            return [], total  # also keeps page numbers beyond SQLite's 64-bit integers out of the query
        # The subquery skips `start` matches along the covering index, never reading their rows.
        rows = self._db.execute(
            f"{_RECORD} WHERE seq IN (SELECT seq FROM experiences {where} ORDER BY seq LIMIT ? OFFSET ?)"
            " ORDER BY seq",
            (*values, min(limit, total), start),
        )
        return [_record(row) for row in rows], total

    def name_taken(self, name: str, *, other_than: str | None) -> bool:
        """Whether an experience other than the one with id `other_than` has this name."""
        query = "SELECT 1 FROM experiences WHERE name = ? AND id IS NOT ?"
        return self._db.execute(query, (name, other_than)).fetchone() is not None

    def id_taken(self, entity_id: str, *, other_than: str | None) -> bool:
        """Whether an experience other than the one with id `other_than` has, or is, this id."""
        query = "SELECT 1 FROM entity_ids WHERE id = ? AND experience_id IS NOT ?"
        return self._db.execute(query, (entity_id, other_than)).fetchone() is not None


class Writer(Reader):
    def save(self, record: Record) -> None:
        """Add an experience, or replace the one with its id (which keeps its place in the order)."""
        experience = record.experience
        experience_id = experience["id"]
        self._db.execute(
            "INSERT INTO experiences (id, name, status, category, module, experience, history, change_log)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
            " status = excluded.status, category = excluded.category, module = excluded.module,"
            " experience = excluded.experience, history = excluded.history, change_log = excluded.change_log",
            (
                experience_id,
                experience["name"],
                experience["status"],
                category_of(experience["type"]),
                module_of(experience["type"]),
                _json(experience),
                _json(record.history),
                _json(record.change_log),
            ),
        )
        self._db.execute("DELETE FROM entity_ids WHERE experience_id = ?", (experience_id,))
        self._db.executemany(
            "INSERT INTO entity_ids (id, experience_id) VALUES (?, ?)",
            [(entity_id, experience_id) for entity_id in every_id(experience)],
        )


class Store:
    """The state of one sandbox; several stores (in any processes) may share one file.

    One connection serves every thread of its sandbox, one transaction at a time.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._label = path or _MEMORY
        self._lock = threading.Lock()
        if path is not None:
            _adopt(path)
        self._db, self.organization_id = _open(path)

    @contextmanager
    def snapshot(self) -> Iterator[Reader]:
        """A consistent view of the state, while other processes' writes carry on."""
        with self._lock, _failures(self._label, "cannot be read"), _transaction(self._db, "DEFERRED"):
            yield Reader(self._db, self.organization_id)

    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        """The state to check and change: committed when the block exits without an exception.

        Callers validate before they change anything, though an exception undoes the changes too.
        """
        with self._lock, _failures(self._label, "cannot be written"), _transaction(self._db, "IMMEDIATE"):
            yield Writer(self._db, self.organization_id)

    def close(self) -> None:
        """Release the file; the last process to close it folds the WAL back into it."""
        with self._lock:
            self._db.close()


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _record(row: tuple[str, str, str]) -> Record:
    experience, history, change_log = row
    return Record(json.loads(experience), json.loads(history), json.loads(change_log))


@contextmanager
def _transaction(db: sqlite3.Connection, mode: str) -> Iterator[None]:
    db.execute(f"BEGIN {mode}")
    try:
        yield
    except BaseException:
        db.rollback()  # a no-op when SQLite already rolled back on its own error
        raise
    db.commit()


@contextmanager
def _failures(path: Path, doing: str) -> Iterator[None]:
    """What SQLite says about the file (locked, read-only, full, damaged), as StateFileError."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise StateFileError(path, f"{doing} ({exc})") from exc


def _connect(target: Path | str) -> sqlite3.Connection:
    # Transactions are begun explicitly; the store's lock keeps its threads to one at a time.
    return sqlite3.connect(target, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)


def _open(path: Path | None) -> tuple[sqlite3.Connection, str]:
    """A connection to the state, with a new organization if the database is empty, and its
    organization id."""
    label = path or _MEMORY
    db = _connect(path or ":memory:")
    try:
        with _refusals(label, "cannot be used"):
            with _transaction(db, "IMMEDIATE"):
                organization_id = _organization(db, str(uuid.uuid4()))
            # Only now: another application's database is left as it was found.
            _write_ahead_log(db)
            # Commits need no fsync in WAL mode: a power cut may lose the last ones, never tear the file.
            db.execute("PRAGMA synchronous = NORMAL")
    except StateFileError:
        db.close()
        raise
    return db, organization_id


def _write_ahead_log(db: sqlite3.Connection) -> None:
    """Put the file in WAL mode. Switching needs the file to itself for a moment, and SQLite answers
    "locked" at once, without waiting, while another process opening it holds it: wait here, as
    long as a write would wait."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _organization(db: sqlite3.Connection, new_id: str) -> str:
    """The organization id the database holds; an empty one becomes a state of organization `new_id`."""
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    if application_id == 0 and db.execute("SELECT 1 FROM sqlite_schema").fetchone() is None:
        for statement in _SCHEMA:
            db.execute(statement)
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
        db.execute("INSERT INTO account (organization_id) VALUES (?)", (new_id,))
        return new_id
    if application_id != APPLICATION_ID:
        raise ValueError("an SQLite database of another application")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version != FORMAT_VERSION and version not in _MIGRATIONS:
        raise ValueError("unknown format version")
    # Within the caller's transaction: processes opening the file at once migrate it once.
    while version in _MIGRATIONS:
        _MIGRATIONS[version](db)
        version += 1
        db.execute(f"PRAGMA user_version = {version}")
    organization_id: str = db.execute("SELECT organization_id FROM account").fetchone()[0]
    return organization_id


@contextmanager
def _refusals(path: Path, doing: str) -> Iterator[None]:
    """Why a file cannot be opened as a state: `doing` for SQLite's trouble with the file itself,
    otherwise because it is not a state."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise StateFileError(path, f"{doing} ({exc})") from exc
    except KeyError as exc:
        raise StateFileError(path, f"is not a sandbox state file (missing field {exc})") from exc
    except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
        raise StateFileError(path, f"is not a sandbox state file ({exc})") from exc


def _adopt(path: Path) -> None:
    """Make `path` an SQLite database (an empty file is one) if it is not: it may hold a JSON
    state (format 1), converted once however many processes open it at the same time."""
    while True:
        try:
            handle = open(path, "a+b")  # noqa: SIM115 - closed below; creates the file, never truncates it
        except OSError as exc:
            raise StateFileError(path, f"cannot be used ({exc.strerror or exc})") from None
        with handle:
            handle.seek(0)
            if handle.read(len(_SQLITE_HEADER)) in (b"", _SQLITE_HEADER):
                return
            # Converters take turns; one that waited finds the file replaced, and looks again.
            fcntl.flock(handle, fcntl.LOCK_EX)
            if os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino:
                handle.seek(0)
                _replace(path, _converted(path, handle.read()))
                return


def _converted(path: Path, text: bytes) -> bytes:
    """The SQLite database (as its file's bytes) holding the same state as a JSON state file."""
    db = _connect(":memory:")
    try:
        with _refusals(path, "cannot be converted"):
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("version") != 1:
                raise ValueError("unknown format version")
            with _transaction(db, "IMMEDIATE"):
                writer = Writer(db, _organization(db, data["organizationId"]))
                for item in data["experiences"]:
                    writer.save(Record(item["experience"], item["history"], item["changeLog"]))
        return db.serialize()
    finally:
        db.close()


def _replace(path: Path, content: bytes) -> None:
    """Write `content` to `path` at once: readers find the old file or the new one, never a torn one."""
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(temp, path)
        finally:
            Path(temp).unlink(missing_ok=True)  # left only when the write failed
    except OSError as exc:
        raise StateFileError(path, f"cannot be written ({exc.strerror or exc})") from None
