"""Forecasts, and replays as asynchronous jobs: create, poll, fetch the result, cancel, restart."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

import policy
from policy import ReplayReport
from service import Settings, create_app
from traces import diurnal_demand

T0 = datetime(2024, 5, 6, tzinfo=UTC)


def _points(n: int) -> list[dict[str, Any]]:
    acu = diurnal_demand(n, step_s=300, seed=1, base_acu=2, peak_acu=10)
    return [
        {"ts": (T0 + timedelta(seconds=300 * i)).isoformat(), "demand_acu": float(v)}
        for i, v in enumerate(acu)
    ]


def _replay_body(**changes: Any) -> dict[str, Any]:
    body = {"history": _points(288), "policies": ["reactive", "static-peak"], "warmup_s": 6 * 3600}
    return {**body, **changes}


def _wait(client: TestClient, url: str, final: tuple[str, ...] = ("succeeded", "failed", "cancelled")) -> Any:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = client.get(url).json()
        if job["status"] in final:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {url} did not finish: {job}")


def test_forecast_has_quantile_rows_over_the_horizon(
    client: TestClient, history: list[dict[str, Any]]
) -> None:
    r = client.post("/v1/forecasts", json={"history": history, "horizon_s": 3600, "quantiles": [0.5, 0.9]})

    assert r.status_code == 200, r.text
    fc = r.json()
    assert fc["quantiles"] == [0.5, 0.9]
    assert [len(row) for row in fc["demand_acu"]] == [12, 12]
    assert all(lo <= hi for lo, hi in zip(*fc["demand_acu"], strict=True))
    assert fc["model"]


def test_forecast_rejects_a_quantile_outside_0_1(client: TestClient, history: list[dict[str, Any]]) -> None:
    r = client.post("/v1/forecasts", json={"history": history, "quantiles": [0.5, 1.0]})

    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "quantiles.1"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"quantiles": [0.9, 0.1]},
            "quantiles.1",
            "quantiles must be strictly ascending; quantiles[1]=0.1 <= quantiles[0]=0.9",
            id="descending",
        ),
        pytest.param(
            {"quantiles": [0.5, 0.5]},
            "quantiles.1",
            "quantiles must be strictly ascending; quantiles[1]=0.5 <= quantiles[0]=0.5",
            id="duplicate",
        ),
        pytest.param(
            {"quantiles": [0.5, 1.0]},
            "quantiles.1",
            "quantiles[1]=1.0 must be in the open interval (0, 1)",
            id="outside_0_1",
        ),
        pytest.param(
            {"horizon_s": 301},
            "horizon_s",
            "horizon_s=301 must be a multiple of the step step_s=300 (5 min): e.g. 300 or 600",
            id="horizon_off_step",
        ),
        pytest.param(
            {"horizon_s": 60},
            "horizon_s",
            "horizon_s=60 must be a multiple of the step step_s=300 (5 min): e.g. 300",
            id="horizon_below_one_step",
        ),
    ],
)
def test_forecast_input_is_refused_not_normalised(
    client: TestClient, history: list[dict[str, Any]], changes: dict[str, Any], field: str, message: str
) -> None:
    r = client.post("/v1/forecasts", json={"history": history, **changes})

    assert r.status_code == 422, r.text
    assert r.json() == {"error": "invalid_request", "detail": [{"field": field, "message": message}]}


def test_cluster_forecast_horizon_is_whole_steps_of_the_clusters_step(
    client: TestClient, history: list[dict[str, Any]]
) -> None:
    client.put("/v1/clusters/fc-60", json={"step_s": 60})

    r = client.post("/v1/clusters/fc-60/forecasts", json={"horizon_s": 90, "quantiles": [0.9, 0.5]})

    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [
        {
            "field": "quantiles.1",
            "message": "quantiles must be strictly ascending; quantiles[1]=0.5 <= quantiles[0]=0.9",
        }
    ]
    r = client.post("/v1/clusters/fc-60/forecasts", json={"horizon_s": 90})

    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [
        {
            "field": "horizon_s",
            "message": "horizon_s=90 must be a multiple of the step step_s=60 (1 min): e.g. 60 or 120",
        }
    ]


def test_cluster_forecast_uses_stored_metrics(client: TestClient, history: list[dict[str, Any]]) -> None:
    client.put("/v1/clusters/fc-1", json={})
    client.post("/v1/clusters/fc-1/metrics", json={"points": history})

    r = client.post("/v1/clusters/fc-1/forecasts", json={"horizon_s": 900})

    assert r.status_code == 200, r.text
    assert len(r.json()["demand_acu"][0]) == 3


def test_replay_job_runs_to_a_report(client: TestClient) -> None:
    created = client.post("/v1/replays", json=_replay_body())

    assert created.status_code == 202, created.text
    job = _wait(client, created.headers["location"])
    assert job["status"] == "succeeded", job
    result = client.get(job["result_url"])
    assert result.status_code == 200
    report = ReplayReport.model_validate(result.json())
    assert list(report.scores) == ["reactive", "static-peak"]


def test_replay_of_a_registered_cluster(client: TestClient) -> None:
    client.put("/v1/clusters/rp-1", json={})
    client.post("/v1/clusters/rp-1/metrics", json={"points": _points(288)})

    created = client.post(
        "/v1/replays", json={"cluster_id": "rp-1", "policies": ["reactive"], "warmup_s": 3600}
    )

    job = _wait(client, created.headers["location"])
    assert job["status"] == "succeeded", job
    assert client.get(job["result_url"]).json()["cluster"]["cluster_id"] == "rp-1"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"policies": ["nope"]}, "policies.0", id="unknown_policy"),
        pytest.param({"cluster_id": "x"}, "body", id="both_sources"),
        pytest.param({"config": {"horizon_s": 600}}, "config", id="horizon_below_replan"),
        pytest.param(
            {
                "cluster": {
                    "topology": {
                        "region": "eu-central-1",
                        "az_ids": ["euc1-az1", "euc1-az2"],
                        "writer_az_id": "euc1-az1",
                    }
                }
            },
            "cluster.price_usd_per_acu_hour",
            id="unpriced_region",
        ),
    ],
)
def test_bad_replay_request_is_422(client: TestClient, changes: dict[str, Any], field: str) -> None:
    r = client.post("/v1/replays", json=_replay_body(**changes))

    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"].startswith(field)


def test_failed_replay_reports_the_error_shape(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(*args: Any, **kwargs: Any) -> Any:
        raise policy.InvalidRequestError("demand_acu is wrong", "history_acu")

    monkeypatch.setattr(policy, "replay", fails)
    created = client.post("/v1/replays", json=_replay_body())

    job = _wait(client, created.headers["location"])
    result = client.get(job["result_url"])

    assert job["status"] == "failed"
    assert job["error"] == {
        "error": "invalid_request",
        "detail": [{"field": "history", "message": "demand_acu is wrong"}],
    }
    assert result.status_code == 409 and result.json()["error"] == "conflict"


@pytest.mark.parametrize(
    ("changes", "field", "part"),
    [
        pytest.param(
            {"replan_every_s": 7},
            "replan_every_s",
            "replan_every_s=7 must be a multiple of the history step step_s=300 (5 min)",
            id="replan_off_step",
        ),
        pytest.param(
            {"warmup_s": 14 * 86_400},
            "warmup_s",
            "warmup_s=1209600 (4032 steps of 300 s) leaves nothing to score: the history has only 288 steps",
            id="warmup_longer_than_history",
        ),
        pytest.param(
            {"warmup_s": 3601},
            "warmup_s",
            "warmup_s=3601 must be a multiple of the step step_s=300 (5 min): e.g. 3600 or 3900",
            id="warmup_off_step",
        ),
        pytest.param(
            {"step_s": 120},
            "step_s",
            "step_s=120 must divide the plan step plan_step_s=900: e.g. 60, 300, 900",
            id="step_not_dividing_plan_step",
        ),
    ],
)
def test_replay_the_job_would_reject_is_422_before_it_is_queued(
    client: TestClient, changes: dict[str, Any], field: str, part: str
) -> None:
    r = client.post("/v1/replays", json=_replay_body(**changes))

    assert r.status_code == 422, r.text
    assert "location" not in r.headers
    assert r.json()["error"] == "invalid_request"
    assert r.json()["detail"] == [{"field": field, "message": r.json()["detail"][0]["message"]}]
    assert part in r.json()["detail"][0]["message"]


WARMUP_0_ACUPLAN = (
    "warmup_s=0 gives policy 'acuplan' no history for its first decision (it forecasts from the steps "
    "before it): warmup_s must be at least one step, step_s=300 (the default, 172800 s = 2 days, gives "
    "its forecaster two daily seasons)"
)


@pytest.mark.parametrize("policies", [None, ["acuplan"], ["reactive", "acuplan"]])
def test_replay_of_acuplan_without_warm_up_is_422_naming_the_minimum(
    client: TestClient, policies: list[str] | None
) -> None:
    body = {"history": _points(288), "warmup_s": 0}
    if policies is not None:
        body["policies"] = policies

    r = client.post("/v1/replays", json=body)

    assert r.status_code == 422, r.text
    assert "location" not in r.headers
    assert r.json() == {
        "error": "invalid_request",
        "detail": [{"field": "warmup_s", "message": WARMUP_0_ACUPLAN}],
    }


def test_replay_without_warm_up_runs_the_policies_that_need_no_history(client: TestClient) -> None:
    created = client.post("/v1/replays", json=_replay_body(warmup_s=0, policies=["reactive", "bound"]))

    assert created.status_code == 202, created.text
    job = _wait(client, created.headers["location"])
    assert job["status"] == "succeeded", job
    report = client.get(job["result_url"]).json()
    assert report["scored_from"] == "2024-05-06T00:00:00Z"
    assert set(report["scores"]) == {"reactive", "bound"}


def test_replay_of_a_cluster_with_too_little_history_is_422(client: TestClient) -> None:
    client.put("/v1/clusters/rp-short", json={})
    client.post("/v1/clusters/rp-short/metrics", json={"points": _points(12)})

    r = client.post("/v1/replays", json={"cluster_id": "rp-short", "warmup_s": 86_400})

    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == "warmup_s"
    assert "the history has only 12 steps" in r.json()["detail"][0]["message"]


def _cancelled_count(client: TestClient) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith('acuplan_replay_jobs_total{status="cancelled"}'):
            return float(line.split()[-1])
    return 0.0


def test_cancelling_a_queued_job_is_counted(client: TestClient) -> None:
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    job_id = uuid.uuid4().hex
    store.create_job(job_id, {})  # stored but never handed to a worker: stays queued
    before = _cancelled_count(client)

    cancelled = client.delete(f"/v1/replays/{job_id}")
    again = client.delete(f"/v1/replays/{job_id}")

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert again.status_code == 200
    assert _cancelled_count(client) == before + 1  # counted once, not per DELETE


def test_cancel_a_running_replay(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    real = policy.replay

    def slow(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
        for i in range(200):  # report progress like a long replay, until cancelled
            progress("acuplan", i, 200)
            time.sleep(0.02)
        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr(policy, "replay", slow)
    created = client.post("/v1/replays", json=_replay_body())
    url = created.headers["location"]
    _wait(client, url, final=("running",))

    cancelled = client.delete(url)
    job = _wait(client, url)

    assert cancelled.status_code == 200 and cancelled.json()["cancel_requested"]
    assert job["status"] == "cancelled"
    assert client.get("/v1/replays/" + "0" * 32).status_code == 404


def test_jobs_left_running_are_resumed_after_a_restart(settings: Settings, tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    app = create_app(settings.model_copy(update={"database_url": url, "auto_migrate": True}))
    with TestClient(app) as c:
        store = c.app.state.runtime.store  # type: ignore[attr-defined]
        from service.http.schemas.jobs import ReplayRequest

        inputs = ReplayRequest.model_validate(_replay_body()).inputs(
            *ReplayRequest.model_validate(_replay_body()).wire_points(now_s=2**40),
            step_s=300,
            cluster=policy.ClusterSpec(),
            base=policy.PolicyConfig(),
        )
        store.create_job("a" * 32, inputs.model_dump(mode="json"))
        store.start_job("a" * 32)  # as if the process died while running it

    with TestClient(create_app(settings.model_copy(update={"database_url": url}))) as c:
        job = _wait(c, "/v1/replays/" + "a" * 32)

    assert job["status"] == "succeeded"
