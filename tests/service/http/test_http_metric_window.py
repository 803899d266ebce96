"""The history window an upload moves: stored samples are never deleted wholesale by one stray date,
and what falls out of the window is said, not silently counted as stored."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.http.schemas.recommendations import MAX_HISTORY_STEPS

T0 = datetime(2024, 3, 1, tzinfo=UTC)
WINDOW = timedelta(seconds=MAX_HISTORY_STEPS * 300)


@pytest.fixture
def cluster_id(client: TestClient) -> str:
    cid = f"win-{uuid.uuid4().hex[:10]}"
    assert client.put(f"/v1/clusters/{cid}", json={"step_s": 300}).status_code == 201
    points = [{"ts": (T0 + timedelta(minutes=5 * i)).isoformat(), "demand_acu": 2.0} for i in range(864)]
    assert client.post(f"/v1/clusters/{cid}/metrics", json={"points": points}).status_code == 200
    return cid


def _post(client: TestClient, cid: str, *at: datetime) -> Any:
    return client.post(
        f"/v1/clusters/{cid}/metrics", json={"points": [{"ts": t.isoformat(), "demand_acu": 5.0} for t in at]}
    )


def _metrics(client: TestClient, cid: str) -> dict[str, Any]:
    return dict(client.get(f"/v1/clusters/{cid}").json()["metrics"])


def test_a_sample_that_would_delete_every_stored_one_is_refused(client: TestClient, cluster_id: str) -> None:
    # A mistyped year: 2025 for 2024. Storing it would move the window past all 864 samples.
    r = _post(client, cluster_id, datetime(2025, 3, 4, tzinfo=UTC))
    assert r.status_code == 422
    (detail,) = r.json()["detail"]
    assert detail["field"] == "body"
    assert detail["message"].startswith(
        "the newest new sample, 2025-03-04T00:00:00Z, is 365.0 days after the newest stored one, "
        "2024-03-03T23:55:00Z, more than the history window (40,320 steps of 300 s before the newest "
        "sample) spans (140 days): storing it would delete all 864 stored samples (a mistyped date?); "
        "nothing was stored."
    )
    assert _metrics(client, cluster_id)["n_points"] == 864


def test_a_move_of_the_window_that_deletes_some_samples_says_how_many(
    client: TestClient, cluster_id: str
) -> None:
    newest = T0 + WINDOW + timedelta(days=1)  # the window now starts a day after T0
    r = _post(client, cluster_id, newest)
    assert r.status_code == 200
    body = r.json()
    assert body["stored"] == 1
    assert body["warnings"] == [
        "288 stored samples older than 2024-03-02T00:00:00Z were deleted: the history window (40,320 steps "
        "of 300 s before the newest sample) moved to the newest sample, 2024-07-20T00:00:00Z"
    ]
    assert _metrics(client, cluster_id)["n_points"] == 864 - 288 + 1


def test_a_sample_before_the_window_is_not_counted_as_stored(client: TestClient, cluster_id: str) -> None:
    r = _post(client, cluster_id, T0 - WINDOW, T0 + timedelta(days=3))
    assert r.status_code == 200
    body = r.json()
    assert body["received"] == 2 and body["stored"] == 1
    assert body["warnings"] == [
        "1 of the 2 new samples are older than 2023-10-16T00:00:00Z, before the history window (40,320 "
        "steps of 300 s before the newest sample), and were not stored"
    ]
    assert _metrics(client, cluster_id)["n_points"] == 865
