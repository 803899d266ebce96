"""Actions: a recommendation rendered as boto3 calls, AWS CLI and Terraform; nothing executed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

import policy
from placement import PreviousLayout
from policy import Recommendation
from service.advice.actions import instance_id, render_actions
from service.http.schemas.actions import ActionsRequest
from traces import diurnal_demand

NOW = datetime(2024, 5, 9, 12, tzinfo=UTC)
CLUSTER = {
    "cluster_id": "orders-prod",
    "limits": {"min_acu": 0.5, "max_acu": 64, "max_readers": 6, "max_extra_readers_per_az": 2},
    "read_frac": 0.8,
}


@pytest.fixture(scope="module")
def rec() -> Recommendation:
    history = diurnal_demand(3 * 288, step_s=300, seed=7, base_acu=2, peak_acu=40)
    return policy.recommend(history, now=NOW, step_s=300, cluster=CLUSTER)


def test_every_capacity_change_is_one_modify_call(rec: Recommendation) -> None:
    out = render_actions(ActionsRequest(recommendation=rec))

    modify = [c for c in out.boto3 if c.method == "modify_db_cluster"]
    assert [(c.at, c.params["ServerlessV2ScalingConfiguration"]) for c in modify] == [
        (c.at, {"MinCapacity": c.min_capacity_acu, "MaxCapacity": c.max_capacity_acu})
        for c in rec.settings.capacity_changes
    ]
    first = rec.settings.capacity_changes[0]
    assert (
        f"--serverless-v2-scaling-configuration MinCapacity={first.min_capacity_acu:g},"
        f"MaxCapacity={first.max_capacity_acu:g} --apply-immediately" in out.aws_cli[0]
    )
    assert [c.at for c in out.boto3] == sorted(c.at for c in out.boto3)


def test_needed_readers_are_created_with_az_and_tier(rec: Recommendation) -> None:
    out = render_actions(ActionsRequest(recommendation=rec, az_names={"use1-az2": "us-east-1c"}))

    creates = [c for c in out.boto3 if c.method == "create_db_instance"]
    assert len(creates) == len(rec.settings.readers)
    for call in creates:
        assert call.params["DBInstanceClass"] == "db.serverless"
        assert call.params["PromotionTier"] in (1, 15)
    failover = next(c for c in creates if c.params["PromotionTier"] == 1)
    assert failover.params["AvailabilityZone"] == "us-east-1c"
    cli = next(line for line in out.aws_cli if "--promotion-tier 1" in line)
    assert "--availability-zone us-east-1c" in cli and "create-db-instance" in cli


def test_unknown_az_names_are_resolved_at_run_time(rec: Recommendation) -> None:
    out = render_actions(ActionsRequest(recommendation=rec))

    cli = next(line for line in out.aws_cli if "create-db-instance" in line)
    assert "aws ec2 describe-availability-zones --zone-ids use1-az2" in cli
    assert any("az_names" in n for n in out.notes)


def test_previous_readers_are_kept_or_deleted(rec: Recommendation) -> None:
    previous = PreviousLayout(
        writer_acu=4, failover_az_id=rec.failover_az_id, extra_readers_by_az={"use1-az4": 1}
    )
    out = render_actions(ActionsRequest(recommendation=rec, previous=previous))

    creates_now = [c for c in out.boto3 if c.method == "create_db_instance" and c.at == rec.generated_at]
    deletes = [c for c in out.boto3 if c.method == "delete_db_instance" and c.at == rec.generated_at]
    assert all(c.params["PromotionTier"] != 1 for c in creates_now)  # the deployed failover reader is kept
    assert any("tier-15 reader in use1-az4" in c.params["DBInstanceIdentifier"] for c in deletes)


def test_terraform_has_scaling_configuration_and_readers(rec: Recommendation) -> None:
    tf = render_actions(ActionsRequest(recommendation=rec, engine="aurora-mysql")).terraform
    first = rec.settings.capacity_changes[0]

    assert "serverlessv2_scaling_configuration {" in tf
    assert (
        f"min_capacity = {first.min_capacity_acu:g}" in tf
        and f"max_capacity = {first.max_capacity_acu:g}" in tf
    )
    assert 'engine             = "aurora-mysql"' in tf
    assert f'zone_id = "{rec.failover_az_id}"' in tf
    assert "promotion_tier     = 1" in tf and 'instance_class     = "db.serverless"' in tf


@pytest.mark.parametrize(
    ("cluster", "az"), [("orders-prod", "use1-az2"), ("9__Bad..Name--", "use1-az2"), ("x" * 128, "euw1-az3")]
)
def test_instance_ids_are_valid_rds_identifiers(cluster: str, az: str) -> None:
    ident = instance_id(cluster, "read-scaling", az, 12)

    assert re.fullmatch(r"[a-z][a-z0-9-]{0,62}", ident) and "--" not in ident and not ident.endswith("-")


def test_actions_over_http(client: TestClient, body: dict[str, Any]) -> None:
    made = client.post("/v1/recommendations", json=body)
    location = made.headers["location"]

    stored = client.get(f"{location}/actions")
    posted = client.post("/v1/actions", json={"recommendation": made.json(), "db_cluster_identifier": "db-1"})

    assert stored.status_code == 200, stored.text
    assert stored.json()["db_cluster_identifier"] == "orders-prod"
    assert posted.status_code == 200 and posted.json()["boto3"][0]["params"]["DBClusterIdentifier"] == "db-1"


def test_registered_engine_is_the_default_of_stored_actions(
    client: TestClient, history: list[dict[str, Any]], grid: Any
) -> None:
    cid = "engine-mysql"
    registered = client.put(f"/v1/clusters/{cid}", json={"step_s": 300, "engine": "aurora-mysql"})
    client.post(f"/v1/clusters/{cid}/metrics", json={"points": history})
    made = client.post(f"/v1/clusters/{cid}/recommendations", json={"now": grid.now.isoformat()})
    location = made.headers["location"]

    default = client.get(f"{location}/actions")
    chosen = client.get(f"{location}/actions", params={"engine": "aurora-postgresql"})
    bad = client.get(f"{location}/actions", params={"engine": "oracle"})

    assert registered.status_code == 201 and registered.json()["engine"] == "aurora-mysql"
    assert client.get(f"/v1/clusters/{cid}").json()["cluster"]["cluster_id"] == cid
    assert default.status_code == 200 and 'engine             = "aurora-mysql"' in default.json()["terraform"]
    assert 'engine             = "aurora-postgresql"' in chosen.json()["terraform"]
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "engine"


def test_engine_defaults_to_postgresql_and_is_documented(client: TestClient) -> None:
    registered = client.put("/v1/clusters/engine-default", json={})
    bad = client.put("/v1/clusters/engine-default", json={"engine": "aurora"})
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/v1/clusters/{cluster_id}/recommendations/{rec_id}/actions"]["get"]
    param = next(p for p in op["parameters"] if p["name"] == "engine")

    assert registered.json()["engine"] == "aurora-postgresql"
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "engine"
    assert "aurora-mysql" in param["description"] and "registered" in param["description"]
    assert "engine" in op["description"]


@pytest.mark.parametrize("step_s", [10**12, 86_400 * 365 * 9000])
def test_a_plan_step_past_year_9999_is_422_not_500(
    client: TestClient, rec: Recommendation, step_s: int
) -> None:
    posted = rec.model_dump(mode="json") | {"step_s": step_s}

    r = client.post("/v1/actions", json={"recommendation": posted})

    assert r.status_code == 422, r.text
    assert r.json() == {
        "error": "invalid_request",
        "detail": [
            {
                "field": "recommendation.step_s",
                "message": f"{step_s} is too long: the last step would end after year 9999",
            }
        ],
    }
