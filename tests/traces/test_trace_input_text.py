"""Text rules every metric parser shares: JSON, epoch seconds, timestamps and numbers."""

from __future__ import annotations

import json

import pytest

from traces.formats import parse_any
from traces.jsontext import JsonTextError, load_json
from traces.loaders import parse_ts
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
