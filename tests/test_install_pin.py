"""Which igops a store's workflows install: the pin init writes, and the check the action runs before it
installs (skipped when exactly that igops is there already); and `igops version`, which says where the
installed igops came from."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.cli import igops

from igops import __version__
from igops.templates import installed, source
from igops.templates.installed import Origin, Pin, parse, satisfies

COMMIT = "0123456789abcdef0123456789abcdef01234567"
OTHER = "fedcba9876543210fedcba9876543210fedcba98"
SCRIPT = Path(installed.__file__)
PACKAGE = SCRIPT.parents[1]


@pytest.mark.parametrize(
    ("requirement", "pin"),
    [
        ("igops==1.2.3", Pin(version="1.2.3")),
        ("  igops == 1.2.3rc1 ", Pin(version="1.2.3rc1")),
        (
            f"igops @ git+https://github.com/my-org/igops@{COMMIT}",
            Pin(url="https://github.com/my-org/igops", commit=COMMIT),
        ),
        (
            f"igops@git+ssh://git@github.com/my-org/igops.git@{COMMIT}",
            Pin(url="ssh://git@github.com/my-org/igops.git", commit=COMMIT),
        ),
    ],
)
def test_a_pinned_requirement_is_read_and_written_back(requirement: str, pin: Pin) -> None:
    assert parse(requirement) == pin
    assert parse(pin.requirement) == pin


@pytest.mark.parametrize(
    "requirement",
    [
        "igops",
        "igops>=1",
        "igops==1.*",
        "igops~=1.0",
        "other==1.0",
        "igops @ git+https://x/y@main",
        f"igops @ git+https://x/y@{COMMIT[:7]}",
        f"igops @ https://x/{COMMIT}.zip",
        "igops==1.0\nrm -rf /",
        "",
    ],
)
def test_anything_but_one_release_or_one_commit_is_not_a_pin(requirement: str) -> None:
    assert parse(requirement) is None


class FakeDistribution:
    def __init__(self, version: str, direct_url: dict[str, object] | None) -> None:
        self.version = version
        self._direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return None if self._direct_url is None else json.dumps(self._direct_url)


def installed_as(monkeypatch: pytest.MonkeyPatch, distribution: FakeDistribution | None) -> None:
    def find(name: str) -> FakeDistribution:
        assert name == "igops"
        if distribution is None:
            raise metadata.PackageNotFoundError(name)
        return distribution

    monkeypatch.setattr(installed.metadata, "distribution", find)


FROM_GIT = FakeDistribution(
    "1.0.0", {"url": "https://github.com/my-org/igops.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT}}
)
EDITABLE = FakeDistribution("1.0.0", {"url": "file:///src/igops", "dir_info": {"editable": True}})
FROM_INDEX = FakeDistribution("1.0.0", None)


@pytest.mark.parametrize(
    ("distribution", "wanted", "skips"),
    [
        (FROM_GIT, Pin(url="https://github.com/my-org/igops", commit=COMMIT), True),
        (FROM_GIT, Pin(url="https://github.com/my-org/igops", commit=OTHER), False),
        (FROM_GIT, Pin(url="https://github.com/someone-else/igops", commit=COMMIT), False),
        (FROM_GIT, Pin(version="1.0.0"), True),
        (EDITABLE, Pin(url="https://github.com/my-org/igops", commit=COMMIT), False),
        (EDITABLE, Pin(version="1.0.0"), True),
        (FROM_INDEX, Pin(version="1.0.0"), True),
        (FROM_INDEX, Pin(version="1.0.1"), False),
        (None, Pin(version="1.0.0"), False),
    ],
)
def test_the_install_is_skipped_only_for_exactly_the_pinned_igops(
    monkeypatch: pytest.MonkeyPatch, distribution: FakeDistribution | None, wanted: Pin, skips: bool
) -> None:
    installed_as(monkeypatch, distribution)
    assert satisfies(installed.installed_pin(), wanted) is skips
    assert installed.main([wanted.requirement]) == (0 if skips else 1)


def test_init_pins_the_commit_this_igops_was_installed_from(monkeypatch: pytest.MonkeyPatch) -> None:
    installed_as(monkeypatch, FROM_GIT)
    assert source.pinned_source(None) == Pin(url="https://github.com/my-org/igops.git", commit=COMMIT)


def test_init_does_not_pin_a_repository_only_this_machine_can_reach(monkeypatch: pytest.MonkeyPatch) -> None:
    installed_as(
        monkeypatch,
        FakeDistribution(
            "1.0.0", {"url": "file://localhost/src/igops", "vcs_info": {"vcs": "git", "commit_id": COMMIT}}
        ),
    )
    with pytest.raises(source.SourceError, match=r"\(file://localhost/src/igops\), which a GitHub runner"):
        source.pinned_source(None)


@pytest.mark.parametrize("distribution", [EDITABLE, FROM_INDEX, None])
def test_init_asks_for_a_source_when_this_igops_came_from_no_commit(
    monkeypatch: pytest.MonkeyPatch, distribution: FakeDistribution | None
) -> None:
    installed_as(monkeypatch, distribution)
    with pytest.raises(source.SourceError, match="give --source"):
        source.pinned_source(None)


def run_script(*arguments: str) -> subprocess.CompletedProcess[str]:
    """The check as the action runs it: the file on its own, with the runner's Python."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_script_the_action_runs_finds_this_igops_and_no_other() -> None:
    found = run_script(f"igops=={__version__}")
    assert found.returncode == 0 and found.stdout == f"igops is installed as pinned: igops=={__version__}\n"
    other = run_script("igops==0.0.0.dev0")
    assert other.returncode == 1
    assert other.stdout == f"igops is to be installed: igops==0.0.0.dev0 (found igops=={__version__})\n"
    assert run_script("igops>=1").returncode == 2
    assert run_script().returncode == 2


def test_the_script_needs_nothing_but_the_standard_library() -> None:
    imported = [
        line.split()[1]
        for line in SCRIPT.read_text(encoding="utf-8").splitlines()
        if line.startswith(("import ", "from "))
    ]
    assert set(imported) <= {"__future__", "json", "re", "sys", "dataclasses", "importlib"}


@pytest.mark.parametrize(
    ("distribution", "origin"),
    [
        (FROM_GIT, Origin("1.0.0", url="https://github.com/my-org/igops.git", commit=COMMIT)),
        (EDITABLE, Origin("1.0.0", url="file:///src/igops", editable=True)),
        (FROM_INDEX, Origin("1.0.0")),
        (None, None),
    ],
)
def test_direct_url_json_says_where_igops_came_from(
    monkeypatch: pytest.MonkeyPatch, distribution: FakeDistribution | None, origin: Origin | None
) -> None:
    installed_as(monkeypatch, distribution)
    assert installed.installed_origin() == origin


@pytest.mark.parametrize(
    ("distribution", "said"),
    [
        (FROM_GIT, f"Installed from: git https://github.com/my-org/igops.git, commit {COMMIT}."),
        (FROM_INDEX, "Installed from: a package index (release 1.0.0)."),
        (
            FakeDistribution("1.0.0", {"url": "file:///src/igops", "dir_info": {}}),
            "Installed from: /src/igops, copied when installed (reinstall to pick up changes made there).",
        ),
        (
            FakeDistribution("1.0.0", {"url": "https://x.test/igops-1.0.0.tar.gz", "archive_info": {}}),
            "Installed from: https://x.test/igops-1.0.0.tar.gz.",
        ),
        (
            None,
            f"Installed from: not installed in this Python (igops runs from {PACKAGE}).",
        ),
    ],
)
def test_version_says_where_igops_was_installed_from(
    monkeypatch: pytest.MonkeyPatch, distribution: FakeDistribution | None, said: str
) -> None:
    installed_as(monkeypatch, distribution)
    result = igops("version")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2] == said


def test_version_names_igops_python_and_this_editable_install() -> None:
    recorded = json.loads(metadata.distribution("igops").read_text("direct_url.json") or "{}")
    if not (recorded.get("dir_info") or {}).get("editable"):
        pytest.skip("the tests run with igops installed in place (pip install -e) only")
    result = igops("version")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"igops {__version__}",
        f"Python {platform.python_version()} ({sys.executable})",
        f"Installed from: the editable checkout {urlsplit(recorded['url']).path} (its changes take effect "
        "without reinstalling).",
    ]
