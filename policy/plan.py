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
    need_acu: FloatArray, cluster: ClusterSpec, previous: PreviousLayout | None, status: SolveStatus
) -> PlacementPlan:
    """A plan that never scales down: hold the deployed floor or go up to cover the need."""
    limits = cluster.limits
    held = previous.writer_acu if previous is not None else limits.min_acu
    level = float(half_acu_to_acu(acu_to_half_acu_ceil(max(held, float(need_acu.max(initial=0.0))))))
    level = min(max(level, limits.min_acu), limits.max_acu)
    n = len(need_acu)
    return PlacementPlan(
        status=status,
        writer_acu=(level,) * n,
        failover_az_id=previous.failover_az_id if previous else None,
        failover_reader_acu=(level,) * n,
        shortfall_acu=tuple(float(x) for x in np.maximum(need_acu - 2 * level, 0.0)),
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


def _reasons(plan: PlacementPlan, steps: tuple[PlanStep, ...], config: PolicyConfig) -> list[str]:
    floors = [s.writer_acu for s in steps]
    reasons = [
        f"MinCapacity follows the p{round(config.risk_quantile * 100)} demand forecast at "
        f"{config.target_utilisation:.0%} target utilisation: {min(floors):g}-{max(floors):g} ACU "
        "over the horizon, so load stays under the SLO utilisation before Aurora's own scaler reacts",
    ]
    if plan.failover_az_id:
        reasons.append(
            f"a promotion-tier-1 reader in {plan.failover_az_id} follows the writer's capacity: "
            "failover with a ready reader restores service in < 120 s instead of < 10 min (AWS)"
        )
    n_extra = max((sum(s.extra_readers_by_az.values()) for s in steps), default=0)
    if n_extra:
        reasons.append(
            f"up to {n_extra} tier-15 reader(s) added: read demand exceeds the readers' MaxCapacity"
        )
    short = sum(s.shortfall_acu for s in steps)
    if short > 0:
        reasons.append(
            f"{short:g} ACU-steps of demand stay uncovered: the limits (MaxCapacity, reader count) bind"
        )
    if plan.status is SolveStatus.FEASIBLE_AT_TIMEOUT:
        reasons.append(f"solver hit its time limit; best plan found, gap {plan.gap:.1%}")
    return reasons


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
    problem = PlacementProblem(
        step_s=config.plan_step_s,
        demand_acu=tuple(float(x) for x in demand_q[risk_row]),
        read_frac=cluster.read_frac,
        target_utilisation=config.target_utilisation,
        topology=cluster.topology,
        limits=cluster.limits,
        price_usd_per_acu_hour=cluster.price_usd_per_acu_hour,
        shortfall_penalty_usd_per_acu_hour=config.shortfall_penalty_usd_per_acu_hour,
        churn_penalty_usd_per_acu=config.churn_penalty_usd_per_acu,
        reader_churn_penalty_usd=config.reader_churn_penalty_usd,
        min_azs=config.min_azs,
        require_failover_reader=config.require_failover_reader,
        previous=previous,
    )
    plan = solve(problem, config.solver)
    fail_safe = not plan.has_solution
    if fail_safe:
        plan = _fail_safe_plan(demand_q[risk_row] / config.target_utilisation, cluster, previous, plan.status)
    steps = _steps(plan, quantiles, demand_q, risk_row, start, config.plan_step_s, config.target_utilisation)
    reasons = _reasons(plan, steps, config)
    if fail_safe:
        reasons.insert(0, f"optimiser returned {plan.status.value}: fail-safe plan holds or raises the floor")
    cost = sum(s.capacity_acu for s in steps) * config.plan_step_s / 3600 * cluster.price_usd_per_acu_hour
    return Recommendation(
        cluster_id=cluster.cluster_id,
        generated_at=start,
        step_s=config.plan_step_s,
        risk_quantile=config.risk_quantile,
        target_utilisation=config.target_utilisation,
        steps=steps,
        failover_az_id=plan.failover_az_id,
        settings=aurora_settings(steps, plan.failover_az_id, cluster, config.plan_step_s),
        expected_cost_usd=cost,
        forecast_model=forecast_model,
        solver=SolverReport(
            status=plan.status,
            solve_time_s=plan.solve_time_s,
            objective_usd=plan.objective_usd,
            best_bound_usd=plan.best_bound_usd,
            gap=plan.gap,
        ),
        is_fail_safe=fail_safe,
        reasons=tuple(reasons),
        warnings=warnings,
    )
