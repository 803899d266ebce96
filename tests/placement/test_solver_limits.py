"""The solver is bounded by work, not by the clock, by default (the plan-level checks: tests/policy)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from placement import SolverParams
from placement.solver import apply_params  # the real one: tests/conftest.py patches the module's


def test_defaults_bound_a_solve_by_deterministic_work_with_a_wall_clock_backstop() -> None:
    solver = cp_model.CpSolver()
    apply_params(solver, SolverParams())
    assert solver.parameters.max_deterministic_time == 1.0
    assert solver.parameters.max_time_in_seconds == 10.0
    assert solver.parameters.num_workers == 1 and solver.parameters.random_seed == 0
