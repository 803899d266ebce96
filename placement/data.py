"""Integer data of a placement model, derived once from a :class:`PlacementProblem`.

Owns :class:`ModelData` and :func:`model_data`: time blocks, per-region prices and
lead times, per-route utilisation from the latency model, loads in solver units and
every objective coefficient in micro-USD. The model (:mod:`placement.model`) reads only
this. Imports nothing of ours outside ``placement``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from placement.availability import unavailability_terms
from placement.blocks import Block, block_max, make_blocks
from placement.pricing import HOURS_PER_MONTH, REPLICATED_WRITE_USD_PER_MILLION, region_price
from placement.queueing import max_utilisation
from placement.types import MAX_SECONDARY_READERS, PlacementProblem
from placement.units import (
    HALF_ACU_PER_ACU,
    LOAD_PER_HALF_ACU,
    MICRO_USD_PER_USD,
    acu_to_half_acu_ceil,
    acu_to_load_ceil,
    check_objective_range,
    probability_to_ppb,
    usd_to_micro_usd,
    util_coefficient,
)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class RegionData:
    """One serving region (the primary first, then candidate secondaries).

    Attributes:
        name: region name.
        is_primary: the writer's region.
        az_ids: AZ IDs, sorted.
        slots: tier 2-15 reader slots per AZ (model size bound).
        max_readers: readers allowed in this region's cluster.
        compute_h: micro-USD per half-ACU per block, shape (n_blocks,).
        fixed_cost: micro-USD over the horizon for keeping this secondary (storage,
            replicated writes, replication transfer); 0 for the primary.
        prev_active: deployed now.
        prev_floor_h: deployed MinCapacity, half-ACUs (None if unknown).
        prev_readers: deployed tier 2-15 readers per AZ (None if unknown).
        serve_from: first block at which readers may exist (lead time of a new region).
        dr_reachable: every write client reaches it within the write SLO.
    """

    name: str
    is_primary: bool
    az_ids: tuple[str, ...]
    slots: int
    max_readers: int
    compute_h: IntArray
    fixed_cost: int
    prev_active: bool
    prev_floor_h: int | None
    prev_readers: dict[str, int] | None
    serve_from: int
    dr_reachable: bool


@dataclass(frozen=True)
class RouteData:
    """Reads from one client region served in one region.

    Attributes:
        client: client index.
        region: serving region name.
        utilisation: utilisation capacity is sized at (latency model, else target).
        k: integer capacity-per-load coefficient, :func:`util_coefficient`.
        reachable: the latency SLO allows this route.
        transfer: micro-USD per load unit per block for cross-region responses.
    """

    client: int
    region: str
    utilisation: float
    k: int
    reachable: bool
    transfer: IntArray


@dataclass(frozen=True)
class ModelData:
    """Everything the CP-SAT model needs, in solver units (see :mod:`placement.units`)."""

    blocks: tuple[Block, ...]
    block_len: IntArray
    block_start_s: IntArray
    min_h: int
    max_h: int
    regions: tuple[RegionData, ...]
    clients: tuple[str, ...]
    read_load: IntArray
    write_load: IntArray
    routes: tuple[RouteData, ...]
    writer_k: int
    writer_utilisation: float
    writes_reachable: bool
    reads_on_writer: bool
    short_cost: IntArray
    churn_cost: int
    reader_churn_cost: int
    secondary_churn_cost: int
    constant_cost: int
    budget: int | None
    reader_lead_blocks: int
    dwell: tuple[tuple[int, ...], ...] | None
    floor_need_h: IntArray | None
    hold_h: IntArray | None
    floor_short_cost: IntArray
    unavailability: tuple[int, int, int, int]
    max_unavailability_ppb: int | None
    notes: list[str] = field(default_factory=list)

    @property
    def n_blocks(self) -> int:
        """Number of time blocks."""
        return len(self.blocks)

    @cached_property
    def route_by_key(self) -> dict[tuple[int, str], RouteData]:
        """Routes keyed by (client index, region name)."""
        return {(r.client, r.region): r for r in self.routes}

    @property
    def primary(self) -> RegionData:
        """The primary region."""
        return self.regions[0]


def _price_usd(problem: PlacementProblem, region: str, io_optimized: bool) -> float:
    """Compute price of ``region`` under the given configuration, USD per ACU-hour."""
    table = region_price(region)
    override = problem.cost.region_prices.get(region)
    if override is not None:
        return override.io_optimized_usd_per_acu_hour if io_optimized else override.standard_usd_per_acu_hour
    if region == problem.topology.region:
        current = (
            table.io_optimized_usd_per_acu_hour
            if problem.cost.io_optimized
            else (table.standard_usd_per_acu_hour)
        )
        wanted = table.io_optimized_usd_per_acu_hour if io_optimized else table.standard_usd_per_acu_hour
        return problem.price_usd_per_acu_hour * wanted / current if current > 0 else wanted
    return table.io_optimized_usd_per_acu_hour if io_optimized else table.standard_usd_per_acu_hour


def price_usd_per_acu_hour(problem: PlacementProblem, region: str, io_optimized: bool | None = None) -> float:
    """Return the compute price of ``region`` (primary: ``problem.price_usd_per_acu_hour``).

    Args:
        problem: the problem.
        region: a region name.
        io_optimized: the configuration to price; None: the one in force.

    Returns:
        USD per ACU-hour. The primary's price under the other configuration is scaled
        by the built-in table's ratio unless overridden.
    """
    cfg = problem.cost.io_optimized if io_optimized is None else io_optimized
    return _price_usd(problem, region, cfg)


def secondary_fixed_usd(
    problem: PlacementProblem, region: str, io_optimized: bool | None = None
) -> dict[str, float]:
    """Return a secondary region's non-compute cost over the horizon, by kind, USD."""
    cfg = problem.cost.io_optimized if io_optimized is None else io_optimized
    hours = problem.horizon * problem.step_s / 3600.0
    table = region_price(region)
    storage = (
        table.io_optimized_storage_usd_per_gib_month if cfg else table.standard_storage_usd_per_gib_month
    )
    return {
        "storage": problem.io.storage_gib * storage * hours / HOURS_PER_MONTH,
        "replicated_write": problem.io.write_io_per_hour * hours * REPLICATED_WRITE_USD_PER_MILLION / 1e6,
        "transfer": problem.io.replication_gb_per_hour * hours * problem.cost.transfer_usd_per_gb,
    }


def primary_fixed_usd(problem: PlacementProblem, io_optimized: bool | None = None) -> dict[str, float]:
    """Return the primary's storage and I/O cost over the horizon, by kind, USD."""
    cfg = problem.cost.io_optimized if io_optimized is None else io_optimized
    hours = problem.horizon * problem.step_s / 3600.0
    table = region_price(problem.topology.region)
    storage = (
        table.io_optimized_storage_usd_per_gib_month if cfg else table.standard_storage_usd_per_gib_month
    )
    io = 0.0 if cfg else problem.io.io_requests_per_hour * hours * table.io_usd_per_million / 1e6
    return {"storage": problem.io.storage_gib * storage * hours / HOURS_PER_MONTH, "io": io}


def _per_block(usd_per_step: float, block_len: IntArray) -> IntArray:
    """Round a per-step micro-USD amount times each block's length (>= 1 if positive)."""
    raw = np.rint(usd_per_step * MICRO_USD_PER_USD * block_len).astype(np.int64)
    return np.where((usd_per_step > 0) & (raw < 1), 1, raw).astype(np.int64)


def _regions(
    problem: PlacementProblem, blocks: tuple[Block, ...], block_len: IntArray
) -> tuple[RegionData, ...]:
    prev, dyn = problem.previous, problem.dynamics
    step_h = problem.step_s / 3600.0 / HALF_ACU_PER_ACU
    starts = np.array([t * problem.step_s for t, _ in blocks])
    lead_blocks = int(np.sum(starts < dyn.secondary_lead_s)) if dyn is not None else 0
    slots = min(problem.limits.max_extra_readers_per_az, problem.limits.max_readers)
    # A deployed layout may hold more readers in an AZ than the optimiser may add there: the
    # primary gets room to represent (and remove) them; _add_limits caps each AZ.
    deployed_most = max(prev.extra_readers_by_az.values(), default=0) if prev else 0
    out = [
        RegionData(
            name=problem.topology.region,
            is_primary=True,
            az_ids=tuple(sorted(problem.topology.az_ids)),
            slots=min(max(slots, deployed_most), problem.limits.max_readers),
            max_readers=problem.limits.max_readers,
            compute_h=_per_block(
                price_usd_per_acu_hour(problem, problem.topology.region) * step_h, block_len
            ),
            fixed_cost=0,
            prev_active=True,
            prev_floor_h=int(acu_to_half_acu_ceil(prev.writer_acu)) if prev else None,
            prev_readers=dict(prev.extra_readers_by_az) if prev else None,
            serve_from=0,
            dr_reachable=False,
        )
    ]
    for sec in sorted(problem.secondaries, key=lambda s: s.region):
        deployed = prev is not None and sec.region in prev.secondary_floor_acu
        floor = prev.secondary_floor_acu[sec.region] if prev is not None and deployed else None
        out.append(
            RegionData(
                name=sec.region,
                is_primary=False,
                az_ids=tuple(sorted(sec.az_ids)),
                slots=slots,
                max_readers=MAX_SECONDARY_READERS,
                compute_h=_per_block(price_usd_per_acu_hour(problem, sec.region) * step_h, block_len),
                fixed_cost=usd_to_micro_usd(sum(secondary_fixed_usd(problem, sec.region).values())),
                prev_active=deployed,
                prev_floor_h=int(acu_to_half_acu_ceil(floor)) if floor is not None else None,
                prev_readers=dict(prev.secondary_readers_by_az.get(sec.region, {})) if prev else None,
                serve_from=0 if deployed else lead_blocks,
                dr_reachable=_writes_reach(problem, sec.region)[0],
            )
        )
    return tuple(out)


def _writes_reach(problem: PlacementProblem, region: str) -> tuple[bool, float]:
    """Whether every write client reaches ``region`` within the write SLO, and at what utilisation."""
    if problem.latency is None:
        return True, problem.target_utilisation
    lat = problem.latency
    writers = [c.region for c in problem.clients if c.write_share > 0] or [problem.topology.region]
    utils = [
        max_utilisation(
            lat.write_p99_ms - (problem.rtt(c, region) or 0.0),
            servers=lat.servers,
            service_ms=lat.service_ms,
            cap=problem.target_utilisation,
        )
        for c in writers
    ]
    u = min(utils)
    return u > 0, u


def _routes(
    problem: PlacementProblem, regions: tuple[RegionData, ...], block_len: IntArray
) -> tuple[RouteData, ...]:
    lat = problem.latency
    gb_usd = problem.io.read_gb_per_acu_hour * problem.cost.transfer_usd_per_gb
    per_load_step = gb_usd * problem.step_s / 3600.0 / (HALF_ACU_PER_ACU * LOAD_PER_HALF_ACU)
    out = []
    for ci, client in enumerate(problem.client_regions):
        for r in regions:
            u = problem.target_utilisation
            if lat is not None:
                budget = lat.read_p99_ms - (problem.rtt(client, r.name) or 0.0)
                u = max_utilisation(budget, servers=lat.servers, service_ms=lat.service_ms, cap=u)
            cross = client != r.name
            out.append(
                RouteData(
                    client=ci,
                    region=r.name,
                    utilisation=u if u > 0 else problem.target_utilisation,
                    k=util_coefficient(u if u > 0 else problem.target_utilisation),
                    reachable=u > 0,
                    transfer=_per_block(per_load_step if cross else 0.0, block_len),
                )
            )
    return tuple(out)


def _dynamics(problem: PlacementProblem, starts: IntArray) -> tuple[int, tuple[tuple[int, ...], ...] | None]:
    dyn = problem.dynamics
    if dyn is None:
        return 0, None
    lead = int(np.sum(starts < dyn.reader_lead_s)) if problem.previous is not None else 0
    dwell = tuple(
        tuple(j for j in range(b + 1) if starts[b] - starts[j] < dyn.min_dwell_s) for b in range(len(starts))
    )
    return lead, dwell


def _scaler_writer(
    problem: PlacementProblem, blocks: tuple[Block, ...], max_h: int
) -> tuple[IntArray | None, IntArray | None]:
    """Per block: the floor the writer needs (max over the block) and the scaler's hold (mean).

    Both in half-ACUs, capped at MaxCapacity; (None, None) without ``floor_need_acu``.
    """
    if problem.floor_need_acu is None:
        return None, None
    need = np.minimum(acu_to_half_acu_ceil(block_max(problem.floor_need_acu, blocks)), max_h)
    held = np.asarray(problem.scaler_capacity_acu or [0.0] * problem.horizon, dtype=np.float64)
    mean = np.array([held[t : t + n].mean() for t, n in blocks])
    hold = np.minimum(np.rint(mean * HALF_ACU_PER_ACU), max_h)
    return need.astype(np.int64), hold.astype(np.int64)


def model_data(problem: PlacementProblem) -> ModelData:
    """Derive the integer model data of ``problem``.

    Args:
        problem: a validated problem with horizon T.

    Returns:
        The data; arrays are per block (n_blocks,) or (n_clients, n_blocks).

    Raises:
        ObjectiveRangeError: if the worst-case objective would not be exact (see
            :func:`placement.units.check_objective_range`).
    """
    blocks = make_blocks(problem.horizon, problem.step_s, problem.coarsening)
    block_len = np.array([n for _, n in blocks], dtype=np.int64)
    starts = np.array([t * problem.step_s for t, _ in blocks], dtype=np.int64)
    demand = block_max(problem.demand_acu, blocks)
    regions = _regions(problem, blocks, block_len)
    shares = [c.read_share for c in problem.clients] or [1.0]
    read_load = np.stack([acu_to_load_ceil(demand * problem.read_frac * s) for s in shares])
    writes_ok, writer_u = _writes_reach(problem, problem.topology.region)
    short_step = problem.shortfall_penalty_usd_per_acu_hour * problem.step_s / 3600.0
    short_per_load = short_step / (HALF_ACU_PER_ACU * LOAD_PER_HALF_ACU * problem.target_utilisation)
    lead, dwell = _dynamics(problem, starts)
    max_h = int(acu_to_half_acu_ceil(problem.limits.max_acu))
    floor_need_h, hold_h = _scaler_writer(problem, blocks, max_h)
    fixed = primary_fixed_usd(problem)
    min_avail = problem.availability.min_availability
    data = ModelData(
        blocks=blocks,
        block_len=block_len,
        block_start_s=starts,
        min_h=max(int(acu_to_half_acu_ceil(problem.limits.min_acu)), 1),  # running floors: pause is policy's
        max_h=max_h,
        regions=regions,
        clients=problem.client_regions,
        read_load=read_load,
        write_load=acu_to_load_ceil(demand * (1.0 - problem.read_frac)),
        routes=_routes(problem, regions, block_len),
        writer_k=util_coefficient(writer_u if writes_ok else problem.target_utilisation),
        writer_utilisation=writer_u if writes_ok else problem.target_utilisation,
        writes_reachable=writes_ok,
        reads_on_writer=not problem.require_failover_reader,
        short_cost=_per_block(short_per_load, block_len),
        churn_cost=usd_to_micro_usd(problem.churn_penalty_usd_per_acu / HALF_ACU_PER_ACU),
        reader_churn_cost=usd_to_micro_usd(problem.reader_churn_penalty_usd),
        secondary_churn_cost=usd_to_micro_usd(problem.secondary_churn_penalty_usd),
        constant_cost=usd_to_micro_usd(sum(fixed.values())),
        budget=usd_to_micro_usd(problem.budget_usd) if problem.budget_usd is not None else None,
        reader_lead_blocks=lead,
        dwell=dwell,
        floor_need_h=floor_need_h,
        hold_h=hold_h,
        # A missed half-ACU of floor need costs what a half-ACU of uncovered demand costs.
        floor_short_cost=_per_block(short_step / HALF_ACU_PER_ACU, block_len),
        unavailability=unavailability_terms(problem.availability.failure_model),
        max_unavailability_ppb=probability_to_ppb(1.0 - min_avail) if min_avail is not None else None,
    )
    _check_range(data)
    return data


def _check_range(d: ModelData) -> None:
    """Bound the objective: every instance at max, all load short, every churn paid."""
    n_inst = 1 + sum(len(r.az_ids) * r.slots for r in d.regions) + len(d.primary.az_ids)
    compute = max(int(r.compute_h.sum()) for r in d.regions) * d.max_h * n_inst
    short = int(d.short_cost.sum()) * int(
        d.read_load.max(initial=0) * len(d.clients) + d.write_load.max(initial=0)
    )
    short += int(d.floor_short_cost.sum()) * d.max_h
    churn = d.n_blocks * (d.churn_cost * d.max_h * len(d.regions) + d.reader_churn_cost * n_inst)
    fixed = sum(r.fixed_cost for r in d.regions) + d.constant_cost
    check_objective_range(float(compute + short + churn + fixed))
