"""Adaptive conformal calibration (forecasting.calibration) and unprecedented levels: known
values, independent re-computations and invariants."""

import math
import warnings

import numpy as np
import pytest
from conftest import diurnal
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting import ForecastConfig, ForecastWarning, forecast_demand
from forecasting.calibration import (
    ACI_GAMMA,
    BIN_SHARE,
    HALF_LIVES_S,
    MIN_BIN_ERRORS,
    aci_levels,
    calibrate,
    choose_half_life,
    weighted_quantiles,
)
from forecasting.history import fill_gaps
from forecasting.selection import AutoForecaster
from forecasting.unprecedented import (
    MIN_EXCESS_FRAC,
    UNPRECEDENTED_DROP,
    UNPRECEDENTED_LEVEL,
    level_drop,
    level_excess,
)

STEP_S = 300
SEASON_STEPS = 288
HALF_LIVES = np.array([s / STEP_S for s in HALF_LIVES_S])  # 288, 576, 1152 steps


def conformal_rank(n: int, q: float) -> int:
    """Split-conformal order statistic (1-based) of n scores, clipped to 1..n."""
    return min(max(math.ceil((n + 1) * q), 1), n)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=300),
    st.floats(0.01, 0.99),
)
def test_equal_weights_give_the_split_conformal_order_statistic(scores, q):
    x = np.asarray(scores)
    expected = np.sort(x)[conformal_rank(x.size, q) - 1]
    assert weighted_quantiles(x, np.ones(x.size), np.array([q]))[0] == expected


def test_recent_weight_moves_the_quantile():
    # 100 old errors of 0 (weight 1/1024 each) and 20 recent errors of 10 (weight 1 each):
    # total 20.098 + 1; the old ones hold 0.098 (0.46% of it), so p0.4 is 0 and p1 and up 10.
    scores = np.r_[np.zeros(100), np.full(20, 10.0)]
    weights = np.r_[np.full(100, 2.0**-10), np.ones(20)]
    assert weighted_quantiles(scores, weights, np.array([0.004, 0.01, 0.9])).tolist() == [0.0, 10.0, 10.0]
    # the test point's weight 1 leaves no level above 20.098 / 21.098 = 0.9526 inside the data:
    assert weighted_quantiles(scores, weights, np.array([0.95, 0.96])).tolist() == [10.0, 10.0]


def test_aci_levels_follow_the_update_exactly():
    starts = np.array([0, 1])
    never = np.zeros((3, 3))  # p-value 0: no error is ever above the level
    always = np.full((3, 3), 0.999)  # above every level below 0.999
    q = np.array([0.9, 0.95])
    calm = aci_levels(never, starts, q, np.arange(3))
    np.testing.assert_allclose(calm, np.tile(q - 3 * ACI_GAMMA * (1 - q), (2, 1)))
    stormy = aci_levels(always, starts, q, np.arange(3))
    np.testing.assert_allclose(stormy, np.tile(np.minimum(q + 3 * ACI_GAMMA * q, 1.0), (2, 1)))
    # a band whose errors all miss rises while the other one falls
    mixed = np.c_[np.full(3, 0.999), np.zeros((3, 2))]
    levels = aci_levels(mixed, starts, q, np.arange(3))
    assert np.all(levels[0] > q) and np.all(levels[1] < q)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_aci_levels_stay_in_range(seed):
    rng = np.random.default_rng(seed)
    pvalues = rng.random((200, 6))
    levels = aci_levels(pvalues, np.array([0, 1, 3]), np.array([0.6, 0.9, 0.99]), np.arange(200))
    assert levels.shape == (3, 3) and np.all((levels >= 0.5) & (levels <= 1.0))


def test_half_life_shortens_after_a_change_in_error_scale():
    rng = np.random.default_rng(7)
    origins = np.arange(672) * 3
    scale = np.where(origins >= origins[-1] - 2 * SEASON_STEPS, 4.0, 1.0)  # last 2 days noisier
    probe = rng.normal(0.0, 1.0, (672, 3)) * scale[:, None]
    qs = np.array([0.5, 0.9, 0.95])
    assert choose_half_life(probe, origins, 36, qs, HALF_LIVES, 72, 576) == SEASON_STEPS


def test_half_life_without_a_scorable_checkpoint_is_the_longest():
    origins = np.arange(20) * 3  # an hour of origins: no checkpoint has 2 known ones
    probe = np.ones((20, 2))
    assert choose_half_life(probe, origins, 36, np.array([0.9]), HALF_LIVES, 72, 576) == HALF_LIVES[-1]


def test_hour_bins_move_the_offsets_of_their_hours_halfway():
    # 7 days of origins every 3 steps; errors at 1 + U(0, 1), but 10x larger when the scored
    # step falls in hour 5 of the day (steps 60..71 of each 288).
    rng = np.random.default_rng(3)
    origins = np.arange(672) * 3
    h_cal = 8
    target = origins[:, None] + np.arange(h_cal)[None, :]
    hour = target % SEASON_STEPS // 12
    errors = (1.0 + rng.random((672, h_cal))) * np.where(hour == 5, 10.0, 1.0)
    n = 2016 + 5 * 12 - 4  # the forecast's steps 5..8 fall in hour 5 (steps 4..7 0-based)
    cal = calibrate(errors, origins, n, (0.5,), SEASON_STEPS, STEP_S)
    forecast_hour = (n + np.arange(h_cal)) % SEASON_STEPS // 12
    assert forecast_hour.tolist() == [4, 4, 4, 4, 5, 5, 5, 5]
    # steps 4 and 5 share band 4-7 (2,688 errors, 112 per hour): hour 5's bin lifts step 5;
    # step 8 alone in its band has 28 errors per hour, too few, so it keeps the pooled median
    assert cal.offsets[0, 4] > 4 * cal.offsets[0, 3]
    assert cal.offsets[0, 7] == pytest.approx(
        weighted_quantiles(errors[:, 7], np.exp2(-(n - origins) / cal.half_life_steps), np.array([0.5]))[0]
    )
    # the bin quantile is independent of the pooled one: recompute both for band 4-7 (cols 3-6)
    weights = np.exp2(-(n - origins) / cal.half_life_steps)
    band = errors[:, 3:7].ravel()
    w = np.repeat(weights, 4)
    pooled = weighted_quantiles(band, w, np.array([0.5]))[0]
    in_bin = hour[:, 3:7].ravel() == 5
    assert np.count_nonzero(in_bin) >= MIN_BIN_ERRORS
    binned = weighted_quantiles(band[in_bin], w[in_bin], np.array([0.5]))[0]
    assert cal.offsets[0, 4] == pytest.approx(BIN_SHARE * binned + (1 - BIN_SHARE) * pooled)


def test_a_one_off_errors_count_in_the_pooled_quantile_but_in_no_hour_bin():
    # errors of 1 everywhere, but 50 for the steps of hour 5 on the last day of origins
    origins = np.arange(672) * 3
    h_cal = 8
    target = origins[:, None] + np.arange(h_cal)[None, :]
    burst = (target // SEASON_STEPS == 6) & (target % SEASON_STEPS // 12 == 5)
    errors = np.where(burst, 50.0, 1.0) + np.random.default_rng(4).random((672, h_cal)) * 0.01
    n = 2016 + 5 * 12 - 4  # as above: the forecast's steps 5..8 fall in hour 5
    one_off = np.zeros(n, dtype=bool)
    one_off[6 * SEASON_STEPS + 60 : 6 * SEASON_STEPS + 72] = True
    kept = calibrate(errors, origins, n, (0.95,), SEASON_STEPS, STEP_S)
    left_out = calibrate(errors, origins, n, (0.95,), SEASON_STEPS, STEP_S, one_off)
    assert kept.offsets[0, 4] > 20.0  # hour 5's bin: its last day's errors of 50 are its p95
    assert left_out.offsets[0, 4] < 2.0  # in no bin: the pooled p95 (1.3% of the errors are 50)
    no_bins = calibrate(np.where(burst, 1.0, errors), origins, n, (0.95,), SEASON_STEPS, STEP_S)
    assert left_out.offsets[0, 4] >= no_bins.offsets[0, 4]  # still counted in the pooled one


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(20, 300))
def test_calibrated_offsets_are_finite_and_ordered(seed, n_origins):
    rng = np.random.default_rng(seed)
    errors = rng.standard_t(3, (n_origins, 36)) * rng.uniform(0.1, 5.0)
    origins = 1000 + np.arange(n_origins) * 3
    cal = calibrate(
        errors, origins, int(origins[-1]) + 36, (0.05, 0.5, 0.9, 0.95, 0.99), SEASON_STEPS, STEP_S
    )
    assert cal.offsets.shape == (5, 36) and np.all(np.isfinite(cal.offsets))
    assert np.all(np.diff(cal.offsets, axis=0) >= 0.0)
    assert cal.offsets.min() >= errors.min() and cal.offsets.max() <= errors.max()
    assert cal.half_life_steps in HALF_LIVES


def test_tied_errors_never_count_as_misses():
    # A constant series forecast exactly: every error is 0, so no error is ever above any
    # quantile and the ACI level of p90 falls (0.02 x 0.1 per hourly update) instead of rising.
    errors = np.zeros((300, 12))
    origins = np.arange(300) * 3
    cal = calibrate(errors, origins, int(origins[-1]) + 12, (0.5, 0.9), SEASON_STEPS, STEP_S)
    assert np.all(cal.levels[:, 1] < 0.9)
    assert np.all(cal.offsets == 0.0)


def test_a_one_off_burst_does_not_echo_into_the_upper_quantile():
    # 4 days at 1 ACU and one 1-hour burst to 100 ACU that ended 95 minutes ago (the D10 case
    # of the bug-report QA: MinCapacity 0.5 -> 53 -> 0.5 ACU two hours after the burst). The
    # last backtest origins' 4-7-step forecasts ran into the burst: 33 of 302 x 36 errors.
    # p90 stays at 1 ACU; it read 100 ACU at steps 4-7 when the other, tied errors of 0
    # counted as misses and drove the ACI level to 1.
    demand = np.ones(1227)
    demand[1196:1208] = 100.0
    fc = forecast_demand(demand, step_s=STEP_S, horizon=36, quantiles=(0.5, 0.9))
    assert fc.model == "last_value"
    assert np.asarray(fc.demand_acu)[1].tolist() == [1.0] * 36


def test_calibration_is_deterministic():
    rng = np.random.default_rng(11)
    errors = rng.normal(size=(400, 36))
    origins = np.arange(400) * 3
    a = calibrate(errors, origins, 1236, (0.5, 0.95), SEASON_STEPS, STEP_S)
    b = calibrate(errors.copy(), origins.copy(), 1236, (0.5, 0.95), SEASON_STEPS, STEP_S)
    np.testing.assert_array_equal(a.offsets, b.offsets)
    np.testing.assert_array_equal(a.levels, b.levels)


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (np.r_[np.full(48, 4.0), np.full(12, 6.5)], 2.5),  # a level shift: 6.5 over a 4.0 ceiling
        (np.r_[np.full(48, 4.0), np.full(12, 4.19)], 0.0),  # under 5% above: wobble, not a shift
        (np.r_[np.full(48, 4.0), np.full(12, 4.21)], 0.21),
        (np.r_[np.zeros(600), np.full(12, 1.0)], 1.0),  # out of idle: any rise counts
        (np.full(12, 9.0), 0.0),  # only the last hour: nothing to compare with
    ],
)
def test_level_excess_known_values(history, expected):
    excess, note = level_excess(history, STEP_S)
    assert excess == pytest.approx(expected)
    assert (note is None) == (expected == 0.0)
    if note is not None:
        assert note.startswith("unprecedented level:") and f"{expected:.4g} ACU" in note


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (np.r_[np.full(48, 4.0), np.full(12, 1.0)], 4.0),  # the last hour fell far below every hour
        (np.r_[np.full(48, 4.0), np.full(11, 4.0), 0.0], 4.0),  # one step at 0 is enough: 3.67 < 3.8
        (np.r_[np.full(48, 4.0), np.full(12, 3.81)], 0.0),  # under 5% below: wobble, not a drop
        (np.r_[np.full(48, 4.0), np.full(12, 0.0), np.full(12, 0.0)], 0.0),  # an hour at 0 already
        (np.r_[np.full(48, 4.0), np.full(12, 2.0), np.full(12, 0.0)], 2.0),  # still falling: the lowest
        (np.zeros(60), 0.0),  # idle stays idle
        (np.full(12, 9.0), 0.0),  # only the last hour: nothing to compare with
    ],
)
def test_level_drop_known_values(history, expected):
    low, note = level_drop(history, STEP_S)
    assert low == pytest.approx(expected)
    assert (note is None) == (expected == 0.0)
    if note is not None:
        assert note.startswith(UNPRECEDENTED_DROP) and f"(at least {expected:.4g} ACU)" in note


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (np.r_[np.full(48, 4.0), np.full(12, 0.0), np.full(12, 0.0)], 4.0),  # two hours at 0: still a drop
        (np.r_[np.full(48, 4.0), np.full(12, 2.0), np.full(12, 0.0)], 4.0),  # a fall over 2 h: from its start
        (np.r_[np.full(48, 4.0), np.full(288, 0.0)], 4.0),  # 24 h: the last hour of the hold
        (np.r_[np.full(48, 4.0), np.full(300, 0.0)], 0.0),  # a day at 0 before the last hour: the new level
        (np.r_[np.full(48, 4.0), np.full(36, 1.0), np.full(12, 4.0), np.full(36, 1.0)], 0.0),  # came and went
        (np.r_[np.full(48, 4.0), np.full(12, 3.81)], 0.0),  # under 5% below: wobble, not a drop
    ],
)
def test_level_drop_held_a_day_known_values(history, expected):
    low, note = level_drop(history, STEP_S, hold_s=86_400)
    assert low == pytest.approx(expected)
    assert (note is None) == (expected == 0.0)


def test_a_lull_of_hours_held_a_day_keeps_the_level_before_it():
    # ec2-cpu-step-825cc2's shape: days at ~15 ACU, then a lull at ~4 ACU. Held a day, the rule
    # keeps the old level an hour in and 11 and 23 hours in; the forecaster's own hold (an hour)
    # lets go once the lull is in its reference; 25 hours in, the lull is the new level.
    rng = np.random.default_rng(3)
    days = 15.0 + 0.3 * rng.standard_normal(3 * 288)
    lowest = np.min(days.reshape(-1, 12).mean(axis=1))
    for hours in (1, 11, 23):
        y = np.r_[days, 4.0 + 0.1 * rng.standard_normal(hours * 12)]
        low, note = level_drop(y, STEP_S, hold_s=86_400)
        assert low == pytest.approx(lowest)
        assert note is not None and (hours == 1 or f"each of the {hours - 1} hours since it began" in note)
        assert level_drop(y, STEP_S)[0] == (pytest.approx(lowest) if hours == 1 else 0.0)
    assert level_drop(np.r_[days, np.full(25 * 12, 4.0)], STEP_S, hold_s=86_400) == (0.0, None)


def test_a_dropout_after_a_constant_history_keeps_the_upper_quantiles_at_the_old_level():
    # 3 days at exactly 5 ACU, then one 0 (a restart, a metric gap exported as 0): every candidate
    # ties on a backtest with zero errors, so the calibrated interval alone is certain of the 0.
    y = np.r_[np.full(863, 5.0), 0.0]
    with pytest.warns(ForecastWarning, match="^unprecedented drop: "):
        fc = forecast_demand(y, step_s=300, horizon=36, quantiles=(0.5, 0.9, 0.95))
    (note,) = [w for w in fc.warnings if w.startswith(UNPRECEDENTED_DROP)]
    assert "averaged 4.583 ACU" in note and "keep 5 ACU or more" in note
    np.testing.assert_array_equal(fc.quantile(0.9), np.full(36, 5.0))
    assert fc.quantile(0.95).min() >= 5.0 and fc.quantile(0.5).max() < 5.0  # the median follows the models


@pytest.mark.parametrize("n", [30, 83])
def test_a_dropout_after_a_history_too_short_to_backtest_also_keeps_the_old_level(n):
    # The fallback path (no backtest, last value) used to skip the rule: p50 = p90 = 0 after 2.5 h at 5.
    y = np.r_[np.full(n, 5.0), 0.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast_demand(y, step_s=300, horizon=12, quantiles=(0.5, 0.9))
    assert fc.model == "last_value" and fc.warnings[0].startswith("history has")
    assert fc.warnings[-1].startswith(UNPRECEDENTED_DROP)
    np.testing.assert_array_equal(fc.quantile(0.5), 0.0)
    np.testing.assert_array_equal(fc.quantile(0.9), 5.0)
    with pytest.warns(ForecastWarning, match="^history has 52 steps"):
        rise = forecast_demand(
            np.r_[np.full(40, 2.0), np.full(12, 9.0)], step_s=300, horizon=12, quantiles=(0.5, 0.9)
        )
    np.testing.assert_array_equal(rise.quantile(0.9), 9.0)  # no excess on top of a last value that has it


def test_a_quiet_sunday_the_weekly_model_repeats_is_not_a_drop():
    # 28 days at 10 ACU but 1 ACU on Sundays (day 0 is a Monday); forecast two hours into the 4th Sunday.
    t = np.arange(28 * 288)
    y = np.where(t // 288 % 7 == 6, 1.0, 10.0)
    origin = (3 * 7 + 6) * 288 + 24
    fc = forecast_demand(y[:origin], 300, 12, (0.5, 0.9))
    assert fc.model == "seasonal_naive_weekly"
    assert not [w for w in fc.warnings if w.startswith(UNPRECEDENTED_DROP)]
    assert level_drop(y[: origin - 12], 300)[0] == 10.0  # an hour in, the 2-day rule alone fires


def test_level_excess_looks_back_two_days_only():
    old_peak = np.r_[np.full(12, 50.0), np.full(600, 4.0), np.full(12, 6.0)]  # the peak 2+ days ago
    excess, _ = level_excess(old_peak, STEP_S)
    assert excess == pytest.approx(2.0)
    assert MIN_EXCESS_FRAC == 0.05


def test_a_level_shift_raises_upper_quantiles_and_says_so():
    base, _ = diurnal(6 * SEASON_STEPS, seed=5)
    shifted = base.copy()
    shifted[-12:] += 15.0  # the last hour jumps far above anything in the window
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast_demand(shifted, step_s=STEP_S, horizon=36, quantiles=(0.5, 0.9, 0.95))
        plain = AutoForecaster(horizon=36, quantiles=(0.5, 0.9, 0.95)).fit(shifted, STEP_S)
    notes = [w for w in fc.warnings if w.startswith("unprecedented level:")]
    assert len(notes) == 1
    filled = fill_gaps(shifted, SEASON_STEPS)[0]
    excess, _ = level_excess(filled, STEP_S)
    # Holt-Winters still forecasts the old level, so the intercept correction (forecasting.bias)
    # lifts every quantile by its recent bias, more than the excess: nothing more is added.
    assert 5.0 < excess < plain.shift_
    assert level_excess(filled, STEP_S, lifted_acu=plain.shift_) == (plain.excess_, notes[0])
    assert plain.excess_ == 0.0 and "the forecast already follows it" in notes[0]
    np.testing.assert_array_equal(plain.predict(36, (0.5, 0.9, 0.95)).demand_acu, fc.demand_acu)
    # Without the correction, the whole excess sits on top of the calibrated quantiles, above p50 only.
    plain.shift_, plain.excess_ = 0.0, excess
    lagging = plain.predict(36, (0.5, 0.9, 0.95))
    plain.excess_ = 0.0
    without = plain.predict(36, (0.5, 0.9, 0.95))
    np.testing.assert_array_equal(lagging.quantile(0.5), without.quantile(0.5))
    np.testing.assert_allclose(lagging.demand_acu[1:], without.demand_acu[1:] + excess)


def test_the_excess_is_what_the_intercept_correction_did_not_already_add():
    y = np.r_[np.full(48, 4.0), np.full(12, 6.5)]  # E = 2.5 ACU
    assert level_excess(y, STEP_S)[0] == pytest.approx(2.5)
    part, note = level_excess(y, STEP_S, lifted_acu=1.0)
    assert part == pytest.approx(1.5)
    assert note is not None and note.endswith(
        "raised by 1.5 ACU over the whole horizon on top of the intercept correction's 1 ACU, as if the "
        "new level persists"
    )
    none, note = level_excess(y, STEP_S, lifted_acu=3.0)
    assert none == 0.0 and note is not None and note.startswith(UNPRECEDENTED_LEVEL)
    assert note.endswith(
        "the forecast already follows it (lifted by 3 ACU, the intercept correction), "
        "so nothing more is added"
    )


def test_noisier_last_hours_widen_the_upper_quantiles_within_hours():
    """ACI and the recency weights react within hours: 6 noisier hours widen p95."""
    rng = np.random.default_rng(21)
    calm, _ = diurnal(8 * SEASON_STEPS, seed=21, noise_sd=0.3)
    stormy = calm.copy()
    stormy[-72:] += rng.normal(0.0, 1.5, 72)  # the last 6 hours: 5x the noise
    stormy = np.clip(stormy, 0.0, None)
    kwargs = {"step_s": STEP_S, "horizon": 36, "quantiles": (0.5, 0.95)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        width_calm = np.mean(np.diff(forecast_demand(calm, **kwargs).demand_acu, axis=0))
        width_stormy = np.mean(np.diff(forecast_demand(stormy, **kwargs).demand_acu, axis=0))
    assert width_stormy > 1.5 * width_calm


def test_the_winner_is_calibrated_on_seven_days_of_errors(make_diurnal):
    history, _ = make_diurnal(14 * SEASON_STEPS)
    auto = AutoForecaster(ForecastConfig(), horizon=36, quantiles=(0.5, 0.95)).fit(history, STEP_S)
    assert auto.n_backtest_ == 181  # the selection still scores 2 days out of sample
    assert auto.origins_[-1] == history.size - 36 and np.all(np.diff(auto.origins_) == 3)
    assert auto.origins_[0] >= history.size - 36 - 7 * SEASON_STEPS
    assert auto.origins_[0] - 3 < history.size - 36 - 7 * SEASON_STEPS
    assert auto.errors_.shape == (auto.origins_.size, 36)


def test_a_weekly_batch_the_weekly_model_repeats_is_not_an_unprecedented_level():
    # 28 days at 1 ACU plus 30 ACU on Saturdays and Sundays 02:00-06:00 (day 0 is a Monday);
    # forecast from the 4th Saturday at 03:00, an hour into the batch.
    t = np.arange(28 * 288)
    day, minute = t // 288, t % 288 * 5
    y = np.where((day % 7 >= 5) & (minute >= 120) & (minute < 360), 30.0, 1.0)
    origin = (3 * 7 + 5) * 288 + 36
    fc = forecast_demand(y[:origin], 300, 12, (0.5, 0.9))
    assert fc.model == "seasonal_naive_weekly"
    assert not [w for w in fc.warnings if w.startswith(UNPRECEDENTED_LEVEL)]
    np.testing.assert_allclose(fc.quantile(0.9), 30.0)  # not 59: no 29-ACU excess on top
    np.testing.assert_array_equal(level_excess(y[:origin], 300)[0], 29.0)  # the 2-day rule alone
