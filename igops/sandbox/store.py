"""Where the sandbox keeps its experiences: in memory, or in a JSON file shared safely.

With a file, every change is a read-modify-write under an exclusive `flock` on a sibling
lock file (the data file itself is replaced on each write, so it cannot carry the lock),
and lands with an atomic rename. Readers never see a half-written file, and re-read it
only when it changed, so several processes (servers, in-process sandboxes) share one state.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1


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


@dataclass
class State:
    organization_id: str
    records: dict[str, Record] = field(default_factory=dict)  # in creation order

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "organizationId": self.organization_id,
            "experiences": [
                {"experience": r.experience, "history": r.history, "changeLog": r.change_log}
                for r in self.records.values()
            ],
        }

    @classmethod
    def from_json(cls, data: Any) -> State:
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise ValueError("unknown format version")
        records = {
            item["experience"]["id"]: Record(item["experience"], item["history"], item["changeLog"])
            for item in data["experiences"]
        }
        return cls(data["organizationId"], records)


def new_state() -> State:
    return State(organization_id=str(uuid.uuid4()))


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._state = new_state()
        self._signature: tuple[int, int, int] | None = None
        if path is not None:
            self._lock_path = path.with_name(path.name + ".lock")
            with self.transaction():
                pass  # creates the file on first use, so every process agrees on the org id

    def snapshot(self) -> State:
        """The current state, safe to iterate while writers carry on; callers must not mutate it.

        Writers replace records rather than change them, so copying the mapping suffices.
        """
        with self._lock:
            if self.path is not None and self._file_signature() != self._signature:
                self._load()
            return State(self._state.organization_id, dict(self._state.records))

    @contextmanager
    def transaction(self) -> Iterator[State]:
        """Mutable current state; saved when the block exits without an exception.

        Callers validate before they mutate, so an exception leaves nothing half-applied.
        """
        with self._lock:
            if self.path is None:
                yield self._state
                return
            with self._file_lock():
                # Always reload under the lock: the file signature could miss a change
                # made within the timestamp granularity of the file system.
                self._load()
                try:
                    yield self._state
                except BaseException:
                    self._signature = None  # discard whatever the block left behind
                    raise
                self._save()

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        assert self.path is not None
        try:
            handle = open(self._lock_path, "a+b")  # noqa: SIM115 - closed below, after the lock
        except OSError as exc:
            raise StateFileError(self.path, f"cannot be used ({exc.strerror or exc})") from None
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _file_signature(self) -> tuple[int, int, int] | None:
        assert self.path is not None
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _load(self) -> None:
        assert self.path is not None
        signature = self._file_signature()
        if signature is None:
            self._state = new_state()
        else:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self._state = State.from_json(data)
            except OSError as exc:
                raise StateFileError(self.path, f"cannot be read ({exc.strerror or exc})") from exc
            except KeyError as exc:
                raise StateFileError(self.path, f"is not a sandbox state file (missing field {exc})") from exc
            except (ValueError, TypeError) as exc:
                raise StateFileError(self.path, f"is not a sandbox state file ({exc})") from exc
        self._signature = signature

    def _save(self) -> None:
        assert self.path is not None
        text = json.dumps(self._state.to_json(), separators=(",", ":"))
        # No fsync: the file must never be torn, but need not survive a power cut.
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        except OSError as exc:
            raise StateFileError(self.path, f"cannot be written ({exc.strerror or exc})") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temp, self.path)
        except BaseException as exc:
            Path(temp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise StateFileError(self.path, f"cannot be written ({exc.strerror or exc})") from None
            raise
        self._signature = self._file_signature()
