"""Tests of traces.demand: rules, grid regularisation, statistics and errors."""

from datetime import UTC, datetime

import numpy as np
import pytest
from pydantic import ValidationError

from traces import (
    AcuRule,
    DemandMappingError,
    P99ToPeakAcuRule,
    PercentOfMaxAcuRule,
    PerUnitRule,
    TraceSeries,
    demand_series,
    parse_demand_rule,
    to_acu,
)


def series(offsets_s: list[int], values: list[float], unit: str = "acu") -> TraceSeries:
    base = np.datetime64("2024-01-01T00:00:00", "s")
    ts = base + np.array(offsets_s, dtype=np.int64) * np.timedelta64(1, "s")
    return TraceSeries("c1", "sig", unit, ts, np.array(values, dtype=np.float64))  # type: ignore[arg-type]


# samples at +0/+60/+240 s (step 0), +300 s (step 1), none in step 2, +905 s (step 3)
HAND = series([0, 60, 240, 300, 905], [1.0, 5.0, 2.0, 4.0, 3.0])


def test_max_statistic_takes_the_largest_sample_and_leaves_empty_steps_nan() -> None:
    demand = demand_series(HAND, step_s=300, rule=AcuRule())
    assert demand.start == datetime(2024, 1, 1, tzinfo=UTC)
    assert demand.step_s == 300 and demand.n_steps == 4
    np.testing.assert_array_equal(demand.demand_acu, [5.0, 4.0, np.nan, 3.0])
    assert demand.n_missing == 1
    assert demand.ts[3] == np.datetime64("2024-01-01T00:15:00", "s")
    assert not demand.demand_acu.flags.writeable


def test_mean_and_p95_statistics() -> None:
    mean = demand_series(HAND, step_s=300, rule=AcuRule(), statistic="mean").demand_acu
    np.testing.assert_allclose(mean, [8.0 / 3.0, 4.0, np.nan, 3.0])
    p95 = demand_series(HAND, step_s=300, rule=AcuRule(), statistic="p95").demand_acu
    np.testing.assert_allclose(p95, [np.percentile([1.0, 5.0, 2.0], 95), 4.0, np.nan, 3.0])
    assert p95[0] == pytest.approx(4.7)


def test_grid_start_is_floored_to_a_multiple_of_step_since_epoch() -> None:
    s = series([130, 200, 500], [1.0, 2.0, 3.0])  # 00:02:10 .. 00:08:20
    demand = demand_series(s, step_s=120, rule=AcuRule())
    assert demand.start == datetime(2024, 1, 1, 0, 2, tzinfo=UTC)
    # steps start 00:02:00, 00:04:00, 00:06:00, 00:08:00
    np.testing.assert_array_equal(demand.demand_acu, [2.0, np.nan, np.nan, 3.0])


@pytest.mark.parametrize(
    ("rule", "unit", "values", "expected"),
    [
        (AcuRule(), "acu", [2.5], [2.5]),
        (PercentOfMaxAcuRule(max_acu=16), "percent", [50.0, 100.0], [8.0, 16.0]),
        (PerUnitRule(acu_s_per_unit=0.1), "per_s", [20.0], [2.0]),
    ],
    ids=["acu", "percent-of-max", "per-unit"],
)
def test_rules_map_values_to_acu(rule, unit: str, values: list[float], expected: list[float]) -> None:  # type: ignore[no-untyped-def]
    s = series(list(range(0, 300 * len(values), 300)), values, unit)
    np.testing.assert_allclose(to_acu(s, rule), expected)


def test_p99_rule_maps_the_p99_to_peak() -> None:
    values = list(np.arange(1.0, 101.0))  # p99 (linear) = 99.01
    s = series(list(range(0, 300 * 100, 300)), values, "relative")
    acu = to_acu(s, P99ToPeakAcuRule(peak_acu=24))
    assert np.percentile(acu, 99) == pytest.approx(24.0)
    assert acu[-1] == pytest.approx(100.0 * 24.0 / 99.01)


def test_unit_mismatch_is_refused() -> None:
    with pytest.raises(DemandMappingError) as info:
        demand_series(HAND, step_s=300, rule=PercentOfMaxAcuRule(max_acu=16))
    assert str(info.value) == (
        "field 'unit': series (c1, sig) has unit 'acu'; rule 'percent_of_max_acu' needs unit 'percent'"
    )


@pytest.mark.parametrize("step_s", [0, -300, True, 1.5])
def test_non_positive_or_non_integer_step_is_refused(step_s: object) -> None:
    with pytest.raises(DemandMappingError, match="step_s must be a positive integer"):
        demand_series(HAND, step_s=step_s, rule=AcuRule())  # type: ignore[arg-type]


def test_empty_series_is_refused() -> None:
    with pytest.raises(DemandMappingError, match=r"series \(c1, sig\) is empty"):
        demand_series(series([], []), step_s=300, rule=AcuRule())


def test_zero_p99_is_refused() -> None:
    with pytest.raises(DemandMappingError, match="needs a positive p99"):
        to_acu(series([0, 300], [0.0, 0.0], "relative"), P99ToPeakAcuRule(peak_acu=8))


def test_unknown_statistic_is_refused() -> None:
    with pytest.raises(DemandMappingError, match="statistic 'median'"):
        demand_series(HAND, step_s=300, rule=AcuRule(), statistic="median")  # type: ignore[arg-type]


def test_rules_parse_from_json_and_are_strict() -> None:
    assert parse_demand_rule({"rule": "p99_to_peak_acu", "peak_acu": 64}) == P99ToPeakAcuRule(peak_acu=64)
    with pytest.raises(ValidationError):
        parse_demand_rule({"rule": "percent_of_max_acu", "max_acu": 16, "extra": 1})
    with pytest.raises(ValidationError):
        parse_demand_rule({"rule": "percent_of_max_acu", "max_acu": 0})
    with pytest.raises(ValidationError):
        parse_demand_rule({"rule": "guess"})
    with pytest.raises(ValidationError):
        PercentOfMaxAcuRule(max_acu=16).__setattr__("max_acu", 8)  # frozen
