"""Weekdays against weekend days: the caveat, and the timetable split by day type (QA 55 C)."""

from datetime import UTC, datetime, timedelta

import numpy as np

from policy import ClusterSpec
from policy.advice.advise import advise
from policy.advice.schedule import schedule_from_floors
from policy.advice.types import CurrentSettings
from policy.advice.workweek import DayTypes, day_type_reasons, day_types, workweek_schedule

MONDAY = datetime(2024, 3, 4, tzinfo=UTC)


def _office_week(days: int) -> np.ndarray:
    """From Monday at 5-min steps: weekdays 12 ACU 09:00-17:00 UTC else 1 ACU; weekends 0.5 ACU."""
    t = [MONDAY + timedelta(minutes=5 * i) for i in range(days * 288)]
    return np.array([0.5 if x.weekday() >= 5 else (12.0 if 9 <= x.hour < 17 else 1.0) for x in t])


def test_day_types_compare_whole_weekdays_with_weekend_days() -> None:
    # From Wednesday (after a 2-day warm-up): WED-FRI, SAT, SUN, MON-WED = 6 weekdays, 2 weekend days;
    # a weekday averages (8 x 12 + 16 x 1) / 24 = 4.667 ACU.
    types = day_types(
        _office_week(10)[2 * 288 :], start=MONDAY + timedelta(days=2), step_s=300, timezone="UTC"
    )
    assert types is not None
    assert (types.weekdays, types.weekend_days) == (6, 2)
    assert round(types.weekday_mean_acu, 3) == 4.667 and types.weekend_mean_acu == 0.5
    assert types.differ and types.splittable
    flat = day_types(np.full(8 * 288, 3.0), start=MONDAY, step_s=300, timezone="UTC")
    assert flat is not None and not flat.differ


def _with_holiday(days: int, holiday: int) -> np.ndarray:
    """:func:`_office_week` with weekday ``holiday`` at the weekend's 0.5 ACU, as on a public holiday."""
    demand = _office_week(days)
    demand[holiday * 288 : (holiday + 1) * 288] = 0.5
    return demand


def test_a_public_holiday_leaves_a_working_week_a_working_week() -> None:
    # QA 68: one holiday (a weekday at the weekend's level) put a weekday within the weekend
    # days' range, so the day types no longer "differed" and the timetable was not split.
    # 15 days from Monday: 11 weekdays, the Thursday (day 3) a holiday, and 4 weekend days.
    types = day_types(_with_holiday(15, 3), start=MONDAY, step_s=300, timezone="UTC")
    assert types is not None and types.differ and types.splittable
    assert types.odd_days == ((MONDAY + timedelta(days=3)).date(),)
    # the holiday is left out of the weekdays' count and mean: 10 typical weekdays at 4.667 ACU
    assert (types.weekdays, types.weekend_days) == (10, 4)
    assert round(types.weekday_mean_acu, 3) == 4.667
    minute = (np.arange(288) * 5) % 1440
    daily = schedule_from_floors(
        np.where((minute >= 540) & (minute < 1020), 12.0, 1.0), start=MONDAY, step_s=300, max_capacity_acu=32
    )
    (caveat,) = day_type_reasons(types, daily)
    assert "leaving out Thu 2024-03-07, whose demand looked like the other day type's" in caveat


def test_an_odd_day_among_few_of_its_type_is_no_pattern() -> None:
    # 8 days from Monday: 6 weekdays, 2 weekend days; one Saturday busy as a weekday. With fewer
    # than five days of a type none may be odd (ODD_DAY_SHARE): the types do not differ.
    demand = _office_week(8)
    demand[5 * 288 : 6 * 288] = demand[:288]
    types = day_types(demand, start=MONDAY, step_s=300, timezone="UTC")
    assert types is not None and not types.differ and types.odd_days == ()
    # two holidays in a week of five weekdays (and the next Monday) are more than one in five
    two = _with_holiday(8, 1)
    two[3 * 288 : 4 * 288] = 0.5
    assert not day_types(two, start=MONDAY, step_s=300, timezone="UTC").differ  # type: ignore[union-attr]


def test_the_workweek_timetable_runs_its_parts_on_mon_fri_and_sat_sun() -> None:
    minute = (np.arange(2 * 288) * 5) % 1440
    busy = schedule_from_floors(
        np.where((minute >= 540) & (minute < 1020), 12.0, 1.0), start=MONDAY, step_s=300, max_capacity_acu=32
    )
    quiet = schedule_from_floors(np.full(2 * 288, 0.5), start=MONDAY, step_s=300, max_capacity_acu=32)
    week = workweek_schedule(busy, quiet, 32.0)
    assert week.kind == "weekly" and len(week.floors_acu) == 7 * 96
    assert [(e.cron, e.min_capacity_acu) for e in week.entries] == [
        ("cron(0 0 ? * MON-FRI *)", 1.0),
        ("cron(0 9 ? * MON-FRI *)", 12.0),
        ("cron(0 17 ? * MON-FRI *)", 1.0),
        ("cron(0 0 ? * SAT-SUN *)", 0.5),
    ]


def test_a_daily_timetable_over_differing_days_gets_a_caveat_with_the_numbers() -> None:
    minute = (np.arange(2 * 288) * 5) % 1440
    daily = schedule_from_floors(
        np.where((minute >= 540) & (minute < 1020), 12.0, 1.0), start=MONDAY, step_s=300, max_capacity_acu=32
    )
    one_weekend_day = DayTypes(4, 1, 4.667, 0.5, 12.0, 0.5, differ=True)
    (caveat,) = day_type_reasons(one_weekend_day, daily)
    assert caveat.startswith(
        "caveat: demand averaged 4.67 ACU on the 4 whole weekdays of the replayed window (peak 12 ACU) and "
        "0.5 ACU on its 1 weekend days (peak 0.5 ACU), and this daily timetable runs on every day, weekends "
        "too: with fewer than 2 whole days of each it is not split by them"
    )
    assert day_type_reasons(DayTypes(4, 1, 4.0, 3.9, 5.0, 5.0, differ=False), daily) == []


def test_the_day_types_peaks_are_rounded_as_their_means() -> None:
    """QA 58 #4: ``(peak 14.9856)`` beside ``5.7 ACU``: every demand figure has 3 significant digits."""
    minute = (np.arange(2 * 288) * 5) % 1440
    daily = schedule_from_floors(
        np.where((minute >= 540) & (minute < 1020), 12.0, 1.0), start=MONDAY, step_s=300, max_capacity_acu=32
    )

    (caveat,) = day_type_reasons(DayTypes(5, 1, 5.7012, 1.5432, 14.9856, 14.9888, differ=True), daily)

    assert (
        "5 whole weekdays of the replayed window (peak 15 ACU) and 1.54 ACU on its 1 weekend days "
        "(peak 15 ACU)" in caveat
    )


def test_advise_splits_the_timetable_when_weekends_differ() -> None:
    # QA 55 C: a daily timetable of 10 changes raised MinCapacity to 12.5 ACU at 10:00 on
    # Saturdays and Sundays too, where the history shows 0.5 ACU all day.
    advice = advise(
        _office_week(10),
        start=MONDAY,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=0.5, max_capacity_acu=32),
    )
    assert advice.schedule.kind == "weekly"
    days = {e.weekdays for e in advice.schedule.entries}
    assert days == {("MON", "TUE", "WED", "THU", "FRI"), ("SAT", "SUN")}
    weekend = [e for e in advice.schedule.entries if e.weekdays == ("SAT", "SUN")]
    # the weekend's levels are read off the weekend days' floors only: not the weekdays' raise
    # (acuplan's live floors still raised 6.5 ACU before 09:00 on weekend mornings: the
    # timetable is now read off the bound's floors, the least each replayed step needed)
    assert advice.schedule.read_from == "bound"
    # 0.5 ACU all day, and 1 ACU from 23:45: before Monday's night level of 1 ACU (the bound's
    # floor at Sunday 23:55; each occurrence of a slot reads the most its steps needed)
    assert [(e.at_minute, e.min_capacity_acu) for e in weekend] == [(0, 0.5), (23 * 60 + 45, 1.0)]
    # weekdays: 6.5 ACU for the 15 minutes before 09:00, then the scaler climbs to 12 ACU from there
    weekdays = [(e.at_minute, e.min_capacity_acu) for e in advice.schedule.entries if e.weekdays[0] == "MON"]
    assert weekdays == [(0, 0.5), (8 * 60 + 45, 6.5), (9 * 60, 0.5)]
    assert advice.recommended.slo_violation_min < advice.current.slo_violation_min / 10
    assert any(r.startswith("demand averaged 4.67 ACU on the 6 whole weekdays") for r in advice.reasons)
