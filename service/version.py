"""Which acuplan produced a result: the installed version and, from a git checkout, its commit.

A benchmark result is only comparable with another at a known version of the code, so
``acuplan bench`` records both in ``bench.json`` and prints them in the report.
"""

from __future__ import annotations

import subprocess
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
"""The folder holding the ``service`` package: a git checkout's root in a development install."""


@lru_cache(maxsize=1)
def package_version() -> str:
    """Return the installed ``acuplan`` version, or ``0+unknown`` when run from a source tree."""
    try:
        return version("acuplan")
    except PackageNotFoundError:
        return "0+unknown"


def source_commit() -> str | None:
    """Return the git commit the code runs from, with ``+dirty`` if tracked files changed.

    None when the package is not in a git checkout (a wheel install) or git is missing.
    The commit of the code actually imported: ``_CHECKOUT`` is this file's checkout, not
    the working directory's.
    """
    if not (_CHECKOUT / ".git").exists():
        return None

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(_CHECKOUT), *args], capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return commit + ("+dirty" if dirty else "")
