"""`igops.yaml`, the project's settings file, read with the same strictness as experience files.

Defaults come from schemas/igops-config.schema.json, so the schema an editor shows and the
values igops uses cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igops.files.errors import FileError
from igops.files.reading import Candidate, read_text
from igops.files.schema import schema_defaults, schema_findings
from igops.files.yamldoc import YamlError, parse
from igops.schemas import CONFIG_SCHEMA

CONFIG_FILE = "igops.yaml"


class InvalidConfig(Exception):
    """igops.yaml has problems; each error is located in the file."""

    def __init__(self, errors: list[FileError]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


@dataclass(frozen=True)
class ProjectConfig:
    api_url: str
    token_env: str
    experiences_dir: Path
    max_changes: int
    protect_running_splits: bool
    # None when there is no igops.yaml and every value is a default.
    source: Path | None


def load_project_config(directory: Path) -> ProjectConfig:
    """The settings in `directory`/igops.yaml, defaults for what it leaves out (or for all, without one)."""
    path = directory / CONFIG_FILE
    if not (path.exists() or path.is_symlink()):
        return _config(schema_defaults(CONFIG_SCHEMA), directory, None)
    text = read_text(Candidate(path, directory))
    if isinstance(text, FileError):
        raise InvalidConfig([text])
    try:
        document = parse(text)
    except YamlError as exc:
        raise InvalidConfig([FileError(path, exc.position, exc.path, exc.message)]) from None
    # A file of nothing but comments states no setting, which is allowed.
    values = {} if document is None else document.value
    errors = [] if document is None else [
        FileError(path, position, field, message)
        for field, position, message in schema_findings(document, CONFIG_SCHEMA)
    ]
    if errors:
        raise InvalidConfig(errors)
    return _config(schema_defaults(CONFIG_SCHEMA) | values, directory, path)


def _config(values: dict[str, Any], directory: Path, source: Path | None) -> ProjectConfig:
    return ProjectConfig(
        api_url=str(values["api_url"]),
        token_env=str(values["token_env"]),
        experiences_dir=directory / str(values["experiences_dir"]),
        max_changes=int(values["max_changes"]),
        protect_running_splits=bool(values["protect_running_splits"]),
        source=source,
    )
