"""The policies outside plans: `igops validate` runs the rules that judge files alone (exit 1 only on a
finding at level force, which --force passes), `igops policies` lists every rule as igops.yaml sets it, and
`igops monitor` reports max-runtime with the plan's threshold. None of them needs a token but monitor."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.cli import igops, work_in
from support.files import dump, experience, offer
from support.results import ab_test, invoke, results_project, valid_json

from igops.cli.monitor_command import monitor_command
from igops.engine.rules import BUILT_IN_RULES
from igops.schemas import MONITOR_SCHEMA

METRICS = [{"standardEventId": "conversionRate", "isPrimary": True}]


def a_test(name: str, path: str, *, status: str = "started") -> dict[str, Any]:
    targeting = [
        {"expression": [{"query": {"type": "urlPath", "key": "path", "filter": path[0], "value": path[1]}}]}
    ]
    return experience(
        "content/advanced",
        name=name,
        status=status,
        experienceKeyMetrics=METRICS,
        experiencePageTargeting=targeting,
    )


def deep_offer() -> dict[str, Any]:
    document = experience("personalization/offer", name="Bundle", status="draft")
    tiers = [{"minimumUnits": 2, "maximumUnits": 9, "unitDiscount": 45}]
    document["variations"][1]["offer"] = offer(discountType="percentage", tiers=tiers)
    return document


# Three findings of the rules that judge files alone, one each; a test of its own page; and a freeze window
# around now that no plan-only rule brings into validate.
FILES = {
    "bundle": deep_offer(),
    "home": a_test("Home", ("equals", "/")),
    "products": a_test("Products", ("startsWith", "/products")),
    "socks": a_test("Socks", ("equals", "/products/socks")),
    "unmeasured": experience("content/advanced", name="Unmeasured", status="draft"),
}
DISCOUNT = (
    "experiences/bundle.yaml: max-discount ({level}): the offer of Variant gives 45% off in tier 1, more "
    "than max-discount allows (30%): {way_on}"
)
OVERLAP = (
    "experiences/products.yaml: overlap (warning): runs at the same time as socks (Socks) on pages both can "
    "match (here: the URL path starts with /products; socks: the URL path is /products/socks), and their "
    "audiences are not apart"
)
PRIMARY = (
    "experiences/unmeasured.yaml: primary-metric (warning): declares no primary key metric: name the one"
)


def frozen_now() -> str:
    start, end = (datetime.now(UTC) + timedelta(days=days) for days in (-1, 1))
    window = f"{{name: Now, start: '{start.isoformat()}', end: '{end.isoformat()}'}}"
    return f"  freeze:\n    level: force\n    windows: [{window}]\n"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project of FILES, no token in the environment."""
    work_in(tmp_path, monkeypatch)
    monkeypatch.delenv("INTELLIGEMS_API_TOKEN")
    (tmp_path / "experiences").mkdir()
    for key, document in FILES.items():
        (tmp_path / "experiences" / f"{key}.yaml").write_text(dump(document))
    (tmp_path / "igops.yaml").write_text("policies:\n" + frozen_now())
    return tmp_path


def set_policies(project: Path, text: str) -> None:
    path = project / "igops.yaml"
    path.write_text(path.read_text() + text)


# --- igops validate ------------------------------------------------------------------------------------


def test_validate_shows_each_warning_and_passes(files: Path) -> None:
    result = igops("validate")
    assert result.exit_code == 0, result.output
    discount, overlap, primary, count = result.output.splitlines()
    assert discount == DISCOUNT.format(level="warning", way_on="check the margin allows it.")
    assert overlap.startswith(OVERLAP) and primary.startswith(PRIMARY)
    assert count == "5 experience files checked: all valid. 3 policy warnings."
    assert "freeze" not in result.output, "a rule that needs the account is not validate's"


def test_validate_fails_on_a_finding_at_force_and_force_passes_it(files: Path) -> None:
    set_policies(files, "  max-discount: {level: force}\n")
    refused = igops("validate")
    assert refused.exit_code == 1, refused.output
    discount = DISCOUNT.format(
        level="needs --force", way_on="lower it, or run apply with --force if the margin allows it."
    )
    assert discount in refused.output.splitlines()
    assert refused.output.splitlines()[-1] == (
        "5 experience files checked: all valid. 1 policy finding that apply refuses without --force and 2 "
        "policy warnings."
    )
    passed = igops("validate", "--force")
    assert passed.exit_code == 0, passed.output
    assert discount in passed.output.splitlines()
    assert passed.output.splitlines()[-1] == (
        "5 experience files checked: all valid. 1 policy finding that apply refuses without --force (allowed "
        "by --force) and 2 policy warnings."
    )


def test_validate_leaves_out_the_rules_turned_off(files: Path) -> None:
    set_policies(
        files, "  overlap: {level: off}\n  primary-metric: {level: off}\n  max-discount: {level: off}\n"
    )
    result = igops("validate")
    assert result.exit_code == 0 and result.output == "5 experience files checked: all valid.\n", (
        result.output
    )


def test_validate_as_json_lists_the_findings_with_rule_level_and_file(files: Path) -> None:
    set_policies(files, "  primary-metric: {level: force}\n")
    result = igops("validate", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert (document["valid"], document["passes"], document["files"], document["errors"]) == (
        True,
        False,
        5,
        [],
    )
    found = [(f["file"], f["key"], f["rule"], f["level"], f["needs_force"]) for f in document["findings"]]
    assert found == [
        ("experiences/bundle.yaml", "bundle", "max-discount", "warn", False),
        ("experiences/products.yaml", "products", "overlap", "warn", False),
        ("experiences/unmeasured.yaml", "unmeasured", "primary-metric", "force", True),
    ]
    discount = document["findings"][0]
    assert discount["figures"] == {"variation": "Variant", "tier": 1, "discount": "45%", "limit": "30%"}
    assert discount["message"].startswith("the offer of Variant gives 45% off in tier 1")
    assert json.loads(igops("validate", "--format", "json", "--force").stdout)["passes"] is True


def test_validate_for_github_annotates_each_finding_on_its_file(files: Path) -> None:
    set_policies(files, "  max-discount: {level: force}\n")
    result = igops("validate", "--format", "github")
    assert result.exit_code == 1
    annotations = [line for line in result.output.splitlines() if line.startswith("::")]
    assert [line.split("::")[1] for line in annotations] == [
        "error file=experiences/bundle.yaml,line=1,title=igops validate",
        "warning file=experiences/products.yaml,line=1,title=igops validate",
        "warning file=experiences/unmeasured.yaml,line=1,title=igops validate",
    ]
    # A workflow command's message escapes % (and line breaks).
    assert annotations[0].endswith(
        "::max-discount (needs --force): the offer of Variant gives 45%25 off in tier 1, more than "
        "max-discount allows (30%25): lower it, or run apply with --force if the margin allows it."
    )
    forced = igops("validate", "--format", "github", "--force")
    assert forced.exit_code == 0
    assert forced.output.startswith(
        "::warning file=experiences/bundle.yaml,line=1,title=igops validate::max-discount"
    )


def test_validate_judges_overlap_among_the_files_it_is_given(files: Path) -> None:
    result = igops("validate", "experiences/products.yaml", "experiences/home.yaml")
    assert result.exit_code == 0 and result.output == "2 experience files checked: all valid.\n", (
        result.output
    )


def test_validate_notes_an_old_key_on_stderr_and_keeps_its_json_whole(files: Path) -> None:
    set_policies(files, "max_changes: 5\n")
    result = igops("validate", "--format", "json")
    assert json.loads(result.stdout)["passes"] is True
    assert (
        result.stderr.startswith("Note: igops.yaml:") and "max_changes is read as policies" in result.stderr
    )


# --- igops policies ------------------------------------------------------------------------------------


def test_policies_lists_every_rule_with_its_level_and_thresholds(files: Path) -> None:
    (files / "igops.yaml").write_text("monitor:\n  sample_ratio_mismatch: {p_value: 0.01}\n")
    result = igops("policies")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "Policies as igops.yaml sets them; force: apply refuses without --force, warn: shown, off: not "
        "checked."
    )
    headings = [line for line in lines if line and not line.startswith(" ") and line != lines[0]]
    assert headings == [
        "max-changes: force (max 25)",
        "running-split: force",
        "end-without-winner: force",
        "strong-loss-winner: force",
        # end-gate judges a sample-ratio mismatch with monitor's own threshold: one setting for both.
        "end-gate: warn (min_days 7, min_orders 300, min_probability 0.9, srm_p_value 0.01)",
        "overlap: warn",
        "freeze: warn (windows [])",
        "max-discount: warn (max_percent 30, max_amount none)",
        "primary-metric: warn",
        "max-runtime: warn (max_days 35)",
        "blast-radius: warn (max_share 0.5, min_running 4)",
    ]
    assert "  checked by plan, apply, validate; built-in" in lines[lines.index("overlap: warn") + 1 :][:4]
    assert (
        "  checked by plan, apply; built-in"
        in lines[lines.index("blast-radius: warn (max_share 0.5, min_running 4)") :]
    )


def test_policies_as_json_reflect_igops_yaml(files: Path) -> None:
    (files / "igops.yaml").write_text(
        "policies:\n  overlap: {level: force}\n  max-runtime: {max_days: 50}\n  blast-radius: {level: off}\n"
    )
    result = igops("policies", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["format_version"], document["config"]) == (1, "igops.yaml")
    rules = {rule["name"]: rule for rule in document["rules"]}
    assert list(rules) == [rule.name for rule in BUILT_IN_RULES]
    assert rules["overlap"] == {
        "name": "overlap",
        "level": "force",
        "options": {},
        "description": (
            "Two tests left running on pages one URL can match, with audiences not provably apart, spoil "
            "each other's results."
        ),
        "checked_by": ["plan", "apply", "validate"],
        "needs_account": False,
        "uses_clock": False,
        "origin": "built-in",
    }
    assert (rules["max-runtime"]["level"], rules["max-runtime"]["options"]) == ("warn", {"max_days": 50})
    assert rules["max-runtime"]["checked_by"] == ["plan", "apply", "apply PLANFILE (again, at its own time)"]
    assert rules["blast-radius"]["level"] == "off" and rules["blast-radius"]["checked_by"] == [
        "plan",
        "apply",
    ]
    assert {rule["origin"] for rule in document["rules"]} == {"built-in"}


def test_policies_without_igops_yaml_are_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work_in(tmp_path, monkeypatch)
    monkeypatch.delenv("INTELLIGEMS_API_TOKEN")
    document = json.loads(igops("policies", "--format", "json").stdout)
    assert document["config"] is None
    assert {rule["name"]: rule["level"] for rule in document["rules"]}["max-discount"] == "warn"
    assert igops("policies").output.startswith("Policies at their defaults (no igops.yaml);")


def test_policies_help_has_an_example() -> None:
    result = igops("policies", "--help")
    assert (
        result.exit_code == 0
        and "Example:" in result.output
        and "igops policies --format json" in result.output
    )


# --- igops monitor: max-runtime ------------------------------------------------------------------------


def personalization(name: str, marker: str) -> dict[str, Any]:
    return experience(
        "personalization", name=name, description=f"{name}. [sandbox {marker}]", status="started"
    )


ACCOUNT = {
    "long": ab_test("Long test", "started 40 days ago"),
    "recent": ab_test("Recent test", "started 20 days ago"),
    "banner": personalization("Banner", "started 90 days ago"),
}


@pytest.mark.parametrize(
    ("config", "threshold", "alerted"),
    [
        pytest.param("", 35, {"long": 35}, id="default"),
        pytest.param(
            "policies:\n  max-runtime: {max_days: 14}\n", 14, {"long": 14, "recent": 14}, id="14-days"
        ),
        pytest.param("policies:\n  max-runtime: {max_days: 50}\n", 50, {}, id="50-days"),
        pytest.param("policies:\n  max-runtime: {level: off}\n", None, {}, id="off"),
    ],
)
def test_monitor_reports_max_runtime_with_the_policys_threshold(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    config: str,
    threshold: float | None,
    alerted: dict[str, int],
) -> None:
    results_project(tmp_path, monkeypatch, ACCOUNT, config=config)
    document = valid_json(invoke(monitor_command, "--format", "json").output, MONITOR_SCHEMA)
    found = {alert["key"]: alert for alert in document["alerts"] if alert["rule"] == "max-runtime"}
    assert {key: alert["figures"]["max_days"] for key, alert in found.items()} == alerted, (
        "personalizations run on"
    )
    if "long" in found:
        assert found["long"]["figures"]["days_live"] == pytest.approx(40, abs=0.01)
        text = invoke(monitor_command).output
        assert (
            "! max runtime  long (Long test): 40 days live, longer than max-runtime allows "
            f"({alerted['long']})" in text
        )
    assert document["rules"]["max_runtime"] == threshold


def test_monitor_and_plan_agree_on_max_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results_project(tmp_path, monkeypatch, ACCOUNT, config="policies:\n  max-runtime: {max_days: 30}\n")
    monitored = valid_json(invoke(monitor_command, "--format", "json").output, MONITOR_SCHEMA)
    planned = json.loads(igops("plan", "--format", "json").stdout)
    assert [
        (a["key"], a["figures"]["max_days"]) for a in monitored["alerts"] if a["rule"] == "max-runtime"
    ] == [("long", 30.0)]
    assert [(r["key"], r["figures"]["max_days"]) for r in planned["risks"] if r["rule"] == "max-runtime"] == [
        ("long", 30)
    ]
