"""Tests of the NAB DST reconstruction rule and the converter, on inline fixtures only."""

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from traces import ConversionError, format_ts, load_trace
from traces.convert import convert_one, read_checksums
from traces.convert_specs import SPECS
from traces.nab_clock import nab_naive_to_utc


def naive(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def nab_fixture() -> list[str]:
    """Raw NAB-style stamps with the 2014-03-09 pattern: 01:46 .. 01:56, 12 x 03:00, 03:01, 03:06."""
    stamps = ["2014-03-09 01:46:00", "2014-03-09 01:51:00", "2014-03-09 01:56:00"]
    stamps += ["2014-03-09 03:00:00"] * 12
    stamps += ["2014-03-09 03:01:00", "2014-03-09 03:06:00"]
    return stamps


def test_dst_clamped_rows_become_a_regular_utc_grid() -> None:
    utc, n_fixed = nab_naive_to_utc([naive(s) for s in nab_fixture()])
    assert n_fixed == 12
    assert format_ts(utc[0]) == "2014-03-09T06:46:00Z"  # 01:46 EST = UTC-5
    assert format_ts(utc[3]) == "2014-03-09T07:01:00Z"  # first clamped row = 02:01 on the clock
    assert format_ts(utc[14]) == "2014-03-09T07:56:00Z"  # last clamped row = 02:56
    assert format_ts(utc[15]) == "2014-03-09T08:01:00Z"  # raw 03:01, still UTC-5
    assert np.diff(utc).tolist() == [300] * (len(utc) - 1)


def test_rule_with_cadence_on_the_hour_includes_the_real_03_00_sample() -> None:
    stamps = [naive("2014-03-09 01:55:00")] + [naive("2014-03-09 03:00:00")] * 13
    stamps.append(naive("2014-03-09 03:05:00"))
    utc, n_fixed = nab_naive_to_utc(stamps)
    assert n_fixed == 13
    assert np.diff(utc).tolist() == [300] * 14


def test_gaps_stay_gaps_and_ordinary_days_are_shifted_by_five_hours() -> None:
    stamps = [naive("2014-04-10 00:04:00"), naive("2014-04-10 00:09:00"), naive("2014-04-10 00:19:00")]
    utc, n_fixed = nab_naive_to_utc(stamps)
    assert n_fixed == 0
    assert [format_ts(u) for u in utc] == [
        "2014-04-10T05:04:00Z",
        "2014-04-10T05:09:00Z",
        "2014-04-10T05:19:00Z",
    ]


@pytest.mark.parametrize(
    ("stamps", "message"),
    [
        (
            ["2014-03-09 01:55:00", "2014-03-09 03:00:00", "2014-03-09 03:05:00"],
            "do not fill the span",
        ),
        (["2014-03-09 01:56:00", "2014-03-09 03:01:00"], "straddle a DST transition"),
        (["2014-03-09 03:00:00", "2014-03-09 03:00:00", "2014-03-09 03:01:00"], "edge of the file"),
        (["2014-03-10 01:00:00", "2014-03-10 01:00:00"], "not strictly increasing"),
    ],
    ids=["dst-aware-clock", "unclamped-straddle", "run-at-file-start", "duplicate"],
)
def test_patterns_outside_the_rule_are_refused(stamps: list[str], message: str) -> None:
    with pytest.raises(ConversionError, match=message):
        nab_naive_to_utc([naive(s) for s in stamps])


def write_raw(raw: Path, rel: str, text: str, digest: str | None = None) -> None:
    (raw / rel).parent.mkdir(parents=True, exist_ok=True)
    (raw / rel).write_text(text, encoding="utf-8")
    digest = digest or hashlib.sha256(text.encode()).hexdigest()
    (raw / "SHA256SUMS").write_text(f"{digest}  ./{rel}\n", encoding="utf-8")


def test_converter_writes_canonical_csv_and_metadata_from_inline_fixture(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    out.mkdir()
    rows = "".join(f"{s},{40 + i}.5\n" for i, s in enumerate(nab_fixture()))
    write_raw(raw, "nab/fixture.csv", "timestamp,value\n" + rows)
    spec = replace(next(s for s in SPECS if s.name == "ec2-cpu-dst-failure"), raw_file="nab/fixture.csv")
    meta = convert_one(raw, out, spec, read_checksums(raw))
    assert (meta.n_rows, meta.first_ts, meta.last_ts) == (17, "2014-03-09T06:46:00Z", "2014-03-09T08:06:00Z")
    assert any("Re-stamped the 12 rows stamped 2014-03-09 03:00:00" in c for c in meta.changes)
    series = load_trace(out / "ec2-cpu-dst-failure.csv").single()
    assert series.value.tolist()[:4] == [40.5, 41.5, 42.5, 43.5]
    assert (out / "ec2-cpu-dst-failure.json").is_file()


def test_converter_refuses_a_checksum_mismatch(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_raw(raw, "nab/fixture.csv", "timestamp,value\n2014-03-01 00:00:00,1.0\n", digest="0" * 64)
    spec = replace(SPECS[0], raw_file="nab/fixture.csv")
    with pytest.raises(ConversionError, match="listed in SHA256SUMS"):
        convert_one(raw, tmp_path, spec, read_checksums(raw))


def test_offsets_reader_anchors_at_the_epoch(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    out.mkdir()
    write_raw(raw, "agg/a.csv", "timestamp,cpu_usage,assigned_mem\n0,5.0,1\n300,6.0,1\n")
    spec = replace(next(s for s in SPECS if s.reader == "offsets"), raw_file="agg/a.csv")
    meta = convert_one(raw, out, spec, read_checksums(raw))
    epoch = datetime(2019, 1, 1, tzinfo=UTC)
    assert meta.first_ts == format_ts(int(epoch.timestamp()))
    assert meta.last_ts == format_ts(int((epoch + timedelta(seconds=300)).timestamp()))


def test_clock_offset_can_be_switched_to_utc_without_changing_the_grid() -> None:
    utc, n_fixed = nab_naive_to_utc([naive(s) for s in nab_fixture()], clock_offset_s=0)
    assert n_fixed == 12
    assert format_ts(utc[0]) == "2014-03-09T01:46:00Z"
    assert np.diff(utc).tolist() == [300] * (len(utc) - 1)
