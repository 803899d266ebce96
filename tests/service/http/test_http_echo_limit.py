"""A 422 message repeats at most the first 80 characters of a value, whatever its length."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.errors import cap_echoes


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (repr("9" * 1000) + " is not a timestamp", "'" + "9" * 80 + "...' is not a timestamp"),
        ('"' + "a" * 81 + '" x', '"' + "a" * 80 + '..." x'),
        ("x" * 200, "x" * 80 + "..."),
        ("'short' and " + "y" * 120 + " stay", "'short' and " + "y" * 120 + " stay"),
    ],
    ids=["single-quoted", "double-quoted", "unquoted", "short"],
)
def test_cap_echoes(message: str, expected: str) -> None:
    assert cap_echoes(message) == expected


def test_a_100_kb_timestamp_gives_a_short_422(client: TestClient) -> None:
    """The message repeated the whole value: a 100-kB error line."""
    assert client.put("/v1/clusters/echo-limit", json={}).status_code in (200, 201)
    points = [{"ts": "9" * 100_000, "demand_acu": 1}]

    r = client.post("/v1/clusters/echo-limit/metrics", json={"points": points})

    assert r.status_code == 422, r.text[:300]
    [entry] = r.json()["detail"]
    assert entry["field"] == "points.0.ts"
    assert len(r.content) < 1000 and "9" * 80 + "..." in entry["message"], entry["message"][:300]
