"""`igops drift --adopt` against the emulator in-process (sandbox:STATE): dashboard edits taken into the files
in place, comments and layout kept, so that plan is empty after; what has no live experience is left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.cli import igops, make_live_equal, prepare_project, with_state_client

from igops.sandbox.store import Store

HERO = "experiences/homepage-hero-headline.yaml"
STICKY = "experiences/sticky-add-to-cart.yaml"
BANNER = "experiences/returning-visitor-banner.yaml"
QUICK_ADD = "experiences/collection-quick-add-template.yaml"
LANDING = "experiences/long-form-landing-page.yaml"
GONE_ID = "0b5c9f51-3a0e-4f7e-9f1d-4c2a7e6b8d10"

# Comments where people put them: under the schema line, after values, between variations, and lines
# that look like comments inside a block scalar adopt leaves alone.
COMMENTS = {
    HERO: [
        ("status: started\n", "# Owned by growth; ask before pausing.\nstatus: started   # since May\n"),
        ("  - name: Control\n", "  # The page as it is.\n  - name: Control   # never rename\n"),
        (
            "    percentage: 50\n  - name: Free",
            "    percentage: 50   # half\n  # The challenger.\n  - name: Free",
        ),
    ],
    STICKY: [
        ("        document.body", "        # not a comment: JS text\n        document.body"),
        ("  - name: Sticky bar\n", "  # Shipped as the default theme.\n  - name: Sticky bar\n"),
    ],
    LANDING: [("status: paused\n", "status: paused   # until the sale ends\n")],
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example repository, commented, with its account as the files say."""
    prepare_project(tmp_path, monkeypatch)
    for name, edits in COMMENTS.items():
        _replace(tmp_path / name, edits)
    make_live_equal(tmp_path)
    return tmp_path


def _replace(path: Path, edits: list[tuple[str, str]]) -> None:
    text = path.read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text)


def _dashboard(project: Path, name: str, edit: Any) -> None:
    """An edit saved in the dashboard to the experience called `name` (in the API's read shape)."""
    with Store(project / "account.json").transaction() as stored:
        [record] = [record for record in stored.records() if record.experience["name"] == name]
        edit(record.experience)
        stored.save(record)


def _act(project: Path, name: str, action: str) -> str:
    """A lifecycle action taken in the dashboard; the experience's id."""

    async def work(client):  # type: ignore[no-untyped-def]
        [item] = [item for item in await client.list_experiences() if item["name"] == name]
        if action:
            await client.act(item["id"], action)
        return item["id"]

    result: str = with_state_client(project, work)
    return result


def _split(experience: dict[str, Any]) -> None:
    experience["variations"][0]["percentage"], experience["variations"][1]["percentage"] = 40.0, 60.0


def _css(experience: dict[str, Any]) -> None:
    injection = experience["variations"][1]["onsiteInjections"]
    injection["customCss"] = injection["customCss"].replace("z-index: 20;", "z-index: 99;")


def _renamed(experience: dict[str, Any]) -> None:
    experience["name"] = "Sleep landing page, long form"
    experience["description"] = "Long form won the first round; running it again after the sale."


def test_dashboard_edits_are_adopted_in_place_and_plan_is_empty_after(project: Path) -> None:
    api = f"sandbox:{project / 'account.json'}"
    # A pinned file follows its experience through a rename.
    landing_id = _act(project, "Sleep landing page, long form vs short form", "")
    _replace(project / LANDING, [("status: paused", f"id: {landing_id}\nstatus: paused")])
    before = {path.name: path.read_text() for path in (project / "experiences").iterdir()}
    _dashboard(project, "Homepage hero headline", _split)
    _dashboard(project, "Sticky add-to-cart bar on mobile product pages", _css)
    _dashboard(project, "Sleep landing page, long form vs short form", _renamed)
    _act(project, "Welcome-back banner for returning visitors", "pause")
    _act(project, "Collection pages with quick add", "end")

    adopted = igops("drift", "--api", api, "--adopt")
    assert adopted.exit_code == 0, adopted.output
    assert adopted.output.endswith(
        "\n\nAdopted experiences/collection-quick-add-template.yaml: status\n"
        'Adopted experiences/homepage-hero-headline.yaml: variations["Control"].percentage, '
        'variations["Free shipping headline"].percentage\n'
        "Adopted experiences/long-form-landing-page.yaml: description, name\n"
        "Adopted experiences/returning-visitor-banner.yaml: status\n"
        'Adopted experiences/sticky-add-to-cart.yaml: variations["Sticky bar"].onsiteInjection.customCss\n'
        "5 files adopted; run igops plan: it is empty for them.\n"
    )
    assert "Drift: 5 of 7 managed experiences differ from their files." in adopted.output
    plan = igops("plan", "--api", api, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert igops("drift", "--api", api).exit_code == 0

    after = {path.name: path.read_text() for path in (project / "experiences").iterdir()}
    # Each file changed in the adopted values only: every other byte, comments included, is as it was.
    expected = dict(before)
    for name, edits in {
        HERO: [
            ("percentage: 50   # half", "percentage: 40   # half"),
            ("    percentage: 50\n    ", "    percentage: 60\n    "),
        ],
        STICKY: [("z-index: 20;", "z-index: 99;")],
        BANNER: [("status: started", "status: paused")],
        QUICK_ADD: [("status: started", "status: ended")],
        LANDING: [
            ("long form vs short form", "long form"),
            (
                before[Path(LANDING).name].split("\n")[3],
                "description: Long form won the first round; running it again after the sale.",
            ),
        ],
    }.items():
        for old, new in edits:
            expected[Path(name).name] = expected[Path(name).name].replace(old, new, 1)
    assert after == expected


def test_a_file_with_nothing_live_to_adopt_from_is_left_as_it_is_and_drift_stays(project: Path) -> None:
    api = f"sandbox:{project / 'account.json'}"
    gone = project / "experiences" / "gone.yaml"
    gone.write_text(
        (project / HERO).read_text().replace("name: Homepage hero headline", f"name: Gone\nid: {GONE_ID}")
    )
    gone_bytes = gone.read_bytes()
    _dashboard(project, "Homepage hero headline", _split)

    adopted = igops("drift", "--api", api, "--adopt")
    assert adopted.exit_code == 2, adopted.output
    assert gone.read_bytes() == gone_bytes
    assert adopted.output.endswith(
        '\n\nAdopted experiences/homepage-hero-headline.yaml: variations["Control"].percentage, '
        'variations["Free shipping headline"].percentage\n'
        f"Left experiences/gone.yaml: gone from the account: the file pins id {GONE_ID}, which the account "
        "does not have; nothing to adopt.\n"
        "1 file adopted; run igops plan: it is empty for it.\n"
    )
    again = igops("drift", "--api", api, "--adopt", "--format", "markdown")
    assert again.exit_code == 2 and gone.read_bytes() == gone_bytes
    assert again.output.endswith(
        f"\n\n- Left experiences/gone.yaml: gone from the account: the file pins id {GONE_ID}, which the "
        "account does not have; nothing to adopt.\n- No file adopted.\n"
    )


def test_when_one_file_cannot_be_adopted_none_is_written(project: Path) -> None:
    api = f"sandbox:{project / 'account.json'}"
    # The challenger's share an alias of the control's: the edit that changes one leaves the other pointing
    # nowhere.
    _replace(
        project / HERO,
        [
            ("percentage: 50   # half", "percentage: &half 50   # half"),
            ("    percentage: 50\n    ", "    percentage: *half\n    "),
        ],
    )
    before = {path.name: path.read_bytes() for path in (project / "experiences").iterdir()}
    _dashboard(project, "Homepage hero headline", _split)
    _dashboard(project, "Sticky add-to-cart bar on mobile product pages", _css)

    refused = igops("drift", "--api", api, "--adopt")
    assert refused.exit_code == 1
    assert {path.name: path.read_bytes() for path in (project / "experiences").iterdir()} == before
    assert refused.output.endswith(
        "\n\nError: experiences/homepage-hero-headline.yaml:14: the live variations[0].percentage cannot "
        "be written in place: it would leave line 17 invalid (the file is not valid YAML: found undefined "
        "alias); adopt it by hand, or take the live version whole with igops import --overwrite "
        "homepage-hero-headline.\nNo file adopted.\n"
    )


def test_adopt_is_shown_in_help_and_refused_with_json(project: Path) -> None:
    assert "igops drift --adopt && git diff experiences/" in igops("drift", "--help").output
    refused = igops("drift", "--api", f"sandbox:{project / 'account.json'}", "--adopt", "--format", "json")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr == (
        "Error: --adopt reports what it wrote in text or markdown, not in the drift JSON: leave out --format "
        "json, or run igops drift --format json before adopting.\n"
    )
