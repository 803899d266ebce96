"""Sweep acuplan's risk knob over one series: the points of a cost-versus-violation frontier.

Owns :func:`sweep_risk_quantile`. Every variant differs from ``acuplan`` only in
``policy.risk_quantile``; they run in lock-step and share **one forecast per decision**
(requested for the union of their quantiles), then each solves its own plan from its
own deployed layout. Sharing makes a sweep cost one forecast plus one solve per point
instead of a full replay per point. Each variant then runs the production rules after the
forecast (:func:`policy.engine.decide`: the data-quality hold, auto-pause). Because
``forecast_demand`` picks its model by the pinball loss of the quantiles it is asked for,
a swept point can differ slightly from a production ``acuplan`` run at the same quantile;
the bench plots the production point beside the sweep so any gap shows. Pure: no clock
except perf_counter timings.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from placement import PreviousLayout
from policy.config import ReplayConfig
from policy.steps import decision_windows
from policy.trace_replay.apply import at_risk_quantile, decision_from_forecast, shared_forecast
from policy.trace_replay.decision import Decision
from policy.trace_replay.run import PolicyRun, Progress, finish_run, scored_window
from policy.types import ClusterSpec

SWEEP_NAME = "acuplan@q{q:g}"
"""Name of a swept acuplan variant in results, e.g. ``acuplan@q0.8``."""


def sweep_risk_quantile(
    demand_acu: npt.ArrayLike,
    *,
    start: datetime,
    step_s: int,
    cluster: ClusterSpec,
    config: ReplayConfig,
    risk_quantiles: Sequence[float],
    progress: Progress | None = None,
) -> list[PolicyRun]:
    """Replay acuplan at each risk quantile, sharing one forecast per decision.

    Args:
        demand_acu: demand per step, shape (n_steps,), ACU; NaN marks missing steps.
        start: start of the first step, timezone-aware.
        step_s: step length, seconds.
        cluster: the simulated cluster.
        config: replay configuration; each variant replaces ``policy.risk_quantile``.
        risk_quantiles: the swept values, each in (0.5, 1).
        progress: optional callback ``("acuplan-sweep", done, total)``.

    Returns:
        One :class:`PolicyRun` per quantile, in the given order, named by
        :data:`SWEEP_NAME`.
    """
    demand = np.asarray(demand_acu, dtype=np.float64)
    first, every = scored_window(demand, step_s=step_s, config=config, policies=("acuplan",))
    variants = [at_risk_quantile(config, q) for q in risk_quantiles]
    decisions: list[list[Decision]] = [[] for _ in variants]
    times: list[list[float]] = [[] for _ in variants]
    previous: list[PreviousLayout | None] = [None for _ in variants]
    starts = decision_windows(len(demand), first=first, every=every)
    t_run = time.perf_counter()
    for k, (i, n_steps) in enumerate(starts):
        now = start + timedelta(seconds=i * step_s)
        t0 = time.perf_counter()
        shared = shared_forecast(demand[:i], now=now, step_s=step_s, cluster=cluster, variants=variants)
        forecast_s = (time.perf_counter() - t0) / len(variants)
        for v, cfg in enumerate(variants):
            t1 = time.perf_counter()
            d = decision_from_forecast(
                shared,
                history_acu=demand[:i],
                now=now,
                step_s=step_s,
                n_steps=n_steps,
                cluster=cluster,
                config=cfg,
                previous=previous[v],
            )
            decisions[v].append(d)
            previous[v] = d.layout
            times[v].append(forecast_s + time.perf_counter() - t1)
        if progress is not None:
            progress("acuplan-sweep", k + 1, len(starts))
    wall = (time.perf_counter() - t_run) / len(variants)
    return [
        finish_run(
            SWEEP_NAME.format(q=q),
            decisions[v],
            times[v],
            demand[first:],
            step_s=step_s,
            cluster=cluster,
            config=cfg,
            wall_s=wall,
        )
        for v, (q, cfg) in enumerate(zip(risk_quantiles, variants, strict=True))
    ]
