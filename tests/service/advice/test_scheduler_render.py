"""A MinCapacity timetable as EventBridge Scheduler commands and Terraform."""

import json
import re
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


def _pausing(pause_after_s: int):  # type: ignore[no-untyped-def]
    """Paused (MinCapacity 0) but 09:00-17:00 at 4 ACU, with the SecondsUntilAutoPause the replay assumed."""
    minute = (np.arange(4 * 288) * 5) % 1440
    floors = np.where((minute >= 540) & (minute < 1020), 4.0, 0.0)
    table = schedule_from_floors(
        floors, start=datetime(2024, 3, 4, tzinfo=UTC), step_s=300, max_capacity_acu=16.0
    )
    return table.model_copy(update={"seconds_until_auto_pause": pause_after_s})


def test_entries_that_set_min_capacity_0_carry_seconds_until_auto_pause_and_the_others_do_not() -> None:
    # QA 55 B: the replay assumed 3600 s, the modifyDBCluster inputs carried none, so AWS would
    # reset the timer to its 300-s default each night (it drops it whenever MinCapacity > 0).
    inputs = [
        json.loads(json.loads(shlex.split(c)[-1])["Input"])["ServerlessV2ScalingConfiguration"]
        for c in scheduler_commands(_pausing(3600), "orders-prod")
    ]
    assert inputs == [
        {"MinCapacity": 0.0, "MaxCapacity": 16.0, "SecondsUntilAutoPause": 3600},
        {"MinCapacity": 4.0, "MaxCapacity": 16.0},
        {"MinCapacity": 0.0, "MaxCapacity": 16.0, "SecondsUntilAutoPause": 3600},
    ]
    text = scheduler_terraform(_pausing(3600), "orders-prod")
    assert text.count('"SecondsUntilAutoPause":3600') == 2 and text.count("SecondsUntilAutoPause") == 2


def test_a_fixed_min_capacity_0_sets_seconds_until_auto_pause_in_the_command_and_terraform() -> None:
    paused = _pausing(3600).model_copy(update={"entries": _pausing(3600).entries[:1]})
    assert scheduler_commands(paused, "orders-prod") == [
        "aws rds modify-db-cluster --db-cluster-identifier orders-prod --serverless-v2-scaling-configuration "
        "MinCapacity=0,MaxCapacity=16,SecondsUntilAutoPause=3600 --apply-immediately"
    ]
    assert scheduler_terraform(paused, "orders-prod").endswith(
        "serverlessv2_scaling_configuration {\n"
        "  min_capacity             = 0\n"
        "  max_capacity             = 16\n"
        "  seconds_until_auto_pause = 3600\n"
        "}\n"
    )


def test_advise_hands_the_replayed_seconds_until_auto_pause_to_the_timetable() -> None:
    from policy import CapacityLimits, ClusterSpec
    from policy.advice.advise import advise
    from policy.advice.types import CurrentSettings

    advice = advise(
        np.zeros(4 * 288),
        start=datetime(2024, 3, 4, tzinfo=UTC),
        step_s=300,
        cluster=ClusterSpec(limits=CapacityLimits(min_acu=0, max_acu=16)),
        current=CurrentSettings(min_capacity_acu=0, max_capacity_acu=16, seconds_until_auto_pause=3600),
    )
    assert advice.schedule.floors_acu == (0.0,) * len(advice.schedule.floors_acu)
    assert advice.schedule.seconds_until_auto_pause == 3600
    assert "  seconds_until_auto_pause = 3600\n" in scheduler_terraform(advice.schedule, "db1")


def _weekly():  # type: ignore[no-untyped-def]
    """4 weeks from Monday: 8 ACU MON 02:00-02:15, 4 ACU WED and FRI 09:00-10:00, else 0.5 ACU."""
    step = np.arange(28 * 288)
    day, minute = step // 288 % 7, (step * 5) % 1440
    floors = np.where((day == 0) & (minute >= 120) & (minute < 135), 8.0, 0.5)
    floors = np.where(np.isin(day, [2, 4]) & (minute >= 540) & (minute < 600), 4.0, floors)
    return schedule_from_floors(
        floors, start=datetime(2024, 3, 4, tzinfo=UTC), step_s=300, max_capacity_acu=16.0
    )


def _names(commands: list[str]) -> list[str]:
    return [shlex.split(c)[shlex.split(c).index("--name") + 1] for c in commands]


def test_schedule_names_say_the_days_as_the_cron_does() -> None:
    # QA 68 #2: a Monday-only group was named acuplan-qa-db-mon-mon-0000, and MON,WED,FRI would
    # have read mon-fri (first and last day), as if it ran on every weekday.
    table = _weekly()
    named = {
        (e.cron, n) for e, n in zip(table.entries, _names(scheduler_commands(table, "qa-db")), strict=True)
    }
    assert named == {
        ("cron(0 0 ? * MON *)", "acuplan-qa-db-mon-0000"),
        ("cron(0 2 ? * MON *)", "acuplan-qa-db-mon-0200"),
        ("cron(15 2 ? * MON *)", "acuplan-qa-db-mon-0215"),
        ("cron(0 0 ? * WED,FRI *)", "acuplan-qa-db-wed_fri-0000"),
        ("cron(0 9 ? * WED,FRI *)", "acuplan-qa-db-wed_fri-0900"),
        ("cron(0 10 ? * WED,FRI *)", "acuplan-qa-db-wed_fri-1000"),
        ("cron(0 0 ? * TUE,THU,SAT,SUN *)", "acuplan-qa-db-tue_thu_sat-sun-0000"),
    }
    weekdays = table.model_copy(
        update={
            "entries": tuple(
                e.model_copy(update={"weekdays": ("MON", "TUE", "WED", "THU", "FRI")})
                for e in table.entries[:2]
            )
        }
    )
    assert _names(scheduler_commands(weekdays, "qa-db")) == [
        "acuplan-qa-db-mon-fri-0000",
        "acuplan-qa-db-mon-fri-0200",
    ]


def test_schedule_names_stay_valid_and_unique_for_a_long_cluster_id() -> None:
    # a 63-character DB cluster id: cutting the name at 64 characters cut the days and time
    # away, so every entry got the same name (and the same Terraform resource label)
    table = _weekly()
    names = []
    for cluster in ("a" * 55 + "-orders1", "a" * 55 + "-orders2"):
        names += _names(scheduler_commands(table, cluster))
        text = scheduler_terraform(table, cluster)
        labels = re.findall(r'resource "aws_scheduler_schedule" "([^"]+)"', text)
        assert len(set(labels)) == len(table.entries)
    assert len(set(names)) == len(names) == 2 * len(table.entries)
    assert all(re.fullmatch(r"[0-9A-Za-z_.-]{1,64}", n) for n in names)
    assert all(n.endswith(("-mon-0000", "-mon-0200", "-mon-0215")) for n in names[:3])


def test_an_hourly_timetable_is_one_schedule_per_change_whose_cron_runs_every_hour() -> None:
    # a job at :00 every hour: 8.5 ACU from hh:45 to hh:15, else 0.5
    minute = (np.arange(3 * 288) * 5) % 60
    floors = np.where((minute >= 45) | (minute < 10), 8.5, 0.5)
    hourly = schedule_from_floors(
        floors, start=datetime(2024, 3, 4, tzinfo=UTC), step_s=300, max_capacity_acu=64.0, hourly=True
    )
    commands = [shlex.split(c) for c in scheduler_commands(hourly, "orders-prod")]
    got = [
        (
            c[c.index("--name") + 1],
            c[c.index("--schedule-expression") + 1],
            json.loads(json.loads(c[-1])["Input"])["ServerlessV2ScalingConfiguration"]["MinCapacity"],
        )
        for c in commands
    ]
    assert got == [
        ("acuplan-orders-prod-hourly-15", "cron(15 * ? * * *)", 0.5),
        ("acuplan-orders-prod-hourly-45", "cron(45 * ? * * *)", 8.5),
    ]
    text = scheduler_terraform(hourly, "orders-prod")
    assert text.count('resource "aws_scheduler_schedule"') == 2
    assert 'resource "aws_scheduler_schedule" "acuplan_orders_prod_hourly_45"' in text
    assert 'schedule_expression          = "cron(45 * ? * * *)"' in text
    # the report's (and the CLI's) rows: every hour at hh:mm, in the timetable's zone
    from types import SimpleNamespace

    from service.advice.report import timetable_rows

    berlin = hourly.model_copy(update={"timezone": "Europe/Berlin"})
    assert timetable_rows(SimpleNamespace(schedule=berlin)) == [  # type: ignore[arg-type]
        ["every hour", "hh:15 Europe/Berlin", "0.5", "cron(15 * ? * * *)"],
        ["every hour", "hh:45 Europe/Berlin", "8.5", "cron(45 * ? * * *)"],
    ]
