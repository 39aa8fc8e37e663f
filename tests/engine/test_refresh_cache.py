"""The refresh cache file is written when what it holds changes, and only then."""

from __future__ import annotations

from pathlib import Path

from support.emulator import new_sandbox
from support.engine import create_as_igops, desired, plan, with_client
from support.files import experience

from igops.engine.refresh import RefreshCache


def test_the_refresh_cache_is_rewritten_only_when_what_it_holds_changes(tmp_path: Path) -> None:
    sandbox = new_sandbox()
    files = [desired(experience(name=f"Test {n}", status="draft"), f"t{n}") for n in range(2)]

    async def create_all(client):  # type: ignore[no-untyped-def]
        return [await create_as_igops(client, file) for file in files]

    with_client(sandbox, create_all)
    cache_path = tmp_path / "cache" / "refresh.json"
    plan(sandbox, [], cache=RefreshCache.load(cache_path))
    assert RefreshCache.load(cache_path).documents == {}, "a first run writes the cache, even an empty one"
    plan(sandbox, files, cache=RefreshCache.load(cache_path))
    written = cache_path.stat()
    plan(sandbox, files, cache=RefreshCache.load(cache_path))
    assert (cache_path.stat().st_ino, cache_path.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)

    stale = RefreshCache.load(cache_path)
    stale.documents["gone-from-the-account"] = {"id": "gone-from-the-account", "lastUpdateTs": 1}
    stale.save()
    plan(sandbox, files, cache=RefreshCache.load(cache_path))
    assert "gone-from-the-account" not in RefreshCache.load(cache_path).documents
