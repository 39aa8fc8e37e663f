"""What `igops init` writes: a GitOps repository of experience files, with its workflows.

The workflow templates here are the only source of the igops workflows: `igops init` renders them
for a store's repository, with the igops action from GitHub, and this repository's
.github/workflows/ holds them rendered with the action of its own checkout (a test keeps them equal).
"""

from __future__ import annotations

import re
import textwrap
from importlib import resources
from pathlib import Path

import yaml

from igops import schemas

# Where stores' workflows find the igops action unless `igops init --action` names another.
DEFAULT_ACTION = "igops/igops@v1"
# The action of the repository the workflow runs in: this repository's own workflows use it.
LOCAL_ACTION = "./"

WORKFLOWS = ("igops-plan.yml", "igops-apply.yml", "igops-drift.yml", "igops-monitor.yml")
WORKFLOW_DIR = ".github/workflows"
EXAMPLE_EXPERIENCE = "experiences/example-free-shipping-headline.yaml"

_ACTION_PLACEHOLDER = "IGOPS_ACTION"
# OWNER/REPO[/PATH]@REF, as GitHub accepts it after `uses:`.
_ACTION_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[\w.-]+(?:/[\w./-]+)?@[\w./-]+", re.ASCII)
_COMMENT_WIDTH = 100


class ScaffoldError(Exception):
    """Nothing can be (or was) written; the message says why in one sentence."""


def _template(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def _check_action(reference: str) -> str:
    """`reference` if it names an action as OWNER/REPO@REF, else ScaffoldError."""
    if not _ACTION_REFERENCE.fullmatch(reference):
        raise ScaffoldError(f"--action {reference!r} is not OWNER/REPO@REF (for example {DEFAULT_ACTION}).")
    return reference


def render_workflow(name: str, action: str) -> str:
    """The workflow `name` (one of WORKFLOWS), running igops with the action `action`."""
    return _template(f"workflows/{name}").replace(f"uses: {_ACTION_PLACEHOLDER}", f"uses: {action}")


def config_file() -> str:
    """igops.yaml with every setting at its default, each under its description from the schema."""
    schema = schemas.load_schema(schemas.CONFIG_SCHEMA)
    lines = [
        f"# yaml-language-server: $schema=schemas/{schemas.CONFIG_SCHEMA}",
        "# The settings of this igops project. Every one is optional: the values below are the defaults.",
        "# The API token never goes in a file; in GitHub Actions it is the secret INTELLIGEMS_API_TOKEN.",
    ]
    for name, setting in schema["properties"].items():
        lines.append("")
        lines += textwrap.wrap(setting["description"], _COMMENT_WIDTH, initial_indent="# ",
                               subsequent_indent="# ")
        lines.append(yaml.safe_dump({name: setting["default"]}, default_flow_style=False).rstrip())
    return "\n".join(lines) + "\n"


def scaffold(action: str) -> dict[str, str]:
    """Every file of a new repository, by its path relative to the repository's root."""
    schema_files = {
        f"schemas/{name}": resources.files(schemas).joinpath(name).read_text(encoding="utf-8")
        for name in (schemas.EXPERIENCE_SCHEMA, schemas.CONFIG_SCHEMA)
    }
    return {
        "igops.yaml": config_file(),
        EXAMPLE_EXPERIENCE: _template("experience.yaml"),
        **schema_files,
        **{f"{WORKFLOW_DIR}/{name}": render_workflow(name, action) for name in WORKFLOWS},
    }


def write_scaffold(root: Path, action: str) -> list[str]:
    """Write the scaffold under `root` and return the paths written; when any file is there already,
    ScaffoldError naming it, and nothing is written."""
    files = scaffold(_check_action(action))
    for relative in files:
        target = root / relative
        if target.exists() or target.is_symlink():
            raise ScaffoldError(f"{target} already exists: igops init writes only new files, so it wrote "
                                "none (move that file aside, or init another directory).")
    for relative, text in files.items():
        target = root / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ScaffoldError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    return list(files)
