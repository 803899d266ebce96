"""Read a solved model back into a :class:`~placement.results.PlacementPlan`.

Owns :func:`extract` and the pricing of a plan (:func:`plan_costs`, also used for the
Standard vs I/O-Optimized advice). Per-block values are repeated over their steps, so
every array has shape (horizon,). Costs are recomputed in floating point from the
plan's ACU (not from the integer objective). Never prints. Imports nothing of ours
outside ``placement``.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from placement.availability import availability, downtime_s_per_year
from placement.blocks import expand
from placement.data import (
    ModelData,
    price_usd_per_acu_hour,
    primary_fixed_usd,
    secondary_fixed_usd,
)
from placement.results import (
    AzReaders,
    CostBreakdown,
    PlacementPlan,
    ReadRoute,
    SecondaryPlan,
    SolveStatus,
    StorageAdvice,
)
from placement.types import PlacementProblem
from placement.units import half_acu_to_acu, load_to_acu, micro_usd_to_usd
from placement.variables import VarIndex


def _steps(values: list[int], d: ModelData) -> tuple[float, ...]:
    """Half-ACU per block -> ACU per step."""
    return tuple(float(x) for x in expand(half_acu_to_acu(values), d.blocks))


def _readers(s: cp_model.CpSolver, d: ModelData, v: VarIndex, region: str) -> tuple[AzReaders, ...]:
    spec = next(r for r in d.regions if r.name == region)
    out = []
    for a in spec.az_ids:
        counts = [int(s.value(v.n(spec, a, b))) for b in range(d.n_blocks)]
        caps = [int(s.value(v.cap[region, a, b])) for b in range(d.n_blocks)]
        out.append(
            AzReaders(
                az_id=a,
                count=tuple(int(x) for x in expand(counts, d.blocks)),
                acu=_steps(caps, d),
            )
        )
    return tuple(out)


def _secondaries(s: cp_model.CpSolver, d: ModelData, v: VarIndex) -> tuple[SecondaryPlan, ...]:
    out = []
    for r in d.regions[1:]:
        if not s.value(v.active[r.name]):
            continue
        readers = _readers(s, d, v, r.name)
        always = (
            all(sum(z.count[t] for z in readers) > 0 for t in range(len(readers[0].count)))
            if readers
            else False
        )
        is_dr = bool(s.value(v.dr[r.name])) if r.name in v.dr else (always and r.dr_reachable)
        out.append(
            SecondaryPlan(
                region=r.name,
                min_capacity_acu=_steps([int(s.value(x)) for x in v.floor[r.name]], d),
                readers=readers,
                is_dr_target=is_dr,
            )
        )
    return tuple(out)


def _routes(s: cp_model.CpSolver, d: ModelData, v: VarIndex) -> tuple[ReadRoute, ...]:
    out = []
    lens = d.block_len
    for c, client in enumerate(d.clients):
        served = {
            r.name: sum(
                int(s.value(v.route[c, r.name, b])) * int(lens[b])
                for b in range(d.n_blocks)
                if (c, r.name, b) in v.route
            )
            for r in d.regions
        }
        total = sum(served.values())
        for region, load in sorted(served.items()):
            if load > 0:
                rt = d.route_by_key[c, region]
                out.append(
                    ReadRoute(
                        client_region=client, region=region, share=load / total, utilisation=rt.utilisation
                    )
                )
    return tuple(sorted(out, key=lambda r: (r.client_region, r.region)))


def plan_costs(
    problem: PlacementProblem, plan: PlacementPlan, io_optimized: bool | None = None
) -> CostBreakdown:
    """Price ``plan`` under a storage configuration (None: the one in force).

    Args:
        problem: the problem the plan solves.
        plan: a plan with a solution.
        io_optimized: configuration to price.

    Returns:
        The cost breakdown over the horizon, USD.
    """
    hours_per_step = problem.step_s / 3600.0
    primary = problem.topology.region
    acu_primary = (
        sum(plan.writer_acu) + sum(plan.failover_reader_acu) + sum(sum(r.acu) for r in plan.extra_readers)
    )
    compute = acu_primary * hours_per_step * price_usd_per_acu_hour(problem, primary, io_optimized)
    fixed = primary_fixed_usd(problem, io_optimized)
    storage, io = fixed["storage"], fixed["io"]
    replicated = transfer = 0.0
    for sec in plan.secondaries:
        acu = sum(sum(r.acu) for r in sec.readers)
        compute += acu * hours_per_step * price_usd_per_acu_hour(problem, sec.region, io_optimized)
        extra = secondary_fixed_usd(problem, sec.region, io_optimized)
        storage += extra["storage"]
        replicated += extra["replicated_write"]
        transfer += extra["transfer"]
    transfer += _read_transfer_usd(problem, plan)
    total = compute + io + storage + replicated + transfer
    return CostBreakdown(
        compute_usd=compute,
        io_usd=io,
        storage_usd=storage,
        replicated_write_usd=replicated,
        transfer_usd=transfer,
        total_usd=total,
    )


def _read_transfer_usd(problem: PlacementProblem, plan: PlacementPlan) -> float:
    """Response bytes of reads served from another region, priced at the transfer rate."""
    if problem.io.read_gb_per_acu_hour <= 0:
        return 0.0
    shares = {c.region: c.read_share for c in problem.clients} or {problem.topology.region: 1.0}
    read_acu_h = sum(problem.demand_acu) * problem.read_frac * problem.step_s / 3600.0
    cross = sum(
        r.share * shares.get(r.client_region, 0.0) for r in plan.read_routes if r.region != r.client_region
    )
    return read_acu_h * cross * problem.io.read_gb_per_acu_hour * problem.cost.transfer_usd_per_gb


def storage_advice(problem: PlacementProblem, plan: PlacementPlan) -> StorageAdvice:
    """Compare the plan's cost under Standard and I/O-Optimized (same capacity and I/O)."""
    std = plan_costs(problem, plan, io_optimized=False).total_usd
    opt = plan_costs(problem, plan, io_optimized=True).total_usd
    return StorageAdvice(
        current="io_optimized" if problem.cost.io_optimized else "standard",
        standard_usd=std,
        io_optimized_usd=opt,
        io_optimized_cheaper=opt < std,
        saving_usd=abs(std - opt),
    )


def _availability(problem: PlacementProblem, plan: PlacementPlan) -> tuple[float, float]:
    writer_az = problem.topology.writer_az_id
    ready = plan.failover_az_id is not None
    others = [r for r in plan.extra_readers if r.az_id != writer_az]
    spare = ready or all(sum(r.count[t] for r in others) > 0 for t in range(problem.horizon))
    dr = any(s.is_dr_target for s in plan.secondaries)
    model = problem.availability.failure_model
    return (
        availability(model, ready=ready, spare=spare, dr=dr),
        downtime_s_per_year(model, ready=ready, spare=spare, dr=dr),
    )


def extract(
    s: cp_model.CpSolver, problem: PlacementProblem, d: ModelData, v: VarIndex, status: SolveStatus
) -> PlacementPlan:
    """Read the solution of a solved model into a plan with shape-(horizon,) arrays.

    Args:
        s: the solver after a solve with a solution.
        problem: the problem.
        d: its data.
        v: its variables.
        status: OPTIMAL or FEASIBLE_AT_TIMEOUT.

    Returns:
        The plan with costs, storage advice and the availability figure.
    """
    failover_az = next((a for a, y in v.failover_az.items() if s.value(y)), None)
    short_load = [
        sum(int(s.value(v.read_short[c, b])) for c in range(len(d.clients))) + int(s.value(v.write_short[b]))
        for b in range(d.n_blocks)
    ]
    shortfall = expand(load_to_acu(short_load) / problem.target_utilisation, d.blocks)
    floors = _steps([int(s.value(x)) for x in v.writer], d)
    plan = PlacementPlan(
        status=status,
        writer_acu=_steps([int(s.value(v.writer_capacity(b))) for b in range(d.n_blocks)], d),
        min_capacity_acu=floors,
        failover_az_id=failover_az,
        failover_reader_acu=_steps([int(s.value(x)) for x in v.failover], d) if failover_az else (),
        extra_readers=_readers(s, d, v, d.primary.name),
        shortfall_acu=tuple(float(x) for x in np.round(shortfall, 6)),
        objective_usd=micro_usd_to_usd(s.objective_value),
        best_bound_usd=micro_usd_to_usd(s.best_objective_bound),
        solve_time_s=s.wall_time,
        secondaries=_secondaries(s, d, v),
        read_routes=_routes(s, d, v),
        n_blocks=d.n_blocks,
    )
    costs = plan_costs(problem, plan)
    avail, downtime = _availability(problem, plan)
    return plan.model_copy(
        update={
            "compute_cost_usd": costs.compute_usd,
            "costs": costs,
            "storage_advice": storage_advice(problem, plan),
            "availability": avail,
            "downtime_s_per_year": downtime,
        }
    )
