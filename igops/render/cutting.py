"""Keeping a markdown document (a PR comment, an issue body) within a length by leaving whole sections out.

The largest sections go first, so that one huge value costs its own section and not the others: what is
left out is the least that makes the rest fit, counted in sections, and is named in a note in its place.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

GAP = "\n\n"


def left_out(sections: Sequence[str], room: int, note: Callable[[Sequence[int]], str]) -> list[int]:
    """The indexes (in order) of the sections to leave out so that the others and `note(those indexes)`,
    each after a blank line, fit in `room` characters; none when all of them fit without a note. The
    largest go first, the later of two the same size first; all of them when even the note does not fit.
    """
    total = sum(len(GAP) + len(section) for section in sections)
    if total <= room:
        return []
    dropped: list[int] = []
    for index in sorted(range(len(sections)), key=lambda index: (-len(sections[index]), -index)):
        total -= len(GAP) + len(sections[index])
        bisect.insort(dropped, index)
        # The note is only worth writing once the sections left fit without it.
        if total <= room and total + len(GAP) + len(note(dropped)) <= room:
            return dropped
    return dropped


def kept_sections(sections: Sequence[str], room: int, note: Callable[[int], str]) -> list[str]:
    """The sections that fit in `room` characters (joined by blank lines), the largest left out first,
    then, when some are, `note(how many)` in their place."""
    dropped = left_out(sections, room, lambda indexes: note(len(indexes)))
    if not dropped:
        return list(sections)
    gone = set(dropped)
    return [*(section for index, section in enumerate(sections) if index not in gone), note(len(dropped))]
