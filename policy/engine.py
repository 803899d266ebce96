"""The decision path every surface calls: history -> forecast -> plan -> Recommendation.

Owns :func:`recommend`. HTTP, replay and library callers all come through here
(STYLE.md principle 2). Pure: ``now`` is passed in, nothing reads a clock or a file.
Imports ``forecasting`` and ``placement``; never ``service`` or ``traces``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt

from forecasting import ForecastWarning, forecast_demand
from placement import PreviousLayout
from policy.config import PolicyConfig
from policy.errors import InvalidRequestError
from policy.plan import aggregate_max, plan_recommendation
from policy.types import ClusterSpec, Recommendation


def horizon_steps(config: PolicyConfig, step_s: int) -> tuple[int, int]:
    """Return (trace steps per plan step, horizon in trace steps) for ``step_s``.

    The horizon is rounded up to whole plan steps.

    Raises:
        InvalidRequestError: if ``config.plan_step_s`` is not a multiple of ``step_s``.
    """
    if step_s <= 0:
        raise InvalidRequestError(f"step_s must be > 0, got {step_s}")
    if config.plan_step_s % step_s:
        raise InvalidRequestError(
            f"config.plan_step_s={config.plan_step_s} must be a multiple of step_s={step_s}"
        )
    block = config.plan_step_s // step_s
    n_plan = math.ceil(config.horizon_s / config.plan_step_s)
    return block, n_plan * block


def validate_history(history_acu: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Check a demand history and return it as float64.

    Args:
        history_acu: demand per step, shape (n_steps,), ACU; NaN marks a missing step.

    Returns:
        The history as a float64 array of shape (n_steps,).

    Raises:
        InvalidRequestError: not 1-D, empty, all missing, infinite or negative values
            (the message names ``history_acu`` and the index).
    """
    arr = np.asarray(history_acu, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidRequestError(f"history_acu must be a non-empty 1-D array, got shape {arr.shape}")
    if np.all(np.isnan(arr)):
        raise InvalidRequestError("history_acu has no observed step (all values are missing)")
    bad = np.flatnonzero(np.isinf(arr) | (arr < 0))
    if bad.size:
        i = int(bad[0])
        raise InvalidRequestError(f"history_acu[{i}] = {arr[i]} must be finite and >= 0")
    return arr


def validate_previous(previous: PreviousLayout | None, cluster: ClusterSpec) -> None:
    """Check that a deployed layout fits the cluster it is said to belong to.

    Args:
        previous: the deployed layout, or None.
        cluster: the cluster.

    Raises:
        InvalidRequestError: a floor outside [min_acu, max_acu], an AZ that is not in
            the topology, or a failover reader in the writer's AZ (the message names
            the ``previous.*`` field).
    """
    if previous is None:
        return
    limits, topo = cluster.limits, cluster.topology
    if not limits.min_acu <= previous.writer_acu <= limits.max_acu:
        raise InvalidRequestError(
            f"previous.writer_acu={previous.writer_acu} is outside "
            f"[limits.min_acu={limits.min_acu}, limits.max_acu={limits.max_acu}]"
        )
    unknown = sorted(set(previous.extra_readers_by_az) - set(topo.az_ids))
    if unknown:
        raise InvalidRequestError(
            f"previous.extra_readers_by_az names AZs {unknown} not in topology.az_ids {list(topo.az_ids)}"
        )
    if any(n < 0 for n in previous.extra_readers_by_az.values()):
        raise InvalidRequestError("previous.extra_readers_by_az counts must be >= 0")
    fo = previous.failover_az_id
    if fo is not None and (fo not in topo.az_ids or fo == topo.writer_az_id):
        raise InvalidRequestError(
            f"previous.failover_az_id={fo!r} must be an AZ of topology.az_ids other than "
            f"the writer's ({topo.writer_az_id!r})"
        )


def recommend(
    history_acu: npt.ArrayLike | Sequence[float],
    *,
    now: datetime,
    step_s: int = 300,
    cluster: ClusterSpec | None = None,
    config: PolicyConfig | None = None,
    previous: PreviousLayout | None = None,
) -> Recommendation:
    """Recommend ACU floors and a reader layout for the horizon starting at ``now``.

    Steps: forecast demand quantiles from the history (``forecasting``), aggregate them
    to the plan step by the max, solve the placement problem at the risk quantile
    (``placement``), and translate the plan into Aurora settings with its cost, risk
    and reasons. Deterministic for a fixed input.

    Args:
        history_acu: demand per step ending at ``now``, shape (n_steps,), ACU; NaN for
            missing steps. The last element covers [now - step_s, now).
        now: decision time, timezone-aware (the plan starts here).
        step_s: history step, seconds; ``config.plan_step_s`` must be a multiple.
        cluster: the cluster; defaults to :class:`ClusterSpec()`.
        config: policy configuration; defaults to :class:`PolicyConfig()`.
        previous: the layout deployed now (churn penalties, warm start, fail-safe floor).

    Returns:
        A :class:`Recommendation` with ``ceil(horizon_s / plan_step_s)`` plan steps.

    Raises:
        InvalidRequestError: bad history, naive ``now``, incompatible steps, or a
            ``previous`` layout that does not fit ``cluster``.
        forecasting.ForecastingError: input errors found by the forecaster (ValueError).
    """
    cluster = cluster or ClusterSpec()
    config = config or PolicyConfig()
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidRequestError(f"now must be timezone-aware, got {now.isoformat()}")
    history = validate_history(history_acu)
    validate_previous(previous, cluster)
    block, horizon = horizon_steps(config, step_s)
    with warnings.catch_warnings():
        # Fallbacks are reported on the Recommendation, not as process-wide warnings.
        warnings.simplefilter("ignore", ForecastWarning)
        fc = forecast_demand(
            history, step_s=step_s, horizon=horizon, quantiles=config.quantiles, config=config.forecast
        )
    return plan_recommendation(
        aggregate_max(np.asarray(fc.demand_acu, dtype=np.float64), block),
        quantiles=tuple(fc.quantiles),
        start=now,
        cluster=cluster,
        config=config,
        previous=previous,
        forecast_model=fc.model,
        warnings=tuple(fc.warnings),
    )
