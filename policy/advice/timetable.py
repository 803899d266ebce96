"""Choosing what to apply: the MinCapacity timetable, read off acuplan's floors or the bound's.

Owns :func:`choose_timetable` (the candidates, the choice among them, the merge, the paused
slots, the fixed or today's MinCapacity where either does as well; its answer a
:class:`ChosenTimetable`) and what it reads: the steps whose floors are trusted
(:func:`covered_steps`) and the floor today's connections need (:func:`connections_floor_acu`);
and :func:`timetable_floors`, a timetable's floor per step for the outlook. Reading a
timetable off a floor series is :mod:`policy.advice.schedule`'s. Pure: the replays are the
caller's (a callable from floors to a :class:`~policy.trace_replay.simulator.SimResult`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from math import gcd

import numpy as np
import numpy.typing as npt

from policy.advice.outlook import CONNECTIONS_HEADROOM, POSTGRES_LOW_MIN_CAP, max_connections
from policy.advice.schedule import (
    MIN_DAYS_FOR_PATTERN_TEST,
    FloorSchedule,
    ReadFrom,
    daily_pattern_p_value,
    held_out_floors,
    merge_levels,
    schedule_floors,
    schedule_from_floors,
    slot_of_steps,
    with_levels,
    within_hour_p_value,
)
from policy.advice.types import AdviceConfig, CurrentSettings
from policy.advice.words import floor_words, plural, read_words
from policy.advice.workweek import DayTypes, day_of_week, workweek_schedule
from policy.scaler import MIN_RUNNING_ACU
from policy.trace_replay.report import PolicyScore
from policy.trace_replay.scoreboard import DOMINANCE_COST_FRACTION
from policy.trace_replay.simulator import SimResult
from policy.types import ClusterSpec, quantile_label

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Candidate = tuple[FloorSchedule, FloatArray, SimResult, SimResult]
"""A timetable tried: itself, its floor per scored step, its replay, the replay it is judged by."""


SCHEDULE_QUANTILES: tuple[float, ...] = (0.5, 0.75)
"""Quantiles of the floors per slot tried below ``AdviceConfig.schedule_quantile``, on acuplan's
live floors and on the bound's: the timetable is chosen among them by :data:`NEAR_CHEAPEST`. The bound's
floors are the least MinCapacity each replayed step needed; read at a slot's quantile they keep
a need that recurs (a daily batch, office hours) and drop one seen on a single day. A p90 of
each slot raises the floor every day wherever acuplan raised it on one day in ten; on bursty
traces that doubled the cost."""
NEAR_CHEAPEST = 1.02
"""Of the timetables with no more SLO-violation minutes than acuplan live, the one with the fewest
minutes among those costing at most this times the cheapest (the cheapest where none has fewer):
acuplan live sets a low bar where it misses, and a timetable that cut 14.8 minutes to 0.62 for
$5/month (0.8 %) more than one at 9.69 is the advice a user wants. ASSUMPTION: issue 9's 1.02x,
the cost acuplan may add over Aurora alone where that has no SLO minutes."""
DAILY_PATTERN_ALPHA = 0.05
"""Significance level of the time-of-day test on the replayed demand
(:func:`policy.advice.schedule.daily_pattern_p_value`, Friedman 1937): at or above it the
timetable sets one MinCapacity per day (per weekday when weekly), not one per slot, because
slot-by-slot levels read off acuplan's floors where demand has no daily pattern copy noise (a
change every 30-60 minutes on a trace of random bursts). The demand, not the floors: acuplan
re-plans at the top of each hour, and the shape of its plans along their horizon is a
within-hour pattern of the floors that no load has. ASSUMPTION: the conventional 5 %; on
simulated series with no daily pattern (hourly levels persisting 1-6 hours, or independent
15-minute levels) it flagged a pattern in 1-9 % of 3-28-day histories."""
RECURRING_NEED_QUANTILE = 0.5
"""Where the demand shows no time-of-day pattern (:data:`DAILY_PATTERN_ALPHA`), the quantile per
slot of the bound's floors read into one more, slot-by-slot, timetable: the median keeps a need
that recurs at a slot on most of its days or weeks (a job every Monday at 02:00 in a window of
three or more weeks, whose one slot in 168 hours no rank test over the whole day or week can
see) and drops a burst at random times, which a p90 of each slot copies. Judged held out like
every candidate. ASSUMPTION: "most" read as the median."""
MERGE_BUDGET_FRACTION = 0.01
"""The most merging a timetable's changes may add to its replayed bill (:func:`_merged`): the
bench's dominance margin (issue 9: a 1 % difference is within ties and rounding), so a
timetable with fewer changes costing under 1 % more is as good an answer."""
HOURLY_PATTERN_ALPHA = DAILY_PATTERN_ALPHA / 2
"""The hourly timetables are tried only where the within-the-hour half of the time-of-day test
(:func:`policy.advice.schedule.within_hour_p_value`, on the demand) is below this: its share of
:data:`DAILY_PATTERN_ALPHA` under the Bonferroni split :func:`~policy.advice.schedule.daily_pattern_p_value`
makes, so an hourly timetable is never offered where the advice says the demand has no
time-of-day pattern. On simulated demand with no within-hour pattern (independent 5-minute
values, levels lasting 1-6 whole hours, AR(1) at 0.9, random bursts; 3-28 days, 200 histories
each) it was below this in 1-4.5 % of histories; those hourly timetables must then still win
held out (:func:`_hourly_instead`)."""


def connections_floor_acu(connections: FloatArray | None, current: CurrentSettings) -> float | None:
    """The MinCapacity today's connections need, or None when the timetable is free to go lower.

    Aurora PostgreSQL caps ``max_connections`` at 2,000 while MinCapacity is 0 or 0.5 ACU
    (sources: aurora-max-connections); when the history's connection peak plus
    ``policy.advice.outlook.CONNECTIONS_HEADROOM`` is above that cap but below ``max_connections`` at today's
    MaxCapacity with MinCapacity 1, a timetable that goes to 0.5 would refuse connections.

    Args:
        connections: ``DatabaseConnections`` on the history's grid, shape (n,), or None.
        current: today's settings (engine, MaxCapacity).

    Returns:
        1.0 (ACU) when the cap binds and MinCapacity 1 lifts it, else None.
    """
    if connections is None or current.engine != "aurora-postgresql" or not np.any(np.isfinite(connections)):
        return None
    need = float(np.nanmax(connections)) * CONNECTIONS_HEADROOM
    low = max_connections(current.engine, current.max_capacity_acu, 0.5)
    high = max_connections(current.engine, current.max_capacity_acu, 1.0)
    return 1.0 if low == POSTGRES_LOW_MIN_CAP and low <= need < high else None


def covered_steps(
    demand: FloatArray, first: int, n: int, step_s: int, min_coverage: float, replan_s: int
) -> npt.NDArray[np.bool_]:
    """Scored steps decided on a trusted history: observed, and the day before the decision covered.

    The policy flags a history whose last day is less than ``min_coverage`` observed
    (``policy.quality``) and then holds or caps its floors; those floors are its caution
    about a hole, not what the slot needs, so the timetable does not read them. The replay
    decides every ``replan_s`` from the first scored step; a step's decision is the last one
    at or before it.

    Args:
        demand: the whole history, shape (N,), ACU, NaN for missing steps.
        first: index of the first scored step.
        n: scored steps.
        step_s: step, seconds.
        min_coverage: the policy's ``min_coverage_24h``.
        replan_s: the replay's re-plan interval, seconds.

    Returns:
        Shape (n,), bool.
    """
    day = max(1, 86_400 // step_s)
    every = max(1, replan_s // step_s)
    seen = np.concatenate([[0], np.cumsum(np.isfinite(demand))])
    idx = np.arange(first, first + n)
    decided = first + (idx - first) // every * every
    lo = np.maximum(decided - day, 0)
    covered = (seen[decided] - seen[lo]) >= min_coverage * (decided - lo)
    return np.asarray(covered & np.isfinite(demand[idx]), dtype=bool)


def timetable_floors(schedule: FloorSchedule, start: datetime, step_s: int, span_s: int) -> FloatArray:
    """The timetable's floor per step of ``step_s`` from ``start`` (the max within a step).

    Returns shape (ceil(span_s / step_s),), ACU.
    """
    fine = gcd(schedule.slot_s, step_s)
    n = -(-span_s // step_s)
    floors = schedule_floors(schedule, start=start, step_s=fine, n_steps=n * (step_s // fine))
    return np.asarray(floors.reshape(n, -1).max(axis=1), dtype=np.float64)


def _merged(
    schedule: FloorSchedule,
    planned: FloatArray,
    replayed: SimResult,
    *,
    start: datetime,
    step_s: int,
    cluster: ClusterSpec,
    current: CurrentSettings,
) -> FloatArray | None:
    """The timetable's levels with runs merged where a raise costs next to nothing, or None.

    The cost of raising a slot from its floor to a level is estimated from the replay of the
    timetable: per step of that slot, the instances a MinCapacity raise lifts (the writer and
    today's readers: the timetable keeps them, :mod:`policy.advice.layout`) x the part of the new level
    above both the floor in effect and the capacity the writer held (Aurora bills the
    larger), priced per ACU-hour. Merges stop when they would add more than
    :data:`MERGE_BUDGET_FRACTION` of the replayed bill (:func:`policy.advice.schedule.merge_levels`).
    """
    if len(schedule.entries) <= 1:
        return None
    slot = slot_of_steps(schedule, start=start, step_s=step_s, n_steps=len(planned))
    held = np.maximum(planned, replayed.writer_capacity_acu)
    per_acu_step = (1 + len(current.readers)) * cluster.price_usd_per_acu_hour * step_s / 3600

    def raise_cost(mask: npt.NDArray[np.bool_], level: float) -> float:
        at = mask[slot]
        return float(np.maximum(level - held[at], 0.0).sum() * per_acu_step)

    levels = merge_levels(schedule.floors_acu, raise_cost, MERGE_BUDGET_FRACTION * replayed.cost_usd)
    return None if np.array_equal(levels, schedule.floors_acu) else levels


def _no_worse(fixed: SimResult, timetable: SimResult, cost_factor: float = 1.0) -> bool:
    """``fixed`` is as good as ``timetable``: no more SLO minutes, no dearer, no more shortfall.

    More shortfall is as good when ``fixed`` is cheaper by at least 1 %. "No dearer" is at most
    ``cost_factor`` x the timetable's cost. Shortfall (load above capacity) only falls in
    SLO-violation minutes, so with no more minutes it says how deep the same minutes went: a
    plan that costs at least 1 % more
    (:data:`~policy.trace_replay.scoreboard.DOMINANCE_COST_FRACTION`, the bench's dominance
    rule) for a shallower shortfall in as many minutes buys nothing advice could show (an
    idle cluster with auto-pause on was advised a timetable at 6x today's cost for 0.02 ACU-h
    less shortfall in the same 3.5 minutes).
    """
    return (
        fixed.slo_violation_min <= timetable.slo_violation_min + 1e-9
        and fixed.cost_usd <= cost_factor * timetable.cost_usd + 1e-9
        and (
            fixed.shortfall_acu_h <= timetable.shortfall_acu_h + 1e-9
            or fixed.cost_usd <= DOMINANCE_COST_FRACTION * timetable.cost_usd
        )
    )


def _pattern_note(pattern_p: float | None, schedule: FloorSchedule) -> list[str]:
    """The sentence when the demand shows no time-of-day pattern, as it applies to what to apply.

    The timetables are then one level per day; when the slot-by-slot one of
    :data:`RECURRING_NEED_QUANTILE` is what to apply, the sentence says why. None where the
    demand has a pattern, was not tested, or no hour differs at all (p = 1).
    """
    if pattern_p is None or not DAILY_PATTERN_ALPHA <= pattern_p < 1.0:
        return []
    head = (
        f"the demand shows no pattern by time of day (Friedman's rank tests by hour of day and within "
        f"the hour: p = {pattern_p:.2f}, at least {DAILY_PATTERN_ALPHA:g}), so "
    )
    if schedule.slot_s == 86_400 or len(set(schedule.floors_acu)) == 1:
        return [
            head
            + "the timetable sets one MinCapacity per day rather than one per slot, which would copy noise"
        ]
    every = "week" if schedule.kind == "weekly" else "day"
    return [
        head + "acuplan's floors are read one MinCapacity per day; but the perfect-foresight bound's "
        f"floors need a raise at the same time of the {every} on most of its occurrences (their median "
        f"per {schedule.slot_s // 60}-minute slot of the {every}), and that timetable is what to apply"
    ]


def _best(tried: Sequence[Candidate], live_min: float) -> Candidate:
    """The choice among timetables, judged held out (their fourth element).

    Of those with no more SLO-violation minutes than acuplan live (``live_min``), the fewest
    minutes within :data:`NEAR_CHEAPEST` of the cheapest; the fewest minutes (then the
    cheapest) where none is as safe.
    """
    # acuplan's score is rounded to 4 decimals (PolicyScore): a timetable that matches it is as safe
    as_safe = [t for t in tried if t[3].slo_violation_min <= live_min + 1e-4]
    if as_safe:  # the fewest minutes among those within NEAR_CHEAPEST of the cheapest as safe
        cheapest = min(t[3].cost_usd for t in as_safe)
        as_safe = [t for t in as_safe if t[3].cost_usd <= NEAR_CHEAPEST * cheapest]
    return min(as_safe or tried, key=lambda t: (t[3].slo_violation_min, t[3].cost_usd))


def _hourly_instead(pick: Candidate, hourly: Sequence[Candidate], live_min: float) -> Candidate | None:
    """The hourly timetable to apply instead of ``pick`` (the daily or weekly one chosen), or None.

    Hourly timetables (one level per slot of the hour, every hour) of two levels or more (one
    level is the fixed setting the daily reading offers already) compete, judged held out as
    ``pick`` was. One replaces ``pick`` when it

    * wins the choice (:func:`_best`) between them and ``pick``; or
    * is as safe as the choice asks of every candidate (no more SLO-violation minutes than
      acuplan live's ``live_min``, or than ``pick`` where ``pick`` has more), costs at most
      :data:`NEAR_CHEAPEST` x ``pick``'s, and has fewer entries: within the cost margin the
      choice treats as a tie and the SLO bar it holds every candidate to, fewer entries rank
      before fewer minutes, as a FinOps engineer applies 2 schedules rather than 48 or 338
      that cost about the same and meet the same bar. Of several, the fewest minutes, then
      the cheapest.

    ``pick`` stays otherwise (also where adding the hourly ones to the choice would move it to
    another daily one), so where no hourly timetable qualifies the advice is as before.

    Args:
        pick: the daily or weekly timetable chosen (:func:`_best` among them).
        hourly: the hourly timetables tried.
        live_min: acuplan live's SLO-violation minutes.

    Returns:
        The hourly candidate that replaces ``pick``, or None.
    """
    hourly = [h for h in hourly if len(set(h[0].floors_acu)) > 1]
    if not hourly:
        return None
    best = _best([pick, *hourly], live_min)
    if best[0].kind == "hourly":
        return best
    bar = max(live_min + 1e-4, pick[3].slo_violation_min + 1e-9)
    simpler = [
        h
        for h in hourly
        if h[3].slo_violation_min <= bar
        and h[3].cost_usd <= NEAR_CHEAPEST * pick[3].cost_usd + 1e-9
        and len(h[0].entries) < len(pick[0].entries)
    ]
    return min(simpler, key=lambda t: (t[3].slo_violation_min, t[3].cost_usd)) if simpler else None


def _hourly_note(
    schedule: FloorSchedule,
    hour_p: float,
    instead: Candidate,
    held_out: SimResult,
    live_min: float,
    month: float,
) -> str:
    """The sentence saying what to apply is an hourly timetable, and why.

    Args:
        schedule: what to apply (an ``hourly`` timetable of two levels or more).
        hour_p: the within-the-hour test's p-value (:func:`policy.advice.schedule.within_hour_p_value`).
        instead: the daily or weekly timetable the choice had made without the hourly ones.
        held_out: the hourly timetable's held-out replay (the score it was chosen by).
        live_min: acuplan live's SLO-violation minutes (the bar, :func:`_hourly_instead`).
        month: the factor from the window to a 730-hour month.
    """
    entries = schedule.entries
    top = max(range(len(entries)), key=lambda k: entries[k].min_capacity_acu)  # said from the raise
    order = [*range(top, len(entries)), *range(top)]
    moves = [
        f"a {'raise' if entries[k].min_capacity_acu > entries[k - 1].min_capacity_acu else 'drop'} to "
        f"{floor_words(entries[k].min_capacity_acu)} at hh:{entries[k].at_minute:02d}"
        for k in order
    ]
    listed = moves[0] if len(moves) == 1 else ", ".join(moves[:-1]) + " and " + moves[-1]
    p = "p < 0.001" if hour_p < 0.001 else f"p = {hour_p:.3f}"
    other, score = instead[0], instead[3]
    slot = f"{schedule.slot_s // 60}-minute slot"
    return (
        f"demand repeats every hour (Friedman's rank test of the {slot}s within each whole hour: {p}), "
        f"so the timetable is hourly: {listed}, every hour "
        f"({plural(len(entries), 'EventBridge schedule')}: {', '.join(entries[k].cron for k in order)}), "
        f"read off {read_words(schedule)} (the {quantile_label(schedule.quantile)} of each {slot} of the "
        f"hour over every hour of the window); held out day by day it scores "
        f"${held_out.cost_usd * month:,.2f}/month and {held_out.slo_violation_min:.2f} SLO-violation "
        f"minutes against ${score.cost_usd * month:,.2f} and {score.slo_violation_min:.2f} for the "
        f"{other.kind} timetable of {plural(len(other.entries), 'change')} chosen without it; an hourly "
        "timetable replaces that one where it wins the choice between them, or where it has fewer "
        f"changes, costs at most {NEAR_CHEAPEST - 1:.0%} more and has no more minutes than acuplan "
        f"live's {live_min:.2f} (the bar every timetable is held to) or than that one"
    )


@dataclass(frozen=True)
class ChosenTimetable:
    """What to apply, as :func:`choose_timetable` chose it.

    Attributes:
        schedule: the timetable (a fixed MinCapacity is a timetable of one level), with the
            ``SecondsUntilAutoPause`` the replay assumed.
        floors: the MinCapacity it sets per scored step, shape (n,), ACU.
        replay: its replay over the scored window.
        held_out: its replay with each day held out of its own timetable, the score it was chosen
            by (None when the window is too short to hold a day out, or a merge, pause or fixed
            setting replaced the timetable chosen).
        fixed_note: the sentence saying a fixed or today's MinCapacity does as well as the
            timetable (None when the timetable stands).
        kept_today: what to apply is today's MinCapacity.
        notes: the sentences on how it was read: no time-of-day pattern, an hourly timetable
            and why, too few days to test one, runs merged, slots paused (in that order; possibly
            none).
    """

    schedule: FloorSchedule
    floors: FloatArray
    replay: SimResult
    held_out: SimResult | None
    fixed_note: str | None
    kept_today: bool
    notes: tuple[str, ...]


def choose_timetable(
    scored: FloatArray,
    *,
    window_from: datetime,
    step_s: int,
    slot_s: int,
    trusted: BoolArray,
    types: DayTypes | None,
    live_floors: FloatArray,
    live: PolicyScore,
    bound_floor: FloatArray,
    conn_floor: float | None,
    current: CurrentSettings,
    cluster: ClusterSpec,
    config: AdviceConfig,
    replay_floors: Callable[[FloatArray], SimResult],
    month: float,
) -> ChosenTimetable:
    """Choose what to apply: the MinCapacity timetable read off acuplan's floors or the bound's.

    The candidates are the daily (and, where weekdays and weekend days differ, weekday/weekend)
    timetables read off acuplan's live floors and off the bound's at each quantile of
    :data:`SCHEDULE_QUANTILES` below ``config.schedule_quantile`` and at it: one level per day
    where the demand shows no time-of-day pattern (:data:`DAILY_PATTERN_ALPHA`); the bound's
    only where the window holds enough whole days to test one. Each is judged with each day held
    out of its reading (:func:`policy.advice.schedule.held_out_floors`; in-sample where the
    window is too short to test a pattern, when only acuplan's are read). Of those with no more
    SLO-violation minutes than acuplan live, the fewest minutes within :data:`NEAR_CHEAPEST` of the cheapest
    (else the fewest). Where the demand repeats within the hour (:data:`HOURLY_PATTERN_ALPHA`),
    hourly timetables (one level per slot of the hour, read over every hour off the bound's
    floors at the same quantiles, judged held out alike; not off acuplan's, whose shape within
    the hour is its hourly re-plans') are tried too, and one replaces the
    timetable so chosen by :func:`_hourly_instead`'s rule: where it wins the same choice
    against it, or has fewer entries, costs within :data:`NEAR_CHEAPEST` of it and has no more
    minutes than acuplan live (or than it). Then runs
    are merged where a raise costs next to nothing
    (:data:`MERGE_BUDGET_FRACTION`), slots at the lowest running floor pause where today
    pauses and that saves, and a fixed or today's MinCapacity replaces the timetable where it
    does as well.

    Args:
        scored: demand over the replayed window, shape (n,), ACU, NaN where missing.
        window_from: start of the replayed window (UTC).
        step_s: step length, seconds.
        slot_s: the timetable slot, whole steps, seconds (:func:`policy.advice.checks.check_settings`).
        trusted: the steps whose floors may be read (:func:`covered_steps`), shape (n,).
        types: the window's weekdays against its weekend days (:func:`policy.advice.workweek.day_types`).
        live_floors: acuplan's floors re-planning live over the window, shape (n,), ACU.
        live: acuplan live's score (the SLO-violation minutes a timetable may not exceed).
        bound_floor: the bound's floors on today's readers, shape (n,), ACU.
        conn_floor: the MinCapacity today's connections need (:func:`connections_floor_acu`), or None.
        current: today's settings.
        cluster: the cluster (``limits.min_acu``, the price).
        config: the advice configuration (``schedule_quantile``, ``schedule_timezone``).
        replay_floors: replays a MinCapacity per scored step on today's readers.
        month: the factor from the window to a 730-hour month.

    Returns:
        The :class:`ChosenTimetable`.
    """

    def read_table(
        floors: FloatArray,
        quantile: float,
        days: BoolArray,
        read_from: ReadFrom,
        table_slot_s: int = 0,
        hourly: bool = False,
    ) -> FloorSchedule:
        """The timetable read off a floor series (``read_from``'s) on the trusted steps of ``days``.

        In slots of ``table_slot_s``; 0: one level per day where the demand shows no time-of-day
        pattern, else ``slot_s``; ``hourly``: per slot of the hour.
        """
        table = schedule_from_floors(
            floors,
            start=window_from,
            step_s=step_s,
            max_capacity_acu=current.max_capacity_acu,
            slot_s=table_slot_s or day_slot_s,
            quantile=quantile,
            trusted=trusted & days,
            timezone=config.schedule_timezone,
            hourly=hourly,
        )
        return table.model_copy(update={"read_from": read_from})

    def timetable(
        floors: FloatArray, quantile: float, read_from: ReadFrom
    ) -> tuple[FloorSchedule, FloatArray]:
        """The timetable read off a floor series, and the floor it sets per scored step."""
        table = read_table(floors, quantile, np.ones(len(scored), dtype=bool), read_from)
        return table, schedule_floors(table, start=window_from, step_s=step_s, n_steps=len(scored))

    weekend = (
        day_of_week(start=window_from, step_s=step_s, n_steps=len(scored), timezone=config.schedule_timezone)
        >= 5
    )

    def reader(
        floors: FloatArray,
        quantile: float,
        read_from: ReadFrom,
        split: bool,
        table_slot_s: int = 0,
        hourly: bool = False,
    ) -> Callable[[BoolArray], FloorSchedule]:
        """Reads the timetable off the steps it is given: whole, or apart for weekdays and weekend days."""
        if not split:
            return lambda keep: read_table(floors, quantile, keep, read_from, table_slot_s, hourly)
        return lambda keep: workweek_schedule(  # policy.advice.workweek
            read_table(floors, quantile, keep & ~weekend, read_from),
            read_table(floors, quantile, keep & weekend, read_from),
            current.max_capacity_acu,
        )

    floors_read = live_floors
    bound_read = bound_floor
    if conn_floor is not None:  # the timetable keeps the MinCapacity today's connections need
        floors_read = np.maximum(floors_read, conn_floor)
        bound_read = np.maximum(bound_read, conn_floor)
    pattern_p = (
        daily_pattern_p_value(  # of demand: acuplan's floors also carry its hourly re-plans' shape
            scored,
            start=window_from,
            step_s=step_s,
            slot_s=slot_s,
            trusted=np.isfinite(scored),
            timezone=config.schedule_timezone,
        )
        if 3600 % step_s == 0
        else None
    )
    hour_p = (
        within_hour_p_value(
            scored,
            start=window_from,
            step_s=step_s,
            slot_s=slot_s,
            trusted=np.isfinite(scored),
            timezone=config.schedule_timezone,
        )
        if pattern_p is not None
        else None
    )
    # an hourly timetable where the demand's slots of the hour differ hour after hour (and the slot
    # splits an hour: else no p-value); judged held out, so only where the pattern was tested
    hourly = hour_p is not None and hour_p < HOURLY_PATTERN_ALPHA
    flat_day = pattern_p is not None and pattern_p >= DAILY_PATTERN_ALPHA
    day_slot_s = 86_400 if flat_day else slot_s  # the slot every timetable but one is read in
    untested = pattern_p is None  # too few whole days (or a step that does not divide an hour)
    tried: list[Candidate] = []
    quantiles = sorted(
        {*(x for x in SCHEDULE_QUANTILES if x < config.schedule_quantile), config.schedule_quantile}
    )
    everything = np.ones(len(scored), dtype=bool)
    sources: tuple[tuple[ReadFrom, FloatArray], ...] = (("acuplan", floors_read), ("bound", bound_read))
    if untested:  # fewer whole days than a pattern test needs: no day to hold out, no need seen recur
        sources = sources[:1]
    # Where the demand shows no time-of-day pattern, a need that recurs at one slot of a day (of a
    # week: a Monday job) on most of its occurrences still shows in the median of the bound's
    # floors per slot, and nowhere else: that timetable is tried beside the one-level-per-day ones.
    variants = [(read_from, source, q, day_slot_s, False) for read_from, source in sources for q in quantiles]
    if flat_day:  # (so the pattern was tested: enough whole days to hold one out)
        variants.append(("bound", bound_read, RECURRING_NEED_QUANTILE, slot_s, False))
    # One level per slot of the hour, read over every hour (HOURLY_PATTERN_ALPHA), off the bound's
    # floors only: acuplan re-plans at the top of every hour, so the shape of its floors within the
    # hour is its re-plan cadence, which an hourly timetable would copy (on 5 days of uniform noise,
    # tried regardless of the test, acuplan's p50 read 2, 2, 1.5, 1.5 ACU and won at 3 % less).
    if hourly:
        variants += [("bound", bound_read, q, slot_s, True) for q in quantiles]
    for read_from, source, q, table_slot_s, per_hour in variants:
        whole = reader(source, q, read_from, split=False, table_slot_s=table_slot_s, hourly=per_hour)(
            everything
        )
        splittable = whole.kind == "daily" and types is not None and types.splittable
        for split in (False, True) if splittable and table_slot_s == day_slot_s else (False,):
            read = reader(source, q, read_from, split, table_slot_s, per_hour)
            table = read(everything) if split else whole  # the daily one is read once
            floors_q = schedule_floors(table, start=window_from, step_s=step_s, n_steps=len(scored))
            result = replay_floors(floors_q)
            # A slot's quantile over the days is read on the days it is replayed on, and the
            # bound's floors knew each day's demand: every timetable is judged on every day with
            # that day held out of its reading, so no candidate is credited with a need seen only
            # on the day it is scored on (acuplan's floors as much as the bound's: one day's raise
            # moves a slot's quantile on that day too).
            judged = (
                result
                if untested
                else replay_floors(
                    held_out_floors(
                        read,
                        start=window_from,
                        step_s=step_s,
                        n_steps=len(scored),
                        timezone=config.schedule_timezone,
                    )
                )
            )
            tried.append((table, floors_q, result, judged))
    pick = _best([t for t in tried if t[0].kind != "hourly"], live.slo_violation_min)
    hourly_pick = _hourly_instead(pick, [t for t in tried if t[0].kind == "hourly"], live.slo_violation_min)
    schedule, planned, recommended, judged = pick if hourly_pick is None else hourly_pick
    chosen = schedule

    def honest() -> SimResult:
        """What to apply's replay, judged as it was chosen (held out, when read off the bound's floors)."""
        return judged if schedule.entries == chosen.entries else recommended

    merged = _merged(
        schedule, planned, recommended, start=window_from, step_s=step_s, cluster=cluster, current=current
    )
    merge_note: list[str] = []
    if merged is not None:
        table = with_levels(schedule, merged, current.max_capacity_acu)
        floors_m = schedule_floors(table, start=window_from, step_s=step_s, n_steps=len(scored))
        result = replay_floors(floors_m)
        fewer = len(table.entries) < len(schedule.entries)  # per-day merges can split MON-FRI apart
        if fewer and _no_worse(result, recommended, cost_factor=1.0 + MERGE_BUDGET_FRACTION):
            extra = (result.cost_usd - recommended.cost_usd) * month
            merge_note = [
                f"the timetable read off {read_words(schedule)} had "
                f"{plural(len(schedule.entries), 'change')}, "
                f"this one {len(table.entries)}: a slot was raised to its neighbour's level where that cost "
                f"next to nothing (${extra:,.2f}/month in all, at most {MERGE_BUDGET_FRACTION:.0%} of the "
                "timetable's bill; Aurora bills the larger of MinCapacity and what its scaler holds, so a "
                "floor under load the scaler carries is free)"
            ]
            schedule, planned, recommended = table, floors_m, result
    running = [0 < f <= MIN_RUNNING_ACU for f in schedule.floors_acu]
    if current.min_capacity_acu == 0 and cluster.limits.min_acu == 0 and conn_floor is None and any(running):
        # Today pauses. acuplan's floors pause only where its forecast is idle for a whole timer,
        # and the p50 of a slot over the days reads a running floor where most nights paused:
        # keep pausing there when that saves at least 1 % (the dominance rule) for no more
        # minutes. (A cluster that does not pause today is offered pausing apart, in auto_pause:
        # the first requests after a pause wait for the resume.)
        levels = [0.0 if r else f for r, f in zip(running, schedule.floors_acu, strict=True)]
        table = with_levels(schedule, levels, current.max_capacity_acu)
        floors_p = schedule_floors(table, start=window_from, step_s=step_s, n_steps=len(scored))
        result = replay_floors(floors_p)
        saves = result.cost_usd <= DOMINANCE_COST_FRACTION * recommended.cost_usd
        if saves and _no_worse(result, recommended):
            merge_note = [
                *merge_note,
                "the timetable pauses (MinCapacity 0) in the slots where acuplan's floors read "
                f"{MIN_RUNNING_ACU:g} ACU: ${result.cost_usd * month:,.2f}/month against "
                f"${recommended.cost_usd * month:,.2f} with them running, for no more SLO-violation "
                f"minutes ({result.slo_violation_min:.2f}; today's MinCapacity 0 pauses already)",
            ]
            schedule, planned, recommended = table, floors_p, result
    timetable_note = None
    # The simplest plan that does as well wins: one fixed MinCapacity, the lowest that runs
    # first (where Aurora's scaler alone carries the load, every raise buys nothing: a demand
    # draining to zero was advised a fixed 1 ACU that 0.5 matched for $53/month less), then the
    # timetable's own lowest level.
    lowest = max(MIN_RUNNING_ACU, cluster.limits.min_acu, conn_floor or 0.0)
    for fixed_acu in sorted({lowest, min(schedule.floors_acu)}):
        if fixed_acu >= max(schedule.floors_acu):
            continue
        fixed = replay_floors(np.full(len(scored), fixed_acu))
        if _no_worse(fixed, honest()):
            flat = len(set(schedule.floors_acu)) == 1
            changes = plural(len(schedule.entries), "change")
            todays = fixed_acu == current.min_capacity_acu
            which = "today's" if todays else "a fixed"
            verdict = "to keep it" if todays else "the fixed setting: one modify-db-cluster, no scheduler"
            what = (
                f"a fixed MinCapacity of {floor_words(max(schedule.floors_acu))} read off "
                f"{read_words(schedule)} ("
                if flat
                else f"{'an' if schedule.kind == 'hourly' else 'a'} {schedule.kind} timetable read off "
                f"{read_words(schedule)} ({changes}, "
            )
            timetable_note = (
                f"{what}${recommended.cost_usd * month:,.2f}/month, {recommended.slo_violation_min:.2f} "
                f"SLO-violation minutes) does no better here than {which} MinCapacity of "
                f"{floor_words(fixed_acu)} (${fixed.cost_usd * month:,.2f}/month, "
                f"{fixed.slo_violation_min:.2f} minutes), so the advice is {verdict}; acuplan re-planning "
                f"live scores ${live.cost_usd * month:,.2f}/month"
            )
            schedule, planned = timetable(
                np.full(len(floors_read), fixed_acu), schedule.quantile, schedule.read_from
            )
            recommended = fixed
            break
    if timetable_note is not None:  # the advice is a fixed floor: how the timetable was merged is moot
        merge_note = []
    today_floor = current.min_capacity_acu
    kept_today = set(schedule.floors_acu) == {today_floor}  # the fixed setting is today's own
    if not kept_today and (conn_floor is None or today_floor >= conn_floor):
        kept = replay_floors(np.full(len(scored), today_floor))
        # no change beats a change that buys nothing, or saves under 1 % (the dominance rule's
        # margin) for no fewer minutes: a move from 2 to 0.5 ACU was advised for $0.17/month
        if _no_worse(kept, honest(), cost_factor=1.0 / DOMINANCE_COST_FRACTION):
            instead = (
                f"a fixed MinCapacity of {floor_words(min(schedule.floors_acu))}"
                if len(set(schedule.floors_acu)) == 1
                else f"the timetable read off {read_words(schedule)} "
                f"({plural(len(schedule.entries), 'change')})"
            )
            timetable_note = (
                f"today's MinCapacity of {floor_words(today_floor)} does as well here as {instead} "
                f"(${kept.cost_usd * month:,.2f}/month against ${recommended.cost_usd * month:,.2f}, "
                f"{kept.slo_violation_min:.2f} SLO-violation minutes against "
                f"{recommended.slo_violation_min:.2f}), so the advice is to keep it; acuplan re-planning "
                f"live scores ${live.cost_usd * month:,.2f}/month"
            )
            schedule, planned = timetable(
                np.full(len(floors_read), today_floor), schedule.quantile, schedule.read_from
            )
            recommended, kept_today, merge_note = kept, True, []
    # the MinCapacity-0 entries send the SecondsUntilAutoPause the replay assumed (service.advice.scheduler)
    schedule = schedule.model_copy(update={"seconds_until_auto_pause": current.seconds_until_auto_pause})
    untested_note = (
        [
            f"the replayed window holds fewer than {MIN_DAYS_FOR_PATTERN_TEST} whole days, too few "
            "to test whether its time-of-day shape repeats (Friedman's test needs them as blocks): "
            "this timetable follows these days and may copy noise; advise again with more history"
        ]
        if untested and len(set(schedule.floors_acu)) > 1
        else []
    )
    hourly_note = (
        [_hourly_note(schedule, hour_p, pick, judged, live.slo_violation_min, month)]
        if hourly_pick is not None and hour_p is not None and schedule.kind == "hourly"
        else []
    )
    return ChosenTimetable(
        schedule=schedule,
        floors=planned,
        replay=recommended,
        held_out=judged if not untested and schedule.entries == chosen.entries else None,
        fixed_note=timetable_note,
        kept_today=kept_today,
        notes=tuple(_pattern_note(pattern_p, schedule) + hourly_note + untested_note + merge_note),
    )
