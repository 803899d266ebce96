"""Auto-pause in a plan: MinCapacity 0 only where the forecast is idle long enough to pause.

Owns :func:`plan_auto_pause` (with :func:`seasonal_idle`), which :func:`policy.recommend`
applies when the cluster's ``limits.min_acu`` is 0. The optimiser plans running capacity
(floors of at least 0.5 ACU: :mod:`placement` never sets 0); this step then sets
MinCapacity 0 in the plan steps that lie wholly inside a run of forecast idleness (the risk
quantile at 0 ACU, history step by history step, or a time of day idle on nearly every past
day: :func:`seasonal_idle`) longer than ``SecondsUntilAutoPause``, where the plan's floor is
at the running minimum anyway. Aurora pauses the writer and its tier 0-1 readers once they have
had no connection for ``SecondsUntilAutoPause`` and charges nothing while paused; the
first connection afterwards waits for the resume, "up to 15 seconds" (sources:
aurora-pause). So:

* capacity (and cost) is 0 from ``SecondsUntilAutoPause`` into the idle run to its end;
* the resume is counted as unserved at the first demand after the lull (whether or not a
  raised MinCapacity resumed the cluster a little earlier: the conservative reading): the
  plan step in which demand comes back carries ``risk-quantile demand x resume_s /
  plan_step_s`` ACU of shortfall (the demand that waits, spread over the step), and a
  reason says so;
* a lull at the start of the horizon continues the history's trailing idle time, so its
  timer may already have run;
* nothing pauses when the data is held (a plan from untrusted data holds the deployed
  floor) or with global-database secondaries (Aurora does not pause a
  global database's primary).

Pure; no clock.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Final

import numpy as np
import numpy.typing as npt

from policy.config import PolicyConfig
from policy.settings import aurora_settings
from policy.types import ClusterSpec, PlanStep, Recommendation, quantile_label

FloatArray = npt.NDArray[np.float64]

IDLE_ACU: Final[float] = 1e-6
"""Forecast demand at or below this is idle (no connection would keep the cluster awake)."""

RUNNING_MIN_ACU: Final[float] = 0.5
"""The lowest running MinCapacity (sources: aurora-capacity)."""


def _idle_runs(idle: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``[start, end)`` of each run of True."""
    runs, start = [], None
    for k, flag in enumerate([*idle.tolist(), False]):
        if flag and start is None:
            start = k
        elif not flag and start is not None:
            runs.append((start, k))
            start = None
    return runs


def seasonal_idle(
    history_acu: npt.ArrayLike, *, n_steps: int, season_steps: int, quantile: float, max_seasons: int
) -> tuple[npt.NDArray[np.bool_], int]:
    """Horizon steps whose time of day was idle on enough past days that their quantile is 0.

    Forecasting models smooth a lull: after noisy days and exactly idle nights, Holt-Winters
    puts 0.1-0.4 ACU at the p90 of every night, so the forecast alone never reads idle and
    a MinCapacity-0 cluster never pauses. The history says more: for horizon step h, the
    same phase k seasons back (history step ``n + h - k * season_steps`` for k = 1..
    ``max_seasons``, those before the plan's start and observed only; a step more than a
    season ahead so has one day fewer) gives K values, and the q-quantile of the next one
    is 0 when at least ceil(q (K + 1)) of them are idle (the split-conformal rank: Vovk, Gammerman & Shafer,
    "Algorithmic Learning in a Random World", 2005; exchangeable days assumed). So it takes
    at least q / (1 - q) idle days (9 at p90) and never holds on fewer.

    Args:
        history_acu: demand per step ending at the plan's start, shape (n,), ACU; NaN missing.
        n_steps: horizon steps at the history's step.
        season_steps: steps per day (``config.forecast.season_s // step_s``).
        quantile: the risk quantile, in (0, 1).
        max_seasons: the most days looked back (the forecast's window).

    Returns:
        (mask of shape (n_steps,), True where the quantile is 0; the fewest days that said so
        among those steps, 0 when none).
    """
    history = np.asarray(history_acu, dtype=np.float64)
    n = len(history)
    idle = np.zeros(n_steps, dtype=bool)
    fewest = 0
    for h in range(n_steps):
        back = np.arange(
            n + h - season_steps, max(n + h - (max_seasons + 1) * season_steps, -1), -season_steps
        )
        values = history[back[(back >= 0) & (back < n)]]
        values = values[np.isfinite(values)]
        need = math.ceil(quantile * (len(values) + 1))
        if values.size and need <= values.size and int(np.sum(values <= IDLE_ACU)) >= need:
            idle[h] = True
            fewest = min(fewest, values.size) if fewest else values.size
    return idle, fewest


def plan_auto_pause(
    rec: Recommendation,
    risk_acu: npt.ArrayLike,
    *,
    step_s: int,
    cluster: ClusterSpec,
    config: PolicyConfig,
    deployed_floor_acu: float | None = None,
    idle_before_s: int = 0,
    history_acu: npt.ArrayLike | None = None,
) -> Recommendation:
    """Set MinCapacity 0 where the forecast is idle for longer than ``SecondsUntilAutoPause``.

    Args:
        rec: the plan made with running floors (MinCapacity >= 0.5).
        risk_acu: the risk-quantile forecast per history step over the horizon, shape
            (n_plan_steps x plan_step_s / step_s,), ACU.
        step_s: the history step, seconds.
        cluster: the cluster, ``limits.min_acu`` 0 (else ``rec`` is returned unchanged).
        config: the policy configuration (plan step, resume delay in ``scaler``).
        deployed_floor_acu: the deployed MinCapacity, when the plan holds it (untrusted
            data): above 0, nothing pauses.
        idle_before_s: how long the history was idle up to the plan's start, seconds (an
            idle run at the start of the horizon continues it, so its timer may have run).
        history_acu: the history ending at the plan's start, shape (n,), ACU, NaN missing:
            where :func:`seasonal_idle` finds the time of day idle, the risk is 0 whatever
            the forecast says; None: the forecast alone.

    Returns:
        The plan with paused steps: MinCapacity 0, capacity and cost 0 once paused, the
        resume's wait as shortfall, settings and reasons updated.
    """
    limits = cluster.limits
    if limits.min_acu > 0 or not rec.steps:
        return rec
    timer = limits.seconds_until_auto_pause
    q = quantile_label(config.risk_quantile)
    held = rec.data_quality is not None and rec.data_quality.held and (deployed_floor_acu or 0.0) > 0
    secondaries = cluster.placement is not None and bool(cluster.placement.secondaries)
    if held or secondaries:
        why = (
            "the plan holds the deployed layout (untrusted data)"
            if held
            else "Aurora does not pause a global database's primary"
        )
        return rec.model_copy(
            update={"reasons": (*rec.reasons, f"auto-pause is allowed but not planned: {why}")}
        )
    block = config.plan_step_s // step_s
    risk = np.asarray(risk_acu, dtype=np.float64)[: len(rec.steps) * block]
    idle_days, history_only = 0, np.zeros(len(risk), dtype=bool)
    if history_acu is not None:  # a time of day idle on (nearly) every past day pauses
        idle, idle_days = seasonal_idle(
            history_acu,
            n_steps=len(risk),
            season_steps=max(config.forecast.season_s // step_s, 1),
            quantile=config.risk_quantile,
            max_seasons=config.forecast.max_history_s // config.forecast.season_s,
        )
        history_only = idle & (risk > IDLE_ACU)  # idle by the history only, not by the forecast
        risk = np.where(idle, 0.0, risk)
    wait = int(np.ceil(timer / step_s))
    before = idle_before_s // step_s
    paused = np.zeros(len(risk), dtype=bool)
    windows = []
    for a, b in _idle_runs(risk <= IDLE_ACU):
        lead = before if a == 0 else 0  # idle history steps just before the horizon
        if (b - a + lead) * step_s > timer:
            paused[max(a + wait - lead, a) : b] = True
            windows.append((a, b))
    zero = [
        t
        for t, s in enumerate(rec.steps)
        if s.min_capacity_acu <= RUNNING_MIN_ACU
        and all(any(a <= k < b for a, b in windows) for k in range(t * block, (t + 1) * block))
    ]
    if not zero:
        return rec.model_copy(
            update={
                "reasons": (
                    *rec.reasons,
                    f"auto-pause is allowed (MinCapacity 0) but the {q} forecast is never idle for longer "
                    f"than SecondsUntilAutoPause ({timer} s) in this horizon, so MinCapacity is never 0 "
                    f"here (at least {RUNNING_MIN_ACU:g} ACU): any connection resets the idle timer",
                )
            }
        )
    seasonal = bool(idle_days) and bool(np.any(paused & history_only))
    paused_rec = _paused(
        rec, zero, paused, risk, windows, block=block, step_s=step_s, cluster=cluster, config=config,
        q=f"{q} forecast (or the time of day's history, below)" if seasonal else f"{q} forecast",
    )  # fmt: skip
    if not seasonal:
        return paused_rec
    least = math.ceil(config.risk_quantile * (idle_days + 1))
    note = (
        f"the {q} of demand at these times of day is 0: it was idle on at least {least} of {idle_days} "
        "observed past days, so it pauses there whatever the forecasting model smooths in"
    )
    return paused_rec.model_copy(update={"reasons": (*paused_rec.reasons, note)})


def _paused(
    rec: Recommendation,
    zero: list[int],
    paused: npt.NDArray[np.bool_],
    risk: FloatArray,
    windows: list[tuple[int, int]],
    *,
    block: int,
    step_s: int,
    cluster: ClusterSpec,
    config: PolicyConfig,
    q: str,
) -> Recommendation:
    resume_s = config.scaler.resume_s
    steps: list[PlanStep] = []
    saved_acu_h = 0.0
    for t, s in enumerate(rec.steps):
        if t not in zero:
            steps.append(s)
            continue
        share = float(np.mean(paused[t * block : (t + 1) * block]))  # of the step spent paused
        saved_acu_h += s.capacity_acu * share * config.plan_step_s / 3600.0
        steps.append(
            s.model_copy(
                update={
                    # the risk planned at (0 where the time of day's history said idle)
                    "demand_risk_acu": min(s.demand_risk_acu, float(risk[t * block : (t + 1) * block].max())),
                    "min_capacity_acu": 0.0,
                    "writer_acu": s.writer_acu * (1 - share),
                    "failover_reader_acu": s.failover_reader_acu * (1 - share),
                    "extra_reader_acu_by_az": {
                        k: v * (1 - share) for k, v in s.extra_reader_acu_by_az.items()
                    },
                    "capacity_acu": s.capacity_acu * (1 - share),
                }
            )
        )
    resumes = 0
    for a, b in windows:  # demand comes back at history step b after a lull that paused
        if (
            b >= len(risk)
            or not np.any(paused[a:b])
            or not any(a // block <= t < b // block + 1 for t in zero)
        ):
            continue
        t = b // block
        wait = float(risk[b]) * resume_s / config.plan_step_s
        steps[t] = steps[t].model_copy(update={"shortfall_acu": steps[t].shortfall_acu + wait})
        resumes += 1
    first, last = rec.steps[zero[0]].start, rec.steps[zero[-1]].start + timedelta(seconds=config.plan_step_s)
    timer = cluster.limits.seconds_until_auto_pause
    reason = (
        f"MinCapacity 0 (auto-pause) in {len(zero)} of {len(steps)} steps between {first:%H:%M} and "
        f"{last:%H:%M} UTC: the {q} is idle for longer than SecondsUntilAutoPause ({timer} s), "
        f"so the writer and its tier-1 reader pause {timer} s into the lull and cost nothing "
        f"({saved_acu_h:.2f} ACU-h saved)"
    )
    if resumes:
        reason += (
            f"; the first request after it waits about {resume_s:g} s for the resume, counted as unserved "
            "(shortfall in the step demand returns)"
        )
    new = tuple(steps)
    # The running plan's "MinCapacity stays at 0.5 ACU" holds only while the cluster runs.
    kept = tuple(f"while it runs, {r}" if r.startswith("MinCapacity stays at") else r for r in rec.reasons)
    return rec.model_copy(
        update={
            "steps": new,
            "settings": aurora_settings(new, rec.failover_az_id, cluster, config),
            "expected_cost_usd": max(
                rec.expected_cost_usd - saved_acu_h * cluster.price_usd_per_acu_hour, 0.0
            ),
            "reasons": (*kept, reason),
        }
    )
