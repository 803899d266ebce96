"""The step rules: how a history's step, the plan step, the re-plan interval and the warm-up fit.

Owns :func:`check_step_s`, :func:`check_whole_steps`, :func:`check_replan_within_horizon`,
:func:`check_replan_every_s`, :func:`first_scored_step` and :func:`decision_windows`, the
one place these rules live; the decision path (:mod:`policy.engine`), replay
(:mod:`policy.trace_replay.run`), the HTTP schemas and the CLI call them and only relocate
the error to their own field or option. Pure.

The rules:

* the plan aggregates whole history steps, so ``step_s`` divides ``plan_step_s``, and a
  step is at least :data:`MIN_STEP_S`;
* a duration a request gives (a forecast horizon, a warm-up, a timetable slot) is whole
  steps, refused otherwise (:func:`check_whole_steps`), never rounded;
* replay re-plans on whole history steps (``replan_every_s`` a multiple of ``step_s``), and
  each plan covers the time until the next one (``replan_every_s <= horizon_s``);
* the warm-up (history before the first scored decision) leaves at least one step to score
  and holds at least one observed step; it may be 0 only when no replayed policy forecasts
  from the history before its decision (``acuplan`` does: its first decision needs at least
  one step of history, as :func:`policy.recommend` does).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from policy.errors import InvalidRequestError

STEP_EXAMPLES_S: tuple[int, ...] = (60, 300, 900, 3600)
"""Common metric periods (CloudWatch 1-minute and 5-minute, 15 min, 1 h), offered as
examples when a step does not divide the plan step."""


DEFAULT_WARMUP_S = 2 * 86_400
"""``ReplayConfig.warmup_s``'s default, seconds: two days, the two daily seasons Holt-Winters needs."""


MIN_STEP_S = 30
"""The finest history step, seconds. Aurora publishes its CloudWatch metrics every minute
(Aurora User Guide, "Monitoring Amazon Aurora metrics with Amazon CloudWatch": "Amazon RDS
automatically sends metrics to CloudWatch every minute"), so a finer step only repeats
samples; and the forecaster's backtest holds (origins x horizon) errors, which at 1-s steps
and a 3-h horizon is 10,800 steps per origin (gigabytes). The HTTP schemas use the same bound."""


def _duration(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def check_step_s(step_s: object, plan_step_s: int) -> int:
    """Check a history step against the plan step and return the steps per plan step.

    Args:
        step_s: the history's step, seconds (a positive int).
        plan_step_s: ``PolicyConfig.plan_step_s``, seconds.

    Returns:
        ``plan_step_s // step_s``.

    Raises:
        InvalidRequestError: (field ``step_s``) not a positive integer, does not divide
            ``plan_step_s`` (e.g. ``step_s=7 must divide the plan step plan_step_s=900: e.g.
            60, 300, 900``), or below :data:`MIN_STEP_S`.
    """
    if isinstance(step_s, bool) or not isinstance(step_s, int) or step_s <= 0:
        raise InvalidRequestError(f"step_s must be a positive integer of seconds, got {step_s!r}", "step_s")
    if plan_step_s % step_s:
        examples = [d for d in STEP_EXAMPLES_S if d <= plan_step_s and plan_step_s % d == 0] or [
            d for d in (plan_step_s,) if d >= MIN_STEP_S
        ]
        hint = (
            f"e.g. {', '.join(map(str, examples))}"
            if examples
            else f"no step of at least {MIN_STEP_S} s divides it, so the plan step is too short"
        )
        raise InvalidRequestError(
            f"step_s={step_s} must divide the plan step plan_step_s={plan_step_s}: {hint}", "step_s"
        )
    if step_s < MIN_STEP_S:
        raise InvalidRequestError(
            f"step_s={step_s} is below the finest step, {MIN_STEP_S} s (Aurora's metrics come every minute)",
            "step_s",
        )
    return plan_step_s // step_s


def check_replan_within_horizon(replan_every_s: int, horizon_s: int) -> None:
    """Check that each plan covers the time until the next re-plan.

    Args:
        replan_every_s: ``ReplayConfig.replan_every_s``, seconds.
        horizon_s: ``PolicyConfig.horizon_s``, seconds.

    Raises:
        InvalidRequestError: (field ``config.replan_every_s``) ``replan_every_s > horizon_s``.
    """
    if replan_every_s > horizon_s:
        raise InvalidRequestError(
            f"replan_every_s={replan_every_s} must be at most the planning horizon "
            f"horizon_s={horizon_s} ({_duration(horizon_s)}): each plan covers the time until the next",
            "config.replan_every_s",
        )


def check_whole_steps(value_s: int, *, step_s: int, field: str, step_field: str = "step_s") -> int:
    """Check that a duration a request gives is whole steps, and return how many.

    A request's durations are taken as given, never rounded: a horizon, warm-up or slot
    that is not whole steps is refused rather than silently lengthened.

    Args:
        value_s: the duration, seconds.
        step_s: the step it must be a multiple of, seconds.
        field: the duration's name, for the error (e.g. ``horizon_s``).
        step_field: the step's name, for the error (``step_s``, or ``plan_step_s``).

    Returns:
        ``value_s // step_s``.

    Raises:
        InvalidRequestError: (field ``field``) not a multiple of ``step_s``, e.g.
            ``horizon_s=301 must be a multiple of the step step_s=300 (5 min): e.g. 300 or 600``.
    """
    if value_s % step_s:
        below, above = value_s // step_s * step_s, (value_s // step_s + 1) * step_s
        near = f"{below} or {above}" if below > 0 else str(above)
        raise InvalidRequestError(
            f"{field}={value_s} must be a multiple of the step {step_field}={step_s} ({_duration(step_s)}): "
            f"e.g. {near}",
            field,
        )
    return value_s // step_s


def check_replan_every_s(replan_every_s: int, *, step_s: int, horizon_s: int) -> int:
    """Check a re-plan interval against the history step and the planning horizon.

    Args:
        replan_every_s: ``ReplayConfig.replan_every_s``, seconds.
        step_s: the history's step, seconds.
        horizon_s: ``PolicyConfig.horizon_s``, seconds.

    Returns:
        History steps per decision, ``replan_every_s // step_s``.

    Raises:
        InvalidRequestError: (field ``config.replan_every_s``) above the horizon, or not a
            multiple of ``step_s``; the message gives minutes where they are whole.
    """
    check_replan_within_horizon(replan_every_s, horizon_s)
    if replan_every_s % step_s:
        raise InvalidRequestError(
            f"replan_every_s={replan_every_s} must be a multiple of the history step "
            f"step_s={step_s} ({_duration(step_s)})",
            "config.replan_every_s",
        )
    return replan_every_s // step_s


def decision_windows(n_steps: int, *, first: int, every: int) -> list[tuple[int, int]]:
    """Return the steps replay decides at and how many steps each decision covers.

    A decision at step ``i`` sees the history before ``i`` and sets steps ``i`` to
    ``i + covered - 1``; the windows tile ``[first, n_steps)`` without gap or overlap.

    Args:
        n_steps: length of the replayed series.
        first: the first scored step (:func:`first_scored_step`).
        every: steps between decisions (:func:`check_replan_every_s`), >= 1.

    Returns:
        ``[(i, covered), ...]`` for ``i = first, first + every, ...``; the last window is
        cut at ``n_steps``.

    Examples:
        >>> decision_windows(10, first=3, every=4)
        [(3, 4), (7, 3)]
    """
    return [(i, min(every, n_steps - i)) for i in range(first, n_steps, every)]


def first_scored_step(
    demand_acu: npt.ArrayLike, *, step_s: int, warmup_s: int, needs_history: Sequence[str] = ()
) -> int:
    """Return the first step replay scores, after the warm-up.

    Args:
        demand_acu: the history, shape (n_steps,), ACU; NaN (or None) marks a missing step.
        step_s: its step, seconds.
        warmup_s: ``ReplayConfig.warmup_s``, seconds.
        needs_history: the replayed policies that forecast from the history before each
            decision (:data:`policy.trace_replay.report.HISTORY_POLICIES`); with any, the
            warm-up must hold at least one step.

    Returns:
        ``ceil(warmup_s / step_s)``.

    Raises:
        InvalidRequestError: (field ``config.warmup_s``) the warm-up leaves no step to score,
            holds no observed step, or is 0 while a policy of ``needs_history`` is replayed
            (its first decision would see no history).
    """
    demand = np.asarray(demand_acu, dtype=np.float64)
    first = math.ceil(warmup_s / step_s)
    if first >= len(demand):
        raise InvalidRequestError(
            f"warmup_s={warmup_s} ({first} steps of {step_s} s) leaves nothing to score: the history "
            f"has only {len(demand)} steps; send more history or lower warmup_s",
            "config.warmup_s",
        )
    if first == 0 and needs_history:
        names = ", ".join(repr(n) for n in needs_history)
        raise InvalidRequestError(
            f"warmup_s={warmup_s} gives policy {names} no history for its first decision (it forecasts "
            f"from the steps before it): warmup_s must be at least one step, step_s={step_s} "
            f"(the default, {DEFAULT_WARMUP_S} s = 2 days, gives its forecaster two daily seasons)",
            "config.warmup_s",
        )
    if first > 0 and bool(np.all(np.isnan(demand[:first]))):
        raise InvalidRequestError(
            f"the history has no observed step in the warm-up (the first {first} steps of {step_s} s, "
            f"warmup_s={warmup_s}); lower warmup_s or send that history",
            "config.warmup_s",
        )
    return first
