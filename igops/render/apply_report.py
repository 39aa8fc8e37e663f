"""What apply prints: a line per finished change, and the report at the end."""

from __future__ import annotations

from igops.model import ApplyReport, ChangeKind, Outcome, StepResult

_LIFECYCLE = (ChangeKind.START, ChangeKind.PAUSE, ChangeKind.END)


def step_line(result: StepResult) -> str:
    """`homepage-hero: create done in 0.21s (adopted after a lost answer)`."""
    line = f"{result.key}: {result.kind.value} {result.outcome.value}"
    if result.outcome is not Outcome.NOT_ATTEMPTED:
        line += f" in {result.seconds:.2f}s"
    return f"{line} ({result.detail})" if result.detail else line


def apply_summary(report: ApplyReport) -> str:
    lifecycle = report.done(*_LIFECYCLE)
    actions = "1 lifecycle action" if lifecycle == 1 else f"{lifecycle} lifecycle actions"
    return (f"{report.done(ChangeKind.CREATE)} created, {report.done(ChangeKind.UPDATE)} updated, "
            f"{actions}.")


def render_apply_report(report: ApplyReport) -> str:
    """`Apply complete: ...` when everything was done; otherwise what was done, failed and not attempted."""
    if report.ok:
        return f"Apply complete: {apply_summary(report)}"
    why = "interrupted" if report.interrupted else "stopped by a failure"
    lines = [f"Apply {why}: {apply_summary(report)}"]
    for outcome in Outcome:
        chosen = [result for result in report.results if result.outcome is outcome]
        if chosen:
            lines.append(f"{outcome.value.capitalize()} ({len(chosen)}):")
            lines += [f"  - {step_line(result)}" for result in chosen]
    lines.append("Run igops apply again to finish: it plans from the account as it is now.")
    return "\n".join(lines)
