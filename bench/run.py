"""igops against the rate limits: calls, 429s, wall time and its ratio to the floor, plus CPU.

Starts `igops sandbox serve` with the documented limits time-scaled (--rate-scale) and a simulated
latency, and measures igops's own engine over HTTP:

- one account of N experiences, for each N: plan, cold (no refresh cache) and warm (cache, nothing
  changed; cache with 5% changed live); apply of a mixed plan (10% creates, 10% updates, 5% lifecycle
  actions); the naive strategy on the same account: GET every live experience, PUT every managed one;
- several stores in one repository (10 of 100 experiences; 3 of 50 with --quick), each its own account,
  token and emulator process: the cold and warm plans of every store side by side, as `igops plan` makes
  them (open_stores, run_stores, Session.plan, in-process), then of each store alone, one after another.

For each: API calls by kind, 429s, wall time and the floor (the least time the documented limits allow
for those calls: max(0, k - burst) / refill rate per bucket, the slowest bucket deciding; and the same
with refills in whole steps, as the API documents them and the emulator does them), in real seconds (the
scaled run's times multiplied by the scale), and the ratio of the wall time to the step floor. Side by
side, the floor is the slowest store's, from its own calls; the ratio must stay at or below 1.15, and the
sum of the stores planned alone is printed beside it.

Every measured run has emulators of their own, started for it with --refills-from-first-call: each bucket
full, its first refill a whole interval after its first call, as the floor has it. (An emulator counting
from its start refills early for a run that begins later, and the run beats the floor: ten emulators take
seconds to start.) What a run needs done first (the account seeded, the refresh cache filled, an edit made
live, the plan to apply) is done in-process without limits, and not measured.

The scale multiplies igops's own CPU time with the rest, so it is honest only where that CPU is a small
share of the scaled run: each run's CPU (igops's process, as spent) is printed with that share. One
account runs at 10x, --quick too (--quick once ran at 60x, where its worst ratio, 1.29 at N = 200, was
CPU, not pacing). The stores' cold plans run at 5x, because their CPU adds up on one core (a plan of
1,000 experiences costs about 2 s). Warm plans read little, so their CPU is much of their time: they run
unscaled (20x made a warm plan of 1,000 with 5% moved look 66% over its floor, 10x 40%).

Side by side, the time from the last answer to the end (the plans made) is printed too, and the
emulators' CPU: ten emulator processes on two cores do not set the pace, they answer within their
latency. The time over the floor is igops's own, multiplied by the scale: the clients made one after
another before the first calls, each refill's probe and margin (a fixed 50 ms), the plans made after the
last answer.

Then CPU only: a plan of 1,000 experiences in-process with no latency and no limits (seconds, peak
memory) and validating 1,000 files. Prints tables and writes bench/results/latest.json. Linux: the
emulators' CPU is read from /proc.

    python bench/run.py --quick          # N = 50, 200 and 3 stores of 50; about two minutes
    python bench/run.py                  # N = 50, 200, 1,000 and 10 stores of 100; about ten minutes
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock

import httpx

import igops.engine.connect
from igops.api import DOCUMENTED_RATES, Group, IntelligemsClient, Secret
from igops.config import API_URL_ENV
from igops.engine import Project, Session, Stores, open_stores, run_stores
from igops.engine.apply import apply_plan
from igops.engine.operations import store_cache_path
from igops.engine.pipeline import make_plan
from igops.engine.refresh import RefreshCache
from igops.files import check_text, load_experiences
from igops.files.yamldoc import dump
from igops.model import DesiredExperience, Plan
from igops.normalize import canonical_desired, create_payload, update_payload
from igops.sandbox import Sandbox, SandboxConfig

TOKEN = "bench-token"
RESULTS = Path(__file__).resolve().parent / "results"
EXAMPLES = Path(__file__).resolve().parents[1] / "experiences"
PAGE = 100  # the list page size igops asks for
DETAIL = re.compile(r"/experiences/[0-9a-f-]{36}$")
# Planned side by side, the stores must take at most this much longer than the slowest one's floor.
RATIO_LIMIT = 1.15
# A warm plan reads little, so igops's CPU is much of its time, which a scale would multiply: it runs
# unscaled (it waits for a refill only at N = 1,000 with 5% moved, 30 s).
UNSCALED = 1.0


@dataclass
class Measure:
    scenario: str
    n: int
    scale: float  # the limits time-scaled this many times
    calls: dict[str, int]
    throttled: int
    wall: float  # real seconds (scaled run's seconds times the scale)
    floor: float  # real seconds, continuous refill
    step_floor: float  # real seconds, refills in whole steps
    cpu: float  # igops's CPU seconds in the run, as spent (not scaled)
    cpu_share: float  # of the scaled run's wall time
    notes: str = ""

    @property
    def ratio(self) -> float | None:
        """Wall against the step floor: the emulator, like the API, refills in whole steps."""
        return self.wall / self.step_floor if self.step_floor > 0 else None


@dataclass
class Recorder:
    """What igops sent, as the transport saw it."""

    requests: list[tuple[str, str, int]] = field(default_factory=list)
    last_answer: float = math.nan  # time.monotonic() when the last answer came

    def kinds(self) -> Counter[str]:
        counted: Counter[str] = Counter()
        for method, path, _ in self.requests:
            counted[_kind(method, path)] += 1
        return counted

    def throttled(self) -> int:
        return sum(1 for _, _, status in self.requests if status == 429)


def _kind(method: str, path: str) -> str:
    if path.endswith("/experiences-list"):
        return "list"
    if "/actions/" in path:
        return "action"
    if method == "PUT":
        return "put"
    if method == "POST":
        return "create"
    return "get" if DETAIL.search(path) else "other"


class CountingTransport(httpx.AsyncBaseTransport):
    def __init__(self, recorder: Recorder) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._recorder = recorder

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        self._recorder.requests.append((request.method, request.url.path, response.status_code))
        self._recorder.last_answer = time.monotonic()
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def _by_bucket(kinds: Counter[str]) -> dict[Group, int]:
    return {
        Group.EXPERIENCES: sum(count for kind, count in kinds.items() if kind != "put"),
        Group.UPDATES: kinds["put"],
    }


def floor_seconds(kinds: Counter[str]) -> float:
    """The least real time the documented limits allow for these calls (each bucket starts full),
    refilling continuously: max(0, k - burst) / refill rate, the slowest bucket deciding."""
    return max(DOCUMENTED_RATES[group].floor_seconds(calls) for group, calls in _by_bucket(kinds).items())


def step_floor_seconds(kinds: Counter[str]) -> float:
    """The same, with refills in whole steps ("25 every 30 s"), as the API documents them and the
    emulator does them: a call beyond the burst waits for a whole refill."""
    return max(
        math.ceil(max(0, calls - DOCUMENTED_RATES[group].burst) / DOCUMENTED_RATES[group].refill)
        * DOCUMENTED_RATES[group].interval
        for group, calls in _by_bucket(kinds).items()
    )


@dataclass
class Timing:
    scale: float
    wall: float = math.nan  # real seconds
    cpu: float = math.nan  # igops's CPU seconds, as spent
    ended: float = math.nan  # time.monotonic() at the end

    @property
    def cpu_share(self) -> float:
        """igops's CPU against the scaled run's wall time: what the scale multiplies that it should not."""
        return self.cpu * self.scale / self.wall


@contextmanager
def timed(scale: float) -> Iterator[Timing]:
    timing = Timing(scale)
    cpu = _own_cpu()
    started = time.monotonic()
    yield timing
    timing.ended = time.monotonic()
    timing.wall = (timing.ended - started) * scale
    timing.cpu = _own_cpu() - cpu


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# The accounts and the files.


def _document(
    n: int, templates: Sequence[DesiredExperience], description: str = "Before", status: str | None = None
) -> dict[str, Any]:
    template = templates[n % len(templates)]
    status = status or ("started" if template.status in ("started", "paused", "ended") else "draft")
    return {**template.body, "name": f"Bench {n:05d}", "description": description, "status": status}


def _templates() -> list[DesiredExperience]:
    return list(load_experiences([EXAMPLES]).experiences)


def _desired(documents: dict[str, dict[str, Any]], directory: Path) -> list[DesiredExperience]:
    loaded = []
    for key, document in documents.items():
        result = check_text(dump(document), directory / f"{key}.yaml")
        assert result.experience is not None, [str(error) for error in result.errors]
        loaded.append(result.experience)
    return loaded


def unlimited(state: Path, work: Callable[[IntelligemsClient], Awaitable[Any]], token: str = TOKEN) -> Any:
    """`work` against the account in-process, with no limits and no latency: what a scenario needs done
    first (the account seeded, the refresh cache filled, an edit made live), not measured."""
    sandbox = Sandbox(SandboxConfig(token=token, state_path=state, rate_limits=False))

    async def session() -> Any:
        async with _in_process(sandbox, token) as client:
            return await work(client)

    try:
        return asyncio.run(session())
    finally:
        sandbox.close()


def seed(state: Path, n: int, token: str = TOKEN) -> dict[str, dict[str, Any]]:
    """N experiences in the account (created and started as igops would), their files' documents."""
    templates = _templates()
    documents = {f"bench-{index:05d}": _document(index, templates) for index in range(n)}

    async def create_all(client: IntelligemsClient) -> None:
        async def one(document: dict[str, Any]) -> None:
            body = {key: value for key, value in document.items() if key != "status"}
            created = await client.create_experience(create_payload(canonical_desired(body)))
            if document["status"] == "started":
                await client.act(str(created["id"]), "start")

        await asyncio.gather(*(one(document) for document in documents.values()))

    unlimited(state, create_all, token)
    return documents


def _in_process(sandbox: Sandbox, token: str = TOKEN) -> IntelligemsClient:
    return IntelligemsClient(Secret(token), "http://sandbox", transport=sandbox.transport())


@dataclass(frozen=True)
class Served:
    url: str
    pid: int


@contextmanager
def emulators(accounts: Sequence[tuple[Path, str]], scale: float, latency_ms: int) -> Iterator[list[Served]]:
    """`igops sandbox serve` for each account (its state file and token) on a free port, all started at
    once. Each bucket is full and its first refill comes a whole interval after its first call, as the
    floor has it, however long the others took to start."""
    # The latency is real time: in a run `scale` times faster it is `scale` times shorter.
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "igops",
                "sandbox",
                "serve",
                "--port",
                "0",
                "--state",
                str(state),
                "--token",
                token,
                "--rate-scale",
                str(scale),
                "--refills-from-first-call",
                "--latency-ms",
                str(round(latency_ms / scale)),
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        for state, token in accounts
    ]
    try:
        served = []
        for process in processes:
            assert process.stderr is not None
            line = process.stderr.readline()
            found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
            if found is None:
                raise RuntimeError(f"the emulator did not start: {line}{process.stderr.read()}")
            served.append(Served(f"http://127.0.0.1:{found.group(1)}", process.pid))
        yield served
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def emulators_cpu(served: Sequence[Served]) -> float:
    """The CPU seconds the emulators have spent so far (Linux's /proc/PID/stat: utime and stime)."""
    ticks = 0
    for one in served:
        fields = Path(f"/proc/{one.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# One account.


def _measured(
    url: str,
    scale: float,
    scenario: str,
    n: int,
    work: Callable[[IntelligemsClient], Awaitable[Any]],
) -> tuple[Measure, Any]:
    recorder = Recorder()

    async def session() -> Any:
        async with IntelligemsClient(Secret(TOKEN), url, transport=CountingTransport(recorder)) as client:
            return await work(client)

    with timed(scale) as timing:
        result = asyncio.run(session())
    kinds = recorder.kinds()
    measure = Measure(
        scenario,
        n,
        scale,
        dict(sorted(kinds.items())),
        recorder.throttled(),
        timing.wall,
        floor_seconds(kinds),
        step_floor_seconds(kinds),
        timing.cpu,
        timing.cpu_share,
    )
    return measure, result


async def _plan_into_cache(
    client: IntelligemsClient, desired: Sequence[DesiredExperience], cache: Path
) -> Plan:
    return await make_plan(client, desired, cache=RefreshCache.load(cache))


async def _edit_live(client: IntelligemsClient, documents: dict[str, dict[str, Any]], share: float) -> None:
    """Someone edits `share` of the experiences in the dashboard: their lastUpdateTs moves."""
    names = {document["name"] for document in list(documents.values())[: max(1, int(len(documents) * share))]}
    for item in await client.list_experiences():
        if item["name"] in names:
            live = await client.get_experience(str(item["id"]))
            edited = {**_file_body(documents, live["name"]), "description": "Edited live"}
            await client.update_experience(str(item["id"]), update_payload(canonical_desired(edited), live))


def _file_body(documents: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    document = next(document for document in documents.values() if document["name"] == name)
    return {key: value for key, value in document.items() if key != "status"}


def _mixed(documents: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The files for the mixed apply: 10% new, 10% edited, 5% of the started ones paused."""
    n = len(documents)
    templates = _templates()
    mixed = dict(documents)
    keys = list(documents)
    for key in keys[: n // 10]:
        mixed[key] = {**documents[key], "description": "After"}
    started = [key for key in keys[n // 10 :] if documents[key]["status"] == "started"]
    for key in started[: n // 20]:
        mixed[key] = {**documents[key], "status": "paused"}
    for index in range(n, n + n // 10):
        mixed[f"bench-{index:05d}"] = _document(index, templates)
    return mixed


def run_n(n: int, scale: float, latency_ms: int, directory: Path) -> list[Measure]:
    state = directory / f"account-{n}.db"
    documents = seed(state, n)
    desired = _desired(documents, directory)
    cache = directory / f"cache-{n}.json"

    def fresh(
        scenario: str, work: Callable[[IntelligemsClient], Awaitable[Any]], at: float = scale
    ) -> tuple[Measure, Any]:
        """`work` measured against an emulator of its own, started for it, at the scale `at`."""
        with emulators([(state, TOKEN)], at, latency_ms) as (served,):
            return _measured(served.url, at, scenario, n, work)

    cold, plan = fresh("plan, cold", lambda client: make_plan(client, desired))
    assert not plan.has_changes and not plan.errors, "the seeded account matches its files"
    unlimited(state, lambda client: _plan_into_cache(client, desired, cache))
    warm, _ = fresh(
        "plan, warm (cache, nothing changed)",
        lambda client: _plan_into_cache(client, desired, cache),
        UNSCALED,
    )
    unlimited(state, lambda client: _edit_live(client, documents, 0.05))
    moved, _ = fresh(
        "plan, warm (cache, 5% changed live)",
        lambda client: _plan_into_cache(client, desired, cache),
        UNSCALED,
    )
    mixed = _desired(_mixed(documents), directory)
    mixed_plan: Plan = unlimited(state, lambda client: make_plan(client, mixed))
    applied, report = fresh(
        "apply (10% create, 10% update, 5% pause)", lambda client: apply_plan(client, mixed_plan)
    )
    assert report.ok, [result for result in report.results if result.outcome != "done"]
    if n > NAIVE_RUN_LIMIT:
        naive = _naive_floor(n, mixed)
    else:
        naive, _ = fresh(NAIVE, lambda client: _naive(client, mixed))
    return [cold, warm, moved, applied, naive]


NAIVE = "naive: GET every live, PUT every managed"
# The naive strategy's PUTs take the update bucket's floor (about 6 s each beyond 10): past this
# many experiences its run would dominate the benchmark, so only its floor is given.
NAIVE_RUN_LIMIT = 50


def _naive_floor(n: int, desired: Sequence[DesiredExperience]) -> Measure:
    """The naive strategy not run: its floor from the calls it would make."""
    kinds = Counter({"list": math.ceil(n / PAGE), "get": n + n // 10, "put": len(desired)})
    return Measure(
        NAIVE,
        n,
        math.nan,
        dict(sorted(kinds.items())),
        0,
        math.nan,
        floor_seconds(kinds),
        step_floor_seconds(kinds),
        math.nan,
        math.nan,
        "not run: its floor from the calls it would make",
    )


async def _naive(client: IntelligemsClient, desired: Sequence[DesiredExperience]) -> None:
    by_name = {experience.name: experience for experience in desired}
    items = await client.list_experiences()
    lives = await asyncio.gather(*(client.get_experience(str(item["id"])) for item in items))
    await asyncio.gather(
        *(
            client.update_experience(
                str(live["id"]), update_payload(canonical_desired(by_name[live["name"]].body), live)
            )
            for live in lives
            if live["name"] in by_name and live["status"] != "ended"
        )
    )


# Several stores.


@dataclass(frozen=True)
class BenchStore:
    name: str
    state: Path  # its account
    token: str

    @property
    def token_env(self) -> str:
        return f"BENCH_TOKEN_{self.name.upper()}"


@dataclass
class StoresMeasure:
    scenario: str
    stores: int
    n: int  # experiences per store
    scale: float  # the limits time-scaled this many times
    calls: dict[str, int]  # the stores' together
    throttled: int
    wall: float  # real seconds: every store planned side by side
    step_floor: float  # real seconds: the slowest store's floor in steps, from its own calls
    slowest_alone: float  # real seconds: the longest of the stores planned alone
    sequential: float  # real seconds: the stores planned alone, one after another
    # Real seconds side by side from the last answer to the end: igops's own work (the plans made), which
    # the scale multiplies with the rest.
    after_last_answer: float
    cpu: float  # igops's CPU seconds side by side, as spent (not scaled)
    cpu_share: float  # of the scaled run's wall time
    emulators_cpu: float  # the emulators' CPU seconds side by side, as spent

    @property
    def ratio(self) -> float | None:
        return self.wall / self.step_floor if self.step_floor > 0 else None


@dataclass
class StoresRun:
    timing: Timing
    recorders: dict[str, Recorder]  # by API URL
    emulators_cpu: float


def stores_repository(count: int, n: int, directory: Path) -> tuple[Path, list[BenchStore]]:
    """`count` accounts of N experiences each, seeded, and a repository with each one's files."""
    repository = directory / f"stores-{count}x{n}"
    stores = []
    for index in range(1, count + 1):
        store = BenchStore(
            f"store{index:02d}", directory / f"store{index:02d}-account.db", f"bench-store{index}"
        )
        files = repository / "experiences" / store.name
        files.mkdir(parents=True)
        for key, document in seed(store.state, n, store.token).items():
            (files / f"{key}.yaml").write_text(dump(document))
        os.environ[store.token_env] = store.token
        stores.append(store)
    return repository, stores


def _open(repository: Path, stores: Sequence[BenchStore], served: Sequence[Served]) -> Stores:
    """The stores opened as `igops plan` opens them, from an igops.yaml naming each one's emulator and
    token variable."""
    settings = {
        store.name: {"api_url": one.url, "token_env": store.token_env}
        for store, one in zip(stores, served, strict=True)
    }
    (repository / "igops.yaml").write_text(dump({"stores": settings}))
    opened = open_stores(directory=repository)
    assert not opened.failed, [failure.failure for failure in opened.failed]
    return opened


class _CountedClient(IntelligemsClient):
    """igops's client with a transport that records its requests, in the recorder of its API URL."""

    recorders: ClassVar[dict[str, Recorder]] = {}

    def __init__(self, token: Secret, base_url: str, **options: Any) -> None:
        super().__init__(token, base_url, transport=CountingTransport(self.recorders[base_url]), **options)


@contextmanager
def counting(recorders: dict[str, Recorder]) -> Iterator[None]:
    """The engine makes each store's client (engine/connect.py): here each one counts its requests."""
    _CountedClient.recorders = recorders
    with mock.patch.object(igops.engine.connect, "IntelligemsClient", _CountedClient):
        yield


def _plan_stores(stores: Stores, served: Sequence[Served], scale: float, cache: Path | None) -> StoresRun:
    """Every store's plan, side by side, as `igops plan` makes them; each must find nothing to change."""
    recorders = {one.url: Recorder() for one in served}

    async def plan(session: Session, project: Project) -> Plan:
        return await session.plan(project, cache_path=cache)

    with counting(recorders):
        emulated = emulators_cpu(served)
        with timed(scale) as timing:
            outcomes = run_stores(stores, plan)
        emulated = emulators_cpu(served) - emulated
    for outcome in outcomes.outcomes:
        assert outcome.value is not None, outcome.failure
        assert not outcome.value.has_changes and not outcome.value.errors, (
            "the seeded accounts match their files"
        )
    return StoresRun(timing, recorders, emulated)


def measure_stores(
    scenario: str,
    repository: Path,
    stores: Sequence[BenchStore],
    n: int,
    scale: float,
    latency_ms: int,
    cache: Path | None,
) -> StoresMeasure:
    """The stores planned side by side, then each alone, one after another: each time against emulators
    started for it, so that every bucket is full and refills a whole interval after its first call."""
    accounts = [(store.state, store.token) for store in stores]
    with emulators(accounts, scale, latency_ms) as served:
        side = _plan_stores(_open(repository, stores, served), served, scale, cache)
    with emulators(accounts, scale, latency_ms) as served:
        opened = _open(repository, stores, served)
        alone = [_plan_stores(opened.only({store.name}), served, scale, cache) for store in stores]
    kinds = [recorder.kinds() for recorder in side.recorders.values()]
    return StoresMeasure(
        scenario,
        len(stores),
        n,
        scale,
        dict(sorted(sum(kinds, Counter[str]()).items())),
        sum(recorder.throttled() for recorder in side.recorders.values()),
        side.timing.wall,
        max(step_floor_seconds(counted) for counted in kinds),
        max(run.timing.wall for run in alone),
        sum(run.timing.wall for run in alone),
        (side.timing.ended - max(recorder.last_answer for recorder in side.recorders.values())) * scale,
        side.timing.cpu,
        side.timing.cpu_share,
        side.emulators_cpu,
    )


def run_several(count: int, n: int, scale: float, latency_ms: int, directory: Path) -> list[StoresMeasure]:
    """Cold plans of `count` stores of N experiences, then warm ones (each store's refresh cache, nothing
    changed)."""
    # Each store's API URL is its igops.yaml entry's: IGOPS_API_URL would send every store to one place.
    os.environ.pop(API_URL_ENV, None)
    repository, stores = stores_repository(count, n, directory)
    cold = measure_stores("plan, cold", repository, stores, n, scale, latency_ms, None)
    cache = repository / "refresh.json"
    states = {store.name: store for store in stores}
    for project in open_stores(directory=repository).projects:
        store = states[project.settings.account.name]
        unlimited(
            store.state,
            partial(_plan_into_cache, desired=project.desired, cache=store_cache_path(cache, store.name)),
            store.token,
        )
    warm = measure_stores(
        "plan, warm (cache, nothing changed)", repository, stores, n, UNSCALED, latency_ms, cache
    )
    return [cold, warm]


# CPU only.


def _cpu_plan(n: int, queue: Any) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        state = directory / "account.db"
        documents = seed(state, n)
        # Every tenth file edited, so that the diff runs where experiences differ.
        edited = {
            key: {**document, "description": "After"} if index % 10 == 0 else document
            for index, (key, document) in enumerate(documents.items())
        }
        desired = _desired(edited, directory)
        sandbox = Sandbox(SandboxConfig(token=TOKEN, state_path=state, rate_limits=False))
        cache = directory / "cache.json"

        async def plan(cached: bool) -> Plan:
            async with _in_process(sandbox) as client:
                return await make_plan(client, desired, cache=RefreshCache.load(cache) if cached else None)

        figures: dict[str, float] = {"n": n}
        for label, cached in (("cold", False), ("warm", True)):
            if cached:
                asyncio.run(plan(True))  # fills the cache
            with timed(1.0) as timing:
                asyncio.run(plan(cached))
            figures[f"{label}_wall"] = timing.wall
            figures[f"{label}_cpu"] = timing.cpu
        figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        queue.put(figures)


def cpu_plan(n: int) -> dict[str, float]:
    """In a child process, so that its peak memory is its own."""
    queue: Any = multiprocessing.Queue()
    child = multiprocessing.Process(target=_cpu_plan, args=(n, queue))
    child.start()
    result: dict[str, float] = queue.get(timeout=1800)
    child.join()
    return result


def validate_files(count: int) -> float:
    templates = _templates()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        for index in range(count):
            (directory / f"file-{index:05d}.yaml").write_text(dump(_document(index, templates)))
        started = time.perf_counter()
        result = load_experiences([directory])
        elapsed = time.perf_counter() - started
        assert not result.errors
        return elapsed


# Output.


def _seconds(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2f}"


def _cpu(cpu: float, share: float) -> str:
    return "-" if math.isnan(cpu) else f"{cpu:.2f} ({share:.0%})"


def _scale(scale: float) -> str:
    return "-" if math.isnan(scale) else f"{scale:g}x"


def table(measures: Sequence[Measure]) -> str:
    rows = [
        "| N | scenario | scale | calls | 429s | wall (s) | floor (s), continuous / in steps | wall/floor "
        "| igops CPU (s, share) |",
        "| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for measure in measures:
        calls = ", ".join(f"{kind} {count}" for kind, count in measure.calls.items())
        scenario = f"{measure.scenario} ({measure.notes})" if measure.notes else measure.scenario
        rows.append(
            f"| {measure.n} | {scenario} | {_scale(measure.scale)} | {calls} | {measure.throttled} | "
            f"{_seconds(measure.wall)} | "
            f"{measure.floor:.0f} / {measure.step_floor:.0f} | {_ratio(measure.ratio)} | "
            f"{_cpu(measure.cpu, measure.cpu_share)} |"
        )
    return "\n".join(rows)


def _holds(measure: StoresMeasure) -> bool | None:
    return None if measure.ratio is None else measure.ratio <= RATIO_LIMIT


def stores_table(measures: Sequence[StoresMeasure]) -> str:
    rows = [
        "| stores x N | scenario | scale | calls (all stores) | 429s | side by side (s) "
        f"| slowest store's floor in steps (s) | wall/floor (<= {RATIO_LIMIT}) "
        "| alone: slowest / one after another (s) | after the last answer (s) | igops CPU (s, share) "
        "| emulators' CPU (s) |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for measure in measures:
        calls = ", ".join(f"{kind} {count}" for kind, count in measure.calls.items())
        holds = {None: "", True: ", holds", False: ", DOES NOT HOLD"}[_holds(measure)]
        rows.append(
            f"| {measure.stores} x {measure.n} | {measure.scenario} | {_scale(measure.scale)} | {calls} | "
            f"{measure.throttled} | "
            f"{measure.wall:.1f} | {measure.step_floor:.0f} | {_ratio(measure.ratio)}{holds} | "
            f"{measure.slowest_alone:.1f} / {measure.sequential:.1f} | {measure.after_last_answer:.1f} | "
            f"{_cpu(measure.cpu, measure.cpu_share)} | {measure.emulators_cpu:.2f} |"
        )
    return "\n".join(rows)


def _shape(text: str) -> tuple[int, int]:
    """COUNTxN: that many stores of N experiences each."""
    found = re.fullmatch(r"(\d+)x(\d+)", text)
    if found is None or min(int(found.group(1)), int(found.group(2))) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not COUNTxN, such as 10x100")
    return int(found.group(1)), int(found.group(2))


def _nan_as_null(value: Any) -> Any:
    """What was not measured (NaN) as JSON's null: NaN is no JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _nan_as_null(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nan_as_null(item) for item in value]
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="N = 50 and 200, 3 stores of 50; about two minutes"
    )
    parser.add_argument("--sizes", type=int, nargs="+", help="the N to measure (default 50 200 1000)")
    parser.add_argument(
        "--rate-scale", type=float, default=10.0, help="buckets refill this many times faster (default 10)"
    )
    parser.add_argument(
        "--stores",
        type=_shape,
        help="COUNTxN: stores planned side by side (default 10x100; 3x50 with --quick)",
    )
    parser.add_argument(
        "--stores-rate-scale", type=float, default=5.0, help="the scale of the stores' cold plans (default 5)"
    )
    parser.add_argument("--latency-ms", type=int, default=80, help="the emulator's answer delay")
    parser.add_argument("--cpu-n", type=int, default=1000, help="experiences in the CPU-only plan")
    options = parser.parse_args()
    # The machine may be shared: the load before and after says whether the figures were taken under load.
    load = [os.getloadavg()[0]]
    sizes = options.sizes or ([50, 200] if options.quick else [50, 200, 1000])
    count, per_store = options.stores or ((3, 50) if options.quick else (10, 100))
    measures: list[Measure] = []
    with tempfile.TemporaryDirectory() as temporary:
        for n in sizes:
            measures += run_n(n, options.rate_scale, options.latency_ms, Path(temporary))
            print(table([m for m in measures if m.n == n]).split("\n", 2)[-1], flush=True)
        several = run_several(
            count, per_store, options.stores_rate_scale, options.latency_ms, Path(temporary)
        )
    cpu = cpu_plan(200 if options.quick else options.cpu_n)
    validation = validate_files(1000)
    load.append(os.getloadavg()[0])
    print()
    print(
        f"Rate limits time-scaled as the scale says, latency {options.latency_ms} ms; times in real seconds "
        "(the scaled run's times multiplied by the scale); igops's CPU as spent, and its share of the scaled "
        "run."
    )
    print(table(measures))
    print()
    print(
        f"{count} stores of {per_store} experiences, each its own account, token and emulator: planned side "
        "by side (igops's engine, as igops plan does), and each alone, one after another."
    )
    print(stores_table(several))
    print()
    print(
        f"CPU only, plan of {cpu['n']:.0f} experiences (10% differing) in-process, no latency, no limits: "
        f"cold {cpu['cold_wall']:.2f} s wall, {cpu['cold_cpu']:.2f} s CPU; warm (refresh cache) "
        f"{cpu['warm_wall']:.2f} s wall, {cpu['warm_cpu']:.2f} s CPU; peak {cpu['peak_mb']:.0f} MB "
        f"(the emulator included). Validate of 1,000 files: {validation:.2f} s."
    )
    print(
        f"Load average (1 minute) before and after, on {os.cpu_count()} cores: {load[0]:.2f}, {load[1]:.2f}."
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(
        json.dumps(
            _nan_as_null(
                {
                    "quick": options.quick,
                    "cores": os.cpu_count(),
                    "load_average_before_after": load,
                    "rate_scale": options.rate_scale,
                    "latency_ms": options.latency_ms,
                    "page_size": PAGE,
                    "measures": [asdict(measure) | {"ratio": measure.ratio} for measure in measures],
                    "stores": {
                        "rate_scale": options.stores_rate_scale,
                        "ratio_limit": RATIO_LIMIT,
                        "measures": [
                            asdict(measure) | {"ratio": measure.ratio, "holds": _holds(measure)}
                            for measure in several
                        ],
                    },
                    "cpu_plan": cpu,
                    "validate_1000_seconds": validation,
                }
            ),
            indent=2,
            allow_nan=False,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
