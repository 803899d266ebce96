"""Replay policies behind one protocol: reactive, static-peak, acuplan and the oracle.

Owns the :class:`Policy` protocol, the :class:`Decision` a policy returns for one
decision interval, and :func:`make_policy`. ``acuplan`` calls :func:`policy.recommend`,
the production path (STYLE.md principle 2); ``oracle`` runs the same optimiser on the
real future. Pure: decisions depend only on the demand history given (and, for the
oracle, on the future it is allowed to see).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np
import numpy.typing as npt

from placement import PreviousLayout, acu_to_half_acu_ceil, half_acu_to_acu
from policy.config import ReplayConfig
from policy.engine import horizon_steps, recommend
from policy.errors import UnknownPolicyError
from policy.plan import aggregate_max, plan_recommendation
from policy.report import POLICY_NAMES
from policy.settings import floor_at
from policy.types import ClusterSpec, Recommendation

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Decision:
    """Settings for the next ``n`` trace steps.

    Attributes:
        floor_acu: MinCapacity per step, shape (n,), ACU.
        max_acu: MaxCapacity for the interval, ACU.
        n_extra_readers: tier 2-15 readers per step, shape (n,).
        has_failover: a tier-1 reader exists.
        layout: the deployed layout at the end of the interval (the next ``previous``).
        fail_safe: the optimiser gave no plan and a fail-safe plan was used.
        solve_s: CP-SAT wall time, seconds (0 for policies without a solver).
    """

    floor_acu: FloatArray
    max_acu: float
    n_extra_readers: npt.NDArray[np.int64]
    has_failover: bool
    layout: PreviousLayout | None = None
    fail_safe: bool = False
    solve_s: float = 0.0


class Policy(Protocol):
    """A capacity policy the replay can run.

    ``decide`` sees only ``history_acu`` (the steps before ``now``) and returns the
    settings for the next ``n_steps`` trace steps.
    """

    name: str

    def decide(
        self, history_acu: FloatArray, *, now: datetime, n_steps: int, previous: PreviousLayout | None
    ) -> Decision:
        """Return the settings for steps [now, now + n_steps x step_s)."""
        ...


def _half_up(acu: float) -> float:
    return float(half_acu_to_acu(acu_to_half_acu_ceil(acu)))


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


def _decision(rec: Recommendation, *, now: datetime, step_s: int, n_steps: int, max_acu: float) -> Decision:
    """Apply a Recommendation's Aurora settings to the next ``n_steps`` trace steps.

    The floors come from ``rec.settings.capacity_changes`` (pre-warm included), exactly
    what a user acting on the advice would set.
    """
    changes = rec.settings.capacity_changes
    floors = np.array([floor_at(changes, now + timedelta(seconds=j * step_s)) for j in range(n_steps)])
    plan_step = rec.step_s
    extras = np.array(
        [
            sum(rec.steps[min(j * step_s // plan_step, len(rec.steps) - 1)].extra_readers_by_az.values())
            for j in range(n_steps)
        ],
        dtype=np.int64,
    )
    last = rec.steps[min((n_steps - 1) * step_s // plan_step, len(rec.steps) - 1)]
    return Decision(
        floor_acu=floors.astype(np.float64),
        max_acu=max_acu,
        n_extra_readers=extras,
        has_failover=rec.failover_az_id is not None,
        layout=PreviousLayout(
            writer_acu=floors[-1],
            extra_readers_by_az=dict(last.extra_readers_by_az),
            failover_az_id=rec.failover_az_id,
        ),
        fail_safe=rec.is_fail_safe,
        solve_s=rec.solver.solve_time_s,
    )


@dataclass
class AcuplanPolicy:
    """Forecast -> optimise through :func:`policy.recommend`, the production path."""

    cluster: ClusterSpec
    config: ReplayConfig
    step_s: int
    name: str = "acuplan"

    def decide(
        self, history_acu: FloatArray, *, now: datetime, n_steps: int, previous: PreviousLayout | None
    ) -> Decision:
        """Recommend from the history and apply the first ``n_steps`` of the plan."""
        rec = recommend(
            history_acu,
            now=now,
            step_s=self.step_s,
            cluster=self.cluster,
            config=self.config.policy,
            previous=previous,
        )
        return _decision(
            rec, now=now, step_s=self.step_s, n_steps=n_steps, max_acu=self.cluster.limits.max_acu
        )


@dataclass
class OraclePolicy:
    """Perfect foresight: the same optimiser given the real future demand.

    Every quantile row is the realised demand, so the plan covers it exactly at the
    target utilisation: the cheapest schedule of floors with no forecast error (a
    bound for comparison, not a policy anyone can run). Missing future steps take the
    last observed value.
    """

    demand_acu: FloatArray
    cluster: ClusterSpec
    config: ReplayConfig
    step_s: int
    name: str = "oracle"
    _filled: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        filled = self.demand_acu.copy()
        valid = np.isfinite(filled)
        index = np.where(valid, np.arange(len(filled)), 0)
        np.maximum.accumulate(index, out=index)
        filled = np.where(valid[index], filled[index], 0.0)
        self._filled = filled

    def decide(
        self, history_acu: FloatArray, *, now: datetime, n_steps: int, previous: PreviousLayout | None
    ) -> Decision:
        """Plan on the true demand of the next horizon."""
        block, horizon = horizon_steps(self.config.policy, self.step_s)
        i = len(history_acu)
        future = self._filled[i : i + horizon]
        future = np.concatenate([future, np.full(horizon - len(future), future[-1])])
        q = tuple(sorted({0.5, self.config.policy.risk_quantile}))
        demand_q = np.tile(aggregate_max(future, block), (len(q), 1))
        rec = plan_recommendation(
            demand_q,
            quantiles=q,
            start=now,
            cluster=self.cluster,
            config=self.config.policy,
            previous=previous,
            forecast_model="perfect_foresight",
        )
        return _decision(
            rec, now=now, step_s=self.step_s, n_steps=n_steps, max_acu=self.cluster.limits.max_acu
        )


def make_policy(
    name: str, demand_acu: FloatArray, *, cluster: ClusterSpec, config: ReplayConfig, step_s: int
) -> Policy:
    """Build the named replay policy.

    Args:
        name: one of :data:`POLICY_NAMES`.
        demand_acu: the whole demand series, shape (n_steps,), ACU (static-peak uses its
            peak; the oracle its future; the others never look past ``now``).
        cluster: the simulated cluster.
        config: replay configuration.
        step_s: trace step, seconds.

    Returns:
        A :class:`Policy`.

    Raises:
        UnknownPolicyError: if ``name`` is not registered.
    """
    limits = cluster.limits
    if name == "reactive":
        floor = config.reactive_floor_acu if config.reactive_floor_acu is not None else limits.min_acu
        return FixedFloorPolicy("reactive", min(floor, limits.max_acu), limits.max_acu)
    if name == "static-peak":
        busier = max(cluster.read_frac, 1.0 - cluster.read_frac)
        peak = float(np.nanmax(demand_acu)) * busier / config.policy.target_utilisation
        level = min(max(_half_up(peak), limits.min_acu), limits.max_acu)
        return FixedFloorPolicy("static-peak", level, level)
    if name == "acuplan":
        return AcuplanPolicy(cluster, config, step_s)
    if name == "oracle":
        return OraclePolicy(demand_acu, cluster, config, step_s)
    raise UnknownPolicyError(f"unknown policy {name!r}; known: {', '.join(POLICY_NAMES)}")
