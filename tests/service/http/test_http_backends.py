"""The real app on SQLite and PostgreSQL: the stored flow end to end, and a restart in between."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from service import Settings, create_app


def _client(settings: Settings, db_url: str) -> TestClient:
    app = create_app(settings.model_copy(update={"database_url": db_url}))
    return TestClient(app, raise_server_exceptions=False)


def test_register_ingest_recommend_then_restart(
    settings: Settings, db_url: str, history: list[dict[str, Any]], grid: Any
) -> None:
    with _client(settings, db_url) as c:
        assert c.put("/v1/clusters/orders", json={"step_s": 300}).status_code == 201
        assert c.post("/v1/clusters/orders/metrics", json={"points": history}).status_code == 200
        created = c.post("/v1/clusters/orders/recommendations", json={"now": grid.now.isoformat()})
        assert created.status_code == 201, created.text
        assert c.get("/readyz").json() == {"status": "ok", "checks": {"database": "ok", "solver_pool": "ok"}}

    with _client(settings, db_url) as c:  # a new process on the same database
        listed = c.get("/v1/clusters/orders/recommendations").json()
        cluster = c.get("/v1/clusters/orders").json()

    assert [e["id"] for e in listed["data"]] == [created.json()["id"]]
    assert listed["data"][0]["inputs_hash"] == created.json()["inputs_hash"]
    assert cluster["metrics"]["n_points"] == len(history)
