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
    # it does not claim a floor the plan may raise above (was "so MinCapacity stays at 0.5 ACU")
    assert "so MinCapacity is never 0 here (at least 0.5 ACU)" in rec.reasons[-1]


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


def test_seasonal_idle_follows_the_conformal_rank_of_past_days() -> None:
    """The q-quantile of K same-phase days is 0 when ceil(q (K + 1)) of them are idle."""
    from policy.autopause import seasonal_idle

    day = 4  # steps per "day": the rule only looks at the same phase
    nine = np.tile([0.0, 3.0, 3.0, 3.0], 9)  # phase 0 idle on 9 of 9 days
    eight = np.tile([0.0, 3.0, 3.0, 3.0], 8)
    fourteen = np.tile([0.0, 3.0, 3.0, 3.0], 14)
    fourteen[4 * 5] = 0.5  # phase 0 busy once: 13 of 14 idle < ceil(0.9 * 15) = 14

    def mask(h: np.ndarray, q: float = 0.9) -> list[bool]:
        return [
            bool(x) for x in seasonal_idle(h, n_steps=day, season_steps=day, quantile=q, max_seasons=28)[0]
        ]

    assert mask(nine) == [True, False, False, False]
    assert seasonal_idle(nine, n_steps=day, season_steps=day, quantile=0.9, max_seasons=28)[1] == 9
    assert mask(eight) == [False] * 4  # 8 < 0.9 / 0.1 days: never, however idle
    assert mask(fourteen) == [False] * 4
    assert mask(fourteen, q=0.8) == [True, False, False, False]  # ceil(0.8 * 15) = 12 <= 13
    gaps = nine.copy()
    gaps[4 * 2] = np.nan  # a missing day is not an idle one: 8 observed
    assert mask(gaps) == [False] * 4
    # only the last max_seasons days count: 8 of them cannot say p90 = 0
    for seasons, expected in ((9, [True]), (8, [False])):
        got = seasonal_idle(nine, n_steps=1, season_steps=day, quantile=0.9, max_seasons=seasons)[0]
        assert got.tolist() == expected


def test_idle_nights_after_noisy_days_pause_once_enough_nights_say_so() -> None:
    """Holt-Winters smooths 0.1-0.4 ACU into exactly idle nights after noisy days; 14 idle nights
    are evidence enough for p90 = 0 there (a dev database's nights paused never before), 5 are not."""
    rng = np.random.default_rng(1)
    cluster = ClusterSpec(limits=CapacityLimits(min_acu=0, max_acu=16))
    now = datetime(2024, 3, 4, 20, tzinfo=UTC)

    def office(days: int) -> np.ndarray:
        t = np.arange(days * 288 + 240)
        return np.where(((t % 288) >= 108) & ((t % 288) < 204), 4 + rng.random(t.size), 0.0)

    long = recommend(office(14), now=now, cluster=cluster)
    short = recommend(office(5), now=now, cluster=cluster)

    assert [s.min_capacity_acu for s in long.steps] == [0.0] * len(long.steps)
    assert [s.demand_risk_acu for s in long.steps] == [0.0] * len(long.steps)  # the risk planned at
    assert any("the p90 forecast (or the time of day's history, below) is idle" in r for r in long.reasons)
    assert any("idle on at least 14 of 14 observed past days" in r for r in long.reasons)
    assert [s.min_capacity_acu for s in short.steps] == [0.5] * len(short.steps)


def test_a_scheduler_replans_when_load_arrives_in_a_paused_night() -> None:
    """A plan paused by the time of day's history covers no demand: 0.5 ACU then re-plans."""
    from policy import Observation, SchedulerConfig, new_state, next_plan

    rng = np.random.default_rng(1)
    t = np.arange(14 * 288 + 240)
    demand = np.where(((t % 288) >= 108) & ((t % 288) < 204), 4 + rng.random(t.size), 0.0)
    start = datetime(2024, 3, 4, 20, tzinfo=UTC) - timedelta(seconds=300 * t.size)
    cluster = ClusterSpec(limits=CapacityLimits(min_acu=0, max_acu=16))
    config = SchedulerConfig(learn_every_s=0, replan_every_s=3600)
    obs = [
        Observation(ts=start + timedelta(seconds=300 * i), demand_acu=float(v)) for i, v in enumerate(demand)
    ]
    now = start + timedelta(seconds=300 * t.size)
    first = next_plan(new_state(cluster), obs, now=now, config=config)
    assert first.plan.steps[0].min_capacity_acu == 0.0

    woke = next_plan(
        first.state, [Observation(ts=now, demand_acu=0.5)], now=now + timedelta(minutes=5), config=config
    )

    assert woke.replanned and "ACU the plan covered at" in woke.reason


def test_one_zero_after_days_of_steady_load_does_not_pause() -> None:
    # 3 days at exactly 5 ACU, then one step at 0 (a restart, a dropout): the forecast's upper
    # quantiles keep 5 ACU while the drop is unprecedented (forecasting.unprecedented.level_drop).
    y = np.r_[np.full(863, 5.0), 0.0]
    rec = recommend(y, now=T0 + timedelta(seconds=300 * y.size), step_s=300, cluster=CLUSTER)
    assert all(s.min_capacity_acu > 0 for s in rec.steps)
    assert any(w.startswith("unprecedented drop: ") for w in rec.warnings)
