"""Text rules every metric parser shares: JSON, epoch seconds, timestamps and numbers."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import pytest

from traces.errors import TraceFormatError
from traces.formats import parse_any
from traces.jsontext import JsonTextError, load_json
from traces.loaders import load_trace, parse_ts
from traces.numtext import parse_number
from traces.timetext import parse_iso

NUL_TS = "2024-01-02T00:00:00Z\x00; DROP TABLE x"


def test_json_nested_too_deeply_is_a_json_text_error() -> None:
    with pytest.raises(JsonTextError, match="nested too deeply"):
        load_json("[" * 100_000 + "]" * 100_000)


def test_a_huge_integer_is_a_json_text_error() -> None:
    with pytest.raises(JsonTextError, match="not readable as JSON"):
        load_json("[" + "9" * 5000 + "]")


@pytest.mark.parametrize("t", [1e300, 10**23, 100_000_000_000])
def test_prometheus_timestamps_get_the_epoch_rule_of_every_parser(t: float) -> None:
    series = {"metric": {"__name__": "ServerlessDatabaseCapacity"}, "values": [[t, "1"]]}
    body = {"status": "success", "data": {"resultType": "matrix", "result": [series]}}

    upload = parse_any(json.dumps(body).encode(), name="p.json", format="prometheus")

    assert [p.field for p in upload.problems] == ["values.0"]
    assert upload.problems[0].reason.startswith(f"{t!r} is not epoch seconds (after the year 5000)")


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-02T00:00:00+00:00\x00; DROP TABLE x",
        "2024-01-02T00:00:00+00:00\n",
        "٢٠٢٤-01-02T00:00:00+00:00",
    ],
    ids=["nul", "newline", "arabic_indic_digits"],
)
def test_parse_iso_refuses_what_fromisoformat_would_drop(text: str) -> None:
    with pytest.raises(ValueError, match="not an ISO 8601 timestamp"):
        parse_iso(text)


@pytest.mark.parametrize(
    "text", ["2024-05-06T00:10:00z", "2024-05-06t00:10:00z", "2024-05-06t00:10:00Z", "2024-05-06 00:10:00z"]
)
def test_rfc3339_lower_case_t_and_z_are_utc(text: str) -> None:
    """RFC 3339 section 5.6 (NOTE): "T" and "Z" may alternatively be lower case."""
    assert parse_iso(text) == datetime(2024, 5, 6, 0, 10, tzinfo=UTC)
    upload = parse_any(f"ts,cluster_id,signal,unit,value\n{text},db,demand,acu,3\n".encode(), name="z.csv")
    assert not upload.problems
    assert list(upload.signals[("demand", "unknown")].ts_s) == [1714954200]


def test_a_lower_case_z_is_no_offset_after_another_offset() -> None:
    with pytest.raises(ValueError, match="is not an ISO 8601 timestamp"):
        parse_iso("2024-05-06T00:10:00+01:00z")


def test_a_csv_timestamp_with_a_nul_byte_is_a_bad_row() -> None:
    data = b"Timestamp,Value\n2024-05-06T12:30:00Z\x00zz,3\n"

    upload = parse_any(data, name="x.csv", signal="ServerlessDatabaseCapacity")

    assert len(upload.problems) == 1
    assert "NUL" in upload.problems[0].reason


def test_a_cloudwatch_timestamp_with_a_nul_byte_is_a_bad_sample() -> None:
    page = {
        "MetricDataResults": [
            {"Id": "acu", "Label": "ServerlessDatabaseCapacity", "Timestamps": [NUL_TS], "Values": [1.0]}
        ]
    }

    upload = parse_any(json.dumps(page).encode(), name="cw.json", format="cloudwatch")

    assert [(p.field, "holds a NUL byte at character 20" in p.reason) for p in upload.problems] == [
        ("Timestamps.0", True)
    ]


def test_a_trace_file_timestamp_with_a_nul_byte_is_refused() -> None:
    with pytest.raises(ValueError, match="NUL byte"):
        parse_ts("2024-01-02T00:00:00Z\x00junk")


CANONICAL = "ts,cluster_id,signal,unit,value\n"


@pytest.mark.parametrize(
    "value",
    ["1_0", "\uff13", "\u0663", "0x10", "1__0"],
    ids=["underscore", "fullwidth", "arabic_indic", "hex", "double_underscore"],
)
def test_a_csv_value_must_be_plain_ascii_notation(value: str) -> None:
    data = f"{CANONICAL}2024-05-06T12:30:00Z,c1,capacity,acu,{value}\n".encode()

    upload = parse_any(data, name="x.csv")

    assert [(p.where, p.field, p.reason) for p in upload.problems] == [
        ("x.csv row 2", "value", f"{value!r} is not a number")
    ]
    assert not upload.signals or not upload.signals[0].ts


@pytest.mark.parametrize("value", ["12", "-0.5", ".5", "5.", "1e3", "2.5E-3", "+4", " 7 "])
def test_plain_numbers_are_read(value: str) -> None:
    assert parse_number(value) == float(value)


@pytest.mark.parametrize("word", ["nan", "NaN", "inf", "-Infinity"])
def test_non_finite_words_are_read_for_the_callers_to_refuse(word: str) -> None:
    assert not math.isfinite(parse_number(word))


@pytest.mark.parametrize(
    ("row", "field", "at"),
    [
        (
            "2024-05-06T12:30:00Z\x00zz,c1,capacity,acu,1",
            "ts",
            "character 20 of '2024-05-06T12:30:00Z\\x00zz'",
        ),
        ("2024-05-06T12:30:00Z,c1,capacity,acu,1\x00", "value", "character 1 of '1\\x00'"),
    ],
    ids=["in_ts", "in_value"],
)
def test_a_csv_row_with_a_nul_byte_says_so(row: str, field: str, at: str) -> None:
    upload = parse_any(f"{CANONICAL}{row}\n".encode(), name="x.csv")

    assert [(p.where, p.field) for p in upload.problems] == [("x.csv row 2", field)]
    assert upload.problems[0].reason.startswith(f"the row holds a NUL byte ({at})")


def test_a_trace_file_value_must_be_plain_ascii_notation(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "ts,cluster_id,signal,unit,value\n2024-05-06T12:30:00Z,c,load,acu,1_0\n", encoding="utf-8"
    )

    with pytest.raises(TraceFormatError, match="'1_0' is not a number"):
        load_trace(path)
