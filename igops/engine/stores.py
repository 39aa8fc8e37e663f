"""Several stores in one repository: each store's project opened on its own, and the stores' work run side
by side.

Each store is its own Intelligems account, with its own token, client and rate-limit buckets, so the stores
are planned concurrently: twenty stores take about as long as the slowest one, not the sum. A store that
cannot be opened (its token missing, its files invalid) or whose work fails is one failure naming it; the
others carry on, and the command reports all of them.

    stores = open_stores(api=None, names=["us"])
    plans = run_stores(stores, lambda session, project: session.plan(project))
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from igops.config import ConfigError, ProjectConfig, Settings, load_project_config
from igops.engine.account_state import AccountStateError, holding_account
from igops.engine.connect import open_client
from igops.engine.errors import EngineError
from igops.engine.operations import InvalidFiles, Project, Session, failure_sentence, store_experiences
from igops.engine.pipeline import keys_of
from igops.errors import IgopsError
from igops.model import DesiredExperience, StoreOutcome, StoreOutcomes
from igops.sandbox import StateFileError

log = logging.getLogger("igops")
T = TypeVar("T")


@dataclass(frozen=True)
class Stores:
    """The stores a command works on: those that opened, and why the others could not."""

    config: ProjectConfig
    projects: tuple[Project, ...]
    failed: tuple[StoreOutcome[Any], ...] = ()

    def only(self, names: Collection[str]) -> Stores:
        """These stores of the ones that opened, and no failures: what a next step works on."""
        return Stores(self.config, tuple(p for p in self.projects if p.settings.account.name in names))


@contextlib.contextmanager
def holding_stores(stores: Stores) -> Iterator[None]:
    """Every store held for one apply, from before its plan to its last change (account_state): another
    apply of any of them on this machine is refused at once, naming it."""
    with contextlib.ExitStack() as held:
        for project in stores.projects:
            try:
                held.enter_context(holding_account(project.settings.api_url, project.settings.account.name))
            except AccountStateError as exc:
                raise EngineError(f"store {project.settings.account.name}: {exc}") from None
        yield


def open_stores(
    api: str | None = None,
    directory: Path = Path(),
    *,
    names: Sequence[str] = (),
    timeout: float | None = None,
) -> Stores:
    """igops.yaml and each chosen store's settings and files (`names`: every store when empty).

    A repository without stores is one store, opened as open_project opens it: any problem raises, as
    always. With stores, a problem of igops.yaml or an unknown name raises (EngineError); a store whose token
    or files have a problem is a failure of that store alone."""
    try:
        config = load_project_config(directory)
        accounts = config.chosen(names)
    except ConfigError as exc:  # InvalidConfig included
        raise EngineError(str(exc)) from None
    projects: list[Project] = []
    failed: list[StoreOutcome[Any]] = []
    for account in accounts:
        try:
            # The files first: in a directory that is no project, that is what to say, not a missing token.
            desired = store_experiences(config, account)
            project = Project(Settings.resolve(api, project=config, timeout=timeout, store=account), desired)
            # Built now, so that a policy naming no rule stops the store before it reads its account.
            project.rule_book.in_force()
        except (ConfigError, EngineError, InvalidFiles) as exc:
            if not config.has_stores:
                raise exc if not isinstance(exc, ConfigError) else EngineError(str(exc)) from None
            failed.append(StoreOutcome(account.name, failure=_store_failure(account.name, exc)))
            continue
        projects.append(project)
    return Stores(config, tuple(projects), tuple(failed))


def _store_failure(store: str, problem: Exception) -> str:
    """`store us: WHY`, and each of its files' problems on a line of its own."""
    located = problem.result.errors if isinstance(problem, InvalidFiles) else ()
    return "\n".join([f"store {store}: {problem}", *(f"Error: {error}" for error in located)])


def run_stores(stores: Stores, work: Callable[[Session, Project], Awaitable[T]]) -> StoreOutcomes[T]:
    """`work` for every store that opened, all at once, each in a session of its own (its client, token and
    rate limits); a store whose work fails is a failure naming it, the others go on. Every store, in
    igops.yaml's order: those that did not open with why."""

    async def one(project: Project) -> StoreOutcome[T]:
        name = project.settings.account.name
        try:
            async with open_client(project.settings) as client:
                value = await work(Session(project.settings, client), project)
        except (IgopsError, StateFileError) as exc:
            log.info("store %s failed: %s", name, exc)
            return StoreOutcome(name, failure=f"store {name}: {failure_sentence(exc)}")
        return StoreOutcome(name, value=value)

    async def every() -> list[StoreOutcome[T]]:
        return list(await asyncio.gather(*(one(project) for project in stores.projects)))

    outcomes = [*asyncio.run(every()), *stores.failed]
    order = {account.name: index for index, account in enumerate(stores.config.accounts)}
    return StoreOutcomes(tuple(sorted(outcomes, key=lambda outcome: order[outcome.store])))


def with_targets(stores: Stores, targets: Sequence[str]) -> tuple[Stores, dict[str, tuple[str, ...]]]:
    """The stores that have a file `targets` names (a key or a file's path), and each one's targets;
    EngineError naming a target no chosen store has. No targets: every store, each with none."""
    if not targets:
        return stores, {project.settings.account.name: () for project in stores.projects}
    chosen: dict[str, tuple[str, ...]] = {}
    for project in stores.projects:
        keys = {experience.key for experience in project.desired}
        mine = tuple(key for key in keys_of(project.desired, targets) if key in keys)
        if mine:
            chosen[project.settings.account.name] = mine
    found = {key for keys in chosen.values() for key in keys}
    for target in targets:
        if not any(key in found for key in keys_of(_all_desired(stores), [target])):
            raise EngineError(
                f"--target {target}: no experience file of that key or path in the stores "
                f"{', '.join(project.settings.account.name for project in stores.projects)}."
            )
    projects = tuple(project for project in stores.projects if project.settings.account.name in chosen)
    return Stores(stores.config, projects, stores.failed), chosen


def _all_desired(stores: Stores) -> list[DesiredExperience]:
    return [experience for project in stores.projects for experience in project.desired]
