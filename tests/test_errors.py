"""Every error igops reports is an IgopsError, so that one `except` catches each kind, present and future."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import igops
from igops.errors import IgopsError

# Not reported as they are: Unusable becomes the client's ApiError; CommandFailed is click's exception
# through which the CLI prints the sentence of an IgopsError and exits 1.
INTERNAL = {"igops.api.answers.Unusable", "igops.cli.common.CommandFailed"}


def _exception_classes() -> list[type[BaseException]]:
    found = []
    for module_info in pkgutil.walk_packages(igops.__path__, "igops."):
        if module_info.name.startswith("igops.sandbox") or module_info.name == "igops.__main__":
            continue  # the emulator stands alone: its errors are HTTP answers
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found.append(value)
    return found


def test_every_error_igops_reports_is_an_igops_error() -> None:
    classes = _exception_classes()
    assert len(classes) > 10
    stray = [
        f"{cls.__module__}.{cls.__name__}"
        for cls in classes
        if not issubclass(cls, IgopsError) and f"{cls.__module__}.{cls.__name__}" not in INTERNAL
    ]
    assert stray == []
