"""igops against the rate limits: calls, 429s, wall time and its ratio to the floor, plus CPU.

Starts `igops sandbox serve` with the documented limits time-scaled (--rate-scale) and a
simulated latency, seeds it with N experiences, and for each N measures, with igops's own
engine over HTTP:

- plan, cold (no refresh cache) and warm (cache, nothing changed; cache with 5% changed live);
- apply of a mixed plan (10% creates, 10% updates, 5% lifecycle actions);
- the naive strategy on the same account: GET every live experience, PUT every managed one.

For each: API calls by kind, 429s, wall time and the floor (the least time the documented
limits allow for those calls: max(0, k - burst) / refill rate per bucket, the slowest bucket
deciding; and the same with refills in whole steps, as the API documents them and the emulator
does them), in real seconds (the scaled run's times multiplied by the scale), and the ratio of
the wall time to the step floor. Then CPU only: a plan of 1,000 experiences in-process with no
latency and no limits (seconds, peak memory) and validating 1,000 files. Prints a table and writes
bench/results/latest.json.

    python bench/run.py --quick          # N = 50, 200; about a minute
    python bench/run.py                  # N = 50, 200, 1,000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
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
from pathlib import Path
from typing import Any

import httpx

from igops.api import DOCUMENTED_RATES, Group, IntelligemsClient, Secret
from igops.engine.apply import apply_plan
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


@dataclass
class Measure:
    scenario: str
    n: int
    calls: dict[str, int]
    throttled: int
    wall: float  # real seconds (scaled run's seconds times the scale)
    floor: float  # real seconds, continuous refill
    step_floor: float  # real seconds, refills in whole steps
    notes: str = ""

    @property
    def ratio(self) -> float | None:
        """Wall against the step floor: the emulator, like the API, refills in whole steps."""
        return self.wall / self.step_floor if self.step_floor > 0 else None


@dataclass
class Recorder:
    """What igops sent, as the transport saw it."""

    requests: list[tuple[str, str, int]] = field(default_factory=list)

    def kinds(self) -> Counter[str]:
        counted: Counter[str] = Counter()
        for method, path, _ in self.requests:
            counted[_kind(method, path)] += 1
        return counted


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


# The account and the files.


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


def seed(state: Path, n: int) -> dict[str, dict[str, Any]]:
    """N experiences in the account (created and started as igops would), their files' documents."""
    templates = _templates()
    documents = {f"bench-{index:05d}": _document(index, templates) for index in range(n)}
    sandbox = Sandbox(SandboxConfig(token=TOKEN, state_path=state, rate_limits=False))

    async def create_all() -> None:
        async with _in_process(sandbox) as client:

            async def one(document: dict[str, Any]) -> None:
                body = {key: value for key, value in document.items() if key != "status"}
                created = await client.create_experience(create_payload(canonical_desired(body)))
                if document["status"] == "started":
                    await client.act(str(created["id"]), "start")

            await asyncio.gather(*(one(document) for document in documents.values()))

    asyncio.run(create_all())
    return documents


def _in_process(sandbox: Sandbox) -> IntelligemsClient:
    return IntelligemsClient(Secret(TOKEN), "http://sandbox", transport=sandbox.transport())


@contextmanager
def emulator(state: Path, scale: float, latency_ms: int, limits: bool = True) -> Iterator[str]:
    """`igops sandbox serve` on a free port; its base URL."""
    # The latency is real time: in a run `scale` times faster it is `scale` times shorter.
    command = [
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
        TOKEN,
        "--rate-scale",
        str(scale),
        "--latency-ms",
        str(round(latency_ms / scale)),
    ]
    if not limits:
        command.append("--no-rate-limit")
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if found is None:
            raise RuntimeError(f"the emulator did not start: {line}{process.stderr.read()}")
        yield f"http://127.0.0.1:{found.group(1)}"
    finally:
        process.terminate()
        process.wait(timeout=30)


# The scenarios.


def _measured(
    url: str,
    scale: float,
    scenario: str,
    n: int,
    work: Callable[[IntelligemsClient], Awaitable[Any]],
    notes: str = "",
) -> tuple[Measure, Any]:
    recorder = Recorder()

    async def session() -> Any:
        transport = CountingTransport(recorder)
        async with IntelligemsClient(Secret(TOKEN), url, transport=transport) as client:
            return await work(client)

    started = time.monotonic()
    result = asyncio.run(session())
    wall = (time.monotonic() - started) * scale
    kinds = recorder.kinds()
    throttled = sum(1 for _, _, status in recorder.requests if status == 429)
    measure = Measure(
        scenario,
        n,
        dict(sorted(kinds.items())),
        throttled,
        wall,
        floor_seconds(kinds),
        step_floor_seconds(kinds),
        notes,
    )
    return measure, result


def _refill(scale: float) -> None:
    """Wait until every bucket is full again, so that each scenario starts alike."""
    time.sleep(
        max(rate.interval * math.ceil(rate.burst / rate.refill) for rate in DOCUMENTED_RATES.values()) / scale
        + 0.2
    )


def _changed_live(url: str, documents: dict[str, dict[str, Any]], share: float) -> None:
    """Someone edits `share` of the experiences in the dashboard: their lastUpdateTs moves."""
    names = {document["name"] for document in list(documents.values())[: max(1, int(len(documents) * share))]}

    async def edit(client: IntelligemsClient) -> None:
        for item in await client.list_experiences():
            if item["name"] in names:
                live = await client.get_experience(str(item["id"]))
                edited = {**_file_body(documents, live["name"]), "description": "Edited live"}
                payload = update_payload(canonical_desired(edited), live)
                await client.update_experience(str(item["id"]), payload)

    asyncio.run(_client_session(url, edit))


def _file_body(documents: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    document = next(document for document in documents.values() if document["name"] == name)
    return {key: value for key, value in document.items() if key != "status"}


async def _client_session(url: str, work: Callable[[IntelligemsClient], Awaitable[Any]]) -> Any:
    async with IntelligemsClient(Secret(TOKEN), url) as client:
        return await work(client)


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
    state = directory / f"account-{n}.json"
    documents = seed(state, n)
    desired = _desired(documents, directory)
    cache = directory / f"cache-{n}.json"
    measures = []
    with emulator(state, scale, latency_ms) as url:
        cold, plan = _measured(url, scale, "plan, cold", n, lambda client: make_plan(client, desired))
        assert not plan.has_changes and not plan.errors, "the seeded account matches its files"
        measures.append(cold)
        _refill(scale)
        asyncio.run(
            _client_session(url, lambda client: make_plan(client, desired, cache=RefreshCache.load(cache)))
        )
        _refill(scale)
        warm, _ = _measured(
            url,
            scale,
            "plan, warm (cache, nothing changed)",
            n,
            lambda client: make_plan(client, desired, cache=RefreshCache.load(cache)),
        )
        measures.append(warm)
        _changed_live(url, documents, 0.05)
        _refill(scale)
        moved, _ = _measured(
            url,
            scale,
            "plan, warm (cache, 5% changed live)",
            n,
            lambda client: make_plan(client, desired, cache=RefreshCache.load(cache)),
        )
        measures.append(moved)
        mixed = _desired(_mixed(documents), directory)
        _refill(scale)
        mixed_plan: Plan = asyncio.run(_client_session(url, lambda client: make_plan(client, mixed)))
        _refill(scale)
        applied, report = _measured(
            url,
            scale,
            "apply (10% create, 10% update, 5% pause)",
            n,
            lambda client: apply_plan(client, mixed_plan),
        )
        assert report.ok, [result for result in report.results if result.outcome != "done"]
        measures.append(applied)
        measures.append(_naive_measure(url, scale, n, mixed))
    return measures


NAIVE = "naive: GET every live, PUT every managed"
# The naive strategy's PUTs take the update bucket's floor (about 6 s each beyond 10): past this
# many experiences its run would dominate the benchmark, so only its floor is given.
NAIVE_RUN_LIMIT = 50


def _naive_measure(url: str, scale: float, n: int, desired: Sequence[DesiredExperience]) -> Measure:
    if n > NAIVE_RUN_LIMIT:
        managed = len(desired)
        kinds = Counter({"list": math.ceil(n / PAGE), "get": n + n // 10, "put": managed})
        return Measure(
            NAIVE,
            n,
            dict(sorted(kinds.items())),
            0,
            math.nan,
            floor_seconds(kinds),
            step_floor_seconds(kinds),
            "not run: its floor from the calls it would make",
        )
    _refill(scale)
    return _measured(url, scale, NAIVE, n, lambda client: _naive(client, desired))[0]


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


# CPU only.


def _cpu_plan(n: int, queue: Any) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        state = directory / "account.json"
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
            before = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            asyncio.run(plan(cached))
            figures[f"{label}_wall"] = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_SELF)
            figures[f"{label}_cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
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


def table(measures: Sequence[Measure]) -> str:
    rows = [
        "| N | scenario | calls | 429s | wall (s) | floor (s), continuous / in steps | wall/floor |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for measure in measures:
        calls = ", ".join(f"{kind} {count}" for kind, count in measure.calls.items())
        ratio = f"{measure.ratio:.2f}" if measure.ratio is not None and not math.isnan(measure.ratio) else "-"
        wall = "-" if math.isnan(measure.wall) else f"{measure.wall:.0f}"
        scenario = f"{measure.scenario} ({measure.notes})" if measure.notes else measure.scenario
        rows.append(
            f"| {measure.n} | {scenario} | {calls} | {measure.throttled} | {wall} | "
            f"{measure.floor:.0f} / {measure.step_floor:.0f} | {ratio} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 50 and 200 only, under a minute")
    parser.add_argument("--sizes", type=int, nargs="+", help="the N to measure (default 50 200 1000)")
    parser.add_argument(
        "--rate-scale", type=float, help="buckets refill this many times faster (default 20; 60 with --quick)"
    )
    parser.add_argument("--latency-ms", type=int, default=80, help="the emulator's answer delay")
    parser.add_argument("--cpu-n", type=int, default=1000, help="experiences in the CPU-only plan")
    options = parser.parse_args()
    sizes = options.sizes or ([50, 200] if options.quick else [50, 200, 1000])
    options.rate_scale = options.rate_scale or (60.0 if options.quick else 20.0)
    measures: list[Measure] = []
    with tempfile.TemporaryDirectory() as temporary:
        for n in sizes:
            measures += run_n(n, options.rate_scale, options.latency_ms, Path(temporary))
            print(table([m for m in measures if m.n == n]).split("\n", 2)[-1], flush=True)
    cpu = cpu_plan(200 if options.quick else options.cpu_n)
    validation = validate_files(1000)
    print()
    print(
        f"Rate limits time-scaled {options.rate_scale:g}x, latency {options.latency_ms} ms; times in real "
        "seconds (the scaled run's times multiplied by the scale)."
    )
    print(table(measures))
    print()
    print(
        f"CPU only, plan of {cpu['n']:.0f} experiences (10% differing) in-process, no latency, no limits: "
        f"cold {cpu['cold_wall']:.2f} s wall, {cpu['cold_cpu']:.2f} s CPU; warm (refresh cache) "
        f"{cpu['warm_wall']:.2f} s wall, {cpu['warm_cpu']:.2f} s CPU; peak {cpu['peak_mb']:.0f} MB "
        f"(the emulator included). Validate of 1,000 files: {validation:.2f} s."
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(
        json.dumps(
            {
                "rate_scale": options.rate_scale,
                "latency_ms": options.latency_ms,
                "page_size": PAGE,
                "measures": [asdict(measure) | {"ratio": measure.ratio} for measure in measures],
                "cpu_plan": cpu,
                "validate_1000_seconds": validation,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
