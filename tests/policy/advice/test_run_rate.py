"""The level-shift sentence compares the last day with its own kind of day when weekends differ."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import numpy as np

from policy.advice.reasons import last_day_type, run_rate_note
from policy.advice.workweek import day_types

STEP_S = 3600
START = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday


def _week(days: int) -> np.ndarray:
    """Hourly demand: 10 ACU on weekdays, 2 ACU on weekend days, from Monday."""
    return np.array([2.0 if (h // 24) % 7 >= 5 else 10.0 for h in range(days * 24)])


def _note(scored: np.ndarray, same_days: tuple[str, float] | None) -> list[str]:
    runs = (SimpleNamespace(capacity_acu=scored / 0.7), SimpleNamespace(capacity_acu=scored / 0.7))
    outcomes = (SimpleNamespace(monthly_cost_usd=100.0), SimpleNamespace(monthly_cost_usd=90.0))
    return run_rate_note(scored, runs, STEP_S, 0.12, outcomes, None, same_days)  # type: ignore[arg-type]


def test_a_quiet_sunday_after_busy_weekdays_is_no_level_shift() -> None:
    scored = _week(14)  # ends on a Sunday
    types = day_types(scored, start=START, step_s=STEP_S, timezone="UTC")
    assert types is not None and types.differ
    same = last_day_type(types, start=START, step_s=STEP_S, n_steps=len(scored), timezone="UTC")
    assert same == ("weekend days", 2.0)
    assert _note(scored, same) == []
    # Against the whole window's mean (7.7 ACU) the Sunday read as a shift down to 0.26x.
    [before] = _note(scored, None)
    assert before.startswith("demand over the last day averaged 2 ACU, 0.26x the replayed window's 7.71 ACU")


def test_a_real_shift_is_still_named_against_its_own_kind_of_day() -> None:
    scored = _week(14)
    scored[-24:] = 6.0  # the last Sunday at 6 ACU: 3x the weekend days' level
    types = day_types(scored, start=START, step_s=STEP_S, timezone="UTC")
    same = last_day_type(types, start=START, step_s=STEP_S, n_steps=len(scored), timezone="UTC")
    assert same is not None and same[0] == "weekend days"
    [note] = _note(scored, same)
    assert note.startswith("demand over the last day averaged 6 ACU, ")
    assert "x the replayed window's weekend days " in note


def test_the_last_day_is_the_kind_most_of_its_hours_are_on_the_wall_clock() -> None:
    # QA 58's office-hours cluster: a UTC window ending Sunday 24:00, read in Europe/Berlin,
    # ends on Monday 01:00 local, yet 23 of the last 24 hours are Sunday's.
    scored = _week(14)
    types = day_types(scored, start=START, step_s=STEP_S, timezone="Europe/Berlin")
    assert types is not None and types.differ
    same = last_day_type(types, start=START, step_s=STEP_S, n_steps=len(scored), timezone="Europe/Berlin")
    assert same is not None and same[0] == "weekend days"
