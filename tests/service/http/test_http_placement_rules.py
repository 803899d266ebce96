"""cluster.placement inputs that break a region rule are a 422 at cluster.placement.<field> on every
entry point that takes a cluster (was a 500, or a 202 whose job failed internal_error)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

US = "us-east-1"

CASES = [
    pytest.param(
        {
            "latency": {},
            "clients": [
                {"region": US, "read_share": 0.5, "write_share": 1.0},
                {"region": "eu-west-1", "read_share": 0.5, "write_share": 0.0},
            ],
        },
        [
            (
                "cluster.placement.rtt_ms",
                "rtt_ms has no entry for eu-west-1 <-> us-east-1, which the latency SLO needs (a client "
                "region and a region that may serve it): give rtt_ms['eu-west-1']['us-east-1']",
            )
        ],
        id="slo_without_rtt_for_a_client_region",
    ),
    pytest.param(
        {
            "latency": {},
            "secondaries": [{"region": "eu-west-2", "az_ids": ["euw2-az1"]}],
            "rtt_ms": {"ap-southeast-2": {US: 200}},
            "clients": [{"region": "ap-southeast-2", "read_share": 1.0, "write_share": 1.0}],
        },
        [
            (
                "cluster.placement.rtt_ms",
                "rtt_ms has no entry for ap-southeast-2 <-> eu-west-2, which the latency SLO needs (a client "
                "region and a region that may serve it): give rtt_ms['ap-southeast-2']['eu-west-2']",
            )
        ],
        id="client_region_without_rtt_to_a_secondary",
    ),
    pytest.param(
        {"clients": [{"region": US, "read_share": 0.5, "write_share": 0.5}]},
        [
            ("cluster.placement.clients", "clients[*].read_share must sum to 1, got 0.5"),
            ("cluster.placement.clients", "clients[*].write_share must sum to 1, got 0.5"),
        ],
        id="shares_sum_to_half",
    ),
    pytest.param(
        {"secondaries": [{"region": US, "az_ids": ["use1-az1"]}]},
        [
            (
                "cluster.placement.secondaries.0.region",
                "secondaries[0].region 'us-east-1' is the primary region (topology.region): a secondary "
                "of a global database is in another region",
            )
        ],
        id="secondary_is_the_primary",
    ),
    pytest.param(
        {"rtt_ms": {US: {"eu-west-1": -5}}},
        [("cluster.placement.rtt_ms.us-east-1.eu-west-1", "Input should be greater than or equal to 0")],
        id="negative_rtt",
    ),
]


def _detail(expected: list[tuple[str, str]]) -> dict[str, Any]:
    return {"error": "invalid_request", "detail": [{"field": f, "message": m} for f, m in expected]}


@pytest.mark.parametrize(("placement", "expected"), CASES)
def test_recommendation_with_a_broken_placement_is_422_at_its_field(
    client: TestClient, body: dict[str, Any], placement: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    bad = copy.deepcopy(body)
    bad["cluster"]["placement"] = placement
    r = client.post("/v1/recommendations", json=bad)
    assert r.status_code == 422, r.text
    assert r.json() == _detail(expected)


def test_the_reported_example_body_is_422(client: TestClient) -> None:
    body = {
        "cluster": {
            "cluster_id": "x",
            "placement": {"secondaries": [{"region": US, "az_ids": ["use1-az1"]}]},
        },
        "step_s": 300,
        "history": [
            {"ts": "2024-03-04T00:00:00Z", "demand_acu": 3.5},
            {"ts": "2024-03-04T00:05:00Z", "demand_acu": 4.0},
        ],
    }
    r = client.post("/v1/recommendations", json=body)
    assert r.status_code == 422, r.text
    assert [d["field"] for d in r.json()["detail"]] == ["cluster.placement.secondaries.0.region"]


@pytest.mark.parametrize(("placement", "expected"), CASES)
def test_replay_with_a_broken_placement_is_422_at_submission(
    client: TestClient, body: dict[str, Any], placement: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    replay = {
        "cluster": {"cluster_id": "x", "placement": placement},
        "history": body["history"],
        "policies": ["reactive"],
        "warmup_s": 3600,
    }
    r = client.post("/v1/replays", json=replay)
    assert r.status_code == 422, r.text
    assert r.json() == _detail(expected)


@pytest.mark.parametrize(("placement", "expected"), CASES)
def test_advice_with_a_broken_placement_is_422_at_submission(
    client: TestClient, body: dict[str, Any], placement: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    advice = {
        "cluster": {"cluster_id": "x", "placement": placement},
        "history": body["history"],
        "current": {"min_capacity_acu": 4, "max_capacity_acu": 16},
    }
    r = client.post("/v1/advice", json=advice)
    assert r.status_code == 422, r.text
    assert r.json() == _detail(expected)


def test_a_negative_deployed_secondary_floor_is_422_not_500(client: TestClient, body: dict[str, Any]) -> None:
    bad = copy.deepcopy(body)
    bad["cluster"]["placement"] = {
        "secondaries": [{"region": "eu-west-2", "az_ids": ["euw2-az1", "euw2-az2"]}]
    }
    bad["previous"] = {"writer_acu": 1, "secondary_floor_acu": {"eu-west-2": -1}}
    r = client.post("/v1/recommendations", json=bad)
    assert r.status_code == 422, r.text
    assert r.json() == {
        "error": "invalid_request",
        "detail": [
            {
                "field": "previous.secondary_floor_acu.eu-west-2",
                "message": "previous.secondary_floor_acu.eu-west-2=-1 must be a multiple of 0.5 ACU in "
                "[limits.min_acu=0.5, limits.max_acu=64] (the limits are every region's)",
            }
        ],
    }
