"""Adopting drift (`igops drift --adopt`): each file drift matched to a live experience made to say what
the account says, in the fields that drifted and nowhere else.

The file as written and the live experience as `igops import` would write it are walked side by side:
mappings key by key, lists item by item when they hold as many items under the same names in the same
order (variations), or unnamed ones. Where the plan's comparable form says the two agree (`50` and
`50.0`, a default stated or left out) nothing is touched; where they differ and cannot be walked into,
the live value goes in place of the file's (igops.files.patching), a field only live states is added,
and one only the file states is taken out. The new text must load and leave no drift, or the file is
refused. Pure: texts in, texts out; writing them is the caller's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igops.engine.diff import readable_path, same
from igops.engine.drift import file_drift
from igops.engine.importing import file_document
from igops.files import check_text
from igops.files.patching import Edits, PatchError, patched
from igops.files.writer import without_defaults
from igops.files.yamldoc import parse
from igops.model import DesiredExperience, Drift, DriftReport, Finding, JsonPath, nearest_position
from igops.normalize import canonical_desired, canonical_live, comparable
from igops.statuses import LiveStatus
from igops.text import clause

# Findings with a live experience to adopt from; gone, absent and unmanageable ones have none.
ADOPTABLE = frozenset({Finding.CHANGED, Finding.ENDED})
# Where the file states a field that the live experience leaves to its default: it is taken out.
_LEFT_OUT = object()


@dataclass(frozen=True)
class AdoptedFile:
    path: Path
    fields: tuple[str, ...]  # what drifted, named as the drift report names it
    text: str  # the file's new text


@dataclass(frozen=True)
class Adoption:
    report: DriftReport
    adopted: tuple[AdoptedFile, ...]
    left: tuple[Drift, ...]  # findings with nothing to adopt from
    refused: tuple[str, ...] = ()  # one sentence each: why nothing may be written


def adopt(
    report: DriftReport,
    documents: Mapping[str, Mapping[str, Any]],
    desired: Sequence[DesiredExperience],
    texts: Mapping[str, str],
    shared: Mapping[str, Path] | None = None,
) -> Adoption:
    """The new text of each file `report` found drifted from a live experience. `documents` are the live
    experiences drift read (full GETs by id); `texts` the files' texts as they are (a byte order mark
    included, which the new text keeps), by experience key.

    Nothing is to be written when drift reported errors or any new text fails its check (`refused`), or when
    a drifted file is one several stores share (`shared`: its key and the store's override file to adopt in
    by hand): one store's account is no reason to change the others'."""
    left = tuple(drift for drift in report.drifted if drift.finding not in ADOPTABLE)
    if report.errors:
        why = "no file is adopted while drift reports errors: fix them, then run igops drift --adopt again."
        return Adoption(report, (), left, (why,))
    by_key = {experience.key: experience for experience in desired}
    adopted, refused = [], []
    for drift in report.drifted:
        if drift.finding not in ADOPTABLE:
            continue
        assert drift.experience_id is not None  # an adoptable finding has its live experience
        if shared and drift.key in shared:
            refused.append(
                f"{drift.path} is shared by several stores, and only this store's account moved: write what "
                f"it should say for this store in {shared[drift.key]} by hand, or change the shared file."
            )
            continue
        live = documents[drift.experience_id]
        try:
            adopted.append(_adopted(drift, by_key[drift.key], texts[drift.key], live, report.now))
        except _Refused as exc:
            refused.append(
                f"{drift.path}{exc.where}: {exc}; adopt it by hand, or take the live version "
                f"whole with igops import --overwrite {drift.key}."
            )
    return Adoption(report, tuple(adopted), left, tuple(refused))


class _Refused(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.where = "" if line is None else f":{line}"


def _adopted(
    drift: Drift, experience: DesiredExperience, text: str, live: Mapping[str, Any], now: float | None
) -> AdoptedFile:
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text.removeprefix(bom)
    document = parse(text)
    assert document is not None  # the project loaded it
    target = without_defaults(file_document(live))
    compared = comparable(canonical_desired(experience.body)), comparable(canonical_live(live))
    found = list(_differences(*compared, document.value, target, ()))
    if drift.status_moved:
        found.append((("status",), target["status"]))
        if target["status"] != LiveStatus.ENDED and "winner" in document.value:
            found.append((("winner",), _LEFT_OUT))  # a winner is only declared with status: ended
    edits = Edits(
        {path: value for path, value in found if value is not _LEFT_OUT},
        tuple(path for path, value in found if value is _LEFT_OUT),
    )
    try:
        new_text = patched(text, edits)
    except PatchError as exc:
        where = nearest_position(document.values, exc.path).line
        raise _Refused(
            f"the live {readable_path(list(exc.path))} cannot be written in place: {exc.message}", where
        ) from None
    checked = check_text(new_text, experience.path)
    if checked.errors or checked.experience is None:
        error = checked.errors[0]
        raise _Refused(
            f"the adopted file would not load ({error.field}: {clause(error.message)})",
            error.position.line,
        )
    remaining = file_drift(checked.experience, live, now)
    if remaining is not None:
        differing = [*(["status"] if remaining.status_moved else []), *(f.path for f in remaining.fields)]
        raise _Refused(f"the adopted file would still differ from the account in {', '.join(differing)}")
    fields = (*(("status",) if drift.status_moved else ()), *(field.path for field in drift.fields))
    return AdoptedFile(experience.path, fields, bom + new_text)


def _differences(
    in_file: Any, live: Any, written: Any, target: Any, path: JsonPath
) -> Iterator[tuple[JsonPath, Any]]:
    """Where the file differs from the live experience, and the value the file should hold there
    (_LEFT_OUT: none). `in_file` and `live` are compared (the plan's comparable form); `written` is the
    file's value as written, `target` the live one as import writes it, the place to take it from."""
    if same(in_file, live):
        return
    if all(isinstance(value, dict) for value in (in_file, live, written, target)):
        for key in dict.fromkeys([*in_file, *live]):
            if same(in_file.get(key), live.get(key)):
                continue
            child = (*path, key)
            if key in written and key in target:
                yield from _differences(in_file.get(key), live.get(key), written[key], target[key], child)
            elif key in written or key in target:
                yield child, target.get(key, _LEFT_OUT)
    elif _same_items(in_file, live, written, target):
        for index, items in enumerate(zip(in_file, live, written, target, strict=True)):
            yield from _differences(*items, (*path, index))
    else:
        yield path, target


def _same_items(*lists: Any) -> bool:
    """Lists that can be walked item by item: as long as each other, named alike in the same order."""
    if not all(isinstance(value, list) for value in lists) or len({len(value) for value in lists}) != 1:
        return False
    names = [[item.get("name") if isinstance(item, dict) else None for item in value] for value in lists]
    return all(item_names == names[0] for item_names in names)
