"""Races and unexpected errors: a cluster deleted while its metrics arrive, and the 500 path's log.

Each race is made deterministic: the DELETE is run at the exact point between the route's
existence check and the store's insert (a hook on the store), or holds the cluster row while
the upload runs in a second thread. On SQLite, and on PostgreSQL when $ACUPLAN_TEST_PG_URL is set.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from service import Settings, create_app
from service.http.observability import JsonFormatter
from service.store import Store
from service.store.models import ClusterRow, MetricPointRow

POINTS = [
    {"ts": "2024-05-06T12:00:00Z", "demand_acu": 6.5},
    {"ts": "2024-05-06T12:05:00Z", "demand_acu": 7.0},
]
GONE = {
    "error": "not_found",
    "detail": [{"field": None, "message": "cluster 'orders' is not registered (PUT /v1/clusters/orders)"}],
}


@pytest.fixture
def client(settings: Settings, db_url: str) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"database_url": db_url}))
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.put("/v1/clusters/orders", json={"step_s": 300}).status_code == 201
        assert c.put("/v1/clusters/other", json={"step_s": 300}).status_code == 201
        assert c.post("/v1/clusters/other/metrics", json={"points": POINTS}).status_code == 200
        yield c


def _store(client: TestClient) -> Store:
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    assert isinstance(store, Store)
    return store


@pytest.mark.parametrize("route", ["metrics", "recommendations"])
def test_metrics_for_a_cluster_deleted_after_the_check_are_404(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    store = _store(client)
    add_points = store.add_points
    deleted: list[bool] = []

    def delete_first(cluster_id: str, ts_s: Any, demand_acu: Any, **kwargs: Any) -> int:
        deleted.append(store.delete_cluster(cluster_id))  # lands between the check and the insert
        return add_points(cluster_id, ts_s, demand_acu, **kwargs)

    monkeypatch.setattr(store, "add_points", delete_first)
    # a recommendation stores its points once its plan is made: one the policy accepts
    now = {"now": "2024-05-06T12:10:00Z"} if route == "recommendations" else {}
    r = client.post(f"/v1/clusters/orders/{route}", json={"points": POINTS, **now})

    assert deleted == [True]
    assert r.status_code == 404, r.text
    assert r.json() == GONE
    assert client.get("/v1/clusters/orders").status_code == 404
    assert store.point_range("orders") == (None, None, 0)
    assert store.count_recommendations("orders") == 0  # nor the plan
    assert store.point_range("other") == (1714996800, 1714997100, 2)  # the other cluster is untouched


def test_an_upload_waits_for_a_delete_in_flight_then_is_404(client: TestClient) -> None:
    store = _store(client)
    results: dict[str, Any] = {}
    with store.engine.connect() as conn:
        tx = conn.begin()  # SQLite: BEGIN IMMEDIATE takes the write lock; PostgreSQL: the row lock
        conn.execute(delete(MetricPointRow).where(MetricPointRow.cluster_id == "orders"))
        conn.execute(delete(ClusterRow).where(ClusterRow.cluster_id == "orders"))
        started = threading.Event()

        def upload() -> None:
            started.set()
            results["r"] = client.post("/v1/clusters/orders/metrics", json={"points": POINTS})

        worker = threading.Thread(target=upload)
        worker.start()
        assert started.wait(10)
        worker.join(0.5)  # the upload is now queued behind the delete (or not started yet)
        tx.commit()
    worker.join(30)

    assert not worker.is_alive()
    assert results["r"].status_code == 404, results["r"].text
    assert results["r"].json() == GONE
    assert store.point_range("orders") == (None, None, 0)
    assert store.point_range("other")[2] == 2


def test_a_delete_racing_a_delete_is_404_for_the_loser(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(client)
    delete_cluster = store.delete_cluster

    def other_wins(cluster_id: str) -> bool:
        assert delete_cluster(cluster_id)  # the other DELETE commits first
        return delete_cluster(cluster_id)

    monkeypatch.setattr(store, "delete_cluster", other_wins)
    r = client.delete("/v1/clusters/orders")

    assert r.status_code == 404, r.text
    assert r.json() == GONE


class _Lines(logging.Handler):
    """Formats each record as it is emitted (inside the request, where its id is set)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.stream = io.StringIO()

    def emit(self, record: logging.LogRecord) -> None:
        self.stream.write(self.format(record) + "\n")

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


def test_an_unexpected_error_is_logged_with_the_request_id(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(_store(client), "add_points", broken)
    handler = _Lines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        r = client.post(
            "/v1/clusters/orders/metrics", json={"points": POINTS}, headers={"X-Request-ID": "rid-500"}
        )
    finally:
        root.removeHandler(handler)

    assert r.status_code == 500
    assert r.json() == {"error": "internal_error", "detail": []}
    assert r.headers["x-request-id"] == "rid-500"
    errors = [line for line in handler.lines() if line["level"] == "error"]
    assert len(errors) == 1, errors
    assert errors[0]["request_id"] == "rid-500"
    assert errors[0]["exc_type"] == "RuntimeError" and "disk on fire" in errors[0]["exc"]
    assert errors[0]["route"] == "/v1/clusters/{cluster_id}/metrics"
