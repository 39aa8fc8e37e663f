"""overlap: when two running tests' page targeting and audiences can meet, judged the way validate judges
the files (offline); the comparison is checked case by case, then against generated targeting with a
brute-force matcher over concrete visits, which it must never call apart when one visit matches both."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.engine import desired
from support.files import experience

from igops.engine.rules import DEFAULT_BOOK, PlanInputs, assess
from igops.model import DesiredExperience, Risk

Node = dict[str, Any]
AND: Node = {"operator": "and"}
OR: Node = {"operator": "or"}


def path(comparison: str, value: str) -> Node:
    return {"query": {"type": "urlPath", "key": "path", "filter": comparison, "value": value}}


def param(key: str, comparison: str, value: str) -> Node:
    """A condition on the URL's query parameter `key` (the API's `url` type)."""
    return {"query": {"type": "url", "key": key, "filter": comparison, "value": value}}


def device(value: str) -> Node:
    return {"query": {"type": "device", "key": "device", "filter": "equals", "value": value}}


def running_file(
    key: str,
    *targets: list[Node],
    currency: str | None = None,
    status: str = "started",
    kind: str = "content/advanced",
) -> DesiredExperience:
    """A test file of `kind` running on pages any of `targets` (expressions) match; none: every page."""
    fields: dict[str, Any] = {"experiencePageTargeting": [{"expression": target} for target in targets]}
    if currency is not None:
        fields["audience"] = {"enabled": True, "excludeCurrency": {"exclude": True, "currency": currency}}
    return desired(experience(kind, name=f"Test {key}", status=status, **fields), key)


def overlaps(*files: DesiredExperience) -> list[Risk]:
    """What overlap finds among the files, as igops validate asks it (offline, at its default level)."""
    inputs = PlanInputs(files=files, offline=True)
    return [risk for risk in assess(inputs, DEFAULT_BOOK.in_force(offline=True)) if risk.rule == "overlap"]


def meet(first: Sequence[list[Node]], second: Sequence[list[Node]], **audiences: str) -> bool:
    """Whether overlap says two running tests with these targetings meet; asserts it says the same both
    ways round."""
    one = running_file("one", *first, currency=audiences.get("one"))
    other = running_file("other", *second, currency=audiences.get("other"))
    forward, backward = bool(overlaps(one, other)), bool(overlaps(other, one))
    assert forward == backward, (first, second)
    return forward


@pytest.mark.parametrize(
    ("first", "second", "met"),
    [
        pytest.param(
            [path("equals", "/products/x")], [path("equals", "/products/x")], True, id="equal-paths"
        ),
        pytest.param([path("startsWith", "/products")], [path("equals", "/products/x")], True, id="prefix"),
        pytest.param(
            [path("startsWith", "/products")], [path("startsWith", "/products/x")], True, id="prefixes"
        ),
        pytest.param([path("contains", "sale")], [path("startsWith", "/products")], True, id="contains"),
        pytest.param([path("contains", "sale")], [path("contains", "socks")], True, id="two-contains"),
        pytest.param([path("endsWith", "/x")], [path("startsWith", "/products")], True, id="ends-and-starts"),
        pytest.param(
            [path("equals", "/products/x")], [path("equals", "/products/y")], False, id="other-path"
        ),
        pytest.param(
            [path("contains", "sale")], [path("equals", "/products/x")], False, id="contains-not-in"
        ),
        pytest.param(
            [path("startsWith", "/collections")], [path("startsWith", "/products")], False, id="other-prefix"
        ),
        pytest.param([path("endsWith", ".json")], [path("endsWith", ".html")], False, id="other-suffix"),
        pytest.param(
            [path("startsWith", "/products"), AND, device("mobile")],
            [path("startsWith", "/products"), AND, device("desktop")],
            False,
            id="mobile-and-desktop",
        ),
        pytest.param(
            [path("startsWith", "/products"), AND, device("mobile")],
            [path("startsWith", "/products"), AND, device("any")],
            True,
            id="mobile-and-any",
        ),
        pytest.param(
            [{"operator": "start_paren"}, path("equals", "/a"), {"operator": "end_paren"}],
            [path("equals", "/b")],
            True,
            id="brackets",
        ),
        pytest.param([], [path("equals", "/b")], True, id="empty-expression"),
        pytest.param([path("equals", "/a"), OR, path("equals", "/b")], [path("equals", "/b")], True, id="or"),
        pytest.param(
            [path("equals", "/a"), OR, path("equals", "/b")], [path("equals", "/c")], False, id="or-no"
        ),
        pytest.param(
            [path("equals", "/Products/X/")], [path("equals", "/products/x")], True, id="case-slash"
        ),
        # Lower-cased, a capital sigma ends a word as one letter and goes on inside one as another.
        pytest.param([path("equals", "/AΣA")], [path("startsWith", "/AΣ")], True, id="final-sigma"),
        pytest.param([path("regex", "^/a$")], [path("equals", "/b")], True, id="regex-unknown"),
        pytest.param([path("doesNotEqual", "/a")], [path("equals", "/a")], True, id="negation-unknown"),
        pytest.param(
            [param("color", "equals", "red")], [param("color", "equals", "blue")], False, id="param-values"
        ),
        pytest.param(
            [param("color", "equals", "red")], [param("size", "equals", "large")], True, id="param-keys"
        ),
        pytest.param(
            [path("equals", "/a"), AND, param("color", "equals", "red")],
            [path("equals", "/a"), AND, param("size", "equals", "large")],
            True,
            id="same-path-other-params",
        ),
    ],
)
def test_page_targeting_is_compared_conservatively(first: list[Node], second: list[Node], met: bool) -> None:
    assert meet([first], [second]) is met


def test_no_targeting_at_all_is_every_page() -> None:
    assert meet([], [[path("equals", "/products/x")]])
    assert meet([], [])


def test_several_targets_are_alternatives() -> None:
    both = [[path("equals", "/a")], [path("equals", "/b")]]
    assert meet(both, [[path("equals", "/b")]])
    assert not meet(both, [[path("equals", "/c")]])


def test_audiences_keeping_different_currencies_are_apart() -> None:
    everywhere: list[list[Node]] = [[path("startsWith", "/")]]
    assert not meet(everywhere, everywhere, one="USD", other="EUR")
    assert meet(everywhere, everywhere, one="USD", other="usd"), "one currency, however written"
    assert meet(everywhere, everywhere, one="USD"), "the other keeps every currency"


def test_an_audience_that_is_not_enabled_keeps_everyone() -> None:
    kept_off = experience(
        "content/advanced",
        name="Test off",
        status="started",
        audience={"enabled": False, "excludeCurrency": {"exclude": True, "currency": "EUR"}},
    )
    assert overlaps(running_file("usd", currency="USD"), desired(kept_off, "off"))


def test_the_finding_names_both_tests_and_the_pages_they_share() -> None:
    products = running_file("products", [path("startsWith", "/products/")])
    socks = running_file("socks", [path("equals", "/products/socks"), AND, device("mobile")])
    [risk] = overlaps(products, socks)
    assert (risk.rule, risk.key, risk.needs_force) == ("overlap", "products", False)
    assert risk.message == (
        "runs at the same time as socks (Test socks) on pages both can match (here: the URL path starts "
        "with /products; socks: the URL path is /products/socks and the device is mobile), and their "
        "audiences are not apart, so each one's results carry the other's effect: narrow the page targeting "
        "or the audience of one, or run them one after the other."
    )
    assert risk.figures == {
        "other": "socks",
        "pages": "the URL path starts with /products",
        "other_pages": "the URL path is /products/socks and the device is mobile",
    }


def test_a_query_parameter_condition_is_named_with_its_parameter() -> None:
    [risk] = overlaps(
        running_file("red", [param("utm_campaign", "startsWith", "Spring")]),
        running_file("spring", [param("utm_campaign", "equals", "spring-sale")]),
    )
    assert risk.figures["pages"] == "the URL parameter utm_campaign starts with spring"
    assert risk.figures["other_pages"] == "the URL parameter utm_campaign is spring-sale"


def test_every_page_and_brackets_are_named_as_such() -> None:
    [risk] = overlaps(
        running_file("sitewide"),
        running_file(
            "bracketed", [{"operator": "start_paren"}, path("equals", "/a"), {"operator": "end_paren"}]
        ),
    )
    assert risk.figures == {
        "other": "bracketed",
        "pages": "every page",
        "other_pages": "a page targeting with brackets, which igops cannot compare",
    }


def test_each_overlapping_pair_is_one_finding_and_apart_pairs_none() -> None:
    files = (
        running_file("home", [path("equals", "/")]),
        running_file("products", [path("startsWith", "/products")]),
        running_file("socks", [path("startsWith", "/products/socks")]),
        running_file("collections", [path("startsWith", "/collections")]),
    )
    assert [(risk.key, risk.figures["other"]) for risk in overlaps(*files)] == [("products", "socks")]


@pytest.mark.parametrize("status", ["draft", "paused", "ended"])
def test_only_started_files_are_compared_offline(status: str) -> None:
    assert not overlaps(running_file("running"), running_file("resting", status=status))


@pytest.mark.parametrize("kind", ["personalization", "personalization/offer"])
def test_personalizations_are_left_out(kind: str) -> None:
    assert not overlaps(running_file("test"), running_file("banner", kind=kind))


# --- generated targeting against a brute-force matcher -------------------------------------------------

# Letters whose case matters: Latin, and Greek capitals, whose lower case depends on the letter's place in
# the word (a final sigma); slashes and blanks, which the rule trims.
LETTERS = "/aAbΣ\u03c3\u03c2 "
POSITIVE = ["equals", "contains", "startsWith", "endsWith"]
# The positive comparisons, which can set two tests apart, drawn most; the rest now and then.
COMPARISONS = st.sampled_from(POSITIVE) | st.sampled_from(
    [
        *POSITIVE,
        "doesNotEqual",
        "doesNotContain",
        "doesNotStartWith",
        "doesNotEndWith",
        "isNull",
        "isNotNull",
        "regex",
        None,
    ]
)
KEYS = ("color", "size")
DEVICES = ("mobile", "desktop")
CURRENCIES = ("USD", "EUR", "GBP")
CURRENCY_KEPT = st.sampled_from([None, None, "USD", "EUR"])


@st.composite
def vocabularies(draw: st.DrawFn) -> list[str]:
    """The values two tests' conditions take: a few words, with their prefixes, suffixes, capitals and
    slashes around, so that the two meet at their edges far more often than at random."""
    words = draw(st.lists(st.text(alphabet=LETTERS, min_size=1, max_size=4), min_size=1, max_size=3))
    derived = {""}
    for word in words:
        derived |= {word, word.upper(), f"/{word}", f"{word}/"}
        derived |= {word[:cut] for cut in range(1, len(word))} | {word[cut:] for cut in range(1, len(word))}
    return sorted(derived)


def _condition(category: str, key: str, comparison: str | None, value: str | int) -> Node:
    return {"query": {"type": category, "key": key, "filter": comparison, "value": value}}


# A page's value is drawn as a place in the pair's vocabulary (see pairs), so that the strategies are made
# once, not for each vocabulary.
PLACE = st.integers(0, 40)
CONDITIONS = st.one_of(
    st.builds(_condition, st.just("urlPath"), st.just("path"), COMPARISONS, PLACE),
    st.builds(_condition, st.just("url"), st.sampled_from(KEYS), COMPARISONS, PLACE),
    st.builds(_condition, st.just("urlPath"), st.just("path"), COMPARISONS, PLACE),
    st.builds(_condition, st.just("url"), st.sampled_from(KEYS), COMPARISONS, PLACE),
    st.builds(
        _condition,
        st.just("device"),
        st.just("device"),
        st.just("equals"),
        st.sampled_from(["mobile", "desktop", "any"]),
    ),
    st.builds(_condition, st.just("utm"), st.just("utm_source"), COMPARISONS, PLACE),
)
ALTERNATIVES = st.lists(CONDITIONS, min_size=1, max_size=2)


def joined(alternatives: Sequence[Sequence[Node]]) -> tuple[Node, ...]:
    """The alternatives as one expression: each one's conditions joined by and, the alternatives by or."""
    nodes: list[Node] = []
    for index, alternative in enumerate(alternatives):
        nodes += [dict(OR)] if index else []
        for position, condition in enumerate(alternative):
            nodes += [dict(AND), condition] if position else [condition]
    return tuple(nodes)


@st.composite
def expressions(draw: st.DrawFn) -> tuple[Node, ...]:
    """Up to two alternatives, each of up to two conditions; now and then in brackets."""
    nodes = joined(draw(st.lists(ALTERNATIVES, min_size=1, max_size=2)))
    if draw(st.integers(0, 9)) == 9:
        return ({"operator": "start_paren"}, *nodes, {"operator": "end_paren"})
    return nodes


@dataclass(frozen=True)
class Targeting:
    targets: tuple[tuple[Node, ...], ...]
    currency: str | None

    def file(self, key: str) -> DesiredExperience:
        return running_file(key, *map(list, self.targets), currency=self.currency)

    def worded(self, vocabulary: Sequence[str]) -> Targeting:
        """The targeting with each place in the vocabulary replaced by the word there."""

        def word(node: Node) -> Node:
            query = node.get("query")
            if query is None or not isinstance(query["value"], int):
                return node
            return {"query": {**query, "value": vocabulary[query["value"] % len(vocabulary)]}}

        return Targeting(tuple(tuple(map(word, target)) for target in self.targets), self.currency)


# Half of them one target of one alternative, which sets two tests apart most often; the others fuller.
TARGETINGS = st.builds(
    Targeting, ALTERNATIVES.map(lambda alternative: (joined([alternative]),)), CURRENCY_KEPT
) | st.builds(Targeting, st.lists(expressions(), min_size=1, max_size=2).map(tuple), CURRENCY_KEPT)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Targeting, Targeting]:
    vocabulary = draw(vocabularies())
    return draw(TARGETINGS).worded(vocabulary), draw(TARGETINGS).worded(vocabulary)


@dataclass(frozen=True)
class Visit:
    """One concrete page view: its URL path, its query parameters (None: absent), device and currency."""

    path: str
    params: Mapping[str, str | None]
    device: str
    currency: str


_COMPARE: dict[str, Callable[[str, str], bool]] = {
    "equals": lambda actual, value: actual == value,
    "contains": lambda actual, value: value in actual,
    "startsWith": str.startswith,
    "endsWith": str.endswith,
}
_NEGATED = {
    "doesNotEqual": "equals",
    "doesNotContain": "contains",
    "doesNotStartWith": "startsWith",
    "doesNotEndWith": "endsWith",
}


def _holds(query: Mapping[str, Any], visit: Visit) -> bool | None:
    """Whether the visit meets the condition, compared literally (case and slashes as written); None when
    the matcher cannot tell (a regex, another kind of condition, a negation on an absent parameter)."""
    category, comparison, value = query["type"], query["filter"] or "equals", query["value"]
    if category == "device":
        return value == "any" or visit.device == value
    if category not in ("urlPath", "url"):
        return None
    actual = visit.path if category == "urlPath" else visit.params[query["key"]]
    if comparison in ("isNull", "isNotNull"):
        return (actual is None) == (comparison == "isNull")
    if comparison == "regex":
        return None
    negated = comparison in _NEGATED
    if actual is None:
        return None if negated else False
    meets = _COMPARE[_NEGATED.get(comparison, comparison)](actual, value)
    return not meets if negated else meets


def _alternatives(targeting: Targeting) -> list[list[Mapping[str, Any]]]:
    """The conditions of each alternative a targeting offers, `and` binding tighter than `or` (the reading
    with the most visits, so the strictest check of the rule); a target in brackets offers none the matcher
    can be sure of, and no target at all is one alternative of no condition (every page)."""
    if not targeting.targets:
        return [[]]
    found: list[list[Mapping[str, Any]]] = []
    for target in targeting.targets:
        if any(node.get("operator") in ("start_paren", "end_paren") for node in target):
            continue
        alternatives: list[list[Mapping[str, Any]]] = [[]]
        for node in target:
            if node.get("operator") == "or":
                alternatives.append([])
            elif "query" in node:
                alternatives[-1].append(node["query"])
        found += alternatives
    return found


def _candidates(values: Sequence[str]) -> list[str]:
    """Strings built from the values: each, every two and three in a row, with a letter between or
    around, and a few of none of them."""
    found = {"", "/", "/zz", *values}
    for first, second in itertools.product(values, repeat=2):
        found |= {first + second, first + "z" + second, "z" + first, first + "z"}
    for three in itertools.product(values, repeat=3):
        found.add("".join(three))
    return sorted(found)


def _first(candidates: Sequence[Any], conditions: Sequence[Mapping[str, Any]], visit: Any) -> Any:
    """A candidate value that surely meets every condition, set into the visit by `visit`; None if none."""
    return next(
        (
            value
            for value in candidates
            if all(_holds(condition, visit(value)) is True for condition in conditions)
        ),
        _NONE,
    )


_NONE = object()
_PLAIN = Visit("/", dict.fromkeys(KEYS), DEVICES[0], CURRENCIES[0])


def witness(first: Targeting, second: Targeting) -> Visit | None:
    """A visit both tests surely run for, found by trying every alternative of one with every alternative
    of the other, and, for the conditions of each part of the visit, every value built from theirs: the
    parts are independent, so this is the brute force over whole visits without its size."""
    currencies = [
        currency
        for currency in CURRENCIES
        if all(c in (None, currency) for c in (first.currency, second.currency))
    ]
    if not currencies:
        return None
    for one, other in itertools.product(_alternatives(first), _alternatives(second)):
        conditions = [*one, *other]
        if any(condition["type"] not in ("urlPath", "url", "device") for condition in conditions):
            continue  # the matcher cannot tell: no sure visit
        of_path = [c for c in conditions if c["type"] == "urlPath"]
        found_path = _first(
            _candidates([c["value"] for c in of_path]), of_path, lambda v: replace(_PLAIN, path=v)
        )
        of_device = [c for c in conditions if c["type"] == "device"]
        found_device = _first(DEVICES, of_device, lambda v: replace(_PLAIN, device=v))
        params = {}
        for key in KEYS:
            of_key = [c for c in conditions if c["type"] == "url" and c["key"] == key]
            params[key] = _first(
                [None, *_candidates([c["value"] for c in of_key])],
                of_key,
                lambda v, key=key: replace(_PLAIN, params={**_PLAIN.params, key: v}),
            )
        if _NONE not in (found_path, found_device, *params.values()):
            return Visit(found_path, params, found_device, currencies[0])
    return None


def _only(*conditions: Node) -> Targeting:
    return Targeting((tuple(conditions),), None)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs())
@example((_only(param("color", "equals", "red")), _only(param("size", "equals", "large"))))
@example((_only(path("equals", "AΣA")), _only(path("startsWith", "AΣ"))))
def test_never_apart_when_one_visit_matches_both_and_the_same_either_way_round(
    pair: tuple[Targeting, Targeting],
) -> None:
    first, second = pair
    one, other = first.file("one"), second.file("other")
    met = bool(overlaps(one, other))
    assert met == bool(overlaps(other, one)), "not symmetric"
    if met:
        return
    found = witness(first, second)
    assert found is None, f"called apart, but {found} matches both"
