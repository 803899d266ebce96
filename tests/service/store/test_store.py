"""The store on SQLite and PostgreSQL: migrations, concurrent writers, durability across restarts."""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select
from sqlalchemy.exc import ArgumentError, IntegrityError
from store_helpers import job_row, run_in_threads

from service.store import (
    NewRecommendation,
    StepChangeError,
    Store,
    StoreUnavailableError,
    make_engine,
    migrate,
    open_engine,
)
from service.store.engine import is_in_memory_sqlite
from service.store.models import Base, ReplayJobRow


def _store(url: str) -> Store:
    engine = make_engine(url)
    migrate(engine)
    return Store(engine)


def _rec(cluster_id: str, i: int) -> NewRecommendation:
    return NewRecommendation(
        cluster_id=cluster_id,
        generated_at_s=1_700_000_000 + i,
        inputs_hash=f"{i:064x}",
        inputs={"i": i},
        recommendation={"solver": {"status": "optimal"}, "is_fail_safe": False, "forecast_model": "m"},
        explanation={"i": i},
    )


def test_migrations_match_the_models_and_are_idempotent(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    migrate(engine)

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)

    assert diff == []


@pytest.mark.parametrize(
    ("url", "in_memory"),
    [
        ("sqlite://", True),
        ("sqlite:///", True),
        ("sqlite:///:memory:", True),
        ("sqlite+pysqlite://", True),
        ("sqlite:///file::memory:?cache=shared&uri=true", True),
        ("sqlite:///file:db?mode=memory&uri=true", True),
        ("sqlite:///data/acuplan.db", False),
        ("sqlite:///file:data.db?uri=true", False),
        ("postgresql://u@h/db", False),
    ],
)
def test_an_in_memory_sqlite_url_is_refused_by_the_engine(url: str, in_memory: bool) -> None:
    """Each pooled connection would get its own empty database: the tables made by migrate vanish."""
    assert is_in_memory_sqlite(url) is in_memory
    if in_memory:
        with pytest.raises(ArgumentError, match="it is an in-memory SQLite database"):
            make_engine(url)
        with pytest.raises(StoreUnavailableError, match="each connection would get its own empty database"):
            open_engine(url, auto_migrate=True)


def test_concurrent_writers_lose_nothing(db_url: str) -> None:
    store = _store(db_url)
    store.upsert_cluster("c", spec={}, step_s=300, config={})
    n_threads, n_each = 4, 25

    def work(t: int) -> None:
        for i in range(n_each):
            store.add_recommendation(_rec("c", t * n_each + i))
            store.add_points("c", [t * 1000 + i, 999_999], [float(i), float(t)])  # one shared timestamp
            store.upsert_cluster("c", spec={"t": t}, step_s=300, config={})

    run_in_threads(n_threads, work)

    assert store.count_recommendations("c") == n_threads * n_each
    ids = [r.id for r in store.list_recommendations("c", limit=1000)]
    assert len(set(ids)) == n_threads * n_each
    assert store.point_range("c")[2] == n_threads * n_each + 1
    cluster = store.get_cluster("c")
    assert cluster is not None and cluster.revision == 1 + n_threads * n_each


def test_concurrent_first_registrations_make_one_cluster(db_url: str) -> None:
    store = _store(db_url)

    run_in_threads(4, lambda t: store.upsert_cluster("new", spec={"t": t}, step_s=300, config={}))

    cluster = store.get_cluster("new")
    assert cluster is not None and cluster.revision == 4


def test_a_step_change_over_stored_points_is_refused_and_nothing_written(db_url: str) -> None:
    store = _store(db_url)
    store.upsert_cluster("c", spec={"v": 1}, step_s=300, config={})
    store.add_points("c", [0, 300], [1.0, 2.0])

    with pytest.raises(StepChangeError) as caught:
        store.upsert_cluster("c", spec={"v": 2}, step_s=60, config={})

    assert (caught.value.stored_step_s, caught.value.step_s, caught.value.n_points) == (300, 60, 2)
    cluster = store.get_cluster("c")
    assert cluster is not None and (cluster.spec, cluster.step_s, cluster.revision) == ({"v": 1}, 300, 1)
    assert store.points("c", since_s=0, until_s=600) == ([0, 300], [1.0, 2.0])


def test_committed_data_survives_a_restart(db_url: str) -> None:
    first = _store(db_url)
    rec = first.add_recommendation(_rec("c", 1))
    first.close()

    second = _store(db_url)

    again = second.get_recommendation("c", rec.id)
    assert again is not None and again.item == rec.item


def test_job_transitions_are_exclusive(db_url: str) -> None:
    store = _store(db_url)
    store.create_job("j1", {"x": 1})
    store.create_job("j2", {"x": 2})

    started = store.start_job("j1")
    cancelled: Any
    cancelled, moved = store.cancel_job("j2")

    assert started and not store.start_job("j1")
    assert moved and cancelled.status == "cancelled" and not store.start_job("j2")
    assert store.cancel_job("j2")[1] is False  # already final: not counted twice
    running, moved_running = store.cancel_job("j1")
    assert running is not None and running.cancel_requested and not moved_running
    assert store.requeue_interrupted(lease_ms=60_000) == []  # j1 is held by this live store
    assert store.release_jobs() == ["j1"] and store.requeue_interrupted(lease_ms=60_000) == ["j1"]


def test_pruning_keeps_the_jobs_a_lookup_reads(db_url: str) -> None:
    """A daily learning job adds a row per cluster per day: all but the newest finished and succeeded go."""
    store = _store(db_url)
    outcomes = ["succeeded", "failed", "succeeded", "cancelled", "failed", None]  # None: still queued
    for i, outcome in enumerate(outcomes):
        store.create_job(f"l{i}", {"i": i}, kind="learning", cluster_id="c1")
        if outcome == "cancelled":
            store.cancel_job(f"l{i}")
        elif outcome is not None:
            store.start_job(f"l{i}")
            store.finish_job(f"l{i}", outcome)
    store.create_job("other", {}, kind="learning", cluster_id="c2")
    store.create_job("replay", {}, kind="replay", cluster_id="c1")
    store.start_job("replay")
    store.finish_job("replay", "failed")

    deleted = store.prune_finished_jobs("learning", "c1")

    assert deleted == 3  # l2 is the newest succeeded, l4 the newest finished, l5 is queued
    assert [store.get_job(f"l{i}") is not None for i in range(6)] == [False, False, True, False, True, True]
    assert store.get_job("other") is not None and store.get_job("replay") is not None
    assert store.latest_job("learning", "c1", status="succeeded").id == "l2"  # type: ignore[union-attr]
    assert store.prune_finished_jobs("learning", "c1") == 0


def _pending_learning(store: Store, cluster_id: str) -> list[str]:
    stmt = select(ReplayJobRow.id).where(
        ReplayJobRow.kind == "learning",
        ReplayJobRow.cluster_id == cluster_id,
        ReplayJobRow.status.in_(("queued", "running")),
    )
    with store.engine.connect() as conn:
        return [str(i) for i in conn.execute(stmt).scalars()]


def test_concurrent_requests_queue_one_learning_job(db_url: str) -> None:
    """Recommendations for one cluster at the same moment (two processes): one learning job, both get it."""
    stores = [_store(db_url), _store(db_url)]  # two connection pools on one database, as two processes
    n_threads, rounds = 8, 5
    barrier = threading.Barrier(n_threads)
    got: dict[int, list[str]] = {r: [] for r in range(rounds)}

    def work(t: int) -> None:
        for r in range(rounds):
            barrier.wait(timeout=60)
            job = stores[t % 2].create_job(f"r{r}t{t}", {"t": t}, kind="learning", cluster_id=f"c{r}")
            got[r].append(job.id)

    run_in_threads(n_threads, work)

    for r in range(rounds):
        pending = _pending_learning(stores[0], f"c{r}")
        assert len(pending) == 1, pending
        assert set(got[r]) == set(pending)  # the losers were handed the job that is queued
    # other kinds are not limited: two advice jobs for one cluster are both queued
    stores[0].create_job("a1", {}, kind="advice", cluster_id="c0")
    stores[1].create_job("a2", {}, kind="advice", cluster_id="c0")
    assert stores[0].get_job("a1") is not None and stores[0].get_job("a2") is not None


def test_a_finished_learning_job_lets_the_next_one_queue(db_url: str) -> None:
    store = _store(db_url)
    store.create_job("l1", {}, kind="learning", cluster_id="c")

    assert store.create_job("l2", {}, kind="learning", cluster_id="c").id == "l1"  # still queued
    store.start_job("l1")
    assert store.create_job("l3", {}, kind="learning", cluster_id="c").id == "l1"  # running
    store.finish_job("l1", "succeeded")
    queued = store.create_job("l4", {}, kind="learning", cluster_id="c")

    assert (queued.id, queued.status) == ("l4", "queued")
    assert store.get_job("l2") is None and store.get_job("l3") is None
    assert _pending_learning(store, "c") == ["l4"]


def test_a_learning_job_pending_past_the_limit_gives_way_to_a_new_one(db_url: str) -> None:
    """A worker that died (or hung) must not keep its cluster from learning for good."""
    clock = [1_700_000_000.0]
    engine = make_engine(db_url)
    migrate(engine)
    store = Store(engine, clock=lambda: clock[0])
    hour_ms = 3_600_000
    store.create_job("hung", {}, kind="learning", cluster_id="c")
    store.start_job("hung")
    clock[0] += 3600 - 1

    early = store.create_job("early", {}, kind="learning", cluster_id="c", stale_after_ms=hour_ms)
    clock[0] += 1
    unlimited = store.create_job("unlimited", {}, kind="learning", cluster_id="c")
    fresh = store.create_job("fresh", {}, kind="learning", cluster_id="c", stale_after_ms=hour_ms)

    assert early.id == unlimited.id == "hung"
    assert (fresh.id, fresh.status) == ("fresh", "queued")
    hung = store.get_job("hung")
    assert hung is not None and hung.status == "failed" and hung.finished_ms == int(clock[0] * 1000)
    assert hung.error is not None and hung.error["error"] == "stale"
    assert "1 h" in hung.error["detail"][0]["message"] and hung.error["detail"][0]["field"] is None
    assert hung.cancel_requested  # a worker still on it stops at its next progress report
    assert not store.finish_job("hung", "succeeded")  # and cannot finish it any more
    assert _pending_learning(store, "c") == ["fresh"]


_job_row = partial(job_row, kind="learning", cluster_id="c1")


def test_the_upgrade_fails_older_duplicate_pending_learning_jobs_and_keeps_the_rest(db_url: str) -> None:
    """A database from before the one-pending-learning-job rule, holding duplicates, upgrades."""
    engine = make_engine(db_url)
    migrate(engine, "0003")
    rows = [
        _job_row("done", "succeeded", 1, started_ms=1, finished_ms=2, result={"risk_quantile": 0.95}),
        _job_row("broke", "failed", 3, started_ms=3, finished_ms=4, error={"error": "x", "detail": []}),
        _job_row("oldest", "queued", 10),
        _job_row("older", "running", 20, started_ms=21),
        _job_row("newest", "queued", 30),
        _job_row("alone", "queued", 5, cluster_id="c2"),
        _job_row("replay1", "queued", 10, kind="replay", cluster_id=None),
        _job_row("replay2", "queued", 10, kind="replay", cluster_id=None),
        _job_row("advice1", "queued", 10, kind="advice"),
        _job_row("advice2", "running", 11, kind="advice", started_ms=12),
    ]
    with engine.begin() as conn:
        conn.execute(insert(ReplayJobRow.__table__), rows)

    migrate(engine)

    store = Store(engine)
    jobs = {row["id"]: store.get_job(row["id"]) for row in rows}
    assert {i: j.status for i, j in jobs.items() if j is not None} == {
        "done": "succeeded",
        "broke": "failed",
        "oldest": "failed",
        "older": "failed",
        "newest": "queued",
        "alone": "queued",
        "replay1": "queued",
        "replay2": "queued",
        "advice1": "queued",
        "advice2": "running",
    }
    for superseded in ("oldest", "older"):
        job = jobs[superseded]
        assert job is not None and job.error is not None and job.finished_ms is not None
        assert job.error["error"] == "superseded" and "newest" in job.error["detail"][0]["message"]
    done, broke = jobs["done"], jobs["broke"]
    assert done is not None and (done.finished_ms, done.result) == (2, {"risk_quantile": 0.95})
    assert broke is not None and broke.error == {"error": "x", "detail": []}
    # from now on the database itself keeps one pending learning job per cluster
    assert store.create_job("next", {}, kind="learning", cluster_id="c1").id == "newest"
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(ReplayJobRow.__table__), [_job_row("sneaky", "queued", 40)])
    assert _pending_learning(store, "c1") == ["newest"]
