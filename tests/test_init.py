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
        assert "secrets." not in text and "secrets[" not in text, name
        assert "igops sandbox seed" in text and "igops sandbox serve" in text, name


# --- several stores: igops init --store NAME ------------------------------------------------------------


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` with its text, and each directory (as "DIR/": "")."""
    found = {
        str(path.relative_to(root)): path.read_text(encoding="utf-8")
        for path in root.rglob("*")
        if path.is_file()
    }
    return found | {f"{path.relative_to(root)}/": "" for path in root.rglob("*") if path.is_dir()}


def test_init_with_stores_writes_each_stores_directory_with_the_example(tmp_path: Path) -> None:
    result = init(str(tmp_path), "--store", "us", "--store", "eu-wholesale")
    assert result.exit_code == 0, result.output
    examples = [
        f"experiences/{store}/example-free-shipping-headline.yaml" for store in ("us", "eu-wholesale")
    ]
    assert files_under(tmp_path) == sorted([*(set(SCAFFOLD_PATHS) - {EXAMPLE_EXPERIENCE}), *examples])
    config = load_project_config(tmp_path)
    assert config.has_stores and config.notes == ()
    assert [(store.name, store.token_env, store.experiences_dir) for store in config.accounts] == [
        ("us", "INTELLIGEMS_API_TOKEN_US", tmp_path / "experiences" / "us"),
        ("eu-wholesale", "INTELLIGEMS_API_TOKEN_EU_WHOLESALE", tmp_path / "experiences" / "eu-wholesale"),
    ]
    written = yaml.safe_load((tmp_path / "igops.yaml").read_text(encoding="utf-8"))
    assert written["stores"] == {"us": {}, "eu-wholesale": {}} and "token_env" not in written
    assert config.accounts[1].policies["end-gate"].level == "force", (
        "the recommended levels, as without stores"
    )
    for example in examples:
        first_line = (tmp_path / example).read_text(encoding="utf-8").splitlines()[0]
        schema = (tmp_path / example).parent / first_line.removeprefix("# yaml-language-server: $schema=")
        assert schema.resolve() == (tmp_path / "schemas" / EXPERIENCE_SCHEMA).resolve()
    assert "INTELLIGEMS_API_TOKEN_US, INTELLIGEMS_API_TOKEN_EU_WHOLESALE" in result.output
    assert "INTELLIGEMS_API_TOKEN " not in result.output


def one_store(root: Path) -> Path:
    """A repository igops init wrote without stores, its example file deleted (a store of no files yet)."""
    assert init(str(root)).exit_code == 0
    (root / EXAMPLE_EXPERIENCE).unlink()
    return root


def add(root: Path, *stores: str) -> Result:
    arguments = [str(root)] + [option for store in stores for option in ("--store", store)]
    return CliRunner().invoke(init_command, arguments, catch_exceptions=False)


def test_a_store_added_to_a_repository_without_stores_changes_igops_yaml_in_two_places_only(
    tmp_path: Path,
) -> None:
    root = one_store(tmp_path)
    before = tree(root)
    result = add(root, "us")
    assert result.exit_code == 0, result.output
    after = tree(root)
    assert set(after) - set(before) == {"experiences/us/"}, "its directory, and nothing else new"
    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["igops.yaml"]
    old, new = before["igops.yaml"].splitlines(), after["igops.yaml"].splitlines()
    differences = [(line, new[index]) for index, line in enumerate(old) if line != new[index]]
    assert differences == [
        (
            "token_env: INTELLIGEMS_API_TOKEN",
            "# token_env: INTELLIGEMS_API_TOKEN  # with stores, each store has its own: "
            "stores.NAME.token_env",
        ),
        ("# stores: (none; igops init --store NAME adds a store)", "stores:"),
    ]
    assert new[len(old) :] == ["  us: {}"]
    config = load_project_config(root)
    assert [(store.name, store.token_env) for store in config.accounts] == [
        ("us", "INTELLIGEMS_API_TOKEN_US")
    ]
    assert f"Added the store us to {root / 'igops.yaml'}" in result.output
    assert "Turned 'token_env: INTELLIGEMS_API_TOKEN' into a comment" in result.output
    assert "Next: add the repository secret INTELLIGEMS_API_TOKEN_US " in result.output


COMMENTED_STORES = """\
# Our stores.
stores:
  # The US store, on its own API key.
  us:
    token_env: US_KEY   # rotated yearly
  eu: {shared: [promo]}

# The end.
"""


def test_a_store_added_to_stores_goes_at_their_end_and_the_rest_of_the_file_stays_as_it_was(
    tmp_path: Path,
) -> None:
    (tmp_path / "igops.yaml").write_text(COMMENTED_STORES, encoding="utf-8")
    result = add(tmp_path, "ca", "mx")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "igops.yaml").read_text(encoding="utf-8") == COMMENTED_STORES.replace(
        "  eu: {shared: [promo]}\n", "  eu: {shared: [promo]}\n  ca: {}\n  mx: {}\n"
    )
    assert files_under(tmp_path) == ["igops.yaml"]
    assert sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_dir()) == [
        "experiences",
        "experiences/ca",
        "experiences/mx",
    ]
    assert [store.name for store in load_project_config(tmp_path).accounts] == ["us", "eu", "ca", "mx"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stores: {us: {}}\n", "stores: {us: {}, ca: {}}\n"),
        ("experiences_dir: shop\n", "experiences_dir: shop\nstores:\n  ca: {}\n"),
        ("# Nothing set yet.", "# Nothing set yet.\nstores:\n  ca: {}\n"),
    ],
)
def test_stores_are_added_to_any_igops_yaml_that_has_a_place_for_them(
    tmp_path: Path, text: str, expected: str
) -> None:
    (tmp_path / "igops.yaml").write_text(text, encoding="utf-8")
    result = add(tmp_path, "ca")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "igops.yaml").read_text(encoding="utf-8") == expected
    assert "ca" in [store.name for store in load_project_config(tmp_path).accounts]


def refused(root: Path, result: Result, before: dict[str, str], message: str) -> None:
    assert result.exit_code == 1
    assert result.output.count("\n") == 1, result.output
    assert message in result.output, result.output
    assert tree(root) == before, "nothing written"


def test_a_one_store_repository_whose_files_would_belong_to_no_store_is_refused_saying_where_to_move_them(
    tmp_path: Path,
) -> None:
    assert init(str(tmp_path)).exit_code == 0
    (tmp_path / "experiences" / "drafts").mkdir()
    (tmp_path / "experiences" / "drafts" / "b.yaml").write_text("name: B\n", encoding="utf-8")
    before = tree(tmp_path)
    refused(
        tmp_path,
        add(tmp_path, "us"),
        before,
        f"Error: {tmp_path / 'experiences'} holds the experience files of this repository's one store "
        f"({tmp_path / 'experiences/drafts/b.yaml'} and 1 more), which would belong to no store once "
        f"igops.yaml has stores: move each into the directory of its store ({tmp_path / 'experiences/us'} "
        f"for us) or into shared_dir ({tmp_path / 'experiences/_shared'}), then run igops init --store again;"
        " igops init wrote nothing.",
    )
    (tmp_path / "experiences" / "us").mkdir()
    (tmp_path / EXAMPLE_EXPERIENCE).rename(tmp_path / "experiences" / "us" / "example.yaml")
    (tmp_path / "experiences" / "_shared").mkdir()
    (tmp_path / "experiences" / "drafts" / "b.yaml").rename(tmp_path / "experiences" / "_shared" / "b.yaml")
    result = add(tmp_path, "us")
    assert result.exit_code == 0, result.output
    assert "Created" not in result.output, "the store's directory was there"


def test_a_token_env_other_than_the_default_is_refused_naming_its_line(tmp_path: Path) -> None:
    (tmp_path / "igops.yaml").write_text("timeout: 20\ntoken_env: SHOP_TOKEN\n", encoding="utf-8")
    before = tree(tmp_path)
    refused(
        tmp_path,
        add(tmp_path, "us"),
        before,
        f"Error: {tmp_path / 'igops.yaml'}:2: token_env names the one token of this repository (SHOP_TOKEN), "
        "and with stores each store names its own: move it under the store (stores.NAME.token_env) or remove "
        "it, then run igops init --store again; igops init wrote nothing.",
    )


def test_a_store_igops_yaml_has_already_is_refused(tmp_path: Path) -> None:
    (tmp_path / "igops.yaml").write_text(COMMENTED_STORES, encoding="utf-8")
    before = tree(tmp_path)
    refused(
        tmp_path,
        add(tmp_path, "ca", "eu"),
        before,
        f"Error: {tmp_path / 'igops.yaml'} has a store eu already: igops init wrote nothing.",
    )


@pytest.mark.parametrize("name", ["US", "-us", "us store", "_shared", "a" * 41, "us\n"])
def test_a_name_that_is_no_store_name_is_refused_in_a_new_repository_and_an_existing_one(
    tmp_path: Path, name: str
) -> None:
    refused(tmp_path, init(str(tmp_path), "--store", name), {}, "is not a store name: lower-case letters")
    (tmp_path / "igops.yaml").write_text(COMMENTED_STORES, encoding="utf-8")
    before = tree(tmp_path)
    refused(tmp_path, add(tmp_path, name), before, "is not a store name: lower-case letters")


def test_a_store_named_twice_is_refused(tmp_path: Path) -> None:
    refused(tmp_path, init(str(tmp_path), "--store", "us", "--store", "us"), {}, "--store us is given twice.")


def test_adding_a_store_writes_no_workflow_so_it_takes_no_source(tmp_path: Path) -> None:
    (tmp_path / "igops.yaml").write_text(COMMENTED_STORES, encoding="utf-8")
    before = tree(tmp_path)
    refused(tmp_path, init(str(tmp_path), "--store", "ca"), before, "leave --source and --action out.")


def test_a_file_where_the_stores_directory_goes_is_refused(tmp_path: Path) -> None:
    (tmp_path / "igops.yaml").write_text(COMMENTED_STORES, encoding="utf-8")
    (tmp_path / "experiences").mkdir()
    (tmp_path / "experiences" / "ca").write_text("a file", encoding="utf-8")
    before = tree(tmp_path)
    refused(tmp_path, add(tmp_path, "ca"), before, "the store ca's directory, is a file: move it aside")


def test_adding_a_store_where_the_workflows_run_one_job_says_to_write_them_anew(tmp_path: Path) -> None:
    root = one_store(tmp_path)
    apply = root / WORKFLOW_DIR / "igops-apply.yml"
    older = apply.read_text(encoding="utf-8").replace(
        "IGOPS_TOKEN: ${{ secrets[matrix.token_env] }}",
        "INTELLIGEMS_API_TOKEN: ${{ secrets.INTELLIGEMS_API_TOKEN }}",
    )
    apply.write_text(older, encoding="utf-8")
    result = add(root, "us")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("Note: ")]
    assert notes == [
        f"Note: {apply} runs one job, with INTELLIGEMS_API_TOKEN only (an older igops init wrote it): write "
        "the workflows anew (igops init in an empty directory) and copy them over."
    ]
    assert apply.read_text(encoding="utf-8") == older, "init never rewrites a workflow"
