"""Fixtures for the service tests: injected settings, a TestClient and a short synthetic history."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service import Settings, create_app
from service.store import make_engine
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
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # Pinned solver knobs; built directly so the environment does not leak into tests.
    db = tmp_path_factory.mktemp("db") / "acuplan.db"
    return Settings(
        solver_time_limit_s=5.0, solver_num_workers=1, solver_random_seed=0, database_url=f"sqlite:///{db}"
    )


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def set_clock(client: TestClient) -> Iterator[Callable[[datetime], None]]:
    """Set the server's clock (``Runtime.clock``) for one test; restored afterwards."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    before = runtime.clock

    def set_(at: datetime) -> None:
        runtime.clock = lambda: at.timestamp()

    yield set_
    runtime.clock = before


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


PG_URL_ENV = "ACUPLAN_TEST_PG_URL"


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """An empty database of each backend: a SQLite file, and PostgreSQL from $ACUPLAN_TEST_PG_URL.

    Without the variable the PostgreSQL case is skipped locally and fails in CI (CI=true).
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'acuplan.db'}"
    url = os.environ.get(PG_URL_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: set {PG_URL_ENV}")
        pytest.skip(f"set {PG_URL_ENV}=postgresql://user@127.0.0.1:port/db to run against PostgreSQL")
    _reset_postgres(url)
    return url
