"""Several stores in one repository: each store its own account, planned and applied side by side, one
document for all of them, one store's failure never stopping the others."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from support.apply import state_experiences
from support.cli import REPO, igops, work_in
from support.emulator import dashboard_put, new_sandbox, serve_over_http

from igops.cli import cli
from igops.config import load_project_config
from igops.engine.account_state import account_dir, holding_account
from igops.engine.operations import store_cache_path
from igops.sandbox import Sandbox
from igops.schemas import STORE_PLANS_SCHEMA, load_schema

HERO = "homepage-hero-headline"
SHIPPING = "bundle-and-save"
TOKENS = {"us": "us-token-51b0", "eu": "eu-token-9f3a", "uk": "uk-token-0c77"}


def _repository(root: Path, stores: dict[str, str], files: dict[str, list[str]]) -> Path:
    """A repository with `stores` (name: API URL) in igops.yaml and, in each store's directory, copies of
    the example files `files[name]` names."""
    lines = ["stores:"]
    for name, url in stores.items():
        lines += [f"  {name}:", f"    api_url: {json.dumps(url)}"]
        directory = root / "experiences" / name
        directory.mkdir(parents=True)
        for key in files.get(name, []):
            shutil.copy(REPO / "experiences" / f"{key}.yaml", directory / f"{key}.yaml")
    (root / "igops.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.fixture
def emulators() -> Iterator[dict[str, tuple[Sandbox, str]]]:
    """An emulator per store over real HTTP on its own port, each taking only its own token."""
    with ExitStack() as stack:
        served = {}
        for name, token in TOKENS.items():
            sandbox = new_sandbox(token=token)
            served[name] = (sandbox, stack.enter_context(serve_over_http(sandbox)))
        yield served


def _tokens(monkeypatch: pytest.MonkeyPatch, *stores: str) -> None:
    for name in TOKENS:
        monkeypatch.delenv(f"INTELLIGEMS_API_TOKEN_{name.upper()}", raising=False)
    for name in stores:
        monkeypatch.setenv(f"INTELLIGEMS_API_TOKEN_{name.upper()}", TOKENS[name])


def _sandbox_stores(root: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, list[str]]) -> Path:
    """The stores us and eu, each on an emulator state file of its own (which takes the emulator's token),
    as the working directory."""
    _tokens(monkeypatch)
    return work_in(_repository(root, {"us": "sandbox:us.db", "eu": "sandbox:eu.db"}, files), monkeypatch)


def _edit(path: Path, old: str, new: str) -> None:
    """A file changed as its author would: the first `old` in it made `new`."""
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def _names(sandbox: Sandbox) -> list[str]:
    return sorted(experience["name"] for experience in sandbox.experiences())


@pytest.mark.http
def test_two_stores_on_two_emulators_plan_apply_and_then_plan_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulators: dict[str, tuple[Sandbox, str]]
) -> None:
    (us, us_url), (eu, eu_url) = emulators["us"], emulators["eu"]
    work_in(
        _repository(tmp_path, {"us": us_url, "eu": eu_url}, {"us": [HERO], "eu": [SHIPPING]}), monkeypatch
    )
    _tokens(monkeypatch, "us", "eu")

    planned = igops("plan", "--format", "json", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    document = json.loads(planned.output)
    registry: Registry = Registry().with_resource(  # type: ignore[type-arg]
        "plan.schema.json", Resource.from_contents(load_schema("plan.schema.json"))
    )
    Draft202012Validator(load_schema(STORE_PLANS_SCHEMA), registry=registry).validate(document)
    assert set(document["stores"]) == {"us", "eu"} and document["failed"] == []
    assert document["stores"]["us"]["store"] == "us"
    assert [e["key"] for e in document["stores"]["us"]["experiences"]] == [HERO]
    assert [e["key"] for e in document["stores"]["eu"]["experiences"]] == [SHIPPING]
    assert [line["store"] for line in document["summary"]["stores"]] == ["us", "eu"]

    applied = igops("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert f"us: {HERO}: create done" in applied.output
    assert f"eu: {SHIPPING}: create done" in applied.output
    # Each store's experience went to its own account, sent with its own token.
    assert _names(us) == ["Homepage hero headline"]
    assert len(_names(eu)) == 1 and _names(eu) != _names(us)

    again = igops("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert again.output.count("No changes. The account matches the files.") == 2
    assert again.output.rstrip().endswith("2 stores planned: 0 with changes.")


def test_a_store_whose_token_is_missing_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work_in(
        _repository(
            tmp_path,
            {"us": "sandbox:us.db", "eu": "https://eu.invalid"},
            {"us": [HERO], "eu": [SHIPPING]},
        ),
        monkeypatch,
    )
    _tokens(monkeypatch, "us")
    result = igops("plan", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert list(document["stores"]) == ["us"]
    assert [e["key"] for e in document["stores"]["us"]["experiences"]] == [HERO]
    [failed] = document["failed"]
    assert failed["store"] == "eu"
    assert failed["message"].startswith("store eu: INTELLIGEMS_API_TOKEN_EU is not set")
    assert "Error: 1 store could not be planned in full (eu)" in result.stderr
    assert "Traceback" not in result.output

    text = igops("plan")
    assert text.exit_code == 1
    assert "Store us\n========\n" in text.stdout and "+ create  homepage-hero-headline" in text.stdout
    assert "Error: store eu: INTELLIGEMS_API_TOKEN_EU is not set" in text.stdout
    assert text.stdout.rstrip().endswith("1 of 2 stores planned: 1 with changes, 1 failed.")

    # Only the store that can be planned: it plans, and a plan is saved for it.
    only = igops("plan", "--store", "us", "--out", "plan.json", "--detailed-exitcode")
    assert only.exit_code == 2, only.output
    assert (tmp_path / "plan.json").exists()


def test_a_plan_with_a_failed_store_is_never_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work_in(_repository(tmp_path, {"us": "sandbox:us.db", "eu": "https://eu.invalid"}, {}), monkeypatch)
    _tokens(monkeypatch, "us")
    result = igops("plan", "--out", "plan.json")
    assert result.exit_code == 1
    assert not (tmp_path / "plan.json").exists()


def test_a_saved_plan_is_applied_and_refused_as_stale_store_by_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sandbox_stores(tmp_path, monkeypatch, {"us": [HERO], "eu": [SHIPPING]})
    assert igops("plan", "--out", "plan.json").exit_code == 0
    # A file of one store changes after the plan was made: that store's section is stale, the other's is not.
    _edit(tmp_path / "experiences" / "us" / f"{HERO}.yaml", "Homepage hero", "Home hero")
    result = igops("apply", "plan.json")
    assert result.exit_code == 1
    assert "store us: The plan plan.json is stale" in result.output
    assert f"eu: {SHIPPING}: create done" in result.output
    assert "1 store not applied in full (us): see above; the other stores were applied." in result.output
    # A store the saved plan holds no section for is refused, naming it.
    assert igops("plan", "--store", "eu", "--out", "eu.json").exit_code == 0
    missing = igops("apply", "eu.json", "--store", "us")
    assert missing.exit_code == 1
    assert "eu.json holds no plan of the store us (it holds eu)" in missing.output


def test_target_picks_the_stores_that_have_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work_in(
        _repository(
            tmp_path,
            {"us": "sandbox:us.db", "eu": "sandbox:eu.db"},
            {"us": [HERO, SHIPPING], "eu": [SHIPPING]},
        ),
        monkeypatch,
    )
    _tokens(monkeypatch)
    result = igops("plan", "--target", HERO, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document["stores"]) == ["us"]
    assert [e["key"] for e in document["stores"]["us"]["experiences"]] == [HERO]
    unknown = igops("plan", "--target", "no-such-test")
    assert unknown.exit_code == 1
    assert (
        "--target no-such-test: no experience file of that key or path in the stores us, eu."
        in unknown.output
    )


def test_store_names_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work_in(_repository(tmp_path, {"us": "sandbox:us.db"}, {}), monkeypatch)
    result = igops("plan", "--store", "fr")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: --store fr: no store of that name in igops.yaml (its stores: us)."


def test_a_repository_without_stores_is_one_store_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPO / "experiences", tmp_path / "experiences")
    work_in(tmp_path, monkeypatch)
    result = igops("plan", "--api", "sandbox:account.db", "--format", "json", "--target", HERO)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert "stores" not in document and "store" not in document
    refused = igops("plan", "--api", "sandbox:account.db", "--store", "us")
    assert refused.exit_code == 1
    assert "--store us: igops.yaml has no stores: this repository is one store" in refused.output


def test_each_store_keeps_its_own_state_and_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The stores of a repository share the API's URL: their locks and journals must not.
    url = "https://api.intelligems.io"
    assert account_dir(url, "us") != account_dir(url, "eu") != account_dir(url)
    with holding_account(url, "us"), holding_account(url, "eu"):
        pass
    assert store_cache_path(Path(".igops-cache/refresh.json"), "us") == Path(".igops-cache/refresh.us.json")

    work_in(
        _repository(tmp_path, {"us": "sandbox:us.db", "eu": "sandbox:eu.db"}, {"us": [HERO]}), monkeypatch
    )
    _tokens(monkeypatch)
    assert igops("plan", "--refresh-cache", "cache/refresh.json").exit_code == 0
    assert sorted(path.name for path in (tmp_path / "cache").iterdir()) == [
        "refresh.eu.json",
        "refresh.us.json",
    ]


def test_store_settings_lay_over_the_top_level_ones(tmp_path: Path) -> None:
    (tmp_path / "igops.yaml").write_text(
        "experiences_dir: tests\n"
        "policies:\n  max-changes: {max: 7}\n  freeze: {level: force}\n"
        "stores:\n"
        "  us:\n    token_env: US_KEY\n    policies:\n      max-changes: {level: force}\n"
        "  eu-west:\n    experiences_dir: eu\n    timeout: 5\n",
        encoding="utf-8",
    )
    config = load_project_config(tmp_path)
    us, eu = config.accounts
    assert (us.name, us.token_env, us.experiences_dir) == ("us", "US_KEY", tmp_path / "tests" / "us")
    # A store that raises one setting of a rule keeps the rule's other settings from the top level.
    assert (us.policies["max-changes"].level, us.policies["max-changes"].options["max"]) == ("force", 7)
    assert us.policies["max-changes"].where == f"{tmp_path / 'igops.yaml'}:9:7"
    assert (eu.token_env, eu.experiences_dir, eu.timeout) == (
        "INTELLIGEMS_API_TOKEN_EU_WEST",
        tmp_path / "eu",
        5,
    )
    assert eu.policies["max-changes"].options["max"] == 7 and eu.policies["freeze"].level == "force"
    assert config.shared_dir == tmp_path / "tests" / "_shared"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "token_env: KEY\nstores:\n  us: {}\n",
            "igops.yaml:1:12: $.token_env: with stores, each store has its own token",
        ),
        ("stores:\n  US: {}\n", "igops.yaml:1:1: $.stores: 'US' is not of the expected form"),
        (
            "stores:\n  us: {experiences_dir: experiences}\n  eu: {}\n",
            "igops.yaml:3:3: $.stores.eu: the store eu's experiences_dir (experiences/eu) overlaps the "
            "store us's",
        ),
        (
            "stores:\n  us: {api_url: 'ftp://x'}\n",
            "igops.yaml:2:17: $.stores.us.api_url: 'ftp://x' is not a usable API URL",
        ),
        ("stores:\n  us: {shared: [a, a]}\n", "igops.yaml:2:8: $.stores.us.shared"),
        ("stores: {}\n", "igops.yaml:1:1: $.stores: needs at least one entry."),
    ],
)
def test_a_bad_stores_setting_is_one_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    work_in(tmp_path, monkeypatch)
    (tmp_path / "igops.yaml").write_text(text, encoding="utf-8")
    result = igops("plan")
    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output


def test_one_comment_for_three_stores_is_bounded_and_names_what_it_leaves_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = ["bundle-and-save", HERO, "collection-quick-add-template", "returning-visitor-banner"]
    work_in(
        _repository(
            tmp_path,
            {"us": "sandbox:us.db", "eu": "sandbox:eu.db", "uk": "https://uk.invalid"},
            {"us": examples, "eu": examples[:2], "uk": examples[:1]},
        ),
        monkeypatch,
    )
    _tokens(monkeypatch, "us", "eu")
    whole = igops("plan", "--format", "markdown").stdout
    for limit in (2_500, 6_000):
        result = igops("plan", "--format", "markdown", "--max-chars", str(limit))
        assert result.exit_code == 1  # uk has no token
        body = result.stdout.rstrip("\n")
        assert len(body) <= limit < len(whole)
        # The stores' lines come first and are never cut: every store, the failed one with why.
        head = body.split("\n\n")[:2]
        assert head[0] == "**2 of 3 stores planned: 2 with changes, 1 failed.**"
        rows = head[1].split("\n")[2:]
        assert [row.split(" | ")[0] for row in rows] == ["| us", "| eu", "| uk"]
        assert "Not planned: store uk: INTELLIGEMS_API_TOKEN_UK is not set" in html.unescape(rows[2])
        # What is left out is named by store and experience, and is not in the body.
        note = body.split("\n\n")[-1]
        assert note.startswith("_Plan truncated to fit one comment:")
        left_out = re.findall(r"<code>([a-z0-9/-]+)</code>", note)
        assert left_out
        for name in left_out:
            store, _, key = name.partition("/")
            assert (
                f"## Store {store}" not in body
                if not key
                else f"<b>{key}</b>" not in _store_part(body, store)
            )
    # Unbounded, every store's every experience is there.
    for store, keys in (("us", examples), ("eu", examples[:2])):
        assert all(f"<b>{key}</b>" in _store_part(whole, store) for key in keys)


def _store_part(body: str, store: str) -> str:
    """The part of a comment under `## Store STORE`, up to the next store's heading."""
    part = body.partition(f"## Store {store}")[2]
    return part.partition("## Store ")[0]


def test_a_shared_file_with_an_override_makes_experiences_that_differ_only_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sandbox_stores(tmp_path, monkeypatch, {})
    shared = tmp_path / "experiences" / "_shared"
    shared.mkdir()
    shutil.copy(REPO / "experiences" / f"{HERO}.yaml", shared / f"{HERO}.yaml")
    overrides = tmp_path / "experiences" / "eu" / "overrides"
    overrides.mkdir()
    # Merged by name: each variation's split changes, nothing else of them.
    (overrides / f"{HERO}.yaml").write_text(
        "variations:\n  - name: Free shipping headline\n    percentage: 40\n"
        "  - name: Control\n    percentage: 60\n",
        encoding="utf-8",
    )
    planned = igops("plan")
    assert planned.exit_code == 0, planned.output
    # The plan names both files where an override applies.
    assert f"experiences/_shared/{HERO}.yaml with experiences/eu/overrides/{HERO}.yaml" in planned.output
    applied = igops("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    [us] = state_experiences(tmp_path / "us.db")
    [eu] = state_experiences(tmp_path / "eu.db")

    def differences(left: object, right: object, path: str = "") -> list[str]:
        if isinstance(left, dict) and isinstance(right, dict):
            return [
                d
                for key in left.keys() | right.keys()
                for d in differences(left.get(key), right.get(key), f"{path}.{key}")
            ]
        if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
            return [
                d
                for index, pair in enumerate(zip(left, right, strict=True))
                for d in differences(*pair, f"{path}[{index}]")
            ]
        return [] if left == right else [path]

    changed = [
        path for path in differences(us, eu) if not path.endswith(("Ts", ".id", "Id")) and path[1:] != "id"
    ]
    assert sorted(changed) == [".variations[0].percentage", ".variations[1].percentage"], changed
    assert [v["percentage"] for v in eu["variations"]] == [60, 40]
    assert igops("plan", "--detailed-exitcode").exit_code == 0


def test_drift_monitor_report_and_policies_name_each_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work_in(
        _repository(tmp_path, {"us": "sandbox:us.db", "eu": "sandbox:eu.db"}, {"us": [HERO], "eu": [HERO]}),
        monkeypatch,
    )
    _tokens(monkeypatch)
    with (tmp_path / "igops.yaml").open("a", encoding="utf-8") as config:
        config.write("    policies:\n      max-changes: {max: 3}\n")  # eu's own
    assert igops("apply", "--auto-approve", "--store", "us").exit_code == 0

    drift = igops("drift", "--format", "json")
    assert drift.exit_code == 2, drift.output
    document = json.loads(drift.stdout)
    assert document["stores"]["us"]["drifted"] == [] and document["failed"] == []
    assert [item["key"] for item in document["stores"]["eu"]["drifted"]] == [HERO]
    text = igops("drift", "--store", "us")
    assert text.exit_code == 0 and text.stdout.startswith("Store us\n========\n")

    monitor = igops("monitor", "--format", "markdown")
    assert monitor.exit_code == 0, monitor.output
    assert monitor.stdout.index("## Store us") < monitor.stdout.index("## Store eu")

    report = json.loads(igops("report", "--format", "json", "--store", "us").stdout)
    assert [item["key"] for item in report["stores"]["us"]["experiences"]] == [HERO]

    policies = json.loads(igops("policies", "--format", "json").stdout)["stores"]
    limits = {
        store: next(r for r in p["rules"] if r["name"] == "max-changes") for store, p in policies.items()
    }
    assert limits["us"]["options"]["max"] == 25 and limits["eu"]["options"]["max"] == 3


def test_one_store_commands_need_the_store_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work_in(
        _repository(tmp_path, {"us": "sandbox:us.db", "eu": "sandbox:eu.db"}, {"us": [HERO]}), monkeypatch
    )
    _tokens(monkeypatch)
    assert igops("apply", "--auto-approve").exit_code == 0
    for command in (
        ["import", "--all"],
        ["show", HERO],
        ["sitewide", "--start", "2026-11-01", "--end", "2026-11-30"],
    ):
        result = igops(*command)
        assert result.exit_code == 1
        assert result.output.strip() == (
            "Error: this command works on one store, and igops.yaml has several: name it with --store "
            "(one of us, eu)."
        )
    shown = igops("show", HERO, "--store", "us")
    assert shown.exit_code == 0 and "name: Homepage hero headline" in shown.output
    # us's experience imported into eu's directory: the store named decides where files go.
    imported = igops("import", "--all", "--store", "eu", "--api", "sandbox:us.db")
    assert imported.exit_code == 0, imported.output
    assert (tmp_path / "experiences" / "eu" / f"{HERO}.yaml").exists()


def test_validate_and_calendar_read_every_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work_in(
        _repository(tmp_path, {"us": "sandbox:us.db", "eu": "sandbox:eu.db"}, {"us": [HERO]}), monkeypatch
    )
    (tmp_path / "experiences" / "eu" / "broken.yaml").write_text("name: [\n", encoding="utf-8")
    result = igops("validate")
    assert result.exit_code == 1
    assert "experiences/eu/broken.yaml:" in result.output
    assert igops("validate", "--store", "us").exit_code == 0
    _edit(
        tmp_path / "experiences" / "us" / f"{HERO}.yaml",
        "status: started",
        "status: started\nschedule:\n  start: '2027-01-04T09:00:00+00:00'",
    )
    calendar = igops("calendar", "--store", "us", "--format", "json", "--now", "2027-01-01T00:00:00+00:00")
    assert calendar.exit_code == 0, calendar.output
    assert [entry["key"] for entry in json.loads(calendar.stdout)["entries"]] == [f"us/{HERO}"]


def test_plans_made_in_a_job_each_combine_into_one_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sandbox_stores(tmp_path, monkeypatch, {"us": [HERO], "eu": [SHIPPING]})
    for store in ("us", "eu"):
        planned = igops("plan", "--store", store, "--format", "json")
        assert planned.exit_code == 0, planned.output
        (tmp_path / f"{store}.json").write_text(planned.stdout, encoding="utf-8")
    together = igops("plan", "--format", "markdown").stdout
    combined = igops("combine-plans", "eu.json", "us.json", "--expect-store", "us", "--expect-store", "eu")
    assert combined.exit_code == 0, combined.output
    # The same comment as one job planning both stores would post.
    assert combined.stdout == together
    # A store whose job brought back no plan is named in its line, and fails the step.
    missing = igops(
        "combine-plans", "us.json", "--expect-store", "us", "--expect-store", "uk", "--max-chars", "900"
    )
    assert missing.exit_code == 1
    assert (
        "| uk | Not planned: store uk: no plan came back: its job failed or was cancelled. |"
        in missing.stdout
    )
    assert len(missing.stdout.rstrip("\n")) <= 900
    assert "Error: 1 store not planned: uk." in missing.stderr
    twice = igops("combine-plans", "us.json", "us.json")
    assert twice.exit_code == 1 and "us.json: the store us is in another document too." in twice.output
    (tmp_path / "notes.txt").write_text("not a plan\n", encoding="utf-8")
    not_json = igops("combine-plans", "notes.txt")
    assert not_json.exit_code == 1
    assert not_json.output.strip() == (
        "Error: notes.txt is not a plan document (not JSON): make one with igops plan --store NAME "
        "--format json."
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{"format_version": 5}', encoding="utf-8")
    refused = igops("combine-plans", "broken.json")
    assert refused.exit_code == 1
    assert "broken.json: The plan has format_version 5; this igops reads format_version 6" in refused.output


@pytest.mark.http
def test_base_reads_each_store_with_its_shared_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sandbox_stores(tmp_path, monkeypatch, {})
    shared = tmp_path / "experiences" / "_shared"
    shared.mkdir()
    shutil.copy(REPO / "experiences" / f"{HERO}.yaml", shared / f"{HERO}.yaml")
    for arguments in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base"],
    ):
        subprocess.run(["git", *arguments], cwd=tmp_path, check=True, capture_output=True, timeout=30)
    assert igops("apply", "--auto-approve").exit_code == 0
    # The dashboard edits us's copy: applying the files reverts it, which the plan must say is the account's.
    sandbox = new_sandbox(tmp_path / "us.db")
    try:
        with serve_over_http(sandbox) as url:
            [live] = sandbox.experiences()
            dashboard_put(url, {**live, "description": "Edited in the dashboard"})
    finally:
        sandbox.close()
    document = json.loads(igops("plan", "--base", "HEAD", "--format", "json").stdout)
    [change] = document["stores"]["us"]["experiences"][0]["changes"]
    assert [(field["path"], field["origin"]) for field in change["fields"]] == [("description", "outside")]
    assert document["stores"]["eu"]["experiences"][0]["changes"] == []


@pytest.mark.http
def test_a_store_whose_token_is_refused_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulators: dict[str, tuple[Sandbox, str]]
) -> None:
    (us, us_url), (_, uk_url) = emulators["us"], emulators["uk"]
    work_in(_repository(tmp_path, {"us": us_url, "uk": uk_url}, {"us": [HERO], "uk": [HERO]}), monkeypatch)
    _tokens(monkeypatch, "us")
    monkeypatch.setenv("INTELLIGEMS_API_TOKEN_UK", TOKENS["us"])  # another store's key: uk's API refuses it
    result = igops("apply", "--auto-approve")
    assert result.exit_code == 1
    assert f"us: {HERO}: create done" in result.output
    assert "Error: store uk: " in result.output and TOKENS["us"] not in result.output
    assert "1 store not applied in full (uk): see above; the other stores were applied." in result.output
    assert _names(us) == ["Homepage hero headline"]


def test_apply_reviewed_compares_each_store_with_its_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sandbox_stores(tmp_path, monkeypatch, {"us": [HERO], "eu": [SHIPPING]})
    assert igops("plan", "--out", "reviewed.json").exit_code == 0
    # eu's file moves after the review: eu's plan is not the one reviewed, us's still is.
    _edit(tmp_path / "experiences" / "eu" / f"{SHIPPING}.yaml", "Bundle and save", "Bundles")
    result = igops("apply", "--auto-approve", "--reviewed", "reviewed.json")
    assert result.exit_code == 1
    assert (
        "store eu: This plan is not the one reviewed in reviewed.json, so nothing was applied"
        in result.output
    )
    assert f"us: {HERO}: create done" in result.output
    assert igops("plan", "--store", "us", "--detailed-exitcode").exit_code == 0


def test_a_saved_plan_of_one_store_applies_to_that_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sandbox_stores(tmp_path, monkeypatch, {"us": [HERO], "eu": [SHIPPING]})
    assert igops("plan", "--store", "eu", "--out", "eu.json").exit_code == 0
    result = igops("apply", "eu.json")
    assert result.exit_code == 0, result.output
    assert f"eu: {SHIPPING}: create done" in result.output and "us:" not in result.output
    assert not (tmp_path / "us.db").exists()  # us was neither planned nor applied


@pytest.mark.http
def test_import_and_adopt_never_write_a_store_s_copy_of_a_shared_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sandbox_stores(tmp_path, monkeypatch, {})
    shared = tmp_path / "experiences" / "_shared"
    shared.mkdir()
    shutil.copy(REPO / "experiences" / f"{HERO}.yaml", shared / f"{HERO}.yaml")
    shutil.copy(REPO / "experiences" / f"{SHIPPING}.yaml", tmp_path / f"{SHIPPING}.yaml")
    assert igops("apply", "--auto-approve").exit_code == 0
    # us's account also holds an experience no file manages, which import may write.
    (tmp_path / "experiences" / "us" / f"{SHIPPING}.yaml").write_bytes(
        (tmp_path / f"{SHIPPING}.yaml").read_bytes()
    )
    assert igops("apply", "--auto-approve", "--store", "us").exit_code == 0
    (tmp_path / "experiences" / "us" / f"{SHIPPING}.yaml").unlink()

    imported = igops("import", "--all", "--store", "us")
    assert imported.exit_code == 0, imported.output
    assert "skipped Homepage hero headline" in imported.output
    assert f"the shared file experiences/_shared/{HERO}.yaml manages it" in imported.output
    assert sorted(path.name for path in (tmp_path / "experiences" / "us").iterdir()) == [
        "bundle-and-save-tiers.yaml"
    ]

    # A dashboard edit of us's copy: drift finds it, and --adopt does not rewrite the shared file.
    before = (shared / f"{HERO}.yaml").read_bytes()
    sandbox = new_sandbox(tmp_path / "us.db")
    try:
        with serve_over_http(sandbox) as url:
            live = next(e for e in sandbox.experiences() if e["name"] == "Homepage hero headline")
            dashboard_put(url, {**live, "description": "Edited in the dashboard"})
    finally:
        sandbox.close()
    adopted = igops("drift", "--adopt", "--store", "us")
    assert adopted.exit_code == 1
    assert f"experiences/_shared/{HERO}.yaml is shared by several stores" in adopted.output
    assert f"experiences/us/overrides/{HERO}.yaml" in adopted.output
    assert (shared / f"{HERO}.yaml").read_bytes() == before


def test_a_store_name_from_outside_reaches_the_terminal_and_markdown_inert() -> None:
    hostile = "us\x1b[31m\n## @team #1 \u202e```"

    def shown(output_format: str) -> str:
        arguments = ["combine-plans", "--expect-store", hostile, "--format", output_format]
        result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
        assert result.exit_code == 1
        return result.stdout

    text, markdown = shown("text"), shown("markdown")
    for output in (text, markdown):
        assert "\x1b" not in output and "\u202e" not in output
    # Outside the code block that quotes the failure, no line of its own (a heading) and no fence.
    outside = re.sub(r"~~~.*?~~~", "", markdown, flags=re.S)
    assert "## @team" not in outside and "```" not in outside
    assert "## Store us" in outside
