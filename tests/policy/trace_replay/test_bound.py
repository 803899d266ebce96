"""The cheapest violation-free floor schedule: checked against the simulator and brute force."""

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy import Layout, ScalerModel, simulate
from policy.floors import FloorCluster, cheapest_floors


def _sim(load: np.ndarray, floors: np.ndarray, *, step_s: int, rf: float, m: ScalerModel, cap: float):  # type: ignore[no-untyped-def]
    layout = Layout(floors, np.full(len(load), cap), np.zeros(len(load), dtype=np.int64), has_failover=True)
    return simulate(load, layout, step_s=step_s, read_frac=rf, scaler=m, price_usd_per_acu_hour=3600.0)


def _bound(
    load: np.ndarray, *, step_s: int, rf: float, m: ScalerModel, cap: float, low: float = 0.5
) -> np.ndarray:
    cluster = FloorCluster(read_frac=rf, has_failover=True, min_acu=low, max_acu=cap)
    return cheapest_floors(load, load, step_s=step_s, cluster=cluster, model=m)


loads = st.lists(st.floats(min_value=0.0, max_value=12.0), min_size=2, max_size=40).map(np.array)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    load=loads,
    step_s=st.sampled_from([60, 300]),
    rf=st.sampled_from([0.0, 0.3, 0.5, 0.8]),
    profile=st.sampled_from(["fast", "default", "slow"]),
)
def test_bound_has_no_violation_and_every_floor_is_tight(
    load: np.ndarray, step_s: int, rf: float, profile: str
) -> None:
    m = ScalerModel(ramp=profile)
    floors = _bound(load, step_s=step_s, rf=rf, m=m, cap=16.0)
    assert np.all(floors >= 0.5) and np.all(floors <= 16.0) and np.all(floors * 2 == np.round(floors * 2))
    sim = _sim(load, floors, step_s=step_s, rf=rf, m=m, cap=16.0)
    assert sim.slo_violation_min == 0.0
    assert sim.shortfall_acu_h == 0.0
    # Lowering any one raised floor by one grid step (all else equal) breaks the SLO.
    for t in np.flatnonzero(floors > 0.5):
        lower = floors.copy()
        lower[t] -= 0.5
        assert _sim(load, lower, step_s=step_s, rf=rf, m=m, cap=16.0).slo_violation_min > 0.0


@pytest.mark.parametrize(
    ("load", "step_s", "rf", "profile"),
    [
        ([0.3, 0.3, 0.3, 2.5], 60, 0.5, "default"),
        ([0.3, 2.0, 0.3, 2.6], 60, 0.5, "slow"),
        ([1.0, 0.2, 0.2, 2.4], 60, 0.8, "slow"),
        ([0.4, 2.6, 0.1, 2.6], 60, 0.8, "default"),
        ([2.0, 0.2, 0.2, 2.5], 300, 0.5, "slow"),
        ([0.2, 0.2, 1.8, 2.6], 60, 0.0, "fast"),
    ],
)
def test_bound_is_the_brute_force_minimum_on_small_cases(
    load: list[float], step_s: int, rf: float, profile: str
) -> None:
    # Every schedule of floors 0.5..3.0 ACU over four steps, simulated: the cheapest
    # violation-free one costs exactly what the bound costs.
    m = ScalerModel(ramp=profile)
    arr = np.array(load)
    cap = 3.0
    best = None
    for combo in itertools.product([0.5 * k for k in range(1, 7)], repeat=len(load)):
        sim = _sim(arr, np.array(combo), step_s=step_s, rf=rf, m=m, cap=cap)
        if sim.slo_violation_min == 0.0 and sim.shortfall_acu_h == 0.0:
            best = sim.cost_usd if best is None else min(best, sim.cost_usd)
    floors = _bound(arr, step_s=step_s, rf=rf, m=m, cap=cap)
    got = _sim(arr, floors, step_s=step_s, rf=rf, m=m, cap=cap)
    assert best is not None
    assert got.slo_violation_min == 0.0
    assert got.cost_usd == pytest.approx(best, rel=1e-9)


def test_a_jump_the_scaler_cannot_follow_raises_the_floor_just_in_time() -> None:
    # Default profile: doubling 45 s, settings take effect 60 s after the step start.
    # Load 0.35 ACU, then 8 ACU from step 6 (60-s steps, t = 360 s); the writer (read_frac
    # 0.5) needs 4/0.95 = 4.21, i.e. 4.5 ACU, at t = 360 s. From 0.5 ACU that is a ramp of
    # 45*log2(9) = 143 s. Staged, just in time:
    # - floor 1.0 at step 2 (in force at 180 s, reached at 225 s), since from 0.5 at 240 s
    #   the ramp would end at 383 s;
    # - floor 2.0 at step 3 (in force at 240 s, reached at 285 s), since from 1.5 at 300 s
    #   the ramp would end at 371 s;
    # - floor 4.5 at step 4 (in force at 300 s): 2.0 -> 4.5 takes 52.6 s, done at 353 s.
    m = ScalerModel()
    load = np.array([0.35] * 6 + [8.0] * 3)
    floors = _bound(load, step_s=60, rf=0.5, m=m, cap=16.0)
    assert floors.tolist() == [0.5, 0.5, 1.0, 2.0, 4.5, 0.5, 0.5, 0.5, 0.5]
    sim = _sim(load, floors, step_s=60, rf=0.5, m=m, cap=16.0)
    assert sim.slo_violation_min == 0.0
    reactive = _sim(load, np.full(len(load), 0.5), step_s=60, rf=0.5, m=m, cap=16.0)
    assert reactive.slo_violation_min > 0.0
    assert sim.cost_usd > reactive.cost_usd
    single = floors.copy()
    single[2:5] = 4.5  # one early raise to the need costs more than the staged one
    assert _sim(load, single, step_s=60, rf=0.5, m=m, cap=16.0).cost_usd > sim.cost_usd


def test_a_steady_load_needs_no_floor_above_the_minimum() -> None:
    load = np.full(50, 3.0)
    floors = _bound(load, step_s=300, rf=0.5, m=ScalerModel(), cap=16.0)
    assert floors.tolist() == [0.5] * 50


def test_demand_beyond_max_capacity_is_capped_not_chased() -> None:
    load = np.array([1.0, 40.0, 40.0])
    floors = _bound(load, step_s=300, rf=0.5, m=ScalerModel(), cap=8.0)
    assert floors.max() <= 8.0
    assert floors[0] == 8.0  # reach MaxCapacity before the jump: the best any schedule can do


def test_an_integer_max_capacity_keeps_half_acu_floors() -> None:
    # A library caller passing MaxCapacity as an int got an int array: 0.5-ACU floors read 0.
    load = np.array([1.0, 1.0, 9.0, 9.0, 1.0, 1.0])
    cluster = FloorCluster(read_frac=0.0, has_failover=False, min_acu=0.5, max_acu=16)
    floors = cheapest_floors(load, load, step_s=300, cluster=cluster, model=ScalerModel())
    as_float = cheapest_floors(
        load, load, step_s=300, cluster=dataclasses.replace(cluster, max_acu=16.0), model=ScalerModel()
    )
    assert floors.dtype == np.float64 and floors.min() == 0.5
    np.testing.assert_array_equal(floors, as_float)
