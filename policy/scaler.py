"""Aurora Serverless v2's own reactive scaler, per instance: the one model of it.

Owns :class:`RampProfile` (with the named profiles :data:`RAMP_PROFILES`),
:class:`ScalerModel`, :class:`InstanceState` and the two ways to move an instance through
a stretch of time at constant load and settings: :func:`advance` (end state only, cheap)
and :func:`run_segment` (end state plus the integrals a score needs). The replay
simulator (:mod:`policy.trace_replay.simulator`), the perfect-foresight bound (:mod:`policy.bound`)
and the planner's floor requirement (:mod:`policy.floors`) all call these functions, so
the three cannot drift apart. Pure ``math``; no clock, no I/O.

The model (every number is a parameter of :class:`ScalerModel`; sources below):

* **Grid.** An instance's capacity is always a multiple of 0.5 ACU ("half-step
  increments, such as 32, 32.5, 33": Amazon RDS API Reference,
  ``ServerlessV2ScalingConfiguration``,
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2ScalingConfiguration.html),
  and never below 0.5 ACU while running.
* **Target.** The scaler steers to ``T = min(max(ceil_half(load / u), floor, 0.5),
  max_acu)``: the smallest grid level that keeps utilisation at or below ``u``
  (``scaler_target_utilisation``), but never under MinCapacity or over MaxCapacity.
  AWS: capacity is raised when CPU, memory or network "is constrained" and lowered
  "when its current capacity is higher than needed" (Aurora User Guide, "How Aurora
  Serverless v2 works", https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.how-it-works.html).
* **Ramp up.** Below the target, progress ``x`` grows exponentially,
  ``x(t) = x0 * 2 ** (t / scale_up_doubling_s)``, and capacity is the highest grid
  level not above ``x``: increments grow with capacity, as AWS describes ("the larger
  the current capacity, the larger the scaling increment and thus the faster scaling can
  happen", same page). AWS publishes no rate; the doubling time is the profile's
  ASSUMPTION.
* **Ramp down.** Above the target, ``x(t) = x0 * 2 ** (-t / scale_down_halving_s)`` and
  capacity is the lowest grid level not below ``x``. ASSUMPTION as well.
* **Progress carries** from one stretch to the next while the direction holds (a ramp
  that does not finish within a trace step continues in the next one: it never jumps to
  its target); when the direction turns, progress restarts from the current grid level.
* **Settings take time.** A ``ModifyDBCluster`` change of MinCapacity/MaxCapacity takes
  effect ``floor_apply_delay_s`` after it is made; from then on the instance ramps to a
  raised floor at the ramp speed above. AWS's sample "Scheduled Autoscaling with Amazon
  Aurora Serverless V2" (github.com/aws-samples) says a change of the minimum "can take
  several minutes ... even when explicitly set by modifying the database", depending on
  the number of scaling steps; the ramp models the steps, the delay the API's part
  (ASSUMPTION).

:func:`advance` and :func:`run_segment` are monotone: a higher starting state, a higher
floor or a higher load never gives a lower capacity at any instant. The bound's
optimality proof (:mod:`policy.bound`) rests on that.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import Annotated, Final, Literal, NamedTuple

from pydantic import BeforeValidator, Field

from policy.types import FrozenModel

HALF_ACU: Final[float] = 0.5
"""Aurora Serverless v2 capacity moves in 0.5-ACU steps (RDS API Reference, above)."""

MIN_RUNNING_ACU: Final[float] = 0.5
"""A running (not paused) instance never goes below 0.5 ACU (RDS API Reference, above)."""

_EPS: Final[float] = 1e-9


def half_floor(value: float) -> float:
    """Return the largest multiple of 0.5 not above ``value`` (tolerant of float noise)."""
    return math.floor(value * 2.0 + _EPS) / 2.0


def half_ceil(value: float) -> float:
    """Return the smallest multiple of 0.5 not below ``value`` (tolerant of float noise)."""
    return math.ceil(value * 2.0 - _EPS) / 2.0


class RampProfile(FrozenModel):
    """How fast the scaler moves an instance, and how long a settings change takes.

    AWS publishes no scale-up or scale-down rate (searched: the Aurora User Guide, the
    RDS API Reference and the AWS Database Blog), so every field is an ASSUMPTION, and
    results are reported at more than one profile (:data:`RAMP_PROFILES`).

    Attributes:
        name: the profile's name.
        scale_up_doubling_s: seconds for capacity to double while below its target.
        scale_down_halving_s: seconds for capacity to halve while above its target.
        floor_apply_delay_s: seconds from a ``ModifyDBCluster`` call to its effect.
    """

    name: str = Field(default="custom", min_length=1, max_length=64)
    scale_up_doubling_s: float = Field(gt=0.0, le=3600.0)
    scale_down_halving_s: float = Field(gt=0.0, le=86_400.0)
    floor_apply_delay_s: float = Field(ge=0.0, le=3600.0)


RampProfileName = Literal["fast", "default", "slow"]

RAMP_PROFILES: Final[dict[str, RampProfile]] = {
    # Platform version 4 "can now scale up to 45.0% faster" than version 3 (AWS Database
    # Blog, "Aurora Serverless: Faster performance, enhanced scaling, and still scales down
    # to zero", 2025): the default doubling time divided by 1.45.
    "fast": RampProfile(
        name="fast", scale_up_doubling_s=31.0, scale_down_halving_s=300.0, floor_apply_delay_s=30.0
    ),
    # 0.5 -> 16 ACU in about 4 minutes: "several minutes ... depending on the number of
    # scaling steps" (AWS sample above). ASSUMPTION.
    "default": RampProfile(
        name="default", scale_up_doubling_s=45.0, scale_down_halving_s=300.0, floor_apply_delay_s=60.0
    ),
    # The slow end of the band results must hold across (doubling every 45, 90, 180 s):
    # 0.5 -> 16 ACU in 15 minutes, settings applied after 3 minutes. ASSUMPTION.
    "slow": RampProfile(
        name="slow", scale_up_doubling_s=180.0, scale_down_halving_s=600.0, floor_apply_delay_s=180.0
    ),
}
"""The named ramp profiles; ``default`` is what every replay uses unless told otherwise."""


def _profile(value: object) -> object:
    if isinstance(value, str):
        if value not in RAMP_PROFILES:
            raise ValueError(f"unknown ramp profile {value!r}; known: {', '.join(RAMP_PROFILES)}")
        return RAMP_PROFILES[value]
    return value


class ScalerModel(FrozenModel):
    """Aurora Serverless v2 as acuplan models it: the scaler, readers, pause, failover, latency.

    The scaler itself is described in this module's docstring (:mod:`policy.scaler`);
    ``ramp`` holds its speeds (a :class:`RampProfile` or a name from
    :data:`RAMP_PROFILES`). A tier 0-1 reader never goes below the writer's capacity
    ("kept at a minimum capacity at least as high as the writer": Aurora User Guide,
    "Choosing the promotion tier for an Aurora Serverless v2 reader").

    Readers: a reader the policy asks for serves (and is billed) only
    ``reader_create_s`` after the request, rounded up to whole trace steps; deleting one
    is immediate. ASSUMPTION: 600 s (AWS publishes no creation time).

    Auto-pause (MinCapacity 0; Aurora User Guide, "Scaling to Zero ACUs with automatic
    pause and resume for Aurora Serverless v2"): the writer and its tier 0-1 reader pause
    together after ``auto_pause_after_s`` of zero load (``SecondsUntilAutoPause``, default
    300 s) and then cost nothing; the first load afterwards waits ``resume_s`` unserved
    ("up to 15 seconds", AWS Database Blog, "Introducing scaling to 0 capacity with
    Amazon Aurora Serverless v2") and the instances restart at 0.5 ACU. Tier 2-15 readers
    pause on their own (same page), so they pause while the writer is paused (their load is
    zero then too) and restart with it; one idle while the writer is busy keeps running
    (ASSUMPTION: the replay splits read load evenly, so no reader is idle alone).

    Failover (Aurora User Guide, "High availability for Amazon Aurora"): with a replica,
    "service is typically restored in less than 120 seconds" (``failover_with_replica_s``);
    without one the writer is recreated in "typically ... less than 10 minutes"
    (``failover_without_replica_s``) and restarts at the floor. A tier 0-1 reader is
    promoted at the writer's size; a tier 2-15 reader at its own size and "might need to
    scale up". Billing runs on through the outage (ASSUMPTION, conservative).

    Latency (the estimated p99): each instance is an M/M/1 queue, so a request's response
    time is exponential with mean S / (1 - rho) and its p99 is ln(100) * S / (1 - rho),
    with rho = load / capacity and S = ``service_time_ms`` (ASSUMPTION 2 ms); at or beyond
    ``latency_cap_ms`` (ASSUMPTION 1,000 ms: a timeout), and while a request cannot be
    served at all, it counts as the cap.

        =====  ======  ======  ======  =======
        rho    0.5     0.7     0.8     0.95
        p99    18 ms   31 ms   46 ms   184 ms
        =====  ======  ======  ======  =======

    Attributes:
        scaler_target_utilisation: load / capacity the scaler steers to (ASSUMPTION 0.7).
        ramp: the ramp profile (default ``"default"``).
        slo_utilisation: a minute counts as an SLO violation while load exceeds this
            share of capacity (queueing delay explodes near saturation; ASSUMPTION 0.95,
            a p99 of about 184 ms in the latency model), or while load is unserved.
        reader_create_s: lead time of a new reader, seconds (ASSUMPTION).
        auto_pause_after_s: idle time before a MinCapacity-0 cluster pauses.
        resume_s: resume delay after a pause, seconds.
        failover_with_replica_s: writer outage when a replica exists.
        failover_without_replica_s: writer outage without a replica.
        service_time_ms: mean service time of one request at zero load (ASSUMPTION).
        latency_cap_ms: latency of a request that times out or is not served (ASSUMPTION).
    """

    scaler_target_utilisation: float = Field(default=0.7, gt=0.0, le=1.0)
    ramp: Annotated[RampProfile, BeforeValidator(_profile)] = Field(
        default_factory=lambda: RAMP_PROFILES["default"]
    )
    slo_utilisation: float = Field(default=0.95, gt=0.0, le=1.0)
    reader_create_s: float = Field(default=600.0, ge=0.0, le=86_400.0)
    auto_pause_after_s: float = Field(default=300.0, ge=300.0, le=86_400.0)
    resume_s: float = Field(default=15.0, ge=0.0, le=3600.0)
    failover_with_replica_s: float = Field(default=120.0, ge=0.0, le=3600.0)
    failover_without_replica_s: float = Field(default=600.0, ge=0.0, le=86_400.0)
    service_time_ms: float = Field(default=2.0, gt=0.0, le=10_000.0)
    latency_cap_ms: float = Field(default=1000.0, gt=0.0, le=600_000.0)

    def need_acu(self, load_acu: float) -> float:
        """Capacity below which ``load_acu`` violates the SLO: load / slo_utilisation, ACU."""
        return load_acu / self.slo_utilisation


class InstanceState(NamedTuple):
    """Where one running instance is.

    Attributes:
        capacity_acu: its capacity now, on the 0.5-ACU grid.
        progress_acu: the ramp's continuous progress: in [capacity, capacity + 0.5)
            while rising, in (capacity - 0.5, capacity] while falling, equal at rest.
    """

    capacity_acu: float
    progress_acu: float

    @classmethod
    def at(cls, capacity_acu: float) -> InstanceState:
        """An instance at rest at ``capacity_acu`` (rounded up to the grid, >= 0.5)."""
        level = max(half_ceil(capacity_acu), MIN_RUNNING_ACU)
        return cls(level, level)


def higher(a: InstanceState, b: InstanceState) -> InstanceState:
    """Return the state further up: the larger capacity, then the larger progress."""
    return a if (a.capacity_acu, a.progress_acu) >= (b.capacity_acu, b.progress_acu) else b


def target_acu(load_acu: float, floor_acu: float, max_acu: float, utilisation: float) -> float:
    """The grid level the scaler steers to, ACU.

    Args:
        load_acu: the instance's load, ACU.
        floor_acu: MinCapacity in force (0 means auto-pause is allowed; a running
            instance still holds 0.5 ACU).
        max_acu: MaxCapacity in force, ACU (>= 0.5).
        utilisation: the scaler's target utilisation, (0, 1].

    Returns:
        ``min(max(ceil_half(load / utilisation), floor, 0.5), max_acu)``.
    """
    return min(max(math.ceil(load_acu / utilisation * 2.0 - _EPS) / 2.0, floor_acu, MIN_RUNNING_ACU), max_acu)


def steady_states(
    load_acu: float, shares: tuple[float, ...], floor_acu: float, max_acu: float, model: ScalerModel
) -> list[InstanceState]:
    """The steady state a replay starts in: each instance at rest at its scaler target.

    Args:
        load_acu: the cluster's first observed load, ACU.
        shares: each instance's share of it, writer first; a second entry is the tier 0-1
            reader, which never sits below the writer.
        floor_acu: the first MinCapacity, ACU.
        max_acu: the first MaxCapacity, ACU.
        model: the scaler model.

    Returns:
        One :class:`InstanceState` per share, at rest on the grid.
    """
    u = model.scaler_target_utilisation
    levels = [target_acu(load_acu * s, floor_acu, max_acu, u) for s in shares]
    levels[1:] = [max(level, levels[0]) for level in levels[1:2]] + levels[2:]
    return [InstanceState(level, level) for level in levels]


class Stretch(NamedTuple):
    """The ramp over one stretch of ``duration_s`` seconds: its progress factors, computed once.

    A loop over many stretches of the same length (the pieces of a trace step) builds one
    with :func:`stretch` and passes it to :func:`move` and :func:`run_stretch`, instead of
    raising 2 to a power on every call; the factors are the very numbers :func:`advance`
    multiplies by, so the results are the same to the bit.

    Attributes:
        duration_s: the stretch, seconds (>= 0).
        up: progress factor while rising, ``2 ** (duration_s / scale_up_doubling_s)``
            (inf beyond the float range: the ramp reaches any target).
        down: progress factor while falling, ``2 ** (-duration_s / scale_down_halving_s)``.
    """

    duration_s: float
    up: float
    down: float


def stretch(duration_s: float, ramp: RampProfile) -> Stretch:
    """The :class:`Stretch` of ``duration_s`` seconds (>= 0) under ``ramp``."""
    rise = duration_s / ramp.scale_up_doubling_s
    up = 2.0**rise if rise < 1024.0 else math.inf  # 2.0 ** 1024 overflows a float
    return Stretch(duration_s, up, 2.0 ** (-duration_s / ramp.scale_down_halving_s))


def move(state: InstanceState, target_acu: float, s: Stretch) -> InstanceState:
    """Move one instance toward ``target_acu`` through the stretch ``s``: the closed form.

    Args:
        state: where the instance starts.
        target_acu: the grid level the scaler steers to (:func:`target_acu`).
        s: the stretch (:func:`stretch`).

    Returns:
        The end state (see the module docstring: progress carries while the direction holds,
        and restarts from the current grid level when it turns).
    """
    c, x = state
    if target_acu > c:
        x = min(target_acu, (x if x > c else c) * s.up)
        return InstanceState(target_acu if x >= target_acu else math.floor(x * 2.0 + _EPS) / 2.0, x)
    if target_acu < c:
        x = max(target_acu, (x if x < c else c) * s.down)
        return InstanceState(target_acu if x <= target_acu else math.ceil(x * 2.0 - _EPS) / 2.0, x)
    return InstanceState(target_acu, target_acu)


def advance(
    state: InstanceState,
    load_acu: float,
    floor_acu: float,
    max_acu: float,
    duration_s: float,
    model: ScalerModel,
) -> InstanceState:
    """Move one instance through ``duration_s`` seconds at constant load and settings.

    Args:
        state: where the instance starts.
        load_acu: its load, ACU.
        floor_acu: MinCapacity in force, ACU.
        max_acu: MaxCapacity in force, ACU.
        duration_s: seconds, >= 0.
        model: the scaler model.

    Returns:
        The end state (closed form, :func:`move`; see the module docstring).
    """
    target = target_acu(load_acu, floor_acu, max_acu, model.scaler_target_utilisation)
    return move(state, target, stretch(duration_s, model.ramp))


class Segment(NamedTuple):
    """One instance over one stretch of constant load and settings, integrated exactly.

    Attributes:
        end: the state at the end.
        target_acu: the level the scaler steered to.
        times_s: start of each constant-capacity piece, seconds from the segment start,
            ascending, ``times_s[0] == 0``.
        levels_acu: capacity on each piece, ACU (same length as ``times_s``).
        acu_s: integral of capacity, ACU-seconds (what Aurora bills).
        shortfall_acu_s: integral of (load - capacity)+, ACU-seconds.
        over_slo_s: seconds with load above ``slo_utilisation`` x capacity.
    """

    end: InstanceState
    target_acu: float
    times_s: tuple[float, ...]
    levels_acu: tuple[float, ...]
    acu_s: float
    shortfall_acu_s: float
    over_slo_s: float

    def capacity_at(self, t_s: float) -> float:
        """Capacity ``t_s`` seconds into the segment, ACU."""
        return self.levels_acu[max(bisect_right(self.times_s, t_s) - 1, 0)]


def run_segment(
    state: InstanceState,
    load_acu: float,
    floor_acu: float,
    max_acu: float,
    duration_s: float,
    model: ScalerModel,
) -> Segment:
    """Move one instance through ``duration_s`` seconds and integrate cost, shortfall, SLO time.

    Args:
        state: where the instance starts.
        load_acu: its load over the segment, ACU (constant).
        floor_acu: MinCapacity in force, ACU.
        max_acu: MaxCapacity in force, ACU.
        duration_s: seconds, > 0.
        model: the scaler model.

    Returns:
        The :class:`Segment`; its ``end`` equals :func:`advance` of the same arguments.
    """
    return run_stretch(state, load_acu, floor_acu, max_acu, stretch(duration_s, model.ramp), model)


def run_stretch(
    state: InstanceState, load_acu: float, floor_acu: float, max_acu: float, s: Stretch, model: ScalerModel
) -> Segment:
    """:func:`run_segment` over a precomputed :class:`Stretch` ``s`` (``s.duration_s`` > 0)."""
    target = target_acu(load_acu, floor_acu, max_acu, model.scaler_target_utilisation)
    end = move(state, target, s)
    duration_s = s.duration_s
    c, x = state
    times, levels = [0.0], [c]
    up = target > c
    if up or target < c:  # the levels crossed on the way to the end, each at its exact time
        ramp = model.ramp
        x0 = (x if x > c else c) if up else (x if x < c else c)
        for i in range(1, round(abs(end.capacity_acu - c) / HALF_ACU) + 1):
            if up:  # capacity reaches `level` when x = level
                level = c + i * HALF_ACU
                t = ramp.scale_up_doubling_s * math.log2(level / x0) if level > x0 else 0.0
            else:  # capacity drops to `level` when x = level
                level = c + -i * HALF_ACU
                t = ramp.scale_down_halving_s * math.log2(x0 / level) if level < x0 else 0.0
            t = min(t, duration_s)
            if t <= times[-1]:
                levels[-1] = level
            else:
                times.append(t)
                levels.append(level)
    bounds = [*times[1:], duration_s]
    acu_s = short = over = 0.0
    need = model.need_acu(load_acu)
    for t0, t1, level in zip(times, bounds, levels, strict=True):
        span = t1 - t0
        acu_s += level * span
        short += max(load_acu - level, 0.0) * span
        if level < need - _EPS:
            over += span
    return Segment(end, target, tuple(times), tuple(levels), acu_s, short, over)


def segments_of_step(step: int, step_s: float, delay_s: float) -> list[tuple[float, float, int]]:
    """Split trace step ``step`` where a settings change made at a step start takes effect.

    A change made at the start of step j takes effect ``delay_s`` later. The index may be
    negative: settings made before step 0 (the replay treats them as the first settings,
    the planner as the layout deployed before ``now``).

    Args:
        step: the trace step's index, >= 0.
        step_s: trace step length, seconds.
        delay_s: the profile's ``floor_apply_delay_s``.

    Returns:
        ``(start_s, duration_s, index of the settings in force)`` per piece, in order; one
        piece when the delay is a whole number of steps, else two.
    """
    k, r = divmod(delay_s, step_s)
    lag = int(k)
    if r <= _EPS:
        return [(0.0, step_s, step - lag)]
    return [(0.0, r, step - lag - 1), (r, step_s - r, step - lag)]
