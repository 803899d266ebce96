"""Validation tests for traces.load_trace: one case per error, asserting the message."""

from pathlib import Path

import numpy as np
import pytest

from traces import TraceFormatError, load_trace

HEADER = "ts,cluster_id,signal,unit,value\n"
GOOD_ROWS = (
    "2014-02-14T19:30:00Z,db-1,cpu,percent,6.5\n"
    "2014-02-14T19:35:00Z,db-1,cpu,percent,100\n"
    "2014-02-14T19:30:00+00:00,db-1,acu,acu,2.5\n"
)


def write(tmp_path: Path, text: str, name: str = "rds.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_gives_sorted_series_with_utc_arrays(tmp_path: Path) -> None:
    trace = load_trace(write(tmp_path, HEADER + GOOD_ROWS))
    assert trace.keys() == [("db-1", "acu"), ("db-1", "cpu")]
    cpu = trace.get("db-1", "cpu")
    assert cpu.unit == "percent"
    assert cpu.ts.dtype == np.dtype("datetime64[s]")
    assert cpu.ts.tolist() == [
        np.datetime64("2014-02-14T19:30:00", "s").item(),
        np.datetime64("2014-02-14T19:35:00", "s").item(),
    ]
    assert cpu.value.tolist() == [6.5, 100.0]  # 100 exactly is allowed
    assert trace.get("db-1", "acu").value.tolist() == [2.5]
    assert trace.metadata is None
    with pytest.raises(ValueError):
        cpu.value[0] = 1.0  # read-only arrays


def test_blank_lines_are_skipped_and_row_numbers_count_them(tmp_path: Path) -> None:
    text = (
        HEADER + "\n" + "2014-02-14T19:30:00Z,db,cpu,percent,1\n" + "2014-02-14T19:30:00Z,db,cpu,percent,2\n"
    )
    with pytest.raises(TraceFormatError) as info:
        load_trace(write(tmp_path, text))
    assert info.value.row == 4


def test_trace_get_and_single_errors(tmp_path: Path) -> None:
    trace = load_trace(write(tmp_path, HEADER + GOOD_ROWS))
    with pytest.raises(KeyError, match="no series"):
        trace.get("db-1", "nope")
    with pytest.raises(ValueError, match="trace has 2 series, expected 1"):
        trace.single()


ROW = "2014-02-14T19:30:00Z,db-1,cpu,percent,6.5\n"

CASES = [
    ("", None, None, "rds.csv: file is empty (expected header 'ts,cluster_id,signal,unit,value')"),
    (HEADER, None, None, "rds.csv: file has a header but no data rows"),
    (
        "ts,cluster_id,signal,value\n" + ROW,
        1,
        None,
        "rds.csv row 1: header is missing column(s) 'unit'; expected 'ts,cluster_id,signal,unit,value'",
    ),
    (
        "ts,cluster_id,signal,unit,value,extra\n" + ROW,
        1,
        None,
        "rds.csv row 1: header has unexpected column(s) 'extra'; expected 'ts,cluster_id,signal,unit,value'",
    ),
    (
        "timestamp,cluster_id,signal,unit,value\n" + ROW,
        1,
        None,
        "rds.csv row 1: header is missing column(s) 'ts' and has unexpected column(s) "
        "'timestamp'; expected 'ts,cluster_id,signal,unit,value'",
    ),
    (
        "cluster_id,ts,signal,unit,value\n" + ROW,
        1,
        None,
        "rds.csv row 1: header has the columns out of order "
        "('cluster_id,ts,signal,unit,value'); expected 'ts,cluster_id,signal,unit,value'",
    ),
    (
        HEADER + "2014-02-14T19:30:00Z,db-1,cpu,percent\n",
        2,
        None,
        "rds.csv row 2: row has 4 fields, expected 5",
    ),
    (
        HEADER + "2014-02-14T19:30:00Z,db-1,cpu,percent,\n",
        2,
        "value",
        "rds.csv row 2, field 'value': value is blank",
    ),
    (
        HEADER + "2014-02-14T19:30:00Z,db-1,cpu,percent,nan\n",
        2,
        "value",
        "rds.csv row 2, field 'value': 'nan' is not finite",
    ),
    (
        HEADER + "2014-02-14T19:30:00Z,db-1,cpu,percent,inf\n",
        2,
        "value",
        "rds.csv row 2, field 'value': 'inf' is not finite",
    ),
    (
        HEADER + ROW * 0 + ROW.replace("6.5", "abc"),
        2,
        "value",
        "rds.csv row 2, field 'value': 'abc' is not a number",
    ),
    (HEADER + ROW.replace("6.5", "-0.5"), 2, "value", "rds.csv row 2, field 'value': '-0.5' is negative"),
    (
        HEADER + ROW.replace("6.5", "100.01"),
        2,
        "value",
        "rds.csv row 2, field 'value': '100.01' exceeds 100 for unit 'percent'",
    ),
    (
        HEADER + ROW.replace("percent", "kg"),
        2,
        "unit",
        "rds.csv row 2, field 'unit': 'kg' is not a known unit "
        "(expected one of acu, percent, per_s, relative, bytes, count)",
    ),
    (
        HEADER + ROW.replace("2014-02-14T19:30:00Z", "yesterday"),
        2,
        "ts",
        "rds.csv row 2, field 'ts': 'yesterday' is not an ISO 8601 timestamp",
    ),
    (
        HEADER + ROW.replace("2014-02-14T19:30:00Z", "2014-02-14 19:30:00"),
        2,
        "ts",
        "rds.csv row 2, field 'ts': '2014-02-14 19:30:00' has no UTC offset (expected a 'Z' suffix)",
    ),
    (
        HEADER + ROW.replace("2014-02-14T19:30:00Z", "2014-02-14T19:30:00+02:00"),
        2,
        "ts",
        "rds.csv row 2, field 'ts': '2014-02-14T19:30:00+02:00' is not UTC "
        "(only a 'Z' or '+00:00' suffix is accepted)",
    ),
    (
        HEADER + ROW.replace("db-1", ""),
        2,
        "cluster_id",
        "rds.csv row 2, field 'cluster_id': cluster_id is blank",
    ),
    (
        HEADER + ROW + "2014-02-14T19:25:00Z,db-1,cpu,percent,1\n",
        3,
        "ts",
        "rds.csv row 3, field 'ts': timestamp 2014-02-14T19:25:00Z is earlier than "
        "2014-02-14T19:30:00Z at row 2 in series (db-1, cpu); timestamps must be strictly increasing",
    ),
    (
        HEADER + ROW + "2014-02-14T19:35:00Z,db-2,cpu,percent,1\n" + ROW,
        4,
        "ts",
        "rds.csv row 4, field 'ts': duplicate timestamp 2014-02-14T19:30:00Z in series "
        "(db-1, cpu): also at row 2",
    ),
    (
        HEADER + ROW + "2014-02-14T19:35:00Z,db-1,cpu,acu,1\n",
        3,
        "unit",
        "rds.csv row 3, field 'unit': unit 'acu' differs from 'percent' used at row 2 for series (db-1, cpu)",
    ),
]
IDS = [
    "empty-file",
    "header-only",
    "missing-column",
    "extra-column",
    "misnamed-column",
    "columns-out-of-order",
    "wrong-field-count",
    "blank-value",
    "nan-value",
    "inf-value",
    "non-numeric-value",
    "negative-value",
    "percent-over-100",
    "unknown-unit",
    "unparseable-ts",
    "naive-ts",
    "non-utc-ts",
    "blank-cluster",
    "unsorted-ts",
    "duplicate-ts",
    "unit-change",
]


@pytest.mark.parametrize(("text", "row", "field", "message"), CASES, ids=IDS)
def test_each_validation_error_names_file_row_field_and_reason(
    tmp_path: Path, text: str, row: int | None, field: str | None, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(TraceFormatError) as info:
        load_trace(path)
    error = info.value
    assert str(error) == message
    assert "\n" not in str(error)
    assert (error.row, error.field) == (row, field)
    assert error.path == path
    assert isinstance(error, ValueError)


def test_non_utf8_file_is_a_file_level_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(HEADER.encode() + b"2014-02-14T19:30:00Z,db\xff,cpu,percent,1\n")
    with pytest.raises(TraceFormatError, match=r"^bad.csv: file is not UTF-8 text"):
        load_trace(path)


def test_an_unterminated_quote_is_named_at_the_row_it_opens_on(tmp_path: Path) -> None:
    # it was 'rds.csv row 4: row has 2 fields, expected 5', the row where the swallowed text ended
    first, *rest = GOOD_ROWS.splitlines(keepends=True)
    text = HEADER + first + '2014-02-14T19:40:00Z,"db-1,cpu,percent,100\n' + "".join(rest)
    path = write(tmp_path, text)
    with pytest.raises(TraceFormatError) as info:
        load_trace(path)
    assert str(info.value) == (
        "rds.csv row 3: unterminated quote: the '\"' that opens a field on this row is never closed "
        "(the file ends inside it); close it, or remove it"
    )
    assert (info.value.row, info.value.field) == (3, None)
