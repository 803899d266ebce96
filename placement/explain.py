"""Explanations: which hard families conflict, which bind, and what they cost.

Owns :func:`conflicting_families` (infeasibility) and :func:`shadow_costs` (binding
constraints and their price). Imports nothing of ours outside ``placement``.

Infeasibility (sources: cp-sat): the model is rebuilt with every hard family behind an
assumption literal and no objective, and solved on one worker; CP-SAT returns a
sufficient (not necessarily minimal) set of assumptions, which a deletion pass then
shrinks to an irreducible one: each family is dropped in turn and kept out if the rest
stay infeasible. ``capacity`` is soft and never appears.

Shadow costs: CP-SAT gives no duals, so each is measured by re-solving: a family
*relaxed* (``relax``: what it costs now; > 0 means it binds), the availability target
*tightened* by one nine, and the read/write latency SLOs tightened by 10 ms. Each costs
one solve, so it only runs with ``SolverParams(explain=True)``.
"""

from __future__ import annotations

from collections.abc import Callable

from ortools.sat.python import cp_model

from placement.model import build_model
from placement.results import FAMILIES, Family, PlacementPlan, ShadowCost
from placement.specs import MAX_SECONDARIES, AvailabilitySpec
from placement.types import (
    MAX_ACU_LIMIT,
    MAX_READERS_PER_CLUSTER,
    PlacementProblem,
    SolverParams,
)


def conflicting_families(problem: PlacementProblem, params: SolverParams) -> tuple[Family, ...]:
    """Name an irreducible set of hard families that together have no plan.

    Args:
        problem: a problem whose solve was INFEASIBLE.
        params: solver knobs (the time limit applies per pass; one worker is forced).

    Returns:
        Family names in :data:`~placement.results.FAMILIES` order; empty if the pass
        could not prove infeasibility within the time limit.
    """
    model, _, _, enforcer = build_model(problem, explain=True)
    lits = enforcer.lits
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = params.random_seed
    solver.parameters.max_time_in_seconds = params.time_limit_s
    if params.deterministic_time_limit is not None:
        solver.parameters.max_deterministic_time = params.deterministic_time_limit

    def infeasible(families: list[str]) -> bool:
        model.clear_assumptions()
        model.add_assumptions([lits[f] for f in families])
        return bool(solver.solve(model) == cp_model.INFEASIBLE)

    if not infeasible(list(lits)):
        return ()
    found = set(solver.sufficient_assumptions_for_infeasibility())
    core = [f for f, lit in lits.items() if lit.index in found]
    for family in list(core):
        trial = [f for f in core if f != family]
        if trial and infeasible(trial):
            core = trial
    return tuple(f for f in FAMILIES if f in core)  # type: ignore[misc]


def relaxed(problem: PlacementProblem, family: str) -> PlacementProblem:
    """Return ``problem`` without ``family``'s hard constraints.

    ``limits`` relaxes to AWS's own bounds (0.5-256 ACU, 15 readers, 10 secondaries),
    not to nothing.
    """
    if family == "latency":
        return problem.model_copy(update={"latency": None})
    if family == "availability":
        spec = AvailabilitySpec(failure_model=problem.availability.failure_model)
        return problem.model_copy(
            update={"min_azs": 1, "require_failover_reader": False, "availability": spec}
        )
    if family == "dynamics":
        return problem.model_copy(update={"dynamics": None})
    if family == "budget":
        return problem.model_copy(update={"budget_usd": None})
    limits = problem.limits.model_copy(
        update={"min_acu": 0.5, "max_acu": MAX_ACU_LIMIT, "max_readers": MAX_READERS_PER_CLUSTER}
    )
    return problem.model_copy(update={"limits": limits, "max_secondaries": MAX_SECONDARIES})


def hard_families(problem: PlacementProblem) -> tuple[Family, ...]:
    """Hard families that constrain ``problem`` (``limits`` always does)."""
    av = problem.availability
    present = {
        "latency": problem.latency is not None,
        "availability": problem.require_failover_reader
        or problem.min_azs > 1
        or av.survive_az_loss
        or av.require_region_dr
        or av.min_availability is not None,
        "dynamics": problem.dynamics is not None,
        "limits": True,
        "budget": problem.budget_usd is not None,
    }
    return tuple(f for f in FAMILIES if present.get(f, False))  # type: ignore[misc]


def _delta(base: PlacementPlan, other: PlacementPlan) -> float | None:
    return round(other.objective_usd - base.objective_usd, 6) if other.has_solution else None


def _tightenings(
    problem: PlacementProblem, plan: PlacementPlan
) -> list[tuple[Family, str, PlacementProblem]]:
    out: list[tuple[Family, str, PlacementProblem]] = []
    if plan.availability is not None and plan.availability < 1.0:
        target = 1.0 - (1.0 - plan.availability) / 10.0
        spec = problem.availability.model_copy(update={"min_availability": target})
        out.append(
            ("availability", f"+1 nine (>= {target:.7f})", problem.model_copy(update={"availability": spec}))
        )
    lat = problem.latency
    if lat is not None:
        for field in ("read_p99_ms", "write_p99_ms"):
            value = getattr(lat, field)
            if value > 10.0:
                changed = problem.model_copy(update={"latency": lat.model_copy(update={field: value - 10.0})})
                out.append(("latency", f"{field.split('_')[0]} SLO -10 ms ({value - 10.0:g} ms)", changed))
    return out


Resolver = Callable[[PlacementProblem, SolverParams], PlacementPlan]
"""Solves a problem without explanations (``placement.solver.solve_once``)."""


def shadow_costs(
    problem: PlacementProblem, plan: PlacementPlan, params: SolverParams, resolve: Resolver
) -> tuple[ShadowCost, ...]:
    """Price every hard family (relaxed) and one more nine / 10 ms less latency (tightened).

    Args:
        problem: the solved problem.
        plan: its plan (with a solution).
        params: solver knobs for the re-solves.
        resolve: the plain solve used for each re-solve.

    Returns:
        One :class:`ShadowCost` per re-solve, families in
        :data:`~placement.results.FAMILIES` order.
    """
    out: list[ShadowCost] = []
    for family in hard_families(problem):
        other = resolve(relaxed(problem, family), params)
        delta = _delta(plan, other)
        saving = -delta if delta is not None else None
        detail = (
            f"relaxing {family} would save ${saving:,.4f} over the horizon"
            if saving is not None and saving > 0
            else f"{family} does not bind"
        )
        out.append(ShadowCost(family=family, change="relax", delta_usd=saving, detail=detail))
    for family, change, changed in _tightenings(problem, plan):
        other = resolve(changed, params)
        delta = _delta(plan, other)
        detail = (
            f"{change} would cost ${delta:,.4f} over the horizon"
            if delta is not None
            else f"{change} has no plan under the stated model"
        )
        out.append(ShadowCost(family=family, change=change, delta_usd=delta, detail=detail))
    return tuple(out)
