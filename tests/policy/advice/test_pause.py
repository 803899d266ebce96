"""Auto-pause is offered for idle time that recurs, not for one outage (QA 68 #1)."""

from datetime import UTC, datetime

import numpy as np
import pytest

from policy import ClusterSpec
from policy.advice.advise import advise
from policy.advice.pause import RECUR_GAP_H, auto_pause_advice, pause_beats_commitments
from policy.advice.types import CurrentSettings, Outcome
from policy.trace_replay.simulator import SimResult

START = datetime(2024, 3, 4, tzinfo=UTC)
DAY = 288  # 5-minute steps


def _sim(floors: np.ndarray) -> SimResult:
    """A stand-in replay: $0.01 a step where the floor runs, nothing where it pauses."""
    cost = np.where(floors > 0, 0.01, 0.0)
    zeros = np.zeros(len(floors))
    return SimResult(
        cost_usd=float(cost.sum()),
        shortfall_acu_h=0.0,
        slo_violation_min=0.0,
        p99_latency_ms=10.0,
        unserved_min=0.0,
        paused_h=float((floors <= 0).sum()) / 12,
        capacity_acu=floors,
        mean_capacity_acu=float(floors.mean()),
        writer_capacity_acu=floors,
        cost_usd_by_step=cost,
        slo_violation_min_by_step=zeros,
    )


def _pause(demand: np.ndarray, window_from: datetime | None = None):  # type: ignore[no-untyped-def]
    recommended = Outcome(
        settings="",
        monthly_cost_usd=100.0,
        cost_usd=1.0,
        slo_violation_min=0.0,
        slo_violation_min_per_month=0.0,
        shortfall_acu_h=0.0,
        p99_latency_ms=10.0,
        scaling_actions=0,
    )
    return auto_pause_advice(
        demand,
        np.full(len(demand), 0.5),
        CurrentSettings(min_capacity_acu=2.0, max_capacity_acu=32.0),
        ClusterSpec(),
        _sim,
        recommended,
        1.0,
        300,
        window_from=window_from,
    )


def _busy(days: int) -> np.ndarray:
    """2-6 ACU, never idle."""
    t = np.arange(days * DAY)
    return 4.0 + 2.0 * np.sin(t / DAY * 2 * np.pi)


def test_one_outage_in_eight_days_is_not_offered_as_a_saving() -> None:
    # QA 68 #1: 6 h of zeros on one day of a 2-6 ACU cluster read "auto-pause (MinCapacity 0)
    # would save $2.39/month: 6.0 h of the window are idle stretches ... each of the 1 resume".
    demand = _busy(8)
    demand[3 * DAY : 3 * DAY + 72] = 0.0  # day 4, 00:00-06:00
    pause = _pause(demand, window_from=START)
    assert pause.monthly_cost_usd is None and pause.saving_usd_per_month is None and pause.resumes == 0
    assert pause.pausable_hours == 6.0  # what the history holds is still said
    assert pause.reason == (
        "the 8.0 replayed days have one idle stretch, 6.0 h from 2024-03-07 00:00 UTC, that did not recur: "
        "an outage or a one-off; pausing pays only for idle time that recurs (idle stretches starting 20 h "
        "or more apart, or 50% of the window idle), so auto-pause (MinCapacity 0) is not offered as a saving"
    )
    # the sentence is among the reasons, where the CLI prints it (no "would save" line without a saving)
    assert pause_beats_commitments(pause, ()) == [pause.reason]
    assert "from 3.00 days into the window" in _pause(demand).reason
    quiet = _busy(8)
    quiet[7 * DAY :] = 0.0  # idle for the last day only, to the window's end
    assert ", still idle at the window's end and not seen before: " in _pause(quiet).reason


def test_an_outage_broken_by_a_blip_is_still_one_day() -> None:
    demand = _busy(8)
    demand[3 * DAY : 3 * DAY + 36] = 0.0  # 00:00-03:00
    demand[3 * DAY + 40 : 3 * DAY + 100] = 0.0  # 03:20-08:20
    pause = _pause(demand, window_from=START)
    assert pause.saving_usd_per_month is None
    assert (
        "one idle spell, 2 stretches with 8.0 h idle within 8.3 h from 2024-03-07 00:00 UTC" in pause.reason
    )


def test_idle_nights_recur_and_one_resume_reads_in_the_singular() -> None:
    demand = _busy(3)
    for d in range(3):  # 01:00-06:00 every night, the last night to the window's end
        demand[d * DAY + 12 : d * DAY + 72] = 0.0
    demand[2 * DAY + 72 :] = 0.0
    pause = _pause(demand)
    assert pause.saving_usd_per_month is not None and pause.saving_usd_per_month > 0
    assert pause.resumes == 2 and "each of the 2 resumes leaves" in pause.reason
    two = _busy(2)
    two[12:72] = 0.0
    two[DAY + 12 :] = 0.0  # two nights, the second never ends: one resume
    pause = _pause(two)
    assert pause.resumes == 1 and pause.saving_usd_per_month is not None
    assert "; the 1 resume leaves the first requests waiting about 15 s" in pause.reason
    assert "each of the 1 resume" not in pause.reason


def test_nights_starting_a_little_earlier_each_day_still_recur() -> None:
    demand = _busy(3)
    gap = int((RECUR_GAP_H + 1) * 12)  # 21 h apart
    demand[12:72] = 0.0
    demand[12 + gap : 72 + gap] = 0.0
    assert _pause(demand).saving_usd_per_month is not None


@pytest.mark.parametrize("days", [2, 8])
def test_an_idle_cluster_is_one_stretch_and_still_pauses(days: int) -> None:
    pause = _pause(np.zeros(days * DAY))
    assert pause.saving_usd_per_month is not None and pause.monthly_cost_usd is not None
    assert "it never resumes in the window" in pause.reason


def test_a_window_of_one_day_cannot_tell_and_keeps_the_offer() -> None:
    demand = _busy(1)
    demand[:72] = 0.0
    assert _pause(demand).saving_usd_per_month is not None


def test_advise_says_why_an_outage_is_not_offered_for_pausing() -> None:
    # 4 days of 2-6 ACU (2 replayed), 6 h of zeros on the last day
    demand = _busy(4)
    demand[3 * DAY + 72 : 3 * DAY + 144] = 0.0
    advice = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=2.0, max_capacity_acu=32.0),
    )
    pause = advice.auto_pause
    assert pause.saving_usd_per_month is None and pause.monthly_cost_usd is None
    assert pause.reason.startswith(
        "the 2.0 replayed days have one idle stretch, 6.0 h from 2024-03-07 06:00 UTC"
    )
    assert pause.reason in advice.reasons
    assert not any("would save" in r or "unless the cluster may pause" in r for r in advice.reasons)
