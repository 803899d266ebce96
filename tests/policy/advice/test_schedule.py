"""A timetable read off replayed floors: daily and weekly, cron expressions, replayable."""

from datetime import UTC, datetime

import numpy as np
import pytest

from policy.advice.schedule import schedule_floors, schedule_from_floors

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
