"""Wall time of loading and validating a directory of experience files (target: 1,000 in under 2 s).

The files are copies of the repository's examples under distinct names, written to a
temporary directory; only loading and validating them is timed.

    python bench/load_validate.py [--files 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from igops.files import load_experiences
from igops.files.yamldoc import dump
from igops.model import DesiredExperience

EXAMPLES = Path(__file__).resolve().parents[1] / "experiences"
TARGET_SECONDS = 2.0


def document(template: DesiredExperience, index: int) -> dict[str, Any]:
    fields: dict[str, Any] = {**template.body, "name": f"{template.name} #{index}", "status": template.status}
    if template.winner is not None:
        fields["winner"] = template.winner
    return fields


def write_files(directory: Path, count: int) -> None:
    templates = load_experiences([EXAMPLES]).experiences
    for index in range(count):
        template = templates[index % len(templates)]
        path = directory / f"group-{index % 10}" / f"{template.key}-{index:05d}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(dump(document(template, index)), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="how many files to generate")
    parser.add_argument("--runs", type=int, default=3, help="how many timed runs")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        write_files(directory, options.files)
        for run in range(1, options.runs + 1):
            started = time.perf_counter()
            result = load_experiences([directory])
            elapsed = time.perf_counter() - started
            per_file = 1000 * elapsed / max(1, len(result.files))
            print(
                f"run {run}: {len(result.files)} files loaded and validated in {elapsed:.2f} s "
                f"({per_file:.2f} ms per file, {len(result.errors)} errors; "
                f"target for 1,000: < {TARGET_SECONDS:.0f} s)"
            )


if __name__ == "__main__":
    main()
