"""Reading what an analytics request asks for: both forms of the results request, and the
choices, flags, epoch ranges and filters every endpoint takes. A bad input is an
AnalyticsQueryError naming its field, so the emulator's 400 envelope can point at it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .segments import _SEGMENTS
from .statistics import _GRAPH_METRICS


class AnalyticsQueryError(ValueError):
    """A bad analytics input; `field` names it for the 400 envelope's `properties`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


_VIEWS = ("overview", "audience", "post_test")
_VIEW_TYPES = ("test_orders_only", "sitewide_orders", "none")
_GRAPH_FORMATS = ("png", "base64")
_FILTER_SEGMENTS = {"deviceType": "device_type", "visitorType": "visitor_type"}
_FILTER_VALUES = {"deviceType": ("any", "mobile", "desktop"), "visitorType": ("any", "new", "returning")}
_TOP_N_MAX = 1000


def _choice(value: object, field: str, allowed: Iterable[str]) -> str:
    options = tuple(allowed)
    if value not in options:
        raise AnalyticsQueryError(field, f"{field} must be one of: {', '.join(options)}.")
    return str(value)


def _flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise AnalyticsQueryError(field, f"{field} must be true or false.")
    return value


def _epoch_seconds(value: object, field: str) -> int:
    """A timestamp as the description types it: a string of ten digits, Unix seconds."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{10}", value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{13}", value):
        raise AnalyticsQueryError(field, f"{field} must be in seconds, not milliseconds.")
    raise AnalyticsQueryError(field, f"{field} must be a string of 10 digits: a Unix time in seconds.")


def _epoch_range(query: Mapping[str, Any], start_name: str, end_name: str) -> tuple[int | None, int | None]:
    """The optional (start, end) of a query that carries them as epoch-second strings."""
    start, end = (
        _epoch_seconds(query[name], name) if name in query else None for name in (start_name, end_name)
    )
    if start is not None and end is not None and end <= start:
        raise AnalyticsQueryError(end_name, "The end of the range must come after its start.")
    return start, end


def _top_n(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _TOP_N_MAX:
        raise AnalyticsQueryError("topN", f"topN must be an integer from 1 to {_TOP_N_MAX}.")
    return value


def _segment_filters(filters: object) -> list[tuple[str, str]]:
    """(dimension, segment label) pairs for the filters the model can apply."""
    if filters is None:
        return []
    if not isinstance(filters, Mapping):
        raise AnalyticsQueryError("filters", "filters must be an object.")
    chosen = []
    for name, dimension in _FILTER_SEGMENTS.items():
        value = filters.get(name)
        if value is not None and _choice(value, f"filters.{name}", _FILTER_VALUES[name]) != "any":
            chosen.append((dimension, value))
    return chosen


@dataclass(frozen=True)
class _GraphRequest:
    keys: tuple[str, ...]
    output: str


@dataclass(frozen=True)
class _ResourceQuery:
    view: str
    audience: str | None
    start: int | None
    end: int | None
    graphs: _GraphRequest | None
    test_result: bool = False
    include_in_test_orders: bool = True
    top_n: int | None = None
    filters: tuple[tuple[str, str], ...] = ()


def _view_and_audience(query: Mapping[str, Any]) -> tuple[str, str | None]:
    """The view and its audience dimension, which both request forms take alike."""
    view = _choice(query.get("view", "overview"), "view", _VIEWS)
    audience = query.get("audience")
    if audience is not None:
        audience = _choice(audience, "audience", _SEGMENTS)
    if view == "audience" and audience is None:
        raise AnalyticsQueryError("audience", "audience is required when view is audience.")
    if view == "overview" and audience is not None:
        raise AnalyticsQueryError("audience", "audience is not allowed when view is overview.")
    if "analyticsViewType" in query:
        _choice(query["analyticsViewType"], "analyticsViewType", _VIEW_TYPES)
    return view, audience


# The deprecated GET form is limited to its original parameters; anything else is refused.
_GET_PARAMETERS = ("view", "audience", "analyticsViewType", "start", "end", "graphs", "graphOutput")


def _get_query(params: Sequence[tuple[str, str]]) -> _ResourceQuery:
    """The deprecated GET form: query-string parameters, dates in `start` and `end`."""
    names = [name for name, _ in params]
    for name in names:
        if name not in _GET_PARAMETERS:
            raise AnalyticsQueryError(name, f"{name} is not a parameter of this endpoint.")
        if names.count(name) > 1:
            raise AnalyticsQueryError(name, f"{name} is given more than once.")
    query = dict(params)
    view, audience = _view_and_audience(query)
    output = _choice(query.get("graphOutput", "png"), "graphOutput", _GRAPH_FORMATS)
    graphs = None
    if "graphs" in query:
        # A comma-separated list, where any unknown id empties it.
        keys = tuple(key.strip() for key in query["graphs"].split(",") if key.strip())
        graphs = _GraphRequest(keys if set(keys) <= set(_GRAPH_METRICS) else (), output)
    return _ResourceQuery(view, audience, *_epoch_range(query, "start", "end"), graphs)


def _body_graphs(graphs: object) -> _GraphRequest | None:
    if graphs is None:
        return None
    if not isinstance(graphs, Mapping) or not isinstance(graphs.get("ids", []), list):
        raise AnalyticsQueryError("graphs", "graphs must be an object with an ids array.")
    output = _choice(graphs.get("outputFormat", "png"), "graphs.outputFormat", _GRAPH_FORMATS)
    keys = tuple(_choice(key, "graphs.ids", _GRAPH_METRICS) for key in graphs.get("ids", []))
    return _GraphRequest(keys, output)


def _body_query(body: Mapping[str, Any]) -> _ResourceQuery:
    """The POST form: a JSON body, dates in `startTs` and `endTs`; other keys are ignored."""
    view, audience = _view_and_audience(body)
    return _ResourceQuery(
        view,
        audience,
        *_epoch_range(body, "startTs", "endTs"),
        _body_graphs(body.get("graphs")),
        test_result=_flag(body.get("testResult", False), "testResult"),
        include_in_test_orders=_flag(body.get("includeInTestOrders", True), "includeInTestOrders"),
        top_n=None if body.get("topN") is None else _top_n(body["topN"]),
        filters=tuple(_segment_filters(body.get("filters"))),
    )
