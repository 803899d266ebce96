"""No request value injects Terraform (HCL) or shell text; AWS's DBClusterIdentifier rule for actions."""

from __future__ import annotations

import json
import re
import shlex
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

import policy
from policy import Recommendation
from policy.advice.schedule import schedule_from_floors
from service.advice.actions import render_actions
from service.advice.hcl import hcl_escape, hcl_json, hcl_string
from service.advice.identifiers import InvalidDbClusterIdentifierError, db_cluster_identifier_problem
from service.advice.scheduler import scheduler_commands, scheduler_terraform
from service.http.schemas.actions import ActionsRequest
from traces import diurnal_demand

NOW = datetime(2024, 5, 9, 12, tzinfo=UTC)
HOSTILE = 'x" }\nresource "null_resource" "pwn" {\n  provisioner "local-exec" { command = "id" }\n}\n#'
INTERPOLATED = '${file("/etc/passwd")}'


@pytest.fixture(scope="module")
def rec() -> Recommendation:
    history = diurnal_demand(3 * 288, step_s=300, seed=7, base_acu=2, peak_acu=40)
    cluster = {"cluster_id": "orders-prod", "limits": {"min_acu": 0.5, "max_acu": 64}, "read_frac": 0.8}
    return policy.recommend(history, now=NOW, step_s=300, cluster=cluster)


def _schedule(level: float = 13.0) -> Any:
    minute = (np.arange(4 * 288) * 5) % 1440
    floors = np.where((minute >= 525) & (minute < 540), level, 0.5)
    return schedule_from_floors(
        floors, start=datetime(2024, 3, 4, tzinfo=UTC), step_s=300, max_capacity_acu=64.0
    )


def _strings_closed(hcl: str) -> bool:
    """Every line's double quotes pair up, ignoring escaped ones (no string spans lines)."""
    return all(line.replace('\\"', "").count('"') % 2 == 0 for line in hcl.splitlines())


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("orders-prod", "orders-prod"),
        ('a"b\\c', 'a\\"b\\\\c'),
        ("a\nb\r\tc", "a\\nb\\r\\tc"),
        ("a\x00b\x08\x0c\u202eevil\u2028", "a\\u0000b\\u0008\\u000C\\u202Eevil\\u2028"),
        (INTERPOLATED, '$${file(\\"/etc/passwd\\")}'),
        ("%{ if true }x%{ endif }", "%%{ if true }x%%{ endif }"),
        ("$${kept}", "$$${kept}"),
    ],
    ids=[
        "plain",
        "quote-backslash",
        "line-breaks",
        "control-and-format",
        "interpolation",
        "directive",
        "dollars",
    ],
)
def test_hcl_escape(text: str, escaped: str) -> None:
    assert hcl_escape(text) == escaped
    assert hcl_string(text) == f'"{escaped}"'
    assert "\n" not in hcl_escape(text)


def test_hcl_json_reads_as_json_for_plain_values_and_escapes_strings() -> None:
    doc = {"DbClusterIdentifier": "orders-prod", "Scaling": {"MinCapacity": 13.0}, "ApplyImmediately": True}

    assert (
        hcl_json(doc)
        == '{"DbClusterIdentifier":"orders-prod","Scaling":{"MinCapacity":13.0},"ApplyImmediately":true}'
    )
    assert hcl_json({"a": INTERPOLATED}) == '{"a":"$${file(\\"/etc/passwd\\")}"}'


@pytest.mark.parametrize(
    ("value", "valid"),
    [("orders-prod", True), ("a", True), ("A" + "b" * 62, True), ("db-1", True)]
    + [("A" + "b" * 63, False), ("1abc", False), ("a--b", False), ("a-", False), ("orders.db", False)]
    + [("a b", False), ("a_b", False), ("", False), ("x\ny", False), ("é", False)],
)
def test_db_cluster_identifier_rule(value: str, valid: bool) -> None:
    problem = db_cluster_identifier_problem(value)

    assert (problem is None) is valid
    if problem is not None:
        assert "is not a valid Aurora DBClusterIdentifier (1-63 letters, digits and hyphens" in problem


@pytest.mark.parametrize(
    "ident",
    [HOSTILE[:63], INTERPOLATED, "a b", "1abc", "a--b", "a-", "orders.db"],
    ids=lambda v: repr(v)[:12],
)
def test_posted_db_cluster_identifier_must_be_valid_for_aws(
    client: TestClient, rec: Recommendation, ident: str
) -> None:
    r = client.post(
        "/v1/actions", json={"recommendation": rec.model_dump(mode="json"), "db_cluster_identifier": ident}
    )

    assert r.status_code == 422, r.text
    [entry] = r.json()["detail"]
    assert entry["field"] == "db_cluster_identifier"
    assert "is not a valid Aurora DBClusterIdentifier" in entry["message"] and "\n" not in entry["message"]


def test_a_recommendation_cluster_id_aws_refuses_needs_db_cluster_identifier(
    client: TestClient, rec: Recommendation
) -> None:
    posted = rec.model_dump(mode="json") | {"cluster_id": HOSTILE}

    refused = client.post("/v1/actions", json={"recommendation": posted})
    named = client.post("/v1/actions", json={"recommendation": posted, "db_cluster_identifier": "orders-db"})

    assert refused.status_code == 422, refused.text
    [entry] = refused.json()["detail"]
    assert entry["field"] == "recommendation.cluster_id" and "give db_cluster_identifier" in entry["message"]
    assert named.status_code == 200 and 'resource "null_resource"' not in named.json()["terraform"]


def test_a_reader_az_that_is_not_an_az_id_is_422(client: TestClient, rec: Recommendation) -> None:
    posted = rec.model_dump(mode="json")
    assert posted["settings"]["readers"], "the fixture's plan needs readers"
    posted["settings"]["readers"][0]["az_id"] = 'use1-az2"\n}\nresource "x" "y" {'

    r = client.post("/v1/actions", json={"recommendation": posted})

    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == "recommendation.settings.readers.0.az_id"


def test_the_library_raises_a_typed_error_for_an_identifier_aws_refuses(rec: Recommendation) -> None:
    bad = rec.model_copy(update={"cluster_id": INTERPOLATED})

    with pytest.raises(InvalidDbClusterIdentifierError) as info:
        render_actions(ActionsRequest(recommendation=bad))

    assert info.value.field == "recommendation.cluster_id"
    assert render_actions(ActionsRequest(recommendation=bad, db_cluster_identifier="db-1")).terraform


def test_stored_actions_of_a_cluster_id_aws_refuses_are_422_at_cluster_id(
    client: TestClient, body: dict[str, Any]
) -> None:
    body = body | {"cluster": body["cluster"] | {"cluster_id": "orders.db"}}
    made = client.post("/v1/recommendations", json=body)
    assert made.status_code == 200 and made.headers["location"], made.text

    r = client.get(f"{made.headers['location']}/actions")

    assert r.status_code == 422, r.text
    [entry] = r.json()["detail"]
    assert entry["field"] == "cluster_id"
    assert "'orders.db' is not a valid Aurora DBClusterIdentifier" in entry["message"]
    assert "POST the recommendation to /v1/actions with db_cluster_identifier" in entry["message"]


@pytest.mark.parametrize("cluster", [HOSTILE, INTERPOLATED, "a%{ if true }b"])
@pytest.mark.parametrize("level", [13.0, 0.5], ids=["timetable", "fixed"])
def test_scheduler_terraform_escapes_every_string(cluster: str, level: float) -> None:
    plain = scheduler_terraform(_schedule(level), "orders-prod")

    text = scheduler_terraform(_schedule(level), cluster)

    assert len(text.splitlines()) == len(plain.splitlines())  # nothing ended a string or comment early
    assert _strings_closed(text) and not re.search(r'^resource "null_resource"', text, re.MULTILINE)
    assert not re.search(r"(?<!\$)\$\{", text) and not re.search(r"(?<!%)%\{", text)
    if level != 0.5:
        assert f'jsonencode({{"DbClusterIdentifier":{hcl_string(cluster)},' in text
        target = shlex.split(scheduler_commands(_schedule(level), cluster)[0])[-1]  # shell-quoted JSON
        assert json.loads(json.loads(target)["Input"])["DbClusterIdentifier"] == cluster


def test_actions_terraform_and_cli_comments_stay_on_one_line(rec: Recommendation) -> None:
    out = render_actions(ActionsRequest(recommendation=rec, db_cluster_identifier="orders-db"))

    assert _strings_closed(out.terraform)
    assert 'cluster_identifier = "orders-db"' in out.terraform
    for line in out.aws_cli:
        comment, command = line.split("\n")
        assert comment.startswith("# at ") and command.startswith("aws rds ")
