"""Which igops a store's workflows install, and the dependency versions they install it with.

A workflow that installs "whatever igops resolves to" runs different code on every run; the store's action
installs one igops, named by a requirement pinned to a release or a git commit, with every dependency pinned
by a constraints file written from the environment `igops init` runs in (the one the user has tried).
"""

from __future__ import annotations

import re
from importlib import metadata

from igops.errors import IgopsError
from igops.templates.installed import DISTRIBUTION, Pin, installed_pin, parse

EXAMPLE_SOURCE = "igops @ git+https://github.com/OWNER/REPO@<full commit>"
# A requirement's name, and a marker that makes it part of an extra (not installed by `pip install igops`).
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_EXTRA_MARKER = re.compile(r";.*\bextra\s*==")


class SourceError(IgopsError):
    """No igops can be pinned; the message says why and what to give instead, in one sentence."""


def pinned_source(requirement: str | None) -> Pin:
    """The igops `--source REQUIREMENT` names, or (without it) the git commit this igops was installed
    from, as PEP 610's direct_url.json records it."""
    if requirement is not None:
        pin = parse(requirement)
        if pin is None:
            raise SourceError(
                f"--source {requirement!r} does not name exactly one igops: give "
                f"'igops==X.Y.Z' or '{EXAMPLE_SOURCE}'."
            )
        return pin
    installed = installed_pin()
    if installed is not None and installed.commit is not None:
        if (installed.url or "").startswith("file:"):
            raise SourceError(
                f"This igops was installed from a git repository on this machine "
                f"({installed.url}), which a GitHub runner cannot reach: give --source "
                f"'{EXAMPLE_SOURCE}' (or 'igops==X.Y.Z')."
            )
        return Pin(url=installed.url, commit=installed.commit)
    raise SourceError(
        "This igops was not installed from a git commit (an editable or local checkout, or "
        "an index install, records none), so init cannot tell the workflows which igops to "
        f"install: give --source '{EXAMPLE_SOURCE}' (or 'igops==X.Y.Z')."
    )


def constraints() -> str:
    """A pip constraints file pinning every package `pip install igops` installs here, at the version
    installed here, sorted by name."""
    pinned: dict[str, str] = {}
    waiting = list(_dependencies(DISTRIBUTION))
    while waiting:
        name = waiting.pop()
        key = _normalized(name)
        if key in pinned:
            continue
        try:
            pinned[key] = metadata.version(name)
        except metadata.PackageNotFoundError:
            # A dependency for another platform or Python (its marker is false here): not installed here.
            continue
        waiting.extend(_dependencies(name))
    lines = [f"{name}=={version}" for name, version in sorted(pinned.items())]
    header = [
        "# The versions igops init found installed with igops. The action installs igops with these",
        "# (pip --constraint), so that every run uses the same code; to upgrade, run igops init in a",
        "# new directory with the new igops and copy this file from there.",
    ]
    return "\n".join([*header, *lines]) + "\n"


def _dependencies(name: str) -> list[str]:
    requirements = metadata.requires(name) or []
    found = (
        _NAME.match(requirement) for requirement in requirements if not _EXTRA_MARKER.search(requirement)
    )
    return [match.group(0) for match in found if match]


def _normalized(name: str) -> str:
    """The PEP 503 form of a project name, so that PyYAML and pyyaml are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()
