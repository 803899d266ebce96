"""Bounded and deterministic solving: coarsening, warm start, overflow guard, workers;
and the closed forms behind latency, availability and prices."""

import math

import numpy as np
import pytest
from placement_cases import make_problem

from placement import (
    PRICES,
    CapacityLimits,
    Coarsening,
    FailureModel,
    PlacementProblem,
    PreviousLayout,
    SolverParams,
    SolveStatus,
    max_utilisation,
    region_price,
    shift_plan,
    solve,
)
from placement.availability import availability
from placement.blocks import make_blocks
from placement.data import model_data
from placement.errors import ObjectiveRangeError
from placement.queueing import p99_response_ms
from placement.solver import evaluate_warm_start


def _diurnal(horizon: int, seed: int = 0) -> tuple[float, ...]:
    rng = np.random.default_rng(seed)
    t = np.arange(horizon)
    return tuple(float(x) for x in 20 + 15 * np.sin(2 * np.pi * t / 288) + rng.gamma(2, 2, horizon))


def test_coarsening_keeps_the_first_hour_and_merges_the_far_horizon() -> None:
    blocks = make_blocks(288, 300, Coarsening())
    assert len(blocks) == 12 + 20 + 18
    assert blocks[:12] == tuple((t, 1) for t in range(12))
    assert sum(n for _, n in blocks) == 288
    assert make_blocks(12, 900, Coarsening()) == tuple((t, 1) for t in range(12))  # the policy's grid


def test_coarse_plan_covers_every_step_and_costs_at_least_the_full_one() -> None:
    kw = dict(step_s=300, demand_acu=_diurnal(96), price_usd_per_acu_hour=0.12, target_utilisation=0.8)
    full = solve(PlacementProblem(coarsening=None, **kw), SolverParams(time_limit_s=20))  # type: ignore[arg-type]
    coarse = solve(PlacementProblem(**kw))  # type: ignore[arg-type]
    assert coarse.n_blocks < full.n_blocks == 96
    assert max(coarse.shortfall_acu) == 0.0 == max(full.shortfall_acu)
    assert coarse.writer_acu[:12] == full.writer_acu[:12] or coarse.objective_usd >= full.objective_usd
    assert coarse.objective_usd >= full.objective_usd - 1e-6


def test_warm_start_from_the_shifted_plan_reaches_the_same_optimum() -> None:
    demand = _diurnal(60)
    first = solve(PlacementProblem(step_s=300, demand_acu=demand[:48]))
    nxt = PlacementProblem(
        step_s=300, demand_acu=demand[1:49], previous=PreviousLayout(writer_acu=first.writer_acu[0])
    )
    cold = solve(nxt)
    hinted = solve(nxt, SolverParams(use_hints=True), warm_start=shift_plan(first, 1))
    assert hinted.objective_usd == pytest.approx(cold.objective_usd)


def test_warm_start_is_the_fallback_when_no_plan_is_found_in_time() -> None:
    demand = _diurnal(60)
    first = solve(PlacementProblem(step_s=300, demand_acu=demand[:48]))
    nxt = PlacementProblem(step_s=300, demand_acu=demand[1:49])
    fallback = evaluate_warm_start(nxt, shift_plan(first, 1), SolverParams())
    assert fallback.status is SolveStatus.FEASIBLE_AT_TIMEOUT and fallback.from_warm_start
    assert fallback.objective_usd >= solve(nxt).objective_usd - 1e-6
    assert fallback.writer_acu[:12] == first.writer_acu[1:13]  # the first hour, step by step
    # A plan that breaks this problem's limits is rejected, not returned.
    tight = nxt.model_copy(update={"limits": CapacityLimits(min_acu=0.5, max_acu=1)})
    assert not evaluate_warm_start(tight, shift_plan(first, 1), SolverParams()).has_solution


def test_shift_plan_keeps_the_horizon() -> None:
    plan = solve(make_problem(demand_acu=(1.0, 2.0, 3.0)))
    moved = shift_plan(plan, 1)
    assert moved.writer_acu == plan.writer_acu[1:] + plan.writer_acu[-1:]
    assert len(moved.extra_readers[0].count) == 3


def test_256_acu_for_30_days_at_5_minutes_fits_exact_integers() -> None:
    # 8,640 steps at full resolution, 256-ACU instances, the dearest built-in price
    # ($0.19, eu-west-2 I/O-Optimized) and a 100x penalty: the worst-case objective stays
    # below 2**53 micro-USD (model_data raises ObjectiveRangeError otherwise).
    kw = dict(
        step_s=300,
        demand_acu=(256.0 * 15,) * 8640,
        price_usd_per_acu_hour=0.19,
        shortfall_penalty_usd_per_acu_hour=19.0,
        limits=CapacityLimits(min_acu=0.5, max_acu=256, max_extra_readers_per_az=5),
    )
    d = model_data(make_problem(**kw))
    assert d.n_blocks == 8640
    with pytest.raises(ObjectiveRangeError, match="2\\*\\*53"):
        model_data(make_problem(**{**kw, "shortfall_penalty_usd_per_acu_hour": 10_000.0}))


def test_two_workers_are_deterministic() -> None:
    p = PlacementProblem(step_s=300, demand_acu=_diurnal(48, seed=3))
    params = SolverParams(num_workers=2)
    a, b = solve(p, params), solve(p, params)
    assert a.model_dump(exclude={"solve_time_s"}) == b.model_dump(exclude={"solve_time_s"})


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9])
def test_mm1_p99_matches_the_closed_form(rho: float) -> None:
    assert p99_response_ms(1, rho, 5.0) == pytest.approx(5.0 * math.log(100) / (1 - rho), rel=1e-9)


def test_max_utilisation_is_monotone_in_the_budget_and_servers() -> None:
    budgets = [25.0, 30.0, 50.0, 100.0]
    for c in (1, 4, 16):
        utils = [max_utilisation(b, servers=c, service_ms=5.0) for b in budgets]
        assert utils == sorted(utils)
    assert max_utilisation(50, servers=16, service_ms=5) >= max_utilisation(50, servers=1, service_ms=5)
    assert max_utilisation(20, servers=4, service_ms=5) == 0.0  # below s ln 100 = 23.03 ms


def test_availability_table_of_the_default_failure_model() -> None:
    m, year = FailureModel(), 365.25 * 86400
    assert availability(m, ready=False, spare=False, dr=False) == pytest.approx(1 - 1440 / year)
    assert availability(m, ready=True, spare=True, dr=False) == pytest.approx(1 - 864 / year)
    assert availability(m, ready=True, spare=True, dr=True) == pytest.approx(1 - 159 / year)


def test_prices_carry_sources_and_unknown_regions_are_flagged() -> None:
    assert PRICES["us-east-1"].standard_usd_per_acu_hour == 0.12
    assert PRICES["us-east-1"].io_optimized_usd_per_acu_hour == 0.16
    assert "UNVERIFIED" in PRICES["eu-west-2"].source
    assert "assumed" in region_price("ap-southeast-1").source
