"""HTTP replay jobs carry the report's warning when demand needs more than MaxCapacity (QA 55 A)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

T0 = datetime(2024, 5, 6, tzinfo=UTC)


def _wait(client: TestClient, url: str) -> Any:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = client.get(url).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {url} did not finish: {job}")


def test_a_replay_job_over_max_capacity_says_so_in_its_warnings(client: TestClient) -> None:
    # 1 day at 1 ACU with 2 h at 8 ACU from 12:00; MaxCapacity 2, 6 h of warm-up.
    history = [
        {"ts": (T0 + timedelta(seconds=300 * i)).isoformat(), "demand_acu": 8.0 if 144 <= i < 168 else 1.0}
        for i in range(288)
    ]
    body = {
        "history": history,
        "cluster": {"limits": {"max_acu": 2}},
        "policies": ["reactive", "bound"],
        "warmup_s": 6 * 3600,
    }
    created = client.post("/v1/replays", json=body)
    assert created.status_code == 202, created.text
    job = _wait(client, created.headers["location"])
    assert job["status"] == "succeeded", job
    report = client.get(job["result_url"]).json()
    [warning] = report["warnings"]
    assert warning.startswith(
        "24 of the scored window's 216 steps (11.1%) need more than MaxCapacity 2 ACU can serve within "
        "the SLO"
    )
    assert report["scores"]["bound"]["slo_violation_min"] == 120.0
