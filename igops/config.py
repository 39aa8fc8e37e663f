"""Settings: igops.yaml, the environment and the flags -> one `Settings`.

Precedence for the API URL: `--api`, then IGOPS_API_URL, then `api_url` in igops.yaml. The
token comes from the environment variable igops.yaml names (INTELLIGEMS_API_TOKEN by default),
never from a file. igops.yaml is read as strictly as experience files, and its defaults come
from schemas/igops-config.schema.json, so the schema an editor shows and the values igops uses
cannot disagree. (The emulator's own settings are in igops/sandbox/config.py: it stands alone.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igops.api import Secret
from igops.files.errors import FileError
from igops.files.reading import Candidate, read_text
from igops.files.schema import schema_defaults, schema_findings
from igops.files.yamldoc import YamlError, parse
from igops.schemas import CONFIG_SCHEMA

CONFIG_FILE = "igops.yaml"
API_URL_ENV = "IGOPS_API_URL"
SANDBOX_SCHEME = "sandbox:"
SANDBOX_DEFAULT_TOKEN = "sandbox-token"


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


class InvalidConfig(ConfigError):
    """igops.yaml has problems; each error is located in the file."""

    def __init__(self, errors: list[FileError]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


@dataclass(frozen=True)
class ProjectConfig:
    """igops.yaml, defaults filled in."""

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
        return _project(schema_defaults(CONFIG_SCHEMA), directory, None)
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
    return _project(schema_defaults(CONFIG_SCHEMA) | values, directory, path)


def _project(values: dict[str, Any], directory: Path, source: Path | None) -> ProjectConfig:
    return ProjectConfig(
        api_url=str(values["api_url"]),
        token_env=str(values["token_env"]),
        experiences_dir=directory / str(values["experiences_dir"]),
        max_changes=int(values["max_changes"]),
        protect_running_splits=bool(values["protect_running_splits"]),
        source=source,
    )


DEFAULT_PROJECT = _project(schema_defaults(CONFIG_SCHEMA), Path(), None)


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know before it starts: the project, the API and the token."""

    api_url: str
    token: Secret
    project: ProjectConfig = DEFAULT_PROJECT

    @property
    def uses_sandbox(self) -> bool:
        return self.api_url.startswith(SANDBOX_SCHEME)

    @classmethod
    def resolve(
        cls,
        api: str | None = None,
        environ: Mapping[str, str] | None = None,
        *,
        project: ProjectConfig = DEFAULT_PROJECT,
    ) -> Settings:
        """The flag first, then the environment, then igops.yaml (`project`)."""
        env = os.environ if environ is None else environ
        api_url = (api or env.get(API_URL_ENV) or project.api_url).strip()
        if not api_url.startswith((SANDBOX_SCHEME, "http://", "https://")):
            raise ConfigError(
                f"The API URL {api_url!r} is not an http(s) URL or 'sandbox:[STATE_FILE]': "
                f"fix --api or {API_URL_ENV}."
            )
        token = env.get(project.token_env, "").strip()
        if not token:
            if not api_url.startswith(SANDBOX_SCHEME):
                raise ConfigError(
                    f"{project.token_env} is not set: export your Intelligems API key in it, "
                    "or use --api sandbox: to work against the built-in emulator."
                )
            token = SANDBOX_DEFAULT_TOKEN
        return cls(api_url=api_url, token=Secret(token), project=project)


def load_settings(api: str | None = None, directory: Path = Path(),
                  environ: Mapping[str, str] | None = None) -> Settings:
    """igops.yaml in `directory`, the environment and the `--api` flag; ConfigError when any is wrong."""
    return Settings.resolve(api, environ, project=load_project_config(directory))
