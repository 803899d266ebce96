"""Turn a demand forecast into a Recommendation: floors Aurora needs, then the optimiser.

Owns :func:`plan_from_forecast` (the forecast at the history's step -> the MinCapacity
the writer needs so that Aurora's own scaler reaches the risk quantile in time, and the
capacity that scaler holds anyway, both from :mod:`policy.floors`) and
:func:`plan_recommendation` (the placement optimiser on the plan-step grid -> the
Recommendation with its settings, cost and reasons). ``recommend`` and the risk-quantile
sweep both come through here. Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from forecasting.unprecedented import UNPRECEDENTED_LEVEL
from placement import (
    MAX_SECONDARY_READERS,
    AzReaders,
    PlacementPlan,
    PlacementProblem,
    PreviousLayout,
    SecondaryPlan,
    SolverParams,
    SolveStatus,
    acu_to_half_acu_ceil,
    half_acu_to_acu,
    solve,
)
from policy.config import PolicyConfig
from policy.floors import (
    FloorCluster,
    cheapest_floors,
    fill_short_dips,
    hold_small_decreases,
    reachable_demand,
    scaler_hold,
    scaler_now,
)
from policy.quality import pinned_remedy
from policy.scaler import ScalerModel, half_ceil
from policy.settings import aurora_settings, max_capacity_remedy, time_raises
from policy.types import (
    ClusterSpec,
    DataQuality,
    DemandContext,
    PlanStep,
    Recommendation,
    SolverReport,
    quantile_label,
)

FloatArray = npt.NDArray[np.float64]

MAX_CAPACITY_SETTING = "cluster.limits.max_acu"
"""Where MaxCapacity is set in the library and the HTTP request; the CLI names ``--max-acu`` instead."""

_EPS = 1e-9


def aggregate_max(values: FloatArray, block: int) -> FloatArray:
    """Aggregate the last axis into blocks of ``block`` steps by their maximum.

    The max is the conservative statistic: a plan step must cover the busiest trace
    step inside it (a mean hides the burst that breaks latency).

    Args:
        values: shape (..., n) with n a multiple of ``block``.
        block: steps per block, >= 1.

    Returns:
        Shape (..., n // block).
    """
    shape = values.shape[:-1] + (values.shape[-1] // block, block)
    return np.asarray(values.reshape(shape).max(axis=-1), dtype=np.float64)


def _shortfall_probability(quantiles: tuple[float, ...], demand: FloatArray, usable: float) -> float:
    """P(demand > usable) by linear interpolation between forecast quantiles.

    Beyond the highest quantile the probability is reported as its upper bound
    1 - q_max; below the lowest, as 1 - q_min.
    """
    q = np.asarray(quantiles, dtype=np.float64)
    values = np.maximum.accumulate(demand)
    if usable >= values[-1]:
        return float(1.0 - q[-1])
    if usable <= values[0]:
        return float(1.0 - q[0])
    return float(1.0 - np.interp(usable, values, q))


def _fail_safe_plan(
    need_acu: FloatArray,
    hold_acu: FloatArray,
    cluster: ClusterSpec,
    config: PolicyConfig,
    previous: PreviousLayout | None,
    status: SolveStatus,
) -> PlacementPlan:
    """A plan that never scales down: hold the deployed layout or go up to the floor need.

    The writer floor is max(deployed floor, largest floor need), capped at MaxCapacity;
    the writer's capacity (what it is billed) is max(floor, ``hold_acu``: what Aurora's
    scaler holds anyway per plan step, shape (n,), ACU, a mean over the plan step rounded
    up to the 0.5-ACU grid Aurora scales on, sources: aurora-capacity), as in a solved
    plan, so every capacity of the plan is on that grid; the failover
    reader follows it and each kept tier 2-15 reader is counted at it too (conservative:
    it scales on its own share of the reads). The deployed failover reader and tier 2-15 readers are all
    kept (a new failover reader is added in the first other AZ when the policy requires
    one and none is deployed), and so are deployed global-database secondaries with their
    floors and readers.
    """
    limits, topo = cluster.limits, cluster.topology
    held = previous.writer_acu if previous is not None else limits.min_acu
    level = float(half_acu_to_acu(acu_to_half_acu_ceil(max(held, float(need_acu.max(initial=0.0))))))
    level = min(max(level, limits.min_acu), limits.max_acu)
    n = len(need_acu)
    failover_az = previous.failover_az_id if previous is not None else None
    if failover_az is None and config.require_failover_reader:
        failover_az = next(a for a in sorted(topo.az_ids) if a != topo.writer_az_id)
    kept = previous.extra_readers_by_az if previous is not None else {}
    hold = half_acu_to_acu(acu_to_half_acu_ceil(np.asarray(hold_acu, dtype=np.float64)))
    writer = np.minimum(np.maximum(level, hold), limits.max_acu)
    extra = tuple(
        AzReaders(az_id=a, count=(kept.get(a, 0),) * n, acu=tuple(float(kept.get(a, 0) * w) for w in writer))
        for a in sorted(topo.az_ids)
    )
    secondaries = _held_secondaries(previous, n)
    held_secondary = sum(r.acu[0] for sec in secondaries for r in sec.readers) if n else 0.0
    capacity = writer * (1 + (failover_az is not None) + sum(kept.values())) + held_secondary
    return PlacementPlan(
        status=status,
        writer_acu=tuple(float(x) for x in writer),
        min_capacity_acu=(level,) * n,
        failover_az_id=failover_az,
        failover_reader_acu=tuple(float(x) for x in writer) if failover_az is not None else (),
        extra_readers=extra,
        shortfall_acu=tuple(float(x) for x in np.maximum(need_acu - capacity, 0.0)),
        secondaries=secondaries,
    )


def _held_secondaries(previous: PreviousLayout | None, n: int) -> tuple[SecondaryPlan, ...]:
    """The deployed global-database secondaries, held as they are (never removed here)."""
    if previous is None:
        return ()
    out = []
    for region, floor in sorted(previous.secondary_floor_acu.items()):
        readers = previous.secondary_readers_by_az.get(region, {})
        out.append(
            SecondaryPlan(
                region=region,
                min_capacity_acu=(floor,) * n,
                readers=tuple(
                    AzReaders(az_id=a, count=(k,) * n, acu=(k * floor,) * n)
                    for a, k in sorted(readers.items())
                ),
            )
        )
    return tuple(out)


def _steps(
    plan: PlacementPlan,
    quantiles: tuple[float, ...],
    demand_q: FloatArray,
    risk_row: int,
    start: datetime,
    step_s: int,
    floor_need: FloatArray,
    floor_reasons: tuple[str, ...] | None,
    target_utilisation: float,
) -> tuple[PlanStep, ...]:
    """The plan's steps.

    ``shortfall_acu`` is capacity (load / ``target_utilisation``), so the demand it leaves
    unserved is ``shortfall_acu x target_utilisation``.
    """
    out = []
    median_row = quantiles.index(0.5) if 0.5 in quantiles else 0
    for t, writer in enumerate(plan.writer_acu):
        by_az = {r.az_id: r.count[t] for r in plan.extra_readers}
        acu_by_az = {r.az_id: r.acu[t] for r in plan.extra_readers}
        failover = plan.failover_reader_acu[t] if plan.failover_reader_acu else 0.0
        secondary = {sec.region: sum(r.acu[t] for r in sec.readers) for sec in plan.secondaries}
        capacity = writer + failover + sum(acu_by_az.values()) + sum(secondary.values())
        floor = plan.min_capacity_acu[t] if plan.min_capacity_acu else writer
        risk = float(demand_q[risk_row, t])
        # The demand the plan lets Aurora serve in time: the risk quantile, scaled down
        # when the floor falls short of its need, less what it leaves uncovered (MaxCapacity).
        served = risk * min(floor / floor_need[t], 1.0) if floor_need[t] > floor else risk
        served = max(min(served, risk - plan.shortfall_acu[t] * target_utilisation), 0.0)
        out.append(
            PlanStep(
                start=start + timedelta(seconds=t * step_s),
                demand_p50_acu=float(demand_q[median_row, t]),
                demand_risk_acu=risk,
                min_capacity_acu=floor,
                writer_acu=writer,
                floor_need_acu=float(floor_need[t]),
                floor_reason=floor_reasons[t] if floor_reasons is not None else "",
                failover_reader_acu=failover,
                extra_readers_by_az=by_az,
                extra_reader_acu_by_az=acu_by_az,
                capacity_acu=capacity,
                shortfall_acu=plan.shortfall_acu[t],
                shortfall_probability=_shortfall_probability(quantiles, demand_q[:, t], served),
                secondary_acu_by_region=secondary,
            )
        )
    return tuple(out)


def _reasons(
    plan: PlacementPlan,
    steps: tuple[PlanStep, ...],
    config: PolicyConfig,
    cluster: ClusterSpec,
    *,
    held: bool,
    beyond_limits: bool,
    previous: PreviousLayout | None = None,
    out_of_reach: bool = False,
) -> list[str]:
    """Why the plan is what it is, one sentence each.

    ``out_of_reach``: some of the risk-quantile demand is beyond what Aurora's scaler can
    reach in time from where it is now (reported as shortfall and blamed on that).

    A held plan's floor and readers are the deployed ones: the hold sentence says why, so
    no sentence here claims the forecast chose them. Uncovered demand is blamed on
    MaxCapacity where the writer's writes need more than it (:func:`writer_need_acu`),
    on the limits where the whole cluster cannot serve the demand or the floor is at
    MaxCapacity, else on the shortfall penalty.
    """
    floors = [s.min_capacity_acu for s in steps]
    q = quantile_label(config.risk_quantile)
    ramp = config.scaler.ramp
    if held:
        reasons = []
    elif not plan.has_solution:
        reasons = [
            f"optimiser returned {plan.status.value}: fail-safe plan holds the deployed layout or "
            f"raises the floor to what Aurora's scaler needs for the {q} forecast "
            f"({max(floors):g} ACU); it never scales down"
        ]
    elif out_of_reach:
        reasons = [
            f"Aurora's own scaler cannot reach all of the {q} demand forecast in time from where it is "
            f"now ({ramp.name} ramp profile: a MinCapacity change takes {ramp.floor_apply_delay_s:g} s, then "
            f"capacity doubles every {ramp.scale_up_doubling_s:g} s), not even with MinCapacity at "
            f"MaxCapacity now; the part it cannot reach is reported as shortfall"
            + (
                f", and MinCapacity is raised up to {max(floors):g} ACU where that still helps"
                if max(floors) > cluster.limits.min_acu
                else ""
            )
        ]
    elif max(floors) <= cluster.limits.min_acu:
        reasons = [
            f"MinCapacity stays at {cluster.limits.min_acu:g} ACU: Aurora's own scaler reaches the {q} "
            f"demand forecast in time from where it would be ({ramp.name} ramp profile: capacity "
            f"doubles every {ramp.scale_up_doubling_s:g} s), so a higher floor would buy nothing"
        ]
    else:
        raised = sum(f > cluster.limits.min_acu for f in floors)
        reasons = [
            f"MinCapacity is raised (up to {max(floors):g} ACU) in {raised} of {len(floors)} steps, only "
            f"where Aurora's own scaler could not climb to the {q} demand forecast in time ({ramp.name} "
            f"ramp profile: capacity doubles every {ramp.scale_up_doubling_s:g} s, a MinCapacity change "
            f"takes {ramp.floor_apply_delay_s:g} s); a floor costs only its part above what the scaler "
            "holds anyway"
        ]
    if plan.failover_az_id:
        reasons.append(
            f"a promotion-tier-1 reader in {plan.failover_az_id} follows the writer's capacity: "
            "failover with a ready reader restores service in < 120 s instead of < 10 min (AWS)"
        )
    if plan.has_solution and not held and (readers := _reader_reason(plan, steps, config, cluster, previous)):
        reasons.append(readers)
    short = sum(s.shortfall_acu for s in steps)
    if short > 0:
        writer_bound = _writer_beyond_max(steps, cluster, config)
        at_max = any(s.shortfall_acu > 0 and s.min_capacity_acu >= cluster.limits.max_acu for s in steps)
        if held:
            cause = "the plan holds the deployed layout (the data cannot be trusted)"
        elif out_of_reach:
            cause = "Aurora's scaler cannot climb to it in time from where it is now"
        elif writer_bound is not None:
            need, n, _ = writer_bound
            peak = max(s.demand_risk_acu for s in steps)
            cause = (
                f"MaxCapacity {cluster.limits.max_acu:g} ACU binds: the {q} forecast needs up to "
                f"{need:.3g} ACU on the writer in {n} of {len(steps)} steps (its writes, "
                f"{1 - cluster.read_frac:.0%} of up to {peak:.3g} ACU of demand, at the "
                f"{config.target_utilisation:.0%} target utilisation), "
                "and only the writer serves writes"
            )
        elif at_max or beyond_limits or not plan.has_solution:
            cause = "the limits (MaxCapacity, reader count) bind"
        else:
            cause = "leaving it short is cheaper than capacity at the configured shortfall penalty"
        reasons.append(f"{short:g} ACU-steps of demand stay uncovered: {cause}")
    if plan.status is SolveStatus.FEASIBLE_AT_TIMEOUT:
        reasons.append(_timeout_reason(plan.solve_time_s, plan.gap, config.solver))
    return reasons + _placement_reasons(plan)


def _timeout_reason(solve_time_s: float, gap: float, solver: SolverParams) -> str:
    """Which limit stopped the solver, and whether a rerun gives the same plan."""
    if solver.deterministic_time_limit is None or solve_time_s >= WALL_CLOCK_SHARE * solver.time_limit_s:
        return (
            f"solver hit its {solver.time_limit_s:g}-s wall-clock limit (a busy machine stops it at "
            f"another point: a rerun may give another plan); best plan found, gap {gap:.1%}"
        )
    return (
        f"solver hit its work limit ({solver.deterministic_time_limit:g} deterministic-time units: "
        f"a rerun gives the same plan); best plan found, gap {gap:.1%}"
    )


WALL_CLOCK_SHARE = 0.99
"""A solve that ran this share of its wall-clock limit was stopped by it (CP-SAT does not say
which limit stopped it; the wall clock is checked between search steps, so a cut lands at or
just past the limit)."""


def writer_need_acu(demand_acu: FloatArray, cluster: ClusterSpec, config: PolicyConfig) -> FloatArray:
    """Writer capacity the writes need at each step (a plan's or a history's), ACU, shape of ``demand_acu``.

    Writes go to the writer alone: their share ``1 - read_frac`` of the demand over
    ``config.target_utilisation``, the utilisation the placement's ``capacity`` family
    sizes the writer and the readers at (without a latency SLO; with one the writer's
    utilisation can be lower, and this is a lower bound). The optimiser leaves exactly
    the part above MaxCapacity uncovered, whatever the shortfall penalty.

    Args:
        demand_acu: demand at the risk quantile per plan step, ACU.
        cluster: the cluster (its ``read_frac``).
        config: the policy configuration (its ``target_utilisation``).

    Returns:
        The need per step, ACU, same shape as ``demand_acu``.
    """
    return np.asarray(demand_acu, dtype=np.float64) * (1.0 - cluster.read_frac) / config.target_utilisation


def _writer_beyond_max(
    steps: tuple[PlanStep, ...], cluster: ClusterSpec, config: PolicyConfig
) -> tuple[float, int, datetime] | None:
    """Where the writer needs more than MaxCapacity (:func:`writer_need_acu`); None if nowhere.

    Returns:
        The largest need (ACU), the number of plan steps above MaxCapacity and the start
        of the first of them.
    """
    need = writer_need_acu(np.array([s.demand_risk_acu for s in steps]), cluster, config)
    over = need > cluster.limits.max_acu + _EPS
    if not over.any():
        return None
    return float(need.max()), int(over.sum()), steps[int(np.argmax(over))].start


def _max_capacity_warnings(
    steps: tuple[PlanStep, ...], cluster: ClusterSpec, config: PolicyConfig
) -> tuple[str, ...]:
    """The warning to raise MaxCapacity when the writer's need exceeds it (:func:`writer_need_acu`).

    Worded as ``advise``'s ``max_capacity`` alerts (:func:`policy.settings.max_capacity_remedy`),
    naming the setting as :data:`MAX_CAPACITY_SETTING`. Empty when MaxCapacity suffices.
    """
    over = _writer_beyond_max(steps, cluster, config)
    if over is None:
        return ()
    need, n, first = over
    max_acu = cluster.limits.max_acu
    q = quantile_label(config.risk_quantile)
    return (
        f"the {q} demand forecast needs up to {need:.3g} ACU on the writer, above MaxCapacity {max_acu:g} "
        f"in {n} of {len(steps)} steps (from {first:%Y-%m-%d %H:%M} UTC): "
        + max_capacity_remedy(need, max_acu, MAX_CAPACITY_SETTING),
    )


def _reader_reason(
    plan: PlacementPlan,
    steps: tuple[PlanStep, ...],
    config: PolicyConfig,
    cluster: ClusterSpec,
    previous: PreviousLayout | None,
) -> str | None:
    """What the plan's tier 2-15 readers buy, from its own numbers; None without such readers.

    The placement's ``capacity`` family covers the read share of the risk-quantile demand
    at ``config.target_utilisation`` with reader capacity: the tier-1 reader, which
    follows the writer's capacity (billed anyway) and may rise to MaxCapacity, and, when
    no tier-1 reader is required, the writer's room below MaxCapacity after its writes.
    Per step with readers, the reason compares that need with what those instances give
    for free (the tier-1 reader at the writer's capacity, the writer's room) and at most
    (each at MaxCapacity):

    * above the most: the tier-15 readers are the only way to serve the reads;
    * above the free part only: they buy the rest of the read capacity, at the same ACU
      price as a larger tier-1 reader (the optimiser's cost cannot tell the two apart);
    * neither: not read capacity; the reason names the rule that holds them (AZ spread
      without a tier-1 reader, deployed readers and their churn penalty, the placement
      options).

    Units: ACU; the shares and utilisation as percentages.
    """
    counts = [sum(s.extra_readers_by_az.values()) for s in steps]
    n_extra = max(counts, default=0)
    if not n_extra:
        return None
    on = [s for s, c in zip(steps, counts, strict=True) if c]
    head = (
        f"up to {n_extra} tier-15 reader(s) added (up to "
        f"{max(sum(s.extra_reader_acu_by_az.values()) for s in on):g} ACU)"
    )
    max_acu, u, frac = cluster.limits.max_acu, config.target_utilisation, cluster.read_frac
    q = quantile_label(config.risk_quantile)
    risk = np.array([s.demand_risk_acu for s in on])
    need = risk * frac / u
    tier1 = plan.failover_az_id is not None
    reads_on_writer = not config.require_failover_reader  # the placement's rule (placement.data)
    room = (
        np.maximum(max_acu - writer_need_acu(risk, cluster, config), 0.0) if reads_on_writer else 0.0 * risk
    )
    free = np.array([s.writer_acu if tier1 else 0.0 for s in on]) + room
    most = (max_acu if tier1 else 0.0) + room
    demand = (
        f"the {q} read demand of up to {float(risk.max() * frac):.3g} ACU ({frac:.0%} of demand) needs up "
        f"to {float(need.max()):.3g} ACU of reader capacity at the {u:.0%} target utilisation"
    )
    names = [
        w
        for w, ok in (("the tier-1 reader", tier1), ("the writer, after its writes,", reads_on_writer))
        if ok
    ]
    who = " and ".join(names)
    if who and np.any(need > most + _EPS):
        reach = "reaches" if len(names) == 1 else "reach"
        return f"{head}: {demand}, more than {who} {reach} at MaxCapacity {max_acu:g} ACU"
    if tier1 and np.any(need > free + _EPS):
        i = int(np.argmax(need - free))
        return (
            f"{head}: {demand}, and the tier-1 reader holds {on[i].writer_acu:g} ACU following the writer; "
            "they buy the rest, at the same ACU price as a larger tier-1 reader"
        )
    covered = f"{who or 'the instances'} {'covers' if len(names) == 1 else 'cover'}"
    if not tier1 and config.min_azs > 1:
        why = f"instances must span at least {config.min_azs} AZs and no tier-1 reader is kept"
    elif previous is not None and previous.extra_readers_by_az:
        why = (
            "they are deployed, and deleting one costs the reader churn penalty "
            f"(${config.reader_churn_penalty_usd:g})"
        )
    elif cluster.placement is not None:
        why = "the placement options (latency SLO, AZ-loss survival, dynamics) need them"
    else:
        why = "the optimiser's other rules keep them"
    return f"{head} because {why}; read capacity does not need them: {demand}, which {covered}"


def _placement_reasons(plan: PlacementPlan) -> list[str]:
    """Reasons from the multi-region parts of the plan: regions, advice, conflicts."""
    out = []
    if plan.conflicting_families:
        out.append(
            "the hard constraints conflict, so no plan meets them all: "
            + " + ".join(plan.conflicting_families)
            + " (relax one of these families)"
        )
    for sec in plan.secondaries:
        role = (
            "serves nearby reads and is the region-level DR target"
            if sec.is_dr_target
            else "serves nearby reads"
        )
        out.append(f"global-database secondary in {sec.region} {role}")
    advice = plan.storage_advice
    if advice is not None and advice.io_optimized_cheaper and advice.current == "standard":
        out.append(
            f"Aurora I/O-Optimized would cost ${advice.io_optimized_usd:,.2f} instead of "
            f"${advice.standard_usd:,.2f} over the horizon for this plan"
        )
    out.extend(s.detail for s in plan.shadow_costs if s.change == "relax" and (s.delta_usd or 0) > 0)
    return out


def _max_cluster_acu(cluster: ClusterSpec) -> float:
    """Largest capacity the cluster can hold: every instance at MaxCapacity."""
    limits = cluster.limits
    slots = len(cluster.topology.az_ids) * limits.max_extra_readers_per_az + 1
    primary = limits.max_acu * (1 + min(limits.max_readers, slots))
    options = cluster.placement
    if options is None:
        return primary
    secondary = sum(
        limits.max_acu * min(MAX_SECONDARY_READERS, len(sec.az_ids) * limits.max_extra_readers_per_az)
        for sec in options.secondaries
    )
    return primary + secondary


def plan_recommendation(
    demand_q: FloatArray,
    *,
    quantiles: tuple[float, ...],
    start: datetime,
    cluster: ClusterSpec,
    config: PolicyConfig,
    previous: PreviousLayout | None,
    forecast_model: str,
    floor_need_acu: FloatArray,
    scaler_capacity_acu: FloatArray,
    floor_reasons: tuple[str, ...] | None = None,
    warnings: tuple[str, ...] = (),
    data_quality: DataQuality | None = None,
    extra_reasons: tuple[str, ...] = (),
    unreachable_acu: FloatArray | None = None,
) -> Recommendation:
    """Optimise a plan for demand quantiles and floor needs already on the plan-step grid.

    Args:
        demand_q: demand quantiles, shape (n_quantiles, horizon), ACU, per plan step of
            ``config.plan_step_s`` seconds.
        quantiles: the quantile of each row, ascending; must contain the risk quantile.
        start: start of the first plan step (UTC).
        cluster: the cluster.
        config: policy configuration.
        previous: the deployed layout (churn and warm start), or None.
        forecast_model: name of the model that produced ``demand_q``.
        floor_need_acu: MinCapacity the writer needs per plan step so Aurora's scaler
            reaches the risk quantile in time, shape (horizon,), ACU.
        scaler_capacity_acu: writer capacity Aurora's scaler holds anyway per plan step,
            shape (horizon,), ACU.
        floor_reasons: why each plan step needs a floor above the minimum ("" where it
            does not), shape (horizon,); None: no reasons.
        warnings: warnings to carry into the Recommendation.
        data_quality: the history's quality; ``held`` keeps the deployed layout as a
            lower bound (``PlacementProblem.hold_previous``).
        extra_reasons: more reasons from the inputs (the working set, the signals).
        unreachable_acu: risk-quantile demand per plan step beyond what Aurora's scaler can
            reach in time from where it is now (:func:`policy.floors.reachable_demand`),
            shape (horizon,), ACU; it is added to the shortfall. None: nothing out of reach.

    Returns:
        The Recommendation; a fail-safe one (never below the deployed floor) when the
        solver finds no plan.
    """
    risk_row = quantiles.index(config.risk_quantile)
    # Demand beyond what every instance at MaxCapacity could serve cannot change the plan;
    # clip it (keeps solver integers small) and report the excess as shortfall.
    servable = _max_cluster_acu(cluster) * config.target_utilisation
    risk = demand_q[risk_row]
    clipped = np.minimum(risk, servable)
    need = np.minimum(np.asarray(floor_need_acu, dtype=np.float64), cluster.limits.max_acu)
    held = data_quality is not None and data_quality.held
    problem = PlacementProblem(
        step_s=config.plan_step_s,
        demand_acu=tuple(float(x) for x in clipped),
        read_frac=cluster.read_frac,
        target_utilisation=config.target_utilisation,
        topology=cluster.topology,
        limits=cluster.limits,
        price_usd_per_acu_hour=cluster.price_usd_per_acu_hour,
        shortfall_penalty_usd_per_acu_hour=config.shortfall_penalty_for(cluster.price_usd_per_acu_hour),
        churn_penalty_usd_per_acu=config.churn_penalty_usd_per_acu,
        reader_churn_penalty_usd=config.reader_churn_penalty_usd,
        min_azs=config.min_azs,
        require_failover_reader=config.require_failover_reader,
        previous=previous,
        hold_previous=held and previous is not None,
        floor_need_acu=tuple(float(x) for x in need),
        scaler_capacity_acu=tuple(float(x) for x in scaler_capacity_acu),
        **(cluster.placement.problem_fields() if cluster.placement is not None else {}),
    )
    plan = solve(problem, config.solver)
    infeasible = tuple(plan.conflicting_families)
    if not plan.has_solution:
        plan = _fail_safe_plan(
            need, np.asarray(scaler_capacity_acu, dtype=np.float64), cluster, config, previous, plan.status
        )
        plan = plan.model_copy(update={"conflicting_families": plan.conflicting_families or infeasible})
    excess = (risk - clipped) / config.target_utilisation
    late = np.zeros(len(risk)) if unreachable_acu is None else np.minimum(unreachable_acu, clipped)
    if np.any(late > 0):  # demand no schedule serves in time from now: short, not covered
        shortfall = tuple(
            float(a + b) for a, b in zip(plan.shortfall_acu, late / config.target_utilisation, strict=True)
        )
        plan = plan.model_copy(update={"shortfall_acu": shortfall})
    if np.any(excess > 0):
        shortfall = tuple(float(a + b) for a, b in zip(plan.shortfall_acu, excess, strict=True))
        plan = plan.model_copy(update={"shortfall_acu": shortfall})
        warnings = (
            *warnings,
            f"forecast demand exceeds what the cluster can serve ({servable:g} ACU with every "
            "instance at MaxCapacity); the excess is reported as shortfall",
        )
    steps = _steps(
        plan,
        quantiles,
        demand_q,
        risk_row,
        start,
        config.plan_step_s,
        need,
        floor_reasons,
        config.target_utilisation,
    )
    beyond = bool(np.any(excess > 0))
    reasons = _reasons(
        plan,
        steps,
        config,
        cluster,
        held=held,
        beyond_limits=beyond,
        previous=previous,
        out_of_reach=bool(np.any(late > 0)),
    )
    reasons += list(extra_reasons)
    warnings = (*warnings, *_max_capacity_warnings(steps, cluster, config))
    if held and data_quality is not None:
        reasons.insert(
            0,
            "the plan holds the deployed MinCapacity (neither lowered nor raised on a forecast from "
            "gaps) and keeps the deployed readers because the data cannot be trusted: "
            + "; ".join(data_quality.flags),
        )
    cost = sum(s.capacity_acu for s in steps) * config.plan_step_s / 3600 * cluster.price_usd_per_acu_hour
    if plan.costs is not None:
        cost = plan.costs.compute_usd  # regional prices when there are secondaries
    return Recommendation(
        cluster_id=cluster.cluster_id,
        generated_at=start,
        step_s=config.plan_step_s,
        risk_quantile=config.risk_quantile,
        target_utilisation=config.target_utilisation,
        steps=steps,
        failover_az_id=plan.failover_az_id,
        settings=aurora_settings(steps, plan.failover_az_id, cluster, config),
        expected_cost_usd=cost,
        forecast_model=forecast_model,
        solver=SolverReport(
            status=plan.status,
            solve_time_s=plan.solve_time_s,
            objective_usd=plan.objective_usd,
            best_bound_usd=plan.best_bound_usd,
            gap=plan.gap,
            n_blocks=plan.n_blocks,
            from_warm_start=plan.from_warm_start,
        ),
        is_fail_safe=not plan.has_solution,
        reasons=tuple(reasons),
        warnings=warnings,
        data_quality=data_quality,
    ).model_copy(update=_placement_fields(plan, infeasible))


def plan_from_forecast(
    demand_q: FloatArray,
    *,
    quantiles: tuple[float, ...],
    history_acu: FloatArray,
    step_s: int,
    start: datetime,
    cluster: ClusterSpec,
    config: PolicyConfig,
    previous: PreviousLayout | None,
    forecast_model: str,
    warnings: tuple[str, ...] = (),
    data_quality: DataQuality | None = None,
    context: DemandContext | None = None,
) -> Recommendation:
    """Plan from a demand forecast at the history's own step.

    1. Where Aurora's scaler is now: the recent history run through the scaler model
       under the deployed floor (:func:`policy.floors.scaler_now`).
    2. The floor it needs, per history step: the cheapest schedule under which the
       scaler, following the low quantile (``config.low_quantile``), starts every step
       able to serve the risk quantile (:func:`policy.floors.cheapest_floors`), with
       MinCapacity changes taking effect after the profile's delay; a lull of at most
       ``config.floor_dip_hold_s`` between two raises keeps the floor
       (:func:`policy.floors.fill_short_dips`). With ``config.floor_from_forecast`` off,
       ``limits.min_acu`` throughout instead.
    3. What the scaler holds anyway: its mean writer capacity under the median forecast
       and the base floor (:func:`policy.floors.scaler_hold`).
    4. All three to the plan step (demand and floor need by the max, the hold by the
       mean), and the optimiser (:func:`plan_recommendation`).

    Args:
        demand_q: forecast quantiles, shape (n_quantiles, horizon_steps), ACU, at
            ``step_s``; horizon_steps a multiple of the steps per plan step.
        quantiles: the quantile of each row, ascending; contains ``config.quantiles``.
        history_acu: the demand history ending now, shape (n,), ACU (validated).
        step_s: history step, seconds (divides ``config.plan_step_s``).
        start: now, the start of the plan (UTC).
        cluster: the cluster.
        config: policy configuration (its ``scaler`` is the Aurora planned for).
        previous: the deployed layout, or None (then ``limits.min_acu`` is the floor).
        forecast_model: the model name, for the Recommendation.
        warnings: carried into the Recommendation.
        data_quality: the history's quality; when ``held``, the floor stays at
            ``previous.writer_acu`` over the whole horizon (only the working set may lift it),
            no deployed reader or failover AZ is dropped, and the reasons say why.
        context: the working set (kept as a floor), which signals bind (a reason) and notes
            for the user (warnings).

    Returns:
        The :class:`Recommendation`.
    """
    limits = cluster.limits
    block = config.plan_step_s // step_s
    floor_cluster = FloorCluster(
        read_frac=cluster.read_frac,
        has_failover=config.require_failover_reader,
        min_acu=limits.min_acu,
        max_acu=limits.max_acu,
    )
    deployed = previous.writer_acu if previous is not None else limits.min_acu
    model = config.scaler
    now_state = scaler_now(history_acu, step_s=step_s, cluster=floor_cluster, model=model, floor_acu=deployed)
    rows = {q: demand_q[quantiles.index(q)] for q in config.quantiles}
    held = data_quality is not None and data_quality.held
    if held:
        # The forecast rests on fills: hold the deployed floor exactly. Raising it here
        # would make the raise the next decision's floor to hold - a ratchet on guesses.
        floors = np.full(len(rows[config.risk_quantile]), deployed, dtype=np.float64)
    elif not config.floor_from_forecast:
        floors = np.full(len(rows[config.risk_quantile]), limits.min_acu, dtype=np.float64)
    else:
        floors = cheapest_floors(
            rows[config.low_quantile],
            rows[config.risk_quantile],
            step_s=step_s,
            cluster=floor_cluster,
            model=model,
            start=now_state,
            floor_before_acu=deployed,
        )
        floors = fill_short_dips(floors, config.floor_dip_hold_s // step_s, before_acu=deployed)
    flags = data_quality.flags if data_quality is not None and not held else ()
    seen_cap = _seen_floor_cap(history_acu, floor_cluster, model) if flags else None
    capped: tuple[str, ...] = ()
    if seen_cap is not None and float(floors.max(initial=0.0)) > (cap := max(seen_cap, limits.min_acu)):
        # nothing deployed to hold: never above what the data has shown
        capped = (
            f"the history is not to be trusted ({'; '.join(flags)}) and no deployed layout was given "
            f"to hold, so MinCapacity is capped at {cap:g} ACU, what the highest observed demand "
            f"({float(np.nanmax(history_acu)):.3g} ACU) needs; the forecast asked for up to "
            f"{float(floors.max()):g} ACU",
        )
        floors = np.minimum(floors, cap)
    keep = _working_set_floor(context, step_s, config, limits.max_acu)
    floors = np.maximum(floors, keep)
    unreachable = None
    if not held:
        reach = reachable_demand(
            rows[config.low_quantile],
            step_s=step_s,
            cluster=floor_cluster,
            model=model,
            start=now_state,
            floor_before_acu=deployed,
        )
        # late, not beyond the limits: what MaxCapacity could serve once ramped, but not yet
        ramped = min(limits.max_acu / model.need_acu(share) for share in floor_cluster.shares() if share > 0)
        late = np.minimum(rows[config.risk_quantile], ramped) - reach
        unreachable = aggregate_max(np.maximum(late, 0.0), block)
    hold = scaler_hold(
        rows[0.5],
        step_s=step_s,
        cluster=floor_cluster,
        model=model,
        start=now_state,
        floor_acu=limits.min_acu,
    )
    coarse = aggregate_max(np.asarray(demand_q, dtype=np.float64), block)
    mean_hold = hold.reshape(-1, block).mean(axis=1)
    need = aggregate_max(floors, block)
    # A held floor is the deployed one, not the forecast's: the hold reason says so.
    reasons = None
    if not held:
        reasons = _floor_reasons(
            floors,
            rows[config.risk_quantile],
            start=start,
            step_s=step_s,
            block=block,
            config=config,
            low=limits.min_acu,
        )
        need, reasons = _stable_need(need, reasons, deployed, config, hold_deployed=previous is not None)
    rec = plan_recommendation(
        coarse,
        quantiles=quantiles,
        start=start,
        cluster=cluster,
        config=config,
        previous=previous,
        forecast_model=forecast_model,
        floor_need_acu=need,
        scaler_capacity_acu=mean_hold,
        unreachable_acu=unreachable,
        floor_reasons=reasons,
        warnings=warnings + (context.notes if context is not None else ()),
        data_quality=data_quality,
        extra_reasons=capped
        + _not_from_forecast(config, limits.min_acu)
        + _context_reasons(context, keep)
        + _level_reasons(warnings)
        + _pinned_reasons(data_quality),
    )
    if held or rec.is_fail_safe:
        return rec
    timed = time_raises(
        rec.settings.capacity_changes,
        floors,
        start=start,
        step_s=step_s,
        block=block,
        deployed_acu=deployed if previous is not None else None,
        steps=rec.steps,
        quantile=quantile_label(config.risk_quantile),
    )
    return rec.model_copy(update={"settings": rec.settings.model_copy(update={"capacity_changes": timed})})


def _not_from_forecast(config: PolicyConfig, min_acu: float) -> tuple[str, ...]:
    """Why a plan holds the cluster's floor whatever the forecast says (``floor_from_forecast`` off)."""
    if config.floor_from_forecast:
        return ()
    return (
        f"MinCapacity stays at the cluster's floor ({min_acu:g} ACU) over the horizon and Aurora's own "
        "scaler does the rest: policy.floor_from_forecast is off (the risk posture turns it off where "
        "Aurora's scaler alone was as good as every forecast-driven floor, for less)",
    )


def _stable_need(
    need: FloatArray,
    reasons: tuple[str, ...],
    deployed_acu: float,
    config: PolicyConfig,
    *,
    hold_deployed: bool,
) -> tuple[FloatArray, tuple[str, ...]]:
    """The plan steps' floor need with the two stability rules of :mod:`policy.floors` applied.

    1. :func:`policy.floors.fill_short_dips` again on the plan's own steps: a block's
       maximum can dip for one block between two higher ones where no history-step lull
       was that short; and a dip of any length within ``config.floor_decrease_tolerance``
       of the level around it (7 -> 6.5 -> 7 ACU over half an hour) is filled too.
    2. :func:`policy.floors.hold_small_decreases` (``hold_deployed``: a layout was given):
       a decrease within ``config.floor_decrease_tolerance`` of the deployed floor keeps it.

    Args:
        need: floor need per plan step from the history-step floors (their max), shape (n,), ACU.
        reasons: the floor reason per plan step, length n.
        deployed_acu: the MinCapacity deployed now (the cluster minimum when no layout was
            given), ACU.
        hold_deployed: whether a layout was given (else nothing is held).
        config: the policy configuration.

    Returns:
        The need, shape (n,), and the reasons with each step a rule lifted saying which.
    """
    filled = fill_short_dips(
        need,
        config.floor_dip_hold_s // config.plan_step_s,
        before_acu=deployed_acu,
        tolerance=config.floor_decrease_tolerance,
    )
    kept = filled
    if hold_deployed:
        kept = hold_small_decreases(filled, deployed_acu, config.floor_decrease_tolerance)
    out = []
    for k, f, n, r in zip(kept, filled, need, reasons, strict=True):
        if k > f:
            r = (
                f"MinCapacity stays at the deployed {k:g} ACU instead of {f:g}: a decrease within "
                f"{config.floor_decrease_tolerance:.0%} of it (floor_decrease_tolerance) is one the next "
                "re-plan's fresh forecast would often undo"
            )
        elif f > n:
            r = (
                f"MinCapacity stays at {f:g} ACU through a dip to {n:g} that the plan says is followed by "
                f"another raise: a dip of at most {config.floor_dip_hold_s} s (floor_dip_hold_s) or within "
                f"{config.floor_decrease_tolerance:.0%} (floor_decrease_tolerance) is not worth two changes"
            )
        out.append(r)
    return kept, tuple(out)


def _pinned_reasons(data_quality: DataQuality | None) -> tuple[str, ...]:
    """A reason per ceiling the history sat at (:func:`policy.quality.pinned_at_ceiling`): what to do."""
    if data_quality is None:
        return ()
    return tuple(
        f"the history sat at {p.ceiling_acu:g} ACU for {p.hours:.1f} h (data quality: demand censored "
        f"there), so the forecast cannot see how far demand goes above it: {pinned_remedy(p)}"
        for p in data_quality.pinned
    )


def _seen_floor_cap(history_acu: FloatArray, cluster: FloorCluster, model: ScalerModel) -> float | None:
    """The floor an untrusted history supports: what its highest observed demand needs, ACU.

    A stale, thin or partial history with no deployed layout to hold (``previous`` None)
    still gets a plan, but its forecast rests on little: two samples of 3.5 and 4 ACU gave
    a p90 of 6.5 ACU. Its floor is capped at the grid level at which the busiest instance
    serves the highest observed demand within the SLO utilisation, so the plan never
    raises MinCapacity above what the data has shown; None when nothing was observed.
    """
    observed = history_acu[np.isfinite(history_acu)]
    if observed.size == 0:
        return None
    return half_ceil(model.need_acu(float(observed.max()) * max(cluster.shares())))


def _level_reasons(warnings: tuple[str, ...]) -> tuple[str, ...]:
    """The forecast's unprecedented-level warning as a reason: it widened the quantiles the plan covers."""
    return tuple(
        f"the forecast saw an {w} (forecasting.unprecedented)"
        for w in warnings
        if w.startswith(UNPRECEDENTED_LEVEL)
    )


def _working_set_floor(
    context: DemandContext | None, step_s: int, config: PolicyConfig, max_acu: float
) -> float:
    """The MinCapacity that holds the largest working set of the recent window (0 without one)."""
    if context is None or not context.working_set_acu:
        return 0.0
    recent = np.array(
        [
            x
            for x in context.working_set_acu[-max(config.working_set_window_s // step_s, 1) :]
            if x is not None
        ],
        dtype=np.float64,
    )
    recent = recent[np.isfinite(recent)]
    if recent.size == 0:
        return 0.0
    return min(float(np.ceil(recent.max() * 2.0 - 1e-9) / 2.0), max_acu)


def _context_reasons(context: DemandContext | None, keep: float) -> tuple[str, ...]:
    """Sentences on the working-set floor and on which signals drive demand."""
    out = []
    if keep > 0:
        out.append(
            f"MinCapacity stays at least {keep:g} ACU to hold the memory working set of the last hour "
            f"({keep * 2:g} GiB at 2 GiB per ACU): Aurora shrinks the buffer cache when it scales down, and "
            "AWS advises a minimum that keeps the working set cached"
        )
    if context is not None and context.binding_share:
        shares = sorted(context.binding_share.items(), key=lambda kv: -kv[1])
        out.append(
            "demand is the largest ACU equivalent of the signals; over the last day "
            + ", ".join(f"{name} bound in {share:.0%} of the steps" for name, share in shares)
        )
    return tuple(out)


def _floor_reasons(
    floors: FloatArray,
    risk: FloatArray,
    *,
    start: datetime,
    step_s: int,
    block: int,
    config: PolicyConfig,
    low: float,
) -> tuple[str, ...]:
    """Per plan step, what its raised floor is for: the demand it lets the scaler meet, and when.

    A raise at history step s serves every step until the first later one at which the floor
    need falls back (the scaler then carries on by itself), i.e. the demand the ramp had to
    reach; the reason names both times, so a raise held for hours of rising demand does not
    read as a deadline hours after it.
    """
    ramp = config.scaler.ramp
    q = quantile_label(config.risk_quantile)
    out = []
    for b in range(len(floors) // block):
        part = floors[b * block : (b + 1) * block]
        if part.max() <= low:
            out.append("")
            continue
        s = b * block + int(np.argmax(part))
        end = next((j for j in range(s + 1, len(floors)) if floors[j] < floors[s]), len(floors) - 1)
        when = start + timedelta(seconds=end * step_s)
        since = start + timedelta(seconds=s * step_s)
        out.append(
            f"Aurora's own scaler, from where it would be, must be at {floors[s]:g} ACU from "
            f"{since:%H:%M} until {when:%H:%M} UTC to serve the {q} demand forecast, {risk[end]:.3g} ACU "
            f"at {when:%H:%M}; it climbs "
            f"at most one doubling every {ramp.scale_up_doubling_s:g} s and a MinCapacity change takes "
            f"{ramp.floor_apply_delay_s:g} s ({ramp.name} ramp profile)"
        )
    return tuple(out)


def _placement_fields(plan: PlacementPlan, infeasible: tuple[str, ...]) -> dict[str, Any]:
    """The Recommendation fields that surface the placement plan's extras."""
    advice = plan.storage_advice
    return {
        "cost_breakdown_usd": plan.costs.model_dump() if plan.costs is not None else {},
        "standard_cost_usd": advice.standard_usd if advice else None,
        "io_optimized_cost_usd": advice.io_optimized_usd if advice else None,
        "io_optimized_cheaper": advice.io_optimized_cheaper if advice else None,
        "availability": plan.availability,
        "downtime_s_per_year": plan.downtime_s_per_year,
        "secondary_regions": tuple(s.region for s in plan.secondaries),
        "binding_constraints": tuple(
            s.detail for s in plan.shadow_costs if s.change == "relax" and (s.delta_usd or 0) > 0
        ),
        "shadow_costs_usd": {f"{s.family}: {s.change}": s.delta_usd for s in plan.shadow_costs},
        "infeasible_families": infeasible,
    }
