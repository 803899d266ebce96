"""The replay's warning when demand needs more than MaxCapacity can serve within the SLO.

Owns :func:`max_capacity_warning`. The perfect-foresight ``bound``
(:class:`policy.trace_replay.policies.BoundPolicy`) is the cheapest MinCapacity schedule
with no SLO-violation minute and no shortfall only while every step is within
MaxCapacity's reach; :func:`policy.floors.cheapest_floors` caps each need at MaxCapacity,
so at steps beyond it the bound, like every policy, keeps the SLO minutes and the
shortfall, and a "cost vs bound 1.00x" there says nothing about a policy. The count is
:func:`policy.max_capacity.over_max_capacity` on the bound's layout (the writer plus a
tier-1 reader, ``read_frac`` on the reader), the rule ``cheapest_floors`` applies.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy.typing as npt

from placement import MAX_ACU_LIMIT
from policy.floors import FloorCluster
from policy.max_capacity import over_max_capacity
from policy.scaler import ScalerModel, half_ceil
from policy.types import ClusterSpec


def max_capacity_warning(
    scored_acu: npt.ArrayLike,
    *,
    scored_from: datetime,
    step_s: int,
    cluster: ClusterSpec,
    model: ScalerModel,
) -> str | None:
    """Say how much of the scored window needs more than MaxCapacity, and what the bound then means.

    Args:
        scored_acu: demand over the scored window, shape (n,), ACU; NaN where missing.
        scored_from: start of the window (UTC).
        step_s: step length, seconds.
        cluster: the simulated cluster (``limits.max_acu``, ``read_frac``).
        model: the scaler model (``slo_utilisation``).

    Returns:
        One warning when any step's busiest instance needs more than MaxCapacity
        (load x its share / ``slo_utilisation``), else None.

    Examples:
        >>> from datetime import UTC
        >>> spec = ClusterSpec.model_validate({"limits": {"max_acu": 2.0}, "read_frac": 0.5})
        >>> w = max_capacity_warning([1.0, 8.0], scored_from=datetime(2024, 1, 1, tzinfo=UTC),
        ...                          step_s=300, cluster=spec, model=ScalerModel(slo_utilisation=0.8))
        >>> print(w[:98])
        1 of the scored window's 2 steps (50.0%) need more than MaxCapacity 2 ACU can serve within the SLO
    """
    max_acu = cluster.limits.max_acu
    shares = FloorCluster(
        read_frac=cluster.read_frac, has_failover=True, min_acu=cluster.limits.min_acu, max_acu=max_acu
    ).shares()
    over = over_max_capacity(scored_acu, shares=shares, max_acu=max_acu, model=model)
    if over.first_over is None:
        return None
    at = scored_from + timedelta(seconds=over.first_over * step_s)
    enough = half_ceil(over.peak_need_acu)
    reach = (
        f"a MaxCapacity of {enough:g} ACU would serve every step"
        if enough <= MAX_ACU_LIMIT
        else f"even Aurora's largest MaxCapacity, {MAX_ACU_LIMIT:g} ACU, would not serve every step"
    )
    return (
        f"{over.n_over:,} of the scored window's {over.n_steps:,} steps ({over.share:.1%}) need more than "
        f"MaxCapacity {max_acu:g} ACU can serve within the SLO (load x instance share / "
        f"{model.slo_utilisation:g}; the busiest instance needs up to {over.peak_need_acu:.1f} ACU; the "
        f"first at {at:%Y-%m-%d %H:%M} UTC): no MinCapacity schedule avoids the SLO-violation minutes and "
        "the shortfall there, so every policy, the bound included, keeps them; the bound is then the "
        "cheapest schedule with the least shortfall this MaxCapacity allows, not a violation-free one, "
        f"and cost vs bound compares costs only; {reach}"
    )
