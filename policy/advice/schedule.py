"""A MinCapacity plan a user can apply without a scheduler: a daily, weekly or hourly timetable.

Owns :class:`ScheduleEntry`, :class:`FloorSchedule`, :func:`schedule_from_floors`,
:func:`schedule_floors`, :func:`daily_pattern_p_value` (whether a series, the demand,
varies with the time of day at all, or a timetable would only copy noise) and
:func:`merge_levels` with :func:`with_levels` (fewer changes where raising a slot to its
neighbour's level costs next to nothing: Aurora bills max(MinCapacity, what its scaler
holds), so a floor under load the scaler already carries is free). The timetable is read off a
floor series replayed over the history (acuplan's live floors or the perfect-foresight bound's,
``FloorSchedule.read_from``): per slot of the day (and per weekday, with three or more weeks of
history) the floor at the ``quantile`` of that slot's occurrences (p90 by default: the floor
wanted on nine days in ten, so a need seen on one day only is not copied to every day), then
lulls shorter than one slot between two raised slots are filled and equal neighbours merged.
An ``hourly`` timetable reads the same way per slot of the hour over every hour's occurrence (a
job at :00 every hour: a raise at hh:45 and a drop at hh:15, two entries whose cron runs every
hour, ``cron(45 * ? * * *)``; EventBridge Scheduler's hours field takes ``*``, "every hour",
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based).
Each entry carries its ``modify-db-cluster`` settings; rendering them as EventBridge Scheduler
commands or Terraform is the service's job.

Times are wall-clock times in the timetable's IANA zone (UTC by default): the history is
put on that clock before it is slotted (:func:`policy.localtime.local_seconds`; the weekday
is the local date's), so a load at 09:00 local every weekday lands in one slot all year.
Across a daylight-saving switch:

* reading the history (:func:`schedule_from_floors`): the local hour the clock skips in
  spring has no step that day, so its slots read the other days; the hour repeated in
  autumn counts once, the two UTC steps that share a local step merged by their max
  (:mod:`policy.localtime`'s rule), so that day weighs no more than any other;
* replaying the timetable (:func:`schedule_floors`): as EventBridge Scheduler runs a cron
  schedule in a time zone, an entry whose time falls in the skipped hour does not run that
  day, and one in the repeated hour runs once, the first time (sources:
  eventbridge-scheduler-dst); the MinCapacity set before holds until the next entry that
  runs. Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from pydantic import Field, model_validator
from scipy.stats import friedmanchisquare

from policy.advice.words import plural
from policy.floors import fill_short_dips
from policy.localtime import local_seconds
from policy.types import FrozenModel, known_zone

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
"""Day names as EventBridge cron expressions spell them (Monday first, like ``datetime``)."""

ReadFrom = Literal["acuplan", "bound"]
"""Whose floors a timetable reads: acuplan's re-planning live, or the perfect-foresight bound's."""

MIN_WEEKS_FOR_WEEKLY = 3
"""A weekly timetable needs at least this many occurrences of each weekday's slots."""


class ScheduleEntry(FrozenModel):
    """Set MinCapacity at a time of day (on some weekdays), or at a minute of every hour.

    Attributes:
        weekdays: the days it applies, e.g. ``("MON", ..., "SUN")``.
        at_minute: minutes after local midnight in the timetable's ``timezone``; with
            ``every_hour``, minutes after the start of each hour (0-59).
        min_capacity_acu: the MinCapacity to set, ACU.
        max_capacity_acu: the MaxCapacity to keep, ACU.
        cron: the EventBridge Scheduler expression, e.g. ``cron(45 8 ? * MON-FRI *)``, or
            ``cron(45 * ? * * *)`` with ``every_hour``.
        every_hour: it runs at ``at_minute`` past every hour (an ``hourly`` timetable's entry).

    Raises:
        pydantic.ValidationError: ``every_hour`` with ``at_minute`` of 60 or more.
    """

    weekdays: tuple[str, ...]
    at_minute: int = Field(ge=0, lt=1440)
    min_capacity_acu: float
    max_capacity_acu: float
    cron: str
    every_hour: bool = False

    @model_validator(mode="after")
    def _minute_of_the_hour(self) -> ScheduleEntry:
        if self.every_hour and self.at_minute >= 60:
            raise ValueError(
                f"at_minute={self.at_minute}: an every_hour entry runs at a minute of the hour (0-59)"
            )
        return self


class FloorSchedule(FrozenModel):
    """The timetable and how it was made.

    Attributes:
        kind: ``daily`` (every day alike), ``weekly`` (per weekday) or ``hourly`` (every hour
            alike: ``floors_acu`` holds one floor per slot of the hour).
        slot_s: slot length, seconds.
        quantile: the quantile of the floors taken per slot.
        read_from: whose floors the slots read: ``acuplan`` (the floors acuplan set re-planning
            live over the history) or ``bound`` (the perfect-foresight bound's: per step the
            least MinCapacity that kept that step free of SLO-violation minutes,
            :func:`policy.floors.cheapest_floors`).
        entries: the changes, in time order (the first one sets the midnight level; an hourly
            timetable's each run every hour).
        floors_acu: the floor per slot of the day, week or hour, shape (n_slots,), ACU.
        timezone: the IANA zone the times and weekdays are on (EventBridge Scheduler's
            ``ScheduleExpressionTimezone``), e.g. ``Europe/Berlin``; ``UTC`` by default.
        seconds_until_auto_pause: ``SecondsUntilAutoPause`` every entry that sets MinCapacity 0
            sends with it, seconds (300-86,400: the API's range; the value the replay assumed,
            ``CurrentSettings.seconds_until_auto_pause``). AWS drops it when MinCapacity is set
            above 0 and resets it to 300 s when MinCapacity returns to 0 unless it is given again
            (:mod:`service.advice.scheduler`).
    """

    kind: str
    slot_s: int
    quantile: float
    read_from: ReadFrom = "acuplan"
    entries: tuple[ScheduleEntry, ...]
    floors_acu: tuple[float, ...]
    timezone: str = "UTC"
    seconds_until_auto_pause: int = Field(default=300, ge=300, le=86_400)


def _cron(minute_of_day: int, days: tuple[str, ...], every_hour: bool = False) -> str:
    """The EventBridge Scheduler cron expression of an entry (every hour: ``*`` in the hours field)."""
    h, m = divmod(minute_of_day, 60)
    if every_hour:
        return f"cron({m} * ? * * *)"
    if days == WEEKDAYS:
        span = "*"
    elif len(days) > 1 and all(
        WEEKDAYS.index(b) == WEEKDAYS.index(a) + 1 for a, b in zip(days, days[1:], strict=False)
    ):
        span = f"{days[0]}-{days[-1]}"
    else:
        span = ",".join(days)
    return f"cron({m} {h} ? * {span} *)"


def schedule_from_floors(
    floors_acu: npt.ArrayLike,
    *,
    start: datetime,
    step_s: int,
    max_capacity_acu: float,
    slot_s: int = 900,
    quantile: float = 0.9,
    trusted: npt.ArrayLike | None = None,
    timezone: str = "UTC",
    hourly: bool = False,
) -> FloorSchedule:
    """Read a daily, weekly or hourly MinCapacity timetable off a replayed floor series.

    Args:
        floors_acu: the floor set at each step, shape (n,), ACU.
        start: the start of step 0 (UTC).
        step_s: step length, seconds (divides ``slot_s``).
        max_capacity_acu: MaxCapacity every entry keeps.
        slot_s: timetable resolution, seconds (divides a day).
        quantile: the quantile of a slot's occurrences taken as its floor (an occurrence's
            value: the highest floor of its steps; a whole-day slot's values are its steps).
        trusted: which steps' floors a slot reads, shape (n,), bool (floors set on a history
            with a hole are the policy's caution, not the slot's demand); a slot with no
            trusted step reads all of its steps. None: every step.
        timezone: the IANA zone whose wall clock the slots and weekdays follow (module
            docstring: the skipped and the repeated hour).
        hourly: read one floor per slot of the hour over every hour's occurrence (an
            ``hourly`` timetable; its lulls are filled across the turn of the hour too).

    Returns:
        The timetable: hourly when asked, else weekly with >= 3 weeks of history, else daily.

    Raises:
        ValueError: ``step_s`` does not divide ``slot_s``, ``slot_s`` does not divide a
            day (an hour into two or more slots, when ``hourly``), the series is empty, or
            ``timezone`` is not an IANA zone.
    """
    floors = np.asarray(floors_acu, dtype=np.float64)
    cycle_s = 3600 if hourly else 86_400
    if floors.size == 0 or slot_s % step_s or cycle_s % slot_s or (hourly and slot_s == cycle_s):
        raise ValueError(
            f"need a non-empty series and step_s={step_s} | slot_s={slot_s} | {cycle_s}"
            + (f", slot_s < {cycle_s}" if hourly else "")
        )
    per_cycle = cycle_s // slot_s
    weeks = floors.size * step_s / (7 * 86_400)
    weekly = not hourly and weeks >= MIN_WEEKS_FOR_WEEKLY
    n_slots = per_cycle * (7 if weekly else 1)
    wall = _wall(start, step_s, floors.size, known_zone(timezone))
    ok = np.ones(floors.size, dtype=bool) if trusted is None else np.asarray(trusted, dtype=bool)
    # One value per occurrence of a slot of the day (a local date's 02:00-02:15): the most its
    # steps needed, as the level set for the slot holds through all of them. A need lasting one
    # step of a slot is that occurrence's need, not a third of its values (a 5-minute need in a
    # 15-minute slot every Monday read 0.5 ACU at p50). A slot of a whole day (one level per day,
    # where the demand has no time-of-day pattern) reads its steps: the level is a trade-off
    # over the day, its bursts the scaler's. The repeated autumn hour's two UTC steps merge by
    # their max either way.
    block_s = step_s if slot_s == 86_400 else slot_s
    occurrence, which = np.unique(wall // block_s, return_inverse=True)
    every, kept = np.full(occurrence.size, -np.inf), np.full(occurrence.size, -np.inf)
    np.maximum.at(every, which, floors)
    np.maximum.at(kept, which[ok], floors[ok])
    seen = np.zeros(occurrence.size, dtype=bool)
    seen[which[ok]] = True
    slot_of_occurrence = _slot(occurrence * block_s, slot_s, n_slots, weekly)

    def read(k: int) -> float:
        in_slot = slot_of_occurrence == k
        if not np.any(in_slot):
            return 0.0
        if np.any(in_slot & seen):
            return float(np.quantile(kept[in_slot & seen], quantile, method="higher"))
        return float(np.quantile(every[in_slot], quantile, method="higher"))

    level = np.array([read(k) for k in range(n_slots)])
    level = np.maximum(level, floors.min())
    if hourly:  # the hour's last slot is followed by the next hour's first: fill across the turn
        level = fill_short_dips(np.tile(level, 3), 1)[n_slots : 2 * n_slots]
    else:
        level = fill_short_dips(level, 1)
    kind = "hourly" if hourly else "weekly" if weekly else "daily"
    return FloorSchedule(
        kind=kind,
        slot_s=slot_s,
        quantile=quantile,
        entries=_entries(level, per_cycle, slot_s, max_capacity_acu, kind),
        floors_acu=tuple(float(x) for x in level),
        timezone=timezone,
    )


MIN_DAYS_FOR_PATTERN_TEST = 3
"""Whole days of trusted values :func:`daily_pattern_p_value` needs (Friedman's test: blocks)."""


def _friedman_p(table: FloatArray) -> float:
    """Friedman's p-value over the rows (blocks) of ``table``; 1.0 when no row varies."""
    if len(table) < 2 or table.shape[1] < 2 or np.all(table == table[:, :1]):
        return 1.0
    return float(friedmanchisquare(*table.T).pvalue)


def _whole_blocks(wall: IntArray, values: FloatArray, block_s: int, part_s: int) -> FloatArray:
    """Blocks of ``block_s`` wall-clock seconds x their ``part_s`` parts: each part's highest value.

    Only blocks with a value in every part are kept. Shape (n_blocks, block_s // part_s).
    """
    block, part = wall // block_s, (wall % block_s) // part_s
    blocks = np.unique(block)
    table = np.full((blocks.size, block_s // part_s), -np.inf)
    np.maximum.at(table, (np.searchsorted(blocks, block), part), values)
    return np.asarray(table[np.isfinite(table).all(axis=1)], dtype=np.float64)


def daily_pattern_p_value(
    values: npt.ArrayLike,
    *,
    start: datetime,
    step_s: int,
    slot_s: int = 900,
    trusted: npt.ArrayLike | None = None,
    timezone: str = "UTC",
) -> float | None:
    """How likely a series this unequal across the times of day is without any daily pattern.

    Friedman's rank test (M. Friedman, "The use of ranks to avoid the assumption of normality
    implicit in the analysis of variance", JASA 32(200), 1937; ``scipy.stats.friedmanchisquare``),
    twice, Bonferroni-combined (the smaller p-value doubled, at most 1):

    * by hour of day: each whole local day a block, each wall-clock hour a treatment (the hour's
      highest value). Ranking within a day, it asks whether some hours sit higher than others
      day after day, whatever each day's level: a level shift between days is no pattern, a
      peak every day at 09:00 is. Hours, not slots: slots of one hour move together (one
      hourly decision, a burst that lasts), and counted apart they flagged noise one time in
      five;
    * within the hour (when ``slot_s`` is under an hour): each whole hour a block, each slot of
      it a treatment: a batch at :00 every hour is a pattern the hourly maxima cannot see.

    Args:
        values: the series per step, shape (n,) (demand or floors, ACU).
        start: the start of step 0 (UTC).
        step_s: step length, seconds (divides an hour).
        slot_s: the timetable's slot, seconds (divides a day).
        trusted: which steps count, shape (n,), bool; a day (an hour) with an hour (a slot)
            that holds no trusted step is left out of that test. None: every step.
        timezone: the IANA zone whose wall clock gives days and hours.

    Returns:
        The p-value in [0, 1]; 1.0 when no day and no hour varies (nothing to rank); None
        with fewer than :data:`MIN_DAYS_FOR_PATTERN_TEST` whole days (no verdict).

    Raises:
        ValueError: ``step_s`` does not divide an hour, or ``timezone`` is not an IANA zone.
    """
    p_day, p_hour = _pattern_p_values(values, start, step_s, slot_s, trusted, timezone)
    if p_day is None:
        return None
    return p_day if p_hour is None else min(1.0, 2.0 * min(p_day, p_hour))


def within_hour_p_value(
    values: npt.ArrayLike,
    *,
    start: datetime,
    step_s: int,
    slot_s: int = 900,
    trusted: npt.ArrayLike | None = None,
    timezone: str = "UTC",
) -> float | None:
    """The within-the-hour half of :func:`daily_pattern_p_value`, uncorrected: a pattern every hour.

    Friedman's rank test (Friedman 1937) with each whole wall-clock hour a block and each slot
    of it a treatment (the slot's highest value): small where some slots of the hour sit higher
    than others hour after hour (a job at :00 every hour), whatever each hour's level.

    Args:
        values: the series per step, shape (n,) (demand, ACU).
        start: the start of step 0 (UTC).
        step_s: step length, seconds (divides an hour).
        slot_s: the timetable's slot, seconds.
        trusted: which steps count, shape (n,), bool; an hour with a slot that holds no
            trusted step is left out. None: every step.
        timezone: the IANA zone whose wall clock gives days and hours.

    Returns:
        The p-value in [0, 1] (1.0 when no hour varies); None with fewer than
        :data:`MIN_DAYS_FOR_PATTERN_TEST` whole days, or where the slot (at least a step) does
        not divide an hour into two or more parts.

    Raises:
        ValueError: ``step_s`` does not divide an hour, or ``timezone`` is not an IANA zone.
    """
    p_day, p_hour = _pattern_p_values(values, start, step_s, slot_s, trusted, timezone)
    return None if p_day is None else p_hour


def _pattern_p_values(
    values: npt.ArrayLike,
    start: datetime,
    step_s: int,
    slot_s: int,
    trusted: npt.ArrayLike | None,
    timezone: str,
) -> tuple[float | None, float | None]:
    """Friedman's p by hour of day and within the hour (:func:`daily_pattern_p_value`), uncorrected.

    The first None with too few whole days (then both); the second None where the slot does
    not split an hour.
    """
    series = np.asarray(values, dtype=np.float64)
    if step_s <= 0 or 3600 % step_s:
        raise ValueError(f"step_s={step_s} must divide an hour")
    ok = np.ones(series.size, dtype=bool) if trusted is None else np.asarray(trusted, dtype=bool)
    wall = _wall(start, step_s, series.size, known_zone(timezone))[ok]
    days = _whole_blocks(wall, series[ok], 86_400, 3600)
    if len(days) < MIN_DAYS_FOR_PATTERN_TEST:
        return None, None
    part_s = max(slot_s, step_s)
    if part_s < 3600 and 3600 % part_s == 0:
        return _friedman_p(days), _friedman_p(_whole_blocks(wall, series[ok], 3600, part_s))
    return _friedman_p(days), None


def _entries(
    level: FloatArray, per_cycle: int, slot_s: int, max_acu: float, kind: str
) -> tuple[ScheduleEntry, ...]:
    """One entry where the level changes (plus each day's first slot), days grouped alike.

    The first slot's entry is kept even where the day before ended at that level (QA 61 read
    it as a change that does nothing): it re-asserts the day's first level every day, so a
    MinCapacity changed by hand, or a schedule invocation that failed, lasts a day at most.
    An ``hourly`` timetable (``per_cycle`` slots of an hour) has one entry per change around
    the hour, run every hour (its last slot is followed by its first): its changes re-assert it
    every hour already; one entry at minute 0 when it has one level.
    """
    if kind == "hourly":
        opens = [k for k in range(per_cycle) if level[k] != level[k - 1]] or [0]
        return tuple(
            ScheduleEntry(
                weekdays=WEEKDAYS,
                at_minute=k * slot_s // 60,
                min_capacity_acu=float(level[k]),
                max_capacity_acu=max_acu,
                cron=_cron(k * slot_s // 60, WEEKDAYS, every_hour=True),
                every_hour=True,
            )
            for k in opens
        )
    weekly = kind == "weekly"
    days = [level[d * per_cycle : (d + 1) * per_cycle] for d in range(7 if weekly else 1)]
    by_pattern: dict[tuple[tuple[int, float], ...], list[str]] = {}
    for d, day in enumerate(days):
        changes = tuple(
            (k * slot_s // 60, float(day[k])) for k in range(per_cycle) if k == 0 or day[k] != day[k - 1]
        )
        by_pattern.setdefault(changes, []).append(WEEKDAYS[d] if weekly else "*")
    out = []
    for changes, names in by_pattern.items():
        span = WEEKDAYS if names == ["*"] else tuple(names)
        for minute, acu in changes:
            out.append(
                ScheduleEntry(
                    weekdays=span,
                    at_minute=minute,
                    min_capacity_acu=acu,
                    max_capacity_acu=max_acu,
                    cron=_cron(minute, span),
                )
            )
    return tuple(sorted(out, key=lambda e: (WEEKDAYS.index(e.weekdays[0]), e.at_minute)))


def _wall(start: datetime, step_s: int, n_steps: int, timezone: str) -> IntArray:
    """Wall-clock seconds of each step's start in ``timezone`` (Unix-time-like: day 0 a Thursday)."""
    if timezone == "UTC":
        return int(start.timestamp()) + np.arange(n_steps, dtype=np.int64) * step_s
    return local_seconds(start, n_steps, step_s, ZoneInfo(timezone))


def _slot(wall: IntArray, slot_s: int, n_slots: int, weekly: bool) -> IntArray:
    """The timetable slot of wall-clock times: slot 0 starts 00:00 (Monday's if weekly; hh:00 if hourly)."""
    shift = 3 * 86_400 // slot_s if weekly else 0  # the Unix epoch was a Thursday
    return np.asarray((wall // slot_s + shift) % n_slots, dtype=np.int64)


def _in_effect(levels: FloatArray, wall: IntArray, step_s: int, slot_s: int, weekly: bool) -> FloatArray:
    """The MinCapacity in effect at each step's start when EventBridge Scheduler runs the timetable.

    An entry runs when the wall clock first reaches its time: a step whose start the clock
    reaches normally takes its slot's level; the hour skipped in spring runs nothing (a step
    after the gap takes the level of the last entry that ran); the repeated autumn hour runs
    nothing the second time (the level holds). Without a switch this is ``levels[slot]``.
    Wall times are to the step: a switch is taken at the step boundary.

    Args:
        levels: the floor per slot, shape (n_slots,), ACU.
        wall: wall-clock seconds of each step's start (:func:`_wall`), shape (n,).
        step_s: step length, seconds (divides ``slot_s``).
        slot_s: slot length, seconds.
        weekly: slots span a week from Monday 00:00 (else a day, or an hour: ``n_slots`` slots).

    Returns:
        Shape (n,), ACU.
    """
    n_slots = len(levels)
    shift = 3 * 86_400 // slot_s if weekly else 0
    prefix = np.cumsum(levels != np.roll(levels, 1))  # an entry that changes the level opens slot k
    total = int(prefix[-1])

    def upto(x: IntArray) -> IntArray:
        """Level changes at slot boundaries at or before wall time ``x``, counted from an origin."""
        g = x // slot_s + shift
        return np.asarray((g // n_slots) * total + prefix[g % n_slots], dtype=np.int64)

    reached = np.concatenate([[wall[0] - step_s], np.maximum.accumulate(wall)[:-1]])
    normal = (wall > reached) & (wall <= reached + step_s)
    gap = wall > reached + step_s  # the clock jumped: (reached + step_s, wall) never happened
    at_start = upto(wall) - upto(wall - 1)
    before_gap = upto(reached + step_s - 1) - upto(reached)
    runs = (normal & (upto(wall) > upto(reached))) | (gap & ((at_start > 0) | (before_gap > 0)))
    runs[0] = True
    at = np.where(gap & (at_start == 0), reached + step_s - 1, wall)  # the last time an entry ran
    last = np.maximum.accumulate(np.where(runs, np.arange(len(wall)), 0))
    return np.asarray(levels[_slot(at, slot_s, n_slots, weekly)][last], dtype=np.float64)


def schedule_floors(schedule: FloorSchedule, *, start: datetime, step_s: int, n_steps: int) -> FloatArray:
    """The floor the timetable sets at each step of a series (to replay it).

    The timetable runs on its ``timezone``'s wall clock as EventBridge Scheduler runs it
    across daylight-saving switches (module docstring).

    Args:
        schedule: the timetable.
        start: the start of step 0 (UTC).
        step_s: step length, seconds (divides ``schedule.slot_s``).
        n_steps: steps.

    Returns:
        MinCapacity per step, shape (n_steps,), ACU.
    """
    levels = np.asarray(schedule.floors_acu, dtype=np.float64)
    if n_steps == 0:
        return np.zeros(0)
    wall = _wall(start, step_s, n_steps, schedule.timezone)
    return _in_effect(levels, wall, step_s, schedule.slot_s, schedule.kind == "weekly")


def with_levels(schedule: FloorSchedule, levels_acu: npt.ArrayLike, max_capacity_acu: float) -> FloorSchedule:
    """The same timetable with other per-slot floors (entries rebuilt, equal neighbours merged).

    Args:
        schedule: the timetable.
        levels_acu: the floor per slot, shape (len(schedule.floors_acu),), ACU.
        max_capacity_acu: MaxCapacity every entry keeps.

    Returns:
        The new :class:`FloorSchedule`.

    Raises:
        ValueError: ``levels_acu`` has another length.
    """
    level = np.asarray(levels_acu, dtype=np.float64)
    if level.shape != (len(schedule.floors_acu),):
        raise ValueError(
            f"levels_acu has shape {level.shape}, the timetable {plural(len(schedule.floors_acu), 'slot')}"
        )
    per_cycle = (3600 if schedule.kind == "hourly" else 86_400) // schedule.slot_s
    entries = _entries(level, per_cycle, schedule.slot_s, max_capacity_acu, schedule.kind)
    return schedule.model_copy(update={"entries": entries, "floors_acu": tuple(float(x) for x in level)})


def held_out_floors(
    read: Callable[[npt.NDArray[np.bool_]], FloorSchedule],
    *,
    start: datetime,
    step_s: int,
    n_steps: int,
    timezone: str = "UTC",
) -> FloatArray:
    """The floor a timetable sets on each day when that day is held out of its reading.

    Leave-one-day-out cross-validation of a timetable read off floors that knew each day's
    demand (the perfect-foresight bound's): each local date of ``timezone`` gets the floors of
    the timetable ``read`` off every other day, so a need seen on that day alone is not
    credited to it (Stone 1974, "Cross-validatory choice and assessment of statistical
    predictions"). A slot with no step left to read reads them all
    (:func:`schedule_from_floors`), so with one day of history this is the in-sample floor.

    Args:
        read: reads the timetable off the steps marked True, shape (n_steps,) -> timetable.
        start: start of step 0 (UTC).
        step_s: step length, seconds.
        n_steps: steps in the window.
        timezone: the IANA zone whose local dates are held out (the timetable's).

    Returns:
        The floor per step, shape (n_steps,), ACU.

    Raises:
        ValueError: ``timezone`` is not an IANA zone, or as ``read`` raises.
    """
    day = _wall(start, step_s, n_steps, known_zone(timezone)) // 86_400
    floors = np.empty(n_steps, dtype=np.float64)
    for k in np.unique(day):
        held = day == k
        first, last = np.flatnonzero(held)[[0, -1]]  # a local date's steps are consecutive
        floors[first : last + 1] = schedule_floors(
            read(~held),
            start=start + timedelta(seconds=int(first) * step_s),
            step_s=step_s,
            n_steps=int(last - first + 1),
        )
    return floors


def slot_of_steps(schedule: FloorSchedule, *, start: datetime, step_s: int, n_steps: int) -> IntArray:
    """The timetable slot each step starts in (wall clock of ``schedule.timezone``), shape (n_steps,)."""
    wall = _wall(start, step_s, n_steps, schedule.timezone)
    return _slot(wall, schedule.slot_s, len(schedule.floors_acu), schedule.kind == "weekly")


def merge_levels(
    levels_acu: npt.ArrayLike,
    raise_cost_usd: Callable[[npt.NDArray[np.bool_], float], float],
    budget_usd: float,
) -> FloatArray:
    """Merge a timetable's runs of equal slots by raising one to a neighbour's level, cheapest first.

    A run (maximal stretch of slots at one level; the cycle wraps, the last slot is next to
    the first) below a neighbour can be raised to the lower of its higher neighbours, which
    removes at least one change. Each round takes the merge with the smallest estimated
    cost, while the estimates summed stay within ``budget_usd``. Raising a floor never adds
    SLO-violation minutes in the simulator (it is monotone in the floor, issue 9), so only
    the cost is at stake; the caller re-checks the result with a replay.

    Args:
        levels_acu: the floor per slot, shape (n_slots,), ACU.
        raise_cost_usd: the estimated extra cost of setting the slots of a mask, shape
            (n_slots,) bool, to a level (ACU), USD over the replayed window.
        budget_usd: the most all merges may cost together, USD.

    Returns:
        The merged levels, shape (n_slots,) (a new array; never below ``levels_acu``).
    """
    level = np.asarray(levels_acu, dtype=np.float64).copy()
    n, spent = level.size, 0.0
    while True:
        change = np.flatnonzero(level != np.roll(level, 1))  # slots that open a run
        if change.size <= 1:
            return level
        best: tuple[float, float, npt.NDArray[np.bool_]] | None = None
        for k, first in enumerate(change):
            end = change[(k + 1) % change.size]
            mask = np.zeros(n, dtype=bool)
            mask[(first + np.arange((end - first) % n or n)) % n] = True
            here = level[first]
            higher = [x for x in (level[(first - 1) % n], level[(end) % n]) if x > here]
            if not higher:
                continue
            cost = raise_cost_usd(mask, min(higher))
            if best is None or cost < best[0]:
                best = (cost, min(higher), mask)
        if best is None or spent + best[0] > budget_usd:
            return level
        spent += best[0]
        level[best[2]] = best[1]


class SecondarySchedule(FrozenModel):
    """A global-database secondary cluster's settings next to the primary's timetable.

    Attributes:
        region: the secondary's region.
        cluster_identifier: its DB cluster identifier.
        dr_target: it is the cluster a regional failover promotes.
        schedule: its MinCapacity timetable (entries empty: keep today's settings).
        extra_usd_per_month_at_most: what the timetable's floors above its MinCapacity
            today cost per month at most (its own reads may already hold that capacity),
            USD, for one instance.
        reason: why these settings, one sentence.
    """

    region: str
    cluster_identifier: str
    dr_target: bool
    schedule: FloorSchedule
    extra_usd_per_month_at_most: float
    reason: str


def secondary_schedules(
    schedule: FloorSchedule,
    secondaries: tuple[tuple[str, str, float, float, bool], ...],
    *,
    price_usd_per_acu_hour: float,
) -> tuple[SecondarySchedule, ...]:
    """The timetable (or today's settings) for each global-database secondary cluster.

    The replayed history is the primary's: it does not show the reads a secondary serves
    in its own region, which Aurora's scaler there follows from the secondary's floor. So

    * the **DR target** (the secondary a regional failover promotes) gets the primary's
      MinCapacity timetable, capped at its own MaxCapacity and never below its own
      MinCapacity: promoted, it takes the writer's load and would otherwise start from its
      read-only capacity and ramp (the same trade as a tier 0-1 reader, sources:
      aurora-tiers, aurora-global);
    * every other secondary keeps its settings (no entries), with the reason.

    Args:
        schedule: the primary's timetable.
        secondaries: per secondary ``(region, cluster_identifier, min_acu, max_acu,
            dr_target)``.
        price_usd_per_acu_hour: the ACU-hour price the extra floor is priced at.

    Returns:
        One :class:`SecondarySchedule` per secondary, in the given order.
    """
    out = []
    for region, ident, low, high, dr in secondaries:
        if not dr:
            out.append(
                SecondarySchedule(
                    region=region,
                    cluster_identifier=ident,
                    dr_target=False,
                    schedule=schedule.model_copy(update={"entries": (), "floors_acu": (low,)}),
                    extra_usd_per_month_at_most=0.0,
                    reason=f"keep MinCapacity {low:g} / MaxCapacity {high:g} ACU: it serves reads in "
                    f"{region}, which Aurora's scaler there follows and this (the primary's) history does "
                    "not show",
                )
            )
            continue
        levels = np.clip(np.asarray(schedule.floors_acu, dtype=np.float64), low, high)
        entries = tuple(
            e.model_copy(
                update={
                    "min_capacity_acu": float(min(max(e.min_capacity_acu, low), high)),
                    "max_capacity_acu": high,
                }
            )
            for e in schedule.entries
        )
        extra = float(np.mean(levels - low)) * 730.0 * price_usd_per_acu_hour
        capped = (
            f"; its MaxCapacity {high:g} ACU is below the primary's timetable peak "
            f"{max(schedule.floors_acu):g}, so it is capped there"
            if max(schedule.floors_acu, default=0.0) > high
            else ""
        )
        out.append(
            SecondarySchedule(
                region=region,
                cluster_identifier=ident,
                dr_target=True,
                schedule=schedule.model_copy(
                    update={"entries": entries, "floors_acu": tuple(float(x) for x in levels)}
                ),
                extra_usd_per_month_at_most=round(extra, 2),
                reason=f"the DR target follows the primary's MinCapacity timetable so that, promoted, it "
                f"holds the writer's floor instead of ramping up from its read-only capacity (at most "
                f"${extra:,.2f}/month more){capped}",
            )
        )
    return tuple(out)
