"""Writing experience files: what import and show produce reads back as the same experience."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_support import desired
from schema_strategies import TYPES, every_block

from igops.files import check_text
from igops.files.writer import MAX_STEM, SCHEMA_LINE, experience_text, file_stem, without_defaults
from igops.normalize import canonical_desired

PINNED = "0b6c1a52-4f1e-4c3e-9a57-2d0e5f6a7b8c"


@pytest.mark.parametrize("kind", TYPES)
def test_a_written_file_with_every_block_reads_back_as_the_same_experience(kind: str) -> None:
    wanted = desired(every_block(kind))
    canonical = canonical_desired(wanted.body)
    text = experience_text({**canonical, "status": wanted.status, "id": PINNED})
    assert text.startswith(SCHEMA_LINE)
    read = check_text(text, Path("experiences/written.yaml"))
    assert read.errors == () and read.experience is not None
    assert canonical_desired(read.experience.body) == canonical
    assert (read.experience.status, read.experience.id) == (wanted.status, PINNED)


def test_defaults_are_left_out_and_multi_line_text_is_a_block() -> None:
    css = ".hero {\n  color: red;\n}\n"
    document = canonical_desired({"name": "Hero", "type": "content/advanced", "variations": [
        {"name": "Control", "percentage": 50, "isControl": True},
        {"name": "B", "percentage": 50, "onsiteInjection": {"customCss": css}}]})
    text = experience_text({**document, "status": "draft"})
    assert text == SCHEMA_LINE + (
        "name: Hero\ntype: content/advanced\nstatus: draft\nvariations:\n"
        "  - name: Control\n    percentage: 50\n    isControl: true\n"
        "  - name: B\n    percentage: 50\n    onsiteInjection:\n      customCss: |\n"
        "        .hero {\n          color: red;\n        }\n")
    assert "isControl" not in without_defaults(document)["variations"][1]


@pytest.mark.parametrize("name", ["../../etc/passwd", "CON", "con.txt", "x" * 300, "🎉 🎉", "Ünïcödé sale",
                                  "a/b\\c:d*e?f\"g<h>i|j", ".", "..", "LPT1"])
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
    document = {"name": "A", "type": "content/url", "variations": [{"name": "B", "percentage": 0,
                                                                   "isControl": 0}]}
    assert without_defaults(document)["variations"][0]["isControl"] == 0
