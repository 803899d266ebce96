"""Numbers are JSON numbers on the wire, in every request body and the library models inside it.

``"max_acu": true`` used to register MaxCapacity 1 ACU and ``"64"`` / ``"1e2"`` were numbers:
pydantic's lax mode in the library models (``ClusterSpec``, ``CapacityLimits``,
``PreviousLayout``). Now each is a 422 ``invalid_request`` naming the field, and nothing is
stored.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from service.http.routes import V1_ROUTERS
from service.http.schemas.recommendations import RequestModel

NUMBER = "Input should be a valid number"
INTEGER = "Input should be a valid integer"
BOOLEAN = "Input should be a valid boolean"
DATETIME = "must be an ISO 8601 string with a UTC offset, e.g. 2024-05-06T12:00:00Z"
POINT = {"ts": "2024-05-06T12:00:00Z", "demand_acu": 6.5}


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    *parents, last = path.split(".")
    node: Any = out
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return out


def _one_field_error(r: Any, field: str, message: str) -> None:
    assert r.status_code == 422, r.text
    assert r.json() == {"error": "invalid_request", "detail": [{"field": field, "message": message}]}


REGISTRATION_CASES = [
    pytest.param("limits.max_acu", True, NUMBER, id="max_acu-true"),
    pytest.param("limits.max_acu", "64", NUMBER, id="max_acu-string"),
    pytest.param("limits.max_acu", "1e2", NUMBER, id="max_acu-exponent-string"),
    pytest.param("limits.min_acu", "1", NUMBER, id="min_acu-string"),
    pytest.param("limits.max_readers", "3", INTEGER, id="max_readers-string"),
    pytest.param("limits.max_extra_readers_per_az", True, INTEGER, id="extra-readers-true"),
    pytest.param("read_frac", "0.5", NUMBER, id="read_frac-string"),
    pytest.param("price_usd_per_acu_hour", "0.12", NUMBER, id="price-string"),
    pytest.param("step_s", "300", INTEGER, id="step_s-string"),
    pytest.param("config.risk_quantile", "0.9", NUMBER, id="config-string"),
    pytest.param("config.require_failover_reader", 1, BOOLEAN, id="flag-number"),
]


@pytest.mark.parametrize(("path", "value", "message"), REGISTRATION_CASES)
def test_registration_numbers_must_be_json_numbers(
    client: TestClient, path: str, value: Any, message: str
) -> None:
    cid = f"strict-{uuid.uuid4().hex[:8]}"
    body = {"limits": {"min_acu": 0.5, "max_acu": 64}, "read_frac": 0.6, "step_s": 300}

    r = client.put(f"/v1/clusters/{cid}", json=_set(body, path, value))

    _one_field_error(r, path, message)
    assert client.get(f"/v1/clusters/{cid}").status_code == 404  # nothing registered


def test_integers_are_numbers_and_true_is_not_one(client: TestClient) -> None:
    cid = f"strict-{uuid.uuid4().hex[:8]}"

    ok = client.put(f"/v1/clusters/{cid}", json={"limits": {"min_acu": 1, "max_acu": 64}, "read_frac": 1})
    bad = client.put(f"/v1/clusters/{cid}", json={"limits": {"max_acu": True}})

    assert ok.status_code == 201, ok.text
    assert ok.json()["cluster"]["limits"]["max_acu"] == 64.0 and ok.json()["cluster"]["read_frac"] == 1.0
    _one_field_error(bad, "limits.max_acu", NUMBER)
    assert client.get(f"/v1/clusters/{cid}").json()["cluster"]["limits"]["max_acu"] == 64.0  # unchanged


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        pytest.param("cluster.limits.max_acu", "64", NUMBER, id="limits"),
        pytest.param("cluster.read_frac", "0.5", NUMBER, id="read_frac"),
        pytest.param("cluster.price_usd_per_acu_hour", True, NUMBER, id="price"),
        pytest.param("cluster.placement.budget_usd", "100", NUMBER, id="placement"),
        pytest.param("previous.writer_acu", "4", NUMBER, id="previous"),
        pytest.param("previous.extra_readers_by_az.use1-az2", "1", INTEGER, id="previous-map"),
        pytest.param("history.0.demand_acu", "6.5", NUMBER, id="history"),
        pytest.param("step_s", 300.5, None, id="step_s-float-is-pydantic's"),
    ],
)
def test_recommendation_request_numbers_must_be_json_numbers(
    client: TestClient, body: dict[str, Any], path: str, value: Any, message: str | None
) -> None:
    r = client.post("/v1/recommendations", json=_set(body, path, value))

    if message is None:  # a JSON number of the wrong kind: pydantic's own message
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == path
    else:
        _one_field_error(r, path, message)


def test_every_wrong_type_in_a_body_is_named(client: TestClient, body: dict[str, Any]) -> None:
    broken = _set(_set(body, "cluster.limits.max_acu", True), "previous.writer_acu", "4")

    r = client.post("/v1/recommendations", json=broken)

    assert r.status_code == 422
    assert [d["field"] for d in r.json()["detail"]] == ["cluster.limits.max_acu", "previous.writer_acu"]


@pytest.mark.parametrize(
    ("url", "body", "field", "message"),
    [
        pytest.param(
            "/v1/forecasts",
            {"history": [POINT], "quantiles": [0.5, "0.9"]},
            "quantiles.1",
            NUMBER,
            id="forecast-quantiles",
        ),
        pytest.param(
            "/v1/forecasts",
            {"history": [POINT], "horizon_s": "3600"},
            "horizon_s",
            INTEGER,
            id="forecast-horizon",
        ),
        pytest.param(
            "/v1/replays",
            {"history": [POINT], "cluster": {"limits": {"max_acu": True}}},
            "cluster.limits.max_acu",
            NUMBER,
            id="replay-cluster",
        ),
        pytest.param(
            "/v1/replays",
            {"history": [POINT], "warmup_s": "0"},
            "warmup_s",
            INTEGER,
            id="replay-warmup",
        ),
        pytest.param(
            "/v1/clusters/{cid}/metrics",
            {"points": [{**POINT, "demand_acu": "6.5"}]},
            "points.0.demand_acu",
            NUMBER,
            id="metrics",
        ),
        pytest.param(
            "/v1/clusters/{cid}/metrics/cloudwatch",
            {
                "pages": [
                    {
                        "MetricDataResults": [
                            {
                                "Label": "ServerlessDatabaseCapacity",
                                "Timestamps": [POINT["ts"]],
                                "Values": [True],
                            }
                        ]
                    }
                ]
            },
            "pages.0.MetricDataResults.0.Values.0",
            "True is not a number (a JSON number is expected)",
            id="cloudwatch",
        ),
        pytest.param(
            "/v1/clusters/{cid}/recommendations",
            {"config": {"horizon_s": "3600"}},
            "config.horizon_s",
            INTEGER,
            id="cluster-recommendation",
        ),
        pytest.param(
            "/v1/clusters/{cid}/forecasts",
            {"quantiles": [True]},
            "quantiles.0",
            NUMBER,
            id="cluster-forecast",
        ),
    ],
)
def test_other_request_bodies_are_strict_too(
    client: TestClient, url: str, body: dict[str, Any], field: str, message: str
) -> None:
    cid = f"strict-{uuid.uuid4().hex[:8]}"
    assert client.put(f"/v1/clusters/{cid}", json={"step_s": 300}).status_code == 201

    r = client.post(url.format(cid=cid), json=body)

    _one_field_error(r, field, message)
    assert client.get(f"/v1/clusters/{cid}").json()["metrics"]["n_points"] == 0


FINITE = "Input should be a finite number"
_CW_PAGE = {
    "MetricDataResults": [
        {"Label": "ServerlessDatabaseCapacity", "Timestamps": [POINT["ts"]], "Values": [6.5]}
    ]
}


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        pytest.param(
            "POST", "/v1/clusters/{cid}/metrics", {"points": [POINT]}, "points.0.demand_acu", id="metrics"
        ),
        pytest.param(
            "POST",
            "/v1/clusters/{cid}/recommendations",
            {"points": [POINT], "config": {"churn_penalty_usd_per_acu": 0.01}},
            "config.churn_penalty_usd_per_acu",
            id="cluster-recommendation-config",
        ),
        pytest.param(
            "POST",
            "/v1/clusters/{cid}/metrics/cloudwatch",
            {"pages": [_CW_PAGE], "rates": {"Queries": 1.0}},
            "rates.Queries",
            id="cloudwatch-rates",
        ),
        pytest.param(
            "PUT", "/v1/clusters/{cid}", {"step_s": 300, "read_frac": 0.5}, "read_frac", id="read_frac"
        ),
        pytest.param("PUT", "/v1/clusters/{cid}", {"step_s": 300}, "step_s", id="integer-step_s"),
        pytest.param(
            "POST",
            "/v1/forecasts",
            {"history": [POINT], "horizon_s": 3600},
            "horizon_s",
            id="forecast-horizon",
        ),
    ],
)
def test_nan_and_infinity_literals_are_refused_where_a_number_goes(
    client: TestClient, method: str, url: str, body: dict[str, Any], field: str, literal: str
) -> None:
    """Python's JSON parser reads ``NaN`` / ``Infinity``; no body field takes them, and nothing is stored."""
    cid = f"finite-{uuid.uuid4().hex[:8]}"
    assert client.put(f"/v1/clusters/{cid}", json={"step_s": 300}).status_code == 201
    marker = "__not_a_number__"
    content = json.dumps(_set(body, field, marker)).replace(f'"{marker}"', literal)

    r = client.request(
        method, url.format(cid=cid), content=content, headers={"content-type": "application/json"}
    )

    _one_field_error(r, field, FINITE)
    stored = client.get(f"/v1/clusters/{cid}").json()
    assert stored["metrics"]["n_points"] == 0 and stored["revision"] == 1
    assert stored["cluster"]["read_frac"] == 0.5 and stored["step_s"] == 300


def test_actions_request_is_strict_inside_the_recommendation(
    client: TestClient, body: dict[str, Any]
) -> None:
    rec = client.post("/v1/recommendations", json=body).json()
    rec["steps"][0]["min_capacity_acu"] = str(rec["steps"][0]["min_capacity_acu"])

    r = client.post("/v1/actions", json={"recommendation": rec})

    _one_field_error(r, "recommendation.steps.0.min_capacity_acu", NUMBER)


def test_every_json_body_is_a_request_model() -> None:
    bodies = {
        f"{route.path} {sorted(route.methods)}": route.body_field.field_info.annotation
        for router in V1_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and route.body_field is not None
    }
    models = {path: t for path, t in bodies.items() if isinstance(t, type) and t not in (str, bytes)}

    assert len(models) == 11, bodies
    assert {path: t.__name__ for path, t in models.items() if not issubclass(t, RequestModel)} == {}
