"""policy.next_plan, the scheduler entry point: state round trip, hysteresis, warm start, example."""

from __future__ import annotations

import importlib.util
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from policy import (
    ClusterSpec,
    InsufficientHistoryError,
    InvalidRequestError,
    Observation,
    PolicyConfig,
    PolicyError,
    SchedulerConfig,
    SchedulerState,
    layout_at,
    new_state,
    next_plan,
)
from traces import diurnal_demand

ROOT = Path(__file__).resolve().parents[2]
STEP_S = 300
T0 = datetime(2024, 5, 6, tzinfo=UTC)
N_WARM = 3 * 288


def _obs(values: list[float], start_step: int = 0) -> list[Observation]:
    return [
        Observation(ts=T0 + timedelta(seconds=(start_step + i) * STEP_S), demand_acu=v)
        for i, v in enumerate(values)
    ]


@pytest.fixture(scope="module")
def warm() -> list[Observation]:
    acu = diurnal_demand(N_WARM, step_s=STEP_S, seed=3, base_acu=2, peak_acu=10)
    return _obs([float(v) for v in acu])


@pytest.fixture(scope="module")
def first(warm: list[Observation]) -> tuple[SchedulerState, datetime]:
    now = T0 + timedelta(seconds=N_WARM * STEP_S)
    result = next_plan(new_state(ClusterSpec(cluster_id="c1"), step_s=STEP_S), warm, now=now)
    assert result.replanned and result.reason == "first plan"
    return result.state, now


def test_state_round_trips_through_json(first: tuple[SchedulerState, datetime]) -> None:
    state, _ = first

    again = SchedulerState.model_validate_json(state.model_dump_json())

    assert again == state
    assert again.version == 1


def test_plan_is_held_within_the_interval_then_replanned(first: tuple[SchedulerState, datetime]) -> None:
    state, now = first
    quiet = _obs([1.0], N_WARM)

    held = next_plan(state, quiet, now=now + timedelta(seconds=STEP_S))
    later = next_plan(held.state, _obs([1.0], N_WARM + 1), now=now + timedelta(seconds=900))

    assert not held.replanned and held.plan == state.last_plan
    assert held.reason.startswith("held")
    assert later.replanned and "interval" in later.reason
    assert later.state.last_planned_at == now + timedelta(seconds=900)


def test_demand_above_the_plan_forces_a_replan(first: tuple[SchedulerState, datetime]) -> None:
    state, now = first

    result = next_plan(state, _obs([60.0], N_WARM), now=now + timedelta(seconds=STEP_S))

    assert result.replanned
    assert "ACU exceeded the " in result.reason and "ACU the plan covered at" in result.reason


def test_demand_within_what_the_plan_covered_holds_it(first: tuple[SchedulerState, datetime]) -> None:
    """Demand above the plan's capacity (the scaler's level for the median) but within its
    risk-quantile demand is what the plan was made for: no re-plan (a square wave re-planned
    every other step before)."""
    state, now = first
    assert state.last_plan is not None
    step = state.last_plan.steps[0]
    between = (step.capacity_acu * state.last_plan.target_utilisation + step.demand_risk_acu) / 2
    assert step.capacity_acu * state.last_plan.target_utilisation < between < step.demand_risk_acu

    result = next_plan(state, _obs([between], N_WARM), now=now + timedelta(seconds=STEP_S))

    assert not result.replanned and result.reason.startswith("held")


def _square_wave_floors(tolerance: float) -> list[float]:
    """MinCapacity at each 15-min re-plan over 12 h of a 20-min square wave (5 <-> 8 ACU, noisy)."""
    rng = np.random.default_rng(0)
    n = N_WARM + 144
    acu = np.where((np.arange(n) // 2) % 2 == 0, 8.0, 5.0) + rng.normal(0.0, 0.3, n)
    config = SchedulerConfig(learn_every_s=0, policy=PolicyConfig(floor_decrease_tolerance=tolerance))
    state = new_state(ClusterSpec(cluster_id="sq"), step_s=STEP_S, config=config)
    now = T0 + timedelta(seconds=N_WARM * STEP_S)
    state = next_plan(state, _obs(acu[:N_WARM].tolist()), now=now, config=config).state
    floors = []
    for k in range(N_WARM, n, 3):
        now += timedelta(seconds=3 * STEP_S)
        result = next_plan(state, _obs(acu[k : k + 3].tolist(), k), now=now, config=config)
        state = result.state
        floors.append(result.plan.steps[0].min_capacity_acu)
    return floors


def test_a_square_wave_does_not_flip_the_floor_between_replans() -> None:
    """Fresh forecasts of a short square wave wobble by a grid step: without the tolerance
    the floor went 5 -> 4.5 -> 5 ACU dozens of times in 12 h; with it, it stays put."""
    flips = [sum(a != b for a, b in itertools.pairwise(_square_wave_floors(t))) for t in (0.0, 0.1)]
    assert flips[0] >= 10 and flips[1] == 0


def test_replans_warm_start_from_the_last_plans_layout(first: tuple[SchedulerState, datetime]) -> None:
    state, now = first
    assert state.last_plan is not None

    layout = layout_at(state.last_plan, now, state.cluster)

    assert layout.writer_acu == state.last_plan.settings.capacity_changes[0].min_capacity_acu
    assert layout.failover_az_id == state.last_plan.failover_az_id


def test_same_inputs_give_the_same_plan(warm: list[Observation]) -> None:
    now = T0 + timedelta(seconds=N_WARM * STEP_S)
    state = new_state(ClusterSpec(cluster_id="c1"), step_s=STEP_S)

    a = next_plan(state, warm, now=now)
    b = next_plan(state, list(reversed(warm)), now=now)

    assert a.plan.steps == b.plan.steps  # solver wall times differ, the plan does not
    assert a.state.history_acu == b.state.history_acu and a.state.history_start == b.state.history_start


def test_history_is_trimmed_and_a_stray_old_sample_costs_nothing() -> None:
    config = SchedulerConfig(max_history_steps=100)
    stray = Observation(ts=datetime(1971, 1, 1, tzinfo=UTC), demand_acu=1.0)
    state = new_state(ClusterSpec(), step_s=STEP_S)

    result = next_plan(
        state, [stray, *_obs([3.0] * 300)], now=T0 + timedelta(seconds=300 * STEP_S), config=config
    )

    assert len(result.state.history_acu) == 100
    assert result.state.history_start == T0 + timedelta(seconds=200 * STEP_S)


@pytest.mark.parametrize(
    ("observations", "now", "field"),
    [
        pytest.param([], T0, "observations", id="no_observation"),
        pytest.param(_obs([1.0]), datetime(2024, 5, 6), "now", id="naive_now"),
        pytest.param(_obs([1.0], 10), T0, "observations", id="observation_after_now"),
        pytest.param(_obs([1.0]), T0 + timedelta(seconds=60), "now", id="now_within_the_first_step"),
    ],
)
def test_bad_calls_raise_input_errors_naming_the_field(
    observations: list[Observation], now: datetime, field: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        next_plan(new_state(ClusterSpec(), step_s=STEP_S), observations, now=now)

    assert info.value.field == field


def test_a_long_gap_is_a_policy_error_naming_the_observations(first: tuple[SchedulerState, datetime]) -> None:
    # 30 days without a sample: nothing observed in the 14 days before now.
    state, now = first
    with pytest.raises(InsufficientHistoryError) as info:
        next_plan(state, now=now + timedelta(days=30))
    assert isinstance(info.value, PolicyError)
    assert info.value.field == "observations" and info.value.code == "insufficient_history"
    assert "no observation in the 4032 steps of 300 s before now=" in str(info.value)


def test_now_may_not_go_backwards(first: tuple[SchedulerState, datetime]) -> None:
    state, now = first
    with pytest.raises(InvalidRequestError) as info:
        next_plan(state, now=now - timedelta(minutes=30))
    assert info.value.field == "now" and "before the last plan's time" in str(info.value)


def test_a_future_observation_is_refused_and_the_state_kept(first: tuple[SchedulerState, datetime]) -> None:
    """A stray sample a year ahead would slide the kept window past the real history (and every
    later call would fail); it is refused by name, and the same state still plans."""
    state, now = first
    stray = Observation(ts=now + timedelta(days=365), demand_acu=3.0)
    ok = Observation(ts=now, demand_acu=3.0)

    with pytest.raises(InvalidRequestError) as info:
        next_plan(state, [ok, stray], now=now + timedelta(minutes=5))
    result = next_plan(state, [ok], now=now + timedelta(minutes=5))

    assert info.value.field == "observations"
    assert str(info.value).startswith("observations[1].ts 2025-")
    assert "is in the future (after now" in str(info.value)
    assert result.state.history_start == state.history_start
    assert (
        sum(v is not None for v in result.state.history_acu)
        == sum(v is not None for v in state.history_acu) + 1
    )


def test_every_error_class_states_its_wire_code() -> None:
    # Codes are explicit attributes, so renaming a class cannot change the API.
    import forecasting.errors
    import placement.errors
    import policy.errors
    import service.inputs.history
    import traces.errors

    modules = (policy.errors, forecasting.errors, placement.errors, traces.errors, service.inputs.history)
    for module in modules:
        for cls in vars(module).values():
            ours = isinstance(cls, type) and cls.__module__ == module.__name__
            if ours and issubclass(cls, Exception) and not issubclass(cls, Warning):
                assert "code" in cls.__dict__, cls


def test_example_scheduler_loop_runs() -> None:
    spec = importlib.util.spec_from_file_location("scheduler_loop", ROOT / "examples" / "scheduler_loop.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    lines = module.run(4)

    assert len(lines) == 4
    assert "re-planned" in lines[0] and "first plan" in lines[0]
    assert all("MinCapacity=" in line for line in lines)


def test_every_package_is_marked_typed() -> None:
    for package in ("policy", "forecasting", "placement", "service", "traces"):
        assert (ROOT / package / "py.typed").is_file(), package


@pytest.mark.parametrize(
    ("state", "observations", "field"),
    [
        pytest.param("garbage", [], "state", id="state_not_a_state"),
        pytest.param(None, 5, "observations", id="observations_an_int"),
        pytest.param(None, "2024-05-06T00:00:00Z", "observations", id="observations_a_string"),
        pytest.param(None, {"ts": T0, "demand_acu": 1.0}, "observations", id="observations_one_dict"),
    ],
)
def test_a_wrongly_typed_state_or_observations_is_a_typed_error(
    state: object, observations: object, field: str
) -> None:
    """Was TypeError / AttributeError from inside next_plan."""
    real = new_state(ClusterSpec(), step_s=STEP_S) if state is None else state
    with pytest.raises(InvalidRequestError) as info:
        next_plan(real, observations, now=T0 + timedelta(hours=1))  # type: ignore[arg-type]
    assert info.value.field == field


def test_new_state_refuses_a_step_the_plan_step_cannot_use() -> None:
    """step_s=7 was accepted and failed only at the first next_plan."""
    with pytest.raises(InvalidRequestError) as info:
        new_state(ClusterSpec(), step_s=7)
    assert info.value.field == "step_s" and "must be a whole number of seconds that divides a day" in str(
        info.value
    )
    assert new_state(ClusterSpec(), step_s=3600).step_s == 3600  # hourly data with an hourly plan step
    with pytest.raises(InvalidRequestError):
        new_state(ClusterSpec(), step_s=600, config=SchedulerConfig())  # 600 does not divide 900
    assert (
        new_state(ClusterSpec(), step_s=120, config=SchedulerConfig(policy={"plan_step_s": 600})).step_s
        == 120
    )
