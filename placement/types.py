"""Typed inputs and outputs of the placement optimiser.

Owns :class:`Topology`, :class:`CapacityLimits`, :class:`PlacementProblem`,
:class:`SolverParams`, :class:`SolveStatus` and :class:`PlacementPlan`. Demand and
capacity are in ACU (0.5-ACU grid), money in USD; the conversion to solver integers
happens only in :mod:`placement.units`. Imports nothing of ours.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from placement.units import is_on_half_acu_grid

MAX_ACU_LIMIT = 256.0
"""Largest Serverless v2 MaxCapacity on recent engines (128 on older ones): FACTS.md A1."""

MAX_READERS_PER_CLUSTER = 15
"""Aurora allows up to 15 readers per cluster: FACTS.md A3."""


def _check_half_acu_grid(value: float) -> float:
    if not is_on_half_acu_grid(value):
        raise ValueError(f"{value} is not a multiple of 0.5 ACU (Serverless v2 moves in 0.5-ACU steps)")
    return value


Acu = Annotated[float, Field(ge=0.0, le=MAX_ACU_LIMIT), AfterValidator(_check_half_acu_grid)]
"""A capacity in ACU on the 0.5 grid within [0, 256]."""


class FrozenModel(BaseModel):
    """Project base model: immutable and strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


AzId = Annotated[str, Field(pattern=r"^[a-z]{2,5}[0-9]+-az[0-9]+$", max_length=32)]
"""An AZ ID such as ``use1-az1`` (AZ IDs, unlike AZ names, mean the same AZ in every account)."""

RegionName = Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]+$", max_length=32)]
"""An AWS region name such as ``us-east-1``."""


class Topology(FrozenModel):
    """Where instances may run: one region and its AZs, identified by AZ ID.

    AZ IDs (``use1-az1``) are used instead of AZ names because names map to IDs per
    account. The writer's AZ is fixed for the horizon (a planned writer move is a
    failover, which this model does not plan).

    Raises:
        pydantic.ValidationError: fewer than 2 or duplicate AZ IDs, or a writer AZ that
            is not one of ``az_ids``.
    """

    region: RegionName = "us-east-1"
    az_ids: tuple[AzId, ...] = Field(default=("use1-az1", "use1-az2", "use1-az4"), min_length=2, max_length=6)
    writer_az_id: AzId = "use1-az1"

    @model_validator(mode="after")
    def _check(self) -> Topology:
        if len(set(self.az_ids)) != len(self.az_ids):
            raise ValueError(f"az_ids must be unique, got {list(self.az_ids)}")
        if self.writer_az_id not in self.az_ids:
            raise ValueError(f"writer_az_id {self.writer_az_id!r} is not one of az_ids {list(self.az_ids)}")
        return self


class CapacityLimits(FrozenModel):
    """Per-instance ACU bounds and reader limits of one cluster.

    ``min_acu`` is the lowest floor a plan may set (0.5 without auto-pause; auto-pause at 0
    is not modelled yet), ``max_acu`` the cluster MaxCapacity (<= 256, and >= 1 because
    AWS rejects a maximum of 0.5: FACTS.md A1). ``max_extra_readers_per_az`` bounds the
    tier 2-15 readers the optimiser may add per AZ on top of the failover reader.

    Raises:
        pydantic.ValidationError: off-grid values, ``min_acu`` > ``max_acu`` or
            ``max_acu`` < 1.
    """

    min_acu: Acu = 0.5
    max_acu: Acu = 128.0
    max_readers: int = Field(default=MAX_READERS_PER_CLUSTER, ge=0, le=MAX_READERS_PER_CLUSTER)
    max_extra_readers_per_az: int = Field(default=2, ge=0, le=5)

    @model_validator(mode="after")
    def _check(self) -> CapacityLimits:
        if self.min_acu < 0.5:
            raise ValueError("min_acu must be >= 0.5 (auto-pause at 0 ACU is not modelled)")
        if self.max_acu < 1.0:
            raise ValueError("max_acu must be >= 1 (AWS rejects a maximum of 0.5 ACU)")
        if self.min_acu > self.max_acu:
            raise ValueError(f"min_acu {self.min_acu} exceeds max_acu {self.max_acu}")
        return self


class SolverParams(FrozenModel):
    """CP-SAT knobs, mapped onto the solver by one function in :mod:`placement.solve`.

    Defaults: one worker and a fixed seed make solves reproducible (FACTS.md E: the
    parallel portfolio is non-deterministic); a 2-s limit keeps a re-plan bounded.
    """

    time_limit_s: float = Field(default=2.0, gt=0.0, le=600.0)
    num_workers: int = Field(default=1, ge=1, le=64)
    random_seed: int = Field(default=0, ge=0)


class PreviousLayout(FrozenModel):
    """What is deployed now: the starting point for churn penalties and the warm start.

    Attributes:
        writer_acu: the writer floor in force now, ACU.
        extra_readers_by_az: number of tier 2-15 readers per AZ ID now.
        failover_az_id: AZ of the tier-1 failover reader now, if any.
    """

    writer_acu: Acu
    extra_readers_by_az: dict[str, int] = Field(default_factory=dict)
    failover_az_id: str | None = None


class PlacementProblem(FrozenModel):
    """One single-region placement problem over a horizon of fixed steps.

    Attributes:
        step_s: step length, seconds.
        demand_acu: demand per step at the policy's risk quantile, shape (horizon,), ACU.
        read_frac: share of demand that is read-only and goes to the reader endpoint.
        target_utilisation: capacity must cover demand / target_utilisation.
        topology: region and AZs.
        limits: ACU bounds and reader limits.
        price_usd_per_acu_hour: compute price; $0.12 is us-east-1 Standard (FACTS.md A6).
        shortfall_penalty_usd_per_acu_hour: cost of one ACU-hour of uncovered demand.
            The default, 100x the ACU price, makes a shortfall far dearer than capacity.
        churn_penalty_usd_per_acu: cost of moving the writer floor by one ACU.
        reader_churn_penalty_usd: cost of creating or deleting one reader.
        min_azs: instances must span at least this many AZs at every step.
        require_failover_reader: keep one tier-1 reader (it follows the writer's
            capacity, FACTS.md A3) in an AZ other than the writer's.
        previous: the deployed layout, for churn at step 0 and the warm start.

    Raises:
        pydantic.ValidationError: empty/negative/non-finite demand, fractions outside
            their ranges, or ``min_azs`` larger than the number of AZs.
    """

    step_s: int = Field(default=300, gt=0, le=86_400)
    demand_acu: tuple[float, ...] = Field(min_length=1, max_length=20_000)
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

    @model_validator(mode="after")
    def _check(self) -> PlacementProblem:
        for t, d in enumerate(self.demand_acu):
            if not math.isfinite(d) or d < 0:
                raise ValueError(f"demand_acu[{t}] = {d} must be finite and >= 0")
        if self.min_azs > len(self.topology.az_ids):
            raise ValueError(
                f"min_azs={self.min_azs} exceeds the {len(self.topology.az_ids)} AZs in topology.az_ids"
            )
        if self.require_failover_reader and self.limits.max_readers < 1:
            raise ValueError("require_failover_reader needs limits.max_readers >= 1")
        return self

    @property
    def horizon(self) -> int:
        """Number of steps in the horizon."""
        return len(self.demand_acu)


class SolveStatus(StrEnum):
    """Outcome of a solve; never hidden from the caller."""

    OPTIMAL = "optimal"
    FEASIBLE_AT_TIMEOUT = "feasible_at_timeout"
    INFEASIBLE = "infeasible"
    NO_SOLUTION_AT_TIMEOUT = "no_solution_at_timeout"


class AzReaders(FrozenModel):
    """Tier 2-15 readers planned in one AZ.

    Attributes:
        az_id: the AZ ID.
        count: readers per step, shape (horizon,).
        acu: total ACU of those readers per step, shape (horizon,), 0.5 grid.
    """

    az_id: str
    count: tuple[int, ...]
    acu: tuple[float, ...]


class PlacementPlan(FrozenModel):
    """A solved plan (or the record that none was found).

    Capacity arrays have shape (horizon,) in ACU on the 0.5 grid; they are empty when
    ``status`` is INFEASIBLE or NO_SOLUTION_AT_TIMEOUT.

    Attributes:
        status: solver outcome.
        writer_acu: writer capacity per step; also the cluster MinCapacity (in Aurora
            every instance's floor is the cluster minimum, FACTS.md A1).
        failover_az_id: AZ of the tier-1 failover reader, or None.
        failover_reader_acu: its capacity per step (>= writer_acu: tiers 0-1 follow the
            writer, FACTS.md A3).
        extra_readers: tier 2-15 readers per AZ, sorted by AZ ID.
        shortfall_acu: uncovered demand per step (writer + reader side), ACU.
        compute_cost_usd: ACU-hours x price over the horizon.
        objective_usd: compute cost + shortfall and churn penalties.
        best_bound_usd: the solver's lower bound on the objective.
        solve_time_s: solver wall time.
    """

    status: SolveStatus
    writer_acu: tuple[float, ...] = ()
    failover_az_id: str | None = None
    failover_reader_acu: tuple[float, ...] = ()
    extra_readers: tuple[AzReaders, ...] = ()
    shortfall_acu: tuple[float, ...] = ()
    compute_cost_usd: float = 0.0
    objective_usd: float = 0.0
    best_bound_usd: float = 0.0
    solve_time_s: float = 0.0

    @property
    def has_solution(self) -> bool:
        """True when the plan carries capacities (OPTIMAL or FEASIBLE_AT_TIMEOUT)."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE_AT_TIMEOUT)

    @property
    def gap(self) -> float:
        """Relative optimality gap (objective - bound) / objective; 0 when optimal."""
        if not self.has_solution or self.objective_usd <= 0:
            return 0.0
        return max(0.0, (self.objective_usd - self.best_bound_usd) / self.objective_usd)
