"""`igops version`: which igops this is, the Python it runs on, and where it was installed from."""

from __future__ import annotations

import platform
import sys
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import click

import igops
from igops import __version__
from igops.render.untrusted import terminal
from igops.templates.installed import Origin, installed_origin


@click.command("version")
def version_command() -> None:
    """Print igops's version, the Python it runs on (version and executable) and where igops was
    installed from: a git commit, a local checkout (editable or not), an archive or a package index.

    \b
    Example:
      igops version
    """
    click.echo(f"igops {__version__}")
    click.echo(f"Python {platform.python_version()} ({sys.executable})")
    # direct_url.json is written by whatever installed igops: its URL is shown as untrusted text.
    click.echo(terminal(f"Installed from: {installed_from(installed_origin())}"))


def installed_from(origin: Origin | None) -> str:
    """Where the installed igops came from, in words; the package's directory when it is not installed."""
    if origin is None:
        return f"not installed in this Python (igops runs from {Path(igops.__file__).parent})."
    if origin.commit is not None:
        return f"git {origin.url}, commit {origin.commit}."
    if origin.url is None:
        return f"a package index (release {origin.version})."
    url = urlsplit(origin.url)
    if url.scheme != "file":
        return f"{origin.url}."
    path = url2pathname(url.path)
    if origin.editable:
        return f"the editable checkout {path} (its changes take effect without reinstalling)."
    return f"{path}, copied when installed (reinstall to pick up changes made there)."
