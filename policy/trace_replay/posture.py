"""``acuplan`` in a replay, its risk quantile learnt per cluster from shadow replays of its own past.

Owns :class:`AcuplanPolicy`, :func:`choose_risk_quantile`, :class:`ShadowScore` and
:class:`PostureChoice`. One risk quantile cannot fit every cluster (``acuplan bench``, default
ramp): on the bundled ELB request rate a fixed p90 keeps 7.6 % of Aurora alone's
SLO-violation minutes at 1.36x the perfect-foresight bound and p85 14 % at 1.21x, inside
the 20 % / 1.25x targets; on the ASG trace p90 keeps 19 % at 1.15x, at the edge, and p95
11 % at 1.20x. So the replay learns it, as a scheduler keeping
state could (the rule is :class:`~policy.config.PostureConfig`'s):

1. every decision first scores the demand that followed the last one: what Aurora alone
   at the user's floor, the perfect-foresight bound (:func:`policy.floors.cheapest_floors`
   on that demand) and every *shadow* set, run through the simulator
   (:func:`~policy.trace_replay.simulator.simulate`) from ``LEAD_IN_S`` before the window;
2. the configured quantile (``policy.risk_quantile``) is a shadow from the first decision
   (while it is the plan applied, the shadow is that plan: no second forecast); once Aurora
   alone has had ``min_reactive_slo_min`` violation minutes in the window (before that
   nothing says another quantile would do better), every other candidate quantile starts
   planning as a shadow too, from the layout deployed then, as the cluster would be under
   it (one forecast per decision, made for every candidate's quantiles, then each
   candidate's plan: :func:`~policy.trace_replay.apply.decision_from_forecast`);
3. over the span the shadows scored for at least ``min_window_s`` have all been scored (at
   most ``window_s``), :func:`choose_risk_quantile` picks the cheapest candidate within the
   SLO and cost budgets, else ``policy.risk_quantile``; the plan applied is
   :func:`policy.recommend` at that quantile from the layout actually deployed, exactly what
   the production path would advise;
4. unless no candidate is within the budgets (or Aurora alone had too few minutes to judge
   them) and Aurora alone *dominated* the configured quantile over the window (no more
   SLO-violation minutes for at least 1 % less,
   :data:`~policy.trace_replay.scoreboard.DOMINANCE_COST_FRACTION`, the scoreboard's own
   rule): then the forecast bought nothing the cluster's own scaler did not, and the plan
   holds MinCapacity at Aurora alone's floor (the production path:
   ``PolicyConfig.floor_from_forecast`` off). The shadows keep planning, so the quantile
   comes back as soon as the forecast earns its cost again. On a cluster idle but for
   random bursts (nothing a forecast can know ahead) every forecast-driven floor pays for
   yesterday's burst again without saving a minute; this is the rule that stops it, from
   the first day scored, not only once Aurora alone's minutes have piled up.

Everything is causal: a decision at ``now`` uses demand before ``now`` only. Pure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
import numpy.typing as npt

from forecasting import shared_backtests
from placement import PreviousLayout
from policy.config import PostureConfig, ReplayConfig
from policy.engine import recommend
from policy.floors import FloorCluster, cheapest_floors
from policy.trace_replay.apply import (
    at_risk_quantile,
    decision_from_forecast,
    decision_from_recommendation,
    shared_forecast,
    user_floor,
)
from policy.trace_replay.decision import Decision, FloatArray, IntArray
from policy.trace_replay.scoreboard import DOMINANCE_COST_FRACTION
from policy.trace_replay.simulator import Layout, simulate
from policy.types import ClusterSpec

LEAD_IN_S = 3600
"""Seconds simulated before a scored window so the instances enter it where the ramp left
them, not in the simulator's steady start. ASSUMPTION 1 h: the slowest ramp profile halves
capacity every 600 s, so any start is forgotten within six halvings."""

_EPS = 1e-9

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ShadowScore:
    """What one way of setting MinCapacity cost over a window, by the simulator.

    Attributes:
        cost_usd: cost of all instances, USD.
        slo_violation_min: minutes with some instance over the SLO utilisation or unserved.
    """

    cost_usd: float
    slo_violation_min: float


@dataclass(frozen=True)
class PostureChoice:
    """The risk quantile a decision plans at, and why.

    Attributes:
        risk_quantile: the quantile, in (0.5, 1).
        reason: one sentence with the numbers behind it.
        floor_from_forecast: False: Aurora alone did better than planning at
            ``risk_quantile`` over the window, and MinCapacity stays at its floor
            (``PolicyConfig.floor_from_forecast``).
    """

    risk_quantile: float
    reason: str
    floor_from_forecast: bool = True


def quantile_counts(by_quantile: Mapping[str, int], aurora_alone: int | None = None) -> str:
    """``{"0.8": 36, "0.85": 227}`` and 12 as ``"p80 in 36, p85 in 227, Aurora alone in 12"``.

    The replay score's ``replans_by_risk_quantile`` and ``replans_aurora_alone`` in words.
    """
    parts = [f"p{float(q) * 100:g} in {n}" for q, n in by_quantile.items()]
    return ", ".join(parts + ([f"Aurora alone in {aurora_alone}"] if aurora_alone else []))


def choose_risk_quantile(
    candidates: Mapping[float, ShadowScore],
    reactive: ShadowScore,
    bound_cost_usd: float,
    *,
    base: float,
    scored_s: float,
    config: PostureConfig,
) -> PostureChoice:
    """Pick the cheapest candidate within the SLO and cost budgets over the scored window.

    Args:
        candidates: each candidate quantile's shadow score over the window.
        reactive: Aurora alone at the user's floor over the same window.
        bound_cost_usd: the perfect-foresight bound's cost over the same window, USD.
        base: ``policy.risk_quantile``, the answer without evidence or without a
            candidate within both budgets.
        scored_s: seconds the window spans.
        config: the budgets and evidence thresholds.

    Returns:
        The :class:`PostureChoice`; ties in cost go to the lower quantile. Without a
        candidate within both budgets, or with too few minutes of Aurora alone to judge
        them (``min_reactive_slo_min``), ``base``, with ``floor_from_forecast`` False when
        Aurora alone dominated it over the window (no more SLO-violation minutes, at most
        :data:`~policy.trace_replay.scoreboard.DOMINANCE_COST_FRACTION` of its cost).
    """
    days = scored_s / 86_400
    if scored_s < config.min_window_s:
        need = config.min_window_s / 86_400
        return PostureChoice(base, f"p{base * 100:g}: {days:.1f} days scored, fewer than the {need:g} needed")
    planned = candidates.get(base)
    dominated = (
        planned is not None
        and reactive.slo_violation_min <= planned.slo_violation_min + _EPS
        and reactive.cost_usd <= DOMINANCE_COST_FRACTION * planned.cost_usd
    )
    if reactive.slo_violation_min < config.min_reactive_slo_min:
        few = (
            f"Aurora alone had {reactive.slo_violation_min:.1f} SLO-violation minutes in the last "
            f"{days:.1f} days, fewer than the {config.min_reactive_slo_min:g} that say a quantile is wrong"
        )
        if dominated:
            assert planned is not None
            return PostureChoice(
                base,
                f"Aurora alone: {few}, and the configured p{base * 100:g} cost ${planned.cost_usd:,.2f} for "
                f"{planned.slo_violation_min:.1f} where Aurora alone cost ${reactive.cost_usd:,.2f}: the "
                "forecast bought nothing, so MinCapacity stays at the cluster's floor",
                floor_from_forecast=False,
            )
        return PostureChoice(base, f"p{base * 100:g}: {few}")
    budget = config.slo_share_of_reactive * reactive.slo_violation_min
    cap = config.max_cost_vs_bound * bound_cost_usd
    within = sorted(
        (s.cost_usd, q)
        for q, s in candidates.items()
        if s.slo_violation_min <= budget + _EPS and s.cost_usd <= cap * (1 + _EPS)
    )
    budgets = (
        f"{config.slo_share_of_reactive:.0%} of Aurora alone's {reactive.slo_violation_min:.1f} "
        f"SLO-violation minutes at no more than {config.max_cost_vs_bound:g}x the perfect-foresight "
        f"bound (${bound_cost_usd:,.2f}) over the last {days:.1f} days"
    )
    if not within:
        if dominated:
            assert planned is not None
            return PostureChoice(
                base,
                f"Aurora alone: no candidate quantile kept within {budgets}, and the configured "
                f"p{base * 100:g} cost ${planned.cost_usd:,.2f} for {planned.slo_violation_min:.1f} "
                f"SLO-violation minutes where Aurora alone cost ${reactive.cost_usd:,.2f} for "
                f"{reactive.slo_violation_min:.1f}: the forecast bought nothing, so MinCapacity stays at "
                "the cluster's floor",
                floor_from_forecast=False,
            )
        return PostureChoice(base, f"p{base * 100:g}: no candidate quantile kept within {budgets}")
    _, q = within[0]
    s = candidates[q]
    return PostureChoice(
        q,
        f"p{q * 100:g}: the cheapest candidate within {budgets}: {s.slo_violation_min:.1f} minutes at "
        f"{s.cost_usd / bound_cost_usd if bound_cost_usd > 0 else math.inf:.2f}x the bound",
    )


@dataclass
class _Track:
    """Per-step settings a way of setting MinCapacity made, and what they cost, from step ``start``."""

    start: int
    floor_acu: FloatArray = field(default_factory=lambda: np.zeros(0))
    readers: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    readers_writer_az: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    has_failover: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    cost_usd: FloatArray = field(default_factory=lambda: np.zeros(0))
    slo_min: FloatArray = field(default_factory=lambda: np.zeros(0))

    def set(self, d: Decision) -> None:
        """Append a decision's settings."""
        n = len(d.floor_acu)
        in_az = d.n_extra_readers_writer_az
        if in_az is None:
            in_az = np.zeros(n, dtype=np.int64)
        self.floor_acu = np.concatenate([self.floor_acu, d.floor_acu])
        self.readers = np.concatenate([self.readers, d.n_extra_readers])
        self.readers_writer_az = np.concatenate([self.readers_writer_az, in_az])
        self.has_failover = np.concatenate([self.has_failover, np.full(n, d.has_failover)])

    def layout(self, lo: int, hi: int, max_acu: float) -> Layout:
        """The settings of steps [lo, hi) (absolute indices)."""
        a, b = lo - self.start, hi - self.start
        return Layout(
            floor_acu=self.floor_acu[a:b],
            max_acu=np.full(b - a, max_acu),
            n_extra_readers=self.readers[a:b],
            has_failover=bool(self.has_failover[a:b].all()),
            n_extra_readers_writer_az=self.readers_writer_az[a:b],
        )

    def score(self, steps: int) -> ShadowScore:
        """Cost and violation minutes of the last ``steps`` scored steps (none for 0)."""
        if steps <= 0:
            return ShadowScore(0.0, 0.0)
        return ShadowScore(float(self.cost_usd[-steps:].sum()), float(self.slo_min[-steps:].sum()))


def _floor_only(floor_acu: FloatArray, max_acu: float) -> Layout:
    """A MinCapacity per step with one tier-1 reader and no read-scaling readers (Aurora alone, the bound)."""
    n = len(floor_acu)
    return Layout(
        floor_acu=floor_acu,
        max_acu=np.full(n, max_acu),
        n_extra_readers=np.zeros(n, dtype=np.int64),
        has_failover=True,
    )


@dataclass
class _Shadow:
    """A candidate quantile planning as ``acuplan`` would, from its own deployed layout."""

    risk_quantile: float
    track: _Track
    previous: PreviousLayout | None


@dataclass
class AcuplanPolicy:
    """Forecast -> optimise through :func:`policy.recommend`, at a risk quantile learnt per cluster.

    With ``config.posture.risk_quantiles`` empty it is the plain production path at
    ``config.policy.risk_quantile``. ``choices`` holds each decision's
    :class:`PostureChoice`, in time order.
    """

    cluster: ClusterSpec
    config: ReplayConfig
    step_s: int
    name: str = "acuplan"
    choices: list[PostureChoice] = field(default_factory=list)
    _first: int | None = field(default=None, init=False, repr=False)
    _last: int = field(default=0, init=False, repr=False)
    _reactive: _Track | None = field(default=None, init=False, repr=False)
    _bound: _Track | None = field(default=None, init=False, repr=False)
    _shadows: list[_Shadow] = field(default_factory=list, init=False, repr=False)
    _candidates_started: bool = field(default=False, init=False, repr=False)

    @property
    def _window_steps(self) -> int:
        """Steps scored back: ``window_s``, and never fewer than ``min_window_s`` needs."""
        posture = self.config.posture
        return max(
            math.ceil(posture.window_s / self.step_s), math.ceil(posture.min_window_s / self.step_s), 1
        )

    def decide(
        self, history_acu: FloatArray, *, now: datetime, n_steps: int, previous: PreviousLayout | None
    ) -> Decision:
        """Score the last window, pick the risk quantile, and apply its plan to the next ``n_steps``."""
        i = len(history_acu)
        base = self.config.policy.risk_quantile
        posture = self.config.posture
        if self._first is None:
            self._first = i
            self._reactive, self._bound = _Track(i), _Track(i)
            if posture.risk_quantiles:
                self._shadows = [_Shadow(base, _Track(i), previous)]
        elif posture.risk_quantiles:
            self._score(history_acu, self._last, i)
        self._last = i
        if not self._shadows:
            self.choices.append(PostureChoice(base, f"p{base * 100:g}: the configured risk quantile"))
            return self._plan(history_acu, now, n_steps, previous, base)
        if not self._candidates_started and self._evidence():
            self._candidates_started = True
            others = [_Shadow(q, _Track(i), previous) for q in posture.risk_quantiles if q != base]
            self._shadows = sorted([*self._shadows, *others], key=lambda s: s.risk_quantile)
        choice = self._choose(i)
        self.choices.append(choice)
        with shared_backtests():  # the plan applied and the shadows forecast the same window
            if choice.floor_from_forecast:
                applied = self._plan(history_acu, now, n_steps, previous, choice.risk_quantile)
            else:
                applied = self._aurora_alone(n_steps)
            self._plan_shadows(history_acu, now, n_steps, applied=applied, previous=previous)
        return applied

    def _choose(self, i: int) -> PostureChoice:
        """The choice at step ``i`` from the shadows scored for at least ``min_window_s``.

        All of them are scored over the same span, the youngest one's (at most ``window_s``);
        with none scored that long, the configured quantile.
        """
        base = self.config.policy.risk_quantile
        posture = self.config.posture
        least = max(math.ceil(posture.min_window_s / self.step_s), 1)
        scored = [s for s in self._shadows if i - s.track.start >= least]
        if not scored:
            return PostureChoice(base, f"p{base * 100:g}: the configured risk quantile")
        steps = min(min(i - s.track.start for s in scored), self._window_steps)
        assert self._reactive is not None and self._bound is not None
        return choose_risk_quantile(
            {s.risk_quantile: s.track.score(steps) for s in scored},
            self._reactive.score(steps),
            self._bound.score(steps).cost_usd,
            base=base,
            scored_s=steps * self.step_s,
            config=posture,
        )

    def _plan(
        self, history: FloatArray, now: datetime, n_steps: int, previous: PreviousLayout | None, q: float
    ) -> Decision:
        """The production plan: :func:`policy.recommend` at ``q`` from the layout ``previous``."""
        config = at_risk_quantile(self.config, q)
        rec = recommend(
            history,
            now=now,
            step_s=self.step_s,
            cluster=self.cluster,
            config=config.policy,
            previous=previous,
        )
        d = decision_from_recommendation(
            rec, now=now, step_s=self.step_s, n_steps=n_steps, cluster=self.cluster, config=config
        )
        return replace(d, risk_quantile=q)

    def _aurora_alone(self, n_steps: int) -> Decision:
        """Aurora alone's settings, exactly as scored (its floor, one tier-1 reader), for ``n_steps``.

        ``layout`` None: the next plan starts from ``limits.min_acu`` deployed, Aurora alone's
        floor wherever ``reactive_floor_acu`` is not set (``advise`` sets it to today's floor).
        """
        floor = user_floor(self.cluster, self.config)
        layout = _floor_only(np.full(n_steps, floor), self.cluster.limits.max_acu)
        return Decision(
            floor_acu=layout.floor_acu,
            max_acu=self.cluster.limits.max_acu,
            n_extra_readers=layout.n_extra_readers,
            has_failover=True,
            aurora_alone=True,
        )

    def _plan_shadows(
        self,
        history: FloatArray,
        now: datetime,
        n_steps: int,
        *,
        applied: Decision,
        previous: PreviousLayout | None,
    ) -> None:
        """Every shadow plans from its own layout, on one forecast made for all their quantiles.

        A lone shadow (the configured quantile's, before the candidates start) that planned
        from the layout deployed takes the decision ``applied`` when that planned at its
        quantile: the same production plan, without a second forecast.
        """
        if len(self._shadows) == 1:
            (s,) = self._shadows
            if applied.risk_quantile == s.risk_quantile and s.previous == previous:
                s.previous = applied.layout
                s.track.set(applied)
                return
        variants = [at_risk_quantile(self.config, s.risk_quantile) for s in self._shadows]
        shared = shared_forecast(
            history, now=now, step_s=self.step_s, cluster=self.cluster, variants=variants
        )
        for s, config in zip(self._shadows, variants, strict=True):
            d = decision_from_forecast(
                shared,
                history_acu=history,
                now=now,
                step_s=self.step_s,
                n_steps=n_steps,
                cluster=self.cluster,
                config=config,
                previous=s.previous,
            )
            s.previous = d.layout
            s.track.set(d)

    def _evidence(self) -> bool:
        """Aurora alone had enough violation minutes in the window to say a quantile is wrong."""
        assert self._reactive is not None
        steps = min(len(self._reactive.slo_min), self._window_steps)
        return self._reactive.score(steps).slo_violation_min >= self.config.posture.min_reactive_slo_min

    def _score(self, history: FloatArray, a: int, b: int) -> None:
        """Score steps [a, b) of realised demand for Aurora alone, the bound and every shadow."""
        assert self._reactive is not None and self._bound is not None and self._first is not None
        if b <= a:
            return
        lead = math.ceil(LEAD_IN_S / self.step_s)
        limits = self.cluster.limits
        lo = max(a - lead, self._first)
        demand = np.asarray(history[lo:b], dtype=np.float64)
        floors = cheapest_floors(
            demand,
            demand,
            step_s=self.step_s,
            cluster=FloorCluster(
                read_frac=self.cluster.read_frac,
                has_failover=True,
                min_acu=limits.min_acu,
                max_acu=limits.max_acu,
            ),
            model=self.config.scaler,
        )
        self._add(
            self._reactive,
            _floor_only(np.full(b - lo, user_floor(self.cluster, self.config)), limits.max_acu),
            demand,
            lo,
            a,
        )
        self._add(self._bound, _floor_only(floors, limits.max_acu), demand, lo, a)
        for s in self._shadows:
            if a >= s.track.start:
                start = max(s.track.start, lo)
                self._add(s.track, s.track.layout(start, b, limits.max_acu), demand[start - lo :], start, a)

    def _add(self, into: _Track, layout: Layout, demand: FloatArray, lo: int, a: int) -> None:
        """Simulate ``layout`` from step ``lo`` and append the per-step scores from step ``a`` to ``into``."""
        sim = simulate(
            demand,
            layout,
            step_s=self.step_s,
            read_frac=self.cluster.read_frac,
            scaler=self.config.scaler,
            price_usd_per_acu_hour=self.cluster.price_usd_per_acu_hour,
        )
        into.cost_usd = np.concatenate([into.cost_usd, sim.cost_usd_by_step[a - lo :]])
        into.slo_min = np.concatenate([into.slo_min, sim.slo_violation_min_by_step[a - lo :]])
