"""POST /v1/recommendations: a valid request end to end, and every way a request is rejected."""

from __future__ import annotations

import copy
import math
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

import policy
from forecasting import InsufficientHistoryError
from policy import InvalidRequestError, PolicyConfig, Recommendation
from service import create_app
from service.http.deps import get_policy_config

URL = "/v1/recommendations"


def test_valid_request_returns_a_forecast_only_plan(
    client: TestClient, body: dict[str, Any], grid: Any
) -> None:
    now = grid.now
    r = client.post(URL, json=body)

    assert r.status_code == 200, r.text
    rec = Recommendation.model_validate(r.json())
    config = PolicyConfig()
    assert rec.mode == "ForecastOnly"
    assert rec.cluster_id == "orders-prod"
    assert rec.generated_at == now  # default now: end of the step holding the last point
    assert rec.step_s == config.plan_step_s
    assert len(rec.steps) == math.ceil(config.horizon_s / config.plan_step_s)
    assert rec.steps[0].start == now
    assert [s.start - rec.steps[0].start for s in rec.steps] == [
        timedelta(seconds=i * rec.step_s) for i in range(len(rec.steps))
    ]
    for step in rec.steps:
        for acu in (step.writer_acu, step.failover_reader_acu, step.capacity_acu):
            assert (acu * 2).is_integer(), f"{acu} is off the 0.5-ACU grid"
        assert 0.5 <= step.writer_acu <= 64
        assert step.failover_reader_acu >= step.writer_acu  # tier 0-1 follow the writer
    assert rec.settings.capacity_changes[0].at == now
    assert rec.expected_cost_usd > 0
    assert not rec.is_fail_safe


def test_explicit_now_and_overrides_are_used(client: TestClient, body: dict[str, Any], grid: Any) -> None:
    now = grid.now + timedelta(seconds=2 * grid.step_s)  # two trailing missing steps
    body |= {"now": now.isoformat(), "config": {"horizon_s": 3600, "risk_quantile": 0.9}}

    r = client.post(URL, json=body)

    assert r.status_code == 200, r.text
    rec = Recommendation.model_validate(r.json())
    assert rec.generated_at == now
    assert rec.risk_quantile == 0.9
    assert len(rec.steps) == 3600 // PolicyConfig().plan_step_s


def test_floor_from_forecast_false_holds_the_cluster_floor(client: TestClient, body: dict[str, Any]) -> None:
    body["config"] = {"floor_from_forecast": False}
    r = client.post(URL, json=body)
    assert r.status_code == 200, r.text
    rec = Recommendation.model_validate(r.json())
    floor = body["cluster"]["limits"]["min_acu"] if "limits" in body.get("cluster", {}) else 0.5
    assert {c.min_capacity_acu for c in rec.settings.capacity_changes} == {floor}
    assert any("policy.floor_from_forecast is off" in reason for reason in rec.reasons)
    bad = client.post(URL, json=body | {"config": {"floor_from_forecast": "no"}})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "config.floor_from_forecast"


def _break(body: dict[str, Any], case: str, now: datetime) -> dict[str, Any]:
    b = copy.deepcopy(body)
    h = b["history"]
    if case == "negative_demand":
        h[3]["demand_acu"] = -1.0
    elif case == "unsorted_ts":
        h[3]["ts"], h[4]["ts"] = h[4]["ts"], h[3]["ts"]
    elif case == "duplicate_ts":
        h[4]["ts"] = h[3]["ts"]
    elif case == "naive_ts":
        h[3]["ts"] = h[3]["ts"].removesuffix("+00:00")
    elif case == "point_after_now":
        b["now"] = h[3]["ts"]
    elif case == "now_off_grid":
        b["now"] = (now + timedelta(seconds=7)).isoformat()
    elif case == "unknown_cluster_key":
        b["cluster"]["max_capacity"] = 64
    elif case == "min_above_max":
        b["cluster"]["limits"] = {"min_acu": 8, "max_acu": 4}
    elif case == "off_grid_acu":
        b["cluster"]["limits"]["min_acu"] = 0.7
    elif case == "empty_history":
        b["history"] = []
    elif case == "override_out_of_range":
        b["config"] = {"risk_quantile": 1.5}
    elif case == "absurd_target_utilisation":  # was a 200 planning 2.5e9 ACU "at the 0% target"
        b["config"] = {"target_utilisation": 1e-9}
    elif case == "unknown_override":
        b["config"] = {"risk": 0.9}
    elif case == "naive_now":
        b["now"] = now.replace(tzinfo=None).isoformat()
    return b


@pytest.mark.parametrize(
    ("case", "field", "message_part"),
    [
        pytest.param(case, field, part, id=case)
        for case, field, part in [
            ("negative_demand", "history.3.demand_acu", "greater than or equal to 0"),
            ("unsorted_ts", "history.4.ts", "strictly increasing"),
            ("duplicate_ts", "history.4.ts", "strictly increasing"),
            ("naive_ts", "history.3.ts", "timezone"),
            ("point_after_now", "history.3.ts", "not before now"),
            ("now_off_grid", "now", "step grid"),
            ("naive_now", "now", "timezone"),
            ("unknown_cluster_key", "cluster.max_capacity", "Extra inputs"),
            ("min_above_max", "cluster.limits", "exceeds max_acu"),
            ("off_grid_acu", "cluster.limits.min_acu", "0.5 ACU"),
            ("empty_history", "history", "at least 1"),
            ("override_out_of_range", "config.risk_quantile", "less than 1"),
            ("absurd_target_utilisation", "config.target_utilisation", "greater than or equal to 0.1"),
            ("unknown_override", "config.risk", "Extra inputs"),
        ]
    ],
)
def test_invalid_request_is_422_naming_the_field(
    client: TestClient, body: dict[str, Any], grid: Any, case: str, field: str, message_part: str
) -> None:
    r = client.post(URL, json=_break(body, case, grid.now))

    assert r.status_code == 422, r.text
    payload = r.json()
    assert payload["error"] == "invalid_request"
    assert [d["field"] for d in payload["detail"]] == [field]
    assert message_part in payload["detail"][0]["message"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param(
            {"horizon_s": 1000},
            "horizon_s=1000 must be a multiple of the step plan_step_s=900 (15 min): e.g. 900 or 1800",
            id="horizon_off_plan_step",
        ),
        pytest.param(
            {"plan_step_s": 1800, "horizon_s": 2700},
            "horizon_s=2700 must be a multiple of the step plan_step_s=1800 (30 min): e.g. 1800 or 3600",
            id="plan_step_off_horizon",
        ),
    ],
)
def test_horizon_not_whole_plan_steps_is_422_not_rounded_up(
    client: TestClient, body: dict[str, Any], config: dict[str, int], message: str
) -> None:
    r = client.post(URL, json={**body, "config": config})

    assert r.status_code == 422, r.text
    assert r.json() == {
        "error": "invalid_request",
        "detail": [{"field": "config.horizon_s", "message": message}],
    }


def test_malformed_json_is_422_on_body(client: TestClient) -> None:
    r = client.post(URL, content=b"{not json", headers={"content-type": "application/json"})

    assert r.status_code == 422
    assert r.json() == {
        "error": "invalid_request",
        "detail": [
            {
                "field": "body",
                "message": "the body is not valid JSON (Expecting property name enclosed in double quotes: "
                "character 1)",
            }
        ],
    }


def test_truncated_json_says_where_its_string_starts(client: TestClient) -> None:
    """QA 58 #4: the decoder's 'Unterminated string starting at' was followed by 'at character'."""
    r = client.post(
        URL, content=b'{"cluster": {"cluster_id": "ab', headers={"content-type": "application/json"}
    )

    assert r.status_code == 422
    assert r.json()["detail"] == [
        {
            "field": "body",
            "message": "the body is not valid JSON (Unterminated string starting at: character 27)",
        }
    ]


def test_body_that_is_not_utf8_is_422_on_body(client: TestClient) -> None:
    r = client.post(URL, content=b'{"step_s": "\xff"}', headers={"content-type": "application/json"})

    assert r.status_code == 422
    message = "the body is not valid UTF-8: invalid start byte (byte 0xff at offset 12)"
    assert r.json() == {"error": "invalid_request", "detail": [{"field": "body", "message": message}]}


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        pytest.param(
            {"config": {"plan_step_s": 700}},
            "config.plan_step_s",
            "step_s=300 must divide the plan step plan_step_s=700: e.g. 700",
            id="override_not_a_multiple",
        ),
        pytest.param(
            {"step_s": 420},
            "step_s",
            "step_s=420 must divide the plan step plan_step_s=900: e.g. 60, 300, 900",
            id="step_does_not_divide_default_plan_step",
        ),
    ],
)
def test_plan_step_not_a_multiple_of_step_s_is_422_naming_the_field(
    client: TestClient, body: dict[str, Any], override: dict[str, Any], field: str, message: str
) -> None:
    body |= override

    r = client.post(URL, json=body)

    assert r.status_code == 422
    assert r.json() == {
        "error": "invalid_request",
        "detail": [
            {
                "field": field,
                "message": message,
            }
        ],
    }


@pytest.mark.parametrize(
    ("error", "code", "field"),
    [
        pytest.param(
            InvalidRequestError("history_acu[3] = -1.0 must be finite and >= 0", field="history_acu"),
            "invalid_request",
            "history",
            id="history_acu_is_history",
        ),
        pytest.param(
            InvalidRequestError("previous.writer_acu=99 is outside [0.5, 64]", field="previous.writer_acu"),
            "invalid_request",
            "previous.writer_acu",
            id="previous_unchanged",
        ),
        pytest.param(
            InvalidRequestError("config.min_azs=3 needs 3 AZs", field="config.min_azs"),
            "invalid_request",
            "config.min_azs",
            id="config_unchanged",
        ),
        pytest.param(InvalidRequestError("no single field"), "invalid_request", None, id="no_field_is_null"),
        pytest.param(
            InsufficientHistoryError("history has 1 step;\nneeds >= 2"),
            "insufficient_history",
            "history",
            id="forecasting_history_error",
        ),
    ],
)
def test_domain_input_error_has_the_one_error_shape(
    client: TestClient,
    body: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    code: str,
    field: str | None,
) -> None:
    def reject(*args: Any, **kwargs: Any) -> Recommendation:
        raise error

    monkeypatch.setattr(policy, "recommend", reject)

    r = client.post(URL, json=body)

    assert r.status_code == 422
    assert r.json() == {"error": code, "detail": [{"field": field, "message": " ".join(str(error).split())}]}


def test_unexpected_error_is_500_without_internals(settings: Any, body: dict[str, Any]) -> None:
    app = create_app(settings)

    def broken() -> PolicyConfig:
        raise RuntimeError("secret internals")

    app.dependency_overrides[get_policy_config] = broken
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post(URL, json=body)

    assert r.status_code == 500
    assert r.json() == {"error": "internal_error", "detail": []}
    assert "secret" not in r.text


def test_history_points_within_a_step_take_the_max(client: TestClient, grid: Any) -> None:
    body = {
        "cluster": {},
        "history": [
            {"ts": grid.t0.isoformat(), "demand_acu": 1.0},
            {"ts": (grid.t0 + timedelta(seconds=60)).isoformat(), "demand_acu": 3.0},
        ],
        "config": {"horizon_s": 900},
    }

    r = client.post(URL, json=body)

    assert r.status_code == 200, r.text
    rec = Recommendation.model_validate(r.json())
    assert rec.generated_at == grid.t0 + timedelta(seconds=grid.step_s)  # both points in one step
    assert rec.steps[0].demand_p50_acu == pytest.approx(3.0)


_FRANKFURT = {
    "region": "eu-central-1",
    "az_ids": ["euc1-az1", "euc1-az2", "euc1-az3"],
    "writer_az_id": "euc1-az1",
}


def test_unpriced_region_without_a_price_is_422_naming_the_price(
    client: TestClient, body: dict[str, Any]
) -> None:
    # as PUT /v1/clusters/{id}: planned, it would be priced at us-east-1's $0.12 without a word
    body["cluster"]["topology"] = _FRANKFURT

    r = client.post(URL, json=body)

    assert r.status_code == 422, r.text
    assert r.json() == {
        "error": "invalid_request",
        "detail": [
            {
                "field": "cluster.price_usd_per_acu_hour",
                "message": "no built-in Aurora price for 'eu-central-1' (known: eu-west-2, us-east-1): "
                "give cluster.price_usd_per_acu_hour, its Aurora Standard USD per ACU-hour",
            }
        ],
    }


def test_unpriced_region_with_a_price_plans_at_that_price(client: TestClient, body: dict[str, Any]) -> None:
    body["cluster"] |= {"topology": _FRANKFURT, "price_usd_per_acu_hour": 0.24}

    r = client.post(URL, json=body)

    assert r.status_code == 200, r.text
    rec = r.json()
    acu_hours = sum(s["capacity_acu"] for s in rec["steps"]) * rec["step_s"] / 3600
    assert rec["expected_cost_usd"] == pytest.approx(acu_hours * 0.24)  # the given price, not $0.12
