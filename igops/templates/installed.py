"""Whether the igops a workflow pins is the one installed: `python installed.py REQUIREMENT` exits 0 when it
is, 1 when igops is absent or another version or commit, 2 when the requirement is not one igops init writes.

`igops init` copies this file beside the store's action, which runs it before igops is installed: it uses the
standard library only. igops imports it too, so that init accepts exactly the requirements the action checks.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from importlib import metadata

DISTRIBUTION = "igops"
_FULL_COMMIT = re.compile(r"[0-9a-f]{40}")
# `igops==1.2.3` from an index the store trusts.
_RELEASE = re.compile(r"igops\s*==\s*([0-9A-Za-z.+!-]+)")
# `igops @ git+https://host/owner/repo@<full commit>` (PEP 440 direct reference to a VCS commit).
_VCS = re.compile(r"igops\s*@\s*git\+(\S+?)@([0-9a-f]{40})")


@dataclass(frozen=True)
class Pin:
    """One igops, exactly: a release (`version`) or a git commit of a repository (`url`, `commit`).
    An installed igops has a version, and a url and commit too when it was installed from git."""

    version: str | None = None
    url: str | None = None
    commit: str | None = None

    @property
    def requirement(self) -> str:
        if self.commit:
            return f"{DISTRIBUTION} @ git+{self.url}@{self.commit}"
        return f"{DISTRIBUTION}=={self.version}"


def parse(requirement: str) -> Pin | None:
    """The pin a requirement names, or None when it does not name exactly one igops."""
    text = requirement.strip()
    release = _RELEASE.fullmatch(text)
    if release:
        return Pin(version=release.group(1))
    vcs = _VCS.fullmatch(text)
    return Pin(url=vcs.group(1), commit=vcs.group(2)) if vcs else None


@dataclass(frozen=True)
class Origin:
    """The installed igops and where it came from, as PEP 610's direct_url.json records it: `url` (git's
    without `git+`) and a full `commit` for a git commit; `url` alone for anything else installed directly
    (a file: URL for a local checkout, `editable` when it was installed in place); neither for an install
    from an index, which records no direct_url.json."""

    version: str
    url: str | None = None
    commit: str | None = None
    editable: bool = False


def installed_origin() -> Origin | None:
    """The installed igops and where from; None when igops is not installed."""
    try:
        distribution = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None
    recorded = json.loads(distribution.read_text("direct_url.json") or "{}")
    url = recorded.get("url") if isinstance(recorded.get("url"), str) else None
    vcs = recorded.get("vcs_info") or {}
    commit = vcs.get("commit_id", "")
    if url is not None and vcs.get("vcs") == "git" and _FULL_COMMIT.fullmatch(commit):
        return Origin(distribution.version, url=url.removeprefix("git+"), commit=commit)
    editable = (recorded.get("dir_info") or {}).get("editable") is True
    return Origin(distribution.version, url=url, editable=editable)


def installed_pin() -> Pin | None:
    """The installed igops: its version, and the git commit it was installed from when it was; None when
    igops is not installed."""
    origin = installed_origin()
    if origin is None:
        return None
    if origin.commit is not None:
        return Pin(version=origin.version, url=origin.url, commit=origin.commit)
    return Pin(version=origin.version)


def satisfies(installed: Pin | None, wanted: Pin) -> bool:
    if installed is None:
        return False
    if wanted.commit is None:
        return installed.version == wanted.version
    return (installed.commit, _bare(installed.url)) == (wanted.commit, _bare(wanted.url))


def _bare(url: str | None) -> str:
    return (url or "").removesuffix("/").removesuffix(".git")


def main(arguments: list[str]) -> int:
    if len(arguments) != 1 or (wanted := parse(arguments[0])) is None:
        print("usage: installed.py 'igops==X.Y.Z' | 'igops @ git+URL@<full commit>'", file=sys.stderr)
        return 2
    installed = installed_pin()
    if satisfies(installed, wanted):
        print(f"igops is installed as pinned: {wanted.requirement}")
        return 0
    found = installed.requirement if installed else "no igops"
    print(f"igops is to be installed: {wanted.requirement} (found {found})")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
