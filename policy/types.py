"""Typed inputs and outputs of the policy layer.

Owns :class:`ClusterSpec` (what the cluster is), :func:`known_zone`, :class:`Recommendation` and its parts
(what to do, what it costs, why), and :func:`quantile_label` (how every reason names a
quantile). Every model is frozen and rejects unknown keys, so a Recommendation round-trips
through JSON (``model_dump(mode="json")`` / ``model_validate``). Imports only ``placement``
types; never ``service`` or ``traces``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from placement import (
    STORED_CONTEXT,
    CapacityLimits,
    PlacementOptions,
    SolveStatus,
    Topology,
    raise_problems,
    region_problems,
)
from placement.pricing import region_price

MIN_PRICE_USD_PER_ACU_HOUR = 0.001
"""The lowest compute price a cluster takes, USD per ACU-hour.

The optimiser counts cost in whole micro-USD (``placement.units.MICRO_USD_PER_USD``): at
1e-9 USD per ACU-hour a half-ACU step costs 4e-5 micro-USD, every cost term rounds to the
same 1, and the floor a known peak needs was lost (MinCapacity 0.5 where $0.12 plans 32 ACU).
0.001 is under a hundredth of any Aurora Serverless v2 rate (us-east-1: $0.12,
https://aws.amazon.com/rds/aurora/pricing/) and still plans as $0.12 does.
"""


class FrozenModel(BaseModel):
    """Project base model: immutable and strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


_PLACEMENT_SCHEMA = {
    "anyOf": [{"type": "object"}, {"type": "null"}],
    "default": None,
    "description": "Multi-region placement options (placement.PlacementOptions): secondaries, "
    "clients, rtt_ms, latency, availability, dynamics, cost, io, budget_usd, coarsening.",
}


def _placement_options(value: object) -> PlacementOptions | None:
    """Validate ``ClusterSpec.placement`` (a plain validator: no nested schema definitions)."""
    if value is None or isinstance(value, PlacementOptions):
        return value
    return PlacementOptions.model_validate(value)


def _dump_placement_options(value: PlacementOptions | None) -> dict[str, Any] | None:
    return value.model_dump(mode="json") if value is not None else None


if TYPE_CHECKING:
    PlacementField = PlacementOptions | None
else:
    # At run time the annotation is Any: FastAPI collects schema definitions by walking
    # annotations, and the nested placement models would change the service's pinned
    # OpenAPI schema set. Validation and serialisation are still PlacementOptions'.
    PlacementField = Annotated[
        Any,
        PlainValidator(_placement_options),
        PlainSerializer(_dump_placement_options),
        WithJsonSchema(_PLACEMENT_SCHEMA),
    ]


def fill_regional_price(cluster: BaseModel) -> None:
    """Price a cluster model given without ``price_usd_per_acu_hour`` at its region's rate.

    The one rule for it (``ClusterSpec``, the HTTP cluster registration), called from their
    ``model_post_init``, i.e. after validation succeeded: when the caller did not set the
    price, it becomes the Aurora Standard rate of ``cluster.topology.region`` from
    :func:`placement.pricing.region_price` ($0.12 per ACU-hour in us-east-1, AWS Price List
    ``Aurora:ServerlessV2Usage``; sources: aurora-pricing), and us-east-1's rate for a
    region without a built-in price. A price the caller gave is kept.

    Args:
        cluster: a validated model with ``topology`` and ``price_usd_per_acu_hour`` fields
            (frozen or not: the field is set once, before anyone reads it).
    """
    if "price_usd_per_acu_hour" in cluster.model_fields_set:
        return
    region = cluster.topology.region  # type: ignore[attr-defined]
    object.__setattr__(cluster, "price_usd_per_acu_hour", region_price(region).standard_usd_per_acu_hour)


NOT_ZONES: frozenset[str] = frozenset({"localtime", "posixrules", "Factory"})
"""Files of the tz database directory that ``zoneinfo`` opens but that name no zone: the
machine's own zone (a Debian symlink), the POSIX default rules and a placeholder; with
the ``posix/`` and ``right/`` copies, EventBridge Scheduler and the rest of the world do
not know them (IANA tz database, ``tzfile(5)``). Kept equal to ``traces.formats.NOT_ZONES``: the import
contracts let neither package import the other."""


def known_zone(value: str) -> str:
    """Return ``value`` when it names a zone of the IANA database (``zoneinfo``, ``tzdata``).

    Raises:
        ValueError: an unknown zone, e.g. ``unknown IANA time zone 'Mars/Base'
            (e.g. Europe/Berlin, America/New_York)``.
    """
    try:
        if value in NOT_ZONES or value.startswith(("posix/", "right/")):
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone {value!r} (e.g. Europe/Berlin, America/New_York)") from None
    return value


def quantile_label(quantile: float) -> str:
    """Name a quantile as reasons, warnings and reports print it: ``p`` and its percentage.

    The one rule for it, for every reason, warning and report that names a quantile: the
    percentage to 10 significant digits, without trailing zeros, so a quantile is never
    rounded to a neighbour (``round(q * 100)`` printed 0.999 as ``p100``).

    Args:
        quantile: a probability in [0, 1].

    Returns:
        E.g. ``p90`` for 0.9, ``p97.5`` for 0.975, ``p99.9`` for 0.999, ``p10`` for 0.1.

    Examples:
        >>> [quantile_label(q) for q in (0.9, 0.975, 0.999, 0.5, 0.07)]
        ['p90', 'p97.5', 'p99.9', 'p50', 'p7']
    """
    return f"p{quantile * 100:.10g}"


class ClusterSpec(FrozenModel):
    """One Aurora Serverless v2 cluster: where it runs, its limits and its prices.

    Attributes:
        cluster_id: the caller's name for the cluster.
        topology: region, AZ IDs and the writer's AZ.
        limits: ACU bounds (MinCapacity floor, MaxCapacity) and reader limits.
        read_frac: share of demand that is read-only and goes to the reader endpoint.
            0.5 is an assumption for traces that do not carry the split.
        price_usd_per_acu_hour: compute price, USD per ACU-hour, at least
            :data:`MIN_PRICE_USD_PER_ACU_HOUR` and at most 100. When not given, the
            Aurora Standard price of ``topology.region`` from :func:`placement.pricing.region_price`
            ($0.12 in us-east-1, AWS Price List usage type ``Aurora:ServerlessV2Usage``;
            sources: aurora-pricing); a region without a built-in price gets us-east-1's
            rate, so give the price for it.
        timezone: the IANA time zone the cluster's demand follows (``Europe/Berlin``):
            daily and weekly seasons are learnt on its wall clock, so business-hour peaks
            stay put across daylight-saving switches; None: UTC.
        placement: the multi-region part of the placement problem (secondary regions,
            client regions and RTTs, latency SLO, availability, dynamics, cost, I/O,
            budget); None: the single-region problem. Validated in full, but published
            in the OpenAPI schema as an opaque object (its nested models would change
            the service's schema snapshot; see ``placement.PlacementOptions``).

    Raises:
        pydantic.ValidationError: a field's own rule, located at it; among them the region
            rules of ``placement`` (:func:`placement.specs.region_problems`), located at
            ``placement.<field>``: client shares that do not sum to 1 (``placement.clients``),
            a secondary in ``topology.region`` or listed twice
            (``placement.secondaries.<i>.region``), a negative round trip
            (``placement.rtt_ms.<a>.<b>``), or, with a latency SLO, no ``rtt_ms`` entry
            between a client region and the primary or a secondary (``placement.rtt_ms``).
            Over HTTP each is a 422 at ``cluster.placement.<field>``.
    """

    cluster_id: str = Field(default="cluster-1", min_length=1, max_length=128)
    topology: Topology = Field(default_factory=Topology)
    limits: CapacityLimits = Field(default_factory=CapacityLimits)
    read_frac: float = Field(default=0.5, ge=0.0, le=1.0)
    price_usd_per_acu_hour: float = Field(default=0.12, gt=0.0, le=100.0)
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    placement: PlacementField = None

    def model_post_init(self, context: Any, /) -> None:
        """Price the cluster at its region's rate when no price was given."""
        fill_regional_price(self)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else known_zone(value)

    @field_validator("price_usd_per_acu_hour")
    @classmethod
    def _resolvable_price(cls, value: float, info: ValidationInfo) -> float:
        """At least MIN_PRICE_USD_PER_ACU_HOUR, except when loading a stored registration.

        A registration stored before the limit still loads under ``placement.STORED_CONTEXT``
        (to be shown and registered again); the service refuses to plan on it.
        """
        if value < MIN_PRICE_USD_PER_ACU_HOUR and not (info.context or {}).get(STORED_CONTEXT):
            raise ValueError(
                f"Input should be greater than or equal to {MIN_PRICE_USD_PER_ACU_HOUR:g} (USD per "
                "ACU-hour: the optimiser counts cost in micro-USD and loses a cheaper price)"
            )
        return value

    @model_validator(mode="after")
    def _check_placement(self) -> ClusterSpec:
        """The placement's region rules that need the primary region (``topology.region``)."""
        if self.placement is not None:
            problems = region_problems(self.placement, primary=self.topology.region)
            raise_problems(type(self).__name__, problems, prefix=("placement",))
        return self


class PlanStep(FrozenModel):
    """The plan for one step of the horizon. Capacities in ACU on the 0.5 grid.

    Attributes:
        start: start of the step (UTC).
        demand_p50_acu: median forecast demand.
        demand_risk_acu: forecast demand at the policy's risk quantile.
        min_capacity_acu: the cluster MinCapacity for this step (it lifts every
            instance: MinCapacity is cluster-wide).
        writer_acu: the writer's expected capacity: max(MinCapacity, what Aurora's own
            scaler holds for the median forecast); what the writer is billed.
        floor_need_acu: the MinCapacity Aurora's scaler needs at this step to serve the
            risk quantile in time (the plan's floor is at least this, unless limits bind).
        floor_reason: why the floor is above the cluster minimum here, one sentence
            ("" when it is not).
        failover_reader_acu: the tier-1 reader's capacity (>= writer_acu), 0 if none.
        extra_readers_by_az: tier 2-15 readers per AZ ID.
        extra_reader_acu_by_az: their total ACU per AZ ID.
        capacity_acu: total planned capacity of all instances.
        shortfall_acu: the capacity the plan would need beyond what it has to serve the
            risk-quantile demand at the target utilisation (uncovered demand / target
            utilisation), ACU.
        shortfall_probability: forecast probability that demand exceeds what the plan
            serves in time (the risk-quantile demand, less what a short floor or MaxCapacity
            leaves uncovered), interpolated between the forecast quantiles; beyond the
            highest it is 1 - q_max, below the lowest 1 - q_min (a lower bound there).
        secondary_acu_by_region: reader ACU in each global-database secondary region
            (included in ``capacity_acu``).
    """

    start: AwareDatetime
    demand_p50_acu: float
    demand_risk_acu: float
    min_capacity_acu: float
    writer_acu: float
    floor_need_acu: float = 0.0
    floor_reason: str = ""
    failover_reader_acu: float
    extra_readers_by_az: dict[str, int]
    extra_reader_acu_by_az: dict[str, float]
    capacity_acu: float
    shortfall_acu: float
    shortfall_probability: float
    secondary_acu_by_region: dict[str, float] = Field(default_factory=dict)


class CapacityChange(FrozenModel):
    """A ``ModifyDBCluster`` ServerlessV2ScalingConfiguration change at ``at``.

    Attributes:
        at: when to apply it (UTC); a change takes effect a little later (the ramp
            profile's ``floor_apply_delay_s``), which the plan already allows for.
        min_capacity_acu: the new MinCapacity.
        max_capacity_acu: the new MaxCapacity.
        reason: what the change buys, one sentence.
    """

    at: AwareDatetime
    min_capacity_acu: float
    max_capacity_acu: float
    reason: str = ""


class ReaderInstance(FrozenModel):
    """A reader instance the plan needs, with the window in which it is needed.

    Attributes:
        az_id: AZ ID to create it in.
        promotion_tier: 1 for the failover reader (follows the writer's capacity),
            15 for read-scaling readers (scale on their own), sources: aurora-ha.
        role: ``failover`` or ``read_scaling``.
        needed_from: first step start at which it is needed.
        needed_until: end of the last step it is needed (exclusive), UTC.
    """

    az_id: str
    promotion_tier: int = Field(ge=0, le=15)
    role: Literal["failover", "read_scaling"]
    needed_from: AwareDatetime
    needed_until: AwareDatetime


class AuroraSettings(FrozenModel):
    """The Aurora settings that realise a plan. Nothing here is executed.

    Attributes:
        capacity_changes: MinCapacity/MaxCapacity changes over the horizon, the first
            at the horizon start, then only where a value changes.
        readers: reader instances needed, sorted by (needed_from, az_id, tier).
    """

    capacity_changes: tuple[CapacityChange, ...]
    readers: tuple[ReaderInstance, ...]


class SolverReport(FrozenModel):
    """What the optimiser did.

    Attributes:
        status: optimal, feasible_at_timeout, infeasible or no_solution_at_timeout.
        solve_time_s: wall time of the CP-SAT solve.
        objective_usd: objective value (cost + penalties).
        best_bound_usd: proven lower bound on the objective.
        gap: relative gap (objective - bound) / objective.
        n_blocks: time blocks the model used after far-horizon coarsening.
        from_warm_start: no plan was found in time; the previous plan, checked against
            this problem, was used.
    """

    status: SolveStatus
    solve_time_s: float
    objective_usd: float
    best_bound_usd: float
    gap: float
    n_blocks: int = 0
    from_warm_start: bool = False


class DemandContext(FrozenModel):
    """What a demand history came with from its sources (every part optional).

    Attributes:
        working_set_acu: the memory working set per history step (buffer cache in use, or
            memory in use from ``FreeableMemory``), in ACU at 2 GiB per ACU, aligned with
            the history (same length, its last value the step ending at ``now``; None or
            NaN where unknown). The plan keeps MinCapacity at the recent working set:
            Aurora shrinks the buffer cache when it scales down, and AWS advises a minimum
            that holds the working set (Aurora User Guide, "Choosing the minimum Aurora
            Serverless v2 capacity setting for a cluster").
        binding_share: per signal name, the share of the last day's steps in which that
            signal's ACU equivalent was the demand (the max over signals).
        source_flags: problems the sources reported (partial or failed queries, named by
            signal and query Id); they flag the data as untrustworthy.
        notes: what the sources say the user should change beside the plan (e.g. a
            MaxCapacity that lifts ``max_connections`` above peak connections); carried
            into the Recommendation's warnings.
    """

    working_set_acu: tuple[float | None, ...] = ()
    binding_share: dict[str, float] = Field(default_factory=dict)
    source_flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


class Gap(FrozenModel):
    """A run of missing steps.

    Attributes:
        start: start of its first step (UTC).
        end: end of its last step (UTC).
        steps: how many steps.
    """

    start: datetime
    end: datetime
    steps: int = Field(ge=1)


class Pinned(FrozenModel):
    """Where a demand history sat at a capacity ceiling (the rule: :func:`policy.quality.pinned_at_ceiling`).

    Attributes:
        ceiling_acu: the ceiling, ACU: MaxCapacity, or Aurora's instance limit of 256 ACU
            (``placement.MAX_ACU_LIMIT``) when MaxCapacity is below it.
        max_capacity_acu: the cluster's MaxCapacity, ACU.
        step_s: the history step, seconds.
        runs: the stretches at the ceiling, oldest first (each long enough to count).
    """

    ceiling_acu: float
    max_capacity_acu: float
    step_s: int = Field(gt=0)
    runs: tuple[Gap, ...]

    @property
    def hours(self) -> float:
        """Hours at the ceiling, over every stretch."""
        return sum(r.steps for r in self.runs) * self.step_s / 3600.0


class DataQuality(FrozenModel):
    """What the history behind a plan looked like.

    Attributes:
        coverage_24h: share of the last 24 h of steps that were observed (0-1; the steps
            before a history shorter than a day count as unobserved).
        coverage: share of all history steps that were observed (0-1).
        staleness_s: seconds from the end of the last observed step to ``now``.
        gaps: the latest missing runs, newest last (at most :data:`MAX_GAPS_LISTED`).
        n_gaps: all missing runs.
        flags: why the plan holds the deployed layout, one sentence each (empty: trusted).
        held: the plan holds the deployed floor and readers because of the flags.
        pinned: where demand sat at MaxCapacity (or the 256-ACU instance limit) long
            enough to be censored there; a note, never a flag (the plan is not held).
        notes: what limits what the history shows without making it untrustworthy, one
            sentence each (demand censored at a ceiling: :attr:`pinned`).
    """

    coverage_24h: float
    coverage: float
    staleness_s: float
    gaps: tuple[Gap, ...] = ()
    n_gaps: int = 0
    flags: tuple[str, ...] = ()
    held: bool = False
    pinned: tuple[Pinned, ...] = ()
    notes: tuple[str, ...] = ()


class Recommendation(FrozenModel):
    """Advice for one cluster over a horizon: the plan, its settings, cost, risk, reasons.

    It is advice only (``mode="ForecastOnly"``, like EC2 predictive scaling's default,
    sources: ec2-predictive); a caller that acts on it does so explicitly.

    Attributes:
        cluster_id: from the ClusterSpec.
        generated_at: the ``now`` the recommendation was made for (UTC).
        step_s: plan step, seconds.
        risk_quantile: the demand quantile the plan covers.
        target_utilisation: capacity covers demand / target_utilisation.
        steps: the per-step plan, length = horizon.
        failover_az_id: AZ of the tier-1 failover reader, or None.
        settings: the Aurora settings that realise the plan.
        expected_cost_usd: compute cost of the planned capacity over the horizon.
        forecast_model: the forecasting model actually used.
        solver: the solver report.
        is_fail_safe: True when the optimiser gave no plan and the fail-safe plan (never
            below the current floor) was returned instead.
        reasons: human-readable reasons for the plan's main choices.
        warnings: data-quality warnings and fallbacks that happened on the way.
        cost_breakdown_usd: the plan's cost over the horizon by kind (``compute``,
            ``io``, ``storage``, ``replicated_write``, ``transfer``, ``total``).
        standard_cost_usd: the same plan priced under Aurora Standard.
        io_optimized_cost_usd: ... and under Aurora I/O-Optimized.
        io_optimized_cheaper: True when I/O-Optimized would cost less for this plan.
        availability: the stated failure model's availability figure for the layout.
        downtime_s_per_year: the same as expected writer downtime, seconds per year.
        secondary_regions: global-database secondary regions the plan uses.
        binding_constraints: binding constraint families with their shadow cost, one
            sentence each (only when ``config.solver.explain``).
        shadow_costs_usd: ``"<family>: <change>"`` -> objective change in USD (None:
            no plan with that change), only when ``config.solver.explain``.
        infeasible_families: when the hard constraints conflict, the families that do
            (the plan is then the fail-safe one).
        data_quality: how far the history could be trusted (coverage, staleness, gaps,
            flags) and whether the plan was held at the deployed layout because of it.
    """

    cluster_id: str
    generated_at: AwareDatetime
    mode: Literal["ForecastOnly"] = "ForecastOnly"
    step_s: int
    risk_quantile: float
    target_utilisation: float
    steps: tuple[PlanStep, ...]
    failover_az_id: str | None
    settings: AuroraSettings
    expected_cost_usd: float
    forecast_model: str
    solver: SolverReport
    is_fail_safe: bool
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    cost_breakdown_usd: dict[str, float] = Field(default_factory=dict)
    standard_cost_usd: float | None = None
    io_optimized_cost_usd: float | None = None
    io_optimized_cheaper: bool | None = None
    availability: float | None = None
    downtime_s_per_year: float | None = None
    secondary_regions: tuple[str, ...] = ()
    binding_constraints: tuple[str, ...] = ()
    shadow_costs_usd: dict[str, float | None] = Field(default_factory=dict)
    infeasible_families: tuple[str, ...] = ()
    data_quality: DataQuality | None = None

    @property
    def horizon_end(self) -> datetime:
        """End of the last planned step (UTC)."""
        from datetime import timedelta

        return self.steps[-1].start + timedelta(seconds=self.step_s)
