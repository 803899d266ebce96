"""Render a recommendation as the RDS calls, AWS CLI commands and Terraform that would realise it.

Owns :func:`render_actions`. Pure: no AWS call is made, nothing is executed. The plan's
capacity schedule becomes ``ModifyDBCluster`` calls with
``ServerlessV2ScalingConfiguration`` (MinCapacity, MaxCapacity) at each change time; its
reader windows become ``CreateDBInstance`` (``db.serverless``, AZ, promotion tier) when
a window opens and ``DeleteDBInstance`` when it closes. Readers of the ``previous``
layout are kept when the plan needs them at ``generated_at`` and deleted otherwise.

AZ IDs (``use1-az2``) name the same data centre in every account, but the APIs take AZ
names (``us-east-1c``), which differ per account: the CLI resolves them with
``aws ec2 describe-availability-zones --zone-ids``, Terraform with the
``aws_availability_zone`` data source (``zone_id``), and boto3 takes ``az_names`` from
the request or a placeholder. Every string written into the Terraform goes through
:func:`service.advice.hcl.hcl_string` (comments through :func:`service.advice.hcl.hcl_escape`),
and every shell word through :func:`shlex.quote` (the ``# at`` comments escaped the same
way), so no value of the request can end a string or a comment early. Imports ``policy``
public names and ``service`` modules.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from datetime import datetime

from policy import Recommendation
from service.advice.hcl import hcl_escape, hcl_string
from service.advice.identifiers import check_db_cluster_identifier
from service.http.schemas.actions import ActionsRequest, ActionsResponse, PlannedCall

_ID_BAD = re.compile(r"[^a-z0-9-]+")


def instance_prefix(cluster: str, role: str, az_id: str) -> str:
    """Return a DB instance identifier stem ending in ``-`` (letter first, no ``--``, <= 58 chars)."""
    raw = re.sub("-{2,}", "-", _ID_BAD.sub("-", f"{cluster}-{role}-{az_id}".lower())).strip("-")
    raw = raw if raw[:1].isalpha() else f"db-{raw}"
    return raw[:57].rstrip("-") + "-"


def instance_id(cluster: str, role: str, az_id: str, n: int) -> str:
    """Return a valid DB instance identifier (1-63 chars), e.g. ``orders-failover-use1-az2-1``."""
    return f"{instance_prefix(cluster, role, az_id)}{n}"


def _role(tier: int) -> str:
    """Instance-name role of a promotion tier, as in ``policy.ReaderInstance.role``."""
    return "failover" if tier <= 1 else "read-scaling"


def _tf_name(text: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", text.lower()).strip("_") or "x"


def _az_cli(az: str) -> str:
    placeholder = re.fullmatch(r"<AZ name of (.+)>", az)
    if placeholder is None:
        return shlex.quote(az)
    query = f"aws ec2 describe-availability-zones --zone-ids {shlex.quote(placeholder.group(1))}"
    return f"\"$({query} --query 'AvailabilityZones[0].ZoneName' --output text)\""


def _readers_now(rec: Recommendation) -> Counter[tuple[str, int]]:
    start = rec.generated_at
    return Counter(
        (r.az_id, r.promotion_tier) for r in rec.settings.readers if r.needed_from <= start < r.needed_until
    )


def _previous_readers(req: ActionsRequest) -> Counter[tuple[str, int]]:
    prev = req.previous
    if prev is None:
        return Counter()
    have: Counter[tuple[str, int]] = Counter(
        {(az, 15): n for az, n in prev.extra_readers_by_az.items() if n > 0}
    )
    if prev.failover_az_id is not None:
        have[(prev.failover_az_id, 1)] += 1
    return have


def _calls(req: ActionsRequest, cluster: str) -> tuple[list[PlannedCall], list[str]]:
    rec, notes = req.recommendation, []
    calls = [
        PlannedCall(
            at=c.at,
            method="modify_db_cluster",
            params={
                "DBClusterIdentifier": cluster,
                "ServerlessV2ScalingConfiguration": {
                    "MinCapacity": c.min_capacity_acu,
                    "MaxCapacity": c.max_capacity_acu,
                },
                "ApplyImmediately": True,
            },
            note=f"MinCapacity {c.min_capacity_acu:g} ACU, MaxCapacity {c.max_capacity_acu:g} ACU",
        )
        for c in rec.settings.capacity_changes
    ]
    kept = _previous_readers(req) & _readers_now(rec)
    for (az, tier), n in sorted((_previous_readers(req) - _readers_now(rec)).items()):
        for _ in range(n):
            ident = f"<an existing tier-{tier} reader in {az}>"
            calls.append(
                _delete(rec.generated_at, ident, f"the plan needs no more tier-{tier} readers in {az}")
            )
            notes.append(
                f"pick the tier-{tier} reader in {az} to delete: the plan cannot name existing instances"
            )
    seen: Counter[tuple[str, int]] = Counter()
    for r in rec.settings.readers:
        key = (r.az_id, r.promotion_tier)
        seen[key] += 1
        ident = instance_id(cluster, r.role.replace("_", "-"), r.az_id, seen[key])
        if r.needed_from <= rec.generated_at and kept[key] > 0:
            kept[key] -= 1  # an existing reader covers this window
        else:
            calls.append(_create(req, cluster, ident, r.az_id, r.promotion_tier, r.needed_from))
        if r.needed_until < rec.horizon_end:
            calls.append(_delete(r.needed_until, ident, f"{r.role} reader in {r.az_id} no longer needed"))
    calls.sort(key=lambda c: (c.at, c.method != "modify_db_cluster"))
    return calls, notes


def _create(req: ActionsRequest, cluster: str, ident: str, az: str, tier: int, at: datetime) -> PlannedCall:
    params = {
        "DBInstanceIdentifier": ident,
        "DBClusterIdentifier": cluster,
        "Engine": req.engine,
        "DBInstanceClass": "db.serverless",
        "AvailabilityZone": req.az_names.get(az, f"<AZ name of {az}>"),
        "PromotionTier": tier,
    }
    return PlannedCall(at=at, method="create_db_instance", params=params, note=f"tier-{tier} reader in {az}")


def _delete(at: datetime, ident: str, note: str) -> PlannedCall:
    return PlannedCall(at=at, method="delete_db_instance", params={"DBInstanceIdentifier": ident}, note=note)


def _cli(call: PlannedCall) -> str:
    p = call.params
    head = f"# at {call.at:%Y-%m-%dT%H:%M:%SZ}: {hcl_escape(call.note)}\n"  # one line, whatever the note
    if call.method == "modify_db_cluster":
        cfg = p["ServerlessV2ScalingConfiguration"]
        scaling = f"MinCapacity={cfg['MinCapacity']:g},MaxCapacity={cfg['MaxCapacity']:g}"
        return head + (
            f"aws rds modify-db-cluster --db-cluster-identifier {shlex.quote(p['DBClusterIdentifier'])} "
            f"--serverless-v2-scaling-configuration {scaling} --apply-immediately"
        )
    if call.method == "create_db_instance":
        return head + (
            f"aws rds create-db-instance --db-instance-identifier {shlex.quote(p['DBInstanceIdentifier'])} "
            f"--db-cluster-identifier {shlex.quote(p['DBClusterIdentifier'])} --engine {p['Engine']} "
            f"--db-instance-class db.serverless --availability-zone {_az_cli(str(p['AvailabilityZone']))} "
            f"--promotion-tier {p['PromotionTier']}"
        )
    return (
        head + f"aws rds delete-db-instance --db-instance-identifier {shlex.quote(p['DBInstanceIdentifier'])}"
    )


def _terraform(req: ActionsRequest, cluster: str, calls: list[PlannedCall]) -> str:
    rec, res = req.recommendation, _tf_name(cluster)
    first = rec.settings.capacity_changes[0]
    now = _readers_now(rec)
    lines = [
        f"# acuplan: layout for {hcl_escape(cluster)} at {rec.generated_at:%Y-%m-%dT%H:%M:%SZ}"
        " (ForecastOnly advice).",
        "# Merge into your configuration; keep your other arguments. Later changes:",
        *(
            f"#   {c.at:%Y-%m-%dT%H:%M:%SZ} {c.method} {hcl_escape(c.note)}"
            for c in calls
            if c.at > rec.generated_at
        ),
        f'resource "aws_rds_cluster" "{res}" {{',
        f"  cluster_identifier = {hcl_string(cluster)}",
        f"  engine             = {hcl_string(req.engine)}",
        "  serverlessv2_scaling_configuration {",
        f"    min_capacity = {first.min_capacity_acu:g}",
        f"    max_capacity = {first.max_capacity_acu:g}",
        "  }",
        "}",
    ]
    for az in sorted({az for az, _ in now}):
        lines += [f'data "aws_availability_zone" "{_tf_name(az)}" {{', f"  zone_id = {hcl_string(az)}", "}"]
    for (az, tier), n in sorted(now.items()):
        name, prefix = f"{res}_reader_{_tf_name(az)}_tier{tier}", instance_prefix(cluster, _role(tier), az)
        lines += [
            f'resource "aws_rds_cluster_instance" "{name}" {{',
            f"  count              = {n}",
            f'  identifier         = "{hcl_escape(prefix)}${{count.index + 1}}"',
            f"  cluster_identifier = aws_rds_cluster.{res}.id",
            f"  engine             = aws_rds_cluster.{res}.engine",
            '  instance_class     = "db.serverless"',
            f"  availability_zone  = data.aws_availability_zone.{_tf_name(az)}.name",
            f"  promotion_tier     = {tier}",
            "}",
        ]
    return "\n".join(lines) + "\n"


def render_actions(req: ActionsRequest) -> ActionsResponse:
    """Render the calls, CLI commands and Terraform that would realise ``req.recommendation``.

    Args:
        req: the recommendation and how to address the cluster.

    Returns:
        The rendered actions; nothing is executed.

    Raises:
        service.advice.identifiers.InvalidDbClusterIdentifierError: the cluster's identifier
            (``db_cluster_identifier``, else ``recommendation.cluster_id``) is not a valid
            Aurora ``DBClusterIdentifier`` (``ActionsRequest.check`` reports it first over HTTP).
    """
    given = req.db_cluster_identifier is not None
    cluster = check_db_cluster_identifier(
        req.db_cluster_identifier or req.recommendation.cluster_id,
        field="db_cluster_identifier" if given else "recommendation.cluster_id",
        hint="" if given else "give db_cluster_identifier, the cluster's identifier in AWS",
    )
    calls, notes = _calls(req, cluster)
    if any(str(c.params.get("AvailabilityZone", "")).startswith("<") for c in calls):
        notes.append("boto3 AvailabilityZone placeholders: pass az_names (AZ ID -> AZ name in your account)")
    return ActionsResponse(
        db_cluster_identifier=cluster,
        generated_at=req.recommendation.generated_at,
        boto3=calls,
        aws_cli=[_cli(c) for c in calls],
        terraform=_terraform(req, cluster, calls),
        notes=sorted(set(notes)),
    )
