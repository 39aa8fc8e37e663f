"""What the sandbox remembers of its traffic, for tests to inspect."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    status: int  # the status answered, or that would have been when `dropped`
    dropped: bool = False  # the connection was dropped before the answer was complete


@dataclass(frozen=True)
class RecordedWrite:
    """A committed create, replacement or lifecycle action (also when its answer was dropped)."""

    method: str
    path: str
    experience_id: str
    body: dict[str, Any]
