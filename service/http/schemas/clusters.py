"""HTTP wire format v1 for registered clusters, their metrics and stored recommendations.

Owns the request and response models of ``/v1/clusters/...``, :func:`check_requested_now`
(a request's ``now`` on its own) and :func:`stored_inputs`, which builds the arguments of
``policy.recommend`` from a cluster's stored samples (the same grid rules as the stateless
request: :mod:`service.inputs.history`). Imports ``policy`` and ``placement`` public names and
``service`` modules.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

from fastapi import Path
from pydantic import ConfigDict, Field, ValidationError, field_validator

from placement import STORED_CONTEXT, CapacityLimits, PreviousLayout, Topology
from policy import ClusterSpec, InvalidRequestError, PolicyConfig, Recommendation
from policy.advice.prices import unpriced_region
from policy.steps import MIN_STEP_S, check_step_s
from policy.types import MIN_PRICE_USD_PER_ACU_HOUR, fill_regional_price
from service.http.learning import RiskQuantileChoice
from service.http.schemas.actions import Engine
from service.http.schemas.path_ids import (
    CLUSTER_ID_CHECK,
    CLUSTER_ID_PATTERN,
    HISTORY_ID_CHECK,
    HISTORY_ID_PATTERN,
)
from service.http.schemas.recommendations import (
    MAX_HISTORY_POINTS,
    MAX_HISTORY_STEPS,
    HistoryPoint,
    PolicyOverrides,
    RecommendInputs,
    RequestModel,
    Timestamp,
    WireModel,
    request_error,
)
from service.inputs.formats import sample_problem
from service.inputs.history import (
    HistoryError,
    check_now,
    check_window,
    epoch_s,
    iso_s,
    plan_span_s,
    points_history,
)
from service.store import ClusterRecord, RecommendationRecord

ClusterId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=128,
        json_schema_extra={"pattern": CLUSTER_ID_PATTERN},
        description="The cluster's name: letters, digits and `._:-`, starting with a letter or digit.",
        examples=["orders-prod"],
    ),
    CLUSTER_ID_CHECK,
]
"""A cluster id in a URL path (a bad one: ``'%' is not a cluster id (letters, digits ...)``)."""

HistoryId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=128,
        json_schema_extra={"pattern": HISTORY_ID_PATTERN},
        description=(
            "A registered cluster's id, or `_stateless:<cluster_id>` for the recommendations "
            "made by `POST /v1/recommendations`."
        ),
        examples=["orders-prod", "_stateless:orders-prod"],
    ),
    HISTORY_ID_CHECK,
]
"""The id of a recommendation history in a URL path: a cluster id or a stateless key."""

MAX_PAGE: Final[int] = 500
"""Largest page of a list endpoint."""


def ms_time(ms: int) -> datetime:
    """Return a record time (epoch milliseconds) as an aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


class ClusterRegistration(RequestModel):
    """What a cluster is, registered once so later calls need only new metrics.

    Attributes:
        topology: region, AZ IDs and the writer's AZ.
        limits: ACU bounds and reader limits.
        read_frac: share of demand that is read-only, 0-1.
        price_usd_per_acu_hour: compute price, USD per ACU-hour; when not given, the
            Standard rate of ``topology.region`` (``policy.types.fill_regional_price``),
            stored with the registration; a region without a built-in price needs it (422
            at ``price_usd_per_acu_hour`` naming the known regions: it would be priced at
            us-east-1's rate).
        step_s: step of the metrics the cluster sends, seconds (30-3600; must divide the
            plan step, 900 s by default).
        config: policy overrides applied to every recommendation of this cluster.
        engine: the Aurora engine, used to render actions (``create-db-instance
            --engine``) of this cluster's stored recommendations.
        timezone: the IANA time zone the cluster's demand follows (``Europe/Berlin``;
            daily and weekly seasons are learnt on its wall clock, so business-hour peaks
            stay put across daylight-saving switches); None: UTC.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "topology": {
                        "region": "us-east-1",
                        "az_ids": ["use1-az1", "use1-az2", "use1-az4"],
                        "writer_az_id": "use1-az1",
                    },
                    "limits": {"min_acu": 0.5, "max_acu": 64},
                    "read_frac": 0.6,
                    "step_s": 300,
                    "config": {"risk_quantile": 0.95},
                }
            ]
        }
    )

    topology: Topology = Field(default_factory=Topology)
    limits: CapacityLimits = Field(default_factory=CapacityLimits)
    read_frac: float = Field(default=0.5, ge=0.0, le=1.0, strict=True)
    price_usd_per_acu_hour: float = Field(default=0.12, ge=MIN_PRICE_USD_PER_ACU_HOUR, le=100.0, strict=True)
    step_s: int = Field(default=300, ge=MIN_STEP_S, le=3600, strict=True)
    config: PolicyOverrides = Field(default_factory=PolicyOverrides)
    engine: Engine = "aurora-postgresql"
    timezone: str | None = Field(default=None, min_length=1, max_length=64, strict=True)

    def model_post_init(self, context: Any, /) -> None:
        """Price the cluster at its region's rate when no price was given."""
        fill_regional_price(self)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        """The library's rule (``ClusterSpec.timezone``): a zone of the IANA database."""
        try:
            return ClusterSpec.model_validate({"timezone": value}).timezone
        except ValidationError as exc:
            raise ValueError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None

    def spec(self, cluster_id: str) -> ClusterSpec:
        """Return the library's ClusterSpec for ``cluster_id``."""
        fields = self.model_dump(
            include={"topology", "limits", "read_frac", "price_usd_per_acu_hour", "timezone"}
        )
        return ClusterSpec.model_validate({"cluster_id": cluster_id, **fields})

    def check(self, base: PolicyConfig) -> None:
        """Reject bad overrides, a step not dividing the plan step, a ragged horizon, an unpriced region.

        Raises:
            fastapi.exceptions.RequestValidationError: located at ``config.*`` (among them a
                ``horizon_s`` that is not whole plan steps, a ``plan_step_s`` that is not whole
                metrics steps), ``step_s``, or ``price_usd_per_acu_hour`` (not given for a
                ``topology.region`` outside the built-in price table,
                :func:`policy.advice.prices.unpriced_region`: stored, us-east-1's rate would
                price every recommendation and advice of the cluster).
        """
        problem = (
            None
            if "price_usd_per_acu_hour" in self.model_fields_set
            else unpriced_region(self.topology.region)
        )
        if problem is not None:
            raise request_error(
                [
                    (
                        ("price_usd_per_acu_hour",),
                        f"{problem}: give price_usd_per_acu_hour, the cluster's Aurora Standard USD per "
                        "ACU-hour (it is stored with the registration)",
                    )
                ]
            )
        try:
            config = self.config.apply(base)
        except ValidationError as exc:
            raise request_error([(("config", *e["loc"]), e["msg"]) for e in exc.errors()]) from None
        try:
            check_step_s(self.step_s, config.plan_step_s)
        except InvalidRequestError as exc:
            if self.config.plan_step_s is None:  # the default plan step: the metrics step is off
                raise request_error([(("step_s",), str(exc))]) from None
            raise request_error(  # the override is what does not fit the registered step
                [
                    (
                        ("config", "plan_step_s"),
                        f"config.plan_step_s={config.plan_step_s} must be a whole multiple of the "
                        f"cluster's step_s={self.step_s}",
                    )
                ]
            ) from None
        self.config.check_horizon(config)


class MetricsSummary(WireModel):
    """What the store holds for a cluster.

    Attributes:
        n_points: stored samples.
        first_ts: oldest sample, or null.
        last_ts: newest sample, or null.
    """

    n_points: int
    first_ts: datetime | None
    last_ts: datetime | None


ENGINE_KEY: Final[str] = "engine"
"""Key of the registered engine inside a stored cluster's ``spec`` JSON (not a ClusterSpec field)."""


def record_spec(record: ClusterRecord) -> tuple[ClusterSpec, Engine]:
    """Return a stored cluster's ClusterSpec and engine (``aurora-postgresql`` if none was stored).

    Loaded under ``placement.STORED_CONTEXT``: a registration stored before the region/AZ rule
    (``placement.check_az_region``) still loads, to be shown and registered again;
    :func:`service.http.clusters.cluster_spec` refuses to plan on it.
    """
    spec = dict(record.spec)
    engine: Engine = "aurora-mysql" if spec.pop(ENGINE_KEY, None) == "aurora-mysql" else "aurora-postgresql"
    return ClusterSpec.model_validate(spec, context={STORED_CONTEXT: True}), engine


class ClusterPublic(WireModel):
    """A registered cluster.

    Attributes:
        cluster: the library's ClusterSpec.
        engine: the Aurora engine actions are rendered for.
        step_s: metrics step, seconds.
        config: policy overrides.
        revision: 1 when registered, +1 per update.
        created_at: registration time.
        updated_at: last update.
        metrics: the stored samples.
    """

    cluster: ClusterSpec
    engine: Engine
    step_s: int
    config: PolicyOverrides
    revision: int
    created_at: datetime
    updated_at: datetime
    metrics: MetricsSummary

    @classmethod
    def of(cls, record: ClusterRecord, points: tuple[int | None, int | None, int]) -> ClusterPublic:
        """Build from a store record and ``Store.point_range``."""
        first, last, count = points
        spec, engine = record_spec(record)
        return cls(
            cluster=spec,
            engine=engine,
            step_s=record.step_s,
            config=PolicyOverrides.model_validate(record.config),
            revision=record.revision,
            created_at=ms_time(record.created_ms),
            updated_at=ms_time(record.updated_ms),
            metrics=MetricsSummary(
                n_points=count,
                first_ts=None if first is None else datetime.fromtimestamp(first, tz=UTC),
                last_ts=None if last is None else datetime.fromtimestamp(last, tz=UTC),
            ),
        )


class ClusterList(WireModel):
    """A page of clusters ordered by id.

    Attributes:
        data: the clusters.
        count: ``len(data)``.
        next_after: pass as ``after`` for the next page; null on the last page.
    """

    data: list[ClusterPublic]
    count: int
    next_after: str | None


class MetricPoints(RequestModel):
    """New demand samples for a registered cluster, in any order (sorted on arrival).

    A timestamp already stored takes the new value. Samples older than the history
    window (``MAX_HISTORY_STEPS`` steps before the newest) are pruned.

    Attributes:
        points: 1 to 40,320 samples with distinct timestamps.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "points": [
                        {"ts": "2024-05-06T12:00:00Z", "demand_acu": 6.5},
                        {"ts": "2024-05-06T12:05:00Z", "demand_acu": 7.0},
                    ]
                }
            ]
        }
    )

    points: list[HistoryPoint] = Field(min_length=1, max_length=MAX_HISTORY_POINTS)


class IngestResult(WireModel):
    """What a metrics upload stored.

    Attributes:
        cluster_id: the cluster.
        received: samples in the upload (for a file-like upload: grid steps with a demand,
            the max over its signals).
        stored: samples written (new or replaced).
        status: ``Complete``, or ``PartialData`` when a CloudWatch result said more data
            is available (fetch the next page with its ``NextToken`` and send it too).
        warnings: source flags (partial or failed queries by signal and Id), how the
            data was read (mixed resolutions, offset grids, statistics), samples stored
            above the cluster's MaxCapacity (named, with it) and notes (the MaxCapacity
            peak connections need), one line each.
        report: for a file-like upload, what the ingest checks found: ``n_rows``,
            ``n_points``, ``n_duplicates`` (exact duplicates dropped), ``signals`` (per
            signal: unit, statistic, step, irregular, resolutions, offset, off-grid points, holes),
            ``warnings``, ``source_flags`` and ``binding_share`` (per signal, the share of
            the steps it gave the demand).
        metrics: the store after the upload.
    """

    cluster_id: str
    received: int
    stored: int
    status: Literal["Complete", "PartialData"] = "Complete"
    warnings: list[str] = Field(default_factory=list)
    report: dict[str, Any] | None = None
    metrics: MetricsSummary


class ClusterRecommendationRequest(RequestModel):
    """Ask for a recommendation from a registered cluster's stored metrics.

    Attributes:
        now: decision time (ISO 8601 with offset, on the cluster's step grid); default:
            the server's clock, truncated to the step grid (the end of the last whole
            step), so the plan is stale and held when the metric feed stopped.
        points: new samples to store first (optional; same rules as ``/metrics``).
        config: overrides on top of the cluster's own.
        previous: the layout deployed now (churn penalties, warm start, fail-safe floor).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "points": [{"ts": "2024-05-06T12:25:00Z", "demand_acu": 10.0}],
                    "config": {"horizon_s": 10_800},
                    "previous": {"writer_acu": 4.0, "failover_az_id": "use1-az2"},
                }
            ]
        }
    )

    now: Timestamp | None = None
    points: list[HistoryPoint] = Field(default_factory=list, max_length=MAX_HISTORY_POINTS)
    config: PolicyOverrides | None = None
    previous: PreviousLayout | None = None


class Explanation(WireModel):
    """Why a stored recommendation is what it is.

    Attributes:
        solver_status: the optimiser's status.
        solve_time_s: solver wall time.
        is_fail_safe: the fail-safe plan was returned.
        forecast_model: the forecasting model used.
        expected_cost_usd: compute cost over the horizon.
        reasons: the plan's main choices.
        warnings: data-quality warnings and fallbacks.
        risk_quantile: per-cluster recommendations: the risk quantile planned at and its
            source (learnt for the cluster, configured, or the request's); None on
            stateless ones and on those stored before it was recorded.
    """

    solver_status: str
    solve_time_s: float
    is_fail_safe: bool
    forecast_model: str
    expected_cost_usd: float
    reasons: list[str]
    warnings: list[str]
    risk_quantile: RiskQuantileChoice | None = None


class StoredRecommendationSummary(WireModel):
    """One entry of a cluster's recommendation history.

    Attributes:
        id: the recommendation's id (increasing).
        cluster_id: its cluster.
        created_at: when it was stored.
        generated_at: its ``now``.
        inputs_hash: SHA-256 of its canonical inputs.
        explanation: status, model, cost, reasons, warnings.
    """

    id: int
    cluster_id: str
    created_at: datetime
    generated_at: datetime
    inputs_hash: str
    explanation: Explanation

    @classmethod
    def of(cls, record: RecommendationRecord) -> StoredRecommendationSummary:
        """Build from a store record."""
        item = record.item
        return cls(
            id=record.id,
            cluster_id=item.cluster_id,
            created_at=ms_time(record.created_ms),
            generated_at=datetime.fromtimestamp(item.generated_at_s, tz=UTC),
            inputs_hash=item.inputs_hash,
            explanation=Explanation.model_validate(item.explanation),
        )


class StoredRecommendation(StoredRecommendationSummary):
    """A stored recommendation in full.

    Attributes:
        inputs: the inputs without the history samples (``history`` gives their count,
            missing count and SHA-256).
        recommendation: the recommendation as it was returned.
    """

    inputs: dict[str, Any]
    recommendation: Recommendation

    @classmethod
    def of(cls, record: RecommendationRecord) -> StoredRecommendation:
        """Build from a store record."""
        summary = StoredRecommendationSummary.of(record).model_dump()
        rec = Recommendation.model_validate(record.item.recommendation)
        return cls(**summary, inputs=record.item.inputs, recommendation=rec)


class RecommendationList(WireModel):
    """A page of a cluster's recommendation history, newest first.

    Attributes:
        data: the recommendations.
        count: ``len(data)``.
        next_before: pass as ``before`` for the next (older) page; null on the last page.
    """

    data: list[StoredRecommendationSummary]
    count: int
    next_before: int | None


def check_requested_now(now: datetime | None, *, step_s: int, config: PolicyConfig) -> None:
    """Check a request's ``now`` on its own, before any stored sample is read or written.

    Args:
        now: the request's decision time, or None (the default is always valid).
        step_s: the cluster's step, seconds.
        config: the merged policy configuration (its horizon and plan step give the plan's reach).

    Raises:
        fastapi.exceptions.RequestValidationError: at ``now``: naive, off the step grid, before
            1970 or too late for the plan (:func:`service.inputs.history.check_now`).
    """
    if now is None:
        return
    try:
        check_now(now, step_s=step_s, plan_s=plan_span_s(config.horizon_s, config.plan_step_s))
    except HistoryError as exc:
        raise request_error([(exc.loc, str(exc))]) from None


def stored_inputs(
    ts_s: list[int],
    values: list[float],
    *,
    step_s: int,
    now: datetime | None,
    cluster: ClusterSpec,
    config: PolicyConfig,
    previous: PreviousLayout | None,
    stored: tuple[int | None, int | None, int] | None = None,
    source_flags: tuple[str, ...] = (),
) -> RecommendInputs:
    """Build ``policy.recommend``'s arguments from stored samples (oldest first).

    Samples that break the upload limits (before 1970, demand not finite, negative or
    above 1e6 ACU) are skipped as missing, so a bad value stored by an older version can
    never fail every later call.

    Args:
        ts_s: stored sample times in the window, epoch seconds, oldest first.
        values: their demand, ACU.
        step_s: the cluster's step, seconds.
        now: the decision time, or None for the end of the newest step.
        cluster: the cluster.
        config: the merged policy configuration.
        previous: the current layout, if given.
        stored: ``Store.point_range`` of the cluster (first, last, count), to explain an
            empty window.
        source_flags: what the sources said of the stored data (the cluster's latest
            upload): the plan then holds ``previous``.

    Raises:
        fastapi.exceptions.RequestValidationError: ``now`` off the grid or out of range
            (at ``now``, checked first: before 1970 it selects an empty window but is the
            error itself), or no samples in the window before ``now`` (at ``history``; the
            message says whether the cluster has no metrics or they are outside the window).
    """
    kept = [i for i, (t, v) in enumerate(zip(ts_s, values, strict=True)) if sample_problem(t, v) is None]
    if len(kept) != len(ts_s):
        ts_s, values = [ts_s[i] for i in kept], [values[i] for i in kept]
    check_requested_now(now, step_s=step_s, config=config)  # blamed on now, not on the window it selects
    if not ts_s:
        raise request_error([(("history",), _empty_window(cluster.cluster_id, now, step_s, stored))])
    try:
        at = check_window(
            ts_s[0], ts_s[-1], step_s=step_s, now=now, max_steps=MAX_HISTORY_STEPS,
            plan_s=plan_span_s(config.horizon_s, config.plan_step_s),
        )  # fmt: skip
        stamps = [datetime.fromtimestamp(t, tz=UTC) for t in ts_s]
        history = points_history(
            stamps, values, cluster_id=cluster.cluster_id, step_s=step_s, now=at, max_steps=MAX_HISTORY_STEPS
        )
    except HistoryError as exc:
        raise request_error([(exc.loc, str(exc))]) from None
    return RecommendInputs(history, at, step_s, cluster, config, previous, source_flags)


def _empty_window(
    cluster_id: str, now: datetime | None, step_s: int, stored: tuple[int | None, int | None, int] | None
) -> str:
    """Explain why no stored sample falls in the window before ``now``."""
    first, last, count = stored if stored is not None else (None, None, 0)
    if not count or first is None or last is None or now is None:
        return f"cluster {cluster_id!r} has no stored metrics before now"
    now_s = epoch_s(now)
    span = f"{iso_s(first)} to {iso_s(last)}"
    if first >= now_s:
        return f"cluster {cluster_id!r} has no stored metrics before now {iso_s(now_s)}: they are from {span}"
    return (
        f"the stored metrics of cluster {cluster_id!r} ({span}) are outside the {MAX_HISTORY_STEPS:,}-step "
        f"window ({MAX_HISTORY_STEPS:,} steps of {step_s} s) before now {iso_s(now_s)}; give a now "
        f"closer to them or send newer metrics"
    )


def window_start(now: datetime | None, last_s: int | None, step_s: int) -> tuple[int, int]:
    """Return the ``[since, until)`` epoch-second range of samples a recommendation reads."""
    until = epoch_s(now) if now is not None else (last_s or 0) - (last_s or 0) % step_s + step_s
    return until - MAX_HISTORY_STEPS * step_s, until
