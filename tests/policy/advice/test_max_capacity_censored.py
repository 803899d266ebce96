"""The ``max_capacity`` alert: censored only where a capped signal sat at MaxCapacity, binding per instance.

MaxCapacity caps each instance, not the cluster: a cluster's demand in ACU may pass it while
every instance's share stays below (QA 64: 4 -> 20 ACU on a writer and a tier-1 reader at
MaxCapacity 16 was called "censored ... MaxCapacity 16 was binding" with 0 SLO-violation
minutes). Censoring is for signals MaxCapacity caps (capacity, a percent of MaxCapacity);
whether MaxCapacity binds is the replay's per-instance need (``policy.max_capacity``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from policy import ClusterSpec, InvalidRequestError
from policy.advice.advise import advise
from policy.advice.types import Advice, CurrentSettings

START = datetime(2024, 3, 4, tzinfo=UTC)
DAYS = 4


def _growth(lo: float, hi: float) -> np.ndarray:
    """Demand rising linearly from ``lo`` to ``hi`` ACU over 4 days at 300 s."""
    return np.linspace(lo, hi, DAYS * 288)


def _cpu_pinned() -> np.ndarray:
    """CPUUtilization of MaxCapacity 16 as ACU: ~30 % all day, 100 % from 10:00 to 14:00 UTC."""
    hour = (np.arange(DAYS * 288) % 288) / 12
    return np.where((hour >= 10) & (hour < 14), 100.0, 30.0 + np.arange(DAYS * 288) % 5) / 100 * 16


def _history_alerts(advice: Advice) -> list[str]:
    return [a.message for a in advice.alerts if a.kind == "max_capacity" and a.source == "history"]


def test_cluster_demand_above_maxcapacity_that_no_instance_needs_is_neither_censored_nor_binding() -> None:
    # 4 -> 20 ACU in total, half on the writer, half on its tier-1 reader: each needs at most
    # 10 / 0.95 = 10.5 ACU, below MaxCapacity 16; the series passes 16 on its way up (slowly:
    # 23 steps within 1 % of it), so it is not a signal 16 ACU caps.
    demand = _growth(4.0, 20.0)
    advice = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(max_capacity_acu=16.0),  # the cluster's default tier-1 reader
    )
    assert advice.current.slo_violation_min == 0
    assert _history_alerts(advice) == []
    assert not any("censored" in r or "data quality" in r for r in advice.reasons)
    assert not any("censored" in a.message or "was binding" in a.message for a in advice.alerts)
    # the growth alert, if any, is the forecast's on the writer's need, not the history's
    assert all(a.source == "forecast" for a in advice.alerts if a.kind == "max_capacity")


def test_demand_near_the_256_acu_limit_from_a_signal_no_ceiling_caps_is_not_censored() -> None:
    # QA 64's big256: ~255 ACU at its peak in total, ~128 ACU on the writer, MaxCapacity 256;
    # the caller says no step comes from a capped signal (a demand series in ACU).
    hour = (np.arange(DAYS * 288) % 288) / 12
    demand = np.where((hour >= 16) & (hour < 17), 255.0, 100.0)
    advice = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(max_capacity_acu=256.0),
        demand_capped=np.zeros(len(demand), dtype=bool),
    )
    assert _history_alerts(advice) == []
    assert not any("censored" in r for r in advice.reasons)


def test_a_percent_signal_pinned_at_100_percent_is_still_censored_at_maxcapacity() -> None:
    demand = _cpu_pinned()
    for capped in (None, np.ones(len(demand), dtype=bool)):  # inferred, or told by the caller
        advice = advise(
            demand,
            start=START,
            step_s=300,
            cluster=ClusterSpec(),
            current=CurrentSettings(max_capacity_acu=16.0),
            demand_capped=capped,
        )
        (alert,) = _history_alerts(advice)
        assert alert.startswith(
            "demand sat at 16 ACU for 16.0 h of the history (from 2024-03-04 10:00Z; censored"
        )
        assert "MaxCapacity 16 ACU was binding: raise it (e.g. to 32 ACU" in alert
        assert any(r.startswith("data quality: demand sat at MaxCapacity (16 ACU") for r in advice.reasons)


def test_a_writer_alone_whose_demand_passes_maxcapacity_is_binding_without_censoring() -> None:
    # readers=(): the writer carries all the load, 4 -> 20 ACU against MaxCapacity 16
    advice = advise(
        _growth(4.0, 20.0),
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(max_capacity_acu=16.0, readers=()),
    )
    assert advice.current.slo_violation_min > 0
    (alert,) = _history_alerts(advice)
    assert alert.startswith("demand needed 21.1 ACU on the writer at its peak, above MaxCapacity 16 in ")
    assert "censored" not in alert and "sat at" not in alert
    assert "raise MaxCapacity to 25.5 ACU" in alert  # the forecast's need: one remedy


def test_demand_capped_must_match_the_history() -> None:
    with pytest.raises(InvalidRequestError) as err:
        advise(
            _cpu_pinned(),
            start=START,
            step_s=300,
            cluster=ClusterSpec(),
            current=CurrentSettings(max_capacity_acu=16.0),
            demand_capped=np.ones(5, dtype=bool),
        )
    assert err.value.field == "demand_capped"
