"""GET /healthz and a snapshot of the OpenAPI surface (paths, operation ids, schemas)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")

    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert isinstance(r.json()["version"], str) and r.json()["version"]


def test_unknown_path_uses_the_error_envelope(client: TestClient) -> None:
    r = client.get("/v1/nope")

    assert r.status_code == 404
    assert r.json() == {"error": "not_found", "detail": [{"field": None, "message": "Not Found"}]}


def _operations(spec: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (path, method): op["operationId"] for path, ops in spec["paths"].items() for method, op in ops.items()
    }


def test_openapi_paths_and_operation_ids_are_stable(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    assert _operations(spec) == {
        ("/v1/recommendations", "post"): "recommendations-create_recommendation",
        ("/healthz", "get"): "health-healthz",
    }


def test_openapi_documents_request_errors_and_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/v1/recommendations"]["post"]
    schemas = spec["components"]["schemas"]

    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/RecommendationRequest"
    )
    assert post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Recommendation"
    )
    assert {"422", "500"} <= set(post["responses"])
    assert "Recommend per-step ACU floors" in post["description"]
    assert set(schemas) == {
        *("AuroraSettings", "CapacityChange", "CapacityLimits", "ClusterSpec", "ErrorResponse", "FieldError"),
        *(
            "HealthResponse",
            "HistoryPoint",
            "PlanStep",
            "PolicyOverrides",
            "PreviousLayout",
            "ReaderInstance",
        ),
        *("Recommendation", "RecommendationRequest", "SolveStatus", "SolverReport", "Topology"),
    }
    request = schemas["RecommendationRequest"]
    assert set(request["properties"]) == {"cluster", "step_s", "now", "history", "config", "previous"}
    assert request["required"] == ["cluster", "history"]
    assert request["examples"][0]["history"]
    assert set(schemas["HistoryPoint"]["properties"]) == {"ts", "demand_acu"}
    assert set(schemas["FieldError"]["properties"]) == {"field", "message"}
    assert schemas["FieldError"]["required"] == ["field", "message"]
    assert schemas["FieldError"]["properties"]["field"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert set(schemas["ErrorResponse"]["properties"]) == {"error", "detail"}
    assert schemas["ErrorResponse"]["properties"]["detail"]["items"] == {
        "$ref": "#/components/schemas/FieldError"
    }


def test_openapi_documents_one_error_shape_for_422_and_500(client: TestClient) -> None:
    responses = client.get("/openapi.json").json()["paths"]["/v1/recommendations"]["post"]["responses"]

    for status in ("422", "500"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, status


def test_openapi_example_is_a_valid_request(client: TestClient) -> None:
    example = client.get("/openapi.json").json()["components"]["schemas"]["RecommendationRequest"][
        "examples"
    ][0]

    r = client.post("/v1/recommendations", json=example)

    assert r.status_code == 200, r.text
