"""Replay policies behind one protocol, and :func:`make_policy`, which builds them by name.

Owns ``reactive``, ``static-peak`` and ``bound`` and the registry of all
policies in :data:`~policy.trace_replay.report.POLICY_NAMES` (the peers ``vpa``,
``predictive-scaling`` and ``hpa-readers`` live in :mod:`policy.trace_replay.peers`; the
:class:`Decision` and :class:`Policy` protocol in :mod:`policy.trace_replay.decision`, re-exported
here; ``acuplan``, :func:`policy.recommend` at a risk quantile learnt per cluster, in
:mod:`policy.trace_replay.posture`); ``bound`` is the perfect-foresight limit
(:mod:`policy.floors`). Pure: decisions
depend only on the demand history given (and, for the bound, on the future it is
allowed to see).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from placement import PreviousLayout
from policy.config import ReplayConfig
from policy.errors import UnknownPolicyError
from policy.floors import FloorCluster, cheapest_floors
from policy.trace_replay.apply import user_floor
from policy.trace_replay.decision import Decision, FloatArray, Policy
from policy.trace_replay.peers import HpaReadersPolicy, PredictiveScalingPolicy, VpaPolicy, half_up
from policy.trace_replay.posture import AcuplanPolicy
from policy.trace_replay.report import POLICY_NAMES
from policy.types import ClusterSpec

__all__ = ["Decision", "Policy", "make_policy"]


@dataclass
class FixedFloorPolicy:
    """A fixed MinCapacity/MaxCapacity with one tier-1 reader: ``reactive`` and ``static-peak``.

    ``reactive`` is Aurora's built-in scaling alone above the user's fixed floor (the
    default users have). ``static-peak`` pins Min = Max at the level that holds the
    trace's peak at the target utilisation on the busier instance, as an owner sizing
    a provisioned cluster for its observed peak would.
    """

    name: str
    floor_acu: float
    max_acu: float

    def decide(
        self, history_acu: FloatArray, *, now: datetime, n_steps: int, previous: PreviousLayout | None
    ) -> Decision:
        """Return the same settings for every step."""
        return Decision(
            floor_acu=np.full(n_steps, self.floor_acu),
            max_acu=self.max_acu,
            n_extra_readers=np.zeros(n_steps, dtype=np.int64),
            has_failover=True,
        )


@dataclass
class BoundPolicy:
    """The perfect-foresight bound: the cheapest violation-free MinCapacity schedule.

    Not a policy anyone can run: it sees the whole scored window, and sets the floor
    that :func:`policy.floors.cheapest_floors` proves cheapest among all schedules
    (changeable at every trace step, on the 0.5-ACU grid, same layout as ``reactive``:
    the writer plus a tier-1 reader) whose simulation has no SLO-violation minute and no
    shortfall. Every other policy's ``cost_vs_bound`` divides by its cost. Demand above
    what MaxCapacity can serve is the only violation it keeps.
    """

    demand_acu: FloatArray
    cluster: ClusterSpec
    config: ReplayConfig
    step_s: int
    name: str = "bound"
    _floors: FloatArray | None = field(default=None, init=False, repr=False)
    _first: int = field(default=0, init=False, repr=False)

    def decide(
        self, history_acu: FloatArray, *, now: datetime, n_steps: int, previous: PreviousLayout | None
    ) -> Decision:
        """Return the bound's floors for the next ``n_steps`` (computed once, at the first call)."""
        i = len(history_acu)
        if self._floors is None:  # the first call is at the start of the scored window
            scored = self.demand_acu[i:]
            limits = self.cluster.limits
            floor_cluster = FloorCluster(
                read_frac=self.cluster.read_frac,
                has_failover=True,
                min_acu=limits.min_acu,
                max_acu=limits.max_acu,
            )
            self._floors = cheapest_floors(
                scored, scored, step_s=self.step_s, cluster=floor_cluster, model=self.config.scaler
            )
            self._first = i
        j = i - self._first
        return Decision(
            floor_acu=self._floors[j : j + n_steps].copy(),
            max_acu=self.cluster.limits.max_acu,
            n_extra_readers=np.zeros(n_steps, dtype=np.int64),
            has_failover=True,
        )


def make_policy(
    name: str, demand_acu: FloatArray, *, cluster: ClusterSpec, config: ReplayConfig, step_s: int
) -> Policy:
    """Build the named replay policy.

    Args:
        name: one of :data:`POLICY_NAMES`.
        demand_acu: the whole demand series, shape (n_steps,), ACU (static-peak uses its
            peak; the bound its future; the others never look past ``now``).
        cluster: the simulated cluster.
        config: replay configuration (peers read ``config.peers``).
        step_s: trace step, seconds.

    Returns:
        A :class:`Policy`.

    Raises:
        UnknownPolicyError: if ``name`` is not registered.
    """
    limits, peers = cluster.limits, config.peers
    busier = max(cluster.read_frac, 1.0 - cluster.read_frac)
    target = config.policy.target_utilisation
    if name == "reactive":
        return FixedFloorPolicy("reactive", user_floor(cluster, config), limits.max_acu)
    if name == "static-peak":
        peak = float(np.nanmax(demand_acu)) * busier / target
        level = min(max(half_up(peak), limits.min_acu), limits.max_acu)
        return FixedFloorPolicy("static-peak", level, level)
    if name == "vpa":
        return VpaPolicy(peers.vpa, busier, limits.min_acu, limits.max_acu, step_s)
    if name == "predictive-scaling":
        ps_target = peers.predictive.target_utilisation or target
        floor = user_floor(cluster, config)
        return PredictiveScalingPolicy(peers.predictive, busier, ps_target, floor, limits.max_acu, step_s)
    if name == "hpa-readers":
        floor = user_floor(cluster, config)
        return HpaReadersPolicy(
            peers.hpa_readers, cluster.read_frac, floor, limits.max_acu, limits.max_readers, step_s
        )
    if name == "acuplan":
        return AcuplanPolicy(cluster, config, step_s)
    if name == "bound":
        return BoundPolicy(demand_acu, cluster, config, step_s)
    raise UnknownPolicyError(f"unknown policy {name!r}; known: {', '.join(POLICY_NAMES)}")
