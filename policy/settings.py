"""Derive the Aurora settings that realise a plan (pure; nothing is executed).

Owns :func:`aurora_settings`: MinCapacity/MaxCapacity changes over the horizon and the
reader instances with AZ and promotion tier, each change with what it buys;
:func:`time_raises`, which moves a raise to the trace step that first needs it; and
:func:`max_capacity_remedy`, the one wording of what to do when the writer needs more than
MaxCapacity (``recommend``'s warning and ``advise``'s ``max_capacity`` alerts). Imports
``policy.types``, ``policy.config``, ``policy.scaler`` and ``placement.MAX_ACU_LIMIT``.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from placement import MAX_ACU_LIMIT
from policy.config import PolicyConfig
from policy.scaler import half_ceil
from policy.types import AuroraSettings, CapacityChange, ClusterSpec, PlanStep, ReaderInstance, quantile_label

FloatArray = npt.NDArray[np.float64]

FAILOVER_TIER = 1
"""Tiers 0-1 scale with the writer, so a tier-1 reader is always ready (sources: aurora-ha)."""

READ_SCALING_TIER = 15
"""Aurora Auto Scaling gives new replicas tier 15 (sources: aurora-ha); they scale on their own."""


def max_capacity_remedy(need_acu: float, max_capacity_acu: float, setting: str = "") -> str:
    """What to do when the writer needs more than MaxCapacity: raise it, or, at 256 ACU, offload.

    Args:
        need_acu: the writer's largest need, ACU.
        max_capacity_acu: MaxCapacity today, ACU.
        setting: the field or option that sets MaxCapacity for the caller (e.g.
            ``cluster.limits.max_acu``), named in brackets after "MaxCapacity"; "" names none.

    Returns:
        The remedy as a clause. 256 ACU is Aurora Serverless v2's largest MaxCapacity
        (``placement.MAX_ACU_LIMIT``; Aurora User Guide, "Capacity ranges for Aurora
        Serverless v2"), so there the remedy is readers, not a higher limit.
    """
    if max_capacity_acu >= MAX_ACU_LIMIT:
        return (
            f"MaxCapacity is already Aurora's limit of {MAX_ACU_LIMIT:g} ACU: move read traffic to readers "
            "(the reader endpoint) or split the workload"
        )
    named = f" ({setting})" if setting else ""
    return (
        f"raise MaxCapacity{named} to {min(half_ceil(need_acu), MAX_ACU_LIMIT):g} ACU (max_connections "
        "follows MaxCapacity and changes only after a reboot)"
    )


def _why(steps: tuple[PlanStep, ...], i: int, floor: float, before: float | None, quantile: str) -> str:
    """One sentence on what the MinCapacity change at step ``i`` buys."""
    end = next((j for j in range(i + 1, len(steps)) if steps[j].min_capacity_acu != floor), len(steps))
    window = steps[i:end]
    peak = max(window, key=lambda s: s.demand_risk_acu)
    if before is None:
        return f"MinCapacity {floor:g} ACU from the start of the plan"
    if floor > before:
        why = next((s.floor_reason for s in window if s.floor_reason), "")
        return f"raise to {floor:g} ACU: " + (
            why
            or f"Aurora's own scaler, from where it would be, must reach the {quantile} demand forecast "
            f"of up to {peak.demand_risk_acu:.3g} ACU (at {peak.start:%H:%M} UTC) in time"
        )
    why = next((s.floor_reason for s in window if s.floor_reason), "")
    if why:  # a lower floor still needed for a later peak: say what it still buys
        return f"lower to {floor:g} ACU, the floor still needed: {why}"
    return (
        f"lower to {floor:g} ACU: from {steps[i].start:%H:%M} UTC Aurora's own scaler reaches the "
        f"{quantile} demand forecast on its own, so the higher floor would buy nothing"
    )


def _capacity_changes(
    steps: tuple[PlanStep, ...], max_acu: float, quantile: str
) -> tuple[CapacityChange, ...]:
    """MinCapacity changes at the start of the steps where the planned floor moves.

    No extra lead is added: the plan's floors already allow for the scaler's ramp and
    for the time a change takes to apply (:mod:`policy.floors`).
    """
    changes: list[CapacityChange] = []
    for i, s in enumerate(steps):
        floor = s.min_capacity_acu
        before = changes[-1].min_capacity_acu if changes else None
        if before == floor:
            continue
        changes.append(
            CapacityChange(
                at=s.start,
                min_capacity_acu=floor,
                max_capacity_acu=max_acu,
                reason=_why(steps, i, floor, before, quantile),
            )
        )
    return tuple(changes)


def time_raises(
    changes: tuple[CapacityChange, ...],
    floor_need_acu: FloatArray,
    *,
    start: datetime,
    step_s: int,
    block: int,
    deployed_acu: float | None,
    steps: tuple[PlanStep, ...],
    quantile: str,
) -> tuple[CapacityChange, ...]:
    """Move each MinCapacity raise to the first trace step of its plan step that needs it.

    The plan sets MinCapacity per plan step (``PolicyConfig.plan_step_s``, 15 minutes), but
    the need behind it is known per trace step (:func:`policy.floors.cheapest_floors`, which
    already allows for the ramp and for ``floor_apply_delay_s``). A raise for a jump at
    02:00 therefore fell at 01:45 and held up to twice the steady capacity 10 minutes longer
    than the jump needs (a nightly 4 -> 40 ACU batch: 22 ACU from 01:45 where 01:55 serves
    it as well). A raise moves to the first trace step of its plan step whose need tops the
    MinCapacity before it; one whose need never does (held for another reason) stays. The
    horizon's first change raises over the deployed floor: it is split into "stay at the
    deployed floor" at the horizon start and the raise when needed, so the schedule still
    starts at the horizon start. Lowerings never move.

    Args:
        changes: the plan's changes (:func:`aurora_settings`), sorted by ``at``; the first
            at ``start``.
        floor_need_acu: MinCapacity needed per trace step from ``start``, shape (n,), ACU.
        start: the horizon start (UTC).
        step_s: trace step, seconds.
        block: trace steps per plan step.
        deployed_acu: the MinCapacity deployed now; None: unknown (the first change stays).
        steps: the plan (the reason of a first change split in two is a raise's).
        quantile: the risk quantile's label (``quantile_label``), for that reason.

    Returns:
        The changes with raises moved later (never earlier, never past their plan step),
        sorted by ``at``.
    """
    out: list[CapacityChange] = []
    for k, change in enumerate(changes):
        before = out[-1].min_capacity_acu if out else deployed_acu
        if before is None or change.min_capacity_acu <= before:
            out.append(change)
            continue
        first = int((change.at - start).total_seconds()) // step_s
        needed = np.flatnonzero(floor_need_acu[first : first + block] > before + 1e-9)
        if needed.size == 0 or needed[0] == 0:
            out.append(change)
            continue
        at = start + timedelta(seconds=(first + int(needed[0])) * step_s)
        if k == 0:
            out.append(
                change.model_copy(
                    update={
                        "min_capacity_acu": before,
                        "reason": f"stay at {before:g} ACU until {at:%H:%M} UTC, when the raise is needed",
                    }
                )
            )
            change = change.model_copy(
                update={"reason": _why(steps, 0, change.min_capacity_acu, before, quantile)}
            )
        out.append(change.model_copy(update={"at": at}))
    return tuple(out)


def floor_at(changes: tuple[CapacityChange, ...], when: datetime) -> float:
    """Return the MinCapacity in force at ``when`` under ``changes`` (sorted by ``at``).

    Args:
        changes: the schedule; the first change is at or before ``when``.
        when: a time, timezone-aware.

    Returns:
        The ``min_capacity_acu`` of the last change at or before ``when``.

    Raises:
        ValueError: if ``when`` precedes the first change.
    """
    times = [c.at for c in changes]
    i = bisect_right(times, when) - 1
    if i < 0:
        raise ValueError(f"{when.isoformat()} precedes the first capacity change")
    return changes[i].min_capacity_acu


def _read_scaling_readers(steps: tuple[PlanStep, ...], step_s: int) -> list[ReaderInstance]:
    """One ReaderInstance per contiguous window in which an AZ needs >= j readers."""
    out: list[ReaderInstance] = []
    azs = sorted({a for s in steps for a in s.extra_readers_by_az})
    end = steps[-1].start + timedelta(seconds=step_s)
    for az in azs:
        counts = [s.extra_readers_by_az.get(az, 0) for s in steps]
        for j in range(1, max(counts, default=0) + 1):
            begin = None
            for t, n in enumerate(counts + [0]):
                if n >= j and begin is None:
                    begin = t
                elif n < j and begin is not None:
                    until = steps[t].start if t < len(steps) else end
                    out.append(
                        ReaderInstance(
                            az_id=az,
                            promotion_tier=READ_SCALING_TIER,
                            role="read_scaling",
                            needed_from=steps[begin].start,
                            needed_until=until,
                        )
                    )
                    begin = None
    return out


def aurora_settings(
    steps: tuple[PlanStep, ...], failover_az_id: str | None, cluster: ClusterSpec, config: PolicyConfig
) -> AuroraSettings:
    """Translate a per-step plan into Aurora settings.

    MinCapacity is cluster-wide in Aurora (every instance's floor) and follows the plan's
    ``min_capacity_acu``; MaxCapacity stays at the cluster limit. A change is listed at
    the horizon start and wherever MinCapacity moves, with the reason for it.

    Args:
        steps: the plan, length = horizon (non-empty).
        failover_az_id: AZ of the tier-1 reader, or None.
        cluster: the cluster (for MaxCapacity).
        config: the policy configuration (plan step, risk quantile).

    Returns:
        The settings, readers sorted by (needed_from, az_id, promotion_tier).
    """
    step_s = config.plan_step_s
    readers = _read_scaling_readers(steps, step_s)
    if failover_az_id is not None:
        readers.append(
            ReaderInstance(
                az_id=failover_az_id,
                promotion_tier=FAILOVER_TIER,
                role="failover",
                needed_from=steps[0].start,
                needed_until=steps[-1].start + timedelta(seconds=step_s),
            )
        )
    readers.sort(key=lambda r: (r.needed_from, r.az_id, r.promotion_tier))
    return AuroraSettings(
        capacity_changes=_capacity_changes(
            steps, cluster.limits.max_acu, quantile_label(config.risk_quantile)
        ),
        readers=tuple(readers),
    )
