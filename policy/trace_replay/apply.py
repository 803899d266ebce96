"""Apply a Recommendation to a replay: the settings a user acting on the advice would set.

Owns :func:`decision_from_recommendation` (used by ``acuplan``'s replay and its risk
sweep), :func:`shared_forecast` and :func:`decision_from_forecast` (plans made from one
forecast shared by several quantiles: the risk sweep and the posture's shadows, each
variant :func:`at_risk_quantile`) and :func:`user_floor` (the
MinCapacity a user has without acuplan). Pure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from placement import PreviousLayout
from policy.config import ReplayConfig
from policy.engine import decide, forecast_quantiles, history_quality, horizon_steps
from policy.settings import floor_at
from policy.trace_replay.decision import Decision
from policy.types import ClusterSpec, DemandContext, Recommendation

NO_CONTEXT = DemandContext()
"""Replay plans from demand alone: no working set, no source flags."""


def user_floor(cluster: ClusterSpec, config: ReplayConfig) -> float:
    """The fixed MinCapacity a user has without acuplan, ACU (0 means auto-pause)."""
    limits = cluster.limits
    floor = config.reactive_floor_acu if config.reactive_floor_acu is not None else limits.min_acu
    return min(floor, limits.max_acu)


def _readers_ahead(
    rec: Recommendation, *, step_s: int, n_steps: int, lead: int, az: str | None
) -> npt.NDArray[np.int64]:
    """Read-scaling readers per trace step, each created ``lead`` steps before it is needed.

    Trace step j gets the largest count the plan needs in steps j..j+lead (in ``az``
    only, when given).
    """
    last = len(rec.steps) - 1

    def count(i: int) -> int:
        by_az = rec.steps[min(i * step_s // rec.step_s, last)].extra_readers_by_az
        return by_az.get(az, 0) if az is not None else sum(by_az.values())

    return np.array([max(count(k) for k in range(j, j + lead + 1)) for j in range(n_steps)], dtype=np.int64)


def decision_from_recommendation(
    rec: Recommendation,
    *,
    now: datetime,
    step_s: int,
    n_steps: int,
    cluster: ClusterSpec,
    config: ReplayConfig,
) -> Decision:
    """Apply a Recommendation's Aurora settings to the next ``n_steps`` trace steps.

    The floors come from ``rec.settings.capacity_changes``, exactly what a user acting on
    the advice would set. Read-scaling readers are created
    ``scaler.reader_create_s`` before the step that needs them, as a user reading each
    reader's ``needed_from`` would (a new reader serves only after that lead time).
    """
    changes = rec.settings.capacity_changes
    floors = np.array([floor_at(changes, now + timedelta(seconds=j * step_s)) for j in range(n_steps)])
    lead = math.ceil(config.scaler.reader_create_s / step_s)
    extras = _readers_ahead(rec, step_s=step_s, n_steps=n_steps, lead=lead, az=None)
    writer_az = cluster.topology.writer_az_id
    in_writer_az = _readers_ahead(rec, step_s=step_s, n_steps=n_steps, lead=lead, az=writer_az)
    last = rec.steps[min((n_steps - 1) * step_s // rec.step_s, len(rec.steps) - 1)]
    return Decision(
        floor_acu=floors.astype(np.float64),
        max_acu=cluster.limits.max_acu,
        n_extra_readers=extras,
        has_failover=rec.failover_az_id is not None,
        layout=PreviousLayout(
            writer_acu=floors[-1],
            extra_readers_by_az=dict(last.extra_readers_by_az),
            failover_az_id=rec.failover_az_id,
        ),
        fail_safe=rec.is_fail_safe,
        solve_s=rec.solver.solve_time_s,
        n_extra_readers_writer_az=in_writer_az,
    )


def at_risk_quantile(config: ReplayConfig, q: float) -> ReplayConfig:
    """``config`` with acuplan planning (``planning_config``) at risk quantile ``q``."""
    return config.model_copy(
        update={"policy": config.planning_config.model_copy(update={"risk_quantile": q})}
    )


@dataclass(frozen=True)
class SharedForecast:
    """One forecast made for the quantiles of several variants (the risk sweep, the shadows).

    Attributes:
        demand_acu: forecast demand, shape (len(quantiles), horizon steps), ACU.
        quantiles: the ascending union of the variants' ``policy.quantiles``.
        model: the model that made it.
        warnings: the forecast's warnings.
    """

    demand_acu: npt.NDArray[np.float64]
    quantiles: tuple[float, ...]
    model: str
    warnings: tuple[str, ...]


def shared_forecast(
    history_acu: npt.NDArray[np.float64],
    *,
    now: datetime,
    step_s: int,
    cluster: ClusterSpec,
    variants: Sequence[ReplayConfig],
) -> SharedForecast:
    """Forecast once for every quantile the ``variants`` plan with (horizon and options of the first).

    Raises:
        InsufficientHistoryError, InvalidRequestError: see :func:`policy.engine.forecast_quantiles`.
    """
    union = tuple(sorted({q for v in variants for q in v.policy.quantiles}))
    _, horizon = horizon_steps(variants[0].policy, step_s)
    demand, model, warned = forecast_quantiles(
        history_acu,
        now=now,
        step_s=step_s,
        horizon=horizon,
        quantiles=union,
        cluster=cluster,
        config=variants[0].policy.forecast,
    )
    return SharedForecast(demand, union, model, warned)


def decision_from_forecast(
    forecast: SharedForecast,
    *,
    history_acu: npt.NDArray[np.float64],
    now: datetime,
    step_s: int,
    n_steps: int,
    cluster: ClusterSpec,
    config: ReplayConfig,
    previous: PreviousLayout | None,
) -> Decision:
    """Plan at ``config.policy.risk_quantile`` from a forecast made for several quantiles at once.

    Runs what :func:`policy.recommend` runs after its forecast (:func:`policy.engine.decide`:
    the data-quality hold, the floor plan, auto-pause) on the rows of ``forecast`` that
    ``config.policy.quantiles`` needs, then applies the plan with
    :func:`decision_from_recommendation`. Because the forecaster picks its model by the
    pinball loss of the quantiles it was asked for, the plan can differ slightly from a
    :func:`policy.recommend` at the same quantile.

    Args:
        forecast: from :func:`shared_forecast`; its quantiles must hold every one of
            ``config.policy.quantiles`` (else ValueError from ``tuple.index``).
        history_acu: demand history ending at ``now``, shape (n,), ACU; NaN = missing.
        now: decision time (UTC).
        step_s: trace step, seconds.
        n_steps: trace steps the decision covers.
        cluster: the simulated cluster.
        config: the replay configuration (its ``policy`` plans).
        previous: the layout deployed now, or None.

    Returns:
        The :class:`Decision`, ``risk_quantile`` set to the quantile planned at.
    """
    planning = config.policy
    rec = decide(
        forecast.demand_acu[[forecast.quantiles.index(q) for q in planning.quantiles]],
        forecast_model=forecast.model,
        forecast_warnings=forecast.warnings,
        history=history_acu,
        now=now,
        step_s=step_s,
        cluster=cluster,
        config=planning,
        previous=previous,
        quality=history_quality(
            history_acu, now=now, step_s=step_s, config=planning, context=NO_CONTEXT, previous=previous
        ),
        context=NO_CONTEXT,
    )
    d = decision_from_recommendation(
        rec, now=now, step_s=step_s, n_steps=n_steps, cluster=cluster, config=config
    )
    return replace(d, risk_quantile=planning.risk_quantile)
