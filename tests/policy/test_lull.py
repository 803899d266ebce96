"""policy.lull: the plan keeps the level before an unprecedented drop in reach for up to a day."""

import numpy as np

from forecasting import ForecastConfig
from policy.lull import LULL_HOLD_S, keep_level_through_lull

QS = (0.1, 0.5, 0.9, 0.95)
CONFIG = ForecastConfig()


def _forecast(level: float) -> np.ndarray:
    return np.tile(np.array([[level - 0.5], [level], [level + 0.5], [level + 0.8]]), (1, 36))


def test_in_a_lull_the_rows_above_p50_keep_the_old_level_and_the_others_stay() -> None:
    history = np.r_[np.full(3 * 288, 15.0), np.full(11 * 12, 4.0)]
    history[100:103] = np.nan  # gaps are filled as the forecaster fills them
    kept, note = keep_level_through_lull(history, _forecast(4.0), QS, step_s=300, model="ses", config=CONFIG)
    np.testing.assert_array_equal(kept[:2], _forecast(4.0)[:2])
    np.testing.assert_array_equal(kept[2:], 15.0)
    assert note is not None and note.startswith("lull: unprecedented drop: ")
    assert f"up to {LULL_HOLD_S // 3600} h" in note


def test_outside_a_lull_the_forecast_is_untouched() -> None:
    t = np.arange(4 * 288)
    diurnal = 8 + 6 * np.sin(2 * np.pi * t / 288)  # a nightly trough is no lull: it was seen before
    for history in (diurnal, np.r_[np.full(3 * 288, 15.0), np.full(25 * 12, 4.0)], np.full(12, np.nan)):
        forecast = _forecast(4.0)
        kept, note = keep_level_through_lull(history, forecast, QS, step_s=300, model="ses", config=CONFIG)
        assert note is None and kept is forecast


def test_a_quiet_day_the_weekly_model_repeats_is_no_lull() -> None:
    t = np.arange(28 * 288)
    y = np.where(t // 288 % 7 == 6, 1.0, 10.0)  # 1 ACU on Sundays
    history = y[: (3 * 7 + 6) * 288 + 120]  # ten hours into the 4th Sunday
    kept, note = keep_level_through_lull(
        history, _forecast(1.0), QS, step_s=300, model="seasonal_naive_weekly", config=CONFIG
    )
    assert note is None
    assert keep_level_through_lull(history, _forecast(1.0), QS, step_s=300, model="ses", config=CONFIG)[1]
