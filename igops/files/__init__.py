"""Experience files: finding, parsing and checking them; errors carry file:line:column."""

from __future__ import annotations

from igops.files.errors import FileError
from igops.files.loader import FileResult, LoadResult, check_text, load_experiences
from igops.files.stores import load_store_experiences, shared_file_keys

__all__ = [
    "FileError",
    "FileResult",
    "LoadResult",
    "check_text",
    "load_experiences",
    "load_store_experiences",
    "shared_file_keys",
]
