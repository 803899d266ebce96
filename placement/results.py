"""Typed outputs of the placement optimiser.

Owns :class:`SolveStatus`, :class:`PlacementPlan` and its parts: :class:`AzReaders`,
:class:`SecondaryPlan`, :class:`ReadRoute`, :class:`CostBreakdown`,
:class:`StorageAdvice` and :class:`ShadowCost`. Capacities are ACU on the 0.5 grid,
per step of the problem (shape (horizon,)); money is USD. Imports nothing of ours
outside ``placement``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from placement.specs import FrozenModel

FAMILIES = ("capacity", "latency", "availability", "dynamics", "limits", "budget")
"""Constraint families, in the order they relax when they must (soft before hard):
``capacity`` is soft (shortfall with a penalty), so it never makes a problem infeasible;
the other five are hard and can be named in an infeasibility result."""

Family = Literal["capacity", "latency", "availability", "dynamics", "limits", "budget"]


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


class SecondaryPlan(FrozenModel):
    """A global-database secondary region the plan uses.

    Attributes:
        region: AWS region name.
        min_capacity_acu: the secondary cluster's MinCapacity per step, shape (horizon,).
        readers: its readers per AZ, sorted by AZ ID.
        is_dr_target: chosen as the region-level disaster-recovery target.
    """

    region: str
    min_capacity_acu: tuple[float, ...]
    readers: tuple[AzReaders, ...]
    is_dr_target: bool = False


class ReadRoute(FrozenModel):
    """Where one client region's reads are served.

    Attributes:
        client_region: where the reads come from.
        region: the serving region.
        share: share of that client's served read load over the horizon, in [0, 1].
        utilisation: the utilisation capacity is sized at for this route (the lower of
            the target and what the latency SLO allows after the round trip).
    """

    client_region: str
    region: str
    share: float
    utilisation: float


class CostBreakdown(FrozenModel):
    """The plan's cost over the horizon under the configuration in force, USD.

    Attributes:
        compute_usd: ACU-hours x regional ACU price, all regions.
        io_usd: storage I/O requests (Standard only).
        storage_usd: volume GiB-months, the primary and each secondary.
        replicated_write_usd: write I/O replicated to each secondary.
        transfer_usd: cross-region replication and reads served from another region.
        total_usd: the sum.
    """

    compute_usd: float = 0.0
    io_usd: float = 0.0
    storage_usd: float = 0.0
    replicated_write_usd: float = 0.0
    transfer_usd: float = 0.0
    total_usd: float = 0.0


class StorageAdvice(FrozenModel):
    """Would Aurora I/O-Optimized be cheaper for this plan than Standard?

    Both figures price the same plan (capacity, regions, I/O); only the configuration
    differs. AWS's rule of thumb: I/O >= 25% of spend favours I/O-Optimized (A6).

    Attributes:
        current: the configuration in force.
        standard_usd: plan cost under Standard.
        io_optimized_usd: plan cost under I/O-Optimized.
        io_optimized_cheaper: True when I/O-Optimized costs less.
        saving_usd: how much the cheaper configuration saves over the horizon.
    """

    current: Literal["standard", "io_optimized"]
    standard_usd: float
    io_optimized_usd: float
    io_optimized_cheaper: bool
    saving_usd: float


class ShadowCost(FrozenModel):
    """What a constraint costs: the objective change when it is relaxed or tightened.

    Attributes:
        family: the constraint family.
        change: what was changed, e.g. ``relax``, ``+1 nine``, ``read SLO -10 ms``.
        delta_usd: objective change (positive: the change costs money; for ``relax``
            it is what the constraint costs now). None when the changed problem has no
            plan.
        detail: a human-readable sentence.
    """

    family: Family
    change: str
    delta_usd: float | None
    detail: str


class PlacementPlan(FrozenModel):
    """A solved plan (or the record that none was found).

    Capacity arrays have shape (horizon,) in ACU on the 0.5 grid; they are empty when
    ``status`` is INFEASIBLE or NO_SOLUTION_AT_TIMEOUT.

    Attributes:
        status: solver outcome.
        writer_acu: the writer's capacity per step (what is billed).
        min_capacity_acu: the primary's MinCapacity per step (every primary instance's
            floor: MinCapacity is cluster-wide); equal to ``writer_acu`` when the problem
            does not model Aurora's scaler (no ``floor_need_acu``).
        failover_az_id: AZ of the tier 0-1 failover reader, or None.
        failover_reader_acu: its capacity per step (>= writer_acu: tiers 0-1 follow the
            writer, Aurora User Guide, promotion tiers).
        extra_readers: tier 2-15 readers per AZ of the primary, sorted by AZ ID.
        shortfall_acu: uncovered need per step (load / target utilisation), ACU.
        compute_cost_usd: ACU-hours x price over the horizon, all regions.
        objective_usd: cost + shortfall and churn penalties.
        best_bound_usd: the solver's lower bound on the objective.
        solve_time_s: solver wall time (the main solve).
        secondaries: secondary regions the plan uses, sorted by region.
        read_routes: where each client region's reads go, sorted.
        costs: the cost breakdown.
        storage_advice: Standard vs I/O-Optimized for this plan.
        availability: the failure model's availability figure for the layout.
        downtime_s_per_year: the same as expected downtime, seconds per year.
        shadow_costs: binding families and what changing them costs (only with
            ``SolverParams.explain``).
        conflicting_families: on INFEASIBLE, the hard families that conflict.
        n_blocks: time blocks in the model after coarsening.
        from_warm_start: the solve found no plan in time and this is the warm-start
            plan, checked against this problem (status FEASIBLE_AT_TIMEOUT).
    """

    status: SolveStatus
    writer_acu: tuple[float, ...] = ()
    min_capacity_acu: tuple[float, ...] = ()
    failover_az_id: str | None = None
    failover_reader_acu: tuple[float, ...] = ()
    extra_readers: tuple[AzReaders, ...] = ()
    shortfall_acu: tuple[float, ...] = ()
    compute_cost_usd: float = 0.0
    objective_usd: float = 0.0
    best_bound_usd: float = 0.0
    solve_time_s: float = 0.0
    secondaries: tuple[SecondaryPlan, ...] = ()
    read_routes: tuple[ReadRoute, ...] = ()
    costs: CostBreakdown | None = None
    storage_advice: StorageAdvice | None = None
    availability: float | None = None
    downtime_s_per_year: float | None = None
    shadow_costs: tuple[ShadowCost, ...] = ()
    conflicting_families: tuple[Family, ...] = ()
    n_blocks: int = 0
    from_warm_start: bool = False

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

    @property
    def binding_families(self) -> tuple[str, ...]:
        """Families whose relaxation would lower the objective (from ``shadow_costs``)."""
        return tuple(
            sorted({s.family for s in self.shadow_costs if s.change == "relax" and (s.delta_usd or 0) > 0})
        )
