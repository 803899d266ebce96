"""The ``acuplan`` CLI through typer's CliRunner: output, exit codes and one-line errors."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from policy import Recommendation, ReplayReport
from service.cli import app
from traces import diurnal_demand, format_ts, list_bundled

runner = CliRunner()
HEADER = "ts,cluster_id,signal,unit,value\n"


def _write_csv(path: Path, t0: datetime, values: Any, unit: str = "acu") -> Path:
    start = int(t0.timestamp())
    rows = (f"{format_ts(start + 300 * i)},db-1,load,{unit},{float(v):.3f}\n" for i, v in enumerate(values))
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _assert_one_line_error(result: Any, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for part in parts:
        assert part in lines[0]


def test_traces_lists_bundled_names() -> None:
    result = runner.invoke(app, ["traces"])

    assert result.exit_code == 0
    assert result.stdout.splitlines() == list_bundled()


def test_replay_unknown_trace_is_one_line_exit_2() -> None:
    result = runner.invoke(app, ["replay", "--trace", "nope"])

    _assert_one_line_error(result, "unknown bundled trace 'nope'", list_bundled()[0])


@pytest.mark.parametrize(
    ("args", "part"),
    [
        pytest.param(["--policies", "reactive,bogus"], "--policies", id="unknown_policy"),
        pytest.param(["--max-acu", "0.7"], "--max-acu", id="off_grid_max_acu"),
        pytest.param(["--read-frac", "2"], "--read-frac", id="read_frac_above_1"),
        pytest.param(["--replan-every-min", "600"], "replan_every_s", id="replan_beyond_horizon"),
    ],
)
def test_replay_bad_option_values_are_one_line_exit_2(args: list[str], part: str) -> None:
    result = runner.invoke(app, ["replay", "--trace", list_bundled()[0], *args])

    _assert_one_line_error(result, part)


def test_replay_missing_required_option_is_a_usage_error() -> None:
    result = runner.invoke(app, ["replay"])

    assert result.exit_code == 2
    assert "--trace" in result.output


def test_replay_baselines_on_a_bundled_trace_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "report.json"

    result = runner.invoke(
        app, ["replay", "--trace", "rds-cpu-cc0c53", "--policies", "reactive,static-peak", "--json", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert "static-peak" in result.stdout and "cost USD" in result.stdout
    report = ReplayReport.model_validate(json.loads(out.read_text()))
    assert list(report.scores) == ["reactive", "static-peak"]
    assert report.trace == "rds-cpu-cc0c53"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temp file left behind


@pytest.mark.slow
def test_replay_all_policies_on_a_bundled_trace(tmp_path: Path) -> None:
    # ~45 s: 289 CP-SAT re-plans each for acuplan and oracle over 14 days.
    out = tmp_path / "report.json"

    result = runner.invoke(app, ["replay", "--trace", "rds-cpu-cc0c53", "--json", str(out)])

    assert result.exit_code == 0, result.output
    report = ReplayReport.model_validate(json.loads(out.read_text()))
    assert list(report.scores) == ["reactive", "static-peak", "acuplan", "oracle"]
    assert report.scores["oracle"].cost_vs_oracle == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("content", "parts"),
    [
        pytest.param(
            HEADER + "2024-05-06T00:00:00Z,db-1,load,acu,abc\n",
            ("bad.csv row 2, field 'value'", "not a number"),
            id="non_numeric_value",
        ),
        pytest.param("ts,value\n2024-05-06T00:00:00Z,1\n", ("bad.csv row 1", "header"), id="bad_header"),
        pytest.param(
            HEADER + "2024-05-06T00:05:00Z,db-1,load,acu,1\n2024-05-06T00:00:00Z,db-1,load,acu,1\n",
            ("bad.csv row 3, field 'ts'", "strictly increasing"),
            id="decreasing_ts",
        ),
        pytest.param("", ("bad.csv", "empty"), id="empty_file"),
    ],
)
def test_recommend_malformed_csv_reports_the_loader_message(
    tmp_path: Path, content: str, parts: tuple[str, ...]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")

    result = runner.invoke(app, ["recommend", "--csv", str(path)])

    _assert_one_line_error(result, *parts)


def test_recommend_missing_file_is_one_line_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["recommend", "--csv", str(tmp_path / "absent.csv")])

    _assert_one_line_error(result, "absent.csv")


def test_recommend_happy_path_prints_summary_and_writes_json(tmp_path: Path, grid: Any) -> None:
    csv = _write_csv(tmp_path / "db.csv", grid.t0, diurnal_demand(3 * 288, seed=3, base_acu=2, peak_acu=12))
    out = tmp_path / "rec.json"

    result = runner.invoke(app, ["recommend", "--csv", str(csv), "--max-acu", "64", "--json", str(out)])

    assert result.exit_code == 0, result.output
    assert "floor schedule" in result.stdout and "solver: optimal" in result.stdout
    rec = Recommendation.model_validate(json.loads(out.read_text()))
    assert rec.cluster_id == "db-1"
    assert rec.generated_at == grid.t0 + timedelta(days=3)
    assert rec.mode == "ForecastOnly"


def test_recommend_as_of_an_earlier_now_and_percent_unit(tmp_path: Path, grid: Any) -> None:
    percent = diurnal_demand(3 * 288, seed=3, base_acu=10, peak_acu=60)  # read as % of --max-acu
    csv = _write_csv(tmp_path / "cpu.csv", grid.t0, percent.clip(0, 100), unit="percent")
    now = grid.t0 + timedelta(days=2, hours=12)
    out = tmp_path / "rec.json"

    result = runner.invoke(
        app, ["recommend", "--csv", str(csv), "--now", now.isoformat(), "--max-acu", "32", "--json", str(out)]
    )

    assert result.exit_code == 0, result.output
    rec = Recommendation.model_validate(json.loads(out.read_text()))
    assert rec.generated_at == now
    assert max(s.writer_acu for s in rec.steps) <= 32


@pytest.mark.parametrize(
    ("unit", "args", "part"),
    [
        pytest.param("per_s", [], "--peak-acu is required", id="per_s_without_peak"),
        pytest.param("acu", ["--now", "2024-05-08T12:00:00"], "--now", id="naive_now"),
        pytest.param("acu", ["--now", "yesterday"], "--now", id="unparseable_now"),
        pytest.param("acu", ["--now", "2024-05-08T12:01:00Z"], "step grid", id="off_grid_now"),
        pytest.param("acu", ["--now", "2024-05-01T00:00:00Z"], "not after the first", id="now_before_data"),
        pytest.param("acu", ["--step-s", "420"], "multiple of step_s=420", id="policy_rejects_step"),
    ],
)
def test_recommend_bad_options_are_one_line_exit_2(
    tmp_path: Path, grid: Any, unit: str, args: list[str], part: str
) -> None:
    csv = _write_csv(tmp_path / "db.csv", grid.t0, diurnal_demand(3 * 288, seed=3), unit=unit)

    result = runner.invoke(app, ["recommend", "--csv", str(csv), *args])

    _assert_one_line_error(result, part)


def test_json_output_never_clobbers_a_good_file_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "rec.json"
    out.write_text('{"good": true}\n', encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2024-05-06T00:00:00Z,db-1,load,acu,-1\n", encoding="utf-8")

    result = runner.invoke(app, ["recommend", "--csv", str(bad), "--json", str(out)])

    assert result.exit_code == 2
    assert json.loads(out.read_text()) == {"good": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "rec.json"]
