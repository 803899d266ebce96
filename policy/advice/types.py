"""What :func:`policy.advice.advise.advise` takes and returns.

Owns :class:`ReaderSetting`, :class:`SecondaryCluster`, :class:`CurrentSettings` (today's
settings), :class:`AdviceConfig`, :class:`Outcome`, :class:`ObservedToday`, :class:`TierOption`,
:class:`AutoPauseAdvice`, :class:`Alert`, :class:`Outlook`, :class:`AdviceSeries` and
:class:`Advice`. Models only (no replay), so a caller can build the inputs without loading
the forecasters.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator

from placement.specs import RegionName
from placement.units import half_acu_grid_problem
from policy.advice.prices import PriceBook, Pricing
from policy.advice.purchase import PurchaseOption
from policy.advice.schedule import FloorSchedule, SecondarySchedule
from policy.advice.storage import StorageAdvice
from policy.aws_names import DbClusterIdentifier
from policy.config import ReplayConfig
from policy.errors import InvalidRequestError
from policy.types import ClusterSpec, FrozenModel, known_zone


class ReaderSetting(FrozenModel):
    """One reader instance as deployed.

    Attributes:
        az_id: its AZ ID.
        promotion_tier: 0-1 follow the writer's capacity; 2-15 scale on their own.
    """

    az_id: str = Field(min_length=1, max_length=64)
    promotion_tier: int = Field(default=1, ge=0, le=15)


Engine = Literal["aurora-postgresql", "aurora-mysql"]
"""The Aurora engine (it decides ``max_connections``)."""


def _check_capacity_range(min_capacity_acu: float, max_capacity_acu: float) -> None:
    """MinCapacity and MaxCapacity on the 0.5-ACU grid, the minimum not above the maximum.

    Raises:
        ValueError: naming the field and the reason.
    """
    for name, value in (("min_capacity_acu", min_capacity_acu), ("max_capacity_acu", max_capacity_acu)):
        problem = half_acu_grid_problem(value)  # the wording recommend's limits use too
        if problem is not None:
            raise ValueError(f"{name} {value:g}: {problem}")
    if min_capacity_acu > max_capacity_acu:
        raise ValueError(f"min_capacity_acu={min_capacity_acu} exceeds max_capacity_acu={max_capacity_acu}")


class SecondaryCluster(FrozenModel):
    """A global-database secondary cluster of this cluster, in another region.

    Each secondary is its own DB cluster with its own ``ServerlessV2ScalingConfiguration``
    (sources: aurora-global), so a timetable for it is a separate set of schedules in its
    region.

    Attributes:
        region: its AWS region, e.g. ``eu-west-1``.
        cluster_identifier: its DB cluster identifier (in that region).
        min_capacity_acu: its MinCapacity today, ACU (0.5 grid; a global database cannot
            auto-pause, so at least 0.5).
        max_capacity_acu: its MaxCapacity today, ACU.
        dr_target: True when it is the cluster a regional failover promotes (it then takes
            the writer's load, so its floor follows the primary's timetable).
    """

    region: RegionName
    cluster_identifier: DbClusterIdentifier
    min_capacity_acu: float = Field(default=0.5, ge=0.5, le=256.0)
    max_capacity_acu: float = Field(default=128.0, ge=1.0, le=256.0)
    dr_target: bool = False

    @model_validator(mode="after")
    def _check(self) -> SecondaryCluster:
        _check_capacity_range(self.min_capacity_acu, self.max_capacity_acu)
        return self


class CurrentSettings(FrozenModel):
    """The cluster's settings today.

    ``max_capacity_acu`` and ``readers`` not given are the cluster's
    (:meth:`for_cluster`, which :func:`policy.advice.advise.advise` applies): its
    ``limits.max_acu`` and one tier-1 reader in the first AZ that is not the writer's.

    Attributes:
        min_capacity_acu: MinCapacity, ACU on the 0.5 grid; 0 turns auto-pause on.
        max_capacity_acu: MaxCapacity, ACU on the 0.5 grid (1-256).
        readers: reader instances with AZ and promotion tier.
        seconds_until_auto_pause: ``SecondsUntilAutoPause`` (300-86,400 s), used at
            MinCapacity 0.
        engine: ``aurora-postgresql`` or ``aurora-mysql`` (``max_connections`` differs).
        secondaries: global-database secondary clusters (at most 10: sources: aurora-global).
    """

    min_capacity_acu: float = Field(default=0.5, ge=0.0, le=256.0)
    max_capacity_acu: float = Field(default=128.0, ge=1.0, le=256.0)
    readers: tuple[ReaderSetting, ...] = (ReaderSetting(az_id="use1-az2"),)
    seconds_until_auto_pause: int = Field(default=300, ge=300, le=86_400)
    engine: Engine = "aurora-postgresql"
    secondaries: tuple[SecondaryCluster, ...] = Field(default=(), max_length=10)

    @model_validator(mode="after")
    def _check(self) -> CurrentSettings:
        _check_capacity_range(self.min_capacity_acu, self.max_capacity_acu)
        if len(self.readers) > 15:
            raise ValueError(f"readers has {len(self.readers)} instances; Aurora allows 15")
        regions = [s.region for s in self.secondaries]
        if len(set(regions)) != len(regions):
            raise ValueError(f"secondaries name a region twice: {regions}")
        if sum(s.dr_target for s in self.secondaries) > 1:
            raise ValueError("at most one secondary is the dr_target")
        return self

    def for_cluster(self, cluster: ClusterSpec) -> CurrentSettings:
        """These settings with what was not given taken from the cluster.

        Args:
            cluster: the cluster (its ``limits.max_acu`` and topology).

        Returns:
            The settings with ``max_capacity_acu`` = ``cluster.limits.max_acu`` and
            ``readers`` = one tier-1 reader in the first of ``cluster.topology.az_ids`` that
            is not the writer's, each only when it was not given (all fields then count as
            given, so a second call changes nothing).

        Raises:
            InvalidRequestError: the given MinCapacity exceeds the cluster's MaxCapacity
                (field ``current.min_capacity_acu``).
        """
        given = self.model_fields_set
        values = self.model_dump()
        if "max_capacity_acu" not in given:
            values["max_capacity_acu"] = cluster.limits.max_acu
            if self.min_capacity_acu > cluster.limits.max_acu:
                raise InvalidRequestError(
                    f"current.min_capacity_acu={self.min_capacity_acu:g} exceeds the cluster's MaxCapacity "
                    f"(limits.max_acu {cluster.limits.max_acu:g}); give current.max_capacity_acu",
                    "current.min_capacity_acu",
                )
        if "readers" not in given:
            topology = cluster.topology
            az = next(a for a in topology.az_ids if a != topology.writer_az_id)
            values["readers"] = ({"az_id": az, "promotion_tier": 1},)
        return CurrentSettings.model_validate(values)

    @property
    def has_failover(self) -> bool:
        """A tier 0-1 reader exists (it follows the writer)."""
        return any(r.promotion_tier <= 1 for r in self.readers)

    @property
    def n_scaling_readers(self) -> int:
        """Tier 2-15 readers (and tier 0-1 ones beyond the first, which also scale)."""
        return len(self.readers) - int(self.has_failover)

    def describe(self) -> str:
        """One line: ``MinCapacity 8 / MaxCapacity 16, 1 tier-1 reader``."""
        tiers = ", ".join(f"tier-{r.promotion_tier} reader in {r.az_id}" for r in self.readers) or "no reader"
        pause = " (auto-pause on)" if self.min_capacity_acu == 0 else ""
        floors = f"MinCapacity {self.min_capacity_acu:g}{pause} / MaxCapacity {self.max_capacity_acu:g} ACU"
        return f"{floors}, {tiers}"


class AdviceConfig(FrozenModel):
    """How the advice is computed.

    Attributes:
        replay: the replay (warm-up, re-plan interval, the simulated Aurora and its ramp
            profile, acuplan's policy configuration).
        prices: the price book for the purchase comparison; None (the default): the
            cluster's region's (:func:`policy.advice.prices.advice_prices`: its serverless,
            storage and I/O prices, the Standard rate the cluster's
            ``price_usd_per_acu_hour``). Given, it must be for the cluster's region and its
            Standard rate.
        schedule_slot_s: the timetable's resolution, seconds.
        schedule_quantile: the highest quantile of the floors (acuplan's live ones, and the
            bound's) a timetable slot may take (``policy.advice.timetable.SCHEDULE_QUANTILES``
            below it are tried too; the cheapest with no more SLO minutes than acuplan live wins).
        schedule_timezone: the IANA zone whose wall clock the timetable's slots, weekdays and
            times follow (``Europe/Berlin``), and EventBridge Scheduler's
            ``ScheduleExpressionTimezone``; ``UTC`` by default. Across daylight-saving switches
            see :mod:`policy.advice.schedule`.
        monthly_budget_usd: alert when a monthly cost would exceed this; None: no budget.
        storage_gib: cluster storage, GiB (priced in the purchase comparison); a
            ``VolumeBytesUsed`` history, when given to :func:`~policy.advice.advise.advise`,
            replaces it.
        io_million_per_month: storage I/O requests per month, millions (None: unknown,
            the I/O-Optimized break-even is still stated).
        backup_retention_days: the cluster's ``BackupRetentionPeriod`` (1-35 days; the
            API's default is 1: sources: aurora-backup).
        backup_change_gib_per_day: data changed per day, GiB, which the retained backups
            hold beyond the volume; None: the volume's net growth (a lower bound: updates
            that rewrite pages without growing the volume are not in ``VolumeBytesUsed``).
        alert_horizon_s: how far ahead the forecast alerts look, seconds (hourly steps;
            1-28 days).
        alert_quantile: the upper quantile of the forecast the alerts compare to the limits.
    """

    replay: ReplayConfig = Field(default_factory=ReplayConfig)
    prices: PriceBook | None = None
    schedule_slot_s: int = Field(default=900, gt=0, le=86_400)
    schedule_quantile: float = Field(default=0.9, gt=0.0, lt=1.0)
    schedule_timezone: str = Field(default="UTC", min_length=1, max_length=64)
    monthly_budget_usd: float | None = Field(default=None, gt=0.0)
    storage_gib: float = Field(default=0.0, ge=0.0, le=1e6)
    io_million_per_month: float | None = Field(default=None, ge=0.0, le=1e9)
    backup_retention_days: int = Field(default=1, ge=1, le=35)
    backup_change_gib_per_day: float | None = Field(default=None, ge=0.0, le=1e6)
    alert_horizon_s: int = Field(default=7 * 86_400, ge=86_400, le=28 * 86_400)
    alert_quantile: float = Field(default=0.95, ge=0.5, lt=1.0)

    @field_validator("schedule_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @model_validator(mode="after")
    def _check(self) -> AdviceConfig:
        if 86_400 % self.schedule_slot_s:
            raise ValueError(f"schedule_slot_s={self.schedule_slot_s} must divide a day (86,400 s)")
        if self.alert_horizon_s % 86_400:
            raise ValueError(f"alert_horizon_s={self.alert_horizon_s} must be whole days")
        return self


class Outcome(FrozenModel):
    """One way of running the cluster, replayed over its history.

    Attributes:
        settings: what is set, one line.
        monthly_cost_usd: compute cost per 730-hour month, USD.
        cost_usd: compute cost over the replayed window, USD.
        slo_violation_min: minutes over the SLO utilisation (or unserved) in the window.
        slo_violation_min_per_month: the same per 730-hour month.
        shortfall_acu_h: ACU-hours of demand above capacity in the window.
        p99_latency_ms: the latency model's p99 over the window.
        scaling_actions: setting changes over the window.
        replans_by_risk_quantile: acuplan's outcome only: how many hourly re-plans planned at
            each risk quantile (``{"0.9": 70, "0.95": 2}``; learnt per cluster,
            :mod:`policy.trace_replay.posture`); None for the other outcomes.
        replans_aurora_alone: acuplan's outcome only: how many re-plans held today's floor
            instead (the forecast had bought nothing over the posture's window); None for
            the other outcomes.
    """

    settings: str
    monthly_cost_usd: float
    cost_usd: float
    slo_violation_min: float
    slo_violation_min_per_month: float
    shortfall_acu_h: float
    p99_latency_ms: float
    scaling_actions: int
    replans_by_risk_quantile: dict[str, int] | None = None
    replans_aurora_alone: int | None = None


class ObservedToday(FrozenModel):
    """Today's bill as the cluster's own capacity metric shows it, beside the simulation of today's settings.

    The observed capacity is taken per instance (CloudWatch's cluster-level
    ``ServerlessDatabaseCapacity`` is the mean over the cluster's instances; an instance's
    own series is that instance's) and multiplied by today's instances, the writer and
    each reader (:attr:`policy.advice.observed.OBSERVED_TOLERANCE` says when the two differ
    too much to trust the simulation of today).

    Attributes:
        hours: hours of the replayed window with an observed capacity sample (the
            comparison's span; both sides are summed over those steps only).
        instances: today's instances (the writer and its readers).
        mean_capacity_acu: the observed capacity, mean per instance over those hours, ACU.
        acu_hours: the cluster's observed ACU-hours over those hours (mean x instances x hours).
        monthly_cost_usd: the same per 730-hour month at the advice's ACU-hour rate, USD.
        simulated_acu_hours: ACU-hours of today's settings replayed, over the same steps.
        simulated_monthly_cost_usd: the same per 730-hour month, USD.
        difference_pct: (observed - simulated) / simulated x 100; None when the simulated
            ACU-hours are 0.
    """

    hours: float
    instances: int
    mean_capacity_acu: float
    acu_hours: float
    monthly_cost_usd: float
    simulated_acu_hours: float
    simulated_monthly_cost_usd: float
    difference_pct: float | None


class FailoverReaderOption(FrozenModel):
    """Adding a tier-1 failover reader, when today has none: an availability choice priced apart.

    The capacity advice keeps today's readers (:mod:`policy.advice.layout`); this is the
    separate, optional recommendation.

    Attributes:
        extra_usd_per_month: what the reader adds to what to apply's monthly cost, USD.
        monthly_cost_usd: what to apply with the reader, per 730-hour month, USD.
        slo_violation_min: SLO-violation minutes in the replayed window with it.
        failover_s_with: a writer failure's outage with the reader (promoted), seconds
            ("typically less than 120 seconds", Aurora User Guide, "High availability for Amazon Aurora").
        failover_s_without: the outage without it (the writer recreated), seconds ("typically
            less than 10 minutes", same page).
        message: one sentence with the numbers.
    """

    extra_usd_per_month: float
    monthly_cost_usd: float
    slo_violation_min: float
    failover_s_with: float
    failover_s_without: float
    message: str


class TierOption(FrozenModel):
    """The failover reader at one promotion tier, in dollars and seconds.

    Attributes:
        promotion_tier: 1 (follows the writer) or 15 (scales on its own).
        monthly_cost_usd: the recommended timetable's monthly cost with this reader.
        extra_recovery_s_p95: after a failover, seconds the promoted reader needs to climb
            to the writer's need (95th percentile over the window; 0 for tier 1, which
            already holds the writer's capacity).
    """

    promotion_tier: int
    monthly_cost_usd: float
    extra_recovery_s_p95: float


class AutoPauseAdvice(FrozenModel):
    """Auto-pause (MinCapacity 0) over the history.

    Attributes:
        pausable_hours: hours in idle runs of at least ``SecondsUntilAutoPause``.
        longest_idle_min: the longest run of zero demand, minutes.
        monthly_cost_usd: the recommended timetable with MinCapacity 0 where it sits at
            the minimum, per month (None when nothing would pause, or the idle time did not recur:
            :func:`policy.advice.pause.auto_pause_advice`).
        saving_usd_per_month: against the recommended timetable (None likewise).
        resumes: resumes in the window (each waits about 15 s unserved; 30 s after a day).
        reason: why it pauses or never does.
    """

    pausable_hours: float
    longest_idle_min: float
    monthly_cost_usd: float | None
    saving_usd_per_month: float | None
    resumes: int
    reason: str


AlertKind = Literal["max_capacity", "budget", "connections"]
ALERT_KINDS: tuple[AlertKind, ...] = ("max_capacity", "budget", "connections")
"""Every alert kind, in the order they are reported."""


class Alert(FrozenModel):
    """A problem the history or the forecast shows, with its lead time.

    Attributes:
        kind: ``max_capacity``, ``budget`` or ``connections``.
        source: ``history`` (it already happened in the replayed window) or ``forecast``
            (the forecast says it will).
        message: one sentence with the numbers and what to do.
        at: when it happens (UTC): the first forecast hour that crosses the limit; None
            for a condition of the history.
        lead_time_s: seconds from the end of the history to ``at``, or None.
        value: the quantity compared (writer ACU, USD per month, connections).
        limit: the limit it crosses (MaxCapacity, the budget, ``max_connections``).
    """

    kind: AlertKind
    source: Literal["history", "forecast"] = "history"
    message: str
    at: datetime | None = None
    lead_time_s: float | None = None
    value: float | None = None
    limit: float | None = None


class Outlook(FrozenModel):
    """The forecast beyond the history that the alerts read, hourly.

    Attributes:
        start: the first forecast hour (the end of the history), UTC.
        horizon_h: forecast hours.
        quantile: the upper quantile compared to the limits.
        forecast_model: the model that won the backtest on the hourly maxima.
        writer_need_acu: the writer's need at the upper quantile, the max per day, ACU
            (shape (horizon_h // 24,)).
        projected_monthly_cost_usd: per 730-hour month at the median forecast of the
            next day (``policy.advice.outlook.CALIBRATED_H``): ``current`` and
            ``recommended`` settings.
        max_connections: ``max_connections`` at today's MaxCapacity (None without a
            connections history).
        connections_peak: the upper quantile of connections at its peak over the
            horizon (None without a connections history).
        warnings: the forecaster's fallbacks.
    """

    start: datetime
    horizon_h: int
    quantile: float
    forecast_model: str
    writer_need_acu: tuple[float, ...]
    projected_monthly_cost_usd: dict[str, float]
    max_connections: int | None = None
    connections_peak: float | None = None
    warnings: tuple[str, ...] = ()


class AdviceSeries(FrozenModel):
    """Hourly series over the replayed window, for plots.

    Attributes:
        start: start of the first hour (UTC).
        demand_max_acu: demand, the max per hour, ACU (NaN-free: missing hours hold 0).
        current_floor_acu: today's MinCapacity per hour, ACU.
        recommended_floor_acu: the timetable's MinCapacity, the max per hour, ACU.
        current_capacity_acu: the cluster's capacity under today's settings, hourly mean, ACU.
        recommended_capacity_acu: ... under the timetable, ACU.
    """

    start: datetime
    demand_max_acu: tuple[float, ...]
    current_floor_acu: tuple[float, ...]
    recommended_floor_acu: tuple[float, ...]
    current_capacity_acu: tuple[float, ...]
    recommended_capacity_acu: tuple[float, ...]


class Advice(FrozenModel):
    """The answer: what to set, what it saves or costs against today, the risk, how to buy it.

    Attributes:
        cluster_id: the cluster.
        window_from: start of the replayed window (after the warm-up), UTC.
        window_until: its end, UTC.
        ramp_profile: the simulated Aurora's ramp profile.
        current: today's settings.
        recommended: what to apply: the MinCapacity timetable, or a fixed MinCapacity when that does as well.
        acuplan: acuplan re-planning every hour (needs a scheduler calling it).
        bound: the perfect-foresight bound (nobody can run it; the limit).
        savings_usd_per_month: current minus recommended monthly cost (negative: the
            timetable costs more, and says what it buys in SLO minutes).
        schedule: the MinCapacity timetable.
        secondaries: the global-database secondaries' timetables (one per secondary
            region of ``current``; empty without one).
        purchase_options: the recommended capacity bought each way, cheapest first.
        break_even: when provisioned beats serverless, one sentence.
        cheapest_way: the cheapest way to buy or run what to apply, one line with its caveats
            (:func:`policy.advice.purchase.cheapest_way_sentence`; None only in results stored
            before it was reported).
        tiers: the failover reader at tier 1 and at tier 15 (on top of today's other readers).
        failover_reader: adding a tier-1 reader when today has no tier 0-1 reader, priced
            apart from the capacity advice (which keeps today's readers); None otherwise.
        auto_pause: what MinCapacity 0 would do.
        floor_binds_for_nothing: the sentence when today's MinCapacity sits above what
            demand needs at (nearly) every step, priced; None otherwise.
        alerts: problems with their lead time, from the history and the forecast.
        outlook: the forecast the alerts read.
        storage: storage, its growth, backup retention and the I/O-Optimized break-even.
        reasons: why, in sentences.
        series: hourly demand, floors and capacities, for plots.
        keeps_today: what to apply is today's own MinCapacity and MaxCapacity: nothing to
            change (no command to run).
        pricing: the region and ACU-hour rates every dollar figure uses, and what in them is
            not the region's own price (None only in results stored before it was reported).
        observed: today's bill from the observed capacity (``capacity_acu``) beside the
            simulated one; None without an observed capacity in the replayed window.
    """

    cluster_id: str
    window_from: datetime
    window_until: datetime
    ramp_profile: str
    current: Outcome
    recommended: Outcome
    acuplan: Outcome
    bound: Outcome
    savings_usd_per_month: float
    schedule: FloorSchedule
    secondaries: tuple[SecondarySchedule, ...] = ()
    purchase_options: tuple[PurchaseOption, ...]
    break_even: str
    cheapest_way: str | None = None
    tiers: tuple[TierOption, ...]
    failover_reader: FailoverReaderOption | None = None
    auto_pause: AutoPauseAdvice
    floor_binds_for_nothing: str | None
    alerts: tuple[Alert, ...]
    outlook: Outlook
    storage: StorageAdvice
    reasons: tuple[str, ...]
    series: AdviceSeries
    keeps_today: bool = False
    pricing: Pricing | None = None
    observed: ObservedToday | None = None
