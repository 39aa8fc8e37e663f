"""What apply prints: a line per finished change, and the report at the end."""

from __future__ import annotations

from igops.model import ApplyReport, ChangeKind, Outcome, StepResult
from igops.render.untrusted import terminal
from igops.text import counted

_LIFECYCLE = (ChangeKind.START, ChangeKind.PAUSE, ChangeKind.END)


def step_line(result: StepResult) -> str:
    """`homepage-hero: create done in 0.21s (adopted after a lost answer)`."""
    line = f"{terminal(result.key)}: {result.kind.value} {result.outcome.value}"
    if result.outcome is not Outcome.NOT_ATTEMPTED:
        line += f" in {result.seconds:.2f}s"
    return f"{line} ({terminal(result.detail)})" if result.detail else line


def apply_summary(report: ApplyReport) -> str:
    actions = counted(report.done(*_LIFECYCLE), "lifecycle action")
    return f"{report.done(ChangeKind.CREATE)} created, {report.done(ChangeKind.UPDATE)} updated, {actions}."


def render_apply_report(report: ApplyReport) -> str:
    """`Apply complete: ...` when everything was done; otherwise what was done, failed and not attempted.
    Either way, a note of the names no file manages that are live more than once."""
    note = _unmanaged_note(report)
    if report.ok:
        return f"Apply complete: {apply_summary(report)}" + note
    return _incomplete(report) + note


def _unmanaged_note(report: ApplyReport) -> str:
    if not report.unmanaged_repeats:
        return ""
    repeats = ", ".join(f"{terminal(repr(name))} ({count} times)" for name, count in report.unmanaged_repeats)
    return (
        f"\nNote: {counted(len(report.unmanaged_repeats), 'name')} no file manages "
        f"{'is' if len(report.unmanaged_repeats) == 1 else 'are'} live more than once: {repeats}. "
        "They are the account's to sort out; igops leaves them as they are."
    )


def _incomplete(report: ApplyReport) -> str:
    lines = [f"Apply {_ending(report)}: {apply_summary(report)}"]
    for outcome in Outcome:
        chosen = [result for result in report.results if result.outcome is outcome]
        if chosen:
            lines.append(f"{outcome.value.capitalize()} ({len(chosen)}):")
            lines += [f"  - {step_line(result)}" for result in chosen]
    if report.duplicates:
        lines.append(f"Live more than once ({len(report.duplicates)}):")
        lines += [f"  - {terminal(duplicate)}" for duplicate in report.duplicates]
        return "\n".join(lines)
    lines.append("Run igops apply again to finish: it plans from the account as it is now.")
    return "\n".join(lines)


def _ending(report: ApplyReport) -> str:
    """How an apply that did not do everything ended: interrupted (Ctrl-C, SIGTERM), stopped by a failure,
    or finished with failures.

    A failed change leaves the rest of its own experience not attempted whatever the options; only a stop
    leaves another experience's changes not attempted, so that is what says a stop cut the run short. The
    engine tells whose stop it was: an interrupt's, whatever failed before or while changes in flight
    finished, or a failure's (without --keep-going), when it came first.
    """
    if report.duplicates and all(result.outcome is Outcome.DONE for result in report.results):
        return "with experiences live twice"
    failures = [result for result in report.results if result.outcome is Outcome.FAILED]
    failed_keys = {result.key for result in failures}
    cut_short = any(
        result.outcome is Outcome.NOT_ATTEMPTED and result.key not in failed_keys for result in report.results
    )
    if cut_short and report.interrupted:
        return f"interrupted, with {counted(len(failures), 'failure')}" if failures else "interrupted"
    if cut_short:
        return "stopped by a failure"
    return f"finished with {counted(len(failures), 'failure')}"
