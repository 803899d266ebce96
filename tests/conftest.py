"""Test-wide settings: solver limits that no machine load can change.

Production bounds every CP-SAT solve by a deterministic work limit
(``SolverParams.deterministic_time_limit``, 1 unit by default) with a wall-clock backstop
(``time_limit_s``, 10 s), which a very busy machine may still reach; the result is then
marked ``feasible_at_timeout``, correct but not repeatable. Tests must not depend on how
busy the machine is, so here every solve with a wall limit of at least 0.5 s has the wall
clock lifted to 600 s and runs against the deterministic limit alone (its own stated value,
or 10 units where it states none). Tests of the timeout path set a smaller wall limit on
purpose and keep it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from hypothesis import settings
from ortools.sat.python import cp_model

from placement import SolverParams

SOLVE_MODULE = importlib.import_module("placement.solver")

settings.register_profile("acuplan", derandomize=True, database=None)
settings.load_profile("acuplan")
"""Property tests draw the same examples on every run and machine (no random seed, no example
database carried between runs): a red run is reproducible, a green one is not luck."""

DETERMINISTIC_TIME_LIMIT = 10.0
"""CP-SAT deterministic time units a test solve may use (the hardest test case needs < 1)."""


@pytest.fixture(autouse=True)
def private_data_home(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Point the default database (``$XDG_DATA_HOME/acuplan``) at a fresh folder per test.

    A test that opens the default database must never read or upgrade the user's own
    ``~/.local/share/acuplan/acuplan.db`` (a database written by another acuplan version
    there once made ``acuplan serve`` fail before it reached the port under test).
    """
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    monkeypatch.delenv("ACUPLAN_DATABASE_URL", raising=False)


@pytest.fixture(autouse=True)
def deterministic_solver_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Swap wall-clock solver limits for deterministic ones in every test."""
    original = SOLVE_MODULE.apply_params

    def apply(solver: cp_model.CpSolver, params: SolverParams) -> None:
        original(solver, params)
        if params.time_limit_s >= 0.5:
            solver.parameters.max_time_in_seconds = 600.0
            solver.parameters.max_deterministic_time = (
                params.deterministic_time_limit or DETERMINISTIC_TIME_LIMIT
            )

    monkeypatch.setattr(SOLVE_MODULE, "apply_params", apply)
    yield
