"""HTTP: a FreeableMemory upload above the registered MaxCapacity's memory is a 422 (QA 55 B)."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient


def test_free_memory_above_the_registered_max_capacity_is_refused_and_nothing_stored(
    client: TestClient,
) -> None:
    cid = f"mem-{uuid.uuid4().hex[:10]}"
    r = client.put(f"/v1/clusters/{cid}", json={"limits": {"min_acu": 0.5, "max_acu": 4}, "step_s": 300})
    assert r.status_code == 201, r.text
    text = (
        "ts,cluster_id,signal,unit,value\n"
        f"2024-05-06T00:00:00Z,{cid},FreeableMemory,bytes,{6 * 2**30}\n"
        f"2024-05-06T00:05:00Z,{cid},FreeableMemory,bytes,{20 * 2**30}\n"
    )

    r = client.post(f"/v1/clusters/{cid}/metrics/csv", content=text, headers={"content-type": "text/csv"})

    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [
        {
            "field": "body",
            "message": "FreeableMemory reached 20.00 GiB at 2024-05-06 00:05Z (1 of 2 samples above 8 GiB), "
            "more than the 8 GiB the cluster's registered MaxCapacity (limits.max_acu=4 ACU) has (2 GiB "
            "per ACU): FreeableMemory is the memory free at MaxCapacity, so the cluster's MaxCapacity is at "
            "least 10 ACU; register the cluster with its real limits.max_acu; nothing is stored",
        }
    ]
    assert client.get(f"/v1/clusters/{cid}").json()["metrics"]["n_points"] == 0
