"""The engine's entry point: what a command, a CI step or a Python program runs.

Given the settings and the experience files it plans (fresh, or from a saved plan that is
checked for staleness), enforces the plan's safety rails and applies. The commands only parse
options, prompt, render and choose exit codes; everything they ask of the account goes
through here, so this is the one place that opens the API client (or the emulator) and turns
their failures into `EngineError` sentences.

    project = open_project(api=None)
    plan = run(project.settings, lambda session: session.plan(project))
    report = run(project.settings, lambda session: session.apply(plan))

Each phase is logged on the `igops` logger (quiet unless a handler is configured: the CLI's
`-v` shows it).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from igops.analytics import (
    SITEWIDE_DEFAULT_DAYS,
    DateError,
    MonitorReport,
    MonitorRules,
    Report,
    SitewideFigures,
    Window,
    parse_window,
    recent_window,
)
from igops.api import IntelligemsClient, Waiting
from igops.atomic import write_atomically
from igops.config import (
    AccountConfig,
    ConfigError,
    InvalidConfig,
    ProjectConfig,
    Settings,
    load_project_config,
    missing_experiences_dir,
)
from igops.documents.plan import store_plans_from_document
from igops.engine.account_state import CreateJournal, holding_account
from igops.engine.adopting import ADOPTABLE, Adoption, adopt
from igops.engine.apply import Creates, StepObserver, apply_plan, paced_floor_seconds
from igops.engine.calendar import gather, merged_calendars
from igops.engine.connect import open_client
from igops.engine.errors import EngineError
from igops.engine.importing import ImportPlan, checked_on_disk, file_document, managing_files, plan_import
from igops.engine.pipeline import files_hash, keys_of, make_drift, make_plan, read_drift
from igops.engine.refresh import RefreshCache
from igops.engine.reporting import ReportError, read_monitor, read_report, read_sitewide
from igops.engine.reviewed import review_differences
from igops.engine.rules import PlanInputs, RuleBook, assess, raise_if_unsafe, reassessed, rule_book
from igops.engine.rules.freeze import FREEZE
from igops.engine.saved_plan import (
    MAX_SAVED_PLAN_BYTES,
    SavedPlanError,
    read_saved_plan,
    save_plan,
    save_store_plans,
    saved_stores,
    stale_reasons,
)
from igops.errors import IgopsError
from igops.files import FileError, LoadResult, load_experiences, load_store_experiences, shared_file_keys
from igops.files.at_commit import CommitError, CommitFiles, experiences_at, store_experiences_at
from igops.files.bounded import BoundedReadError, read_bounded
from igops.files.discovery import FILE_START
from igops.files.targets import write_problem
from igops.files.writer import experience_text, project_schema
from igops.model import (
    ApplyReport,
    Calendar,
    DesiredExperience,
    DriftReport,
    Plan,
    Risk,
    StoreOutcome,
    StoreOutcomes,
    StorePlans,
)
from igops.sandbox import StateFileError
from igops.text import ended

log = logging.getLogger("igops")
T = TypeVar("T")


class InvalidFiles(EngineError):
    """The experience files have problems; `result` holds every one, located."""

    def __init__(self, result: LoadResult) -> None:
        super().__init__(f"{len(result.errors)} problem(s) in the experience files.")
        self.result = result


@dataclass(frozen=True)
class Project:
    """A repository's settings and its experience files, all valid."""

    settings: Settings
    desired: tuple[DesiredExperience, ...]

    @functools.cached_property
    def rule_book(self) -> RuleBook:
        """The policies igops.yaml sets, with every rule installed."""
        return rule_book(self.settings.account.policies)


def open_settings(
    api: str | None = None,
    directory: Path = Path(),
    *,
    timeout: float | None = None,
    store_names: Sequence[str] = (),
) -> Settings:
    """igops.yaml and the API settings, for work on one account that needs no experience files; EngineError
    on a problem. With stores, `store_names` must name one of them.

    `api` and `timeout` (seconds per request) override the environment and igops.yaml."""
    try:
        config = load_project_config(directory)
        accounts = config.chosen(store_names)
        if config.has_stores and len(accounts) != 1:
            raise ConfigError(
                f"this command works on one store, and {config.source} has several: name it with --store "
                f"(one of {', '.join(account.name for account in config.accounts)})."
            )
        return Settings.resolve(api, project=config, timeout=timeout, store=accounts[0])
    except ConfigError as exc:
        raise EngineError(str(exc)) from None


def account_files(settings: Settings) -> LoadResult:
    """The experience files of the settings' account (its store's, with stores), as validate checks them;
    a missing directory is one error among them, as a command that can do without files wants."""
    return _store_files(settings.project, settings.account)


def open_project(
    api: str | None = None, directory: Path = Path(), *, timeout: float | None = None
) -> Project:
    """igops.yaml, the API settings and the experience files of `directory`; EngineError on any problem.

    `api` and `timeout` (seconds per request) override the environment and igops.yaml."""
    settings = open_settings(api, directory, timeout=timeout)
    project = Project(settings, _valid_experiences(settings.project))
    # Built now, so that a policy naming no rule, or a plug-in that fails to load, stops the command early.
    log.info("%d policies in force", len(project.rule_book.in_force()))
    return project


@dataclass(frozen=True)
class Files:
    """igops.yaml and the experience files it governs, all valid: what a command that reads no account
    works from."""

    config: ProjectConfig
    # Each chosen store's files, by store (the one account's, named DEFAULT_ACCOUNT, without stores).
    stores: Mapping[str, tuple[DesiredExperience, ...]]


def open_files(directory: Path = Path(), names: Sequence[str] = ()) -> Files:
    """igops.yaml governing `directory` and the experience files of the stores `names` chooses (every
    store when empty), without the API settings: needs no token. InvalidFiles (every problem, located) or
    EngineError on a problem."""
    try:
        config = load_project_config(directory)
        accounts = config.chosen(names)
    except ConfigError as exc:
        raise EngineError(str(exc)) from None
    return Files(config, {account.name: store_experiences(config, account) for account in accounts})


def experience_keys(directory: Path = Path(), names: Sequence[str] = ()) -> tuple[str, ...]:
    """The keys of the experience files the igops.yaml governing `directory` plans (of the stores `names`
    chooses, every store when empty), sorted: what shell completion offers. None without an igops.yaml, and
    none on any problem in it or in the files: completion runs at every Tab, and must never fail loudly."""
    try:
        files = open_files(directory, names)
    except (EngineError, OSError):
        return ()
    if files.config.source is None:
        return ()
    return tuple(
        sorted({experience.key for experiences in files.stores.values() for experience in experiences})
    )


def _valid_experiences(config: ProjectConfig) -> tuple[DesiredExperience, ...]:
    return store_experiences(config, config.account)


def store_experiences(config: ProjectConfig, account: AccountConfig) -> tuple[DesiredExperience, ...]:
    """The experience files `account` (a store, or the repository's one account) plans, all valid:
    EngineError when its directory is missing, InvalidFiles (every problem, located) when any has one."""
    missing = missing_experiences_dir(config, account)
    if missing is not None:
        raise EngineError(missing)
    unknown = _unknown_shared_keys(config, account)
    if unknown is not None:
        raise EngineError(unknown)
    loaded = _store_files(config, account)
    if loaded.errors:
        raise InvalidFiles(loaded)
    log.info("%d experience files in %s", len(loaded.experiences), account.experiences_dir)
    return loaded.experiences


def _store_files(config: ProjectConfig, account: AccountConfig) -> LoadResult:
    """The files of the store: its own, and with stores the shared ones it plans with its overrides."""
    if not config.has_stores:
        return load_experiences([account.experiences_dir])
    return load_store_experiences(
        account.experiences_dir, config.shared_dir, account.shared, account.overrides_dir
    )


def _unknown_shared_keys(config: ProjectConfig, account: AccountConfig) -> str | None:
    """Why the store's `shared` list names a key no shared file has, in one sentence; None if none."""
    unknown = sorted(set(account.shared or ()) - shared_file_keys(config.shared_dir))
    if not unknown:
        return None
    return (
        f"stores.{account.name}.shared in {config.source} names {', '.join(unknown)}, which "
        f"{'is' if len(unknown) == 1 else 'are'} no file in the shared directory {config.shared_dir}: "
        "fix the key, or add the file."
    )


def calendar_of(files: Files, now: float, *, past: bool = False) -> Calendar:
    """The files' scheduled starts and ends and igops.yaml's freeze windows at or after `now` (Unix
    seconds), the windows not over by then, in time order; with `past`, those before it too. With stores,
    each entry names its store (`us/KEY`, `BFCM (us)`), but a window every chosen store has is one entry."""
    accounts = {account.name: account for account in files.config.accounts}
    calendars = {
        store: gather(
            desired,
            accounts[store].policies[FREEZE.name].options["windows"],
            now,
            past=past,
            windows_path=files.config.source,
        )
        for store, desired in files.stores.items()
    }
    if not files.config.has_stores:
        return next(iter(calendars.values()))
    return merged_calendars(calendars, now, past=past)


def validate(paths: Sequence[Path], directory: Path = Path()) -> LoadResult:
    """Check the files under `paths`, or under the experiences directory igops.yaml names (every store's
    files, with stores: its own and the shared ones it plans, with its overrides). EngineError when there
    is neither igops.yaml nor an experiences directory."""
    return _validated(paths, directory)[0]


@dataclass(frozen=True)
class Checked:
    """What `igops validate` reports: the files' problems and the findings of the policies that judge files
    alone, and igops.yaml's notes."""

    result: LoadResult
    risks: tuple[Risk, ...]
    notes: tuple[str, ...] = ()


def check_files(paths: Sequence[Path], directory: Path = Path(), names: Sequence[str] = ()) -> Checked:
    """validate, and the offline policies over the files that load, at the current time: each store's
    policies over its own files, with stores. EngineError when igops.yaml or a rule plug-in cannot be used."""
    result, per_store = _validated(paths, directory, names)
    try:
        config = load_project_config(directory)
        accounts = config.chosen(names)
    except ConfigError as exc:
        raise EngineError(str(exc)) from None
    if not config.has_stores or paths:
        return Checked(
            result, offline_findings(result.experiences, rule_book(config.account.policies)), config.notes
        )
    risks: dict[Risk, None] = {}
    for account, loaded in zip(accounts, per_store, strict=True):
        for risk in offline_findings(loaded.experiences, rule_book(account.policies)):
            risks[dataclasses.replace(risk, message=f"store {account.name}: {risk.message}")] = None
    return Checked(result, tuple(risks), config.notes)


def _validated(
    paths: Sequence[Path], directory: Path, names: Sequence[str] = ()
) -> tuple[LoadResult, list[LoadResult]]:
    """The files checked as one, and each store's on its own (none given `paths`, or when igops.yaml cannot
    be read). EngineError when there is neither igops.yaml nor an experiences directory: nothing to check."""
    if paths:
        return load_experiences(paths), []
    try:
        config = load_project_config(directory)
    except InvalidConfig as exc:
        return LoadResult(experiences=(), errors=tuple(exc.errors), files=(exc.errors[0].file,)), []
    results = []
    try:
        accounts = config.chosen(names)
    except ConfigError:  # check_files says which
        accounts = ()
    for account in accounts:
        problem = missing_experiences_dir(config, account) or _unknown_shared_keys(config, account)
        if problem is None:
            results.append(_store_files(config, account))
        elif config.source is None:
            raise EngineError(problem)
        else:
            # igops.yaml is at fault, and is no experience file checked.
            results.append(LoadResult((), (FileError(config.source, FILE_START, (), problem),), ()))
    return _together(results), results


def _together(results: Sequence[LoadResult]) -> LoadResult:
    """The stores' files checked as one: a shared file each store plans, and its problems, counted once."""
    if len(results) == 1:
        return results[0]
    errors = dict.fromkeys(error for result in results for error in result.errors)
    return LoadResult(
        experiences=tuple(experience for result in results for experience in result.experiences),
        errors=tuple(sorted(errors, key=FileError.sort_key)),
        files=tuple(dict.fromkeys(path for result in results for path in result.files)),
    )


@dataclass(frozen=True)
class Policies:
    """The rules in force as igops.yaml (`source`, None without one) sets them, and its notes (old keys
    still read)."""

    book: RuleBook
    source: Path | None
    notes: tuple[str, ...] = ()


def policies_by_store(directory: Path = Path(), names: Sequence[str] = ()) -> StoreOutcomes[Policies] | None:
    """With stores, the policies of each chosen store (its own laid over igops.yaml's), with every rule
    installed; None without stores (open_policies). EngineError as open_policies."""
    try:
        config = load_project_config(directory)
        accounts = config.chosen(names)
    except ConfigError as exc:
        raise EngineError(str(exc)) from None
    if not config.has_stores:
        return None
    return StoreOutcomes(
        tuple(
            StoreOutcome(account.name, Policies(rule_book(account.policies), config.source, config.notes))
            for account in accounts
        )
    )


def open_policies(directory: Path = Path()) -> Policies:
    """The policies of the igops.yaml governing `directory`, with every rule installed; EngineError when
    igops.yaml or a rule plug-in cannot be used. Needs no token: it reads no account."""
    try:
        config = load_project_config(directory)
    except InvalidConfig as exc:
        raise EngineError(str(exc)) from None
    return Policies(rule_book(config.account.policies), config.source, config.notes)


def offline_findings(experiences: Sequence[DesiredExperience], book: RuleBook) -> tuple[Risk, ...]:
    """The findings of the policies that judge files alone, over `experiences` as a whole, at the current
    time: what `igops validate` adds to the files' own checks."""
    inputs = PlanInputs(files=tuple(experiences), now=time.time(), offline=True)
    return assess(inputs, book.in_force(offline=True))


def check_writable(path: Path, *, makes_directories: bool = False) -> None:
    """EngineError, one sentence naming `path`, unless igops may write a file there: a regular file or a
    new path, never a link, a directory, a FIFO or a device (igops.files.targets). `makes_directories`:
    the writer creates the missing directories above it."""
    problem = write_problem(path, makes_directories=makes_directories)
    if problem is not None:
        raise EngineError(f"{path} {problem}.")


def write_plan(plan: Plan, settings: Settings, path: Path) -> None:
    """Save `plan` for `apply PLANFILE`, sealed for this API and token."""
    _write(path, save_plan(plan, settings.api_url, settings.token))


def write_store_plans(plans: Sequence[tuple[Plan, Settings]], path: Path) -> None:
    """Save the plans of several stores in one file, each store's sealed for its API and token."""
    _write(path, save_store_plans([(plan, settings.api_url, settings.token) for plan, settings in plans]))


def _write(path: Path, text: str) -> None:
    check_writable(path)
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise EngineError(ended(f"Cannot write {path}: {exc.strerror or exc}")) from None


class Session:
    """One conversation with the account: a client whose pacing all the session's calls share."""

    def __init__(self, settings: Settings, client: IntelligemsClient) -> None:
        self.settings = settings
        self._client = client
        self.applying = False  # apply reports its own progress; a command may want to know

    def waiting(self) -> Waiting | None:
        """The request sent longest ago that has no answer yet, or None: what the session waits for."""
        return self._client.waiting()

    async def plan(
        self,
        project: Project,
        *,
        targets: Sequence[str] = (),
        resend: Sequence[str] = (),
        cache_path: Path | None = None,
        max_changes: int | None = None,
        base: str | None = None,
        now: float | None = None,
        due_only: bool = False,
    ) -> Plan:
        """A fresh plan of the project's files against the account (reads only); with `base` (a git
        commit, read before the account), every change carries its origin against that commit's files.
        `now` is its clock (default: the current time); with `due_only`, it holds only the lifecycle actions
        whose schedule boundary has come."""
        rules = project.rule_book
        if max_changes is not None:
            rules = rules.with_option("max-changes", "max", max_changes)
        try:
            at_base = None if base is None else self._files_at(base)
        except CommitError as exc:
            raise EngineError(str(exc)) from None
        cache = self._cache(cache_path)
        plan = await make_plan(
            self._client,
            project.desired,
            targets=targets,
            cache=cache,
            resend=resend,
            fingerprint=files_hash(project.desired),
            rules=rules,
            base=at_base,
            now=now,
            due_only=due_only,
        )
        return dataclasses.replace(plan, store=self.store)

    def _shared_experiences(self) -> tuple[DesiredExperience, ...]:
        """The experiences the store plans from shared files (none without stores); a shared file with a
        problem is left out, as its store's plan reports it."""
        if not self.settings.project.has_stores:
            return ()
        loaded = _store_files(self.settings.project, self.settings.account)
        return tuple(experience for experience in loaded.experiences if self._is_shared(experience))

    def _shared_files(self, project: Project) -> dict[str, Path]:
        """The keys of the store's experiences from shared files, each with the store's override file."""
        return {
            experience.key: experience.override
            or self.settings.account.overrides_dir / f"{experience.key}.yaml"
            for experience in project.desired
            if self._is_shared(experience)
        }

    def _is_shared(self, experience: DesiredExperience) -> bool:
        """Whether the experience comes from a file in shared_dir, which several stores plan."""
        shared_dir = self.settings.project.shared_dir
        return shared_dir is not None and shared_dir in experience.path.parents

    def _files_at(self, base: str) -> CommitFiles:
        """The account's experience files as the commit `base` has them (a store's: with its shared files)."""
        account, config = self.settings.account, self.settings.project
        if not config.has_stores:
            return experiences_at(base, account.experiences_dir)
        return store_experiences_at(
            base, account.experiences_dir, config.shared_dir, account.shared, account.overrides_dir
        )

    def _cache(self, cache_path: Path | None) -> RefreshCache | None:
        """The refresh cache kept at `cache_path`; each store of a repository keeps its own beside it."""
        if cache_path is None:
            return None
        if self.store is not None:
            cache_path = store_cache_path(cache_path, self.store)
        return RefreshCache.load(cache_path)

    async def saved_plan(self, project: Project, path: Path, now: float | None = None) -> Plan:
        """The plan saved in `path`, once shown intact, for this API, and not stale at the clock `now`
        (default: the current time)."""
        plan = read_plan_file(path, self.settings)
        now = time.time() if now is None else now
        log.info("checking that the saved plan %s is not stale", path)
        reasons = stale_reasons(plan, files_hash(project.desired), await self._client.list_experiences(), now)
        if reasons:
            raise EngineError(
                f"The plan {path} is stale: " + "; ".join(reasons) + ". Make a new one with igops plan --out."
            )
        inputs = PlanInputs(plan.experiences, project.desired, unmanaged=plan.unmanaged, now=now)
        return reassessed(plan, project.rule_book, inputs)

    def differences_from_review(self, plan: Plan, reviewed_path: Path) -> list[str]:
        """Why `plan` does not do what the reviewed plan saved in `reviewed_path` does (none when it does).
        The reviewed plan must be intact and signed with this token; it may come from another address of
        the API (a pull request's job may reach the account another way): what is applied is `plan`, and
        only when it does the same."""
        return review_differences(read_plan_file(reviewed_path, self.settings, any_api=True), plan)

    @contextlib.contextmanager
    def holding_account(self) -> Iterator[None]:
        """The account held by this apply, from before its plan to its last change: another apply on this
        machine is refused at once, naming this one (account_state)."""
        with holding_account(self.settings.api_url, self.store):
            yield

    @property
    def store(self) -> str | None:
        """The store this session works on, when the repository has several (None when it is one)."""
        return self.settings.account.name if self.settings.project.has_stores else None

    async def apply(
        self,
        plan: Plan,
        *,
        force: bool = False,
        keep_going: bool = False,
        stop: asyncio.Event | None = None,
        observe: StepObserver = lambda result: None,
    ) -> ApplyReport:
        """Carry out `plan`; refused (UnsafePlan) when it has risks that need `force`. Creates go through
        the account's create journal."""
        raise_if_unsafe(plan, force=force)
        log.info(
            "applying %d changes to %d experiences",
            sum(len(e.changes) for e in plan.changed),
            len(plan.changed),
        )
        creates = Creates(
            CreateJournal.of_account(self.settings.api_url, self.store),
            hold_off=self.settings.account.create_hold_off,
        )
        self.applying = True
        try:
            return await apply_plan(
                self._client, plan, keep_going=keep_going, stop=stop, observe=observe, creates=creates
            )
        finally:
            self.applying = False

    async def drift(
        self,
        project: Project,
        *,
        targets: Sequence[str] = (),
        cache_path: Path | None = None,
        now: float | None = None,
    ) -> DriftReport:
        """Where the account differs from the project's files at the clock `now` (reads only)."""
        cache = self._cache(cache_path)
        return await make_drift(self._client, project.desired, targets=targets, cache=cache, now=now)

    async def adopt(
        self,
        project: Project,
        *,
        targets: Sequence[str] = (),
        cache_path: Path | None = None,
        now: float | None = None,
    ) -> Adoption:
        """Drift, and each file drift matched to a live experience rewritten to say what the account says
        (in the fields that drifted only): every one written, or none when any does not check out."""
        cache = self._cache(cache_path)
        report, documents = await read_drift(
            self._client, project.desired, targets=targets, cache=cache, now=now
        )
        shared = self._shared_files(project)
        paths = {
            drift.key: Path(drift.path)
            for drift in report.drifted
            if drift.finding in ADOPTABLE and drift.key not in shared
        }
        texts = {}
        for key, path in paths.items():
            try:
                # Bytes decoded as they are: line endings and a byte order mark are the file's, kept.
                texts[key] = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else "it is not UTF-8 text"
                raise EngineError(
                    ended(f"Cannot read {path} to adopt the account's values: {reason}")
                ) from None
        adoption = adopt(report, documents, project.desired, texts, shared)
        if adoption.refused:
            return adoption
        # An experience file may be a link to another inside the directory: it is read, never replaced.
        for file in adoption.adopted:
            check_writable(file.path)
        for file in adoption.adopted:
            try:
                write_atomically(file.path, file.text)
            except OSError as exc:
                raise EngineError(ended(f"Cannot write {file.path}: {exc.strerror or exc}")) from None
        return adoption

    async def show(self, reference: str, desired: Sequence[DesiredExperience] = ()) -> str:
        """A live experience as its experience file would say it: by file key (the experience that
        file manages), by id, or by exact name."""
        items = await self._client.list_experiences()
        found = _find_live(reference, desired, items)
        if found is None:
            raise EngineError(
                f"{reference!r} is no experience file's key, and no live experience has that "
                "id or name: see igops plan for both."
            )
        live = await self._client.get_experience(found)
        # Its schema line is the one `import` would write: from the file that manages it, else from
        # the experiences directory.
        current = managing_files(desired)(live)
        directory = current.path.parent if current is not None else self.settings.account.experiences_dir
        return experience_text(file_document(live), directory, project_schema(self.settings.project.root))

    async def import_experiences(
        self, references: Sequence[str], directory: Path, *, import_all: bool = False, overwrite: bool = False
    ) -> ImportPlan:
        """Write a file per chosen live experience (an id, a name, or the key of a file in `directory`)
        into `directory`, or for every one with `import_all`. Nothing is written when any file cannot be
        (importing.checked_on_disk), or would be overwritten without `overwrite`, or when a file or
        directory in `directory` cannot be read (it may hold one of them)."""
        # A directory not there yet holds nothing; one that cannot be read might hold anything.
        found = load_experiences([directory])
        if found.unreadable:
            raise EngineError("\n".join(f"Error: {error}" for error in found.unreadable))
        existing = found.experiences
        items = await self._client.list_experiences()
        chosen = [str(item["id"]) for item in items] if import_all else _chosen(references, existing, items)
        log.info("importing %d experiences into %s", len(chosen), directory)
        documents = await asyncio.gather(
            *(self._client.get_experience(experience_id) for experience_id in dict.fromkeys(chosen))
        )
        decided = checked_on_disk(
            plan_import(
                documents,
                directory,
                existing,
                overwrite=overwrite,
                schema=project_schema(self.settings.project.root),
                shared=self._shared_experiences(),
            ),
            overwrite=overwrite,
        )
        if decided.refused:
            raise EngineError("\n".join(f"Error: {sentence}" for sentence in decided.refused))
        try:
            directory.mkdir(parents=True, exist_ok=True)
            for file in decided.files:
                write_atomically(file.path, file.text)
        except OSError as exc:
            raise EngineError(ended(f"Cannot write into {directory}: {exc.strerror or exc}")) from None
        return decided

    async def report(
        self, project: Project, targets: Sequence[str] = (), start: str | None = None, end: str | None = None
    ) -> Report:
        """Results of the managed experiences that have started (only `targets`, keys or file paths, when
        given: each must have started), over `start` to `end` (dates; None: each one's whole run)."""
        window = analysis_window(start, end)
        try:
            return await read_report(
                self._client,
                project.desired,
                targets=keys_of(project.desired, targets),
                window=window,
                now=time.time(),
            )
        except ReportError as exc:
            raise EngineError(str(exc)) from None

    async def sitewide(self, start: str | None, end: str | None) -> SitewideFigures:
        """Store-wide figures from `start` to `end` (dates, both given), or over the last
        SITEWIDE_DEFAULT_DAYS days up to now when neither is, with the period the API compares them with."""
        now = time.time()
        if start is None and end is None:
            window = recent_window(SITEWIDE_DEFAULT_DAYS, now)
            return await read_sitewide(self._client, window, now=now, recent_days=SITEWIDE_DEFAULT_DAYS)
        return await read_sitewide(self._client, analysis_window(start, end), now=now)

    async def monitor(
        self, project: Project, rules: MonitorRules | None = None, now: float | None = None
    ) -> MonitorReport:
        """The monitoring rules (igops.yaml's, unless `rules` are given) over the managed, running
        experiences, at the clock `now` (default: the current time)."""
        return await read_monitor(
            self._client,
            project.desired,
            rules or self.settings.account.monitor,
            now=time.time() if now is None else now,
        )

    def paced_floor_seconds(self, updates_left: int) -> float:
        """The least time `updates_left` updates can still take under the update rate limit."""
        return paced_floor_seconds(self._client, updates_left)


def store_cache_path(path: Path, store: str) -> Path:
    """Where a store's refresh cache is kept when `--refresh-cache` names `path`: beside it, by store name
    (refresh.json: refresh.us.json)."""
    return path.with_name(f"{path.stem}.{store}{path.suffix}")


def _find_live(
    reference: str, desired: Sequence[DesiredExperience], items: Sequence[Mapping[str, Any]]
) -> str | None:
    """The live id `reference` means: a file key's experience (pinned id, else its name), an id, a name."""
    by_key = {experience.key: experience for experience in desired}
    if reference in by_key:
        experience = by_key[reference]
        reference = experience.id or experience.name
    for item in items:
        if reference in (item.get("id"), item.get("name")):
            return str(item["id"])
    return None


def _chosen(
    references: Sequence[str], desired: Sequence[DesiredExperience], items: Sequence[Mapping[str, Any]]
) -> list[str]:
    found = {reference: _find_live(reference, desired, items) for reference in references}
    unknown = [reference for reference, experience_id in found.items() if experience_id is None]
    if unknown:
        raise EngineError(
            f"{unknown[0]!r} is no experience file's key, and no live experience has that id "
            "or name: igops import --all imports every one."
        )
    return [experience_id for experience_id in found.values() if experience_id is not None]


def analysis_window(start: str | None, end: str | None) -> Window:
    """The date range `start` to `end` as typed (YYYY-MM-DD or ISO 8601); EngineError in one sentence."""
    try:
        return parse_window(start, end)
    except DateError as exc:
        raise EngineError(str(exc)) from None


def read_store_plans(path: Path) -> StorePlans:
    """The plans in a document `igops plan --format json` printed for a repository with stores (not a saved
    plan: it carries no seal, and is only shown); EngineError, in one sentence naming it, if it is none."""
    try:
        text = read_bounded(path, MAX_SAVED_PLAN_BYTES, "a plan document")
    except BoundedReadError as exc:
        raise EngineError(str(exc)) from None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise EngineError(
            f"{path} is not a plan document (not JSON): make one with igops plan --store NAME --format json."
        ) from None
    try:
        return store_plans_from_document(document)
    except ValueError as exc:
        raise EngineError(f"{path}: {exc}") from None


def stores_in_plan_file(path: Path) -> tuple[str, ...]:
    """The stores a saved plan holds a section for: none for a plan of one account."""
    try:
        return saved_stores(read_bounded(path, MAX_SAVED_PLAN_BYTES, "a saved igops plan"), str(path))
    except (BoundedReadError, SavedPlanError) as exc:
        raise EngineError(str(exc)) from None


def read_plan_file(path: Path, settings: Settings, *, any_api: bool = False) -> Plan:
    """A saved plan, shown intact (signed with this token) and made for this API, or for any with `any_api`
    (staleness is apply's to check)."""
    try:
        text = read_bounded(path, MAX_SAVED_PLAN_BYTES, "a saved igops plan")
    except BoundedReadError as exc:
        raise EngineError(str(exc)) from None
    try:
        store = settings.account.name if settings.project.has_stores else None
        return read_saved_plan(text, None if any_api else settings.api_url, settings.token, str(path), store)
    except SavedPlanError as exc:
        raise EngineError(str(exc)) from None


def run(settings: Settings, work: Callable[[Session], Awaitable[T]]) -> T:
    """Run `work` in a session against the settings' account; its failures become EngineError."""

    async def session() -> T:
        async with open_client(settings) as client:
            return await work(Session(settings, client))

    try:
        return asyncio.run(session())
    except EngineError:
        raise
    except (IgopsError, StateFileError) as exc:
        raise EngineError(failure_sentence(exc)) from exc


def failure_sentence(problem: IgopsError | StateFileError) -> str:
    """What went wrong in a session, in the sentence a command prints."""
    if isinstance(problem, StateFileError):
        return f"{problem.path} {problem.reason}: fix the sandbox: URL or move the file away."
    return str(problem)
