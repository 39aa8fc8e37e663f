"""Bad input at the YAML and file level: each is one located sentence, never an exception."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.files import FILE, dump, experience

from igops.files import check_text, load_experiences
from igops.files.discovery import MAX_FILE_BYTES

VALID = dump(experience())

# (case, file text, line, column, words of the message)
BAD_YAML: list[tuple[str, str, int, int, str]] = [
    ("syntax error", "name: [unclosed\ntype: content/url\n", 2, 5, "did not find expected ',' or ']'"),
    ("tab indentation", "name: x\nvariations:\n\t- name: a\n", 3, 1, "tab is used for indentation"),
    ("duplicate key", "name: a\ntype: content/url\nname: b\n", 3, 1, "'name' appears twice"),
    (
        "nested duplicate key",
        VALID.replace("  percentage: 50\n", "  percentage: 50\n  percentage: 60\n", 1),
        8,
        3,
        "(first on line 7)",
    ),
    ("empty file", "", 1, 1, "the file is empty"),
    ("only comments", "# yaml-language-server: $schema=x\n\n", 1, 1, "the file is empty"),
    ("list at the top", "- name: a\n", 1, 1, "top level must be a mapping"),
    ("scalar at the top", "just words\n", 1, 1, "top level must be a mapping"),
    ("python tag", "name: !!python/object/apply:os.system [ls]\n", 1, 7, "tag"),
    ("custom tag", "name: !secret x\n", 1, 7, "tag '!secret' is not supported"),
    ("recursive alias", "name: &a [*a]\n", 1, 7, "alias refers to a value that contains it"),
    ("merge key", "base: &b {name: a}\n<<: *b\n", 2, 1, "merge keys"),
    ("non-text key", "1: a\n", 1, 1, "field names must be text"),
    ("two documents", "name: a\n---\nname: b\n", 2, 1, "second YAML document"),
    ("infinite number", "name: a\nbudget: .inf\n", 2, 9, "not a finite number"),
    ("bad explicit int", "name: !!int twelve\n", 1, 7, "not a valid int"),
]


@pytest.mark.parametrize(("case", "text", "line", "column", "words"), BAD_YAML, ids=[c[0] for c in BAD_YAML])
def test_bad_yaml_is_one_located_sentence(case: str, text: str, line: int, column: int, words: str) -> None:
    result = check_text(text, FILE)
    assert len(result.errors) == 1, result.errors
    error = result.errors[0]
    assert words in error.message
    assert (error.position.line, error.position.column) == (line, column)
    assert str(error).startswith(f"{FILE}:{line}:{column}: $")
    assert result.experience is None


def test_alias_expansion_is_bounded() -> None:
    layers = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    layers += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 7)]
    result = check_text("\n".join(layers) + "\n", FILE)
    assert "expands to more than" in result.errors[0].message


def test_scalars_follow_yaml_1_2_like_editors() -> None:
    document = experience(description="placeholder")
    text = dump(document).replace("description: placeholder", "description: no")
    result = check_text(text, FILE)
    assert not result.errors
    assert result.experience is not None and result.experience.body["description"] == "no"


def test_aliases_are_allowed() -> None:
    text = dump(experience()).replace("  percentage: 50\n", "  percentage: &half 50\n", 1)
    text = text.replace("  percentage: 50\n", "  percentage: *half\n", 1)
    assert not check_text(text, FILE).errors


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _named(name: str) -> str:
    return dump(experience(name=name))


def test_directory_is_loaded_recursively_with_both_suffixes(tmp_path: Path) -> None:
    _write(tmp_path / "a.yaml", _named("A"))
    _write(tmp_path / "nested" / "deeper" / "b.yml", _named("B"))
    _write(tmp_path / "notes.txt", "not an experience")
    _write(tmp_path / ".hidden.yaml", "broken: [")
    _write(tmp_path / ".git" / "c.yaml", "broken: [")
    result = load_experiences([tmp_path])
    assert result.ok, result.errors
    assert sorted(experience.key for experience in result.experiences) == ["a", "b"]
    assert len(result.files) == 2


def test_errors_of_every_file_are_collected_in_order(tmp_path: Path) -> None:
    _write(tmp_path / "b.yaml", "name: [\n")
    _write(tmp_path / "a.yaml", dump(experience(status="running", percentge=1)))
    _write(tmp_path / "c.yaml", _named("C"))
    result = load_experiences([tmp_path])
    assert [error.file.name for error in result.errors] == ["a.yaml", "a.yaml", "b.yaml"]
    assert [experience.key for experience in result.experiences] == ["c"]


def test_file_over_one_megabyte_is_refused_unread(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.yaml", _named("Big") + "#" * MAX_FILE_BYTES)
    (error,) = load_experiences([path]).errors
    assert "over the 1 MB limit" in error.message


@pytest.mark.parametrize(
    ("content", "line", "column", "words"),
    [
        (b"name: caf\xe9\n", 1, 10, "not UTF-8 text (byte 0xe9"),
        (b"name: a\ntype: \x00\x01\x02\n", 2, 7, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", 3, 1, "binary"),
    ],
)
def test_undecodable_files_are_refused(
    tmp_path: Path, content: bytes, line: int, column: int, words: str
) -> None:
    path = _write(tmp_path / "x.yaml", content)
    (error,) = load_experiences([path]).errors
    assert words in error.message
    assert (error.position.line, error.position.column) == (line, column)


def test_utf8_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = _write(tmp_path / "bom.yaml", b"\xef\xbb\xbf" + _named("Caf\u00e9").encode())
    assert load_experiences([path]).ok


def test_symlinks_outside_the_directory_are_refused(tmp_path: Path) -> None:
    outside = _write(tmp_path / "outside" / "secret.yaml", _named("Secret"))
    _write(tmp_path / "outside" / "more" / "x.yaml", _named("X"))
    root = tmp_path / "experiences"
    _write(root / "inside.yaml", _named("Inside"))
    os.symlink(outside, root / "linked.yaml")
    os.symlink(tmp_path / "outside" / "more", root / "linked-dir")
    os.symlink(root / "inside.yaml", root / "alias.yaml")
    os.symlink(root / "missing.yaml", root / "dangling.yaml")
    result = load_experiences([root])
    messages = {error.file.name: error.message for error in result.errors}
    assert "outside" in messages["linked.yaml"] and "refused" in messages["linked.yaml"]
    assert "outside" in messages["linked-dir"]
    assert "does not exist" in messages["dangling.yaml"]
    # A link to a file inside is the same file, loaded once.
    assert [experience.name for experience in result.experiences] == ["Inside"]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    (error,) = load_experiences([tmp_path / "nope"]).errors
    assert error.message == "no such file or directory."


@pytest.mark.parametrize(
    ("first", "second", "words"),
    [
        ({"name": "Same"}, {"name": "Same"}, "the name 'Same' is also used by"),
        (
            {"name": "A", "id": "0b6c1a52-4f1e-4c3e-9a57-2d0e5f6a7b8c"},
            {"name": "B", "id": "0b6c1a52-4f1e-4c3e-9a57-2d0e5f6a7b8c"},
            "the id '0b6c1a52",
        ),
    ],
)
def test_names_and_ids_are_unique_across_files(
    tmp_path: Path, first: dict[str, str], second: dict[str, str], words: str
) -> None:
    _write(tmp_path / "one.yaml", dump(experience(**first)))
    _write(tmp_path / "two.yaml", dump(experience(**second)))
    result = load_experiences([tmp_path])
    (error,) = result.errors
    assert error.file.name == "two.yaml" and words in error.message and "one.yaml" in error.message
    assert error.position.line > 0
    assert [experience.key for experience in result.experiences] == ["one"]


def test_distinct_names_and_ids_pass(tmp_path: Path) -> None:
    _write(tmp_path / "one.yaml", dump(experience(name="A", id="0b6c1a52-4f1e-4c3e-9a57-2d0e5f6a7b8c")))
    _write(tmp_path / "two.yaml", dump(experience(name="B", id="1b6c1a52-4f1e-4c3e-9a57-2d0e5f6a7b8c")))
    assert load_experiences([tmp_path]).ok


def test_file_names_are_unique_keys(tmp_path: Path) -> None:
    _write(tmp_path / "a" / "promo.yaml", _named("A"))
    _write(tmp_path / "b" / "promo.yml", _named("B"))
    (error,) = load_experiences([tmp_path]).errors
    assert "the file name 'promo' is also used by" in error.message
