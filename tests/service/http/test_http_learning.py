"""The risk quantile learnt per registered cluster: learning jobs, and the quantile a plan uses."""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from policy import CapacityLimits, ClusterSpec, PolicyConfig
from policy.config import PostureConfig
from policy.trace_replay.learn import learning_key
from policy.trace_replay.posture import PostureChoice
from service.http import learning
from service.http.learning import (
    LEARNING_KIND,
    POSTURE,
    LearningInputs,
    LearningStatus,
    learning_due,
    planning_quantile,
    run_learning,
)
from service.store import JobRecord, Store
from service.store.models import ReplayJobRow
from traces import diurnal_demand

STEP_S = 300
T0 = datetime(2024, 5, 6, tzinfo=UTC)


def _job(
    status: str, *, now: datetime, config: PolicyConfig, result: dict[str, Any] | None = None
) -> JobRecord:
    request = LearningInputs(
        demand_acu=[1.0], now=now, step_s=STEP_S, cluster=ClusterSpec(), config=config
    ).model_dump(mode="json")
    return JobRecord(
        id="a" * 32, status=status, created_ms=0, started_ms=None, finished_ms=None, request=request,
        result=result, error=None, cancel_requested=False, kind=LEARNING_KIND, cluster_id="c",
    )  # fmt: skip


def _learnt(q: float | None, config: PolicyConfig, now: datetime = T0) -> JobRecord:
    result = {
        "risk_quantile": q,
        "reason": "why",
        "learnt_with": learning_key(config, POSTURE),
        "now": now.isoformat(),
    }
    return _job("succeeded", now=now, config=config, result=result)


def test_a_learnt_quantile_applies_only_under_the_settings_it_was_learnt_with() -> None:
    config = PolicyConfig()
    learnt = _learnt(0.95, config)

    def plan(cfg: PolicyConfig = config, **kw: Any) -> Any:
        args: dict[str, Any] = {
            "requested": None,
            "learnt": learnt,
            "now": T0,
            "every_s": 86_400,
            "cluster": ClusterSpec(),
            "step_s": STEP_S,
            **kw,
        }
        return planning_quantile(cfg, posture=POSTURE, **args)

    same = plan()
    other = plan(config.model_copy(update={"risk_quantile": 0.8}))
    asked = plan(requested=0.85)
    none = plan(learnt=None)
    short = plan(learnt=_learnt(None, config))
    off = plan(every_s=0)
    backfill = plan(now=T0 - timedelta(days=3))
    moved = plan(cluster=ClusterSpec(limits=CapacityLimits(min_acu=0.5, max_acu=4)))
    restepped = plan(step_s=60)

    assert (same.risk_quantile, same.source, same.reason, same.learnt_at) == (0.95, "learnt", "why", T0)
    assert (other.risk_quantile, other.source) == (0.8, "configured")
    assert "another risk_quantile" in other.reason
    assert (asked.risk_quantile, asked.source) == (0.85, "request")
    assert (none.risk_quantile, none.source) == (config.risk_quantile, "configured")
    assert (short.risk_quantile, short.source, short.reason) == (config.risk_quantile, "configured", "why")
    assert (off.risk_quantile, off.source, off.reason) == (
        config.risk_quantile,
        "configured",
        "learning is off (ACUPLAN_LEARN_EVERY_S=0)",
    )
    assert (backfill.source, backfill.risk_quantile) == ("configured", config.risk_quantile)
    assert "after this plan's now" in backfill.reason  # no quantile learnt from the future
    assert moved.source == restepped.source == "configured"  # learnt under another registration
    assert "registration" in moved.reason


def test_a_learning_that_found_aurora_alone_better_plans_at_the_floor_and_older_results_do_not() -> None:
    config = PolicyConfig()
    alone = _learnt(0.9, config)
    assert alone.result is not None
    alone = dataclasses.replace(alone, result={**alone.result, "floor_from_forecast": False})
    args: dict[str, Any] = {"requested": None, "now": T0, "every_s": 86_400, "cluster": ClusterSpec()}
    choice = planning_quantile(config, posture=POSTURE, learnt=alone, step_s=STEP_S, **args)
    assert (choice.source, choice.floor_from_forecast) == ("learnt", False)
    assert LearningStatus.of(alone).floor_from_forecast is False
    # a result stored before the field existed follows the forecast, as it did when it was stored
    old = planning_quantile(config, posture=POSTURE, learnt=_learnt(0.9, config), step_s=STEP_S, **args)
    assert old.floor_from_forecast and LearningStatus.of(_learnt(0.9, config)).floor_from_forecast


def test_learning_is_due_a_day_of_data_time_after_the_last_unless_one_is_pending() -> None:
    config = PolicyConfig()
    day = 86_400
    hour_ms = 3_600_000

    def due(
        latest: JobRecord | None,
        at: datetime,
        every_s: int = day,
        cfg: PolicyConfig = config,
        clock_ms: int = hour_ms,
    ) -> bool:
        return learning_due(
            latest,
            now=at,
            every_s=every_s,
            config=cfg,
            posture=POSTURE,
            clock_ms=clock_ms,
            cluster=ClusterSpec(),
            step_s=STEP_S,
        )

    done = _job("succeeded", now=T0, config=config)
    assert due(None, T0)
    assert not due(None, T0, every_s=0)
    assert not due(_job("queued", now=T0 - timedelta(days=9), config=config), T0)
    assert not due(_job("running", now=T0 - timedelta(days=9), config=config), T0)
    # a job queued or running for 3 hours of wall clock is stale (a stopped process, a hung worker)
    assert due(_job("queued", now=T0, config=config), T0, clock_ms=3 * hour_ms)
    assert not due(done, T0 + timedelta(seconds=day - STEP_S))
    assert due(done, T0 + timedelta(seconds=day))
    assert not due(_job("failed", now=T0, config=config), T0 + timedelta(hours=1))  # no retry storm
    full = _job("failed", now=T0, config=config)
    full = dataclasses.replace(full, error={"error": "overloaded", "detail": []})
    assert not due(full, T0 + timedelta(hours=1), clock_ms=600_000)  # the pool was full 10 min ago
    assert due(full, T0 + timedelta(hours=1), clock_ms=900_000)  # it never ran: tried again
    assert due(done, T0 + timedelta(hours=1), cfg=config.model_copy(update={"risk_quantile": 0.8}))
    assert not learning_due(
        None,
        now=T0,
        every_s=day,
        config=config,
        posture=PostureConfig(risk_quantiles=()),
        clock_ms=0,
        cluster=ClusterSpec(),
        step_s=STEP_S,
    )
    assert learning_due(
        done,
        now=T0 + timedelta(hours=1),
        every_s=day,
        config=config,
        posture=POSTURE,
        clock_ms=hour_ms,
        cluster=ClusterSpec(timezone="Asia/Kolkata"),
        step_s=STEP_S,
    )  # a changed registration re-learns at once


def test_a_short_history_learns_nothing_and_says_how_much_it_had() -> None:
    demand = diurnal_demand(2 * 288, step_s=STEP_S, seed=3, base_acu=2, peak_acu=10)
    inputs = LearningInputs(
        demand_acu=[float(v) for v in demand],
        now=T0,
        step_s=STEP_S,
        cluster=ClusterSpec(),
        config=PolicyConfig(),
    )

    result = run_learning(inputs, lambda *_: None)

    assert result == {
        "risk_quantile": None,
        "reason": "2.0 days of history: too few to learn from",
        "floor_from_forecast": True,
        "learnt_with": learning_key(PolicyConfig(), POSTURE),
        "now": T0.isoformat(),
    }


def _register(client: TestClient) -> str:
    cid = f"learn-{uuid.uuid4().hex[:8]}"
    r = client.put(f"/v1/clusters/{cid}", json={"limits": {"min_acu": 0.5, "max_acu": 64}, "step_s": STEP_S})
    assert r.status_code == 201, r.text
    return cid


def _history(days: int) -> list[dict[str, Any]]:
    demand = diurnal_demand(days * 288, step_s=STEP_S, seed=11, base_acu=2, peak_acu=12)
    return [
        {"ts": (T0 + timedelta(seconds=i * STEP_S)).isoformat(), "demand_acu": round(float(v), 3)}
        for i, v in enumerate(demand)
    ]


def _settled(client: TestClient, cid: str) -> JobRecord:
    store: Store = client.app.state.runtime.store  # type: ignore[attr-defined]
    for _ in range(6000):  # a stub ends within a few polls; a real 5-day replay within a few minutes
        job = store.latest_job(LEARNING_KIND, cid)
        if job is not None and job.status not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError("the learning job did not finish")


def test_a_registered_cluster_plans_at_the_quantile_its_learning_job_chose(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, datetime, float]] = []

    def learn(history: Any, *, now: datetime, step_s: int, policy: PolicyConfig, **_: Any) -> PostureChoice:
        seen.append((len(history), now, policy.risk_quantile))
        return PostureChoice(0.95, "p95: the cheapest candidate within the budgets (stub)")

    monkeypatch.setattr(learning, "learn_recent", learn)
    cid = _register(client)
    history = _history(10)
    assert client.post(f"/v1/clusters/{cid}/metrics", json={"points": history}).status_code == 200
    end = T0 + timedelta(days=10)
    url = f"/v1/clusters/{cid}/recommendations"

    first = client.post(url, json={"now": end.isoformat()})
    job = _settled(client, cid)
    second = client.post(url, json={"now": (end + timedelta(hours=1)).isoformat()})
    asked = client.post(
        url, json={"now": (end + timedelta(hours=1)).isoformat(), "config": {"risk_quantile": 0.8}}
    )

    assert first.status_code == second.status_code == asked.status_code == 201, first.text
    assert first.json()["explanation"]["risk_quantile"]["source"] == "configured"
    assert first.json()["inputs"]["config"]["risk_quantile"] == 0.9
    assert job.status == "succeeded" and job.result is not None and job.result["risk_quantile"] == 0.95
    # one job, on the last 9 days (2-day warm-up + 7-day window) before the first call's now
    assert seen == [(9 * 288, end, 0.9)]
    assert len(job.request["demand_acu"]) == 9 * 288
    learnt = second.json()["explanation"]["risk_quantile"]
    assert learnt == {
        "risk_quantile": 0.95,
        "source": "learnt",
        "reason": "p95: the cheapest candidate within the budgets (stub)",
        "floor_from_forecast": True,
        "learnt_at": end.isoformat().replace("+00:00", "Z"),
        "learning_job_id": job.id,
    }
    assert second.json()["inputs"]["config"]["risk_quantile"] == 0.95
    assert second.json()["recommendation"]["risk_quantile"] == 0.95
    assert asked.json()["explanation"]["risk_quantile"]["source"] == "request"
    assert asked.json()["inputs"]["config"]["risk_quantile"] == 0.8
    status = client.get(f"/v1/clusters/{cid}/learning").json()
    assert {k: status[k] for k in ("job_id", "status", "risk_quantile", "reason")} == {
        "job_id": job.id,
        "status": "succeeded",
        "risk_quantile": 0.95,
        "reason": "p95: the cheapest candidate within the budgets (stub)",
    }
    assert status["data_until"] == end.isoformat().replace("+00:00", "Z")
    # not due again within a day of data time
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    assert store.latest_job(LEARNING_KIND, cid).id == job.id

    next_day = _history(11)[10 * 288 :]
    later = client.post(url, json={"now": (end + timedelta(days=1)).isoformat(), "points": next_day})
    assert later.status_code == 201, later.text

    assert _settled(client, cid).id != job.id
    assert len(seen) == 2


@pytest.mark.slow
def test_a_real_learning_job_runs_its_replay_and_the_next_plan_uses_its_choice(client: TestClient) -> None:
    """No stub: the job replays acuplan with the posture over 5 bursty days (3 scored) in the job pool."""
    rng = np.random.default_rng(5)
    n = 5 * 288
    demand = diurnal_demand(n, step_s=STEP_S, seed=5, base_acu=1, peak_acu=6) * rng.lognormal(0, 0.4, n)
    points = [
        {"ts": (T0 + timedelta(seconds=i * STEP_S)).isoformat(), "demand_acu": round(float(v), 3)}
        for i, v in enumerate(np.clip(demand, 0, 60))
    ]
    cid = _register(client)
    assert client.post(f"/v1/clusters/{cid}/metrics", json={"points": points}).status_code == 200
    end = T0 + timedelta(days=5)
    url = f"/v1/clusters/{cid}/recommendations"

    client.post(url, json={"now": end.isoformat()})
    job = _settled(client, cid)
    after = client.post(url, json={"now": (end + timedelta(hours=1)).isoformat()})

    assert job.status == "succeeded", job.error
    assert job.result is not None
    q = job.result["risk_quantile"]
    assert q in {*POSTURE.risk_quantiles, 0.9}
    assert after.json()["explanation"]["risk_quantile"]["risk_quantile"] == q
    assert after.json()["explanation"]["risk_quantile"]["source"] == "learnt"


def test_a_deleted_cluster_takes_what_it_learnt_with_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleted and registered again, a cluster learns afresh: the old learning job is gone."""
    monkeypatch.setattr(learning, "learn_recent", lambda *a, **k: PostureChoice(0.95, "p95: stub"))
    cid = _register(client)
    assert client.post(f"/v1/clusters/{cid}/metrics", json={"points": _history(10)}).status_code == 200
    url = f"/v1/clusters/{cid}/recommendations"
    end = T0 + timedelta(days=10)
    client.post(url, json={"now": end.isoformat()})
    assert _settled(client, cid).status == "succeeded"

    assert client.delete(f"/v1/clusters/{cid}").status_code in (200, 204)
    store: Store = client.app.state.runtime.store  # type: ignore[attr-defined]
    gone = store.latest_job(LEARNING_KIND, cid)
    r = client.put(f"/v1/clusters/{cid}", json={"limits": {"min_acu": 0.5, "max_acu": 64}, "step_s": STEP_S})
    assert r.status_code == 201
    assert client.post(f"/v1/clusters/{cid}/metrics", json={"points": _history(3)}).status_code == 200
    again = client.post(url, json={"now": (T0 + timedelta(days=3)).isoformat()})

    assert gone is None
    assert again.json()["explanation"]["risk_quantile"]["source"] == "configured"
    # 3 days cannot say more than the configured quantile: no job is queued for them
    assert store.latest_job(LEARNING_KIND, cid) is None
    assert client.get(f"/v1/clusters/{cid}/learning").json()["status"] == "none"
    assert client.get("/v1/clusters/nope-none/learning").status_code == 404


def test_two_submissions_at_once_queue_and_run_one_learning_job(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two recommendations for one cluster at the same moment both ask for a learning job: one runs."""
    release = threading.Event()
    calls: list[datetime] = []

    def learn(*_: Any, now: datetime, **__: Any) -> PostureChoice:
        calls.append(now)
        release.wait(60)  # still running when the second submission arrives
        return PostureChoice(0.95, "p95: stub")

    monkeypatch.setattr(learning, "learn_recent", learn)
    runner = client.app.state.runtime.replays  # type: ignore[attr-defined]
    cid = f"learn-{uuid.uuid4().hex[:8]}"
    inputs = LearningInputs(
        demand_acu=[1.0], now=T0, step_s=STEP_S, cluster=ClusterSpec(), config=PolicyConfig()
    )
    barrier = threading.Barrier(2)
    jobs: list[JobRecord] = []

    def submit() -> None:
        barrier.wait(timeout=30)
        jobs.append(runner.submit(inputs, cluster_id=cid))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    try:
        assert len(jobs) == 2 and jobs[0].id == jobs[1].id
    finally:
        release.set()
    done = _settled(client, cid)
    assert done.id == jobs[0].id and done.status == "succeeded"
    assert calls == [T0]


def test_a_learning_job_left_pending_by_a_dead_worker_gives_way_after_the_limit(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def learn(*_: Any, **__: Any) -> PostureChoice:
        release.wait(60)  # the failed job is looked at before the new one ends (and prunes it)
        return PostureChoice(0.95, "p95: stub")

    monkeypatch.setattr(learning, "learn_recent", learn)
    store: Store = client.app.state.runtime.store  # type: ignore[attr-defined]
    runner = client.app.state.runtime.replays  # type: ignore[attr-defined]
    cid = f"learn-{uuid.uuid4().hex[:8]}"
    inputs = LearningInputs(
        demand_acu=[1.0], now=T0, step_s=STEP_S, cluster=ClusterSpec(), config=PolicyConfig()
    )
    dead = uuid.uuid4().hex
    store.create_job(dead, inputs.model_dump(mode="json"), kind=LEARNING_KIND, cluster_id=cid)
    store.start_job(dead)  # its worker died: never finished, no restart since
    with store.engine.begin() as conn:  # queued STALE_JOB_S ago
        conn.execute(
            update(ReplayJobRow)
            .where(ReplayJobRow.id == dead)
            .values(created_ms=store.now_ms() - learning.STALE_JOB_S * 1000)
        )

    try:
        fresh = runner.submit(inputs, cluster_id=cid)
        gone = store.get_job(dead)
    finally:
        release.set()

    assert fresh.id != dead
    assert gone is not None and gone.status == "failed" and (gone.error or {}).get("error") == "stale"
    assert LearningStatus.of(gone).reason.startswith("stale: queued or running for 3 h or more")
    done = _settled(client, cid)
    assert done.id == fresh.id and done.status == "succeeded"
