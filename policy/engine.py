"""The decision path every surface calls: history -> forecast -> plan -> Recommendation.

Owns :func:`recommend`. HTTP, replay and library callers all come through here
(one decision path for every caller). Pure: ``now`` is passed in, nothing reads a clock or a file.
Imports ``forecasting`` and ``placement``; never ``service`` or ``traces``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError

from forecasting import (
    ForecastConfig,
    ForecastingError,
    ForecastWarning,
    InvalidHistoryError,
    QuantileForecast,
    forecast_demand,
)
from forecasting import InsufficientHistoryError as ForecastInsufficient
from forecasting.validation import check_history
from placement import (
    MAX_HORIZON_STEPS,
    CapacityLimits,
    PlacementOptions,
    PreviousLayout,
    is_on_half_acu_grid,
)
from policy.autopause import plan_auto_pause
from policy.config import PolicyConfig
from policy.errors import InsufficientHistoryError, InvalidRequestError
from policy.localtime import from_local, local_horizon, to_local
from policy.lull import keep_level_through_lull
from policy.plan import MAX_CAPACITY_SETTING, plan_from_forecast, writer_need_acu
from policy.quality import assess_history
from policy.settings import max_capacity_remedy
from policy.steps import check_step_s
from policy.types import ClusterSpec, DataQuality, DemandContext, Recommendation, quantile_label

MAX_DEMAND_ACU = 1_000_000.0
"""Demand above this is rejected as bad input: the largest Aurora cluster holds
16 instances x 256 ACU = 4,096 ACU (sources: aurora-capacity, aurora-ha), so 10^6 ACU is a unit error."""


def horizon_steps(config: PolicyConfig, step_s: int) -> tuple[int, int]:
    """Return (trace steps per plan step, horizon in trace steps) for ``step_s``.

    The horizon is rounded up to whole plan steps.

    Raises:
        InvalidRequestError: if ``step_s`` is not a positive integer dividing
            ``config.plan_step_s``.
    """
    block = check_step_s(step_s, config.plan_step_s)
    n_plan = math.ceil(config.horizon_s / config.plan_step_s)
    return block, n_plan * block


def validate_history(history_acu: npt.ArrayLike, field: str = "history_acu") -> npt.NDArray[np.float64]:
    """Check a demand history and return it as float64.

    Args:
        history_acu: demand per step, shape (n_steps,), ACU; NaN marks a missing step.
        field: the caller's name for it, in the errors (``demand_acu`` for advice).

    Returns:
        The history as a float64 array of shape (n_steps,).

    Raises:
        InvalidRequestError: (field ``field``) the rules of
            ``forecasting.validation.check_history`` (not 1-D or numeric, empty, all
            missing, infinite or negative values; the message names the index), or a value
            above :data:`MAX_DEMAND_ACU`.
    """
    try:
        arr = check_history(history_acu)
    except (InvalidHistoryError, ForecastInsufficient) as exc:
        raise InvalidRequestError(str(exc).replace("history_acu", field), field) from None
    too_big = np.flatnonzero(arr > MAX_DEMAND_ACU)
    if too_big.size:
        i = int(too_big[0])
        raise InvalidRequestError(f"{field}[{i}]={float(arr[i])!r} must be <= {MAX_DEMAND_ACU:g} ACU", field)
    return arr


def validate_previous(previous: PreviousLayout | None, cluster: ClusterSpec) -> None:
    """Check that a deployed layout fits the cluster it is said to belong to.

    Args:
        previous: the deployed layout, or None.
        cluster: the cluster.

    Raises:
        InvalidRequestError: a floor outside [min_acu, max_acu], an AZ that is not in
            the topology, a failover reader in the writer's AZ, a secondary region's floor
            off the 0.5-ACU grid or outside [min_acu, max_acu] (the limits are every
            region's), or a negative reader count in a secondary region (the message names
            the ``previous.*`` field, e.g. ``previous.secondary_floor_acu.eu-west-2``).
    """
    if previous is None:
        return
    limits, topo = cluster.limits, cluster.topology
    if not limits.min_acu <= previous.writer_acu <= limits.max_acu:
        raise InvalidRequestError(
            f"previous.writer_acu={previous.writer_acu} is outside "
            f"[limits.min_acu={limits.min_acu}, limits.max_acu={limits.max_acu}]",
            "previous.writer_acu",
        )
    readers = "previous.extra_readers_by_az"
    unknown = sorted(set(previous.extra_readers_by_az) - set(topo.az_ids))
    if unknown:
        raise InvalidRequestError(
            f"{readers} names AZs {unknown} not in topology.az_ids {list(topo.az_ids)}", readers
        )
    if any(n < 0 for n in previous.extra_readers_by_az.values()):
        raise InvalidRequestError(f"{readers} counts must be >= 0", readers)
    total = sum(previous.extra_readers_by_az.values()) + (previous.failover_az_id is not None)
    if total > limits.max_readers:
        raise InvalidRequestError(
            f"previous layout has {total} readers, more than limits.max_readers={limits.max_readers}",
            readers,
        )
    fo = previous.failover_az_id
    if fo is not None and (fo not in topo.az_ids or fo == topo.writer_az_id):
        raise InvalidRequestError(
            f"previous.failover_az_id={fo!r} must be an AZ of topology.az_ids other than "
            f"the writer's ({topo.writer_az_id!r})",
            "previous.failover_az_id",
        )
    _validate_previous_secondaries(previous, limits)


def _validate_previous_secondaries(previous: PreviousLayout, limits: CapacityLimits) -> None:
    """The secondary regions' part of :func:`validate_previous` (a negative floor was a 500)."""
    for region, floor in previous.secondary_floor_acu.items():
        field = f"previous.secondary_floor_acu.{region}"
        if not is_on_half_acu_grid(floor) or not limits.min_acu <= floor <= limits.max_acu:
            raise InvalidRequestError(
                f"{field}={floor:g} must be a multiple of 0.5 ACU in [limits.min_acu={limits.min_acu:g}, "
                f"limits.max_acu={limits.max_acu:g}] (the limits are every region's)",
                field,
            )
    for region, by_az in previous.secondary_readers_by_az.items():
        for az, n in by_az.items():
            if n < 0:
                field = f"previous.secondary_readers_by_az.{region}.{az}"
                raise InvalidRequestError(f"{field}={n} must be >= 0", field)


def validate_cluster_config(cluster: ClusterSpec, config: PolicyConfig) -> None:
    """Reject hard-constraint combinations no plan can meet, before solving.

    Args:
        cluster: the cluster.
        config: the policy configuration.

    Raises:
        InvalidRequestError: ``config.min_azs`` above the AZs that can hold an instance,
            a required failover reader with ``limits.max_readers`` = 0, or a horizon of
            more than :data:`placement.MAX_HORIZON_STEPS` plan steps (``config.horizon_s``).
    """
    n_plan = math.ceil(config.horizon_s / config.plan_step_s)
    if n_plan > MAX_HORIZON_STEPS:
        raise InvalidRequestError(
            f"config.horizon_s={config.horizon_s} is {n_plan} plan steps of config.plan_step_s="
            f"{config.plan_step_s} s; the optimiser takes at most {MAX_HORIZON_STEPS}: shorten the "
            "horizon or lengthen the plan step",
            "config.horizon_s",
        )
    limits, n_azs = cluster.limits, len(cluster.topology.az_ids)
    if config.require_failover_reader and limits.max_readers < 1:
        raise InvalidRequestError(
            "cluster.limits.max_readers=0 leaves no room for the failover reader that "
            "config.require_failover_reader asks for",
            "cluster.limits.max_readers",
        )
    per_az = limits.max_extra_readers_per_az > 0 or config.require_failover_reader
    reachable = 1 + min(n_azs - 1, limits.max_readers if per_az else 0)
    if config.min_azs > reachable:
        raise InvalidRequestError(
            f"config.min_azs={config.min_azs} cannot be met: instances can be in at most {reachable} "
            f"AZ(s) with {n_azs} AZs in cluster.topology.az_ids, limits.max_readers="
            f"{limits.max_readers} and limits.max_extra_readers_per_az={limits.max_extra_readers_per_az}",
            "config.min_azs",
        )


def check_now(now: object, horizon_s: int) -> None:
    """Check that ``now`` is a timezone-aware datetime whose horizon is representable.

    Raises:
        InvalidRequestError: not a datetime, naive, before 1970-01-01 UTC (the epoch every
            stored and exported time counts from; the HTTP service refuses it too), or so
            late that ``now + horizon_s`` overflows.
    """
    if not isinstance(now, datetime):
        raise InvalidRequestError(f"now must be a timezone-aware datetime, got {type(now).__name__}", "now")
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidRequestError(f"now must be timezone-aware, got {now.isoformat()}", "now")
    if now < datetime(1970, 1, 1, tzinfo=UTC):
        raise InvalidRequestError(f"now={now.isoformat()} must be at or after 1970-01-01T00:00:00Z", "now")
    try:
        now + timedelta(seconds=horizon_s)
    except OverflowError:
        raise InvalidRequestError(
            f"now={now.isoformat()} is too late: the horizon ends past year 9999", "now"
        ) from None


def forecast_or_raise(
    history: npt.NDArray[np.float64],
    *,
    step_s: int,
    horizon: int,
    quantiles: tuple[float, ...],
    config: ForecastConfig,
) -> QuantileForecast:
    """Forecast demand quantiles; the forecaster's input errors become policy errors.

    Args:
        history: validated demand history, shape (n,), ACU.
        step_s: its step, seconds.
        horizon: steps to forecast.
        quantiles: ascending quantiles in (0, 1).
        config: forecasting options.

    Returns:
        The quantile forecast, shape (n_quantiles, horizon); fallbacks are on its
        ``warnings`` (never process-wide warnings).

    Raises:
        InsufficientHistoryError: too little observed history (e.g. after a long gap).
        InvalidRequestError: another input the forecaster rejects (field ``history_acu``
            or the parameter it names).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForecastWarning)
        try:
            return forecast_demand(
                history, step_s=step_s, horizon=horizon, quantiles=quantiles, config=config
            )
        except ForecastInsufficient as exc:
            raise InsufficientHistoryError(str(exc), "history_acu") from None
        except ForecastingError as exc:
            if not isinstance(exc, ValueError):
                raise
            raise InvalidRequestError(str(exc), "history_acu") from None


def forecast_quantiles(
    history: npt.NDArray[np.float64],
    *,
    now: datetime,
    step_s: int,
    horizon: int,
    quantiles: tuple[float, ...],
    cluster: ClusterSpec,
    config: ForecastConfig,
) -> tuple[npt.NDArray[np.float64], str, tuple[str, ...]]:
    """Forecast demand quantiles for the next ``horizon`` UTC steps, seasons in the cluster's clock.

    With ``cluster.timezone`` the history is put on the local wall-clock grid, forecast
    there and read back onto UTC steps (:mod:`policy.localtime`), so a 09:00 peak stays at
    09:00 local across a daylight-saving switch; without, seasons are learnt in UTC. Through
    a lull of up to a day after an unprecedented drop, the quantiles above p50 keep the level
    before it (:func:`policy.lull.keep_level_through_lull`, its ``lull:`` warning).

    Args:
        history: validated demand history ending at ``now``, shape (n,), ACU.
        now: end of the history, start of the forecast (timezone-aware).
        step_s: step length, seconds.
        horizon: UTC steps to forecast.
        quantiles: ascending quantiles in (0, 1).
        cluster: the cluster (its ``timezone``).
        config: forecasting options.

    Returns:
        (quantiles x horizon array, the model name, the forecast's warnings).

    Raises:
        InsufficientHistoryError, InvalidRequestError: see :func:`forecast_or_raise`.
    """
    values, model, warned = _forecast_on_clock(
        history, now=now, step_s=step_s, horizon=horizon, quantiles=quantiles, cluster=cluster, config=config
    )
    kept, lull = keep_level_through_lull(
        history, values, quantiles, step_s=step_s, model=model, config=config
    )
    return kept, model, (*warned, lull) if lull else warned


def _forecast_on_clock(
    history: npt.NDArray[np.float64],
    *,
    now: datetime,
    step_s: int,
    horizon: int,
    quantiles: tuple[float, ...],
    cluster: ClusterSpec,
    config: ForecastConfig,
) -> tuple[npt.NDArray[np.float64], str, tuple[str, ...]]:
    """The forecaster's quantiles on UTC steps, made in the cluster's clock (:func:`forecast_quantiles`)."""
    if cluster.timezone is None:
        fc = forecast_or_raise(history, step_s=step_s, horizon=horizon, quantiles=quantiles, config=config)
        return np.asarray(fc.demand_acu, dtype=np.float64), fc.model, tuple(fc.warnings)
    tz = ZoneInfo(cluster.timezone)
    local, last = to_local(history, end_utc=now, step_s=step_s, tz=tz)
    h_local = local_horizon(last_local=last, end_utc=now, horizon=horizon, step_s=step_s, tz=tz)
    fc = forecast_or_raise(local, step_s=step_s, horizon=h_local, quantiles=quantiles, config=config)
    values = from_local(
        np.asarray(fc.demand_acu, dtype=np.float64),
        last_local=last,
        end_utc=now,
        horizon=horizon,
        step_s=step_s,
        tz=tz,
    )
    return values, fc.model, tuple(fc.warnings)


def recommend(
    history_acu: npt.ArrayLike | Sequence[float],
    *,
    now: datetime,
    step_s: int = 300,
    cluster: ClusterSpec | None = None,
    config: PolicyConfig | None = None,
    previous: PreviousLayout | None = None,
    context: DemandContext | None = None,
) -> Recommendation:
    """Recommend ACU floors and a reader layout for the horizon starting at ``now``.

    Steps: forecast demand quantiles from the history (``forecasting``); find the
    MinCapacity Aurora's own scaler needs to reach the risk quantile in time, and the
    capacity it holds anyway (:func:`policy.plan.plan_from_forecast`, one model of the
    scaler shared with the replay); solve the placement problem on the plan-step grid
    (``placement``); translate the plan into Aurora settings with its cost, risk and
    reasons; and, when ``cluster.limits.min_acu`` is 0 (auto-pause allowed), set
    MinCapacity 0 only in plan steps the forecast says are idle for longer than
    ``limits.seconds_until_auto_pause`` (:func:`policy.autopause.plan_auto_pause`: paused
    capacity costs nothing, the ~15-s resume is counted as unserved). Deterministic for
    a fixed input.

    Args:
        history_acu: demand per step ending at ``now``, shape (n_steps,), ACU; NaN for
            missing steps. The last element covers [now - step_s, now).
        now: decision time, timezone-aware (the plan starts here).
        step_s: history step, seconds; ``config.plan_step_s`` must be a multiple.
        cluster: the cluster (a ClusterSpec or a dict of its fields); default ClusterSpec().
        config: policy configuration (PolicyConfig or dict); default PolicyConfig().
        previous: the layout deployed now (churn penalties, warm start, fail-safe floor,
            and the floor a plan made from untrustworthy data holds).
        context: what the sources said besides demand: the memory working set (kept as a
            floor), which signal binds, and problems such as a CloudWatch query that came
            back ``PartialData`` (then, as with a stale or thin history,
            :func:`policy.quality.assess_history`, the plan holds ``previous``'s floor
            and readers and the Recommendation's ``data_quality`` says why).

    Returns:
        A :class:`Recommendation` with ``ceil(horizon_s / plan_step_s)`` plan steps. When
        the history already needs more than MaxCapacity on the writer, its ``warnings``
        say so, naming the observed peak and ``cluster.limits.max_acu``
        (:func:`observed_beyond_max_warning`); the plan is the same either way.

    Raises:
        InvalidRequestError: bad history, a naive or non-datetime ``now``, incompatible
            steps, a horizon of more plan steps than the optimiser takes
            (``config.horizon_s``), a ``previous`` layout that does not fit ``cluster``, or
            hard constraints no plan can meet (the error's ``field`` names the input).
        InsufficientHistoryError: too little observed history to forecast from, or none at
            all in the 24 h before ``now`` without a ``previous`` layout to hold.
        pydantic.ValidationError: ``cluster``/``config``/``previous`` given as invalid
            dicts (a ValueError), among them ``cluster.placement`` breaking a region rule
            (located at ``placement.<field>``: :class:`~policy.types.ClusterSpec`; a
            ClusterSpec instance is checked again, so a ``model_copy`` cannot skip it).
    """
    cluster = ClusterSpec.model_validate(cluster if cluster is not None else {})
    context = DemandContext.model_validate(context if context is not None else {})
    config = PolicyConfig.model_validate(config if config is not None else {})
    previous = PreviousLayout.model_validate(previous) if previous is not None else None
    check_now(now, config.horizon_s)
    history = validate_history(history_acu)
    validate_previous(previous, cluster)
    validate_cluster_config(cluster, config)
    _, horizon = horizon_steps(config, step_s)
    quality = history_quality(
        history, now=now, step_s=step_s, config=config, context=context, previous=previous,
        max_capacity_acu=cluster.limits.max_acu,
    )  # fmt: skip
    demand_q, model, warned = forecast_quantiles(
        history,
        now=now,
        step_s=step_s,
        horizon=horizon,
        quantiles=config.quantiles,
        cluster=cluster,
        config=config.forecast,
    )
    rec = decide(
        demand_q,
        forecast_model=model,
        forecast_warnings=warned,
        history=history,
        now=now,
        step_s=step_s,
        cluster=cluster,
        config=config,
        previous=previous,
        quality=quality,
        context=context,
    )
    observed = observed_beyond_max_warning(
        history, rec, now=now, step_s=step_s, cluster=cluster, config=config
    )
    if observed is None:
        return rec
    return rec.model_copy(update={"warnings": (*rec.warnings, observed)})


def observed_beyond_max_warning(
    history: npt.NDArray[np.float64],
    rec: Recommendation,
    *,
    now: datetime,
    step_s: int,
    cluster: ClusterSpec,
    config: PolicyConfig,
) -> str | None:
    """The warning that the observed demand already needs more than MaxCapacity, or None.

    The writer's need of a step is the rule of the forecast's MaxCapacity warning
    (``policy.plan.writer_need_acu``: the write share ``1 - read_frac`` of demand over
    ``config.target_utilisation``; reads can go to readers), applied to the history: where
    it is above ``cluster.limits.max_acu``, the cluster as configured could not have served
    what was observed, whatever the forecast of the next hours says. The remedy is
    :func:`policy.settings.max_capacity_remedy` at the larger of the observed need and the
    forecast's (which is then named), so it never asks for less than the plan's own
    MaxCapacity warning, naming :data:`policy.plan.MAX_CAPACITY_SETTING`. The plan is not
    changed.

    Args:
        history: the validated history ending at ``now``, shape (n,), ACU, NaN = missing.
        rec: the recommendation planned from it (its steps' ``demand_risk_acu``).
        now: end of the history (UTC-aware).
        step_s: history step, seconds.
        cluster: the cluster (``limits.max_acu``, ``read_frac``).
        config: the policy configuration (``target_utilisation``, ``risk_quantile``).

    Returns:
        One sentence, e.g. ``observed demand peaked at 45.1 ACU (2024-05-08 14:05 UTC),
        which needs 28.2 ACU on the writer, above MaxCapacity 16 ACU in 120 of 864 observed
        steps: the cluster as configured could not serve it at the target utilisation 0.8;
        raise MaxCapacity (cluster.limits.max_acu) to 28.5 ACU (...)``; None when no observed
        step needs more than MaxCapacity.
    """
    max_acu = cluster.limits.max_acu
    observed = np.where(np.isfinite(history), history, 0.0)
    need = writer_need_acu(observed, cluster, config)
    over = need > max_acu
    if not over.any():
        return None
    peak = int(np.argmax(observed))
    peak_need = float(need.max())
    at = (now - timedelta(seconds=(len(history) - peak) * step_s)).astimezone(UTC)
    planned = writer_need_acu(np.array([s.demand_risk_acu for s in rec.steps]), cluster, config)
    planned_need = float(planned.max()) if planned.size else 0.0
    larger = (
        f", and the {quantile_label(config.risk_quantile)} demand forecast needs up to {planned_need:.3g} ACU"
        if planned_need > peak_need
        else ""
    )
    return (
        f"observed demand peaked at {float(observed[peak]):.3g} ACU ({at:%Y-%m-%d %H:%M} UTC), "
        f"which needs {peak_need:.3g} ACU on the writer, above MaxCapacity {max_acu:g} ACU in "
        f"{int(over.sum())} of {int(np.isfinite(history).sum())} observed steps: the cluster as configured "
        f"could not serve it at the target utilisation {config.target_utilisation:g}{larger}; "
        + max_capacity_remedy(max(peak_need, planned_need), max_acu, MAX_CAPACITY_SETTING)
    )


def history_quality(
    history: npt.NDArray[np.float64],
    *,
    now: datetime,
    step_s: int,
    config: PolicyConfig,
    context: DemandContext,
    previous: PreviousLayout | None,
    max_capacity_acu: float | None = None,
) -> DataQuality:
    """How far the history can be trusted, ``held`` set when there is a layout to hold.

    Args:
        history: validated demand history ending at ``now``, shape (n,), ACU; NaN = missing.
        now: end of the history (UTC).
        step_s: step length, seconds.
        config: policy configuration (``stale_after_s``, ``min_coverage_24h``).
        context: the sources' flags (``source_flags``).
        previous: the deployed layout, or None.
        max_capacity_acu: MaxCapacity, ACU: demand pinned at it is noted, never a flag
            (:func:`policy.quality.pinned_at_ceiling`); None: not checked.

    Returns:
        The :class:`DataQuality` (:func:`policy.quality.assess_history`).

    Raises:
        InsufficientHistoryError: no observation in the 24 h before ``now`` and no
            ``previous`` layout to hold, or none in the forecaster's whole window
            (``ForecastConfig.max_history_s``, 14 days) even with one (field ``history_acu``).
    """
    quality = assess_history(
        history,
        now=now,
        step_s=step_s,
        stale_after_s=config.stale_after_s,
        min_coverage_24h=config.min_coverage_24h,
        source_flags=context.source_flags,
        max_capacity_acu=max_capacity_acu,
    )
    window_s = config.forecast.max_history_s
    if quality.staleness_s >= window_s:  # nothing to forecast from, even to hold a layout with
        raise InsufficientHistoryError(
            f"the {window_s / 86_400:g} days before now hold no observation (the last ended "
            f"{quality.staleness_s / 86_400:,.1f} days before now), and the forecaster reads no further "
            "back: send recent data, or plan at an earlier now",
            "history_acu",
        )
    if previous is None and quality.coverage_24h == 0.0:
        raise InsufficientHistoryError(
            f"the 24 h before now hold no observation (the last ended {quality.staleness_s / 3600:.3g} h "
            "before now): acuplan plans from data, never from a fill; send recent data, or give the "
            "layout deployed now (previous; acuplan recommend --deployed-min-acu) to hold it",
            "history_acu",
        )
    return quality.model_copy(update={"held": bool(quality.flags) and previous is not None})


def decide(
    demand_q: npt.NDArray[np.float64],
    *,
    forecast_model: str,
    forecast_warnings: tuple[str, ...],
    history: npt.NDArray[np.float64],
    now: datetime,
    step_s: int,
    cluster: ClusterSpec,
    config: PolicyConfig,
    previous: PreviousLayout | None,
    quality: DataQuality,
    context: DemandContext,
) -> Recommendation:
    """From a forecast to the Recommendation: plan the floors, then auto-pause where idle.

    The part of :func:`recommend` after the forecast, shared with the replay's risk sweep
    (:mod:`policy.trace_replay.sweep`) so a swept quantile runs the production rules
    (the data-quality hold, auto-pause) and nothing else differs.

    Args:
        demand_q: forecast quantiles, shape (len(config.quantiles), horizon), ACU, at ``step_s``.
        forecast_model: the model that made them.
        forecast_warnings: the forecast's warnings.
        history: the validated history ending at ``now``, shape (n,), ACU.
        now: decision time (UTC).
        step_s: history step, seconds.
        cluster: the cluster.
        config: policy configuration; ``config.quantiles`` are the rows of ``demand_q``.
        previous: the deployed layout, or None.
        quality: from :func:`history_quality`.
        context: the demand context.

    Returns:
        The :class:`Recommendation`.

    Raises:
        InvalidRequestError: ``placement`` refuses the problem built from the inputs, by a
            rule the public models did not check (e.g. a ``cluster`` whose placement was set
            by ``model_construct``, which does not validate): the field is the input it came
            from (:func:`problem_error`).
    """
    running = cluster
    if cluster.limits.min_acu == 0:  # plan running floors, then pause where the forecast is idle
        running = cluster.model_copy(update={"limits": cluster.limits.model_copy(update={"min_acu": 0.5})})
    try:
        rec = plan_from_forecast(
            demand_q,
            quantiles=config.quantiles,
            history_acu=history,
            step_s=step_s,
            start=now,
            cluster=running,
            config=config,
            previous=previous,
            forecast_model=forecast_model,
            warnings=forecast_warnings,
            data_quality=quality,
            context=context,
        )
    except ValidationError as exc:
        error = problem_error(exc) if exc.title == "PlacementProblem" else None
        if error is None:  # not traced to an input: a bug, not bad input
            raise
        raise error from None
    return plan_auto_pause(
        rec,
        demand_q[config.quantiles.index(config.risk_quantile)],
        step_s=step_s,
        cluster=cluster,
        config=config,
        deployed_floor_acu=previous.writer_acu if previous is not None else None,
        idle_before_s=_trailing_idle_s(history, step_s),
        history_acu=history,
    )


_PROBLEM_FIELDS: dict[str, str] = {
    "step_s": "config.plan_step_s",
    "demand_acu": "config.horizon_s",
    "read_frac": "cluster.read_frac",
    "topology": "cluster.topology",
    "limits": "cluster.limits",
    "price_usd_per_acu_hour": "cluster.price_usd_per_acu_hour",
    "shortfall_penalty_usd_per_acu_hour": "config.shortfall_penalty_usd_per_acu_hour",
    "target_utilisation": "config.target_utilisation",
    "churn_penalty_usd_per_acu": "config.churn_penalty_usd_per_acu",
    "reader_churn_penalty_usd": "config.reader_churn_penalty_usd",
    "min_azs": "config.min_azs",
    "require_failover_reader": "config.require_failover_reader",
    "previous": "previous",
    "hold_previous": "previous",
}
"""``placement.PlacementProblem`` field -> the input of :func:`recommend` it is built from
(the fields of ``placement.PlacementOptions`` come from ``cluster.placement``)."""


def problem_error(exc: ValidationError) -> InvalidRequestError | None:
    """The input error behind a ``placement.PlacementProblem`` the inputs could not build.

    Args:
        exc: the problem's validation error.

    Returns:
        An :class:`InvalidRequestError` whose field is the input the first entry came from
        (``cluster.placement.secondaries.0.region``, ``config.horizon_s``...), with every
        entry's field and reason in the message; None when an entry is not located at a
        field built from an input (a whole-problem rule, or a series the policy computed):
        that is a bug, to be raised as it is.
    """
    entries = exc.errors(include_url=False)
    fields = []
    for e in entries:
        loc = [str(part) for part in e["loc"]]
        if loc and loc[0] in PlacementOptions.model_fields:
            fields.append(".".join(["cluster.placement", *loc]))
        elif loc and loc[0] in _PROBLEM_FIELDS:
            fields.append(".".join([_PROBLEM_FIELDS[loc[0]], *loc[1:]]))
        else:
            return None
    reasons = "; ".join(
        f"{field}: {str(e['msg']).removeprefix('Value error, ')}"
        for field, e in zip(fields, entries, strict=True)
    )
    return InvalidRequestError(reasons, fields[0]) if fields else None


def _trailing_idle_s(history: npt.NDArray[np.float64], step_s: int) -> int:
    """Seconds of zero demand at the end of the history (missing steps end the run)."""
    busy = np.flatnonzero(~(history <= 0.0))  # NaN counts as not idle
    return int((len(history) - 1 - busy[-1]) * step_s) if busy.size else int(len(history) * step_s)
