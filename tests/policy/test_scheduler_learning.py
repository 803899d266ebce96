"""next_plan learns the cluster's risk quantile from the history it keeps, as the replay does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from policy import (
    ClusterSpec,
    Observation,
    PolicyConfig,
    PolicyError,
    ReplayConfig,
    SchedulerConfig,
    SchedulerState,
    new_state,
    next_plan,
)
from policy.config import PostureConfig
from policy.trace_replay.learn import learn_risk_quantile, learnt_planning

STEP_S = 300
T0 = datetime(2024, 5, 6, tzinfo=UTC)
DAYS = 3
EAGER = PostureConfig(risk_quantiles=(0.8, 0.95), min_window_s=3600, min_reactive_slo_min=0.0)
"""Shadows from the first decision, choices after an hour of scores: a short history has a say."""


def _bursty(days: int, seed: int = 1) -> np.ndarray:
    """A daily cycle with a burst to 4x at 18:00 every day: Aurora alone's scaler lags each one."""
    rng = np.random.default_rng(seed)
    t = np.arange(days * 288)
    d = 4 + 2 * np.sin(2 * np.pi * t / 288) + rng.normal(0, 0.2, t.size)
    d[(t % 288) == 216] *= 4.0
    return np.maximum(d, 0.1)


def _observations(values: np.ndarray) -> list[Observation]:
    return [
        Observation(ts=T0 + timedelta(seconds=i * STEP_S), demand_acu=float(v)) for i, v in enumerate(values)
    ]


@pytest.fixture(scope="module")
def learnt() -> tuple[SchedulerState, SchedulerConfig, datetime]:
    config = SchedulerConfig(posture=EAGER)
    now = T0 + timedelta(days=DAYS)
    result = next_plan(
        new_state(ClusterSpec(), step_s=STEP_S), _observations(_bursty(DAYS)), now=now, config=config
    )
    return result.state, config, now


def test_the_quantile_learnt_is_the_replays_last_choice_and_the_plan_uses_it(
    learnt: tuple[SchedulerState, SchedulerConfig, datetime],
) -> None:
    state, config, now = learnt
    # Independently: the same rule replayed over the same history (the posture's window + warm-up).
    choice = learn_risk_quantile(
        _bursty(DAYS),
        start=T0,
        step_s=STEP_S,
        cluster=ClusterSpec(),
        config=ReplayConfig(policy=config.policy, posture=EAGER),
    )
    assert state.learnt_at == now and state.risk_quantile == choice.risk_quantile
    assert state.risk_quantile_reason == choice.reason and choice.reason.startswith(
        f"p{choice.risk_quantile * 100:g}"
    )
    assert state.risk_quantile in (0.8, 0.9, 0.95)
    assert state.last_plan is not None and state.last_plan.risk_quantile == state.risk_quantile
    assert SchedulerState.model_validate_json(state.model_dump_json()) == state


def test_the_quantile_is_kept_until_learn_every_s_then_learnt_again(
    learnt: tuple[SchedulerState, SchedulerConfig, datetime],
) -> None:
    state, config, now = learnt
    later = now + timedelta(hours=1)
    more = _observations(_bursty(DAYS + 1))[DAYS * 288 : DAYS * 288 + 12]
    kept = next_plan(state, more, now=later, config=config).state
    assert kept.learnt_at == now and kept.last_planned_at == later  # re-planned, not re-learnt
    day_later = next_plan(
        kept, now=now + timedelta(days=1), config=config.model_copy(update={"learn_every_s": 3600})
    )
    assert day_later.state.learnt_at == now + timedelta(days=1)


def test_learning_off_plans_at_the_configured_quantile() -> None:
    for config in (
        SchedulerConfig(learn_every_s=0, posture=EAGER),
        SchedulerConfig(posture=PostureConfig(risk_quantiles=())),
    ):
        result = next_plan(
            new_state(ClusterSpec(), step_s=STEP_S),
            _observations(_bursty(DAYS)),
            now=T0 + timedelta(days=DAYS),
            config=config,
        )
        assert result.state.risk_quantile is None and result.state.learnt_at is None
        assert result.plan.risk_quantile == 0.9


def test_a_history_shorter_than_the_warm_up_and_one_scoring_span_learns_nothing_yet() -> None:
    config = SchedulerConfig(posture=EAGER.model_copy(update={"min_window_s": 86_400}))
    result = next_plan(
        new_state(ClusterSpec(), step_s=STEP_S),
        _observations(_bursty(3)),  # 2-day warm-up + 1 day: one re-plan short of a scored day
        now=T0 + timedelta(days=3),
        config=config,
    )
    assert result.state.learnt_at is None and result.plan.risk_quantile == 0.9


def test_a_learnt_quantile_gives_way_to_a_changed_setting_or_learning_off(
    learnt: tuple[SchedulerState, SchedulerConfig, datetime],
) -> None:
    state, config, now = learnt
    later = now + timedelta(hours=1)
    assert state.risk_quantile is not None and state.learnt_with
    off = next_plan(state, now=later, config=config.model_copy(update={"learn_every_s": 0}))
    assert off.plan.risk_quantile == 0.9 and off.state.risk_quantile is None and not off.state.learnt_with
    raised = config.model_copy(update={"policy": config.policy.model_copy(update={"risk_quantile": 0.95})})
    relearnt = next_plan(state, now=later, config=raised)  # the old choice was learnt around p90
    assert relearnt.state.learnt_at == later and relearnt.state.learnt_with != state.learnt_with
    assert relearnt.plan.risk_quantile == relearnt.state.risk_quantile


def test_a_learnt_aurora_alone_holds_the_floor_until_the_next_learning(
    learnt: tuple[SchedulerState, SchedulerConfig, datetime],
) -> None:
    state, config, now = learnt
    alone = state.model_copy(update={"floor_from_forecast": False})
    result = next_plan(alone, now=now + timedelta(minutes=20), config=config)
    assert result.replanned and result.state.floor_from_forecast is False
    assert {s.min_capacity_acu for s in result.plan.steps} == {ClusterSpec().limits.min_acu}
    assert any("policy.floor_from_forecast is off" in r for r in result.plan.reasons)
    assert SchedulerState.model_validate_json(result.state.model_dump_json()) == result.state
    # a state saved before the field existed follows the forecast
    old = state.model_dump(mode="json")
    del old["floor_from_forecast"]
    assert SchedulerState.model_validate(old).floor_from_forecast is True
    # changed settings clear it with the quantile
    off = next_plan(
        alone, now=now + timedelta(minutes=20), config=config.model_copy(update={"learn_every_s": 0})
    )
    assert off.state.floor_from_forecast is True and off.state.risk_quantile is None


def test_learnt_planning_turns_the_forecast_floor_off_but_never_back_on() -> None:
    base = PolicyConfig()
    assert learnt_planning(base, None, False) == base  # nothing learnt: as configured
    assert learnt_planning(base, 0.95, True) == base.model_copy(update={"risk_quantile": 0.95})
    assert learnt_planning(base, 0.9, False).floor_from_forecast is False
    off = PolicyConfig(floor_from_forecast=False)
    assert learnt_planning(off, 0.95, True).floor_from_forecast is False  # an operator's off stays off


def test_bad_config_observations_and_now_are_policy_errors_naming_them() -> None:
    state = new_state(ClusterSpec(), step_s=STEP_S)
    obs = [{"ts": T0.isoformat(), "demand_acu": 1.0}]
    with pytest.raises(
        PolicyError, match="config: learn_every_s: Input should be greater than or equal to 0"
    ) as e:
        next_plan(state, obs, now=T0 + timedelta(hours=1), config={"learn_every_s": -1})
    assert e.value.field == "config"
    with pytest.raises(PolicyError, match="observations: demand_acu: Input should be greater") as e:
        next_plan(state, [{"ts": T0.isoformat(), "demand_acu": -1.0}], now=T0 + timedelta(hours=1))
    assert e.value.field == "observations"
    with pytest.raises(PolicyError, match="now must be a timezone-aware datetime, got str") as e:
        next_plan(state, obs, now="2024-05-06T01:00:00Z")  # type: ignore[arg-type]
    assert e.value.field == "now"
