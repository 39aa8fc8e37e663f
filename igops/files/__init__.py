"""Experience files: finding, parsing and checking them, and igops.yaml.

`validate` is what `igops validate` runs; `load_experiences` is what the plan engine uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from igops.files.config_file import CONFIG_FILE, InvalidConfig, ProjectConfig, load_project_config
from igops.files.errors import FileError
from igops.files.loader import FileResult, LoadResult, check_text, load_experiences

__all__ = [
    "CONFIG_FILE",
    "FileError",
    "FileResult",
    "InvalidConfig",
    "LoadResult",
    "ProjectConfig",
    "check_text",
    "load_experiences",
    "load_project_config",
    "validate",
]


def validate(paths: Sequence[Path], project: Path = Path()) -> LoadResult:
    """Check the files under `paths`, or under the experiences directory igops.yaml in `project` names."""
    if paths:
        return load_experiences(paths)
    try:
        config = load_project_config(project)
    except InvalidConfig as exc:
        return LoadResult(experiences=(), errors=tuple(exc.errors), files=(project / CONFIG_FILE,))
    return load_experiences([config.experiences_dir])
