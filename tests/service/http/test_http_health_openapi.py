"""GET /healthz and a snapshot of the OpenAPI surface (paths, operation ids, schemas)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
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


def _reachable(schemas: dict[str, Any], root: str) -> set[str]:
    """Names of the component schemas ``root`` refers to, itself included."""
    seen, todo = set(), [root]
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        text = str(schemas[name])
        todo += [ref.split("'")[0] for ref in text.split("#/components/schemas/")[1:]]
    return seen


def _operations(spec: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (path, method): op["operationId"] for path, ops in spec["paths"].items() for method, op in ops.items()
    }


CR = "cluster-recommendations"
OPERATIONS = {
    ("/v1/recommendations", "post"): "recommendations-create_recommendation",
    ("/v1/clusters/{cluster_id}", "put"): "clusters-register_cluster",
    ("/v1/clusters/{cluster_id}", "get"): "clusters-get_cluster",
    ("/v1/clusters/{cluster_id}", "delete"): "clusters-delete_cluster",
    ("/v1/clusters/{cluster_id}/learning", "get"): "clusters-get_cluster_learning",
    ("/v1/clusters", "get"): "clusters-list_clusters",
    ("/v1/clusters/{cluster_id}/metrics", "post"): "metrics-add_metrics",
    ("/v1/clusters/{cluster_id}/metrics/csv", "post"): "metrics-add_metrics_csv",
    ("/v1/clusters/{cluster_id}/metrics/cloudwatch", "post"): "metrics-add_metrics_cloudwatch",
    ("/v1/clusters/{cluster_id}/metrics/upload", "post"): "metrics-add_metrics_upload",
    (
        "/v1/clusters/{cluster_id}/recommendations",
        "post",
    ): f"{CR}-create_cluster_recommendation",
    (
        "/v1/clusters/{cluster_id}/recommendations",
        "get",
    ): f"{CR}-list_cluster_recommendations",
    ("/v1/clusters/{cluster_id}/recommendations/{rec_id}", "get"): f"{CR}-get_cluster_recommendation",
    ("/v1/actions", "post"): "actions-render_recommendation_actions",
    ("/v1/clusters/{cluster_id}/recommendations/{rec_id}/actions", "get"): (
        "actions-get_stored_recommendation_actions"
    ),
    ("/v1/forecasts", "post"): "forecasts-create_forecast",
    ("/v1/clusters/{cluster_id}/forecasts", "post"): "forecasts-create_cluster_forecast",
    ("/v1/replays", "post"): "replays-create_replay",
    ("/v1/replays/{job_id}", "get"): "replays-get_replay",
    ("/v1/replays/{job_id}", "delete"): "replays-cancel_replay",
    ("/v1/replays/{job_id}/result", "get"): "replays-get_replay_result",
    ("/v1/advice", "post"): "advice-create_advice",
    ("/v1/clusters/{cluster_id}/advice", "post"): "advice-create_cluster_advice",
    ("/v1/advice/{job_id}", "get"): "advice-get_advice",
    ("/v1/advice/{job_id}", "delete"): "advice-cancel_advice",
    ("/v1/advice/{job_id}/result", "get"): "advice-get_advice_result",
    ("/healthz", "get"): "health-healthz",
    ("/livez", "get"): "health-livez",
    ("/readyz", "get"): "health-readyz",
    ("/metrics", "get"): "health-metrics",
}

SCHEMAS = {
    *("AuroraSettings", "CapacityChange", "CapacityLimits", "ClusterSpec", "ErrorResponse", "FieldError"),
    *("HealthResponse", "HistoryPoint", "PlanStep", "PolicyOverrides", "PreviousLayout", "ReaderInstance"),
    *("Recommendation", "RecommendationRequest", "SolveStatus", "SolverReport", "Topology"),
    # how far the history behind a recommendation could be trusted
    *("DataQuality", "Gap", "Pinned"),  # Pinned: stretches of demand at a capacity ceiling
    # registered clusters, metrics, stored recommendations, probes, actions
    *("ActionsRequest", "ActionsResponse", "PlannedCall"),
    # forecasts and replay jobs (the report models are the library's)
    *("ClusterForecastRequest", "ForecastRequest", "ForecastResponse", "ReplayJob", "ReplayRequest"),
    *(
        "CloudWatchUpload",
        "ClusterList",
        "ClusterPublic",
        "ClusterRecommendationRequest",
        "ClusterRegistration",
    ),
    *(
        "Explanation",
        "RiskQuantileChoice",  # the risk quantile a per-cluster recommendation used, and its source
        "LearningStatus",  # GET /v1/clusters/{id}/learning
        "GetMetricDataPage",
        "IngestResult",
        "MetricDataResult",
        "MetricPoints",
        "MetricsSummary",
    ),
    "QuerySpec",  # how one CloudWatch query Id reads (signal, unit, statistic)
    *("ReadinessResponse", "RecommendationList", "StoredRecommendation", "StoredRecommendationSummary"),
    # advice jobs: the wire models, then the library's advice models they carry
    *("AdviceDocument", "AdviceJob", "AdviceOptions", "AdviceRequest", "AdviceScheduler"),
    *("ClusterAdviceRequest", "SamplePoint", "SecondaryScheduler"),
    *("AdviceSeries", "Alert", "AutoPauseAdvice", "CurrentSettings", "FloorSchedule", "InstancePrice"),
    "FailoverReaderOption",  # a tier-1 reader offered apart when today has none
    *("Outcome", "Outlook", "PriceBook", "PurchaseOption", "ReaderSetting", "ScheduleEntry"),
    *("SecondaryCluster", "SecondarySchedule", "StorageAdvice", "TierOption"),
    *("ObservedToday", "Pricing"),  # today's bill from the capacity metric; the region and rates used
}


def test_openapi_paths_and_operation_ids_are_stable(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    assert _operations(spec) == OPERATIONS


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
    assert {"401", "403", "413", "422", "500", "503"} <= set(post["responses"])
    assert "Recommend per-step ACU floors" in post["description"]
    # the replay report and its parts are the library's models
    assert SCHEMAS <= set(schemas) <= SCHEMAS | _reachable(schemas, "ReplayReport")
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

    for status in ("401", "403", "413", "422", "500", "503"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, status


def test_openapi_example_is_a_valid_request(client: TestClient) -> None:
    example = client.get("/openapi.json").json()["components"]["schemas"]["RecommendationRequest"][
        "examples"
    ][0]

    r = client.post("/v1/recommendations", json=example)

    assert r.status_code == 200, r.text


def test_every_request_body_has_an_example_the_api_accepts(
    client: TestClient, history: list[dict[str, Any]], grid: Any, set_clock: Callable[[datetime], None]
) -> None:
    """Each documented example is a valid request: posting it never gives a 422 (or a 5xx)."""
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    set_clock(grid.now)  # the examples' time (a request without now plans at the server's clock)
    client.put("/v1/clusters/orders-prod", json={})  # the examples' cluster
    # enough history for the replay example's warm-up (a replay the job would reject is a 422)
    client.post("/v1/clusters/orders-prod/metrics", json={"points": history})
    checked = 0
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for content_type, content in op.get("requestBody", {}).get("content", {}).items():
                schema = content["schema"]
                name = schema.get("$ref", "").split("/")[-1]
                examples = schema.get("examples") or (schemas[name].get("examples") if name else None)
                assert examples, f"{method} {path} has no example"
                example = examples[0]
                url = path.replace("{cluster_id}", "orders-prod")
                kwargs: dict[str, Any] = (
                    {"json": example}
                    if content_type == "application/json"
                    else {"content": example, "headers": {"content-type": content_type}}
                )
                r = client.request(method.upper(), url, **kwargs)
                assert r.status_code < 400, (method, path, r.text)
                checked += 1
    assert checked >= 10
