"""`igops init`: a new GitOps repository that validates, written only where nothing is yet."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cli_support import igops, work_in
from click.testing import CliRunner, Result
from workflow_support import REPO

from igops.cli.init_command import init_command
from igops.config import load_project_config
from igops.schemas import CONFIG_SCHEMA, EXPERIENCE_SCHEMA, load_schema
from igops.templates import (
    DEFAULT_ACTION,
    EXAMPLE_EXPERIENCE,
    LOCAL_ACTION,
    WORKFLOW_DIR,
    WORKFLOWS,
    config_file,
    render_workflow,
    scaffold,
)

SCAFFOLD_PATHS = sorted(scaffold(DEFAULT_ACTION))


def init(*args: str) -> Result:
    return CliRunner().invoke(init_command, list(args), catch_exceptions=False)


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_init_writes_a_repository_that_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = init(str(tmp_path / "store"))
    assert result.exit_code == 0, result.output
    assert files_under(tmp_path / "store") == SCAFFOLD_PATHS
    assert str(tmp_path / "store" / EXAMPLE_EXPERIENCE) in result.output
    assert "INTELLIGEMS_API_TOKEN" in result.output
    work_in(tmp_path / "store", monkeypatch)
    validated = igops("validate")
    assert validated.exit_code == 0, validated.output
    assert "1 experience file checked: all valid." in validated.output


def test_init_writes_into_the_current_directory_by_default(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    work_in(tmp_path, monkeypatch)
    result = init()
    assert result.exit_code == 0, result.output
    assert files_under(tmp_path) == SCAFFOLD_PATHS
    assert "  igops.yaml\n" in result.output


def test_igops_yaml_shows_every_setting_at_its_default_under_its_description(tmp_path: Path) -> None:
    settings = load_schema(CONFIG_SCHEMA)["properties"]
    text = config_file()
    assert yaml.safe_load(text) == {name: setting["default"] for name, setting in settings.items()}
    for setting in settings.values():
        assert setting["description"].split()[0] in text
    (tmp_path / "igops.yaml").write_text(text, encoding="utf-8")
    config = load_project_config(tmp_path)
    assert config.source is not None
    assert config.max_changes == settings["max_changes"]["default"]


def test_the_files_schema_lines_point_at_the_copied_schemas(tmp_path: Path) -> None:
    init(str(tmp_path))
    for file, schema in ((EXAMPLE_EXPERIENCE, EXPERIENCE_SCHEMA), ("igops.yaml", CONFIG_SCHEMA)):
        first_line = (tmp_path / file).read_text(encoding="utf-8").splitlines()[0]
        prefix = "# yaml-language-server: $schema="
        assert first_line.startswith(prefix)
        target = (tmp_path / file).parent / first_line.removeprefix(prefix)
        assert target.resolve() == (tmp_path / "schemas" / schema).resolve()
        assert target.read_text(encoding="utf-8") == (REPO / "schemas" / schema).read_text(encoding="utf-8")


@pytest.mark.parametrize("existing", SCAFFOLD_PATHS)
def test_init_refuses_to_overwrite_any_file_and_writes_nothing(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(init_command, [str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert f"Error: {tmp_path / existing} already exists" in result.output
    assert files_under(tmp_path) == [existing]
    assert (tmp_path / existing).read_text(encoding="utf-8") == "mine\n"


def test_a_file_in_the_way_of_a_directory_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "experiences").write_text("not a directory\n", encoding="utf-8")
    result = CliRunner().invoke(init_command, [str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Cannot write {tmp_path / EXAMPLE_EXPERIENCE}:")
    assert result.output.count("\n") == 1


def test_the_workflows_use_the_action_named_by_the_option(tmp_path: Path) -> None:
    assert init(str(tmp_path), "--action", "my-org/igops@v2.1.0").exit_code == 0
    for name in WORKFLOWS:
        text = (tmp_path / WORKFLOW_DIR / name).read_text(encoding="utf-8")
        assert "uses: my-org/igops@v2.1.0\n" in text
        assert "IGOPS_ACTION" not in text
        assert "uses: ./" not in text


@pytest.mark.parametrize("action", ["igops", "my-org/igops", "@v1", "my org/igops@v1", "./", "-x/igops@v1"])
def test_an_action_that_is_not_owner_repo_at_ref_is_refused(tmp_path: Path, action: str) -> None:
    result = CliRunner().invoke(init_command, [str(tmp_path), "--action", action])
    assert result.exit_code == 1
    assert "is not OWNER/REPO@REF" in result.output
    assert files_under(tmp_path) == []


def test_help_has_an_example() -> None:
    result = init("--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert DEFAULT_ACTION in result.output


@pytest.mark.parametrize("name", WORKFLOWS)
def test_this_repositorys_workflows_are_the_templates(name: str) -> None:
    copy = (REPO / WORKFLOW_DIR / name).read_text(encoding="utf-8")
    assert copy == render_workflow(name, LOCAL_ACTION), (
        f"{WORKFLOW_DIR}/{name} differs from igops/templates/workflows/{name}: edit the template, then run "
        f"python -c 'import igops.templates as t, pathlib as p; "
        f"p.Path(\"{WORKFLOW_DIR}/{name}\").write_text(t.render_workflow(\"{name}\", t.LOCAL_ACTION))'")
