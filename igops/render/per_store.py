"""Any report of a repository with several stores (drift, monitor, report, policies): each store's, in the
format asked, under its name, and the stores that failed with why. JSON is one document holding each
store's own under `stores`."""

from __future__ import annotations

import json
from typing import TypeVar

from igops.documents import json_text
from igops.model import StoreOutcomes
from igops.render.formats import Formats
from igops.render.markdown import GAP
from igops.render.untrusted import fenced, markdown_inline, terminal

T = TypeVar("T")


def render_per_store(
    formats: Formats[T],
    outcomes: StoreOutcomes[T],
    name: str,
    *,
    color: bool = False,
    width: int | None = None,
) -> str:
    if name == "json":
        return json_text(
            {
                "stores": {
                    store: json.loads(formats.render(value, "json")) for store, value in outcomes.values
                },
                "failed": [
                    {"store": outcome.store, "message": outcome.failure} for outcome in outcomes.failures
                ],
            }
        )
    parts = []
    for outcome in outcomes.outcomes:
        failure = (outcome.failure or "").split("\n")
        if name == "markdown":
            body = (
                formats.render(outcome.value, name, width=width)
                if outcome.value is not None
                else fenced(failure)
            )
            parts.append(GAP.join([f"## Store {markdown_inline(outcome.store)}", body]))
        else:
            heading = f"Store {terminal(outcome.store)}"
            body = (
                formats.render(outcome.value, name, color=color, width=width)
                if outcome.value is not None
                else "\n".join(f"Error: {terminal(line)}" for line in failure)
            )
            parts.append(f"{heading}\n{'=' * len(heading)}\n{body}")
    return GAP.join(parts)
