"""Several signals, one demand: traces.signals (max over ACU equivalents, binding, memory, rates)."""

from __future__ import annotations

import numpy as np
import pytest

from traces.errors import DemandMappingError
from traces.signals import (
    GIB,
    SignalInput,
    SignalRules,
    combine_signals,
    connections_note,
    max_connections,
)

T0 = 1_714_953_600  # 2024-05-06T00:00:00Z


def _sig(name: str, unit: str, values: list[float], *, every: int = 300, statistic: str = "Maximum",
         start: int = T0) -> SignalInput:  # fmt: skip
    ts = np.arange(len(values), dtype=np.int64) * every + start
    return SignalInput(name, unit, statistic, ts, np.asarray(values, dtype=np.float64))


def test_demand_is_the_max_over_signals_and_names_the_binding_one() -> None:
    cpu = _sig("CPUUtilization", "percent", [10, 50, 10, 10])  # of 16 ACU: 1.6, 8, 1.6, 1.6
    mem = _sig("FreeableMemory", "bytes", [12 * GIB] * 4)
    out = combine_signals([cpu, mem], step_s=300, rules=SignalRules(max_acu=16))

    # FreeableMemory 12 GiB at MaxCapacity 16 ACU (32 GiB): 20 GiB in use = 10 ACU
    assert out.demand_acu.tolist() == [10.0, 10.0, 10.0, 10.0]
    assert out.binding == ("FreeableMemory",) * 4
    assert out.working_set_acu.tolist() == [10.0] * 4
    assert out.binding_share(until_step=4, window_steps=288) == {"FreeableMemory": 1.0}


def test_cpu_binds_where_it_is_larger() -> None:
    cpu = _sig("CPUUtilization", "percent", [10, 75, 10])  # 1.6, 12, 1.6 ACU of 16
    ws = _sig("working_set_bytes", "bytes", [8 * GIB] * 3)  # 4 ACU
    out = combine_signals([cpu, ws], step_s=300, rules=SignalRules(max_acu=16))

    assert out.demand_acu.tolist() == [4.0, 12.0, 4.0]
    assert out.binding == ("working_set_bytes", "CPUUtilization", "working_set_bytes")
    assert out.binding_share(until_step=3, window_steps=288) == {
        "working_set_bytes": pytest.approx(0.6667),
        "CPUUtilization": pytest.approx(0.3333),
    }


def test_rate_signals_use_their_coefficient_and_counts_gaps_are_zero() -> None:
    queries = _sig("Queries", "count", [600.0, 1200.0], statistic="Sum")  # per 300 s
    late = SignalInput(
        "Queries", "count", "Sum", np.array([T0, T0 + 300, T0 + 1200]), np.array([600.0, 1200.0, 300.0])
    )
    rules = SignalRules(max_acu=16, acu_s_per_unit={"Queries": 0.5})
    assert combine_signals([queries], step_s=300, rules=rules).demand_acu.tolist() == [1.0, 2.0]

    out = combine_signals([late], step_s=300, rules=rules)
    # Sum: the two missing periods in between are zero, not missing
    assert out.demand_acu.tolist() == [1.0, 2.0, 0.0, 0.0, 0.5]


def test_sample_count_gaps_are_zero_like_sum_and_an_average_gap_stays_missing() -> None:
    stamps = np.array([T0, T0 + 300, T0 + 1200])
    counted = SignalInput("Queries", "count", "SampleCount", stamps, np.array([600.0, 1200.0, 300.0]))
    averaged = SignalInput("Queries", "count", "Average", stamps, np.array([600.0, 1200.0, 300.0]))
    rules = SignalRules(max_acu=16, acu_s_per_unit={"Queries": 0.5})

    # SampleCount: 600 per 300 s = 2/s x 0.5 ACU-s = 1 ACU; the two periods CloudWatch left out are zero
    counts = combine_signals([counted], step_s=300, rules=rules).demand_acu
    assert counts.tolist() == [1.0, 2.0, 0.0, 0.0, 0.5]
    gauge = combine_signals([averaged], step_s=300, rules=rules).demand_acu
    assert gauge[[0, 1, 4]].tolist() == [1.0, 2.0, 0.5] and np.isnan(gauge[2]) and np.isnan(gauge[3])


def test_a_gauge_gap_stays_missing() -> None:
    sig = SignalInput("ServerlessDatabaseCapacity", "acu", "Maximum", np.array([T0, T0 + 300, T0 + 1200]),
                      np.array([1.0, 2.0, 3.0]))  # fmt: skip
    out = combine_signals([sig], step_s=300, rules=SignalRules())

    assert np.isnan(out.demand_acu[2]) and np.isnan(out.demand_acu[3])
    assert out.binding[2] is None


def test_acu_utilization_percent_is_read_against_max_capacity() -> None:
    acu = _sig("ACUUtilization", "percent", [50, 25, 100])  # of MaxCapacity 16 ACU: 8, 4, 16
    cpu = _sig("CPUUtilization", "percent", [10, 40, 10])  # 1.6, 6.4, 1.6

    alone = combine_signals([acu], step_s=300, rules=SignalRules(max_acu=16))
    assert alone.demand_acu.tolist() == [8.0, 4.0, 16.0]
    assert alone.binding == ("ACUUtilization",) * 3
    # Beside a load signal, capacity is what Aurora ran (floor and headroom included), not demand.
    both = combine_signals([acu, cpu], step_s=300, rules=SignalRules(max_acu=16))
    assert both.demand_acu.tolist() == [1.6, 6.4, 1.6]
    assert both.binding == ("CPUUtilization",) * 3 and both.signals == ("CPUUtilization",)
    assert (
        "ACUUtilization: the capacity Aurora ran (MinCapacity and the scaler's headroom included), not "
        "demand; demand is read from CPUUtilization"
    ) in both.warnings
    with pytest.raises(DemandMappingError) as info:
        combine_signals([acu], step_s=300, rules=SignalRules())
    assert info.value.field == "max_acu"
    assert str(info.value).endswith(
        "signal 'ACUUtilization' (acu percent) is measured against MaxCapacity: give max_acu"
    )


def test_maximum_is_preferred_and_average_only_warns() -> None:
    avg = _sig("CPUUtilization", "percent", [20, 20], statistic="Average", every=3600)
    mx = _sig("CPUUtilization", "percent", [60, 60], statistic="Maximum", every=3600)

    both = combine_signals([avg, mx], step_s=300, rules=SignalRules(max_acu=10))
    assert both.demand_acu[0] == 6.0
    assert both.warnings == (
        "CPUUtilization: the Maximum statistic is used; Average ignored (of Average, Maximum)",
    )

    only = combine_signals([avg], step_s=300, rules=SignalRules(max_acu=10))
    assert "only the Average statistic at a 3600-s period" in only.warnings[0]
    # an hourly sample covers its twelve 5-minute steps
    assert only.n_steps == 24 and only.demand_acu.tolist() == [2.0] * 24


def test_offset_grid_counts_in_both_steps_it_overlaps() -> None:
    sig = _sig("ServerlessDatabaseCapacity", "acu", [1.0, 5.0, 1.0, 1.0], start=T0 + 150)
    out = combine_signals([sig], step_s=300, rules=SignalRules())

    assert out.start_s == T0
    assert out.demand_acu.tolist() == [1.0, 5.0, 5.0, 1.0, 1.0]


def test_percent_without_max_acu_is_an_error_naming_the_field() -> None:
    with pytest.raises(DemandMappingError) as info:
        combine_signals([_sig("CPUUtilization", "percent", [10])], step_s=300, rules=SignalRules())

    assert info.value.field == "max_acu"
    assert info.value.code == "demand_mapping"
    assert "give max_acu" in str(info.value)


def test_rate_without_coefficient_and_unknown_bytes_are_errors() -> None:
    with pytest.raises(DemandMappingError, match=r"acu_s_per_unit\['Queries'\]"):
        combine_signals([_sig("Queries", "per_s", [3])], step_s=300, rules=SignalRules())
    with pytest.raises(DemandMappingError, match="has no ACU mapping"):
        combine_signals([_sig("SwapUsage", "bytes", [3])], step_s=300, rules=SignalRules())


def test_connections_size_max_capacity_not_demand() -> None:
    cpu = _sig("CPUUtilization", "percent", [10, 10])
    conns = _sig("DatabaseConnections", "count", [900, 1500])
    out = combine_signals([cpu, conns], step_s=300, rules=SignalRules(max_acu=8, min_acu=1))

    assert out.demand_acu.tolist() == [0.8, 0.8]
    assert out.signals == ("CPUUtilization",)
    assert out.notes == (
        "DatabaseConnections peaked at 1,500; at MaxCapacity 8 ACU aurora-postgresql's default "
        "max_connections is 1,669 (below the peak plus 20% headroom, 1,800): a MaxCapacity of 16 ACU lifts "
        "it to 3,360; max_connections is a static parameter, so each instance needs a reboot to apply it",
    )


def test_max_connections_table_and_postgres_low_minimum_cap() -> None:
    assert max_connections(16, engine="aurora-postgresql", min_acu=1) == 3360
    assert max_connections(16, engine="aurora-postgresql", min_acu=0.5) == 2000
    assert max_connections(12, engine="aurora-mysql") == 1000  # the row at or below
    # 2,500 connections need more than the 2,000 cap: MinCapacity 1 and MaxCapacity 16
    note = connections_note(2500 / 1.2, SignalRules(max_acu=8, min_acu=0.5))
    assert (
        note is not None
        and "a MaxCapacity of 16 ACU and MinCapacity never below 1 ACU (the lowest allowed now is 0.5) "
        "lifts it to 3,360"
        in note
    )
    assert connections_note(100, SignalRules(max_acu=8)) is None


def test_the_known_signal_names_messages_list_cover_every_known_signal() -> None:
    from traces.signals import KNOWN_SIGNAL_NAMES, KNOWN_SIGNALS, known_signal_name

    listed = {n.lower() for n in KNOWN_SIGNAL_NAMES}
    assert listed <= set(KNOWN_SIGNALS)
    # every known name is listed, or is the snake-case form of a listed CloudWatch name
    assert all(k in listed or k.replace("_", "") in listed for k in KNOWN_SIGNALS)
    assert known_signal_name("cpuutilization") == "CPUUtilization"
    assert known_signal_name("cpu_utilization") == "cpu_utilization"
    assert known_signal_name("Queries") is None


def test_capacity_at_today_s_floor_is_not_read_as_demand_beside_cpu() -> None:
    # A cluster at MinCapacity 4 ACU: CloudWatch's capacity never reads below 4, however idle.
    # As demand it made the advice's simulated bill 46% above the observed one (QA 58).
    capacity = _sig("ServerlessDatabaseCapacity", "acu", [4.0, 4.0, 8.0])
    cpu = _sig("CPUUtilization", "percent", [5.0, 10.0, 30.0])  # of 16 ACU: 0.8, 1.6, 4.8
    out = combine_signals([capacity, cpu], step_s=300, rules=SignalRules(max_acu=16))
    assert out.demand_acu.tolist() == [0.8, 1.6, 4.8]
    assert out.signals == ("CPUUtilization",)
    assert [w for w in out.warnings if w.startswith("ServerlessDatabaseCapacity: the capacity Aurora ran")]
    alone = combine_signals([capacity], step_s=300, rules=SignalRules(max_acu=16))
    assert alone.demand_acu.tolist() == [4.0, 4.0, 8.0] and not alone.warnings  # the only estimate there is
