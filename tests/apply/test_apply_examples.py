"""The invariant on every example: after apply, plan shows no changes; one edit makes one write."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from support.apply import (
    apply_examples,
    assert_no_changes,
    assert_one_per_file,
    by_name,
    differences,
    history,
    use_sandbox,
)
from support.cli import REPO, igops, prepare_project
from support.emulator import new_sandbox
from support.engine import create_as_igops, desired, with_client
from support.strategies import experiences

from igops.api import IntelligemsClient
from igops.files import load_experiences
from igops.normalize import canonical_desired, update_payload

# Per example file: a one-field edit (old text, new text) and the stored field it must change.
EDITS: dict[str, tuple[str, str, str]] = {
    "bundle-and-save": (
        "unitDiscount: 25,",
        "unitDiscount: 30,",
        "variations[2].offer.tiers[1].unitDiscount",
    ),
    "collection-quick-add-template": (
        "templateSuffixes: [quick-add-swatches]",
        "templateSuffixes: [quick-add-colours]",
        "variations[2].redirects[0].templateSuffixes[0]",
    ),
    "homepage-hero-headline": (
        "replace: Start shopping",
        "replace: Shop now",
        "variations[1].onsiteEdits[1].replace",
    ),
    "long-form-landing-page": (
        "value: instagram}",
        "value: tiktok}",
        "audience.filters[0].expression[2].query.value",
    ),
    "returning-visitor-banner": ("Take a look", "See what is new", "variations[1].onsiteEdits[0].replace"),
    "spring-theme-refresh": (
        'value: "141203216547"',
        'value: "141203216548"',
        "variations[1].redirects[0].queryParams[0].value",
    ),
    "sticky-add-to-cart": ("on phones.", "on small screens.", "description"),
}


def test_the_edits_cover_every_example() -> None:
    assert sorted(EDITS) == sorted(path.stem for path in (REPO / "experiences").glob("*.yaml"))


@pytest.fixture(scope="module")
def seeded_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An account state file after the examples were applied (their history first)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        project = prepare_project(tmp_path_factory.mktemp("seed"), monkeypatch)
        apply_examples(f"sandbox:{project / 'account.json'}")
    return project / "account.json"


def test_every_example_applies_then_plan_shows_no_changes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = new_sandbox(project / "account.json")
    api = use_sandbox(monkeypatch, sandbox)
    with history(project):
        result = igops("apply", "--auto-approve", "--api", api)
        assert result.exit_code == 0, result.output
        assert result.output.strip().splitlines()[-1] == (
            "Apply complete: 7 created, 0 updated, 5 lifecycle actions."
        )
    assert [write.path.rsplit("/", 1)[-1] for write in sandbox.writes].count("experiences") == 7
    del sandbox.writes[:]
    result = igops("apply", "--auto-approve", "--api", api)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == (
        "Apply complete: 0 created, 0 updated, 2 lifecycle actions."
    )
    assert sorted(write.path.rsplit("/", 1)[-1] for write in sandbox.writes) == ["end", "pause"]
    end = next(write for write in sandbox.writes if write.path.endswith("/end"))

    assert_no_changes(api)
    assert_one_per_file(project, sandbox.experiences())
    live = by_name(sandbox.experiences())
    for experience in load_experiences([project / "experiences"]).experiences:
        status = {"draft": "pending"}.get(experience.status, experience.status)
        assert live[experience.name]["status"] == status
    ended = live["Sticky add-to-cart bar on mobile product pages"]
    winner = next(v for v in ended["variations"] if v["name"] == "Sticky bar")
    assert end.experience_id == ended["id"] and end.body == {"variationId": winner["id"]}


@pytest.mark.parametrize("key", sorted(EDITS))
def test_one_edit_makes_one_write_that_changes_only_that_field(
    key: str, project: Path, seeded_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite's copy: the state as the seed's still-open sandbox sees it, what is in its WAL too.
    copy = sqlite3.connect(project / "account.json")
    with closing(sqlite3.connect(seeded_state)) as seeded, closing(copy):
        seeded.backup(copy)
    sandbox = new_sandbox(project / "account.json")
    api = use_sandbox(monkeypatch, sandbox)
    assert_no_changes(api)
    before = by_name(sandbox.experiences())

    old, new, field = EDITS[key]
    path = project / "experiences" / f"{key}.yaml"
    assert path.read_text().count(old) == 1
    path.write_text(path.read_text().replace(old, new))
    result = igops("apply", "--auto-approve", "--api", api)
    assert result.exit_code == 0, result.output

    after = by_name(sandbox.experiences())
    changed = {name: differences(before[name], after[name]) for name in before}
    changed = {name: paths for name, paths in changed.items() if paths}
    if key == "sticky-add-to-cart":
        # An ended experience cannot change: the plan notes the difference and apply writes nothing.
        assert sandbox.writes == [] and changed == {}
        assert "ended experiences cannot change" in result.output
    else:
        assert [(write.method, write.experience_id) for write in sandbox.writes] == [
            ("PUT", next(e["id"] for e in after.values() if e["name"] in changed))
        ]
        assert list(changed.values()) == [[field]], changed
        assert "Apply complete: 0 created, 1 updated, 0 lifecycle actions." in result.output
    assert_no_changes(api)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(experiences())
def test_replacing_an_experience_with_its_own_file_changes_nothing_stored(document: dict[str, Any]) -> None:
    """Apply's full-replacement PUT keeps every nested entity (and its id): an edit re-creates nothing."""
    wanted = desired({key: value for key, value in document.items() if key != "id"})

    async def scenario(client: IntelligemsClient) -> None:
        live = await create_as_igops(client, wanted)
        if live["status"] != "ended":
            await client.update_experience(live["id"], update_payload(canonical_desired(wanted.body), live))
            assert differences(live, await client.get_experience(live["id"])) == []

    with_client(new_sandbox(), scenario)
