"""Solve a placement problem with CP-SAT and read the plan back.

Owns :func:`solve`: build -> hint -> set parameters -> solve -> check status ->
extract (:mod:`placement.extract`) -> explain (:mod:`placement.explain`). The only
place :class:`~placement.types.SolverParams` touch the solver. Never prints. Imports
nothing of ours outside ``placement``.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from placement.errors import PlacementError
from placement.explain import conflicting_families, shadow_costs
from placement.extract import extract
from placement.hints import add_hints
from placement.model import build_model
from placement.results import PlacementPlan, SolveStatus
from placement.types import PlacementProblem, SolverParams

_STATUS = {
    cp_model.OPTIMAL: SolveStatus.OPTIMAL,
    cp_model.FEASIBLE: SolveStatus.FEASIBLE_AT_TIMEOUT,
    cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
    cp_model.UNKNOWN: SolveStatus.NO_SOLUTION_AT_TIMEOUT,
}


def apply_params(solver: cp_model.CpSolver, params: SolverParams) -> None:
    """Map :class:`SolverParams` onto ``solver.parameters`` (the only such mapping).

    One worker runs a sequential search that the seed makes repeatable. With more
    workers, ``interleave_search`` keeps the portfolio deterministic independently of
    the worker count (sources: cp-sat); the wall-time limit can still cut a run at a
    different point on a loaded machine, which the status reports.
    """
    solver.parameters.max_time_in_seconds = params.time_limit_s
    if params.deterministic_time_limit is not None:
        solver.parameters.max_deterministic_time = params.deterministic_time_limit
    solver.parameters.num_workers = params.num_workers
    solver.parameters.random_seed = params.random_seed
    solver.parameters.log_search_progress = False
    # Measured on benchmarks/solve.py (1x3 and 3x3 regions x AZs, 50 blocks): probing
    # found nothing on these models and a second presolve pass removed nothing, yet
    # together they took half the solve time; every run still ended OPTIMAL.
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.max_presolve_iterations = 1
    if params.num_workers > 1:
        solver.parameters.interleave_search = True
        # Batches of one keep the interleaved portfolio close to the free-running one in
        # speed (the default, 3 x workers, was 3-10x slower on our benchmark).
        solver.parameters.interleave_batch_size = 1


def solve_once(
    problem: PlacementProblem, params: SolverParams, warm_start: PlacementPlan | None = None
) -> PlacementPlan:
    """Build, hint, solve and extract once; no explanation pass.

    Args:
        problem: the problem.
        params: solver knobs.
        warm_start: a previous plan on this horizon, or None.

    Returns:
        The plan; empty arrays when there is no solution.

    Raises:
        PlacementError: if CP-SAT reports MODEL_INVALID (a bug, never swallowed).
    """
    model, index, data, _ = build_model(problem)
    if params.use_hints:
        add_hints(model, problem, data, index, warm_start)
    solver = cp_model.CpSolver()
    apply_params(solver, params)
    raw = solver.solve(model)
    if raw == cp_model.MODEL_INVALID:
        raise PlacementError(f"CP-SAT rejected the model: {model.validate()}")
    status = _STATUS[raw]
    if status in (SolveStatus.INFEASIBLE, SolveStatus.NO_SOLUTION_AT_TIMEOUT):
        return PlacementPlan(status=status, solve_time_s=solver.wall_time, n_blocks=data.n_blocks)
    return extract(solver, problem, data, index, status)


def evaluate_warm_start(
    problem: PlacementProblem, plan: PlacementPlan, params: SolverParams
) -> PlacementPlan:
    """Check ``plan`` against ``problem`` by fixing its decisions; price it if it fits.

    Args:
        problem: the problem.
        plan: a plan on this horizon (e.g. :func:`placement.shift_plan` of the last one).
        params: solver knobs (same time limit).

    Returns:
        The plan re-extracted for ``problem`` with status FEASIBLE_AT_TIMEOUT and
        ``from_warm_start``, or an empty NO_SOLUTION_AT_TIMEOUT plan if it does not fit.
    """
    model, index, data, _ = build_model(problem)
    add_hints(model, problem, data, index, plan)
    solver = cp_model.CpSolver()
    apply_params(solver, params)
    solver.parameters.fix_variables_to_their_hinted_value = True
    raw = solver.solve(model)
    if raw not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PlacementPlan(status=SolveStatus.NO_SOLUTION_AT_TIMEOUT, n_blocks=data.n_blocks)
    found = extract(solver, problem, data, index, SolveStatus.FEASIBLE_AT_TIMEOUT)
    return found.model_copy(update={"from_warm_start": True, "best_bound_usd": 0.0})


def _plain(problem: PlacementProblem, params: SolverParams) -> PlacementPlan:
    return solve_once(problem, params)


def solve(
    problem: PlacementProblem, params: SolverParams | None = None, *, warm_start: PlacementPlan | None = None
) -> PlacementPlan:
    """Solve ``problem`` within the time limit and return the plan with its status.

    Deterministic for a fixed problem, seed and worker count. On timeout with an
    incumbent the plan is returned with status FEASIBLE_AT_TIMEOUT and its
    ``best_bound_usd``; with none, the plan is empty with status NO_SOLUTION_AT_TIMEOUT
    (the caller falls back to a fail-safe plan) unless ``warm_start`` still fits this
    problem: then it is returned, priced, FEASIBLE_AT_TIMEOUT with ``from_warm_start``
    (one more solve of the same time limit). When the hard constraints conflict the
    status is INFEASIBLE and ``conflicting_families`` names them (a single-thread
    assumption pass, :func:`placement.explain.conflicting_families`). With
    ``params.explain`` the plan also carries ``shadow_costs``.

    Args:
        problem: the placement problem, horizon T steps.
        params: solver knobs; defaults to :class:`SolverParams()`.
        warm_start: the previous plan moved to this horizon
            (:func:`placement.hints.shift_plan`): the fallback when no plan is found in
            time, and the hint when ``params.use_hints``.

    Returns:
        A :class:`PlacementPlan` whose arrays have shape (T,).

    Raises:
        PlacementError: if CP-SAT reports MODEL_INVALID (a bug, never swallowed).
    """
    params = params or SolverParams()
    plan = solve_once(problem, params, warm_start)
    if (
        plan.status is SolveStatus.NO_SOLUTION_AT_TIMEOUT
        and warm_start is not None
        and warm_start.has_solution
    ):
        fallback = evaluate_warm_start(problem, warm_start, params)
        if fallback.has_solution:
            return fallback.model_copy(update={"solve_time_s": plan.solve_time_s + fallback.solve_time_s})
    if plan.status is SolveStatus.INFEASIBLE:
        return plan.model_copy(update={"conflicting_families": conflicting_families(problem, params)})
    if params.explain and plan.has_solution:
        return plan.model_copy(update={"shadow_costs": shadow_costs(problem, plan, params, _plain)})
    return plan
