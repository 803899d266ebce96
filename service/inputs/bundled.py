"""Turn a bundled trace, or a folder of canonical CSVs, into replay inputs.

Owns :func:`bundled_replay_inputs`, shared by ``acuplan replay`` and the replay
benchmark so both replay exactly the same thing, and :func:`folder_replay_inputs`,
the same for every CSV of a user's folder (``acuplan bench --traces-dir DIR``). Reads
packaged files and user files (through ``traces``), so it lives in ``service``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from placement import CapacityLimits
from policy import ClusterSpec
from traces import (
    DEFAULT_MAX_ACU,
    DEFAULT_PEAK_ACU,
    DemandSeries,
    FolderTrace,
    P99ToPeakAcuRule,
    PercentOfMaxAcuRule,
    TraceFormatError,
    demand_series,
    load_bundled,
    load_folder,
)


def bundled_replay_inputs(
    name: str, *, max_acu: float | None = None, read_frac: float | None = None
) -> tuple[DemandSeries, ClusterSpec]:
    """Load bundled trace ``name`` as ACU demand and build the cluster to replay it on.

    The demand uses the trace's own demand rule on its own step (max per step, NaN for
    missing steps). The cluster's MaxCapacity defaults to the ACU a ``percent`` trace is
    measured against (AWS measures CPUUtilization against MaxCapacity, sources: aurora-metrics),
    else 128; ``read_frac`` defaults to the trace's metadata, else ClusterSpec's 0.5.

    Args:
        name: a name from ``traces.list_bundled()``.
        max_acu: cluster MaxCapacity override, ACU on the 0.5 grid.
        read_frac: read share override, 0-1.

    Returns:
        (demand series, cluster spec).

    Raises:
        traces.UnknownTraceError: unknown ``name`` (lists the valid names).
        pydantic.ValidationError: an invalid ``max_acu`` or ``read_frac``.
    """
    loaded = load_bundled(name)
    meta = loaded.metadata
    if meta is None:  # load_bundled always attaches metadata
        raise ValueError(f"bundled trace {name!r} has no metadata")
    demand = demand_series(loaded.single(), step_s=meta.step_s, rule=meta.demand_rule)
    if max_acu is None and isinstance(meta.demand_rule, PercentOfMaxAcuRule):
        max_acu = meta.demand_rule.max_acu
    fields: dict[str, Any] = {"cluster_id": meta.cluster_id}
    if max_acu is not None:
        fields["limits"] = CapacityLimits(max_acu=max_acu)
    frac = read_frac if read_frac is not None else meta.read_frac
    if frac is not None:
        fields["read_frac"] = frac
    return demand, ClusterSpec(**fields)


def _folder_cluster(member: FolderTrace, *, max_acu: float | None, read_frac: float | None) -> ClusterSpec:
    """The cluster to replay one folder series on; invalid values name the file and field."""
    cap = max_acu if max_acu is not None else member.max_acu
    frac = read_frac if read_frac is not None else member.read_frac
    fields: dict[str, Any] = {"cluster_id": member.cluster_id}
    try:
        if cap is not None:
            fields["limits"] = CapacityLimits(max_acu=cap)
        if frac is not None:
            fields["read_frac"] = frac
        return ClusterSpec(**fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(part) for part in err["loc"])
        # Overrides were checked up front: a MaxCapacity error comes from the metadata's
        # percent rule, anything else (e.g. a cluster_id over 128 characters) from the CSV.
        where = member.path.with_suffix(".json") if loc == "max_acu" else member.path
        field: str | None = "demand_rule.max_acu" if loc == "max_acu" else (loc or None)
        reason = f"cannot replay series ({member.cluster_id}, {member.series.signal}): {err['msg']}"
        raise TraceFormatError(reason, path=where, field=field) from None


def folder_replay_inputs(
    folder: str | os.PathLike[str],
    *,
    max_acu: float | None = None,
    peak_acu: float | None = None,
    read_frac: float | None = None,
) -> list[tuple[str, DemandSeries, ClusterSpec]]:
    """Every series of every canonical CSV in ``folder`` as replay inputs, scored like a bundled trace.

    Loading and the demand rule are :func:`traces.load_folder`'s: a ``<stem>.json``
    beside ``<stem>.csv`` gives the rule, grid step and read share; without one, unit
    ``acu`` is taken as is, ``percent`` is read against a MaxCapacity of ``max_acu``
    (default ``traces.DEFAULT_MAX_ACU``, 16 ACU), anything else has its p99 mapped to
    ``peak_acu`` (default ``traces.DEFAULT_PEAK_ACU``, 16 ACU), on the series' median
    sampling interval (to the minute). The cluster is built as :func:`bundled_replay_inputs`
    builds it: MaxCapacity is ``max_acu`` when given, else the MaxCapacity a percent
    rule reads against, else ClusterSpec's default (128); ``read_frac`` is the override,
    else the metadata's, else ClusterSpec's 0.5; ``cluster_id`` is the series'.

    Args:
        folder: a folder of canonical CSVs (``ts,cluster_id,signal,unit,value``).
        max_acu: cluster MaxCapacity override, ACU on the 0.5 grid in [1, 256]; also
            the base of ``percent`` series without metadata.
        peak_acu: ACU the p99 of a ``per_s``/``relative`` series without metadata maps
            to, > 0.
        read_frac: read share override, 0-1.

    Returns:
        Per series, in file-name order: (name, demand series, cluster spec). ``name``
        is the CSV's stem, or ``<stem>/<cluster_id>/<signal>`` for a CSV holding
        several series.

    Raises:
        traces.TraceFormatError: a folder without ``*.csv``; a malformed CSV or metadata
            JSON, a CSV that does not match its metadata, a rule that does not fit the
            unit, or a metadata value the cluster rejects (e.g. ``demand_rule.max_acu``
            off the 0.5 grid): one line naming the file, row and field.
        pydantic.ValidationError: an invalid ``max_acu``, ``peak_acu`` or ``read_frac``
            (checked before any file is read).
    """
    if max_acu is not None:
        CapacityLimits(max_acu=max_acu)
    if read_frac is not None:
        ClusterSpec(read_frac=read_frac)
    base = max_acu if max_acu is not None else DEFAULT_MAX_ACU
    peak = peak_acu if peak_acu is not None else DEFAULT_PEAK_ACU
    PercentOfMaxAcuRule(max_acu=base)
    P99ToPeakAcuRule(peak_acu=peak)
    members = load_folder(Path(folder), max_acu=base, peak_acu=peak)
    return [(m.name, m.demand, _folder_cluster(m, max_acu=max_acu, read_frac=read_frac)) for m in members]
