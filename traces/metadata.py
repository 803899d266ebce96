"""Metadata of a trace (the ``<name>.json`` next to a bundled or suite CSV).

This module owns the metadata schema and its reading from JSON with errors that name
the file and field (the check that a CSV matches its metadata is
:func:`traces.loaders.check_matches`). It imports only ``traces.rules``, ``schema`` and
``errors``.
"""

from __future__ import annotations

import json
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError

from traces.errors import TraceFormatError
from traces.rules import DemandRule
from traces.schema import TraceKind, Unit


class _Frozen(BaseModel):
    """Frozen, extra-forbidding base of the metadata models."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class TraceSource(_Frozen):
    """Where a bundled trace came from.

    Attributes:
        repo: Origin repository (``owner/name``) of the raw file.
        commit: Origin commit (40 hex digits).
        path: Path of the raw file in the origin repository.
        raw_file: Path of the raw copy under ``traces-raw/`` that was converted.
        raw_sha256: SHA-256 of that raw copy, checked against ``SHA256SUMS``.
        upstream: Upstream dataset the origin repository derived from, or None.
        citation: Publication the source asks users to cite.
    """

    repo: str
    commit: str = Field(pattern=r"^[0-9a-f]{40}$")
    path: str
    raw_file: str
    raw_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    upstream: str | None = None
    citation: str


class TraceMetadata(_Frozen):
    """Metadata of one trace (bundled, local-only suite, or a user's own).

    Attributes:
        name: Public bundle name (used on the CLI), e.g. ``rds-cpu-cc0c53``.
        description: One-paragraph description.
        kind: What the trace measures.
        cluster_id: The ``cluster_id`` of the trace's single series.
        signal: The ``signal`` of that series.
        unit: Its unit.
        step_s: Nominal sampling step of the source, seconds (300 for every bundled
            trace, 60 for the 1-minute NASA trace); the demand grid uses it and the
            series may still have gaps.
        n_rows: Number of data rows in the CSV.
        first_ts: First timestamp, ISO 8601 UTC (``Z``).
        last_ts: Last timestamp, ISO 8601 UTC (``Z``).
        demand_rule: Default rule turning the signal into ACU demand.
        read_frac: Read share of the load, or None when the trace does not say.
        source: Origin of the raw data.
        licence: SPDX identifier of the data licence (``MIT``, ``CC-BY-4.0``;
            ``NOASSERTION`` when none could be found).
        changes: What the converter changed, one sentence each.
        caveats: Known limitations, one sentence each.
    """

    name: str
    description: str
    kind: TraceKind
    cluster_id: str
    signal: str
    unit: Unit
    step_s: PositiveInt
    n_rows: PositiveInt
    first_ts: str
    last_ts: str
    demand_rule: DemandRule
    read_frac: float | None = Field(default=None, ge=0.0, le=1.0)
    source: TraceSource
    licence: str
    changes: tuple[str, ...]
    caveats: tuple[str, ...] = ()


def read_metadata(source: Path | Traversable) -> TraceMetadata:
    """Read and validate a ``<name>.json`` metadata file.

    Args:
        source: Path of the JSON, or an ``importlib.resources`` ``Traversable``.

    Returns:
        The metadata.

    Raises:
        TraceFormatError: If the file is not UTF-8 JSON or does not match the schema;
            the message names the file and, for a schema error, the dotted field
            (e.g. ``demand_rule.max_acu``) and the first reason.
        FileNotFoundError: If the file does not exist.
    """
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TraceFormatError(f"invalid metadata JSON: {exc}", path=source.name) from None
    try:
        return TraceMetadata.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or None
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        reason = f"invalid metadata: {first['msg']}{more}"
        raise TraceFormatError(reason, path=source.name, field=where) from None
