"""Writing experience files: what import and show produce reads back as the same experience."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from support.engine import desired
from support.schema_strategies import TYPES, every_block

from igops.files import check_text
from igops.files.writer import (
    MAX_STEM,
    experience_text,
    file_stem,
    project_schema,
    schema_line,
    without_defaults,
)
from igops.files.yamldoc import BlockText
from igops.model import JsonPath
from igops.normalize import canonical_desired
from igops.schemas import EXPERIENCE_SCHEMA

PINNED = "0b6c1a52-4f1e-4c3e-9a57-2d0e5f6a7b8c"
LINE = "# yaml-language-server: $schema="
# The schema of a project whose root is the working directory.
SCHEMA = Path("schemas", EXPERIENCE_SCHEMA)
EXPERIENCES = Path("experiences")


@pytest.mark.parametrize("kind", TYPES)
def test_a_written_file_with_every_block_reads_back_as_the_same_experience(kind: str) -> None:
    wanted = desired(every_block(kind))
    canonical = canonical_desired(wanted.body)
    text = experience_text({**canonical, "status": wanted.status, "id": PINNED}, EXPERIENCES, SCHEMA)
    assert text.startswith(f"{LINE}../schemas/experience.schema.json\n")
    read = check_text(text, Path("experiences/written.yaml"))
    assert read.errors == () and read.experience is not None
    assert canonical_desired(read.experience.body) == canonical
    assert (read.experience.status, read.experience.id) == (wanted.status, PINNED)


def test_defaults_are_left_out_and_multi_line_text_is_a_block() -> None:
    css = ".hero {\n  color: red;\n}\n"
    document = canonical_desired(
        {
            "name": "Hero",
            "type": "content/advanced",
            "variations": [
                {"name": "Control", "percentage": 50, "isControl": True},
                {"name": "B", "percentage": 50, "onsiteInjection": {"customCss": css}},
            ],
        }
    )
    text = experience_text({**document, "status": "draft"}, EXPERIENCES, None)
    assert text == (
        "name: Hero\ntype: content/advanced\nstatus: draft\nvariations:\n"
        "  - name: Control\n    percentage: 50\n    isControl: true\n"
        "  - name: B\n    percentage: 50\n    onsiteInjection:\n      customCss: |\n"
        "        .hero {\n          color: red;\n        }\n"
    )
    assert "isControl" not in without_defaults(document)["variations"][1]


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "CON",
        "con.txt",
        "x" * 300,
        "🎉 🎉",
        "Ünïcödé sale",
        'a/b\\c:d*e?f"g<h>i|j',
        ".",
        "..",
        "LPT1",
    ],
)
def test_file_names_are_safe_on_every_os(name: str) -> None:
    stem = file_stem(name)
    assert 0 < len(stem) <= MAX_STEM
    assert stem not in (".", "..") and not set(stem) & set('/\\:*?"<>|.')
    assert stem.split(".")[0].lower() not in {"con", "prn", "aux", "nul", "lpt1", "com1"}
    assert stem == stem.lower() and stem.isascii()


def test_names_that_slug_the_same_get_distinct_files() -> None:
    first = file_stem("Summer sale")
    second = file_stem("summer  SALE!", [first])
    third = file_stem("Summer-Sale", [first, second])
    assert len({first, second, third}) == 3 and second.startswith(first)
    assert file_stem("x" * 300, ["x" * MAX_STEM]) != "x" * MAX_STEM


def test_a_number_is_never_taken_for_a_default_boolean() -> None:
    """0 equals False in Python, not in JSON: a stated 0 stays where the default is false."""
    document = {
        "name": "A",
        "type": "content/url",
        "variations": [{"name": "B", "percentage": 0, "isControl": 0}],
    }
    assert without_defaults(document)["variations"][0]["isControl"] == 0


# Code: every field the schema gives a contentMediaType is a block whatever its length.


def _code_places(value: Any, path: JsonPath = ()) -> Iterator[JsonPath]:
    """Where the writer found code in a document it states (without_defaults)."""
    if isinstance(value, BlockText):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _code_places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _code_places(item, (*path, index))


def _at(document: Any, path: JsonPath) -> Any:
    for step in path:
        document = document[step]
    return document


def _with_code(body: dict[str, Any], places: list[JsonPath], code: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    for path in places:
        _at(changed, path[:-1])[path[-1]] = code
    return changed


def _body_with_every_code_field() -> dict[str, Any]:
    """Every block of the format; each variation's html edit and a text edit replacing something."""
    document = every_block("content/onsiteEdits")
    for variation in document["variations"]:
        html = variation["onsiteEdits"][0] | {"onsiteEditType": "html", "replace": "<b>Free</b>"}
        variation["onsiteEdits"] = [html, html | {"onsiteEditType": "text", "replace": "Free shipping"}]
    return canonical_desired(desired(document).body)


BODY = _body_with_every_code_field()
PLACES = list(_code_places(without_defaults(BODY)))
CODE_KEY = re.compile(r"^ *(?:customCss|customJs|replace): (.*)$", re.MULTILINE)


def _written(body: dict[str, Any]) -> str:
    return experience_text({**body, "status": "started"}, EXPERIENCES, None)


def test_code_is_what_the_schema_says_it_is_and_comes_out_as_a_block_however_short() -> None:
    assert sorted({path[-1] for path in PLACES}) == ["customCss", "customJs", "replace"]
    assert {path[-3:-1] for path in PLACES if path[-1] == "replace"} == {("onsiteEdits", 0)}
    assert len(PLACES) == 6  # both variations: CSS, JS and the html edit's replacement
    text = _written(BODY)
    assert sorted(CODE_KEY.findall(text)) == ["Free shipping"] * 2 + ["|-"] * len(PLACES)
    assert "replace: Free shipping\n" in text and "find: text 3\n" in text  # text, not code


def _js(code: str) -> str:
    """How customJs comes out (it is followed by jsInjectionMode), having read back as `code`."""
    body = canonical_desired(
        {
            "name": "Hero",
            "type": "content/advanced",
            "variations": [
                {"name": "Control", "percentage": 50, "isControl": True},
                {
                    "name": "B",
                    "percentage": 50,
                    "onsiteInjection": {
                        "customCss": "a {}",
                        "customJs": code,
                        "jsInjectionMode": {"type": "onWindowLoad"},
                    },
                },
            ],
        }
    )
    text = _written(body)
    read = check_text(text, Path("experiences/js.yaml"))
    assert read.errors == () and read.experience is not None
    assert read.experience.body["variations"][1]["onsiteInjection"]["customJs"] == code
    return text.split("customJs: ", 1)[1].split("      jsInjectionMode:", 1)[0]


@pytest.mark.parametrize(
    ("code", "written"),
    [
        ("console.log(1)\n", "|\n        console.log(1)\n"),
        ("console.log(1)", "|-\n        console.log(1)\n"),
        ("a();\n\n", "|+\n        a();\n\n"),
        ("\n", "|2+\n\n"),
        ("  indented();\n", "|2\n          indented();\n"),
        # A first line starting with a tab states the indentation, which libyaml wants.
        ("\tif (x) {\n\t\ty();\n\t}\n", "|2\n        \tif (x) {\n        \t\ty();\n        \t}\n"),
        ("a {\n\n  b: c;\n}", "|-\n        a {\n\n          b: c;\n        }\n"),
        # What a block cannot hold exactly and visibly is double-quoted, escapes showing it.
        ("", '""\n'),
        ("a(); \nb();\n", '"a(); \\nb();\\n"\n'),
        ("a();\t\n", '"a();\\t\\n"\n'),
        ("a();\r\nb();\r\n", '"a();\\r\\nb();\\r\\n"\n'),
        ("a\x85b\u2028c", '"a\\Nb\\Lc"\n'),
        ("\ufeffa();", '"\\uFEFFa();"\n'),
    ],
)
def test_each_kind_of_code_text_is_written_so_that_it_reads_back_exactly(code: str, written: str) -> None:
    assert _js(code) == written


# Any character, and more of those that matter to YAML.
_ANY_CODE = st.text(
    st.one_of(
        st.sampled_from(list(" \t\n\r\x85\u2028\u2029\ufeff\x00\x7f#:|>-'\"\\{}é🎉")),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=50,
)
# Code as editors save it: visible lines, indented by spaces or tabs, no blanks ending a line.
_LINE = st.text(
    st.one_of(
        st.sampled_from(list(" \t#:|>-'\"{};")), st.characters(whitelist_categories=("L", "N", "P", "S"))
    ),
    max_size=20,
)
_TIDY_CODE = st.builds(
    lambda lines, end: "\n".join(line.rstrip(" \t") for line in lines) + end,
    st.lists(_LINE, min_size=1, max_size=5),
    st.sampled_from(["", "\n", "\n\n"]),
).filter(bool)


@settings(max_examples=300, deadline=None)
@given(_ANY_CODE)
def test_any_code_in_every_code_field_reads_back_exactly(code: str) -> None:
    body = _with_code(BODY, PLACES, code)
    text = _written(body)
    read = check_text(text, Path("experiences/code.yaml"))
    assert read.errors == () and read.experience is not None
    back = canonical_desired(read.experience.body)
    assert [_at(back, path) for path in PLACES] == [code] * len(PLACES)
    assert back == canonical_desired(body)
    styles = {written[:1] for written in CODE_KEY.findall(text)} - {"F"}  # F: the text edits' replace
    assert styles <= {"|", '"'}, text
    if yaml.__with_libyaml__:  # a machine without libyaml reads the file with PyYAML's own parser
        assert yaml.load(text, Loader=yaml.BaseLoader) == yaml.load(text, Loader=yaml.CBaseLoader)


@settings(max_examples=200, deadline=None)
@given(_TIDY_CODE)
def test_code_without_blanks_ending_a_line_is_always_a_block(code: str) -> None:
    text = _written(_with_code(BODY, PLACES, code))
    styles = [written[:1] for written in CODE_KEY.findall(text) if written != "Free shipping"]
    assert styles == ["|"] * len(PLACES), text
    read = check_text(text, Path("experiences/code.yaml"))
    assert read.experience is not None
    assert [_at(canonical_desired(read.experience.body), path) for path in PLACES] == [code] * len(PLACES)


# The schema line: relative to the file's own directory, and only for a schema in reach.


@pytest.mark.parametrize(
    ("directory", "reference"),
    [
        ("experiences", "../schemas/experience.schema.json"),
        ("experiences/pdp/mobile", "../../../schemas/experience.schema.json"),
        (".", "schemas/experience.schema.json"),
        ("experiences/../promotions", "../schemas/experience.schema.json"),
    ],
)
def test_the_schema_line_is_relative_to_the_files_own_directory(
    directory: str, reference: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for given_as in (Path(directory), tmp_path / directory):  # relative to the working directory, or not
        for schema in (SCHEMA, tmp_path / SCHEMA):
            assert schema_line(given_as, schema) == f"{LINE}{reference}\n"


def test_no_schema_line_without_the_projects_schema_or_outside_the_project(tmp_path: Path) -> None:
    project = tmp_path / "store"
    (project / SCHEMA).mkdir(parents=True)  # a directory of that name is no schema
    assert project_schema(project) is None
    (project / SCHEMA).rmdir()
    (project / SCHEMA).write_text("{}")
    schema = project_schema(project)
    assert schema == project / SCHEMA
    assert schema_line(project / "experiences", schema) == f"{LINE}../schemas/experience.schema.json\n"
    assert schema_line(project / "experiences", None) == ""
    for outside in (tmp_path, tmp_path / "elsewhere", tmp_path / "store-2" / "experiences", project / ".."):
        assert schema_line(outside, schema) == "", outside
    assert not experience_text({**BODY, "status": "draft"}, tmp_path / "elsewhere", schema).startswith("#")
