"""A file written atomically keeps its permissions and its line endings, and is never half written."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from igops.atomic import write_atomically


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("before", [0o644, 0o600, 0o664, 0o755])
def test_a_rewritten_file_keeps_its_permissions(tmp_path: Path, before: int) -> None:
    path = tmp_path / "experience.yaml"
    path.write_text("name: old\n", encoding="utf-8")
    path.chmod(before)
    write_atomically(path, "name: new\n")
    assert path.read_text(encoding="utf-8") == "name: new\n"
    assert mode(path) == before


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_a_new_file_gets_the_permissions_the_umask_gives(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        write_atomically(tmp_path / "plan.json", "{}")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "plan.json") == 0o666 & ~umask


def test_the_text_is_written_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "windows.yaml"
    write_atomically(path, "name: a\r\nstatus: draft\r\nlast\n")
    assert path.read_bytes() == b"name: a\r\nstatus: draft\r\nlast\n"
    assert [entry.name for entry in tmp_path.iterdir()] == ["windows.yaml"], "no temporary file is left"


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    path = tmp_path / "experience.yaml"
    path.write_text("name: old\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(path, "name: \udc00\n")
    assert path.read_text(encoding="utf-8") == "name: old\n"
    assert [entry.name for entry in tmp_path.iterdir()] == ["experience.yaml"]
