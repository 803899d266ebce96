"""A timetable read off replayed floors: daily and weekly, cron expressions, replayable."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from policy.advice.schedule import (
    FloorSchedule,
    daily_pattern_p_value,
    held_out_floors,
    merge_levels,
    schedule_floors,
    schedule_from_floors,
    slot_of_steps,
    with_levels,
)

START = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday


def _floors(days: int, rule) -> np.ndarray:  # type: ignore[no-untyped-def]
    t = np.arange(days * 288) * 300
    return np.array([rule(int(x) // 86_400 % 7, int(x) % 86_400 // 60) for x in t], dtype=float)


def test_daily_timetable_raises_before_the_morning_jump() -> None:
    # 13 ACU from 08:45 to 09:00 every day, else 0.5.
    floors = _floors(4, lambda day, minute: 13.0 if 525 <= minute < 540 else 0.5)
    s = schedule_from_floors(floors, start=START, step_s=300, max_capacity_acu=64.0)
    assert s.kind == "daily"
    got = [(e.at_minute, e.min_capacity_acu, e.cron) for e in s.entries]
    assert got == [
        (0, 0.5, "cron(0 0 ? * * *)"),
        (525, 13.0, "cron(45 8 ? * * *)"),
        (540, 0.5, "cron(0 9 ? * * *)"),
    ]
    replayed = schedule_floors(s, start=START, step_s=300, n_steps=floors.size)
    assert np.array_equal(replayed, floors)


def test_weekly_timetable_groups_weekdays_alike() -> None:
    # Weekdays 8 ACU from 09:00 to 17:00; weekends stay at 0.5. Three weeks of history.
    floors = _floors(21, lambda day, minute: 8.0 if day < 5 and 540 <= minute < 1020 else 0.5)
    s = schedule_from_floors(floors, start=START, step_s=300, max_capacity_acu=64.0)
    assert s.kind == "weekly"
    crons = [(e.cron, e.min_capacity_acu) for e in s.entries]
    assert crons == [
        ("cron(0 0 ? * MON-FRI *)", 0.5),
        ("cron(0 9 ? * MON-FRI *)", 8.0),
        ("cron(0 17 ? * MON-FRI *)", 0.5),
        ("cron(0 0 ? * SAT-SUN *)", 0.5),
    ]
    assert np.array_equal(schedule_floors(s, start=START, step_s=300, n_steps=floors.size), floors)


def test_a_slot_takes_the_high_quantile_of_its_days() -> None:
    # 10 days; the 12:00 slot is raised to 6 ACU on 2 days in 10: p90 keeps it (higher method).
    def rule(day: int, minute: int) -> float:
        return 0.5

    floors = _floors(10, rule)
    noon = [d * 288 + 144 + k for d in (2, 7) for k in range(3)]  # the whole 12:00-12:15 slot
    floors[noon] = 6.0
    s = schedule_from_floors(floors, start=START, step_s=300, max_capacity_acu=64.0)
    assert s.floors_acu[48] == 6.0  # 12:00 slot of 15 min
    assert s.floors_acu[47] == 0.5


def test_untrusted_steps_are_not_read_unless_a_slot_has_nothing_else() -> None:
    # Two days: day 1 was held at 8.5 ACU all day after a hole; day 2 is 13 ACU at 08:45 only.
    floors = _floors(2, lambda day, minute: 8.5 if day == 0 else (13.0 if 525 <= minute < 540 else 0.5))
    trusted = np.arange(floors.size) >= 288
    s = schedule_from_floors(floors, start=START, step_s=300, max_capacity_acu=64.0, trusted=trusted)
    assert [(e.at_minute, e.min_capacity_acu) for e in s.entries] == [(0, 0.5), (525, 13.0), (540, 0.5)]
    held = schedule_from_floors(floors, start=START, step_s=300, max_capacity_acu=64.0)
    assert min(held.floors_acu) == 8.5  # read as it was: the held day sets every slot
    none = schedule_from_floors(
        floors, start=START, step_s=300, max_capacity_acu=64.0, trusted=trusted & False
    )
    assert none.floors_acu == held.floors_acu  # no trusted step anywhere: every step is read


def test_bad_grids_are_refused() -> None:
    with pytest.raises(ValueError, match="step_s=700"):
        schedule_from_floors(np.ones(10), start=START, step_s=700, max_capacity_acu=8.0)


def test_secondaries_dr_target_follows_the_timetable_others_keep_their_settings() -> None:
    from policy.advice.schedule import secondary_schedules

    floors = _floors(4, lambda day, minute: 13.0 if 525 <= minute < 540 else 0.5)
    s = schedule_from_floors(floors, start=START, step_s=300, max_capacity_acu=64.0)
    dr, other = secondary_schedules(
        s,
        (("eu-west-1", "orders-eu", 1.0, 8.0, True), ("ap-south-1", "orders-ap", 0.5, 16.0, False)),
        price_usd_per_acu_hour=0.12,
    )
    assert [(e.at_minute, e.min_capacity_acu, e.max_capacity_acu) for e in dr.schedule.entries] == [
        (0, 1.0, 8.0),
        (525, 8.0, 8.0),  # capped at its own MaxCapacity
        (540, 1.0, 8.0),
    ]
    # One 15-minute slot of 96 a day 7 ACU above its MinCapacity of 1: 7/96 x 730 h x $0.12.
    assert dr.extra_usd_per_month_at_most == pytest.approx(7 / 96 * 730 * 0.12, abs=0.01)
    assert "capped there" in dr.reason
    assert other.schedule.entries == () and "keep MinCapacity 0.5 / MaxCapacity 16 ACU" in other.reason


# --- time zones: the timetable on the local wall clock ----------------------------------------

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def _local_floors(start: datetime, step_s: int, n: int, tz: ZoneInfo, rule) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Floors per UTC step from a rule of the local wall-clock time."""
    return np.array([rule((start + timedelta(seconds=step_s * i)).astimezone(tz)) for i in range(n)], float)


def _raised_before_nine(local: datetime) -> float:
    """acuplan's floors for office hours from 09:00 Berlin: 8 ACU from 08:45 on weekdays."""
    return 8.0 if local.weekday() < 5 and local.hour == 8 and local.minute >= 45 else 1.0


def test_a_berlin_office_load_across_the_march_switch_is_one_slot_on_berlin_time() -> None:
    # Five weeks from Monday 2024-03-11 00:00 CET; clocks go forward on Sunday 2024-03-31.
    start = datetime(2024, 3, 11, tzinfo=BERLIN).astimezone(UTC)
    floors = _local_floors(start, 300, 35 * 288, BERLIN, _raised_before_nine)
    local = schedule_from_floors(
        floors, start=start, step_s=300, max_capacity_acu=32.0, timezone="Europe/Berlin"
    )
    assert local.kind == "weekly" and local.timezone == "Europe/Berlin"
    assert [(e.cron, e.min_capacity_acu) for e in local.entries] == [
        ("cron(0 0 ? * MON-FRI *)", 1.0),
        ("cron(45 8 ? * MON-FRI *)", 8.0),  # one raise, 08:45 Berlin time, all year
        ("cron(0 9 ? * MON-FRI *)", 1.0),
        ("cron(0 0 ? * SAT-SUN *)", 1.0),
    ]
    replayed = schedule_floors(local, start=start, step_s=300, n_steps=floors.size)
    assert np.array_equal(replayed, floors)  # on Berlin's clock the timetable is exact
    # The defect the zone fixes: in UTC the raise is 07:45 in winter and 06:45 in summer, and
    # the timetable keeps both, so every weekday pays for an extra 15 minutes at 8 ACU.
    utc = schedule_from_floors(floors, start=start, step_s=300, max_capacity_acu=32.0)
    assert utc.timezone == "UTC"
    assert [(e.cron, e.min_capacity_acu) for e in utc.entries] == [
        ("cron(0 0 ? * MON-FRI *)", 1.0),
        ("cron(45 6 ? * MON-FRI *)", 8.0),
        ("cron(0 7 ? * MON-FRI *)", 1.0),
        ("cron(45 7 ? * MON-FRI *)", 8.0),
        ("cron(0 8 ? * MON-FRI *)", 1.0),
        ("cron(0 0 ? * SAT-SUN *)", 1.0),
    ]
    extra = schedule_floors(utc, start=start, step_s=300, n_steps=floors.size) - floors
    assert extra.sum() == 25 * 3 * 7.0  # 25 weekdays x 3 steps x 7 ACU above what was needed


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown IANA time zone 'Mars/Olympus'"):
        schedule_from_floors(
            np.ones(288), start=START, step_s=300, max_capacity_acu=8.0, timezone="Mars/Olympus"
        )


def test_spring_forward_the_skipped_hour_reads_other_days_and_its_entry_does_not_run() -> None:
    # New York, 2024-03-10: 02:00 EST -> 03:00 EDT (07:00 UTC). Five days from 03-08 00:00 EST;
    # acuplan held 4 ACU from 02:30 to 06:00 local each day the clock shows 02:30.
    start = datetime(2024, 3, 8, tzinfo=NEW_YORK).astimezone(UTC)
    floors = _local_floors(
        start, 900, 5 * 96, NEW_YORK, lambda x: 4.0 if (2, 30) <= (x.hour, x.minute) < (6, 0) else 1.0
    )
    # On 03-10 local 03:00-06:00 happened (4 ACU), 02:xx did not: no step, no crash.
    s = schedule_from_floors(
        floors, start=start, step_s=900, max_capacity_acu=16.0, timezone="America/New_York"
    )
    assert [(e.at_minute, e.min_capacity_acu) for e in s.entries] == [(0, 1.0), (150, 4.0), (360, 1.0)]
    assert s.floors_acu[10] == 4.0  # the 02:30 slot reads the four days that had it
    replayed = schedule_floors(s, start=start, step_s=900, n_steps=floors.size)
    at = {(start + timedelta(seconds=900 * i)): v for i, v in enumerate(replayed)}
    # EventBridge skips the 02:30 raise on the switch day: MinCapacity stays 1 ACU until 06:00.
    switch_day = [at[datetime(2024, 3, 10, h, m, tzinfo=NEW_YORK).astimezone(UTC)] for h, m in
                  ((1, 45), (3, 0), (5, 45), (6, 0))]  # fmt: skip
    assert switch_day == [1.0, 1.0, 1.0, 1.0]
    next_day = [at[datetime(2024, 3, 11, h, m, tzinfo=NEW_YORK).astimezone(UTC)] for h, m in
                ((2, 15), (2, 30), (5, 45), (6, 0))]  # fmt: skip
    assert next_day == [1.0, 4.0, 4.0, 1.0]


def test_fall_back_the_repeated_hour_counts_once_and_its_entry_runs_once() -> None:
    # New York, 2024-11-03: 01:00-02:00 local happens twice (05:00 UTC EDT, then 06:00 UTC EST).
    start = datetime(2024, 11, 1, tzinfo=NEW_YORK).astimezone(UTC)
    n = 5 * 96 + 4  # five local days and the extra hour
    steps = [start + timedelta(seconds=900 * i) for i in range(n)]

    def floor(t: datetime) -> float:
        x = t.astimezone(NEW_YORK)
        return 6.0 if x.date().day == 3 and (x.hour, x.minute) == (1, 30) else 1.0

    floors = np.array([floor(t) for t in steps])
    assert floors.sum() - n == 2 * 5.0  # both 01:30s of 11-03 were raised
    # p75 of the 01:30 slot over five days: with the repeated hour counted once, [1, 1, 1, 1, 6]
    # gives 1 ACU; counted twice, [1, 1, 1, 1, 6, 6] would give 6 ACU.
    s = schedule_from_floors(
        floors, start=start, step_s=900, max_capacity_acu=16.0, quantile=0.75, timezone="America/New_York"
    )
    assert s.floors_acu[6] == 1.0 and set(s.floors_acu) == {1.0}
    # A raise at 01:30 local runs once on 11-03, in the first 01:30 (EDT); the second holds.
    raised = schedule_from_floors(
        floors,
        start=start,
        step_s=900,
        max_capacity_acu=16.0,
        quantile=1.0 - 1e-9,
        timezone="America/New_York",
    )
    assert [(e.at_minute, e.min_capacity_acu) for e in raised.entries] == [(0, 1.0), (90, 6.0), (105, 1.0)]
    replayed = dict(zip(steps, schedule_floors(raised, start=start, step_s=900, n_steps=n), strict=True))
    first, second = datetime(2024, 11, 3, 5, 30, tzinfo=UTC), datetime(2024, 11, 3, 6, 30, tzinfo=UTC)
    assert first.astimezone(NEW_YORK).strftime("%H:%M %Z") == "01:30 EDT"
    assert second.astimezone(NEW_YORK).strftime("%H:%M %Z") == "01:30 EST"
    assert (replayed[first], replayed[second]) == (6.0, 1.0)
    assert replayed[datetime(2024, 11, 4, 1, 30, tzinfo=NEW_YORK).astimezone(UTC)] == 6.0


def _hourly_noise(days: int, seed: int) -> np.ndarray:
    """Floors acuplan re-planning hourly could set on random bursts: 4.5 or 5 ACU, hour by hour."""
    levels = np.random.default_rng(seed).choice([4.5, 5.0], days * 24)
    return np.repeat(levels, 12)


def test_the_daily_pattern_test_tells_a_daily_peak_from_noise_and_from_a_level_shift() -> None:
    office = _floors(6, lambda day, minute: 8.0 if 480 <= minute < 1080 else 2.0)
    batch = _floors(6, lambda day, minute: 8.5 if minute % 60 < 15 else 0.5)  # at :00 every hour
    shift = np.where(np.arange(6 * 288) < 3 * 288, 20.0, 2.0)  # flat within every day

    assert daily_pattern_p_value(office, start=START, step_s=300) < 1e-6
    assert daily_pattern_p_value(office + _hourly_noise(6, 0), start=START, step_s=300) < 1e-6
    assert daily_pattern_p_value(batch, start=START, step_s=300) < 1e-6  # the hourly maxima are flat
    assert daily_pattern_p_value(batch, start=START, step_s=300, slot_s=3600) == 1.0  # hourly slots
    assert daily_pattern_p_value(_hourly_noise(6, 0), start=START, step_s=300) > 0.05
    assert daily_pattern_p_value(shift, start=START, step_s=300) == 1.0  # nothing to rank within a day


def test_the_daily_pattern_test_is_friedmans_by_hour_and_within_the_hour_bonferroni_combined() -> None:
    from scipy.stats import friedmanchisquare

    floors = _hourly_noise(4, 3) + np.tile(np.linspace(0, 1, 288), 4)  # a weak ramp within each day
    by_hour = floors.reshape(4, 24, 12).max(axis=2)  # whole UTC days x hours, each hour's highest floor
    within = floors.reshape(96, 4, 3).max(axis=2)  # whole hours x their 15-minute slots

    got = daily_pattern_p_value(floors, start=START, step_s=300)

    p_hour, p_within = friedmanchisquare(*by_hour.T).pvalue, friedmanchisquare(*within.T).pvalue
    assert got == pytest.approx(min(1.0, 2 * min(p_hour, p_within)), rel=1e-12)


def test_the_daily_pattern_test_needs_three_whole_trusted_days() -> None:
    floors = _hourly_noise(4, 1)
    trusted = np.ones(floors.size, dtype=bool)
    trusted[30:40] = False  # day 1 loses parts of two hours: each still holds a trusted step
    trusted[288 + 36 : 288 + 48] = False  # day 2 loses all of 03:00-04:00: 3 whole days remain
    assert daily_pattern_p_value(floors, start=START, step_s=300, trusted=trusted) is not None
    trusted[2 * 288 + 36 : 2 * 288 + 48] = False  # so does day 3: 2 remain, no verdict
    assert daily_pattern_p_value(floors, start=START, step_s=300, trusted=trusted) is None
    assert daily_pattern_p_value(floors[: 2 * 288], start=START, step_s=300) is None
    assert daily_pattern_p_value(floors, start=START + timedelta(hours=1), step_s=300) is not None
    with pytest.raises(ValueError, match="step_s=7200 must divide an hour"):
        daily_pattern_p_value(floors[::24], start=START, step_s=7200)


def test_merging_raises_the_cheapest_run_to_its_neighbour_first_within_the_budget() -> None:
    # Slots (the cycle wraps): 1 1 | 4 | 2 | 4 4 | 1. Raising a slot to level L costs L - its level
    # per slot (a stand-in for the replay's estimate).
    level = np.array([1.0, 1.0, 4.0, 2.0, 4.0, 4.0, 1.0])

    def cost(mask: np.ndarray, to: float) -> float:
        return float((to - level[mask]).sum())

    # The 2 between two 4s costs 2 to merge; the wrapped run of 1s (slots 6, 0, 1) costs 9.
    assert merge_levels(level, cost, 1.9).tolist() == level.tolist()  # nothing fits
    assert merge_levels(level, cost, 2.0).tolist() == [1.0, 1.0, 4.0, 4.0, 4.0, 4.0, 1.0]
    assert merge_levels(level, cost, 11.0).tolist() == [4.0] * 7
    assert merge_levels(np.full(3, 2.0), cost, 100.0).tolist() == [2.0] * 3


def test_a_timetable_with_other_levels_rebuilds_its_entries_and_slots_follow_the_wall_clock() -> None:
    floors = _floors(4, lambda day, minute: 13.0 if 525 <= minute < 540 else 0.5)
    s = schedule_from_floors(floors, start=START, step_s=300, max_capacity_acu=64.0)
    flat = with_levels(s, np.full(len(s.floors_acu), 2.0), 64.0)
    assert [(e.at_minute, e.min_capacity_acu) for e in flat.entries] == [(0, 2.0)]
    assert flat.kind == s.kind and flat.slot_s == s.slot_s
    with pytest.raises(ValueError, match="the timetable 96 slots"):
        with_levels(s, [1.0], 64.0)
    slots = slot_of_steps(s, start=START + timedelta(minutes=5), step_s=300, n_steps=4)
    assert slots.tolist() == [0, 0, 1, 1]  # 00:05, 00:10 in slot 0; 00:15, 00:20 in slot 1


def test_held_out_floors_do_not_credit_a_day_with_a_need_only_it_had() -> None:
    # 4 days at 5 minutes: a 10-ACU need at 09:00 every day, and one at 15:00-15:15 on day 2 only.
    minute = (np.arange(4 * 288) * 5) % 1440
    floors = np.where(minute == 540, 10.0, 0.5)
    floors[2 * 288 + 180 : 2 * 288 + 183] = 10.0  # day 2, 15:00-15:15

    def read(keep: np.ndarray) -> FloorSchedule:
        return schedule_from_floors(floors, start=START, step_s=300, max_capacity_acu=16, trusted=keep)

    held = held_out_floors(read, start=START, step_s=300, n_steps=len(floors))
    in_sample = schedule_floors(
        read(np.ones(len(floors), dtype=bool)), start=START, step_s=300, n_steps=len(floors)
    )
    at_nine = minute == 540
    assert np.all(held[at_nine] == 10.0) and np.all(in_sample[at_nine] == 10.0)  # recurs: kept every day
    # the p90 of the 15:00 slot's 12 occurrences reads day 2's 3 in-sample, none with day 2 held out
    assert in_sample[2 * 288 + 180] == 10.0
    assert held[2 * 288 + 180] == 0.5
