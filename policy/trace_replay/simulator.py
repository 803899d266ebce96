"""Simulate an Aurora Serverless v2 cluster under a policy's settings, step by step.

Owns :func:`simulate` and its load routing, :func:`instance_loads`. Given the load per
step and the settings a policy chose (MinCapacity, MaxCapacity, readers), :func:`simulate`
runs Aurora's own reactive scaler for every instance (:mod:`policy.scaler`, the one model
of it) and integrates cost, shortfall and SLO-violation time exactly within each step; it
also models reader creation lead time, auto-pause and resume at MinCapacity 0, and
injected failover events. Every parameter lives in :class:`~policy.scaler.ScalerModel`,
with its source or the word ASSUMPTION.
Pure numpy/math; no clock, no I/O.

Settings: ``Layout.floor_acu[t]`` and ``max_acu[t]`` are set at the start of step t and
take effect ``ramp.floor_apply_delay_s`` later (the first settings are in force from the
start), so a step may run in two pieces with different settings.

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

from policy.config import FailoverEvent
from policy.scaler import (
    InstanceState,
    ScalerModel,
    Segment,
    Stretch,
    higher,
    run_stretch,
    segments_of_step,
    steady_states,
    stretch,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

LATENCY_SAMPLES_PER_STEP = 10
"""Utilisation is sampled this many times per step for the p99 latency estimate."""


@dataclass(frozen=True)
class Layout:
    """What a policy set, per simulated step.

    Attributes:
        floor_acu: MinCapacity set at each step's start, shape (n,), ACU; 0 allows
            auto-pause.
        max_acu: MaxCapacity set at each step's start, shape (n,), ACU.
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
            latency of the busiest instance (latency model in ScalerModel); steps without
            load serve no request and add no sample (0 when no step has load).
        unserved_min: minutes with some load unserved (failover outage, resume).
        paused_h: hours the writer spent paused.
        capacity_acu: total capacity at each step end, shape (n,).
        mean_capacity_acu: time-average total capacity.
        writer_capacity_acu: the writer's capacity at each step end, shape (n,) (0 while
            paused).
        cost_usd_by_step: ``cost_usd`` step by step, shape (n,) (they sum to it).
        slo_violation_min_by_step: ``slo_violation_min`` step by step, shape (n,).
    """

    cost_usd: float
    shortfall_acu_h: float
    slo_violation_min: float
    p99_latency_ms: float
    unserved_min: float
    paused_h: float
    capacity_acu: FloatArray
    mean_capacity_acu: float
    writer_capacity_acu: FloatArray
    cost_usd_by_step: FloatArray
    slo_violation_min_by_step: FloatArray


@dataclass(frozen=True)
class _StepOutcome:
    """One instance over one step: its pieces (one per settings piece) and their sums."""

    pieces: tuple[Segment, ...]
    starts_s: tuple[float, ...]

    @property
    def acu_s(self) -> float:
        return sum(p.acu_s for p in self.pieces)

    @property
    def short_acu_s(self) -> float:
        return sum(p.shortfall_acu_s for p in self.pieces)

    @property
    def over_slo_s(self) -> float:
        return sum(p.over_slo_s for p in self.pieces)

    def capacity_at(self, t_s: float) -> float:
        """Capacity ``t_s`` seconds into the step, ACU."""
        i = max(j for j, s in enumerate(self.starts_s) if s <= t_s)
        return self.pieces[i].capacity_at(t_s - self.starts_s[i])

    def capacities_at(self, times_s: list[float]) -> list[float]:
        """:meth:`capacity_at` at each of ``times_s`` (ascending, >= 0), in one pass, ACU."""
        starts, out, i, last = self.starts_s, [], 0, len(self.starts_s) - 1
        for t_s in times_s:
            while i < last and starts[i + 1] <= t_s:
                i += 1
            piece = self.pieces[i]
            levels = piece.levels_acu
            out.append(levels[0] if len(levels) == 1 else piece.capacity_at(t_s - starts[i]))
        return out


def _sample_times(dt: float) -> list[float]:
    return [(i + 0.5) * dt / LATENCY_SAMPLES_PER_STEP for i in range(LATENCY_SAMPLES_PER_STEP)]


@dataclass
class _State:
    """Mutable cluster state between steps."""

    writer: InstanceState
    failover: InstanceState
    failover_ready_at: int = 0
    extras: list[InstanceState] = field(default_factory=list)
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
        self.extras += [InstanceState.at(floor)] * ready


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
    state.writer = InstanceState.at(floor)  # recreated cold, at the floor
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
    windows: list[_Window], t0: float, dt: float, resume_s: float, samples: list[float]
) -> tuple[float, float, tuple[bool, ...]]:
    """Seconds of this step with writes unserved, with all load unserved, and a mask per sample.

    ``samples`` are the step's latency sample times, :func:`_sample_times` of ``dt``.
    """
    writes = max((w.overlap(t0, t0 + dt) for w in windows), default=0.0)
    every = max((w.overlap(t0, t0 + dt) for w in windows if w.reads), default=0.0)
    writes, every = max(writes, resume_s), max(every, resume_s)
    mask = tuple(resume_s > s or any(w.start_s <= t0 + s < w.end_s for w in windows) for s in samples)
    return writes, every, mask


def _pause_or_resume(state: _State, load: float, floor: float, ctx: _Ctx) -> float:
    """Pause an idle MinCapacity-0 writer, or resume it; return the resume delay this step."""
    m = ctx.model
    was_paused = state.paused
    if load > 0 or floor > 0:
        state.idle_s = 0.0 if load > 0 else state.idle_s + ctx.dt
        if was_paused:
            state.paused = False
            state.writer = state.failover = InstanceState.at(floor)
            state.extras = [InstanceState.at(floor) for _ in state.extras]
            return m.resume_s if load > 0 else 0.0
        return 0.0
    if not was_paused and state.idle_s >= m.auto_pause_after_s:
        state.paused = True
    state.idle_s += ctx.dt
    return 0.0


_Piece = tuple[float, float, float, float, Stretch]
"""One settings piece of a step: ``(start_s, duration_s, floor, max, its ramp stretch)``."""


def _run(
    state: InstanceState,
    load: float,
    pieces: list[_Piece],
    m: ScalerModel,
    floor_above: list[float] | None = None,
) -> _StepOutcome:
    """Run one instance through a step's settings pieces.

    ``floor_above`` raises the floor piece by piece (a tier 0-1 reader follows the
    writer's target).
    """
    out = []
    for i, (_, _, floor, cap, s) in enumerate(pieces):
        low = max(floor, floor_above[i]) if floor_above is not None else floor
        seg = run_stretch(state, load, low, cap, s, m)
        out.append(seg)
        state = seg.end
    return _StepOutcome(tuple(out), tuple(p[0] for p in pieces))


def instance_loads(load_acu: float, read_frac: float, n_readers: int) -> tuple[float, float]:
    """Each instance's part of a cluster load: the routing rule of the module docstring.

    Writes go to the writer and reads to the reader endpoint, split evenly over the readers
    that are ready; with no ready reader the writer takes all. The simulator routes every
    step with it; anything sizing an instance for the same layout should too.

    Args:
        load_acu: the cluster's load, ACU (a step's, or a peak).
        read_frac: share of the load that goes to the reader endpoint, in [0, 1].
        n_readers: readers ready (tier 0-1 and tier 2-15 alike), >= 0.

    Returns:
        ``(writer's load, each reader's load)``, ACU: ``load x (1 - read_frac)`` and
        ``load x read_frac / n_readers``, or ``(load, 0.0)`` without a reader.

    Example:
        >>> instance_loads(8.0, 0.5, 2), instance_loads(8.0, 0.5, 0)
        ((4.0, 2.0), (8.0, 0.0))
    """
    if n_readers <= 0:
        return load_acu, 0.0
    return load_acu * (1.0 - read_frac), load_acu * read_frac / n_readers


def _advance(
    state: _State, load: float, pieces: list[_Piece], t: int, ctx: _Ctx
) -> list[tuple[_StepOutcome, float]]:
    """Run every running instance through step ``t``; return (outcome, its load), writer first."""
    m = ctx.model
    has_f = ctx.has_failover and state.failover_ready_at <= t
    w_load, r_load = instance_loads(load, ctx.read_frac, len(state.extras) + int(has_f))
    outcomes = []
    if not state.paused:
        w = _run(state.writer, w_load, pieces, m)
        state.writer = w.pieces[-1].end
        outcomes.append((w, w_load))
        if has_f:  # tier 0-1 readers never go below the writer (Aurora User Guide, promotion tiers)
            f = _run(state.failover, r_load, pieces, m, floor_above=[p.target_acu for p in w.pieces])
            state.failover = higher(f.pieces[-1].end, state.writer)
            outcomes.append((f, r_load))
        else:  # a tier-1 reader being (re)created starts at the writer's size
            state.failover = state.writer
    else:  # tier 2-15 readers carry no load while the writer is paused: they pause too
        return outcomes
    extras = [_run(c, r_load, pieces, m) for c in state.extras]
    state.extras = [o.pieces[-1].end for o in extras]
    return outcomes + [(o, r_load) for o in extras]


def _score_step(
    outcomes: list[tuple[_StepOutcome, float]],
    load: float,
    w_share: float,
    unserved: tuple[float, float, tuple[bool, ...]],
    totals: _Totals,
    dt: float,
    samples: list[float],
) -> None:
    """Add one observed step's shortfall, SLO time and utilisation samples to ``totals``.

    ``samples`` are the step's latency sample times, :func:`_sample_times` of ``dt``.
    """
    writes_s, every_s, mask = unserved
    totals.short_s += sum(o.short_acu_s for o, _ in outcomes)
    totals.short_s += load * w_share * writes_s + load * (1.0 - w_share) * every_s
    over = max((o.over_slo_s for o, _ in outcomes), default=0.0)
    totals.over_s += min(dt, max(over, writes_s))
    totals.unserved_s += writes_s
    if load <= 0.0:  # no request, no response time: an idle (or paused) step adds no sample
        return
    if not outcomes:
        totals.rho.append((math.inf,) * LATENCY_SAMPLES_PER_STEP)
        return
    # each instance's utilisation at each sample, then the busiest instance's per sample
    by_instance = [[x / c for c in o.capacities_at(samples)] for o, x in outcomes]
    rho = by_instance[0] if len(by_instance) == 1 else [max(r) for r in zip(*by_instance, strict=True)]
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
    delay = scaler.ramp.floor_apply_delay_s
    samples = _sample_times(dt)
    # A step's settings pieces: the same lengths (and ramp stretches) at every step; the
    # settings in force in each are those set ``offset`` steps from it.
    pattern = [(s, d, j, stretch(d, scaler.ramp)) for s, d, j in segments_of_step(0, dt, delay)]
    loads = np.asarray(load_acu, dtype=np.float64).tolist()
    floors = np.asarray(layout.floor_acu, dtype=np.float64).tolist()
    maxes = np.asarray(layout.max_acu, dtype=np.float64).tolist()
    readers = layout.n_extra_readers.tolist()
    observed_loads = load_acu[np.isfinite(load_acu)]
    last_load = float(observed_loads[0]) if observed_loads.size else 0.0
    # Start in steady state: every instance at the scaler's target for its share of the first load.
    shares = (1.0 - read_frac, read_frac) if layout.has_failover else (1.0, 0.0)
    writer, failover = steady_states(
        last_load, shares, float(layout.floor_acu[0]), float(layout.max_acu[0]), scaler
    )
    state, totals, windows = _State(writer=writer, failover=failover), _Totals(), list[_Window]()
    by_step: dict[int, list[FailoverEvent]] = {}
    for e in sorted(events, key=lambda e: (e.at_s, e.kind)):
        by_step.setdefault(int(e.at_s // dt), []).append(e)
    lost_az = layout.n_extra_readers_writer_az
    capacity, writer_capacity = [0.0] * n, [0.0] * n
    acu_s_by_step, over_s_by_step = [0.0] * n, [0.0] * n
    for t in range(n):
        acu_s_before, over_s_before = totals.acu_s, totals.over_s
        observed = math.isfinite(loads[t])
        load = loads[t] if observed else last_load
        last_load = load
        pieces = [  # the first settings are in force from the start
            (start, duration, floors[max(t + j, 0)], maxes[max(t + j, 0)], ramp)
            for start, duration, j, ramp in pattern
        ]
        floor = pieces[0][2]
        state.sync_readers(int(readers[t]), t, ctx.lead_steps, floor)
        for e in by_step.get(t, []):
            windows.append(_fail(state, e, t, floor, ctx, int(lost_az[t]) if lost_az is not None else 0))
        resume_s = _pause_or_resume(state, load, floor, ctx)
        outcomes = _advance(state, load, pieces, t, ctx)
        totals.acu_s += sum(o.acu_s for o, _ in outcomes)
        totals.paused_s += dt if state.paused else 0.0
        if observed:
            w_share = instance_loads(1.0, read_frac, len(outcomes) - 1)[0]
            unserved = _unserved(windows, t * dt, dt, resume_s, samples)
            _score_step(outcomes, load, w_share, unserved, totals, dt, samples)
        has_f = layout.has_failover and state.failover_ready_at <= t and not state.paused
        writer_capacity[t] = 0.0 if state.paused else state.writer.capacity_acu
        capacity[t] = writer_capacity[t] + (state.failover.capacity_acu if has_f else 0.0)
        capacity[t] += 0.0 if state.paused else sum(x.capacity_acu for x in state.extras)
        acu_s_by_step[t], over_s_by_step[t] = totals.acu_s - acu_s_before, totals.over_s - over_s_before
    per_step = (
        np.array(acu_s_by_step, dtype=np.float64) / 3600.0 * price_usd_per_acu_hour,
        np.array(over_s_by_step, dtype=np.float64) / 60.0,
    )
    return _result(
        totals,
        np.array(capacity, dtype=np.float64),
        np.array(writer_capacity, dtype=np.float64),
        n,
        dt,
        scaler,
        price_usd_per_acu_hour,
        per_step,
    )


def _result(
    totals: _Totals,
    capacity: FloatArray,
    writer_capacity: FloatArray,
    n: int,
    dt: float,
    m: ScalerModel,
    price: float,
    by_step: tuple[FloatArray, FloatArray],
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
        writer_capacity_acu=writer_capacity,
        cost_usd_by_step=by_step[0],
        slo_violation_min_by_step=by_step[1],
    )
