"""Hand-sized placement problems with known optima, and plan invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placement import (
    CapacityLimits,
    PlacementProblem,
    PreviousLayout,
    SolverParams,
    SolveStatus,
    is_on_half_acu_grid,
    solve,
)


def _problem(**kw: object) -> PlacementProblem:
    base: dict[str, object] = dict(
        step_s=3600,
        price_usd_per_acu_hour=1.0,
        target_utilisation=1.0,
        read_frac=0.5,
        churn_penalty_usd_per_acu=0.0,
        reader_churn_penalty_usd=0.0,
        limits=CapacityLimits(min_acu=0.5, max_acu=16, max_extra_readers_per_az=1),
    )
    base.update(kw)
    return PlacementProblem(**base)  # type: ignore[arg-type]


def test_known_optimum_writer_and_failover_follow_demand() -> None:
    # Writes 2 then 4 ACU on the writer; reads 2 then 4 on the tier-1 reader, which
    # must also be >= the writer. Optimum: 2+2+4+4 = 12 ACU-h at $1 = $12.
    plan = solve(_problem(demand_acu=(4.0, 8.0)))
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.writer_acu == (2.0, 4.0)
    assert plan.failover_reader_acu == (2.0, 4.0)
    assert plan.failover_az_id in {"use1-az2", "use1-az4"}
    assert all(sum(r.count) == 0 for r in plan.extra_readers)
    assert plan.compute_cost_usd == pytest.approx(12.0)
    assert plan.objective_usd == pytest.approx(12.0)
    assert plan.shortfall_acu == (0.0, 0.0)


def test_max_acu_binds_extra_reader_added_and_write_shortfall_reported() -> None:
    # max 2 ACU per instance, demand 8: writes need 4 (only 2 fit: 2 ACU short);
    # reads need 4: failover 2 + one tier-2 reader at 2 (cheaper than a $12 shortfall).
    plan = solve(
        _problem(
            demand_acu=(8.0,),
            limits=CapacityLimits(min_acu=0.5, max_acu=2, max_extra_readers_per_az=1),
        )
    )
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.writer_acu == (2.0,)
    assert plan.failover_reader_acu == (2.0,)
    assert sum(r.count[0] for r in plan.extra_readers) == 1
    assert sum(r.acu[0] for r in plan.extra_readers) == 2.0
    assert plan.shortfall_acu == (2.0,)
    # 6 ACU-h of compute plus 2 ACU-h short at the default $12/ACU-h penalty.
    assert plan.objective_usd == pytest.approx(6.0 + 2 * 12.0)


def test_extra_reader_floor_is_the_cluster_minimum() -> None:
    # The writer needs 6 ACU, so MinCapacity is 6 and any extra reader costs >= 6 even
    # though reads only need 1 more ACU than the failover reader gives.
    plan = solve(
        _problem(
            demand_acu=(14.0,),
            read_frac=6.0 / 14.0,
            limits=CapacityLimits(min_acu=0.5, max_acu=8, max_extra_readers_per_az=1),
            shortfall_penalty_usd_per_acu_hour=100.0,
        )
    )
    # writes 8, reads 6: writer 8 (max), failover >= 8 covers reads alone.
    assert plan.writer_acu == (8.0,)
    assert plan.failover_reader_acu == (8.0,)
    assert plan.objective_usd == pytest.approx(16.0)


def test_two_azs_without_failover_reader_adds_an_extra_reader_elsewhere() -> None:
    plan = solve(_problem(demand_acu=(2.0,), require_failover_reader=False, min_azs=2))
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.failover_az_id is None
    counts = {r.az_id: r.count[0] for r in plan.extra_readers}
    assert sum(v for a, v in counts.items() if a != "use1-az1") == 1
    # The reader the AZ spread requires also serves the reads: writer 1 ACU (writes) and
    # one tier 2-15 reader at 1 ACU (reads; >= the cluster minimum 1 ACU).
    assert plan.writer_acu == (1.0,)
    assert plan.objective_usd == pytest.approx(2.0)


def test_churn_penalty_holds_the_writer_through_a_dip() -> None:
    # Demand 8, 2, 8 with util 1, read_frac 0: the writer and its tier-1 reader at 8, 2, 8
    # cost 36 ACU-h plus 12 ACU of floor moves; holding 8 costs 48 ACU-h and no moves.
    # At $2 per ACU moved (24 > 12) holding is cheaper.
    kw = dict(demand_acu=(8.0, 2.0, 8.0), read_frac=0.0)
    free = solve(_problem(**kw))
    sticky = solve(_problem(churn_penalty_usd_per_acu=2.0, **kw))
    assert free.writer_acu == (8.0, 2.0, 8.0)
    assert sticky.writer_acu == (8.0, 8.0, 8.0)


def test_previous_layout_counts_as_churn_at_step_zero() -> None:
    plan = solve(
        _problem(
            demand_acu=(2.0,),
            read_frac=0.0,
            churn_penalty_usd_per_acu=10.0,
            reader_churn_penalty_usd=1.0,
            previous=PreviousLayout(writer_acu=4.0, failover_az_id="use1-az4"),
        )
    )
    assert plan.writer_acu == (4.0,)  # stepping down 2 ACU would cost $20 > $4 saved
    assert plan.failover_az_id == "use1-az4"


def test_solves_are_deterministic() -> None:
    rng = np.random.default_rng(7)
    d = tuple(float(x) for x in rng.uniform(0, 40, 24))
    a = solve(PlacementProblem(demand_acu=d))
    b = solve(PlacementProblem(demand_acu=d))
    assert a.model_dump(exclude={"solve_time_s"}) == b.model_dump(exclude={"solve_time_s"})


def test_time_limit_reports_status_never_hides_it() -> None:
    d = tuple(float(x) for x in np.linspace(1, 100, 48))
    plan = solve(PlacementProblem(demand_acu=d), SolverParams(time_limit_s=0.001))
    assert plan.status in set(SolveStatus)
    if plan.status is SolveStatus.NO_SOLUTION_AT_TIMEOUT:
        assert plan.writer_acu == ()
    else:
        assert len(plan.writer_acu) == 48


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("demand_acu", (1.0, -2.0), "demand_acu[1] = -2.0 must be finite and >= 0"),
        ("demand_acu", (float("nan"),), "Input should be a finite number"),
        ("min_azs", 4, "min_azs=4 exceeds the 3 AZs"),
        ("read_frac", 1.5, "less than or equal to 1"),
    ],
    ids=["negative-demand", "nan-demand", "too-many-azs", "read-frac-above-1"],
)
def test_invalid_problem_names_the_field(field: str, value: object, message: str) -> None:
    kw: dict[str, object] = {"demand_acu": (1.0,), field: value}
    with pytest.raises(ValueError) as err:
        PlacementProblem(**kw)  # type: ignore[arg-type]
    assert message in str(err.value)
    assert field in str(err.value)


def test_off_grid_limits_are_rejected() -> None:
    with pytest.raises(ValueError, match="not a multiple of 0.5 ACU"):
        CapacityLimits(min_acu=0.7)
    with pytest.raises(ValueError, match="min_acu 8.0 exceeds max_acu 4.0"):
        CapacityLimits(min_acu=8, max_acu=4)


@settings(max_examples=25, deadline=None)
@given(
    demand=st.lists(st.floats(0, 300), min_size=1, max_size=6),
    read_frac=st.floats(0, 1),
    max_acu=st.sampled_from([1.0, 4.0, 16.0, 128.0]),
    min_acu=st.sampled_from([0.5, 1.0, 2.0]),
)
def test_plans_stay_on_grid_within_bounds_and_cover_or_report_shortfall(
    demand: list[float], read_frac: float, max_acu: float, min_acu: float
) -> None:
    min_acu = min(min_acu, max_acu)
    p = PlacementProblem(
        demand_acu=tuple(demand),
        read_frac=read_frac,
        limits=CapacityLimits(min_acu=min_acu, max_acu=max_acu, max_extra_readers_per_az=1),
    )
    plan = solve(p)
    assert plan.has_solution
    caps = list(plan.writer_acu) + list(plan.failover_reader_acu)
    assert all(is_on_half_acu_grid(c) and min_acu <= c <= max_acu for c in caps)
    for t, d in enumerate(demand):
        assert plan.failover_reader_acu[t] >= plan.writer_acu[t]
        extra = sum(r.acu[t] for r in plan.extra_readers)
        n_extra = sum(r.count[t] for r in plan.extra_readers)
        assert is_on_half_acu_grid(extra)
        assert extra >= n_extra * plan.writer_acu[t]  # every reader >= cluster minimum
        total = plan.writer_acu[t] + plan.failover_reader_acu[t] + extra
        assert total + plan.shortfall_acu[t] >= d / p.target_utilisation - 1.0
