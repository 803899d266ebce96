"""Derive the Aurora settings that realise a plan (pure; nothing is executed).

Owns :func:`aurora_settings`: MinCapacity/MaxCapacity changes over the horizon and the
reader instances with AZ and promotion tier. Imports only ``policy.types``.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta

from policy.types import AuroraSettings, CapacityChange, ClusterSpec, PlanStep, ReaderInstance

FAILOVER_TIER = 1
"""Tiers 0-1 scale with the writer, so a tier-1 reader is always ready (FACTS.md A3)."""

READ_SCALING_TIER = 15
"""Aurora Auto Scaling gives new replicas tier 15 (FACTS.md A3); they scale on their own."""


def _capacity_changes(
    steps: tuple[PlanStep, ...], max_acu: float, prewarm_s: int
) -> tuple[CapacityChange, ...]:
    """MinCapacity changes: decreases at the step start, increases ``prewarm_s`` earlier.

    An increase is never scheduled before the horizon start or before the previous
    change; if it would land on the previous change's time, the two merge into the
    larger floor (the capacity-safe choice).
    """
    changes: list[CapacityChange] = []
    for s in steps:
        if changes and changes[-1].min_capacity_acu == s.writer_acu:
            continue
        at = s.start
        if changes and s.writer_acu > changes[-1].min_capacity_acu:
            at = max(s.start - timedelta(seconds=prewarm_s), changes[-1].at)
        if changes and at == changes[-1].at:
            merged = max(s.writer_acu, changes[-1].min_capacity_acu)
            changes[-1] = changes[-1].model_copy(update={"min_capacity_acu": merged})
            continue
        changes.append(CapacityChange(at=at, min_capacity_acu=s.writer_acu, max_capacity_acu=max_acu))
    return tuple(changes)


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
    steps: tuple[PlanStep, ...],
    failover_az_id: str | None,
    cluster: ClusterSpec,
    step_s: int,
    prewarm_s: int = 0,
) -> AuroraSettings:
    """Translate a per-step plan into Aurora settings.

    MinCapacity is cluster-wide in Aurora, so it is set to the writer's planned capacity
    (every instance's floor); MaxCapacity stays at the cluster limit. A change is listed
    at the horizon start and wherever MinCapacity moves; increases are scheduled
    ``prewarm_s`` before the step that needs them, because Aurora needs time to scale up
    to a new floor too.

    Args:
        steps: the plan, length = horizon (non-empty).
        failover_az_id: AZ of the tier-1 reader, or None.
        cluster: the cluster (for MaxCapacity).
        step_s: plan step, seconds.
        prewarm_s: lead time for floor increases, seconds.

    Returns:
        The settings, readers sorted by (needed_from, az_id, promotion_tier).
    """
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
        capacity_changes=_capacity_changes(steps, cluster.limits.max_acu, prewarm_s),
        readers=tuple(readers),
    )
