"""MinCapacity 0 (auto-pause) in recommend: only where the forecast is idle long enough to pause."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from pydantic import ValidationError

from placement import PlacementOptions
from placement.specs import SecondaryRegion
from policy import CapacityLimits, ClusterSpec, PolicyConfig, recommend
from policy.autopause import plan_auto_pause

T0 = datetime(2024, 3, 4, tzinfo=UTC)
DAYS = 4
HOUR = (np.arange(DAYS * 288) % 288) / 12
IDLE_NIGHTS = np.where((HOUR >= 1) & (HOUR < 6), 0.0, 2.0)  # no demand at all 01:00-06:00
CLUSTER = ClusterSpec(limits=CapacityLimits(min_acu=0, max_acu=16))


def _recommend(until_hour: float, cluster: ClusterSpec = CLUSTER):  # type: ignore[no-untyped-def]
    n = int((DAYS - 1) * 288 + until_hour * 12)
    return recommend(IDLE_NIGHTS[:n], now=T0 + timedelta(seconds=300 * n), step_s=300, cluster=cluster)


def test_min_acu_zero_is_accepted_and_between_zero_and_half_is_not() -> None:
    assert CapacityLimits(min_acu=0).min_acu == 0.0
    assert CapacityLimits(min_acu=0).seconds_until_auto_pause == 300
    with pytest.raises(ValidationError, match="not a multiple of 0.5 ACU"):
        CapacityLimits(min_acu=0.3)
    with pytest.raises(ValidationError, match="less than or equal to 86400"):
        CapacityLimits(min_acu=0, seconds_until_auto_pause=90_000)


def test_idle_forecast_longer_than_the_timer_pauses_and_the_resume_is_unserved() -> None:
    # At 04:30 the cluster has been idle since 01:00; the forecast is idle until 06:00.
    rec = _recommend(4.5)
    floors = [s.min_capacity_acu for s in rec.steps]
    assert floors[:5] == [0.0] * 5  # 04:30-05:45 paused (the timer ran out long ago)
    assert all(s.capacity_acu == 0.0 for s in rec.steps[:5])
    assert all(f >= 0.5 for f in floors[5:])  # raised before 06:00, running after
    assert rec.settings.capacity_changes[0].min_capacity_acu == 0.0
    # Demand is back at 06:00: 2 ACU wait 15 s for the resume, spread over the 900-s step.
    six = next(s for s in rec.steps if s.start.hour == 6 and s.start.minute == 0)
    assert six.shortfall_acu == pytest.approx(2.0 * 15 / 900)
    assert "MinCapacity 0 (auto-pause) in 5 of 12 steps between 04:30 and 05:45 UTC" in rec.reasons[-1]
    assert "waits about 15 s for the resume, counted as unserved" in rec.reasons[-1]


def test_a_horizon_that_pauses_throughout_does_not_say_min_capacity_stays_at_the_minimum() -> None:
    rec = _recommend(2.0)  # idle from 01:00 to 06:00: the whole 3-h horizon pauses
    assert [s.min_capacity_acu for s in rec.steps] == [0.0] * 12
    assert rec.reasons[0].startswith("while it runs, MinCapacity stays at 0.5 ACU: Aurora's own scaler")
    assert rec.reasons[-1].startswith(
        "MinCapacity 0 (auto-pause) in 12 of 12 steps between 02:00 and 05:00 UTC"
    )


def test_the_timer_starts_with_the_lull() -> None:
    rec = _recommend(1.0)  # idle from 01:00 (now): the first step pauses after 300 of its 900 s
    assert [s.min_capacity_acu for s in rec.steps] == [0.0] * 12
    first, second = rec.steps[0], rec.steps[1]
    assert second.capacity_acu == 0.0
    assert first.capacity_acu > 0.0  # two thirds of the step running at its planned capacity


def test_no_lull_keeps_the_running_minimum_and_says_why() -> None:
    rec = _recommend(12.0)
    assert min(s.min_capacity_acu for s in rec.steps) == 0.5
    assert "never idle for longer than SecondsUntilAutoPause (300 s)" in rec.reasons[-1]


def test_a_longer_timer_than_the_lull_never_pauses() -> None:
    limits = CapacityLimits(min_acu=0, max_acu=16, seconds_until_auto_pause=86_400)
    rec = _recommend(4.5, ClusterSpec(limits=limits))
    assert min(s.min_capacity_acu for s in rec.steps) == 0.5


def test_a_global_database_is_not_paused() -> None:
    rec = _recommend(4.5, ClusterSpec(limits=CapacityLimits(min_acu=0.5, max_acu=16)))
    options = PlacementOptions(secondaries=(SecondaryRegion(region="eu-west-1", az_ids=("euw1-az1",)),))
    cluster = CLUSTER.model_copy(update={"placement": options})
    risk = np.zeros(36)
    out = plan_auto_pause(rec, risk, step_s=300, cluster=cluster, config=PolicyConfig())
    assert out.steps == rec.steps
    assert (
        out.reasons[-1]
        == "auto-pause is allowed but not planned: Aurora does not pause a global database's primary"
    )
