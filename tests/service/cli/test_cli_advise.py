"""``acuplan advise``: the answer from a CSV, its JSON and HTML, and one-line errors."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from typer.testing import CliRunner

from service.cli.main import app
from traces import format_ts

runner = CliRunner()
T0 = datetime(2024, 5, 6, tzinfo=UTC)


def _csv(path: Path, days: int = 3) -> Path:
    hour = (np.arange(days * 288) % 288) / 12
    load = np.where((hour >= 8) & (hour < 18), 4.0, 1.0)
    start = int(T0.timestamp())
    rows = "".join(f"{format_ts(start + 300 * i)},orders,load,acu,{v:.3f}\n" for i, v in enumerate(load))
    path.write_text("ts,cluster_id,signal,unit,value\n" + rows, encoding="utf-8")
    return path


def _one_line(result: Any, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for part in parts:
        assert part in lines[0]


def test_advise_from_a_csv_writes_json_with_the_keys_and_a_self_contained_page(tmp_path: Path) -> None:
    out, page = tmp_path / "advice.json", tmp_path / "advice.html"
    result = runner.invoke(
        app,
        [
            "advise",
            "--csv",
            str(_csv(tmp_path / "t.csv")),
            "--min-acu",
            "4",
            "--max-acu",
            "16",
            "--json",
            str(out),
            "--html",
            str(page),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "your settings today" in result.stdout and "what to apply" in result.stdout
    assert "advise:" not in result.stdout  # progress never goes to stdout
    # not a terminal: a start line on stderr with the replayed day's 24 re-plans, then a plain
    # line every 10 % of them (it was the start line alone: a 10-min run showed no progress, QA 64 #5)
    start, *lines = result.stderr.splitlines()
    assert start == (
        "advise: replaying acuplan's 24 hourly re-plans (each forecasts from up to 14 days of history), "
        "then the perfect-foresight bound"
    )
    done = [
        re.fullmatch(r"advise: (\d+) of 24 re-plans done \((\d+)%, \d+:\d\d elapsed\)", line)
        for line in lines
    ]
    assert all(done), lines
    assert [int(m[2]) for m in done if m] == list(range(10, 101, 10))
    assert [int(m[1]) for m in done if m] == [3, 5, 8, 10, 12, 15, 17, 20, 22, 24]
    doc = json.loads(out.read_text())
    for key in ("current", "recommended", "bound"):
        assert {"monthly_cost_usd", "slo_violation_min"} <= set(doc[key])
    for key in ("savings_usd_per_month", "purchase_options", "alerts", "schedule"):
        assert key in doc
    # Two instances at MinCapacity 4 over the replayed day: 8 ACU x 730 h x $0.12.
    assert doc["current"]["monthly_cost_usd"] == 700.8
    assert doc["savings_usd_per_month"] > 0
    assert doc["scheduler"]["commands"] == [  # a fixed setting: no schedule
        "aws rds modify-db-cluster --db-cluster-identifier orders "
        "--serverless-v2-scaling-configuration MinCapacity=0.5,MaxCapacity=16 --apply-immediately"
    ]
    # ... and the terminal prints it too (it was in the JSON only)
    assert "to apply: " + doc["scheduler"]["commands"][0] in " ".join(result.stdout.split())
    # a CPU series alone cannot check memory and connections at the lower floor: it says so
    assert any(r.startswith("lowering MinCapacity from 4 to 0.5 ACU was judged on") for r in doc["reasons"])
    # the export ended long before this run (QA 64 #8): the advice says so first
    assert doc["reasons"][0].startswith(f"the history ends {doc['window_until'][:10]} 00:00 UTC, ")
    text = page.read_text()
    assert text.startswith("<!doctype html>") and "data:image/png;base64," in text
    assert "http://" not in text and "https://" not in text.replace("https://aws", "")


def test_advise_bad_input_is_one_line(tmp_path: Path) -> None:
    csv = str(_csv(tmp_path / "t.csv"))
    _one_line(runner.invoke(app, ["advise"]), "give exactly one of --trace NAME or --csv FILE")
    _one_line(
        runner.invoke(app, ["advise", "--csv", csv, "--min-acu", "0.7"]),
        "--min-acu 0.7: 0.7 is not a multiple of 0.5 ACU",
    )
    _one_line(
        runner.invoke(app, ["advise", "--csv", csv, "--readers", "az1"]), "--readers: 'az1' is not AZ_ID:TIER"
    )
    _one_line(runner.invoke(app, ["advise", "--trace", "nope"]), "unknown bundled trace 'nope'")
    short = _csv(tmp_path / "short.csv", days=2)
    _one_line(
        runner.invoke(app, ["advise", "--csv", str(short)]),
        "error: the history has 2 days (576 steps of 300 s); advice needs at least 3 days (864 steps): the "
        "2-day warm-up plus one day to replay",
    )
    _one_line(
        runner.invoke(app, ["advise", "--csv", csv, "--json", str(tmp_path / "no" / "a.json")]),
        "does not exist",
    )
    _one_line(  # an empty value is no silent "no readers": that changes today's bill
        runner.invoke(app, ["advise", "--csv", csv, "--readers", " "]),
        "error: --readers: empty; give AZ_ID:TIER,... (e.g. use1-az2:1) or none",
    )
    _one_line(
        runner.invoke(app, ["advise", "--csv", csv, "--readers", "use1-az2:99"]),
        "--readers: 'use1-az2:99': Input should be less than or equal to 15",
    )
    _one_line(
        runner.invoke(app, ["advise", "--csv", csv, "--storage-gib", "-5"]),
        "--storage-gib: Input should be greater than or equal to 0",
    )
    _one_line(
        runner.invoke(app, ["advise", "--csv", csv, "--budget-usd-per-month", "-5"]),
        "--budget-usd-per-month: Input should be greater than 0",
    )
    _one_line(  # only a cluster that may pause has a SecondsUntilAutoPause: refused, not ignored
        runner.invoke(app, ["advise", "--csv", csv, "--pause-after-s", "600"]),
        "error: --pause-after-s 600: SecondsUntilAutoPause applies only to a cluster that may pause "
        "(--min-acu 0), and --min-acu is 0.5",
    )


def _idle_csv(path: Path, days: int = 4) -> Path:
    start = int(T0.timestamp())
    rows = "".join(f"{format_ts(start + 300 * i)},idle,load,acu,0\n" for i in range(days * 288))
    path.write_text("ts,cluster_id,signal,unit,value\n" + rows, encoding="utf-8")
    return path


def test_advise_keeps_auto_pause_on_an_idle_cluster(tmp_path: Path) -> None:
    out = tmp_path / "advice.json"
    result = runner.invoke(
        app,
        ["advise", "--input", str(_idle_csv(tmp_path / "idle.csv")), "--max-acu", "64", "--min-acu", "0"]
        + ["--json", str(out)],
    )
    assert result.exit_code == 0, result.output
    advice = json.loads(out.read_text())
    # auto-pause on today and idle throughout: the advice keeps it, at today's cost
    assert advice["recommended"]["monthly_cost_usd"] == advice["current"]["monthly_cost_usd"]
    assert advice["savings_usd_per_month"] == 0.0
    assert [e["min_capacity_acu"] for e in advice["schedule"]["entries"]] == [0.0]


def test_advise_says_what_auto_pause_would_save(tmp_path: Path) -> None:
    csv = _idle_csv(tmp_path / "idle.csv")
    result = runner.invoke(app, ["advise", "--input", str(csv), "--max-acu", "64", "--min-acu", "0.5"])
    assert result.exit_code == 0, result.output
    # two 0.5-ACU instances all month, $87.60, against paused ones
    said = " ".join(result.stdout.split())
    assert re.search(r"auto-pause \(MinCapacity 0\) would save \$87\.\d\d/month: \d", said), said


def _office_csv(path: Path, start: datetime, days: int, step_s: int, zone: str) -> Path:
    """1 ACU, and 16 ACU from 09:00 to 17:00 on weekdays on ``zone``'s clock."""
    tz = ZoneInfo(zone)
    rows = []
    for i in range(days * 86_400 // step_s):
        local = datetime.fromtimestamp(int(start.timestamp()) + step_s * i, tz=tz)
        busy = local.weekday() < 5 and 9 <= local.hour < 17
        rows.append(
            f"{format_ts(int(start.timestamp()) + step_s * i)},orders,load,acu,{16.0 if busy else 1.0}\n"
        )
    path.write_text("ts,cluster_id,signal,unit,value\n" + "".join(rows), encoding="utf-8")
    return path


def _timetable(tmp_path: Path, csv: Path, *zone: str) -> tuple[dict[str, Any], str]:
    out, page = tmp_path / "advice.json", tmp_path / "advice.html"
    args = ["advise", "--csv", str(csv), "--max-acu", "32", "--json", str(out), "--html", str(page)]
    result = runner.invoke(app, args + (["--timezone", *zone] if zone else []))
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text()), page.read_text()


def test_advise_timezone_puts_the_timetable_and_its_schedules_on_the_local_clock(tmp_path: Path) -> None:
    # Three May weekdays, 16 ACU from 09:00 to 17:00 Berlin time (07:00-15:00 UTC, CEST).
    csv = _office_csv(tmp_path / "t.csv", T0, 3, 300, "Europe/Berlin")
    doc, page = _timetable(tmp_path, csv, "Europe/Berlin")
    assert doc["schedule"]["timezone"] == "Europe/Berlin"
    assert [(e["at_minute"], e["min_capacity_acu"]) for e in doc["schedule"]["entries"]] == [
        (0, 0.5),
        (525, 8.5),  # 08:45 Berlin: the raise ahead of 09:00
        (540, 0.5),
    ]
    assert all("--schedule-expression-timezone Europe/Berlin " in c for c in doc["scheduler"]["commands"])
    assert doc["scheduler"]["terraform"].count('schedule_expression_timezone = "Europe/Berlin"') == 3
    assert "<td>08:45 Europe/Berlin</td>" in page and "(daily, Europe/Berlin)" in page
    assert any("Europe/Berlin wall-clock times" in r for r in doc["reasons"])
    # Without --timezone: the same load in UTC, 06:45, and the output as before.
    doc, page = _timetable(tmp_path, csv)
    assert doc["schedule"]["timezone"] == "UTC"
    assert [(e["at_minute"], e["min_capacity_acu"]) for e in doc["schedule"]["entries"]] == [
        (0, 0.5),
        (405, 8.5),
        (420, 0.5),
    ]
    assert all("--schedule-expression-timezone UTC " in c for c in doc["scheduler"]["commands"])
    assert "<td>06:45</td>" in page and "(daily, UTC)" in page
    assert not any("wall-clock" in r for r in doc["reasons"])


def test_advise_unknown_timezone_is_one_line(tmp_path: Path) -> None:
    csv = str(_csv(tmp_path / "t.csv"))
    _one_line(
        runner.invoke(app, ["advise", "--csv", csv, "--timezone", "Europe/Berlln"]),
        "--timezone: unknown IANA time zone 'Europe/Berlln'",
    )


def _day(doc: dict[str, Any], day: str) -> list[tuple[int, float]]:
    return [
        (e["at_minute"], e["min_capacity_acu"]) for e in doc["schedule"]["entries"] if day in e["weekdays"]
    ]


@pytest.mark.slow
def test_advise_timezone_keeps_one_raise_across_the_march_switch(tmp_path: Path) -> None:
    # Five weeks of Berlin office hours from Monday 2024-03-11 (CET) over the switch to CEST on
    # Sunday 2024-03-31, at 15-minute steps (about 2 minutes per advice).
    start = datetime(2024, 3, 11, tzinfo=ZoneInfo("Europe/Berlin"))
    csv = _office_csv(tmp_path / "t.csv", start, 35, 900, "Europe/Berlin")
    local, page = _timetable(tmp_path, csv, "Europe/Berlin")
    assert local["schedule"]["kind"] == "weekly"
    assert _day(local, "WED") == [(0, 0.5), (525, 8.5), (540, 0.5)]  # one raise, 08:45 Berlin time
    assert all("--schedule-expression-timezone Europe/Berlin " in c for c in local["scheduler"]["commands"])
    assert 'schedule_expression_timezone = "Europe/Berlin"' in local["scheduler"]["terraform"]
    assert "<td>08:45 Europe/Berlin</td>" in page
    # The defect --timezone fixes: on UTC the raise moves by an hour at the switch (07:45 in
    # CET, 06:45 in CEST) and the timetable keeps both, an hour apart, and pays for both.
    utc, _ = _timetable(tmp_path, csv)
    assert _day(utc, "WED") == [(0, 0.5), (405, 8.5), (420, 0.5), (465, 8.5), (480, 0.5)]
    assert local["recommended"]["monthly_cost_usd"] < utc["recommended"]["monthly_cost_usd"]


def _capacity_csv(path: Path, peak: float, signal: str = "ServerlessDatabaseCapacity") -> Path:
    values = np.full(3 * 288, 200.0)
    values[300] = peak  # 2024-05-07 01:00Z
    start = int(T0.timestamp())
    rows = "".join(f"{format_ts(start + 300 * i)},c1,{signal},acu,{v:g}\n" for i, v in enumerate(values))
    path.write_text("ts,cluster_id,signal,unit,value\n" + rows, encoding="utf-8")
    return path


def test_capacity_above_max_acu_is_one_line_naming_max_acu(tmp_path: Path) -> None:
    csv = str(_capacity_csv(tmp_path / "cap.csv", 255.9))
    _one_line(
        runner.invoke(app, ["advise", "--input", csv]),
        "error: --max-acu: the observed capacity reached 255.9 ACU at 2024-05-07 01:00Z (864 of 864 steps "
        "above MaxCapacity), above MaxCapacity 128 (the default: --max-acu was not given): Aurora never runs "
        "an instance above its MaxCapacity, so the cluster's is at least 256 ACU",
    )
    _one_line(
        runner.invoke(app, ["advise", "--input", csv, "--max-acu", "200"]),
        "error: --max-acu: the observed capacity reached 255.9 ACU at 2024-05-07 01:00Z (1 of 864 steps "
        "above MaxCapacity), above --max-acu=200: ",
    )


def test_advise_prints_the_timetable_it_advises_in_its_zone(tmp_path: Path) -> None:
    csv = _office_csv(tmp_path / "t.csv", T0, 3, 300, "Europe/Berlin")
    for zone, shown in (("Europe/Berlin", "Europe/Berlin"), (None, "UTC")):
        args = ["advise", "--csv", str(csv), "--max-acu", "32", *(["--timezone", zone] if zone else [])]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        (line,) = [x for x in result.stdout.splitlines() if x.startswith("timetable to apply")]
        raise_at, lower_at = ("08:45", "09:00") if zone else ("06:45", "07:00")  # 09:00 CEST is 07:00 UTC
        assert line == (
            f"timetable to apply (MinCapacity): every day 00:00 {shown} 0.5 ACU; "
            f"every day {raise_at} {shown} 8.5 ACU; every day {lower_at} {shown} 0.5 ACU"
        ), line


def test_advise_region_prices_there_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "advice.json"
    args = ["advise", "--csv", str(_csv(tmp_path / "t.csv")), "--min-acu", "4", "--max-acu", "16"]
    result = runner.invoke(app, [*args, "--region", "eu-west-2", "--json", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())

    # Two instances at MinCapacity 4 over the replayed day: 8 ACU x 730 h x eu-west-2's $0.14 (not $0.12).
    assert doc["current"]["monthly_cost_usd"] == 817.6
    assert doc["current"]["settings"] == "MinCapacity 4 / MaxCapacity 16 ACU, tier-1 reader in euw2-az2"
    assert doc["pricing"]["region"] == "eu-west-2"
    assert doc["pricing"]["serverless_standard_usd_per_acu_hour"] == 0.14
    standard = next(o for o in doc["purchase_options"] if o["name"] == "serverless_standard")
    assert "x $0.14/ACU-h" in standard["basis"]
    printed = " ".join(result.stdout.split())  # rich wraps long lines
    assert "against today (eu-west-2, $0.14 per ACU-hour); SLO-violation minutes" in printed
    assert (
        "- prices: eu-west-2, Aurora Serverless v2 $0.14 per ACU-hour (Standard; $0.19 I/O-Optimized)"
        in printed
    )
    # a floor that only costs is said on screen too, not only in the JSON
    assert doc["floor_binds_for_nothing"] and f"- {doc['floor_binds_for_nothing']}" in printed
    # the cheapest option is provisioned, priced at us-east-1's instance prices: the line names the
    # cheapest way priced at eu-west-2's own prices (serverless on demand: a Savings Plan's discount is
    # us-east-1's estimate too, QA 68 #2) and says why the others are not it
    assert doc["purchase_options"][0]["name"] == "provisioned_r6g_ri_3yr_all_upfront"
    line = printed[printed.index("cheapest way to buy it:") : printed.index(f"({doc['break_even']})")]
    serverless = next(o for o in doc["purchase_options"] if not o["estimate"])
    assert serverless["name"] in ("serverless_standard", "serverless_io_optimized")
    assert line.startswith(f"cheapest way to buy it: ${serverless['monthly_cost_usd']:,.2f}/month, ")
    assert (
        "(provisioned, Reserved Instance and Savings Plan options set aside as priced at us-east-1's "
        "estimates, none built in for eu-west-2: the cheapest, " in line
    )
    # the break-even compares eu-west-2's ACU-hour with us-east-1's instance price: it says so
    assert doc["break_even"].endswith(
        "at us-east-1's instance price, an estimate: none built in for eu-west-2, so price it there "
        "before comparing"
    )
    assert f"({doc['break_even']})" in printed
    # the input has no capacity metric: nothing is said about an observed bill
    assert doc["observed"] is None and "observed today" not in printed


def test_advise_unknown_region_is_one_line(tmp_path: Path) -> None:
    csv = str(_csv(tmp_path / "t.csv"))
    _one_line(
        runner.invoke(app, ["advise", "--csv", csv, "--region", "eu-central-1"]),
        "error: --region: no built-in Aurora price for 'eu-central-1' (known: eu-west-2, us-east-1); give "
        "the cluster's price with --price (USD per ACU-hour)",
    )
    _one_line(
        runner.invoke(app, ["advise", "--trace", "rds-cpu-cc0c53", "--region", ""]),
        "error: --region: '' is not an AWS region name such as us-east-1 (lower case)",
    )
    _one_line(  # a price does not make a region of a typo
        runner.invoke(app, ["advise", "--csv", csv, "--region", "EU-Central-1", "--price", "0.15"]),
        "error: --region: 'EU-Central-1' is not an AWS region name such as us-east-1 (lower case)",
    )


@pytest.mark.parametrize(
    ("option", "value"), [("--min-acu", "0.7"), ("--max-acu", "16.3"), ("--min-acu", "0.25")]
)
def test_advise_and_recommend_say_an_off_grid_capacity_alike(tmp_path: Path, option: str, value: str) -> None:
    """QA 58 #4: advise said '--min-acu=0.7 is not on the 0.5-ACU grid', recommend another sentence."""
    csv = str(_csv(tmp_path / "t.csv"))
    lines = []
    for command in ("advise", "recommend"):
        result = runner.invoke(app, [command, "--csv", csv, option, value])
        assert result.exit_code == 2, result.output
        lines += result.stderr.splitlines()

    rule = "is not a multiple of 0.5 ACU (Serverless v2 moves in 0.5-ACU steps)"
    said = f"error: {option} {value}: {value} {rule}"
    assert lines == [said, said]


def test_advise_prices_a_region_outside_the_table_at_the_price_given(tmp_path: Path) -> None:
    """QA 58 #2: ``--region eu-central-1`` was refused and advise had no ``--price``; recommend's option."""
    out = tmp_path / "advice.json"
    args = ["advise", "--csv", str(_csv(tmp_path / "t.csv")), "--min-acu", "4", "--max-acu", "16"]
    result = runner.invoke(app, [*args, "--region", "eu-central-1", "--price", "0.15", "--json", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())

    # Two instances at MinCapacity 4 over the replayed day: 8 ACU x 730 h x the $0.15 given.
    assert doc["current"]["monthly_cost_usd"] == 876.0
    assert doc["current"]["settings"] == "MinCapacity 4 / MaxCapacity 16 ACU, tier-1 reader in euc1-az2"
    assert doc["pricing"]["region"] == "eu-central-1"
    assert doc["pricing"]["serverless_standard_usd_per_acu_hour"] == 0.15
    printed = " ".join(result.stdout.split())
    assert "against today (eu-central-1, $0.15 per ACU-hour)" in printed


def test_advise_price_in_a_built_in_region_replaces_its_rate(tmp_path: Path) -> None:
    out = tmp_path / "advice.json"
    args = ["advise", "--csv", str(_csv(tmp_path / "t.csv")), "--min-acu", "4", "--max-acu", "16"]
    result = runner.invoke(app, [*args, "--price", "0.1", "--json", str(out)])
    assert result.exit_code == 0, result.output

    doc = json.loads(out.read_text())
    assert doc["pricing"]["region"] == "us-east-1" and doc["current"]["monthly_cost_usd"] == 584.0


@pytest.mark.parametrize(
    ("price", "said"),
    [
        ("0", "--price: Input should be greater than 0"),
        ("nan", "--price must be a finite number, got nan"),
        (
            "0.0001",
            "--price: Input should be greater than or equal to 0.001 (USD per ACU-hour: the optimiser",
        ),
        ("101", "--price: Input should be less than or equal to 100"),
    ],
)
def test_advise_and_recommend_refuse_a_bad_price_alike(tmp_path: Path, price: str, said: str) -> None:
    csv = str(_csv(tmp_path / "t.csv"))
    for command in ("advise", "recommend"):
        _one_line(runner.invoke(app, [command, "--csv", csv, f"--price={price}"]), f"error: {said}")


def test_advise_empty_or_blank_cluster_id_is_one_line(tmp_path: Path) -> None:
    csv = str(_csv(tmp_path / "t.csv"))
    for source in (["--csv", csv], ["--trace", "rds-cpu-cc0c53"]):
        for blank, said in (("", "empty"), ("   ", "blank")):
            _one_line(
                runner.invoke(app, ["advise", *source, "--cluster-id", blank]),
                f"error: --cluster-id: {said}; give the cluster's name (e.g. --cluster-id orders-db)",
            )


def _constant_capacity_csv(path: Path, acu: float) -> Path:
    start = int(T0.timestamp())
    rows = "".join(
        f"{format_ts(start + 300 * i)},c1,ServerlessDatabaseCapacity,acu,{acu:g}\n" for i in range(3 * 288)
    )
    path.write_text("ts,cluster_id,signal,unit,value\n" + rows, encoding="utf-8")
    return path


def test_advise_compares_the_observed_capacity_with_todays_simulation(tmp_path: Path) -> None:
    out = tmp_path / "advice.json"
    base = ["advise", "--min-acu", "4", "--max-acu", "16", "--json", str(out)]

    # Capacity at today's floor all day: the simulation of today holds both instances at 4 ACU too.
    result = runner.invoke(app, [*base, "--input", str(_constant_capacity_csv(tmp_path / "at.csv", 4.0))])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["observed"] == {
        "hours": 24.0,
        "instances": 2,
        "mean_capacity_acu": 4.0,
        "acu_hours": 192.0,
        "monthly_cost_usd": 700.8,  # 4 ACU x 2 instances x 730 h x $0.12
        "simulated_acu_hours": 192.0,
        "simulated_monthly_cost_usd": 700.8,
        "difference_pct": 0.0,
    }
    printed = " ".join(result.stdout.split())
    assert re.search(r"│ observed today +│ +700\.80 │ +\+0% │", result.stdout), result.stdout
    assert "over the same steps: 0.0% above the simulation" in printed and "caveat:" not in printed

    # Capacity at 6 ACU read as demand: the simulation of today bills less than the metric shows.
    result = runner.invoke(app, [*base, "--input", str(_constant_capacity_csv(tmp_path / "six.csv", 6.0))])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    seen = doc["observed"]
    assert (seen["acu_hours"], seen["monthly_cost_usd"]) == (288.0, 1051.2)  # 6 x 2 x 24; x 730 x $0.12 / 24
    assert seen["simulated_monthly_cost_usd"] == doc["current"]["monthly_cost_usd"]  # the same whole window
    simulated = seen["simulated_acu_hours"]
    assert seen["difference_pct"] == round((288.0 - simulated) / simulated * 100, 1) > 10
    printed = " ".join(result.stdout.split())
    assert (
        "- caveat: the observed capacity and the simulation of today's settings differ by more than 10%"
        in (printed)
    )


def test_a_commitment_beside_a_growth_alert_says_it_is_sized_to_the_history(tmp_path: Path) -> None:
    # QA 61 #3: "2 x db.r6g.large, 3-year Reserved Instances" sized to the history's peak, while the
    # same answer alerted that the need grows +0.41 ACU/day past MaxCapacity.
    days = 9
    hour = (np.arange(days * 288) % 288) / 12
    load = (2.0 + 0.9 * np.arange(days * 288) / 288) * np.where((hour >= 8) & (hour < 18), 1.0, 0.6)
    start = int(T0.timestamp())
    rows = "".join(f"{format_ts(start + 300 * i)},orders,load,acu,{v:.3f}\n" for i, v in enumerate(load))
    path = tmp_path / "growth.csv"
    path.write_text("ts,cluster_id,signal,unit,value\n" + rows, encoding="utf-8")
    result = runner.invoke(app, ["advise", "--csv", str(path), "--min-acu", "4", "--max-acu", "16"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "daily peak need grows" in text
    # QA 68 #1: and never a 3-year term on 7 days beside that alert: at most 1 year, saying why
    assert (
        "cheapest way to buy it: $265.72/month, 2 x db.r6g.large, 1-year Reserved Instances, no upfront "
        "(priced from 7.0 replayed days: check a month or more first) (sized to the history: the "
        "max_capacity alert forecasts the need past MaxCapacity by 2024-06-06) (a longer commitment was "
        "left out, 2 x db.r6g.large, 3-year Reserved Instances, all upfront, $170.82/month: 3 years is too "
        "long to commit to on 7.0 replayed days with a forecast of growth past MaxCapacity by 2024-06-06)"
    ) in text
    assert "a commitment sized to the past would be outgrown" in text
