"""Simulate an Aurora Serverless v2 cluster under a policy's settings, step by step.

Owns :func:`simulate`: given the load per step and the settings a policy chose
(MinCapacity, MaxCapacity, readers), it runs Aurora's own reactive scaler for every
instance and integrates cost, shortfall and SLO-violation time in closed form within
each step; it also models reader creation lead time, auto-pause and resume at
MinCapacity 0, and injected failover events. Every parameter lives in
:class:`~policy.config.ScalerModel`, with its source or the word ASSUMPTION. Pure
numpy/math; no clock, no I/O.

Load routing: writes ((1 - read_frac) of the load) go to the writer; reads go to the
reader endpoint, split evenly over the readers that are ready; with no ready reader the
writer takes all. The load is piecewise constant per step (the trace's conservative
per-step statistic). Missing steps (NaN) hold the previous load for the scaler and are
not scored for shortfall, SLO time or latency (their cost is counted: instances keep
running). Events (reader ready, pause, resume, failover) take effect at step
boundaries, except that a failover's and a resume's unserved window starts inside the
step at its exact second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from policy.config import FailoverEvent, ScalerModel

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MIN_RUNNING_ACU = 0.5
"""A running (not paused) instance never goes below 0.5 ACU (FACTS.md A1)."""

LATENCY_SAMPLES_PER_STEP = 10
"""Utilisation is sampled this many times per step for the p99 latency estimate."""


@dataclass(frozen=True)
class Layout:
    """What a policy set, per simulated step.

    Attributes:
        floor_acu: MinCapacity per step, shape (n,), ACU; 0 allows auto-pause.
        max_acu: MaxCapacity per step, shape (n,), ACU.
        n_extra_readers: tier 2-15 readers requested per step, shape (n,).
        has_failover: whether a tier-1 reader (follows the writer) exists throughout.
        n_extra_readers_writer_az: of those, how many are in the writer's AZ (lost
            with it in an ``az`` failover event), shape (n,); None means none.
    """

    floor_acu: FloatArray
    max_acu: FloatArray
    n_extra_readers: IntArray
    has_failover: bool
    n_extra_readers_writer_az: IntArray | None = None


@dataclass(frozen=True)
class SimResult:
    """Integrated outcome of a simulation.

    Attributes:
        cost_usd: ACU-seconds of all instances x price / 3600.
        shortfall_acu_h: ACU-hours of load above capacity or unserved (outage,
            resume), summed over instances.
        slo_violation_min: minutes in which some instance's load exceeded
            ``slo_utilisation`` x its capacity or load went unserved.
        p99_latency_ms: the 99th percentile over scored time of the instantaneous p99
            latency of the busiest instance (latency model in ScalerModel).
        unserved_min: minutes with some load unserved (failover outage, resume).
        paused_h: hours the writer spent paused.
        capacity_acu: total capacity at each step end, shape (n,).
        mean_capacity_acu: time-average total capacity.
    """

    cost_usd: float
    shortfall_acu_h: float
    slo_violation_min: float
    p99_latency_ms: float
    unserved_min: float
    paused_h: float
    capacity_acu: FloatArray
    mean_capacity_acu: float


@dataclass(frozen=True)
class _StepOutcome:
    end_acu: float
    acu_s: float
    short_acu_s: float
    over_slo_s: float
    target_acu: float
    rho: tuple[float, ...]


_IDLE = _StepOutcome(0.0, 0.0, 0.0, 0.0, 0.0, (0.0,) * LATENCY_SAMPLES_PER_STEP)


def _time_below_up(level: float, c0: float, x: float, rate: float, dt: float) -> float:
    """Seconds in [0, dt] with capacity below ``level`` on the up-ramp c0 -> x (flat at x)."""
    if level <= c0:
        return 0.0
    if level > x:
        return dt
    return min(math.log(level / c0) / rate, dt)


def _decay_above(level: float, c0: float, x: float, k: float, dt: float) -> tuple[float, float]:
    """Return (seconds with c < level, integral of (level - c)+) on a decay over [0, dt].

    The decay is c(t) = x + (c0 - x) e^(-k t); the integral is in ACU-seconds.
    """
    if level <= x:
        return 0.0, 0.0
    if level >= c0:
        integral = (level - x) * dt - (c0 - x) * (1.0 - math.exp(-k * dt)) / k
        return dt, integral
    t0 = math.log((c0 - x) / (level - x)) / k
    if t0 >= dt:
        return 0.0, 0.0
    integral = (level - x) * (dt - t0) - (c0 - x) * (math.exp(-k * t0) - math.exp(-k * dt)) / k
    return dt - t0, integral


def _sample_times(dt: float) -> list[float]:
    return [(i + 0.5) * dt / LATENCY_SAMPLES_PER_STEP for i in range(LATENCY_SAMPLES_PER_STEP)]


def _step(c0: float, load: float, floor: float, cap: float, m: ScalerModel, dt: float) -> _StepOutcome:
    """Advance one running instance by one step of ``dt`` seconds in closed form.

    Up (target >= c0): c(t) = min(c0 2^(t / doubling_s), target). Down: c(t) = target +
    (c0 - target) 2^(-t / half_life). Shortfall is the integral of (load - c)+ and SLO
    time the time with load > slo_utilisation x c; ``rho`` samples load / c(t).
    """
    target = min(max(floor, load / m.scaler_target_utilisation, MIN_RUNNING_ACU), cap)
    slo_level = load / m.slo_utilisation
    if target >= c0:
        rate = math.log(2.0) / m.doubling_s
        t_up = min(math.log(target / c0) / rate if target > c0 else 0.0, dt)
        acu_s = c0 * (math.exp(rate * t_up) - 1.0) / rate + target * (dt - t_up)
        end = c0 * math.exp(rate * t_up) if t_up < dt else target
        t_short = _time_below_up(load, c0, target, rate, dt)
        ramp = min(t_short, t_up)
        short = load * ramp - c0 * (math.exp(rate * ramp) - 1.0) / rate
        short += (load - target) * max(t_short - t_up, 0.0)
        over = _time_below_up(slo_level, c0, target, rate, dt)
        rho = tuple(load / min(c0 * math.exp(rate * t), target) for t in _sample_times(dt))
        return _StepOutcome(end, acu_s, max(short, 0.0), over, target, rho)
    k = math.log(2.0) / m.scale_down_half_life_s
    acu_s = target * dt + (c0 - target) * (1.0 - math.exp(-k * dt)) / k
    end = target + (c0 - target) * math.exp(-k * dt)
    _, short = _decay_above(load, c0, target, k, dt)
    over, _ = _decay_above(slo_level, c0, target, k, dt)
    rho = tuple(load / (target + (c0 - target) * math.exp(-k * t)) for t in _sample_times(dt))
    return _StepOutcome(end, acu_s, max(short, 0.0), over, target, rho)


@dataclass
class _State:
    """Mutable cluster state between steps."""

    writer: float
    failover: float
    failover_ready_at: int = 0
    extras: list[float] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)
    paused: bool = False
    idle_s: float = 0.0

    def sync_readers(self, k: int, t: int, lead: int, floor: float) -> None:
        """Cancel or request readers so ``k`` exist or are pending; start the ready ones."""
        while len(self.extras) + len(self.pending) > k:
            (self.pending if self.pending else self.extras).pop()
        self.pending += [t + lead] * (k - len(self.extras) - len(self.pending))
        ready = sum(1 for r in self.pending if r <= t)
        self.pending = [r for r in self.pending if r > t]
        self.extras += [max(floor, MIN_RUNNING_ACU)] * ready


@dataclass(frozen=True)
class _Ctx:
    """What stays fixed over a simulation."""

    model: ScalerModel
    dt: float
    read_frac: float
    has_failover: bool
    lead_steps: int


@dataclass(frozen=True)
class _Window:
    """An unserved window [start_s, end_s) in simulation seconds; ``reads`` too if True."""

    start_s: float
    end_s: float
    reads: bool

    def overlap(self, t0: float, t1: float) -> float:
        return max(0.0, min(self.end_s, t1) - max(self.start_s, t0))


def _fail(state: _State, event: FailoverEvent, t: int, floor: float, ctx: _Ctx, lost_az: int) -> _Window:
    """Apply a failover event at step ``t``; return the unserved window it causes."""
    m = ctx.model
    start = float(event.at_s)
    if event.kind == "az" and lost_az:
        del state.extras[max(len(state.extras) - lost_az, 0) :]
    if ctx.has_failover and state.failover_ready_at <= t:  # tier 0-1: promoted at the writer's size
        state.writer = state.failover
        state.failover_ready_at = t + ctx.lead_steps
        return _Window(start, start + m.failover_with_replica_s, reads=False)
    if state.extras:  # a tier 2-15 reader is promoted at its own size and may need to scale up
        state.writer = state.extras.pop(0)
        return _Window(start, start + m.failover_with_replica_s, reads=False)
    state.writer = max(floor, MIN_RUNNING_ACU)  # recreated cold, at the floor
    return _Window(start, start + m.failover_without_replica_s, reads=True)


def _latency_ms(rho: FloatArray, m: ScalerModel) -> FloatArray:
    """p99 response time of an M/M/1 queue at utilisation ``rho``, capped (see ScalerModel)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lat = math.log(100.0) * m.service_time_ms / (1.0 - rho)
    return np.where((rho >= 1.0) | ~np.isfinite(lat), m.latency_cap_ms, np.minimum(lat, m.latency_cap_ms))


@dataclass
class _Totals:
    acu_s: float = 0.0
    short_s: float = 0.0
    over_s: float = 0.0
    unserved_s: float = 0.0
    paused_s: float = 0.0
    rho: list[tuple[float, ...]] = field(default_factory=list)


def _unserved(
    windows: list[_Window], t0: float, dt: float, resume_s: float
) -> tuple[float, float, tuple[bool, ...]]:
    """Seconds of this step with writes unserved, with all load unserved, and a mask per sample."""
    writes = max((w.overlap(t0, t0 + dt) for w in windows), default=0.0)
    every = max((w.overlap(t0, t0 + dt) for w in windows if w.reads), default=0.0)
    writes, every = max(writes, resume_s), max(every, resume_s)
    mask = tuple(
        resume_s > s or any(w.start_s <= t0 + s < w.end_s for w in windows) for s in _sample_times(dt)
    )
    return writes, every, mask


def _pause_or_resume(state: _State, load: float, floor: float, ctx: _Ctx) -> float:
    """Pause an idle MinCapacity-0 writer, or resume it; return the resume delay this step."""
    m = ctx.model
    was_paused = state.paused
    if load > 0 or floor > 0:
        state.idle_s = 0.0 if load > 0 else state.idle_s + ctx.dt
        if was_paused:
            state.paused = False
            state.writer = state.failover = max(floor, MIN_RUNNING_ACU)
            return m.resume_s if load > 0 else 0.0
        return 0.0
    if not was_paused and state.idle_s >= m.auto_pause_after_s:
        state.paused = True
    state.idle_s += ctx.dt
    return 0.0


def _advance(state: _State, load: float, floor: float, cap: float, t: int, ctx: _Ctx) -> list[_StepOutcome]:
    """Run every instance through step ``t``; return their outcomes (writer first)."""
    m, dt = ctx.model, ctx.dt
    has_f = ctx.has_failover and state.failover_ready_at <= t
    n_readers = len(state.extras) + int(has_f)
    w_load = load * (1.0 - ctx.read_frac) if n_readers else load
    r_load = load * ctx.read_frac / n_readers if n_readers else 0.0
    low = max(floor, MIN_RUNNING_ACU)
    w = _IDLE if state.paused else _step(state.writer, w_load, low, cap, m, dt)
    outcomes = [w]
    if not state.paused:
        state.writer = w.end_acu
        if has_f:  # tier 0-1 readers never go below the writer (FACTS.md A3)
            f = _step(state.failover, r_load, max(low, w.target_acu), cap, m, dt)
            state.failover = max(f.end_acu, w.end_acu)
            outcomes.append(f)
        else:  # a tier-1 reader being (re)created starts at the writer's size
            state.failover = w.end_acu
    extras = [_step(c, r_load, low, cap, m, dt) for c in state.extras]
    state.extras = [o.end_acu for o in extras]
    return outcomes + extras


def _score_step(
    outcomes: list[_StepOutcome],
    load: float,
    w_share: float,
    unserved: tuple[float, float, tuple[bool, ...]],
    totals: _Totals,
    dt: float,
) -> None:
    """Add one observed step's shortfall, SLO time and utilisation samples to ``totals``."""
    writes_s, every_s, mask = unserved
    totals.short_s += sum(o.short_acu_s for o in outcomes)
    totals.short_s += load * w_share * writes_s + load * (1.0 - w_share) * every_s
    totals.over_s += min(dt, max(max(o.over_slo_s for o in outcomes), writes_s))
    totals.unserved_s += writes_s
    rho = [max(o.rho[i] for o in outcomes) for i in range(LATENCY_SAMPLES_PER_STEP)]
    totals.rho.append(tuple(math.inf if masked else r for r, masked in zip(rho, mask, strict=True)))


def simulate(
    load_acu: FloatArray,
    layout: Layout,
    *,
    step_s: int,
    read_frac: float,
    scaler: ScalerModel,
    price_usd_per_acu_hour: float,
    events: tuple[FailoverEvent, ...] = (),
) -> SimResult:
    """Run the simulated cluster over ``load_acu`` under ``layout``.

    Args:
        load_acu: cluster load per step, shape (n,), ACU; NaN for missing steps.
        layout: the policy's settings per step (arrays of shape (n,)).
        step_s: step length, seconds.
        read_frac: share of the load that goes to the reader endpoint.
        scaler: the cluster model (every parameter and its source is documented there).
        price_usd_per_acu_hour: compute price, USD per ACU-hour.
        events: failover events; ``at_s`` counts from the first step of ``load_acu``.

    Returns:
        The integrated :class:`SimResult`.
    """
    n, dt = len(load_acu), float(step_s)
    ctx = _Ctx(scaler, dt, read_frac, layout.has_failover, math.ceil(scaler.reader_create_s / dt))
    observed_loads = load_acu[np.isfinite(load_acu)]
    last_load = float(observed_loads[0]) if observed_loads.size else 0.0
    # Start in steady state: every instance at the scaler's target for the first load.
    first = min(
        max(float(layout.floor_acu[0]), last_load / scaler.scaler_target_utilisation, MIN_RUNNING_ACU),
        float(layout.max_acu[0]),
    )
    state, totals, windows = _State(writer=first, failover=first), _Totals(), list[_Window]()
    by_step: dict[int, list[FailoverEvent]] = {}
    for e in sorted(events, key=lambda e: (e.at_s, e.kind)):
        by_step.setdefault(int(e.at_s // dt), []).append(e)
    lost_az = layout.n_extra_readers_writer_az
    capacity = np.zeros(n)
    for t in range(n):
        observed = bool(np.isfinite(load_acu[t]))
        load = float(load_acu[t]) if observed else last_load
        last_load = load
        floor, cap = float(layout.floor_acu[t]), float(layout.max_acu[t])
        state.sync_readers(int(layout.n_extra_readers[t]), t, ctx.lead_steps, floor)
        for e in by_step.get(t, []):
            windows.append(_fail(state, e, t, floor, ctx, int(lost_az[t]) if lost_az is not None else 0))
        resume_s = _pause_or_resume(state, load, floor, ctx)
        outcomes = _advance(state, load, floor, cap, t, ctx)
        totals.acu_s += sum(o.acu_s for o in outcomes)
        totals.paused_s += dt if state.paused else 0.0
        if observed:
            has_readers = len(outcomes) > 1
            w_share = (1.0 - read_frac) if has_readers else 1.0
            unserved = _unserved(windows, t * dt, dt, resume_s)
            _score_step(outcomes, load, w_share, unserved, totals, dt)
        has_f = layout.has_failover and state.failover_ready_at <= t and not state.paused
        capacity[t] = (0.0 if state.paused else state.writer) + (state.failover if has_f else 0.0)
        capacity[t] += sum(state.extras)
    return _result(totals, capacity, n, dt, scaler, price_usd_per_acu_hour)


def _result(
    totals: _Totals, capacity: FloatArray, n: int, dt: float, m: ScalerModel, price: float
) -> SimResult:
    rho = np.asarray(totals.rho, dtype=np.float64).ravel()
    latency = _latency_ms(rho, m)
    return SimResult(
        cost_usd=totals.acu_s / 3600.0 * price,
        shortfall_acu_h=totals.short_s / 3600.0,
        slo_violation_min=totals.over_s / 60.0,
        p99_latency_ms=float(np.quantile(latency, 0.99)) if latency.size else 0.0,
        unserved_min=totals.unserved_s / 60.0,
        paused_h=totals.paused_s / 3600.0,
        capacity_acu=capacity,
        mean_capacity_acu=totals.acu_s / (n * dt) if n else 0.0,
    )
