"""A MinCapacity timetable as EventBridge Scheduler commands and Terraform."""

import json
import shlex
from datetime import UTC, datetime

import numpy as np

from policy.advice.schedule import schedule_from_floors
from service.advice.scheduler import TARGET_ARN, scheduler_commands, scheduler_terraform


def _schedule():  # type: ignore[no-untyped-def]
    minute = (np.arange(4 * 288) * 5) % 1440
    floors = np.where((minute >= 525) & (minute < 540), 13.0, 0.5)
    return schedule_from_floors(
        floors, start=datetime(2024, 3, 4, tzinfo=UTC), step_s=300, max_capacity_acu=64.0
    )


def test_each_entry_is_one_create_schedule_calling_modify_db_cluster() -> None:
    commands = scheduler_commands(_schedule(), "orders-prod")
    assert len(commands) == 3
    args = shlex.split(commands[1])
    assert args[:3] == ["aws", "scheduler", "create-schedule"]
    assert args[args.index("--name") + 1] == "acuplan-orders-prod-daily-0845"
    assert args[args.index("--schedule-expression") + 1] == "cron(45 8 ? * * *)"
    target = json.loads(args[args.index("--target") + 1])
    assert target["Arn"] == TARGET_ARN
    assert json.loads(target["Input"]) == {
        "DbClusterIdentifier": "orders-prod",
        "ServerlessV2ScalingConfiguration": {"MinCapacity": 13.0, "MaxCapacity": 64.0},
        "ApplyImmediately": True,
    }


def test_terraform_has_one_schedule_resource_per_entry() -> None:
    text = scheduler_terraform(_schedule(), "orders-prod")
    assert text.count('resource "aws_scheduler_schedule"') == 3
    assert 'schedule_expression          = "cron(45 8 ? * * *)"' in text
    assert '"MinCapacity":13.0' in text


def test_a_fixed_setting_is_one_modify_db_cluster_and_no_schedule() -> None:
    # The quick start's answer ("a fixed MinCapacity ... one modify-db-cluster, no scheduler")
    # carried a daily create-schedule re-applying the same setting.
    fixed = schedule_from_floors(
        np.full(4 * 288, 0.5), start=datetime(2024, 3, 4, tzinfo=UTC), step_s=300, max_capacity_acu=16.0
    )
    assert scheduler_commands(fixed, "orders-prod") == [
        "aws rds modify-db-cluster --db-cluster-identifier orders-prod "
        "--serverless-v2-scaling-configuration MinCapacity=0.5,MaxCapacity=16 --apply-immediately"
    ]
    assert scheduler_commands(fixed, "orders-dr", region="eu-west-1")[0].startswith(
        "aws rds modify-db-cluster --region eu-west-1 --db-cluster-identifier orders-dr "
    )
    text = scheduler_terraform(fixed, "orders-prod")
    assert "aws_scheduler_schedule" not in text
    assert "serverlessv2_scaling_configuration {\n  min_capacity = 0.5\n  max_capacity = 16\n}\n" in text


def test_the_schedules_run_in_the_timetables_zone() -> None:
    utc = _schedule()
    assert all("--schedule-expression-timezone UTC " in c for c in scheduler_commands(utc, "orders-prod"))
    assert scheduler_terraform(utc, "orders-prod").count('schedule_expression_timezone = "UTC"') == 3
    berlin = utc.model_copy(update={"timezone": "Europe/Berlin"})
    commands = scheduler_commands(berlin, "orders-prod", region="eu-central-1")
    assert [shlex.split(c)[shlex.split(c).index("--schedule-expression-timezone") + 1] for c in commands] == [
        "Europe/Berlin"
    ] * 3
    text = scheduler_terraform(berlin, "orders-prod", region="eu-central-1")
    assert text.count('schedule_expression_timezone = "Europe/Berlin"') == 3 and '"UTC"' not in text
