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


def test_a_list_whose_last_line_has_a_comment_replaced_by_text_that_starts_with_a_line_break() -> None:
    # The case the property test found: the comment after the list's last item was written after the
    # new literal block's last line, where it read as the block's text ('\n0  # after 115').
    document = {
        "name": "0",
        "type": "content/onsiteEdits",
        "status": "draft",
        "variations": [{"name": "0", "percentage": 100, "isControl": True}],
    }
    text = _commented(dump_readable(document))
    assert text.endswith(
        "variations:\n  - name: '0'  # after 75\n# before 76\n    percentage: 100  # after 95\n"
        "# before 96\n    isControl: true  # after 115\n"
    )
    result = _patch(text, {("variations",): "\n0"})
    assert result == text.split("  - name")[0] + "  |2-  # after 115\n\n  0\n"


# Old values with a comment after them on their last line, in files in block style and in flow style.
_COMMENTED = [
    pytest.param("k: old   # note\nz: 1\n", ("k",), id="block-scalar"),
    pytest.param("k: |   # note\n  old\n  lines\nz: 1\n", ("k",), id="block-literal"),
    pytest.param("k:\n  - x\n  - y   # note\nz: 1\n", ("k",), id="block-list"),
    pytest.param("k:\n- x\n- y   # note\nz: 1\n", ("k",), id="block-list-level-with-its-key"),
    pytest.param("k:\n  a: 1\n  b: 2   # note\nz: 1\n", ("k",), id="block-mapping"),
    pytest.param("k:\n  - x   # note\n  - y\nz: 1\n", ("k", 0), id="block-list-item"),
    pytest.param("k:\n  - a: 1\n    b: 2   # note\nz: 1\n", ("k", 0, "b"), id="block-key-of-a-list-item"),
    pytest.param("k: [x, y]   # note\nz: 1\n", ("k",), id="flow-list"),
    pytest.param("k: {a: x, b: y}   # note\nz: 1\n", ("k",), id="flow-mapping"),
    pytest.param("k: [x, y]   # note\nz: 1\n", ("k", 1), id="flow-list-item"),
    pytest.param("k: {a: x, b: y}   # note\nz: 1\n", ("k", "b"), id="flow-mapping-value"),
]
# Values of every kind, among them texts that only read back if written with care: lines, leading and
# trailing spaces and line breaks, '#' and quotes.
_REPLACEMENTS = [
    pytest.param("\n0", id="text-after-a-line-break"),
    pytest.param("two\nlines", id="lines"),
    pytest.param("two\nlines\n", id="lines-and-a-final-break"),
    pytest.param("two\nlines\n\n\n", id="final-breaks-kept"),
    pytest.param("  leading\nspaces", id="leading-spaces"),
    pytest.param("trailing  \nspaces  ", id="trailing-spaces"),
    pytest.param("# not a comment\n#", id="hashes"),
    pytest.param("it's \"quoted\"\n'", id="quotes"),
    pytest.param("one line # and a hash", id="one-line"),
    pytest.param("one line and a break\n", id="one-line-and-a-break"),
    pytest.param(BlockText("go();"), id="code"),
    pytest.param("", id="empty-text"),
    pytest.param(-12, id="integer"),
    pytest.param(0.5, id="float"),
    pytest.param(True, id="boolean"),
    pytest.param(None, id="null"),
    pytest.param(["two\nlines", "  spaced"], id="list"),
    pytest.param({"css": ".a {}\n", "js": "\ngo()"}, id="mapping"),
    pytest.param([{"n": ["x\ny\n\n"]}], id="nested"),
    pytest.param([], id="empty-list"),
    pytest.param({}, id="empty-mapping"),
]


@pytest.mark.parametrize("value", _REPLACEMENTS)
@pytest.mark.parametrize(("text", "path"), _COMMENTED)
def test_a_comment_after_the_old_value_stays_a_comment_whatever_replaces_it(
    text: str, path: JsonPath, value: Any
) -> None:
    result = _patch(text, {path: value})  # reads back as given: no value took the comment in
    before = parse(text)
    assert before is not None
    span = before.spans[path]
    assert result.count("# note") == 1
    assert result.startswith(text[: text.rfind("\n", 0, span.start) + 1])
    assert result.endswith(text[line_end(text, span.end) :])


def test_a_literal_block_goes_below_the_comment_that_followed_the_old_value() -> None:
    text = "k:\n  - x\n  - y   # note\nz: 1\n"
    assert _patch(text, {("k",): "a\nb\n"}) == "k:\n  |   # note\n  a\n  b\nz: 1\n"
    assert _patch(text, {("k",): {"m": ["a\nb"]}}) == "k:\n  m:\n    - |-   # note\n      a\n      b\nz: 1\n"
    # The comment goes with the block that ends the new value, not with a block before it.
    result = _patch(text, {("k",): ["a\nb", "c\nd"]})
    assert result == "k:\n  - |-\n    a\n    b\n  - |-   # note\n    c\n    d\nz: 1\n"
    # Spaces after the old value go there too: at the end of a block's line, they would be its text.
    assert _patch("k: x   \nz: 1\n", {("k",): "a\nb"}) == "k: |-   \n  a\n  b\nz: 1\n"


def test_text_that_keeps_its_final_line_breaks_is_written_without_an_end_of_document_marker() -> None:
    # PyYAML ends the document after such a block ('...'), which in the middle of a file is no YAML.
    text = "k: old   # note\nz: 1\n"
    assert _patch(text, {("k",): "a\nb\n\n"}) == "k: |+   # note\n  a\n  b\n\nz: 1\n"
    assert (
        _patch(text, {("k",): [1, {"n": "a\nb\n\n"}]})
        == "k:\n  - 1\n  - n: |+   # note\n      a\n      b\n\nz: 1\n"
    )


def test_text_a_block_would_take_the_lines_after_it_into_is_double_quoted() -> None:
    # Blank lines after a block that keeps its final line breaks are its own.
    assert _patch(FILE, {("status",): "a\nb\n\n"}) == FILE.replace(
        "status: started\n", 'status: "a\\nb\\n\\n"\n'
    )
    added = _patch("a:\n  b: 1\n\nc: 2\n", {("a", "d"): "x\ny\n\n"})
    assert added == 'a:\n  b: 1\n  d: "x\\ny\\n\\n"\n\nc: 2\n'
    # So is a comment line indented as deep as its lines.
    deep = "a:\n  k: old\n      # about z\n  z: 1\n"
    assert _patch(deep, {("a", "k"): "x\ny"}) == 'a:\n  k: "x\\ny"\n      # about z\n  z: 1\n'
    # At the end of a file without a final line break, the block's own final break would be missing.
    assert _patch("a: 1\nk: old", {("k",): "x\ny\n"}) == 'a: 1\nk: "x\\ny\\n"'
    # Where nothing follows that a block would take in, it stays a block.
    assert _patch("a: 1\nk: old", {("k",): "x\ny"}) == "a: 1\nk: |-\n  x\n  y"
    assert _patch(FILE, {("status",): "a\nb\n"}) == FILE.replace("status: started\n", "status: |\n  a\n  b\n")


def test_a_block_whose_indentation_is_stated_goes_one_step_in_from_its_dash_or_key() -> None:
    # PyYAML states the indentation (|2-) of a text that starts with a space or a line break, counted
    # from the dash or the key: its lines go there, wherever the old value started.
    assert _patch("l:\n  -   x\n", {("l", 0): " a\nb"}) == "l:\n  -   |2-\n     a\n    b\n"
    assert _patch("l:\n  -\n      x\n", {("l", 0): "\nb"}) == "l:\n  -\n    |2-\n\n    b\n"
    deep = "top:\n    inner:\n        - a   # first\n    after: 1\n"
    assert (
        _patch(deep, {("top", "inner"): " a\nb"})
        == "top:\n    inner:\n      |2-   # first\n       a\n      b\n    after: 1\n"
    )
    # A list or mapping stays where the old one was.
    assert (
        _patch("l:\n  -   x\n", {("l", 0): {"a": " a\nb", "c": 1}})
        == "l:\n  -   a: |2-\n         a\n        b\n      c: 1\n"
    )
