"""What igops remembers about an account between runs on this machine, so that no run creates an
experience twice: which apply holds the account (a lock), and which creates were sent (a journal).

The API has no idempotency key and no delete: a duplicate is forever. Two applies that plan the same
new file at once would both create it, so an apply holds the account from its plan to its last change.
A create whose answer is lost (a timeout, a dropped connection, a `kill -9`) may still be committed
seconds later; its name is written to the journal before the POST is sent, so that the next run, however
soon, looks for it first and holds off creating that name again for a while, rather than race a commit
that may still land.

Both live in igops's state directory ($IGOPS_STATE_DIR, else $XDG_STATE_HOME/igops, else
~/.local/state/igops), under a name derived from the account's API URL alone. Not from its organization:
an empty account's list names none, and a key that changed with the first create would let two applies
hold different locks. Never from the token: nothing derived from it is written anywhere.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from igops.atomic import write_atomically
from igops.errors import IgopsError
from igops.text import ended

STATE_DIR_ENV = "IGOPS_STATE_DIR"
JOURNAL_FORMAT = "igops-create-journal/1"
# Journals are a few names; a file far larger is not one igops wrote.
_MAX_JOURNAL_BYTES = 1024 * 1024


class AccountStateError(IgopsError):
    """The account is held by another apply, or igops's state cannot be read or written; one sentence."""


def state_dir() -> Path:
    if os.environ.get(STATE_DIR_ENV):
        return Path(os.environ[STATE_DIR_ENV])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "igops"


def account_dir(api_url: str, store: str | None = None) -> Path:
    """This account's directory of state. A sandbox: URL names a state file, by its absolute path. The
    stores of one repository share the API's URL but are accounts apart: each has its own, by its name."""
    if api_url.startswith("sandbox:"):
        api_url = "sandbox:" + str(Path(api_url.removeprefix("sandbox:") or ".").resolve())
    named = api_url.rstrip("/") + ("" if store is None else f"\nstore {store}")
    digest = hashlib.sha256(named.encode("utf-8")).hexdigest()[:16]
    directory = state_dir() / "accounts" / digest
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise AccountStateError(
            f"Cannot create igops's state directory {directory}: {exc.strerror or exc} "
            f"(set {STATE_DIR_ENV} to a writable directory)."
        ) from None
    return directory


@contextlib.contextmanager
def holding_account(api_url: str, store: str | None = None) -> Iterator[None]:
    """Hold the account (of `store`, when a repository has several) for one apply; AccountStateError at
    once, naming the holder, when another has it."""
    path = account_dir(api_url, store) / "apply.lock"
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise AccountStateError(ended(f"Cannot open the apply lock {path}: {exc.strerror or exc}")) from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(descriptor)
            raise AccountStateError(
                f"Another igops apply ({holder}) is applying to {api_url}"
                + ("" if store is None else f" for the store {store}")
                + ": wait for it "
                "to finish, then plan again (two at once could both create the same "
                "experience)."
            ) from None
        os.ftruncate(descriptor, 0)
        started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        os.write(descriptor, f"process {os.getpid()} on {socket.gethostname()}, since {started}".encode())
        try:
            yield
        finally:
            os.ftruncate(descriptor, 0)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


# The holder writes its name just after it takes the lock: a moment's wait finds it there.
_HOLDER_WAIT_S = 0.5


def _holder(descriptor: int) -> str:
    """Who holds the lock, as it wrote itself down; "another process" when it has not (yet)."""
    deadline = time.monotonic() + _HOLDER_WAIT_S
    while True:
        holder = os.pread(descriptor, 500, 0).decode("utf-8", "replace").strip()
        if holder or time.monotonic() >= deadline:
            return holder or "another process"
        time.sleep(0.01)


@dataclass(frozen=True)
class SentCreate:
    """A create sent whose experience was not seen since: it may be committed, or may never be."""

    name: str
    key: str  # the file's key
    sent_at: float  # Unix seconds


@dataclass
class CreateJournal:
    """The creates sent to one account and not yet seen answered or found, by experience name."""

    path: Path
    sent: dict[str, SentCreate] = field(default_factory=dict)

    @classmethod
    def of_account(cls, api_url: str, store: str | None = None) -> CreateJournal:
        path = account_dir(api_url, store) / "creates.json"
        journal = cls(path)
        try:
            with open(path, "rb") as stream:
                data = json.loads(stream.read(_MAX_JOURNAL_BYTES + 1) or b"{}")
        except FileNotFoundError:
            return journal
        except (OSError, ValueError, RecursionError):
            data = None
        if not isinstance(data, dict) or data.get("format") != JOURNAL_FORMAT:
            raise AccountStateError(
                f"{path} is not igops's create journal: remove it, once you have checked "
                "that no experience igops created was left out of your files."
            )
        for entry in data.get("sent") or []:
            if (
                isinstance(entry, dict)
                and isinstance(entry.get("name"), str)
                and isinstance(entry.get("sent_at"), int | float)
            ):
                journal.sent[entry["name"]] = SentCreate(
                    entry["name"], str(entry.get("key", "")), float(entry["sent_at"])
                )
        return journal

    def record(self, name: str, key: str) -> None:
        """Before the POST: once this returns, a crash still leaves the create's trace."""
        self.sent[name] = SentCreate(name, key, time.time())
        self._save()

    def forget(self, name: str) -> None:
        """The create was answered, found live, or certainly not made."""
        if self.sent.pop(name, None) is not None:
            self._save()

    def _save(self) -> None:
        entries = [{"name": one.name, "key": one.key, "sent_at": one.sent_at} for one in self.sent.values()]
        try:
            write_atomically(self.path, json.dumps({"format": JOURNAL_FORMAT, "sent": entries}, indent=1))
        except OSError as exc:
            raise AccountStateError(
                f"Cannot write the create journal {self.path}: {exc.strerror or exc}; "
                "nothing more is created without it."
            ) from None
