"""A posted cluster id names the cluster on one line: blank, control and format characters are 422."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from policy.aws_names import db_cluster_identifier_problem
from service.cli.main import app
from service.inputs.names import name_problem

BAD = [" ", "a\nb", "a\x00b", "\u202eevil", "orders-db ", "x\x1b[31m"]
"""Ids the stateless endpoints stored (hashed) and printed in commands before."""


@pytest.mark.parametrize("cluster_id", BAD, ids=repr)
def test_a_stateless_cluster_id_that_cannot_be_shown_on_one_line_is_422(
    client: TestClient, body: dict[str, Any], cluster_id: str
) -> None:
    body = body | {"cluster": body["cluster"] | {"cluster_id": cluster_id}}

    r = client.post("/v1/recommendations", json=body)

    assert r.status_code == 422, r.text
    [entry] = r.json()["detail"]
    assert entry["field"] == "cluster.cluster_id"
    assert name_problem(cluster_id) in entry["message"] and "give the cluster's name" in entry["message"]


def test_other_characters_stay_allowed_in_a_stateless_cluster_id(
    client: TestClient, body: dict[str, Any]
) -> None:
    body = body | {"cluster": body["cluster"] | {"cluster_id": "a/b orders"}}

    r = client.post("/v1/recommendations", json=body)

    assert r.status_code == 200, r.text
    assert "_stateless%3Asha256-" in r.headers["location"]


def test_a_posted_advice_cluster_id_follows_the_same_rule(client: TestClient) -> None:
    t0 = datetime(2024, 5, 6, tzinfo=UTC)
    points = [
        {"ts": (t0 + timedelta(seconds=300 * i)).isoformat(), "demand_acu": 2.0} for i in range(3 * 288)
    ]
    body = {
        "cluster": {"cluster_id": "a\nb"},
        "history": points,
        "current": {"min_capacity_acu": 4, "max_capacity_acu": 16},
    }

    r = client.post("/v1/advice", json=body)

    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == "cluster.cluster_id"


@pytest.mark.parametrize(
    ("cluster_id", "said"), [("a\nb", "holds U+000A (a line break)"), (" x", "whitespace")]
)
def test_the_cli_cluster_id_refuses_control_characters_too(tmp_path: Any, cluster_id: str, said: str) -> None:
    result = CliRunner().invoke(app, ["advise", "--trace", "rds-cpu-cc0c53", "--cluster-id", cluster_id])

    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("error: --cluster-id: ") and said in line


def _advice_points() -> list[dict[str, Any]]:
    t0 = datetime(2024, 5, 6, tzinfo=UTC)
    return [{"ts": (t0 + timedelta(seconds=300 * i)).isoformat(), "demand_acu": 2.0} for i in range(3 * 288)]


def test_a_posted_advice_cluster_id_aws_rejects_is_422_at_the_field(client: TestClient) -> None:
    """Its commands would carry ``"DbClusterIdentifier":"Billing DB_prod"``, which AWS rejects (QA 58 #1)."""
    body = {
        "cluster": {"cluster_id": "Billing DB_prod"},
        "history": _advice_points(),
        "current": {"min_capacity_acu": 4, "max_capacity_acu": 16},
    }

    r = client.post("/v1/advice", json=body)

    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [
        {
            "field": "cluster.cluster_id",
            "message": f"{db_cluster_identifier_problem('Billing DB_prod')}; the advice's commands address "
            "the cluster by it: give the cluster's identifier in AWS, e.g. orders-db",
        }
    ]


def test_a_registered_cluster_whose_id_aws_rejects_gets_no_advice(client: TestClient) -> None:
    assert client.put("/v1/clusters/orders.db", json={}).status_code in (200, 201)
    points = [{"ts": p["ts"], "demand_acu": p["demand_acu"]} for p in _advice_points()]
    assert client.post("/v1/clusters/orders.db/metrics", json={"points": points}).status_code == 200

    r = client.post("/v1/clusters/orders.db/advice", json={"current": {"min_capacity_acu": 2}})

    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [
        {
            "field": "cluster_id",
            "message": f"{db_cluster_identifier_problem('orders.db')}; the advice's commands address the "
            "cluster by it: POST its history to /v1/advice with cluster.cluster_id, the cluster's "
            "identifier in AWS",
        }
    ]
