"""The sitewide conversion funnel: a six-step Sankey graph from entry point to outcome. Its
links are whole visitors apportioned from the store's rounded counts, so no node sends on more
visitors than it received, whatever stage, page-view or page-type filter narrows it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import dates
from .dates import _bucket
from .orders import _apportion
from .queries import AnalyticsQueryError, _choice, _flag, _segment_filters
from .segments import _segments
from .sitewide import _SITEWIDE_SEED, _sitewide_range, _store_profile, _store_totals
from .statistics import _rounded
from .traffic import DAY, Counts, _rng

_ENTRY_POINTS = ("device_type", "visitor_type", "source_channel", "source_site")
_ROLLED_UP_ENTRY_POINTS = ("source_channel", "source_site")
_TOP_NODES = 5  # per step; the rest is rolled into "Other"
# Step-1 node names: display names where the audience model has raw values. The funnel splits
# devices into Mobile and Desktop only, so tablets count as mobile; a segment literally named
# "Other" becomes "Misc", since "Other" is the roll-up of everything outside the top five.
_ENTRY_NAMES = {
    "mobile": "Mobile",
    "tablet": "Mobile",
    "desktop": "Desktop",
    "new": "New",
    "returning": "Returning",
    "google.com": "Google",
    "facebook.com": "Facebook",
    "instagram.com": "Instagram",
    "tiktok.com": "TikTok",
    "bing.com": "Bing",
    "youtube.com": "Youtube",
    "pinterest.com": "Pinterest",
    "Other": "Misc",
}
_PAGE_TYPES = ("PDP", "Collection", "Content", "Blog", "Homepage", "Search", "Cart", "Other")
_PATH_TYPES = (
    ("/products/", "PDP"),
    ("/collections/", "Collection"),
    ("/pages/", "Content"),
    ("/blogs/", "Blog"),
    ("/search", "Search"),
    ("/cart", "Cart"),
)
# (page type, typical share of the visitors who reach a second page)
_SECOND_PAGES = (
    ("PDP", 0.42),
    ("Collection", 0.24),
    ("Cart", 0.1),
    ("Homepage", 0.08),
    ("Search", 0.06),
    ("Content", 0.05),
    ("Blog", 0.02),
    ("Other", 0.03),
)
# Each stage flag keeps the visitors whose journey ended at one of these outcomes.
_STAGE_FLAGS = {
    "bounced": {"bounced"},
    "exitedBeforeAtc": {"exited"},
    "addedToCart": {"abandoned_cart", "abandoned_checkout", "converted"},
    "abandonedCart": {"abandoned_cart"},
    "startedCheckout": {"abandoned_checkout", "converted"},
    "abandonedCheckout": {"abandoned_checkout"},
    "converted": {"converted"},
}
# Page-view flags keep that share of every outcome: the model does not know who viewed what.
_VIEW_FLAGS = {
    "viewedCollectionPage": "n_visitors_viewed_collection_page",
    "viewedProductPage": "n_visitors_viewed_product_page",
}
_PAGE_PINS = ("landingPageType", "secondPageType")


def _page_type(path: str) -> str:
    if path == "/":
        return "Homepage"
    return next((kind for prefix, kind in _PATH_TYPES if path.startswith(prefix)), "Other")


def _summed(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for name, value in pairs:
        totals[name] = totals.get(name, 0.0) + value
    return totals


def _rolled_up(mix: Mapping[str, float]) -> dict[str, float]:
    """The top entries of a mix, the rest rolled into "Other"."""
    ranked = sorted(mix, key=lambda name: (-mix[name], name))
    return _summed((name if name in ranked[:_TOP_NODES] else "Other", mix[name]) for name in ranked)


def _landing_mix() -> dict[str, float]:
    """Visitors' landing page types, from the same landing paths the audience views show."""
    segments = _segments("landing_page_full_path", _SITEWIDE_SEED)
    return _summed((_page_type(segment.label), segment.share) for segment in segments)


def _second_page_mix() -> dict[str, float]:
    rng = _rng("second-pages", _SITEWIDE_SEED)
    return {kind: share * rng.uniform(0.8, 1.2) for kind, share in _SECOND_PAGES}


def _entry_mix(entry_point: str, filters: Sequence[tuple[str, str]]) -> dict[str, float]:
    # A filter on the entry point's own dimension leaves visitors of one kind only.
    kept = [label for dimension, label in filters if dimension == entry_point]
    if kept:
        return {_ENTRY_NAMES[kept[0]]: 1.0}
    mix = _summed(
        (_ENTRY_NAMES.get(segment.label, segment.label), segment.share)
        for segment in _segments(entry_point, _SITEWIDE_SEED)
    )
    return _rolled_up(mix) if entry_point in _ROLLED_UP_ENTRY_POINTS else mix


@dataclass(frozen=True)
class _FunnelQuery:
    start: int
    end: int
    filters: list[tuple[str, str]]
    entry_point: str
    stages: tuple[str, ...]  # stage flags set to true
    views: tuple[str, ...]  # page-view flags set to true
    pins: dict[str, str]  # landingPageType / secondPageType: the one page type kept


def _funnel_query(query: Mapping[str, Any], now: int) -> _FunnelQuery:
    start, end = _sitewide_range(query, now, _bucket(now - 30 * DAY, "day")[0])
    # Documented: any entry point outside the four, of any type, means device_type.
    entry = query.get("entryPoint")
    entry_point = entry if isinstance(entry, str) and entry in _ENTRY_POINTS else "device_type"
    options = query.get("conversionFunnel")
    options = {} if options is None else options
    if not isinstance(options, Mapping):
        raise AnalyticsQueryError("conversionFunnel", "conversionFunnel must be an object.")
    chosen = {
        name
        for name in (*_STAGE_FLAGS, *_VIEW_FLAGS)
        if name in options and _flag(options[name], f"conversionFunnel.{name}")
    }
    pins = {
        name: _choice(options[name], f"conversionFunnel.{name}", _PAGE_TYPES)
        for name in _PAGE_PINS
        if name in options
    }
    return _FunnelQuery(
        start,
        end,
        _segment_filters(query.get("filters")),
        entry_point,
        tuple(name for name in _STAGE_FLAGS if name in chosen),
        tuple(name for name in _VIEW_FLAGS if name in chosen),
        pins,
    )


def _outcomes(counts: Counts) -> dict[str, int]:
    """How many visitors' journeys end at each outcome, from the rounded funnel counts."""
    visitors, carted = int(counts["n_visitors"]), int(counts["n_visitors_added_to_cart"])
    checkout, ordered = int(counts["n_visitors_checkout_started"]), int(counts["n_visitors_ordered"])
    bounce_rate = counts["n_bounced_sessions"] / counts["n_sessions"] if counts["n_sessions"] else 0.0
    bounced = min(round(visitors * bounce_rate), visitors - carted)
    return {
        "bounced": bounced,
        "exited": visitors - bounced - carted,
        "abandoned_cart": carted - checkout,
        "abandoned_checkout": checkout - ordered,
        "converted": ordered,
    }


def _scaled(outcomes: Mapping[str, int], factor: float) -> dict[str, int]:
    return {name: round(count * factor) for name, count in outcomes.items()}


def _narrowed(
    request: _FunnelQuery, counts: Counts, landing: dict[str, float], second: dict[str, float]
) -> tuple[dict[str, int], dict[str, float], dict[str, float]]:
    """The outcomes, landing mix and second-page mix left after the funnel's own filters."""
    outcomes = _outcomes(counts)
    for name in request.stages:
        outcomes = {outcome: n if outcome in _STAGE_FLAGS[name] else 0 for outcome, n in outcomes.items()}
    for name in request.views:
        outcomes = _scaled(outcomes, counts[_VIEW_FLAGS[name]] / counts["n_visitors"])
    # A pinned page type keeps its share of visitors.
    if "landingPageType" in request.pins:
        kind = request.pins["landingPageType"]
        outcomes, landing = _scaled(outcomes, landing.get(kind, 0.0)), {kind: 1.0}
    if "secondPageType" in request.pins:
        kind = request.pins["secondPageType"]
        # Bounced visitors never reach a second page.
        outcomes = _scaled({**outcomes, "bounced": 0}, second.get(kind, 0.0))
        second = {kind: 1.0}
    return outcomes, landing, second


def _split_links(
    sources: Mapping[str, int], step: int, targets: Mapping[str, float]
) -> list[tuple[str, str, int, int]]:
    """Links from each source node to the target nodes, in the targets' proportions."""
    links = []
    for source, value in sources.items():
        for target, part in zip(targets, _apportion(value, list(targets.values())), strict=True):
            links.append((source, target, step, part))
    return links


def _inflow(links: Iterable[tuple[str, str, int, int]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for _, target, _, value in links:
        totals[target] = totals.get(target, 0) + value
    return totals


def _funnel_links(
    outcomes: Mapping[str, int],
    entry: Mapping[str, float],
    landing: Mapping[str, float],
    second: Mapping[str, float],
) -> tuple[dict[str, int], list[tuple[str, str, int, int]]]:
    """The entry nodes' values and every link of the six-step funnel."""
    entries = dict(zip(entry, _apportion(sum(outcomes.values()), list(entry.values())), strict=True))
    links = _split_links(entries, 1, {f"Landing: {kind}": share for kind, share in landing.items()})
    landed = _inflow(links)
    # Bounces and onward visits spread over landing pages, then carts over second pages, in
    # proportion to their visitors: no node sends on more visitors than it received.
    bounced = dict(zip(landed, _apportion(outcomes["bounced"], list(landed.values())), strict=True))
    links += [(page, "Bounced", 2, n) for page, n in bounced.items()]
    onward = {page: landed[page] - bounced[page] for page in landed}
    second_links = _split_links(onward, 2, {f"2nd Page: {kind}": share for kind, share in second.items()})
    links += second_links
    seconds = _inflow(second_links)
    carted = outcomes["abandoned_cart"] + outcomes["abandoned_checkout"] + outcomes["converted"]
    for page, n in zip(seconds, _apportion(carted, list(seconds.values())), strict=True):
        links += [(page, "Added to Cart", 3, n), (page, "Exited before Add to Cart", 3, seconds[page] - n)]
    links += [
        ("Added to Cart", "Started Checkout", 4, outcomes["abandoned_checkout"] + outcomes["converted"]),
        ("Added to Cart", "Abandoned Cart", 4, outcomes["abandoned_cart"]),
        ("Started Checkout", "Converted", 5, outcomes["converted"]),
        ("Started Checkout", "Abandoned Checkout", 5, outcomes["abandoned_checkout"]),
    ]
    return entries, links


def sitewide_conversion_funnel(query: dict[str, Any]) -> dict[str, Any]:
    """The 200 body of POST /analytics/sitewide/conversion-funnel: a six-step Sankey graph."""
    now = dates._now()
    request = _funnel_query(query, now)
    profile = _store_profile()
    counts = _rounded(_store_totals(profile, request.start, request.end, now, request.filters))
    if not counts["n_visitors"]:
        return {"data": {"nodes": [], "links": []}}
    outcomes, landing, second = _narrowed(request, counts, _landing_mix(), _second_page_mix())
    entries, links = _funnel_links(
        outcomes, _entry_mix(request.entry_point, request.filters), _rolled_up(landing), _rolled_up(second)
    )
    total = sum(entries.values())
    steps = {target: step + 1 for _, target, step, _ in links} | dict.fromkeys(entries, 1)
    values = {**entries, **_inflow(links)}
    nodes: list[dict[str, Any]] = [
        {"name": name, "step": steps[name], "value": value, "pct": round(value / total, 6)}
        for name, value in values.items()
        if value
    ]
    nodes.sort(key=lambda node: (node["step"], -node["value"], node["name"]))
    shown = sorted(
        (link for link in links if link[3]), key=lambda link: (link[2], -link[3], link[0], link[1])
    )
    return {
        "data": {
            "nodes": nodes,
            "links": [{"source": s, "target": t, "step": step, "value": v} for s, t, step, v in shown],
        }
    }
