"""The stores of igops.yaml, and which of them a change since a commit touches (igops stores): what a
workflow builds its matrix of jobs from, one per store.

A changed file touches a store when it is under the store's experiences_dir (its overrides included); a
shared file (in shared_dir) touches each store that plans its key; igops.yaml touches every store, as a
store's settings or the policies may have changed. Other files touch none. A repository without `stores:`
is one store, touched by any change in experiences_dir or to igops.yaml.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from igops.config import CONFIG_FILE, AccountConfig, ConfigError, ProjectConfig, load_project_config
from igops.engine.errors import EngineError
from igops.files.at_commit import CommitError, changed_since
from igops.files.discovery import YAML_SUFFIXES


@dataclass(frozen=True)
class StoreEntry:
    """One store: its name ("" when igops.yaml has no stores: the repository is one store), the environment
    variable its token is read from, its own files and, with --changed-since, the changed paths that touch
    it."""

    name: str
    token_env: str
    experiences_dir: Path
    changes: tuple[Path, ...] = ()


@dataclass(frozen=True)
class StoreListing:
    """The stores chosen (by --store, else all), or those of them a change since `since` touches."""

    stores: tuple[StoreEntry, ...]
    has_stores: bool
    chosen: int  # how many stores were looked at
    config: Path | None  # igops.yaml, None without one
    since: str | None = None
    notes: tuple[str, ...] = ()  # igops.yaml's notes (a setting still read but now written another way)


def list_stores(
    directory: Path = Path(), names: Sequence[str] = (), since: str | None = None
) -> StoreListing:
    """The stores of the igops.yaml governing `directory` that `names` choose (every one when empty), only
    those a change since commit `since` touches when it is given; EngineError when igops.yaml is invalid, a
    name is no store, or git cannot compare with `since`."""
    try:
        config = load_project_config(directory)
        chosen = config.chosen(names)
    except ConfigError as exc:
        raise EngineError(str(exc)) from None
    entries = [_entry(config, account) for account in chosen]
    if since is not None:
        try:
            changed = changed_since(since, config.root)
        except CommitError as exc:
            raise EngineError(str(exc)) from None
        entries = [
            replace(entry, changes=changes)
            for entry, account in zip(entries, chosen, strict=True)
            if (changes := tuple(path for path in changed if _touches(path, config, account)))
        ]
    return StoreListing(tuple(entries), config.has_stores, len(chosen), config.source, since, config.notes)


def _entry(config: ProjectConfig, account: AccountConfig) -> StoreEntry:
    return StoreEntry(account.name if config.has_stores else "", account.token_env, account.experiences_dir)


def _touches(path: Path, config: ProjectConfig, account: AccountConfig) -> bool:
    """Whether a change to `path` (absolute, symbolic links resolved, as git names it) can change what
    `account` plans."""
    if path == (config.root / CONFIG_FILE).resolve() or path.is_relative_to(
        account.experiences_dir.resolve()
    ):
        return True
    if config.shared_dir is None or not path.is_relative_to(config.shared_dir.resolve()):
        return False
    if path.name.startswith(".") or not path.name.endswith(YAML_SUFFIXES):
        return False  # not an experience file: no store plans it
    # A shared file's key is its name without .yaml, as the loader reads it.
    return account.shared is None or path.stem in account.shared
