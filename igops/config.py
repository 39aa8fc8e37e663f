"""Settings: igops.yaml, the environment and the flags -> one `Settings`.

Precedence for the API URL: `--api`, then IGOPS_API_URL, then `api_url` in igops.yaml; for the
timeout: `--timeout`, then `timeout` in igops.yaml. The token comes from the environment variable
igops.yaml names (INTELLIGEMS_API_TOKEN by default), never from a file. igops.yaml is found in
the working directory or the nearest directory above it (the way git finds .git), and the paths
in it are relative to it. It is read as strictly as experience files, and its defaults come from
schemas/igops-config.schema.json, so the schema an editor shows and the values igops uses cannot
disagree. (The emulator's own settings are in igops/sandbox/config.py: it stands alone.)
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from igops.analytics import EndEvidence, MonitorRules
from igops.api import API_PREFIX, Secret
from igops.errors import IgopsError
from igops.files.discovery import Candidate, read_text
from igops.files.errors import FileError
from igops.files.schema import schema_defaults, schema_findings
from igops.files.yamldoc import Document, YamlError, parse
from igops.model import JsonPath, Position, nearest_position
from igops.moments import offset_time
from igops.schemas import CONFIG_SCHEMA, load_schema

CONFIG_FILE = "igops.yaml"
API_URL_ENV = "IGOPS_API_URL"
# The emulator's scenario file for sandbox: URLs (igops/sandbox/markers.py): its story, not the files'.
SCENARIO_ENV = "IGOPS_SANDBOX_SCENARIO"
SANDBOX_SCHEME = "sandbox:"
SANDBOX_DEFAULT_TOKEN = "sandbox-token"
MIN_TIMEOUT = float(load_schema(CONFIG_SCHEMA)["properties"]["timeout"]["minimum"])


class ConfigError(IgopsError):
    """A setting is missing or malformed; the message says which and how to fix it."""


class InvalidConfig(ConfigError):
    """igops.yaml has problems; each error is located in the file."""

    def __init__(self, errors: list[FileError]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


# The name of the account a repository without several stores has: the only one.
DEFAULT_ACCOUNT = "default"


@dataclass(frozen=True)
class AccountConfig:
    """One Intelligems account (a store) and every setting that applies to it, defaults filled in: what
    one account of a repository may set apart from the others."""

    name: str
    api_url: str
    token_env: str
    experiences_dir: Path
    timeout: float
    # Seconds a create whose answer was lost holds off a new create of its name (it may still land).
    create_hold_off: float
    monitor: MonitorRules = dataclasses.field(default_factory=MonitorRules)
    # Every built-in rule's setting (defaults filled in), and any plug-in rule's igops.yaml names, by name.
    policies: Mapping[str, PolicySetting] = dataclasses.field(default_factory=dict)
    # With stores: the keys of the shared files this store plans; None for every one.
    shared: tuple[str, ...] | None = None

    @property
    def overrides_dir(self) -> Path:
        """Where this store changes fields of shared files, one file per key: never read as experiences."""
        return self.experiences_dir / OVERRIDES_DIR


OVERRIDES_DIR = "overrides"


@dataclass(frozen=True)
class PolicySetting:
    """One rule's entry under `policies:`: its level (off, warn or force) and its thresholds, defaults
    filled in for a built-in rule; `where` is where igops.yaml sets it (FILE:LINE:COLUMN), empty when it
    does not."""

    level: str
    options: Mapping[str, Any]
    where: str = ""


@dataclass(frozen=True)
class ProjectConfig:
    """igops.yaml: where it is, and the accounts it configures: one per store under `stores:`, else one,
    implicit, named DEFAULT_ACCOUNT."""

    # None when there is no igops.yaml and every value is a default.
    source: Path | None
    # The directory of igops.yaml (without one, the directory the settings were looked up from):
    # where the paths it names start, and where `igops init` puts schemas/.
    root: Path
    accounts: tuple[AccountConfig, ...]
    # What igops.yaml says that still works but is written another way now (one sentence each, located).
    notes: tuple[str, ...] = ()
    # Whether igops.yaml has `stores:`; then `shared_dir` holds the files several stores plan.
    has_stores: bool = False
    shared_dir: Path | None = None

    @property
    def account(self) -> AccountConfig:
        """The account commands work on when none is named."""
        return self.accounts[0]

    def chosen(self, names: Sequence[str]) -> tuple[AccountConfig, ...]:
        """The accounts `--store` names (every one when none is named), in igops.yaml's order; ConfigError
        naming the first name that is no store."""
        if not names:
            return self.accounts
        known = {account.name: account for account in self.accounts}
        for name in names:
            if name in known:
                continue
            if not self.has_stores:
                raise ConfigError(
                    f"--store {name}: {self.source or CONFIG_FILE} has no stores: this repository is "
                    "one store; leave --store out, or list the stores under stores: (igops init --store "
                    "NAME adds one)."
                )
            raise ConfigError(
                f"--store {name}: no store of that name in {self.source or CONFIG_FILE} (its stores: "
                f"{', '.join(known)})."
            )
        return tuple(account for account in self.accounts if account.name in names)


def find_config(start: Path) -> Path | None:
    """igops.yaml in `start` or the nearest directory above it; None when there is none up to the root.

    Named as `start` names things: relative to the working directory when `start` is relative.
    """
    here = Path(os.path.abspath(start))
    for directory in (here, *here.parents):
        path = directory / CONFIG_FILE
        if path.exists() or path.is_symlink():
            return path if start.is_absolute() else Path(os.path.relpath(path))
    return None


def load_project_config(directory: Path) -> ProjectConfig:
    """The settings of the igops.yaml that governs `directory` (see find_config), defaults for what it
    leaves out (or for all, without one: then paths are relative to `directory`)."""
    path = find_config(directory)
    if path is None:
        return _project(schema_defaults(CONFIG_SCHEMA), directory, None)
    text = read_text(Candidate(path, path.parent))
    if isinstance(text, FileError):
        raise InvalidConfig([text])
    return read_project_config(path, text)


def read_project_config(path: Path, text: str) -> ProjectConfig:
    """The settings `text` holds, as igops.yaml at `path` (where its paths start, and how its errors are
    located); InvalidConfig when they have problems."""
    try:
        document = parse(text)
    except YamlError as exc:
        raise InvalidConfig([FileError(path, exc.position, exc.path, exc.message)]) from None
    # A file of nothing but comments states no setting, which is allowed.
    values = {} if document is None else document.value
    errors = [] if document is None else _findings(document, path)
    if errors:
        raise InvalidConfig(errors)
    located = {} if document is None else document.values
    values, notes = _read_old_keys(values, located, path)
    project = _project(schema_defaults(CONFIG_SCHEMA) | values, path.parent, path, located)
    return dataclasses.replace(project, notes=notes)


# Settings igops.yaml used to have, each read as a policy: (old key, rule, option, value for that option).
_OLD_KEYS: tuple[tuple[str, str, str, Callable[[Any], Any]], ...] = (
    ("max_changes", "max-changes", "max", int),
    ("protect_running_splits", "running-split", "level", lambda protect: "force" if protect else "warn"),
)


def _read_old_keys(
    values: Mapping[str, Any], located: Mapping[JsonPath, Position], path: Path
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """igops.yaml's values with the old keys moved under `policies`, and a note for each one moved."""
    moved = {key: value for key, value in values.items() if key not in {old for old, *_ in _OLD_KEYS}}
    policies = {name: dict(setting or {}) for name, setting in (values.get("policies") or {}).items()}
    notes = []
    for old, rule, option, convert in _OLD_KEYS:
        if old not in values:
            continue
        written = convert(values[old])
        policies.setdefault(rule, {})[option] = written
        position = nearest_position(located, (old,))
        notes.append(
            f"{path}:{position.line}:{position.column}: {old} is read as policies: {{{rule}: {{{option}: "
            f"{written}}}}}; write it that way (igops policies lists every rule)."
        )
    if policies:
        moved["policies"] = policies
    return moved, tuple(notes)


def _findings(document: Document, path: Path) -> list[FileError]:
    """The schema's findings, except where igops's own check of a setting says more (and, for
    token_env, says it without repeating a value that may be the token)."""
    values = document.value if isinstance(document.value, dict) else {}
    own: dict[JsonPath, str] = {}
    for prefix, settings in _setting_groups(values):
        for key, check in _CHECKS.items():
            problem = check(settings[key]) if isinstance(settings.get(key), str) else None
            if problem is not None:
                own[(*prefix, key)] = problem
    located = [(field, nearest_position(document.values, field), problem) for field, problem in own.items()]
    located += [
        finding
        for finding in schema_findings(document, CONFIG_SCHEMA)
        if not any(finding[0][: len(field)] == field for field in own)
    ]
    # The checks across settings rely on the types the schema promises.
    if not located:
        located = [
            (field, nearest_position(document.values, field), problem)
            for field, problem in [*_policy_problems(values), *_store_problems(values, path.parent)]
        ]
    return [FileError(path, position, field, message) for field, position, message in located]


def _setting_groups(values: Mapping[str, Any]) -> Iterator[tuple[JsonPath, Mapping[str, Any]]]:
    """igops.yaml's top-level settings and each store's, with the path they sit under."""
    yield (), values
    stores = values.get("stores")
    if isinstance(stores, dict):
        for name, settings in stores.items():
            if isinstance(settings, dict):
                yield ("stores", name), settings


def _store_problems(values: Mapping[str, Any], directory: Path) -> Iterator[tuple[JsonPath, str]]:
    """A token named once for several stores, and directories whose files would belong to two of them."""
    stores = values.get("stores") or {}
    if not stores:
        return
    if "token_env" in values:
        yield (
            ("token_env",),
            "with stores, each store has its own token: move token_env under each store "
            f"(default: {store_token_env('NAME')} for the store NAME).",
        )
    top = Path(str(values.get("experiences_dir", "experiences")))
    places: list[tuple[JsonPath, str, Path]] = [
        (
            ("stores", name, "experiences_dir") if "experiences_dir" in (own or {}) else ("stores", name),
            f"the store {name}'s experiences_dir",
            Path(os.path.normpath(directory / str((own or {}).get("experiences_dir", top / name)))),
        )
        for name, own in stores.items()
    ]
    shared = values.get("shared_dir")
    places.append(
        (
            ("shared_dir",) if shared else ("stores",),
            "shared_dir",
            Path(os.path.normpath(directory / str(shared or top / SHARED_DIR))),
        )
    )
    for index, (field, label, place) in enumerate(places):
        for _, other_label, other in places[:index]:
            if place == other or place in other.parents or other in place.parents:
                yield (
                    field,
                    f"{label} ({place.relative_to(directory) if place.is_relative_to(directory) else place}) "
                    f"overlaps {other_label}: a file would belong to both; give each its own directory.",
                )


def _policy_problems(values: Mapping[str, Any]) -> Iterator[tuple[JsonPath, str]]:
    """An old key set beside the policy it is read as, and freeze windows whose times do not hold."""
    policies = values.get("policies") or {}
    for old, rule, option, _ in _OLD_KEYS:
        if old in values and option in (policies.get(rule) or {}):
            yield (
                (old,),
                f"{old} and policies.{rule}.{option} say the same thing: keep policies.{rule}.{option} "
                f"and remove {old}.",
            )
    for prefix, settings in _setting_groups(values):
        windows = ((settings.get("policies") or {}).get("freeze") or {}).get("windows") or []
        at = (*prefix, "policies", "freeze", "windows")
        for index, window in enumerate(windows):
            times = {}
            for bound in ("start", "end"):
                moment, problem = offset_time(window[bound])
                if problem is not None:
                    yield (*at, index, bound), problem
                times[bound] = moment
            if times["start"] and times["end"] and times["end"] <= times["start"]:
                yield (
                    (*at, index, "end"),
                    f"the freeze window {window['name']!r} ends at or before it starts ({window['start']}).",
                )


def _project(
    values: dict[str, Any],
    directory: Path,
    source: Path | None,
    located: Mapping[JsonPath, Position] | None = None,
) -> ProjectConfig:
    located = located or {}
    stores = values.get("stores")
    if not stores:
        account = _account(DEFAULT_ACCOUNT, values, directory, source, located)
        return ProjectConfig(source=source, root=directory, accounts=(account,))
    accounts = tuple(
        _account(
            name, _store_values(name, values, own or {}), directory, source, _store_located(name, located)
        )
        for name, own in stores.items()
    )
    shared_dir = directory / str(
        values.get("shared_dir") or Path(str(values["experiences_dir"])) / SHARED_DIR
    )
    return ProjectConfig(
        source=source, root=directory, accounts=accounts, has_stores=True, shared_dir=shared_dir
    )


# Where shared files are when igops.yaml names no shared_dir: inside experiences_dir, beside the stores'.
SHARED_DIR = "_shared"


_STORE_NAME = load_schema(CONFIG_SCHEMA)["properties"]["stores"]["propertyNames"]


def store_name_problem(name: str) -> str | None:
    """Why `name` cannot name a store (the schema's rule for the keys of `stores:`), None when it can."""
    if re.fullmatch(_STORE_NAME["pattern"].removeprefix("^").removesuffix("$"), name):
        return None
    return f"{name!r} is not a store name: {_STORE_NAME['description'].split(': ', 1)[1]}"


def store_token_env(name: str) -> str:
    """The environment variable a store's token is read from when its settings name none."""
    return "INTELLIGEMS_API_TOKEN_" + name.upper().replace("-", "_")


def _store_values(name: str, values: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """A store's settings: its own over igops.yaml's, rule by rule for policies and monitor (a store that
    raises one threshold keeps the others), its token and directory its own by default."""
    merged = {key: value for key, value in values.items() if key not in ("stores", "shared_dir")}
    merged["token_env"] = store_token_env(name)
    merged["experiences_dir"] = str(Path(str(values["experiences_dir"])) / name)
    for key, value in own.items():
        if key in ("policies", "monitor"):
            rules = {rule: dict(setting or {}) for rule, setting in (values.get(key) or {}).items()}
            for rule, setting in (value or {}).items():
                rules[rule] = {**rules.get(rule, {}), **(setting or {})}
            merged[key] = rules
        else:
            merged[key] = value
    return merged


def _store_located(name: str, located: Mapping[JsonPath, Position]) -> dict[JsonPath, Position]:
    """Where each of a store's settings is written: under the store when it sets it, else at the top."""
    prefix = ("stores", name)
    own = {path[2:]: position for path, position in located.items() if path[:2] == prefix and len(path) > 2}
    return {**{path: position for path, position in located.items() if path[:1] != ("stores",)}, **own}


def _account(
    name: str,
    values: Mapping[str, Any],
    directory: Path,
    source: Path | None,
    located: Mapping[JsonPath, Position],
) -> AccountConfig:
    monitor = _monitor_rules(values["monitor"])
    policies = _policies(values["policies"], monitor, source, located)
    runtime, gate = policies[MAX_RUNTIME], policies[END_GATE]
    return AccountConfig(
        name=name,
        api_url=_relative_to(str(values["api_url"]), directory),
        token_env=str(values["token_env"]),
        experiences_dir=directory / str(values["experiences_dir"]),
        timeout=float(values["timeout"]),
        create_hold_off=float(values["create_hold_off"]),
        # The max-runtime policy is also a monitor finding, with the same threshold; the end-gate's evidence
        # is what monitor's due soon weighs a scheduled end by.
        monitor=dataclasses.replace(
            monitor,
            max_runtime_days=None if runtime.level == "off" else float(runtime.options["max_days"]),
            end_evidence=None if gate.level == "off" else EndEvidence(**gate.options),
        ),
        policies=policies,
        shared=None if values.get("shared") is None else tuple(values["shared"]),
    )


MAX_RUNTIME = "max-runtime"
END_GATE = "end-gate"
# The one option a policy takes from elsewhere: end-gate judges a sample-ratio mismatch as monitor does.
SRM_P_VALUE = "srm_p_value"


def _policies(
    given: Mapping[str, Any], monitor: MonitorRules, source: Path | None, located: Mapping[JsonPath, Position]
) -> dict[str, PolicySetting]:
    """Every built-in rule's setting over its defaults from the schema, then the other rules igops.yaml
    names (a plug-in's), as given (a level of warn unless it says otherwise)."""
    built_in = load_schema(CONFIG_SCHEMA)["properties"]["policies"]["properties"]
    settings = {}
    for name in [*built_in, *(name for name in given if name not in built_in)]:
        values = {**built_in.get(name, {}).get("default", {"level": "warn"}), **(given.get(name) or {})}
        if name == END_GATE:
            values[SRM_P_VALUE] = monitor.srm_p_value
        position = located.get(("policies", name))
        where = f"{source}:{position.line}:{position.column}" if source and position else ""
        level = str(values.pop("level"))
        settings[name] = PolicySetting(level, values, where)
    return settings


def _monitor_rules(given: Mapping[str, Any]) -> MonitorRules:
    """igops.yaml's `monitor`, each rule's settings over the schema's defaults for that rule."""
    defaults = schema_defaults(CONFIG_SCHEMA)["monitor"]
    rule = {name: {**defaults[name], **(given.get(name) or {})} for name in defaults}
    srm, collapse, milestones, due_soon = (
        rule[name] for name in ("sample_ratio_mismatch", "conversion_collapse", "milestones", "due_soon")
    )
    return MonitorRules(
        sample_ratio_mismatch=bool(srm["enabled"]),
        srm_p_value=float(srm["p_value"]),
        conversion_collapse=bool(collapse["enabled"]),
        collapse_drop=float(collapse["drop"]),
        collapse_min_control_orders=int(collapse["min_control_orders"]),
        milestones=bool(milestones["enabled"]),
        milestone_days=tuple(sorted(int(days) for days in milestones["days"])),
        due_soon=bool(due_soon["enabled"]),
        due_soon_hours=float(due_soon["hours"]),
    )


def _relative_to(api_url: str, directory: Path) -> str:
    """A sandbox state file named in igops.yaml lives beside it, like every path the file names."""
    state = api_url.removeprefix(SANDBOX_SCHEME).strip()
    if not api_url.startswith(SANDBOX_SCHEME) or not state:
        return api_url
    return SANDBOX_SCHEME + str(directory / state)


DEFAULT_PROJECT = _project(schema_defaults(CONFIG_SCHEMA), Path(), None)


def missing_experiences_dir(project: ProjectConfig, account: AccountConfig | None = None) -> str | None:
    """Why the experiences directory (of `account`, default the project's first) cannot be read, in one
    sentence naming where it was set; None when it is a directory."""
    directory = (account or project.account).experiences_dir
    if directory.is_dir():
        return None
    if project.has_stores:
        name = (account or project.account).name
        return (
            f"The experiences directory {directory} of the store {name} does not exist (stores.{name}."
            f"experiences_dir in {project.source}, by default the store's name in experiences_dir): create "
            "it, or fix experiences_dir."
        )
    if project.source is not None:
        return (
            f"The experiences directory {directory} does not exist (experiences_dir in "
            f"{project.source}): create it, or fix experiences_dir."
        )
    return (
        f"There is no directory {directory.absolute()} for the experience files, and no {CONFIG_FILE} in "
        f"{Path.cwd()} or any directory above it to name another: run igops init to start a project "
        "here, or run igops in your project."
    )


# A name: letters, digits and underscores. A token: a long run of letters mixed with digits.
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN_LIKE = re.compile(r"(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{16,}")


def token_env_problem(name: str) -> str | None:
    """Why `name` is not the name of an environment variable, never repeating it: it may be the token."""
    if not _ENV_NAME.fullmatch(name):
        return (
            "is not the name of an environment variable (its value is not shown: it may be the token): "
            + _NAME_IT
        )
    if _TOKEN_LIKE.search(name):
        return (
            "looks like an API token, not the name of an environment variable (its value is not shown): "
            + _NAME_IT
        )
    return None


# The token is sent as an HTTP header value: visible ASCII, nothing else.
_TOKEN_CHARACTERS = re.compile(r"[\x21-\x7e]+")

_NAME_IT = (
    "keep the token out of files, export it in an environment variable and name that variable here, "
    "such as INTELLIGEMS_API_TOKEN."
)


def api_url_problem(url: str) -> str | None:
    """Why `url` cannot be the API's address, in a sentence naming the bad part; None when it can."""
    flaw = _url_flaw(url)
    if flaw is None:
        return None
    shown = "this URL (not shown: it may hold a password)" if "@" in url else repr(url)
    return f"{shown} is not a usable API URL: {flaw}."


def _url_flaw(url: str) -> str | None:
    if url.startswith(SANDBOX_SCHEME):
        return None
    if not url.startswith(("http://", "https://")):
        return "it is neither an http(s) URL nor sandbox:[STATE_FILE]"
    if any(character.isspace() for character in url):
        return "it contains white space"
    if not url.isprintable():
        return "it contains a control character (such as an escape) or a bidi control"
    try:
        parts = urlsplit(url)
    except ValueError:  # the one structural error urlsplit raises: an unbalanced IPv6 bracket
        return "its host has an unclosed [ (an IPv6 address is written [::1])"
    if "@" in parts.netloc:
        return "it carries a user name or password, which igops never sends: remove the part before @"
    if not parts.hostname:
        return f"it has no host: write it as {parts.scheme}://HOST[:PORT]"
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        port = -1
    if port is not None and not 0 < port < 65536:
        return f"its port {parts.netloc.rpartition(':')[2]!r} is not a number from 1 to 65535"
    if parts.query or parts.fragment:
        return "it has a query (?...) or fragment (#...), which a base URL cannot have"
    return None


def normalize_api_url(url: str) -> str:
    """The API's root as the client wants it: the version igops adds is dropped when it is given too,
    so that the URL `igops sandbox serve` prints works as it is."""
    if url.startswith(SANDBOX_SCHEME):
        return url
    return url.rstrip("/").removesuffix(API_PREFIX).rstrip("/")


_CHECKS = {"api_url": api_url_problem, "token_env": token_env_problem}


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know before it starts: the project, the account it works on, the
    API, the token, the timeout."""

    api_url: str
    token: Secret
    project: ProjectConfig = DEFAULT_PROJECT
    timeout: float = DEFAULT_PROJECT.account.timeout
    sandbox_scenario: Path | None = None  # the emulator's scenario file, for sandbox: URLs
    # The store these settings are for (None: the project's first, the only one without stores).
    store: AccountConfig | None = None

    @property
    def account(self) -> AccountConfig:
        return self.store or self.project.account

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
        timeout: float | None = None,
        store: AccountConfig | None = None,
    ) -> Settings:
        """The flag first, then the environment, then igops.yaml (`project`, its `store` when given)."""
        env = os.environ if environ is None else environ
        account = store or project.account
        api_url, source = _api_url(api, env, project, account)
        problem = api_url_problem(api_url)
        if problem is not None:
            raise ConfigError(f"{source}: {problem}")
        token = env.get(account.token_env, "").strip()
        if token and not _TOKEN_CHARACTERS.fullmatch(token):
            raise ConfigError(
                f"{account.token_env} holds a character an API key never has (its value is not shown: it is "
                "the token): a key is letters, digits and punctuation, without spaces, line breaks or "
                "accents; copy it again from the Intelligems dashboard."
            )
        if not token:
            if not api_url.startswith(SANDBOX_SCHEME):
                raise ConfigError(
                    f"{account.token_env} is not set: export your Intelligems API key in it, "
                    "or use --api sandbox: to work against the built-in emulator."
                )
            token = SANDBOX_DEFAULT_TOKEN
        scenario = env.get(SCENARIO_ENV, "").strip()
        return cls(
            api_url=normalize_api_url(api_url),
            token=Secret(token),
            project=project,
            timeout=account.timeout if timeout is None else timeout,
            sandbox_scenario=Path(scenario) if scenario else None,
            store=store,
        )


def _api_url(
    api: str | None, env: Mapping[str, str], project: ProjectConfig, account: AccountConfig
) -> tuple[str, str]:
    """The API URL and where it comes from: --api, else IGOPS_API_URL, else igops.yaml (blank: not given)."""
    for value, source in ((api, "--api"), (env.get(API_URL_ENV), API_URL_ENV)):
        if value and value.strip():
            return value.strip(), source
    setting = f"stores.{account.name}.api_url" if project.has_stores else "api_url"
    return account.api_url.strip(), f"{setting} in {project.source or CONFIG_FILE}"
