"""HTTP wire format v1 for forecasts and replay jobs.

Owns :class:`ForecastRequest`, :class:`ClusterForecastRequest`, :class:`ForecastResponse`,
:class:`ReplayRequest` and :class:`ReplayJob`. History follows the same grid rules as
recommendations (:mod:`service.inputs.history`). Imports ``policy`` and ``traces`` public names
and ``service`` modules.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final, Literal

from pydantic import ConfigDict, Field, ValidationError

from forecasting import InvalidParameterError
from forecasting.validation import check_quantiles
from policy import POLICY_NAMES, ClusterSpec, InvalidRequestError, PolicyConfig, ReplayConfig
from policy.steps import DEFAULT_WARMUP_S, MIN_STEP_S, check_step_s, check_whole_steps
from policy.trace_replay.run import scored_window
from service.http.jobs import ReplayInputs
from service.http.schemas.recommendations import (
    MAX_HISTORY_POINTS,
    MAX_HISTORY_STEPS,
    ErrorResponse,
    HistoryPoint,
    PolicyOverrides,
    RequestModel,
    Timestamp,
    WireModel,
    ordered_points,
    request_error,
)
from service.inputs.history import points_demand
from service.store import JobRecord

DEFAULT_QUANTILES: Final[tuple[float, ...]] = (0.5, 0.9, 0.95)
"""Quantiles of a forecast when none are asked for: the median, p90 and the default risk level."""

Quantiles = list[float]


class _ForecastKnobs(RequestModel):
    """Horizon and quantiles of a forecast (shared by both forecast requests)."""

    horizon_s: int = Field(default=3 * 3600, ge=60, le=7 * 86_400, strict=True)
    quantiles: Quantiles = Field(default_factory=lambda: list(DEFAULT_QUANTILES), min_length=1, max_length=19)

    def checked_quantiles(self) -> tuple[float, ...]:
        """Return the quantiles as given, after the rules of ``forecasting.forecast_demand``.

        The rules are :func:`forecasting.validation.check_quantiles` (each in (0, 1),
        strictly ascending, so no duplicates); nothing is sorted or dropped.

        Raises:
            fastapi.exceptions.RequestValidationError: at ``quantiles.<i>``, the first
                offending position, with the library's message.
        """
        for i in range(len(self.quantiles)):
            try:  # the first prefix the library refuses locates the offending quantile
                check_quantiles(self.quantiles[: i + 1])
            except InvalidParameterError as exc:
                raise request_error([(("quantiles", i), str(exc))]) from None
        return tuple(self.quantiles)

    def horizon_steps(self, step_s: int) -> int:
        """Return ``horizon_s`` in whole steps of ``step_s`` (the history's or the cluster's step).

        Raises:
            fastapi.exceptions.RequestValidationError: at ``horizon_s``, not a multiple of
                ``step_s`` (:func:`policy.steps.check_whole_steps`; never rounded up).
        """
        try:
            return check_whole_steps(self.horizon_s, step_s=step_s, field="horizon_s")
        except InvalidRequestError as exc:
            raise request_error([(("horizon_s",), str(exc))]) from None


class ForecastRequest(_ForecastKnobs):
    """A demand forecast from a history (no plan).

    Attributes:
        step_s: history step, seconds (30-3600; divides the 900-s plan step).
        now: end of the last history step; default: end of the step holding the last point.
        history: samples, strictly increasing in time, 1 to 40,320.
        horizon_s: how far ahead, seconds; a multiple of ``step_s`` (60 s to 7 days).
        quantiles: probabilities in (0, 1), strictly ascending (no duplicates), 1 to 19.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "step_s": 300,
                    "history": [
                        {"ts": "2024-05-06T12:00:00Z", "demand_acu": 6.5},
                        {"ts": "2024-05-06T12:05:00Z", "demand_acu": 7.0},
                    ],
                    "horizon_s": 3600,
                    "quantiles": [0.5, 0.9, 0.95],
                }
            ]
        }
    )

    step_s: int = Field(default=300, ge=MIN_STEP_S, le=3600, strict=True)
    now: Timestamp | None = None
    history: list[HistoryPoint] = Field(min_length=1, max_length=MAX_HISTORY_POINTS)


class ClusterForecastRequest(_ForecastKnobs):
    """A forecast from a registered cluster's stored metrics.

    Attributes:
        now: decision time on the cluster's step grid; default: end of the newest step.
        horizon_s: how far ahead, seconds; a multiple of the cluster's step (60 s to 7 days).
        quantiles: probabilities in (0, 1), strictly ascending (no duplicates), 1 to 19.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [{"horizon_s": 3600, "quantiles": [0.5, 0.95]}]})

    now: Timestamp | None = None


class ForecastResponse(WireModel):
    """A quantile forecast of ACU demand.

    Attributes:
        start: start of the first forecast step (the request's ``now``).
        step_s: step, seconds.
        quantiles: ascending probabilities.
        demand_acu: ``demand_acu[i][t]``: quantile ``i`` at step ``t``, ACU; quantiles never cross.
        model: the model that produced it.
        warnings: fallbacks and data-quality notes.
    """

    start: datetime
    step_s: int
    quantiles: list[float]
    demand_acu: list[list[float]]
    model: str
    warnings: list[str]


class ReplayRequest(RequestModel):
    """Replay policies over a demand history, as an asynchronous job.

    Give ``history`` (with ``cluster`` or the default cluster), or ``cluster_id`` of a
    registered cluster to replay its stored metrics. The inputs are fixed at submission.

    Attributes:
        cluster: the simulated cluster (with ``history``).
        cluster_id: a registered cluster whose stored metrics and spec are replayed.
        step_s: history step, seconds (with ``history``).
        history: samples, strictly increasing in time.
        policies: policy names to score (see ``policy.POLICY_NAMES``).
        replan_every_s: decision interval, seconds (a multiple of ``step_s``).
        warmup_s: history the policies see before scoring starts, seconds; a multiple of
            the step, at least one step when ``acuplan`` is replayed.
        config: policy overrides for ``acuplan`` and ``bound``.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cluster_id": "orders-prod",
                    "policies": ["reactive", "static-peak", "acuplan"],
                    "replan_every_s": 3600,
                    "warmup_s": 86_400,
                }
            ]
        }
    )

    cluster: ClusterSpec | None = None
    cluster_id: str | None = Field(default=None, min_length=1, max_length=128)
    step_s: int = Field(default=300, ge=MIN_STEP_S, le=3600, strict=True)
    history: list[HistoryPoint] | None = Field(default=None, min_length=1, max_length=MAX_HISTORY_POINTS)
    policies: list[str] = Field(default_factory=lambda: list(POLICY_NAMES), min_length=1, max_length=32)
    replan_every_s: int = Field(default=3600, gt=0, le=7 * 86_400, strict=True)
    warmup_s: int = Field(default=DEFAULT_WARMUP_S, ge=0, le=14 * 86_400, strict=True)
    config: PolicyOverrides | None = None

    def replay_config(self, base: PolicyConfig) -> ReplayConfig:
        """Validate the policy names and build the replay configuration.

        Raises:
            fastapi.exceptions.RequestValidationError: located at ``policies.<i>`` or
                ``config.*`` / the offending field.
        """
        for i, name in enumerate(self.policies):
            if name not in POLICY_NAMES:
                raise request_error([(("policies", i), f"{name!r} is not one of {', '.join(POLICY_NAMES)}")])
        try:
            policy = self.config.apply(base) if self.config is not None else base
            return ReplayConfig(replan_every_s=self.replan_every_s, warmup_s=self.warmup_s, policy=policy)
        except ValidationError as exc:
            raise request_error([(("config", *e["loc"]), e["msg"]) for e in exc.errors()]) from None

    def check_schedule(self, config: ReplayConfig, *, step_s: int, demand: list[float | None]) -> None:
        """Check up front what ``policy.replay`` would otherwise reject once the job runs.

        The rules are :func:`policy.steps.check_step_s` and
        :func:`policy.trace_replay.run.scored_window`, the check ``policy.replay`` itself makes.

        Args:
            config: from :meth:`replay_config`.
            step_s: the history's step, seconds.
            demand: the history on the grid, ``None`` for a missing step.

        Raises:
            fastapi.exceptions.RequestValidationError: at ``step_s`` (does not divide the
                plan step), ``replan_every_s`` (not a multiple of the step) or ``warmup_s``
                (not a multiple of the step; the warm-up leaves no step of the history to
                score, sees no data, or is 0 with ``acuplan`` among the policies: its first
                decision needs a step of history).
        """
        missing = float("nan")
        try:
            check_step_s(step_s, config.policy.plan_step_s)
            check_whole_steps(config.warmup_s, step_s=step_s, field="config.warmup_s")
        except InvalidRequestError as exc:  # the rules of policy.steps, located at this request's fields
            raise request_error([(((exc.field or "").removeprefix("config."),), str(exc))]) from None
        if self.config is not None:
            self.config.check_horizon(config.policy)
        try:
            scored_window(
                [missing if v is None else v for v in demand],
                step_s=step_s,
                config=config,
                policies=self.policies,
            )
        except InvalidRequestError as exc:
            field = (exc.field or "").removeprefix("config.")
            raise request_error([((field or "history",), str(exc))]) from None

    def inputs(
        self, ts_s: list[int], values: list[float], *, step_s: int, cluster: ClusterSpec, base: PolicyConfig
    ) -> ReplayInputs:
        """Regularise samples (oldest first) onto the grid and fix the job's inputs.

        Everything the job would reject is checked here, so a bad request is a synchronous
        422 rather than a job that fails after its 202.

        Raises:
            fastapi.exceptions.RequestValidationError: the samples span more than
                ``MAX_HISTORY_STEPS`` steps (at ``history``), a config error, or a
                schedule error (:meth:`check_schedule`).
        """
        config = self.replay_config(base)
        if (ts_s[-1] - ts_s[0]) // step_s + 1 > MAX_HISTORY_STEPS:
            raise request_error(
                [(("history",), f"the history spans more than {MAX_HISTORY_STEPS} steps of {step_s} s")]
            )
        stamps = [datetime.fromtimestamp(t, tz=UTC) for t in ts_s]
        demand = points_demand(stamps, values, cluster_id=cluster.cluster_id, step_s=step_s)
        demand_acu: list[float | None] = [None if v != v else float(v) for v in demand.demand_acu.tolist()]
        self.check_schedule(config, step_s=step_s, demand=demand_acu)
        return ReplayInputs(
            demand_acu=demand_acu,
            start=demand.start,
            step_s=step_s,
            cluster=cluster,
            config=config,
            policies=list(self.policies),
            trace_name=cluster.cluster_id,
        )

    def wire_points(self, now_s: int) -> tuple[list[int], list[float]]:
        """Return ``history`` as (epoch seconds, ACU) (:func:`ordered_points`: in order, not after ``now_s``).

        Raises:
            fastapi.exceptions.RequestValidationError: at ``history.<i>.ts``.
        """
        return ordered_points(list(self.history or []), now_s=now_s)


class ReplayJob(WireModel):
    """A replay job's state.

    Attributes:
        id: the job id.
        status: ``queued``, ``running``, ``succeeded``, ``failed`` or ``cancelled``.
        created_at: submission time.
        started_at: when a worker took it.
        finished_at: when it ended.
        cancel_requested: a cancel was asked for (a running job stops at its next decision).
        progress: per policy, ``[decisions_done, decisions_total]`` while running.
        error: the error of a failed job, in the one error shape.
        result_url: where the report is once ``succeeded``.
    """

    id: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancel_requested: bool
    progress: dict[str, list[int]] = Field(default_factory=dict)
    error: ErrorResponse | None = None
    result_url: str

    @classmethod
    def of(cls, job: JobRecord, progress: dict[str, tuple[int, int]]) -> ReplayJob:
        """Build from a store record and the runner's progress."""

        def at(ms: int | None) -> datetime | None:
            return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)

        status: Any = job.status
        return cls(
            id=job.id,
            status=status,
            created_at=datetime.fromtimestamp(job.created_ms / 1000, tz=UTC),
            started_at=at(job.started_ms),
            finished_at=at(job.finished_ms),
            cancel_requested=job.cancel_requested,
            progress={k: list(v) for k, v in progress.items()},
            error=None if job.error is None else ErrorResponse.model_validate(job.error),
            result_url=f"/v1/replays/{job.id}/result",
        )
