"""The simulated Aurora reactive scaler: closed-form values checked by hand."""

import math

import numpy as np
import pytest

from policy import FailoverEvent, Layout, ScalerModel, simulate


def _layout(n: int, floor: float, max_acu: float = 64.0, failover: bool = False) -> Layout:
    return Layout(
        floor_acu=np.full(n, floor),
        max_acu=np.full(n, max_acu),
        n_extra_readers=np.zeros(n, dtype=np.int64),
        has_failover=failover,
    )


def test_floor_above_need_costs_the_floor_and_never_falls_short() -> None:
    # One writer, load 1 ACU, floor 4: the scaler's target is max(4, 1/0.7) = 4.
    sim = simulate(
        np.array([1.0, 1.0]),
        _layout(2, 4.0),
        step_s=3600,
        read_frac=0.0,
        scaler=ScalerModel(),
        price_usd_per_acu_hour=0.12,
    )
    assert sim.cost_usd == pytest.approx(2 * 4 * 0.12)
    assert sim.shortfall_acu_h == 0.0
    assert sim.slo_violation_min == 0.0


def test_ramp_from_a_low_floor_matches_the_closed_form() -> None:
    # Writer at 1 ACU; load jumps to 8. Progress doubles every 45 s and capacity is the
    # grid level below it: level g is reached at 45*log2(g) s, 8 ACU at 135 s.
    m = ScalerModel()
    sim = simulate(
        np.array([0.7, 8.0]),
        _layout(2, 1.0),
        step_s=300,
        read_frac=0.0,
        scaler=m,
        price_usd_per_acu_hour=0.12,
    )
    levels = [1.0 + 0.5 * k for k in range(15)]  # 1.0 ... 8.0
    times = [45 * math.log2(g) for g in levels]
    served = sum(g * (t1 - t0) for g, t0, t1 in zip(levels, times, times[1:], strict=False))
    expected_short_s = 8 * times[-1] - served
    assert sim.shortfall_acu_h == pytest.approx(expected_short_s / 3600)
    # SLO: capacity below 8/0.95 = 8.42 ACU until it reaches 8.5 ACU.
    assert sim.slo_violation_min == pytest.approx(45 * math.log2(8.5) / 60)


def test_a_ramp_longer_than_a_step_continues_instead_of_teleporting() -> None:
    # 60-s steps; the load jumps to 16 ACU: the writer reaches 1, 3, 8, 20 ACU at the
    # ends of the next steps and the target 23 only in the fifth.
    n = 6
    sim = simulate(
        np.array([0.35] + [16.0] * (n - 1)),
        _layout(n, 0.5),
        step_s=60,
        read_frac=0.0,
        scaler=ScalerModel(),
        price_usd_per_acu_hour=0.12,
    )
    assert sim.writer_capacity_acu.tolist() == [0.5, 1.0, 3.0, 8.0, 20.0, 23.0]
    # 16 ACU needs 16.84 ACU for the SLO: reached (17.0) at 45*log2(34) s.
    assert sim.slo_violation_min == pytest.approx(45 * math.log2(17.0 / 0.5) / 60)


def test_a_floor_raise_takes_effect_after_the_delay_and_then_ramps() -> None:
    # Floor 0.5 -> 8 set at the start of step 1; it takes effect 60 s later (default
    # profile) and the writer then ramps from 0.5 to 8 in 4 doublings (180 s).
    floors = np.array([0.5, 8.0, 8.0])
    layout = Layout(floors, np.full(3, 64.0), np.zeros(3, dtype=np.int64), has_failover=False)
    sim = simulate(
        np.full(3, 0.3),
        layout,
        step_s=300,
        read_frac=0.0,
        scaler=ScalerModel(),
        price_usd_per_acu_hour=3600.0,
    )
    assert sim.writer_capacity_acu.tolist() == [0.5, 8.0, 8.0]
    levels = [0.5 + 0.5 * k for k in range(16)]  # 0.5 ... 8.0
    times = [60 + 45 * math.log2(g / 0.5) for g in levels]
    ramp = sum(g * (t1 - t0) for g, t0, t1 in zip(levels, times, times[1:], strict=False))
    step1 = 0.5 * 60 + ramp + 8.0 * (300 - times[-1])
    assert sim.cost_usd == pytest.approx(0.5 * 300 + step1 + 8.0 * 300)


def test_a_floor_at_the_need_removes_the_ramp() -> None:
    m = ScalerModel()
    load = np.array([0.7, 8.0])
    low = simulate(load, _layout(2, 1.0), step_s=300, read_frac=0.0, scaler=m, price_usd_per_acu_hour=0.12)
    high = simulate(load, _layout(2, 12.0), step_s=300, read_frac=0.0, scaler=m, price_usd_per_acu_hour=0.12)
    assert high.shortfall_acu_h == 0.0 and high.slo_violation_min == 0.0
    assert low.shortfall_acu_h > 0.0
    assert high.cost_usd > low.cost_usd


def test_max_capacity_caps_and_leaves_a_shortfall() -> None:
    sim = simulate(
        np.array([10.0]),
        _layout(1, 4.0, max_acu=4.0),
        step_s=3600,
        read_frac=0.0,
        scaler=ScalerModel(),
        price_usd_per_acu_hour=1.0,
    )
    assert sim.cost_usd == pytest.approx(4.0)
    assert sim.shortfall_acu_h == pytest.approx(6.0)
    assert sim.slo_violation_min == pytest.approx(60.0)


def test_failover_reader_follows_the_writer() -> None:
    # All load on the writer (read_frac 0): the tier-1 reader still holds the writer's size.
    sim = simulate(
        np.array([7.0]),
        _layout(1, 10.0, failover=True),
        step_s=3600,
        read_frac=0.0,
        scaler=ScalerModel(),
        price_usd_per_acu_hour=1.0,
    )
    assert sim.cost_usd == pytest.approx(20.0)
    assert sim.capacity_acu[0] == pytest.approx(20.0)


def test_missing_steps_cost_but_are_not_scored() -> None:
    sim = simulate(
        np.array([1.0, np.nan, 100.0]),
        _layout(3, 2.0, max_acu=2.0),
        step_s=60,
        read_frac=0.0,
        scaler=ScalerModel(),
        price_usd_per_acu_hour=60.0,
    )
    assert sim.cost_usd == pytest.approx(3 * 2 * 1.0)
    assert sim.shortfall_acu_h == pytest.approx(98 / 60)  # only the observed 100-ACU step


def _sim(load: np.ndarray, layout: Layout, m: ScalerModel | None = None, **kw):  # type: ignore[no-untyped-def]
    return simulate(
        load, layout, step_s=300, read_frac=0.5, scaler=m or ScalerModel(), price_usd_per_acu_hour=1.0, **kw
    )


def test_a_new_reader_serves_and_costs_only_after_its_lead_time() -> None:
    # One extra reader asked for at step 0; lead 600 s = 2 steps of 300 s.
    n = 4
    layout = Layout(np.full(n, 2.0), np.full(n, 64.0), np.ones(n, dtype=np.int64), has_failover=False)
    sim = _sim(np.full(n, 1.0), layout)
    assert sim.capacity_acu.tolist() == [2.0, 2.0, 4.0, 4.0]
    instant = _sim(np.full(n, 1.0), layout, ScalerModel(reader_create_s=0))
    assert instant.capacity_acu.tolist() == [4.0] * 4
    assert instant.cost_usd > sim.cost_usd


def test_auto_pause_after_idle_and_resume_delay() -> None:
    # MinCapacity 0: idle for 300 s pauses (sources: aurora-pause); the next load waits 15 s unserved.
    load = np.array([0.0, 0.0, 0.0, 1.0])
    layout = Layout(np.zeros(4), np.full(4, 8.0), np.zeros(4, dtype=np.int64), has_failover=False)
    sim = _sim(load, layout)
    assert sim.capacity_acu[1] == 0.0 and sim.capacity_acu[2] == 0.0
    assert sim.paused_h == pytest.approx(600 / 3600)
    assert sim.unserved_min == pytest.approx(15 / 60)
    assert sim.shortfall_acu_h >= 1.0 * 15 / 3600
    assert sim.p99_latency_ms == 1000.0  # the resume wait is a timed-out request
    # Paused steps cost nothing: 0.5 ACU in step 0, then the resumed writer in step 3.
    assert sim.cost_usd < (0.5 + 2.0) * 300 / 3600 + 1e-9


def test_a_tier_15_reader_pauses_with_the_writer() -> None:
    """Tier 2-15 readers pause on their own (Aurora User Guide): with no load they cost no
    more than the writer's tier-1 reader does (advise priced tier 15 at $43.65/month on an
    idle cluster against $0.30 for tier 1)."""
    load = np.array([0.0] * 12 + [1.0])
    tier15 = Layout(np.zeros(13), np.full(13, 8.0), np.ones(13, dtype=np.int64), has_failover=False)
    tier1 = Layout(np.zeros(13), np.full(13, 8.0), np.zeros(13, dtype=np.int64), has_failover=True)
    a, b = _sim(load, tier15), _sim(load, tier1)
    assert a.capacity_acu[2:12].tolist() == b.capacity_acu[2:12].tolist() == [0.0] * 10
    assert a.paused_h == b.paused_h > 0
    # paused alike; awake, the tier-1 reader follows the writer, the tier-15 one its own load
    assert a.cost_usd <= b.cost_usd
    assert a.capacity_acu[12] > 0.0  # both restart at the first load


def test_failover_with_a_tier1_reader_is_short_and_without_a_reader_long() -> None:
    load = np.full(6, 2.0)
    events = (FailoverEvent(at_s=300, kind="writer"),)
    with_reader = Layout(np.full(6, 4.0), np.full(6, 8.0), np.zeros(6, dtype=np.int64), has_failover=True)
    alone = Layout(np.full(6, 4.0), np.full(6, 8.0), np.zeros(6, dtype=np.int64), has_failover=False)
    a = _sim(load, with_reader, events=events)
    b = _sim(load, alone, events=events)
    assert a.unserved_min == pytest.approx(2.0)  # < 120 s with a replica (sources: aurora-ha)
    assert b.unserved_min == pytest.approx(10.0)  # < 10 min without
    # The only reader was promoted, so the reader endpoint falls back to the (failing)
    # writer: all the load goes unserved for the window.
    assert a.shortfall_acu_h == pytest.approx(2.0 * 120 / 3600)
    assert b.shortfall_acu_h == pytest.approx(2.0 * 600 / 3600)
    assert a.slo_violation_min >= 2.0 and b.slo_violation_min >= 10.0
    # The tier-1 reader was promoted; its replacement takes the reader lead time.
    assert a.capacity_acu[1] == pytest.approx(4.0) and a.capacity_acu[3] == pytest.approx(8.0)


def test_losing_the_writers_az_also_loses_its_readers() -> None:
    n = 8
    layout = Layout(
        np.full(n, 2.0),
        np.full(n, 8.0),
        np.full(n, 2, dtype=np.int64),
        has_failover=True,
        n_extra_readers_writer_az=np.ones(n, dtype=np.int64),
    )
    events = (FailoverEvent(at_s=1500, kind="az"),)
    sim = _sim(np.full(n, 1.0), layout, ScalerModel(reader_create_s=0), events=events)
    plain = _sim(np.full(n, 1.0), layout, ScalerModel(reader_create_s=0), events=(FailoverEvent(at_s=1500),))
    assert sim.unserved_min == plain.unserved_min == pytest.approx(2.0)


def test_latency_model_matches_mm1_p99() -> None:
    # Floor 10, load 7: rho 0.7 all the time -> p99 = ln(100) x 2 ms / 0.3.
    layout = Layout(np.full(3, 10.0), np.full(3, 10.0), np.zeros(3, dtype=np.int64), has_failover=False)
    sim = simulate(
        np.full(3, 7.0), layout, step_s=300, read_frac=0.0, scaler=ScalerModel(), price_usd_per_acu_hour=1.0
    )
    assert sim.p99_latency_ms == pytest.approx(math.log(100) * 2.0 / 0.3)


def test_an_idle_or_paused_step_adds_no_latency_sample() -> None:
    # No request, no response time: a cluster idle all along has p99 0, not the 1-s cap a
    # paused instance's 0/0 utilisation gave; a busy step's latency is counted as before.
    layout = Layout(np.zeros(4), np.full(4, 8.0), np.zeros(4, dtype=np.int64), has_failover=False)
    idle = _sim(np.zeros(4), layout)
    assert idle.paused_h > 0 and idle.p99_latency_ms == 0.0
    on = Layout(np.full(4, 2.0), np.full(4, 8.0), np.zeros(4, dtype=np.int64), has_failover=False)
    mixed = _sim(np.array([0.0, 0.0, 0.6, 0.6]), on)
    busy = _sim(np.full(4, 0.6), on)
    assert mixed.p99_latency_ms == pytest.approx(busy.p99_latency_ms)
