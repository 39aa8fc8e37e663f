"""The experience files as a git commit holds them (plan --base), and the paths changed since a commit
(stores --changed-since): read with git's plumbing, so the work tree and the index are never touched, and
the files checked by the same loader as the files on disk."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from igops.errors import IgopsError
from igops.files.discovery import decode
from igops.files.errors import FileError
from igops.files.loader import check_text
from igops.files.stores import load_store_experiences
from igops.model import DesiredExperience, GitBase
from igops.text import ended

_SUFFIXES = (".yaml", ".yml")
# Git's mode for a regular file; links and submodules are not experience files.
_REGULAR_FILES = ("100644", "100755")
_TIMEOUT_SECONDS = 60


class CommitError(IgopsError):
    """The commit cannot be read; the message says why and what to do, in one sentence."""


@dataclass(frozen=True)
class CommitFiles:
    base: GitBase
    experiences: tuple[DesiredExperience, ...]  # the files of the commit that load without a problem


def experiences_at(ref: str, directory: Path, option: str = "--base") -> CommitFiles:
    """The experience files under `directory` (relative to the working directory) as commit `ref` has them."""
    commit = _commit(ref, option)
    experiences = []
    for local, data in _files(commit, [directory], option):
        text = decode(local, data)
        if isinstance(text, FileError):
            continue
        # A file the commit holds with problems counts as absent there: its changes are then the files'.
        checked = check_text(text, local)
        if checked.experience is not None and not checked.errors:
            experiences.append(checked.experience)
    return CommitFiles(GitBase(ref, commit), tuple(experiences))


def store_experiences_at(
    ref: str,
    own_dir: Path,
    shared_dir: Path | None,
    shared_keys: Collection[str] | None,
    overrides_dir: Path,
    option: str = "--base",
) -> CommitFiles:
    """One store's experiences as commit `ref` has its files, the shared ones it plans and its overrides
    (load_store_experiences), each named as the working directory names it. A file with a problem there
    counts as absent."""
    commit = _commit(ref, option)
    directories = [own_dir, *([] if shared_dir is None else [shared_dir])]
    with tempfile.TemporaryDirectory(prefix="igops-base-") as temporary:
        root = Path(temporary)
        for local, data in _files(commit, directories, option):
            # Only what lies under the working directory: a path out of it would land out of this one too.
            if local.is_absolute() or ".." in local.parts:
                continue
            (root / local).parent.mkdir(parents=True, exist_ok=True)
            (root / local).write_bytes(data)

        def inside(directory: Path) -> Path:
            return root / os.path.relpath(directory)

        loaded = load_store_experiences(
            inside(own_dir),
            None if shared_dir is None else inside(shared_dir),
            shared_keys,
            inside(overrides_dir),
        )
        experiences = tuple(
            dataclasses.replace(
                experience,
                path=experience.path.relative_to(root),
                override=None if experience.override is None else experience.override.relative_to(root),
            )
            for experience in loaded.experiences
        )
    return CommitFiles(GitBase(ref, commit), experiences)


def changed_since(ref: str, directory: Path, option: str = "--changed-since") -> tuple[Path, ...]:
    """Every path a change since commit `ref` touches, absolute, sorted: each file that differs between
    `ref` and the work tree of the repository holding `directory` (committed since, staged or not), a
    deleted or renamed file by its old path and by its new one, and each untracked file git does not
    ignore (a new file not yet added is a change too)."""
    here = ("-C", str(directory))
    outside = (
        f"{option} {ref}: {os.path.abspath(directory)} is not in a git repository, so igops cannot tell "
        "what changed."
    )
    top = Path(_git(*here, "rev-parse", "--show-toplevel", option=option, failure=outside).decode().strip())
    commit = _commit(ref, option, here)
    # Without rename detection a rename is a deletion and an addition: both paths are listed. Both commands
    # run from the top, so that both name paths from there.
    at_top = ("-C", str(top))
    changed = _git(*at_top, "diff", "--no-renames", "--name-only", "-z", commit, "--", option=option)
    untracked = _git(*at_top, "ls-files", "--others", "--exclude-standard", "-z", option=option)
    names = {
        name.decode("utf-8", errors="surrogateescape")
        for name in (*changed.split(b"\0"), *untracked.split(b"\0"))
        if name
    }
    return tuple(sorted(top / name for name in names))


def _commit(ref: str, option: str, here: tuple[str, ...] = ()) -> str:
    """The commit `ref` names (git run with `here`, such as -C DIRECTORY); CommitError, in one sentence, when
    it names none (or outside a repository)."""
    _git(*here, "rev-parse", "--show-prefix", option=option)  # says first when this is no git repository
    missing = (
        f"{option} {ref}: no such commit in this repository (a pull request's base may need fetching "
        "first: git fetch origin BRANCH, or actions/checkout with fetch-depth: 0)."
    )
    return (
        _git(
            *here,
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            f"{ref}^{{commit}}",
            option=option,
            failure=missing,
        )
        .decode()
        .strip()
    )


def _files(commit: str, directories: Sequence[Path], option: str) -> list[tuple[Path, bytes]]:
    """The YAML files under `directories` in `commit`, each named relative to the working directory, with
    their content."""
    prefix = _git("rev-parse", "--show-prefix", option=option).decode().strip()
    wanted: list[tuple[str, Path]] = []
    for directory in directories:
        # Relative to the working directory, as git's --show-prefix is; "." when it is the directory itself.
        inside = Path(os.path.relpath(directory)).as_posix()
        tree_path = (prefix or ".") if inside == "." else f"{prefix}{inside}"
        listing = _git("ls-tree", "-r", "-z", "--full-tree", commit, "--", tree_path, option=option)
        for entry in filter(None, listing.split(b"\0")):
            meta, _, name = entry.partition(b"\t")
            mode, kind, _ = meta.decode().split(" ", 2)
            path = name.decode("utf-8", errors="surrogateescape")
            if kind == "blob" and mode in _REGULAR_FILES and path.endswith(_SUFFIXES):
                wanted.append((path, Path(path).relative_to(prefix) if prefix else Path(path)))
    unique = list(dict.fromkeys(wanted))
    return list(
        zip((local for _, local in unique), _blobs(commit, [name for name, _ in unique], option), strict=True)
    )


def _blobs(commit: str, names: list[str], option: str) -> list[bytes]:
    """The content of each file, in one `git cat-file --batch` for all of them."""
    if not names:
        return []
    request = "".join(f"{commit}:{name}\n" for name in names).encode("utf-8", errors="surrogateescape")
    output = _git("cat-file", "--batch", option=option, stdin=request)
    contents = []
    offset = 0
    for _ in names:
        header_end = output.index(b"\n", offset)
        size = int(output[offset:header_end].split()[2])
        contents.append(output[header_end + 1 : header_end + 1 + size])
        offset = header_end + 1 + size + 1
    return contents


def _git(*arguments: str, option: str, failure: str | None = None, stdin: bytes | None = None) -> bytes:
    binary = shutil.which("git")
    if binary is None:
        raise CommitError(f"{option} needs git, which is not installed here.")
    try:
        result = subprocess.run(
            [binary, *arguments], input=stdin, capture_output=True, timeout=_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise CommitError(f"{option}: git took longer than {_TIMEOUT_SECONDS} s to answer.") from None
    if result.returncode != 0:
        if failure is not None:
            raise CommitError(failure)
        said = result.stderr.decode(errors="replace").strip().splitlines()
        reason = said[-1].removeprefix("fatal: ") if said else f"git {arguments[0]} failed"
        raise CommitError(ended(f"{option}: {reason}"))
    return result.stdout
