"""Request bodies and parameters the API cannot take: a 422 naming the field and the reason, never a 500."""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def cluster_id(client: TestClient) -> str:
    cid = f"txt-{uuid.uuid4().hex[:10]}"
    r = client.put(f"/v1/clusters/{cid}", json={"limits": {"min_acu": 0.5, "max_acu": 64}, "step_s": 300})
    assert r.status_code == 201
    return cid


def _upload(client: TestClient, cid: str, content: bytes | str, query: str = "") -> dict[str, object]:
    r = client.post(
        f"/v1/clusters/{cid}/metrics/upload{query}",
        content=content,
        headers={"content-type": "application/octet-stream"},
    )
    assert r.status_code == 422, r.text
    return dict(r.json())


def _prometheus(t: float | int) -> str:
    series = {"metric": {"__name__": "ServerlessDatabaseCapacity"}, "values": [[t, "1"]]}
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": [series]}})


def test_a_deeply_nested_upload_is_a_422(client: TestClient, cluster_id: str) -> None:
    deep = '{"config":' + "[" * 100_000 + "]" * 100_000 + "}"

    got = _upload(client, cluster_id, deep)

    assert got["error"] == "invalid_request"
    assert "nested too deeply" in json.dumps(got["detail"])


@pytest.mark.parametrize("t", [1e300, 10**23, -1e300], ids=["1e300", "10e23", "minus_1e300"])
def test_a_huge_prometheus_timestamp_is_a_422_at_the_sample(
    client: TestClient, cluster_id: str, t: float
) -> None:
    got = _upload(client, cluster_id, _prometheus(t))

    detail = got["detail"]
    assert isinstance(detail, list) and len(detail) == 1
    assert detail[0]["field"] == "response.data.result.0.values.0"
    assert "is not epoch seconds (after the year 5000)" in detail[0]["message"]
