"""The cheapest MinCapacity schedule that lets Aurora's own scaler meet a demand: one rule.

Owns :func:`cheapest_floors` and :class:`FloorCluster`. It is the perfect-foresight
``bound`` of the replay (realised demand in, :mod:`policy.bound`) and the planner's floor
requirement (forecast demand in, :mod:`policy.plan`): the same function on different
inputs. It runs the instances through :mod:`policy.scaler`, the one model of the scaler,
exactly as :func:`policy.trace_replay.simulator.simulate` does, so a floor it calls sufficient is
sufficient in the replay. Pure; no clock, no I/O.

**The rule.** Floors are set at the start of every step on the 0.5-ACU grid and take
effect after the profile's ``floor_apply_delay_s``. Step by step, the floor is the lowest
grid level from which a violation-free continuation still exists, i.e. with every later
floor at MaxCapacity no step starts below its need. Raising the floor is therefore left
to the last step at which the scaler, starting from where it would be, can still climb
to the coming need (a forward pass that looks ahead as far as a ramp can take, which
plays the role of a backward pass over ramps longer than a step).

**Why this is the minimum** (cost = integral of capacity; the model is monotone: a
higher state, floor or load never gives less capacity at any instant, see
:mod:`policy.scaler`). (1) Violations can only begin at a step start: within a step the
scaler moves toward ``T >= load / u``, and ``u < slo_utilisation``, so capacity that
starts at or above ``load / slo_utilisation`` stays there; hence "violation-free" means
"every step starts at or above its need". (2) Let ``g`` be any violation-free schedule
and ``f`` the one built here; by induction over steps, ``f``'s capacity never exceeds
``g``'s. Both start in the same state when their first floors agree, and ``f[0]`` is the
least feasible first floor. At step t with ``f``'s state at or below ``g``'s: if ``g[t] >=
f[t]``, monotonicity keeps ``f`` below ``g`` through the step. If ``g[t] < f[t]``, then from
``f``'s state floor ``g[t]`` leaves some later need N unmet (``f[t]`` is least), yet ``g``
meets it from a higher state with a lower target; so ``g`` must be coming down from above
N, while ``f``'s path is ``min``(its path under ``g[t]``, ``f[t]``) and ``f[t]`` is at most
the grid level of N (a higher floor reaches N no sooner: the ramp's speed depends on the
capacity, not the target). Either way ``f`` stays at or below ``g``. Hence ``f`` costs the
least. The argument covers one instance; a tier 0-1 reader follows the writer and, with
``read_frac <= 0.5``, carries no more load, so its path equals the writer's and the
cluster's minimum is the writer's. For ``read_frac > 0.5`` the reader may bind instead;
the schedule is still violation-free and the brute-force test
(``tests/policy/test_bound.py``) checks small cases of both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from policy.scaler import (
    MIN_RUNNING_ACU,
    InstanceState,
    ScalerModel,
    half_ceil,
    higher,
    move,
    run_stretch,
    segments_of_step,
    steady_states,
    stretch,
    target_acu,
)

FloatArray = npt.NDArray[np.float64]

_EPS = 1e-9


@dataclass(frozen=True)
class FloorCluster:
    """The instances a floor schedule lifts: the writer and, optionally, a tier 0-1 reader.

    Read-scaling (tier 2-15) readers are not part of it: the bound is computed for the
    layout every policy shares, the writer plus one failover reader.

    Attributes:
        read_frac: share of the load on the reader endpoint (the tier 0-1 reader).
        has_failover: a tier 0-1 reader exists (it follows the writer's target).
        min_acu: the lowest floor allowed, ACU (>= 0.5: auto-pause is not considered).
        max_acu: MaxCapacity, ACU.
    """

    read_frac: float
    has_failover: bool
    min_acu: float
    max_acu: float

    def shares(self) -> tuple[float, ...]:
        """Each instance's share of the cluster load: (writer,) or (writer, reader)."""
        if not self.has_failover:
            return (1.0,)
        return (1.0 - self.read_frac, self.read_frac)


def _hold_last(values: FloatArray) -> FloatArray:
    """Replace NaN by the last observed value (the first observed one at the start)."""
    out = np.asarray(values, dtype=np.float64).copy()
    valid = np.isfinite(out)
    if not valid.any():
        return np.zeros_like(out)
    index = np.where(valid, np.arange(len(out)), 0)
    np.maximum.accumulate(index, out=index)
    first = int(np.argmax(valid))
    index[:first] = first
    return out[index]


class _Run:
    """Runs the cluster through steps under a floor schedule (the simulator's semantics).

    Floors are Python lists indexed by setting step. A step runs in the pieces of
    :func:`~policy.scaler.segments_of_step`, whose lengths, and so whose ramp factors
    (:func:`~policy.scaler.stretch`), are the same at every step: they are computed once.
    """

    def __init__(
        self,
        drive: FloatArray,
        need: FloatArray,
        step_s: float,
        cluster: FloorCluster,
        model: ScalerModel,
        floor_before: float | None,
    ) -> None:
        self.drive, self.step_s, self.cluster, self.model = drive, step_s, cluster, model
        self.loads: list[float] = drive.tolist()
        self.floor_before = floor_before
        self.shares = cluster.shares()
        known = np.where(np.isfinite(need), need, 0.0)
        # Capacity each instance needs at each step start, ACU (none beyond MaxCapacity).
        self.need: list[list[float]] = [
            np.minimum(model.need_acu(1.0) * known * s, cluster.max_acu).tolist() for s in self.shares
        ]
        self.delay = model.ramp.floor_apply_delay_s
        # (offset of the setting step in force from the step, the piece's ramp), per piece
        self.pieces = [(j, stretch(d, model.ramp)) for _, d, j in segments_of_step(0, step_s, self.delay)]

    def start(self, floor0: float) -> list[InstanceState]:
        """The simulator's initial steady state for the first load under ``floor0``."""
        return steady_states(float(self.drive[0]), self.shares, floor0, self.cluster.max_acu, self.model)

    def in_force(self, floors: list[float], t: int) -> list[float]:
        """The floor in force in each piece of step ``t``; before step 0, the one deployed (or the first)."""
        before = floors[0] if self.floor_before is None else self.floor_before
        return [floors[t + j] if t + j >= 0 else before for j, _ in self.pieces]

    def step(self, states: list[InstanceState], t: int, floors: list[float]) -> list[InstanceState]:
        """Advance every instance through step ``t`` (floors indexed by setting step)."""
        return self.step_under(states, t, self.in_force(floors, t))

    def step_under(self, states: list[InstanceState], t: int, floors: list[float]) -> list[InstanceState]:
        """Advance every instance through step ``t`` under ``floors``, one per piece (:meth:`in_force`)."""
        cap, u = self.cluster.max_acu, self.model.scaler_target_utilisation
        load = self.loads[t]
        w_load = load * self.shares[0]
        writer = states[0]
        if len(states) == 1:
            for floor, (_, s) in zip(floors, self.pieces, strict=True):
                writer = move(writer, target_acu(w_load, floor, cap, u), s)
            return [writer]
        f_load = load * self.shares[1]
        follower = states[1]
        for floor, (_, s) in zip(floors, self.pieces, strict=True):
            w_target = target_acu(w_load, floor, cap, u)
            writer = move(writer, w_target, s)
            follower = higher(move(follower, target_acu(f_load, max(floor, w_target), cap, u), s), writer)
        return [writer, follower]

    def meets(self, states: list[InstanceState], t: int) -> bool:
        """Every instance starts step ``t`` at or above its need."""
        for s, need in zip(states, self.need, strict=True):
            if not s.capacity_acu >= need[t] - _EPS:
                return False
        return True

    def reach(self, start: list[InstanceState]) -> list[list[InstanceState]]:
        """The instances' states at each step start with MaxCapacity floors from now on.

        The fastest any schedule climbs from ``start``: nothing can be higher at a step start.
        """
        floors = [float(self.cluster.max_acu)] * len(self.loads)
        out, states = [], start
        for t in range(len(self.loads)):
            out.append(states)
            states = self.step(states, t, floors)
        return out

    def cap_at_reach(self, start: list[InstanceState]) -> None:
        """Lower every need to what MaxCapacity floors from now on could reach at best.

        A need no schedule can meet (the state at ``now`` is given, and ramps take time)
        is not chased with MaxCapacity: the floor goes only as high as still helps.
        """
        for t, states in enumerate(self.reach(start)):
            for i, s in enumerate(states):
                self.need[i][t] = min(self.need[i][t], s.capacity_acu)


def reachable_demand(
    drive_acu: npt.ArrayLike,
    *,
    step_s: int,
    cluster: FloorCluster,
    model: ScalerModel,
    start: list[InstanceState],
    floor_before_acu: float,
) -> FloatArray:
    """The most cluster load each step could serve within the SLO from its first second.

    The instances run from ``start`` with MinCapacity set to MaxCapacity at every step from
    now (the fastest any schedule climbs: a change takes ``floor_apply_delay_s``, then the
    ramp), following ``drive_acu``; a step's value is the smallest over the instances of
    capacity x ``slo_utilisation`` / its share of the load. Demand above it is out of any
    plan's reach: :func:`cheapest_floors` caps its needs there (``cap_at_reach``), and the
    planner reports the rest as shortfall rather than as covered.

    Args:
        drive_acu: the cluster load the scaler follows, shape (n,), ACU (NaN holds the last).
        step_s: step length, seconds.
        cluster: the instances and the floor's range.
        model: the scaler model.
        start: the instances' states now (writer first).
        floor_before_acu: the floor in force until a change takes effect, ACU.

    Returns:
        Reachable cluster load per step, shape (n,), ACU.
    """
    drive = _hold_last(np.asarray(drive_acu, dtype=np.float64))
    run = _Run(drive, np.full(len(drive), np.nan), float(step_s), cluster, model, floor_before_acu)
    return np.array(
        [
            min(
                s.capacity_acu / model.need_acu(share)
                for s, share in zip(states, run.shares, strict=True)
                if share > 0
            )
            for states in run.reach(start)
        ],
        dtype=np.float64,
    )


def cheapest_floors(
    drive_acu: npt.ArrayLike,
    need_acu: npt.ArrayLike,
    *,
    step_s: int,
    cluster: FloorCluster,
    model: ScalerModel,
    start: list[InstanceState] | None = None,
    floor_before_acu: float | None = None,
) -> FloatArray:
    """Return the cheapest floor per step under which every step starts at or above its need.

    Args:
        drive_acu: the cluster load the scaler follows, shape (n,), ACU; NaN holds the
            last observed value (as the simulator does).
        need_acu: the cluster load each step must be able to serve within the SLO from its
            first second, shape (n,), ACU; NaN means no requirement. The bound passes the
            realised load (the same as ``drive_acu``); the planner a forecast quantile.
            Needs above what MaxCapacity can serve are capped there, and, with a given
            ``start``, at what any schedule could still reach from it (no floor helps more).
        step_s: step length, seconds.
        cluster: the instances the floor lifts and the floor's range.
        model: the scaler model (ramp profile, target and SLO utilisation).
        start: the instances' states at the first step (writer first); None means the
            simulator's steady start for the first load under the first floor.
        floor_before_acu: the floor in force until the first setting takes effect (the
            deployed MinCapacity); None means the first floor itself, as in a replay.

    Returns:
        Floors on the 0.5-ACU grid in [cluster.min_acu, cluster.max_acu], shape (n,).

    Raises:
        ValueError: mismatched or empty arrays, or a ``start`` of the wrong length.
    """
    drive = _hold_last(np.asarray(drive_acu, dtype=np.float64))
    need = np.asarray(need_acu, dtype=np.float64)
    if drive.shape != need.shape or drive.ndim != 1 or drive.size == 0:
        raise ValueError(
            f"drive_acu and need_acu must be equal non-empty 1-D arrays, got {drive.shape}, {need.shape}"
        )
    run = _Run(drive, need, float(step_s), cluster, model, floor_before_acu)
    if start is not None:
        if len(start) != len(run.shares):
            raise ValueError(f"start has {len(start)} states for {len(run.shares)} instances")
        run.cap_at_reach(start)
    low = max(half_ceil(cluster.min_acu), MIN_RUNNING_ACU)
    n, cap = len(drive), cluster.max_acu
    floors = [float(cap)] * n  # an int MaxCapacity must not truncate 0.5-ACU floors
    states = start
    guess = low
    for t in range(n):
        floors[t] = guess = float(_least_floor(run, floors, states, t, low, cap, guess))
        if states is None:
            states = run.start(floors[0])
        states = run.step(states, t, floors)
    return np.array(floors, dtype=np.float64)


def _least_floor(
    run: _Run,
    floors: list[float],
    states: list[InstanceState] | None,
    t: int,
    low: float,
    cap: float,
    guess: float,
) -> float:
    """The lowest grid floor for step ``t`` that keeps a feasible continuation.

    Feasibility is monotone in the floor (a higher floor never gives less capacity), so
    the answer is found by galloping from ``guess`` (the previous step's floor: floors
    change little from one step to the next, so two checks usually settle it) and then
    bisecting the bracket; the result is the same as bisecting the whole range.
    """
    units = round((cap - low) * 2)  # half-ACUs above `low`; `units` (= cap) is always feasible

    def ok(k: int) -> bool:
        return k >= units or _feasible(run, floors, states, t, low + k / 2)

    g = min(max(round((guess - low) * 2), 0), units)
    if ok(g):  # the least feasible level is at or below g: gallop down
        hi, width = g, 1
        lo = g - width
        while lo >= 0 and ok(lo):
            hi, width = lo, width * 2
            lo = hi - width
        lo = max(lo, -1)  # -1: below `low`, infeasible by definition
    else:  # above g: gallop up
        lo, width = g, 1
        hi = g + width
        while not ok(hi):
            lo, width = hi, width * 2
            hi = min(lo + width, units)
    while hi - lo > 1:  # lo infeasible (or -1), hi feasible
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return low + hi / 2


def _feasible(
    run: _Run, floors: list[float], states: list[InstanceState] | None, t: int, floor: float
) -> bool:
    """Whether floor ``floor`` at step ``t``, then MaxCapacity, meets every later need.

    Simulates forward only until every instance sits at MaxCapacity under MaxCapacity
    floors (from then on nothing can fall short) or the series ends.
    """
    current = states if states is not None else run.start(floor)
    if not run.meets(current, t):
        return False
    cap = run.cluster.max_acu
    top = float(cap)
    before = run.floor_before if run.floor_before is not None else (floor if t == 0 else floors[0])
    offsets = [j for j, _ in run.pieces]
    for s in range(t, len(run.loads) - 1):
        # the trial schedule: ``floors`` before step t, ``floor`` at t, MaxCapacity after
        setting = [s + j for j in offsets]
        in_force = [top if k > t else floor if k == t else floors[k] if k >= 0 else before for k in setting]
        current = run.step_under(current, s, in_force)
        if not run.meets(current, s + 1):
            return False
        if s + 1 + min(offsets) > t and all(x.capacity_acu >= cap for x in current):
            return True
    return True


def scaler_now(
    history_acu: FloatArray,
    *,
    step_s: int,
    cluster: FloorCluster,
    model: ScalerModel,
    floor_acu: float,
    lookback_s: int = 2 * 3600,
) -> list[InstanceState]:
    """Estimate where Aurora's scaler has the instances now, from the recent history.

    Starts at rest for the first observed load of the last ``lookback_s`` seconds and
    runs the instances through them under the deployed floor (the simulator's
    semantics), so a recent burst still being scaled down is counted.

    Args:
        history_acu: demand per step ending now, shape (n,), ACU; NaN for missing steps;
            at least one observed value.
        step_s: step length, seconds.
        cluster: the instances.
        model: the scaler model.
        floor_acu: the MinCapacity deployed over that time, ACU.
        lookback_s: how much history to run through (2 h: longer than any ramp of the
            named profiles).

    Returns:
        The instances' states now (writer first).
    """
    tail = np.asarray(history_acu[-max(lookback_s // step_s, 1) :], dtype=np.float64)
    if not np.isfinite(tail).any():
        tail = np.asarray(history_acu, dtype=np.float64)[np.isfinite(history_acu)][-1:]
    drive = _hold_last(tail)
    run = _Run(drive, np.full(len(drive), np.nan), float(step_s), cluster, model, floor_acu)
    floors = [float(floor_acu)] * len(drive)
    states = run.start(floor_acu)
    for t in range(len(drive)):
        states = run.step(states, t, floors)
    return states


def scaler_hold(
    drive_acu: FloatArray,
    *,
    step_s: int,
    cluster: FloorCluster,
    model: ScalerModel,
    start: list[InstanceState],
    floor_acu: float,
) -> FloatArray:
    """The writer capacity Aurora's scaler holds on its own: its mean over each step.

    Args:
        drive_acu: the cluster load the scaler follows, shape (n,), ACU (e.g. the median
            forecast); NaN holds the last value.
        step_s: step length, seconds.
        cluster: the instances.
        model: the scaler model.
        start: the instances' states at the first step (writer first).
        floor_acu: the MinCapacity in force throughout (the base floor), ACU.

    Returns:
        Mean writer capacity per step, shape (n,), ACU.
    """
    drive = _hold_last(np.asarray(drive_acu, dtype=np.float64))
    run = _Run(drive, np.full(len(drive), np.nan), float(step_s), cluster, model, floor_acu)
    floors = [float(floor_acu)] * len(drive)
    out = np.zeros(len(drive))
    states = list(start)
    share, cap = run.shares[0], cluster.max_acu
    for t in range(len(drive)):
        writer, acu_s = states[0], 0.0
        for _, s in run.pieces:
            seg = run_stretch(writer, run.loads[t] * share, floor_acu, cap, s, model)
            acu_s += seg.acu_s
            writer = seg.end
        out[t] = acu_s / step_s
        states = run.step(states, t, floors)
    return out


def fill_short_dips(
    floors: FloatArray, max_dip_steps: int, before_acu: float | None = None, tolerance: float = 0.0
) -> FloatArray:
    """Keep a raised floor through a dip the plan says is followed by another raise.

    A run of steps whose floors are all below both the floor just before it and the floor
    just after it is lifted to the lower of those two when it is short (at most
    ``max_dip_steps`` steps) or shallow (every floor in it at least ``(1 - tolerance)`` x
    that lower level, any length), so MinCapacity is not lowered for a lull and raised
    again (users ask autoscalers for exactly this: e.g. the Kubernetes HPA's 300-s
    scale-down stabilisation window; a shallow dip is one within the tolerance of
    :func:`hold_small_decreases`, a floor moved 7 -> 6.5 -> 7 ACU within one plan). Dips at
    the end of the plan are left alone (nothing follows them yet), but a shallow dip inside
    a deep one, or inside a decline that does not come back, is filled, and shallow dips
    are filled again until none is left (a filled inner dip can leave its outer one shallow).

    Args:
        floors: floors per step, shape (n,), ACU.
        max_dip_steps: longest dip filled whatever its depth, steps (0: none).
        before_acu: the floor deployed before the first step (counts as the level to the
            left of step 0); None: nothing to the left.
        tolerance: the deepest dip filled whatever its length, as a share of the lower
            neighbour, in [0, 1) (0: none).

    Returns:
        The filled floors, shape (n,) (a new array; never below ``floors``).
    """
    levels = ([before_acu] if before_acu is not None else []) + [float(x) for x in floors]
    offset = 1 if before_acu is not None else 0
    passes = [False] + [True] * (len(levels) if tolerance > 0 else 0)  # shallow until nothing changes
    for shallow in passes:
        before_pass = list(levels)
        i = 1
        while i < len(levels):
            if levels[i] < levels[i - 1]:
                j = i  # short: the first max_dip_steps steps below the left level; shallow: all of them
                while j < len(levels) and levels[j] < levels[i - 1] and (shallow or j - i < max_dip_steps):
                    j += 1
                filled = False
                if i < j < len(levels) and levels[j] > max(levels[i:j]):
                    level = min(levels[i - 1], levels[j])
                    if (
                        min(levels[i:j]) >= level * (1.0 - tolerance) - 1e-9
                        if shallow
                        else j - i <= max_dip_steps
                    ):
                        for k in range(i, j):
                            levels[k] = max(levels[k], level)
                        filled = True
                # a shallow dip may sit inside a deep one or a decline that never comes back
                i = i + 1 if shallow and not filled else max(j, i + 1)
            else:
                i += 1
        if shallow and levels == before_pass:
            break
    return np.asarray(levels[offset:], dtype=np.float64)


def hold_small_decreases(floors: FloatArray, before_acu: float, tolerance: float) -> FloatArray:
    """Keep the deployed floor through a shallow dip the plan does not carry any lower.

    Hysteresis for the re-plan boundary, which :func:`fill_short_dips` cannot see: each
    re-plan starts from a fresh forecast, and on a short square wave the first steps' need
    moves by one grid step between re-plans (11 -> 11.5 -> 11 ACU every 15 minutes). The
    leading run of steps whose floor lies in ``[before_acu * (1 - tolerance), before_acu]``
    keeps ``before_acu``; the first step above (a raise) or further below ends the run, and
    later steps are left alone, so a decline the plan foresees lowers the floor once it
    leaves the band. (Holding nothing when the plan foresees such a decline was tried: the
    wobble of fresh forecasts often dips below the band somewhere in a 3-h plan, and a
    square wave flipped 37 times in 36 h instead of 39.) Raises are never held back. This
    is the Kubernetes HPA's tolerance applied to scale-down only, as its configurable
    tolerance allows: a small tolerance on scale-up and a larger one on scale-down, so small
    metric fluctuations do not add and remove replicas (Kubernetes blog, "Kubernetes v1.33:
    HorizontalPodAutoscaler Configurable Tolerance", and KEP-4951; the default tolerance is
    0.1, ``--horizontal-pod-autoscaler-tolerance``). The price is a floor at most
    ``tolerance`` above its need while the plan's need stays inside the band.

    Args:
        floors: floors per step, shape (n,), ACU.
        before_acu: the floor deployed before the first step, ACU.
        tolerance: the largest decrease held, as a share of ``before_acu``, in [0, 1)
            (0: none).

    Returns:
        The floors, shape (n,) (a new array; never below ``floors``).
    """
    out = np.asarray(floors, dtype=np.float64).copy()
    lowest = before_acu * (1.0 - tolerance) - 1e-9
    end = next((i for i, floor in enumerate(out) if floor > before_acu or floor < lowest), len(out))
    out[:end] = before_acu
    return out
