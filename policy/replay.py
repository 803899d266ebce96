"""Replay policies over a demand series with an explicit clock, and score them.

Owns :func:`replay`. At each decision time (every ``replan_every_s``) a policy sees
only the steps before ``now`` and sets MinCapacity/MaxCapacity and readers for the
next interval; the simulator (:mod:`policy.simulator`) then runs Aurora's own reactive
scaler under those settings at the trace's resolution and integrates cost, shortfall
and SLO time over the scored window (after the warm-up). Everything but the report's
``timing`` is deterministic for a fixed input.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from placement import PreviousLayout
from policy.config import ReplayConfig
from policy.errors import InvalidRequestError, UnknownPolicyError
from policy.policies import Decision, Policy, make_policy
from policy.report import POLICY_NAMES, PolicyScore, ReplayReport, ReplayTiming
from policy.simulator import Layout, SimResult, simulate
from policy.types import ClusterSpec

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[str, int, int], None]


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
    starts = range(first, len(demand), every)
    for k, i in enumerate(starts):
        t0 = time.perf_counter()
        d = policy.decide(
            demand[:i],
            now=start + timedelta(seconds=i * step_s),
            n_steps=min(every, len(demand) - i),
            previous=previous,
        )
        times.append(time.perf_counter() - t0)
        decisions.append(d)
        previous = d.layout
        if progress is not None:
            progress(policy.name, k + 1, len(starts))
    return decisions, times


def _layout(decisions: list[Decision]) -> Layout:
    return Layout(
        floor_acu=np.concatenate([d.floor_acu for d in decisions]),
        max_acu=np.concatenate([np.full(len(d.floor_acu), d.max_acu) for d in decisions]),
        n_extra_readers=np.concatenate([d.n_extra_readers for d in decisions]),
        has_failover=all(d.has_failover for d in decisions),
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
    return int(moved.sum() + np.abs(np.diff(layout.n_extra_readers)).sum())


def _score(sim: SimResult, layout: Layout, decisions: list[Decision]) -> PolicyScore:
    return PolicyScore(
        cost_usd=round(sim.cost_usd, 6),
        shortfall_acu_h=round(sim.shortfall_acu_h, 6),
        slo_violation_min=round(sim.slo_violation_min, 4),
        scaling_actions=count_scaling_actions(layout),
        cost_vs_oracle=None,
        mean_capacity_acu=round(sim.mean_capacity_acu, 6),
        peak_capacity_acu=round(float(sim.capacity_acu.max(initial=0.0)), 6),
        n_replans=len(decisions),
        fail_safe_replans=sum(d.fail_safe for d in decisions),
    )


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
        config: replay configuration; defaults to :class:`ReplayConfig()`.
        policies: names from :data:`POLICY_NAMES`, scored in that order.
        trace_name: a label for the report.
        progress: optional callback ``(policy, decisions_done, decisions_total)``.

    Returns:
        A :class:`ReplayReport`; ``cost_vs_oracle`` is filled when ``oracle`` ran.

    Raises:
        InvalidRequestError: bad series, naive ``start``, bad step, or a warm-up that
            leaves nothing to score.
        UnknownPolicyError: an unknown policy name.
    """
    t_start = time.perf_counter()
    cluster = cluster or ClusterSpec()
    config = config or ReplayConfig()
    demand = np.asarray(demand_acu, dtype=np.float64)
    _validate(demand, start, step_s, policies)
    first = math.ceil(config.warmup_s / step_s)
    if config.replan_every_s % step_s:
        raise InvalidRequestError(
            f"config.replan_every_s={config.replan_every_s} must be a multiple of step_s={step_s}",
            "config.replan_every_s",
        )
    every = config.replan_every_s // step_s
    if first >= len(demand) or np.all(np.isnan(demand[:first])) and first > 0:
        raise InvalidRequestError(
            f"warmup_s={config.warmup_s} leaves nothing to score (or no observed history) "
            f"in {len(demand)} steps of {step_s} s"
        )
    scores: dict[str, PolicyScore] = {}
    per_policy_s: dict[str, float] = {}
    p50: dict[str, float] = {}
    p95: dict[str, float] = {}
    solve_p50: dict[str, float] = {}
    for name in [p for p in POLICY_NAMES if p in policies]:
        t0 = time.perf_counter()
        pol = make_policy(name, demand, cluster=cluster, config=config, step_s=step_s)
        decisions, times = _run_policy(
            pol, demand, start=start, step_s=step_s, first=first, every=every, progress=progress
        )
        layout = _layout(decisions)
        sim = simulate(
            demand[first:],
            layout,
            step_s=step_s,
            read_frac=cluster.read_frac,
            scaler=config.scaler,
            price_usd_per_acu_hour=cluster.price_usd_per_acu_hour,
        )
        scores[name] = _score(sim, layout, decisions)
        per_policy_s[name] = round(time.perf_counter() - t0, 3)
        p50[name] = round(float(np.percentile(times, 50)) * 1000, 3)
        p95[name] = round(float(np.percentile(times, 95)) * 1000, 3)
        solve_p50[name] = round(float(np.median([d.solve_s for d in decisions])) * 1000, 3)
    if "oracle" in scores and scores["oracle"].cost_usd > 0:
        oracle_cost = scores["oracle"].cost_usd
        scores = {
            k: v.model_copy(update={"cost_vs_oracle": round(v.cost_usd / oracle_cost, 6)})
            for k, v in scores.items()
        }
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
        scores=scores,
        timing=ReplayTiming(
            total_s=round(time.perf_counter() - t_start, 3),
            per_policy_s=per_policy_s,
            replan_ms_p50=p50,
            replan_ms_p95=p95,
            solve_ms_p50=solve_p50,
        ),
    )
