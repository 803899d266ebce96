"""acuplan recommend for your own cluster: several signals, every input format, a TOML config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from policy import Recommendation
from service.cli.main import app
from traces import format_ts

runner = CliRunner()
HEADER = "ts,cluster_id,signal,unit,value\n"
T0 = 1_714_953_600  # 2024-05-06T00:00:00Z
EXAMPLES = Path(__file__).parents[3] / "traces" / "examples"


def _error(result: Any) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return str(lines[0])


def _multi(path: Path, *, days: int = 3, cpu_peak: float = 40.0, free_gib: float = 12.0) -> Path:
    """CPU percent with a daily peak plus a flat FreeableMemory, 5-minute steps."""
    n = days * 288
    hour = (np.arange(n) % 288) / 12
    cpu = 5 + cpu_peak * ((hour >= 9) & (hour < 17))
    rows = [f"{format_ts(T0 + 300 * i)},orders,CPUUtilization,percent,{cpu[i]:.2f}\n" for i in range(n)]
    free = int(free_gib * 2**30)
    rows += [f"{format_ts(T0 + 300 * i)},orders,FreeableMemory,bytes,{free}\n" for i in range(n)]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_a_step_that_does_not_divide_the_plan_step_is_read_on_a_grid_that_does_and_says_so(
    tmp_path: Path,
) -> None:
    # 420-s samples: the history is read on 450 s (the smallest divisor of 900 s at or above 420)
    rows = [
        f"{format_ts(T0 + 420 * i)},orders,CPUUtilization,percent,{30 + (i % 20):.2f}\n" for i in range(822)
    ]
    csv = tmp_path / "s420.csv"
    csv.write_text(HEADER + "".join(rows), encoding="utf-8")

    result = runner.invoke(app, ["recommend", "--input", str(csv), "--max-acu", "16"])

    assert result.exit_code == 0, result.output
    assert (
        "inputs: read on a 450-s grid (samples every 420 s): the history's step divides the plan's, and "
        "each sample counts in every step it overlaps"
    ) in result.stdout.splitlines()
    five = runner.invoke(app, ["recommend", "--input", str(_multi(tmp_path / "m.csv")), "--max-acu", "16"])
    assert five.exit_code == 0 and "read on a" not in five.stdout  # 300-s samples on the 300-s grid


def test_percent_without_max_acu_is_an_error_not_128(tmp_path: Path) -> None:
    csv = _multi(tmp_path / "m.csv")

    line = _error(runner.invoke(app, ["recommend", "--input", str(csv)]))

    assert line == (
        "error: --max-acu: signal 'CPUUtilization' (cpu percent) is measured against MaxCapacity: "
        "give --max-acu"
    )


def test_several_signals_keep_the_working_set_floor_and_name_the_binding_signal(tmp_path: Path) -> None:
    csv = _multi(tmp_path / "m.csv", free_gib=12.0)  # at MaxCapacity 16 (32 GiB): 20 GiB in use = 10 ACU
    out = tmp_path / "rec.json"

    result = runner.invoke(app, ["recommend", "-i", str(csv), "--max-acu", "16", "--json", str(out)])

    assert result.exit_code == 0, result.output
    rec = Recommendation.model_validate(json.loads(out.read_text()))
    assert rec.cluster_id == "orders"
    assert min(c.min_capacity_acu for c in rec.settings.capacity_changes) >= 10.0
    assert any("MinCapacity stays at least 10 ACU to hold the memory working set" in r for r in rec.reasons)
    assert any("FreeableMemory bound in 100% of the steps" in r for r in rec.reasons)
    assert (
        "signals: CPUUtilization (percent, statistic not given: values read as given, 864 points every 300 s)"
        in result.stdout
    )


def test_config_file_sets_the_cluster_and_options_override_it(tmp_path: Path) -> None:
    csv = _multi(tmp_path / "m.csv", free_gib=28.0)
    config = tmp_path / "c.toml"
    config.write_text(
        '[cluster]\ncluster_id = "from-file"\nmax_acu = 16\nregion = "eu-central-1"\n'
        'az_ids = ["euc1-az1", "euc1-az2", "euc1-az3"]\nread_frac = 0.2\nprice_usd_per_acu_hour = 0.14\n'
        'risk_quantile = 0.95\ntimezone = "Europe/Berlin"\n',
        encoding="utf-8",
    )
    out = tmp_path / "rec.json"

    result = runner.invoke(
        app, ["recommend", "-i", str(csv), "--config", str(config), "--cluster-id", "cli", "--json", str(out)]
    )

    assert result.exit_code == 0, result.output
    rec = Recommendation.model_validate(json.loads(out.read_text()))
    assert rec.cluster_id == "cli"
    assert "warning: the rows name cluster 'orders'; planned as 'cli' (--cluster-id)" in result.output
    assert rec.risk_quantile == 0.95
    assert {r.az_id for r in rec.settings.readers} <= {"euc1-az2", "euc1-az3"}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("[cluster]\nmax_acu = 'x'\n", "error: c.toml: cluster.max_acu: Input should be a valid"),
        pytest.param("[cluster]\nmaxacu = 16\n", "error: c.toml: cluster.maxacu: Extra inputs are not"),
        pytest.param("[cluster\n", "error: c.toml: not TOML"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(tmp_path: Path, text: str, line: str) -> None:
    csv = _multi(tmp_path / "m.csv", days=1)
    config = tmp_path / "c.toml"
    config.write_text(text, encoding="utf-8")

    assert _error(runner.invoke(app, ["recommend", "-i", str(csv), "--config", str(config)])).startswith(line)


@pytest.mark.parametrize(
    ("text", "options", "line"),
    [
        pytest.param(  # was '--min-acu 8 exceeds --max-acu 4', flags never given
            "[cluster]\nmin_acu = 8\nmax_acu = 4\n",
            [],
            "error: cluster.min_acu 8 exceeds cluster.max_acu 4 (c.toml): MinCapacity must not exceed "
            "MaxCapacity",
            id="min-above-max",
        ),
        pytest.param(
            "[cluster]\nmax_acu = 4\n",
            ["--min-acu", "8"],
            "error: --min-acu 8 exceeds cluster.max_acu 4 (c.toml): MinCapacity must not exceed MaxCapacity",
            id="option-above-file",
        ),
        pytest.param(
            "[cluster]\nmin_acu = 8\nmax_acu = 4\n",
            ["--min-acu", "2", "--max-acu", "1"],
            "error: --min-acu 2 exceeds --max-acu 1: MinCapacity must not exceed MaxCapacity",
            id="options-win",
        ),
        pytest.param(
            "[cluster]\nmax_acu = 300\n",
            [],
            "error: cluster.max_acu 300 (c.toml): Input should be less than or equal to 256",
            id="max-out-of-range",
        ),
        pytest.param(  # was coerced to 16
            '[cluster]\nmax_acu = "16"\n',
            [],
            "error: c.toml: cluster.max_acu: Input should be a valid number, got the string '16' (write a "
            "TOML number, without quotes)",
            id="quoted-number",
        ),
        pytest.param(
            '[deployed]\nmin_acu = "4"\n',
            [],
            "error: c.toml: deployed.min_acu: Input should be a valid number, got the string '4' (write a "
            "TOML number, without quotes)",
            id="quoted-deployed",
        ),
        pytest.param(
            "[cluster]\nrisk_quantile = 0.3\n",
            [],
            "error: cluster.risk_quantile (c.toml): Input should be greater than 0.5",
            id="risk",
        ),
        pytest.param(  # was '--rate: rate signal ... needs its ACU-seconds', a flag never given
            "[signals]\nacu_s_per_unit = {Queries = -1}\n",
            [],
            "error: c.toml: signals.acu_s_per_unit.Queries: Input should be greater than 0",
            id="negative-rate",
        ),
        pytest.param(
            "[signals]\nacu_s_per_unit = {Queries = nan}\n",
            [],
            "error: c.toml: signals.acu_s_per_unit.Queries: Input should be a finite number",
            id="nan-rate",
        ),
        pytest.param(
            '[cluster]\ntimezone = "Mars/Base"\n',
            [],
            "error: cluster.timezone (c.toml): unknown IANA time zone 'Mars/Base' (e.g. Europe/Berlin, "
            "America/New_York)",
            id="timezone",
        ),
        pytest.param(
            '[cluster]\nregion = "eu-west-2"\n',
            ["--max-acu", "64"],
            "error: cluster.region eu-west-2 (c.toml): give its AZ IDs with cluster.az_ids (at least two, "
            'e.g. az_ids = ["euw2-az1", "euw2-az2"]); the default AZs are us-east-1\'s',
            id="region-without-az-ids",
        ),
        pytest.param(  # was '--deployed-min-acu=100.0 is outside [...]'
            "[cluster]\nmax_acu = 64\n[deployed]\nmin_acu = 100\n",
            [],
            "error: c.toml: deployed.min_acu=100.0 is outside [--min-acu=0.5, cluster.max_acu=64.0]",
            id="deployed-above-max",
        ),
        pytest.param(  # was '--deployed-failover-az=...'
            '[deployed]\nmin_acu = 4\nfailover_az_id = "use1-az1"\n',
            ["--max-acu", "64"],
            "error: c.toml: deployed.failover_az_id='use1-az1' must be an AZ of --az other than the writer's "
            "('use1-az1')",
            id="deployed-failover-in-writer-az",
        ),
    ],
)
def test_a_config_value_is_named_by_its_key_in_the_file(
    tmp_path: Path, text: str, options: list[str], line: str
) -> None:
    """Errors in values from --config named CLI flags the user never passed."""
    csv = _multi(tmp_path / "m.csv")
    config = tmp_path / "c.toml"
    config.write_text(text, encoding="utf-8")

    result = runner.invoke(app, ["recommend", "-i", str(csv), "--config", str(config), *options])

    assert _error(result) == line


def test_all_bad_rows_are_reported_in_one_line(tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(
        HEADER + "2024-05-06T00:00:00Z,db,cpu,percent,101\n2024-05-06T00:05:00Z,db,cpu,percent,x\n"
        "2024-05-06T00:10:00Z,db,cpu,percent,5\n",
        encoding="utf-8",
    )

    line = _error(runner.invoke(app, ["recommend", "-i", str(csv), "--max-acu", "16"]))

    assert line == (
        "error: bad.csv row 2, field 'value': 101 percent is outside 0-100 (and 1 more problem: "
        "bad.csv row 3, field 'value': 'x' is not a number)"
    )


@pytest.mark.parametrize("command", ["recommend", "advise"])
@pytest.mark.parametrize("format", [None, "prometheus"], ids=["sniffed", "prometheus"])
def test_a_prometheus_error_response_says_prometheus_error_and_names_the_file(
    tmp_path: Path, command: str, format: str | None
) -> None:
    """Sniffed, it was read as CloudWatch: ``pages.0, field 'MetricDataResults': ...`` without the file."""
    path = tmp_path / "prom.json"
    path.write_text('{"status":"error","errorType":"timeout","error":"query timed out"}', encoding="utf-8")
    given = [] if format is None else ["--format", format]

    line = _error(runner.invoke(app, [command, "-i", str(path), "--max-acu", "16", *given]))

    assert line == "error: prom.json response, field 'status': Prometheus response: query timed out"


def test_a_cloudwatch_problem_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cw.json"
    result = {"Id": "acu", "Label": "ServerlessDatabaseCapacity", "Timestamps": [T0], "Values": ["1"]}
    path.write_text(json.dumps({"MetricDataResults": [result]}), encoding="utf-8")

    line = _error(runner.invoke(app, ["recommend", "-i", str(path), "--max-acu", "16"]))

    assert line == (
        "error: cw.json pages.0.MetricDataResults.0, field 'Values.0': '1' is not a number "
        "(a JSON number is expected)"
    )


def test_stale_data_holds_the_deployed_layout(tmp_path: Path) -> None:
    csv = _multi(tmp_path / "m.csv", free_gib=30.0)
    now = format_ts(T0 + 3 * 86_400 + 2 * 3600)  # two hours after the last sample
    out = tmp_path / "rec.json"

    result = runner.invoke(
        app,
        ["recommend", "-i", str(csv), "--max-acu", "16", "--now", now, "--deployed-min-acu", "6",
         "--deployed-failover-az", "use1-az2", "--json", str(out)],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    rec = Recommendation.model_validate(json.loads(out.read_text()))
    assert rec.data_quality is not None and rec.data_quality.held
    assert rec.data_quality.flags[0].startswith("stale: the last sample ends 120 min before now")
    assert min(c.min_capacity_acu for c in rec.settings.capacity_changes) >= 6.0
    assert "HELD at the deployed layout" in result.stdout


def test_the_shipped_cloudwatch_example_runs(tmp_path: Path) -> None:
    out = tmp_path / "rec.json"

    result = runner.invoke(
        app,
        ["recommend", "-i", str(EXAMPLES / "orders-db-cloudwatch.json"), "--config",
         str(EXAMPLES / "orders-db.toml"), "--json", str(out)],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    rec = Recommendation.model_validate(json.loads(out.read_text()))
    assert rec.cluster_id == "orders-db"
    assert "CPUUtilization: the Maximum statistic is used; Average ignored" in result.stdout
    assert any("max_connections" in w and "reboot" in w for w in rec.warnings)
    assert any("FreeableMemory bound in" in r for r in rec.reasons)
    assert rec.data_quality is not None and not rec.data_quality.flags


def test_partial_cloudwatch_export_flags_and_holds(tmp_path: Path) -> None:
    pages = json.loads((EXAMPLES / "orders-db-cloudwatch.json").read_text())
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(pages[:1]), encoding="utf-8")  # the second page was never fetched
    out = tmp_path / "rec.json"

    result = runner.invoke(
        app,
        ["recommend", "-i", str(partial), "--config", str(EXAMPLES / "orders-db.toml"), "--json", str(out)],
    )

    assert result.exit_code == 0, result.output
    rec = Recommendation.model_validate(json.loads(out.read_text()))
    assert rec.data_quality is not None and rec.data_quality.held
    assert "CPUUtilization (query Id cpu_max): the last page has a NextToken; more data was not fetched" in (
        rec.data_quality.flags
    )


def test_console_export_with_a_naive_local_clock(tmp_path: Path) -> None:
    rows = "".join(f"2024-05-0{6 + i // 288} {(i % 288) // 12:02d}:{(i % 12) * 5:02d}:00,{2 + (i % 7)}\n"
                   for i in range(2 * 288))  # fmt: skip
    csv = tmp_path / "console.csv"
    csv.write_text("Timestamp,Value\n" + rows, encoding="utf-8")

    args = ["recommend", "-i", str(csv), "--signal", "ServerlessDatabaseCapacity"]
    naive = _error(runner.invoke(app, args))
    assert naive.startswith("error: console.csv row 2, field 'Timestamp': '2024-05-06 00:00:00' has no UTC")

    result = runner.invoke(app, [*args, "--timezone", "America/New_York"])
    assert result.exit_code == 0, result.output
    assert "cluster cluster-1: plan for 12 x 900 s from 2024-05-08T04:00Z" in result.stdout


def _office_hours(n: int, night: float, day: float) -> list[float]:
    """``night`` outside 09:00-17:00 UTC, ``day`` inside, for ``n`` 5-minute steps from T0."""
    return [day if 9 <= (i % 288) // 12 < 17 else night for i in range(n)]


def test_prometheus_range_query_json(tmp_path: Path) -> None:
    values: list[list[Any]] = [[T0 + 300 * i, f"{v:g}"] for i, v in enumerate(_office_hours(2 * 288, 3, 6))]
    values[10][1] = "NaN"  # 00:50 on the first day: no value
    prom = tmp_path / "prom.json"
    prom.write_text(json.dumps({"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {"__name__": "ServerlessDatabaseCapacity", "instance": "writer"}, "values": values},
    ]}}), encoding="utf-8")  # fmt: skip
    out = tmp_path / "rec.json"

    result = runner.invoke(app, ["recommend", "--input", str(prom), "--json", str(out)])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith(
        "inputs: prom.json: 575 points; signals: ServerlessDatabaseCapacity (acu, statistic not given: "
        "values read as given, 575 points "
        "every 300 s, 1 hole"
    )
    assert "cluster cluster-1: plan for 12 x 900 s from 2024-05-08T00:00Z" in result.stdout
    assert "warning: 1 NaN samples (Prometheus: no value) were skipped as missing" in result.stdout
    rec = Recommendation.model_validate(json.loads(out.read_text()))
    assert [s.demand_p50_acu for s in rec.steps] == [3.0] * 12  # the night level, in ACU as exported
    assert rec.data_quality is not None and rec.data_quality.n_gaps == 1
    assert format_ts(int(rec.data_quality.gaps[0].start.timestamp())) == "2024-05-06T00:50:00Z"


def test_parquet_wide_file(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 2 * 288
    ts = pa.array([T0 + 300 * i for i in range(n)], pa.timestamp("s", tz="UTC"))
    parquet = tmp_path / "m.parquet"
    pq.write_table(pa.table({"ts": ts, "CPUUtilization": _office_hours(n, 25.0, 50.0)}), parquet)
    out = tmp_path / "rec.json"

    assert _error(runner.invoke(app, ["recommend", "--input", str(parquet)])) == (
        "error: --max-acu: signal 'CPUUtilization' (cpu percent) is measured against MaxCapacity: "
        "give --max-acu"
    )
    result = runner.invoke(app, ["recommend", "--input", str(parquet), "--max-acu", "16", "--json", str(out)])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "inputs: m.parquet: 576 points; signals: CPUUtilization (percent, statistic not given: "
        "values read as given, 576 points every 300 s)"
    )
    assert "  2024-05-08 00:00Z  0.5 / 16" in result.stdout
    rec = Recommendation.model_validate(json.loads(out.read_text()))
    assert [s.demand_p50_acu for s in rec.steps] == [4.0] * 12  # 25% of MaxCapacity 16 ACU
    assert rec.data_quality is not None and rec.data_quality.flags == () and rec.data_quality.n_gaps == 0


def test_rate_signal_needs_rate_or_peak(tmp_path: Path) -> None:
    csv = tmp_path / "q.csv"
    csv.write_text(HEADER + "".join(f"{format_ts(T0 + 300 * i)},db,Queries,per_s,{100 + i % 5}\n"
                                    for i in range(300)), encoding="utf-8")  # fmt: skip

    line = _error(runner.invoke(app, ["recommend", "-i", str(csv)]))
    assert "--peak-acu is required for unit 'per_s' (Queries)" in line and "--rate Queries=ACU_S" in line

    out = tmp_path / "rec.json"
    ok = runner.invoke(app, ["recommend", "-i", str(csv), "--rate", "Queries=0.05", "--json", str(out)])
    assert ok.exit_code == 0, ok.output
    rec = Recommendation.model_validate(json.loads(out.read_text()))
    assert rec.steps[0].demand_p50_acu == pytest.approx(5.1, abs=0.3)  # ~102 queries/s x 0.05 ACU-s
    assert _error(runner.invoke(app, ["recommend", "-i", str(csv), "--rate", "Queries"])) == (
        "error: --rate: 'Queries' is not NAME=VALUE (e.g. Queries=0.002)"
    )


@pytest.mark.parametrize(
    ("options", "line"),
    [
        (
            ["--writer-az", "use1-az9"],
            "error: --region/--az/--writer-az: writer_az_id 'use1-az9' is not one of az_ids "
            "['use1-az1', 'use1-az2', 'use1-az4']",
        ),
        (
            ["--region", "eu-central-1", "--az", "euc1-az1", "--az", "euc1-az1"],
            "error: --region/--az/--writer-az: az_ids must be unique, got ['euc1-az1', 'euc1-az1']",
        ),
        (
            ["--min-acu", "0.3"],  # named with its own value, not --max-acu's
            "error: --min-acu 0.3: 0.3 is not a multiple of 0.5 ACU (Serverless v2 moves in 0.5-ACU steps)",
        ),
        (
            ["--min-acu", "20"],  # the pair is at fault: both named, not '--max-acu 16: min_acu 20.0 ...'
            "error: --min-acu 20 exceeds --max-acu 16: MinCapacity must not exceed MaxCapacity",
        ),
        (
            ["--deployed-reader", "euc1-az2=abc"],
            "error: --deployed-reader: 'euc1-az2=abc' is not NAME=VALUE (e.g. euc1-az2=1)",
        ),
        # the deployed layout's checks run in policy.recommend: named by the options, not previous.*
        (
            ["--deployed-min-acu", "1", "--deployed-reader", "use1-az2=-1"],
            "error: --deployed-reader counts must be >= 0",
        ),
        (
            ["--deployed-min-acu", "1", "--deployed-failover-az", "use1-az9"],
            "error: --deployed-failover-az='use1-az9' must be an AZ of --az other than the writer's "
            "('use1-az1')",
        ),
        (
            ["--deployed-min-acu", "1", "--deployed-reader", "use1-az2=99"],
            "error: --deployed-reader: previous layout has 99 readers, more than limits.max_readers=15",
        ),
    ],
)
def test_topology_and_layout_errors_name_their_options(options: list[str], line: str) -> None:
    result = runner.invoke(
        app, ["recommend", "-i", str(EXAMPLES / "orders-db-cloudwatch.json"), "--max-acu", "16", *options]
    )

    assert _error(result) == line


@pytest.mark.parametrize(
    "option", [["--deployed-reader", "use1-az4=16"], ["--deployed-failover-az", "use1-az2"]]
)
def test_a_deployed_layout_without_its_min_capacity_is_refused_not_ignored(
    tmp_path: Path, option: list[str]
) -> None:
    csv = _multi(tmp_path / "m.csv", free_gib=30.0)
    result = runner.invoke(app, ["recommend", "-i", str(csv), "--max-acu", "16", *option])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        f"error: {option[0]} describes the layout deployed now, which starts from its MinCapacity: "
        "give --deployed-min-acu too"
    )


def test_a_region_is_priced_and_placed_as_that_region(tmp_path: Path) -> None:
    csv = _multi(tmp_path / "m.csv", free_gib=30.0)
    base = ["recommend", "-i", str(csv), "--max-acu", "16"]
    # us-east-1's AZs in eu-west-2 are refused; its Standard price is eu-west-2's ($0.14), not $0.12.
    assert _error(runner.invoke(app, [*base, "--region", "eu-west-2"])) == (
        "error: --region eu-west-2: give its AZ IDs with --az (at least two, e.g. --az euw2-az1 --az "
        "euw2-az2); the default AZs are us-east-1's"
    )
    for bad, az in [("mars-1", []), ("EU-WEST-2", []), ("mars-1", ["--az", "use1-az1", "--az", "use1-az2"])]:
        result = runner.invoke(app, [*base, "--region", bad, *az])  # a traceback; a bad hint; a raw pattern
        assert result.exit_code == 2 and _error(result) == (
            f"error: --region: '{bad}' is not an AWS region name such as us-east-1 (lower case)"
        )
    out = tmp_path / "rec.json"
    ok = runner.invoke(
        app, [*base, "--region", "eu-west-2", "--az", "euw2-az1", "--az", "euw2-az2", "--json", str(out)]
    )
    assert ok.exit_code == 0, ok.output
    rec = Recommendation.model_validate(json.loads(out.read_text()))
    hours = sum(s.capacity_acu for s in rec.steps) * rec.step_s / 3600
    assert rec.expected_cost_usd == pytest.approx(hours * 0.14)
    unknown = runner.invoke(app, [*base, "--region", "eu-central-1", "--az", "euc1-az1", "--az", "euc1-az2"])
    assert unknown.exit_code == 0 and unknown.output.rstrip().endswith(
        "warning: --region eu-central-1: no price known for eu-central-1: us-east-1 rates assumed "
        "(override them); give --price"
    )


def test_the_default_now_is_the_end_of_the_last_samples_period(tmp_path: Path) -> None:
    # An hourly datapoint stamped 23:00 covers until 00:00 (CloudWatch stamps the start of
    # its period): the plan starts at 00:00, not at the end of the 15-min step holding 23:00.
    rows = [
        f"{format_ts(T0 + h * 3600)},c1,ServerlessDatabaseCapacity,acu,{2 + 3 * (h % 24 > 8)}"
        for h in range(96)
    ]
    csv = tmp_path / "hourly.csv"
    csv.write_text(HEADER + "\n".join(rows) + "\n")
    out = tmp_path / "rec.json"

    result = runner.invoke(app, ["recommend", "-i", str(csv), "--json", str(out)])

    assert result.exit_code == 0, result.output
    rec = Recommendation.model_validate(json.loads(out.read_text()))
    assert rec.generated_at.timestamp() == T0 + 96 * 3600
    assert len(rec.steps) == 12


def test_a_region_that_is_not_the_config_files_azs_is_refused(tmp_path: Path) -> None:
    base = ["recommend", "-i", str(EXAMPLES / "orders-db-cloudwatch.json")]
    config = ["--config", str(EXAMPLES / "orders-db.toml")]

    overridden = runner.invoke(app, [*base, *config, "--region", "us-west-2"])

    assert _error(overridden) == (
        "error: --region/cluster.az_ids (orders-db.toml): az_ids ['euc1-az1', 'euc1-az2', 'euc1-az3'] "
        "are not in us-west-2: its AZ IDs start with usw2- (e.g. usw2-az1)"
    )
    # the file alone can disagree with itself
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[cluster]\nmax_acu = 16\nregion = "us-west-2"\naz_ids = ["euc1-az1", "euc1-az2"]\n', encoding="utf-8"
    )
    assert _error(runner.invoke(app, [*base, "--config", str(bad)])) == (
        "error: cluster.region/cluster.az_ids (bad.toml): az_ids ['euc1-az1', 'euc1-az2'] are not in "
        "us-west-2: its AZ IDs start with usw2- (e.g. usw2-az1)"
    )
    # so can the options, and --az fixes the override
    options = ["--max-acu", "16", "--region", "us-west-2", "--az", "euc1-az1", "--az", "usw2-az2"]
    assert _error(runner.invoke(app, [*base, *options])) == (
        "error: --region/--az: az_ids ['euc1-az1'] is not in us-west-2: its AZ IDs start with usw2- "
        "(e.g. usw2-az1)"
    )
    fixed = runner.invoke(
        app, [*base, *config, "--region", "us-west-2", "--az", "usw2-az1", "--az", "usw2-az2",
              "--writer-az", "usw2-az1", "--deployed-failover-az", "usw2-az2"],
    )  # fmt: skip
    assert fixed.exit_code == 0, fixed.output


def test_a_malformed_az_id_names_the_az_option() -> None:
    # It said "az_ids.0: String should match pattern ..." without naming --az (now what an AZ ID is).
    result = runner.invoke(
        app,
        [
            "recommend",
            "-i",
            str(EXAMPLES / "orders-db-cloudwatch.json"),
            "--max-acu",
            "16",
            "--az",
            "only-one",
        ],
    )
    assert result.exit_code == 2
    assert _error(result).startswith("error: --az: 'only-one' is not an AZ ID such as use1-az1")


@pytest.mark.parametrize(
    ("signal", "unit", "own"),
    [("CPUUtilization", "acu", "percent"), ("ServerlessDatabaseCapacity", "percent", "acu")],
)
def test_a_known_signal_in_another_unit_is_refused_not_read_by_its_name(
    tmp_path: Path, signal: str, unit: str, own: str
) -> None:
    csv = tmp_path / "u.csv"
    rows = [f"{format_ts(T0 + 300 * i)},orders,{signal},{unit},20\n" for i in range(3 * 288)]
    csv.write_text(HEADER + "".join(rows), encoding="utf-8")

    result = runner.invoke(app, ["recommend", "-i", str(csv), "--max-acu", "16"])

    assert result.exit_code == 2
    assert _error(result) == (  # the file and the row: it named neither ("error: field 'unit': ...")
        f"error: u.csv row 2, field 'unit': signal '{signal}' is in {own}, not '{unit}': correct its unit, "
        f"or rename the signal (or give its kind) if it is not CloudWatch's {signal} (the first of its 864 "
        "samples)"
    ), _error(result)


def test_a_capacity_above_max_acu_is_refused_like_advise_does(tmp_path: Path) -> None:
    csv = tmp_path / "cap.csv"
    values = [8.0 if 84 <= i % 288 < 204 else 1.0 for i in range(4 * 288)]
    rows = [
        f"{format_ts(T0 + 300 * i)},orders,ServerlessDatabaseCapacity,acu,{v}\n" for i, v in enumerate(values)
    ]
    csv.write_text(HEADER + "".join(rows), encoding="utf-8")

    result = runner.invoke(app, ["recommend", "-i", str(csv), "--max-acu", "4"])

    assert result.exit_code == 2
    assert _error(result).startswith("error: --max-acu: the observed capacity reached 8 ACU at "), _error(
        result
    )
    assert "(480 of 1152 steps above MaxCapacity), above MaxCapacity 4: Aurora never runs" in _error(result)
    assert runner.invoke(app, ["recommend", "-i", str(csv), "--max-acu", "8"]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "line"),
    [
        pytest.param(  # it planned as if --signal were not given
            ["--signal", "Bogus"],
            "error: --signal 'Bogus': no input is a Timestamp,Value export or a Timestamp,<statistic> "
            "one (Timestamp,Average), the only layouts whose metric it "
            "names (it selects no signal); the inputs name their own: CPUUtilization (percent), "
            "FreeableMemory (bytes)",
            id="signal-for-a-canonical-csv",
        ),
        pytest.param(
            ["--signal", "CPUUtilization"],  # it does not select CPU out of the two signals either
            "error: --signal 'CPUUtilization': no input is a Timestamp,Value export or a "
            "Timestamp,<statistic> one (Timestamp,Average), the only layouts whose "
            "metric it names (it selects no signal); the inputs name their own: CPUUtilization (percent), "
            "FreeableMemory (bytes)",
            id="signal-naming-one-of-the-signals",
        ),
        pytest.param(
            ["--rate", "Nope=3"],
            "error: --rate Nope=3: the input has no signal 'Nope'; it has: CPUUtilization (percent), "
            "FreeableMemory (bytes)",
            id="rate-for-no-signal",
        ),
        pytest.param(
            ["--rate", "cpuutilization=3"],
            "error: --rate cpuutilization=3: the input has no signal 'cpuutilization' (names are "
            "case-sensitive: 'CPUUtilization'?); it has: CPUUtilization (percent), FreeableMemory (bytes)",
            id="rate-in-another-case",
        ),
        pytest.param(
            ["--rate", "CPUUtilization=0.002"],
            "error: --rate CPUUtilization=0.002: signal 'CPUUtilization' is in percent, not a rate: a "
            "coefficient costs the events of a signal in per_s or count (e.g. Queries)",
            id="rate-for-a-percent-signal",
        ),
        pytest.param(
            ["--peak-acu", "10"],
            "error: --peak-acu 10: no signal is a rate or relative series without a --rate, the only ones "
            "it maps; the input has: CPUUtilization (percent), FreeableMemory (bytes)",
            id="peak-for-a-demand-csv",
        ),
    ],
)
def test_an_option_that_would_change_nothing_is_an_error_naming_it(
    tmp_path: Path, args: list[str], line: str
) -> None:
    csv = _multi(tmp_path / "m.csv")

    result = runner.invoke(app, ["recommend", "-i", str(csv), "--max-acu", "16", *args])

    assert _error(result) == line
    assert result.stdout == ""


def test_the_config_files_unused_signal_settings_are_warnings(tmp_path: Path) -> None:
    # a config file may describe more signals than one export holds: warned about, not refused
    csv = _multi(tmp_path / "m.csv")
    config = tmp_path / "c.toml"
    config.write_text(
        '[cluster]\nmax_acu = 16\n[signals]\nsignal = "CPUUtilization"\nacu_s_per_unit = {Queries = 0.002}\n',
        encoding="utf-8",
    )

    result = runner.invoke(app, ["recommend", "-i", str(csv), "--config", str(config)])

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: signals.acu_s_per_unit.Queries (c.toml) is not used: the input has no signal 'Queries'; "
        "it has: CPUUtilization (percent), FreeableMemory (bytes)",
        "warning: signals.signal 'CPUUtilization' (c.toml) is not used: no input is a Timestamp,Value "
        "export or a Timestamp,<statistic> one (Timestamp,Average), the only layouts whose metric it "
        "names (it selects no signal); the inputs name their own: "
        "CPUUtilization (percent), FreeableMemory (bytes)",
    ]


def test_signal_rate_and_peak_that_are_used_are_accepted(tmp_path: Path) -> None:
    n = 3 * 288
    queries = tmp_path / "q.csv"  # a rate costed by --rate, a relative series scaled by --peak-acu
    rows = [f"{format_ts(T0 + 300 * i)},orders,Queries,per_s,{100 + i % 50}\n" for i in range(n)]
    rows += [f"{format_ts(T0 + 300 * i)},orders,load,relative,{1 + i % 7}\n" for i in range(n)]
    queries.write_text(HEADER + "".join(rows), encoding="utf-8")
    console = tmp_path / "console.csv"  # a Timestamp,Value export: --signal names its metric
    console.write_text(
        "Timestamp,Value\n" + "".join(f"{format_ts(T0 + 300 * i)},{2 + i % 3}\n" for i in range(n)),
        encoding="utf-8",
    )

    result = runner.invoke(
        app,
        ["recommend", "-i", str(queries), "-i", str(console), "--signal", "ServerlessDatabaseCapacity",
         "--rate", "Queries=0.01", "--peak-acu", "4"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_an_unterminated_quote_is_one_line_naming_the_file_and_row(tmp_path: Path) -> None:
    # it was 'error: m.csv row 4: row has 2 fields, expected 5', the row the swallowed text ended on
    csv = tmp_path / "m.csv"
    csv.write_text(
        HEADER + "2024-05-06T12:00:00Z,orders,ServerlessDatabaseCapacity,acu,4\n"
        '2024-05-06T12:05:00Z,"orders,ServerlessDatabaseCapacity,acu,5\n'
        "2024-05-06T12:10:00Z,orders,ServerlessDatabaseCapacity,acu,6\n",
        encoding="utf-8",
    )

    line = _error(runner.invoke(app, ["recommend", "--input", str(csv)]))

    assert line == (
        "error: m.csv row 3: unterminated quote: the '\"' that opens a field on this row is never closed "
        "(the file ends inside it); close it, or remove it"
    )


@pytest.mark.parametrize(("blank", "said"), [("", "empty"), ("   ", "blank")])
def test_an_empty_or_blank_cluster_id_is_refused_as_advise_refuses_it(
    tmp_path: Path, blank: str, said: str
) -> None:
    csv = _multi(tmp_path / "m.csv", days=1)
    out = tmp_path / "rec.json"
    config = tmp_path / "c.toml"
    config.write_text(f'[cluster]\ncluster_id = "{blank}"\n', encoding="utf-8")

    option = runner.invoke(app, ["recommend", "-i", str(csv), "--cluster-id", blank, "--json", str(out)])
    in_file = runner.invoke(
        app, ["recommend", "-i", str(csv), "--config", str(config), "--cluster-id", "cli", "--json", str(out)]
    )

    assert _error(option) == (
        f"error: --cluster-id: {said}; give the cluster's name (e.g. --cluster-id orders-db) or leave the "
        "option out"
    )
    assert _error(in_file) == (
        f"error: c.toml: cluster.cluster_id: {said}; give the cluster's name (e.g. cluster_id = "
        '"orders-db") or leave the key out'
    )
    assert not out.exists()
