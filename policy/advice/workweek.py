"""Weekdays against weekend days: whether a daily timetable fits both, and the timetable split by them.

Owns :func:`day_types`, :func:`workweek_schedule` and :func:`day_type_reasons`. A daily
MinCapacity timetable runs every day (EventBridge ``cron(... ? * * *)``); when the history's
weekend days carry clearly other demand than its weekdays, its raises for weekday peaks also
run on Saturdays and Sundays. EventBridge Scheduler cron expressions take a day-of-week field
(``MON-FRI``, ``SAT-SUN``; EventBridge Scheduler User Guide, "Schedule types": cron-based
schedules), so the timetable can be read apart for the two day types and each part scheduled
on its days: :func:`workweek_schedule`, a ``weekly`` :class:`~policy.advice.schedule.FloorSchedule`
whose five weekdays and two weekend days each share one day's levels. Days follow the
timetable's zone's wall clock. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from policy.advice.schedule import FloorSchedule, slot_of_steps, with_levels

FloatArray = npt.NDArray[np.float64]

MIN_DAYS_PER_TYPE = 2
"""Whole days of each type (weekday, weekend day) the replayed window needs before the timetable
is split by them: with one Saturday, its level would be one day's noise."""

DAY_TYPE_RATIO = 1.5
"""The day types "differ clearly" when their mean demands differ by at least this factor and no
weekday's mean lies within the range of the weekend days' means. ASSUMPTION: a half again
more load is a different day, not a busier one; the non-overlap makes one odd day no pattern."""

WHOLE_DAY_SHARE = 0.8
"""A day counts as whole when at least this share of its steps is observed (the planner's
``min_coverage_24h``)."""


@dataclass(frozen=True)
class DayTypes:
    """Demand on the replayed window's weekdays and weekend days (whole days only).

    Attributes:
        weekdays: whole weekdays (MON-FRI) in the window.
        weekend_days: whole weekend days (SAT-SUN).
        weekday_mean_acu: mean demand over the weekdays, ACU.
        weekend_mean_acu: mean demand over the weekend days, ACU.
        weekday_peak_acu: highest demand on a weekday, ACU.
        weekend_peak_acu: highest demand on a weekend day, ACU.
        differ: the two differ clearly (:data:`DAY_TYPE_RATIO`).
    """

    weekdays: int
    weekend_days: int
    weekday_mean_acu: float
    weekend_mean_acu: float
    weekday_peak_acu: float
    weekend_peak_acu: float
    differ: bool

    @property
    def splittable(self) -> bool:
        """They differ, with at least :data:`MIN_DAYS_PER_TYPE` whole days of each."""
        return self.differ and min(self.weekdays, self.weekend_days) >= MIN_DAYS_PER_TYPE


def day_of_week(*, start: datetime, step_s: int, n_steps: int, timezone: str) -> npt.NDArray[np.int64]:
    """Each step's weekday on ``timezone``'s wall clock: 0 Monday ... 6 Sunday, shape (n_steps,)."""
    week = FloorSchedule(kind="weekly", slot_s=86_400, quantile=0.5, entries=(), floors_acu=(0.0,) * 7)
    week = week.model_copy(update={"timezone": timezone})
    return slot_of_steps(week, start=start, step_s=step_s, n_steps=n_steps)


def day_types(demand_acu: FloatArray, *, start: datetime, step_s: int, timezone: str) -> DayTypes | None:
    """Compare the window's weekdays with its weekend days.

    Args:
        demand_acu: demand over the replayed window, shape (n,), ACU, NaN where missing.
        start: start of step 0 (UTC).
        step_s: step length, seconds.
        timezone: the timetable's IANA zone (days on its wall clock).

    Returns:
        The comparison, or None without a whole day of either type.
    """
    dow = day_of_week(start=start, step_s=step_s, n_steps=len(demand_acu), timezone=timezone)
    day = np.cumsum(np.r_[0, dow[1:] != dow[:-1]])  # consecutive steps on one weekday: one day
    per_day = 86_400 // step_s
    means: dict[bool, list[float]] = {True: [], False: []}
    peaks: dict[bool, list[float]] = {True: [], False: []}
    for d in np.unique(day):
        values = demand_acu[day == d]
        seen = values[np.isfinite(values)]
        if seen.size < WHOLE_DAY_SHARE * per_day:
            continue
        weekend = bool(dow[day == d][0] >= 5)
        means[weekend].append(float(seen.mean()))
        peaks[weekend].append(float(seen.max()))
    if not means[True] or not means[False]:
        return None
    wd, we = float(np.mean(means[False])), float(np.mean(means[True]))
    apart = min(means[False]) > max(means[True]) or max(means[False]) < min(means[True])
    ratio = max(wd, we) / max(min(wd, we), 1e-9)
    return DayTypes(
        weekdays=len(means[False]),
        weekend_days=len(means[True]),
        weekday_mean_acu=wd,
        weekend_mean_acu=we,
        weekday_peak_acu=max(peaks[False]),
        weekend_peak_acu=max(peaks[True]),
        differ=apart and ratio >= DAY_TYPE_RATIO,
    )


def workweek_schedule(
    weekdays: FloorSchedule, weekend: FloorSchedule, max_capacity_acu: float
) -> FloorSchedule:
    """A weekly timetable: ``weekdays``' levels Monday to Friday, ``weekend``'s on Saturday and Sunday.

    Args:
        weekdays: the daily timetable read off the weekdays' floors.
        weekend: the daily timetable read off the weekend days' floors (same slot).
        max_capacity_acu: MaxCapacity every entry keeps.

    Returns:
        A ``weekly`` timetable (its entries on ``MON-FRI`` and ``SAT-SUN``).

    Raises:
        ValueError: the two are not daily timetables with the same slot.
    """
    if weekdays.kind != "daily" or weekend.kind != "daily" or weekdays.slot_s != weekend.slot_s:
        raise ValueError("weekdays and weekend must be daily timetables with the same slot_s")
    levels = np.concatenate([np.tile(weekdays.floors_acu, 5), np.tile(weekend.floors_acu, 2)])
    week = weekdays.model_copy(update={"kind": "weekly", "floors_acu": tuple(float(x) for x in levels)})
    return with_levels(week, levels, max_capacity_acu)


def day_type_reasons(types: DayTypes | None, schedule: FloorSchedule) -> list[str]:
    """Why the timetable is split by day type, or the caveat that a daily one also runs on the other days.

    Args:
        types: :func:`day_types`, or None (nothing is said).
        schedule: the timetable advised.

    Returns:
        One sentence when the day types differ clearly, else none.
    """
    if types is None or not types.differ:
        return []
    t = types
    facts = (
        f"demand averaged {t.weekday_mean_acu:.3g} ACU on the {t.weekdays} whole weekdays of the replayed "
        f"window (peak {t.weekday_peak_acu:.3g} ACU) and {t.weekend_mean_acu:.3g} ACU on its "
        f"{t.weekend_days} weekend days (peak {t.weekend_peak_acu:.3g} ACU)"
    )
    if schedule.kind == "weekly":
        return [
            f"{facts}, so the timetable is read apart for MON-FRI and SAT-SUN and its EventBridge schedules "
            "run on those days (cron day-of-week MON-FRI, SAT-SUN)"
        ]
    if len(set(schedule.floors_acu)) == 1:
        return []  # one MinCapacity all day, every day: nothing runs on the wrong days
    why = (
        f"with fewer than {MIN_DAYS_PER_TYPE} whole days of each it is not split by them"
        if not t.splittable
        else "split by them, it did no better in replay"
    )
    return [
        f"caveat: {facts}, and this daily timetable runs on every day, weekends too: {why}; check the "
        "weekend's schedules before applying, or advise again with more history"
    ]
