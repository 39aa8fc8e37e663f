"""The engine's entry point used the way a CI action or a Python program would: no CLI involved."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from support.emulator import TOKEN, new_sandbox, serve_over_http
from support.files import dump, experience

from igops import engine
from igops.engine import EngineError, InvalidFiles, Project, UnsafePlan
from igops.model import ChangeKind


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTELLIGEMS_API_TOKEN", TOKEN)
    monkeypatch.delenv("IGOPS_API_URL", raising=False)
    (tmp_path / "igops.yaml").write_text(f"api_url: sandbox:{tmp_path / 'account.json'}\n")
    (tmp_path / "experiences").mkdir()
    write(tmp_path, "hero", experience(status="started"))
    return tmp_path


def write(repo: Path, key: str, document: dict) -> None:
    (repo / "experiences" / f"{key}.yaml").write_text(dump(document))


def test_plan_save_and_apply_a_saved_plan(repo: Path) -> None:
    project = engine.open_project(directory=repo)
    plan = engine.run(project.settings, lambda session: session.plan(project))
    assert [change.kind for change in plan.experiences[0].changes] == [ChangeKind.CREATE, ChangeKind.START]
    engine.write_plan(plan, project.settings, repo / "plan.json")

    async def apply_saved(session: engine.Session):  # type: ignore[no-untyped-def]
        return await session.apply(await session.saved_plan(project, repo / "plan.json"))

    report = engine.run(project.settings, apply_saved)
    assert report.ok and len(report.results) == 2
    again = engine.run(project.settings, lambda session: session.plan(project))
    assert not again.has_changes
    with pytest.raises(EngineError, match="is stale: hero: an experience named"):
        engine.run(project.settings, lambda session: session.saved_plan(project, repo / "plan.json"))


def test_apply_enforces_the_risks_of_the_plan_it_runs(repo: Path) -> None:
    project = engine.open_project(directory=repo)
    engine.run(project.settings, lambda session: _plan_and_apply(session, project))
    write(repo, "hero", experience(status="ended"))
    project = engine.open_project(directory=repo)
    plan = engine.run(project.settings, lambda session: session.plan(project))
    assert [risk.rule for risk in plan.blocking_risks] == ["end-without-winner"]
    with pytest.raises(UnsafePlan) as refused:
        engine.run(project.settings, lambda session: session.apply(plan))
    assert str(refused.value).startswith("Error: policy end-without-winner: hero: ends without a winner")
    report = engine.run(project.settings, lambda session: session.apply(plan, force=True))
    assert report.ok


async def _plan_and_apply(session: engine.Session, project: Project):  # type: ignore[no-untyped-def]
    return await session.apply(await session.plan(project))


def test_failures_become_engine_errors_of_one_sentence(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, "broken", {"name": "Broken"})
    with pytest.raises(InvalidFiles) as invalid:
        engine.open_project(directory=repo)
    assert {error.file.name for error in invalid.value.result.errors} == {"broken.yaml"}
    (repo / "experiences" / "broken.yaml").unlink()

    with serve_over_http(new_sandbox(token="another-token")) as url:
        project = engine.open_project(api=url, directory=repo)
        with pytest.raises(EngineError) as refused:
            engine.run(project.settings, lambda session: session.plan(project))
    assert "\n" not in str(refused.value) and TOKEN not in str(refused.value)
    monkeypatch.setenv("INTELLIGEMS_API_TOKEN", "")
    with pytest.raises(EngineError, match="INTELLIGEMS_API_TOKEN is not set"):
        engine.open_project(api="https://api.intelligems.io", directory=repo)


def test_each_phase_is_logged_and_quiet_by_default(
    repo: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    project = engine.open_project(directory=repo)
    engine.run(project.settings, lambda session: session.plan(project))
    assert capsys.readouterr().err == ""
    with caplog.at_level(logging.INFO, logger="igops"):
        engine.run(project.settings, lambda session: session.plan(project))
    assert any("reading the account's experience list" in message for message in caplog.messages)
    assert any(message.startswith("planned: 2 changes") for message in caplog.messages)


def test_validate_checks_the_project_or_the_paths_given(repo: Path) -> None:
    assert engine.validate((), repo).ok
    (repo / "other.yaml").write_text("name: x\n")
    result = engine.validate([repo / "other.yaml"], repo)
    assert not result.ok and result.files == (repo / "other.yaml",)
