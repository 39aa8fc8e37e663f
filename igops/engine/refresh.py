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

from igops.api import IntelligemsClient, answers
from igops.atomic import write_atomically
from igops.errors import IgopsError
from igops.files.bounded import BoundedReadError, read_bounded
from igops.text import ended

CACHE_FORMAT = "igops-refresh-cache/1"
# The cache holds one full read per managed experience; the richest the format allows is about 9 KB, so
# 64 MB (the bound of a saved plan too) holds thousands of them many times over.
CACHE_LIMIT = 64 * 1024 * 1024
log = logging.getLogger("igops")


class CacheError(IgopsError):
    """The refresh cache file exists but is not one; the message says what to do."""


@dataclass
class RefreshCache:
    """The last full GET of each experience, with the lastUpdateTs it was read at."""

    path: Path
    # By id, as the file holds them: fresh() checks each before it is used.
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> RefreshCache:
        """The cache at `path` (empty when there is none); CacheError when the file is not one: not a regular
        file, larger than CACHE_LIMIT, not JSON, or nested deeper than an answer of the API may be."""
        if not path.exists():
            return cls(path)
        try:
            # One level deeper than an answer: each read sits under its id, where an answer has it under
            # `experience`.
            data = answers.parse(
                read_bounded(path, CACHE_LIMIT, "an igops refresh cache"), depth=answers.MAX_DEPTH + 1
            )
            if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
                raise answers.Unusable(f"it does not say it is {CACHE_FORMAT}")
            experiences = data.get("experiences")
            if not isinstance(experiences, dict):
                raise answers.Unusable("it holds no experiences")
        except BoundedReadError as exc:
            raise CacheError(str(exc)) from None
        except answers.Unusable as exc:
            raise CacheError(
                f"{path} is not an igops refresh cache ({exc}): remove it or choose another "
                "--refresh-cache file."
            ) from None
        return cls(path, {str(key): value for key, value in experiences.items()})

    def fresh(self, experience_id: str, last_update_ts: Any) -> dict[str, Any] | None:
        """The cached read of the experience when it is still current, and one the API could have
        answered: a read the client would refuse is never used from the cache either, but read again."""
        cached = self.documents.get(experience_id)
        if cached is None:
            return None
        try:
            answers.check(answers.EXPERIENCE, cached)
        except answers.Unusable as exc:
            log.info("reading %s again: its read in the refresh cache is unusable (%s)", experience_id, exc)
            return None
        return cached if cached["lastUpdateTs"] == last_update_ts else None

    def save(self) -> None:
        text = json.dumps({"format": CACHE_FORMAT, "experiences": self.documents}, separators=(",", ":"))
        try:
            # A cache directory is igops's own (CI restores it only once it exists).
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, text)
        except OSError as exc:
            raise CacheError(
                ended(f"Cannot write the refresh cache {self.path}: {exc.strerror or exc}")
            ) from None


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
    log.info(
        "reading %d experiences in full (%d unchanged since the refresh cache)", len(to_fetch), len(documents)
    )
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
