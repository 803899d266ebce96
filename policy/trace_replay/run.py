"""Replay policies over a demand series with an explicit clock, and score them.

Owns :func:`replay` and the checks of its inputs that need more than one model
(:func:`scored_window`, :func:`check_reactive_floor`). At each decision time (every
``replan_every_s``) a policy sees only the steps before ``now`` and sets
MinCapacity/MaxCapacity and readers for the next interval; the simulator
(:mod:`policy.trace_replay.simulator`) then runs Aurora's own reactive scaler under those
settings at the trace's resolution and integrates cost, shortfall and SLO time over the
scored window (after the warm-up). Everything but the report's ``timing`` is deterministic
for a fixed input.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from placement import PreviousLayout
from policy.config import ReplayConfig
from policy.errors import InvalidRequestError, UnknownPolicyError
from policy.steps import check_replan_every_s, decision_windows, first_scored_step
from policy.trace_replay.over_max import max_capacity_warning
from policy.trace_replay.policies import Decision, Policy, make_policy
from policy.trace_replay.report import (
    HISTORY_POLICIES,
    POLICY_NAMES,
    PolicyScore,
    ReplayReport,
    ReplayTiming,
)
from policy.trace_replay.simulator import Layout, SimResult, simulate
from policy.types import ClusterSpec

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class PolicyRun:
    """One policy replayed over one series: its score, what it did, and how long it took.

    Attributes:
        name: the policy name.
        score: the score over the scored window (the relative scores not yet filled).
        capacity_acu: total capacity at each scored step's end, shape (n_scored,).
        floor_acu: MinCapacity the policy set at each scored step, shape (n_scored,).
        replan_s: wall time of each decision, seconds (not deterministic).
        solve_s: CP-SAT wall time of each decision, seconds (not deterministic).
        wall_s: wall time of the whole run, seconds (not deterministic).
        cpu_s: CPU time of the process during the run, seconds (not deterministic).
    """

    name: str
    score: PolicyScore
    capacity_acu: FloatArray
    floor_acu: FloatArray
    replan_s: tuple[float, ...]
    solve_s: tuple[float, ...]
    wall_s: float
    cpu_s: float = 0.0


def _run_policy(
    policy: Policy,
    demand: FloatArray,
    *,
    start: datetime,
    step_s: int,
    first: int,
    every: int,
    progress: Progress | None,
) -> tuple[list[Decision], list[float]]:
    decisions: list[Decision] = []
    times: list[float] = []
    previous: PreviousLayout | None = None
    own = getattr(policy, "decide_every_s", None)
    if own:
        every = max(own // step_s, 1)
    starts = decision_windows(len(demand), first=first, every=every)
    for k, (i, covered) in enumerate(starts):
        t0 = time.perf_counter()
        d = policy.decide(
            demand[:i], now=start + timedelta(seconds=i * step_s), n_steps=covered, previous=previous
        )
        times.append(time.perf_counter() - t0)
        decisions.append(d)
        previous = d.layout
        if progress is not None and (k + 1 == len(starts) or (k + 1) % max(len(starts) // 100, 1) == 0):
            progress(policy.name, k + 1, len(starts))
    return decisions, times


def _layout(decisions: list[Decision]) -> Layout:
    in_writer_az = [
        d.n_extra_readers_writer_az
        if d.n_extra_readers_writer_az is not None
        else np.zeros(len(d.floor_acu), dtype=np.int64)
        for d in decisions
    ]
    return Layout(
        floor_acu=np.concatenate([d.floor_acu for d in decisions]),
        max_acu=np.concatenate([np.full(len(d.floor_acu), d.max_acu) for d in decisions]),
        n_extra_readers=np.concatenate([d.n_extra_readers for d in decisions]),
        has_failover=all(d.has_failover for d in decisions),
        n_extra_readers_writer_az=np.concatenate(in_writer_az),
    )


def count_scaling_actions(layout: Layout) -> int:
    """Count setting changes: MinCapacity/MaxCapacity changes plus readers created/deleted.

    Args:
        layout: the settings per step.

    Returns:
        Number of ModifyDBCluster calls (one per step where min or max changes) plus
        the absolute change in reader count summed over steps.
    """
    moved = (np.diff(layout.floor_acu) != 0) | (np.diff(layout.max_acu) != 0)
    return int(moved.sum() + count_reader_churn(layout))


def count_reader_churn(layout: Layout) -> int:
    """Count reader instances created plus deleted (tier 2-15 readers requested per step)."""
    return int(np.abs(np.diff(layout.n_extra_readers)).sum())


def _score(sim: SimResult, layout: Layout, decisions: list[Decision]) -> PolicyScore:
    return PolicyScore(
        cost_usd=round(sim.cost_usd, 6),
        shortfall_acu_h=round(sim.shortfall_acu_h, 6),
        slo_violation_min=round(sim.slo_violation_min, 4),
        p99_latency_ms=round(sim.p99_latency_ms, 3),
        scaling_actions=count_scaling_actions(layout),
        reader_churn=count_reader_churn(layout),
        unserved_min=round(sim.unserved_min, 4),
        cost_vs_bound=None,
        mean_capacity_acu=round(sim.mean_capacity_acu, 6),
        peak_capacity_acu=round(float(sim.capacity_acu.max(initial=0.0)), 6),
        n_replans=len(decisions),
        fail_safe_replans=sum(d.fail_safe for d in decisions),
        replans_by_risk_quantile=_by_quantile(decisions),
        replans_aurora_alone=_aurora_alone(decisions),
    )


def _by_quantile(decisions: list[Decision]) -> dict[str, int] | None:
    """Decisions per risk quantile, ascending (None when no decision names one)."""
    counts = Counter(d.risk_quantile for d in decisions if d.risk_quantile is not None)
    return {f"{q:g}": counts[q] for q in sorted(counts)} or None


def _aurora_alone(decisions: list[Decision]) -> int | None:
    """``acuplan``'s decisions that held Aurora alone's floor (None for a policy without a risk quantile)."""
    if not any(d.risk_quantile is not None or d.aurora_alone for d in decisions):
        return None
    return sum(d.aurora_alone for d in decisions)


def _validate(demand: FloatArray, start: datetime, step_s: int, policies: Sequence[str]) -> None:
    if demand.ndim != 1 or demand.size == 0:
        raise InvalidRequestError(f"demand_acu must be a non-empty 1-D array, got shape {demand.shape}")
    if np.any(np.isinf(demand)) or np.any(demand[np.isfinite(demand)] < 0):
        raise InvalidRequestError("demand_acu values must be finite (or NaN for missing) and >= 0")
    if start.tzinfo is None or start.utcoffset() is None:
        raise InvalidRequestError(f"start must be timezone-aware, got {start.isoformat()}")
    if step_s <= 0:
        raise InvalidRequestError(f"step_s must be > 0, got {step_s}")
    unknown = [p for p in policies if p not in POLICY_NAMES]
    if unknown or not policies:
        raise UnknownPolicyError(f"unknown policies {unknown}; known: {', '.join(POLICY_NAMES)}")


MISSING_WARN_SHARE = 0.01
"""Share of missing scored steps from which a replay warns (with a gap of ``MISSING_WARN_GAP_S``)."""
MISSING_WARN_GAP_S = 3600
"""A gap this long, seconds, warns whatever the share: an hour is a re-plan the scores cannot judge."""


def missing_warning(scored: FloatArray, scored_from: datetime, step_s: int) -> str | None:
    """Say how much of the scored window is missing, and where its longest gap is.

    The simulator holds the last observed load through a gap: its cost is counted and its
    SLO minutes and shortfall are not, so every policy looks as safe there as it was before
    the gap (``policy.trace_replay.simulator``).

    Args:
        scored: demand over the scored window, shape (n,), ACU; NaN where missing.
        scored_from: start of the window (UTC).
        step_s: step length, seconds.

    Returns:
        One warning, or None when under :data:`MISSING_WARN_SHARE` of the window is missing
        and no gap lasts :data:`MISSING_WARN_GAP_S` (a missed sample here and there).

    Examples:
        >>> from datetime import UTC
        >>> t0 = datetime(2024, 1, 1, tzinfo=UTC)
        >>> print(missing_warning(np.array([1.0, np.nan, np.nan, 1.0]), t0, 3600)[:97])
        2 of the scored window's 4 steps (50.0%) are missing, the longest gap 2.0 h from 2024-01-01 01:00
    """
    missing = np.isnan(scored)
    if not missing.any():
        return None
    edges = np.flatnonzero(np.diff(np.r_[0, missing.astype(np.int8), 0]))
    starts, ends = edges[::2], edges[1::2]
    longest = int(np.argmax(ends - starts))
    gap_s = int(ends[longest] - starts[longest]) * step_s
    if missing.mean() < MISSING_WARN_SHARE and gap_s < MISSING_WARN_GAP_S:
        return None
    gap_from = scored_from + timedelta(seconds=int(starts[longest]) * step_s)
    gap = f"{gap_s / 60:g} min" if gap_s < 3600 else f"{gap_s / 3600:.1f} h"
    return (
        f"{int(missing.sum())} of the scored window's {scored.size} steps ({missing.mean():.1%}) are "
        f"missing, the longest gap {gap} from {gap_from:%Y-%m-%d %H:%M} UTC: the simulator holds the last "
        "observed load through a gap, so its cost counts and its SLO minutes and shortfall do not"
    )


def replay_warnings(
    demand: FloatArray,
    *,
    start: datetime,
    step_s: int,
    first: int,
    cluster: ClusterSpec,
    config: ReplayConfig,
) -> tuple[str, ...]:
    """The report's ``warnings``: what the scores of the scored window cannot see.

    Args:
        demand: the whole series, shape (n_steps,), ACU; NaN marks missing steps.
        start: start of step 0 (UTC).
        step_s: step length, seconds.
        first: the first scored step (:func:`scored_window`).
        cluster: the simulated cluster (MaxCapacity, ``read_frac``).
        config: replay configuration (the scaler's SLO utilisation).

    Returns:
        :func:`missing_warning` and
        :func:`policy.trace_replay.over_max.max_capacity_warning`, those that apply.
    """
    scored_from = start + timedelta(seconds=first * step_s)
    found = [
        missing_warning(demand[first:], scored_from, step_s),
        max_capacity_warning(
            demand[first:], scored_from=scored_from, step_s=step_s, cluster=cluster, model=config.scaler
        ),
    ]
    return tuple(w for w in found if w)


def check_reactive_floor(cluster: ClusterSpec, config: ReplayConfig, *, below_min: bool = True) -> None:
    """Check ``config.reactive_floor_acu`` against the replayed cluster's limits.

    A fixed MinCapacity above the cluster's MaxCapacity is not one Aurora accepts (it used
    to be clamped to MaxCapacity without a word); one below ``limits.min_acu`` is outside
    the cluster's stated range. 0 (auto-pause) is accepted whatever ``limits.min_acu``.

    Args:
        cluster: the replayed cluster.
        config: the replay configuration.
        below_min: also refuse a floor below ``limits.min_acu`` (:func:`replay`, where the
            caller gave both; :func:`replay_policy` skips it, as :func:`policy.advise`
            replays today's MinCapacity, which may sit below the cluster's minimum).

    Raises:
        InvalidRequestError: (field ``config.reactive_floor_acu``) above ``limits.max_acu``,
            or (``below_min``) above 0 and below ``limits.min_acu``.
    """
    floor, limits = config.reactive_floor_acu, cluster.limits
    if floor is None:
        return
    if floor > limits.max_acu:
        raise InvalidRequestError(
            f"config.reactive_floor_acu={floor:g} is above the cluster's MaxCapacity "
            f"(cluster.limits.max_acu={limits.max_acu:g}): a MinCapacity cannot exceed it",
            "config.reactive_floor_acu",
        )
    if below_min and 0 < floor < limits.min_acu:
        raise InvalidRequestError(
            f"config.reactive_floor_acu={floor:g} is below the cluster's cluster.limits.min_acu="
            f"{limits.min_acu:g}: give a MinCapacity in [{limits.min_acu:g}, {limits.max_acu:g}], or 0 "
            "for auto-pause",
            "config.reactive_floor_acu",
        )


def scored_window(
    demand: npt.ArrayLike, *, step_s: int, config: ReplayConfig, policies: Sequence[str]
) -> tuple[int, int]:
    """Return (first scored step, steps per decision) and check the series can be scored.

    The one check of a replay's schedule: :func:`replay`, the bench, the sweep and the HTTP
    replay jobs call it before any work.

    Args:
        demand: demand per step, shape (n_steps,), ACU; NaN (or None) marks a missing step.
        step_s: step length, seconds.
        config: replay configuration (``replan_every_s``, ``warmup_s``, the horizon, the
            failover events).
        policies: the policies to be replayed (those of :data:`HISTORY_POLICIES` need a warm-up).

    Raises:
        InvalidRequestError: the step rules of :mod:`policy.steps` (``replan_every_s`` not a
            multiple of ``step_s``; a warm-up that leaves nothing to score or sees no data,
            or is 0 with ``acuplan`` among ``policies``); a policy named twice (field
            ``policies``: each would be scored once); or a failover event at or past the end
            of the scored window (field ``config.failover_events.<i>.at_s``: it would never
            happen).
    """
    seen: dict[str, int] = {}
    for i, name in enumerate(policies):
        if name in seen:
            raise InvalidRequestError(
                f"policies[{i}]={name!r} repeats policies[{seen[name]}]: name each policy once",
                "policies",
            )
        seen[name] = i
    every = check_replan_every_s(config.replan_every_s, step_s=step_s, horizon_s=config.policy.horizon_s)
    needs_history = [p for p in HISTORY_POLICIES if p in policies]
    first = first_scored_step(demand, step_s=step_s, warmup_s=config.warmup_s, needs_history=needs_history)
    if config.failover_events:
        scored_s = (len(np.asarray(demand, dtype=np.float64)) - first) * step_s
        for i, event in enumerate(config.failover_events):
            if event.at_s >= scored_s:
                raise InvalidRequestError(
                    f"config.failover_events[{i}].at_s={event.at_s} is at or past the end of the scored "
                    f"window, which is {scored_s} s long (at_s counts from its start): the event would "
                    "never happen",
                    f"config.failover_events.{i}.at_s",
                )
    return first, every


def replay_policy(
    name: str,
    demand_acu: npt.ArrayLike,
    *,
    start: datetime,
    step_s: int,
    cluster: ClusterSpec,
    config: ReplayConfig,
    progress: Progress | None = None,
) -> PolicyRun:
    """Replay one policy over a demand series and score it (the unit of a fleet run).

    Args:
        name: a name from :data:`POLICY_NAMES`.
        demand_acu: demand per step, shape (n_steps,), ACU; NaN marks missing steps.
        start: start of the first step, timezone-aware.
        step_s: step length, seconds.
        cluster: the simulated cluster.
        config: replay configuration (failover events count from the scored start).
        progress: optional callback ``(policy, decisions_done, decisions_total)``.

    Returns:
        A :class:`PolicyRun`; everything but its timings is deterministic.

    Raises:
        InvalidRequestError: bad series, naive ``start``, bad step or warm-up (0 for
            ``acuplan``), a failover event past the scored window (:func:`scored_window`),
            or a ``config.reactive_floor_acu`` above ``cluster.limits.max_acu``
            (:func:`check_reactive_floor`).
        UnknownPolicyError: an unknown policy name.
    """
    t0, c0 = time.perf_counter(), time.process_time()
    demand = np.asarray(demand_acu, dtype=np.float64)
    _validate(demand, start, step_s, [name])
    check_reactive_floor(cluster, config, below_min=False)
    first, every = scored_window(demand, step_s=step_s, config=config, policies=[name])
    pol = make_policy(name, demand, cluster=cluster, config=config, step_s=step_s)
    decisions, times = _run_policy(
        pol, demand, start=start, step_s=step_s, first=first, every=every, progress=progress
    )
    run = finish_run(
        name,
        decisions,
        times,
        demand[first:],
        step_s=step_s,
        cluster=cluster,
        config=config,
        wall_s=time.perf_counter() - t0,
    )
    return replace(run, cpu_s=time.process_time() - c0)


def finish_run(
    name: str,
    decisions: list[Decision],
    replan_s: list[float],
    scored_acu: FloatArray,
    *,
    step_s: int,
    cluster: ClusterSpec,
    config: ReplayConfig,
    wall_s: float,
) -> PolicyRun:
    """Simulate a policy's decisions over the scored window and score them.

    Args:
        name: the policy name for the result.
        decisions: the decisions in time order, covering ``scored_acu``.
        replan_s: wall time of each decision, seconds.
        scored_acu: demand over the scored window, shape (n_scored,), ACU.
        step_s: step length, seconds.
        cluster: the simulated cluster.
        config: replay configuration (scaler model and failover events).
        wall_s: wall time to report for the run.

    Returns:
        The :class:`PolicyRun`.
    """
    layout = _layout(decisions)
    sim = simulate(
        scored_acu,
        layout,
        step_s=step_s,
        read_frac=cluster.read_frac,
        scaler=config.scaler,
        price_usd_per_acu_hour=cluster.price_usd_per_acu_hour,
        events=config.failover_events,
    )
    return PolicyRun(
        name=name,
        score=_score(sim, layout, decisions),
        capacity_acu=sim.capacity_acu,
        floor_acu=layout.floor_acu,
        replan_s=tuple(replan_s),
        solve_s=tuple(d.solve_s for d in decisions),
        wall_s=wall_s,
    )


def with_relative_scores(scores: dict[str, PolicyScore]) -> dict[str, PolicyScore]:
    """Fill ``cost_vs_bound`` and ``slo_share_of_reactive`` where the reference ran.

    Args:
        scores: per policy name.

    Returns:
        The scores with ``cost_vs_bound`` = cost / the bound's cost (when ``bound`` ran
        with a cost > 0) and ``slo_share_of_reactive`` = SLO minutes / reactive's (when
        ``reactive`` ran with any SLO minutes); other scores unchanged.
    """
    bound = scores.get("bound")
    reactive = scores.get("reactive")
    out = {}
    for k, v in scores.items():
        update: dict[str, float] = {}
        if bound is not None and bound.cost_usd > 0:
            update["cost_vs_bound"] = round(v.cost_usd / bound.cost_usd, 6)
        if reactive is not None and reactive.slo_violation_min > 0:
            update["slo_share_of_reactive"] = round(v.slo_violation_min / reactive.slo_violation_min, 6)
        out[k] = v.model_copy(update=update)
    return out


def _ms(values: Sequence[float], q: float) -> float:
    return round(float(np.percentile(values, q)) * 1000, 3) if len(values) else 0.0


def timing_of(runs: Sequence[PolicyRun], total_s: float) -> ReplayTiming:
    """Summarise the wall-clock timings of policy runs (not deterministic)."""
    return ReplayTiming(
        total_s=round(total_s, 3),
        per_policy_s={r.name: round(r.wall_s, 3) for r in runs},
        replan_ms_p50={r.name: _ms(r.replan_s, 50) for r in runs},
        replan_ms_p95={r.name: _ms(r.replan_s, 95) for r in runs},
        solve_ms_p50={r.name: _ms(r.solve_s, 50) for r in runs},
        forecast_ms_p50={
            r.name: _ms([a - b for a, b in zip(r.replan_s, r.solve_s, strict=True)], 50) for r in runs
        },
    )


def replay(
    demand_acu: npt.ArrayLike,
    *,
    start: datetime,
    step_s: int,
    cluster: ClusterSpec | None = None,
    config: ReplayConfig | None = None,
    policies: Sequence[str] = POLICY_NAMES,
    trace_name: str = "trace",
    progress: Progress | None = None,
) -> ReplayReport:
    """Replay ``policies`` over a demand series and score each on the same simulator.

    Args:
        demand_acu: demand per step, shape (n_steps,), ACU; NaN marks missing steps.
        start: start of the first step, timezone-aware.
        step_s: step length, seconds (a divisor of ``config.policy.plan_step_s``).
        cluster: the simulated cluster; defaults to :class:`ClusterSpec()`.
        config: replay configuration (a ReplayConfig or a dict of its fields); defaults to
            :class:`ReplayConfig()`.
        policies: names from :data:`POLICY_NAMES`, scored in that order.
        trace_name: a label for the report.
        progress: optional callback ``(policy, decisions_done, decisions_total)``.

    Returns:
        A :class:`ReplayReport`; ``cost_vs_bound`` is filled when ``bound`` ran and
        ``slo_share_of_reactive`` when ``reactive`` ran.

    Raises:
        InvalidRequestError: bad series, naive ``start``, bad step, a warm-up that leaves
            nothing to score (or is 0 with ``acuplan`` among ``policies``), a policy named
            twice (field ``policies``), a failover event at or past the end of the scored
            window (``config.failover_events.<i>.at_s``; :func:`scored_window`), or a
            ``config.reactive_floor_acu`` outside the cluster's [``limits.min_acu``,
            ``limits.max_acu``] other than 0 (:func:`check_reactive_floor`).
        UnknownPolicyError: an unknown policy name.
        pydantic.ValidationError: ``cluster`` or ``config`` given as an invalid dict (a
            ValueError), e.g. a ``reactive_floor_acu`` off the 0.5-ACU grid.
    """
    t_start = time.perf_counter()
    cluster = ClusterSpec.model_validate(cluster if cluster is not None else {})
    config = ReplayConfig.model_validate(config if config is not None else {})
    demand = np.asarray(demand_acu, dtype=np.float64)
    _validate(demand, start, step_s, policies)
    check_reactive_floor(cluster, config)
    first, every = scored_window(demand, step_s=step_s, config=config, policies=policies)
    runs = [
        replay_policy(
            name, demand, start=start, step_s=step_s, cluster=cluster, config=config, progress=progress
        )
        for name in POLICY_NAMES
        if name in policies
    ]
    return ReplayReport(
        trace=trace_name,
        cluster=cluster,
        step_s=step_s,
        start=start,
        scored_from=start + timedelta(seconds=first * step_s),
        scored_until=start + timedelta(seconds=len(demand) * step_s),
        n_steps=len(demand),
        n_missing_steps=int(np.isnan(demand).sum()),
        replan_every_s=every * step_s,
        scores=with_relative_scores({r.name: r.score for r in runs}),
        timing=timing_of(runs, time.perf_counter() - t_start),
        warnings=replay_warnings(
            demand, start=start, step_s=step_s, first=first, cluster=cluster, config=config
        ),
    )
