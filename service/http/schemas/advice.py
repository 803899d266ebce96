"""HTTP wire format v1 for advice jobs: the requests, the job and the result document.

Owns :class:`SamplePoint`, :class:`AdviceOptions`, :class:`AdviceRequest`,
:class:`ClusterAdviceRequest`, :class:`AdviceJob`, :class:`AdviceScheduler` and
:class:`AdviceDocument`. A request is checked in full before its job is queued
(:meth:`AdviceBody.advice_inputs`): what ``policy.advise`` would reject once the job runs
is a synchronous 422 naming the field. The settings today are the library's
:class:`policy.CurrentSettings` and the result the library's :class:`policy.Advice` plus
the timetable rendered for EventBridge Scheduler (:func:`service.advice.report.advice_document`).
Imports ``policy`` public names and ``service`` modules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
from pydantic import ConfigDict, Field, ValidationError, field_validator

from policy import (
    Advice,
    AdviceConfig,
    ClusterSpec,
    CurrentSettings,
    InvalidRequestError,
    PolicyConfig,
    ReplayConfig,
    ScalerModel,
)
from policy.advice.checks import (
    check_capacity_within_max,
    check_history_length,
    check_replayed_coverage,
    check_settings,
)
from policy.advice.prices import PriceBook, advice_prices
from policy.engine import validate_cluster_config
from policy.scaler import RAMP_PROFILES
from policy.steps import MIN_STEP_S, check_replan_every_s, check_step_s, check_whole_steps, first_scored_step
from policy.types import known_zone
from service.advice.identifiers import check_db_cluster_identifier, db_cluster_identifier_problem
from service.http.advising import AdviceInputs
from service.http.schemas.jobs import ReplayJob
from service.http.schemas.recommendations import (
    MAX_HISTORY_POINTS,
    MAX_HISTORY_STEPS,
    HistoryPoint,
    PolicyOverrides,
    RequestModel,
    Timestamp,
    WireModel,
    check_cluster_name,
    check_priced,
    ordered_points,
    request_error,
)
from service.inputs.history import Loc, epoch_s, points_demand
from service.store import JobRecord

RampProfile = Literal["default", "slow", "fast"]


class SamplePoint(WireModel):
    """One sample of a side series (``DatabaseConnections``, ``VolumeBytesUsed``).

    Attributes:
        ts: sample time, ISO 8601 with a UTC offset, at or after 1970-01-01.
        value: the value, a JSON number, finite and >= 0 (connections, or bytes).
    """

    ts: Timestamp
    value: float = Field(ge=0.0, le=1e18, allow_inf_nan=False, strict=True)


class AdviceOptions(WireModel):
    """How to advise (all optional).

    Attributes:
        monthly_budget_usd: alert when a monthly cost (replayed or projected) exceeds it.
        storage_gib: cluster storage, GiB (a ``volume_bytes`` series replaces it).
        io_million_per_month: I/O requests per month, millions (the I/O-Optimized comparison).
        backup_retention_days: ``BackupRetentionPeriod``, 1-35 days.
        backup_change_gib_per_day: data changed per day, GiB (default: the volume's growth).
        alert_horizon_s: how far ahead the forecast alerts look, whole days, 1-28.
        alert_quantile: the forecast's upper quantile the alerts use, [0.5, 1).
        schedule_slot_s: the timetable's resolution, seconds; divides a day, a multiple of the step.
        schedule_quantile: the highest quantile of the floors (acuplan's or the bound's) a
            timetable slot takes, (0, 1).
        schedule_timezone: the IANA zone whose wall clock the timetable follows and its
            EventBridge schedules run in (``Europe/Berlin``); ``UTC`` by default.
        ramp_profile: the simulated Aurora scaler's speed (``default``, ``slow``, ``fast``).
        replan_every_s: acuplan's re-plan interval in the replay, seconds.
        warmup_s: history before the replayed window, seconds, a multiple of the step (the
            advice needs it plus a day).
        prices: a price book to use instead of the built-in prices of the cluster's region
            (``topology.region``); it must be for that region (``region``) and bill the
            cluster's ``price_usd_per_acu_hour`` (``serverless_standard_usd_per_acu_hour``),
            else a 422 at ``options.prices.*``.
    """

    monthly_budget_usd: float | None = Field(default=None, gt=0.0, le=1e9, strict=True)
    storage_gib: float = Field(default=0.0, ge=0.0, le=1e6, strict=True)
    io_million_per_month: float | None = Field(default=None, ge=0.0, le=1e9, strict=True)
    backup_retention_days: int = Field(default=1, ge=1, le=35, strict=True)
    backup_change_gib_per_day: float | None = Field(default=None, ge=0.0, le=1e6, strict=True)
    alert_horizon_s: int = Field(default=7 * 86_400, ge=86_400, le=28 * 86_400, strict=True)
    alert_quantile: float = Field(default=0.95, ge=0.5, lt=1.0, strict=True)
    schedule_slot_s: int = Field(default=900, ge=60, le=86_400, strict=True)
    schedule_quantile: float = Field(default=0.9, gt=0.0, lt=1.0, strict=True)
    schedule_timezone: str = Field(default="UTC", min_length=1, max_length=64, strict=True)
    ramp_profile: RampProfile = "default"
    replan_every_s: int = Field(default=3600, gt=0, le=7 * 86_400, strict=True)
    warmup_s: int = Field(default=2 * 86_400, ge=86_400, le=14 * 86_400, strict=True)
    prices: PriceBook | None = None

    @field_validator("schedule_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """The library's rule (:func:`policy.types.known_zone`): a zone of the IANA database."""
        return known_zone(value)


def check_aws_identifier(cluster: ClusterSpec, registered: str | None) -> None:
    """Refuse advice whose commands would address the cluster by an id AWS rejects.

    The advice's EventBridge Scheduler targets (``DbClusterIdentifier``), its
    ``modify-db-cluster`` command and its Terraform address the cluster by its id, so the id
    must pass AWS's ``DBClusterIdentifier`` rule (:func:`policy.aws_names.db_cluster_identifier_problem`,
    the rule of ``POST /v1/actions`` and ``acuplan advise --cluster-id``); AWS would
    otherwise reject each schedule when it fires.

    Args:
        cluster: the cluster advised (its ``cluster_id``).
        registered: the registered cluster's id (the path's ``cluster_id``), or None for a
            posted history.

    Raises:
        fastapi.exceptions.RequestValidationError: at ``cluster.cluster_id`` for a posted
            history.
        service.advice.identifiers.InvalidDbClusterIdentifierError: at ``cluster_id`` for a
            registered cluster.
    """
    problem = db_cluster_identifier_problem(cluster.cluster_id)
    if problem is None:
        return
    said = "the advice's commands address the cluster by it"
    if registered is None:
        hint = f"{said}: give the cluster's identifier in AWS, e.g. orders-db"
        raise request_error([(("cluster", "cluster_id"), f"{problem}; {hint}")])
    hint = f"{said}: POST its history to /v1/advice with cluster.cluster_id, the cluster's identifier in AWS"
    check_db_cluster_identifier(registered, field="cluster_id", hint=hint)


def _errors(exc: ValidationError, prefix: Loc) -> list[tuple[Loc, str]]:
    return [((*prefix, *e["loc"]), str(e["msg"]).removeprefix("Value error, ")) for e in exc.errors()]


def _grid(
    points: list[SamplePoint] | None, field: str, *, start_s: int, step_s: int, n: int
) -> list[float | None]:
    """Side samples onto the demand's grid: the max per step; samples outside it are left out.

    Raises:
        fastapi.exceptions.RequestValidationError: timestamps not strictly increasing, at
            ``<field>.<i>.ts``.
    """
    out = np.full(n, np.nan)
    last = None
    for i, p in enumerate(points or []):
        t = epoch_s(p.ts)
        if last is not None and t <= last:
            raise request_error([((field, i, "ts"), "timestamps must be strictly increasing")])
        last = t
        k = (t - start_s) // step_s
        if 0 <= k < n:
            out[k] = p.value if np.isnan(out[k]) else max(out[k], p.value)
    return [None if v != v else float(v) for v in out.tolist()]


class AdviceBody(RequestModel):
    """The parts both advice requests share (see :class:`AdviceRequest`)."""

    current: CurrentSettings = Field(default_factory=CurrentSettings)
    options: AdviceOptions = Field(default_factory=AdviceOptions)
    config: PolicyOverrides | None = None
    connections: list[SamplePoint] | None = Field(default=None, max_length=MAX_HISTORY_POINTS)
    volume_bytes: list[SamplePoint] | None = Field(default=None, max_length=MAX_HISTORY_POINTS)
    capacity_acu: list[SamplePoint] | None = Field(default=None, max_length=MAX_HISTORY_POINTS)

    def check_auto_pause(self) -> None:
        """Refuse ``current.seconds_until_auto_pause`` for a cluster that cannot pause, as the CLI does.

        Aurora pauses only at MinCapacity 0, so SecondsUntilAutoPause given with another
        MinCapacity is a mistake in the settings described (``acuplan advise`` refuses
        ``--pause-after-s`` without ``--min-acu 0``), never ignored.

        Raises:
            fastapi.exceptions.RequestValidationError: at ``current.seconds_until_auto_pause``.
        """
        current = self.current
        if "seconds_until_auto_pause" in current.model_fields_set and current.min_capacity_acu != 0:
            raise request_error(
                [
                    (
                        ("current", "seconds_until_auto_pause"),
                        f"current.seconds_until_auto_pause={current.seconds_until_auto_pause}: "
                        "SecondsUntilAutoPause applies only to a cluster that may pause "
                        "(current.min_capacity_acu 0), and current.min_capacity_acu is "
                        f"{current.min_capacity_acu:g}",
                    )
                ]
            )

    def advice_config(self, base: PolicyConfig, *, step_s: int) -> AdviceConfig:
        """The advice's configuration: the policy with overrides, the replay, the options.

        Raises:
            fastapi.exceptions.RequestValidationError: at ``config.*``, ``options.*`` (among
                them ``options.warmup_s`` and ``options.schedule_slot_s`` not a multiple of
                ``step_s``) or ``step_s`` (does not divide the plan step).
        """
        o = self.options
        try:
            policy = self.config.apply(base) if self.config is not None else base
        except ValidationError as exc:
            raise request_error(_errors(exc, ("config",))) from None
        try:
            check_step_s(step_s, policy.plan_step_s)
            check_replan_every_s(o.replan_every_s, step_s=step_s, horizon_s=policy.horizon_s)
        except InvalidRequestError as exc:
            field = ("options", "replan_every_s") if "replan_every_s" in (exc.field or "") else ("step_s",)
            raise request_error([(field, str(exc))]) from None
        if self.config is not None:
            self.config.check_horizon(policy)
        scaler = ScalerModel(
            ramp=RAMP_PROFILES[o.ramp_profile],
            auto_pause_after_s=float(self.current.seconds_until_auto_pause),
        )
        try:
            replay = ReplayConfig(
                replan_every_s=o.replan_every_s,
                warmup_s=o.warmup_s,
                policy=policy.model_copy(update={"scaler": scaler}),  # acuplan plans for the simulated Aurora
                scaler=scaler,
            )
            config = AdviceConfig(
                replay=replay,
                prices=o.prices,  # None: the cluster's region's
                schedule_slot_s=o.schedule_slot_s,
                schedule_quantile=o.schedule_quantile,
                schedule_timezone=o.schedule_timezone,
                monthly_budget_usd=o.monthly_budget_usd,
                storage_gib=o.storage_gib,
                io_million_per_month=o.io_million_per_month,
                backup_retention_days=o.backup_retention_days,
                backup_change_gib_per_day=o.backup_change_gib_per_day,
                alert_horizon_s=o.alert_horizon_s,
                alert_quantile=o.alert_quantile,
            )
        except ValidationError as exc:
            raise request_error(_errors(exc, ("options",))) from None
        for name in ("warmup_s", "schedule_slot_s"):  # durations are whole steps, never rounded
            try:
                check_whole_steps(getattr(o, name), step_s=step_s, field=name)
            except InvalidRequestError as exc:
                raise request_error([(("options", name), str(exc))]) from None
        return config

    def advice_inputs(
        self,
        ts_s: list[int],
        values: list[float],
        *,
        step_s: int,
        cluster: ClusterSpec,
        base: PolicyConfig,
        registered: str | None = None,
        input_warnings: tuple[str, ...] = (),
    ) -> AdviceInputs:
        """Put the samples on the grid and fix the job's inputs, checking all the job would reject.

        Args:
            ts_s: demand sample times, epoch seconds, strictly increasing.
            values: demand per sample, ACU.
            step_s: the grid step, seconds.
            cluster: the cluster.
            base: the service's (or the registered cluster's) policy configuration.
            registered: the registered cluster the advice is for, or None.
            input_warnings: what reading the history found without refusing it (a posted
                history's samples off the ``step_s`` grid,
                :func:`service.inputs.formats.off_grid_warnings`); the advice's reasons end
                with them (``inputs: <warning>``, :func:`service.http.advising.run_advice`).

        Raises:
            fastapi.exceptions.RequestValidationError: ``current.seconds_until_auto_pause``
                given for a MinCapacity other than 0 (:meth:`check_auto_pause`), a cluster
                in a region without a built-in price and without its own
                (:func:`check_priced`, at ``cluster.price_usd_per_acu_hour``), a blank
                ``cluster.cluster_id`` or one with a control character (:func:`check_cluster_name`), a
                cluster id that is no valid ``DBClusterIdentifier`` (:func:`check_aws_identifier`), an
                ``options.prices`` for another region or rate (at ``options.prices.*``), a history
                spanning more than ``MAX_HISTORY_STEPS`` steps or shorter than the warm-up
                plus a day (at ``history``), the settings against the cluster (at
                ``current.*``), a ``capacity_acu`` sample above MaxCapacity (at
                ``current.max_capacity_acu``), a configuration error, or side samples out of
                order.
        """
        self.check_auto_pause()
        check_cluster_name(cluster)
        check_aws_identifier(cluster, registered)
        check_priced(cluster)
        config = self.advice_config(base, step_s=step_s)
        if (ts_s[-1] - ts_s[0]) // step_s + 1 > MAX_HISTORY_STEPS:
            raise request_error(
                [(("history",), f"the history spans more than {MAX_HISTORY_STEPS} steps of {step_s} s")]
            )
        demand = points_demand(
            [datetime.fromtimestamp(t, tz=UTC) for t in ts_s],
            values,
            cluster_id=cluster.cluster_id,
            step_s=step_s,
        )
        n = len(demand.demand_acu)
        try:
            check_history_length(n, step_s, config.replay.warmup_s)
            first = first_scored_step(demand.demand_acu, step_s=step_s, warmup_s=config.replay.warmup_s)
            validate_cluster_config(cluster, config.replay.policy)
        except InvalidRequestError as exc:
            raise request_error([(tuple((exc.field or "history").split(".")), str(exc))]) from None
        _check_coverage(demand.demand_acu[first:], demand.start, first, step_s, ts_s, config)
        grid = {"start_s": epoch_s(demand.start), "step_s": step_s, "n": n}
        try:
            current = self.current.for_cluster(cluster)
            check_settings(cluster, current, config, step_s=step_s)
            capacity = None if self.capacity_acu is None else _grid(self.capacity_acu, "capacity_acu", **grid)
            check_capacity_within_max(
                None if capacity is None else np.array([np.nan if v is None else v for v in capacity]),
                start=demand.start,
                step_s=step_s,
                max_capacity_acu=current.max_capacity_acu,
            )
            advice_prices(
                cluster.topology.region,
                cluster.price_usd_per_acu_hour,
                price_given="price_usd_per_acu_hour" in cluster.model_fields_set,
                book=config.prices,
            )
            if current.max_capacity_acu > cluster.limits.max_acu:  # two MaxCapacities for one cluster
                raise InvalidRequestError(
                    f"current.max_capacity_acu={current.max_capacity_acu:g} is above the cluster's "
                    f"limits.max_acu {cluster.limits.max_acu:g}: give the cluster its real MaxCapacity",
                    "current.max_capacity_acu",
                )
        except InvalidRequestError as exc:
            field = (exc.field or "current").replace("config.schedule_slot_s", "options.schedule_slot_s")
            field = field.replace("config.prices", "options.prices")
            raise request_error(
                [(tuple(int(p) if p.isdigit() else p for p in field.split(".")), str(exc))]
            ) from None
        return AdviceInputs(
            demand_acu=[None if v != v else float(v) for v in demand.demand_acu.tolist()],
            connections=None if self.connections is None else _grid(self.connections, "connections", **grid),
            volume_bytes=None
            if self.volume_bytes is None
            else _grid(self.volume_bytes, "volume_bytes", **grid),
            capacity_acu=capacity,
            start=demand.start,
            step_s=step_s,
            cluster=cluster,
            current=current,
            config=config,
            registered=registered,
            input_warnings=input_warnings,
        )


def _check_coverage(
    scored: npt.NDArray[np.float64],
    start: datetime,
    first: int,
    step_s: int,
    ts_s: list[int],
    config: AdviceConfig,
) -> None:
    """Refuse at submission a replayed window the job would refuse as mostly unobserved.

    The job's own rule (:func:`policy.advice.checks.check_replayed_coverage`), checked before
    the job is queued; when the samples lie further apart than ``step_s`` (their median
    spacing), the 422 is at ``step_s``, which is then what is wrong (60 s on 5-minute data
    observes one step in five), else at ``history``.

    Raises:
        fastapi.exceptions.RequestValidationError: less than ``min_coverage_24h`` observed.
    """
    try:
        check_replayed_coverage(
            scored, start + timedelta(seconds=first * step_s), step_s, config.replay.policy.min_coverage_24h
        )
    except InvalidRequestError as exc:
        spacing = int(np.median(np.diff(ts_s))) if len(ts_s) > 1 else step_s
        if spacing > step_s:
            raise request_error(
                [(("step_s",), f"step_s={step_s} but the samples are {spacing} s apart (median): {exc}")]
            ) from None
        raise request_error([(("history",), str(exc))]) from None


def _example_history() -> list[dict[str, Any]]:
    """Two days at 15 minutes: 1.5 ACU, 6 ACU from 08:00 to 18:00 UTC (a runnable example)."""
    start = datetime(2024, 5, 6, tzinfo=UTC)
    return [
        {
            "ts": (start + timedelta(minutes=15 * i)).isoformat().replace("+00:00", "Z"),
            "demand_acu": 6.0 if 32 <= i % 96 < 72 else 1.5,
        }
        for i in range(2 * 96)
    ]


_EXAMPLE: Final[dict[str, Any]] = {
    "cluster": {"cluster_id": "orders-prod", "read_frac": 0.5},
    "step_s": 900,
    "current": {
        "min_capacity_acu": 8,
        "max_capacity_acu": 32,
        "readers": [{"az_id": "use1-az2", "promotion_tier": 1}],
    },
    "options": {
        "monthly_budget_usd": 1500,
        "backup_retention_days": 7,
        "storage_gib": 120,
        "warmup_s": 86_400,
    },
    "history": _example_history(),
}


class AdviceRequest(AdviceBody):
    """Advice for a cluster from its posted history and its settings today, as a job.

    The history needs the warm-up (2 days by default) plus at least a day; the answer
    replays today's settings, a MinCapacity timetable (read off acuplan's or the bound's floors) and the
    perfect-foresight bound over it, prices the ways to buy the capacity and raises alerts
    from the history and the forecast.

    Attributes:
        cluster: the cluster (read share, price, topology; ``limits.min_acu`` is the lowest
            floor acuplan may plan, 0 for auto-pause); its ``cluster_id`` is required, the
            ``DBClusterIdentifier`` the advice's commands target (:meth:`named_cluster`).
        step_s: history step, seconds (30-3600; divides the plan step).
        history: demand samples, strictly increasing, 1 to 40,320.
        current: the settings today (MinCapacity, MaxCapacity, readers, auto-pause, engine,
            global-database secondaries).
        options: how to advise (budget, storage, backups, alerts, timetable, ramp profile, prices).
        config: overrides of acuplan's policy configuration.
        connections: ``DatabaseConnections`` samples (for the ``connections`` alert);
            samples outside the history's window are left out.
        volume_bytes: ``VolumeBytesUsed`` samples, bytes (storage and its growth).
        capacity_acu: ``ServerlessDatabaseCapacity`` samples, ACU (or ``ACUUtilization`` x
            MaxCapacity / 100): Aurora never runs above MaxCapacity, so one above
            ``current.max_capacity_acu`` is a 422 there (the MaxCapacity given is not the
            cluster's); never CPU-derived demand, which may exceed it.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    cluster: ClusterSpec | None = None
    step_s: int = Field(default=300, ge=MIN_STEP_S, le=3600, strict=True)
    history: list[HistoryPoint] = Field(min_length=1, max_length=MAX_HISTORY_POINTS)

    def wire_points(self, now_s: int) -> tuple[list[int], list[float]]:
        """Return ``history`` as (epoch seconds, ACU) (:func:`ordered_points`: in order, not after ``now_s``).

        Raises:
            fastapi.exceptions.RequestValidationError: at ``history.<i>.ts``.
        """
        return ordered_points(list(self.history or []), now_s=now_s)

    def named_cluster(self) -> ClusterSpec:
        """Return ``cluster``, which must name the cluster: its id is what the advice's commands target.

        The EventBridge Scheduler targets, the ``modify-db-cluster`` command and the Terraform
        address the cluster by ``cluster.cluster_id``, so it is never defaulted (``ClusterSpec``'s
        ``cluster-1`` would change whatever real cluster has that name); ``acuplan advise``
        refuses exports naming no cluster without ``--cluster-id`` by the same rule.

        Raises:
            fastapi.exceptions.RequestValidationError: at ``cluster.cluster_id`` when ``cluster``
                or its ``cluster_id`` is not given.
        """
        if self.cluster is None or "cluster_id" not in self.cluster.model_fields_set:
            raise request_error(
                [
                    (
                        ("cluster", "cluster_id"),
                        "the request names no cluster; give cluster.cluster_id, the DBClusterIdentifier "
                        "the advice's commands will target (e.g. orders-db)",
                    )
                ]
            )
        return self.cluster


class ClusterAdviceRequest(AdviceBody):
    """Advice for a registered cluster from its stored metrics, as a job.

    The history is every stored sample on the cluster's step grid; the cluster's spec,
    engine (unless ``current.engine`` is given) and policy overrides apply.

    Attributes:
        current: the settings today.
        options: how to advise.
        config: overrides on top of the cluster's policy overrides.
        connections: ``DatabaseConnections`` samples.
        volume_bytes: ``VolumeBytesUsed`` samples, bytes.
    """

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"current": {"min_capacity_acu": 2, "max_capacity_acu": 16}}]}
    )


class AdviceJob(ReplayJob):
    """An advice job's state (the fields of a replay job; ``progress`` per stage).

    ``progress`` holds ``[done, total]`` for ``acuplan`` and ``bound`` (decisions replayed)
    and for the stages ``current``, ``timetable`` and ``outlook``; ``result_url`` is
    ``/v1/advice/{id}/result``.
    """

    @classmethod
    def of_job(cls, job: JobRecord, progress: dict[str, tuple[int, int]]) -> AdviceJob:
        """Build from a store record and the runner's progress."""
        base = ReplayJob.of(job, progress)
        return cls.model_validate({**base.model_dump(), "result_url": f"/v1/advice/{job.id}/result"})


class SecondaryScheduler(WireModel):
    """A global-database secondary's timetable as EventBridge Scheduler entries in its region.

    Attributes:
        region: the secondary's region.
        cluster_identifier: its DB cluster identifier.
        commands: ``aws scheduler create-schedule --region ...`` commands (empty: keep its settings).
        terraform: ``aws_scheduler_schedule`` resources on a provider aliased to the region.
    """

    region: str
    cluster_identifier: str
    commands: list[str]
    terraform: str


class AdviceScheduler(WireModel):
    """The primary's timetable as EventBridge Scheduler entries (nothing is executed).

    Attributes:
        commands: AWS CLI commands, one per entry.
        terraform: ``aws_scheduler_schedule`` resources.
        secondaries: each global-database secondary's entries in its own region.
    """

    commands: list[str]
    terraform: str
    secondaries: list[SecondaryScheduler] = Field(default_factory=list)


class AdviceDocument(Advice):
    """The advice job's result: :class:`policy.Advice` plus ``scheduler``."""

    scheduler: AdviceScheduler
