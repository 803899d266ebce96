"""Binding constraints and their shadow costs (re-solves with a family relaxed or tightened)."""

import pytest
from placement_cases import FAR_READERS, make_problem

from placement import CapacityLimits, SolverParams, solve


def _by_change(plan: object) -> dict[tuple[str, str], float | None]:
    return {(s.family, s.change): s.delta_usd for s in plan.shadow_costs}  # type: ignore[attr-defined]


def test_shadow_costs_price_each_binding_family() -> None:
    # Writes 8 ACU, instances capped at 4: the writer and its tier-1 reader sit at 4 and
    # 4 ACU stay short ($48): objective 4 + 4 + 48 = 56.
    #   relax limits       -> writer 8 + reader 8 = 16: saves 40
    #   relax availability -> writer 4 + 48 short = 52: saves 4
    problem = make_problem(
        demand_acu=(8.0,),
        read_frac=0.0,
        limits=CapacityLimits(min_acu=0.5, max_acu=4, max_extra_readers_per_az=1),
    )
    plan = solve(problem, SolverParams(explain=True))
    assert plan.objective_usd == pytest.approx(56.0)
    costs = _by_change(plan)
    assert costs["limits", "relax"] == pytest.approx(40.0, abs=1e-3)
    assert costs["availability", "relax"] == pytest.approx(4.0, abs=1e-3)
    assert plan.binding_families == ("availability", "limits")


def test_one_more_nine_without_a_secondary_has_no_plan() -> None:
    plan = solve(make_problem(demand_acu=(8.0,)), SolverParams(explain=True))
    nine = [s for s in plan.shadow_costs if s.change.startswith("+1 nine")]
    assert len(nine) == 1 and nine[0].delta_usd is None
    assert "no plan" in nine[0].detail


def test_tighter_latency_is_priced() -> None:
    # eu-west-2 readers at 80% (target); a 10-ms tighter read SLO (50 ms) still allows
    # 87.5% at c = 4, so it costs nothing; relaxing latency lets the primary's tier-1
    # reader (held at the writer's 5 ACU anyway) carry reads.
    plan = solve(
        make_problem(demand_acu=(8.0,), target_utilisation=0.8, **FAR_READERS), SolverParams(explain=True)
    )
    costs = _by_change(plan)
    assert costs["latency", "read SLO -10 ms (50 ms)"] == pytest.approx(0.0, abs=1e-3)
    latency_relax = costs["latency", "relax"]
    assert latency_relax is not None and latency_relax > 0
    assert "latency" in plan.binding_families


def test_explain_is_off_by_default() -> None:
    assert solve(make_problem(demand_acu=(8.0,))).shadow_costs == ()
