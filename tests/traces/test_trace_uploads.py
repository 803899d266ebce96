"""Every input format parsed in one place (traces.formats) and checked all at once (traces.uploads)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from traces.formats import (
    parse_any,
    parse_cloudwatch,
    parse_csv,
    parse_parquet,
    parse_prometheus,
    reads_signal,
    sniff,
)
from traces.uploads import MAX_LISTED, UploadError, check_upload

HEADER = "ts,cluster_id,signal,unit,value\n"
T0 = 1_714_953_600  # 2024-05-06T00:00:00Z


def _rows(signal: str, unit: str, values: list[float], every_min: int = 5, start_min: int = 0) -> str:
    return "".join(
        f"2024-05-06T{(start_min + i * every_min) // 60:02d}:{(start_min + i * every_min) % 60:02d}:00Z,"
        f"db,{signal},{unit},{v}\n"
        for i, v in enumerate(values)
    )


def _reject(upload: Any, **kw: Any) -> UploadError:
    with pytest.raises(UploadError) as info:
        check_upload(upload, **kw)
    return info.value


def test_every_bad_row_is_named_with_its_field() -> None:
    text = HEADER + (
        "2024-05-06T00:00:00Z,db,cpu,percent,120\n"
        "2024-05-06T00:05:00,db,cpu,percent,10\n"
        "2024-05-06T00:10:00Z,,cpu,percent,10\n"
        "2024-05-06T00:15:00Z,db,cpu,furlongs,10\n"
        "2024-05-06T00:20:00Z,db,cpu,percent,abc\n"
        "2024-05-06T00:25:00Z,db,cpu,percent,10\n"
    )

    err = _reject(parse_csv(text))

    assert [(p.where, p.field) for p in err.report.problems] == [
        ("upload.csv row 2", "value"),
        ("upload.csv row 3", "ts"),
        ("upload.csv row 4", "cluster_id"),
        ("upload.csv row 5", "unit"),
        ("upload.csv row 6", "value"),
    ]
    assert err.report.problems[0].reason == "120 percent is outside 0-100"
    assert "has no UTC offset" in err.report.problems[1].reason
    assert err.field == "value" and err.code == "invalid_upload"
    assert str(err).startswith(
        "upload.csv row 2, field 'value': 120 percent is outside 0-100 (and 4 more problems"
    )


def test_epoch_seconds_may_be_fractional_and_milliseconds_are_refused_with_a_hint() -> None:
    seconds = HEADER + "".join(f"{T0 + 300 * i}.5,db,demand,acu,4\n" for i in range(5))
    signals, _ = check_upload(parse_csv(seconds))
    assert signals[0].ts_s[0] == T0  # floored, as numeric epochs are

    millis = HEADER + "".join(f"{(T0 + 300 * i) * 1000},db,demand,acu,4\n" for i in range(5))
    err = _reject(parse_csv(millis))
    assert err.report.problems[0].reason == (
        f"{T0 * 1000} is not epoch seconds (after the year 5000): epoch milliseconds? give seconds"
    )


def test_a_capacity_above_what_aurora_allows_is_a_bad_row() -> None:
    text = HEADER + _rows("ServerlessDatabaseCapacity", "acu", [4.0, 4.5, 4000.0, 4.0, 256.0])

    err = _reject(parse_csv(text))

    assert [(p.where, p.field) for p in err.report.problems] == [("upload.csv row 4", "value")]
    assert err.report.problems[0].reason == (
        "ServerlessDatabaseCapacity 4000 ACU is above 256 ACU, the most an Aurora Serverless v2 "
        "instance can have: a corrupt sample, or not this metric"
    )
    # demand in ACU under another name may exceed one instance's 256 (a cluster with readers)
    signals, _ = check_upload(parse_csv(HEADER + _rows("demand", "acu", [4.0, 400.0, 4.0, 4.0])))
    assert signals[0].value.max() == 400.0


def test_a_percent_signal_that_looks_like_fractions_is_warned_about() -> None:
    _, report = check_upload(parse_csv(HEADER + _rows("CPUUtilization", "percent", [0.1, 0.125, 0.05] * 4)))
    assert any(
        w.startswith("CPUUtilization")
        and "never above 0.125 percent over 12 samples; if the export holds fractions" in w
        for w in report.warnings
    )
    _, busy = check_upload(parse_csv(HEADER + _rows("CPUUtilization", "percent", [0.1, 12.5, 0.05] * 4)))
    assert not any("fractions" in w for w in busy.warnings)


def test_bad_rows_beyond_the_limit_are_counted() -> None:
    text = HEADER + "".join(f"2024-05-06T00:{m:02d}:00Z,db,cpu,percent,-{m + 1}\n" for m in range(30))

    err = _reject(parse_csv(text))

    assert len(err.report.problems) == MAX_LISTED
    assert err.report.n_more_problems == 30 - MAX_LISTED
    assert "(and 29 more problems" in str(err)


def test_exact_duplicates_are_dropped_and_counted_conflicts_rejected_with_timestamps() -> None:
    dup = HEADER + _rows("acu", "acu", [1, 2, 3]) + _rows("acu", "acu", [1, 2])
    signals, report = check_upload(parse_csv(dup))
    assert report.n_duplicates == 2 and report.n_points == 3
    assert signals[0].value.tolist() == [1.0, 2.0, 3.0]

    conflict = HEADER + _rows("acu", "acu", [1, 2, 3]) + "2024-05-06T00:05:00Z,db,acu,acu,9\n"
    err = _reject(parse_csv(conflict))
    assert [p.message for p in err.report.problems] == [
        "upload.csv row 5, field 'value': acu (upload.csv) has 2 and 9 at 2024-05-06T00:05:00Z "
        "(also at upload.csv row 3): conflicting duplicate"
    ]


def test_future_timestamps_are_listed() -> None:
    text = HEADER + _rows("acu", "acu", [1, 2, 3, 4])

    err = _reject(parse_csv(text), now_s=T0 + 300)

    assert err.report.future == ("2024-05-06T00:10:00Z", "2024-05-06T00:15:00Z")
    assert err.report.n_future == 2
    assert (
        err.report.problems[0].reason
        == "2024-05-06T00:10:00Z is in the future (after now, 2024-05-06T00:05:00Z)"
    )


def test_step_is_inferred_with_holes_and_off_grid_points() -> None:
    minutes = [0, 5, 10, 15, 20, 40, 45, 50, 53]  # a hole 00:25-00:40, one point off the grid
    text = HEADER + "".join(f"2024-05-06T00:{m:02d}:00Z,db,acu,acu,1\n" for m in minutes)

    _, report = check_upload(parse_csv(text))

    sig = report.signals[0]
    assert sig.step_s == 300
    assert sig.holes == ("2024-05-06T00:25:00Z/2024-05-06T00:40:00Z",)
    assert sig.n_off_grid == 1 and sig.offset_s == 0


def test_mixed_resolutions_are_detected_and_reported() -> None:
    hourly = [(h * 60, 2.0) for h in range(4)]  # 00:00..03:00 hourly (aged data)
    fine = [(240 + m, 3.0) for m in range(0, 25, 5)]  # then 5-minute data from 04:00
    text = HEADER + "".join(
        f"2024-05-06T{t // 60:02d}:{t % 60:02d}:00Z,db,ServerlessDatabaseCapacity,acu,{v}\n"
        for t, v in hourly + fine
    )

    _, report = check_upload(parse_csv(text))

    sig = report.signals[0]
    assert sig.step_s == 300
    assert sig.resolutions == (
        "3600 s from 2024-05-06T00:00:00Z to 2024-05-06T04:00:00Z",
        "300 s from 2024-05-06T04:00:00Z to 2024-05-06T04:20:00Z",
    )
    assert any("mixed resolutions" in w for w in report.warnings)


def test_offset_grid_is_aligned_by_the_stated_rule() -> None:
    text = HEADER + _rows("acu", "acu", [1, 2, 3, 4]) + _rows("cpu", "percent", [5, 5, 5, 5], start_min=2)

    _, report = check_upload(parse_csv(text), step_s=300)

    cpu = next(s for s in report.signals if s.signal == "cpu")
    assert cpu.offset_s == 120
    assert any(
        "samples sit 120 s past the 300-s grid; aligned by the stated rule" in w for w in report.warnings
    )


@pytest.mark.parametrize(("start_min", "offset_s"), [(0, 0), (1, 60), (3, 180)])
def test_a_step_that_does_not_divide_a_day_is_gridded_from_midnight_not_the_epoch(
    start_min: int, offset_s: int
) -> None:
    """7-minute samples from midnight said "360 s past the 420-s grid": the epoch's 420-s grid
    is 360 s off UTC midnight (1714953600 mod 420); on a 2-day series the second day's
    samples continue the first day's grid."""
    times = [T0 + start_min * 60 + 420 * i for i in range(2 * 86_400 // 420)]
    _, report = check_upload(parse_csv(HEADER + "".join(f"{t},db,acu,acu,1\n" for t in times)))

    (sig,) = report.signals
    assert (sig.step_s, sig.offset_s, sig.n_off_grid) == (420, offset_s, 0)
    said = [w for w in report.warnings if "past the" in w]
    assert said == ([] if not offset_s else [
        f"acu (upload.csv): samples sit {offset_s} s past the 420-s grid; aligned by the stated rule: each "
        "sample counts in every step it overlaps (the step's max, so it is conservative)"
    ])  # fmt: skip


def test_naive_local_times_need_a_zone_and_dst_is_handled() -> None:
    # Europe/Berlin 2024-10-27: 02:00-03:00 happens twice; 2024-03-31 02:30 does not exist
    text = "Timestamp,Value\n2024-10-27 02:30:00,1\n2024-10-27 02:30:00,2\n2024-03-31 02:30:00,3\n"

    err = _reject(parse_csv(text, tz="Europe/Berlin", signal="ServerlessDatabaseCapacity"))

    assert [p.message for p in err.report.problems] == [
        "upload.csv row 4, field 'Timestamp': '2024-03-31 02:30:00' does not exist in Europe/Berlin "
        "(the clocks jumped forward over it)"
    ]
    ok = parse_csv(text.rsplit("2024-03-31", 1)[0], tz="Europe/Berlin", signal="ServerlessDatabaseCapacity")
    signals, report = check_upload(ok)
    # the first 02:30 is CEST (00:30Z), the second CET (01:30Z)
    assert signals[0].ts_s.tolist() == [1_729_989_000, 1_729_992_600]
    assert "2 timestamps fell in a repeated local hour of Europe/Berlin" in report.warnings[0]


def test_aws_console_layouts() -> None:
    one = "Timestamp,Value\n2024-05-06T00:00:00Z,12.5\n2024-05-06T00:05:00Z,20\n"
    signals, _ = check_upload(parse_csv(one, signal="CPUUtilization Maximum"))
    assert (signals[0].name, signals[0].unit, signals[0].statistic) == (
        "CPUUtilization",
        "percent",
        "Maximum",
    )

    labelled = (
        "Label,Timestamp,Value\n"
        "CPUUtilization,2024-05-06T00:00:00Z,12.5\n"
        "DatabaseConnections,2024-05-06T00:00:00Z,40\n"
        "CPUUtilization,2024-05-06T00:05:00Z,13\n"
    )
    up = parse_csv(labelled)
    assert up.format == "aws-csv"
    assert {k: (s.unit, len(s.ts_s)) for k, s in up.signals.items()} == {
        ("CPUUtilization", "unknown"): ("percent", 2),
        ("DatabaseConnections", "unknown"): ("count", 1),
    }
    missing_unit = _reject(parse_csv("Timestamp,Value\n2024-05-06T00:00:00Z,1\n"))
    assert missing_unit.report.problems[0].reason.startswith(
        "a Timestamp,Value export does not say which metric it holds: name it with --signal"
    )
    other = _reject(parse_csv("Timestamp,Mystery\n2024-05-06T00:00:00Z,1\n"))  # a named column: its unit
    assert other.report.problems[0].reason.startswith("signal 'Mystery' is unknown; known signals: ")


def test_aws_wide_layout_is_a_signal_per_column_and_an_empty_cell_is_no_sample() -> None:
    text = (
        "Timestamp,CPUUtilization Maximum,FreeableMemory Minimum,DatabaseConnections\n"
        "2024-05-06T00:00:00Z,12.5,1073741824,40\n"
        "2024-05-06T00:05:00Z,20,2147483648,41\n"
        "2024-05-06T00:10:00Z,,1073741824,42\n"
        "2024-05-06T00:15:00Z,30,1073741824,43\n"
        "2024-05-06T00:20:00Z,35,1073741824,44\n"
    )

    up = parse_csv(text)
    signals, report = check_upload(up)

    assert up.format == "aws-csv" and report.n_rows == 5 and report.n_points == 14
    assert [(s.name, s.unit, s.statistic, s.value.tolist()) for s in signals] == [
        ("CPUUtilization", "percent", "Maximum", [12.5, 20.0, 30.0, 35.0]),
        ("FreeableMemory", "bytes", "Minimum", [2**30, 2**31, 2**30, 2**30, 2**30]),
        ("DatabaseConnections", "count", "unknown", [40.0, 41.0, 42.0, 43.0, 44.0]),
    ]
    assert signals[0].ts_s.tolist() == [T0, T0 + 300, T0 + 900, T0 + 1200]  # 00:10 skipped
    cpu = report.signals[0]
    assert cpu.step_s == 300 and cpu.holes == ("2024-05-06T00:10:00Z/2024-05-06T00:15:00Z",)

    err = _reject(parse_csv(text.replace("Z,,", "Z,abc,")))
    assert [p.message for p in err.report.problems] == [
        "upload.csv row 4, field 'CPUUtilization Maximum': 'abc' is not a number"
    ]


def _page(results: list[dict[str, Any]], token: str | None = None) -> dict[str, Any]:
    return {"MetricDataResults": results, **({"NextToken": token} if token else {})}


def _result(
    qid: str, label: str, points: list[tuple[int, float]], status: str = "Complete"
) -> dict[str, Any]:
    pts = sorted(points, reverse=True)
    return {
        "Id": qid,
        "Label": label,
        "Timestamps": [f"2024-05-06T00:{m:02d}:00+00:00" for m, _ in pts],
        "Values": [v for _, v in pts],
        "StatusCode": status,
    }


def test_cloudwatch_several_ids_with_flags_per_id() -> None:
    pages = [
        _page(
            [
                _result("cpu_max", "CPUUtilization", [(0, 10), (5, 20)], "PartialData"),
                _result("mem", "FreeableMemory", [(0, 1e9)]),
            ],
            token="t1",
        ),  # fmt: skip
        _page(
            [
                _result("cpu_max", "CPUUtilization", [(10, 30)], "PartialData"),
                _result("mem", "FreeableMemory", [(5, 1e9)], "InternalError"),
            ]
        ),  # fmt: skip
    ]

    signals, report = check_upload(parse_cloudwatch(pages))

    assert {(s.name, s.statistic, s.unit, len(s.ts_s)) for s in signals} == {
        ("CPUUtilization", "Maximum", "percent", 3),
        ("FreeableMemory", "unknown", "bytes", 2),
    }
    assert report.source_flags == (
        "CPUUtilization (query Id cpu_max): CloudWatch answered PartialData; some data for the period was "
        "not available yet",
        "FreeableMemory (query Id mem): CloudWatch answered InternalError",
    )


def test_cloudwatch_next_token_on_the_last_page_and_later_page_wins() -> None:
    pages = [
        _page([_result("acu", "ServerlessDatabaseCapacity", [(0, 1), (5, 2)])], token="t1"),
        _page([_result("acu", "ServerlessDatabaseCapacity", [(5, 2.5), (10, 3)])], token="t2"),
    ]

    signals, report = check_upload(parse_cloudwatch({"pages": pages}))

    assert signals[0].value.tolist() == [1.0, 2.5, 3.0]
    assert report.signals[0].n_replaced == 1
    assert report.source_flags == (
        "ServerlessDatabaseCapacity (query Id acu): the last page has a NextToken; more data was not fetched",
    )


def test_the_aws_clis_merged_pages_are_read_in_order() -> None:
    # `aws cloudwatch get-metric-data` without --no-paginate concatenates every page's
    # MetricDataResults into one list, so an Id repeats; earlier pages said PartialData.
    merged = _page(
        [
            _result("acu", "ServerlessDatabaseCapacity", [(0, 1), (5, 2)], "PartialData"),
            _result("cpu", "CPUUtilization", [(0, 10)], "PartialData"),
            _result("acu", "ServerlessDatabaseCapacity", [(10, 3)]),
            _result("cpu", "CPUUtilization", [(5, 20), (10, 30)]),
        ]
    )

    signals, report = check_upload(parse_cloudwatch(merged))

    assert {s.name: s.value.tolist() for s in signals} == {
        "ServerlessDatabaseCapacity": [1.0, 2.0, 3.0],
        "CPUUtilization": [10.0, 20.0, 30.0],
    }
    assert report.source_flags == ()  # the last occurrence of each Id is Complete
    still_partial = _page([merged["MetricDataResults"][2], merged["MetricDataResults"][0]])
    _, report = check_upload(parse_cloudwatch(still_partial))
    assert report.source_flags == (
        "ServerlessDatabaseCapacity (query Id acu): CloudWatch answered PartialData; some data for the "
        "period was not available yet",
    )


def test_cloudwatch_problems_are_located_by_json_path() -> None:
    page = _page([{"Id": "acu", "Label": "ServerlessDatabaseCapacity", "Timestamps": ["yesterday", 0],
                   "Values": [1.0, "2"]}])  # fmt: skip

    err = _reject(parse_cloudwatch([page]))

    assert [p.loc for p in err.report.problems] == [
        ("pages", 0, "MetricDataResults", 0, "Timestamps", 0),
        ("pages", 0, "MetricDataResults", 0, "Values", 1),
    ]
    assert err.report.problems[1].reason == "'2' is not a number (a JSON number is expected)"


def test_cloudwatch_unknown_metric_needs_a_unit() -> None:
    page = _page([_result("q", "Queries", [(0, 5)])])

    err = _reject(parse_cloudwatch([page]))
    assert "give queries.q.unit" in err.report.problems[0].reason

    signals, _ = check_upload(
        parse_cloudwatch([page], queries={"q": {"unit": "per_s", "statistic": "Average"}})
    )
    assert (signals[0].name, signals[0].unit, signals[0].statistic) == ("Queries", "per_s", "Average")


KNOWN = (
    "CPUUtilization, ACUUtilization, ServerlessDatabaseCapacity, FreeableMemory, DatabaseConnections, "
    "VolumeBytesUsed, demand_acu, working_set_bytes, buffer_cache_bytes"
)
UNITS_LISTED = "(one of acu, percent, per_s, relative, bytes, count)"
NOT_A_STATISTIC = (
    "is not a statistic (one of Maximum, Average, Minimum, Sum, SampleCount, or a percentile such as p99)"
)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        pytest.param(  # --signal names an unknown metric: it was "has no unit: give its unit"
            lambda: parse_csv("Timestamp,Value\n2024-05-06T00:00:00Z,1\n", name="e.csv", signal="Bogus"),
            f"e.csv row 1, field 'Value': signal 'Bogus' is unknown; known signals: {KNOWN}; another "
            f"metric needs its unit {UNITS_LISTED}",
            id="aws-csv-signal",
        ),
        pytest.param(  # a misspelt statistic after a known metric: the statistic, not the unit
            lambda: parse_csv(
                "Timestamp,Value\n2024-05-06T00:00:00Z,1\n", name="e.csv", signal="CPUUtilization Maxximum"
            ),
            f"e.csv row 1, field 'Value': 'Maxximum' in 'CPUUtilization Maxximum' {NOT_A_STATISTIC}",
            id="aws-csv-statistic",
        ),
        pytest.param(
            lambda: parse_cloudwatch([_page([_result("cpu", "CPUUtilisation Maximum", [(0, 5)])])]),
            "pages.0.MetricDataResults.0, field 'Id': query Id 'cpu' (CPUUtilisation Maximum): signal "
            f"'CPUUtilisation' is unknown (did you mean 'CPUUtilization'?); known signals: {KNOWN}; another "
            f"metric needs its unit: give queries.cpu.unit {UNITS_LISTED}",
            id="cloudwatch-name",
        ),
        pytest.param(
            lambda: parse_cloudwatch([_page([_result("cpu", "CPUUtilization Maxx", [(0, 5)])])]),
            f"pages.0.MetricDataResults.0, field 'Id': query Id 'cpu' (CPUUtilization Maxx): 'Maxx' in "
            f"'CPUUtilization Maxx' {NOT_A_STATISTIC}",
            id="cloudwatch-statistic",
        ),
        pytest.param(  # the unit column is blank: there the unit is what is missing
            lambda: parse_csv(HEADER + "2024-05-06T00:00:00Z,db,freeable_memry,,1\n", name="c.csv"),
            "c.csv row 2, field 'unit': signal 'freeable_memry' is unknown (did you mean "
            f"'freeable_memory'?); known signals: {KNOWN}; another metric needs its unit in the unit "
            f"column {UNITS_LISTED}",
            id="canonical-blank-unit",
        ),
    ],
)
def test_an_unknown_signal_or_statistic_is_named_as_such_not_as_a_missing_unit(
    upload: Any, message: str
) -> None:
    err = _reject(upload())

    assert [p.message for p in err.report.problems] == [message]


def test_prometheus_matrix() -> None:
    response = {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [
                {"metric": {"__name__": "pg_working_set"}, "values": [[T0, "1073741824"], [T0 + 60, "NaN"]]},
                {"metric": {"__name__": "cpu"}, "values": [[T0, "12.5"], [T0 + 60, "+Inf"]]},
            ],
        },
    }
    specs = {"pg_working_set": {"signal": "working_set_bytes"}, "cpu": {"signal": "CPUUtilization"}}

    err = _reject(parse_prometheus(response, signals=specs))
    assert [(p.loc, p.reason) for p in err.report.problems] == [
        (("response", "data", "result", 1, "values", 1), "inf is not finite")
    ]

    response["data"]["result"][1]["values"].pop()  # type: ignore[index]
    signals, report = check_upload(parse_prometheus(response, signals=specs))
    assert [(s.name, s.unit, s.value.tolist()) for s in signals] == [
        ("working_set_bytes", "bytes", [1073741824.0]),
        ("CPUUtilization", "percent", [12.5]),
    ]
    assert report.warnings == ("1 NaN samples (Prometheus: no value) were skipped as missing",)
    assert sniff(json.dumps(response).encode(), "x.json") == "prometheus"


def test_parquet_long_and_wide() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def to_bytes(table: pa.Table) -> bytes:
        buf = io.BytesIO()
        pq.write_table(table, buf)
        return buf.getvalue()

    ts = pa.array([T0, T0 + 300, T0 + 600], pa.timestamp("s", tz="UTC"))
    long = pa.table({
        "ts": pa.concat_arrays([ts, ts]),
        "signal": ["CPUUtilization"] * 3 + ["ServerlessDatabaseCapacity"] * 3,
        "value": [10.0, 20.0, 30.0, 1.0, 2.0, -3.0],
    })  # fmt: skip
    err = _reject(parse_any(to_bytes(long), name="m.parquet"))
    assert [p.message for p in err.report.problems] == [
        "m.parquet row 6, field 'value': demand -3 ACU must be finite, >= 0 and <= 1,000,000 ACU"
    ]

    wide = pa.table({"ts": ts, "CPUUtilization": [10.0, None, 30.0], "FreeableMemory": [1e9, 1e9, 1e9]})
    signals, report = check_upload(parse_parquet(to_bytes(wide), name="w.parquet"))
    assert [(s.name, s.unit, s.value.tolist()) for s in signals] == [
        ("CPUUtilization", "percent", [10.0, 30.0]),
        ("FreeableMemory", "bytes", [1e9, 1e9, 1e9]),
    ]
    assert report.format == "parquet"

    naive = pa.table({"ts": pa.array([T0], pa.timestamp("s")), "CPUUtilization": [1.0]})
    assert "no time zone" in _reject(parse_parquet(to_bytes(naive))).report.problems[0].reason


def test_sniffing_and_empty_uploads() -> None:
    assert sniff(b"PAR1....", "x") == "parquet"
    assert sniff(b'{"MetricDataResults": []}', "x.json") == "cloudwatch"
    assert sniff(b"ts,cluster_id", "x.csv") == "csv"
    assert "no sample" in str(_reject(parse_csv(HEADER)))
    assert "is not a known layout" in str(_reject(parse_csv("a,b\n1,2\n")))
    assert "not JSON" in str(_reject(parse_any(b"{nope", name="x.json")))


def test_a_percent_just_over_100_is_refused_with_all_its_digits() -> None:
    """CPUUtilization 100.0000001 (collectors report a hair over 100): the message shows the value
    as sent, not a rounded "100 percent is outside 0-100"."""
    from traces.uploads import sample_problem

    assert sample_problem(0, 100.0000001, "percent") == "100.0000001 percent is outside 0-100"
    assert sample_problem(0, 100.0, "percent") is None


@pytest.mark.parametrize(
    ("value", "written"),
    [(1_000_001.0, "1,000,001"), (1_000_000.000000001, "1,000,000.000000001"), (1e300, "1e+300"),
     (-3.0, "-3"), (float("inf"), "inf")],
)  # fmt: skip
def test_a_demand_above_the_ceiling_is_said_with_all_its_digits(value: float, written: str) -> None:
    """1,000,001 ACU was "demand 1e+06 ACU must be ... <= 1e+06 ACU" (``%g``): a self-contradiction."""
    from traces.uploads import sample_problem

    said = f"demand {written} ACU must be finite, >= 0 and <= 1,000,000 ACU"
    assert sample_problem(0, value, "acu") == said
    assert sample_problem(0, 1_000_000.0, "acu") is None


@pytest.mark.parametrize(
    ("data", "name", "format", "reads"),
    [
        (b"Timestamp,Value\n2024-05-06T00:00:00Z,1\n", "c.csv", None, True),
        (b"\xef\xbb\xbftime , VALUE\r\n", "c.csv", "aws-csv", True),  # a BOM, spaces, CRLF, any case
        (b"Timestamp,CPUUtilization Maximum,Value\n", "c.csv", None, True),  # a bare Value among others
        (b"Timestamp,CPUUtilization Maximum\n", "c.csv", None, False),  # every column names its metric
        (b"Timestamp,Average\n2024-05-06T00:00:00Z,1\n", "c.csv", None, True),  # get-metric-statistics
        (b"Timestamp,p99\n", "c.csv", "aws-csv", True),
        (b"Label,Timestamp,Value\n", "c.csv", None, False),
        ((HEADER + "2024-05-06T00:00:00Z,db,cpu,percent,1\n").encode(), "c.csv", None, False),
        (b"Timestamp,Value\n", "c.csv", "parquet", False),
        (b'{"MetricDataResults": []}', "c.json", None, False),
        (b"", "c.csv", None, False),
    ],
)
def test_reads_signal_only_for_a_timestamp_value_export(
    data: bytes, name: str, format: str | None, reads: bool
) -> None:
    assert reads_signal(data, name, format) is reads
    if reads:  # parse_any names the Value (or statistic) column's metric by signal (from the header alone)
        up = parse_any(data, name=name, format=format, signal="ServerlessDatabaseCapacity")
        statistic = data.split(b"\n")[0].split(b",")[-1].decode().strip()
        expected = "unknown" if statistic.lower() == "value" else statistic
        assert ("ServerlessDatabaseCapacity", expected) in up.signals, up.signals


@pytest.mark.parametrize(
    ("column", "statistic"),
    [("Average", "Average"), ("maximum", "Maximum"), ("Minimum", "Minimum"), ("Sum", "Sum"),
     ("SampleCount", "SampleCount"), ("p99", "p99"), (" p50 ", "p50")],
)  # fmt: skip
def test_a_statistic_column_is_the_signal_s_metric_with_that_statistic(column: str, statistic: str) -> None:
    text = f"Timestamp,{column}\n2024-05-06T00:00:00Z,3\n2024-05-06T00:05:00Z,4\n"

    up = parse_csv(text, signal="DatabaseConnections")

    assert up.format == "aws-csv" and not up.problems
    assert list(up.signals) == [("DatabaseConnections", statistic)]
    sig = up.signals[("DatabaseConnections", statistic)]
    assert (sig.unit, list(sig.ts_s), list(sig.values)) == ("count", [1714953600, 1714953900], [3.0, 4.0])
    same = parse_csv(text, signal=f"DatabaseConnections {statistic.strip()}")  # naming it again is fine
    assert list(same.signals) == [("DatabaseConnections", statistic)] and not same.problems
    missing = _reject(parse_csv(text))
    assert [p.reason for p in missing.report.problems] == [
        f"a Timestamp,{column.strip()} export does not say which metric it holds (its {column.strip()!r} "
        "column is the statistic): name it with --signal NAME (e.g. --signal ServerlessDatabaseCapacity; "
        "HTTP: POST /v1/clusters/{cluster_id}/metrics/upload?signal=)"
    ]


@pytest.mark.parametrize(
    ("header", "what"),
    [
        ("ts;cluster_id;signal;unit;value", "semicolons"),
        ("Timestamp\tValue", "tabs"),
        ("Label|Timestamp|Value", "pipes"),
    ],
)
def test_a_header_separated_by_another_character_says_so(header: str, what: str) -> None:
    err = _reject(parse_csv(header + "\n", name="x.csv"))

    assert [p.message for p in err.report.problems] == [
        f"x.csv row 1: header {header!r} is not a known layout (its fields are separated by {what}: save it "
        "comma-separated): expected 'ts,cluster_id,signal,unit,value' (optionally ',statistic'), "
        "'Timestamp,Value', 'Label,Timestamp,Value' or 'Timestamp,<metric>,...'"
    ]
    assert "separated" not in _reject(parse_csv("a;b\n1;2\n")).report.problems[0].message  # not a layout


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        ("x", ("response.data.result", "a matrix result must be a list of series")),
        ({"a": 1}, ("response.data.result", "a matrix result must be a list of series")),
        (
            [7],
            (
                "response.data.result.0",
                "a series must be an object with metric (labels) and values (a list of [time, value])",
            ),
        ),  # fmt: skip
        ([{"metric": "x", "values": []}], ("response.data.result.0", "metric must be an object of labels")),
        (
            [{"metric": {"__name__": "CPUUtilization"}, "values": 5}],
            ("response.data.result.0", "values must be a list of [time, value]"),
        ),
    ],
)
def test_a_prometheus_result_of_another_shape_is_a_problem_not_a_crash(result: Any, problem: Any) -> None:
    # {"metric": "x"} raised AttributeError ('str' object has no attribute 'get'), a traceback in the CLI
    response = {"status": "success", "data": {"resultType": "matrix", "result": result}}

    err = _reject(parse_prometheus(response))

    assert [(p.where, p.reason) for p in err.report.problems] == [problem]


def test_a_field_longer_than_the_csv_modules_limit_is_a_problem_not_a_crash() -> None:
    # it raised _csv.Error, a traceback in the CLI
    import csv

    big = "1" * (csv.field_size_limit() + 1)
    row = _reject(parse_csv(HEADER + f"2024-05-06T00:00:00Z,db,cpu,percent,{big}\n", name="x.csv"))
    head = _reject(parse_csv(big + "\n", name="x.csv"))

    assert [p.message for p in row.report.problems + head.report.problems] == [
        f"x.csv row 2: not readable as CSV: field larger than field limit ({csv.field_size_limit()})",
        f"x.csv row 1: not readable as CSV: field larger than field limit ({csv.field_size_limit()})",
    ]
    assert reads_signal(("Timestamp," + big).encode(), "x.csv") is False


_UNCLOSED = (
    "x.csv row 3: unterminated quote: the '\"' that opens a field on this row is never closed (the file "
    "ends inside it); close it, or remove it"
)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        pytest.param(  # the field swallowed the rest: it was 'row 4: row has 2 fields, expected 5'
            '2024-05-06T00:05:00Z,"db,cpu,percent,5\n2024-05-06T00:10:00Z,db,cpu,percent,6\n',
            _UNCLOSED,
            id="mid_row",
        ),
        pytest.param('2024-05-06T00:05:00Z,db,cpu,percent,"5\n', _UNCLOSED, id="last_value"),  # was read as 5
        pytest.param('2024-05-06T00:05:00Z,db,cpu,percent,"5', _UNCLOSED, id="no_final_line_end"),
        pytest.param(
            '2024-05-06T00:05:00Z,"db,cpu,percent,5\n2024-05-06T00:10:00Z,db,cpu,percent,6\n'
            '2024-05-06T00:15:00Z,"db",cpu,percent,7\n',
            "x.csv row 3: unterminated quote: the '\"' that opens a field on this row is not closed on it, "
            "so the field runs over the line break(s) to row 5 (',' expected after '\"'); close it, or "
            "remove it",
            id="closed_by_a_later_quote",
        ),
        pytest.param(  # it was read as 'dbx' without a word
            '2024-05-06T00:05:00Z,"db"x,cpu,percent,5\n',
            "x.csv row 3: not readable as CSV: ',' expected after '\"'",
            id="text_after_a_closing_quote",
        ),
    ],
)
def test_an_unterminated_quote_is_named_at_the_row_it_opens_on(rows: str, message: str) -> None:
    text = HEADER + "2024-05-06T00:00:00Z,db,cpu,percent,4\n" + rows

    err = _reject(parse_csv(text, name="x.csv"))

    assert [p.message for p in err.report.problems] == [message]


def test_a_quoted_field_closed_on_its_row_is_read() -> None:
    upload = parse_csv(HEADER + '2024-05-06T00:00:00Z,"db","cpu",percent,"4.5"\r\n', name="x.csv")

    assert upload.problems == []
    [signal] = upload.signals.values()
    assert (signal.name, signal.ts_s, signal.values) == ("cpu", [T0], [4.5])
