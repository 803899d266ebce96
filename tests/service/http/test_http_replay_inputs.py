"""POST /v1/replays refuses a policy named twice at submission (it was scored once, without a word)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def test_a_policy_named_twice_is_422_at_policies(client: TestClient, body: dict[str, Any]) -> None:
    replay = {"history": body["history"], "policies": ["reactive", "reactive"], "warmup_s": 3600}
    r = client.post("/v1/replays", json=replay)
    assert r.status_code == 422, r.text
    assert r.json() == {
        "error": "invalid_request",
        "detail": [
            {
                "field": "policies",
                "message": "policies[1]='reactive' repeats policies[0]: name each policy once",
            }
        ],
    }
