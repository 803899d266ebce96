"""``acuplan advise`` on metric exports: every input ``recommend`` reads, through its path.

Real values: the shipped CloudWatch example (CPUUtilization, FreeableMemory and
DatabaseConnections of one cluster over 3 days at 300 s) and a generated 4-day export;
demand is checked against an independent max over the signals' ACU equivalents.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from service.cli.main import app
from traces import format_ts

runner = CliRunner()
EXAMPLE = Path(__file__).parents[3] / "traces" / "examples" / "orders-db-cloudwatch.json"
T0 = datetime(2024, 5, 6, tzinfo=UTC)
STEP = 300
GIB = 1024**3


def _one_line(result: Any, *parts: str) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


def _advise(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "advice.json"
    result = runner.invoke(app, ["advise", *args, "--json", str(out)])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc


def _hourly_max(values: np.ndarray, start_step: int) -> list[float]:
    """Hourly max of 300-s steps from ``start_step`` on (whole hours)."""
    scored = values[start_step:]
    n = len(scored) // 12 * 12
    return [round(float(x), 3) for x in scored[:n].reshape(-1, 12).max(axis=1)]


def _example_series() -> dict[str, np.ndarray]:
    """The example's values per (Label, Id) in time order, read straight from the JSON."""
    pages = json.loads(EXAMPLE.read_text())
    points: dict[str, dict[str, float]] = {}
    for page in pages:
        for r in page["MetricDataResults"]:
            points.setdefault(r["Id"], {}).update(zip(r["Timestamps"], r["Values"], strict=True))
    return {qid: np.array([v for _, v in sorted(p.items())]) for qid, p in points.items()}


def test_advise_on_the_shipped_cloudwatch_example(tmp_path: Path) -> None:
    doc = _advise(tmp_path, "-i", str(EXAMPLE), "--max-acu", "16", "--cluster-id", "orders-db")

    for key in ("current", "recommended", "bound"):
        cost = doc[key]["monthly_cost_usd"]
        assert math.isfinite(cost) and cost > 0
    assert doc["cluster_id"] == "orders-db"
    # 3 days: the 2-day warm-up, then 2024-05-08 is replayed.
    assert doc["window_from"] == "2024-05-08T00:00:00Z"
    # Demand = max(CPUUtilization Maximum of 16 ACU, 16 ACU - FreeableMemory Minimum / 2 GiB) per step.
    s = _example_series()
    demand = np.maximum(s["cpu_max"] / 100 * 16, np.maximum(16 - s["mem_min"] / (2 * GIB), 0.0))
    assert doc["series"]["demand_max_acu"] == _hourly_max(demand, 2 * 288)
    # Both signals bind somewhere (memory at night, CPU in business hours).
    cpu_binds = s["cpu_max"] / 100 * 16 >= 16 - s["mem_min"] / (2 * GIB)
    assert 0 < cpu_binds[2 * 288 :].mean() < 1
    # DatabaseConnections peak at 2,013 >= max_connections 2,000 (PostgreSQL at MinCapacity 0.5).
    assert s["conns_max"].max() == 2013
    conns = [a for a in doc["alerts"] if a["kind"] == "connections"]
    assert [(a["source"], a["value"], a["limit"]) for a in conns] == [("history", 2013.0, 2000.0)]
    assert doc["outlook"]["max_connections"] == 2000
    # the alert says it with its remedy: the ingest's note on connections is not said again (QA 68)
    assert not any(r.startswith("inputs: DatabaseConnections peaked") for r in doc["reasons"])
    assert (
        "inputs: CPUUtilization: the Maximum statistic is used; Average ignored (of Maximum, Average)"
        in (doc["reasons"])
    )


def _cloudwatch(path: Path, *, days: int = 4, conns_peak: float) -> dict[str, np.ndarray]:
    """A GetMetricData page: daily sine CPU %, a 2-ACU capacity floor, connections, hourly volume."""
    n = days * 288
    k = np.arange(n)
    cpu = np.round(30 + 25 * np.sin(2 * np.pi * k / 288), 2)  # 5-55 % of MaxCapacity
    acu = np.full(n, 2.0)
    conns = np.round(conns_peak * (0.6 + 0.4 * np.sin(2 * np.pi * k / 288)), 0)
    hours = np.arange(days * 24)
    volume = (100 + hours / 24) * GIB  # 100 GiB, +1 GiB a day
    stamps = [format_ts(int(T0.timestamp()) + STEP * i) for i in range(n)]
    hourly = [format_ts(int((T0 + timedelta(hours=int(h))).timestamp())) for h in hours]

    def result(qid: str, label: str, ts: list[str], values: np.ndarray, status: str = "Complete") -> Any:
        return {"Id": qid, "Label": label, "Timestamps": ts, "Values": values.tolist(), "StatusCode": status}

    page = {
        "MetricDataResults": [
            result("cpu_max", "CPUUtilization", stamps, cpu),
            result("acu_max", "ServerlessDatabaseCapacity", stamps, acu),
            result("conns_max", "DatabaseConnections", stamps, conns, "PartialData"),
            result("vol_max", "VolumeBytesUsed", hourly, volume),
        ]
    }
    path.write_text(json.dumps(page), encoding="utf-8")
    return {"cpu": cpu, "acu": acu, "conns": conns, "volume": volume}


def test_advise_on_a_multi_signal_export_uses_the_max_connections_and_volume(tmp_path: Path) -> None:
    src = tmp_path / "cw.json"
    s = _cloudwatch(src, conns_peak=2100)
    doc = _advise(
        tmp_path,
        "--input",
        str(src),
        "--format",
        "cloudwatch",
        "--max-acu",
        "16",
        "--cluster-id",
        "orders-db",
    )

    for key in ("current", "recommended", "bound"):
        assert math.isfinite(doc[key]["monthly_cost_usd"])
    # Demand per step is CPU % of 16 ACU: beside it the 2-ACU capacity is what Aurora ran (its
    # floor included), not demand (traces.signals); compared hour by hour over days 3-4.
    assert doc["window_from"] == "2024-05-08T00:00:00Z"
    expected = _hourly_max(s["cpu"] / 100 * 16, 2 * 288)
    assert len(expected) == 48
    assert doc["series"]["demand_max_acu"] == expected
    assert min(expected) < 2.0 and max(expected) == 8.8  # below the capacity's floor where CPU is
    assert "ServerlessDatabaseCapacity: the capacity Aurora ran" in json.dumps(doc)
    # Connections peak at 2,100 >= 2,000: the connections alert from the history.
    conns = [a for a in doc["alerts"] if a["kind"] == "connections"]
    assert [(a["source"], a["value"], a["limit"]) for a in conns] == [("history", 2100.0, 2000.0)]
    # VolumeBytesUsed prices storage: 100 GiB + 1 GiB a day, the last hourly sample 103.958 GiB.
    storage = doc["storage"]
    assert storage["source"] == "VolumeBytesUsed"
    assert abs(storage["storage_gib"] - (100 + 95 / 24)) < 0.01
    assert abs(storage["growth_gib_per_day"] - 1.0) < 0.02
    # The PartialData status of the connections query is a data-quality reason.
    flag = "data quality: DatabaseConnections (query Id conns_max): CloudWatch answered PartialData"
    assert any(r.startswith(flag) for r in doc["reasons"])


def test_advise_without_connections_near_the_limit_raises_no_connections_alert(tmp_path: Path) -> None:
    src = tmp_path / "cw.json"
    _cloudwatch(src, conns_peak=400)
    doc = _advise(tmp_path, "-i", str(src), "--max-acu", "16", "--cluster-id", "orders-db")

    assert [a for a in doc["alerts"] if a["kind"] == "connections"] == []
    assert doc["outlook"]["connections_peak"] is not None and doc["outlook"]["connections_peak"] < 2000


def _canonical(path: Path, rows: list[tuple[int, str, str, str, float]]) -> Path:
    t0 = int(T0.timestamp())
    text = "".join(f"{format_ts(t0 + STEP * i)},{c},{sig},{u},{v}\n" for i, c, sig, u, v in rows)
    path.write_text("ts,cluster_id,signal,unit,value\n" + text, encoding="utf-8")
    return path


def test_percent_or_freeable_memory_without_max_acu_is_one_line(tmp_path: Path) -> None:
    cpu = _canonical(
        tmp_path / "cpu.csv", [(i, "orders", "CPUUtilization", "percent", 20.0) for i in range(3)]
    )
    mem = _canonical(
        tmp_path / "mem.csv", [(i, "orders", "FreeableMemory", "bytes", 8.0 * GIB) for i in range(3)]
    )

    _one_line(runner.invoke(app, ["advise", "-i", str(cpu)]), "--max-acu", "CPUUtilization")
    _one_line(runner.invoke(app, ["advise", "--csv", str(mem)]), "--max-acu", "FreeableMemory")
    _one_line(runner.invoke(app, ["advise", "-i", str(EXAMPLE)]), "--max-acu", "CPUUtilization")


def test_advise_source_and_option_errors_are_one_line(tmp_path: Path) -> None:
    two = _canonical(
        tmp_path / "two.csv",
        [(0, "a", "demand_acu", "acu", 1.0), (0, "b", "demand_acu", "acu", 1.0)],
    )
    one = _canonical(tmp_path / "one.csv", [(i, "a", "demand_acu", "acu", 1.0) for i in range(3)])

    _one_line(
        runner.invoke(app, ["advise", "--trace", "x", "-i", str(one)]),
        "give exactly one of --trace NAME or --csv FILE",
    )
    for command in ("advise", "recommend"):  # recommend merged the two clusters' samples
        _one_line(
            runner.invoke(app, [command, "-i", str(two)]),
            "names 2 clusters (a, b); give one cluster's rows per run",
        )
    _one_line(runner.invoke(app, ["advise", "-i", str(one), "--format", "xml"]), "--format: unknown 'xml'")
    _one_line(runner.invoke(app, ["advise", "-i", str(one), "--rate", "Queries"]), "--rate: 'Queries'")
    _one_line(runner.invoke(app, ["advise", "-i", str(one), "--input-timezone", "Mars/Base"]), "Mars/Base")
    _one_line(runner.invoke(app, ["advise", "-i", str(one), "--engine", "oracle"]), "--engine: unknown")
    _one_line(
        runner.invoke(app, ["advise", "--trace", "x", "--rate", "Q=1"]), "--rate: for --input/--csv exports"
    )
    # Three samples are far from the 2-day warm-up plus a day.
    _one_line(
        runner.invoke(app, ["advise", "-i", str(one)]),
        "(3 steps of 300 s); advice needs at least 3 days (864 steps): the 2-day warm-up plus one day",
    )


def test_an_unknown_zone_is_one_line_in_recommend_too(tmp_path: Path) -> None:
    one = _canonical(tmp_path / "one.csv", [(i, "a", "demand_acu", "acu", 1.0) for i in range(3)])

    _one_line(
        runner.invoke(app, ["recommend", "-i", str(one), "--timezone", "Mars/Base"]),
        "--timezone: unknown IANA time zone 'Mars/Base'",
    )
    _one_line(
        runner.invoke(app, ["recommend", "-i", str(one), "--input-timezone", "Mars/Base"]),
        "--input-timezone: unknown IANA time zone 'Mars/Base'",
    )


def test_an_assumed_max_capacity_is_said(tmp_path: Path) -> None:
    rows = [(i, "orders", "ServerlessDatabaseCapacity", "acu", 2.0 + (i % 288 > 144)) for i in range(4 * 288)]
    src = _canonical(tmp_path / "acu.csv", rows)

    doc = _advise(tmp_path, "--input", str(src))

    assert doc["current"]["settings"].startswith("MinCapacity 0.5 / MaxCapacity 128 ACU")
    assert doc["reasons"][-1] == (
        "MaxCapacity is taken as 128 ACU (--max-acu was not given); the timetable's commands set "
        "MaxCapacity with every change, so give your cluster's own with --max-acu"
    )
    given = _advise(tmp_path, "--input", str(src), "--max-acu", "16")
    assert not any("--max-acu was not given" in r for r in given["reasons"])


def test_an_assumed_max_capacity_names_a_timetable_only_where_there_is_one(tmp_path: Path) -> None:
    # QA 68 #3: spike.csv and step_change.csv keep today's setting or advise a fixed one, yet the
    # sentence said "the timetable's commands set MaxCapacity with every change"
    rows = [(i, "orders", "ServerlessDatabaseCapacity", "acu", 2.0) for i in range(4 * 288)]
    src = _canonical(tmp_path / "acu.csv", rows)

    kept = _advise(tmp_path, "--input", str(src))
    assert kept["keeps_today"]
    assert kept["reasons"][-1] == (
        "MaxCapacity is taken as 128 ACU (--max-acu was not given): the replays and alerts cap capacity "
        "there; give your cluster's own with --max-acu"
    )
    fixed = _advise(tmp_path, "--input", str(src), "--min-acu", "4")  # one setting to apply: 0.5 ACU
    assert not fixed["keeps_today"] and len(set(fixed["schedule"]["floors_acu"])) == 1
    assert fixed["reasons"][-1] == (
        "MaxCapacity is taken as 128 ACU (--max-acu was not given); the command to apply sets MaxCapacity "
        "too, so give your cluster's own with --max-acu"
    )
    assert not any("timetable" in r for r in (kept["reasons"][-1], fixed["reasons"][-1]))


def test_advise_flags_a_cpu_pinned_at_100_percent_as_demand_censored_at_maxcapacity(tmp_path: Path) -> None:
    # CPUUtilization at 100 % from 10:00 to 14:00 UTC every day, ~30 % otherwise, 4 days at 300 s.
    src = tmp_path / "cpu_pinned.csv"
    rows = ["ts,cluster_id,signal,unit,value"]
    for i in range(4 * 288):
        at = T0 + timedelta(seconds=STEP * i)
        cpu = 100 if 10 <= at.hour < 14 else 30 + i % 5
        rows.append(f"{format_ts(int(at.timestamp()))},db1,CPUUtilization,percent,{cpu}")
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "advice.json"
    result = runner.invoke(app, ["advise", "--input", str(src), "--max-acu", "16", "--json", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())

    # The data-quality reason: 16 h pinned at MaxCapacity in 4 stretches, named, and what it means.
    (note,) = [r for r in doc["reasons"] if r.startswith("data quality: demand sat at MaxCapacity (16 ACU")]
    assert "for 16.0 h in 4 stretches" in note and "2024-05-06 10:00-14:00Z" in note
    assert "censored" in note and "SLO-violation minutes" in note
    # The alert: MaxCapacity was binding, raise it (16 is below Aurora's 256-ACU limit).
    pinned = [
        a for a in doc["alerts"] if a["kind"] == "max_capacity" and "demand sat at 16 ACU" in a["message"]
    ]
    assert [(a["source"], a["value"], a["limit"]) for a in pinned] == [("history", 16.0, 16.0)]
    assert "raise it (e.g. to 32 ACU" in pinned[0]["message"]
    printed = " ".join(result.output.split())  # rich wraps long lines
    assert "alert (max_capacity): demand sat at 16 ACU for 16.0 h of the history" in printed


def test_only_capacity_signals_are_checked_against_max_acu() -> None:
    from service.inputs.signals import capacity_series, signals_history
    from traces import SignalInput, SignalRules

    ts = np.arange(4, dtype=np.int64) * STEP + int(T0.timestamp())

    def sig(name: str, unit: str, values: list[float]) -> SignalInput:
        return SignalInput(name, unit, "Maximum", ts, np.array(values, dtype=np.float64))

    rules = SignalRules(max_acu=16.0)
    cpu = sig("CPUUtilization", "percent", [50.0, 100.0, 100.0, 100.0])
    demand = sig("demand_acu", "acu", [40.0, 40.0, 40.0, 40.0])  # demand, which may exceed MaxCapacity
    built = signals_history([cpu, demand], rules=rules, step_s=STEP, now=None, max_steps=100, plan_s=3600)
    assert capacity_series(built, [cpu, demand], rules) is None
    cap = sig("ServerlessDatabaseCapacity", "acu", [2.0, 4.0, 8.0, 16.0])
    acu_pct = sig("ACUUtilization", "percent", [25.0, 50.0, 100.0, 12.5])  # x 16 / 100
    both = [cpu, demand, cap, acu_pct]
    built = signals_history(both, rules=rules, step_s=STEP, now=None, max_steps=100, plan_s=3600)
    assert capacity_series(built, both, rules).tolist() == [4.0, 8.0, 16.0, 16.0]  # type: ignore[union-attr]


@pytest.mark.parametrize("command", ["advise", "recommend"])
@pytest.mark.parametrize(
    ("option", "message"),
    [
        pytest.param(  # advise went on and replayed as if it had not been given
            ["--signal", "CPUUtilization"],
            "error: --signal 'CPUUtilization': no input is a Timestamp,Value export or a "
            "Timestamp,<statistic> one (Timestamp,Average), the only layouts whose "
            "metric it names (it selects no signal); the inputs name their own: demand_acu (acu)",
            id="signal",
        ),
        pytest.param(
            ["--rate", "Queries=0.002"],
            "error: --rate Queries=0.002: the input has no signal 'Queries'; it has: demand_acu (acu)",
            id="rate",
        ),
        pytest.param(
            ["--peak-acu", "20"],
            "error: --peak-acu 20: no signal is a rate or relative series without a --rate, the only ones it "
            "maps; the input has: demand_acu (acu)",
            id="peak_acu",
        ),
    ],
)
def test_an_option_that_changes_nothing_for_demand_in_acu_is_refused_by_advise_as_by_recommend(
    tmp_path: Path, command: str, option: list[str], message: str
) -> None:
    acu = _canonical(tmp_path / "acu.csv", [(i, "a", "demand_acu", "acu", 1.0) for i in range(3)])

    assert _one_line(runner.invoke(app, [command, "-i", str(acu), *option])) == message


def test_peak_acu_with_a_bundled_trace_is_refused_as_the_other_export_options() -> None:
    # a bundled trace has its own demand rule: --peak-acu was ignored without a word
    _one_line(
        runner.invoke(app, ["advise", "--trace", "x", "--peak-acu", "20"]),
        "--peak-acu: for --input/--csv exports, not --trace",
    )
