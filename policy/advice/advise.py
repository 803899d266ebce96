"""One answer about one cluster: its settings against acuplan's timetable and the bound.

Owns :func:`advise` (its inputs and answer are the models of :mod:`policy.advice.types`), the
orchestration: it checks the inputs (:mod:`policy.advice.checks`), runs the replays and puts
the answer together from its parts. Given the cluster's own history and its settings today,
it replays on one simulator (:mod:`policy.trace_replay.simulator`, the one model of Aurora's scaler):

* **current**: today's settings held fixed (MinCapacity, MaxCapacity, readers and their
  promotion tiers, auto-pause);
* **acuplan**: acuplan re-planning every hour over the history (what running it buys);
* **recommended**: the daily, weekly or hourly MinCapacity timetable read off acuplan's floors
  or the bound's (:mod:`policy.advice.schedule`; the cheapest of both at each quantile tried with no
  more SLO-violation minutes than acuplan live), i.e. what a user can apply without a
  scheduler: one level per day where the demand shows no time-of-day pattern, runs merged
  where a raise costs next to nothing, then a fixed or today's MinCapacity where either does
  as well (:func:`policy.advice.timetable.choose_timetable`); the timetable is read off this
  very history, so its score is in-sample (said in the reasons);
* **bound**: the perfect-foresight lower bound (:mod:`policy.floors`) on today's readers.

Today, what to apply and the bound are replayed on today's reader layout
(:mod:`policy.advice.layout`): the capacity advice never adds or drops a reader; adding a
failover reader where today has none is offered apart (``Advice.failover_reader``).

Money is per 730-hour month (the replayed window scaled); SLO-violation minutes are the
window's and per month. The rest of the answer: how to buy the capacity
(:mod:`policy.advice.purchase`), tier 0-1 versus tier 2-15 for the failover reader in
dollars and seconds, auto-pause (:mod:`policy.advice.pause`), a floor that binds for nothing,
the global-database secondaries' settings (:func:`policy.advice.schedule.secondary_schedules`),
storage, backups and the I/O-Optimized break-even (:mod:`policy.advice.storage`), today's bill
as observed (:mod:`policy.advice.observed`), alerts from the history
(:mod:`policy.advice.alerts`) and from the forecast with their lead time
(:mod:`policy.advice.outlook`), and the reasons in sentences (:mod:`policy.advice.reasons`).
Pure: no clock, no I/O; deterministic for a fixed input.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from placement import CapacityLimits
from policy.advice.alerts import alert_order, budget_alerts, max_capacity_alerts
from policy.advice.checks import (
    check_capacity_within_max,
    check_history_length,
    check_replayed_coverage,
    check_settings,
    side_series,
)
from policy.advice.layout import bound_floors, bound_words, failover_reader_option, readers_words
from policy.advice.observed import below_floor_reasons, observed_reasons, observed_today
from policy.advice.outlook import CALIBRATED_H, forecast_alerts, untested_growth_note
from policy.advice.pause import auto_pause_advice, pause_beats_commitments
from policy.advice.prices import HOURS_PER_MONTH, advice_prices
from policy.advice.purchase import (
    CapacityProfile,
    break_even_sentence,
    cheapest_way_sentence,
    purchase_options,
)
from policy.advice.reasons import (
    commitment_note,
    connections_note,
    idle_floor_note,
    last_day_reference,
    outcome_reasons,
    posture_reasons,
    run_rate_note,
    stale_note,
    unchecked_note,
    zone_note,
)
from policy.advice.schedule import secondary_schedules
from policy.advice.storage import storage_advice, volume_growth
from policy.advice.timetable import choose_timetable, connections_floor_acu, covered_steps, timetable_floors
from policy.advice.types import Advice, AdviceConfig, AdviceSeries, CurrentSettings, Outcome, TierOption
from policy.advice.words import floor_words, plural
from policy.advice.workweek import day_type_reasons, day_types
from policy.config import ReplayConfig
from policy.engine import validate_history
from policy.errors import InvalidRequestError
from policy.quality import pinned_at_ceiling, pinned_note
from policy.scaler import InstanceState, ScalerModel, advance, target_acu
from policy.steps import check_step_s
from policy.trace_replay.report import PolicyScore
from policy.trace_replay.run import replay_policy, scored_window
from policy.trace_replay.simulator import Layout, SimResult, instance_loads, simulate
from policy.types import ClusterSpec

FloatArray = npt.NDArray[np.float64]

Progress = Callable[[str, int, int], None]
"""``(stage, done, total)``: called as the advice advances (the replays report per decision)."""

STAGES = ("current", "acuplan", "bound", "timetable", "outlook")
"""The stages reported to ``progress`` besides the replays' own decisions."""


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
    demand_capped: npt.ArrayLike | None = None,
    now: datetime | None = None,
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
            CLI passes it from its signals,
            :func:`policy.advice.checks.check_capacity_within_max`); never CPU- or
            rate-derived demand, which may exceed MaxCapacity. None: not checked.
        demand_capped: per step, shape (n_steps,), bool: True where ``demand_acu`` comes from a
            signal MaxCapacity caps (capacity, or a percent of MaxCapacity such as
            ``CPUUtilization``; the CLI passes :func:`service.inputs.signals.capped_steps`):
            only there can demand at MaxCapacity be censored (a ``data quality:`` reason and
            the ``max_capacity`` alert, :func:`policy.quality.pinned_at_ceiling`). None:
            unknown, a ceiling the history never rises above caps it.
        now: when the advice is asked (UTC): a history that ended a day or more before it gets
            a first reason saying the advice describes that window
            (:func:`policy.advice.reasons.stale_note`). None: not checked (a bundled sample;
            the result then depends on the inputs alone).
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
            (``demand_acu``, :func:`policy.advice.checks.check_replayed_coverage`), a current
            MaxCapacity below the cluster's minimum, a ``connections`` / ``volume_bytes`` series off the grid
            or negative, a reader in an AZ that is not one of ``cluster.topology.az_ids``,
            a timetable slot that, in whole history steps, does not divide a day, or a
            ``capacity_acu`` above today's MaxCapacity (``current.max_capacity_acu``, with
            the observed maximum and its time:
            :func:`policy.advice.checks.check_capacity_within_max`), a ``demand_capped``
            not of ``demand_acu``'s length (field ``demand_capped``), a naive ``now``
            (field ``now``).

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
    if now is not None and now.utcoffset() is None:
        raise InvalidRequestError("now must be timezone-aware (UTC)", "now")
    replay = config.replay
    if not isinstance(current, CurrentSettings):
        raise InvalidRequestError(f"current must be CurrentSettings, got {type(current).__name__}", "current")
    demand = validate_history(demand_acu, field="demand_acu")
    check_step_s(step_s, replay.policy.plan_step_s)
    check_history_length(len(demand), step_s, replay.warmup_s)
    conn = side_series(connections, len(demand), "connections")
    volume = side_series(volume_bytes, len(demand), "volume_bytes")
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
    capacity = side_series(capacity_acu, len(demand), "capacity_acu")
    capped = None if demand_capped is None else np.asarray(demand_capped, dtype=bool)
    if capped is not None and capped.shape != demand.shape:
        raise InvalidRequestError(
            f"demand_capped has shape {capped.shape}, demand_acu {demand.shape}", "demand_capped"
        )
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
        "acuplan",
        demand,
        start=start,
        step_s=step_s,
        cluster=_live_readers(cluster, current, replay),
        config=replay,
        progress=progress,
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

    types = day_types(scored, start=window_from, step_s=step_s, timezone=config.schedule_timezone)
    conn_floor = connections_floor_acu(conn, current)
    chosen = choose_timetable(
        scored,
        window_from=window_from,
        step_s=step_s,
        slot_s=slot_s,
        trusted=covered_steps(
            demand, first, len(scored), step_s, replay.policy.min_coverage_24h, replay.replan_every_s
        ),
        types=types,
        live_floors=acuplan.floor_acu,
        live=acuplan.score,
        bound_floor=bound_floor,
        conn_floor=conn_floor,
        current=current,
        cluster=cluster,
        config=config,
        replay_floors=lambda floors: sim(floors, *today_readers),
        month=month,
    )
    schedule, planned, recommended = chosen.schedule, chosen.floors, chosen.replay
    report("timetable", 1, 1)
    what = (
        f"MinCapacity {floor_words(min(schedule.floors_acu))} all day"
        if len(set(schedule.floors_acu)) == 1
        else f"the {schedule.kind} MinCapacity timetable ({plural(len(schedule.entries), 'change')})"
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
        # every burst already seen, not only the replayed window's; split over today's readers
        # as the replay routes it (the writer takes everything with no reader)
        peak_instance_acu=max(
            max(instance_loads(float(np.nanmax(demand)), cluster.read_frac, len(current.readers)))
            / replay.policy.target_utilisation,
            _observed_peak_acu(capacity, current),
        ),
        n_instances=1 + len(current.readers),
        mean_acu=recommended.mean_capacity_acu,
        storage_gib=storage.storage_gib,
        io_million_per_month=config.io_million_per_month or 0.0,
    )
    options = purchase_options(profile, book)
    pause = auto_pause_advice(
        scored,
        planned,
        current,
        cluster,
        lambda floors: sim(floors, *today_readers),
        outcomes["recommended"],
        month,
        step_s,
        window_from=window_from,
    )
    floor_note = idle_floor_note(scored, current, cluster, model, outcomes)
    end = start + timedelta(seconds=len(demand) * step_s)
    pinned = pinned_at_ceiling(
        demand, start=start, step_s=step_s, max_capacity_acu=current.max_capacity_acu, capped=capped
    )
    ahead, outlook = forecast_alerts(
        demand,
        end=end,
        step_s=step_s,
        current=current,
        read_frac=cluster.read_frac,
        price_usd_per_acu_hour=cluster.price_usd_per_acu_hour,
        model=model,
        recommended_floors=timetable_floors(schedule, end, step_s, CALIBRATED_H * 3600),
        horizon_s=config.alert_horizon_s,
        quantile=config.alert_quantile,
        monthly_budget_usd=config.monthly_budget_usd,
        connections=conn,
    )
    report("outlook", 1, 1)
    alerts = max_capacity_alerts(
        scored,
        pinned,
        [a for a in ahead if a.kind == "max_capacity"],
        max(outlook.writer_need_acu, default=0.0),
        current=current,
        writer_share=instance_loads(1.0, cluster.read_frac, len(current.readers))[0],
        model=model,
    )
    alerts += budget_alerts(outcomes, config) + [a for a in ahead if a.kind != "max_capacity"]
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
        cheapest_way=cheapest_way_sentence(
            options,
            book,
            history_h=hours,
            auto_pause_usd_per_month=pause.monthly_cost_usd,
            growth_at=min(
                (a.at for a in alerts if a.kind == "max_capacity" and a.at is not None), default=None
            ),
            capped=any(a.kind == "max_capacity" and a.source == "history" for a in alerts),
        ),
        tiers=tiers,
        failover_reader=failover_reader,
        auto_pause=pause,
        floor_binds_for_nothing=floor_note,
        alerts=tuple(sorted(alerts, key=alert_order)),
        outlook=outlook,
        storage=storage,
        reasons=tuple(
            stale_note(end, now)
            + [f"data quality: {pinned_note(p)}" for p in pinned]
            # first: after a level shift the window's averages are not what the next month bills
            + run_rate_note(
                scored,
                (today, recommended),
                step_s,
                cluster.price_usd_per_acu_hour,
                (outcomes["current"], outcomes["recommended"]),
                outlook.projected_monthly_cost_usd,
                last_day_reference(demand, types, end=end, step_s=step_s, timezone=config.schedule_timezone),
            )
            + posture_reasons(
                acuplan.score.replans_by_risk_quantile, replay, acuplan.score.replans_aurora_alone
            )
            + observed_reasons(observed, pricing.serverless_standard_usd_per_acu_hour)
            + below_floor_reasons(
                capacity, start=start, step_s=step_s, min_capacity_acu=current.min_capacity_acu
            )
            + outcome_reasons(
                outcomes,
                saving,
                schedule,
                tiers,
                hours,
                # the bound caveat only when a plan here does set MinCapacity 0 somewhere
                pauses=cluster.limits.min_acu == 0
                and (bool(np.any(planned <= 0.0)) or bool(np.any(acuplan.floor_acu <= 0.0))),
                cur_pauses=current.min_capacity_acu == 0,
                fixed_note=chosen.fixed_note,
                kept_today=chosen.kept_today,
                pause_saving_usd=pause.saving_usd_per_month,
                bound_layout=bound_words(current),
                reader_today=current.has_failover,
                held_out=(
                    None
                    if chosen.held_out is None
                    else (chosen.held_out.cost_usd * month, chosen.held_out.slo_violation_min)
                ),
            )
            + connections_note(conn_floor, conn)
            + unchecked_note(min(schedule.floors_acu), current, connections_given=conn is not None)
            + list(chosen.notes)
            + day_type_reasons(types, schedule)
            + zone_note(schedule)
            + commitment_note(
                hours,
                min((a.at for a in alerts if a.kind == "max_capacity" and a.at is not None), default=None),
            )
            + untested_growth_note(
                demand, step_s=step_s, read_frac=cluster.read_frac, current=current, model=model
            )
            + pause_beats_commitments(pause, options)
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
        keeps_today=chosen.kept_today,
        pricing=pricing,
        observed=observed,
    )


def _observed_peak_acu(capacity: FloatArray | None, current: CurrentSettings) -> float:
    """The capacity Aurora's own scaler was seen holding at its peak, ACU (0 when it says nothing).

    An instance bought to replace serverless must hold at least what the cluster's instances
    scaled to (the capacity metric is an instance's, or the instances' mean: a lower bound on
    the busiest). Only a peak above today's MinCapacity counts: at the floor it shows the
    setting, not the load (QA 73 #4: instances sized for 8 ACU where the cluster was seen
    running at 12.8).
    """
    if capacity is None or not np.any(np.isfinite(capacity)):
        return 0.0
    peak = float(np.nanmax(capacity))
    return peak if peak > current.min_capacity_acu else 0.0


def _live_readers(cluster: ClusterSpec, current: CurrentSettings, replay: ReplayConfig) -> ClusterSpec:
    """The cluster acuplan re-plans live on: no more readers than today has.

    Every other row is replayed on today's readers (:mod:`policy.advice.layout`), and the live
    row's SLO-violation minutes are the bar every timetable must meet: read-scaling readers it
    planned where MaxCapacity binds (a constant 2 ACU at MaxCapacity 1 got one, +25 % for the
    same minutes) would price a reader change the advice never offers and set that bar with it.
    So tier 2-15 readers are capped at today's count (``limits.max_readers`` at today's readers,
    plus the failover reader ``config.require_failover_reader`` asks for), and per AZ at it.
    """
    failover = int(replay.policy.require_failover_reader and not current.has_failover)
    limits = cluster.limits.model_copy(
        update={
            "max_readers": min(cluster.limits.max_readers, len(current.readers) + failover),
            "max_extra_readers_per_az": min(
                cluster.limits.max_extra_readers_per_az, current.n_scaling_readers
            ),
        }
    )
    return cluster.model_copy(update={"limits": limits})


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
