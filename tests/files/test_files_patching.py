"""Editing a file in place (drift --adopt): the new values are where the old ones were, written as import
writes them, and every other byte of the file (comments, quoting, blank lines, layout) is as it was."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.strategies import experiences, printable

from igops.files.patching import Edits, PatchError, patched
from igops.files.yamldoc import BlockText, _CoreDumper, dump_readable, line_end, parse
from igops.model import JsonPath

FILE = """\
# yaml-language-server: $schema=../schemas/experience.schema.json
# Owned by the growth team.
name: Sticky bar      # the name people search for
type: content/advanced
description: 'Keeps the button in view: phones only'
status: started

variations:
  # The page as it is.
  - name: Control
    isControl: true
    percentage: 34   # a third
  # Two challengers.
  - name: Sticky bar
    percentage: 33
    onsiteInjection:
      customCss: |
        .bar { z-index: 20; }   /* keep above the header */
        # not a comment: CSS text
      customJs: |
        document.body.classList.add("sticky");
  - name: "Sticky bar, big"   # quoted on purpose
    percentage: 33
    onsiteInjection: {customCss: ".bar { height: 80px; }"}
experiencePageTargeting:
  - expression:
      - query: {type: urlPath, key: path, filter: startsWith, value: /products/}
experienceKeyMetrics:
  - standardEventId: addToCartRate
    isPrimary: true
  - standardEventId: conversionRate
# The end.
"""


def _patch(text: str, values: dict[JsonPath, Any], removed: tuple[JsonPath, ...] = ()) -> str:
    result = patched(text, Edits(values, removed))
    expected = parse(text)
    assert expected is not None
    for path in removed:
        del _at(expected.value, path[:-1])[path[-1]]
    for path, value in values.items():
        _at(expected.value, path[:-1])[path[-1]] = value
    read = parse(result)
    assert read is not None and _json(read.value) == _json(expected.value)
    return result


def _at(value: Any, path: JsonPath) -> Any:
    for part in path:
        value = value[part]
    return value


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_a_scalar_is_replaced_on_its_line_and_its_comment_kept() -> None:
    result = _patch(FILE, {("name",): "Sticky bar on phones", ("status",): "paused"})
    assert result == FILE.replace("name: Sticky bar      #", "name: Sticky bar on phones      #").replace(
        "status: started\n", "status: paused\n"
    )


def test_one_percentage_among_three_variations_changes_alone() -> None:
    result = _patch(FILE, {("variations", 0, "percentage"): 50, ("variations", 1, "percentage"): 17})
    assert result == FILE.replace("percentage: 34   # a third", "percentage: 50   # a third").replace(
        "name: Sticky bar\n    percentage: 33", "name: Sticky bar\n    percentage: 17"
    )


def test_code_becomes_a_literal_block_in_place_and_the_untouched_block_keeps_its_comment_like_lines() -> None:
    css = ".bar { z-index: 99; }\n.bar a { color: red; }\n"
    result = _patch(FILE, {("variations", 1, "onsiteInjection", "customCss"): BlockText(css)})
    assert result == FILE.replace(
        "        .bar { z-index: 20; }   /* keep above the header */\n        # not a comment: CSS text\n",
        "        .bar { z-index: 99; }\n        .bar a { color: red; }\n",
    )
    one_line = _patch(FILE, {("variations", 2, "onsiteInjection", "customCss"): ".bar { height: 60px; }"})
    assert "    onsiteInjection: {customCss: '.bar { height: 60px; }'}\n" in one_line


def test_a_one_line_value_that_becomes_code_gets_its_block_below_its_comment() -> None:
    text = "a:\n  css: .x { }   # short for now\n  b: 1\n"
    result = _patch(text, {("a", "css"): BlockText(".x {\n  color: red;\n}\n")})
    assert result == "a:\n  css: |   # short for now\n    .x {\n      color: red;\n    }\n  b: 1\n"


def test_a_key_the_file_lacks_is_added_at_the_end_of_its_mapping() -> None:
    result = _patch(
        FILE,
        {
            ("variations", 0, "onsiteEdits"): [{"find": "a", "replace": "b"}],
            ("previewPath",): "/products/shoe",
        },
    )
    assert result.startswith(
        FILE.split("  # Two challengers.")[0].replace(
            "    percentage: 34   # a third\n",
            "    percentage: 34   # a third\n    onsiteEdits:\n      - find: a\n        replace: b\n",
        )
    )
    assert result.endswith(
        "    isPrimary: true\n  - standardEventId: conversionRate\npreviewPath: /products/shoe\n# The end.\n"
    )


def test_flow_collections_are_rewritten_in_flow_style() -> None:
    query = ("experiencePageTargeting", 0, "expression", 0, "query")
    result = _patch(
        FILE,
        {
            (*query, "value"): "/collections/, all",
            (*query, "extra"): [1, "x y"],
            ("variations", 2, "onsiteInjection"): {"customCss": ".b {}", "customJs": "go()"},
        },
    )
    assert (
        "      - query: {type: urlPath, key: path, filter: startsWith, value: '/collections/, all', "
        "extra: [1, x y]}\n" in result
    )
    assert "    onsiteInjection: {customCss: '.b {}', customJs: go()}\n" in result
    block = _patch("a: {b: 1}   # note\nc: [1, 2]\n", {("a",): {"b": {"c": 2}}, ("c",): ["x", "y"]})
    assert block == "a: {b: {c: 2}}   # note\nc: [x, y]\n"


def test_quoted_values_are_replaced_whole_and_values_that_need_quotes_get_them() -> None:
    result = _patch(FILE, {("description",): "yes", ("variations", 2, "name"): "Big: 80px"})
    assert "description: 'yes'\n" not in result and "description: yes\n" in result
    assert "  - name: 'Big: 80px'   # quoted on purpose\n" in result
    assert parse(_patch("a: '1'\n", {("a",): "2"})) is not None
    assert _patch("a: '1'\n", {("a",): "2"}) == "a: '2'\n"


def test_a_list_or_mapping_replaced_whole_takes_the_indentation_of_the_old_one() -> None:
    text = "top:\n    inner:\n        - a   # first\n        - b\n    after: 1   # kept\n"
    result = _patch(text, {("top", "inner"): [{"x": 1, "y": "z"}]})
    assert result == "top:\n    inner:\n        - x: 1\n          y: z\n    after: 1   # kept\n"
    indentless = _patch("list:\n- a\n- b\nnext: 1\n", {("list",): ["c"]})
    assert indentless == "list:\n- c\nnext: 1\n"
    assert _patch("m:\n  a: 1\nn: 2\n", {("m",): []}) == "m:\n  []\nn: 2\n"
    assert _patch("m: 1   # one\nn: 2\n", {("m",): {"a": 1}}) == "m:\n  a: 1   # one\nn: 2\n"


def test_keys_are_taken_out_with_their_lines_and_comments_around_them_stay() -> None:
    result = _patch(FILE, {}, removed=(("description",), ("variations", 0, "isControl")))
    assert result == FILE.replace("description: 'Keeps the button in view: phones only'\n", "").replace(
        "  - name: Control\n    isControl: true\n", "  - name: Control\n"
    )
    first_key = _patch("l:\n  - a: 1   # one\n    b: 2\n", {}, removed=(("l", 0, "a"),))
    assert first_key == "l:\n  - b: 2\n"
    assert _patch("a: {b: 1, c: 2}\n", {}, removed=(("a", "b"),)) == "a: {c: 2}\n"
    assert _patch("a:\n  b: 1\nc: 2\n", {}, removed=(("a", "b"),)) == "a:\n  {}\nc: 2\n"


def test_empty_values_crlf_and_a_missing_final_newline() -> None:
    assert _patch("a:\nb: 1", {("a",): "x", ("b",): 2}) == "a: x\nb: 2"
    crlf = "a: 1\r\nb:\r\n  c: |\r\n    x\r\n\r\nd: 2\r\n"
    result = _patch(crlf, {("b", "c"): "y\nz\n", ("b", "e"): "new", ("a",): {"k": 1}})
    assert result == "a:\r\n  k: 1\r\nb:\r\n  c: |\r\n    y\r\n    z\r\n  e: new\r\n\r\nd: 2\r\n"


def test_what_cannot_be_edited_in_place_is_refused_with_a_position() -> None:
    with pytest.raises(PatchError) as refused:
        patched("a: &x 1\nb: *x\n", Edits({("a",): 2, ("b",): 3}))
    # The anchor goes with the value it marked: the alias has nothing left to refer to.
    assert refused.value.path == ("a",) and "line 2 invalid" in refused.value.message
    with pytest.raises(PatchError, match="no mapping to add the field to"):
        patched("a: [1]\n", Edits({("a", 3): 2}))
    with pytest.raises(PatchError, match="no such field to take out"):
        patched("a: 1\n", Edits({}, (("b",),)))


# What replaces a value: JSON values, with texts of many lines (literal blocks) and long ones (folded).
_keys = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6)
_texts = st.text(st.one_of(printable, st.sampled_from(" \n")), max_size=120)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_keys, children, max_size=3),
    max_leaves=6,
)


def _paths(value: Any, prefix: JsonPath = ()) -> list[JsonPath]:
    if isinstance(value, list):
        value = dict(enumerate(value))
    children = value.items() if isinstance(value, dict) else []
    return [prefix, *(path for key, child in children for path in _paths(child, (*prefix, key)))]


def _commented(text: str) -> str:
    """`text` with a comment line before every key that starts a line, and one after every one-line
    value in block style that ends its line and after every block scalar's header."""
    document = parse(text)
    assert document is not None
    scalars = [
        span
        for path, span in document.spans.items()
        if not span.flow and not isinstance(_at(document.value, path), dict | list)
    ]
    headers = {line_end(text, span.start) for span in scalars if text[span.start : span.start + 1] in "|>"}
    ends = headers | {
        span.end
        for span in scalars
        if "\n" not in text[span.start : span.end] and text[span.end : span.end + 1] == "\n"
    }
    starts = {
        text.rfind("\n", 0, span.start) + 1
        for span in document.key_spans.values()
        if not text[text.rfind("\n", 0, span.start) + 1 : span.start].strip()
    }
    out = []
    for offset, char in enumerate(text):
        if offset in starts:
            out.append(f"# before {offset}\n")
        out.append(f"  # after {offset}" if offset in ends else "")
        out.append(char)
    return "".join(out)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=experiences(), flow=st.booleans(), data=st.data())
def test_any_value_patched_anywhere_reads_back_and_the_rest_of_the_file_is_untouched(
    document: dict[str, Any], flow: bool, data: st.DataObject
) -> None:
    # Short lists and mappings in flow style, as people write them, or everything in block style.
    text = _commented(
        yaml.dump(document, Dumper=_CoreDumper, sort_keys=False, allow_unicode=True, default_flow_style=None)
        if flow
        else dump_readable(document)
    )
    before = parse(text)
    assert before is not None
    path = data.draw(st.sampled_from(_paths(before.value)[1:]))
    parent, parent_span = _at(before.value, path[:-1]), before.spans[path[:-1]]
    whole_parent = parent_span.flow or (isinstance(parent, dict) and len(parent) == 1)
    action = "replace"
    if isinstance(parent, dict):
        # A list item's first key, on the dash's line, is taken out up to the next key: a unit test's case.
        key = before.key_spans[path].start
        own_line = not text[text.rfind("\n", 0, key) + 1 : key].strip()
        removable = ["remove"] if own_line or whole_parent else []
        action = data.draw(st.sampled_from(["replace", "add", *removable]))
    if action == "remove":
        result = _patch(text, {}, removed=(path,))
        start, end = before.key_spans[path].start, before.spans[path].end
    elif action == "add":
        path = (*path[:-1], data.draw(_keys.filter(lambda key: key not in parent)))
        result = _patch(text, {path: data.draw(_values)})
        start = end = parent_span.end
    else:
        result = _patch(text, {path: data.draw(_values)})
        start, end = before.spans[path].start, before.spans[path].end
    if action != "replace" and whole_parent:
        start, end = parent_span.start, parent_span.end
    # Every line before the edited value's first and after its last is as it was.
    assert result.startswith(text[: text.rfind("\n", 0, start) + 1])
    assert result.endswith(text[line_end(text, end) :])
