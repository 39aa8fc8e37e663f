"""What `igops init` writes: a GitOps repository of experience files, with its workflows.

The templates here are the only source of the igops workflows and actions: `igops init` renders them for
a store's repository, with an action of its own that installs the igops it pins (or a published igops
action), and this repository's .github/workflows/ and action.yml hold them rendered with the action of its
own checkout and a seeded emulator in place of a store (a test keeps them equal).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from igops import schemas
from igops.errors import IgopsError
from igops.templates.installed import Pin
from igops.templates.source import constraints
from igops.text import ended

# The igops action of the repository the workflow runs in: this repository's own workflows use it.
THIS_REPOSITORY_ACTION = "./"
# Where `igops init` writes a store's own action, which installs the igops it pins.
STORE_ACTION_DIR = ".github/actions/igops"
STORE_ACTION = f"./{STORE_ACTION_DIR}"

WORKFLOWS = (
    "igops-plan.yml",
    "igops-apply.yml",
    "igops-schedule.yml",
    "igops-drift.yml",
    "igops-monitor.yml",
)
WORKFLOW_DIR = ".github/workflows"
EXAMPLE_EXPERIENCE = "experiences/example-free-shipping-headline.yaml"
GITIGNORE = ".gitignore"

_ACTION_PLACEHOLDER = "IGOPS_ACTION"
_ACCOUNT_STEPS_PLACEHOLDER = "      # IGOPS_ACCOUNT_STEPS\n"
_INSTALL_PLACEHOLDER = "IGOPS_INSTALL_STEPS\n"
_TOKEN_SECRET = "${{ secrets.INTELLIGEMS_API_TOKEN }}"
# A job per store reads the store's token from the secret its token_env names.
_STORE_TOKEN_SECRET = "${{ secrets[matrix.token_env] }}"
# The drift job's adopt pull requests use this secret when a store has one; this repository has none.
_PR_TOKEN = "secrets.IGOPS_PR_TOKEN || github.token"
# OWNER/REPO[/PATH]@<full commit>: a tag can be moved to other code, a commit cannot.
_PUBLISHED_ACTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}", re.ASCII)
_COMMENT_WIDTH = 100


class ScaffoldError(IgopsError):
    """Nothing can be (or was) written; the message says why in one sentence."""


def _template(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def _check_action(reference: str) -> str:
    """`reference` if it names a published action at a full commit, else ScaffoldError."""
    if not _PUBLISHED_ACTION.fullmatch(reference):
        raise ScaffoldError(
            f"--action {reference!r} is not OWNER/REPO@<full commit> (40 hexadecimal digits, "
            "for example my-org/igops@3f1c...): a tag can be moved to other code."
        )
    return reference


def render_workflow(name: str, action: str, *, emulator: bool = False) -> str:
    """The workflow `name` (one of WORKFLOWS), running igops with the action `action`. With `emulator`
    (this repository's own copies), the job starts a seeded emulator and uses its token instead of the
    store's secret."""
    text = _template(f"workflows/{name}").replace(f"uses: {_ACTION_PLACEHOLDER}", f"uses: {action}")
    if not emulator:
        return text.replace(_ACCOUNT_STEPS_PLACEHOLDER, "")
    return (
        text.replace(_ACCOUNT_STEPS_PLACEHOLDER, _template("emulator-steps.yml"))
        .replace(_TOKEN_SECRET, "sandbox-token")
        .replace(_STORE_TOKEN_SECRET, "sandbox-token")
        .replace(_PR_TOKEN, "github.token")
    )


def render_action(pin: Pin | None) -> str:
    """The composite action: with `pin`, a store's, installing that igops; without, this repository's
    action.yml, installing igops from its own checkout."""
    if pin is None:
        install = _template("action/install-from-checkout.yml")
    else:
        install = (
            _template("action/install-pinned.yml")
            .replace("IGOPS_ACTION_DIR", STORE_ACTION_DIR)
            .replace("IGOPS_PINNED_REQUIREMENT", json.dumps(pin.requirement))
        )
    return _template("action/action.yml").replace(_INSTALL_PLACEHOLDER, install)


_ONE_TOKEN = "# The API token never goes in a file; in GitHub Actions it is the secret INTELLIGEMS_API_TOKEN."


def config_file(stores: Sequence[str] = ()) -> str:
    """igops.yaml with every setting at its default, each under its description from the schema; with
    `stores`, those stores (each with every setting of its own at its default) and no token_env above
    them, as each store has its own."""
    schema = schemas.load_schema(schemas.CONFIG_SCHEMA)
    store_token = schema["properties"]["stores"]["additionalProperties"]["properties"]["token_env"]
    lines = [
        f"# yaml-language-server: $schema=schemas/{schemas.CONFIG_SCHEMA}",
        "# The settings of this igops project. Every one is optional: the values below are the defaults,",
        "# but for the policies, which are at the levels igops recommends.",
        "# API tokens never go in a file; in GitHub Actions each store's is the secret its token_env names."
        if stores
        else _ONE_TOKEN,
    ]
    for name, setting in schema["properties"].items():
        if setting.get("deprecated"):
            continue
        lines.append("")
        lines += textwrap.wrap(
            setting["description"], _COMMENT_WIDTH, initial_indent="# ", subsequent_indent="# "
        )
        if name == "stores" and stores:
            lines += ["stores:", *(f"  {store}: {{}}" for store in stores)]
        elif name == "token_env" and stores:
            default = store_token["description"].split("(", 1)[1].rstrip(".)")
            lines += textwrap.wrap(
                f"token_env: (none with stores: each store's is stores.NAME.token_env; {default})",
                _COMMENT_WIDTH,
                initial_indent="# ",
                subsequent_indent="#   ",
            )
        elif "default" not in setting and stores:
            lines.append(f"# {name}: (not set: the default)")
        elif "default" not in setting:
            # Only several stores have these: igops init --store NAME adds each store.
            lines.append(f"# {name}: (none; igops init --store NAME adds a store)")
        elif name == "policies":
            lines += _policy_lines(setting["properties"])
        else:
            lines.append(yaml.safe_dump({name: setting["default"]}, default_flow_style=False).rstrip())
    return "\n".join(lines) + "\n"


# The levels igops recommends for a new repository, where they differ from the defaults (warn for every
# rule igops added after the safety rails, so that no existing repository's apply starts failing).
RECOMMENDED_LEVELS = {"end-gate": "force", "max-discount": "force", "freeze": "force"}
_EXAMPLE_WINDOW = '#   - {name: BFCM, start: "2026-11-23T00:00:00-05:00", end: "2026-12-02T00:00:00-05:00"}'


def _policy_lines(rules: dict[str, Any]) -> list[str]:
    """Every built-in rule at the recommended level, its thresholds at their defaults, under its
    description."""
    lines = [
        "# Written at the levels igops recommends for a new repository: end-gate, max-discount and freeze at",
        "# force. Left out, they (and the other rules added after the safety rails) default to warn.",
        "policies:",
    ]
    for name, rule in rules.items():
        settings = {**rule["default"], "level": RECOMMENDED_LEVELS.get(name, rule["default"]["level"])}
        lines += textwrap.wrap(
            rule["description"], _COMMENT_WIDTH - 2, initial_indent="  # ", subsequent_indent="  # "
        )
        if name == "freeze":
            lines += ["  # Windows are ISO 8601 with a UTC offset, for example:", "  #" + _EXAMPLE_WINDOW[1:]]
        dumped = yaml.safe_dump({name: settings}, default_flow_style=True, sort_keys=False, width=1000)
        lines.append("  " + dumped.strip().removeprefix("{").removesuffix("}"))
    return lines


def example_experience(store: str = "") -> str:
    """Where the example experience goes: in experiences/, or in a store's directory (experiences/NAME/)."""
    if not store:
        return EXAMPLE_EXPERIENCE
    directory, name = EXAMPLE_EXPERIENCE.rsplit("/", 1)
    return f"{directory}/{store}/{name}"


def _example_text(store: str) -> str:
    """The example experience, its schema line pointing at schemas/ from where it goes."""
    text = _template("experience.yaml")
    return text if not store else text.replace("$schema=../schemas/", "$schema=../../schemas/", 1)


def scaffold(source: Pin | str, stores: Sequence[str] = ()) -> dict[str, str]:
    """Every file of a new repository but .gitignore, by its path relative to the repository's root.
    `source` is the igops the workflows install (a pin, with an action of the store's own) or a published
    igops action (OWNER/REPO@<full commit>). With `stores`, igops.yaml names them and each store's
    directory holds the example."""
    schema_files = {
        f"schemas/{name}": resources.files(schemas).joinpath(name).read_text(encoding="utf-8")
        for name in (schemas.EXPERIENCE_SCHEMA, schemas.CONFIG_SCHEMA)
    }
    if isinstance(source, Pin):
        action = STORE_ACTION
        action_files = {
            f"{STORE_ACTION_DIR}/action.yml": render_action(source),
            f"{STORE_ACTION_DIR}/constraints.txt": constraints(),
            f"{STORE_ACTION_DIR}/installed.py": resources.files(__name__)
            .joinpath("installed.py")
            .read_text(encoding="utf-8"),
        }
    else:
        action, action_files = _check_action(source), {}
    return {
        "igops.yaml": config_file(stores),
        **{example_experience(store): _example_text(store) for store in stores or [""]},
        **schema_files,
        **action_files,
        **{f"{WORKFLOW_DIR}/{name}": render_workflow(name, action) for name in WORKFLOWS},
    }


def workflows_without_stores(root: Path) -> list[str]:
    """The workflows under `root` that igops init now writes with a job per store, in a form older than
    that (they run one job with INTELLIGEMS_API_TOKEN only), by their path relative to `root`."""
    older = []
    for name in WORKFLOWS:
        path = root / WORKFLOW_DIR / name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if _STORE_TOKEN_SECRET in _template(f"workflows/{name}") and _STORE_TOKEN_SECRET not in text:
            older.append(f"{WORKFLOW_DIR}/{name}")
    return older


def gitignore_lines(existing: str) -> str:
    """What .gitignore gains: igops's patterns it lacks (all of them, with their heading, when new)."""
    present = {line.strip() for line in existing.splitlines()}
    wanted = _template("gitignore").splitlines()
    missing = [line for line in wanted[1:] if line not in present]
    if not missing:
        return ""
    separator = "\n" if existing and not existing.endswith("\n") else ""
    blank = "\n" if existing.strip() else ""
    return f"{separator}{blank}{wanted[0]}\n" + "".join(f"{line}\n" for line in missing)


def write_scaffold(root: Path, source: Pin | str, stores: Sequence[str] = ()) -> list[str]:
    """Write the scaffold (of `stores`, when given) under `root` and add igops's patterns to its
    .gitignore; return the paths written. When any file but .gitignore is there already, ScaffoldError
    naming it, and nothing is written."""
    files = scaffold(source, stores)
    for relative in files:
        target = root / relative
        if target.exists() or target.is_symlink():
            raise ScaffoldError(
                f"{target} already exists: igops init writes only new files, so it wrote "
                "none (move that file aside, or init another directory)."
            )
    ignore = root / GITIGNORE
    try:
        existing = ignore.read_text(encoding="utf-8") if ignore.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ScaffoldError(
            f"Cannot read {ignore}: {getattr(exc, 'strerror', None) or exc}; igops init wrote nothing."
        ) from None
    written = []
    for relative, text in [*files.items(), (GITIGNORE, existing + gitignore_lines(existing))]:
        if relative == GITIGNORE and text == existing:
            continue
        target = root / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ScaffoldError(ended(f"Cannot write {target}: {exc.strerror or exc}")) from None
        written.append(relative)
    return written
