"""Typed inputs of the placement optimiser.

Owns :class:`Topology`, :class:`CapacityLimits`, :class:`PlacementProblem`,
:class:`PreviousLayout` and :class:`SolverParams`; re-exports the outputs from
:mod:`placement.results` and the nested specs from :mod:`placement.specs`. Demand and
capacity are in ACU (0.5-ACU grid), money in USD; the conversion to solver integers
happens only in :mod:`placement.units`. Imports nothing of ours outside ``placement``.

The single-region problem of earlier versions is the default: no secondaries, one
client region (the primary), no latency SLO, no dynamics, no budget.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, model_validator

from placement.errors import AzRegionMismatchError
from placement.results import AzReaders, PlacementPlan, SolveStatus
from placement.specs import (
    STORED_CONTEXT,
    AzId,
    FrozenModel,
    PlacementOptions,
    RegionName,
    check_az_region,
    raise_problems,
    region_problems,
)
from placement.units import half_acu_grid_problem

__all__ = ["AzReaders", "PlacementPlan", "SolveStatus"]

MAX_ACU_LIMIT = 256.0
"""Largest Serverless v2 MaxCapacity on recent engines (128 on older ones): sources: aurora-capacity."""

MAX_READERS_PER_CLUSTER = 15
"""Aurora allows up to 15 readers per cluster: sources: aurora-ha."""

MAX_SECONDARY_READERS = 16
"""A global-database secondary cluster can have 16 readers: sources: aurora-ha."""

MAX_HORIZON_STEPS = 20_000
"""Most steps in a :class:`PlacementProblem`'s horizon (``demand_acu``): bounds the model's size."""


def _check_half_acu_grid(value: float) -> float:
    problem = half_acu_grid_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Acu = Annotated[float, Field(ge=0.0, le=MAX_ACU_LIMIT), AfterValidator(_check_half_acu_grid)]
"""A capacity in ACU on the 0.5 grid within [0, 256]."""


class Topology(FrozenModel):
    """Where instances may run: one region and its AZs, identified by AZ ID.

    AZ IDs (``use1-az1``) are used instead of AZ names because names map to IDs per
    account. The writer's AZ is fixed for the horizon (a planned writer move is a
    failover, which this model does not plan).

    Raises:
        pydantic.ValidationError: fewer than 2 or duplicate AZ IDs, a writer AZ that is
            not one of ``az_ids``, or AZ IDs of another region (``euc1-az1`` in
            ``us-west-2``: :class:`placement.errors.AzRegionMismatchError` in the entry's
            ``ctx``; so a region other than us-east-1 needs its own ``az_ids``).
    """

    region: RegionName = "us-east-1"
    az_ids: tuple[AzId, ...] = Field(default=("use1-az1", "use1-az2", "use1-az4"), min_length=2, max_length=6)
    writer_az_id: AzId = "use1-az1"

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Topology:
        if len(set(self.az_ids)) != len(self.az_ids):
            raise ValueError(f"az_ids must be unique, got {list(self.az_ids)}")
        if not (info.context or {}).get(STORED_CONTEXT):
            try:
                check_az_region(self.region, self.az_ids)
            except AzRegionMismatchError as exc:
                if "az_ids" in self.model_fields_set:
                    raise
                raise AzRegionMismatchError(exc.region, exc.az_ids, exc.prefix, defaults=True) from None
        if self.writer_az_id not in self.az_ids:
            if "writer_az_id" not in self.model_fields_set:
                raise ValueError(
                    f"writer_az_id was not given, and the default {self.writer_az_id!r} is not one of "
                    f"az_ids {list(self.az_ids)}: give writer_az_id, one of them"
                )
            raise ValueError(f"writer_az_id {self.writer_az_id!r} is not one of az_ids {list(self.az_ids)}")
        return self


class CapacityLimits(FrozenModel):
    """Per-instance ACU bounds and reader limits of one cluster.

    ``min_acu`` is the lowest floor a plan may set: 0.5 or more, or 0 to allow auto-pause
    (MinCapacity 0; sources: aurora-pause). The optimiser never plans a floor below 0.5
    (it plans running capacity); with ``min_acu`` 0, ``policy.recommend`` sets MinCapacity 0
    only where the forecast is idle for longer than ``seconds_until_auto_pause``
    (:mod:`policy.autopause`). ``max_acu`` is the cluster MaxCapacity (<= 256, and >= 1
    because AWS rejects a maximum of 0.5: sources: aurora-capacity).
    ``max_extra_readers_per_az`` bounds the tier 2-15 readers the optimiser may add per AZ
    on top of the failover reader.

    Raises:
        pydantic.ValidationError: off-grid values (so nothing between 0 and 0.5),
            ``min_acu`` > ``max_acu`` or ``max_acu`` < 1.
    """

    min_acu: Acu = 0.5
    max_acu: Acu = 128.0
    max_readers: int = Field(default=MAX_READERS_PER_CLUSTER, ge=0, le=MAX_READERS_PER_CLUSTER)
    max_extra_readers_per_az: int = Field(default=2, ge=0, le=5)
    seconds_until_auto_pause: int = Field(default=300, ge=300, le=86_400)
    """``SecondsUntilAutoPause`` (300-86,400 s; sources: aurora-pause), used when ``min_acu`` is 0."""

    @model_validator(mode="after")
    def _check(self) -> CapacityLimits:
        if self.max_acu < 1.0:
            raise ValueError("max_acu must be >= 1 (AWS rejects a maximum of 0.5 ACU)")
        if self.min_acu > self.max_acu:
            raise ValueError(f"min_acu {self.min_acu} exceeds max_acu {self.max_acu}")
        return self


class SolverParams(FrozenModel):
    """CP-SAT knobs, mapped onto the solver by one function in :mod:`placement.solve`.

    Defaults: one worker and a fixed seed make solves reproducible (sources: cp-sat: the
    parallel portfolio is non-deterministic), and the search is bounded by work, not by the
    clock: 1 unit of CP-SAT's deterministic time (``max_deterministic_time``), so the same
    input gives the same plan however busy the machine is, with a 10-s wall-clock backstop
    that only an overloaded machine reaches. (A 2-s wall-clock limit alone gave one
    multi-region request three different plans, $66.21 to $72.24, on one machine as its load
    changed.) One unit took 1-2.5 s of wall time on the hardest multi-region request we
    have (6 AZs, 10 candidate secondary regions, 11 client regions) on a loaded 2-core
    machine; single-region re-plans end OPTIMAL in milliseconds. With ``num_workers > 1``
    CP-SAT's interleaved search is used, which is deterministic independently of the worker
    count (sources: cp-sat).
    """

    time_limit_s: float = Field(default=10.0, gt=0.0, le=600.0)
    """Wall-clock backstop per solve, seconds. A plan cut by it is FEASIBLE_AT_TIMEOUT and,
    unlike one cut by ``deterministic_time_limit``, may differ on a rerun (the plan's
    reasons say which limit stopped it)."""
    deterministic_time_limit: float | None = Field(default=1.0, gt=0.0, le=3600.0)
    """A limit on the solver's work in CP-SAT's deterministic time units (about seconds on a
    typical machine, but independent of load: ``max_deterministic_time``); None: the wall
    clock alone bounds the solve (not repeatable under load). A plan cut by it is
    FEASIBLE_AT_TIMEOUT and the same on every rerun."""
    num_workers: int = Field(default=1, ge=1, le=64)
    random_seed: int = Field(default=0, ge=0)
    explain: bool = False
    """Re-solve with each binding family relaxed or tightened to price it (shadow costs);
    costs one extra solve per family, so replay leaves it off."""
    use_hints: bool = False
    """Hint the model from the warm-start plan or the deployed layout. Off: measured in
    CP-SAT deterministic time (load-independent) on ``benchmarks/solve.py`` and the
    policy's 12-step problem, a hint from the previous plan made the search 3-20x longer
    (p50, deterministic ms: 3x3 23 vs 8; 1x3 21 vs 1; policy, deployed-layout hint, 0.6
    vs 0.2) and stalled the interleaved 2-worker search (183 vs 12, gaps to 91%). The
    warm start is still the fallback plan when a solve ends without one."""


class PreviousLayout(FrozenModel):
    """What is deployed now: the starting point for churn penalties and the warm start.

    Plain dicts (no nested models) keep the HTTP schema of this type unchanged.

    Attributes:
        writer_acu: the writer floor in force now, ACU.
        extra_readers_by_az: number of tier 2-15 readers per AZ ID now.
        failover_az_id: AZ of the tier-1 failover reader now, if any.
        secondary_floor_acu: deployed secondary regions and their MinCapacity, ACU.
        secondary_readers_by_az: readers per AZ ID in each deployed secondary region.
    """

    writer_acu: Acu
    extra_readers_by_az: dict[str, int] = Field(default_factory=dict)
    failover_az_id: str | None = None
    secondary_floor_acu: dict[str, float] = Field(default_factory=dict)
    secondary_readers_by_az: dict[str, dict[str, int]] = Field(default_factory=dict)


class PlacementProblem(PlacementOptions):
    """One placement problem: a primary region, optional secondaries, over a horizon.

    Attributes:
        step_s: step length, seconds.
        demand_acu: total demand per step at the policy's risk quantile, shape
            (horizon,), ACU.
        read_frac: share of demand that is read-only (reader endpoint).
        target_utilisation: capacity covers load / target_utilisation (a latency SLO
            may lower it per route).
        topology: the primary region, its AZs and the writer's AZ.
        limits: ACU bounds and reader limits (the same for every region's cluster).
        price_usd_per_acu_hour: primary compute price under the storage configuration
            in force; $0.12 is us-east-1 Standard (sources: aurora-pricing).
        shortfall_penalty_usd_per_acu_hour: cost of one ACU-hour of uncovered need
            (load / target_utilisation). The default, 100x the ACU price, makes a
            shortfall far dearer than capacity.
        churn_penalty_usd_per_acu: cost of moving a floor by one ACU.
        reader_churn_penalty_usd: cost of creating or deleting one reader.
        min_azs: primary instances must span at least this many AZs at every step.
        require_failover_reader: keep one tier 0-1 reader (it follows the writer's
            capacity, sources: aurora-ha) in an AZ other than the writer's.
        previous: the deployed layout, for churn at step 0 and the warm start.
        floor_need_acu: the MinCapacity the writer needs at each step so that Aurora's
            own reactive scaler can reach the demand in time, shape (horizon,), ACU, from
            the caller's model of the scaler (``policy.floors``). When given, the writer's
            load is served by that scaler up to MaxCapacity, the floor must reach this
            need (soft: what it misses is priced at the shortfall penalty), and the
            writer is billed ``max(floor, scaler_capacity_acu)``: a floor costs only its
            part above what the scaler holds anyway. When None, the floor itself must
            cover the writer's load at the target utilisation (no scaler is assumed).
        scaler_capacity_acu: the writer capacity Aurora's scaler holds anyway at each
            step, shape (horizon,), ACU (needs ``floor_need_acu``); None means 0.
        hold_previous: never go below ``previous`` (family ``dynamics``): the floor at
            least the deployed one, at least the deployed readers in every AZ, and the
            deployed failover reader's AZ kept. For plans made from untrustworthy data.
        secondaries: candidate global-database secondary regions (the optimiser picks).
        max_secondaries: at most this many secondaries (10; 5 on older engines, A5).
        secondary_churn_penalty_usd: cost of adding or removing a secondary region.
        clients: where reads and writes come from; empty means all from the primary.
        rtt_ms: round-trip times between regions, ms, ``rtt_ms[a][b]`` (either order).
        latency: latency SLOs and queueing model; None: ``target_utilisation`` only.
        availability: AZ-loss survival, region DR and an availability target.
        dynamics: ramp, lead-time and dwell rules; None: capacity moves freely.
        cost: storage configuration and price overrides.
        io: the workload's I/O and data volumes (non-compute costs).
        budget_usd: hard cap on the plan's cost over the horizon (penalties excluded).
        coarsening: far-horizon block schedule; None: every step its own block.

    Raises:
        pydantic.ValidationError: empty/negative/non-finite demand, fractions outside
            their ranges, ``min_azs`` larger than the number of AZs, more than
            :data:`MAX_HORIZON_STEPS` steps, or a region rule of
            :func:`placement.specs.region_problems` (client shares not summing to 1, a
            secondary in the primary region or listed twice, a missing RTT under a latency
            SLO; each located at its field, e.g. ``secondaries.0.region``).
    """

    step_s: int = Field(default=300, gt=0, le=86_400)
    demand_acu: tuple[float, ...] = Field(min_length=1, max_length=MAX_HORIZON_STEPS)
    read_frac: float = Field(default=0.5, ge=0.0, le=1.0)
    target_utilisation: float = Field(default=0.8, gt=0.0, le=1.0)
    topology: Topology = Field(default_factory=Topology)
    limits: CapacityLimits = Field(default_factory=CapacityLimits)
    price_usd_per_acu_hour: float = Field(default=0.12, ge=0.0, le=100.0)
    shortfall_penalty_usd_per_acu_hour: float = Field(default=12.0, ge=0.0, le=10_000.0)
    churn_penalty_usd_per_acu: float = Field(default=0.001, ge=0.0, le=1_000.0)
    reader_churn_penalty_usd: float = Field(default=0.05, ge=0.0, le=1_000.0)
    min_azs: int = Field(default=2, ge=1, le=6)
    require_failover_reader: bool = True
    previous: PreviousLayout | None = None
    floor_need_acu: tuple[float, ...] | None = None
    scaler_capacity_acu: tuple[float, ...] | None = None
    hold_previous: bool = False

    @model_validator(mode="after")
    def _check(self) -> PlacementProblem:
        for t, d in enumerate(self.demand_acu):
            if not math.isfinite(d) or d < 0:
                raise ValueError(f"demand_acu[{t}] = {d} must be finite and >= 0")
        for name in ("floor_need_acu", "scaler_capacity_acu"):
            values = getattr(self, name)
            if values is None:
                continue
            if len(values) != len(self.demand_acu):
                raise ValueError(f"{name} has {len(values)} steps, demand_acu {len(self.demand_acu)}")
            for t, x in enumerate(values):
                if not math.isfinite(x) or x < 0:
                    raise ValueError(f"{name}[{t}] = {x} must be finite and >= 0")
        if self.hold_previous and self.previous is None:
            raise ValueError("hold_previous needs previous (the deployed layout to hold)")
        if self.scaler_capacity_acu is not None and self.floor_need_acu is None:
            raise ValueError("scaler_capacity_acu needs floor_need_acu (the scaler-aware writer)")
        if self.min_azs > len(self.topology.az_ids):
            raise ValueError(
                f"min_azs={self.min_azs} exceeds the {len(self.topology.az_ids)} AZs in topology.az_ids"
            )
        if self.require_failover_reader and self.limits.max_readers < 1:
            raise ValueError("require_failover_reader needs limits.max_readers >= 1")
        self._check_regions()
        return self

    def _check_regions(self) -> None:
        raise_problems(type(self).__name__, region_problems(self, primary=self.topology.region))

    @property
    def horizon(self) -> int:
        """Number of steps in the horizon."""
        return len(self.demand_acu)

    @property
    def client_regions(self) -> tuple[str, ...]:
        """Client region names (the primary alone when ``clients`` is empty)."""
        return tuple(c.region for c in self.clients) or (self.topology.region,)
