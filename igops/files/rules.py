"""Checks the schema cannot express: they look at several fields, or at several files, at once.

Per-file rules run only on documents that passed the schema, so they may rely on its types.
Each rule yields (path, sentence); the loader turns the path into a file position.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from igops.experience_types import BY_NAME, PERSONALIZATION_TYPES, REDIRECT_FLAG_TYPES
from igops.files.errors import did_you_mean, quote
from igops.model import DesiredExperience, JsonPath
from igops.moments import offset_time
from igops.statuses import Status

Finding = tuple[JsonPath, str]
Experience = Mapping[str, Any]
Variation = Mapping[str, Any]

PERCENT_TOLERANCE = 0.01
DEVICE_VALUES = ("any", "mobile", "desktop")


@dataclass(frozen=True)
class FileRule:
    """A rule about one file alone: it needs no account, so `igops validate` runs it offline."""

    check: Callable[[Experience], Iterator[Finding]]
    needs_account: bool = False

    @property
    def name(self) -> str:
        return self.check.__name__.replace("_", "-")


def file_findings(experience: Experience) -> Iterator[Finding]:
    """Every semantic problem of one schema-valid experience."""
    for rule in FILE_RULES:
        yield from rule.check(experience)


def _names(experience: Experience) -> list[str]:
    return [variation["name"] for variation in experience["variations"]]


def unique_variation_names(experience: Experience) -> Iterator[Finding]:
    first_index: dict[str, int] = {}
    for index, name in enumerate(_names(experience)):
        if name in first_index:
            yield (
                ("variations", index, "name"),
                (
                    f"the variation name {quote(name)} is already used by $.variations[{first_index[name]}]; "
                    "variation names must be unique."
                ),
            )
        first_index.setdefault(name, index)


def one_control(experience: Experience) -> Iterator[Finding]:
    variations = experience["variations"]
    controls = [index for index, variation in enumerate(variations) if variation.get("isControl")]
    if not controls:
        yield ("variations",), "no variation is the control; mark exactly one with isControl: true."
    for index in controls[1:]:
        yield (
            ("variations", index, "isControl"),
            (
                f"a second control: {quote(variations[controls[0]]['name'])} is already the control; "
                "exactly one variation may have isControl: true."
            ),
        )


def percentages_total_100(experience: Experience) -> Iterator[Finding]:
    total = math.fsum(variation["percentage"] for variation in experience["variations"])
    # Rounded first, so that binary floats such as 33.33 * 3 count as within 0.01 of 100.
    if round(abs(total - 100), 9) > PERCENT_TOLERANCE:
        yield ("variations",), f"the variation percentages add up to {total:g}, not 100."


def winner_of_ended(experience: Experience) -> Iterator[Finding]:
    winner = experience.get("winner")
    if winner is None:
        return
    if experience["status"] != Status.ENDED:
        yield (
            ("winner",),
            (f"a winner is only declared with status: ended, and the status is {experience['status']}."),
        )
    names = _names(experience)
    if winner not in names:
        yield (
            ("winner",),
            (f"the winner {quote(winner)} is not the name of a variation{did_you_mean(winner, names)}."),
        )


def schedule_times(experience: Experience) -> Iterator[Finding]:
    """A schedule's times hold (each with a UTC offset, the end after the start) and fit the status they
    time: a start moves toward started (or ended), an end toward ended with a winner."""
    schedule = experience.get("schedule")
    if schedule is None:
        return
    status = experience["status"]
    times = {}
    for bound in ("start", "end"):
        if bound in schedule:
            times[bound], problem = offset_time(schedule[bound])
            if problem is not None:
                yield ("schedule", bound), problem
    start, end = times.get("start"), times.get("end")
    if start is not None and end is not None and end <= start:
        yield (
            ("schedule", "end"),
            f"schedule.end ({schedule['end']}) is not after schedule.start ({schedule['start']}).",
        )
    if "start" in schedule and status not in (Status.STARTED, Status.ENDED):
        yield (
            ("schedule", "start"),
            f"schedule.start goes with status: started (or ended, with an end), and the status is {status}.",
        )
    if "start" in schedule and "end" not in schedule and status == Status.ENDED:
        yield (
            ("schedule", "start"),
            "a start on a file that is already ended: with status: ended, schedule.start needs a "
            "schedule.end; or set status: started to start it on schedule.",
        )
    if "end" in schedule and status != Status.ENDED:
        yield (
            ("schedule", "end"),
            f"schedule.end goes with status: ended and a winner (the end it times), and the status is "
            f"{status}.",
        )
    test = experience["type"] not in PERSONALIZATION_TYPES
    if "end" in schedule and status == Status.ENDED and test and experience.get("winner") is None:
        yield (
            ("schedule", "end"),
            "a scheduled end of a test needs a winner: name the variation to roll out in winner:.",
        )


def type_parts(experience: Experience) -> Iterator[Finding]:
    kind = BY_NAME[experience["type"]]
    for index, variation in enumerate(experience["variations"]):
        if not variation.get("isControl") and kind.present is not None and not kind.present(variation):
            yield (
                ("variations", index),
                (
                    f"the variation {quote(variation['name'])} lacks {kind.needs}, which every non-control "
                    f"variation of a {experience['type']} experience needs."
                ),
            )


def consistent_redirects(experience: Experience) -> Iterator[Finding]:
    for index, variation in enumerate(experience["variations"]):
        for position, redirect in enumerate(variation.get("redirects", [])):
            path = ("variations", index, "redirects", position)
            yield from _redirect_findings(redirect, experience["type"], path)


def _redirect_findings(redirect: Mapping[str, Any], kind: str, path: JsonPath) -> Iterator[Finding]:
    partial = redirect.get("redirectType") == "partialReplacement"
    if not partial and not redirect.get("destinationUrl"):
        yield (*path, "destinationUrl"), "a full-replacement redirect needs a destinationUrl."
    if partial and not redirect.get("find"):
        yield (*path, "find"), "a partial-replacement redirect needs find: the part of the URL to replace."
    template_named = redirect.get("templateType") is not None and redirect.get("templateSuffixes")
    if redirect["isTemplateTest"] and not template_named:
        yield (
            (*path, "isTemplateTest"),
            ("a template redirect needs a templateType and at least one templateSuffixes entry."),
        )
    for flag, flag_type in REDIRECT_FLAG_TYPES.items():
        if redirect[flag] and kind != flag_type:
            yield (*path, flag), f"{flag}: true belongs to {flag_type} experiences, not to {kind}."


def timeout_given(experience: Experience) -> Iterator[Finding]:
    for index, variation in enumerate(experience["variations"]):
        mode = (variation.get("onsiteInjection") or {}).get("jsInjectionMode", {})
        if mode.get("type") == "timeout" and "timeout" not in mode:
            yield (
                ("variations", index, "onsiteInjection", "jsInjectionMode"),
                ("jsInjectionMode type timeout needs a timeout in milliseconds."),
            )


def free_shipping_only(experience: Experience) -> Iterator[Finding]:
    for index, variation in enumerate(experience["variations"]):
        offer = variation.get("offer") or {}
        if offer.get("shippingDiscount") is not None and offer["discountApplicationType"] != "freeShipping":
            yield (
                ("variations", index, "offer", "shippingDiscount"),
                ("a shippingDiscount belongs to an offer whose discountApplicationType is freeShipping."),
            )


def one_product_scope(experience: Experience) -> Iterator[Finding]:
    for index, variation in enumerate(experience["variations"]):
        if variation.get("includeProducts") and variation.get("excludeProducts"):
            yield (
                ("variations", index, "includeProducts"),
                ("includeProducts and excludeProducts exclude each other: set at most one of them."),
            )


# Each rateFilter type has its own field; the API drops the other one.
RATE_FILTER_FIELDS = {"amount": "amount", "name": "rules"}


def rate_filter_fields(experience: Experience) -> Iterator[Finding]:
    for index, variation in enumerate(experience["variations"]):
        shipping = (variation.get("offer") or {}).get("shippingDiscount") or {}
        rate_filter = shipping.get("rateFilter") or {}
        path = ("variations", index, "offer", "shippingDiscount", "rateFilter")
        kind = rate_filter.get("type")
        if kind == "name" and "rules" not in rate_filter:
            yield path, "a rateFilter of type name needs rules: the tests on the shipping rate's name."
        for other, field in RATE_FILTER_FIELDS.items():
            if other != kind and field in rate_filter:
                yield (
                    (*path, field),
                    (f"{field} belongs to a rateFilter of type {other}, and the type is {kind}."),
                )


def key_metrics(experience: Experience) -> Iterator[Finding]:
    metrics = experience.get("experienceKeyMetrics", [])
    primaries = [index for index, metric in enumerate(metrics) if metric.get("isPrimary")]
    if metrics and len(primaries) != 1:
        yield (
            ("experienceKeyMetrics",),
            (f"{len(primaries)} key metrics have isPrimary: true; exactly one must be primary."),
        )
    for index, metric in enumerate(metrics):
        if (metric.get("standardEventId") is None) == (metric.get("experienceCustomMetricId") is None):
            yield (
                ("experienceKeyMetrics", index),
                ("a key metric names exactly one of standardEventId and experienceCustomMetricId."),
            )


def audience_choices(experience: Experience) -> Iterator[Finding]:
    audience = experience.get("audience")
    if audience is None:
        return
    count = len(experience["variations"])
    index = audience.get("elseVariationIndex")
    if index is not None and not (index.isdigit() and int(index) < count):
        yield (
            ("audience", "elseVariationIndex"),
            (f"elseVariationIndex {quote(index)} is not the position of a variation (0 to {count - 1})."),
        )
    if audience.get("elseAction") == "assignVariation" and index is None:
        yield (
            ("audience", "elseAction"),
            ("elseAction assignVariation needs elseVariationIndex: the position of the variation to assign."),
        )
    if experience["type"] not in PERSONALIZATION_TYPES:
        yield from _include_actions(audience)
    names = _names(experience)
    for position, rule in enumerate(audience.get("filters", [])):
        path = ("audience", "filters", position)
        yield from _device_values(rule.get("expression") or [], (*path, "expression"))
        variation = rule.get("variation")
        if variation is not None and variation not in names:
            yield (
                (*path, "variation"),
                (f"{quote(variation)} is not the name of a variation{did_you_mean(variation, names)}."),
            )
        if rule.get("action") == "assignVariation" and variation is None:
            yield (
                (*path, "action"),
                ("action assignVariation needs variation: the name of the variation to assign."),
            )


def _include_actions(audience: Mapping[str, Any]) -> Iterator[Finding]:
    sentence = "experienceInclude is for personalizations; an A/B test's audience uses randomVariation."
    if audience.get("elseAction") == "experienceInclude":
        yield ("audience", "elseAction"), sentence
    for position, rule in enumerate(audience.get("filters", [])):
        if rule.get("action") == "experienceInclude":
            yield ("audience", "filters", position, "action"), sentence


def page_targeting_devices(experience: Experience) -> Iterator[Finding]:
    for position, target in enumerate(experience.get("experiencePageTargeting", [])):
        path = ("experiencePageTargeting", position, "expression")
        yield from _device_values(target.get("expression") or [], path)


def _device_values(expression: Sequence[Mapping[str, Any]], path: JsonPath) -> Iterator[Finding]:
    for position, node in enumerate(expression):
        query = node.get("query")
        if query is not None and query.get("type") == "device" and query["value"] not in DEVICE_VALUES:
            yield (
                (*path, position, "query", "value"),
                (
                    f"a device condition compares with {', '.join(map(quote, DEVICE_VALUES))}, "
                    f"not {quote(query['value'])}."
                ),
            )


FILE_RULES: tuple[FileRule, ...] = tuple(
    FileRule(check)
    for check in (
        unique_variation_names,
        one_control,
        percentages_total_100,
        winner_of_ended,
        schedule_times,
        type_parts,
        consistent_redirects,
        timeout_given,
        free_shipping_only,
        rate_filter_fields,
        one_product_scope,
        key_metrics,
        audience_choices,
        page_targeting_devices,
    )
)


# What no two files may share: its label in messages, the field it is written in, and its value.
_UNIQUE: tuple[tuple[str, JsonPath, Callable[[DesiredExperience], str | None]], ...] = (
    ("file name", (), lambda experience: experience.key),
    ("name", ("name",), lambda experience: experience.name),
    ("id", ("id",), lambda experience: experience.id),
)


def cross_file_findings(
    experiences: Sequence[DesiredExperience],
) -> Iterator[tuple[DesiredExperience, Finding]]:
    """Keys, names and pinned ids that more than one file claims; reported on every file after the first."""
    for label, field, value_of in _UNIQUE:
        owner: dict[str, DesiredExperience] = {}
        for experience in experiences:
            value = value_of(experience)
            if value is None:
                continue
            if value in owner:
                yield (
                    experience,
                    (
                        field,
                        f"the {label} {quote(value)} is also used by {owner[value].path}; "
                        f"each experience needs its own {label}.",
                    ),
                )
            owner.setdefault(value, experience)
