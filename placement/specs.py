"""Input specifications of the multi-region problem beyond the single-region basics.

Owns the frozen models nested in :class:`placement.types.PlacementProblem`:
:class:`SecondaryRegion`, :class:`ClientRegion`, :class:`LatencySlo`,
:class:`FailureModel`, :class:`AvailabilitySpec`, :class:`DynamicsSpec`,
:class:`IoProfile`, :class:`CostModel` and :class:`Coarsening`, :class:`PlacementOptions`,
the region/AZ rule (:func:`az_id_prefix`, :func:`check_az_region`) and the rules tying
secondaries, clients and round trips together (:func:`region_problems`, raised located by
:func:`raise_problems`). Every default states its source or is
marked ASSUMPTION. Units are in the field names (``_ms``, ``_s``,
``_usd``, ``_frac``). Imports nothing of ours outside ``placement``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import InitErrorDetails

from placement.errors import AzRegionMismatchError

AZ_ID_PATTERN = r"^[a-z]{2,5}[0-9]+-az[0-9]+$"
REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-[0-9]+$"


def _matching(pattern: str, what: str) -> Callable[[str], str]:
    """A validator: the value when it matches ``pattern``, else ValueError saying what it is not."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):  # match() with $ would let a trailing newline through
            raise ValueError(f"{value!r} is not {what}")
        return value

    return check


AzId = Annotated[
    str,
    Field(max_length=32, json_schema_extra={"pattern": AZ_ID_PATTERN}),
    AfterValidator(
        _matching(AZ_ID_PATTERN, "an AZ ID such as use1-az1 (AZ IDs, not AZ names like us-east-1a)")
    ),
]
"""An AZ ID such as ``use1-az1`` (AZ IDs, unlike AZ names, mean the same AZ in every account).

A value that is not one fails validation with ``'<value>' is not an AZ ID such as use1-az1``
(the JSON schema keeps the pattern)."""

RegionName = Annotated[
    str,
    Field(max_length=32, json_schema_extra={"pattern": REGION_PATTERN}),
    AfterValidator(_matching(REGION_PATTERN, "an AWS region name such as us-east-1")),
]
"""An AWS region name such as ``us-east-1`` (else ``'<value>' is not an AWS region name ...``)."""


_COMPASS = {"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}


def az_id_prefix(region: str) -> str:
    """Return the prefix of a region's AZ IDs (the part before ``-az``).

    AWS builds it from the region code: the area, the first letter of each further word
    (two for the compound directions) and the number (AWS "AZ IDs" and "AWS Availability
    Zones": ``euw1-az1`` is in ``eu-west-1``; ``benchmarks/solve.py``'s table agrees).

    Args:
        region: an AWS region name such as ``ap-southeast-2``.

    Returns:
        E.g. ``use1`` (us-east-1), ``apse2`` (ap-southeast-2), ``usgw1`` (us-gov-west-1).

    Raises:
        ValueError: ``region`` is not of the form ``area-word[-word...]-number``.

    Examples:
        >>> [az_id_prefix(r) for r in ("us-west-2", "eu-central-1", "ap-northeast-1")]
        ['usw2', 'euc1', 'apne1']
    """
    parts = region.split("-")
    area, words, number = parts[0], parts[1:-1], parts[-1]
    if not words or not number.isdigit() or region != region.lower():
        raise ValueError(f"{region!r} is not an AWS region name such as us-east-1 (lower case)")
    return area + "".join(_COMPASS.get(w, w[:1]) for w in words) + number


STORED_CONTEXT = "stored"
"""Validation-context key (``model_validate(data, context={STORED_CONTEXT: True})``) under
which :class:`placement.types.Topology` and :class:`SecondaryRegion` skip
:func:`check_az_region`: a registration stored before the rule existed still loads (it is
shown and can be registered again); the service refuses to plan on it."""


def check_az_region(region: str, az_ids: Iterable[str]) -> None:
    """Check that every AZ ID is in ``region``: its prefix is :func:`az_id_prefix` of the region.

    The one region/AZ rule of the package: :class:`placement.types.Topology` and
    :class:`SecondaryRegion` apply it, so a plan never places readers in another region's
    AZs (``euc1-az2`` under ``us-west-2``).

    Args:
        region: an AWS region name.
        az_ids: AZ IDs such as ``usw2-az1``.

    Raises:
        AzRegionMismatchError: some AZ IDs are not in ``region`` (the message lists them
            and the region's prefix).
    """
    prefix = az_id_prefix(region)
    foreign = tuple(a for a in az_ids if a.rpartition("-az")[0] != prefix)
    if foreign:
        raise AzRegionMismatchError(region, foreign, prefix)


class FrozenModel(BaseModel):
    """Project base model: immutable and strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class SecondaryRegion(FrozenModel):
    """A candidate global-database secondary region (the optimiser decides if it is used).

    Attributes:
        region: AWS region name.
        az_ids: AZ IDs the secondary cluster may place readers in.
    """

    region: RegionName
    az_ids: tuple[AzId, ...] = Field(min_length=1, max_length=6)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> SecondaryRegion:
        if len(set(self.az_ids)) != len(self.az_ids):
            raise ValueError(f"az_ids must be unique, got {list(self.az_ids)}")
        if not (info.context or {}).get(STORED_CONTEXT):
            check_az_region(self.region, self.az_ids)
        return self


class ClientRegion(FrozenModel):
    """Where a share of the traffic comes from.

    Attributes:
        region: the clients' AWS region.
        read_share: share of all read load that comes from here, in [0, 1].
        write_share: share of all write load that comes from here, in [0, 1].
    """

    region: RegionName
    read_share: float = Field(ge=0.0, le=1.0)
    write_share: float = Field(ge=0.0, le=1.0)


class LatencySlo(FrozenModel):
    """p99 latency objectives and the queueing model that turns them into utilisation.

    The budget left for the database is the SLO minus the client's round trip to the
    serving region; :func:`placement.queueing.max_utilisation` (M/M/c, Kleinrock 1975)
    turns it into the highest utilisation that still meets the SLO. A serving region
    whose budget allows no utilisation is out of reach for that client.

    Attributes:
        read_p99_ms: p99 read latency objective, ms, as seen by the client.
        write_p99_ms: p99 write latency objective, ms (writes go to the primary).
        service_ms: mean query service time on an instance, ms (ASSUMPTION 5 ms: OLTP).
        servers: parallel query slots per instance, c of M/M/c (ASSUMPTION 4).
    """

    read_p99_ms: float = Field(default=50.0, gt=0.0, le=60_000.0)
    write_p99_ms: float = Field(default=100.0, gt=0.0, le=60_000.0)
    service_ms: float = Field(default=5.0, gt=0.0, le=10_000.0)
    servers: int = Field(default=4, ge=1, le=256)


class FailureModel(FrozenModel):
    """The stated failure model behind the availability figure (writer endpoint).

    Downtime per year = (instance + AZ failures of the writer) x recovery time + region
    outages x regional recovery time, where the recovery time depends on the layout:
    a ready tier 0-1 reader in another AZ fails over in ``failover_ready_s`` (AWS:
    "typically < 120 s", sources: aurora-ha); a tier 2-15 reader must also scale up
    (``failover_unready_s``); with no reader elsewhere Aurora recreates the writer
    (``recreate_s``, AWS: "< 10 minutes"); a DR secondary region is promoted in
    ``region_failover_s`` (RTO "in the order of minutes", sources: aurora-global), else the region
    outage lasts ``region_outage_s``. Rates are ASSUMPTIONS to be replaced by the
    operator's own incident history.

    Attributes:
        instance_failures_per_year: writer instance failures per year (ASSUMPTION 1).
        az_outages_per_year: outages of the writer's AZ per year (ASSUMPTION 0.2).
        region_outages_per_year: primary region outages per year (ASSUMPTION 0.05).
        failover_ready_s: recovery with a ready tier 0-1 reader, s.
        failover_unready_s: recovery through a tier 2-15 reader, s (ASSUMPTION 300).
        recreate_s: recovery with no reader in another AZ, s.
        region_failover_s: promotion of a DR secondary, s (ASSUMPTION 300).
        region_outage_s: a region outage without DR, s (ASSUMPTION 4 h).
    """

    instance_failures_per_year: float = Field(default=1.0, ge=0.0, le=1000.0)
    az_outages_per_year: float = Field(default=0.2, ge=0.0, le=1000.0)
    region_outages_per_year: float = Field(default=0.05, ge=0.0, le=1000.0)
    failover_ready_s: float = Field(default=120.0, ge=0.0)
    failover_unready_s: float = Field(default=300.0, ge=0.0)
    recreate_s: float = Field(default=600.0, ge=0.0)
    region_failover_s: float = Field(default=300.0, ge=0.0)
    region_outage_s: float = Field(default=4 * 3600.0, ge=0.0)

    @model_validator(mode="after")
    def _check(self) -> FailureModel:
        if not self.failover_ready_s <= self.failover_unready_s <= self.recreate_s:
            raise ValueError("need failover_ready_s <= failover_unready_s <= recreate_s")
        if self.region_failover_s > self.region_outage_s:
            raise ValueError("region_failover_s must not exceed region_outage_s")
        return self


class AvailabilitySpec(FrozenModel):
    """Availability options beyond ``min_azs`` and ``require_failover_reader``.

    Attributes:
        survive_az_loss: in every serving region, reader capacity outside any one AZ
            still covers the read load that region serves, at 100% utilisation
            (degraded, without headroom); writes survive through the tier 0-1 reader.
        require_region_dr: keep one secondary region with a reader at every step as a
            disaster-recovery target (it must also meet the write SLO, family latency).
        dr_capacity_frac: the DR region's MinCapacity >= this share of the writer's
            (ARC Region switch copies the source's peak, sources: aurora-global; default 0).
        min_availability: availability the failure model must reach, e.g. 0.9999;
            None: no target (the figure is still reported).
        failure_model: the model behind the figure.
    """

    survive_az_loss: bool = False
    require_region_dr: bool = False
    dr_capacity_frac: float = Field(default=0.0, ge=0.0, le=1.0)
    min_availability: float | None = Field(default=None, ge=0.0, lt=1.0)
    failure_model: FailureModel = Field(default_factory=FailureModel)


class DynamicsSpec(FrozenModel):
    """How fast the layout can change (family ``dynamics``).

    Readers take ``reader_lead_s`` to create and a new secondary region
    ``secondary_lead_s`` to serve; a reader count, once changed, holds for
    ``min_dwell_s``. (How fast capacity itself moves is Aurora's own scaler: the caller
    models it and passes ``PlacementProblem.floor_need_acu``.)

    Attributes:
        reader_lead_s: reader creation time, s (ASSUMPTION 600 s: AWS publishes none).
        secondary_lead_s: time until a new secondary region serves, s (ASSUMPTION 1 h:
            the volume is copied first).
        min_dwell_s: minimum time between reader count changes per AZ, s.
    """

    reader_lead_s: float = Field(default=600.0, ge=0.0, le=86_400.0)
    secondary_lead_s: float = Field(default=3600.0, ge=0.0, le=7 * 86_400.0)
    min_dwell_s: float = Field(default=1800.0, ge=0.0, le=7 * 86_400.0)


class IoProfile(FrozenModel):
    """Workload I/O and data volumes that drive the non-compute costs.

    Attributes:
        io_requests_per_hour: storage I/O requests per hour (CloudWatch
            VolumeReadIOPs + VolumeWriteIOPs), billed under Standard only.
        write_io_per_hour: write I/Os per hour, replicated to every secondary.
        storage_gib: cluster volume size, GiB (every secondary holds a copy).
        replication_gb_per_hour: data shipped to each secondary per hour, GB.
        read_gb_per_acu_hour: response bytes per ACU-hour of read load, GB; charged as
            transfer when a read is served from another region.
    """

    io_requests_per_hour: float = Field(default=0.0, ge=0.0, le=1e12)
    write_io_per_hour: float = Field(default=0.0, ge=0.0, le=1e12)
    storage_gib: float = Field(default=0.0, ge=0.0, le=1e6)
    replication_gb_per_hour: float = Field(default=0.0, ge=0.0, le=1e6)
    read_gb_per_acu_hour: float = Field(default=0.0, ge=0.0, le=1e3)


class RegionPriceOverride(FrozenModel):
    """Caller-supplied prices for one region (overrides :mod:`placement.pricing`).

    Attributes:
        standard_usd_per_acu_hour: compute price under Standard.
        io_optimized_usd_per_acu_hour: compute price under I/O-Optimized.
    """

    standard_usd_per_acu_hour: float = Field(ge=0.0, le=100.0)
    io_optimized_usd_per_acu_hour: float = Field(ge=0.0, le=100.0)


class CostModel(FrozenModel):
    """Which storage configuration the cluster uses and any price overrides.

    The primary region's compute price is ``PlacementProblem.price_usd_per_acu_hour``
    (the price under the configuration in force); other regions and the other
    configuration come from :mod:`placement.pricing` unless overridden here.

    Attributes:
        io_optimized: the cluster runs Aurora I/O-Optimized (else Standard).
        region_prices: per-region overrides.
        transfer_usd_per_gb: inter-region transfer (UNVERIFIED $0.02, sources: aurora-pricing).
    """

    io_optimized: bool = False
    region_prices: dict[str, RegionPriceOverride] = Field(default_factory=dict)
    transfer_usd_per_gb: float = Field(default=0.02, ge=0.0, le=10.0)


class Coarsening(FrozenModel):
    """Far-horizon coarsening: full resolution first, longer blocks later.

    Steps starting before ``fine_s`` are kept; until ``mid_until_s`` they merge into
    blocks of ``mid_block_s``; after that into ``far_block_s``. A block's demand is the
    max of its steps (capacity-safe). What it costs, measured by ``python -m
    benchmarks.solve`` (3 regions x 3 AZs, 288 noisy diurnal 5-min steps, 3 re-plans):

    ======================  ======  ============  ==========  ===================
    schedule                blocks  24-h cost     solve p50   first-hour plan
    ======================  ======  ============  ==========  ===================
    default (15 min, 1 h)   50      +15.4%        162 ms      identical
    15 min, then 30 min     68      +11.3%        233 ms      identical
    15 min to 24 h          104     +7.1%         417 ms      identical
    None (full resolution)  288     optimum       ~4 s        (reference)
    ======================  ======  ============  ==========  ===================

    The first hour, which is all that runs before the next re-plan, came out the same in
    every compared case; the price is a horizon cost estimate (and a ``budget_usd``
    check) that holds each far block at its busiest step.

    Attributes:
        fine_s: span kept at full resolution, s.
        mid_until_s: end of the medium span, s.
        mid_block_s: block length in the medium span, s.
        far_block_s: block length after it, s.
    """

    fine_s: int = Field(default=3600, ge=0)
    mid_until_s: int = Field(default=6 * 3600, ge=0)
    mid_block_s: int = Field(default=900, gt=0)
    far_block_s: int = Field(default=3600, gt=0)


MAX_SECONDARIES = 10
"""Up to 10 secondary regions on current engines (5 on older ones): sources: aurora-global."""


RttMs = Annotated[float, Field(ge=0.0)]
"""A round trip between two regions, ms: finite and >= 0 (0 means the same place)."""


class PlacementOptions(FrozenModel):
    """The multi-region part of a problem, stated once per cluster by a caller.

    :class:`~placement.types.PlacementProblem` inherits these fields (documented
    there); the defaults give the single-region problem. The region rules that need no
    primary region (:func:`region_problems`) are checked here; ``policy.ClusterSpec`` and
    ``PlacementProblem`` check the rest against their primary.

    Raises:
        pydantic.ValidationError: located at the offending field: a negative or non-finite
            ``rtt_ms[a][b]`` (``rtt_ms.<a>.<b>``), a secondary or client region listed
            twice (``secondaries.<i>.region``, ``clients.<i>.region``), or client shares
            that do not sum to 1 (``clients``).
    """

    secondaries: tuple[SecondaryRegion, ...] = Field(default=(), max_length=20)
    max_secondaries: int = Field(default=MAX_SECONDARIES, ge=0, le=MAX_SECONDARIES)
    secondary_churn_penalty_usd: float = Field(default=1.0, ge=0.0, le=10_000.0)
    clients: tuple[ClientRegion, ...] = Field(default=(), max_length=30)
    rtt_ms: dict[str, dict[str, RttMs]] = Field(default_factory=dict)
    latency: LatencySlo | None = None
    availability: AvailabilitySpec = Field(default_factory=AvailabilitySpec)
    dynamics: DynamicsSpec | None = None
    cost: CostModel = Field(default_factory=CostModel)
    io: IoProfile = Field(default_factory=IoProfile)
    budget_usd: float | None = Field(default=None, ge=0.0, le=1e9)
    coarsening: Coarsening | None = Field(default_factory=Coarsening)

    @model_validator(mode="after")
    def _check_options(self) -> PlacementOptions:
        raise_problems(type(self).__name__, region_problems(self, primary=None))
        return self

    def problem_fields(self) -> dict[str, Any]:
        """Return the fields as keyword arguments of ``PlacementProblem``."""
        return {name: getattr(self, name) for name in type(self).model_fields}

    def rtt(self, a: str, b: str) -> float | None:
        """Return the round trip between regions ``a`` and ``b``, ms (0 within a region).

        Args:
            a: a region name.
            b: a region name.

        Returns:
            ``rtt_ms[a][b]`` or ``rtt_ms[b][a]``; 0.0 when ``a == b``; None if unknown.
        """
        if a == b:
            return 0.0
        value = self.rtt_ms.get(a, {}).get(b)
        return value if value is not None else self.rtt_ms.get(b, {}).get(a)


class RegionProblem(NamedTuple):
    """A broken region rule: where (a location inside :class:`PlacementOptions`), why, and the value."""

    loc: tuple[str | int, ...]
    message: str
    value: object


def _first_listing(regions: list[str]) -> dict[int, int]:
    """Index of each region listed again -> index of its first listing, ascending."""
    first: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for i, region in enumerate(regions):
        if region in first:
            repeats[i] = first[region]
        else:
            first[region] = i
    return repeats


def region_problems(options: PlacementOptions, primary: str | None) -> list[RegionProblem]:
    """Check the rules that tie ``secondaries``, ``clients`` and ``rtt_ms`` to each other and to the primary.

    The one owner of these rules: :class:`PlacementOptions` applies them without a primary
    (``primary`` None: the rules about the primary are skipped), ``policy.ClusterSpec`` and
    :class:`placement.types.PlacementProblem` with their ``topology.region``. The rules:

    * every secondary region is listed once and is not the primary region (a global
      database's secondaries are other regions; sources: aurora-global);
    * every client region is listed once, and the clients' ``read_share`` and
      ``write_share`` each sum to 1;
    * with a latency SLO, ``rtt_ms`` has an entry (either order) between every client region
      (the primary alone when ``clients`` is empty) and every region that may serve it: the
      primary and each secondary (checked with the primary, so every gap is named at once).
      Without an SLO no round trip is read.

    Args:
        options: the placement options (or a problem).
        primary: the primary region, or None.

    Returns:
        The broken rules in field order, each with its location (``secondaries.<i>.region``,
        ``clients.<i>.region``, ``clients``, ``rtt_ms``); empty when all hold.
    """
    out: list[RegionProblem] = []
    repeats = _first_listing([s.region for s in options.secondaries])
    for i, s in enumerate(options.secondaries):
        if s.region == primary:
            out.append(
                RegionProblem(
                    ("secondaries", i, "region"),
                    f"secondaries[{i}].region {s.region!r} is the primary region (topology.region): a "
                    "secondary of a global database is in another region",
                    s.region,
                )
            )
        elif i in repeats:
            out.append(
                RegionProblem(
                    ("secondaries", i, "region"),
                    f"secondaries[{i}].region {s.region!r} is already secondaries[{repeats[i]}]: "
                    "list each secondary region once",
                    s.region,
                )
            )
    for i, first in _first_listing([c.region for c in options.clients]).items():
        region = options.clients[i].region
        out.append(
            RegionProblem(
                ("clients", i, "region"),
                f"clients[{i}].region {region!r} is already clients[{first}]: list each client region once",
                region,
            )
        )
    if options.clients:
        for share in ("read_share", "write_share"):
            total = sum(getattr(c, share) for c in options.clients)
            if abs(total - 1.0) > 1e-6:
                out.append(
                    RegionProblem(("clients",), f"clients[*].{share} must sum to 1, got {total:g}", total)
                )
    if options.latency is not None and primary is not None:
        client_regions = [c.region for c in options.clients] or [primary]
        servers = [primary] + [s.region for s in options.secondaries]
        missing = sorted(
            {tuple(sorted((c, r))) for c in client_regions for r in servers if options.rtt(c, r) is None}
        )
        for a, b in missing:
            out.append(
                RegionProblem(
                    ("rtt_ms",),
                    f"rtt_ms has no entry for {a} <-> {b}, which the latency SLO needs (a client "
                    f"region and a region that may serve it): give rtt_ms[{a!r}][{b!r}]",
                    options.rtt_ms,
                )
            )
    return out


def raise_problems(title: str, problems: Sequence[RegionProblem], prefix: tuple[str | int, ...] = ()) -> None:
    """Raise ``problems`` as one pydantic ``ValidationError``, each at ``prefix + loc``.

    Called from a model validator, so an enclosing model's location is prepended by pydantic
    (``cluster.placement.rtt_ms`` in an HTTP body). Nothing happens when there are none.

    Raises:
        pydantic.ValidationError: titled ``title``, one ``value_error`` entry per problem.
    """
    if problems:
        raise ValidationError.from_exception_data(
            title,
            [
                InitErrorDetails(
                    type="value_error",
                    loc=prefix + p.loc,
                    input=p.value,
                    ctx={"error": ValueError(p.message)},
                )
                for p in problems
            ],
        )
