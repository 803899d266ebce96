"""Forecasts, and replays as asynchronous jobs: create, poll, fetch the result, cancel, restart."""

from __future__ import annotations

import time
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
    r = client.post("/v1/forecasts", json={"history": history, "horizon_s": 3600, "quantiles": [0.9, 0.5]})

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
    ],
)
def test_bad_replay_request_is_422(client: TestClient, changes: dict[str, Any], field: str) -> None:
    r = client.post("/v1/replays", json=_replay_body(**changes))

    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"].startswith(field)


def test_failed_replay_reports_the_error_shape(client: TestClient) -> None:
    created = client.post("/v1/replays", json=_replay_body(warmup_s=14 * 86_400))

    job = _wait(client, created.headers["location"])
    result = client.get(job["result_url"])

    assert job["status"] == "failed"
    assert job["error"]["error"] == "invalid_request" and job["error"]["detail"][0]["message"]
    assert result.status_code == 409 and result.json()["error"] == "conflict"


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
        from service.schemas_jobs import ReplayRequest

        inputs = ReplayRequest.model_validate(_replay_body()).inputs(
            *ReplayRequest.model_validate(_replay_body()).wire_points(),
            step_s=300,
            cluster=policy.ClusterSpec(),
            base=policy.PolicyConfig(),
        )
        store.create_job("a" * 32, inputs.model_dump(mode="json"))
        store.start_job("a" * 32)  # as if the process died while running it

    with TestClient(create_app(settings.model_copy(update={"database_url": url}))) as c:
        job = _wait(c, "/v1/replays/" + "a" * 32)

    assert job["status"] == "succeeded"
