"""What drift --adopt decides (no CLI, no writing): only the fields that drifted change, in place, and the
new text loads with no drift left; what cannot be adopted is left or refused with a sentence."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from support.emulator import new_sandbox
from support.engine import create_as_igops, with_client

from igops.engine.adopting import Adoption, adopt
from igops.engine.drift import build_drift, file_drift
from igops.engine.matching import match
from igops.files import check_text
from igops.model import DesiredExperience, Finding

HERO = """\
# The hero test.
name: Hero
type: content/onsiteEdits
status: started   # running since May
description: Headline test
variations:
  # As it is.
  - name: Control
    isControl: true
    percentage: 50.0   # written as a float
  - isControl: false   # the default, stated
    name: Variant
    percentage: 50
    onsiteEdits:
      - {find: Old, replace: New, onsiteEditType: text}
experienceAnalysis: {analyticsViewType: none}
"""


def _file(text: str, key: str = "hero") -> DesiredExperience:
    result = check_text(text, Path(f"experiences/{key}.yaml"))
    assert result.experience is not None, [str(error) for error in result.errors]
    return result.experience


def _live(text: str) -> dict[str, Any]:
    """The file's experience as apply leaves it in the account."""
    return with_client(new_sandbox(), lambda client: create_as_igops(client, _file(text)))


def _adopt(text: str, live: dict[str, Any], key: str = "hero") -> Adoption:
    file, documents = _file(text, key), {live["id"]: live}
    return adopt(build_drift(match([file], [live]), documents), documents, [file], {key: text})


def _adopted_text(text: str, live: dict[str, Any]) -> str:
    adoption = _adopt(text, live)
    assert adoption.refused == () and adoption.left == () and len(adoption.adopted) == 1, adoption.refused
    new_text = adoption.adopted[0].text
    assert file_drift(_file(new_text), live) is None
    return new_text


def test_only_the_drifted_fields_change_and_what_is_equal_but_written_otherwise_stays() -> None:
    live = _live(HERO)
    assert _adopt(HERO, live).adopted == ()  # no drift, nothing to adopt
    moved = copy.deepcopy(live)
    moved["description"] = "Headline test, again"
    moved["variations"][0]["percentage"], moved["variations"][1]["percentage"] = 40.0, 60.0
    adoption = _adopt(HERO, moved)
    [adopted] = adoption.adopted
    assert adopted.fields == (
        "description",
        'variations["Control"].percentage',
        'variations["Variant"].percentage',
    )
    assert adopted.path == Path("experiences/hero.yaml")
    assert adopted.text == HERO.replace("Headline test", "Headline test, again").replace(
        "percentage: 50.0   # written", "percentage: 40   # written"
    ).replace("    percentage: 50\n", "    percentage: 60\n")


def test_a_status_moved_in_the_dashboard_is_adopted_and_an_end_names_no_winner() -> None:
    live = _live(HERO)
    paused = _adopted_text(HERO, live | {"status": "paused"})
    assert paused == HERO.replace("status: started", "status: paused")
    ended = _adopt(HERO, live | {"status": "ended"})
    assert ended.report.drifted[0].finding is Finding.ENDED and ended.adopted[0].fields == ("status",)
    assert ended.adopted[0].text == HERO.replace("status: started", "status: ended")
    # A winner is only declared with status: ended; a file that ends what the account runs loses it.
    ending = HERO.replace("status: started   # running since May\n", "status: ended\nwinner: Variant\n")
    assert _adopted_text(ending, live) == HERO.replace(
        "status: started   # running since May\n", "status: started\n"
    )


def test_fields_only_live_states_are_added_and_those_live_left_to_default_are_taken_out() -> None:
    live = _live(HERO)
    moved = copy.deepcopy(live)
    moved["description"] = None
    moved["previewPath"] = "/collections/all"
    moved["variations"][1]["onsiteEdits"][0]["querySelectors"] = ["h1.hero"]
    moved["experienceAnalysis"] = {"analyticsViewType": "sitewide_orders"}
    expected = (
        HERO.replace("description: Headline test\n", "")
        .replace("onsiteEditType: text}", "onsiteEditType: text, querySelectors: [h1.hero]}")
        .replace("{analyticsViewType: none}", "{analyticsViewType: sitewide_orders}")
    )
    assert _adopted_text(HERO, moved) == expected + "previewPath: /collections/all\n"


def test_a_variation_added_in_the_dashboard_rewrites_the_variations() -> None:
    live = _live(HERO)
    moved = copy.deepcopy(live)
    third = copy.deepcopy(moved["variations"][1]) | {"name": "Third", "order": 2, "id": None}
    moved["variations"][0]["percentage"] = 34
    moved["variations"][1]["percentage"] = third["percentage"] = 33
    moved["variations"].append(third)
    new_text = _adopted_text(HERO, moved)
    assert new_text.startswith(HERO.split("  - name: Control")[0] + "  - name: Control\n    percentage: 34\n")
    assert new_text.endswith("experienceAnalysis: {analyticsViewType: none}\n")
    assert "  - name: Third\n    percentage: 33\n" in new_text


def test_code_changed_in_the_dashboard_stays_a_literal_block() -> None:
    text = (
        "name: Sticky\ntype: content/advanced\nstatus: started\nvariations:\n"
        "  - {name: Control, isControl: true, percentage: 50}\n  - name: Bar\n    percentage: 50\n"
        "    onsiteInjection:\n      customCss: |   # the bar\n        .bar { z-index: 20; }\n"
        "        .bar a { color: red; }\n      customJs: go();   # untouched\n"
    )
    live = _live(text)
    moved = copy.deepcopy(live)
    injection = moved["variations"][1]["onsiteInjections"]
    injection["customCss"] = injection["customCss"].replace("20", "99")
    assert _adopted_text(text, moved) == text.replace("z-index: 20", "z-index: 99")
    injection["customCss"] = ".bar { z-index: 99; }"
    assert (
        "      customCss: |-   # the bar\n        .bar { z-index: 99; }\n"
        "      customJs: go();   # untouched\n"
    ) in _adopted_text(text, moved)


def test_what_has_no_live_experience_is_left_and_what_cannot_be_written_in_place_is_refused() -> None:
    live = _live(HERO)
    absent = _file(HERO.replace("name: Hero", "name: Elsewhere"), "elsewhere")
    report = build_drift(match([absent], [live]), {})
    adoption = adopt(report, {}, [absent], {})
    assert adoption.adopted == () and [drift.finding for drift in adoption.left] == [Finding.ABSENT]
    # An anchor marks the value that changes; its alias would be left without it.
    aliased = HERO.replace("percentage: 50.0", "percentage: &half 50").replace(
        "    percentage: 50\n", "    percentage: *half\n"
    )
    moved = copy.deepcopy(live)
    moved["variations"][0]["percentage"], moved["variations"][1]["percentage"] = 40, 60
    refused = _adopt(aliased, moved)
    assert refused.refused == (
        "experiences/hero.yaml:10: the live variations[0].percentage cannot be written in place: it "
        "would leave line 13 invalid (the file is not valid YAML: found undefined alias); adopt it by hand, "
        "or take the live version whole with igops import --overwrite hero.",
    )
    claimed = build_drift(match([_file(HERO), _file(HERO, "again")], [live]), {live["id"]: live})
    [why] = adopt(claimed, {live["id"]: live}, [], {}).refused
    assert why.startswith("no file is adopted while drift reports errors")
