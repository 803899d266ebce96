"""Render a MinCapacity timetable as EventBridge Scheduler entries: AWS CLI and Terraform.

Owns :func:`scheduler_commands` and :func:`scheduler_terraform`. Pure; nothing is
executed. Each timetable entry becomes one recurring schedule whose target is the
EventBridge Scheduler *universal target* for RDS ``ModifyDBCluster``
(``arn:aws:scheduler:::aws-sdk:rds:modifyDBCluster``; EventBridge Scheduler User Guide,
"Using universal targets"), with the request as its input:
``{"DbClusterIdentifier": ..., "ServerlessV2ScalingConfiguration": {"MinCapacity": ...,
"MaxCapacity": ...}, "ApplyImmediately": true}``.

An entry that sets MinCapacity 0 (auto-pause) also sends ``SecondsUntilAutoPause``, the
value the replay assumed (:attr:`~policy.advice.schedule.FloorSchedule.seconds_until_auto_pause`):
AWS keeps it only while MinCapacity is 0, removes it when MinCapacity is set above 0, and
resets it to its 300-s default when MinCapacity returns to 0 "unless you specify it again"
(Amazon RDS API Reference, ``ServerlessV2ScalingConfigurationInfo`` and
``ServerlessV2ScalingConfiguration``, 300-86,400 s,
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2ScalingConfigurationInfo.html).
So every MinCapacity-0 request carries it, and a request with MinCapacity above 0 leaves it out
(AWS would drop it). The same holds for a fixed setting: ``SecondsUntilAutoPause=`` in the
``modify-db-cluster`` shorthand and ``seconds_until_auto_pause`` in the Terraform
``serverlessv2_scaling_configuration`` block (Terraform AWS provider, ``aws_rds_cluster``).

The schedule role needs ``rds:ModifyDBCluster`` on the cluster; it is a placeholder here. Times are the
timetable's zone's wall-clock times (``--schedule-expression-timezone`` and Terraform's
``schedule_expression_timezone`` are :attr:`~policy.advice.schedule.FloorSchedule.timezone`,
``UTC`` by default; EventBridge Scheduler then follows the zone's daylight-saving switches,
see :mod:`policy.advice.schedule`); an entry fires at the start of its slot, and
the timetable already allows for the time a MinCapacity change takes (the ramp profile's
delay), so no further lead is added. A global-database secondary's entries are created in
its own region (``--region``; in Terraform a provider aliased to the region, declared once
in the snippet), because each secondary is its own DB cluster there.

A timetable whose entries all set the same MinCapacity and MaxCapacity is a fixed
setting: it needs no scheduler, so it renders as one ``aws rds modify-db-cluster`` and,
in Terraform, as the ``serverlessv2_scaling_configuration`` block of the cluster's
``aws_rds_cluster`` resource.

Every string written into the Terraform goes through :func:`service.advice.hcl.hcl_string`
(the schedule's input through :func:`service.advice.hcl.hcl_json`, comments through
:func:`service.advice.hcl.hcl_escape`) and every shell word through :func:`shlex.quote`, so a
cluster id is never interpolated by Terraform and never ends a string or a comment early.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from typing import Any

from policy.advice.schedule import WEEKDAYS, FloorSchedule, ScheduleEntry
from service.advice.hcl import hcl_escape, hcl_json, hcl_string

TARGET_ARN = "arn:aws:scheduler:::aws-sdk:rds:modifyDBCluster"
"""EventBridge Scheduler universal target for RDS ModifyDBCluster."""

ROLE_PLACEHOLDER = "arn:aws:iam::<account-id>:role/<scheduler-role-with-rds-ModifyDBCluster>"


NAME_MAX = 64
"""EventBridge Scheduler's limit on a schedule name, characters (``CreateSchedule`` ``Name``:
1-64 of ``[0-9a-zA-Z-_.]``; EventBridge Scheduler API Reference)."""


def _days_word(weekdays: tuple[str, ...]) -> str:
    """An entry's days for its schedule name, as its cron reads them.

    ``daily`` for all seven, ``mon`` for one day, ``mon-fri`` for consecutive days, and runs
    joined by ``_`` for the rest (``mon_wed_fri``, ``mon-wed_sat-sun``): the cron's ``,`` is not
    allowed in a name. Days outside MON-SUN (none today) are kept as given.
    """
    if len(weekdays) == 7:
        return "daily"
    runs: list[list[str]] = []
    for day in weekdays:
        follows = bool(runs) and day in WEEKDAYS and runs[-1][-1] in WEEKDAYS
        if follows and WEEKDAYS.index(day) == WEEKDAYS.index(runs[-1][-1]) + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return "_".join(r[0].lower() if len(r) == 1 else f"{r[0]}-{r[-1]}".lower() for r in runs)


def _name(cluster: str, entry: ScheduleEntry) -> str:
    """The schedule's name: ``acuplan-<cluster>-<days>-<hhmm>``, e.g. ``acuplan-orders-mon-fri-0845``.

    An entry that runs every hour is ``acuplan-<cluster>-hourly-<mm>``, e.g. ``acuplan-orders-hourly-45``.

    Days and time tell a timetable's entries apart (a timetable's day groups are disjoint and an
    entry's time is unique within its group), so they are always kept whole; a cluster id too long
    for :data:`NAME_MAX` is cut and followed by 8 hex digits of its SHA-256, so two long ids that
    share a beginning still get different names. Characters a name may not hold become ``-``.
    """
    h, m = divmod(entry.at_minute, 60)
    tail = f"-hourly-{m:02d}" if entry.every_hour else f"-{_days_word(entry.weekdays)}-{h:02d}{m:02d}"
    safe = re.sub(r"[^A-Za-z0-9_.-]", "-", cluster)
    room = NAME_MAX - len("acuplan-") - len(tail)
    if len(safe) > room:
        digest = hashlib.sha256(cluster.encode()).hexdigest()[:8]
        safe = f"{safe[: room - len(digest) - 1]}-{digest}"
    return re.sub(r"[^A-Za-z0-9_.-]", "-", f"acuplan-{safe}{tail}")[:NAME_MAX]


def _scaling(entry: ScheduleEntry, pause_after_s: int) -> dict[str, Any]:
    """One entry's ``ServerlessV2ScalingConfiguration`` (module docstring: SecondsUntilAutoPause at 0)."""
    scaling: dict[str, Any] = {"MinCapacity": entry.min_capacity_acu, "MaxCapacity": entry.max_capacity_acu}
    if entry.min_capacity_acu == 0:
        scaling["SecondsUntilAutoPause"] = pause_after_s
    return scaling


def _request(cluster: str, entry: ScheduleEntry, pause_after_s: int) -> dict[str, Any]:
    """The ``ModifyDBCluster`` request one entry sends."""
    return {
        "DbClusterIdentifier": cluster,
        "ServerlessV2ScalingConfiguration": _scaling(entry, pause_after_s),
        "ApplyImmediately": True,
    }


def _input(cluster: str, entry: ScheduleEntry, pause_after_s: int) -> str:
    return json.dumps(_request(cluster, entry, pause_after_s), separators=(",", ":"))


def _alias(region: str) -> str:
    """A provider alias (an HCL identifier) for a region: ``eu-west-1`` -> ``eu_west_1``."""
    return re.sub(r"[^A-Za-z0-9_]", "_", region)


def fixed_setting(schedule: FloorSchedule) -> ScheduleEntry | None:
    """The one entry of a timetable that never changes the settings (module docstring), else None."""
    levels = {(e.min_capacity_acu, e.max_capacity_acu) for e in schedule.entries}
    return schedule.entries[0] if len(levels) == 1 else None


def scheduler_commands(
    schedule: FloorSchedule, cluster: str, role_arn: str = ROLE_PLACEHOLDER, *, region: str | None = None
) -> list[str]:
    """One ``aws scheduler create-schedule`` command per timetable entry.

    Args:
        schedule: the timetable.
        cluster: the DB cluster identifier.
        role_arn: the IAM role EventBridge Scheduler assumes (placeholder by default).
        region: create the schedules in this region (a global-database secondary's);
            None: the CLI's default region.

    Returns:
        Shell commands, in the timetable's order; a fixed setting's one
        ``aws rds modify-db-cluster``.
    """
    fixed = fixed_setting(schedule)
    if fixed is not None:
        pause_s = schedule.seconds_until_auto_pause
        scaling = ",".join(f"{k}={v:g}" for k, v in _scaling(fixed, pause_s).items())
        return [
            " ".join(
                [
                    "aws rds modify-db-cluster",
                    *([f"--region {shlex.quote(region)}"] if region else []),
                    f"--db-cluster-identifier {shlex.quote(cluster)}",
                    f"--serverless-v2-scaling-configuration {scaling}",
                    "--apply-immediately",
                ]
            )
        ]
    out, pause_s = [], schedule.seconds_until_auto_pause
    for entry in schedule.entries:
        request = _input(cluster, entry, pause_s)
        target = json.dumps({"Arn": TARGET_ARN, "RoleArn": role_arn, "Input": request})
        out.append(
            " ".join(
                [
                    "aws scheduler create-schedule",
                    *([f"--region {shlex.quote(region)}"] if region else []),
                    f"--name {shlex.quote(_name(cluster, entry))}",
                    f"--schedule-expression {shlex.quote(entry.cron)}",
                    f"--schedule-expression-timezone {shlex.quote(schedule.timezone)}",
                    "--flexible-time-window Mode=OFF",
                    f"--target {shlex.quote(target)}",
                ]
            )
        )
    return out


def scheduler_terraform(
    schedule: FloorSchedule, cluster: str, role_arn: str = ROLE_PLACEHOLDER, *, region: str | None = None
) -> str:
    """The timetable as ``aws_scheduler_schedule`` resources (Terraform AWS provider).

    Args:
        schedule: the timetable.
        cluster: the DB cluster identifier.
        role_arn: the IAM role EventBridge Scheduler assumes (placeholder by default).
        region: put the resources in this region: a ``provider "aws"`` aliased to it
            (e.g. ``aws.eu_west_1``) is declared first and every resource uses it.

    Returns:
        HCL text, one resource per entry ("" without entries); for a fixed setting, the
        scaling block to put in the cluster's ``aws_rds_cluster`` resource.
    """
    if not schedule.entries:
        return ""
    fixed = fixed_setting(schedule)
    if fixed is not None:
        low, high = fixed.min_capacity_acu, fixed.max_capacity_acu
        fields = {"min_capacity": f"{low:g}", "max_capacity": f"{high:g}"}
        if low == 0:  # aligned as terraform fmt aligns it
            fields["seconds_until_auto_pause"] = str(schedule.seconds_until_auto_pause)
        width = max(len(k) for k in fields)
        return (
            f"# a fixed setting: no schedule; in the aws_rds_cluster resource of {hcl_escape(cluster)}"
            + (f" ({hcl_escape(region)})" if region else "")
            + ":\n"
            + "serverlessv2_scaling_configuration {\n"
            + "".join(f"  {k:<{width}} = {v}\n" for k, v in fields.items())
            + "}\n"
        )
    blocks = []
    if region:
        blocks.append(
            f'provider "aws" {{\n  alias  = {hcl_string(_alias(region))}\n  region = {hcl_string(region)}\n}}'
        )
    for entry in schedule.entries:
        name, request = _name(cluster, entry), _request(cluster, entry, schedule.seconds_until_auto_pause)
        blocks.append(
            "\n".join(
                [
                    f'resource "aws_scheduler_schedule" "{re.sub(r"[^a-z0-9_]", "_", name.lower())}" {{',
                    *([f"  provider                     = aws.{_alias(region)}"] if region else []),
                    f"  name                         = {hcl_string(name)}",
                    f"  schedule_expression          = {hcl_string(entry.cron)}",
                    f"  schedule_expression_timezone = {hcl_string(schedule.timezone)}",
                    "  flexible_time_window {",
                    '    mode = "OFF"',
                    "  }",
                    "  target {",
                    f"    arn      = {hcl_string(TARGET_ARN)}",
                    f"    role_arn = {hcl_string(role_arn)}",
                    f"    input    = jsonencode({hcl_json(request)})",
                    "  }",
                    "}",
                ]
            )
        )
    return "\n\n".join(blocks) + "\n"
