"""The step rules (policy.steps): known answers, the errors' fields, and an invariant."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy import InvalidRequestError, ReplayConfig, replay
from policy.steps import MIN_STEP_S, check_replan_every_s, check_step_s, check_whole_steps, first_scored_step


@pytest.mark.parametrize(("step_s", "block"), [(60, 15), (300, 3), (900, 1)])
def test_a_step_that_divides_the_plan_step_gives_the_steps_per_plan_step(step_s: int, block: int) -> None:
    assert check_step_s(step_s, 900) == block


@pytest.mark.parametrize("step_s", [7, 420, 600, 1800, 0, -300, True, 300.0])
def test_a_step_that_does_not_divide_the_plan_step_is_refused_at_step_s(step_s: object) -> None:
    with pytest.raises(InvalidRequestError) as err:
        check_step_s(step_s, 900)
    assert err.value.field == "step_s"


@given(step_s=st.integers(1, 7200), plan_step_s=st.integers(1, 7200))
def test_check_step_s_accepts_exactly_the_divisors(step_s: int, plan_step_s: int) -> None:
    if plan_step_s % step_s == 0 and step_s >= MIN_STEP_S:
        assert check_step_s(step_s, plan_step_s) * step_s == plan_step_s
    else:
        with pytest.raises(InvalidRequestError):
            check_step_s(step_s, plan_step_s)


def test_a_step_finer_than_aurora_publishes_is_refused_before_it_fills_memory() -> None:
    # --step-s 1 on 3 days of 5-minute data asked the backtest for a (25,101 x 10,800) array.
    with pytest.raises(InvalidRequestError) as err:
        check_step_s(1, 900)
    assert err.value.field == "step_s"
    assert str(err.value) == "step_s=1 is below the finest step, 30 s (Aurora's metrics come every minute)"
    assert check_step_s(30, 900) == 30


def test_replan_interval_is_whole_steps_within_the_horizon() -> None:
    assert check_replan_every_s(3600, step_s=300, horizon_s=10_800) == 12
    with pytest.raises(
        InvalidRequestError, match=r"multiple of the history step step_s=300 \(5 min\)"
    ) as err:
        check_replan_every_s(420, step_s=300, horizon_s=10_800)
    assert err.value.field == "config.replan_every_s"
    with pytest.raises(InvalidRequestError, match="at most the planning horizon horizon_s=10800"):
        check_replan_every_s(10_860, step_s=60, horizon_s=10_800)


def test_replay_config_refuses_a_replan_beyond_the_horizon_with_the_same_rule() -> None:
    with pytest.raises(ValueError, match="at most the planning horizon horizon_s=10800"):
        ReplayConfig(replan_every_s=4 * 3600)


def test_first_scored_step_is_after_the_warm_up_and_needs_an_observed_step() -> None:
    assert first_scored_step([1.0] * 10, step_s=300, warmup_s=601) == 3  # ceil(601 / 300)
    with pytest.raises(InvalidRequestError, match="leaves nothing to score") as err:
        first_scored_step([1.0] * 3, step_s=300, warmup_s=900)
    assert err.value.field == "config.warmup_s"
    with pytest.raises(InvalidRequestError, match="no observed step in the warm-up"):
        first_scored_step([math.nan, math.nan, 1.0, 1.0], step_s=300, warmup_s=600)
    assert first_scored_step([math.nan, 1.0], step_s=300, warmup_s=0) == 0


def test_a_duration_must_be_whole_steps() -> None:
    assert check_whole_steps(3600, step_s=300, field="horizon_s") == 12
    with pytest.raises(InvalidRequestError) as err:
        check_whole_steps(1000, step_s=900, field="horizon_s", step_field="plan_step_s")
    assert err.value.field == "horizon_s"
    assert (
        str(err.value)
        == "horizon_s=1000 must be a multiple of the step plan_step_s=900 (15 min): e.g. 900 or 1800"
    )


def test_a_policy_that_forecasts_needs_a_warm_up_of_one_step() -> None:
    with pytest.raises(InvalidRequestError, match="warmup_s=0 gives policy 'acuplan' no history") as err:
        first_scored_step([1.0] * 4, step_s=300, warmup_s=0, needs_history=["acuplan"])
    assert err.value.field == "config.warmup_s"
    assert "warmup_s must be at least one step, step_s=300" in str(err.value)
    assert first_scored_step([1.0] * 4, step_s=300, warmup_s=1, needs_history=["acuplan"]) == 1


def test_replay_of_acuplan_without_warm_up_is_refused_before_any_decision() -> None:
    demand = [1.0] * 24
    start = datetime(2024, 5, 6, tzinfo=UTC)
    with pytest.raises(InvalidRequestError, match="warmup_s=0 gives policy 'acuplan' no history") as err:
        replay(
            demand, start=start, step_s=300, config=ReplayConfig(warmup_s=0), policies=["reactive", "acuplan"]
        )
    assert err.value.field == "config.warmup_s"
    report = replay(demand, start=start, step_s=300, config=ReplayConfig(warmup_s=0), policies=["reactive"])
    assert report.scored_from == start
