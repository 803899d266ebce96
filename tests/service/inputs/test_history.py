"""service.inputs.history: wire points -> step grid -> history array ending at now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from service.inputs.history import (
    HistoryError,
    check_window,
    grid_floor,
    history_until,
    plan_span_s,
    series_end,
    series_from_points,
)
from traces import AcuRule, demand_series

T0 = datetime(2024, 5, 6, tzinfo=UTC)


def _demand(offsets_s: list[int], values: list[float], step_s: int = 300):  # type: ignore[no-untyped-def]
    series = series_from_points([T0 + timedelta(seconds=s) for s in offsets_s], values, cluster_id="c")
    return demand_series(series, step_s=step_s, rule=AcuRule())


@pytest.mark.parametrize(
    ("now_offset_s", "expected"),
    [
        pytest.param(900, [2.0, np.nan, 5.0], id="now_at_data_end"),
        pytest.param(1500, [2.0, np.nan, 5.0, np.nan, np.nan], id="pads_missing_tail"),
        pytest.param(600, [2.0, np.nan], id="cuts_data_at_or_after_now"),
    ],
)
def test_history_until(now_offset_s: int, expected: list[float]) -> None:
    demand = _demand([0, 120, 610], [1.0, 2.0, 5.0])  # two samples in step 0: max is kept

    out = history_until(demand, T0 + timedelta(seconds=now_offset_s))

    np.testing.assert_array_equal(out, np.array(expected))
    assert out.flags.writeable


def test_series_end_is_the_end_of_the_last_step() -> None:
    assert series_end(_demand([0, 610], [1.0, 2.0])) == T0 + timedelta(seconds=900)


@pytest.mark.parametrize(
    ("now", "loc", "part"),
    [
        pytest.param(T0 + timedelta(seconds=301), ("now",), "step grid", id="off_grid"),
        pytest.param(T0, ("now",), "not after the first", id="no_history_before_now"),
        pytest.param(T0.replace(tzinfo=None) + timedelta(hours=1), ("now",), "timezone", id="naive"),
        pytest.param(T0 + timedelta(days=30), ("history",), "at most 100", id="too_long"),
    ],
)
def test_history_until_rejects(now: datetime, loc: tuple[str, ...], part: str) -> None:
    with pytest.raises(HistoryError, match=part) as info:
        history_until(_demand([0], [1.0]), now, max_steps=100)

    assert info.value.loc == loc


S_2024 = int(T0.timestamp())
END_OF_TIME = 253_402_300_799  # 9999-12-31T23:59:59Z


@pytest.mark.parametrize(
    ("first_s", "last_s", "now", "expected"),
    [
        pytest.param(
            S_2024, S_2024 + 610, None, T0 + timedelta(seconds=900), id="default_now_ends_last_step"
        ),
        pytest.param(S_2024, S_2024, T0 + timedelta(hours=1), T0 + timedelta(hours=1), id="explicit_now"),
        pytest.param(
            S_2024,
            S_2024,
            datetime(2024, 5, 6, 3, tzinfo=timezone(timedelta(hours=2))),
            T0 + timedelta(hours=1),
            id="now_returned_in_utc",
        ),
        pytest.param(0, 0, None, datetime(1970, 1, 1, 0, 5, tzinfo=UTC), id="epoch_is_accepted"),
    ],
)
def test_check_window_returns_now_in_utc(
    first_s: int, last_s: int, now: datetime | None, expected: datetime
) -> None:
    got = check_window(first_s, last_s, step_s=300, now=now, max_steps=100, plan_s=10_800)

    assert got == expected and got.tzinfo is UTC


@pytest.mark.parametrize(
    ("first_s", "last_s", "now", "loc", "message"),
    [
        pytest.param(
            S_2024,
            END_OF_TIME - 299,
            None,
            ("history",),
            f"history spans {(END_OF_TIME - 299 - S_2024) // 300 + 1} steps of 300 s "
            "(2024-05-06T00:00:00Z to 9999-12-31T23:55:00Z); at most 100 are accepted",
            id="far_future_sample",
        ),
        pytest.param(
            END_OF_TIME - 299,
            END_OF_TIME - 299,
            None,
            ("history",),
            "the last history step ends at 10000-01-01T00:00:00Z, too late for the 10800-s plan: "
            "it must end by 9999-12-31T23:59:59Z",
            id="default_now_past_the_end_of_time",
        ),
        pytest.param(
            S_2024,
            S_2024,
            datetime(9999, 12, 31, 23, 55, tzinfo=UTC),
            ("now",),
            "now 9999-12-31T23:55:00Z, too late for the 10800-s plan: it must end by 9999-12-31T23:59:59Z",
            id="now_plus_plan_overflows",
        ),
        pytest.param(
            S_2024,
            S_2024,
            datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
            ("now",),
            "now 9999-12-31T23:59:59+00:00 is not on the 300-s step grid (a multiple of step_s since the "
            "Unix epoch); e.g. 9999-12-31T23:55:00Z",
            id="off_grid_now_at_the_end_of_time",
        ),
        pytest.param(
            S_2024,
            S_2024,
            T0 + timedelta(days=1),
            ("now",),
            "now 2024-05-07T00:00:00Z is 288 steps of 300 s after the first history step "
            "(2024-05-06T00:00:00Z); at most 100 are accepted",
            id="now_too_far",
        ),
        pytest.param(
            S_2024,
            S_2024,
            T0,
            ("now",),
            "now 2024-05-06T00:00:00Z is not after the first history step (2024-05-06T00:00:00Z)",
            id="now_at_first_step",
        ),
        pytest.param(
            -300,
            0,
            None,
            ("history",),
            "history starts at 1969-12-31T23:55:00Z; timestamps must be at or after 1970-01-01T00:00:00Z",
            id="before_1970",
        ),
        pytest.param(
            S_2024,
            S_2024,
            datetime(1969, 12, 31, 23, 55, tzinfo=UTC),
            ("now",),
            "now 1969-12-31T23:55:00Z is before 1970-01-01T00:00:00Z; like every timestamp it must be at "
            "or after it",
            id="now_before_1970",
        ),
    ],
)
def test_check_window_rejects_before_building_a_grid(
    first_s: int, last_s: int, now: datetime | None, loc: tuple[str, ...], message: str
) -> None:
    with pytest.raises(HistoryError) as info:
        check_window(first_s, last_s, step_s=300, now=now, max_steps=100, plan_s=10_800)

    assert info.value.loc == loc
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("horizon_s", "plan_step_s", "expected"),
    [(10_800, 900, 10_800), (3_601, 900, 4_500), (60, 900, 900)],
)
def test_plan_span_rounds_the_horizon_up_to_plan_steps(
    horizon_s: int, plan_step_s: int, expected: int
) -> None:
    assert plan_span_s(horizon_s, plan_step_s) == expected


@pytest.mark.parametrize(
    ("clock_offset_s", "step_s", "expected_offset_s"),
    [(0.0, 300, 0), (299.999, 300, 0), (300.0, 300, 300), (3599.5, 900, 2700), (61.0, 60, 60)],
)
def test_grid_floor_truncates_a_clock_to_the_end_of_the_last_whole_step(
    clock_offset_s: float, step_s: int, expected_offset_s: int
) -> None:
    at = grid_floor(T0.timestamp() + clock_offset_s, step_s)

    assert at == T0 + timedelta(seconds=expected_offset_s) and at.tzinfo is UTC
