"""One store's experience files with igops.yaml's stores: its own, the shared ones it plans, and its overrides
merged over them; every problem told in the file that wrote it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from igops.files import FileError, LoadResult, load_experiences
from igops.files.discovery import discover
from igops.files.stores import load_store_experiences, shared_file_keys
from igops.model import DesiredExperience, JsonPath, Position

EXAMPLES = Path(__file__).resolve().parents[2] / "experiences"
HERO, STICKY, BUNDLE = "homepage-hero-headline", "sticky-add-to-cart", "bundle-and-save"


def example(key: str) -> str:
    return (EXAMPLES / f"{key}.yaml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Store:
    """A store's directories in a repository laid out as igops.yaml's stores: lays them."""

    own_dir: Path
    shared_dir: Path
    overrides_dir: Path

    def own(self, key: str, text: str) -> Path:
        return _write(self.own_dir / f"{key}.yaml", text)

    def override(self, key: str, text: str) -> Path:
        return _write(self.overrides_dir / f"{key}.yaml", text)

    def load(self, shared_keys: Sequence[str] | None = None) -> LoadResult:
        return load_store_experiences(self.own_dir, self.shared_dir, shared_keys, self.overrides_dir)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _store(root: Path, name: str = "us") -> Store:
    own_dir = root / "experiences" / name
    own_dir.mkdir(parents=True, exist_ok=True)
    return Store(own_dir, root / "experiences" / "_shared", own_dir / "overrides")


def _shared(root: Path, key: str, text: str | None = None) -> Path:
    return _write(root / "experiences" / "_shared" / f"{key}.yaml", example(key) if text is None else text)


def _by_key(result: LoadResult) -> dict[str, DesiredExperience]:
    return {experience.key: experience for experience in result.experiences}


def _only_error(result: LoadResult) -> FileError:
    assert len(result.errors) == 1, [str(error) for error in result.errors]
    return result.errors[0]


def _line_of(text: str, line: str) -> int:
    return text.splitlines().index(line) + 1


def _leaves(value: Any, path: JsonPath = ()) -> dict[JsonPath, Any]:
    if isinstance(value, Mapping):
        return {leaf: v for key, child in value.items() for leaf, v in _leaves(child, (*path, key)).items()}
    if isinstance(value, list):
        return {
            leaf: v for key, child in enumerate(value) for leaf, v in _leaves(child, (*path, key)).items()
        }
    return {path: value}


def _differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[JsonPath, tuple[Any, Any]]:
    old, new = _leaves(before), _leaves(after)
    return {
        path: (old.get(path), new.get(path))
        for path in old.keys() | new.keys()
        if old.get(path) != new.get(path)
    }


def _shared_alone(path: Path) -> DesiredExperience:
    (experience,) = load_experiences([path]).experiences
    return experience


def test_own_files_only_load_as_load_experiences_does(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.own(HERO, example(HERO))
    store.own(STICKY, example(STICKY))
    store.own("broken", "name: [\n")
    expected = load_experiences([store.own_dir])
    assert expected.experiences and expected.errors
    for shared_dir in (None, tmp_path / "no-such-directory"):
        result = load_store_experiences(store.own_dir, shared_dir, None, store.overrides_dir)
        assert result == expected
        assert all(experience.override is None for experience in result.experiences)


def test_shared_files_are_planned_by_every_store(tmp_path: Path) -> None:
    hero = _shared(tmp_path, HERO)
    sticky = _shared(tmp_path, STICKY)
    for name in ("us", "eu"):
        store = _store(tmp_path, name)
        own = store.own(BUNDLE, example(BUNDLE))
        result = store.load()
        assert result.ok, result.errors
        assert set(result.files) == {own, hero, sticky}
        loaded = _by_key(result)
        assert set(loaded) == {BUNDLE, HERO, STICKY}
        assert loaded[HERO] == _shared_alone(hero)
        assert (loaded[HERO].path, loaded[HERO].override) == (hero, None)


def test_a_store_plans_only_the_shared_keys_it_lists(tmp_path: Path) -> None:
    hero = _shared(tmp_path, HERO)
    _shared(tmp_path, STICKY)
    _shared(tmp_path, BUNDLE, "name: [\n")  # never read: no store here plans it
    store = _store(tmp_path)
    # A listed key without a shared file is igops.yaml's problem; the caller tells it by shared_file_keys.
    result = store.load([HERO, "not-a-shared-file"])
    assert result.ok, result.errors
    assert set(_by_key(result)) == {HERO}
    assert result.files == (hero,)
    assert shared_file_keys(store.shared_dir) == {HERO, STICKY, BUNDLE}
    assert shared_file_keys(None) == frozenset() == shared_file_keys(tmp_path / "nowhere")
    assert store.load([]).experiences == ()


HERO_OVERRIDE = """\
# The EU store names it its own way and sends more traffic to the new headline.
name: Homepage hero headline (EU)
variations:
  - name: Free shipping headline
    percentage: 60
  - name: Control
    percentage: 40
"""


def test_an_override_changes_only_the_fields_it_writes(tmp_path: Path) -> None:
    hero = _shared(tmp_path, HERO)
    store = _store(tmp_path, "eu")
    override = store.override(HERO, HERO_OVERRIDE)
    result = store.load()
    assert result.ok, result.errors
    assert set(result.files) == {hero, override}
    merged = _by_key(result)[HERO]
    assert (merged.key, merged.path, merged.override) == (HERO, hero, override)
    shared = _shared_alone(hero)
    assert merged.name == "Homepage hero headline (EU)"
    assert _differences(shared.body, merged.body) == {
        ("name",): ("Homepage hero headline", "Homepage hero headline (EU)"),
        ("variations", 0, "percentage"): (50, 40),
        ("variations", 1, "percentage"): (50, 60),
    }
    # Each value is where its file wrote it: the override's own lines, the rest the shared file's.
    assert merged.position_of(("name",)) == Position(2, 7)
    assert merged.position_of(("variations", 1, "percentage")) == Position(5, 17)
    assert merged.position_of(("variations", 0, "percentage")) == Position(7, 17)
    assert merged.position_of(("variations", 1, "onsiteEdits")) == shared.position_of(
        ("variations", 1, "onsiteEdits")
    )
    assert merged.position_of(("experienceKeyMetrics", 0)) == shared.position_of(("experienceKeyMetrics", 0))


def test_mappings_merge_key_by_key_and_other_lists_are_replaced(tmp_path: Path) -> None:
    sticky = _shared(tmp_path, STICKY)
    store = _store(tmp_path)
    store.override(
        STICKY,
        "variations:\n"
        "  - name: Sticky bar\n"
        "    onsiteInjection:\n"
        "      jsInjectionMode: {type: timeout, timeout: 500}\n"
        "experienceKeyMetrics:\n"
        "  - standardEventId: conversionRate\n"
        "    isPrimary: true\n",
    )
    result = store.load()
    assert result.ok, result.errors
    shared = _shared_alone(sticky)
    assert _differences(shared.body, _by_key(result)[STICKY].body) == {
        ("variations", 1, "onsiteInjection", "jsInjectionMode", "type"): ("onWindowLoad", "timeout"),
        ("variations", 1, "onsiteInjection", "jsInjectionMode", "timeout"): (None, 500),
        ("experienceKeyMetrics", 0, "standardEventId"): ("addToCartRate", "conversionRate"),
        ("experienceKeyMetrics", 1, "standardEventId"): ("conversionRate", None),
    }


def test_an_override_variation_with_a_new_name_is_added(tmp_path: Path) -> None:
    bundle = _shared(tmp_path, BUNDLE)
    store = _store(tmp_path)
    override = store.override(
        BUNDLE,
        "variations:\n"
        "  - {name: No offer, percentage: 25}\n"
        "  - {name: '10% off 2, 15% off 3', percentage: 25}\n"
        "  - {name: '15% off 2, 25% off 4', percentage: 25}\n"
        "  - name: 20% off 3\n"
        "    percentage: 25\n"
        "    offer:\n"
        "      name: Socks bundle, one step\n"
        "      enabled: true\n"
        "      unitType: unit\n"
        "      discountType: percentage\n"
        "      discountApplicationType: tieredDiscount\n"
        "      discountApplicationMethod: perItem\n"
        "      combinesWithIntelligems: false\n"
        "      combinesWithShopify: true\n"
        "      shouldRejectCodes: false\n"
        "      tiers:\n"
        "        - {minimumUnits: 3, maximumUnits: 99, unitDiscount: 20}\n",
    )
    result = store.load()
    assert result.ok, result.errors
    merged = _by_key(result)[BUNDLE]
    shared = _shared_alone(bundle)
    names = [variation["name"] for variation in merged.body["variations"]]
    assert names == [*(variation["name"] for variation in shared.body["variations"]), "20% off 3"]
    assert merged.body["variations"][:3] == [
        {**variation, "percentage": 25} for variation in shared.body["variations"]
    ]
    assert merged.position_of(("variations", 3, "offer", "tiers")) == Position(17, 7)
    assert merged.override == override


def test_an_added_variation_missing_a_field_is_told_in_the_override(tmp_path: Path) -> None:
    _shared(tmp_path, HERO)
    store = _store(tmp_path)
    override = store.override(HERO, "variations:\n  - name: Control\n    percentage: 50\n  - name: Third\n")
    error = _only_error(store.load())
    assert (error.file, error.position, error.path) == (
        override,
        Position(4, 5),
        ("variations", 2, "percentage"),
    )
    assert "the required field 'percentage' is missing" in error.message


def test_an_override_variation_without_a_name_is_located(tmp_path: Path) -> None:
    _shared(tmp_path, HERO)
    store = _store(tmp_path)
    override = store.override(
        HERO, "variations:\n  - name: Control\n    percentage: 40\n  - percentage: 60\n"
    )
    result = store.load()
    error = _only_error(result)
    assert (error.file, error.position, error.path) == (override, Position(4, 5), ("variations", 1))
    assert "needs its name" in error.message
    assert result.experiences == ()


def test_an_override_changes_a_variation_once(tmp_path: Path) -> None:
    _shared(tmp_path, HERO)
    store = _store(tmp_path)
    override = store.override(
        HERO, "variations:\n  - {name: Control, percentage: 40}\n  - {name: Control, percentage: 30}\n"
    )
    error = _only_error(store.load())
    assert (error.file, error.position.line) == (override, 3)
    assert "already changed by $.variations[0] of this override" in error.message


def test_a_shared_file_pins_no_id(tmp_path: Path) -> None:
    text = example(HERO).replace(
        "status: started\n", "status: started\nid: 3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b\n"
    )
    hero = _shared(tmp_path, HERO, text)
    store = _store(tmp_path)
    result = store.load()
    error = _only_error(result)
    assert (error.file, error.position, error.path) == (
        hero,
        Position(_line_of(text, "status: started") + 1, 5),
        ("id",),
    )
    assert str(store.overrides_dir / f"{HERO}.yaml") in error.message
    assert result.experiences == ()


def test_a_store_pins_the_id_of_a_shared_file_in_its_override(tmp_path: Path) -> None:
    _shared(tmp_path, HERO)
    pinned = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
    store = _store(tmp_path)
    store.override(HERO, f"id: {pinned}\n")
    result = store.load()
    assert result.ok, result.errors
    assert _by_key(result)[HERO].id == pinned
    assert _by_key(_store(tmp_path, "eu").load())[HERO].id is None


def test_an_override_of_a_key_the_store_does_not_plan_is_an_error(tmp_path: Path) -> None:
    hero = _shared(tmp_path, HERO)
    _shared(tmp_path, STICKY)
    store = _store(tmp_path)
    unplanned = store.override(STICKY, "name: Sticky (US)\n")
    unknown = store.override("no-such-key", "name: Anything\n")
    result = store.load([HERO])
    assert set(_by_key(result)) == {HERO}
    assert {error.file: error.position for error in result.errors} == {
        unplanned: Position(1, 1),
        unknown: Position(1, 1),
    }
    messages = {error.file: error.message for error in result.errors}
    assert "does not plan" in messages[unplanned] and "'sticky-add-to-cart' out" in messages[unplanned]
    assert str(store.shared_dir) in messages[unknown] and "'no-such-key'" in messages[unknown]
    assert hero in result.files


def test_an_override_sits_directly_in_the_overrides_directory_once(tmp_path: Path) -> None:
    _shared(tmp_path, HERO)
    store = _store(tmp_path)
    store.override(HERO, "name: Hero (US)\n")
    second = _write(store.overrides_dir / f"{HERO}.yml", "name: Hero (US, again)\n")
    nested = _write(store.overrides_dir / "old" / f"{HERO}.yaml", "name: Hero (old)\n")
    result = store.load()
    messages = {error.file: error.message for error in result.errors}
    assert set(messages) == {second, nested}
    assert f"{store.overrides_dir / f'{HERO}.yaml'} already overrides it" in messages[second]
    assert "in a subdirectory" in messages[nested]
    assert _by_key(result)[HERO].name == "Hero (US)"


@pytest.mark.parametrize(
    ("own_key", "own_example", "words"),
    [
        (HERO, STICKY, "the file name 'homepage-hero-headline' is also used by"),
        ("hero-copy", HERO, "the name 'Homepage hero headline' is also used by"),
    ],
    ids=["key", "name"],
)
def test_a_shared_file_clashing_with_an_own_file_names_both(
    tmp_path: Path, own_key: str, own_example: str, words: str
) -> None:
    hero = _shared(tmp_path, HERO)
    store = _store(tmp_path)
    own = store.own(own_key, example(own_example))
    result = store.load()
    error = _only_error(result)
    assert error.file == hero
    assert words in error.message and str(own) in str(error) and str(hero) in str(error)
    assert [experience.path for experience in result.experiences] == [own]


def test_an_id_pinned_by_an_override_and_an_own_file_names_both(tmp_path: Path) -> None:
    pinned = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
    _shared(tmp_path, HERO)
    store = _store(tmp_path)
    own = store.own(STICKY, example(STICKY).replace("status: ended\n", f"status: ended\nid: {pinned}\n"))
    override = store.override(HERO, f"# pinned by hand\nid: {pinned}\n")
    error = _only_error(store.load())
    assert (error.file, error.position, error.path) == (override, Position(2, 5), ("id",))
    assert f"the id '{pinned}' is also used by {own}" in error.message


def test_an_invalid_merge_is_told_in_the_override_at_its_line(tmp_path: Path) -> None:
    hero = _shared(tmp_path, HERO)
    store = _store(tmp_path)
    override = store.override(
        HERO, "description: Regional\n\nvariations:\n  - name: Control\n    percentage: 40\n"
    )
    result = store.load()
    error = _only_error(result)
    assert (error.file, error.position, error.path) == (override, Position(3, 1), ("variations",))
    assert "add up to 90, not 100" in error.message
    assert result.experiences == ()
    # The same shared file is fine for a store that does not override it.
    assert _store(tmp_path, "eu").load().experiences == (_shared_alone(hero),)


def test_a_schema_error_in_an_override_value_is_told_there(tmp_path: Path) -> None:
    _shared(tmp_path, HERO)
    store = _store(tmp_path)
    override = store.override(HERO, "experienceAnalysis:\n  analyticsViewType: everything\nbudget: 5\n")
    result = store.load()
    located = {(error.file, error.position, error.path) for error in result.errors}
    assert located == {
        (override, Position(2, 22), ("experienceAnalysis", "analyticsViewType")),
        (override, Position(3, 1), ("budget",)),
    }


def test_the_overrides_directory_is_never_read_as_experiences(tmp_path: Path) -> None:
    hero = _shared(tmp_path, HERO)
    store = _store(tmp_path)
    # A whole valid experience as the override: it is merged over the shared file, never loaded alone.
    override = store.override(HERO, example(HERO).replace("headline\n", "headline, US copy\n", 1))
    own = store.own(BUNDLE, example(BUNDLE))
    assert len(load_experiences([store.own_dir]).experiences) == 2  # what a plain walk would take
    result = store.load()
    assert result.ok, result.errors
    assert [(experience.key, experience.path) for experience in result.experiences] == [
        (BUNDLE, own),
        (HERO, hero),
    ]
    assert _by_key(result)[HERO].name == "Homepage hero headline, US copy"
    candidates, errors = discover([store.own_dir], exclude=[store.overrides_dir])
    assert ([candidate.path for candidate in candidates], errors) == ([own], [])
    assert override in result.files


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("name: Hero\n\tdescription: Regional\n", Position(2, 1), "a tab is used for indentation"),
        ("# nothing changed yet\n", Position(1, 1), "the override is empty"),
        ("- name: Control\n", Position(1, 1), "top level must be a mapping"),
    ],
    ids=["yaml", "empty", "list"],
)
def test_an_unreadable_override_is_one_located_error(
    tmp_path: Path, text: str, position: Position, words: str
) -> None:
    _shared(tmp_path, HERO)
    store = _store(tmp_path)
    override = store.override(HERO, text)
    result = store.load()
    error = _only_error(result)
    assert (error.file, error.position) == (override, position)
    assert words in error.message
    assert result.experiences == ()


def test_a_broken_shared_file_and_its_override_are_both_told(tmp_path: Path) -> None:
    hero = _shared(tmp_path, HERO, "name: [\n")
    store = _store(tmp_path)
    override = store.override(HERO, "name: [\n")
    assert {error.file for error in store.load().errors} == {hero, override}
