"""Experience results, POST /analytics/resource/{id} and its deprecated GET: both request forms
read into one query and answered by one function, so the two can never drift apart."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from ..markers import Markers
from . import dates
from .charts import _graphs
from .experiences import (
    _analysis_window,
    _audience_rows,
    _daily,
    _Experience,
    _experience_model,
    _post_test_rows,
    _variation_totals,
)
from .queries import _body_query, _get_query, _ResourceQuery
from .statistics import _metric_rows, _rounded
from .traffic import DAY, Counts
from .verdicts import _impact, _test_result


def _response_variations(model: _Experience) -> list[dict[str, Any]]:
    defaults = {"experienceId": model.id, "onsiteEdits": [], "functionSyncError": False}
    # A deep copy: the stored experience must not share objects with a response.
    return [defaults | copy.deepcopy(variation) for variation in model.variations]


def experience_analytics(
    experience: dict[str, Any], body: dict[str, Any], story: Markers | None = None
) -> dict[str, Any]:
    """The 200 body of POST /analytics/resource/{id} for a stored experience, telling `story`."""
    return _experience_results(experience, _body_query(body), story)


def experience_analytics_by_get(
    experience: dict[str, Any], params: Sequence[tuple[str, str]], story: Markers | None = None
) -> dict[str, Any]:
    """The 200 body of the deprecated GET /analytics/resource/{id}, from its query parameters."""
    return _experience_results(experience, _get_query(params), story)


def _experience_results(
    experience: dict[str, Any], request: _ResourceQuery, story: Markers | None
) -> dict[str, Any]:
    model = _experience_model(experience, story)
    start, end, latest = _analysis_window(experience, request.start, request.end, dates._now())
    days = _daily(model, start, end, request.filters)
    totals = _variation_totals(model, days)
    counts = [_rounded(t) for t in totals]
    ids = [str(v["id"]) for v in model.variations]
    rows = _metric_rows(counts, ids, model.baseline, model.profile.order_cv)
    runtime = end - start
    body: dict[str, Any] = {
        "datasetId": "variation_overview",
        "latestRunTs": latest,
        "cogsConfigured": True,
        "cogsCoveragePct": round(model.profile.cogs_coverage, 4),
        "metrics": rows,
        "audienceOrder": [],
        "histogram": [],
        "kde": [],
        "cdf": [],
        "variations": _response_variations(model),
        "experienceId": model.id,
        "experienceName": str(experience.get("name", "")),
        "impact": _impact(rows, model.baseline, runtime),
    }
    if request.view == "audience":
        assert request.audience is not None
        body["metrics"], body["audienceOrder"], _ = _audience_rows(
            model, totals, request.audience, request.top_n
        )
        body["datasetId"] = "variation_audience"
    elif request.view == "post_test":
        groups: list[tuple[str | None, list[Counts]]] = [(None, counts)]
        body["datasetId"] = "variation_post_metrics"
        if request.audience is not None:
            _, body["audienceOrder"], kept = _audience_rows(model, totals, request.audience, request.top_n)
            groups = list(kept)
            body["datasetId"] = "variation_post_metrics_audience"
        body["metrics"] = _post_test_rows(model, groups, request.include_in_test_orders, runtime / DAY)
    if request.graphs is not None and request.view != "post_test":
        body["graphs"] = _graphs(request.graphs, rows, model.baseline, model.id)
    if request.test_result:
        body["testResult"] = _test_result(model, rows, days, runtime)
    return body
