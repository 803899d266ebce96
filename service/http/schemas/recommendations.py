"""HTTP wire format, version 1: the only place the JSON request and error shapes are defined.

Owns the request models (:class:`RecommendationRequest` and its parts), the response
envelopes for errors and health, and :meth:`RecommendationRequest.to_inputs`, which turns
a validated request into the arguments of ``policy.recommend``. The cluster, previous
layout and response reuse the library's frozen models (:class:`policy.ClusterSpec`,
:class:`placement.PreviousLayout`, :class:`policy.Recommendation`), so their JSON is the
library's; ``tests/service/test_http_health_openapi.py`` pins the resulting schema.

Every request body is a :class:`RequestModel`: numbers must be JSON numbers (not strings
or booleans), flags JSON booleans, timestamps ISO 8601 strings with a UTC offset (not epoch
numbers), in the request's own fields and in the library models it embeds (whose own
validation is lax), checked once before pydantic's validation (:mod:`service.http.schemas.json_types`).

Field errors found after pydantic's pass (order of timestamps, points at or after
``now``, off-grid ``now``, a history too long or too late, config overrides PolicyConfig
rejects) are raised as FastAPI ``RequestValidationError`` with a body location, so clients
see one 422 format. Every error body is an :class:`ErrorResponse`.
Imports ``policy``, ``placement`` and ``traces`` public names only.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final, Literal

import numpy as np
import numpy.typing as npt
from fastapi.exceptions import RequestValidationError
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from placement import PreviousLayout
from policy import ClusterSpec, InvalidRequestError, PolicyConfig
from policy.advice.prices import unpriced_region
from policy.steps import MIN_STEP_S, check_step_s, check_whole_steps
from service.http.schemas.json_types import json_type_errors
from service.inputs.history import (
    HistoryError,
    Loc,
    check_window,
    epoch_s,
    iso_s,
    plan_span_s,
    points_history,
)
from service.inputs.names import name_problem
from traces.timetext import parse_iso

MAX_HISTORY_POINTS: Final[int] = 40_320
"""Most history points per request: 14 days at 30 s (EC2 predictive scaling uses 14 days)."""

MAX_HISTORY_STEPS: Final[int] = 40_320
"""Most grid steps from the first point to ``now`` (14 days at step_s=30; 140 days at 300)."""


def _iso_timestamp(value: Any) -> Any:
    """Accept an ISO 8601 string (or a datetime from Python callers); reject epoch numbers.

    The text is read by :func:`traces.timetext.parse_iso`, the rule of every parser: a NUL
    byte or another character that is not printable ASCII is refused, never cut off.
    """
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 string with a UTC offset, e.g. 2024-05-06T12:00:00Z")
    return parse_iso(value, what="an ISO 8601 timestamp with a UTC offset, e.g. 2024-05-06T12:00:00Z")


Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_timestamp)]
"""An ISO 8601 string with a UTC offset (``Z`` or ``+hh:mm``); numbers are rejected."""


class WireModel(BaseModel):
    """Base of every v1 wire model: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class RequestModel(WireModel):
    """Base of every v1 request body: JSON types are checked before pydantic converts anything.

    A number must be a JSON number (``"64"``, ``"1e2"`` and ``true`` are not), a flag a
    JSON boolean, a time an ISO 8601 string, everywhere in the body, including the library
    models it embeds (``cluster.limits.max_acu``, ``previous.writer_acu``, ...): a wrong
    type is a 422 ``invalid_request`` naming the field (:mod:`service.http.schemas.json_types`). The
    parts of a body (e.g. :class:`HistoryPoint`) are plain wire models, checked with the
    body they are in.

    Raises:
        pydantic.ValidationError: a value of the wrong JSON type (one entry each).
    """

    @model_validator(mode="before")
    @classmethod
    def _check_json_types(cls, data: Any) -> Any:
        errors = json_type_errors(cls, data)
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data


class HistoryPoint(WireModel):
    """One observed demand sample.

    Attributes:
        ts: sample time, an ISO 8601 string with a UTC offset (any offset; converted to
            UTC), at or after 1970-01-01. A sample belongs to the step
            ``[k*step_s, (k+1)*step_s)`` since the epoch that contains it.
        demand_acu: demand at ``ts``, ACU, a JSON number, finite and >= 0 (e.g. CloudWatch
            ``ServerlessDatabaseCapacity``, or CPU% x MaxCapacity / 100).
    """

    ts: Timestamp
    demand_acu: float = Field(ge=0.0, le=1e6, allow_inf_nan=False, strict=True)


class PolicyOverrides(WireModel):
    """Per-request overrides of the service's policy configuration.

    Every field is optional and strict (JSON numbers and booleans only); an omitted field
    keeps the service default. The merged configuration is validated by
    :class:`policy.PolicyConfig` (ranges documented there), and its errors are reported at
    ``config.<field>``.

    Attributes:
        horizon_s: how far ahead to plan, seconds.
        plan_step_s: plan step, seconds; a multiple of the request's ``step_s``.
        risk_quantile: demand quantile the plan covers, in (0.5, 1).
        target_utilisation: capacity covers demand / target_utilisation, in [0.1, 1]
            (``policy.config.MIN_TARGET_UTILISATION``; below, a 422 at ``config.target_utilisation``).
        shortfall_penalty_usd_per_acu_hour: cost of an uncovered ACU-hour, USD.
        churn_penalty_usd_per_acu: cost of moving the floor by one ACU, USD.
        reader_churn_penalty_usd: cost of creating or deleting a reader, USD.
        min_azs: instances span at least this many AZs.
        require_failover_reader: keep a tier-1 reader in another AZ.
        floor_from_forecast: false holds MinCapacity at the cluster's floor over the horizon
            (Aurora's own scaler does the rest; what ``advise`` and the per-cluster learning
            choose where the forecast bought nothing: ``PolicyConfig.floor_from_forecast``).
    """

    horizon_s: int | None = Field(default=None, strict=True)
    plan_step_s: int | None = Field(default=None, strict=True)
    risk_quantile: float | None = Field(default=None, strict=True)
    target_utilisation: float | None = Field(default=None, strict=True)
    shortfall_penalty_usd_per_acu_hour: float | None = Field(default=None, strict=True)
    churn_penalty_usd_per_acu: float | None = Field(default=None, strict=True)
    reader_churn_penalty_usd: float | None = Field(default=None, strict=True)
    min_azs: int | None = Field(default=None, strict=True)
    require_failover_reader: bool | None = Field(default=None, strict=True)
    floor_from_forecast: bool | None = Field(default=None, strict=True)

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

    def check_horizon(self, config: PolicyConfig) -> None:
        """Check that the horizon is whole plan steps when this request sets either.

        Call after :func:`policy.steps.check_step_s` (a plan step the history step does not
        divide is the first error). The library rounds a horizon up to whole plan steps; a
        request's horizon is planned as given or refused. A service default is not checked
        here (it is the operator's, not the request's).

        Args:
            config: the merged configuration (:meth:`apply`).

        Raises:
            fastapi.exceptions.RequestValidationError: at ``config.horizon_s`` (or
                ``config.plan_step_s`` when only that is set): ``horizon_s`` is not a multiple of
                ``plan_step_s`` (:func:`policy.steps.check_whole_steps`).
        """
        if self.horizon_s is None and self.plan_step_s is None:
            return
        try:
            check_whole_steps(
                config.horizon_s, step_s=config.plan_step_s, field="horizon_s", step_field="plan_step_s"
            )
        except InvalidRequestError as exc:
            field = "horizon_s" if self.horizon_s is not None else "plan_step_s"
            raise request_error([(("config", field), str(exc))]) from None


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
        source_flags: what the sources said of the data (``DemandContext.source_flags``:
            the plan then holds ``previous``); empty: nothing.
    """

    history_acu: npt.NDArray[np.float64]
    now: datetime
    step_s: int
    cluster: ClusterSpec
    config: PolicyConfig
    previous: PreviousLayout | None
    source_flags: tuple[str, ...] = ()


class RecommendationRequest(RequestModel):
    """A request for a capacity recommendation.

    History is regularised onto the ``step_s`` grid by ``traces.demand_series``: each step
    takes the max of its samples, and a step without samples is missing (never zero).

    Attributes:
        cluster: the cluster (``policy.ClusterSpec``): id, topology, ACU limits, read share,
            price; a ``topology.region`` without a built-in price needs its
            ``price_usd_per_acu_hour`` (:func:`check_priced`); a price given is used as it is.
        step_s: history step, seconds, a JSON integer (30 to 3600; default 300,
            CloudWatch's 5-minute period); must divide the plan step (900 s by default).
        now: decision time, an ISO 8601 string with offset, a multiple of ``step_s`` since
            the Unix epoch; the last history step ends here, and the plan must end by
            9999-12-31T23:59:59Z. Default: the end of the step holding the last point.
        history: observed demand, strictly increasing ``ts``, every ``ts`` before ``now``;
            1 to 40,320 points spanning at most 40,320 steps up to ``now``.
        config: optional overrides of the policy configuration.
        previous: the layout deployed now (churn penalties, warm start, fail-safe floor).
    """

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    cluster: ClusterSpec
    step_s: int = Field(default=300, ge=MIN_STEP_S, le=3600, strict=True)
    now: Timestamp | None = None
    history: list[HistoryPoint] = Field(min_length=1, max_length=MAX_HISTORY_POINTS)
    config: PolicyOverrides | None = None
    previous: PreviousLayout | None = None

    def to_inputs(self, base_config: PolicyConfig, *, now_s: int | None = None) -> RecommendInputs:
        """Check cross-field rules and build the arguments of ``policy.recommend``.

        Args:
            base_config: the service's policy configuration, before ``config`` overrides.
            now_s: the server clock, epoch seconds: a later history point is refused (as
                every endpoint taking samples does, :func:`ordered_points`); None: unchecked.

        Returns:
            The inputs; ``history_acu`` has shape ((now - first step start) / step_s,).

        Raises:
            RequestValidationError: a ``cluster.cluster_id`` that is blank or holds a control
                character (:func:`check_cluster_name`), a ``cluster.topology.region`` without a built-in price
                and no ``cluster.price_usd_per_acu_hour`` (:func:`check_priced`, at
                ``cluster.price_usd_per_acu_hour``), unsorted or duplicate ``history[i].ts``, a
                point at or after ``now`` or after ``now_s``, ``now`` off the grid, a history
                longer than :data:`MAX_HISTORY_STEPS` steps or a plan past year 9999 (checked
                before any grid is built), a ``config`` override PolicyConfig rejects, or a plan
                step that ``step_s`` does not divide.
        """
        check_cluster_name(self.cluster)
        check_priced(self.cluster)
        config = self._config(base_config)
        try:
            self._check_order()
            now = check_window(
                epoch_s(self.history[0].ts),
                epoch_s(self.history[-1].ts),
                step_s=self.step_s,
                now=self.now,
                max_steps=MAX_HISTORY_STEPS,
                plan_s=plan_span_s(config.horizon_s, config.plan_step_s),
            )
            self._check_before(now)
            if now_s is not None:
                ordered_points(self.history, now_s=now_s)
            history_acu = points_history(
                [p.ts for p in self.history],
                [p.demand_acu for p in self.history],
                cluster_id=self.cluster.cluster_id,
                step_s=self.step_s,
                now=now,
                max_steps=MAX_HISTORY_STEPS,
            )
        except HistoryError as exc:
            raise request_error([(exc.loc, str(exc))]) from None
        return RecommendInputs(history_acu, now, self.step_s, self.cluster, config, self.previous)

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
        config = base
        if self.config is not None:
            try:
                config = self.config.apply(base)
            except ValidationError as exc:
                raise request_error([(("config", *e["loc"]), e["msg"]) for e in exc.errors()]) from None
        try:
            check_step_s(self.step_s, config.plan_step_s)
        except InvalidRequestError as exc:
            overridden = self.config is not None and self.config.plan_step_s is not None
            loc: Loc = ("config", "plan_step_s") if overridden else ("step_s",)
            raise request_error([(loc, str(exc))]) from None
        if self.config is not None:
            self.config.check_horizon(config)
        return config


def ordered_points(
    points: list[HistoryPoint], *, now_s: int | None = None, field: str = "history"
) -> tuple[list[int], list[float]]:
    """The samples of a posted history as (epoch seconds, ACU), checked in one place.

    Args:
        points: the samples, which must be strictly increasing in time.
        now_s: the server clock, epoch seconds: later samples are refused (a future
            sample is a typo, and a gap to it would leave the window empty); None: not checked.
        field: the request field holding them (error locations).

    Raises:
        fastapi.exceptions.RequestValidationError: at ``<field>.<i>.ts``: out of order, before
            1970, or after ``now_s``.
    """
    ts = [epoch_s(p.ts) for p in points]
    for i, t in enumerate(ts):
        if i and t <= ts[i - 1]:
            raise request_error([((field, i, "ts"), "timestamps must be strictly increasing")])
        if t < 0:
            raise request_error([((field, i, "ts"), "timestamps must be at or after 1970-01-01T00:00:00Z")])
        if now_s is not None and t > now_s:
            raise request_error(
                [((field, i, "ts"), f"{iso_s(t)} is in the future (after now, {iso_s(now_s)})")]
            )
    return ts, [p.demand_acu for p in points]


def check_cluster_name(cluster: ClusterSpec) -> None:
    """Refuse a posted ``cluster.cluster_id`` that cannot be shown on one line (:mod:`service.inputs.names`).

    The rule of ``acuplan advise`` / ``recommend --cluster-id``: the id names the cluster in
    every answer, stored record and command, so it is not blank, does not start or end with
    whitespace and holds no control or format character (a line break, NUL, a right-to-left
    override); any other character is allowed (``a/b`` is stored under its ``sha256-`` key).

    Args:
        cluster: the request's ``cluster``.

    Raises:
        fastapi.exceptions.RequestValidationError: at ``cluster.cluster_id``, saying what is
            wrong.
    """
    problem = name_problem(cluster.cluster_id)
    if problem is not None:
        shown = repr(cluster.cluster_id[:80]) + ("..." if len(cluster.cluster_id) > 80 else "")
        message = f"{shown} {problem}; give the cluster's name, e.g. orders-db"
        raise request_error([(("cluster", "cluster_id"), message)])


def check_priced(cluster: ClusterSpec) -> None:
    """Refuse a posted cluster in a region without a built-in price that was given no price of its own.

    ``ClusterSpec`` prices such a cluster at us-east-1's rate (the library's documented
    fallback); a posted recommendation or advice would then plan and bill at another
    region's rate without a word, so the API asks for the price instead, as the cluster
    registration does (:func:`policy.advice.prices.unpriced_region`). A price the caller
    gave is used as it is; a registered cluster's stored spec carries its price, so it
    always passes.

    Args:
        cluster: the request's ``cluster``.

    Raises:
        fastapi.exceptions.RequestValidationError: at ``cluster.price_usd_per_acu_hour``,
            naming the region and the known ones.
    """
    if "price_usd_per_acu_hour" in cluster.model_fields_set:
        return
    problem = unpriced_region(cluster.topology.region)
    if problem is not None:
        raise request_error(
            [
                (
                    ("cluster", "price_usd_per_acu_hour"),
                    f"{problem}: give cluster.price_usd_per_acu_hour, its Aurora Standard USD per ACU-hour",
                )
            ]
        )


def request_error(errors: list[tuple[Loc, str]]) -> RequestValidationError:
    """Build a FastAPI validation error located in the request body."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("body", *loc), "msg": msg, "input": None} for loc, msg in errors]
    )


class FieldError(WireModel):
    """One thing wrong with a request.

    Attributes:
        field: dotted path into the request, list indices as numbers, e.g. ``history.3.ts``,
            ``cluster.limits.min_acu``, ``config.min_azs``, ``previous.writer_acu``; ``body``
            for the body as a whole; null when the error is not about one field.
        message: what is wrong, on one line.
    """

    field: str | None
    message: str


class ErrorResponse(WireModel):
    """The body of every error response (4xx and 5xx): one shape for all of them.

    ``error`` is ``invalid_request`` for a request that does not match the wire format or
    breaks a cross-field rule (including a body that is not JSON); for input the policy
    rejects, the snake-case error class without ``Error`` (``invalid_request``,
    ``insufficient_history``, ``invalid_parameter``, ...); ``not_found`` /
    ``method_not_allowed`` for routing; ``internal_error`` (with an empty ``detail``) for
    anything else.

    Attributes:
        error: a stable machine-readable code.
        detail: one entry per problem; empty for ``internal_error``.
    """

    error: str
    detail: list[FieldError] = Field(default_factory=list)


class HealthResponse(WireModel):
    """Liveness of the service.

    Attributes:
        status: always ``ok`` when the process serves requests.
        version: the installed ``acuplan`` version.
    """

    status: Literal["ok"] = "ok"
    version: str


class ReadinessResponse(WireModel):
    """Readiness of the service.

    Attributes:
        status: ``ok`` (200) or ``unavailable`` (503).
        checks: per dependency: ``ok``, ``failing`` or ``draining``.
    """

    status: Literal["ok", "unavailable"]
    checks: dict[str, str]
