"""The plan as a JSON document (schemas/plan.schema.json), and back; its summary line and its digest.

The one machine form of a plan: `--format json` prints it and a saved plan carries it, so
apply runs exactly what was shown. Renderers build on it; they never parse it. The summary line and
the digest are the document's too: text, markdown and JSON state the same line, and the digest a
review saw is the one apply --reviewed compares (igops.engine.reviewed).
"""

from __future__ import annotations

import functools
import hashlib
import json
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from igops.analytics.results import ExperienceResults
from igops.documents.results import results_document, results_from_document
from igops.model import (
    Change,
    ChangeKind,
    ExperiencePlan,
    FieldChange,
    GitBase,
    Origin,
    Plan,
    PlanError,
    Risk,
    ScheduledAction,
    StoreOutcome,
    StoreOutcomes,
    StorePlans,
    UnmanagedExperience,
)
from igops.moments import clock_text, utc_text
from igops.schemas import STORE_PLANS_SCHEMA, load_schema
from igops.text import counted

# 4: a risk names its policy (kind and rule, free strings), its level and figures; experiences carry
# started_at; results carry the impact estimate, and the summary its total.
# 5: the plan's clock (now); an experience's file status is `status`, beside its `effective_status` and the
# `scheduled` actions its schedule holds back; a change a schedule called for carries its `due` boundary.
# 6: several stores: a store's plan names its `store`, and a repository with stores: prints one document
# (store-plans.schema.json) holding each store's plan under `stores`.
FORMAT_VERSION = 6
PLAN_SCHEMA = "plan.schema.json"
_MESSAGE_WIDTH = 200
DIGEST_PREFIX = "sha256:"


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan as plain JSON data; every managed experience is in it, changed or not, so a saved
    plan knows the id, `lastUpdateTs` and status of each one apply may touch."""
    return {
        "format_version": FORMAT_VERSION,
        "now": None if plan.now is None else utc_text(plan.now),
        "summary": {
            **{kind.value: plan.count(kind) for kind in ChangeKind},
            "scheduled": sum(len(experience.scheduled) for experience in plan.experiences),
            "line": summary_line(plan),
            "est_monthly_revenue_increase": ending_impact(plan).total,
        },
        "has_changes": plan.has_changes,
        "digest": plan_digest(plan),
        "files_hash": plan.files_hash,
        "experiences": [_experience_document(experience) for experience in plan.experiences],
        "unmanaged": [
            {"id": e.id, "name": e.name, "type": e.type, "status": e.status} for e in plan.unmanaged
        ],
        "errors": [{"key": error.key, "message": error.message} for error in plan.errors],
        "risks": [
            {
                "kind": risk.rule,
                "rule": risk.rule,
                "key": risk.key,
                "message": risk.message,
                "needs_force": risk.needs_force,
                "level": risk.level,
                "figures": _plain(risk.figures),
            }
            for risk in plan.risks
        ],
        # Origins only where the plan was told against a commit, so that other plans read as they did.
        **(
            {}
            if plan.git_base is None
            else {"git_base": {"ref": plan.git_base.ref, "commit": plan.git_base.commit}}
        ),
        **({} if plan.store is None else {"store": plan.store}),
    }


def store_plans_document(plans: StorePlans) -> dict[str, Any]:
    """The plans of several stores as one JSON document (schemas/store-plans.schema.json): each planned
    store's plan document under `stores`, and the stores that could not be planned under `failed`."""
    return {
        "format_version": FORMAT_VERSION,
        "summary": {
            "line": stores_summary_line(plans),
            "stores": [{"store": store, "line": line} for store, line in store_lines(plans)],
        },
        "has_changes": any(plan.has_changes for _, plan in plans.values),
        "stores": {store: plan_document(plan) for store, plan in plans.values},
        "failed": [{"store": outcome.store, "message": outcome.failure} for outcome in plans.failures],
    }


def stores_summary_line(plans: StorePlans) -> str:
    """`3 stores planned: 1 with changes.`, or `2 of 3 stores planned: 1 with changes, 1 failed.`"""
    changed = sum(1 for _, plan in plans.values if plan.has_changes)
    failed = len(plans.failures)
    every = counted(len(plans.outcomes), "store")
    if not failed:
        return f"{every} planned: {changed} with changes."
    return f"{len(plans.values)} of {every} planned: {changed} with changes, {failed} failed."


def store_lines(plans: StorePlans) -> list[tuple[str, str]]:
    """Each store's summary line, or `Not planned: WHY` (its first line) when it failed."""
    return [
        (
            outcome.store,
            summary_line(outcome.value)
            if outcome.value is not None
            else "Not planned: " + (outcome.failure or "").split("\n")[0],
        )
        for outcome in plans.outcomes
    ]


def store_plans_from_document(document: Any) -> StorePlans:
    """The stores' plans a document of several stores describes; ValueError, in one sentence, when it is
    not one."""
    _check_version(document)
    error = best_match(_store_plans_validator().iter_errors(document))
    if error is not None:
        raise ValueError(f"The plan is not a valid igops plan of several stores {_where(error)}.")
    outcomes = [
        StoreOutcome(store, value=plan_from_document(item)) for store, item in document["stores"].items()
    ]
    outcomes += [StoreOutcome(item["store"], failure=item["message"]) for item in document["failed"]]
    return StoreOutcomes(tuple(outcomes))


def summary_line(plan: Plan) -> str:
    """`Plan: 2 to create, 1 to update, 3 lifecycle actions (start 2, end 1).`, or `No changes.`; then, when
    an end has the API's impact estimate for its winner, `2 tests to end: estimated +$8,400 a month.`; then,
    when schedules hold actions back, `1 scheduled action not yet due (the next at 2026-12-07 09:00 ...).`"""
    return _changes_sentence(plan) + _scheduled_sentence(plan)


def _changes_sentence(plan: Plan) -> str:
    if not plan.has_changes:
        return "No changes."
    lifecycle = {kind: plan.count(kind) for kind in ChangeKind if kind.is_lifecycle}
    # Zero counts stay in the headline (Terraform's habit) but would be noise inside the parentheses.
    detail = ", ".join(f"{kind} {number}" for kind, number in lifecycle.items() if number)
    actions = counted(sum(lifecycle.values()), "lifecycle action") + (f" ({detail})" if detail else "")
    create, update = plan.count(ChangeKind.CREATE), plan.count(ChangeKind.UPDATE)
    return f"Plan: {create} to create, {update} to update, {actions}.{_impact_sentence(ending_impact(plan))}"


def _scheduled_sentence(plan: Plan) -> str:
    due = sorted(action.due for experience in plan.experiences for action in experience.scheduled)
    if not due:
        return ""
    return f" {counted(len(due), 'scheduled action')} not yet due (the next at {clock_text(due[0])})."


@dataclass(frozen=True)
class EndingImpact:
    """What the plan's ends are estimated to add a month: the API's estimate for each end whose winner is
    the challenger the estimate is about (rolling out another variation, or the control, is not what it
    estimates), totalled."""

    ends: int  # the experiences the plan ends
    counted: int  # those whose estimate is in the total
    total: float | None  # None when none is
    symbol: str = "$"


def ending_impact(plan: Plan) -> EndingImpact:
    ending = [
        (experience, change.winner)
        for experience in plan.experiences
        for change in experience.changes
        if change.kind is ChangeKind.END
    ]
    estimates = [
        experience.results
        for experience, winner in ending
        if experience.results is not None and estimate_applies(experience.results, winner)
    ]
    symbols = {results.currency_symbol for results in estimates}
    total = sum(results.est_monthly_revenue_increase or 0.0 for results in estimates) if estimates else None
    return EndingImpact(len(ending), len(estimates), total, symbols.pop() if len(symbols) == 1 else "")


def estimate_applies(results: ExperienceResults, winner: str | None) -> bool:
    """Whether the API's impact estimate is about rolling out `winner`: it is the estimated challenger."""
    challenger = results.estimated_challenger
    return (
        results.est_monthly_revenue_increase is not None
        and challenger is not None
        and challenger.name == winner
    )


def signed_amount(amount: float, symbol: str) -> str:
    """`+$8,400`, `-€120`."""
    return f"{'-' if amount < 0 else '+'}{symbol}{abs(amount):,.0f}"


def _impact_sentence(impact: EndingImpact) -> str:
    if impact.total is None:
        return ""
    tests = counted(impact.ends, "test")
    amount = signed_amount(impact.total, impact.symbol)
    if impact.counted == impact.ends:
        return f" {tests} to end: estimated {amount} a month."
    return (
        f" {tests} to end: estimated {amount} a month from {impact.counted} of them (the others' winners "
        "have no estimate)."
    )


def plan_digest(plan: Plan) -> str:
    """What the plan does to each experience (each change, each field's before and after, the winner, and
    the lifecycle actions its schedule holds back), not when it was made, its timestamps or the origins its
    review was told against, as one hash."""
    acting = sorted(
        (experience for experience in plan.experiences if experience.changes or experience.scheduled),
        key=lambda experience: experience.key,
    )
    content = [{"key": experience.key, "changes": digested(experience)} for experience in acting]
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return DIGEST_PREFIX + hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def digested(experience: ExperiencePlan) -> list[dict[str, Any]]:
    """What the digest covers of one experience: its changes, then its scheduled actions. A scheduled action
    reads as the change it becomes once due, so that a plan reviewed before a boundary and applied after it
    does the same: the reviewers saw when it would start. A create lists no fields, so the experience it
    sends is covered whole: a file edited between the review and the apply creates something else."""
    return [
        {
            "kind": change.kind.value,
            "winner": change.winner,
            "fields": [[field.path, field.before, field.after] for field in change.fields],
            **({} if change.due is None else {"due": change.due.isoformat()}),
            **({"desired": experience.desired} if change.kind is ChangeKind.CREATE else {}),
        }
        for change in experience.changes
    ] + [
        {"kind": action.kind.value, "winner": action.winner, "fields": [], "due": action.due.isoformat()}
        for action in experience.scheduled
    ]


def plan_from_document(document: Any) -> Plan:
    """The plan a document describes; ValueError, in one sentence, when it is not a valid plan document."""
    _check(document)
    return Plan(
        experiences=tuple(_experience(item) for item in document["experiences"]),
        unmanaged=tuple(UnmanagedExperience(**item) for item in document["unmanaged"]),
        errors=tuple(PlanError(**item) for item in document["errors"]),
        files_hash=document["files_hash"],
        risks=tuple(
            Risk(item["rule"], item["key"], item["message"], item["needs_force"], item["figures"])
            for item in document["risks"]
        ),
        git_base=GitBase(**document["git_base"]) if "git_base" in document else None,
        now=None if document["now"] is None else datetime.fromisoformat(document["now"]).timestamp(),
        store=document.get("store"),
    )


def _experience_document(experience: ExperiencePlan) -> dict[str, Any]:
    # Results only where the plan has them (an end), so that other plans read as they always did.
    results = {} if experience.results is None else {"results": results_document(experience.results)}
    return {
        "key": experience.key,
        "name": experience.name,
        "path": experience.path,
        **({} if experience.override is None else {"override": experience.override}),
        "experience_id": experience.experience_id,
        "live_status": experience.live_status,
        "status": experience.desired_status,
        "effective_status": experience.status_now,
        "last_update_ts": experience.last_update_ts,
        "started_at": experience.started_at,
        "changes": [
            {
                "kind": change.kind.value,
                "fields": [
                    {
                        "path": f.path,
                        "before": _plain(f.before),
                        "after": _plain(f.after),
                        **_origin(f.origin),
                    }
                    for f in change.fields
                ],
                "winner": change.winner,
                **_origin(change.origin),
                **({} if change.due is None else {"due": change.due.isoformat()}),
            }
            for change in experience.changes
        ],
        "scheduled": [
            {"kind": action.kind.value, "due": action.due.isoformat(), "winner": action.winner}
            for action in experience.scheduled
        ],
        "warnings": list(experience.warnings),
        "notes": list(experience.notes),
        "desired": _plain(experience.desired),
        "base": _plain(experience.base) if experience.base is not None else None,
        **results,
    }


def _origin(origin: Origin | None) -> dict[str, str]:
    return {} if origin is None else {"origin": origin.value}


def _origin_of(item: Mapping[str, Any]) -> Origin | None:
    return Origin(item["origin"]) if "origin" in item else None


def _plain(value: Any) -> Any:
    """A copy made of dicts and lists only, so the document neither shares nor depends on frozen inputs."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _experience(item: dict[str, Any]) -> ExperiencePlan:
    return ExperiencePlan(
        key=item["key"],
        name=item["name"],
        path=item["path"],
        override=item.get("override"),
        experience_id=item["experience_id"],
        live_status=item["live_status"],
        desired_status=item["status"],
        effective_status=None if item["effective_status"] == item["status"] else item["effective_status"],
        scheduled=tuple(
            ScheduledAction(
                ChangeKind(action["kind"]), datetime.fromisoformat(action["due"]), action["winner"]
            )
            for action in item["scheduled"]
        ),
        last_update_ts=item["last_update_ts"],
        started_at=item["started_at"],
        changes=tuple(
            Change(
                kind=ChangeKind(change["kind"]),
                fields=tuple(
                    FieldChange(field["path"], field["before"], field["after"], _origin_of(field))
                    for field in change["fields"]
                ),
                winner=change["winner"],
                origin=_origin_of(change),
                due=datetime.fromisoformat(change["due"]) if "due" in change else None,
            )
            for change in item["changes"]
        ),
        warnings=tuple(item["warnings"]),
        notes=tuple(item["notes"]),
        desired=item["desired"],
        base=item.get("base"),
        results=results_from_document(item["results"]) if item.get("results") is not None else None,
    )


def _check(document: Any) -> None:
    _check_version(document)
    if isinstance(document, dict) and "stores" in document and "experiences" not in document:
        raise ValueError(
            "The plan holds the plans of several stores, where one store's plan was expected: name the store "
            "with --store."
        )
    error = best_match(_validator().iter_errors(document))
    if error is not None:
        raise ValueError(f"The plan is not a valid igops plan document {_where(error)}.")


def _check_version(document: Any) -> None:
    # The version is checked first: a newer igops's plan deserves that reason, not a schema complaint.
    version = document.get("format_version") if isinstance(document, dict) else None
    if version is not None and version != FORMAT_VERSION:
        raise ValueError(
            f"The plan has format_version {version!r}; this igops reads format_version {FORMAT_VERSION}: "
            "make the plan again with this igops."
        )


def _where(error: ValidationError) -> str:
    """`at experiences[2].key: REASON`: where a schema error is and what it is, in part of a sentence."""
    where = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in error.absolute_path)
    place = f"at {where.lstrip('.')}" if where else "at the top level"
    # jsonschema quotes the offending value whole; a whole plan does not belong in one sentence.
    reason = textwrap.shorten(error.message, _MESSAGE_WIDTH, placeholder=" …")
    return f"{place}: {reason}"


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema(PLAN_SCHEMA))


@functools.cache
def _store_plans_validator() -> Draft202012Validator:
    # Each store's document is checked against the plan schema the wrapper's `$ref` names.
    registry: Registry[Any] = Registry().with_resource(
        PLAN_SCHEMA, Resource.from_contents(load_schema(PLAN_SCHEMA))
    )
    return Draft202012Validator(load_schema(STORE_PLANS_SCHEMA), registry=registry)
