"""The simulated Aurora reactive scaler: closed-form values checked by hand."""

import math

import numpy as np
import pytest

from policy import Layout, ScalerModel, simulate


def _layout(n: int, floor: float, max_acu: float = 64.0, failover: bool = False) -> Layout:
    return Layout(
        floor_acu=np.full(n, floor),
        max_acu=np.full(n, max_acu),
        n_extra_readers=np.zeros(n, dtype=np.int64),
        has_failover=failover,
    )


def test_floor_above_need_costs_the_floor_and_never_falls_short() -> None:
    # One writer, load 1 ACU, floor 4: the scaler's target is max(4, 1/0.7) = 4.
    sim = simulate(
        np.array([1.0, 1.0]),
        _layout(2, 4.0),
        step_s=3600,
        read_frac=0.0,
        scaler=ScalerModel(),
        price_usd_per_acu_hour=0.12,
    )
    assert sim.cost_usd == pytest.approx(2 * 4 * 0.12)
    assert sim.shortfall_acu_h == 0.0
    assert sim.slo_violation_min == 0.0


def test_ramp_from_a_low_floor_matches_the_closed_form() -> None:
    # Writer at 1 ACU; load jumps to 8. Capacity doubles every 45 s, so it stays below
    # the load for 45*log2(8) = 135 s; shortfall = 8*135 - 45/ln2*(8-1) ACU-s.
    m = ScalerModel(doubling_s=45.0, scaler_target_utilisation=0.7, slo_utilisation=0.95)
    sim = simulate(
        np.array([0.7, 8.0]),
        _layout(2, 1.0),
        step_s=300,
        read_frac=0.0,
        scaler=m,
        price_usd_per_acu_hour=0.12,
    )
    expected_short_s = 8 * 135 - 45 / math.log(2) * 7
    assert sim.shortfall_acu_h == pytest.approx(expected_short_s / 3600)
    # SLO: capacity below 8/0.95 for 45*log2(8/0.95) s
    assert sim.slo_violation_min == pytest.approx(45 * math.log2(8 / 0.95) / 60)


def test_a_floor_at_the_need_removes_the_ramp() -> None:
    m = ScalerModel()
    load = np.array([0.7, 8.0])
    low = simulate(load, _layout(2, 1.0), step_s=300, read_frac=0.0, scaler=m, price_usd_per_acu_hour=0.12)
    high = simulate(load, _layout(2, 12.0), step_s=300, read_frac=0.0, scaler=m, price_usd_per_acu_hour=0.12)
    assert high.shortfall_acu_h == 0.0 and high.slo_violation_min == 0.0
    assert low.shortfall_acu_h > 0.0
    assert high.cost_usd > low.cost_usd


def test_max_capacity_caps_and_leaves_a_shortfall() -> None:
    sim = simulate(
        np.array([10.0]),
        _layout(1, 4.0, max_acu=4.0),
        step_s=3600,
        read_frac=0.0,
        scaler=ScalerModel(),
        price_usd_per_acu_hour=1.0,
    )
    assert sim.cost_usd == pytest.approx(4.0)
    assert sim.shortfall_acu_h == pytest.approx(6.0)
    assert sim.slo_violation_min == pytest.approx(60.0)


def test_failover_reader_follows_the_writer() -> None:
    # All load on the writer (read_frac 0): the tier-1 reader still holds the writer's size.
    sim = simulate(
        np.array([7.0]),
        _layout(1, 10.0, failover=True),
        step_s=3600,
        read_frac=0.0,
        scaler=ScalerModel(),
        price_usd_per_acu_hour=1.0,
    )
    assert sim.cost_usd == pytest.approx(20.0)
    assert sim.capacity_acu[0] == pytest.approx(20.0)


def test_missing_steps_cost_but_are_not_scored() -> None:
    sim = simulate(
        np.array([1.0, np.nan, 100.0]),
        _layout(3, 2.0, max_acu=2.0),
        step_s=60,
        read_frac=0.0,
        scaler=ScalerModel(),
        price_usd_per_acu_hour=60.0,
    )
    assert sim.cost_usd == pytest.approx(3 * 2 * 1.0)
    assert sim.shortfall_acu_h == pytest.approx(98 / 60)  # only the observed 100-ACU step
