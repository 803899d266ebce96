"""Tests of traces.diurnal_demand."""

import numpy as np
import pytest

from traces import diurnal_demand

DAY = 288  # 5-minute steps per day


def test_shape_dtype_and_determinism() -> None:
    a = diurnal_demand(7 * DAY, seed=3)
    assert a.shape == (7 * DAY,) and a.dtype == np.float64
    np.testing.assert_array_equal(a, diurnal_demand(7 * DAY, seed=3))
    assert not np.array_equal(a, diurnal_demand(7 * DAY, seed=4))
    assert np.all(np.isfinite(a)) and np.all(a >= 0)
    assert diurnal_demand(0).shape == (0,)


def test_daily_and_weekly_shape_without_noise_or_bursts() -> None:
    d = diurnal_demand(7 * DAY, noise_frac=0.0, burst_prob=0.0)
    assert d[14 * 12] == pytest.approx(16.0)  # Monday 14:00: peak
    assert d[2 * 12] == pytest.approx(4.0)  # Monday 02:00: trough
    assert d[5 * DAY + 14 * 12] == pytest.approx(4.0 + 12.0 * 0.6)  # Saturday 14:00


def test_bursts_raise_demand_above_the_peak() -> None:
    d = diurnal_demand(14 * DAY, noise_frac=0.0, burst_prob=0.05, seed=1)
    assert d.max() > 16.0


@pytest.mark.parametrize(
    "kwargs",
    [{"n_steps": -1}, {"step_s": 0}, {"base_acu": 20.0}, {"noise_frac": -0.1}, {"burst_prob": 1.5}],
    ids=["n_steps", "step_s", "base-above-peak", "noise", "burst_prob"],
)
def test_invalid_arguments_raise(kwargs: dict[str, float]) -> None:
    args = {"n_steps": 10, **kwargs}
    with pytest.raises(ValueError):
        diurnal_demand(**args)  # type: ignore[arg-type]
