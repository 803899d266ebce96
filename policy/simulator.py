"""Simulate an Aurora Serverless v2 cluster under a policy's settings, step by step.

Owns :func:`simulate`: given the load per step and the settings a policy chose
(MinCapacity, MaxCapacity, readers), it runs Aurora's own reactive scaler
(:class:`~policy.config.ScalerModel`, every parameter an ASSUMPTION stated there) for
every instance and integrates cost, shortfall and SLO-violation time in closed form
within each step. Pure numpy/math; no clock, no I/O.

Load routing: writes ((1 - read_frac) of the load) go to the writer; reads go to the
reader endpoint, split evenly over the readers; with no reader the writer takes all.
The load is piecewise constant per step (the trace's conservative per-step statistic).
Missing steps (NaN) hold the previous load for the scaler and are not scored for
shortfall or SLO time (their cost is counted: instances keep running).
Reader creation lead time and auto-pause are not modelled yet (new readers start at
the floor at once).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from policy.config import ScalerModel

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Layout:
    """What a policy set, per simulated step.

    Attributes:
        floor_acu: MinCapacity per step, shape (n,), ACU.
        max_acu: MaxCapacity per step, shape (n,), ACU.
        n_extra_readers: tier 2-15 readers per step, shape (n,).
        has_failover: whether a tier-1 reader (follows the writer) exists throughout.
    """

    floor_acu: FloatArray
    max_acu: FloatArray
    n_extra_readers: IntArray
    has_failover: bool


@dataclass(frozen=True)
class SimResult:
    """Integrated outcome of a simulation.

    Attributes:
        cost_usd: ACU-seconds of all instances x price / 3600.
        shortfall_acu_h: ACU-hours of load above capacity, summed over instances.
        slo_violation_min: minutes in which some instance's load exceeded
            ``slo_utilisation`` x its capacity (the max over instances per step).
        capacity_acu: total capacity at each step end, shape (n,).
        mean_capacity_acu: time-average total capacity.
    """

    cost_usd: float
    shortfall_acu_h: float
    slo_violation_min: float
    capacity_acu: FloatArray
    mean_capacity_acu: float


@dataclass(frozen=True)
class _StepOutcome:
    end_acu: float
    acu_s: float
    short_acu_s: float
    over_slo_s: float
    target_acu: float


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


def _step(c0: float, load: float, floor: float, cap: float, m: ScalerModel, dt: float) -> _StepOutcome:
    """Advance one instance by one step of ``dt`` seconds in closed form.

    Up (target >= c0): c(t) = min(c0 2^(t / doubling_s), target). Down: c(t) = target +
    (c0 - target) 2^(-t / half_life). Shortfall is the integral of (load - c)+ and SLO
    time the time with load > slo_utilisation x c.
    """
    target = min(max(floor, load / m.scaler_target_utilisation), cap)
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
        return _StepOutcome(end, acu_s, max(short, 0.0), over, target)
    k = math.log(2.0) / m.scale_down_half_life_s
    acu_s = target * dt + (c0 - target) * (1.0 - math.exp(-k * dt)) / k
    end = target + (c0 - target) * math.exp(-k * dt)
    _, short = _decay_above(load, c0, target, k, dt)
    over, _ = _decay_above(slo_level, c0, target, k, dt)
    return _StepOutcome(end, acu_s, max(short, 0.0), over, target)


def simulate(
    load_acu: FloatArray,
    layout: Layout,
    *,
    step_s: int,
    read_frac: float,
    scaler: ScalerModel,
    price_usd_per_acu_hour: float,
) -> SimResult:
    """Run the reactive scaler over ``load_acu`` under ``layout``.

    Args:
        load_acu: cluster load per step, shape (n,), ACU; NaN for missing steps.
        layout: the policy's settings per step (arrays of shape (n,)).
        step_s: step length, seconds.
        read_frac: share of the load that goes to the reader endpoint.
        scaler: the reactive scaler model (assumptions documented there).
        price_usd_per_acu_hour: compute price, USD per ACU-hour.

    Returns:
        The integrated :class:`SimResult`.
    """
    n = len(load_acu)
    dt = float(step_s)
    observed_loads = load_acu[np.isfinite(load_acu)]
    last_load = float(observed_loads[0]) if observed_loads.size else 0.0
    # Start in steady state: every instance at the scaler's target for the first load.
    writer = min(
        max(float(layout.floor_acu[0]), last_load / scaler.scaler_target_utilisation),
        float(layout.max_acu[0]),
    )
    failover = writer
    extras: list[float] = []
    acu_s = short_s = over_s = 0.0
    capacity = np.zeros(n)
    for t in range(n):
        observed = bool(np.isfinite(load_acu[t]))
        load = float(load_acu[t]) if observed else last_load
        last_load = load
        floor, cap = float(layout.floor_acu[t]), float(layout.max_acu[t])
        k = int(layout.n_extra_readers[t])
        extras = (extras + [floor] * k)[:k]
        n_readers = k + int(layout.has_failover)
        w_load = load * (1.0 - read_frac) if n_readers else load
        r_load = load * read_frac / n_readers if n_readers else 0.0
        w = _step(writer, w_load, floor, cap, scaler, dt)
        outcomes = [w]
        if layout.has_failover:  # tier 0-1 readers never go below the writer (FACTS.md A3)
            f = _step(failover, r_load, max(floor, w.target_acu), cap, scaler, dt)
            failover = max(f.end_acu, w.end_acu)
            outcomes.append(f)
        ex = [_step(c, r_load, floor, cap, scaler, dt) for c in extras]
        extras = [o.end_acu for o in ex]
        outcomes += ex
        writer = w.end_acu
        acu_s += sum(o.acu_s for o in outcomes)
        if observed:
            short_s += sum(o.short_acu_s for o in outcomes)
            over_s += max(o.over_slo_s for o in outcomes)
        capacity[t] = writer + (failover if layout.has_failover else 0.0) + sum(extras)
    return SimResult(
        cost_usd=acu_s / 3600.0 * price_usd_per_acu_hour,
        shortfall_acu_h=short_s / 3600.0,
        slo_violation_min=over_s / 60.0,
        capacity_acu=capacity,
        mean_capacity_acu=acu_s / (n * dt) if n else 0.0,
    )
