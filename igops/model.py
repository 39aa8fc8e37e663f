"""Plain data passed between layers: what the files ask for (and, later, what the account has)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A field's address inside one document: mapping keys and list indexes from the top.
JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    """1-based line and column in a source file."""

    line: int
    column: int


@dataclass(frozen=True)
class DesiredExperience:
    """One experience file as written: igops's own fields apart, the API fields left as they are.

    `body` holds only what the file states (no defaults filled in, no `order`); `positions`
    maps the JSON path of every value in the file to where it was written.
    """

    key: str
    path: Path
    name: str
    type: str
    status: str
    winner: str | None
    id: str | None
    body: Mapping[str, Any]
    positions: Mapping[JsonPath, Position] = field(default_factory=dict, repr=False, compare=False)

    def position_of(self, path: JsonPath) -> Position:
        return nearest_position(self.positions, path)


def nearest_position(positions: Mapping[JsonPath, Position], path: JsonPath) -> Position:
    """Where `path` was written, or its closest written ancestor (the file start at worst)."""
    for length in range(len(path), -1, -1):
        found = positions.get(path[:length])
        if found is not None:
            return found
    return Position(1, 1)
