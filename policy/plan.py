"""Turn a demand quantile matrix into a Recommendation through the placement optimiser.

Owns :func:`plan_recommendation`, shared by ``acuplan`` (forecast quantiles) and the
``oracle`` (the real future in every quantile row), so both run exactly the same
optimiser. Pure: no clock, no I/O. Imports ``placement`` only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from placement import (
    AzReaders,
    PlacementPlan,
    PlacementProblem,
    PreviousLayout,
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
    is added in the first other AZ when the policy requires one and none is deployed).
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
    capacity = level * (1 + (failover_az is not None) + sum(kept.values()))
    return PlacementPlan(
        status=status,
        writer_acu=(level,) * n,
        failover_az_id=failover_az,
        failover_reader_acu=(level,) * n if failover_az is not None else (),
        extra_readers=extra,
        shortfall_acu=tuple(float(x) for x in np.maximum(need_acu - capacity, 0.0)),
    )


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
        capacity = writer + failover + sum(acu_by_az.values())
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
    return reasons


def _max_cluster_acu(cluster: ClusterSpec) -> float:
    """Largest capacity the cluster can hold: every instance at MaxCapacity."""
    limits = cluster.limits
    slots = len(cluster.topology.az_ids) * limits.max_extra_readers_per_az + 1
    return limits.max_acu * (1 + min(limits.max_readers, slots))


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
    )
    plan = solve(problem, config.solver)
    if not plan.has_solution:
        plan = _fail_safe_plan(clipped / config.target_utilisation, cluster, config, previous, plan.status)
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
        ),
        is_fail_safe=not plan.has_solution,
        reasons=tuple(reasons),
        warnings=warnings,
    )
