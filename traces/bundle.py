"""Real traces shipped inside the package (``traces/data/``).

This module owns the lookup of bundled traces by their public name (the names used
on the CLI) and the pairing of each CSV with its ``<name>.json`` metadata. It imports
nothing of ours outside ``traces``. Files are read through ``importlib.resources``,
so this works from an installed wheel. Licences, attribution and every change made
to the raw data are in ``traces/data/PROVENANCE.md``; the files are written by
``python -m traces.convert``.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from dataclasses import replace
from functools import cache
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

from traces.errors import UnknownTraceError
from traces.loaders import check_matches, load_trace
from traces.metadata import TraceMetadata, read_metadata
from traces.types import Trace

_DATA_PACKAGE = "traces"
_DATA_DIR = "data"
_EXTRACTED = ExitStack()
atexit.register(_EXTRACTED.close)


def _data_dir() -> Traversable:
    """Return the bundled data directory as a Traversable."""
    return files(_DATA_PACKAGE).joinpath(_DATA_DIR)


def list_bundled() -> list[str]:
    """List the names of the bundled traces.

    Returns:
        Sorted names; each has a ``<name>.csv`` and a ``<name>.json`` in the bundle.
    """
    entries = {entry.name for entry in _data_dir().iterdir() if entry.is_file()}
    return sorted(
        name[: -len(".json")]
        for name in entries
        if name.endswith(".json") and f"{name[: -len('.json')]}.csv" in entries
    )


def _resource(name: str, suffix: str) -> Traversable:
    """Return the bundled file for ``name``; raise UnknownTraceError if absent."""
    names = list_bundled()
    if name not in names:
        raise UnknownTraceError(name, names)
    return _data_dir().joinpath(f"{name}{suffix}")


def bundled_path(name: str) -> Path:
    """Return a filesystem path to a bundled trace's CSV.

    When the package is installed as a zip, the file is extracted to a temporary
    location kept until the interpreter exits.

    Args:
        name: A name from :func:`list_bundled`.

    Returns:
        Path of ``<name>.csv``.

    Raises:
        UnknownTraceError: If ``name`` is not bundled; the message lists valid names.
    """
    resource = _resource(name, ".csv")
    if isinstance(resource, Path):
        return resource
    return _EXTRACTED.enter_context(as_file(resource))


def load_metadata(name: str) -> TraceMetadata:
    """Load and validate a bundled trace's ``<name>.json``.

    Args:
        name: A name from :func:`list_bundled`.

    Returns:
        The metadata.

    Raises:
        UnknownTraceError: If ``name`` is not bundled.
        TraceFormatError: If the JSON is invalid or does not match the schema.
    """
    return read_metadata(_resource(name, ".json"))


@cache
def load_bundled(name: str) -> Trace:
    """Load a bundled trace with its metadata.

    Results are cached: a :class:`~traces.types.Trace` is immutable and its arrays
    are read-only.

    Args:
        name: A name from :func:`list_bundled` (e.g. ``rds-cpu-cc0c53``).

    Returns:
        The trace (one series) with ``metadata`` set; its default demand rule is
        ``trace.metadata.demand_rule``.

    Raises:
        UnknownTraceError: If ``name`` is not bundled; the message lists valid names.
        TraceFormatError: If the bundled files are invalid or inconsistent.
    """
    metadata = load_metadata(name)
    trace = load_trace(_resource(name, ".csv"))
    check_matches(trace, metadata, path=f"{name}.json")
    return replace(trace, metadata=metadata)
