"""Solve a placement problem with CP-SAT and read the plan back.

Owns :func:`solve`: build -> hint -> set parameters -> solve -> check status ->
extract. The only place :class:`~placement.types.SolverParams` touch the solver.
Never prints. Imports nothing of ours outside ``placement``.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from placement.errors import PlacementError
from placement.model import VarIndex, build_model
from placement.types import AzReaders, PlacementPlan, PlacementProblem, SolverParams, SolveStatus
from placement.units import acu_to_half_acu_ceil, half_acu_to_acu, micro_usd_to_usd

_STATUS = {
    cp_model.OPTIMAL: SolveStatus.OPTIMAL,
    cp_model.FEASIBLE: SolveStatus.FEASIBLE_AT_TIMEOUT,
    cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
    cp_model.UNKNOWN: SolveStatus.NO_SOLUTION_AT_TIMEOUT,
}


def _apply_params(solver: cp_model.CpSolver, params: SolverParams) -> None:
    """Map :class:`SolverParams` onto ``solver.parameters`` (the only such mapping)."""
    solver.parameters.max_time_in_seconds = params.time_limit_s
    solver.parameters.num_workers = params.num_workers
    solver.parameters.random_seed = params.random_seed
    # One worker runs a sequential search; the seed then makes it repeatable.
    solver.parameters.log_search_progress = False


def _add_hints(m: cp_model.CpModel, problem: PlacementProblem, v: VarIndex) -> None:
    """Warm start from the deployed layout: hold the writer floor where it is."""
    if problem.previous is None:
        return
    w = int(acu_to_half_acu_ceil(problem.previous.writer_acu))
    for x in v.writer:
        m.add_hint(x, w)
    for a, b in v.failover_az.items():
        m.add_hint(b, int(a == problem.previous.failover_az_id))


def _extract(
    solver: cp_model.CpSolver, problem: PlacementProblem, v: VarIndex, status: SolveStatus
) -> PlacementPlan:
    def acu(xs: list[cp_model.IntVar]) -> tuple[float, ...]:
        return tuple(float(a) for a in half_acu_to_acu([solver.value(x) for x in xs]))

    t_range = range(problem.horizon)
    azs = sorted({a for a, _, _ in v.extra})
    slots = sorted({k for _, k, _ in v.extra})
    extra = tuple(
        AzReaders(
            az_id=a,
            count=tuple(sum(solver.value(v.extra_on[a, k, t]) for k in slots) for t in t_range),
            acu=tuple(
                float(half_acu_to_acu(sum(solver.value(v.extra[a, k, t]) for k in slots))) for t in t_range
            ),
        )
        for a in azs
    )
    writer = acu(v.writer)
    failover = acu(v.failover)
    capacity_acu = sum(writer) + sum(failover) + sum(sum(r.acu) for r in extra)
    shortfall = tuple(
        float(half_acu_to_acu(solver.value(ws) + solver.value(rs)))
        for ws, rs in zip(v.write_short, v.read_short, strict=True)
    )
    return PlacementPlan(
        status=status,
        writer_acu=writer,
        failover_az_id=next((a for a, b in v.failover_az.items() if solver.value(b)), None),
        failover_reader_acu=failover,
        extra_readers=extra,
        shortfall_acu=shortfall,
        compute_cost_usd=capacity_acu * problem.step_s / 3600.0 * problem.price_usd_per_acu_hour,
        objective_usd=micro_usd_to_usd(solver.objective_value),
        best_bound_usd=micro_usd_to_usd(solver.best_objective_bound),
        solve_time_s=solver.wall_time,
    )


def solve(problem: PlacementProblem, params: SolverParams | None = None) -> PlacementPlan:
    """Solve ``problem`` within the time limit and return the plan with its status.

    Deterministic for a fixed problem with ``num_workers=1`` and a fixed seed (the
    default). On timeout with an incumbent the plan is returned with status
    FEASIBLE_AT_TIMEOUT and its ``best_bound_usd``; with none, the plan is empty with
    status NO_SOLUTION_AT_TIMEOUT (the caller falls back to a fail-safe plan).

    Args:
        problem: the placement problem, horizon T steps.
        params: solver knobs; defaults to :class:`SolverParams()`.

    Returns:
        A :class:`PlacementPlan` whose arrays have shape (T,).

    Raises:
        PlacementError: if CP-SAT reports MODEL_INVALID (a bug, never swallowed).
    """
    params = params or SolverParams()
    model, index = build_model(problem)
    _add_hints(model, problem, index)
    solver = cp_model.CpSolver()
    _apply_params(solver, params)
    raw = solver.solve(model)
    if raw == cp_model.MODEL_INVALID:
        raise PlacementError(f"CP-SAT rejected the model: {model.validate()}")
    status = _STATUS[raw]
    if status in (SolveStatus.INFEASIBLE, SolveStatus.NO_SOLUTION_AT_TIMEOUT):
        return PlacementPlan(status=status, solve_time_s=solver.wall_time)
    return _extract(solver, problem, index, status)
