"""Reading the live account: one paginated list, then a GET per managed experience.

With a refresh cache, a GET is made only for experiences whose `lastUpdateTs` in the list
differs from the one cached with their last full read.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from igops.api import IntelligemsClient
from igops.atomic import write_atomically

CACHE_FORMAT = "igops-refresh-cache/1"
log = logging.getLogger("igops")


class CacheError(Exception):
    """The refresh cache file exists but is not one; the message says what to do."""


@dataclass
class RefreshCache:
    """The last full GET of each experience, with the lastUpdateTs it was read at."""

    path: Path
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> RefreshCache:
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
                raise ValueError("unknown format")
            documents = {str(key): dict(value) for key, value in data["experiences"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise CacheError(f"{path} is not an igops refresh cache: remove it or choose another "
                             "--refresh-cache file.") from None
        return cls(path, documents)

    def fresh(self, experience_id: str, last_update_ts: Any) -> dict[str, Any] | None:
        cached = self.documents.get(experience_id)
        return cached if cached is not None and cached.get("lastUpdateTs") == last_update_ts else None

    def save(self) -> None:
        text = json.dumps({"format": CACHE_FORMAT, "experiences": self.documents}, separators=(",", ":"))
        try:
            # A cache directory is igops's own (CI restores it only once it exists).
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, text)
        except OSError as exc:
            raise CacheError(f"Cannot write the refresh cache {self.path}: {exc.strerror or exc}.") from None


async def fetch_details(
    client: IntelligemsClient,
    live_items: Iterable[Mapping[str, Any]],
    wanted_ids: set[str],
    cache: RefreshCache | None = None,
) -> dict[str, dict[str, Any]]:
    """Full documents of the wanted experiences, concurrently (the client paces them)."""
    documents: dict[str, dict[str, Any]] = {}
    to_fetch = []
    live_items = list(live_items)
    for item in live_items:
        if item["id"] not in wanted_ids:
            continue
        cached = cache.fresh(item["id"], item.get("lastUpdateTs")) if cache is not None else None
        if cached is not None:
            documents[item["id"]] = cached
        else:
            to_fetch.append(item["id"])
    log.info("reading %d experiences in full (%d unchanged since the refresh cache)", len(to_fetch),
             len(documents))
    fetched = await asyncio.gather(*(client.get_experience(experience_id) for experience_id in to_fetch))
    documents.update(zip(to_fetch, fetched, strict=True))
    if cache is not None:
        live_ids = {item["id"] for item in live_items}
        kept = {key: value for key, value in cache.documents.items() if key in live_ids}
        # Nothing read and nothing gone: the file already says what it would be rewritten with.
        unchanged = not to_fetch and kept.keys() == cache.documents.keys() and cache.path.exists()
        cache.documents = kept | documents
        if not unchanged:
            cache.save()
    return documents
