"""Fixtures for the service tests: injected settings, a TestClient and a short synthetic history."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service import Settings, create_app
from traces import diurnal_demand

STEP_S = 300
N_STEPS = 3 * 288  # 3 days at 300 s: Holt-Winters' two daily seasons plus one, solves in ~50 ms
T0 = datetime(2024, 5, 6, tzinfo=UTC)  # a Monday; a multiple of 300 s since the epoch


@dataclass(frozen=True)
class Grid:
    """The synthetic history's clock: first step start, step, and the default now."""

    t0: datetime
    step_s: int
    now: datetime


@pytest.fixture(scope="session")
def settings() -> Settings:
    # Pinned solver knobs; built directly so the environment does not leak into tests.
    return Settings(solver_time_limit_s=5.0, solver_num_workers=1, solver_random_seed=0)


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def grid() -> Grid:
    return Grid(t0=T0, step_s=STEP_S, now=T0 + timedelta(seconds=N_STEPS * STEP_S))


@pytest.fixture(scope="session")
def history() -> list[dict[str, Any]]:
    demand = diurnal_demand(N_STEPS, step_s=STEP_S, seed=7, base_acu=2, peak_acu=12)
    return [
        {"ts": (T0 + timedelta(seconds=i * STEP_S)).isoformat(), "demand_acu": round(float(v), 3)}
        for i, v in enumerate(demand)
    ]


@pytest.fixture
def body(history: list[dict[str, Any]]) -> dict[str, Any]:
    """A valid request body; tests copy and break one field."""
    return {
        "cluster": {"cluster_id": "orders-prod", "limits": {"min_acu": 0.5, "max_acu": 64}},
        "step_s": STEP_S,
        "history": [dict(p) for p in history],
    }
