"""service.history: wire points -> step grid -> history array ending at now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from service.cli import write_json_atomic
from service.history import HistoryError, history_until, series_end, series_from_points
from traces import AcuRule, demand_series

T0 = datetime(2024, 5, 6, tzinfo=UTC)


def _demand(offsets_s: list[int], values: list[float], step_s: int = 300):  # type: ignore[no-untyped-def]
    series = series_from_points([T0 + timedelta(seconds=s) for s in offsets_s], values, cluster_id="c")
    return demand_series(series, step_s=step_s, rule=AcuRule())


@pytest.mark.parametrize(
    ("now_offset_s", "expected"),
    [
        pytest.param(900, [2.0, np.nan, 5.0], id="now_at_data_end"),
        pytest.param(1500, [2.0, np.nan, 5.0, np.nan, np.nan], id="pads_missing_tail"),
        pytest.param(600, [2.0, np.nan], id="cuts_data_at_or_after_now"),
    ],
)
def test_history_until(now_offset_s: int, expected: list[float]) -> None:
    demand = _demand([0, 120, 610], [1.0, 2.0, 5.0])  # two samples in step 0: max is kept

    out = history_until(demand, T0 + timedelta(seconds=now_offset_s))

    np.testing.assert_array_equal(out, np.array(expected))
    assert out.flags.writeable


def test_series_end_is_the_end_of_the_last_step() -> None:
    assert series_end(_demand([0, 610], [1.0, 2.0])) == T0 + timedelta(seconds=900)


@pytest.mark.parametrize(
    ("now", "loc", "part"),
    [
        pytest.param(T0 + timedelta(seconds=301), ("now",), "step grid", id="off_grid"),
        pytest.param(T0, ("now",), "not after the first", id="no_history_before_now"),
        pytest.param(T0.replace(tzinfo=None) + timedelta(hours=1), ("now",), "timezone", id="naive"),
        pytest.param(T0 + timedelta(days=30), ("history",), "at most 100", id="too_long"),
    ],
)
def test_history_until_rejects(now: datetime, loc: tuple[str, ...], part: str) -> None:
    with pytest.raises(HistoryError, match=part) as info:
        history_until(_demand([0], [1.0]), now, max_steps=100)

    assert info.value.loc == loc


def test_write_json_atomic_replaces_whole_file(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "out.json"
    path.write_text("old", encoding="utf-8")

    write_json_atomic(path, {"a": [1, 2]})

    assert path.read_text(encoding="utf-8") == '{\n  "a": [\n    1,\n    2\n  ]\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
