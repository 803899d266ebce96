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
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from policy.advice.schedule import FloorSchedule, slot_of_steps, with_levels

FloatArray = npt.NDArray[np.float64]

MIN_DAYS_PER_TYPE = 2
"""Whole days of each type (weekday, weekend day) the replayed window needs before the timetable
is split by them: with one Saturday, its level would be one day's noise."""

DAY_TYPE_RATIO = 1.5
"""The day types "differ clearly" when their typical days' mean demands differ by at least this
factor and a threshold between them leaves few odd days (:data:`ODD_DAY_SHARE`). ASSUMPTION: a
half again more load is a different day, not a busier one."""

ODD_DAY_SHARE = 0.2
"""At most this share of each type's whole days (rounded down) may lie on the other type's side
of the threshold that best separates their daily means: one weekday in five that looks like a
weekend day (a public holiday) leaves a working week a working week, while with fewer than five
days of a type none may (one odd Saturday of two is no pattern). ASSUMPTION: one public holiday
per working week is the most a timetable split by day type should shrug off."""

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
        differ: the two differ clearly (:data:`DAY_TYPE_RATIO`, :data:`ODD_DAY_SHARE`).
        odd_days: where they differ, the whole days whose demand looked like the other type's
            (a public holiday), local dates; they are left out of every count, mean and peak above.
    """

    weekdays: int
    weekend_days: int
    weekday_mean_acu: float
    weekend_mean_acu: float
    weekday_peak_acu: float
    weekend_peak_acu: float
    differ: bool
    odd_days: tuple[date, ...] = ()

    @property
    def splittable(self) -> bool:
        """They differ, with at least :data:`MIN_DAYS_PER_TYPE` whole days of each."""
        return self.differ and min(self.weekdays, self.weekend_days) >= MIN_DAYS_PER_TYPE


def day_of_week(*, start: datetime, step_s: int, n_steps: int, timezone: str) -> npt.NDArray[np.int64]:
    """Each step's weekday on ``timezone``'s wall clock: 0 Monday ... 6 Sunday, shape (n_steps,)."""
    week = FloorSchedule(kind="weekly", slot_s=86_400, quantile=0.5, entries=(), floors_acu=(0.0,) * 7)
    week = week.model_copy(update={"timezone": timezone})
    return slot_of_steps(week, start=start, step_s=step_s, n_steps=n_steps)


def _odd_days(weekday_means: list[float], weekend_means: list[float]) -> tuple[list[int], list[int]]:
    """The days on the wrong side of the threshold that best separates the two types' daily means.

    The busier type is the one with the higher median day; the threshold is the one (between
    two sorted day means) that leaves the least share of each type's days on the wrong side
    (summed over the two types: one odd weekday of nine weighs less than one odd weekend day
    of four), the lowest on a tie.
    Returns the indices of the odd weekdays and of the odd weekend days.
    """
    busy_weekdays = float(np.median(weekday_means)) >= float(np.median(weekend_means))
    high, low = (weekday_means, weekend_means) if busy_weekdays else (weekend_means, weekday_means)
    cuts = sorted({*high, *low, np.inf})
    best = min(
        cuts, key=lambda t: (sum(x < t for x in high) / len(high) + sum(x >= t for x in low) / len(low), t)
    )
    odd_high = [k for k, x in enumerate(high) if x < best]
    odd_low = [k for k, x in enumerate(low) if x >= best]
    return (odd_high, odd_low) if busy_weekdays else (odd_low, odd_high)


def day_types(demand_acu: FloatArray, *, start: datetime, step_s: int, timezone: str) -> DayTypes | None:
    """Compare the window's weekdays with its weekend days.

    They differ clearly when a threshold between their daily means leaves at most
    :data:`ODD_DAY_SHARE` of each type's whole days on the other side (the odd days: a public
    holiday on a weekday) and the typical days' mean demands differ by :data:`DAY_TYPE_RATIO`.

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
    zone = ZoneInfo(timezone)
    days: dict[bool, list[tuple[float, float, date]]] = {True: [], False: []}  # (mean, peak, date)
    for d in np.unique(day):
        at = np.flatnonzero(day == d)
        values = demand_acu[at]
        seen = values[np.isfinite(values)]
        if seen.size < WHOLE_DAY_SHARE * per_day:
            continue
        weekend = bool(dow[at[0]] >= 5)
        local = (start + timedelta(seconds=int(at[0]) * step_s)).astimezone(zone).date()
        days[weekend].append((float(seen.mean()), float(seen.max()), local))
    if not days[True] or not days[False]:
        return None
    odd_wd, odd_we = _odd_days([m for m, _, _ in days[False]], [m for m, _, _ in days[True]])
    few = len(odd_wd) <= int(ODD_DAY_SHARE * len(days[False])) and len(odd_we) <= int(
        ODD_DAY_SHARE * len(days[True])
    )
    typical = days
    if few:  # (so each type keeps a typical day)
        typical = {
            False: [x for k, x in enumerate(days[False]) if k not in odd_wd],
            True: [x for k, x in enumerate(days[True]) if k not in odd_we],
        }
    wd, we = (float(np.mean([m for m, _, _ in typical[t]])) for t in (False, True))
    differ = few and max(wd, we) / max(min(wd, we), 1e-9) >= DAY_TYPE_RATIO
    if not differ:  # every whole day counts
        typical = days
        wd, we = (float(np.mean([m for m, _, _ in days[t]])) for t in (False, True))
    odd = sorted(x[2] for t in (False, True) for x in days[t] if x not in typical[t])
    return DayTypes(
        weekdays=len(typical[False]),
        weekend_days=len(typical[True]),
        weekday_mean_acu=wd,
        weekend_mean_acu=we,
        weekday_peak_acu=max(p for _, p, _ in typical[False]),
        weekend_peak_acu=max(p for _, p, _ in typical[True]),
        differ=differ,
        odd_days=tuple(odd),
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
    if t.odd_days:
        named = ", ".join(f"{d:%a} {d.isoformat()}" for d in t.odd_days)
        facts += (
            f", leaving out {named}, whose demand looked like the other day type's (a public holiday?"
            " its timetable is still the one for its weekday)"
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
