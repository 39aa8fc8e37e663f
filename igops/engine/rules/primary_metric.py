"""primary-metric: a test is judged on one metric, chosen before it runs.

Every test's file declares exactly one key metric with `isPrimary: true`; personalizations are exempt
(they are not judged against a control). It judges the files alone, so `igops validate` runs it too; in a
plan, the files the plan changes.
"""

from __future__ import annotations

from collections.abc import Iterator

from igops.engine.rules.base import BuiltIn, Finding, Level, PlanInputs, Policy
from igops.text import counted


def _primary_metric(inputs: PlanInputs, policy: Policy) -> Iterator[Finding]:
    for file in inputs.judged_files:
        if not inputs.is_test(file.key):
            continue
        metrics = file.body.get("experienceKeyMetrics") or []
        primaries = sum(1 for metric in metrics if metric.get("isPrimary"))
        if primaries != 1:
            declared = (
                "no primary key metric" if not primaries else f"{counted(primaries, 'primary key metric')}"
            )
            # At level force the refusal says how to pass it, as every other rule's does.
            way_on = ", or run apply with --force" if policy.level is Level.FORCE else ""
            yield Finding(
                file.key,
                (
                    f"declares {declared}: name the one metric it is judged on in experienceKeyMetrics with "
                    "isPrimary: true (such as standardEventId: netRevenuePerVisitor), before it runs"
                    f"{way_on}."
                ),
                {"primary_metrics": primaries},
            )


PRIMARY_METRIC = BuiltIn("primary-metric", _primary_metric, needs_account=False)
