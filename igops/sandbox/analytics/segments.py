"""Audience segments: how a store's or experience's visitors divide by device, visitor type,
source, country and landing page, so that audience views, filters and the funnel all split the
same totals the same way, without a segment ever converting more visitors than it has."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from .traffic import _TRAFFIC_FIELDS, _VISITOR_SCOPED, Counts, _rng

# (label, typical share of visitors, typical conversion multiplier)
_SEGMENTS: dict[str, tuple[tuple[str, float, float], ...]] = {
    "device_type": (("mobile", 0.66, 0.85), ("desktop", 0.3, 1.3), ("tablet", 0.04, 1.0)),
    "visitor_type": (("new", 0.72, 0.85), ("returning", 0.28, 1.35)),
    "source_channel": (
        ("Direct", 0.24, 1.2),
        ("Organic Search", 0.2, 1.05),
        ("Paid Social", 0.17, 0.8),
        ("Paid Search", 0.12, 1.0),
        ("Email", 0.08, 1.35),
        ("Organic Social", 0.07, 0.85),
        ("SMS", 0.04, 1.3),
        ("Referral", 0.03, 1.0),
        ("Affiliate", 0.02, 0.95),
        ("Other", 0.03, 0.9),
    ),
    "source_site": (
        ("google.com", 0.3, 1.05),
        ("facebook.com", 0.16, 0.8),
        ("instagram.com", 0.14, 0.85),
        ("tiktok.com", 0.08, 0.8),
        ("bing.com", 0.04, 1.1),
        ("youtube.com", 0.03, 0.9),
        ("pinterest.com", 0.03, 0.9),
        ("Other", 0.05, 0.95),
        ("Unknown", 0.17, 1.15),
    ),
    "country_code": (
        ("US", 0.58, 1.05),
        ("CA", 0.09, 1.0),
        ("GB", 0.08, 0.95),
        ("AU", 0.05, 0.95),
        ("DE", 0.03, 0.85),
        ("FR", 0.02, 0.85),
        ("NL", 0.02, 0.9),
        ("IE", 0.015, 0.9),
        ("NZ", 0.015, 0.9),
        ("SE", 0.01, 0.85),
        ("MX", 0.01, 0.8),
        ("JP", 0.01, 0.8),
        ("Other", 0.06, 0.8),
    ),
    "landing_page_full_path": (
        ("/", 0.3, 0.9),
        ("/collections/all", 0.12, 1.0),
        ("/products/classic-tee", 0.1, 1.2),
        ("/products/everyday-hoodie", 0.08, 1.25),
        ("/collections/new-arrivals", 0.07, 1.0),
        ("/products/canvas-tote", 0.06, 1.15),
        ("/collections/sale", 0.05, 1.1),
        ("/products/wool-socks", 0.04, 1.2),
        ("/blogs/news", 0.04, 0.8),
        ("/pages/about", 0.03, 0.8),
        ("/search", 0.03, 1.0),
        ("/cart", 0.02, 1.4),
        ("Other", 0.06, 0.9),
    ),
}
# Segments the API keeps at the end of an audience ordering, in this order.
_PINNED_LAST = ("Other", "Unknown")
_UNCAPPED_DEFAULT_TOP_N = {"country_code": 10, "landing_page_full_path": 10}


class _Segment(NamedTuple):
    label: str
    share: float  # of visitors
    weight: float  # of every other count


def _segments(dimension: str, owner: str, window: tuple[int, int] | None = None) -> list[_Segment]:
    """The owner's audience mix; with a window, as it drifted slightly over that period."""
    rng = _rng("segments", dimension, owner)
    drift = _rng("segment-drift", dimension, owner, window) if window else None
    drawn = [
        (
            label,
            share * rng.uniform(0.8, 1.2) * (drift.uniform(0.97, 1.03) if drift else 1.0),
            min(1.4, max(0.8, lift * rng.uniform(0.95, 1.05))),
        )
        for label, share, lift in _SEGMENTS[dimension]
    ]
    total_share = sum(share for _, share, _ in drawn)
    total_weight = sum(share * lift for _, share, lift in drawn)
    return [_Segment(label, share / total_share, share * lift / total_weight) for label, share, lift in drawn]


def _split(totals: Counts, segment: _Segment) -> Counts:
    """The part of `totals` that falls in one segment."""
    largest = max(totals[key] for key in _VISITOR_SCOPED)
    rate_factor = segment.weight / segment.share
    if largest > 0:
        # Tiny samples can have funnel rates near 1; never let a segment's count pass its visitors.
        rate_factor = min(rate_factor, totals["n_visitors"] / largest)
    return {
        key: value * segment.share * (1.0 if key in _TRAFFIC_FIELDS else rate_factor)
        for key, value in totals.items()
    }


def _segment_named(segments: list[_Segment], label: str) -> _Segment:
    return next(segment for segment in segments if segment.label == label)


def _display_order(visitors_by_label: Mapping[str, float]) -> list[str]:
    ranked = sorted(visitors_by_label, key=lambda label: -visitors_by_label[label])
    pinned = [label for label in _PINNED_LAST if label in visitors_by_label]
    return [label for label in ranked if label not in pinned] + pinned
