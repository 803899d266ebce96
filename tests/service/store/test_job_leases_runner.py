"""The store's job leases as the job runner drives them: two runners (processes) on one database.

The runners' beats are called by hand on an injected clock (``resume`` is not called, so no
heartbeat thread runs); the waits below only bound how long a worker thread may take.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from policy import ClusterSpec, ReplayConfig
from service import Settings
from service.http import jobs
from service.http.jobs import JOB_LEASE_S, ReplayInputs, ReplayRunner
from service.http.observability import ServiceMetrics
from service.store import Store, make_engine, migrate

LEASE_MS = int(JOB_LEASE_S * 1000)


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.01)


@pytest.fixture
def release(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """A replay that reports progress (so it can be stopped) until the event is set."""
    event = threading.Event()

    def replay(_inputs: ReplayInputs, report: Callable[[str, int, int], None]) -> dict[str, Any]:
        while not event.wait(0.005):
            report("acuplan", 0, 1)
        return {"ok": True}

    monkeypatch.setattr(jobs, "_replay", replay)
    yield event
    event.set()


def test_a_runner_takes_over_a_job_whose_holder_stopped_beating_and_the_holder_stops_it(
    db_url: str, release: threading.Event
) -> None:
    now = [1_700_000_000.0]
    engine = make_engine(db_url)
    migrate(engine)
    settings = Settings(replay_workers=1)
    stores = [Store(engine, clock=lambda: now[0], owner=name) for name in ("a", "b")]
    a, b = (ReplayRunner(store, settings=settings, metrics=ServiceMetrics()) for store in stores)
    inputs = ReplayInputs(
        demand_acu=[1.0],
        start=datetime(2024, 5, 6, tzinfo=UTC),
        step_s=300,
        cluster=ClusterSpec(),
        config=ReplayConfig(),
        policies=["acuplan"],
        trace_name="t",
    )
    try:
        job = a.submit(inputs)
        _until(lambda: bool(a.progress(job.id)), "a to run the job")

        b.heartbeat()  # b starts beating: a's lease is fresh
        now[0] += JOB_LEASE_S / 2
        a.heartbeat()
        now[0] += JOB_LEASE_S - 0.001
        b.heartbeat()
        held = stores[0].get_job(job.id)
        assert held is not None and held.status == "running" and not b.progress(job.id)

        now[0] += 0.001  # a missed its beats for a whole lease (e.g. cut off from the database)
        b.heartbeat()
        _until(lambda: bool(b.progress(job.id)), "b to run the job it took over")
        a.heartbeat()  # a learns it lost the job and stops it at its next report
        _until(lambda: not a.progress(job.id), "a to stop")
        release.set()
        _until(lambda: (stores[1].get_job(job.id) or held).status == "succeeded", "b to finish")
    finally:
        release.set()
        a.shutdown()
        b.shutdown()

    done = stores[1].get_job(job.id)
    assert done is not None and done.result == {"ok": True}
    assert stores[1].requeue_interrupted(lease_ms=LEASE_MS) == []  # nothing left to either
