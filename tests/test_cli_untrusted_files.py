"""Hostile files and paths through the CLI: a file name that tries to break out of the pull request comment,
names that mention or link, one huge value, files and directories that cannot be read, import targets that
are not igops's to replace, and files to write that are not regular files. Each ends in one sentence naming
the path and exit 1 with nothing written, or in output where the hostile text stays inert."""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.cli import igops, make_live_equal, prepare_project, work_in
from support.files import experience
from support.untrusted import assert_markdown_safe, assert_terminal_safe

from igops.cli.common import CommandFailed
from igops.cli.verbose import log_to_stderr
from igops.files.yamldoc import dump

# The issue's file name: it closes the action's ~~~text block and writes an image, a heading and a mention.
ISSUE_PATH = "x\n~~~\n\n<img src=x onerror=alert(1)>\n\n## Plan approved @everyone\n\n~~~text\ny.yaml"
SHOWN_PATH = ISSUE_PATH.replace("\n", "\\x0a")
HERO = "homepage-hero-headline"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return prepare_project(tmp_path, monkeypatch)


def api_of(project: Path) -> str:
    return f"sandbox:{project / 'account.json'}"


def snapshot(root: Path) -> dict[str, Any]:
    """Every entry under `root`: a file's bytes, a link's target, a directory as such."""
    found: dict[str, Any] = {}
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories + files:
            path = Path(directory, name)
            found[str(path.relative_to(root))] = (
                ("link", os.readlink(path))
                if path.is_symlink()
                else "directory"
                if path.is_dir()
                else path.read_bytes()
                if path.is_file()
                else "other"
            )
    return found


# 1. One escaping for untrusted text.


def test_a_file_name_that_would_close_the_comments_block_is_one_escaped_line(project: Path) -> None:
    shutil.copy(project / "experiences" / f"{HERO}.yaml", project / "experiences" / ISSUE_PATH)
    validated = igops("validate")
    assert validated.exit_code == 1
    assert validated.output.splitlines() == [
        f"experiences/{SHOWN_PATH}:1:1: $: the file name holds a character that does not print (a line "
        "break, a control or bidi character, or bytes that are not UTF-8); rename the file: a file's path "
        "and name (its key) are shown in every plan and pull request comment.",
        "1 error in 1 file (7 experience files checked).",
    ]
    annotated = igops("validate", "--format", "github")
    assert annotated.exit_code == 1 and len(annotated.output.splitlines()) == 3
    assert annotated.output.startswith("::error file=experiences/x%0A~~~%0A%0A<img")
    planned = igops("plan", "--api", api_of(project), "--format", "markdown")
    assert planned.exit_code == 1 and planned.stdout == ""
    assert planned.stderr.splitlines()[0].startswith(f"experiences/{SHOWN_PATH}:1:1: ")
    (project / "err.txt").write_text(planned.stderr)
    (project / "out.txt").write_text(planned.stdout)
    body = igops(
        "comment-body",
        "--command",
        "plan --format markdown",
        "--exit-code",
        "1",
        "--stdout",
        "out.txt",
        "--stderr",
        "err.txt",
        "--report-format",
        "markdown",
    )
    assert body.exit_code == 0
    assert_markdown_safe(body.output, mark="Plan approved")


def test_mentions_links_and_bidi_in_names_stay_inert_in_every_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = "@everyone @user #1 \u202eevil\u2066 <b>x</b>"
    api = seeded(
        tmp_path,
        monkeypatch,
        {
            "managed": experience(name=f"Managed {hostile}", status="started"),
            "other": experience(name=f"Other {hostile}", status="started"),
        },
    )
    (tmp_path / "experiences" / "managed.yaml").write_text(
        dump(experience(name=f"Managed {hostile}", status="started", description=hostile))
    )
    for command in (("plan",), ("drift",), ("report",)):
        text = igops(*command, "--api", api)
        assert text.exit_code in (0, 2), text.output
        assert_terminal_safe(text.output, mark="u202eevil")
        markdown = igops(*command, "--api", api, "--format", "markdown")
        assert markdown.exit_code in (0, 2), markdown.output
        assert_markdown_safe(markdown.output, mark="u202eevil")
    unmanaged = igops("plan", "--api", api, "--format", "markdown").output
    assert (
        "| Other @&#8288;everyone @&#8288;user #&#8288;1 &#92;u202eevil&#92;u2066 &lt;b&gt;x&lt;/b&gt; |"
        in unmanaged
    )


def seeded(root: Path, monkeypatch: pytest.MonkeyPatch, documents: dict[str, dict[str, Any]]) -> str:
    """A project at `root` with an empty experiences directory, whose sandbox account holds `documents`
    (applied from a directory of their own); the --api that reaches it."""
    work_in(root, monkeypatch)
    (root / "seed").mkdir()
    for key, document in documents.items():
        (root / "seed" / f"{key}.yaml").write_text(dump(document))
    (root / "igops.yaml").write_text("experiences_dir: seed\n")
    api = f"sandbox:{root / 'account.json'}"
    applied = igops("apply", "--auto-approve", "--force", "--api", api)
    assert applied.exit_code == 0, applied.output
    (root / "igops.yaml").write_text("experiences_dir: experiences\n")
    (root / "experiences").mkdir()
    return api


# 2. The bounded comment leaves out only what does not fit.


def test_one_huge_value_leaves_out_its_own_section_and_no_other(project: Path) -> None:
    make_live_equal(project, statuses=("paused", "ended"))
    huge = experience(name="Huge", description="x" * 70_000)
    (project / "experiences" / "aaa-huge.yaml").write_text(dump(huge))
    comment = igops("plan", "--api", api_of(project), "--format", "markdown")
    assert comment.exit_code == 0, comment.output
    assert len(comment.output) <= 60_001
    whole = igops("plan", "--api", api_of(project), "--format", "markdown", "--max-chars", "900000").output
    others = re.findall(r"<b>([a-z-]+)</b>", whole)
    assert len(others) > 3 and others[0] == "aaa-huge"
    assert re.findall(r"<b>([a-z-]+)</b>", comment.output) == others[1:], "every other section is kept"
    assert (
        "_Plan truncated to fit one comment: 1 experience (<code>aaa-huge</code>) not shown here."
        in comment.output
    )


# 3. Files and directories that cannot be read.


@pytest.fixture
def unlistable(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Directories os.scandir refuses with EACCES (chmod 000 stops no one in CI, which runs as root)."""
    refused: list[Path] = []
    listing = os.scandir

    def scandir(path: Any = ".") -> Any:
        if any(Path(path).resolve() == directory.resolve() for directory in refused):
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", scandir)
    yield refused


COMMANDS = [
    ("validate",),
    ("plan",),
    ("apply", "--auto-approve"),
    ("drift",),
    ("import", "--all"),
    ("show", HERO),
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("where", ["experiences", "experiences/nested"])
def test_a_directory_that_cannot_be_listed_is_an_error_naming_it(
    project: Path, unlistable: list[Path], command: tuple[str, ...], where: str
) -> None:
    (project / "experiences" / "nested").mkdir()
    shutil.move(project / "experiences" / f"{HERO}.yaml", project / "experiences" / "nested")
    before = snapshot(project / "experiences")
    unlistable.append(project / where)
    api = () if command == ("validate",) else ("--api", api_of(project))
    result = igops(*command, *api)
    unlistable.clear()
    assert result.exit_code == 1, result.output
    assert (
        f"{where}: the directory cannot be listed (permission denied), so igops cannot tell which "
        "experience files it holds; make it readable, or move it out of the experiences directory."
        in result.output
    )
    assert "Traceback" not in result.output and "all valid" not in result.output
    assert snapshot(project / "experiences") == before, "nothing written"
    assert not (project / "account.json").exists() or command[0] in ("import", "show")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_file_that_cannot_be_read_is_an_error_naming_it(
    project: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    secret = project / "experiences" / f"{HERO}.yaml"
    reading = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.resolve() == secret.resolve():
            raise PermissionError(13, "Permission denied", str(path))
        return reading(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    api = () if command == ("validate",) else ("--api", api_of(project))
    result = igops(*command, *api)
    assert result.exit_code == 1, result.output
    assert f"experiences/{HERO}.yaml: cannot be read: permission denied." in result.output
    assert "Traceback" not in result.output


def test_a_reference_too_long_for_a_path_is_a_name_to_show(project: Path) -> None:
    result = igops("show", "x" * 300, "--api", api_of(project))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "is no experience file's key" in result.output


# 4. Import writes only what it may, and checks every target first.


def import_project(root: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A project whose account holds 'Broken WIP', 'Linked', 'Dir clash' and 'Fine', and whose experiences
    directory has in their way a hand-written file that fails the schema, a symbolic link to another file
    and a directory with a file's name."""
    api = seeded(
        root,
        monkeypatch,
        {
            name.lower().replace(" ", "-"): experience(name=name)
            for name in ("Broken WIP", "Linked", "Dir clash", "Fine")
        },
    )
    experiences = root / "experiences"
    (experiences / "broken-wip.yaml").write_text("name: Broken WIP\nstatus: half-written\n")
    (root / "elsewhere.yaml").write_text("# mine\n")
    (experiences / "linked.yaml").symlink_to(root / "elsewhere.yaml")
    (experiences / "dir-clash.yaml").mkdir()
    return api


def test_import_checks_every_target_before_writing_any(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = import_project(tmp_path, monkeypatch)
    before = snapshot(tmp_path / "experiences")
    for overwrite in ((), ("--overwrite",)):
        result = igops("import", "--all", *overwrite, "--api", api)
        assert result.exit_code == 1, result.output
        lines = result.output.splitlines()
        link = (
            "Error: experiences/linked.yaml is a symbolic link, not a regular file: igops writes only "
            "regular files or new paths, never through or over anything else, so nothing was imported "
            "(--overwrite or not)."
        )
        directory = link.replace("linked.yaml is a symbolic link", "dir-clash.yaml is a directory")
        broken = (
            "Error: experiences/broken-wip.yaml exists but does not load as an experience file, so it "
            "is not known to hold 'Broken WIP': fix it or move it away, or run igops import "
            "--overwrite to replace it."
        )
        assert sorted(lines) == sorted([directory, link] if overwrite else [broken, directory, link])
        assert snapshot(tmp_path / "experiences") == before, "nothing written"
    (tmp_path / "experiences" / "linked.yaml").unlink()
    (tmp_path / "experiences" / "dir-clash.yaml").rmdir()
    refused = igops("import", "--all", "--api", api)
    assert refused.exit_code == 1 and refused.output.startswith("Error: experiences/broken-wip.yaml exists")
    done = igops("import", "--all", "--overwrite", "--api", api)
    assert done.exit_code == 0, done.output
    assert "replaced experiences/broken-wip.yaml (Broken WIP)" in done.output
    assert done.output.endswith("Import complete: 4 file(s) written, 0 skipped.\n")


def test_import_never_replaces_a_link_to_a_file_it_manages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = seeded(tmp_path, monkeypatch, {"fine": experience(name="Fine")})
    (tmp_path / "experiences" / "real").mkdir()
    (tmp_path / "experiences" / "real" / "fine.txt").write_text(dump(experience(name="Fine")))
    (tmp_path / "experiences" / "fine.yaml").symlink_to("real/fine.txt")
    result = igops("import", "Fine", "--overwrite", "--api", api)
    assert result.exit_code == 1
    assert result.output.startswith("Error: experiences/fine.yaml is a symbolic link, not a regular file")
    assert (tmp_path / "experiences" / "fine.yaml").is_symlink()


def test_import_into_a_directory_igops_may_not_write_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = seeded(tmp_path, monkeypatch, {"fine": experience(name="Fine"), "other": experience(name="Other")})
    access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: Path(path).name != "experiences" and access(path, mode)
    )
    result = igops("import", "--all", "--api", api)
    assert result.exit_code == 1
    assert sorted(result.output.splitlines()) == [
        f"Error: experiences/{key}.yaml cannot be written: igops may not write in its directory experiences, "
        "so nothing was imported (--overwrite or not)."
        for key in ("fine", "other")
    ]
    assert list((tmp_path / "experiences").iterdir()) == []


# 5. Files igops writes are regular files or new paths.


def special_files(root: Path) -> dict[str, Path]:
    """A FIFO, a link to a file and a device, each where a command would write."""
    os.mkfifo(root / "fifo")
    (root / "target.json").write_text("mine")
    (root / "link.json").symlink_to(root / "target.json")
    return {
        "a FIFO (named pipe)": root / "fifo",
        "a symbolic link": root / "link.json",
        "a device": Path("/dev/null"),
        "a directory": root / "experiences",
    }


@pytest.mark.parametrize("option", ["--out", "--refresh-cache"])
def test_plan_refuses_to_write_anything_but_a_regular_file(project: Path, option: str) -> None:
    for kind, path in special_files(project).items():
        before = snapshot(project)
        result = igops("plan", "--api", api_of(project), option, str(path))
        assert result.exit_code == 1
        assert result.output == (
            f"Error: {option} {path} is {kind}, not a regular file: igops writes only "
            "regular files or new paths, never through or over anything else.\n"
        )
        assert snapshot(project) == before, "nothing written, the account not even opened"


@pytest.mark.parametrize("command", [("apply", "--auto-approve"), ("drift",)])
def test_every_command_with_a_refresh_cache_refuses_a_fifo_before_reading_it(
    project: Path, command: tuple[str, ...]
) -> None:
    fifo = special_files(project)["a FIFO (named pipe)"]
    result = igops(*command, "--api", api_of(project), "--refresh-cache", str(fifo))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: --refresh-cache {fifo} is a FIFO (named pipe), not a regular")


def test_the_sandbox_state_is_a_regular_file_or_a_new_path(project: Path) -> None:
    for kind, path in special_files(project).items():
        before = snapshot(project)
        planned = igops("plan", "--api", f"sandbox:{path}")
        assert planned.exit_code == 1
        assert planned.output == (
            f"Error: {path} is {kind}, not a regular file: igops writes only regular "
            "files or new paths, never through or over anything else: fix the sandbox: "
            "URL or move the file away.\n"
        )
        served = igops("sandbox", "serve", "--port", "0", "--state", str(path))
        assert served.exit_code == 1 and served.output.startswith(f"Error: --state {path} is {kind}")
        assert snapshot(project) == before, "no state, no journal beside it"


def test_plan_out_into_a_missing_directory_is_refused_before_the_plan(project: Path) -> None:
    result = igops("plan", "--api", api_of(project), "--out", "missing/plan.json")
    assert result.output == (
        "Error: --out missing/plan.json cannot be written: its directory missing does not exist.\n"
    )
    assert result.exit_code == 1 and not (project / "account.json").exists()


def test_drift_adopt_never_replaces_a_linked_experience_file(project: Path) -> None:
    api = api_of(project)
    make_live_equal(project)
    hero = project / "experiences" / f"{HERO}.yaml"
    (project / "experiences" / "real").mkdir()
    hero.rename(project / "experiences" / "real" / "hero.txt")
    hero.symlink_to("real/hero.txt")
    text = (project / "experiences" / "real" / "hero.txt").read_text()
    changed = text.replace("\ndescription: ", "\ndescription: Edited. ", 1)
    (project / "experiences" / "real" / "hero.txt").write_text(changed)
    before = snapshot(project / "experiences")
    result = igops("drift", "--adopt", "--api", api)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: experiences/{HERO}.yaml is a symbolic link, not a regular file: igops writes only regular "
        "files or new paths, never through or over anything else."
    )
    assert snapshot(project / "experiences") == before


def test_a_directory_whose_name_does_not_print_is_refused_and_not_read(project: Path) -> None:
    odd = project / "experiences" / "a\u202eb"
    odd.mkdir()
    shutil.move(project / "experiences" / f"{HERO}.yaml", odd)
    result = igops("validate")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "experiences/a\\u202eb:1:1: $: the directory name holds a character that does not print (a line "
        "break, a control or bidi character, or bytes that are not UTF-8); rename the directory: a file's "
        "path and name (its key) are shown in every plan and pull request comment.",
        "1 error in 1 file (6 experience files checked).",
    ]


def test_every_line_of_an_error_and_of_a_log_is_shown_as_untrusted_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert CommandFailed("a\x1b[2J\u202eb\nsecond\x07").message == "a\\x1b[2J\\u202eb\nsecond\\x07"
    log_to_stderr(True)
    logging.getLogger("igops").info("reading %s", "x\ny\x1b]0;title\x07")
    log_to_stderr(False)
    assert capsys.readouterr().err == "igops: reading x\\x0ay\\x1b]0;title\\x07\n"
