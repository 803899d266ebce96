"""The ``acuplan`` CLI through typer's CliRunner: output, exit codes and one-line errors."""

from __future__ import annotations

import errno
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import service.cli.main
from policy import POLICY_NAMES, Recommendation, ReplayReport
from service.cli.main import app
from traces import diurnal_demand, format_ts, list_bundled

runner = CliRunner()
HEADER = "ts,cluster_id,signal,unit,value\n"
T0 = datetime(2024, 5, 6, tzinfo=UTC)
STEP = timedelta(seconds=300)


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


def _assert_error_line(result: Any, line: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [line]


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
    ],
)
def test_replay_bad_option_values_are_one_line_exit_2(args: list[str], part: str) -> None:
    result = runner.invoke(app, ["replay", "--trace", list_bundled()[0], *args])

    _assert_one_line_error(result, part)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        pytest.param(
            ["--replan-every-min", "1"],
            "error: --replan-every-min 1: replan_every_s=60 must be a multiple of the history step "
            "step_s=300 (5 min)",
            id="replan_below_trace_step",
        ),
        pytest.param(
            ["--replan-every-min", "7"],
            "error: --replan-every-min 7: replan_every_s=420 must be a multiple of the history step "
            "step_s=300 (5 min)",
            id="replan_off_trace_step",
        ),
        pytest.param(
            ["--replan-every-min", "181"],
            "error: --replan-every-min 181: replan_every_s=10860 must be at most the planning horizon "
            "horizon_s=10800 (180 min): each plan covers the time until the next",
            id="replan_beyond_horizon",
        ),
        pytest.param(
            ["--replan-every-min", "99999999"],
            "error: --replan-every-min 99999999: replan_every_s=5999999940 must be at most the planning "
            "horizon horizon_s=10800 (180 min): each plan covers the time until the next",
            id="replan_huge",
        ),
        pytest.param(
            ["--max-acu", "0"],
            "error: --max-acu 0: max_acu must be >= 1 (AWS rejects a maximum of 0.5 ACU)",
            id="zero_max_acu",
        ),
        pytest.param(  # it said ">= 0" (the ACU field's range), a rule -3 breaks but not the one
            ["--max-acu=-3"],
            "error: --max-acu -3: max_acu must be >= 1 (AWS rejects a maximum of 0.5 ACU)",
            id="negative_max_acu",
        ),
        pytest.param(
            ["--max-acu", "nan"], "error: --max-acu must be a finite number, got nan", id="nan_max_acu"
        ),
        pytest.param(
            ["--max-acu", "inf"], "error: --max-acu must be a finite number, got inf", id="inf_max_acu"
        ),
        pytest.param(
            ["--read-frac", "nan"], "error: --read-frac must be a finite number, got nan", id="nan_read_frac"
        ),
        pytest.param(
            ["--ramp-profile", "nope"],
            "error: --ramp-profile: unknown 'nope'; choose from fast, default, slow",
            id="unknown_ramp_profile",
        ),
        pytest.param(  # said "got 'reactive,foo'" without naming foo (QA 64 #3)
            ["--policies", "reactive,foo"],
            "error: --policies: unknown policy 'foo'; choose from reactive, static-peak, vpa, "
            "predictive-scaling, hpa-readers, acuplan, bound",
            id="unknown_policy_named",
        ),
        pytest.param(
            ["--policies", "foo,reactive,bar"],
            "error: --policies: unknown policies 'foo', 'bar'; choose from reactive, static-peak, vpa, "
            "predictive-scaling, hpa-readers, acuplan, bound",
            id="unknown_policies_named",
        ),
        pytest.param(  # was a blank line, then 'policies[1]=...' after the progress bars had started
            ["--policies", "reactive,reactive"],
            "error: --policies: reactive is named twice; name each policy once",
            id="policy_named_twice",
        ),
        pytest.param(
            ["--policies", "bound, reactive,bound"],
            "error: --policies: bound is named twice; name each policy once",
            id="policy_named_twice_with_spaces",
        ),
    ],
)
def test_replay_option_errors_name_the_option(args: list[str], line: str) -> None:
    result = runner.invoke(app, ["replay", "--trace", "rds-cpu-cc0c53", *args])

    _assert_error_line(result, line)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        pytest.param("missing/report.json", "directory {tmp}/missing does not exist", id="no_parent"),
        pytest.param("file.txt/report.json", "{tmp}/file.txt is not a directory", id="parent_is_a_file"),
        pytest.param(".", "is a directory", id="target_is_a_directory"),
    ],
)
def test_replay_checks_the_json_path_before_replaying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, reason: str
) -> None:
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    out = tmp_path / target if target != "." else tmp_path

    def must_not_replay(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("replayed before checking --json")

    monkeypatch.setattr(service.cli.main, "_run_replay", must_not_replay)

    result = runner.invoke(app, ["replay", "--trace", "rds-cpu-cc0c53", "--json", str(out)])

    _assert_error_line(result, f"error: {out}: {reason.format(tmp=tmp_path)}")


def test_replay_prints_the_table_before_a_failed_json_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report.json"

    def disk_full(path: Path, data: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(service.cli.main, "write_json_atomic", disk_full)

    result = runner.invoke(
        app, ["replay", "--trace", "rds-cpu-cc0c53", "--policies", "reactive", "--json", str(out)]
    )

    assert result.exit_code == 2, result.output
    assert [line for line in result.stderr.splitlines() if "error" in line] == [
        f"error: {out}: No space left on device"
    ]  # after the progress bar
    assert "reactive" in result.stdout and "cost USD" in result.stdout


def _row(stdout: str, policy: str) -> list[str]:
    line = next(line for line in stdout.splitlines() if line.startswith(f"│ {policy} "))
    return [cell.strip() for cell in line.strip("│").split("│")]


def test_replay_table_shows_cost_vs_bound_and_slo_share_at_the_ramp_profile(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    base = ["replay", "--trace", "rds-cpu-cc0c53", "--policies", "reactive,static-peak,bound"]

    default = runner.invoke(app, base)
    slow = runner.invoke(app, [*base, "--ramp-profile", "slow", "--json", str(out)])

    assert default.exit_code == 0 and slow.exit_code == 0, slow.output
    assert "ramp profile default" in default.stdout and "ramp profile slow" in slow.stdout
    assert all(len(line) <= 120 for line in slow.stdout.splitlines())  # the quick start's terminal
    scores = ReplayReport.model_validate(json.loads(out.read_text())).scores
    assert scores["bound"].slo_violation_min == 0.0
    assert scores["reactive"].cost_vs_bound == pytest.approx(
        scores["reactive"].cost_usd / scores["bound"].cost_usd, abs=0.01
    )
    assert scores["reactive"].slo_violation_min > 0 and scores["reactive"].slo_share_of_reactive == 1.0
    # Columns: policy, cost, shortfall, SLO min, actions, cost vs bound, SLO share of reactive.
    reactive = _row(slow.stdout, "reactive")
    assert reactive[0] == "reactive" and reactive[5] == f"{scores['reactive'].cost_vs_bound:.2f}x"
    assert reactive[6] == "100%" and _row(slow.stdout, "bound")[5:] == ["1.00x", "0%"]
    # Aurora's scaler climbing 4x slower leaves Aurora alone more SLO minutes on the same trace.
    assert float(reactive[3]) > float(_row(default.stdout, "reactive")[3])


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
    # ~45 s: 289 CP-SAT re-plans each for acuplan and bound over 14 days.
    out = tmp_path / "report.json"

    result = runner.invoke(app, ["replay", "--trace", "rds-cpu-cc0c53", "--json", str(out)])

    assert result.exit_code == 0, result.output
    report = ReplayReport.model_validate(json.loads(out.read_text()))
    assert list(report.scores) == list(POLICY_NAMES)  # every policy, in report order (issue 5)
    assert report.scores["bound"].cost_vs_bound == pytest.approx(1.0)


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
            HEADER + "2024-05-06T00:05:00Z,db-1,load,acu,1\n2024-05-06T00:05:00Z,db-1,load,acu,2\n",
            ("bad.csv row 3, field 'value'", "has 1 and 2 at 2024-05-06T00:05:00Z (also at bad.csv row 2)"),
            id="conflicting_duplicate",
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
    assert f"expected cost over the 3-h horizon: ${rec.expected_cost_usd:,.2f} (" in result.stdout
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
    # the half day after now is left out, and the output says so (144 steps of 300 s)
    assert "warning: 144 observed steps after now (" in result.stdout
    assert "144 observed steps after now" in " ".join(rec.warnings)


@pytest.mark.parametrize(
    ("unit", "args", "part"),
    [
        pytest.param("per_s", [], "--peak-acu is required", id="per_s_without_peak"),
        pytest.param("acu", ["--now", "2024-05-08T12:00:00"], "--now", id="naive_now"),
        pytest.param("acu", ["--now", "yesterday"], "--now", id="unparseable_now"),
        pytest.param("acu", ["--now", "2024-05-08T12:01:00Z"], "step grid", id="off_grid_now"),
        pytest.param("acu", ["--now", "2024-05-01T00:00:00Z"], "not after the first", id="now_before_data"),
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


@pytest.mark.parametrize(
    ("unit", "args", "line"),
    [
        *(
            pytest.param(
                "acu",
                ["--step-s", step],
                f"error: --step-s: step_s={step} must divide the plan step plan_step_s=900: "
                "e.g. 60, 300, 900",
                id=f"step_{step}",
            )
            for step in ("600", "7", "420", "86400")
        ),
        *(
            pytest.param(
                unit,
                ["--peak-acu", peak],
                f"error: --peak-acu must be a finite number > 0, got {peak}",
                id=f"peak_{peak}_{unit}",
            )
            for unit in ("acu", "relative")
            for peak in ("-1", "0", "nan")
        ),
        pytest.param(
            "acu", ["--max-acu", "nan"], "error: --max-acu must be a finite number, got nan", id="nan_max"
        ),
        pytest.param(
            "acu",
            ["--max-acu", "0"],
            "error: --max-acu 0: max_acu must be >= 1 (AWS rejects a maximum of 0.5 ACU)",
            id="zero_max",
        ),
        pytest.param(  # it said ">= 0"
            "acu",
            ["--max-acu=-3"],
            "error: --max-acu -3: max_acu must be >= 1 (AWS rejects a maximum of 0.5 ACU)",
            id="negative_max",
        ),
        pytest.param(  # both bad: each option's own rule, not the other's under its name
            "acu",
            ["--min-acu=-1", "--max-acu=-3"],
            "error: --max-acu -3: max_acu must be >= 1 (AWS rejects a maximum of 0.5 ACU)",
            id="negative_min_and_max",
        ),
    ],
)
def test_recommend_option_errors_name_the_option(
    tmp_path: Path, grid: Any, unit: str, args: list[str], line: str
) -> None:
    csv = _write_csv(tmp_path / "db.csv", grid.t0, diurnal_demand(3 * 288, seed=3), unit=unit)

    result = runner.invoke(app, ["recommend", "--csv", str(csv), *args])

    _assert_error_line(result, line)


@pytest.mark.parametrize(
    ("rows", "args", "line"),
    [
        pytest.param(
            ["2024-05-06T00:00:00Z", "2024-05-06T00:05:00Z"],
            ["--now", "9999-12-31T23:59:59Z"],
            "error: --now 9999-12-31T23:59:59+00:00 is not on the 300-s step grid (a multiple of step_s "
            "since the Unix epoch); e.g. 9999-12-31T23:55:00Z",
            id="now_off_grid_at_the_end_of_time",
        ),
        pytest.param(
            ["2024-05-06T00:00:00Z", "2024-05-06T00:05:00Z"],
            ["--now", "9999-12-31T23:55:00Z"],
            "error: --now 9999-12-31T23:55:00Z, too late for the 10800-s plan: it must end by "
            "9999-12-31T23:59:59Z",
            id="now_plan_overflows",
        ),
        pytest.param(
            ["2024-05-06T00:00:00Z", "2024-05-06T00:05:00Z"],
            ["--now", "2100-01-01T00:00:00Z"],
            f"error: --now 2100-01-01T00:00:00Z is {(datetime(2100, 1, 1, tzinfo=UTC) - T0) // STEP} steps "
            "of 300 s after the first history step (2024-05-06T00:00:00Z); at most 1000000 are accepted",
            id="now_too_far",
        ),
    ],
)
def test_recommend_far_future_times_are_one_line_exit_2(
    tmp_path: Path, rows: list[str], args: list[str], line: str
) -> None:
    csv = tmp_path / "far.csv"
    csv.write_text(HEADER + "".join(f"{ts},db-1,load,acu,1\n" for ts in rows), encoding="utf-8")

    result = runner.invoke(app, ["recommend", "--csv", str(csv), *args])

    _assert_error_line(result, line)


@pytest.mark.parametrize(
    ("rows", "row"),
    [
        pytest.param(["2024-05-06T00:00:00Z", "9999-12-31T23:55:00Z"], 3, id="far_future_row"),
        pytest.param(["9999-12-31T23:55:00Z"], 2, id="only_row_at_the_end_of_time"),
    ],
)
def test_recommend_future_rows_are_listed_before_any_grid_is_built(
    tmp_path: Path, rows: list[str], row: int
) -> None:
    """Rows after the clock are rejected by the ingest checks (the clock is only the cut-off)."""
    csv = tmp_path / "far.csv"
    csv.write_text(HEADER + "".join(f"{ts},db-1,load,acu,1\n" for ts in rows), encoding="utf-8")

    result = runner.invoke(app, ["recommend", "--csv", str(csv)])

    _assert_one_line_error(
        result, f"error: far.csv row {row}, field 'ts': 9999-12-31T23:55:00Z is in the future (after now, "
    )


def test_recommend_json_path_that_is_a_directory_names_the_users_path(tmp_path: Path, grid: Any) -> None:
    csv = _write_csv(tmp_path / "db.csv", grid.t0, diurnal_demand(3 * 288, seed=3))
    out = tmp_path / "out"
    out.mkdir()

    result = runner.invoke(app, ["recommend", "--csv", str(csv), "--json", str(out)])

    _assert_error_line(result, f"error: {out}: is a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.csv", "out"]
    assert list(out.iterdir()) == []
