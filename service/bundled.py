"""Turn a bundled trace into replay inputs: its demand series and the cluster to simulate.

Owns :func:`bundled_replay_inputs`, shared by ``acuplan replay`` and the replay
benchmark so both replay exactly the same thing. Reads packaged files (through
``traces``), so it lives in ``service``.
"""

from __future__ import annotations

from typing import Any

from placement import CapacityLimits
from policy import ClusterSpec
from traces import DemandSeries, PercentOfMaxAcuRule, demand_series, load_bundled


def bundled_replay_inputs(
    name: str, *, max_acu: float | None = None, read_frac: float | None = None
) -> tuple[DemandSeries, ClusterSpec]:
    """Load bundled trace ``name`` as ACU demand and build the cluster to replay it on.

    The demand uses the trace's own demand rule on its own step (max per step, NaN for
    missing steps). The cluster's MaxCapacity defaults to the ACU a ``percent`` trace is
    measured against (AWS measures CPUUtilization against MaxCapacity, FACTS.md A7),
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
