"""One answer about one cluster: its settings against acuplan's timetable and the bound.

Owns :func:`advise` (its inputs and answer are the models of :mod:`policy.advice.types`).
Given the cluster's own history and its settings today,
it replays on one simulator (:mod:`policy.trace_replay.simulator`, the one model of Aurora's scaler):

* **current**: today's settings held fixed (MinCapacity, MaxCapacity, readers and their
  promotion tiers, auto-pause);
* **acuplan**: acuplan re-planning every hour over the history (what running it buys);
* **recommended**: the daily or weekly MinCapacity timetable read off acuplan's floors or the
  bound's (:mod:`policy.advice.schedule`; the cheapest of both at each quantile tried with no
  more SLO-violation minutes than acuplan live), i.e. what a user can apply without a
  scheduler: one level per day where the demand shows no time-of-day pattern
  (:data:`DAILY_PATTERN_ALPHA`), runs merged where a raise costs next to nothing
  (:func:`_merged`), then a fixed or today's MinCapacity where either does as well; the
  timetable is read off this very history, so its score is in-sample (said in the reasons);
* **bound**: the perfect-foresight lower bound (:mod:`policy.floors`) on today's readers.

Today, what to apply and the bound are replayed on today's reader layout
(:mod:`policy.advice.layout`): the capacity advice never adds or drops a reader; adding a
failover reader where today has none is offered apart (``Advice.failover_reader``).

Money is per 730-hour month (the replayed window scaled); SLO-violation minutes are the
window's and per month. The rest of the answer: how to buy the capacity
(:mod:`policy.advice.purchase`), tier 0-1 versus tier 2-15 for the failover reader in
dollars and seconds, auto-pause, a floor that binds for nothing, the global-database
secondaries' settings (:func:`policy.advice.schedule.secondary_schedules`), storage,
backups and the I/O-Optimized break-even (:mod:`policy.advice.storage`), and alerts from
the history and from the forecast with their lead time (:mod:`policy.advice.outlook`).
Pure: no clock, no I/O; deterministic for a fixed input.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from math import gcd

import numpy as np
import numpy.typing as npt

from placement import MAX_ACU_LIMIT, CapacityLimits
from policy.advice.layout import bound_floors, bound_words, failover_reader_option, readers_words
from policy.advice.outlook import (
    CALIBRATED_H,
    CONNECTIONS_HEADROOM,
    POSTGRES_LOW_MIN_CAP,
    forecast_alerts,
    lead_words,
    max_connections,
)
from policy.advice.prices import ACU_GIB, HOURS_PER_MONTH, advice_prices
from policy.advice.purchase import CapacityProfile, PurchaseOption, break_even_sentence, purchase_options
from policy.advice.schedule import (
    MIN_DAYS_FOR_PATTERN_TEST,
    FloorSchedule,
    ReadFrom,
    daily_pattern_p_value,
    held_out_floors,
    merge_levels,
    schedule_floors,
    schedule_from_floors,
    secondary_schedules,
    slot_of_steps,
    with_levels,
)
from policy.advice.storage import storage_advice, volume_growth
from policy.advice.types import (
    ALERT_KINDS,
    Advice,
    AdviceConfig,
    AdviceSeries,
    Alert,
    AutoPauseAdvice,
    CurrentSettings,
    ObservedToday,
    Outcome,
    TierOption,
)
from policy.advice.workweek import DayTypes, day_of_week, day_type_reasons, day_types, workweek_schedule
from policy.config import ReplayConfig
from policy.engine import validate_history
from policy.errors import InvalidRequestError
from policy.max_capacity import over_max_capacity
from policy.quality import pinned_at_ceiling, pinned_note, pinned_remedy
from policy.scaler import MIN_RUNNING_ACU, InstanceState, ScalerModel, advance, half_ceil, target_acu
from policy.settings import max_capacity_remedy
from policy.steps import check_step_s
from policy.trace_replay.posture import quantile_counts
from policy.trace_replay.report import PolicyScore
from policy.trace_replay.run import replay_policy, scored_window
from policy.trace_replay.scoreboard import DOMINANCE_COST_FRACTION
from policy.trace_replay.simulator import Layout, SimResult, simulate
from policy.types import ClusterSpec, Pinned, quantile_label

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

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
Progress = Callable[[str, int, int], None]
"""``(stage, done, total)``: called as the advice advances (the replays report per decision)."""

STAGES = ("current", "acuplan", "bound", "timetable", "outlook")
"""The stages reported to ``progress`` besides the replays' own decisions."""

FLOOR_IDLE_SHARE = 0.99
"""A MinCapacity "binds for nothing" when it sits above what the scaler alone would hold
for the writer's load in at least this share of the replayed steps."""


def _outcome(settings: str, score: SimResult | PolicyScore, month_factor: float, actions: int) -> Outcome:
    """An :class:`Outcome` from a simulation or a replay score over the window."""
    return Outcome(
        settings=settings,
        monthly_cost_usd=round(score.cost_usd * month_factor, 2),
        cost_usd=round(score.cost_usd, 4),
        slo_violation_min=round(score.slo_violation_min, 2),
        slo_violation_min_per_month=round(score.slo_violation_min * month_factor, 2),
        shortfall_acu_h=round(score.shortfall_acu_h, 4),
        p99_latency_ms=round(score.p99_latency_ms, 1),
        scaling_actions=actions,
    )


def _layout(floors: FloatArray, max_acu: float, n_extra: int, has_failover: bool) -> Layout:
    n = len(floors)
    return Layout(
        floor_acu=np.asarray(floors, dtype=np.float64),
        max_acu=np.full(n, max_acu),
        n_extra_readers=np.full(n, n_extra, dtype=np.int64),
        has_failover=has_failover,
    )


def _changes(floors: FloatArray) -> int:
    return int(np.count_nonzero(np.diff(floors)))


def _hourly(values: FloatArray, step_s: int, how: str = "mean") -> FloatArray:
    """Whole hours of ``values`` by their mean or max (a trailing part-hour is dropped)."""
    per_hour = max(3600 // step_s, 1)
    n = len(values) // per_hour * per_hour
    if n == 0:
        return np.asarray([float(np.mean(values))]) if len(values) else np.zeros(1)
    blocks = values[:n].reshape(-1, per_hour)
    return np.asarray(blocks.max(axis=1) if how == "max" else blocks.mean(axis=1), dtype=np.float64)


def _rounded(values: FloatArray) -> tuple[float, ...]:
    return tuple(round(float(x), 3) for x in values)


def _idle_runs(demand: FloatArray, step_s: int) -> list[int]:
    """Lengths (steps) of the runs of zero demand (missing steps break a run)."""
    runs, n = [], 0
    for x in demand:
        if np.isfinite(x) and x <= 0.0:
            n += 1
        else:
            if n:
                runs.append(n)
            n = 0
    if n:
        runs.append(n)
    return runs


def _recovery_s(demand: FloatArray, read_frac: float, max_acu: float, model: ScalerModel) -> float:
    """p95 over steps of the seconds a promoted tier-15 reader needs to reach the writer's need.

    The reader sits at its own target for its read share; after a failover it takes the
    writes and must reach ``(1 - read_frac) x load / slo_utilisation``: the time comes
    from the scaler model (ramp by ramp, on the grid).
    """
    u = model.scaler_target_utilisation
    waits = []
    for load in demand[np.isfinite(demand)]:
        reader = target_acu(read_frac * load, 0.5, max_acu, u)
        need = min(model.need_acu(load), max_acu)  # the promoted reader takes all of it
        state, t = InstanceState(reader, reader), 0.0
        while state.capacity_acu < need - 1e-9 and t < 3600:
            state = advance(state, load, 0.5, max_acu, 1.0, model)
            t += 1.0
        waits.append(t)
    return float(np.percentile(waits, 95)) if waits else 0.0


def _budget_alerts(outcomes: dict[str, Outcome], config: AdviceConfig) -> list[Alert]:
    """The replayed window's ``budget`` alerts: today's or the recommended settings over the budget."""
    if config.monthly_budget_usd is None:
        return []
    out = []
    for name in ("current", "recommended"):
        cost = outcomes[name].monthly_cost_usd
        if cost > config.monthly_budget_usd:
            out.append(
                Alert(
                    kind="budget",
                    value=cost,
                    limit=config.monthly_budget_usd,
                    message=f"the {name} settings cost ${cost:,.2f}/month, over the "
                    f"${config.monthly_budget_usd:,.2f} budget",
                )
            )
    return out


def _max_capacity_fix(need_acu: float, pinned: tuple[Pinned, ...], max_capacity_acu: float) -> str:
    """The one remedy of the ``max_capacity`` alert, so its facts cannot call for two different ones.

    Demand that sat at Aurora's 256-ACU limit: raise MaxCapacity to 256 ACU where it is lower,
    and offload (:func:`policy.quality.pinned_remedy`: no higher MaxCapacity exists); demand
    censored at MaxCapacity: raise it well above (``pinned_remedy``) unless the writer's
    need asks for more; else raise it to the writer's need (:func:`max_capacity_remedy`).

    Args:
        need_acu: the writer's largest need, history or forecast, ACU (0 when never above).
        pinned: the stretches at a ceiling (:func:`policy.quality.pinned_at_ceiling`).
        max_capacity_acu: MaxCapacity today, ACU.
    """
    at_limit = next((p for p in pinned if p.ceiling_acu >= MAX_ACU_LIMIT), None)
    if at_limit is not None:
        offload = pinned_remedy(at_limit)
        if max_capacity_acu >= MAX_ACU_LIMIT:
            return offload
        return (
            f"raise MaxCapacity to {MAX_ACU_LIMIT:g} ACU (max_connections follows MaxCapacity and changes "
            f"only after a reboot); {offload}"
        )
    if pinned and min(2.0 * max_capacity_acu, MAX_ACU_LIMIT) >= min(half_ceil(need_acu), MAX_ACU_LIMIT):
        return pinned_remedy(pinned[0])
    return max_capacity_remedy(need_acu, max_capacity_acu)


def _max_capacity_alerts(
    demand: FloatArray,
    pinned: tuple[Pinned, ...],
    ahead: list[Alert],
    forecast_need_acu: float,
    *,
    current: CurrentSettings,
    writer_share: float,
    model: ScalerModel,
) -> list[Alert]:
    """The one ``max_capacity`` alert: the replay's shortfall, censored stretches, the forecast's crossing.

    When the history shows MaxCapacity too low (the writer's need above it in the replayed
    window, or demand sitting at a ceiling), its facts and the forecast's crossing go into
    one ``history`` alert with one remedy (:func:`_max_capacity_fix`); else the forecast's
    alert stands alone (with its lead time).

    Args:
        demand: demand over the replayed window, shape (n,), ACU, NaN where missing.
        pinned: the whole history's stretches at a ceiling.
        ahead: the forecast's ``max_capacity`` alerts (at most one).
        forecast_need_acu: the writer's largest need over the forecast, ACU.
        current: today's settings.
        writer_share: the writer's share of demand.
        model: the simulated scaler (its SLO utilisation).

    Returns:
        At most one alert.
    """
    m = current.max_capacity_acu
    over = over_max_capacity(demand, shares=(writer_share,), max_acu=m, model=model)  # the one rule
    if not over.n_over and not pinned:
        return ahead
    peak = over.peak_need_acu
    facts = []
    if over.n_over:
        facts.append(
            f"demand needed {peak:.1f} ACU on the writer at its peak, above MaxCapacity {m:g} in "
            f"{over.n_over} of {len(demand)} steps"
        )
    facts += [
        f"demand sat at {p.ceiling_acu:g} ACU for {p.hours:.1f} h of the history (from "
        f"{p.runs[0].start:%Y-%m-%d %H:%M}Z; censored there: the replayed SLO-violation minutes understate "
        "the shortfall)"
        for p in pinned
    ]
    crossing = next((a for a in ahead if a.at is not None and a.lead_time_s is not None), None)
    if crossing is not None and crossing.at is not None and crossing.lead_time_s is not None:
        facts.append(
            f"the forecast reaches MaxCapacity {m:g} again at {crossing.at:%Y-%m-%d %H:%M} UTC "
            f"(in {lead_words(round(crossing.lead_time_s / 3600))})"
        )
    need_acu = max(peak if over.n_over else 0.0, forecast_need_acu if ahead else 0.0)
    value = max(([peak] if over.n_over else []) + [p.ceiling_acu for p in pinned])
    return [
        Alert(
            kind="max_capacity",
            value=round(value, 2),
            limit=m,
            message="; ".join(facts) + f": {_max_capacity_fix(need_acu, pinned, m)}",
        )
    ]


def _series(values: npt.ArrayLike | None, n: int, field: str) -> FloatArray | None:
    """A side series (connections, volume bytes) on the demand's grid, checked, or None."""
    if values is None:
        return None
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or len(arr) != n:
        raise InvalidRequestError(
            f"{field} has shape {arr.shape}; it must be on the history's grid ({n},)", field
        )
    bad = np.flatnonzero(np.isinf(arr) | (arr < 0))
    if bad.size:
        raise InvalidRequestError(
            f"{field}[{int(bad[0])}]={float(arr[bad[0]])!r} must be finite and >= 0", field
        )
    return arr


def check_replayed_coverage(scored: FloatArray, window_from: datetime, step_s: int, least: float) -> None:
    """Refuse advice on a replayed window that was mostly not observed.

    A missing step is replayed at the last observed load, so a window of gaps would score
    any MinCapacity as free and safe. The rule is the planner's thin-data rule
    (``PolicyConfig.min_coverage_24h``, :mod:`policy.quality`) over the whole window.

    Args:
        scored: demand over the replayed window, shape (n,), ACU; NaN where missing.
        window_from: start of the window (UTC).
        step_s: step length, seconds.
        least: the least observed share.

    Raises:
        InvalidRequestError: less than ``least`` of the window observed (field ``demand_acu``).
    """
    share = float(np.isfinite(scored).mean()) if scored.size else 0.0
    if share < least:
        end = window_from + timedelta(seconds=len(scored) * step_s)
        raise InvalidRequestError(
            f"only {share:.0%} of the replayed window ({window_from:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} "
            f"UTC, after the warm-up) was observed; advice needs at least {least:.0%} to say what a "
            "setting costs and risks (a missing step would be replayed at the last load)",
            "demand_acu",
        )


def check_history_length(n_steps: int, step_s: int, warmup_s: int) -> None:
    """Refuse a history shorter than the replay's warm-up plus one day (one owner for HTTP and library).

    The message gives the length in steps, exactly, and in days truncated (never rounded up
    to the length it lacks).

    Args:
        n_steps: the history's steps (missing ones included).
        step_s: step length, seconds, > 0.
        warmup_s: the replay's warm-up, seconds.

    Raises:
        InvalidRequestError: ``n_steps * step_s < warmup_s + 86400`` (field ``history``).

    Example:
        >>> try:
        ...     check_history_length(863, 300, 2 * 86_400)
        ... except InvalidRequestError as exc:
        ...     print(str(exc)[:77])
        the history has 2.996 days (863 steps of 300 s); advice needs at least 3 days
    """
    need_s = warmup_s + 86_400
    if n_steps * step_s >= need_s:
        return
    days = n_steps * step_s * 1000 // 86_400 / 1000  # truncated to 3 decimals (in integers): never "3.000"
    raise InvalidRequestError(
        f"the history has {days:g} days ({_n(n_steps, 'step')} of {step_s} s); advice needs at least "
        f"{need_s / 86_400:g} days ({-(-need_s // step_s)} steps): the {warmup_s / 86_400:g}-day warm-up "
        "plus one day to replay",
        "history",
    )


CAPACITY_TOLERANCE = 1e-6
"""Relative slack of :func:`check_capacity_within_max` (float noise of ``ACUUtilization x MaxCapacity``)."""


def check_capacity_within_max(
    capacity_acu: npt.ArrayLike | None, *, start: datetime, step_s: int, max_capacity_acu: float
) -> None:
    """Refuse an observed capacity above MaxCapacity: the MaxCapacity given is not the cluster's.

    Aurora never scales an instance above its MaxCapacity, so ``ServerlessDatabaseCapacity``
    (or ``ACUUtilization`` x MaxCapacity) above it means the MaxCapacity the caller gave is
    wrong (or was lowered during the history). Demand derived from CPU or a rate is not
    capacity and may exceed MaxCapacity (the ``max_capacity`` alert): do not pass it here.

    Args:
        capacity_acu: the observed capacity per step, shape (n,), ACU, NaN where missing;
            None: nothing to check.
        start: start of step 0 (UTC).
        step_s: step length, seconds.
        max_capacity_acu: the MaxCapacity given, ACU.

    Raises:
        InvalidRequestError: a step above ``max_capacity_acu`` (beyond
            :data:`CAPACITY_TOLERANCE`), field ``current.max_capacity_acu``; the message
            gives the observed maximum, its first step's time and the steps above.
    """
    if capacity_acu is None:
        return
    cap = np.asarray(capacity_acu, dtype=np.float64)
    above = np.flatnonzero(cap > max_capacity_acu * (1.0 + CAPACITY_TOLERANCE))  # NaN: False
    if not above.size:
        return
    peak = float(np.nanmax(cap))
    at = start + timedelta(seconds=int(np.flatnonzero(cap == peak)[0]) * step_s)
    raise InvalidRequestError(
        f"the observed capacity reached {peak:g} ACU at {at:%Y-%m-%d %H:%M}Z ({above.size} of {cap.size} "
        f"steps above MaxCapacity), above current.max_capacity_acu={max_capacity_acu:g}: Aurora never runs "
        "an instance above its MaxCapacity, so the cluster's is at least "
        f"{min(half_ceil(peak), MAX_ACU_LIMIT):g} ACU; "
        "give its real MaxCapacity (if it was lowered during the history, advise on the history since then)",
        "current.max_capacity_acu",
    )


OBSERVED_TOLERANCE = 0.10
"""The largest relative gap between today's bill from the observed capacity and from the
simulation of today's settings at which the simulation is trusted as today's
(:func:`observed_reasons`). ASSUMPTION: a tenth of the bill, not fitted to any cluster;
beyond it the simulated "today", and every saving measured against it, misstate
the cluster's bill by more than the typical saving of a timetable over a fixed floor."""

OBSERVED_TOLERANCE_USD_PER_MONTH = 1.0
"""A gap under this many USD a month is no caveat, whatever its share (an idle cluster's $0.00
observed against $0.15 simulated is -100 % of nothing). ASSUMPTION: a dollar a month is below
any setting a user would change for it."""


def observed_today(
    capacity_acu: FloatArray, today: SimResult, instances: int, step_s: int, usd_per_acu_hour: float
) -> ObservedToday | None:
    """Today's bill from the observed capacity over the replayed window, beside the simulated one.

    The observed capacity is taken per instance: CloudWatch's cluster-level
    ``ServerlessDatabaseCapacity`` is the mean over the cluster's instances, and an
    instance's own series is that instance's (Aurora User Guide, "Important Amazon
    CloudWatch metrics for Aurora Serverless v2",
    https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html;
    sources: aurora-metrics; the cluster-level mean is paraphrased, UNVERIFIED against the
    live page), so the cluster's ACU-hours are the mean x ``instances`` x hours. Both sides
    are summed over the steps with an observed sample only; Aurora bills ACU-hours at the
    ACU-hour rate (sources: aurora-pricing), 730 hours a month.

    Args:
        capacity_acu: observed capacity over the replayed window, shape (n,), ACU, NaN
            where missing.
        today: the replay of today's settings over the same window (its
            ``cost_usd_by_step``, shape (n,)).
        instances: today's instances, the writer and its readers (>= 1).
        step_s: step length, seconds.
        usd_per_acu_hour: the ACU-hour rate the replay billed at, USD.

    Returns:
        The comparison, or None when no step of the window has an observed sample.
    """
    seen = np.isfinite(capacity_acu)
    if not seen.any():
        return None
    hours = float(seen.sum()) * step_s / 3600.0
    mean = float(np.mean(capacity_acu[seen]))
    acu_h = mean * instances * hours
    sim_acu_h = float(np.sum(today.cost_usd_by_step[seen])) / usd_per_acu_hour
    month = HOURS_PER_MONTH / hours
    return ObservedToday(
        hours=round(hours, 2),
        instances=instances,
        mean_capacity_acu=round(mean, 3),
        acu_hours=round(acu_h, 2),
        monthly_cost_usd=round(acu_h * usd_per_acu_hour * month, 2),
        simulated_acu_hours=round(sim_acu_h, 2),
        simulated_monthly_cost_usd=round(sim_acu_h * usd_per_acu_hour * month, 2),
        difference_pct=None if sim_acu_h <= 0 else round((acu_h - sim_acu_h) / sim_acu_h * 100.0, 1),
    )


def observed_reasons(observed: ObservedToday | None, usd_per_acu_hour: float) -> list[str]:
    """The observed bill of today in a sentence, and a caveat when it is not the simulated one.

    Args:
        observed: :func:`observed_today`, or None (nothing is said).
        usd_per_acu_hour: the ACU-hour rate, USD.

    Returns:
        One sentence, and a second one (``caveat: ...``) when the two differ by more than
        :data:`OBSERVED_TOLERANCE` (or the simulation bills nothing where capacity was seen)
        and by at least :data:`OBSERVED_TOLERANCE_USD_PER_MONTH`.
    """
    if observed is None:
        return []
    o = observed
    pct = o.difference_pct
    gap = (
        "the simulation bills nothing there"
        if pct is None
        else f"{abs(pct):.1f}% {'above' if pct >= 0 else 'below'} the simulation"
    )
    out = [
        f"observed today: the capacity metric averaged {o.mean_capacity_acu:g} ACU per instance over the "
        f"{o.hours:g} observed hours of the replayed window, {o.acu_hours:,.1f} ACU-hours for today's "
        f"{o.instances} instance{'s' if o.instances != 1 else ''} (${o.monthly_cost_usd:,.2f}/month at "
        f"${usd_per_acu_hour:g} per ACU-hour), against {o.simulated_acu_hours:,.1f} ACU-hours "
        f"(${o.simulated_monthly_cost_usd:,.2f}/month) for today's settings replayed over the same steps: "
        f"{gap}"
    ]
    if pct is None and o.acu_hours <= 0:
        return out
    if abs(o.monthly_cost_usd - o.simulated_monthly_cost_usd) < OBSERVED_TOLERANCE_USD_PER_MONTH:
        return out
    if pct is None or abs(pct) > OBSERVED_TOLERANCE * 100:
        out.append(
            f"caveat: the observed capacity and the simulation of today's settings differ by more than "
            f"{OBSERVED_TOLERANCE:.0%}, so the simulator's view of today, and the saving measured against "
            "it, is not trustworthy for this cluster: check that today's MinCapacity, MaxCapacity and "
            "readers are the ones given, and whether demand was estimated from capacity (a capacity "
            "series read as demand already holds today's floor and Aurora's headroom)"
        )
    return out


def below_floor_reasons(
    capacity_acu: FloatArray | None, *, start: datetime, step_s: int, min_capacity_acu: float
) -> list[str]:
    """A caveat when the observed capacity went below today's MinCapacity.

    The mirror of :func:`check_capacity_within_max`, a caveat rather than an error. Aurora
    never runs an instance below its MinCapacity and pauses (capacity 0) only with
    MinCapacity 0 (sources: aurora-capacity, aurora-pause in ``docs/sources.md``). Capacity
    below it means today's MinCapacity was lower when those samples were taken, or they are
    missing values an export wrote as 0; either way the comparison with today's settings is
    off there.

    Args:
        capacity_acu: the observed capacity per step, shape (n,), ACU, NaN where missing;
            None: nothing to check.
        start: start of step 0 (UTC).
        step_s: step length, seconds.
        min_capacity_acu: today's MinCapacity, ACU.

    Returns:
        One ``caveat: ...`` sentence naming the lowest observed capacity, its first step's
        time and the steps below, or nothing.
    """
    if capacity_acu is None:
        return []
    cap = np.asarray(capacity_acu, dtype=np.float64)
    below = np.flatnonzero(cap < min_capacity_acu * (1.0 - CAPACITY_TOLERANCE))  # NaN: False
    if not below.size:
        return []
    low = float(np.nanmin(cap))
    at = start + timedelta(seconds=int(np.flatnonzero(cap == low)[0]) * step_s)
    return [
        f"caveat: the observed capacity fell to {low:g} ACU at {at:%Y-%m-%d %H:%M}Z ({below.size} of "
        f"{cap.size} steps below today's MinCapacity of {min_capacity_acu:g} ACU): Aurora never runs an "
        "instance below its MinCapacity (and pauses only with MinCapacity 0), so MinCapacity was lower "
        "then (advise on the history since it changed) or those samples are missing values exported as 0; "
        "check current.min_capacity_acu (--min-acu)"
    ]


def check_settings(
    cluster: ClusterSpec, current: CurrentSettings, config: AdviceConfig, *, step_s: int
) -> int:
    """Check today's settings and the timetable's slot against the cluster (one owner for HTTP and library).

    Args:
        cluster: the cluster (its AZ IDs and ``limits.min_acu``).
        current: today's settings.
        config: the advice configuration (``schedule_slot_s``).
        step_s: the history step, seconds.

    Returns:
        The timetable slot in whole history steps, seconds.

    Raises:
        InvalidRequestError: MaxCapacity below ``limits.min_acu`` (``current.max_capacity_acu``),
            a reader in an AZ that is not one of ``cluster.topology.az_ids``
            (``current.readers.<i>.az_id``), or a slot that, in whole history steps, does not
            divide a day (``config.schedule_slot_s``).
    """
    if current.max_capacity_acu < cluster.limits.min_acu:
        raise InvalidRequestError(
            f"current.max_capacity_acu={current.max_capacity_acu:g} is below the cluster's limits.min_acu "
            f"{cluster.limits.min_acu:g}",
            "current.max_capacity_acu",
        )
    for i, reader in enumerate(current.readers):
        if reader.az_id not in cluster.topology.az_ids:
            raise InvalidRequestError(
                f"current.readers[{i}].az_id={reader.az_id!r} is not one of the cluster's AZ IDs "
                f"({', '.join(cluster.topology.az_ids)} in {cluster.topology.region})",
                f"current.readers.{i}.az_id",
            )
    slot_s = max(config.schedule_slot_s // step_s, 1) * step_s  # whole history steps
    if 86_400 % slot_s:
        raise InvalidRequestError(
            f"schedule_slot_s={config.schedule_slot_s} rounded to whole {step_s}-s steps is {slot_s} s, "
            "which does not divide a day",
            "config.schedule_slot_s",
        )
    return slot_s


def advise(
    demand_acu: npt.ArrayLike,
    *,
    start: datetime,
    step_s: int,
    cluster: ClusterSpec,
    current: CurrentSettings,
    config: AdviceConfig | None = None,
    connections: npt.ArrayLike | None = None,
    volume_bytes: npt.ArrayLike | None = None,
    capacity_acu: npt.ArrayLike | None = None,
    progress: Progress | None = None,
) -> Advice:
    """Answer for one cluster: replay its settings, acuplan's timetable and the bound.

    Args:
        demand_acu: the cluster's demand history, shape (n_steps,), ACU; NaN for missing
            steps. At least the replay's warm-up (2 days) plus a day.
        start: start of step 0 (UTC).
        step_s: step length, seconds.
        cluster: the cluster (topology, read share, price; ``limits.min_acu`` is the lowest
            floor acuplan may set, 0 letting it plan auto-pause; MaxCapacity is taken from
            ``current``).
        current: the settings today.
        config: how to advise; default :class:`AdviceConfig()` (its ``schedule_timezone`` puts
            the timetable on a zone's wall clock, :mod:`policy.advice.schedule`).
        connections: CloudWatch ``DatabaseConnections`` on the same grid, shape
            (n_steps,), NaN where missing; None: no ``connections`` alert.
        volume_bytes: CloudWatch ``VolumeBytesUsed`` on the same grid, bytes, NaN where
            missing (sparse is fine); None: ``config.storage_gib`` without growth.
        capacity_acu: the observed capacity on the same grid, ACU, NaN where missing:
            ``ServerlessDatabaseCapacity`` or ``ACUUtilization`` x MaxCapacity / 100 (the
            CLI passes it from its signals, :func:`check_capacity_within_max`); never CPU- or
            rate-derived demand, which may exceed MaxCapacity. None: not checked.
        progress: called with ``(stage, done, total)``; the replays report every few
            decisions (``acuplan``), the rest once per stage of
            :data:`STAGES`. An exception it raises stops the advice (how a job is cancelled).

    Returns:
        The :class:`Advice`.

    Raises:
        InvalidRequestError: ``demand_acu`` not a 1-D array of finite non-negative numbers
            with an observation (field ``demand_acu``), ``step_s`` not a positive divisor of
            the plan step (``step_s``), ``current`` not a :class:`CurrentSettings`
            (``current``), a history too short for the warm-up plus a day (field
            ``history``), a replayed window less than ``min_coverage_24h`` (80 %) observed
            (``demand_acu``, :func:`check_replayed_coverage`), a current MaxCapacity below
            the cluster's minimum, a ``connections`` / ``volume_bytes`` series off the grid
            or negative, a reader in an AZ that is not one of ``cluster.topology.az_ids``,
            a timetable slot that, in whole history steps, does not divide a day, or a
            ``capacity_acu`` above today's MaxCapacity (``current.max_capacity_acu``, with
            the observed maximum and its time: :func:`check_capacity_within_max`).

    Example:
        >>> import numpy as np
        >>> from datetime import UTC, datetime
        >>> from policy import ClusterSpec, advise
        >>> from policy.advice.types import CurrentSettings
        >>> hour = np.arange(4 * 288) % 288 / 12  # 4 days at 5 minutes
        >>> demand = np.where((hour >= 8) & (hour < 18), 4.0, 1.0)
        >>> advice = advise(demand, start=datetime(2024, 3, 4, tzinfo=UTC), step_s=300,
        ...                 cluster=ClusterSpec(), current=CurrentSettings(min_capacity_acu=8))
        >>> advice.savings_usd_per_month > 0, advice.floor_binds_for_nothing is not None
        (True, True)
    """
    config = config or AdviceConfig()
    replay = config.replay
    if not isinstance(current, CurrentSettings):
        raise InvalidRequestError(f"current must be CurrentSettings, got {type(current).__name__}", "current")
    demand = validate_history(demand_acu, field="demand_acu")
    check_step_s(step_s, replay.policy.plan_step_s)
    check_history_length(len(demand), step_s, replay.warmup_s)
    conn = _series(connections, len(demand), "connections")
    volume = _series(volume_bytes, len(demand), "volume_bytes")
    report = progress or (lambda stage, done, total: None)
    current = current.for_cluster(cluster)  # MaxCapacity and readers not given are the cluster's
    if replay.reactive_floor_acu is None:  # acuplan learns its quantile against Aurora alone at today's floor
        replay = replay.model_copy(update={"reactive_floor_acu": current.min_capacity_acu})
    replay = _live_on_todays_layout(replay, current, cluster)
    slot_s = check_settings(cluster, current, config, step_s=step_s)
    book, pricing = advice_prices(
        cluster.topology.region,
        cluster.price_usd_per_acu_hour,
        price_given="price_usd_per_acu_hour" in cluster.model_fields_set,
        book=config.prices,
    )
    capacity = _series(capacity_acu, len(demand), "capacity_acu")
    check_capacity_within_max(capacity, start=start, step_s=step_s, max_capacity_acu=current.max_capacity_acu)
    first, _ = scored_window(demand, step_s=step_s, config=replay, policies=("acuplan", "bound"))
    limits = CapacityLimits(
        min_acu=cluster.limits.min_acu,
        max_acu=current.max_capacity_acu,
        max_readers=cluster.limits.max_readers,
        max_extra_readers_per_az=cluster.limits.max_extra_readers_per_az,
    )
    cluster = cluster.model_copy(update={"limits": limits})
    scored = demand[first:]
    window_from = start + timedelta(seconds=first * step_s)
    check_replayed_coverage(scored, window_from, step_s, replay.policy.min_coverage_24h)
    hours = len(scored) * step_s / 3600.0
    month = HOURS_PER_MONTH / hours
    model = replay.scaler.model_copy(update={"auto_pause_after_s": float(current.seconds_until_auto_pause)})

    def sim(floors: FloatArray, n_extra: int, failover: bool) -> SimResult:
        return simulate(
            scored,
            _layout(floors, current.max_capacity_acu, n_extra, failover),
            step_s=step_s,
            read_frac=cluster.read_frac,
            scaler=model,
            price_usd_per_acu_hour=cluster.price_usd_per_acu_hour,
        )

    today_readers = (current.n_scaling_readers, current.has_failover)
    today = sim(np.full(len(scored), current.min_capacity_acu), *today_readers)
    observed = (
        None
        if capacity is None
        else observed_today(
            capacity[first:], today, 1 + len(current.readers), step_s, cluster.price_usd_per_acu_hour
        )
    )
    report("current", 1, 1)
    acuplan = replay_policy(
        "acuplan", demand, start=start, step_s=step_s, cluster=cluster, config=replay, progress=progress
    )
    bound_floor = bound_floors(  # on today's readers, as what to apply (policy.advice.layout)
        scored,
        step_s=step_s,
        read_frac=cluster.read_frac,
        min_acu=limits.min_acu,
        max_acu=limits.max_acu,
        has_failover=current.has_failover,
        model=model,
    )
    bound = sim(bound_floor, 0, current.has_failover)
    report("bound", 1, 1)

    def read_table(
        floors: FloatArray, quantile: float, days: BoolArray, read_from: ReadFrom
    ) -> FloorSchedule:
        """The timetable read off a floor series (``read_from``'s) on the trusted steps of ``days``."""
        table = schedule_from_floors(
            floors,
            start=window_from,
            step_s=step_s,
            max_capacity_acu=current.max_capacity_acu,
            slot_s=86_400 if flat_day else slot_s,
            quantile=quantile,
            trusted=trusted & days,
            timezone=config.schedule_timezone,
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
        floors: FloatArray, quantile: float, read_from: ReadFrom, split: bool
    ) -> Callable[[BoolArray], FloorSchedule]:
        """Reads the timetable off the steps it is given: daily, or apart for weekdays and weekend days."""
        if not split:
            return lambda keep: read_table(floors, quantile, keep, read_from)
        return lambda keep: workweek_schedule(  # policy.advice.workweek
            read_table(floors, quantile, keep & ~weekend, read_from),
            read_table(floors, quantile, keep & weekend, read_from),
            current.max_capacity_acu,
        )

    types = day_types(scored, start=window_from, step_s=step_s, timezone=config.schedule_timezone)
    trusted = _covered_steps(
        demand, first, len(scored), step_s, replay.policy.min_coverage_24h, replay.replan_every_s
    )
    floors_read = acuplan.floor_acu
    conn_floor = connections_floor_acu(conn, current)
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
    flat_day = pattern_p is not None and pattern_p >= DAILY_PATTERN_ALPHA
    pattern_note = (
        [
            f"the demand shows no pattern by time of day (Friedman's rank tests by hour of day and within "
            f"the hour: p = {pattern_p:.2f}, at least {DAILY_PATTERN_ALPHA:g}), so the timetable sets one "
            "MinCapacity per day rather than one per slot, which would copy noise"
        ]
        if flat_day and pattern_p is not None and pattern_p < 1.0
        else []
    )
    untested = pattern_p is None  # too few whole days (or a step that does not divide an hour)
    tried = []  # (timetable, its floor per step, its replay, the replay it is judged by)
    quantiles = sorted(
        {*(x for x in SCHEDULE_QUANTILES if x < config.schedule_quantile), config.schedule_quantile}
    )
    everything = np.ones(len(scored), dtype=bool)
    sources: tuple[tuple[ReadFrom, FloatArray], ...] = (("acuplan", floors_read), ("bound", bound_read))
    if untested:  # fewer whole days than a pattern test needs: no day to hold out, no need seen recur
        sources = sources[:1]
    for read_from, source in sources:
        for q in quantiles:
            daily = reader(source, q, read_from, split=False)(everything).kind == "daily"
            for split in (False, True) if daily and types is not None and types.splittable else (False,):
                read = reader(source, q, read_from, split)
                table = read(everything)
                floors_q = schedule_floors(table, start=window_from, step_s=step_s, n_steps=len(scored))
                result = sim(floors_q, *today_readers)
                # The bound's floors were set knowing each day's demand: a timetable read off them is
                # judged on every day with that day held out (acuplan's floors are forecasts already).
                judged = (
                    result
                    if read_from == "acuplan"
                    else sim(
                        held_out_floors(
                            read,
                            start=window_from,
                            step_s=step_s,
                            n_steps=len(scored),
                            timezone=config.schedule_timezone,
                        ),
                        *today_readers,
                    )
                )
                tried.append((table, floors_q, result, judged))
    # acuplan's score is rounded to 4 decimals (PolicyScore): a timetable that matches it is as safe
    as_safe = [t for t in tried if t[3].slo_violation_min <= acuplan.score.slo_violation_min + 1e-4]
    if as_safe:  # the fewest minutes among those within NEAR_CHEAPEST of the cheapest as safe
        cheapest = min(t[3].cost_usd for t in as_safe)
        as_safe = [t for t in as_safe if t[3].cost_usd <= NEAR_CHEAPEST * cheapest]
    schedule, planned, recommended, judged = min(
        as_safe or tried, key=lambda t: (t[3].slo_violation_min, t[3].cost_usd)
    )
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
        result = sim(floors_m, *today_readers)
        fewer = len(table.entries) < len(schedule.entries)  # per-day merges can split MON-FRI apart
        if fewer and _no_worse(result, recommended, cost_factor=1.0 + MERGE_BUDGET_FRACTION):
            extra = (result.cost_usd - recommended.cost_usd) * month
            merge_note = [
                f"the timetable read off {_read_words(schedule)} had {_n(len(schedule.entries), 'change')}, "
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
        result = sim(floors_p, *today_readers)
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
    fixed_acu = min(schedule.floors_acu)
    if max(schedule.floors_acu) > fixed_acu:  # the simplest plan that does as well wins
        fixed = sim(np.full(len(scored), fixed_acu), *today_readers)
        if _no_worse(fixed, honest()):
            changes = _n(len(schedule.entries), "change")
            todays = fixed_acu == current.min_capacity_acu
            which = "today's" if todays else "a fixed"
            verdict = "to keep it" if todays else "the fixed setting: one modify-db-cluster, no scheduler"
            timetable_note = (
                f"a {schedule.kind} timetable read off {_read_words(schedule)} ({changes}, "
                f"${recommended.cost_usd * month:,.2f}/month, {recommended.slo_violation_min:.2f} "
                f"SLO-violation minutes) does no better here than {which} MinCapacity of "
                f"{_floor_words(fixed_acu)} (${fixed.cost_usd * month:,.2f}/month, "
                f"{fixed.slo_violation_min:.2f} minutes), so the advice is {verdict}; acuplan re-planning "
                f"live scores ${acuplan.score.cost_usd * month:,.2f}/month"
            )
            schedule, planned = timetable(
                np.full(len(floors_read), fixed_acu), schedule.quantile, schedule.read_from
            )
            recommended = fixed
    if timetable_note is not None:  # the advice is a fixed floor: how the timetable was merged is moot
        merge_note = []
    today_floor = current.min_capacity_acu
    kept_today = set(schedule.floors_acu) == {today_floor}  # the fixed setting is today's own
    if not kept_today and (conn_floor is None or today_floor >= conn_floor):
        kept = sim(np.full(len(scored), today_floor), *today_readers)
        if _no_worse(kept, honest()):  # no change beats a change that buys nothing
            instead = (
                f"a fixed MinCapacity of {_floor_words(min(schedule.floors_acu))}"
                if len(set(schedule.floors_acu)) == 1
                else f"the timetable read off {_read_words(schedule)} ({_n(len(schedule.entries), 'change')})"
            )
            timetable_note = (
                f"today's MinCapacity of {_floor_words(today_floor)} does as well here as {instead} "
                f"(${kept.cost_usd * month:,.2f}/month against ${recommended.cost_usd * month:,.2f}, "
                f"{kept.slo_violation_min:.2f} SLO-violation minutes against "
                f"{recommended.slo_violation_min:.2f}), so the advice is to keep it; acuplan re-planning "
                f"live scores ${acuplan.score.cost_usd * month:,.2f}/month"
            )
            schedule, planned = timetable(
                np.full(len(floors_read), today_floor), schedule.quantile, schedule.read_from
            )
            recommended, kept_today, merge_note = kept, True, []
    # the MinCapacity-0 entries send the SecondsUntilAutoPause the replay assumed (service.advice.scheduler)
    schedule = schedule.model_copy(update={"seconds_until_auto_pause": current.seconds_until_auto_pause})
    report("timetable", 1, 1)
    what = (
        f"MinCapacity {_floor_words(min(schedule.floors_acu))} all day"
        if len(set(schedule.floors_acu)) == 1
        else f"the {schedule.kind} MinCapacity timetable ({_n(len(schedule.entries), 'change')})"
    )
    outcomes = {
        "current": _outcome(current.describe(), today, month, 0),
        "recommended": _outcome(
            f"{what}, MaxCapacity {current.max_capacity_acu:g} ACU, {readers_words(current)} as today",
            recommended,
            month,
            _changes(planned),
        ),
        "acuplan": _outcome(
            "acuplan re-planning every hour"
            + (
                ", with the tier-1 reader it plans (config.require_failover_reader)"
                if replay.policy.require_failover_reader and not current.has_failover
                else ""
            ),
            acuplan.score,
            month,
            acuplan.score.scaling_actions,
        ).model_copy(
            update={
                "replans_by_risk_quantile": acuplan.score.replans_by_risk_quantile,
                "replans_aurora_alone": acuplan.score.replans_aurora_alone,
            }
        ),
        "bound": _outcome(
            f"perfect foresight on {bound_words(current)}", bound, month, _changes(bound_floor)
        ),
    }
    # the failover reader on top of today's read-scaling readers: at tier 1, or at tier 15
    tier1 = recommended if current.has_failover else sim(planned, current.n_scaling_readers, True)
    tier15 = sim(planned, current.n_scaling_readers + 1, False)
    failover_reader = failover_reader_option(current, recommended, tier1, month, model)
    tiers = (
        TierOption(
            promotion_tier=1,
            monthly_cost_usd=round(tier1.cost_usd * month, 2),
            extra_recovery_s_p95=0.0,
        ),
        TierOption(
            promotion_tier=15,
            monthly_cost_usd=round(tier15.cost_usd * month, 2),
            extra_recovery_s_p95=_recovery_s(scored, cluster.read_frac, current.max_capacity_acu, model),
        ),
    )
    volume_gib, growth = volume_growth(volume, step_s) if volume is not None else (None, None)
    storage = storage_advice(
        volume_gib=volume_gib,
        growth_gib_per_day=growth,
        given_gib=config.storage_gib,
        compute_standard_usd_per_month=outcomes["recommended"].monthly_cost_usd,
        io_million_per_month=config.io_million_per_month,
        backup_retention_days=config.backup_retention_days,
        backup_change_gib_per_day=config.backup_change_gib_per_day,
        book=book,
    )
    # Capacity at each step's end, scaled so its mean is the time-average the bill integrates
    # (ramps within a step): serverless Standard then prices exactly what the replay billed.
    billed = recommended.mean_capacity_acu / max(float(np.mean(recommended.capacity_acu)), 1e-12)
    profile = CapacityProfile(
        hourly_acu=_hourly(recommended.capacity_acu * billed, step_s),
        reader_hourly_acu=_hourly(
            (recommended.capacity_acu - recommended.writer_capacity_acu) * billed, step_s
        ),
        # the whole history's peak, warm-up included: an instance bought for years must hold
        # every burst already seen, not only the replayed window's
        peak_instance_acu=float(np.nanmax(demand))
        * max(cluster.read_frac, 1 - cluster.read_frac)
        / replay.policy.target_utilisation,
        n_instances=1 + len(current.readers),
        mean_acu=recommended.mean_capacity_acu,
        storage_gib=storage.storage_gib,
        io_million_per_month=config.io_million_per_month or 0.0,
    )
    options = purchase_options(profile, book)
    pause = _auto_pause(
        scored,
        planned,
        current,
        cluster,
        lambda floors: sim(floors, *today_readers),
        outcomes["recommended"],
        month,
        step_s,
    )
    floor_note = _floor_note(scored, current, cluster, model, outcomes)
    end = start + timedelta(seconds=len(demand) * step_s)
    pinned = pinned_at_ceiling(demand, start=start, step_s=step_s, max_capacity_acu=current.max_capacity_acu)
    ahead, outlook = forecast_alerts(
        demand,
        end=end,
        step_s=step_s,
        current=current,
        read_frac=cluster.read_frac,
        price_usd_per_acu_hour=cluster.price_usd_per_acu_hour,
        model=model,
        recommended_floors=_timetable_floors(schedule, end, step_s, CALIBRATED_H * 3600),
        horizon_s=config.alert_horizon_s,
        quantile=config.alert_quantile,
        monthly_budget_usd=config.monthly_budget_usd,
        connections=conn,
    )
    report("outlook", 1, 1)
    alerts = _max_capacity_alerts(
        scored,
        pinned,
        [a for a in ahead if a.kind == "max_capacity"],
        max(outlook.writer_need_acu, default=0.0),
        current=current,
        writer_share=1.0 - cluster.read_frac if current.readers else 1.0,
        model=model,
    )
    alerts += _budget_alerts(outcomes, config) + [a for a in ahead if a.kind != "max_capacity"]
    saving = round(outcomes["current"].monthly_cost_usd - outcomes["recommended"].monthly_cost_usd, 2)
    secondaries = secondary_schedules(
        schedule,
        tuple(
            (s.region, s.cluster_identifier, s.min_capacity_acu, s.max_capacity_acu, s.dr_target)
            for s in current.secondaries
        ),
        price_usd_per_acu_hour=cluster.price_usd_per_acu_hour,
    )
    return Advice(
        cluster_id=cluster.cluster_id,
        window_from=window_from,
        window_until=end,
        ramp_profile=model.ramp.name,
        current=outcomes["current"],
        recommended=outcomes["recommended"],
        acuplan=outcomes["acuplan"],
        bound=outcomes["bound"],
        savings_usd_per_month=saving,
        schedule=schedule,
        secondaries=secondaries,
        purchase_options=options,
        break_even=break_even_sentence(profile, options, book),
        tiers=tiers,
        failover_reader=failover_reader,
        auto_pause=pause,
        floor_binds_for_nothing=floor_note,
        alerts=tuple(sorted(alerts, key=_alert_order)),
        outlook=outlook,
        storage=storage,
        reasons=tuple(
            [f"data quality: {pinned_note(p)}" for p in pinned]
            + _posture_reasons(
                acuplan.score.replans_by_risk_quantile, replay, acuplan.score.replans_aurora_alone
            )
            + observed_reasons(observed, pricing.serverless_standard_usd_per_acu_hour)
            + below_floor_reasons(
                capacity, start=start, step_s=step_s, min_capacity_acu=current.min_capacity_acu
            )
            + _reasons(
                outcomes,
                saving,
                schedule,
                tiers,
                hours,
                # the bound caveat only when a plan here does set MinCapacity 0 somewhere
                pauses=cluster.limits.min_acu == 0
                and (bool(np.any(planned <= 0.0)) or bool(np.any(acuplan.floor_acu <= 0.0))),
                cur_pauses=current.min_capacity_acu == 0,
                fixed_note=timetable_note,
                kept_today=kept_today,
                pause_saving_usd=pause.saving_usd_per_month,
                bound_layout=bound_words(current),
                reader_today=current.has_failover,
                held_out=(
                    (judged.cost_usd * month, judged.slo_violation_min)
                    if schedule.read_from == "bound" and schedule.entries == chosen.entries
                    else None
                ),
            )
            + (
                []
                if conn_floor is None or conn is None
                else [
                    f"what to apply keeps MinCapacity at least {conn_floor:g} ACU: DatabaseConnections "
                    f"peaked at {np.nanmax(conn):,.0f} and Aurora PostgreSQL caps max_connections at "
                    f"{POSTGRES_LOW_MIN_CAP:,} while MinCapacity is 0.5 ACU or less (a new max_connections "
                    "applies after a reboot)"
                ]
            )
            + _unchecked_note(min(schedule.floors_acu), current, connections_given=conn is not None)
            + pattern_note
            + (
                [
                    f"the replayed window holds fewer than {MIN_DAYS_FOR_PATTERN_TEST} whole days, too few "
                    "to test whether its time-of-day shape repeats (Friedman's test needs them as blocks): "
                    "this timetable follows these days and may copy noise; advise again with more history"
                ]
                if untested and len(set(schedule.floors_acu)) > 1
                else []
            )
            + merge_note
            + day_type_reasons(types, schedule)
            + _zone_note(schedule)
            + _run_rate_note(
                scored,
                (today, recommended),
                step_s,
                cluster.price_usd_per_acu_hour,
                (outcomes["current"], outcomes["recommended"]),
                outlook.projected_monthly_cost_usd,
                _same_days(
                    types,
                    start=window_from,
                    step_s=step_s,
                    n_steps=len(scored),
                    timezone=config.schedule_timezone,
                ),
            )
            + (
                [
                    f"the purchase options price 1- and 3-year commitments from {hours / 24:.1f} replayed "
                    "days: check them against a longer history (a month or more) before committing"
                ]
                if hours < COMMITMENT_HISTORY_H
                else []
            )
            + _pause_beats_commitments(pause, options)
            + ([] if failover_reader is None else [failover_reader.message])
            + [pricing.sentence()]
        ),
        series=AdviceSeries(
            start=window_from,
            demand_max_acu=_rounded(_hourly(np.where(np.isfinite(scored), scored, 0.0), step_s, "max")),
            current_floor_acu=_rounded(_hourly(np.full(len(scored), current.min_capacity_acu), step_s)),
            recommended_floor_acu=_rounded(_hourly(planned, step_s, "max")),
            current_capacity_acu=_rounded(_hourly(today.capacity_acu, step_s)),
            recommended_capacity_acu=_rounded(_hourly(recommended.capacity_acu, step_s)),
        ),
        keeps_today=kept_today,
        pricing=pricing,
        observed=observed,
    )


def _live_on_todays_layout(
    replay: ReplayConfig, current: CurrentSettings, cluster: ClusterSpec
) -> ReplayConfig:
    """The replay configuration that puts acuplan re-planning live on today's layout, like every row.

    Without a tier 0-1 reader today, the ``acuplan`` row would otherwise plan its own failover
    reader (``PolicyConfig.require_failover_reader``, and ``min_azs`` 2 spreads a writer alone
    onto a second instance) and be priced against rows that have none; a failover reader is
    offered apart (``Advice.failover_reader``). Settings the caller gave are kept.
    """
    policy = replay.policy
    if current.has_failover:
        return replay
    azs = {cluster.topology.writer_az_id, *(r.az_id for r in current.readers)}
    update: dict[str, object] = {}
    if "require_failover_reader" not in policy.model_fields_set:
        update["require_failover_reader"] = False
    if "min_azs" not in policy.model_fields_set:
        update["min_azs"] = min(policy.min_azs, len(azs))
    return replay.model_copy(update={"policy": policy.model_copy(update=update)}) if update else replay


def _alert_order(alert: Alert) -> tuple[int, int, float]:
    """Alerts by kind, the history's first, then by lead time."""
    return (
        ALERT_KINDS.index(alert.kind),
        alert.source != "history",
        alert.lead_time_s if alert.lead_time_s is not None else -1.0,
    )


def _timetable_floors(schedule: FloorSchedule, start: datetime, step_s: int, span_s: int) -> FloatArray:
    """The timetable's floor per step of ``step_s`` from ``start`` (the max within a step).

    Returns shape (ceil(span_s / step_s),), ACU.
    """
    fine = gcd(schedule.slot_s, step_s)
    n = -(-span_s // step_s)
    floors = schedule_floors(schedule, start=start, step_s=fine, n_steps=n * (step_s // fine))
    return np.asarray(floors.reshape(n, -1).max(axis=1), dtype=np.float64)


def _covered_steps(
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


def _pause_beats_commitments(pause: AutoPauseAdvice, options: tuple[PurchaseOption, ...]) -> list[str]:
    """A reason when auto-pause on demand costs less than the cheapest way to buy the capacity.

    Savings Plans are charged whether used or not (sources: aws-savings-plans) and Reserved
    Instances are provisioned instances billed every hour (sources: aurora-pricing), so an
    idle cluster that pauses should buy no commitment.
    """
    cheapest = options[0]
    if pause.monthly_cost_usd is None or pause.monthly_cost_usd >= cheapest.monthly_cost_usd:
        return []
    return [
        f"auto-pause (MinCapacity 0) runs this cluster for ${pause.monthly_cost_usd:,.2f}/month on demand, "
        f"less than the cheapest commitment ({cheapest.name}, ${cheapest.monthly_cost_usd:,.2f}/month): "
        "Savings Plans and Reserved Instances are paid every hour, paused or not, so pause and buy none"
    ]


def _auto_pause(
    scored: FloatArray,
    planned: FloatArray,
    current: CurrentSettings,
    cluster: ClusterSpec,
    sim: Callable[[FloatArray], SimResult],
    recommended: Outcome,
    month: float,
    step_s: int,
) -> AutoPauseAdvice:
    """What MinCapacity 0 (auto-pause) would do where the timetable sits at the minimum.

    Aurora pauses after ``SecondsUntilAutoPause`` without user connections (Aurora User
    Guide, "Scaling to Zero ACUs"): demand above zero stands for activity that resets
    the timer.
    """
    runs = _idle_runs(scored, step_s)
    need = math.ceil(current.seconds_until_auto_pause / step_s)
    pausable = sum(r for r in runs if r > need) * step_s / 3600.0
    longest = max(runs, default=0) * step_s / 60.0
    if pausable <= 0:
        return AutoPauseAdvice(
            pausable_hours=0.0,
            longest_idle_min=round(longest, 1),
            monthly_cost_usd=None,
            saving_usd_per_month=None,
            resumes=0,
            reason=f"demand is never idle for {current.seconds_until_auto_pause} s (the longest idle "
            f"stretch is {longest:.0f} min), so auto-pause would never pause: any connection resets the idle "
            "timer, so clients or monitors that keep sessions open keep it awake",
        )
    # The timetable's lowest running floor: the cluster's minimum, or 0.5 ACU when that is 0.
    lowest = max(cluster.limits.min_acu, MIN_RUNNING_ACU)
    floors = np.where(planned <= lowest, 0.0, planned)
    paused = sim(floors)
    cost = round(paused.cost_usd * month, 2)
    ends_idle = bool(scored.size) and bool(np.isfinite(scored[-1])) and scored[-1] <= 0.0
    resumes = sum(1 for r in runs if r > need) - int(ends_idle and runs[-1] > need)  # the last never resumed
    wake = (
        f"each of the {resumes} resume{'s' if resumes != 1 else ''} leaves the first requests waiting "
        "about 15 s"
        if resumes
        else "it never resumes in the window"
    )
    return AutoPauseAdvice(
        pausable_hours=round(pausable, 2),
        longest_idle_min=round(longest, 1),
        monthly_cost_usd=cost,
        saving_usd_per_month=round(recommended.monthly_cost_usd - cost, 2),
        resumes=resumes,
        reason=f"{pausable:.1f} h of the window are idle stretches longer than "
        f"{current.seconds_until_auto_pause} s; {wake} ({paused.unserved_min:.1f} min unserved in all). "
        "A Database Savings Plan commitment is charged while paused",
    )


def _floor_note(
    scored: FloatArray,
    current: CurrentSettings,
    cluster: ClusterSpec,
    model: ScalerModel,
    outcomes: dict[str, Outcome],
) -> str | None:
    """The sentence when today's floor sits above the writer's need at (nearly) every step."""
    floor = current.min_capacity_acu
    if floor <= cluster.limits.min_acu:
        return None
    share = 1.0 - cluster.read_frac if current.readers else 1.0
    u = model.scaler_target_utilisation
    held = np.array(
        [target_acu(x * share, 0.5, current.max_capacity_acu, u) for x in scored[np.isfinite(scored)]]
    )
    above = float(np.mean(held < floor)) if held.size else 0.0
    if above < FLOOR_IDLE_SHARE:
        return None
    extra = outcomes["current"].monthly_cost_usd - outcomes["recommended"].monthly_cost_usd
    return (
        f"MinCapacity {floor:g} ACU binds for nothing: in {above:.0%} of the steps the writer's load "
        f"needs less (Aurora's scaler alone would hold {np.median(held):g} ACU at the median), so the "
        f"floor, which lifts every instance, costs ${extra:,.2f}/month more than what to apply"
    )


def _unchecked_note(lowest_acu: float, current: CurrentSettings, *, connections_given: bool) -> list[str]:
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


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


COMMITMENT_HISTORY_H = 30 * 24.0
"""Replayed hours below which the advice warns that commitments rest on a short history."""

RUN_RATE_CHANGE = 1.5
"""The last day's mean demand this many times the window's (or its inverse) is a level change."""


def _same_days(
    types: DayTypes | None, *, start: datetime, step_s: int, n_steps: int, timezone: str
) -> tuple[str, float] | None:
    """The last day's kind of day and its mean demand, ACU, when weekdays and weekends differ.

    The last day is the last 24 h of steps (as :func:`_run_rate_note` reads it); on a wall
    clock other than UTC it spans two local dates, so its kind is that of most of its steps
    (a UTC day ending at midnight is Monday 01:00 in Berlin, yet 23 of its hours are Sunday's).
    """
    if types is None or not types.differ:
        return None
    dow = day_of_week(start=start, step_s=step_s, n_steps=n_steps, timezone=timezone)[-(86_400 // step_s) :]
    weekend = bool(np.mean(dow >= 5) > 0.5)
    return ("weekend days", types.weekend_mean_acu) if weekend else ("weekdays", types.weekday_mean_acu)


def _run_rate_note(
    scored: FloatArray,
    runs: tuple[SimResult, SimResult],
    step_s: int,
    price_usd_per_acu_hour: float,
    outcomes: tuple[Outcome, Outcome],
    projected: dict[str, float] | None = None,
    same_days: tuple[str, float] | None = None,
) -> list[str]:
    """A sentence when the last day's demand left the replayed window's level (a level shift).

    The monthly figures average the whole window; after a shift up (or down) by half or
    more, the bills run at the last day's level instead, priced here from the simulated
    capacity over that day (``capacity_acu``, shape (n,), ACU) of today's settings and of
    what to apply (``runs`` and ``outcomes`` in that order). ``projected`` is the outlook's
    ``projected_monthly_cost_usd`` (the median forecast of the next day), named beside it
    so the two estimates are not read as one figure. ``same_days``: when the window's
    weekdays and weekend days differ clearly (:mod:`policy.advice.workweek`), the last day's
    type ("weekend days" or "weekdays") and its mean demand, ACU: the last day is compared
    with its own kind of day, so a quiet Sunday after busy weekdays is no level shift.
    """
    day = 86_400 // step_s
    if len(scored) < 2 * day or not np.isfinite(scored[-day:]).any():
        return []
    last = float(np.nanmean(scored[-day:]))
    kind, whole = same_days if same_days is not None else ("", float(np.nanmean(scored)))
    if whole <= 0.0 or 1.0 / RUN_RATE_CHANGE <= last / whole <= RUN_RATE_CHANGE:
        return []
    today, apply = (
        float(np.mean(r.capacity_acu[-day:])) * HOURS_PER_MONTH * price_usd_per_acu_hour for r in runs
    )
    return [
        f"demand over the last day averaged {last:.3g} ACU, {last / whole:.2f}x the replayed window's "
        f"{kind + ' ' if kind else ''}{whole:.3g} ACU: the monthly figures here are the window's "
        "averages; at the last day's level "
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


def _zone_note(schedule: FloorSchedule) -> list[str]:
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


def _read_words(schedule: FloorSchedule) -> str:
    """Whose floors a timetable was read off, in words."""
    return "acuplan's floors" if schedule.read_from == "acuplan" else "the bound's floors"


def _floor_words(floor_acu: float) -> str:
    """A MinCapacity in words: ``0 (auto-pause on)`` or ``2.5 ACU``."""
    return "0 (auto-pause on)" if floor_acu == 0 else f"{floor_acu:g} ACU"


MERGE_BUDGET_FRACTION = 0.01
"""The most merging a timetable's changes may add to its replayed bill (:func:`_merged`): the
bench's dominance margin (issue 9: a 1 % difference is within ties and rounding), so a
timetable with fewer changes costing under 1 % more is as good an answer."""


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


def _posture_reasons(
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
        ", or, where none did and today's MinCapacity had cost less than the configured quantile for "
        "no more minutes, held MinCapacity at today's floor"
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
        "; the scheduler (policy.next_plan) and the HTTP service's per-cluster recommendations learn it "
        "the same way once a day, while `acuplan recommend` and POST /v1/recommendations keep no past and "
        "plan at the configured one" + (f": {same} for the posture this replay used most" if same else "")
    )
    return [
        f"acuplan learnt its risk quantile from this cluster's own replay (of {total} re-plans, {parts}; "
        f"p{base * 100:g} is the default): every candidate quantile was replayed in the shadow and each "
        f"re-plan used the cheapest that had kept within {posture.slo_share_of_reactive:.0%} of the "
        f"SLO-violation minutes of today's MinCapacity at no more than {posture.max_cost_vs_bound:g}x the "
        f"perfect-foresight bound{alone} (policy.trace_replay.posture){tail}"
    ]


def _reasons(
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
                f"today's MinCapacity, {_floor_words(schedule.floors_acu[0])}, is also what is"
                if kept_today
                else f"the fixed MinCapacity of {_floor_words(schedule.floors_acu[0])} is"
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
            + ": of the timetables read off acuplan's and the bound's floors at the quantiles tried with "
            "no more SLO-violation minutes than acuplan live, the one with the fewest minutes within "
            f"{NEAR_CHEAPEST - 1:.0%} of the cheapest's cost, else the one with the fewest), so its score "
            "here is in-sample"
            + (
                f" (read with each replayed day held out of its own timetable, the way it was chosen: "
                f"${held_out[0]:,.2f}/month and {held_out[1]:.2f} minutes)"
                if held_out is not None
                else ""
            )
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
