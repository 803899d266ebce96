"""The forecast benchmark's day-block bootstrap interval of a pooled coverage."""

from __future__ import annotations

import numpy as np

from benchmarks.forecast import coverage_interval

DAY = 288  # 5-minute steps


def _origins(days: int) -> np.ndarray:
    return np.arange(0, days * DAY, 12)  # hourly origins


def test_all_points_covered_gives_a_point_interval() -> None:
    o = _origins(5)
    cover = np.ones((o.size, 36), dtype=bool)
    assert coverage_interval(cover, np.ones_like(cover), o) == [1.0, 1.0]


def test_two_days_one_covered_one_not_spans_zero_to_one() -> None:
    # Resampling 2 days: both the covered one (1/4), both the missed one (1/4), or one of each
    # (1/2), so the 2.5 % and 97.5 % points are 0 and 1.
    o = _origins(2)
    cover = np.zeros((o.size, 36), dtype=bool)
    cover[: o.size // 2] = True
    assert coverage_interval(cover, np.ones_like(cover), o) == [0.0, 1.0]


def test_interval_holds_the_pooled_coverage_ignores_unseen_points_and_repeats() -> None:
    rng = np.random.default_rng(7)
    o = _origins(12)
    cover = rng.random((o.size, 36)) < 0.9
    seen = rng.random((o.size, 36)) < 0.95
    low, high = coverage_interval(cover, seen, o)
    pooled = np.mean(cover[seen])
    assert low <= pooled <= high
    assert high - low < 0.05  # 12 days of independent points: a narrow interval
    unseen_flipped = np.where(seen, cover, ~cover)
    assert coverage_interval(unseen_flipped, seen, o) == [low, high]
