"""Operations: request ids, Prometheus metrics, JSON logs, probes, the bounded pool's 503s."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

import policy
from service import Settings, create_app
from service.http.observability import JsonFormatter, request_id_var
from service.store import StoreUnavailableError


def _app_client(settings: Settings, tmp_path: Any, **changes: Any) -> TestClient:
    updated = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'ops.db'}", **changes})
    return TestClient(create_app(updated), raise_server_exceptions=False)


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "sched-42.a"})
    made = client.get("/healthz")
    unsafe = client.get("/healthz", headers={"X-Request-ID": "bad id;drop"})

    assert given.headers["x-request-id"] == "sched-42.a"
    assert len(made.headers["x-request-id"]) == 32
    assert unsafe.headers["x-request-id"] != "bad id;drop"


def test_metrics_count_requests_solves_and_models(client: TestClient, body: dict[str, Any]) -> None:
    rec = client.post("/v1/recommendations", json=body).json()

    text = client.get("/metrics").text

    assert (
        'acuplan_http_request_duration_seconds_count{method="POST",route="/v1/recommendations",status="200"}'
        in text
    )
    assert f'acuplan_solver_status_total{{status="{rec["solver"]["status"]}"}}' in text
    assert f'acuplan_forecast_model_total{{model="{rec["forecast_model"]}"}}' in text
    assert 'acuplan_solver_duration_seconds_count{kind="recommendation"}' in text
    assert 'acuplan_pool_in_flight{pool="solver"} 0.0' in text


def test_json_log_lines_carry_the_request_id() -> None:
    token = request_id_var.set("rid-1")
    try:
        record = logging.LogRecord("acuplan.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
        record.status = 200
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)

    assert line["request_id"] == "rid-1" and line["message"] == "GET /x" and line["status"] == 200
    assert line["level"] == "info" and line["ts"].endswith("+00:00")


def test_full_pool_answers_503_overloaded(
    settings: Settings, tmp_path: Any, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    release, entered = threading.Event(), threading.Event()
    real = policy.recommend

    def slow(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(policy, "recommend", slow)
    with _app_client(settings, tmp_path, solver_pool_workers=1, solver_pool_queue=0) as c:
        first: dict[str, Any] = {}
        worker = threading.Thread(target=lambda: first.update(r=c.post("/v1/recommendations", json=body)))
        worker.start()
        assert entered.wait(10)
        second = c.post("/v1/recommendations", json=body)
        release.set()
        worker.join()

    assert second.status_code == 503
    assert second.headers["retry-after"] == "1"
    assert second.json()["error"] == "overloaded"
    assert first["r"].status_code == 200


def test_solve_past_the_deadline_answers_503_timeout(
    settings: Settings, tmp_path: Any, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = policy.recommend

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(policy, "recommend", slow)
    with _app_client(settings, tmp_path, request_timeout_s=0.3) as c:
        r = c.post("/v1/recommendations", json=body)

    assert r.status_code == 503
    assert r.json()["error"] == "timeout" and "0.3 s" in r.json()["detail"][0]["message"]


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:"])
def test_an_in_memory_database_does_not_start(settings: Settings, url: str) -> None:
    """It started with /readyz ok, then every /v1 call was a 500 (no such table)."""
    app = create_app(settings.model_copy(update={"database_url": url}))

    with pytest.raises(StoreUnavailableError) as info, TestClient(app):
        pass

    assert info.value.reason.startswith(
        "it is an in-memory SQLite database: each connection would get its own empty database"
    )


def test_readiness_turns_503_while_draining(settings: Settings, tmp_path: Any) -> None:
    with _app_client(settings, tmp_path) as c:
        ready = c.get("/readyz")
        c.app.state.runtime.draining = True  # type: ignore[attr-defined]
        draining = c.get("/readyz")
        c.app.state.runtime.draining = False  # type: ignore[attr-defined]

    assert ready.status_code == 200
    assert draining.status_code == 503
    assert draining.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "solver_pool": "draining"},
    }


def test_shutdown_lets_running_solves_finish_and_store(
    settings: Settings, tmp_path: Any, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Graceful shutdown: a solve in flight when the app stops is still stored."""
    from service.http.solving import recommend_and_store

    with _app_client(settings, tmp_path) as c:
        runtime = c.app.state.runtime  # type: ignore[attr-defined]
        inputs_holder: dict[str, Any] = {}
        from policy import PolicyConfig
        from service.http.schemas.recommendations import RecommendationRequest

        inputs_holder["i"] = RecommendationRequest.model_validate(body).to_inputs(PolicyConfig())
        worker = threading.Thread(target=lambda: recommend_and_store(runtime, inputs_holder["i"]))
        worker.start()
    worker.join()

    with _app_client(settings, tmp_path) as c:
        listed = c.get("/v1/clusters/orders-prod/recommendations").json()

    assert listed["count"] == 1
