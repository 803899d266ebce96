"""``acuplan advise`` input errors: one ``error:`` line, exit code 2, naming what the user wrote.

Each test asserts the whole message: the file, row and column as written in the file, or
the option (``--signal``, ``--trace``) at fault, and the reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from service.cli.main import app
from traces import format_ts, list_bundled

runner = CliRunner()
T0 = int(datetime(2024, 5, 6, tzinfo=UTC).timestamp())
STEP = 300


def _error(result: Any) -> str:
    """The one ``error:`` line of a refused run (exit code 2, no traceback)."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return str(lines[0])


def test_a_signal_with_no_acu_mapping_names_the_file_and_its_first_row(tmp_path: Path) -> None:
    rows = [f"{format_ts(T0 + STEP * i)},db,CPUUtilization,percent,30\n" for i in range(3)]
    rows += [f"{format_ts(T0 + STEP * i)},db,MysteryBytes,bytes,{1000 + i}\n" for i in range(2)]
    src = tmp_path / "long.csv"
    src.write_text("ts,cluster_id,signal,unit,value\n" + "".join(rows), encoding="utf-8")

    assert _error(runner.invoke(app, ["advise", "--input", str(src), "--max-acu", "16"])) == (
        "error: long.csv row 5, field 'signal': signal 'MysteryBytes' in unit 'bytes' has no ACU mapping: "
        "name it (e.g. working_set_bytes, FreeableMemory, DatabaseConnections) or give its kind (the first "
        "of its 2 samples)"
    )


def _export(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def test_a_cloudwatch_export_s_conflict_and_future_name_its_own_columns(tmp_path: Path) -> None:
    rows = [f"{format_ts(T0 + STEP * i)},{20 + i}" for i in range(3)]
    dup = _export(tmp_path / "dup.csv", "Timestamp,Value", [*rows, f"{format_ts(T0 + STEP)},99"])
    future = _export(tmp_path / "future.csv", "Timestamp,Value", [*rows, "2999-01-01T00:00:00Z,40"])
    wide = _export(tmp_path / "wide.csv", "time,CPUUtilization", [*rows, f"{format_ts(T0)},99"])
    cpu = ["--signal", "CPUUtilization Maximum", "--max-acu", "16"]

    assert _error(runner.invoke(app, ["advise", "-i", str(dup), *cpu])) == (
        "error: dup.csv row 5, field 'Value': CPUUtilization (Maximum, dup.csv) has 21 and 99 at "
        "2024-05-06T00:05:00Z (also at dup.csv row 3): conflicting duplicate"
    )
    message = _error(runner.invoke(app, ["advise", "-i", str(future), *cpu]))
    assert message.startswith(
        "error: future.csv row 5, field 'Timestamp': 2999-01-01T00:00:00Z is in the future (after now, "
    ), message
    assert _error(runner.invoke(app, ["advise", "-i", str(wide), "--max-acu", "16"])) == (
        "error: wide.csv row 5, field 'CPUUtilization': CPUUtilization (wide.csv) has 20 and 99 at "
        "2024-05-06T00:00:00Z (also at wide.csv row 2): conflicting duplicate"
    )


def test_a_signal_option_with_no_such_statistic_names_the_option_not_the_file(tmp_path: Path) -> None:
    src = _export(
        tmp_path / "office.csv", "Timestamp,Value", [f"{format_ts(T0 + STEP * i)},20" for i in range(3)]
    )

    for command in ("advise", "recommend"):
        result = runner.invoke(
            app, [command, "-i", str(src), "--signal", "CPUUtilization Bogus", "--max-acu", "16"]
        )
        assert _error(result) == (
            "error: --signal 'CPUUtilization Bogus': 'Bogus' is not a statistic (one of Maximum, Average, "
            "Minimum, Sum, SampleCount, or a percentile such as p99)"
        )


def test_a_timestamp_average_export_is_the_metric_signal_names_with_the_column_s_statistic(
    tmp_path: Path,
) -> None:
    """``aws cloudwatch get-metric-statistics`` and the console name the value column after the statistic."""
    src = _export(
        tmp_path / "avg.csv",
        "Timestamp,Average",
        [f"{format_ts(T0 + STEP * i)},{2 + i % 12 * 0.5}" for i in range(288)],
    )
    base = ["-i", str(src), "--cluster-id", "qa-db", "--max-acu", "16"]

    assert _error(runner.invoke(app, ["advise", *base])) == (
        "error: avg.csv row 1, field 'Average': a Timestamp,Average export does not say which metric it "
        "holds (its 'Average' column is the statistic): name it with --signal NAME (e.g. --signal "
        "ServerlessDatabaseCapacity; HTTP: POST /v1/clusters/{cluster_id}/metrics/upload?signal=)"
    )
    clash = ["--signal", "ServerlessDatabaseCapacity Maximum"]
    assert _error(runner.invoke(app, ["advise", *base, *clash])) == (
        "error: avg.csv row 1, field 'Average': the column holds the Average but --signal "
        "'ServerlessDatabaseCapacity Maximum' names the Maximum: give --signal 'ServerlessDatabaseCapacity' "
        "(the column says the statistic)"
    )
    now = ["--now", format_ts(T0 + 288 * STEP)]
    for signal in ("ServerlessDatabaseCapacity", "ServerlessDatabaseCapacity Average"):
        result = runner.invoke(app, ["recommend", *base, "--signal", signal, *now])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[0] == (
            "inputs: avg.csv: 288 points; signals: ServerlessDatabaseCapacity (acu, Average, 288 points "
            "every 300 s)"
        )


def test_a_demand_above_the_ceiling_is_named_with_all_its_digits(tmp_path: Path) -> None:
    src = _export(
        tmp_path / "huge.csv",
        "ts,cluster_id,signal,unit,value",
        [f"{format_ts(T0 + STEP * i)},db,demand,acu,{v}" for i, v in enumerate([4, 1000001, 4])],
    )

    assert _error(runner.invoke(app, ["advise", "-i", str(src)])) == (
        "error: huge.csv row 3, field 'value': demand 1,000,001 ACU must be finite, >= 0 and <= 1,000,000 ACU"
    )


def test_acu_utilization_without_max_acu_names_the_option(tmp_path: Path) -> None:
    src = _export(
        tmp_path / "acuutil.csv",
        "ts,cluster_id,signal,unit,value",
        [f"{format_ts(T0 + STEP * i)},db,ACUUtilization,percent,50" for i in range(3)],
    )

    assert _error(runner.invoke(app, ["advise", "-i", str(src)])) == (
        "error: --max-acu: signal 'ACUUtilization' (acu percent) is measured against MaxCapacity: "
        "give --max-acu"
    )


def test_an_empty_csv_says_so_and_lists_every_layout_the_cli_reads(tmp_path: Path) -> None:
    src = tmp_path / "empty.csv"
    src.write_text("", encoding="utf-8")

    assert _error(runner.invoke(app, ["advise", "-i", str(src), "--max-acu", "16"])) == (
        "error: empty.csv: file is empty: expected a CSV header, one of 'ts,cluster_id,signal,unit,value' "
        "(optionally ',statistic'), 'Timestamp,Value', 'Label,Timestamp,Value' or 'Timestamp,<metric>,...'"
    )


def test_an_unknown_bundled_trace_names_its_option_and_lists_the_bundled_traces(tmp_path: Path) -> None:
    valid = ", ".join(list_bundled())
    for args, option in (
        (["advise", "--trace", "nosuch"], "--trace"),
        (["replay", "--trace", "nosuch"], "--trace"),
        (["bench", "--fleet-trace", "nosuch", "--out", str(tmp_path / "out")], "--fleet-trace"),
    ):
        assert _error(runner.invoke(app, args)) == (
            f"error: {option}: unknown bundled trace 'nosuch'; valid names: {valid}"
        ), args
    assert not (tmp_path / "out").exists()


def test_a_wide_export_without_a_statistic_says_it_is_read_as_given(tmp_path: Path) -> None:
    # 3 days: the 2-day warm-up plus the one day advise needs
    src = _export(
        tmp_path / "wide.csv",
        "Timestamp,CPUUtilization",
        [f"{format_ts(T0 + STEP * i)},{20 + i % 288 / 10:g}" for i in range(3 * 288)],
    )

    result = runner.invoke(
        app,
        [
            "advise",
            "-i",
            str(src),
            "--max-acu",
            "16",
            "--cluster-id",
            "orders-db",
            "--json",
            str(tmp_path / "a.json"),
        ],
    )

    assert result.exit_code == 0, result.output
    assert (
        "inputs: wide.csv: 864 points; signals: CPUUtilization (percent, statistic not given: values read as "
        "given, 864 points every 300 s)"
    ) in result.stdout.splitlines()


def test_naive_timestamps_give_the_input_timezone_hint_once(tmp_path: Path) -> None:
    """It was said with each of the four problems listed: one line of ~1.5 KB (QA 64 #4)."""
    rows = [f"2024-03-27 01:{5 * i:02d}:00,db,demand_acu,acu,1.0" for i in range(6)]
    src = _export(tmp_path / "naive.csv", "ts,cluster_id,signal,unit,value", rows)

    hint = (
        "give one, or the time zone the export is in with --input-timezone (e.g. --input-timezone "
        "Europe/Berlin; HTTP: POST /v1/clusters/{cluster_id}/metrics/upload?timezone=)"
    )
    assert _error(runner.invoke(app, ["advise", "--input", str(src)])) == (
        f"error: naive.csv row 2, field 'ts': '2024-03-27 01:00:00' has no UTC offset; {hint} (and 5 more "
        "problems: naive.csv row 3, field 'ts': '2024-03-27 01:05:00' has no UTC offset; naive.csv row 4, "
        "field 'ts': '2024-03-27 01:10:00' has no UTC offset; naive.csv row 5, field 'ts': "
        "'2024-03-27 01:15:00' has no UTC offset; 2 more)"
    )


def test_an_input_timezone_on_timestamps_with_offsets_is_refused_as_changing_nothing(tmp_path: Path) -> None:
    """It was accepted without a word: every time carries its offset, so no time is read in it (QA 64 #2)."""
    rows = [f"{format_ts(T0 + STEP * i)},db,demand_acu,acu,1.0" for i in range(3 * 288)]
    src = _export(tmp_path / "utc.csv", "ts,cluster_id,signal,unit,value", rows)

    assert _error(
        runner.invoke(app, ["advise", "--input", str(src), "--input-timezone", "Europe/Berlin"])
    ) == (
        "error: --input-timezone 'Europe/Berlin': every timestamp of the inputs carries its own UTC offset "
        "(or is epoch seconds), and it only places those without one (it changes no time); leave it out"
    )
    result = runner.invoke(app, ["recommend", "--input", str(src), "--input-timezone", "Europe/Berlin"])
    assert _error(result).startswith("error: --input-timezone 'Europe/Berlin': every timestamp")


def test_an_input_timezone_placing_naive_timestamps_is_taken(tmp_path: Path) -> None:
    rows = [f"2024-05-06 {i // 12:02d}:{5 * (i % 12):02d}:00,db,demand_acu,acu,1.0" for i in range(24)]
    src = _export(tmp_path / "local.csv", "ts,cluster_id,signal,unit,value", rows)

    result = runner.invoke(app, ["recommend", "--input", str(src), "--input-timezone", "Europe/Berlin"])

    assert result.exit_code == 0, result.output
