"""Workflow commands: one line each, whatever the file names and messages hold, read back by the runner as
the properties and message they were made from."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from support.plans import experience

from igops.model import Plan, PlanError, Risk
from igops.render.github import Annotation, escape_data, escape_property, plan_annotations, workflow_command

# actions/runner (ActionCommand.cs) undoes its escapes in this order, the percent sign last.
DATA_ESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
PROPERTY_ESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))
# What the runner's parser cuts at or decodes, often, among any other characters.
HOSTILE = st.lists(
    st.one_of(st.sampled_from(["%", ":", "::", ",", "=", "\r", "\n", "%0A", "%25", " "]), st.characters())
).map("".join)


def unescape(text: str, escapes: tuple[tuple[str, str], ...]) -> str:
    for escaped, original in escapes:
        text = text.replace(escaped, original)
    return text


def read_as_the_runner(line: str) -> tuple[str, dict[str, str], str]:
    """Command, properties and message, cut where the runner cuts a `::` command line."""
    assert line.startswith("::")
    end = line.index("::", 2)
    command, _, properties = line[2:end].partition(" ")
    pairs = [pair.split("=", 1) for pair in properties.split(",")]
    return (
        command,
        {name: unescape(value, PROPERTY_ESCAPES) for name, value in pairs},
        unescape(line[end + 2 :], DATA_ESCAPES),
    )


def test_an_annotation_names_file_line_column_and_title_before_the_message() -> None:
    annotation = Annotation("error", "igops validate", "$.name: required", "experiences/x.yaml", 9, 1)
    assert (
        workflow_command(annotation)
        == "::error file=experiences/x.yaml,line=9,col=1,title=igops validate::$.name: required"
    )
    assert (
        workflow_command(Annotation("warning", "igops plan", "50% off: twice, or more"))
        == "::warning title=igops plan::50%25 off: twice, or more"
    )


@given(file=HOSTILE, title=HOSTILE, message=HOSTILE, line=st.integers(1, 10**6), column=st.integers(1, 999))
def test_whatever_the_texts_hold_the_command_is_one_line_read_back_as_given(
    file: str, title: str, message: str, line: int, column: int
) -> None:
    command = workflow_command(Annotation("error", title, message, file, line, column))
    assert "\n" not in command and "\r" not in command
    assert read_as_the_runner(command) == (
        "error",
        {"file": file, "line": str(line), "col": str(column), "title": title},
        message,
    )


@given(HOSTILE)
def test_escapes_decode_to_the_original_and_touch_nothing_else(text: str) -> None:
    assert unescape(escape_data(text), DATA_ESCAPES) == text
    assert unescape(escape_property(text), PROPERTY_ESCAPES) == text
    plain = text.translate({ord(char): None for char in "%\r\n:,"})
    assert escape_property(plain) == escape_data(plain) == plain
    assert escape_data(":,") == ":,", "the message may hold what a property may not"


def test_plan_errors_and_rails_are_annotated_on_their_files_forced_ones_as_errors() -> None:
    """Files are found by key, among them one the plan leaves out for its error; a key no file has names
    none."""
    plan = Plan(
        experiences=(experience("promo", "Promo"),),
        errors=(
            PlanError("hero", "hero: status paused: it does not exist yet."),
            PlanError(None, "the account lists the same id twice."),
        ),
        risks=(
            Risk("max-changes", None, "30 changes is more than max_changes (25)."),
            Risk("end-without-winner", "promo", "ends without a winner.", needs_force=False),
            Risk("running-split", "gone", "changes the split of a running test."),
        ),
    )
    files = {"hero": "experiences/hero.yaml", "promo": "experiences/promo.yaml"}
    assert plan_annotations(plan, "igops plan", files) == [
        Annotation(
            "error", "igops plan", "hero: status paused: it does not exist yet.", "experiences/hero.yaml", 1
        ),
        Annotation("error", "igops plan", "the account lists the same id twice."),
        Annotation("error", "igops plan", "max-changes: 30 changes is more than max_changes (25)."),
        Annotation(
            "warning",
            "igops plan",
            "end-without-winner: promo: ends without a winner.",
            "experiences/promo.yaml",
            1,
        ),
        Annotation("error", "igops plan", "running-split: gone: changes the split of a running test."),
    ]
