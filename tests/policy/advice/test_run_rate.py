"""The level-shift sentence compares the last day with what the same hours held before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import numpy as np

from policy.advice.reasons import last_day_reference, run_rate_note
from policy.advice.workweek import day_types

STEP_S = 3600
START = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday


def _week(days: int) -> np.ndarray:
    """Hourly demand: 10 ACU on weekdays, 2 ACU on weekend days, from Monday."""
    return np.array([2.0 if (h // 24) % 7 >= 5 else 10.0 for h in range(days * 24)])


def _note(scored: np.ndarray, references: tuple[tuple[str, float], ...]) -> list[str]:
    runs = (SimpleNamespace(capacity_acu=scored / 0.7), SimpleNamespace(capacity_acu=scored / 0.7))
    outcomes = (SimpleNamespace(monthly_cost_usd=100.0), SimpleNamespace(monthly_cost_usd=90.0))
    return run_rate_note(scored, runs, STEP_S, 0.12, outcomes, None, references)  # type: ignore[arg-type]


def _reference(demand: np.ndarray, timezone: str = "UTC") -> tuple[tuple[str, float], ...]:
    types = day_types(demand, start=START, step_s=STEP_S, timezone=timezone)
    end = START + timedelta(hours=len(demand))
    return last_day_reference(demand, types, end=end, step_s=STEP_S, timezone=timezone)


def test_a_quiet_sunday_after_busy_weekdays_is_no_level_shift() -> None:
    demand = _week(14)  # ends on a Sunday
    assert _reference(demand) == (
        ("the same hours a week earlier", 2.0),
        ("the replayed window's weekend days", 2.0),
    )
    assert _note(demand, _reference(demand)) == []
    # Against the whole window's mean (7.7 ACU) the Sunday read as a shift down to 0.26x.
    [before] = _note(demand, ())
    assert before.startswith(
        "demand over the last day averaged 2 ACU, 0.26x the replayed window's mean, 7.71"
    )


def test_a_real_shift_is_still_named_against_the_same_hours_before() -> None:
    demand = _week(15)
    demand[-24:] = 30.0  # the last Monday at 30 ACU: 3x the Mondays before
    reference = _reference(demand)
    assert reference[0] == ("the same hours of the 2 weeks before", 10.0)
    [note] = _note(demand, reference)
    assert note.startswith("demand over the last day averaged 30 ACU, 3.00x the same hours of the 2 weeks")


def test_a_weekly_job_in_the_last_day_is_no_level_shift() -> None:
    # QA 61: an idle cluster (0.6 ACU) with a 12-ACU report job every Monday 06-08: a last day
    # holding the job read 2x the window's mean and "run the advice again once the new level
    # has lasted a few days".
    demand = np.full(14 * 24 + 12, 0.6)  # Monday 00:00 to the third Monday 12:00
    for monday in (0, 7, 14):
        demand[monday * 24 + 6 : monday * 24 + 8] = 12.0
    assert _note(demand, ()) != []
    assert _reference(demand)[0] == ("the same hours a week earlier", 1.55)
    assert _note(demand, _reference(demand)) == []


def test_a_last_day_of_half_weekend_is_compared_with_the_day_types_in_its_mix() -> None:
    # QA 61: under a week of history ending Monday noon: 12 hours of Sunday and 12 of Monday,
    # against the weekdays' mean, read 0.63x and "a new level".
    start = START + timedelta(days=1)  # a Tuesday
    hours = [start + timedelta(hours=h) for h in range(6 * 24 + 12)]  # to Monday 12:00
    demand = np.array([2.0 if t.weekday() >= 5 else 10.0 for t in hours])
    types = day_types(demand, start=start, step_s=STEP_S, timezone="UTC")
    reference = last_day_reference(
        demand, types, end=hours[-1] + timedelta(hours=1), step_s=STEP_S, timezone="UTC"
    )
    [(words, level)] = reference  # no week before it
    assert words.endswith("in the last day's mix (50% weekend)") and level == 6.0
    assert _note(demand, reference) == []
