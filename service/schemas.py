"""HTTP wire format, version 1: the only place the JSON request and error shapes are defined.

Owns the request models (:class:`RecommendationRequest` and its parts), the response
envelopes for errors and health, and :meth:`RecommendationRequest.to_inputs`, which turns
a validated request into the arguments of ``policy.recommend``. The cluster, previous
layout and response reuse the library's frozen models (:class:`policy.ClusterSpec`,
:class:`placement.PreviousLayout`, :class:`policy.Recommendation`), so their JSON is the
library's; ``tests/service/test_openapi.py`` pins the resulting schema.

Field errors found after pydantic's pass (order of timestamps, points at or after
``now``, off-grid ``now``, config overrides PolicyConfig rejects) are raised as FastAPI
``RequestValidationError`` with a body location, so clients see one 422 format.
Imports ``policy``, ``placement`` and ``traces`` public names only.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from placement import PreviousLayout
from policy import ClusterSpec, PolicyConfig
from service.history import HistoryError, Loc, history_until, series_end, series_from_points
from traces import AcuRule, demand_series

MAX_HISTORY_POINTS: Final[int] = 40_320
"""Most history points per request: 14 days at 30 s (EC2 predictive scaling uses 14 days)."""

MAX_HISTORY_STEPS: Final[int] = 40_320
"""Most grid steps from the first point to ``now`` (14 days at step_s=30; 140 days at 300)."""


class WireModel(BaseModel):
    """Base of every v1 wire model: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class HistoryPoint(WireModel):
    """One observed demand sample.

    Attributes:
        ts: sample time, timezone-aware (any offset; converted to UTC). A sample belongs to
            the step ``[k*step_s, (k+1)*step_s)`` since the epoch that contains it.
        demand_acu: demand at ``ts``, ACU, finite and >= 0 (e.g. CloudWatch
            ``ServerlessDatabaseCapacity``, or CPU% x MaxCapacity / 100).
    """

    ts: AwareDatetime
    demand_acu: float = Field(ge=0.0, le=1e6, allow_inf_nan=False)


class PolicyOverrides(WireModel):
    """Per-request overrides of the service's policy configuration.

    Every field is optional; an omitted field keeps the service default. The merged
    configuration is validated by :class:`policy.PolicyConfig` (ranges documented there),
    and its errors are reported at ``config.<field>``.

    Attributes:
        horizon_s: how far ahead to plan, seconds.
        plan_step_s: plan step, seconds; a multiple of the request's ``step_s``.
        risk_quantile: demand quantile the plan covers, in (0.5, 1).
        target_utilisation: capacity covers demand / target_utilisation, in (0, 1].
        shortfall_penalty_usd_per_acu_hour: cost of an uncovered ACU-hour, USD.
        churn_penalty_usd_per_acu: cost of moving the floor by one ACU, USD.
        reader_churn_penalty_usd: cost of creating or deleting a reader, USD.
        min_azs: instances span at least this many AZs.
        require_failover_reader: keep a tier-1 reader in another AZ.
    """

    horizon_s: int | None = None
    plan_step_s: int | None = None
    risk_quantile: float | None = None
    target_utilisation: float | None = None
    shortfall_penalty_usd_per_acu_hour: float | None = None
    churn_penalty_usd_per_acu: float | None = None
    reader_churn_penalty_usd: float | None = None
    min_azs: int | None = None
    require_failover_reader: bool | None = None

    def apply(self, base: PolicyConfig) -> PolicyConfig:
        """Return ``base`` with these overrides, validated by PolicyConfig.

        Args:
            base: the service's configuration.

        Returns:
            The merged, frozen configuration.

        Raises:
            pydantic.ValidationError: a merged value breaks a PolicyConfig rule.
        """
        return PolicyConfig.model_validate({**base.model_dump(), **self.model_dump(exclude_none=True)})


_EXAMPLE: Final[dict[str, Any]] = {
    "cluster": {
        "cluster_id": "orders-prod",
        "topology": {
            "region": "us-east-1",
            "az_ids": ["use1-az1", "use1-az2", "use1-az4"],
            "writer_az_id": "use1-az1",
        },
        "limits": {"min_acu": 0.5, "max_acu": 64, "max_readers": 15, "max_extra_readers_per_az": 2},
        "read_frac": 0.6,
        "price_usd_per_acu_hour": 0.12,
    },
    "step_s": 300,
    "now": "2024-05-06T12:30:00Z",
    "history": [
        {"ts": "2024-05-06T12:00:00Z", "demand_acu": 6.5},
        {"ts": "2024-05-06T12:05:00Z", "demand_acu": 7.0},
        {"ts": "2024-05-06T12:10:00Z", "demand_acu": 8.5},
        {"ts": "2024-05-06T12:15:00Z", "demand_acu": 8.0},
        {"ts": "2024-05-06T12:20:00Z", "demand_acu": 9.5},
        {"ts": "2024-05-06T12:25:00Z", "demand_acu": 10.0},
    ],
    "config": {"risk_quantile": 0.95, "horizon_s": 10_800},
    "previous": {"writer_acu": 4.0, "extra_readers_by_az": {"use1-az2": 1}, "failover_az_id": "use1-az2"},
}


@dataclass(frozen=True)
class RecommendInputs:
    """The arguments of ``policy.recommend`` built from one request.

    Attributes:
        history_acu: demand per step ending at ``now``, shape (n_steps,), ACU, NaN = missing.
        now: end of the last history step (UTC-aware).
        step_s: history step, seconds.
        cluster: the cluster.
        config: the merged policy configuration.
        previous: the deployed layout, or None.
    """

    history_acu: npt.NDArray[np.float64]
    now: datetime
    step_s: int
    cluster: ClusterSpec
    config: PolicyConfig
    previous: PreviousLayout | None


class RecommendationRequest(WireModel):
    """A request for a capacity recommendation.

    History is regularised onto the ``step_s`` grid by ``traces.demand_series``: each step
    takes the max of its samples, and a step without samples is missing (never zero).

    Attributes:
        cluster: the cluster (``policy.ClusterSpec``): id, topology, ACU limits, read share,
            price.
        step_s: history step, seconds (30 to 3600; default 300, CloudWatch's 5-minute period).
        now: decision time, a multiple of ``step_s`` since the Unix epoch; the last history
            step ends here. Default: the end of the step holding the last point.
        history: observed demand, strictly increasing ``ts``, every ``ts`` before ``now``;
            1 to 40,320 points.
        config: optional overrides of the policy configuration.
        previous: the layout deployed now (churn penalties, warm start, fail-safe floor).
    """

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    cluster: ClusterSpec
    step_s: int = Field(default=300, ge=30, le=3600)
    now: AwareDatetime | None = None
    history: list[HistoryPoint] = Field(min_length=1, max_length=MAX_HISTORY_POINTS)
    config: PolicyOverrides | None = None
    previous: PreviousLayout | None = None

    def to_inputs(self, base_config: PolicyConfig) -> RecommendInputs:
        """Check cross-field rules and build the arguments of ``policy.recommend``.

        Args:
            base_config: the service's policy configuration, before ``config`` overrides.

        Returns:
            The inputs; ``history_acu`` has shape ((now - first step start) / step_s,).

        Raises:
            RequestValidationError: unsorted or duplicate ``history[i].ts``, a point at or
                after ``now``, ``now`` off the grid, history longer than
                :data:`MAX_HISTORY_STEPS` steps, or a ``config`` override PolicyConfig rejects.
        """
        try:
            self._check_order()
            demand = demand_series(
                series_from_points(
                    [p.ts for p in self.history],
                    [p.demand_acu for p in self.history],
                    cluster_id=self.cluster.cluster_id,
                ),
                step_s=self.step_s,
                rule=AcuRule(),
            )
            now = self.now or series_end(demand)
            self._check_before(now)
            history_acu = history_until(demand, now, max_steps=MAX_HISTORY_STEPS)
        except HistoryError as exc:
            raise _request_error([(exc.loc, str(exc))]) from None
        return RecommendInputs(
            history_acu, now, self.step_s, self.cluster, self._config(base_config), self.previous
        )

    def _check_order(self) -> None:
        for i in range(1, len(self.history)):
            if self.history[i].ts <= self.history[i - 1].ts:
                raise HistoryError(
                    f"{self.history[i].ts.isoformat()} is not after history[{i - 1}].ts "
                    f"{self.history[i - 1].ts.isoformat()}: timestamps must be strictly increasing",
                    loc=("history", i, "ts"),
                )

    def _check_before(self, now: datetime) -> None:
        i = bisect.bisect_left([p.ts for p in self.history], now)
        if i < len(self.history):
            raise HistoryError(
                f"{self.history[i].ts.isoformat()} is not before now {now.isoformat()} "
                f"(the last history step is [now - step_s, now))",
                loc=("history", i, "ts"),
            )

    def _config(self, base: PolicyConfig) -> PolicyConfig:
        if self.config is None:
            return base
        try:
            return self.config.apply(base)
        except ValidationError as exc:
            raise _request_error([(("config", *e["loc"]), e["msg"]) for e in exc.errors()]) from None


def _request_error(errors: list[tuple[Loc, str]]) -> RequestValidationError:
    """Build a FastAPI validation error located in the request body."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("body", *loc), "msg": msg, "input": None} for loc, msg in errors]
    )


class FieldError(WireModel):
    """One invalid request field.

    Attributes:
        field: dotted path into the request, list indices as numbers, e.g. ``history.3.ts``
            or ``cluster.limits.min_acu``; ``body`` for the body as a whole; query and path
            parameters by name.
        message: what is wrong.
    """

    field: str
    message: str


class ValidationErrorResponse(WireModel):
    """422: the request does not match the wire format or breaks a cross-field rule.

    Attributes:
        error: always ``invalid_request``.
        detail: one entry per invalid field.
    """

    error: Literal["invalid_request"] = "invalid_request"
    detail: list[FieldError]


class ErrorResponse(WireModel):
    """Any other error.

    422 for input the policy rejects (``error`` is the snake-case error class without
    ``Error``: ``invalid_request``, ``insufficient_history``, ``invalid_parameter``, ...);
    500 ``internal_error`` with no detail; 404/405 ``not_found``/``method_not_allowed``.

    Attributes:
        error: a stable machine-readable code.
        detail: a one-line human-readable message, or None.
    """

    error: str
    detail: str | None = None


class HealthResponse(WireModel):
    """Liveness of the service.

    Attributes:
        status: always ``ok`` when the process serves requests.
        version: the installed ``acuplan`` version.
    """

    status: Literal["ok"] = "ok"
    version: str
