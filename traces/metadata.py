"""Metadata of a bundled trace (the ``<name>.json`` next to each bundled CSV).

This module owns the metadata schema. It imports nothing of ours outside ``traces``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from traces.demand import DemandRule
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
    """Metadata of one bundled trace.

    Attributes:
        name: Public bundle name (used on the CLI), e.g. ``rds-cpu-cc0c53``.
        description: One-paragraph description.
        kind: What the trace measures.
        cluster_id: The ``cluster_id`` of the trace's single series.
        signal: The ``signal`` of that series.
        unit: Its unit.
        step_s: Nominal sampling step of the source, seconds (300 for every bundled
            trace); the series may still have gaps.
        n_rows: Number of data rows in the CSV.
        first_ts: First timestamp, ISO 8601 UTC (``Z``).
        last_ts: Last timestamp, ISO 8601 UTC (``Z``).
        demand_rule: Default rule turning the signal into ACU demand.
        read_frac: Read share of the load, or None when the trace does not say.
        source: Origin of the raw data.
        licence: SPDX identifier of the data licence (``MIT``, ``CC-BY-4.0``).
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
