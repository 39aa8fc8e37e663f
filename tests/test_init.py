"""`igops init`: a new GitOps repository that validates, written only where nothing is yet."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from support.cli import igops, work_in
from support.workflows import REPO

from igops import __version__
from igops.cli.init_command import init_command
from igops.config import load_project_config
from igops.schemas import CONFIG_SCHEMA, EXPERIENCE_SCHEMA, load_schema
from igops.templates import (
    EXAMPLE_EXPERIENCE,
    GITIGNORE,
    RECOMMENDED_LEVELS,
    STORE_ACTION,
    STORE_ACTION_DIR,
    THIS_REPOSITORY_ACTION,
    WORKFLOW_DIR,
    WORKFLOWS,
    config_file,
    render_action,
    render_workflow,
    scaffold,
)
from igops.templates.installed import Pin

RELEASE = f"igops=={__version__}"
SCAFFOLD_PATHS = sorted([*scaffold(Pin(version=__version__)), GITIGNORE])
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def init(*args: str) -> Result:
    """`igops init ARGS`, pinning this igops's release unless the arguments say which igops to use."""
    chosen = [] if {"--source", "--action", "--help"} & set(args) else ["--source", RELEASE]
    return CliRunner().invoke(init_command, [*args, *chosen], catch_exceptions=False)


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_init_writes_a_repository_that_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = init(str(tmp_path / "store"))
    assert result.exit_code == 0, result.output
    assert files_under(tmp_path / "store") == SCAFFOLD_PATHS
    workflows = sorted(path.name for path in (tmp_path / "store" / WORKFLOW_DIR).iterdir())
    assert workflows == [f"igops-{name}.yml" for name in ("apply", "drift", "monitor", "plan", "schedule")]
    assert str(tmp_path / "store" / EXAMPLE_EXPERIENCE) in result.output
    assert "INTELLIGEMS_API_TOKEN" in result.output
    work_in(tmp_path / "store", monkeypatch)
    validated = igops("validate")
    assert validated.exit_code == 0, validated.output
    assert "1 experience file checked: all valid." in validated.output


def test_init_writes_into_the_current_directory_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work_in(tmp_path, monkeypatch)
    result = init()
    assert result.exit_code == 0, result.output
    assert files_under(tmp_path) == SCAFFOLD_PATHS
    assert "  igops.yaml\n" in result.output


def test_igops_yaml_shows_every_setting_at_its_default_under_its_description(tmp_path: Path) -> None:
    settings = {
        name: setting
        for name, setting in load_schema(CONFIG_SCHEMA)["properties"].items()
        if not setting.get("deprecated")
    }
    text = config_file()
    written = yaml.safe_load(text)
    policies = written.pop("policies")
    assert written == {
        name: setting["default"]
        for name, setting in settings.items()
        if name != "policies" and "default" in setting
    }
    for setting in settings.values():
        assert setting["description"].split()[0] in text
    # Every rule with every threshold at its default; the levels igops recommends for a new repository.
    rules = settings["policies"]["properties"]
    assert list(policies) == list(rules)
    for name, rule in rules.items():
        assert {
            **rule["default"],
            "level": RECOMMENDED_LEVELS.get(name, rule["default"]["level"]),
        } == policies[name]
        assert rule["description"].split()[0] in text
    assert set(RECOMMENDED_LEVELS) <= set(rules)
    (tmp_path / "igops.yaml").write_text(text, encoding="utf-8")
    config = load_project_config(tmp_path)
    assert config.source is not None and config.notes == ()
    assert config.account.policies["end-gate"].level == "force"
    assert config.account.policies["max-changes"].options == {"max": rules["max-changes"]["default"]["max"]}


def test_the_files_schema_lines_point_at_the_copied_schemas(tmp_path: Path) -> None:
    init(str(tmp_path))
    for file, schema in ((EXAMPLE_EXPERIENCE, EXPERIENCE_SCHEMA), ("igops.yaml", CONFIG_SCHEMA)):
        first_line = (tmp_path / file).read_text(encoding="utf-8").splitlines()[0]
        prefix = "# yaml-language-server: $schema="
        assert first_line.startswith(prefix)
        target = (tmp_path / file).parent / first_line.removeprefix(prefix)
        assert target.resolve() == (tmp_path / "schemas" / schema).resolve()
        assert target.read_text(encoding="utf-8") == (REPO / "schemas" / schema).read_text(encoding="utf-8")


@pytest.mark.parametrize("existing", [path for path in SCAFFOLD_PATHS if path != GITIGNORE])
def test_init_refuses_to_overwrite_any_file_and_writes_nothing(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(init_command, [str(tmp_path), "--source", RELEASE])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert f"Error: {tmp_path / existing} already exists" in result.output
    assert files_under(tmp_path) == [existing]
    assert (tmp_path / existing).read_text(encoding="utf-8") == "mine\n"


def test_a_file_in_the_way_of_a_directory_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "experiences").write_text("not a directory\n", encoding="utf-8")
    result = init(str(tmp_path))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Cannot write {tmp_path / EXAMPLE_EXPERIENCE}:")
    assert result.output.count("\n") == 1


def test_the_workflows_use_the_published_action_named_by_the_option(tmp_path: Path) -> None:
    result = init(str(tmp_path), "--action", f"my-org/igops@{COMMIT}")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / STORE_ACTION_DIR).exists()
    for name in WORKFLOWS:
        text = (tmp_path / WORKFLOW_DIR / name).read_text(encoding="utf-8")
        assert f"uses: my-org/igops@{COMMIT}\n" in text
        assert "IGOPS_ACTION" not in text and "IGOPS_ACCOUNT_STEPS" not in text
        assert "uses: ./" not in text


@pytest.mark.parametrize(
    "action",
    [
        "igops",
        "my-org/igops",
        "@v1",
        "my org/igops@v1",
        "./",
        "-x/igops@v1",
        "my-org/igops@v1",
        f"my-org/igops@{COMMIT[:39]}",
        f"igops/igops@{COMMIT}x",
    ],
)
def test_an_action_that_is_not_owner_repo_at_a_full_commit_is_refused(tmp_path: Path, action: str) -> None:
    result = CliRunner().invoke(init_command, [str(tmp_path), "--action", action])
    assert result.exit_code == 1
    assert "is not OWNER/REPO@<full commit>" in result.output
    assert result.output.count("\n") == 1
    assert files_under(tmp_path) == []


def test_the_workflows_run_the_stores_own_action_which_installs_the_pinned_igops(tmp_path: Path) -> None:
    source = f"igops @ git+https://github.com/my-org/igops@{COMMIT}"
    result = init(str(tmp_path), "--source", source)
    assert result.exit_code == 0, result.output
    assert source in result.output
    for name in WORKFLOWS:
        text = (tmp_path / WORKFLOW_DIR / name).read_text(encoding="utf-8")
        assert f"uses: {STORE_ACTION}\n" in text and "IGOPS_" + "ACTION" not in text
    action = (tmp_path / STORE_ACTION_DIR / "action.yml").read_text(encoding="utf-8")
    assert action == render_action(Pin(url="https://github.com/my-org/igops", commit=COMMIT))
    assert f'IGOPS_REQUIREMENT: "{source}"' in action
    assert f"cache-dependency-path: {STORE_ACTION_DIR}/constraints.txt" in action
    pinned = (tmp_path / STORE_ACTION_DIR / "constraints.txt").read_text(encoding="utf-8")
    names = {line.split("==")[0] for line in pinned.splitlines() if not line.startswith("#")}
    assert {"pyyaml", "jsonschema", "httpx", "deepdiff", "click", "starlette", "uvicorn", "rich"} <= names
    assert "igops" not in names and "pytest" not in names, "only what pip install igops installs"
    pins = [line for line in pinned.splitlines() if not line.startswith("#")]
    assert all(re.fullmatch(r"[a-z0-9-]+==\S+", line) for line in pins)


@pytest.mark.parametrize(
    "source",
    [
        "igops",
        "igops>=1.0",
        "other==1.0",
        "igops @ git+https://x/y@main",
        f"igops @ git+https://x/y@{COMMIT[:12]}",
        "igops==1.0; rm -rf /",
        f"igops @ https://x/y/{COMMIT}.zip",
    ],
)
def test_a_source_that_does_not_pin_one_igops_is_refused(tmp_path: Path, source: str) -> None:
    result = CliRunner().invoke(init_command, [str(tmp_path), "--source", source])
    assert result.exit_code == 1
    assert "does not name exactly one igops" in result.output and result.output.count("\n") == 1
    assert files_under(tmp_path) == []


def test_without_a_source_an_igops_not_installed_from_a_commit_asks_for_one(tmp_path: Path) -> None:
    # This test environment's igops is an editable checkout (or an index install): no commit to pin.
    result = CliRunner().invoke(init_command, [str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: This igops was not installed from a git commit")
    assert "--source" in result.output and result.output.count("\n") == 1
    assert files_under(tmp_path) == []


def test_source_and_action_together_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        init_command, [str(tmp_path), "--source", RELEASE, "--action", f"my-org/igops@{COMMIT}"]
    )
    assert result.exit_code == 1 and "give one" in result.output
    assert files_under(tmp_path) == []


def test_init_adds_its_patterns_to_an_existing_gitignore_once(tmp_path: Path) -> None:
    (tmp_path / GITIGNORE).write_text("node_modules/\n.igops-cache/", encoding="utf-8")
    assert init(str(tmp_path)).exit_code == 0
    text = (tmp_path / GITIGNORE).read_text(encoding="utf-8")
    assert text.startswith("node_modules/\n.igops-cache/\n\n# igops:")
    assert text.count(".igops-cache/") == 1
    for pattern in ("plan.json", "*.db", "*.db-wal", "*.db-shm"):
        assert f"\n{pattern}\n" in text


def test_the_gitignore_keeps_what_igops_leaves_out_of_git_and_nothing_else(tmp_path: Path) -> None:
    assert init(str(tmp_path)).exit_code == 0
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    for path in (
        "plan.json",
        ".igops-cache/refresh.json",
        "sandbox.json",
        "sandbox.json-wal",
        "account.db",
        "account.db-shm",
    ):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x", encoding="utf-8")
    subprocess.run([git, "init", "-q", str(tmp_path)], check=True, timeout=30)
    listed = subprocess.run(
        [git, "-C", str(tmp_path), "ls-files", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.split()
    assert sorted(listed) == sorted(path for path in SCAFFOLD_PATHS)


def test_help_has_an_example() -> None:
    result = init("--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "--source" in result.output and "--action" in result.output


@pytest.mark.parametrize("name", WORKFLOWS)
def test_this_repositorys_workflows_are_the_templates(name: str) -> None:
    copy = (REPO / WORKFLOW_DIR / name).read_text(encoding="utf-8")
    assert copy == render_workflow(name, THIS_REPOSITORY_ACTION, emulator=True), (
        f"{WORKFLOW_DIR}/{name} differs from igops/templates/workflows/{name}: edit the template, then run "
        f'python -c \'import igops.templates as t, pathlib as p; p.Path("{WORKFLOW_DIR}/{name}")'
        f'.write_text(t.render_workflow("{name}", t.THIS_REPOSITORY_ACTION, emulator=True))\''
    )


def test_this_repositorys_action_is_the_template() -> None:
    assert (REPO / "action.yml").read_text(encoding="utf-8") == render_action(None), (
        "action.yml differs from igops/templates/action/: edit the template, then run python -c 'import "
        'igops.templates as t, pathlib as p; p.Path("action.yml").write_text(t.render_action(None))\''
    )


def test_this_repositorys_workflows_never_need_a_secret() -> None:
    for name in WORKFLOWS:
        text = (REPO / WORKFLOW_DIR / name).read_text(encoding="utf-8")
        assert "secrets." not in text, name
        assert "igops sandbox seed" in text and "igops sandbox serve" in text, name
