"""A team's own rule, installed the way a team installs it (issue 20): a distribution whose entry point in the
group igops.rules names a class, found by the igops command in a process of its own (importlib.metadata
reads the *.dist-info directories on sys.path, here a directory on PYTHONPATH), then shown in every output
the way a built-in rule is, enforced at the level igops.yaml sets, and given plain data only; and each way a
plug-in can fail, in one sentence and exit 1."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cli import REPO, account_experiences

# The example README.md shows (how to add a rule): the module, the lines of pyproject.toml that install it
# beside igops, and the igops.yaml lines that set its level. The tests install exactly these.
README_EXAMPLE = '''\
from igops.engine.rules import Finding


class NoWipNames:
    """An experience whose name marks it unfinished (WIP, TODO) is not ready to go live."""

    name = "no-wip-names"
    needs_account = False  # it reads the files alone, so igops validate runs it too
    defaults = {"words": ["WIP", "TODO"]}

    def check(self, inputs, policy):
        for file in inputs.judged_files:
            for word in policy["words"]:
                if word.lower() in file.name.lower():
                    yield Finding(file.key, f"its name says {word}", {"word": word})
'''
README_PYPROJECT = """\
[project]
name = "our-igops-rules"
version = "1.0"

[project.entry-points."igops.rules"]
no-wip-names = "our_rules:NoWipNames"
"""
README_POLICIES = """\
policies:
  no-wip-names: {level: force, words: [WIP, TODO, DO NOT MERGE]}
"""
README_ORIGIN = "entry point no-wip-names = our_rules:NoWipNames of our-igops-rules"

# A rule that reports what it was given: every object reachable from its inputs (dataclass fields, the
# attributes beside them, mappings and sequences), the types it met that are not plain data, where the token
# of the environment appears, and what it was told; one JSON line per call into the file its `report`
# option names. `offline-probe` is the same rule for the files alone, which igops validate runs too.
PROBE = """\
import dataclasses
import enum
import json
import os
import pathlib
from collections.abc import Mapping

from igops.engine.rules import Finding, PlanInputs, Policy

HANDLES = ("client", "_client", "session", "_session", "settings", "token", "api_url", "environ")


class Probe:
    name = "probe"
    uses_clock = True
    defaults = {"report": "probe.jsonl", "label": "a probe"}

    def check(self, inputs, policy):
        token = os.environ["INTELLIGEMS_API_TOKEN"]
        kinds, opaque, token_at, seen = set(), [], [], set()

        def walk(value, path):
            if id(value) in seen:
                return
            seen.add(id(value))
            kinds.add(f"{type(value).__module__}.{type(value).__qualname__}")
            if isinstance(value, enum.Enum):
                walk(value.value, path + ".value")
            elif isinstance(value, (str, bytes, pathlib.PurePath)):
                text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                if token in text:
                    token_at.append(path)
            elif value is None or isinstance(value, (bool, int, float)):
                pass
            elif dataclasses.is_dataclass(value) and not isinstance(value, type):
                for field in dataclasses.fields(value):
                    walk(getattr(value, field.name), f"{path}.{field.name}")
                for name, attribute in getattr(value, "__dict__", {}).items():
                    walk(attribute, f"{path}.{name}")
            elif isinstance(value, Mapping):
                for key, item in value.items():
                    walk(key, f"{path}[{key!r}]")
                    walk(item, f"{path}[{key!r}]")
            elif isinstance(value, (list, tuple, set, frozenset)):
                for index, item in enumerate(value):
                    walk(item, f"{path}[{index}]")
            else:
                opaque.append(f"{path}: {type(value).__module__}.{type(value).__qualname__}")

        walk(inputs, "inputs")
        record = {
            "rule": self.name,
            "plan_inputs": type(inputs) is PlanInputs,
            "policy": type(policy) is Policy,
            "level": str(policy.level),
            "options": dict(policy.options),
            "offline": inputs.offline,
            "now": inputs.now,
            "files": len(inputs.files),
            "live": len(inputs.live),
            "results": sum(plan.results is not None for plan in inputs.experiences),
            "kinds": sorted(kinds),
            "opaque": opaque,
            "token_at": token_at,
            "token_in_repr": token in repr(inputs),
            "handles": [name for name in HANDLES if hasattr(inputs, name)],
        }
        with open(policy["report"], "a", encoding="utf-8") as report:
            report.write(json.dumps(record) + "\\n")
        files = len(inputs.files)
        yield Finding(None, f"{policy['label']}: {files} files", {"files": files})


class OfflineProbe(Probe):
    name = "offline-probe"
    needs_account = False
"""
PROBE_ORIGIN = "entry point probe = igops_probe:Probe of igops-probe"

# The token of every command here: a plug-in must never be able to find it in what it is given.
SECRET = "plug-in-must-never-see-4b1e9c"
HOMEPAGE = "experiences/homepage-hero-headline.yaml"
# What apply says when README's rule, at level force, finds the homepage's name unfinished.
REFUSED = "Error: policy no-wip-names: homepage-hero-headline: its name says WIP"


def install(site: Path, distribution: str, modules: dict[str, str], entry_points: dict[str, str]) -> Path:
    """What pip leaves in site-packages for a distribution: its modules and a dist-info directory with
    METADATA and entry_points.txt (the igops.rules entry points `entry_points` names)."""
    site.mkdir(exist_ok=True)
    for module, text in modules.items():
        (site / f"{module}.py").write_text(text, encoding="utf-8")
    info = site / f"{distribution.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n")
    points = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[igops.rules]\n{points}")
    return site


def install_readme_example(site: Path) -> Path:
    """README's example, installed as README's pyproject.toml says (a build writes its entry points so)."""
    project = tomllib.loads(README_PYPROJECT)["project"]
    return install(
        site, project["name"], {"our_rules": README_EXAMPLE}, project["entry-points"]["igops.rules"]
    )


def install_probe(site: Path) -> Path:
    points = {"probe": "igops_probe:Probe", "offline-probe": "igops_probe:OfflineProbe"}
    return install(site, "igops-probe", {"igops_probe": PROBE}, points)


def make_project(root: Path, policies: dict[str, Any] | None = None, *, spring_name: str = "") -> Path:
    """A small repository: igops.yaml (a sandbox state beside it, `policies`) and two experience files,
    homepage-hero-headline named "... WIP" (started, ten days of traffic in the emulator) and
    spring-theme-refresh (a draft, renamed `spring_name` when given)."""
    root.mkdir()
    (root / "experiences").mkdir()
    homepage = (REPO / "experiences" / "homepage-hero-headline.yaml").read_text(encoding="utf-8")
    homepage = homepage.replace("name: Homepage hero headline\n", "name: Homepage hero headline WIP\n", 1)
    homepage = re.sub(r"(?m)^(description: .*)$", r"\1 [sandbox started 10 days ago]", homepage, count=1)
    (root / HOMEPAGE).write_text(homepage, encoding="utf-8")
    spring = (REPO / "experiences" / "spring-theme-refresh.yaml").read_text(encoding="utf-8")
    if spring_name:
        spring = spring.replace("name: Spring theme refresh\n", f"name: {spring_name}\n", 1)
    (root / "experiences" / "spring-theme-refresh.yaml").write_text(spring, encoding="utf-8")
    write_config(root, policies)
    return root


def write_config(root: Path, policies: dict[str, Any] | None) -> None:
    config = {"api_url": "sandbox:account.json", **({"policies": policies} if policies else {})}
    (root / "igops.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def run(project: Path, site: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m igops ARGS` in `project`, the distributions in `site` installed (none: igops alone)."""
    env = dict(os.environ)  # with the test's own IGOPS_STATE_DIR (conftest)
    for name in ("CI", "IGOPS_API_URL", "IGOPS_SANDBOX_SCENARIO"):
        env.pop(name, None)
    path = [str(REPO), *([str(site)] if site is not None else [])]
    env |= {"PYTHONPATH": os.pathsep.join(path), "INTELLIGEMS_API_TOKEN": SECRET, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "igops", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines()]


def words(output: str) -> str:
    """The output with its wrapping undone."""
    return " ".join(output.split())


def probe_records(project: Path) -> list[dict[str, Any]]:
    report = project / "probe.jsonl"
    return [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []


def test_a_plug_in_rule_shows_in_plan_validate_and_policies_like_a_built_in(tmp_path: Path) -> None:
    site = install_probe(install_readme_example(tmp_path / "site"))
    policies = {
        "no-wip-names": {"words": ["WIP", "Draft"]},
        "probe": {"label": "first plan"},
        "offline-probe": {"level": "off"},
    }
    project = make_project(tmp_path / "project", policies, spring_name="Spring theme refresh (draft)")

    text = run(project, site, "plan")
    assert text.returncode == 0, text.stderr
    shown = lines(text.stdout)
    # The words are igops.yaml's (Draft is not among the plug-in's defaults), the level the default: warn.
    assert "! no-wip-names (warning): its name says WIP" in shown
    assert "! no-wip-names (warning): its name says Draft" in shown
    assert "! probe (warning): first plan: 2 files" in shown
    # Each finding under its own experience, as a built-in's is.
    spring_at = shown.index("+ create  spring-theme-refresh (Spring theme refresh (draft))")
    assert shown.index("! no-wip-names (warning): its name says WIP") < spring_at
    assert shown.index("! no-wip-names (warning): its name says Draft") > spring_at

    markdown = run(project, site, "plan", "--format", "markdown")
    assert markdown.returncode == 0, markdown.stderr
    assert "> **⚠️ no-wip-names (warning):** its name says WIP" in markdown.stdout
    assert "> **⚠️ no-wip-names (warning):** its name says Draft" in markdown.stdout
    assert "**⚠️ probe (warning):** first plan: 2 files" in markdown.stdout

    document = json.loads(run(project, site, "plan", "--format", "json").stdout)
    assert document["format_version"] == 6
    risks = {(risk["rule"], risk["key"]): risk for risk in document["risks"]}
    assert risks["no-wip-names", "homepage-hero-headline"] == {
        "kind": "no-wip-names",
        "rule": "no-wip-names",
        "key": "homepage-hero-headline",
        "level": "warn",
        "needs_force": False,
        "message": "its name says WIP",
        "figures": {"word": "WIP"},
    }
    assert risks["no-wip-names", "spring-theme-refresh"]["figures"] == {"word": "Draft"}
    probe = risks["probe", None]
    assert (probe["kind"], probe["level"], probe["figures"]) == ("probe", "warn", {"files": 2})
    assert len(probe_records(project)) == 3, "the probe checks each plan once"

    validated = run(project, site, "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert lines(validated.stdout) == [
        f"{HOMEPAGE}: no-wip-names (warning): its name says WIP",
        "experiences/spring-theme-refresh.yaml: no-wip-names (warning): its name says Draft",
        "2 experience files checked: all valid. 2 policy warnings.",
    ]
    assert len(probe_records(project)) == 3, "validate runs no rule that needs the account"
    findings = json.loads(run(project, site, "validate", "--format", "json").stdout)["findings"]
    assert findings[0] == {
        "file": HOMEPAGE,
        "key": "homepage-hero-headline",
        "rule": "no-wip-names",
        "level": "warn",
        "needs_force": False,
        "message": "its name says WIP",
        "figures": {"word": "WIP"},
    }
    assert [finding["rule"] for finding in findings] == ["no-wip-names", "no-wip-names"]

    listed = run(project, site, "policies")
    assert listed.returncode == 0, listed.stderr
    said = words(listed.stdout)
    assert (
        "no-wip-names: warn (words [WIP, Draft]) An experience whose name marks it unfinished (WIP, TODO) is "
        f"not ready to go live. checked by plan, apply, validate; {README_ORIGIN}"
    ) in said
    assert (
        "probe: warn (report probe.jsonl, label first plan) probe checked by plan, apply, apply PLANFILE "
        f"(again, at its own time); {PROBE_ORIGIN}"
    ) in said
    rules = {
        rule["name"]: rule
        for rule in json.loads(run(project, site, "policies", "--format", "json").stdout)["rules"]
    }
    assert list(rules)[-3:] == ["no-wip-names", "offline-probe", "probe"], "after the built-ins"
    assert rules["no-wip-names"] == {
        "name": "no-wip-names",
        "level": "warn",
        "options": {"words": ["WIP", "Draft"]},
        "description": "An experience whose name marks it unfinished (WIP, TODO) is not ready to go live.",
        "checked_by": ["plan", "apply", "validate"],
        "needs_account": False,
        "uses_clock": False,
        "origin": README_ORIGIN,
    }
    # The plug-in's defaults with igops.yaml's options over them.
    assert rules["probe"]["options"] == {"report": "probe.jsonl", "label": "first plan"}
    assert (rules["probe"]["needs_account"], rules["probe"]["uses_clock"]) == (True, True)
    assert rules["offline-probe"]["level"] == "off"
    assert rules["offline-probe"]["options"] == {"report": "probe.jsonl", "label": "a probe"}


@pytest.mark.parametrize("level", ["force", "warn", "off"])
def test_the_level_igops_yaml_sets_decides_what_a_plug_in_finding_does(tmp_path: Path, level: str) -> None:
    site = install_readme_example(tmp_path / "site")
    # warn is the default: igops.yaml need not name the rule at all.
    project = make_project(
        tmp_path / "project", {"no-wip-names": {"level": level}} if level != "warn" else None
    )

    applied = run(project, site, "apply", "--auto-approve")
    validated = run(project, site, "validate")
    if level == "force":
        assert applied.returncode == 1
        assert "Traceback" not in applied.stderr
        assert REFUSED in lines(applied.stderr)
        assert account_experiences(project) == [], "a refused apply writes nothing"
        assert validated.returncode == 1
        assert f"{HOMEPAGE}: no-wip-names (needs --force): its name says WIP" in lines(validated.stdout)
        assert run(project, site, "validate", "--force").returncode == 0
        forced = run(project, site, "apply", "--auto-approve", "--force")
        assert forced.returncode == 0, forced.stderr
        assert "! no-wip-names (needs --force): its name says WIP" in lines(forced.stdout)
    elif level == "warn":
        assert applied.returncode == 0, applied.stderr
        assert "! no-wip-names (warning): its name says WIP" in lines(applied.stdout)
        assert validated.returncode == 0
        assert f"{HOMEPAGE}: no-wip-names (warning): its name says WIP" in lines(validated.stdout)
    else:
        assert applied.returncode == 0, applied.stderr
        assert "no-wip-names" not in applied.stdout + applied.stderr
        assert validated.returncode == 0
        assert lines(validated.stdout) == ["2 experience files checked: all valid."]
        assert "no-wip-names: off" in run(project, site, "policies").stdout
    assert sorted(live["name"] for live in account_experiences(project)) == [
        "Homepage hero headline WIP",
        "Spring theme refresh",
    ]


def test_a_saved_plan_carries_a_plug_in_finding_and_its_apply_enforces_it(tmp_path: Path) -> None:
    site = install_probe(install_readme_example(tmp_path / "site"))
    policies = {"no-wip-names": {"level": "force"}, "offline-probe": {"level": "off"}}
    project = make_project(tmp_path / "project", policies)

    saved = run(project, site, "plan", "--out", "plan.json")
    assert saved.returncode == 0, saved.stderr
    recorded = json.loads((project / "plan.json").read_text())["plan"]["risks"]
    assert {(risk["kind"], risk["key"], risk["needs_force"]) for risk in recorded} == {
        ("no-wip-names", "homepage-hero-headline", True),
        ("probe", None, False),
    }
    assert len(probe_records(project)) == 1

    refused = run(project, site, "apply", "plan.json")
    assert refused.returncode == 1
    assert lines(refused.stderr)[-1] == REFUSED
    assert account_experiences(project) == []
    # The probe depends on the clock: apply checked it again, at its own time.
    first, again = probe_records(project)
    assert again["now"] > first["now"]

    # With the plug-in gone, the plan still loads (a risk's kind is any name) and its finding still binds.
    write_config(project, None)
    uninstalled = run(project, None, "apply", "plan.json")
    assert uninstalled.returncode == 1
    assert "Traceback" not in uninstalled.stderr
    assert lines(uninstalled.stderr)[-1] == REFUSED
    assert account_experiences(project) == []
    forced = run(project, None, "apply", "plan.json", "--force")
    assert forced.returncode == 0, forced.stderr
    assert len(account_experiences(project)) == 2
    assert len(probe_records(project)) == 2, "an uninstalled rule is not run"


def test_a_plug_in_is_given_plain_data_never_the_client_or_the_token(tmp_path: Path) -> None:
    site = install_probe(tmp_path / "site")
    project = make_project(tmp_path / "project")
    assert run(project, site, "apply", "--auto-approve").returncode == 0
    # A plan that ends the test: the rules see the live documents and the results read for the end too.
    homepage = project / HOMEPAGE
    homepage.write_text(homepage.read_text().replace("status: started\n", "status: ended\nwinner: Control\n"))
    planned = run(project, site, "plan")
    assert planned.returncode == 0, planned.stderr
    assert "results so far: started, 10.0 days live" in planned.stdout
    assert run(project, site, "validate").returncode == 0

    records = probe_records(project)
    ending = [record for record in records if record["results"]]
    offline = [record for record in records if record["offline"]]
    assert [(record["rule"], record["live"]) for record in ending] == [("offline-probe", 2), ("probe", 2)]
    assert [record["rule"] for record in offline] == ["offline-probe"], "validate: the file-only rule alone"
    for record in records:
        assert record["plan_inputs"] and record["policy"], record
        assert record["opaque"] == [], "only plain data, dataclasses, enums and paths"
        assert record["token_at"] == [] and not record["token_in_repr"], "never the token"
        assert record["handles"] == [], "nothing that reaches the account"
        assert all(kind.startswith(("builtins.", "igops.", "pathlib.")) for kind in record["kinds"]), record
        assert not [
            kind
            for kind in record["kinds"]
            if any(word in kind for word in ("Client", "Session", "Settings"))
        ]
    assert "igops.analytics.results.ExperienceResults" in ending[0]["kinds"]


@dataclass(frozen=True)
class Case:
    """A plug-in that cannot be used, and the sentence (or its start) that says so."""

    module: str
    sentence: str
    loads: bool = False  # True: it fails while checking, so `igops policies` still lists it


ORIGIN = "entry point team-rule = team_rule:TeamRule of team-rules"
# A rule class with these attributes and a check that finds nothing.
LOADING = """\
class TeamRule:
{attributes}

    def check(self, inputs, policy):
        return []
"""
# A rule that loads and that validate runs (it needs no account), whose check does this.
CHECKING = """\
import datetime

from igops.engine.rules import Finding


class TeamRule:
    name = "team-rule"
    needs_account = False

    def check(self, inputs, policy):
        {body}
"""
FAILURES = {
    "raises on import": Case(
        "import team_calendar  # not installed on this runner\n",
        f"The rule plug-in {ORIGIN} could not be loaded: ModuleNotFoundError: No module named "
        "'team_calendar'.",
    ),
    "no name": Case(
        LOADING.format(attributes='    description = "Tests start on Mondays."'),
        f"The rule plug-in {ORIGIN} has no usable name: give its class a name of lower-case words joined "
        "by hyphens, such as no-friday-starts.",
    ),
    "a name that is not a word": Case(
        LOADING.format(attributes='    name = "No Friday starts"'),
        f"The rule plug-in {ORIGIN} has no usable name",
    ),
    "no check": Case(
        'class TeamRule:\n    name = "team-rule"\n',
        f"The rule plug-in {ORIGIN} has no check(inputs, policy) method.",
    ),
    "a built-in's name": Case(
        LOADING.format(attributes='    name = "end-gate"'),
        f"The rule plug-in {ORIGIN} is named end-gate, like a built-in rule: rename it.",
    ),
    "a level among its defaults": Case(
        LOADING.format(attributes='    name = "team-rule"\n    defaults = {"level": "force"}'),
        f"The rule plug-in {ORIGIN}: defaults must be a mapping of its thresholds (its level is set in "
        "igops.yaml, warn by default).",
    ),
    "a check that raises": Case(
        CHECKING.format(body='raise LookupError("no calendar\\nfor this store.")'),
        f"The rule team-rule ({ORIGIN}) failed: LookupError: no calendar for this store.",
        loads=True,
    ),
    "a check whose message is a question": Case(
        CHECKING.format(body='raise LookupError("which calendar?")'),
        f"The rule team-rule ({ORIGIN}) failed: LookupError: which calendar?",
        loads=True,
    ),
    "a check that returns no Finding": Case(
        CHECKING.format(body='return ["its name says WIP"]'),
        f"The rule team-rule ({ORIGIN}) returned a str, not a Finding (from igops.engine.rules import "
        "Finding).",
        loads=True,
    ),
    "a finding about no experience": Case(
        CHECKING.format(body='return [Finding("homepage", "starts on a Friday")]'),
        f"The rule team-rule ({ORIGIN}) returned a Finding about 'homepage', which is no experience file's "
        "key (use None for the plan as a whole, and name what it is about in the message).",
        loads=True,
    ),
    "figures JSON cannot carry": Case(
        CHECKING.format(body='return [Finding(None, "a Friday", {"day": datetime.date.today()})]'),
        f"The rule team-rule ({ORIGIN}) returned a Finding whose figures are not JSON data",
        loads=True,
    ),
}


def assert_one_sentence(result: subprocess.CompletedProcess[str], sentence: str) -> None:
    """Exit 1, nothing on stdout (no half-made output), and one line on stderr: `sentence`, whole or its
    start."""
    assert result.returncode == 1, (result.args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == "", result.args
    [line] = lines(result.stderr)
    # A sentence ends once: a plug-in's own words may close it with a question mark.
    assert line.startswith(f"Error: {sentence}") and line.endswith((".", "?")), (result.args, line)


def install_failure(site: Path, case: Case) -> Path:
    return install(site, "team-rules", {"team_rule": case.module}, {"team-rule": "team_rule:TeamRule"})


@pytest.mark.parametrize("case", FAILURES.values(), ids=FAILURES.keys())
def test_a_plug_in_that_cannot_be_used_is_one_sentence_and_exit_1(tmp_path: Path, case: Case) -> None:
    site = install_failure(tmp_path / "site", case)
    # validate runs every plug-in that needs no account, as these do: it meets each failure.
    assert_one_sentence(run(make_project(tmp_path / "project"), site, "validate"), case.sentence)


@pytest.mark.parametrize("failure", ["raises on import", "a check that raises"])
def test_every_command_says_a_failing_plug_in_the_same_way(tmp_path: Path, failure: str) -> None:
    case = FAILURES[failure]
    site = install_failure(tmp_path / "site", case)
    project = make_project(tmp_path / "project")
    for command in (["plan"], ["plan", "--format", "json"], ["apply", "--auto-approve"]):
        assert_one_sentence(run(project, site, *command), case.sentence)
    assert account_experiences(project) == [], "apply wrote nothing"
    policies = run(project, site, "policies")
    if case.loads:  # it fails only while checking: it is listed
        assert policies.returncode == 0 and "team-rule: warn" in policies.stdout
    else:
        assert_one_sentence(policies, case.sentence)


def test_two_plug_ins_of_one_name_are_refused_naming_both(tmp_path: Path) -> None:
    site = install_readme_example(tmp_path / "site")
    install(site, "their-rules", {"their_rules": README_EXAMPLE}, {"wip": "their_rules:NoWipNames"})
    assert_one_sentence(
        run(make_project(tmp_path / "project"), site, "validate"),
        f"The rule plug-ins {README_ORIGIN} and entry point wip = their_rules:NoWipNames of their-rules are "
        "both named no-wip-names: rename one.",
    )


def test_a_policy_naming_no_installed_rule_says_so_and_what_was_meant(tmp_path: Path) -> None:
    site = install_readme_example(tmp_path / "site")
    project = make_project(tmp_path / "project", {"no-wip-name": {"level": "force"}})
    missing = "igops.yaml:3:3: policies: no rule is named"
    installed = (
        "igops policies lists the rules installed (a plug-in's needs its distribution installed beside"
    )
    for command in (["plan"], ["policies"]):
        assert_one_sentence(
            run(project, site, *command),
            f"{missing} 'no-wip-name' (did you mean 'no-wip-names'?); {installed}",
        )
    # The rule igops.yaml names, not installed: the sentence says what is missing.
    write_config(project, {"no-wip-names": {"level": "force"}})
    assert_one_sentence(run(project, None, "plan"), f"{missing} 'no-wip-names'; {installed} igops).")


def test_the_readme_example_works_as_the_readme_shows_it(tmp_path: Path) -> None:
    site = install_readme_example(tmp_path / "site")
    project = make_project(tmp_path / "project", yaml.safe_load(README_POLICIES)["policies"])
    homepage = project / HOMEPAGE
    homepage.write_text(homepage.read_text().replace("headline WIP", "headline (DO NOT MERGE)"))

    validated = run(project, site, "validate")
    assert validated.returncode == 1
    assert lines(validated.stdout) == [
        f"{HOMEPAGE}: no-wip-names (needs --force): its name says DO NOT MERGE",
        "2 experience files checked: all valid. 1 policy finding that apply refuses without --force.",
    ]
    planned = run(project, site, "plan", "--format", "json")
    assert [
        (risk["rule"], risk["needs_force"], risk["figures"]) for risk in json.loads(planned.stdout)["risks"]
    ] == [("no-wip-names", True, {"word": "DO NOT MERGE"})]
    listed = words(run(project, site, "policies").stdout)
    assert (
        "no-wip-names: force (words [WIP, TODO, DO NOT MERGE]) An experience whose name marks it unfinished"
        in listed
    )

    homepage.write_text(homepage.read_text().replace("headline (DO NOT MERGE)", "headline"))
    assert lines(run(project, site, "validate").stdout) == ["2 experience files checked: all valid."]


def test_the_readme_shows_the_example_these_tests_install() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for snippet in (README_EXAMPLE, README_PYPROJECT, README_POLICIES):
        assert snippet in readme, snippet
