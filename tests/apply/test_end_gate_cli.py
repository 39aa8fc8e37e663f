"""end-gate through the command line: set in igops.yaml, shown by `igops plan` in every format, enforced by
`igops apply` (fresh or from a saved plan, whose clock rules are judged again at apply time), over real
HTTP on 127.0.0.1 with the emulator's own results for each condition."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from support.apply import by_name, use_sandbox
from support.cli import REPO, igops
from support.emulator import new_sandbox, serve_over_http
from support.results import ab_test, results_project, valid_json

from igops import engine
from igops.documents.plan import PLAN_SCHEMA, signed_amount
from igops.engine import operations
from igops.render.untrusted import markdown_inline
from igops.sandbox import Sandbox

GATE = "end-gate"
NAME = "Checkout badge"
DAY = 86_400
# The monitor's sample-ratio threshold, which end-gate shares: far below any p-value a sound split draws, so
# that the emulator's random traffic trips no mismatch where a case is about another condition.
NO_SRM = "monitor: {sample_ratio_mismatch: {p_value: 0.000000001}}\n"


def gate_project(root: Path, monkeypatch: pytest.MonkeyPatch, marker: str, config: str) -> Path:
    """A project whose one test, `badge`, runs in the emulator with the story `marker`; igops.yaml adds
    `config`."""
    return results_project(root, monkeypatch, {"badge": ab_test(NAME, marker)}, config=config)


def end_with(project: Path, winner: str) -> None:
    """The file says: end the test, rolling out `winner`."""
    path = project / "experiences" / "badge.yaml"
    text = path.read_text()
    assert "status: started" in text
    path.write_text(text.replace("status: started", f"status: ended\nwinner: {winner}"))


def gate_risks(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [risk for risk in document["risks"] if risk["rule"] == GATE]


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error: ")]


def status_of(sandbox: Sandbox) -> str:
    return str(by_name(sandbox.experiences())[NAME]["status"])


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Apply's clock (igops.engine.operations asks time.time()) `seconds` ahead of the real one; the plan's,
    the emulator's and everything else's stay as they are."""
    real = time.time
    monkeypatch.setattr(operations, "time", SimpleNamespace(time=lambda: real() + seconds))


# --- each condition over HTTP ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    marker: str
    winner: str
    policies: str  # igops.yaml's end-gate entry and any other lines
    said: Callable[[dict[str, Any]], list[str]] | None  # the figures -> what the message says; None: nothing


def days_said(figures: dict[str, Any]) -> list[str]:
    return ["3 days live (7 needed), ", "; 7 days live: about 4 more days at the current rate. "]


def orders_said(figures: dict[str, Any]) -> list[str]:
    orders, days, more = figures["orders"], figures["days_live"], figures["days_to_evidence"]
    # The slowest variation at its own rate so far: (300 - orders) / (orders / days) more days, counted with
    # the unrounded days (the figures' are rounded to hundredths).
    fewest = min(orders.values())
    assert more in {math.ceil((300 - fewest) * d / fewest) for d in (days - 0.005, days, days + 0.005)}
    return [
        *(f"{orders[name]:,} orders in {name} (300 needed)" for name in ("Control", "Variant")),
        f"; {fewest:,} of 300 orders in ",
        f": about {more} more days at the current rate. ",
    ]


def srm_said(figures: dict[str, Any]) -> list[str]:
    p_value = figures["srm_p_value"]
    assert p_value < 0.001
    return [f", a sample-ratio mismatch (p {p_value:.2g}, below 0.001), so its results cannot be trusted. "]


def odds_said(figures: dict[str, Any]) -> list[str]:
    assert figures["p2bc"] < 0.9 and figures["min_probability"] == 0.9
    return [f", {figures['p2bc']:.0%} to beat the control (90% needed). "]


CASES = {
    "too-few-days": Case(
        "started 3 days ago", "Control", "  end-gate: {level: force, min_orders: 0}\n", days_said
    ),
    # Two days of the emulator's traffic are a few dozen orders per variation.
    "too-few-orders": Case(
        "started 2 days ago", "Control", "  end-gate: {level: force, min_days: 1}\n", orders_said
    ),
    "sample-ratio-mismatch": Case(
        "started 30 days ago, srm", "Control", "  end-gate: {level: force, min_orders: 0}\n", srm_said
    ),
    # A collapsed checkout: the variant has next to no chance; the verdict's own rail is set aside here.
    "odds": Case(
        "started 60 days ago, conversion collapse",
        "Variant",
        "  end-gate: {level: force, min_orders: 0}\n  strong-loss-winner: {level: off}\n",
        odds_said,
    ),
    # 150 days of the slowest traffic the emulator draws is hundreds of orders per variation.
    "enough": Case("started 150 days ago, uplift +20%", "Control", "  end-gate: {level: force}\n", None),
}


@pytest.mark.http
@pytest.mark.parametrize("name", list(CASES))
def test_each_condition_over_http_in_every_format_refused_then_forced(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    monitor = "" if name == "sample-ratio-mismatch" else NO_SRM
    project = gate_project(tmp_path, monkeypatch, case.marker, f"{monitor}policies:\n{case.policies}")
    end_with(project, case.winner)
    sandbox = new_sandbox(project / "account.json")
    with serve_over_http(sandbox) as url:
        text = igops("plan", "--api", url)
        markdown = igops("plan", "--api", url, "--format", "markdown")
        shown = igops("plan", "--api", url, "--format", "json")
        assert text.exit_code == markdown.exit_code == shown.exit_code == 0, text.output
        document = valid_json(shown.output, PLAN_SCHEMA)
        # The schema the repository publishes, too (the packaged copy is the same file).
        published = json.loads((REPO / "schemas" / PLAN_SCHEMA).read_text())
        assert list(Draft202012Validator(published).iter_errors(document)) == []
        assert any("/analytics/resource/" in request.path for request in sandbox.requests)
        if case.said is None:
            assert gate_risks(document) == [] and "end-gate" not in text.output + markdown.output
            applied = igops("apply", "--auto-approve", "--api", url)
            assert applied.exit_code == 0, applied.output
            assert status_of(sandbox) == "ended"
            return
        (risk,) = gate_risks(document)
        assert risk["kind"] == risk["rule"] == GATE and risk["key"] == "badge"
        assert risk["level"] == "force" and risk["needs_force"] is True
        figures = risk["figures"]
        assert {"days_live", "min_days", "orders", "min_orders", "srm_p_value"} <= set(figures)
        assert set(figures["orders"]) == {"Control", "Variant"}
        message = risk["message"]
        assert message.startswith("ends before the evidence is in: ")
        assert message.endswith(
            "Let it run until the evidence is in, or run apply with --force to end it now."
        )
        for phrase in case.said(figures):
            assert phrase in message, (phrase, message)
        assert f"! end-gate (needs --force): {message}\n" in text.output
        assert f"> **⛔ end-gate (needs --force):** {markdown_inline(message)}\n" in markdown.output

        refused = igops("apply", "--auto-approve", "--api", url)
        assert refused.exit_code == 1, refused.output
        assert error_lines(refused.output) == [f"Error: policy end-gate: badge: {message}"]
        assert sandbox.writes == [] and status_of(sandbox) == "started"
        forced = igops("apply", "--auto-approve", "--api", url, "--force")
        assert forced.exit_code == 0, forced.output
        [end] = sandbox.writes
        assert end.path.endswith("/actions/end") and status_of(sandbox) == "ended"


# --- levels, in-process --------------------------------------------------------------------------------


def test_warn_is_the_default_shown_in_every_format_and_never_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = gate_project(tmp_path, monkeypatch, "started 3 days ago", NO_SRM)
    end_with(project, "Control")
    api = use_sandbox(monkeypatch, sandbox := new_sandbox(project / "account.json"))
    document = valid_json(igops("plan", "--api", api, "--format", "json").output, PLAN_SCHEMA)
    (risk,) = gate_risks(document)
    assert risk["level"] == "warn" and risk["needs_force"] is False
    assert risk["figures"]["min_days"] == 7 and risk["figures"]["min_orders"] == 300
    assert risk["message"].endswith("Consider letting it run until the evidence is in.")
    assert f"! end-gate (warning): {risk['message']}" in igops("plan", "--api", api).output
    markdown = igops("plan", "--api", api, "--format", "markdown").output
    assert f"> **⚠️ end-gate (warning):** {markdown_inline(risk['message'])}" in markdown
    applied = igops("apply", "--auto-approve", "--api", api)
    assert applied.exit_code == 0, applied.output
    assert "! end-gate (warning): ends before the evidence is in: 3 days live (7 needed)" in applied.output
    assert error_lines(applied.output) == [] and status_of(sandbox) == "ended"


def test_off_says_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = gate_project(
        tmp_path, monkeypatch, "started 1 day ago", "policies:\n  end-gate: {level: off}\n"
    )
    end_with(project, "Variant")
    api = use_sandbox(monkeypatch, sandbox := new_sandbox(project / "account.json"))
    document = valid_json(igops("plan", "--api", api, "--format", "json").output, PLAN_SCHEMA)
    assert gate_risks(document) == []
    for output in ("text", "markdown"):
        assert "end-gate" not in igops("plan", "--api", api, "--format", output).output
    applied = igops("apply", "--auto-approve", "--api", api)
    assert applied.exit_code == 0 and "end-gate" not in applied.output, applied.output
    assert status_of(sandbox) == "ended"


def test_the_mismatch_threshold_is_the_monitors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = (
        "monitor: {sample_ratio_mismatch: {p_value: 0.01}}\n"
        "policies:\n  end-gate: {level: force, min_orders: 0}\n"
    )
    project = gate_project(tmp_path, monkeypatch, "started 30 days ago, srm", config)
    assert engine.open_project().rule_book.policy(GATE)["srm_p_value"] == 0.01
    end_with(project, "Control")
    api = use_sandbox(monkeypatch, new_sandbox(project / "account.json"))
    document = valid_json(igops("plan", "--api", api, "--format", "json").output, PLAN_SCHEMA)
    (risk,) = gate_risks(document)
    assert f"(p {risk['figures']['srm_p_value']:.2g}, below 0.01)" in risk["message"]


def test_no_end_no_analytics_even_at_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = gate_project(
        tmp_path, monkeypatch, "started 3 days ago", "policies:\n  end-gate: {level: force}\n"
    )
    path = project / "experiences" / "badge.yaml"
    path.write_text(path.read_text().replace("Checkout badge, a test.", "Checkout badge, reworded."))
    api = use_sandbox(monkeypatch, sandbox := new_sandbox(project / "account.json"))
    applied = igops("apply", "--auto-approve", "--api", api)
    assert applied.exit_code == 0, applied.output
    assert "end-gate" not in applied.output and len(sandbox.writes) == 1
    assert sandbox.requests and not any("/analytics/" in request.path for request in sandbox.requests)


def test_the_impact_line_and_total_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three ends on the emulator's own estimates: two roll out the estimated challenger, one keeps the
    control; the summary totals the two."""
    winners = {"badge": "Variant", "hero": "Variant", "banner": "Control"}
    documents = {key: ab_test(key.capitalize(), "started 12 days ago, uplift +8%") for key in winners}
    project = results_project(tmp_path, monkeypatch, documents)
    for key, winner in winners.items():
        path = project / "experiences" / f"{key}.yaml"
        path.write_text(path.read_text().replace("status: started", f"status: ended\nwinner: {winner}"))
    api = use_sandbox(monkeypatch, new_sandbox(project / "account.json"))
    document = valid_json(igops("plan", "--api", api, "--format", "json").output, PLAN_SCHEMA)
    estimates = {
        item["key"]: item["results"]["impact"]["est_monthly_revenue_increase"]
        for item in document["experiences"]
    }
    assert all(isinstance(estimate, int | float) for estimate in estimates.values()), estimates
    total = estimates["badge"] + estimates["hero"]
    assert document["summary"]["est_monthly_revenue_increase"] == total
    line = (
        "Plan: 0 to create, 0 to update, 3 lifecycle actions (end 3). 3 tests to end: estimated "
        f"{signed_amount(total, '$')} a month from 2 of them (the others' winners have no estimate)."
    )
    assert document["summary"]["line"] == line
    text = igops("plan", "--api", api).output
    markdown = igops("plan", "--api", api, "--format", "markdown").output
    assert line in text and line in markdown
    for estimate in estimates.values():
        amount = signed_amount(estimate, "$")
        assert (
            f"impact: the API estimates {amount} a month for Variant, the best challenger by revenue per visitor, as ("  # noqa: E501 (the sentence as it reads)
            in text
        )
        assert (
            f"**Impact:** The API estimates {amount} a month for Variant, the best challenger by revenue per visitor, as ("  # noqa: E501 (the sentence as it reads)
            in markdown
        )
    assert text.count("; the winner is that challenger.") == 2
    assert text.count("; the winner Control is not that challenger, so the estimate is not its.") == 1


# --- saved plans: what they recorded, and the clock rules again at apply time -----------------------------


def saved(api: str) -> Path:
    result = igops("plan", "--api", api, "--out", "plan.json")
    assert result.exit_code == 0, result.output
    return Path("plan.json")


def test_a_saved_plan_is_refused_for_the_days_it_lacks_at_apply_time_not_at_plan_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = f"{NO_SRM}policies:\n  end-gate: {{level: force, min_orders: 0}}\n"
    project = gate_project(tmp_path, monkeypatch, "started 3 days ago", config)
    end_with(project, "Control")
    api = use_sandbox(monkeypatch, sandbox := new_sandbox(project / "account.json"))
    plan_file = saved(api)
    refused = igops("apply", str(plan_file), "--api", api)
    assert refused.exit_code == 1
    [error] = error_lines(refused.output)
    assert error.startswith(
        "Error: policy end-gate: badge: ends before the evidence is in: 3 days live (7 needed)"
    )
    assert "about 4 more days at the current rate" in error
    later(monkeypatch, 2 * DAY)
    [error] = error_lines(igops("apply", str(plan_file), "--api", api).output)
    assert error.startswith(
        "Error: policy end-gate: badge: ends before the evidence is in: 5 days live (7 needed)"
    )
    assert "7 days live: about 2 more days at the current rate" in error
    assert sandbox.writes == []
    later(monkeypatch, 4.5 * DAY)  # the week is in by apply's clock
    applied = igops("apply", str(plan_file), "--api", api)
    assert applied.exit_code == 0, applied.output
    assert status_of(sandbox) == "ended"


def test_a_saved_plan_keeps_the_orders_it_read_while_its_days_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Apply reads no results: the orders are the plan's, only the days are counted again."""
    config = f"{NO_SRM}policies:\n  end-gate: {{level: force}}\n"
    project = gate_project(tmp_path, monkeypatch, "started 3 days ago", config)
    end_with(project, "Control")
    api = use_sandbox(monkeypatch, sandbox := new_sandbox(project / "account.json"))
    plan_file = saved(api)
    read = len(sandbox.requests)
    later(monkeypatch, 30 * DAY)
    refused = igops("apply", str(plan_file), "--api", api)
    assert refused.exit_code == 1
    [error] = error_lines(refused.output)
    assert error.startswith("Error: policy end-gate: badge: ends before the evidence is in: 33 days live, ")
    assert "orders in Control (300 needed)" in error and "(7 needed)" not in error
    assert sandbox.requests[read:] and not any("/analytics/" in r.path for r in sandbox.requests[read:])
    forced = igops("apply", str(plan_file), "--api", api, "--force")
    assert forced.exit_code == 0, forced.output
    assert status_of(sandbox) == "ended"


def test_a_plan_saved_before_a_freeze_is_refused_inside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = time.time()
    start, end = (
        datetime.fromtimestamp(now + offset, UTC).isoformat(timespec="seconds") for offset in (3600, DAY)
    )
    config = (
        f"{NO_SRM}policies:\n"
        # Passes: the test has run 10 days, a little more than min_days.
        "  end-gate: {level: force, min_days: 9.9, min_orders: 0}\n"
        f'  freeze: {{level: force, windows: [{{name: BFCM, start: "{start}", end: "{end}"}}]}}\n'
    )
    project = gate_project(tmp_path, monkeypatch, "started 10 days ago", config)
    end_with(project, "Control")
    api = use_sandbox(monkeypatch, sandbox := new_sandbox(project / "account.json"))
    document = valid_json(igops("plan", "--api", api, "--format", "json").output, PLAN_SCHEMA)
    assert {risk["rule"] for risk in document["risks"]} & {GATE, "freeze"} == set()
    plan_file = saved(api)
    later(monkeypatch, 2 * 3600)  # inside the window
    refused = igops("apply", str(plan_file), "--api", api)
    assert refused.exit_code == 1
    assert error_lines(refused.output) == [
        f"Error: policy freeze: badge: ends during the freeze window BFCM ({start} to {end}): wait until the "
        "window ends, or run apply with --force."
    ]
    assert sandbox.writes == []
    forced = igops("apply", str(plan_file), "--api", api, "--force")
    assert forced.exit_code == 0, forced.output
    assert status_of(sandbox) == "ended"


def test_a_saved_plan_finds_max_runtime_at_apply_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = gate_project(
        tmp_path,
        monkeypatch,
        "started 34 days ago",
        "policies:\n  max-runtime: {level: force, max_days: 35}\n",
    )
    path = project / "experiences" / "badge.yaml"
    path.write_text(path.read_text().replace("Checkout badge, a test.", "Checkout badge, reworded."))
    api = use_sandbox(monkeypatch, sandbox := new_sandbox(project / "account.json"))
    plan_file = saved(api)
    later(monkeypatch, 2 * DAY)
    refused = igops("apply", str(plan_file), "--api", api)
    assert refused.exit_code == 1
    [error] = error_lines(refused.output)
    assert error.startswith(
        "Error: policy max-runtime: badge: has run 36 days, longer than max-runtime allows (35)"
    )
    assert sandbox.writes == []


def test_a_plan_saved_when_end_gate_warned_no_longer_carries_the_days_once_they_are_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = gate_project(
        tmp_path, monkeypatch, "started 3 days ago", f"{NO_SRM}policies:\n  end-gate: {{min_orders: 0}}\n"
    )
    end_with(project, "Control")
    api = use_sandbox(monkeypatch, sandbox := new_sandbox(project / "account.json"))
    plan_file = saved(api)
    opened = engine.open_project(api)

    def reread() -> list[tuple[str, str, str]]:
        found = engine.run(opened.settings, lambda session: session.saved_plan(opened, plan_file))
        return [(risk.rule, risk.level, risk.message) for risk in found.risks]

    at_once = reread()
    (gate,) = [risk for risk in at_once if risk[0] == GATE]
    assert gate[1] == "warn" and "3 days live (7 needed)" in gate[2]
    # What is not the clock's is kept as recorded: the test declares no primary metric.
    recorded = [risk for risk in at_once if risk[0] != GATE]
    assert [risk[0] for risk in recorded] == ["primary-metric"]
    later(monkeypatch, 5 * DAY)
    assert reread() == recorded, "the days are in: end-gate has nothing left to say"
    applied = igops("apply", str(plan_file), "--api", api)
    assert applied.exit_code == 0, applied.output
    assert status_of(sandbox) == "ended"
