"""The sentences of the advice's reasons: the verdict and its score, the posture acuplan learnt, the caveats.

Each function turns replays and settings already computed into sentences (lists of str, empty
when there is nothing to say). Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from policy.advice.outlook import POSTGRES_LOW_MIN_CAP
from policy.advice.prices import ACU_GIB, HOURS_PER_MONTH
from policy.advice.schedule import FloorSchedule
from policy.advice.timetable import NEAR_CHEAPEST
from policy.advice.types import CurrentSettings, Outcome, TierOption
from policy.advice.words import floor_words
from policy.advice.workweek import DayTypes, day_of_week
from policy.config import ReplayConfig
from policy.scaler import MIN_RUNNING_ACU, ScalerModel, target_acu
from policy.trace_replay.posture import quantile_counts
from policy.trace_replay.simulator import SimResult, instance_loads
from policy.types import ClusterSpec, quantile_label

FloatArray = npt.NDArray[np.float64]

FLOOR_IDLE_SHARE = 0.99
"""A MinCapacity "binds for nothing" when it sits above what the scaler alone would hold
for the writer's load in at least this share of the replayed steps."""


def idle_floor_note(
    scored: FloatArray,
    current: CurrentSettings,
    cluster: ClusterSpec,
    model: ScalerModel,
    outcomes: dict[str, Outcome],
) -> str | None:
    """The sentence when today's floor sits above the writer's need at (nearly) every step.

    The writer's load is the replay's routing (:func:`policy.trace_replay.simulator.instance_loads`
    on today's readers). When what to apply has more SLO-violation minutes than today, the
    sentence says so: the floor then bought those minutes (a jump the scaler climbs to
    slower than the floor holds), not nothing.
    """
    floor = current.min_capacity_acu
    if floor <= cluster.limits.min_acu:
        return None
    u = model.scaler_target_utilisation
    held = np.array(
        [
            target_acu(
                instance_loads(x, cluster.read_frac, len(current.readers))[0],
                0.5,
                current.max_capacity_acu,
                u,
            )
            for x in scored[np.isfinite(scored)]
        ]
    )
    above = float(np.mean(held < floor)) if held.size else 0.0
    if above < FLOOR_IDLE_SHARE:
        return None
    cur, rec = outcomes["current"], outcomes["recommended"]
    extra = cur.monthly_cost_usd - rec.monthly_cost_usd
    more_min = rec.slo_violation_min - cur.slo_violation_min
    bought = (
        f", which has {more_min:.2f} more SLO-violation minutes over the replayed window: all the floor buys"
        if more_min >= 0.005
        else ""
    )
    return (
        f"MinCapacity {floor:g} ACU sits above the writer's need: in {above:.0%} of the "
        f"steps its load needs less (Aurora's scaler alone would hold {np.median(held):g} ACU at the "
        f"median), so the floor, which lifts every instance, costs ${extra:,.2f}/month more than what to "
        f"apply{bought}"
    )


def unchecked_note(lowest_acu: float, current: CurrentSettings, *, connections_given: bool) -> list[str]:
    """What advice that lowers MinCapacity below today's did not check, when it saw one signal.

    A lower floor is judged on the demand series alone; a MinCapacity of ``lowest_acu``
    also means less memory (``ACU_GIB`` per ACU, Aurora User Guide "How Aurora Serverless
    v2 works": buffer cache the working set may need) and, on Aurora PostgreSQL at 0.5 ACU
    or less, ``max_connections`` capped at ``POSTGRES_LOW_MIN_CAP`` (Aurora User Guide,
    "Maximum connections for Aurora Serverless v2"). Without ``DatabaseConnections``
    neither is checked, and the answer says so.

    Returns:
        One reason, or none (the floor is not lowered, or connections were given).
    """
    if connections_given or lowest_acu >= current.min_capacity_acu:
        return []
    return [
        f"lowering MinCapacity from {current.min_capacity_acu:g} to {lowest_acu:g} ACU was judged on the "
        f"demand series alone: at {lowest_acu:g} ACU an instance keeps about {lowest_acu * ACU_GIB:g} GiB of "
        f"memory (against {current.min_capacity_acu * ACU_GIB:g} GiB today) for the buffer cache, and "
        + (
            f"Aurora PostgreSQL caps max_connections at {POSTGRES_LOW_MIN_CAP:,} there; "
            if current.engine == "aurora-postgresql" and lowest_acu <= 0.5
            else ""
        )
        + "the demand series does not show whether the working set fits that memory, nor (without a "
        "DatabaseConnections series) whether the connections do: check both before applying"
    ]


COMMITMENT_HISTORY_H = 30 * 24.0
"""Replayed hours below which the advice warns that commitments rest on a short history."""


def connections_note(conn_floor: float | None, connections: FloatArray | None) -> list[str]:
    """Why what to apply keeps MinCapacity at least ``conn_floor``: today's connections need it.

    Args:
        conn_floor: :func:`policy.advice.timetable.connections_floor_acu`, ACU, or None.
        connections: ``DatabaseConnections`` on the history's grid, shape (n,), or None.

    Returns:
        One sentence, or none (no floor for connections, or no connections given).
    """
    if conn_floor is None or connections is None:
        return []
    return [
        f"what to apply keeps MinCapacity at least {conn_floor:g} ACU: DatabaseConnections "
        f"peaked at {np.nanmax(connections):,.0f} and Aurora PostgreSQL caps max_connections at "
        f"{POSTGRES_LOW_MIN_CAP:,} while MinCapacity is 0.5 ACU or less (a new max_connections "
        "applies after a reboot)"
    ]


def commitment_note(hours: float, outgrown_at: datetime | None = None) -> list[str]:
    """Caveats on the purchase options: a short history, and a need forecast to outgrow them.

    Args:
        hours: the replayed window, hours (under :data:`COMMITMENT_HISTORY_H`: a caveat).
        outgrown_at: when a ``max_capacity`` alert forecasts the writer's need past
            MaxCapacity (UTC), or None. The options are sized to the replayed history's
            peak, so a 1- or 3-year commitment would be outgrown (QA: 2 x db.r6g.large for
            3 years beside an alert of +0.41 ACU/day).

    Returns:
        Up to two sentences.
    """
    out = []
    if hours < COMMITMENT_HISTORY_H:
        out.append(
            f"the purchase options price 1- and 3-year commitments from {hours / 24:.1f} replayed "
            "days: check them against a longer history (a month or more) before committing"
        )
    if outgrown_at is not None:
        out.append(
            "the purchase options are sized to the replayed history's peak, and the max_capacity alert "
            f"forecasts the writer's need past MaxCapacity by {outgrown_at:%Y-%m-%d}: a commitment sized to "
            "the past would be outgrown; commit only to the base load you expect to keep, or size it to "
            "the growth"
        )
    return out


RUN_RATE_CHANGE = 1.5
"""The last day's mean demand this many times the window's (or its inverse) is a level change."""


def last_day_reference(
    demand: FloatArray, types: DayTypes | None, *, end: datetime, step_s: int, timezone: str
) -> tuple[tuple[str, float], ...]:
    """What the last day's demand is compared with to call a level shift, each with its mean, ACU.

    The last day is the last 24 h of steps. Besides the replayed window's mean (which
    :func:`run_rate_note` adds), it is compared with what the same hours held before, so a
    day that holds a weekly job, or half a weekend and half a weekday morning on the
    cluster's clock, is no shift:

    * with at least a week of history before it: the same 24 hours of every earlier whole
      week in ``demand`` (the warm-up included);
    * when weekdays and weekend days differ clearly (:mod:`policy.advice.workweek`): their
      means, weighted by the last day's share of each on ``timezone``'s wall clock.

    Args:
        demand: the whole history, shape (n,), ACU, NaN where missing (its end is the
            replayed window's end).
        types: the replayed window's day types, or None.
        end: end of the history (UTC).
        step_s: step length, seconds.
        timezone: the timetable's IANA zone.

    Returns:
        ``(words, mean_acu)`` pairs, the most specific first, e.g.
        ``(("the same hours a week earlier", 4.1),)``; empty when neither applies.
    """
    day, week = 86_400 // step_s, 7 * 86_400 // step_s
    n = len(demand)
    out = []
    earlier = [demand[n - day - k * week : n - k * week] for k in range(1, (n - day) // week + 1)]
    seen = [x for x in earlier if np.isfinite(x).any()]
    if seen:
        words = (
            "the same hours a week earlier"
            if len(seen) == 1
            else f"the same hours of the {len(seen)} weeks before"
        )
        out.append((words, float(np.nanmean(np.concatenate(seen)))))
    if types is not None and types.differ:
        dow = day_of_week(
            start=end - timedelta(seconds=day * step_s), step_s=step_s, n_steps=day, timezone=timezone
        )
        weekend = float(np.mean(dow >= 5))
        mix = weekend * types.weekend_mean_acu + (1.0 - weekend) * types.weekday_mean_acu
        kind = (
            "the replayed window's weekend days"
            if weekend == 1.0
            else "the replayed window's weekdays"
            if weekend == 0.0
            else "the replayed window's weekdays and weekend days in the last day's mix "
            f"({weekend:.0%} weekend)"
        )
        out.append((kind, mix))
    return tuple(out)


STALE_HISTORY_S = 86_400
"""How long before ``now`` a history may end before the advice says it describes the past: a
day. CloudWatch metrics arrive within minutes and an export is read the day it is made; a
history that ended a day or more ago misses at least one of the days the advice's timetable
repeats. ASSUMPTION."""


def stale_note(end: datetime, now: datetime | None) -> list[str]:
    """The sentence when the history ends :data:`STALE_HISTORY_S` or more before ``now``.

    Args:
        end: the end of the replayed window (UTC).
        now: the time the advice is asked at (UTC), or None (not checked: a bundled sample).

    Returns:
        One sentence, e.g. ``the history ends 2024-05-20 00:00 UTC, 931 days before now: ...``;
        none when it is recent or ``now`` is None.
    """
    if now is None or (now - end).total_seconds() < STALE_HISTORY_S:
        return []
    days = (now - end).total_seconds() / 86_400
    age = f"{days:,.0f} days" if days >= 2 else f"{days * 24:.0f} hours"
    return [
        f"the history ends {end:%Y-%m-%d %H:%M} UTC, {age} before now: this advice describes that window, "
        "not today's load; read recent metrics and advise again before applying it"
    ]


def run_rate_note(
    scored: FloatArray,
    runs: tuple[SimResult, SimResult],
    step_s: int,
    price_usd_per_acu_hour: float,
    outcomes: tuple[Outcome, Outcome],
    projected: dict[str, float] | None = None,
    references: tuple[tuple[str, float], ...] = (),
) -> list[str]:
    """A sentence when the last day's demand left the replayed window's level (a level shift).

    The monthly figures average the whole window; after a shift up (or down) by half or
    more, the bills run at the last day's level instead, priced here from the simulated
    capacity over that day (``capacity_acu``, shape (n,), ACU) of today's settings and of
    what to apply (``runs`` and ``outcomes`` in that order). ``projected`` is the outlook's
    ``projected_monthly_cost_usd`` (the median forecast of the next day), named beside it
    so the two estimates are not read as one figure. ``references``: what else the last day
    is compared with and their mean demand, ACU (:func:`last_day_reference`: the same hours
    of earlier weeks, the day types in the last day's mix), the most specific first. A shift
    is called only when the last day is :data:`RUN_RATE_CHANGE` away from every one of them
    and from the replayed window's mean, the same way (a quiet Sunday after busy weekdays, a
    weekly job, or a busy day after one quiet week is no level shift), and named against the
    first.
    """
    day = 86_400 // step_s
    if len(scored) < 2 * day or not np.isfinite(scored[-day:]).any():
        return []
    last = float(np.nanmean(scored[-day:]))
    compared = (*references, ("the replayed window's mean", float(np.nanmean(scored))))
    words, whole = compared[0]
    # one week's same hours alone is one sample: a shift is one against the window's mean too
    ratios = [last / level if level > 0.0 else 1.0 for _, level in compared]
    if not (all(r > RUN_RATE_CHANGE for r in ratios) or all(r < 1.0 / RUN_RATE_CHANGE for r in ratios)):
        return []
    today, apply = (
        float(np.mean(r.capacity_acu[-day:])) * HOURS_PER_MONTH * price_usd_per_acu_hour for r in runs
    )
    return [
        f"demand over the last day averaged {last:.3g} ACU, {last / whole:.2f}x {words}, {whole:.3g} ACU: "
        "the monthly figures here are the window's averages; at the last day's level "
        f"today's settings cost about ${today:,.2f}/month and what to apply about ${apply:,.2f} (window "
        f"averages ${outcomes[0].monthly_cost_usd:,.2f} and ${outcomes[1].monthly_cost_usd:,.2f}"
        + (
            f"; the outlook's forecast of the next day projects ${projected['current']:,.2f} and "
            f"${projected['recommended']:,.2f}"
            if projected and {"current", "recommended"} <= set(projected)
            else ""
        )
        + "); run the advice again once the new level has lasted a few days"
    ]


def zone_note(schedule: FloorSchedule) -> list[str]:
    """A sentence on the timetable's time zone and its daylight-saving switches (none for UTC).

    EventBridge Scheduler runs a cron schedule in its time zone; an invocation whose time the
    clock skips in spring is skipped, and one in the repeated autumn hour runs once (sources:
    eventbridge-scheduler-dst).
    """
    if schedule.timezone == "UTC" or len(set(schedule.floors_acu)) == 1:
        return []
    return [
        f"the timetable's times are {schedule.timezone} wall-clock times (the history slotted on its "
        f"local date and time) and its EventBridge schedules run in {schedule.timezone}, so a local-time "
        "peak keeps one entry across daylight-saving switches; an entry in the hour the clock skips in "
        "spring does not run that day, and one in the repeated autumn hour runs once"
    ]


def posture_reasons(
    by_quantile: dict[str, int] | None, replay: ReplayConfig, aurora_alone: int | None = None
) -> list[str]:
    """A sentence when acuplan's replay planned other than at the configured quantile (or held the floor)."""
    base, posture = replay.policy.risk_quantile, replay.posture
    by_quantile = by_quantile or {}
    if not aurora_alone and set(by_quantile) <= {f"{base:g}"}:
        return []
    total = sum(by_quantile.values()) + (aurora_alone or 0)
    parts = quantile_counts(by_quantile, aurora_alone)
    alone = (
        ", else today's MinCapacity where that had cost less than the configured quantile for no more minutes"
        if aurora_alone
        else ""
    )
    most = max(by_quantile, key=lambda q: (by_quantile[q], float(q)), default=None)
    if aurora_alone and (most is None or aurora_alone > by_quantile[most]):
        same = (
            "send config.floor_from_forecast=false to POST /v1/recommendations (with `acuplan recommend`, "
            "keep today's floor)"
        )
    elif most is not None and most != f"{base:g}":
        same = f"set --risk {float(most):g} (config.risk_quantile over HTTP)"
    else:
        same = ""
    tail = (
        f"; `acuplan recommend` and POST /v1/recommendations keep no past and plan at the configured "
        f"quantile: {same} for the posture this replay used most"
        if same
        else ""
    )
    return [
        f"acuplan re-planning live learnt its risk quantile from this cluster's own replay (of {total} "
        f"re-plans, {parts}; p{base * 100:g} is the default): each re-plan used the cheapest candidate "
        f"quantile that had kept, replayed in the shadow, within {posture.slo_share_of_reactive:.0%} of "
        f"today's SLO-violation minutes at no more than {posture.max_cost_vs_bound:g}x the "
        f"perfect-foresight bound{alone} (policy.trace_replay.posture){tail}"
    ]


def _held_out_words(held_out: tuple[float, float] | None, recommended: Outcome) -> str:
    """What the timetable scores with each replayed day held out of its own reading, after "in-sample".

    Args:
        held_out: (USD/month, SLO-violation minutes) held out, or None when not so judged.
        recommended: what to apply's in-sample outcome.

    Returns:
        E.g. `` and the same with each replayed day held out ...``; empty for None.
    """
    if held_out is None:
        return ""
    how = "with each replayed day held out of its own reading (the score it was chosen by)"
    same = round(held_out[0], 2) == round(recommended.monthly_cost_usd, 2) and round(held_out[1], 2) == round(
        recommended.slo_violation_min, 2
    )
    if same:
        return f", and the same {how}"
    return f"; {how} it scores ${held_out[0]:,.2f}/month and {held_out[1]:.2f} minutes"


def outcome_reasons(
    outcomes: dict[str, Outcome],
    saving: float,
    schedule: FloorSchedule,
    tiers: tuple[TierOption, ...],
    hours: float,
    *,
    pauses: bool = False,
    cur_pauses: bool = False,
    fixed_note: str | None = None,
    kept_today: bool = False,
    pause_saving_usd: float | None = None,
    bound_layout: str = "today's layout: the writer and its tier-1 reader",
    reader_today: bool = True,
    held_out: tuple[float, float] | None = None,
) -> list[str]:
    """The verdict against today's settings and its score, how what to apply was read, the failover tiers.

    Args:
        outcomes: the ``current``, ``recommended``, ``acuplan`` and ``bound`` outcomes.
        saving: today's monthly cost minus what to apply's, USD/month.
        schedule: what to apply.
        tiers: the failover reader at promotion tier 1 and at tier 15, in that order.
        hours: the replayed window, hours.
        pauses: a plan here sets MinCapacity 0 somewhere (the bound caveat, :func:`pause_caveat`).
        cur_pauses: today's MinCapacity is 0.
        fixed_note: the sentence saying a fixed (or today's) MinCapacity does as well as the
            timetable, said instead of how the timetable was read; None: none.
        kept_today: what to apply is today's MinCapacity.
        pause_saving_usd: what auto-pause would save, USD/month (None: it would never pause).
        bound_layout: the bound's reader layout, in words.
        reader_today: today has a failover reader (else it is offered "if added").
        held_out: what to apply replayed with each day held out of its own timetable, the
            score it was chosen by: (USD/month, SLO-violation minutes); None: not so judged.

    Returns:
        Three sentences or more.
    """
    cur, rec, bound, live = (outcomes[k] for k in ("current", "recommended", "bound", "acuplan"))
    what = (
        "keeping today's MinCapacity"
        if kept_today
        else "a fixed MinCapacity"
        if fixed_note or len(set(schedule.floors_acu)) == 1
        else "the timetable"
    )
    pause_saves = pause_saving_usd is not None and pause_saving_usd >= 0.005 and not cur_pauses
    verdict = (
        "keep today's MinCapacity unless the cluster may pause: no MinCapacity of "
        f"{MIN_RUNNING_ACU:g} ACU or more does better here, and auto-pause (MinCapacity 0) would save "
        f"${pause_saving_usd:,.2f}/month if the first requests after a pause may wait about 15 s "
        "(its line below)"
        if kept_today and abs(saving) < 0.005 and pause_saves
        else "keep today's MinCapacity, and raise MaxCapacity: no MinCapacity does better here, as the "
        "SLO-violation minutes come from demand above MaxCapacity (the perfect-foresight bound has them "
        "too; the max_capacity alert says how far to raise it)"
        if kept_today and abs(saving) < 0.005 and bound.slo_violation_min
        else "keep today's MinCapacity: no setting tried does better here"
        if kept_today and abs(saving) < 0.005
        else f"{what} saves ${saving:,.2f}/month against today's settings"
        if saving >= 0
        else f"{what} costs ${-saving:,.2f}/month more than today's settings"
    )
    score = (
        f"; today's has {cur.slo_violation_min:g} SLO-violation minutes in the {hours / 24:.1f} replayed "
        f"days and a p99 latency of {cur.p99_latency_ms:g} ms (the latency model's)"
        if kept_today
        else f", with {rec.slo_violation_min:g} SLO-violation minutes in the {hours / 24:.1f} "
        f"replayed days against {cur.slo_violation_min:g} today and a p99 latency of "
        f"{rec.p99_latency_ms:g} ms against {cur.p99_latency_ms:g} ms (the latency model's)"
    )
    out = [
        f"{verdict}{score}; the perfect-foresight bound (on {bound_layout}) costs "
        f"${bound.monthly_cost_usd:,.2f}/month with "
        + (f"{bound.slo_violation_min:g} (demand above MaxCapacity)" if bound.slo_violation_min else "none"),
    ]
    if fixed_note:
        out.append(fixed_note)
    else:
        out.append(
            (
                f"today's MinCapacity, {floor_words(schedule.floors_acu[0])}, is also what is"
                if kept_today
                else f"the fixed MinCapacity of {floor_words(schedule.floors_acu[0])} is"
                if len(set(schedule.floors_acu)) == 1
                else f"the {schedule.kind} timetable is"
            )
            + (
                " read off the floors acuplan set re-planning every hour over this history"
                if schedule.read_from == "acuplan"
                else " read off the perfect-foresight bound's floors over this history, the least "
                "MinCapacity each step needed to be free of SLO-violation minutes, where that need recurred"
            )
            + f" (the {quantile_label(schedule.quantile)} of each "
            + ("day" if schedule.slot_s == 86_400 else f"{schedule.slot_s // 60}-minute slot")
            + (
                " of the hour over every hour: it replaced the daily or weekly timetable chosen, as said "
                "below)"
                if schedule.kind == "hourly"
                else ": of the timetables read off acuplan's and the bound's floors at the quantiles "
                "tried with no more SLO-violation minutes than acuplan live, the one with the fewest minutes "
                f"within {NEAR_CHEAPEST - 1:.0%} of the cheapest's cost, else the one with the fewest)"
            )
            + ", so its score here is in-sample"
            + _held_out_words(held_out, rec)
            + "; acuplan re-planning live scores "
            f"${live.monthly_cost_usd:,.2f}/month and {live.slo_violation_min:g} minutes"
        )
    t1, t15 = tiers
    diff = round(t1.monthly_cost_usd - t15.monthly_cost_usd, 2)
    price = (
        f"${diff:,.2f}/month cheaper here"
        if diff > 0
        else "no cheaper here"
        if diff == 0
        else f"${-diff:,.2f}/month dearer here"
    )
    lag = round(t15.extra_recovery_s_p95)
    after = (
        f"but after a failover needs up to {lag} s (p95) more to reach the writer's load"
        if lag > 0
        else "and in this replay a failover would have found it as ready (the writer's load was within "
        "what it held)"
        if not bound.slo_violation_min
        else "and in this replay a failover would have found it as ready as the tier-1 reader: both at "
        "MaxCapacity, below the writer's load"
    )
    out.append(
        ("the failover reader" if reader_today else "a failover reader, if added,")
        + " at promotion tier 1 follows the writer and is ready at once; at tier 15 it "
        f"scales on its own ({price}) {after}"
    )
    out += pause_caveat(planned_pause=pauses, today_pauses=cur_pauses)
    return out


def pause_caveat(*, planned_pause: bool, today_pauses: bool) -> list[str]:
    """The reason why a plan can cost less than the perfect-foresight bound: it pauses, the bound does not.

    The bound (:mod:`policy.floors`) plans running floors only (at least 0.5 ACU), so
    settings that auto-pause (MinCapacity 0) can cost less than it.

    Args:
        planned_pause: ``limits.min_acu`` is 0, so acuplan and the timetable may set MinCapacity 0.
        today_pauses: today's MinCapacity is 0 (auto-pause on).

    Returns:
        One sentence, or none when nothing pauses.
    """
    if not (planned_pause or today_pauses):
        return []
    who = (
        "auto-pause is allowed (limits.min_acu 0): acuplan and the timetable may set MinCapacity 0 where "
        "demand is idle long enough"
        if planned_pause
        else "today's settings auto-pause (MinCapacity 0)"
    )
    return [
        f"{who}, while the perfect-foresight bound plans running floors only (at least 0.5 ACU), so a plan "
        "that pauses can cost less than the bound"
    ]
