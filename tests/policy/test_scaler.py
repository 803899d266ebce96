"""The scaler model: closed-form segments against an independent fine-grained integration."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from policy.scaler import (
    RAMP_PROFILES,
    InstanceState,
    RampProfile,
    ScalerModel,
    advance,
    half_ceil,
    move,
    run_segment,
    run_stretch,
    segments_of_step,
    stretch,
    target_acu,
)

FINE_S = 0.05
"""Integration step of the independent reference, seconds."""


def _fine(state: InstanceState, load: float, floor: float, cap: float, duration: float, m: ScalerModel):  # type: ignore[no-untyped-def]
    """Integrate the documented dynamics in FINE_S steps, written without the module's helpers."""
    c, x = state
    target = min(max(math.ceil(load / m.scaler_target_utilisation * 2 - 1e-9) / 2, floor, 0.5), cap)
    if target > c:
        x, rising = (x if x > c else c), 1
    elif target < c:
        x, rising = (x if x < c else c), -1
    else:
        x, rising = c, 0
    up = 2.0 ** (FINE_S / m.ramp.scale_up_doubling_s)
    down = 2.0 ** (-FINE_S / m.ramp.scale_down_halving_s)
    acu_s = short = over = 0.0
    t = 0.0
    while t < duration - 1e-12:
        h = min(FINE_S, duration - t)
        level = c
        acu_s += level * h
        short += max(load - level, 0.0) * h
        over += h if load > m.slo_utilisation * level + 1e-9 else 0.0
        if rising > 0:
            x = min(target, x * up ** (h / FINE_S))
            c = target if x >= target else math.floor(x * 2 + 1e-9) / 2
        elif rising < 0:
            x = max(target, x * down ** (h / FINE_S))
            c = target if x <= target else math.ceil(x * 2 - 1e-9) / 2
        t += h
    return (c, x), acu_s, short, over


levels = st.integers(min_value=1, max_value=128).map(lambda k: k / 2)
profiles = st.sampled_from(sorted(RAMP_PROFILES))


@st.composite
def states(draw: st.DrawFn) -> InstanceState:
    c = draw(levels)
    frac = draw(st.floats(min_value=-0.49, max_value=0.49))
    x = c + frac if c + frac >= 0.5 else c
    return InstanceState(c, x)


@settings(max_examples=60, deadline=None)
@given(
    state=states(),
    load=st.floats(min_value=0.0, max_value=60.0),
    floor=levels,
    cap=levels,
    duration=st.floats(min_value=1.0, max_value=400.0),
    profile=profiles,
)
def test_closed_form_segment_matches_a_fine_integration(
    state: InstanceState, load: float, floor: float, cap: float, duration: float, profile: str
) -> None:
    m = ScalerModel(ramp=profile)
    cap = max(cap, 1.0)
    seg = run_segment(state, load, floor, cap, duration, m)
    (c, x), acu_s, short, over = _fine(state, load, floor, cap, duration, m)
    # Each grid crossing is resolved to within one fine step in the reference.
    crossings = abs(seg.end.capacity_acu - state.capacity_acu) / 0.5 + 1
    tol_s = FINE_S * crossings
    assert seg.end.capacity_acu == c
    assert seg.end.progress_acu == pytest.approx(x, rel=1e-6, abs=1e-9)
    assert seg.acu_s == pytest.approx(acu_s, abs=tol_s * 0.5 + 1e-6)
    assert seg.shortfall_acu_s == pytest.approx(short, abs=tol_s * 0.5 + 1e-6)
    assert seg.over_slo_s == pytest.approx(over, abs=tol_s + 1e-6)
    assert advance(state, load, floor, cap, duration, m) == seg.end


@settings(max_examples=60, deadline=None)
@given(
    state=states(),
    lift=st.integers(min_value=0, max_value=20).map(lambda k: k / 2),
    load=st.floats(min_value=0.0, max_value=60.0),
    extra_load=st.floats(min_value=0.0, max_value=20.0),
    floor=levels,
    extra_floor=st.integers(min_value=0, max_value=20).map(lambda k: k / 2),
    duration=st.floats(min_value=1.0, max_value=400.0),
    profile=profiles,
)
def test_more_state_floor_or_load_never_gives_less_capacity(
    state: InstanceState,
    lift: float,
    load: float,
    extra_load: float,
    floor: float,
    extra_floor: float,
    duration: float,
    profile: str,
) -> None:
    m = ScalerModel(ramp=profile)
    low = run_segment(state, load, floor, 64.0, duration, m)
    up_state = InstanceState(state.capacity_acu + lift, state.progress_acu + lift)
    high = run_segment(up_state, load + extra_load, floor + extra_floor, 64.0, duration, m)
    for i in range(21):
        t = duration * i / 20
        assert high.capacity_at(t) >= low.capacity_at(t)
    assert high.acu_s >= low.acu_s - 1e-9


def test_a_ramp_that_does_not_finish_continues_in_the_next_segment() -> None:
    # From 0.5 toward 23 ACU (16 / 0.7 rounded up), doubling every 45 s: 60-s pieces end
    # at floor_half(0.5 * 2**(60k/45)) = 1.0, 3.0, 8.0, 20.0 and then the target.
    m = ScalerModel()
    state = InstanceState.at(0.5)
    seen = []
    for _ in range(5):
        state = advance(state, 16.0, 0.5, 64.0, 60.0, m)
        seen.append(state.capacity_acu)
    assert seen == [1.0, 3.0, 8.0, 20.0, 23.0]


def test_exact_ramp_integrals_by_hand() -> None:
    # 1 -> 2 ACU (load 1.4 -> target 2.0): capacity 1.0 until x = 1.5 at 45*log2(1.5) s,
    # then 1.5 until x = 2 at 45 s, then 2.0.
    m = ScalerModel()
    seg = run_segment(InstanceState.at(1.0), 1.4, 0.5, 64.0, 100.0, m)
    t15 = 45 * math.log2(1.5)
    assert seg.times_s == pytest.approx((0.0, t15, 45.0))
    assert seg.levels_acu == (1.0, 1.5, 2.0)
    assert seg.acu_s == pytest.approx(1.0 * t15 + 1.5 * (45 - t15) + 2.0 * 55)
    assert seg.shortfall_acu_s == pytest.approx(0.4 * t15)
    # 1.4 / 0.95 = 1.47 ACU needed: the SLO is broken while capacity is 1.0.
    assert seg.over_slo_s == pytest.approx(t15)


def test_scale_down_halves_on_the_grid_and_stops_at_the_target() -> None:
    # 8 -> target 1.0, halving every 300 s: capacity drops to 7.5 when x = 7.5, etc.
    m = ScalerModel()
    seg = run_segment(InstanceState.at(8.0), 0.0, 1.0, 64.0, 3600.0, m)
    assert seg.levels_acu[:3] == (8.0, 7.5, 7.0)
    assert seg.times_s[1] == pytest.approx(300 * math.log2(8 / 7.5))
    assert seg.end == InstanceState(1.0, 1.0)
    assert seg.times_s[-1] == pytest.approx(300 * math.log2(8 / 1.0))


def test_target_is_the_grid_level_at_the_target_utilisation() -> None:
    assert target_acu(1.0, 0.5, 64.0, 0.7) == 1.5  # 1.43 rounded up
    assert target_acu(0.0, 0.0, 64.0, 0.7) == 0.5  # a running instance holds 0.5
    assert target_acu(100.0, 0.5, 64.0, 0.7) == 64.0
    assert target_acu(1.0, 4.0, 64.0, 0.7) == 4.0
    assert half_ceil(1.5000000001) == 1.5


def test_settings_take_effect_after_the_profile_delay() -> None:
    assert segments_of_step(3, 300.0, 60.0) == [(0.0, 60.0, 2), (60.0, 240.0, 3)]
    assert segments_of_step(0, 300.0, 60.0) == [(0.0, 60.0, -1), (60.0, 240.0, 0)]
    assert segments_of_step(5, 60.0, 180.0) == [(0.0, 60.0, 2)]
    assert segments_of_step(1, 60.0, 180.0) == [(0.0, 60.0, -2)]
    assert segments_of_step(5, 60.0, 90.0) == [(0.0, 30.0, 3), (30.0, 30.0, 4)]
    assert segments_of_step(2, 300.0, 0.0) == [(0.0, 300.0, 2)]


def test_named_ramp_profiles() -> None:
    assert ScalerModel().ramp == RAMP_PROFILES["default"]
    slow = ScalerModel(ramp="slow").ramp
    assert slow.scale_up_doubling_s == 180.0 and slow.floor_apply_delay_s == 180.0
    fast = RAMP_PROFILES["fast"]
    assert fast.scale_up_doubling_s == pytest.approx(45.0 / 1.45, abs=0.1)  # platform version 4
    with pytest.raises(ValidationError, match="unknown ramp profile 'warp'"):
        ScalerModel(ramp="warp")
    custom = ScalerModel(
        ramp={"scale_up_doubling_s": 90, "scale_down_halving_s": 300, "floor_apply_delay_s": 0}
    )
    assert custom.ramp.name == "custom"


@settings(max_examples=60, deadline=None)
@given(
    state=states(),
    load=st.floats(min_value=0.0, max_value=60.0),
    floor=levels,
    duration=st.floats(min_value=1.0, max_value=400.0),
    profile=profiles,
)
def test_a_stretch_computed_once_gives_advance_and_run_segment_to_the_bit(
    state: InstanceState, load: float, floor: float, duration: float, profile: str
) -> None:
    m = ScalerModel(ramp=profile)
    s = stretch(duration, m.ramp)
    ramp = m.ramp
    assert s.up == 2.0 ** (duration / ramp.scale_up_doubling_s)
    assert s.down == 2.0 ** (-duration / ramp.scale_down_halving_s)
    target = target_acu(load, floor, 64.0, m.scaler_target_utilisation)
    assert move(state, target, s) == advance(state, load, floor, 64.0, duration, m)
    assert run_stretch(state, load, floor, 64.0, s, m) == run_segment(state, load, floor, 64.0, duration, m)


def test_a_ramp_beyond_the_float_range_reaches_its_target() -> None:
    # 2 ** (3600 / 1) overflows a float: the rise factor is inf and the instance is at its target.
    ramp = RampProfile(scale_up_doubling_s=1.0, scale_down_halving_s=300.0, floor_apply_delay_s=0.0)
    s = stretch(3600.0, ramp)
    assert s.up == math.inf and s.down == 2.0**-12
    assert move(InstanceState.at(0.5), 16.0, s) == InstanceState(16.0, 16.0)
