"""One answer about one cluster: its settings against acuplan's timetable and the bound.

Owns :func:`advise` (its inputs and answer are the models of :mod:`policy.advice.types`).
Given the cluster's own history and its settings today,
it replays on one simulator (:mod:`policy.trace_replay.simulator`, the one model of Aurora's scaler):

* **current**: today's settings held fixed (MinCapacity, MaxCapacity, readers and their
  promotion tiers, auto-pause);
* **acuplan**: acuplan re-planning every hour over the history (what running it buys);
* **recommended**: the daily or weekly MinCapacity timetable read off acuplan's floors
  (:mod:`policy.advice.schedule`), i.e. what a user can apply without a scheduler; the
  timetable is read off this very history, so its score is in-sample (said in the reasons);
* **bound**: the perfect-foresight lower bound (:mod:`policy.floors`).

Money is per 730-hour month (the replayed window scaled); SLO-violation minutes are the
window's and per month. The rest of the answer: how to buy the capacity
(:mod:`policy.advice.purchase`), tier 0-1 versus tier 2-15 for the failover reader in
dollars and seconds, auto-pause, a floor that binds for nothing, and alerts. Pure: no
clock, no I/O; deterministic for a fixed input.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from placement import CapacityLimits
from policy.advice.prices import HOURS_PER_MONTH
from policy.advice.purchase import CapacityProfile, break_even_sentence, purchase_options
from policy.advice.schedule import FloorSchedule, schedule_floors, schedule_from_floors
from policy.advice.types import (
    Advice,
    AdviceConfig,
    AdviceSeries,
    Alert,
    AutoPauseAdvice,
    CurrentSettings,
    Outcome,
    TierOption,
)
from policy.errors import InvalidRequestError
from policy.scaler import InstanceState, ScalerModel, advance, half_ceil, target_acu
from policy.trace_replay.report import PolicyScore
from policy.trace_replay.run import replay_policy, scored_window
from policy.trace_replay.simulator import Layout, SimResult, simulate
from policy.types import ClusterSpec

FloatArray = npt.NDArray[np.float64]

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


def _alerts(
    demand: FloatArray,
    *,
    end: datetime,
    step_s: int,
    current: CurrentSettings,
    cluster: ClusterSpec,
    config: AdviceConfig,
    outcomes: dict[str, Outcome],
) -> list[Alert]:
    out = []
    model = config.replay.scaler
    w_share = 1.0 - cluster.read_frac if current.readers else 1.0
    need = np.where(np.isfinite(demand), demand, 0.0) * w_share / model.slo_utilisation
    over = np.flatnonzero(need > current.max_capacity_acu)
    if over.size:
        peak = float(need.max())
        out.append(
            Alert(
                kind="max_capacity",
                message=f"demand needed {peak:.1f} ACU on the writer at its peak, above MaxCapacity "
                f"{current.max_capacity_acu:g} in {over.size} of {len(need)} steps: raise MaxCapacity to "
                f"{min(half_ceil(peak), 256.0):g} ACU (max_connections follows MaxCapacity and needs a "
                "reboot)",
            )
        )
    if config.monthly_budget_usd is not None:
        for name in ("current", "recommended"):
            cost = outcomes[name].monthly_cost_usd
            if cost > config.monthly_budget_usd:
                out.append(
                    Alert(
                        kind="budget",
                        message=f"the {name} settings cost ${cost:,.2f}/month, over the "
                        f"${config.monthly_budget_usd:,.2f} budget",
                    )
                )
    return out


def advise(
    demand_acu: npt.ArrayLike,
    *,
    start: datetime,
    step_s: int,
    cluster: ClusterSpec,
    current: CurrentSettings,
    config: AdviceConfig | None = None,
) -> Advice:
    """Answer for one cluster: replay its settings, acuplan's timetable and the bound.

    Args:
        demand_acu: the cluster's demand history, shape (n_steps,), ACU; NaN for missing
            steps. At least the replay's warm-up (2 days) plus a day.
        start: start of step 0 (UTC).
        step_s: step length, seconds.
        cluster: the cluster (topology, read share, price; ``limits.min_acu`` is the lowest
            floor acuplan may set; MaxCapacity is taken from ``current``).
        current: the settings today.
        config: how to advise; default :class:`AdviceConfig()`.

    Returns:
        The :class:`Advice`.

    Raises:
        InvalidRequestError: a history too short for the warm-up plus a day (field
            ``history``), or a current MaxCapacity below the cluster's minimum.
    """
    config = config or AdviceConfig()
    replay = config.replay
    demand = np.asarray(demand_acu, dtype=np.float64)
    if demand.ndim != 1 or len(demand) * step_s < replay.warmup_s + 86_400:
        raise InvalidRequestError(
            f"the history has {len(demand) * step_s / 86_400:.1f} days; advice needs the "
            f"{replay.warmup_s / 86_400:g}-day warm-up plus at least one day to replay",
            "history",
        )
    first, _ = scored_window(demand, step_s=step_s, config=replay)
    if current.max_capacity_acu < cluster.limits.min_acu:
        raise InvalidRequestError(
            f"current.max_capacity_acu={current.max_capacity_acu} is below cluster.limits.min_acu",
            "current.max_capacity_acu",
        )
    limits = CapacityLimits(
        min_acu=cluster.limits.min_acu,
        max_acu=current.max_capacity_acu,
        max_readers=cluster.limits.max_readers,
        max_extra_readers_per_az=cluster.limits.max_extra_readers_per_az,
    )
    cluster = cluster.model_copy(update={"limits": limits})
    scored = demand[first:]
    window_from = start + timedelta(seconds=first * step_s)
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

    today = sim(
        np.full(len(scored), current.min_capacity_acu), current.n_scaling_readers, current.has_failover
    )
    acuplan = replay_policy("acuplan", demand, start=start, step_s=step_s, cluster=cluster, config=replay)
    bound = replay_policy("bound", demand, start=start, step_s=step_s, cluster=cluster, config=replay)
    schedule = schedule_from_floors(
        acuplan.floor_acu,
        start=window_from,
        step_s=step_s,
        max_capacity_acu=current.max_capacity_acu,
        slot_s=max(config.schedule_slot_s // step_s, 1) * step_s,
        quantile=config.schedule_quantile,
    )
    planned = schedule_floors(schedule, start=window_from, step_s=step_s, n_steps=len(scored))
    recommended = sim(planned, 0, True)
    outcomes = {
        "current": _outcome(current.describe(), today, month, 0),
        "recommended": _outcome(
            f"the {schedule.kind} MinCapacity timetable ({len(schedule.entries)} changes), MaxCapacity "
            f"{current.max_capacity_acu:g} ACU, a tier-1 reader",
            recommended,
            month,
            _changes(planned),
        ),
        "acuplan": _outcome(
            "acuplan re-planning every hour", acuplan.score, month, acuplan.score.scaling_actions
        ),
        "bound": _outcome("perfect foresight", bound.score, month, bound.score.scaling_actions),
    }
    tier15 = sim(planned, 1, False)
    tiers = (
        TierOption(
            promotion_tier=1,
            monthly_cost_usd=outcomes["recommended"].monthly_cost_usd,
            extra_recovery_s_p95=0.0,
        ),
        TierOption(
            promotion_tier=15,
            monthly_cost_usd=round(tier15.cost_usd * month, 2),
            extra_recovery_s_p95=_recovery_s(scored, cluster.read_frac, current.max_capacity_acu, model),
        ),
    )
    profile = CapacityProfile(
        hourly_acu=_hourly(recommended.capacity_acu, step_s),
        reader_hourly_acu=_hourly(recommended.capacity_acu - recommended.writer_capacity_acu, step_s),
        peak_instance_acu=float(np.nanmax(scored))
        * max(cluster.read_frac, 1 - cluster.read_frac)
        / replay.policy.target_utilisation,
        n_instances=2,
        storage_gib=config.storage_gib,
        io_million_per_month=config.io_million_per_month,
    )
    options = purchase_options(profile, config.prices)
    pause = _auto_pause(scored, planned, current, cluster, sim, outcomes["recommended"], month, step_s)
    floor_note = _floor_note(scored, current, cluster, model, outcomes)
    alerts = _alerts(
        scored,
        end=start + timedelta(seconds=len(demand) * step_s),
        step_s=step_s,
        current=current,
        cluster=cluster,
        config=config,
        outcomes=outcomes,
    )
    saving = round(outcomes["current"].monthly_cost_usd - outcomes["recommended"].monthly_cost_usd, 2)
    return Advice(
        cluster_id=cluster.cluster_id,
        window_from=window_from,
        window_until=start + timedelta(seconds=len(demand) * step_s),
        ramp_profile=model.ramp.name,
        current=outcomes["current"],
        recommended=outcomes["recommended"],
        acuplan=outcomes["acuplan"],
        bound=outcomes["bound"],
        savings_usd_per_month=saving,
        schedule=schedule,
        purchase_options=options,
        break_even=break_even_sentence(profile, options, config.prices),
        tiers=tiers,
        auto_pause=pause,
        floor_binds_for_nothing=floor_note,
        alerts=tuple(alerts),
        reasons=tuple(_reasons(outcomes, saving, schedule, tiers, hours)),
        series=AdviceSeries(
            start=window_from,
            demand_max_acu=_rounded(_hourly(np.where(np.isfinite(scored), scored, 0.0), step_s, "max")),
            current_floor_acu=_rounded(_hourly(np.full(len(scored), current.min_capacity_acu), step_s)),
            recommended_floor_acu=_rounded(_hourly(planned, step_s, "max")),
            current_capacity_acu=_rounded(_hourly(today.capacity_acu, step_s)),
            recommended_capacity_acu=_rounded(_hourly(recommended.capacity_acu, step_s)),
        ),
    )


def _auto_pause(
    scored: FloatArray,
    planned: FloatArray,
    current: CurrentSettings,
    cluster: ClusterSpec,
    sim: Callable[[FloatArray, int, bool], SimResult],
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
    floors = np.where(planned <= cluster.limits.min_acu, 0.0, planned)
    paused = sim(floors, 0, True)
    cost = round(paused.cost_usd * month, 2)
    resumes = sum(1 for r in runs if r > need)
    return AutoPauseAdvice(
        pausable_hours=round(pausable, 2),
        longest_idle_min=round(longest, 1),
        monthly_cost_usd=cost,
        saving_usd_per_month=round(recommended.monthly_cost_usd - cost, 2),
        resumes=resumes,
        reason=f"{pausable:.1f} h of the window are idle stretches longer than "
        f"{current.seconds_until_auto_pause} s; each of the {resumes} resumes leaves the first requests "
        f"waiting about 15 s ({paused.unserved_min:.1f} min unserved in all). A Database Savings Plan "
        "commitment is charged while paused",
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
        f"floor, which lifts every instance, costs ${extra:,.2f}/month more than the recommended timetable"
    )


def _reasons(
    outcomes: dict[str, Outcome],
    saving: float,
    schedule: FloorSchedule,
    tiers: tuple[TierOption, ...],
    hours: float,
) -> list[str]:
    cur, rec, bound, live = (outcomes[k] for k in ("current", "recommended", "bound", "acuplan"))
    verdict = (
        f"the timetable saves ${saving:,.2f}/month against today's settings"
        if saving >= 0
        else f"the timetable costs ${-saving:,.2f}/month more than today's settings"
    )
    out = [
        f"{verdict}, with {rec.slo_violation_min:g} SLO-violation minutes in the {hours / 24:.1f} "
        f"replayed days against {cur.slo_violation_min:g} today; the perfect-foresight bound costs "
        f"${bound.monthly_cost_usd:,.2f}/month with none",
        f"the {schedule.kind} timetable is read off the floors acuplan set re-planning every hour over "
        f"this history (the p{round(schedule.quantile * 100)} of each {schedule.slot_s // 60}-minute "
        "slot), so its score here is in-sample; acuplan re-planning live scores "
        f"${live.monthly_cost_usd:,.2f}/month and {live.slo_violation_min:g} minutes",
    ]
    t1, t15 = tiers
    out.append(
        f"the failover reader at promotion tier 1 follows the writer and is ready at once; at tier 15 it "
        f"scales on its own (${t1.monthly_cost_usd - t15.monthly_cost_usd:,.2f}/month cheaper here) but "
        f"after a failover needs up to {t15.extra_recovery_s_p95:.0f} s (p95) more to reach the writer's load"
    )
    return out
