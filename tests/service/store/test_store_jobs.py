"""Jobs shared by several processes on SQLite and PostgreSQL: pruning, leases, the 0005 upgrade.

Two ``Store`` objects on one database act as two processes (each is its own job holder).
Leases are read on the stores' injected clock, never the wall clock.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

import pytest
from alembic import command
from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session
from store_helpers import job_row, run_in_threads

from service.store import Store, make_engine, migrate
from service.store.engine import alembic_config
from service.store.models import ReplayJobRow

LEASE_MS = 60_000
T0_S = 1_700_000_000.0


class Clock:
    """A settable clock, seconds since the epoch (shared by the stores of one test)."""

    def __init__(self) -> None:
        self.now_s = T0_S

    def __call__(self) -> float:
        return self.now_s

    def advance_ms(self, ms: int) -> None:
        self.now_s += ms / 1000


def _stores(url: str, n: int, clock: Clock | None = None) -> list[Store]:
    engine = make_engine(url)
    migrate(engine)
    return [Store(engine, clock=clock or Clock(), owner=f"process-{i}") for i in range(n)]


def _rows(store: Store, cluster_id: str | None = None) -> dict[str, ReplayJobRow]:
    stmt = select(ReplayJobRow)
    if cluster_id is not None:
        stmt = stmt.where(ReplayJobRow.cluster_id == cluster_id)
    with Session(store.engine) as s:
        return {row.id: row for row in s.execute(stmt).scalars()}


def _must_keep(store: Store, cluster_id: str) -> set[str]:
    """The newest finished and newest succeeded learning jobs of the cluster, and every pending one."""
    rows = sorted(_rows(store, cluster_id).values(), key=lambda r: (r.created_ms, r.id))
    finished = [r.id for r in rows if r.status in ("succeeded", "failed", "cancelled")]
    succeeded = [r.id for r in rows if r.status == "succeeded"]
    pending = {r.id for r in rows if r.status in ("queued", "running")}
    return pending | set(finished[-1:]) | set(succeeded[-1:])


def _run(store: Store, job_id: str, outcome: str, **kw: Any) -> None:
    store.create_job(job_id, {}, kind="learning", cluster_id="c", **kw)
    assert store.start_job(job_id) and store.finish_job(job_id, outcome)


# -- pruning --------------------------------------------------------------------------


@pytest.mark.parametrize("before_transaction", [1, 2, 3])
def test_pruning_keeps_the_newest_jobs_whatever_another_process_does_in_between(
    db_url: str, before_transaction: int
) -> None:
    """Another process finishes and queues jobs between any two of the pruning's transactions.

    Before the fix pruning read the newest jobs in two transactions and deleted in a
    third: a job created and finished before the delete (``before_transaction`` 3) was
    deleted although it was the newest. The hook runs the other process's work just before
    the pruning opens its n-th transaction (after the pruning, when it opens fewer).
    """
    clock = Clock()
    mine, other = _stores(db_url, 2, clock)
    _run(mine, "l0", "succeeded")
    clock.advance_ms(1)
    _run(mine, "l1", "failed")
    clock.advance_ms(1)
    other.create_job("p", {}, kind="learning", cluster_id="c")
    other.start_job("p")  # running in the other process
    fired: list[int] = []

    def other_process_work() -> None:
        fired.append(1)
        clock.advance_ms(1)
        assert other.finish_job("p", "succeeded")
        clock.advance_ms(1)
        _run(other, "z", "failed")  # created and finished: the newest finished job
        clock.advance_ms(1)
        other.create_job("y", {}, kind="learning", cluster_id="c")  # queued
        other.start_job("y")

    opened = [0]
    real_session = mine._session

    def session() -> Session:
        opened[0] += 1
        if opened[0] == before_transaction:
            other_process_work()
        return real_session()

    mine._session = session  # type: ignore[method-assign]
    mine.prune_finished_jobs("learning", "c")
    mine._session = real_session  # type: ignore[method-assign]
    if not fired:
        other_process_work()

    must_keep = _must_keep(mine, "c")
    assert must_keep == {"p", "z", "y"}
    assert must_keep <= set(_rows(mine, "c"))
    latest = mine.latest_job("learning", "c", status="succeeded")
    assert latest is not None and latest.id == "p"
    mine.prune_finished_jobs("learning", "c")
    assert set(_rows(mine, "c")) == {"p", "z", "y"}


def test_pruning_while_another_process_runs_jobs_never_deletes_the_newest(db_url: str) -> None:
    """Real concurrency: a process prunes over and over while another queues, runs and finishes jobs."""
    runner, pruner = _stores(db_url, 2)
    n_jobs = 30
    done = threading.Event()
    missing: list[str] = []

    def work(t: int) -> None:
        if t == 0:
            try:
                for i in range(n_jobs):
                    job_id = f"j{i:03d}"
                    _run(runner, job_id, "succeeded" if i % 3 == 0 else "failed")
                    if runner.get_job(job_id) is None:  # the newest finished job, for now
                        missing.append(job_id)
            finally:
                done.set()
        else:
            while not done.is_set():
                pruner.prune_finished_jobs("learning", "c")

    run_in_threads(2, work)

    assert missing == []
    pruner.prune_finished_jobs("learning", "c")
    assert set(_rows(pruner, "c")) == {f"j{n_jobs - 1:03d}", f"j{(n_jobs - 1) // 3 * 3:03d}"}


# -- leases ---------------------------------------------------------------------------


def test_a_starting_process_leaves_the_jobs_of_a_live_process_alone(db_url: str) -> None:
    """Before the fix the second process to start re-queued every running job, the first's included."""
    clock = Clock()
    first, second = _stores(db_url, 2, clock)
    first.create_job("run", {})
    first.create_job("wait", {})  # in the first process's pool, not started yet
    first.start_job("run")

    assert second.requeue_interrupted(lease_ms=LEASE_MS) == []
    clock.advance_ms(LEASE_MS // 2)
    assert first.renew_leases({"run", "wait"}) == {"run", "wait"}
    clock.advance_ms(LEASE_MS - 1)  # its last beat was just under a lease ago
    assert second.requeue_interrupted(lease_ms=LEASE_MS) == []

    rows = _rows(first)
    assert (rows["run"].status, rows["run"].owner) == ("running", "process-0")
    assert (rows["wait"].status, rows["wait"].owner) == ("queued", "process-0")
    assert first.finish_job("run", "succeeded")
    assert not second.finish_job("run", "failed")  # final, and never held by the second


def test_the_jobs_of_a_process_that_stopped_beating_are_taken_over_once(db_url: str) -> None:
    clock = Clock()
    dead, alive = _stores(db_url, 2, clock)
    dead.create_job("old", {})
    clock.advance_ms(1)
    dead.create_job("new", {})
    dead.start_job("new")
    dead.cancel_job("new")  # asked while it ran: still asked after the take-over
    clock.advance_ms(LEASE_MS)

    claimed = alive.requeue_interrupted(lease_ms=LEASE_MS)

    assert claimed == ["old", "new"]  # oldest first
    rows = _rows(alive)
    for job_id in claimed:
        row = rows[job_id]
        assert (row.status, row.owner, row.started_ms) == ("queued", "process-1", None)
        assert row.heartbeat_ms == int(clock.now_s * 1000)
    assert rows["new"].cancel_requested
    assert alive.requeue_interrupted(lease_ms=LEASE_MS) == []  # held by the live process now
    # the process that stopped beating (e.g. cut off from the database) lost them
    assert dead.renew_leases({"old", "new"}) == set()
    assert not dead.start_job("new")  # queued in its pool still: the holder runs it, not this one
    assert alive.renew_leases({"old"}) == {"old"}
    assert alive.start_job("old")
    assert not dead.finish_job("old", "succeeded")  # its run is dropped, the holder's stands
    assert alive.finish_job("old", "succeeded")


def test_only_the_holder_of_a_running_job_can_finish_it(db_url: str) -> None:
    clock = Clock()
    first, second = _stores(db_url, 2, clock)
    first.create_job("j", {})
    first.start_job("j")
    clock.advance_ms(LEASE_MS)
    assert second.requeue_interrupted(lease_ms=LEASE_MS) == ["j"]
    assert second.start_job("j")

    assert not first.finish_job("j", "failed", error={"error": "late", "detail": []})
    assert second.finish_job("j", "succeeded", result={"ok": True})
    job = second.get_job("j")
    assert job is not None and (job.status, job.result, job.error) == ("succeeded", {"ok": True}, None)


def test_a_graceful_stop_lets_its_jobs_go_at_once(db_url: str) -> None:
    clock = Clock()
    stopping, other, next_start = _stores(db_url, 3, clock)
    stopping.create_job("ran", {})
    stopping.create_job("waited", {})
    stopping.start_job("ran")
    other.create_job("theirs", {})
    other.start_job("theirs")

    assert stopping.release_jobs() == ["ran", "waited"]

    rows = _rows(stopping)
    for job_id in ("ran", "waited"):
        row = rows[job_id]
        assert (row.status, row.owner, row.heartbeat_ms, row.started_ms) == ("queued", None, None, None)
    assert (rows["theirs"].status, rows["theirs"].owner) == ("running", "process-1")
    assert next_start.requeue_interrupted(lease_ms=LEASE_MS) == ["ran", "waited"]  # no lease to wait for
    assert _rows(next_start)["theirs"].owner == "process-1"


def test_release_lets_go_of_the_named_jobs_it_holds_only(db_url: str) -> None:
    first, second = _stores(db_url, 2)
    for job_id in ("a", "b"):
        first.create_job(job_id, {})
    second.create_job("c", {})

    assert first.release_jobs([]) == []
    assert first.release_jobs(["a", "c"]) == ["a"]  # c is the second's
    assert {i: r.owner for i, r in _rows(first).items()} == {"a": None, "b": "process-0", "c": "process-1"}


def test_finished_jobs_are_never_claimed_or_renewed(db_url: str) -> None:
    clock = Clock()
    first, second = _stores(db_url, 2, clock)
    first.create_job("done", {})
    first.start_job("done")
    first.finish_job("done", "succeeded")
    first.create_job("gone", {})
    first.cancel_job("gone")
    clock.advance_ms(10 * LEASE_MS)

    assert second.requeue_interrupted(lease_ms=LEASE_MS) == []
    assert first.renew_leases({"done", "gone", "unknown"}) == set()
    assert {i: r.status for i, r in _rows(first).items()} == {"done": "succeeded", "gone": "cancelled"}


def test_processes_claiming_at_once_take_each_orphan_once(db_url: str) -> None:
    stores = _stores(db_url, 4)
    n_jobs = 40
    for i in range(n_jobs):
        stores[0].create_job(f"j{i:02d}", {})
        if i % 2:
            stores[0].start_job(f"j{i:02d}")
    stores[0].release_jobs()  # all orphaned
    barrier = threading.Barrier(len(stores))
    claimed: dict[int, list[str]] = {}

    def claim(t: int) -> None:
        barrier.wait(timeout=60)
        claimed[t] = stores[t].requeue_interrupted(lease_ms=LEASE_MS)

    run_in_threads(len(stores), claim)

    every = [job_id for ids in claimed.values() for job_id in ids]
    assert sorted(every) == [f"j{i:02d}" for i in range(n_jobs)]  # each once
    rows = _rows(stores[0])
    for t, ids in claimed.items():
        assert all(rows[i].owner == f"process-{t}" and rows[i].status == "queued" for i in ids)


def test_a_lease_must_be_positive(db_url: str) -> None:
    (store,) = _stores(db_url, 1)
    store.create_job("j", {})
    store.start_job("j")

    with pytest.raises(ValueError, match="lease_ms must be positive"):
        store.requeue_interrupted(lease_ms=0)
    assert _rows(store)["j"].status == "running"


def test_each_store_is_its_own_holder(tmp_path: Any) -> None:
    """Store objects (processes) get distinct owner names; a given one is cut to the column's 64."""
    engine = make_engine(f"sqlite:///{tmp_path / 'never-connected.db'}")
    try:
        first, second = Store(engine), Store(engine)
        assert first.owner != second.owner and 0 < len(first.owner) <= 64
        assert Store(engine, owner="x" * 100).owner == "x" * 64
    finally:
        engine.dispose()


# -- the 0005 upgrade -----------------------------------------------------------------


_job_row = partial(job_row, kind="replay", cluster_id=None)


def test_the_upgrade_adds_leases_and_jobs_stored_before_it_are_claimed_at_the_first_start(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0004")
    rows = [
        _job_row("done", "succeeded", 1, started_ms=1, finished_ms=2, result={"x": 1}),
        _job_row("queued", "queued", 10),
        _job_row("running", "running", 5, started_ms=6, cancel_requested=True),
        _job_row("learning", "running", 20, started_ms=21, kind="learning", cluster_id="c"),
    ]
    with engine.begin() as conn:
        conn.execute(insert(ReplayJobRow.__table__).values(rows))

    migrate(engine)

    columns = {c["name"] for c in inspect(engine).get_columns("replay_jobs")}
    assert {"owner", "heartbeat_ms"} <= columns
    store = Store(engine, clock=Clock(), owner="first-start")
    before = _rows(store)
    assert all(row.owner is None and row.heartbeat_ms is None for row in before.values())
    # no process holds them: the first start after the upgrade takes them, as every start did before
    assert store.requeue_interrupted(lease_ms=LEASE_MS) == ["running", "queued", "learning"]
    after = _rows(store)
    assert after["done"].status == "succeeded" and after["done"].owner is None
    assert after["running"].cancel_requested and after["running"].started_ms is None
    # the one-pending-learning-job index still holds
    assert store.create_job("next", {}, kind="learning", cluster_id="c").id == "learning"


def test_the_upgrade_downgrades_and_upgrades_again_keeping_the_jobs(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    store = Store(engine, owner="before-downgrade")
    store.create_job("kept", {"a": 1})
    store.start_job("kept")

    command.downgrade(alembic_config(engine), "0004")
    assert "owner" not in {c["name"] for c in inspect(engine).get_columns("replay_jobs")}
    migrate(engine)

    row = _rows(store)["kept"]
    assert (row.status, row.request, row.owner, row.heartbeat_ms) == ("running", {"a": 1}, None, None)
    assert Store(engine, owner="after").requeue_interrupted(lease_ms=LEASE_MS) == ["kept"]
