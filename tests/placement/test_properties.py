"""Property tests: every plan meets the hard constraints, stays on the 0.5-ACU grid,
never gives less capacity for more demand, and a solve never fails bare.

``check_hard_constraints`` re-derives each hard family from the plan alone, without
the model, so a modelling slip shows up as a counterexample.
"""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from placement_cases import EU, RTT, make_problem

from placement import (
    AvailabilitySpec,
    CapacityLimits,
    DynamicsSpec,
    PlacementPlan,
    PlacementProblem,
    PreviousLayout,
    SolveStatus,
    is_on_half_acu_grid,
    solve,
)

EPS = 1e-6


def _grid(values: tuple[float, ...]) -> bool:
    return all(is_on_half_acu_grid(x) for x in values)


def _check_primary(p: PlacementProblem, plan: PlacementPlan) -> None:
    lim, writer_az = p.limits, p.topology.writer_az_id
    assert _grid(plan.writer_acu) and _grid(plan.failover_reader_acu)
    assert all(lim.min_acu <= w <= lim.max_acu for w in plan.writer_acu)
    if p.require_failover_reader or p.availability.survive_az_loss:
        assert plan.failover_az_id is not None
    if plan.failover_az_id is not None:
        assert plan.failover_az_id != writer_az
        assert all(
            w <= f <= lim.max_acu for w, f in zip(plan.writer_acu, plan.failover_reader_acu, strict=True)
        )
    for t, w in enumerate(plan.writer_acu):
        n_total = 1 if plan.failover_az_id else 0
        azs = {writer_az} | ({plan.failover_az_id} if plan.failover_az_id else set())
        for r in plan.extra_readers:
            n, acu = r.count[t], r.acu[t]
            assert is_on_half_acu_grid(acu)
            assert n * w - EPS <= acu <= n * lim.max_acu + EPS  # each reader >= MinCapacity
            n_total += n
            if n:
                azs.add(r.az_id)
        assert n_total <= lim.max_readers
        assert len(azs) >= p.min_azs


def _check_secondaries(p: PlacementProblem, plan: PlacementPlan) -> None:
    assert len(plan.secondaries) <= p.max_secondaries
    for s in plan.secondaries:
        assert _grid(s.min_capacity_acu)
        for t, floor in enumerate(s.min_capacity_acu):
            assert p.limits.min_acu <= floor <= p.limits.max_acu
            for r in s.readers:
                assert r.count[t] * floor - EPS <= r.acu[t] <= r.count[t] * p.limits.max_acu + EPS
    if p.availability.require_region_dr:
        assert any(s.is_dr_target for s in plan.secondaries)


def check_hard_constraints(p: PlacementProblem, plan: PlacementPlan) -> None:
    """Assert every hard family on a returned plan (the arrays have shape (horizon,))."""
    assert len(plan.writer_acu) == p.horizon == len(plan.shortfall_acu)
    assert all(s >= -EPS for s in plan.shortfall_acu)
    _check_primary(p, plan)
    _check_secondaries(p, plan)
    if p.budget_usd is not None:
        assert plan.costs is not None and plan.costs.total_usd <= p.budget_usd + 1e-4


@st.composite
def problems(draw: st.DrawFn) -> PlacementProblem:
    horizon = draw(st.integers(1, 4))
    demand = tuple(draw(st.lists(st.floats(0, 60), min_size=horizon, max_size=horizon)))
    max_acu = draw(st.sampled_from([2.0, 8.0, 32.0]))
    min_acu = min(draw(st.sampled_from([0.5, 1.0, 2.0])), max_acu)
    kw: dict[str, object] = dict(
        demand_acu=demand,
        read_frac=draw(st.floats(0, 1)),
        target_utilisation=draw(st.sampled_from([0.6, 0.8, 1.0])),
        limits=CapacityLimits(
            min_acu=min_acu,
            max_acu=max_acu,
            max_readers=draw(st.integers(1, 4)),
            max_extra_readers_per_az=draw(st.integers(0, 2)),
        ),
        require_failover_reader=draw(st.booleans()),
        min_azs=draw(st.integers(1, 3)),
        availability=AvailabilitySpec(
            survive_az_loss=draw(st.booleans()), require_region_dr=draw(st.booleans())
        ),
        churn_penalty_usd_per_acu=draw(st.sampled_from([0.0, 0.5])),
    )
    if draw(st.booleans()):
        kw.update(secondaries=(EU,), rtt_ms=RTT)
    if draw(st.booleans()):
        kw["previous"] = PreviousLayout(
            writer_acu=draw(st.sampled_from([0.5, 4.0, 16.0])), failover_az_id="use1-az2"
        )
        kw["dynamics"] = DynamicsSpec(
            reader_lead_s=0,
            min_dwell_s=draw(st.sampled_from([0.0, 7200.0])),
        )
    if draw(st.booleans()):
        kw["budget_usd"] = draw(st.floats(1.0, 200.0))
    return make_problem(**kw)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_plan_meets_the_hard_constraints_or_names_the_conflict(p: PlacementProblem) -> None:
    plan = solve(p)
    # A timeout with an incumbent is a marked outcome (the machine may be loaded); the
    # incumbent must still meet every hard constraint.
    assert plan.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE_AT_TIMEOUT, SolveStatus.INFEASIBLE)
    if plan.status is SolveStatus.INFEASIBLE:
        assert plan.conflicting_families, "an infeasible result must name its families"
        assert "capacity" not in plan.conflicting_families
        return
    check_hard_constraints(p, plan)
    assert plan.availability is not None and 0.999 < plan.availability < 1.0


def _capacity(plan: PlacementPlan, t: int) -> float:
    extra = sum(r.acu[t] for r in plan.extra_readers)
    fo = plan.failover_reader_acu[t] if plan.failover_reader_acu else 0.0
    sec = sum(r.acu[t] for s in plan.secondaries for r in s.readers)
    return plan.writer_acu[t] + fo + extra + sec


@settings(max_examples=40, deadline=None)
@given(
    demand=st.lists(st.floats(0, 80), min_size=1, max_size=4),
    extra=st.lists(st.floats(0, 40), min_size=4, max_size=4),
    read_frac=st.floats(0, 1),
    max_acu=st.sampled_from([4.0, 16.0, 64.0]),
    with_secondary=st.booleans(),
)
def test_more_demand_never_gets_less_capacity(
    demand: list[float], extra: list[float], read_frac: float, max_acu: float, with_secondary: bool
) -> None:
    kw: dict[str, object] = dict(
        read_frac=read_frac,
        target_utilisation=0.8,
        limits=CapacityLimits(min_acu=0.5, max_acu=max_acu, max_extra_readers_per_az=2),
    )
    if with_secondary:
        kw.update(secondaries=(EU,), rtt_ms=RTT)
    more = [d + e for d, e in zip(demand, extra, strict=False)]
    low, high = (
        solve(make_problem(demand_acu=tuple(demand), **kw)),
        solve(make_problem(demand_acu=tuple(more), **kw)),
    )
    if low.status != SolveStatus.OPTIMAL or high.status != SolveStatus.OPTIMAL:
        return  # monotonicity is a property of optima; a plan cut at its work limit is only feasible
    for t in range(len(demand)):
        assert _capacity(high, t) + high.shortfall_acu[t] >= _capacity(low, t) + low.shortfall_acu[t] - EPS
        assert _capacity(high, t) >= _capacity(low, t) - EPS or math.isclose(
            _capacity(high, t), _capacity(low, t)
        )
