"""The bench's scoreboard: which runnable peers beat a point, and issue 9's targets for acuplan.

Owns :class:`ScorePoint`, :data:`PEER_POLICIES`, :func:`dominated_by`,
:func:`check_targets` (with :class:`TargetCheck`) and :func:`one_setting` (with
:class:`SettingRecord`: which single setting meets the targets on most of a suite).
A point is one replay's outcome on one trace at one ramp profile: a policy's default run
(``reactive``) or a swept knob value (``reactive@2``, ``vpa@0.7``, ``predictive-scaling@0.6``,
``acuplan@q0.8``). Pure: no clock, no I/O, no numpy; ``service.bench.run`` builds the points
from the runs.

The peer set. Dominance is judged against what a user could run instead of acuplan:
Aurora alone at a fixed MinCapacity (``reactive`` and its swept floors), the VPA-style
floor, the predictive-scaling-style floor (each with its swept knob) and Aurora Auto
Scaling of readers (:data:`PEER_POLICIES`). ``static-peak`` is left out: it sizes the
cluster with hindsight (``np.nanmax`` over the whole series, future included,
:func:`policy.trace_replay.policies.make_policy`), so it is a baseline, not a peer anyone can run;
``bound`` (perfect foresight) is a limit, and acuplan's own points are not its peers.

The targets (issue 9, "Targets"), per trace and ramp profile, each applying only where
its condition holds:

* ``not_dominated`` (always): no peer point has no more SLO-violation minutes and costs
  at most 0.99x acuplan (:data:`DOMINANCE_COST_FRACTION`).
* ``cost_vs_reactive`` (where Aurora alone, ``reactive``, has no SLO minute): acuplan
  costs at most 1.02x ``reactive``.
* ``slo_share_of_reactive`` and ``cost_vs_bound`` (where ``reactive`` has at least 5
  SLO minutes): acuplan has at most 20 % of ``reactive``'s minutes, at no more than
  1.25x the bound's cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from pydantic import Field

from policy.types import FrozenModel

PEER_POLICIES: Final[tuple[str, ...]] = ("reactive", "vpa", "predictive-scaling", "hpa-readers")
"""Policies whose points (default runs and swept knobs) can dominate another point.
``static-peak`` (hindsight sizing), ``bound`` (perfect foresight) and ``acuplan`` are not
peers; see the module docstring."""

DOMINANCE_COST_FRACTION: Final[float] = 0.99
"""A peer dominates a point when it costs at most this fraction of the point's cost (at
least 1 % less) with no more SLO-violation minutes (issue 9: a 1 % margin keeps ties and
rounding from counting as wins)."""

COST_VS_REACTIVE_LIMIT: Final[float] = 1.02
"""Where ``reactive`` has no SLO minute, acuplan costs at most this multiple of it."""

SLO_SHARE_LIMIT: Final[float] = 0.2
"""Where ``reactive`` has >= :data:`REACTIVE_SLO_MIN_FOR_SHARE` SLO minutes, acuplan keeps
at most this share of them."""

COST_VS_BOUND_LIMIT: Final[float] = 1.25
"""... at a cost of at most this multiple of the bound's."""

REACTIVE_SLO_MIN_FOR_SHARE: Final[float] = 5.0
"""SLO-violation minutes of ``reactive`` from which the share and bound targets apply."""


@dataclass(frozen=True)
class ScorePoint:
    """One replay's outcome on the cost / SLO plane.

    Attributes:
        label: unique name on its trace and profile: a policy id for a default run
            (``reactive``), ``<policy>@<knob value>`` for a swept one (``reactive@2``,
            ``acuplan@q0.8``).
        policy: the policy id it belongs to (``reactive`` for ``reactive@2``).
        cost_usd: cost over the scored window, USD.
        slo_violation_min: SLO-violation minutes over the scored window.
    """

    label: str
    policy: str
    cost_usd: float
    slo_violation_min: float

    @property
    def is_peer(self) -> bool:
        """True when the point belongs to :data:`PEER_POLICIES`."""
        return self.policy in PEER_POLICIES


def dominated_by(point: ScorePoint, points: Sequence[ScorePoint]) -> list[str]:
    """Label the peer points that dominate ``point``.

    A peer point (``is_peer``; never ``point`` itself, matched by label) dominates when
    its ``slo_violation_min`` is at most ``point``'s and its ``cost_usd`` at most
    :data:`DOMINANCE_COST_FRACTION` x ``point``'s.

    Args:
        point: the point to judge (any policy, peers included).
        points: candidate points of the same trace and profile; non-peers are ignored.

    Returns:
        The dominating labels, cheapest first (ties by SLO minutes, then label); empty
        when nothing dominates.
    """
    beaters = [
        p
        for p in points
        if p.is_peer
        and p.label != point.label
        and p.slo_violation_min <= point.slo_violation_min
        and p.cost_usd <= DOMINANCE_COST_FRACTION * point.cost_usd
    ]
    return [p.label for p in sorted(beaters, key=lambda p: (p.cost_usd, p.slo_violation_min, p.label))]


class TargetCheck(FrozenModel):
    """acuplan against issue 9's targets on one trace at one ramp profile.

    Attributes:
        met: True when every applicable check holds; None when a reference did not run
            (``why`` says which).
        why: the reason ``met`` is None, else "".
        applicable: the checks that apply, in order: ``not_dominated`` always;
            ``cost_vs_reactive`` where ``reactive`` has no SLO minute;
            ``slo_share_of_reactive`` and ``cost_vs_bound`` where it has >= 5.
        checks: per applicable check, whether it holds.
        limits: the thresholds (multiples of ``reactive``'s cost, share of its SLO
            minutes, multiple of the bound's cost).
        dominated_by: the peer points dominating acuplan (:func:`dominated_by`).
        acuplan_cost_usd: acuplan's cost, USD.
        acuplan_slo_min: acuplan's SLO-violation minutes.
        reactive_cost_usd: Aurora alone's cost, USD.
        reactive_slo_min: Aurora alone's SLO-violation minutes.
        bound_cost_usd: the bound's cost, USD (None when it did not run).
        acuplan_cost_vs_reactive: acuplan's cost / reactive's (None when reactive's is 0).
        acuplan_slo_share_of_reactive: acuplan's SLO minutes / reactive's (None when
            reactive has none).
        acuplan_cost_vs_bound: acuplan's cost / the bound's (None without a bound cost).
        reaching: frontier evidence: the candidate points (peers and acuplan's swept
            knob) that would meet every applicable check in acuplan's place, cheapest
            first. Empty with ``met`` False means no swept setting of any family reaches
            the targets on this trace.
    """

    met: bool | None
    why: str = ""
    applicable: tuple[str, ...] = ()
    checks: dict[str, bool] = Field(default_factory=dict)
    limits: dict[str, float] = Field(default_factory=dict)
    dominated_by: tuple[str, ...] = ()
    acuplan_cost_usd: float | None = None
    acuplan_slo_min: float | None = None
    reactive_cost_usd: float | None = None
    reactive_slo_min: float | None = None
    bound_cost_usd: float | None = None
    acuplan_cost_vs_reactive: float | None = None
    acuplan_slo_share_of_reactive: float | None = None
    acuplan_cost_vs_bound: float | None = None
    reaching: tuple[str, ...] = ()


LIMITS: Final[dict[str, float]] = {
    "cost_vs_reactive": COST_VS_REACTIVE_LIMIT,
    "slo_share_of_reactive": SLO_SHARE_LIMIT,
    "cost_vs_bound": COST_VS_BOUND_LIMIT,
}
"""Thresholds of the checks, by check name (``not_dominated`` has none)."""


def _applicable(reactive: ScorePoint) -> tuple[str, ...]:
    if reactive.slo_violation_min == 0.0:
        return ("not_dominated", "cost_vs_reactive")
    if reactive.slo_violation_min >= REACTIVE_SLO_MIN_FOR_SHARE:
        return ("not_dominated", "slo_share_of_reactive", "cost_vs_bound")
    return ("not_dominated",)


def _checks(
    a: ScorePoint, reactive: ScorePoint, bound: ScorePoint | None, points: Sequence[ScorePoint]
) -> dict[str, bool]:
    """Each applicable check for ``a`` in acuplan's place (``cost_vs_bound`` needs ``bound``)."""
    out: dict[str, bool] = {}
    for name in _applicable(reactive):
        if name == "not_dominated":
            out[name] = not dominated_by(a, points)
        elif name == "cost_vs_reactive":
            out[name] = a.cost_usd <= COST_VS_REACTIVE_LIMIT * reactive.cost_usd
        elif name == "slo_share_of_reactive":
            out[name] = a.slo_violation_min <= SLO_SHARE_LIMIT * reactive.slo_violation_min
        elif bound is not None:  # cost_vs_bound
            out[name] = a.cost_usd <= COST_VS_BOUND_LIMIT * bound.cost_usd
    return out


def _ratio(num: float, den: float | None) -> float | None:
    return round(num / den, 6) if den else None


def check_targets(
    acuplan: ScorePoint | None,
    reactive: ScorePoint | None,
    bound: ScorePoint | None,
    points: Sequence[ScorePoint],
    candidates: Sequence[ScorePoint] = (),
) -> TargetCheck:
    """Check acuplan's production point against the targets on one trace and profile.

    Args:
        acuplan: acuplan's production run (None when it did not run).
        reactive: Aurora alone at the user's floor, ``reactive``'s default run (None
            when it did not run).
        bound: the perfect-foresight bound (None when it did not run; then
            ``cost_vs_bound`` cannot be judged).
        points: every point of the trace and profile; the peers among them judge
            dominance.
        candidates: points to test in acuplan's place for :attr:`TargetCheck.reaching`
            (typically the peers' points and acuplan's swept ones; non-peers other than
            acuplan's are the caller's choice).

    Returns:
        The :class:`TargetCheck`; ``met`` is None, with ``why``, when acuplan or
        reactive did not run, or when ``cost_vs_bound`` applies without a bound.
    """
    if acuplan is None or reactive is None:
        return TargetCheck(met=None, why="needs acuplan and reactive runs")
    applicable = _applicable(reactive)
    if "cost_vs_bound" in applicable and bound is None:
        return TargetCheck(
            met=None,
            why="reactive has >= 5 SLO minutes: cost_vs_bound needs a bound run",
            applicable=applicable,
        )
    checks = _checks(acuplan, reactive, bound, points)
    reaching = [c for c in candidates if all(_checks(c, reactive, bound, points).values())]
    reaching.sort(key=lambda c: (c.cost_usd, c.slo_violation_min, c.label))
    bound_cost = bound.cost_usd if bound is not None else None
    return TargetCheck(
        met=all(checks.values()),
        applicable=applicable,
        checks=checks,
        limits={k: v for k, v in LIMITS.items() if k in applicable},
        dominated_by=tuple(dominated_by(acuplan, points)),
        acuplan_cost_usd=acuplan.cost_usd,
        acuplan_slo_min=acuplan.slo_violation_min,
        reactive_cost_usd=reactive.cost_usd,
        reactive_slo_min=reactive.slo_violation_min,
        bound_cost_usd=bound_cost,
        acuplan_cost_vs_reactive=_ratio(acuplan.cost_usd, reactive.cost_usd),
        acuplan_slo_share_of_reactive=_ratio(acuplan.slo_violation_min, reactive.slo_violation_min),
        acuplan_cost_vs_bound=_ratio(acuplan.cost_usd, bound_cost),
        reaching=tuple(c.label for c in reaching),
    )


class SettingRecord(FrozenModel):
    """How one setting fares against the targets over a whole suite (:func:`one_setting`).

    Attributes:
        label: ``acuplan`` (the production run, its risk quantile learnt per cluster) or a
            candidate point's label (``reactive@8``, ``vpa``, ``acuplan@q0.9``).
        met: the (trace, profile) sections where it meets every applicable target.
        missed: the judged sections where it does not, as ``<trace>/<profile>``, in suite
            order.
    """

    label: str
    met: int = Field(ge=0)
    missed: tuple[str, ...] = ()


def one_setting(sections: Sequence[tuple[str, TargetCheck]]) -> list[SettingRecord]:
    """Rank every setting by the sections where it meets the targets in acuplan's place.

    The frontier of one trace can show a peer setting inside the target box where acuplan
    is not; this asks the question a user with a fleet faces: which *one* setting, used on
    every cluster, meets the targets most often. A candidate counts on a section when it is
    in that section's :attr:`TargetCheck.reaching`; ``acuplan`` counts where ``met`` is True.
    Sections with ``met`` None (a reference did not run) are not judged.

    Args:
        sections: ``(name, check)`` per trace and profile, e.g. ``("elb/slow", check)``.

    Returns:
        One record per label seen in any judged section (``acuplan`` always first), the
        others by most sections met, then label.
    """
    judged = [(name, c) for name, c in sections if c.met is not None]
    labels = sorted({label for _, c in judged for label in c.reaching})

    def record(label: str) -> SettingRecord:
        hit = [bool(c.met) if label == "acuplan" else label in c.reaching for _, c in judged]
        missed = tuple(name for (name, _), ok in zip(judged, hit, strict=True) if not ok)
        return SettingRecord(label=label, met=sum(hit), missed=missed)

    others = sorted((record(label) for label in labels), key=lambda r: (-r.met, r.label))
    return [record("acuplan"), *others]
