"""What `igops stores` prints: aligned lines for a terminal, or a GitHub Actions matrix as JSON.

The JSON is the matrix itself, so that a workflow passes `fromJSON(...)` as `strategy.matrix` as it is:
`{"include": [{"store": "us", "token_env": "INTELLIGEMS_API_TOKEN_US"}, ...]}`, one entry per store (store
"" when igops.yaml has no stores). It holds nothing but `include`: any other member would be read as one
more dimension of the matrix. GitHub refuses a matrix whose include is empty, so a workflow skips the job
when there is no entry.
"""

from __future__ import annotations

import os
from pathlib import Path

from igops.documents import json_text
from igops.engine import StoreEntry, StoreListing
from igops.render.untrusted import terminal

# Changed paths shown beside a store; the rest are counted.
_SHOWN_CHANGES = 3
_GAP = "  "
# How a repository without stores (its one store, named "" in JSON) shows in the text.
ONE_STORE = "(one store)"


def render_stores_json(listing: StoreListing, *, color: bool = False, width: int | None = None) -> str:
    include = [{"store": entry.name, "token_env": entry.token_env} for entry in listing.stores]
    return json_text({"include": include})


def render_stores_text(listing: StoreListing, *, color: bool = False, width: int | None = None) -> str:
    """A line per store: its name, its token's variable and its directory (with --changed-since, the
    changed paths that touch it instead), then, with --changed-since, how many were touched."""
    rows = [
        (
            entry.name or ONE_STORE,
            entry.token_env,
            _touching(entry) if listing.since else _shown(entry.experiences_dir),
        )
        for entry in listing.stores
    ]
    widths = [max((len(row[column]) for row in rows), default=0) for column in range(2)]
    lines = [
        _GAP.join([name.ljust(widths[0]), token_env.ljust(widths[1]), where])
        for name, token_env, where in rows
    ]
    if listing.since is not None:
        lines.append(_summary(listing, listing.since))
    return "\n".join(lines)


def _summary(listing: StoreListing, since: str) -> str:
    changes = f"the changes since {terminal(since)}"
    if not listing.has_stores:
        touched = "is" if listing.stores else "is not"
        return f"The repository's one store {touched} touched by {changes}."
    if not listing.stores:
        return f"No store (of {listing.chosen}) is touched by {changes}."
    return f"{len(listing.stores)} of {listing.chosen} stores touched by {changes}."


def _touching(entry: StoreEntry) -> str:
    shown = ", ".join(_shown(path) for path in entry.changes[:_SHOWN_CHANGES])
    more = len(entry.changes) - _SHOWN_CHANGES
    return f"{shown} and {more} more" if more > 0 else shown


def _shown(path: Path) -> str:
    """A path as the user would type it here: relative to the working directory unless it is outside."""
    relative = os.path.relpath(os.path.abspath(path))
    return terminal(path.as_posix() if relative.startswith("..") else Path(relative).as_posix())
