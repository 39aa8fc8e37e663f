"""Adding stores to an existing igops.yaml (igops init --store NAME in a repository that has one): its text
edited in place, so that its comments, order and every other setting stay as they are, and each new
store's directory created; nothing else is written.

A repository without stores is one store, whose files are those under experiences_dir. Once igops.yaml
has `stores:`, a file there belongs to a store's directory or to shared_dir, or to nothing: adding the
first store is refused while experiences_dir holds a file that would then belong to no store (the message
says where to move it). The top-level token_env of a one-store repository is refused beside stores: one
at its default (what igops init writes) is turned into a comment, and another is refused, as it names a
token the new stores would not use.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from igops.atomic import write_atomically
from igops.config import (
    CONFIG_FILE,
    AccountConfig,
    InvalidConfig,
    ProjectConfig,
    read_project_config,
)
from igops.engine.errors import EngineError
from igops.files.discovery import Candidate, discover, read_text
from igops.files.errors import FileError
from igops.files.patching import Edits, PatchError, patched
from igops.files.yamldoc import Document, YamlError, line_end, parse
from igops.schemas import CONFIG_SCHEMA, load_schema
from igops.text import ended

# What igops init writes in place of `stores:` (igops.templates.config_file): the stores go there.
_STORES_PLACEHOLDER = re.compile(r"^# stores: \(none; igops init --store NAME adds a store\)[ \t]*$", re.M)
_DEFAULT_TOKEN_ENV = load_schema(CONFIG_SCHEMA)["properties"]["token_env"]["default"]
_NOTHING_WRITTEN = "igops init wrote nothing"


@dataclass(frozen=True)
class AddedStores:
    """What adding stores did: igops.yaml's path, the stores added (as it now configures them), the
    directories created for them (an existing one is kept), and the top-level token_env line turned into a
    comment, if one was."""

    config: Path
    stores: tuple[AccountConfig, ...]
    created: tuple[Path, ...]
    token_env_commented: str | None = None


def add_stores(root: Path, names: Sequence[str]) -> AddedStores:
    """Add the stores `names` (checked names, each once) to igops.yaml in `root` and create their
    directories; EngineError, one sentence, with nothing written, when that cannot be done safely."""
    path = root / CONFIG_FILE
    text = read_text(Candidate(path, root))
    if isinstance(text, FileError):
        raise EngineError(str(text))
    config = _config(path, text, "")
    known = [account.name for account in config.accounts] if config.has_stores else []
    for name in names:
        if name in known:
            raise EngineError(f"{path} has a store {name} already: {_NOTHING_WRITTEN}.")
    edited, commented = (text, None) if config.has_stores else _without_token_env(path, text)
    edited = _with_stores(path, edited, names)
    updated = _config(path, edited, f" with the store{'s' if len(names) > 1 else ''} {', '.join(names)}")
    added = tuple(account for account in updated.accounts if account.name in names)
    if not config.has_stores:
        _refuse_files_of_no_store(config, updated, names)
    for account in added:
        if account.experiences_dir.exists() and not account.experiences_dir.is_dir():
            raise EngineError(
                f"{account.experiences_dir}, the store {account.name}'s directory, is a file: move it "
                f"aside; {_NOTHING_WRITTEN}."
            )
    created = tuple(account.experiences_dir for account in added if not account.experiences_dir.is_dir())
    try:
        write_atomically(path, edited)
        for directory in created:
            directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EngineError(ended(f"Cannot write {exc.filename or path}: {exc.strerror or exc}")) from None
    return AddedStores(path, added, created, commented)


def _config(path: Path, text: str, becoming: str) -> ProjectConfig:
    """The settings of `text`; EngineError when they have problems (`becoming`: what the text is about to
    become, when it is the edited text, to say that the edit would make it invalid)."""
    try:
        return read_project_config(path, text)
    except InvalidConfig as exc:
        if not becoming:
            raise EngineError(str(exc)) from None
        raise EngineError(
            f"{path} would not be valid{becoming} ({exc.errors[0].message}): {_NOTHING_WRITTEN}."
        ) from None


def _document(path: Path, text: str) -> Document | None:
    try:
        return parse(text)
    except YamlError as exc:  # read_project_config has read it already: only for the types' sake
        raise EngineError(f"{path}:{exc.position.line}: {exc.message}") from None


def _without_token_env(path: Path, text: str) -> tuple[str, str | None]:
    """`text` with its top-level token_env (refused beside stores) turned into a comment when it is the
    default, and that line; EngineError when it names another variable, whose token the stores would not
    use."""
    document = _document(path, text)
    if document is None or not isinstance(document.value, dict) or "token_env" not in document.value:
        return text, None
    key = document.key_spans[("token_env",)]
    line_start = text.rfind("\n", 0, key.start) + 1
    value = document.value["token_env"]
    if value != _DEFAULT_TOKEN_ENV or text[line_start : key.start].strip():
        line = document.keys[("token_env",)].line
        raise EngineError(
            f"{path}:{line}: token_env names the one token of this repository ({value}), and with stores "
            "each store names its own: move it under the store (stores.NAME.token_env) or remove it, then "
            f"run igops init --store again; {_NOTHING_WRITTEN}."
        )
    end = line_end(text, document.spans[("token_env",)].end)
    lines = text[line_start:end].split("\n")
    comment = "\n".join(f"# {line}" for line in lines)
    note = "  # with stores, each store has its own: stores.NAME.token_env"
    return text[:line_start] + comment + note + text[end:], text[line_start:end].strip()


def _with_stores(path: Path, text: str, names: Sequence[str]) -> str:
    """`text` with the stores `names` added at the end of `stores:`, or `stores:` added where igops init
    leaves its place, else at the end of the file."""
    document = _document(path, text)
    if document is not None and isinstance(document.value, dict) and "stores" in document.value:
        edits = Edits({("stores", name): {} for name in names})
    elif _STORES_PLACEHOLDER.search(text):
        newline = "\r\n" if "\r\n" in text else "\n"
        block = newline.join(["stores:", *(f"  {name}: {{}}" for name in names)])
        return _STORES_PLACEHOLDER.sub(lambda _: block, text, count=1)
    elif document is None or not isinstance(document.value, dict):
        separator = "\n" if text and not text.endswith("\n") else ""
        return text + separator + "stores:\n" + "".join(f"  {name}: {{}}\n" for name in names)
    else:
        edits = Edits({("stores",): {name: {} for name in names}})
    try:
        return patched(text, edits)
    except PatchError as exc:
        raise EngineError(
            f"{path}: cannot add the stores there ({exc.message}): {_NOTHING_WRITTEN}."
        ) from None


def _refuse_files_of_no_store(before: ProjectConfig, after: ProjectConfig, names: Sequence[str]) -> None:
    """EngineError when the one store's experiences_dir holds a file that, with stores, would be in no
    store's directory and not in shared_dir."""
    homes = [account.experiences_dir for account in after.accounts]
    homes += [after.shared_dir] if after.shared_dir is not None else []
    found, _ = discover([before.account.experiences_dir])
    stranded = [
        candidate.path for candidate in found if not any(_inside(candidate.path, home) for home in homes)
    ]
    if not stranded:
        return
    first = stranded[0]
    more = f" and {len(stranded) - 1} more" if len(stranded) > 1 else ""
    store = after.chosen(names)[0]
    raise EngineError(
        f"{before.account.experiences_dir} holds the experience files of this repository's one store "
        f"({first}{more}), which would belong to no store once igops.yaml has stores: move each into the "
        f"directory of its store ({store.experiences_dir} for {store.name}) or into shared_dir "
        f"({after.shared_dir}), then run igops init --store again; {_NOTHING_WRITTEN}."
    )


def _inside(path: Path, directory: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(directory))
