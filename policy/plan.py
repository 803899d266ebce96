"""Turn a demand quantile matrix into a Recommendation through the placement optimiser.

Owns :func:`plan_recommendation`, shared by ``acuplan`` (forecast quantiles) and the
``oracle`` (the real future in every quantile row), so both run exactly the same
optimiser. Pure: no clock, no I/O. Imports ``placement`` only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from placement import (
    MAX_SECONDARY_READERS,
    AzReaders,
    PlacementPlan,
    PlacementProblem,
    PreviousLayout,
    SecondaryPlan,
    SolveStatus,
    acu_to_half_acu_ceil,
    half_acu_to_acu,
    solve,
)
from policy.config import PolicyConfig
from policy.settings import aurora_settings
from policy.types import ClusterSpec, PlanStep, Recommendation, SolverReport

FloatArray = npt.NDArray[np.float64]


def aggregate_max(values: FloatArray, block: int) -> FloatArray:
    """Aggregate the last axis into blocks of ``block`` steps by their maximum.

    The max is the conservative statistic: a plan step must cover the busiest trace
    step inside it (DESIGN.md §2).

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
    cluster: ClusterSpec,
    config: PolicyConfig,
    previous: PreviousLayout | None,
    status: SolveStatus,
) -> PlacementPlan:
    """A plan that never scales down: hold the deployed layout or go up to cover the need.

    The writer floor is max(deployed floor, largest need), capped at MaxCapacity; the
    deployed failover reader and tier 2-15 readers are all kept (a new failover reader
    is added in the first other AZ when the policy requires one and none is deployed),
    and so are deployed global-database secondaries with their floors and readers.
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
    extra = tuple(
        AzReaders(az_id=a, count=(kept.get(a, 0),) * n, acu=(kept.get(a, 0) * level,) * n)
        for a in sorted(topo.az_ids)
    )
    secondaries = _held_secondaries(previous, n)
    held_secondary = sum(r.acu[0] for sec in secondaries for r in sec.readers) if n else 0.0
    capacity = level * (1 + (failover_az is not None) + sum(kept.values())) + held_secondary
    return PlacementPlan(
        status=status,
        writer_acu=(level,) * n,
        failover_az_id=failover_az,
        failover_reader_acu=(level,) * n if failover_az is not None else (),
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
    target_utilisation: float,
) -> tuple[PlanStep, ...]:
    out = []
    median_row = quantiles.index(0.5) if 0.5 in quantiles else 0
    for t, writer in enumerate(plan.writer_acu):
        by_az = {r.az_id: r.count[t] for r in plan.extra_readers}
        acu_by_az = {r.az_id: r.acu[t] for r in plan.extra_readers}
        failover = plan.failover_reader_acu[t] if plan.failover_reader_acu else 0.0
        secondary = {sec.region: sum(r.acu[t] for r in sec.readers) for sec in plan.secondaries}
        capacity = writer + failover + sum(acu_by_az.values()) + sum(secondary.values())
        out.append(
            PlanStep(
                start=start + timedelta(seconds=t * step_s),
                demand_p50_acu=float(demand_q[median_row, t]),
                demand_risk_acu=float(demand_q[risk_row, t]),
                writer_acu=writer,
                failover_reader_acu=failover,
                extra_readers_by_az=by_az,
                extra_reader_acu_by_az=acu_by_az,
                capacity_acu=capacity,
                shortfall_acu=plan.shortfall_acu[t],
                shortfall_probability=_shortfall_probability(
                    quantiles, demand_q[:, t], capacity * target_utilisation
                ),
                secondary_acu_by_region=secondary,
            )
        )
    return tuple(out)


def _reasons(
    plan: PlacementPlan, steps: tuple[PlanStep, ...], config: PolicyConfig, cluster: ClusterSpec
) -> list[str]:
    floors = [s.writer_acu for s in steps]
    if plan.has_solution:
        reasons = [
            f"MinCapacity follows the p{round(config.risk_quantile * 100)} demand forecast at "
            f"{config.target_utilisation:.0%} target utilisation: {min(floors):g}-{max(floors):g} ACU "
            "over the horizon, so load stays under the SLO utilisation before Aurora's own scaler reacts",
        ]
    else:
        reasons = [
            f"optimiser returned {plan.status.value}: fail-safe plan holds the deployed layout or "
            f"raises the floor to cover the p{round(config.risk_quantile * 100)} forecast "
            f"({max(floors):g} ACU); it never scales down"
        ]
    if plan.failover_az_id:
        reasons.append(
            f"a promotion-tier-1 reader in {plan.failover_az_id} follows the writer's capacity: "
            "failover with a ready reader restores service in < 120 s instead of < 10 min (AWS)"
        )
    n_extra = max((sum(s.extra_readers_by_az.values()) for s in steps), default=0)
    if n_extra and plan.has_solution:
        reasons.append(
            f"up to {n_extra} tier-15 reader(s) added: read demand exceeds what the writer-sized readers give"
        )
    short = sum(s.shortfall_acu for s in steps)
    if short > 0:
        at_max = any(s.shortfall_acu > 0 and s.writer_acu >= cluster.limits.max_acu for s in steps)
        cause = (
            "the limits (MaxCapacity, reader count) bind"
            if at_max or not plan.has_solution
            else "leaving it short is cheaper than capacity at the configured shortfall penalty"
        )
        reasons.append(f"{short:g} ACU-steps of demand stay uncovered: {cause}")
    if plan.status is SolveStatus.FEASIBLE_AT_TIMEOUT:
        reasons.append(f"solver hit its time limit; best plan found, gap {plan.gap:.1%}")
    return reasons + _placement_reasons(plan)


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
    warnings: tuple[str, ...] = (),
) -> Recommendation:
    """Optimise a plan for demand quantiles already on the plan-step grid.

    Args:
        demand_q: demand quantiles, shape (n_quantiles, horizon), ACU, per plan step of
            ``config.plan_step_s`` seconds.
        quantiles: the quantile of each row, ascending; must contain the risk quantile.
        start: start of the first plan step (UTC).
        cluster: the cluster.
        config: policy configuration.
        previous: the deployed layout (churn and warm start), or None.
        forecast_model: name of the model that produced ``demand_q``.
        warnings: warnings to carry into the Recommendation.

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
        **(cluster.placement.problem_fields() if cluster.placement is not None else {}),
    )
    plan = solve(problem, config.solver)
    infeasible = tuple(plan.conflicting_families)
    if not plan.has_solution:
        plan = _fail_safe_plan(clipped / config.target_utilisation, cluster, config, previous, plan.status)
        plan = plan.model_copy(update={"conflicting_families": plan.conflicting_families or infeasible})
    excess = (risk - clipped) / config.target_utilisation
    if np.any(excess > 0):
        shortfall = tuple(float(a + b) for a, b in zip(plan.shortfall_acu, excess, strict=True))
        plan = plan.model_copy(update={"shortfall_acu": shortfall})
        warnings = (
            *warnings,
            f"forecast demand exceeds what the cluster can serve ({servable:g} ACU with every "
            "instance at MaxCapacity); the excess is reported as shortfall",
        )
    steps = _steps(plan, quantiles, demand_q, risk_row, start, config.plan_step_s, config.target_utilisation)
    reasons = _reasons(plan, steps, config, cluster)
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
        settings=aurora_settings(steps, plan.failover_az_id, cluster, config.plan_step_s, config.prewarm_s),
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
    ).model_copy(update=_placement_fields(plan, infeasible))


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
