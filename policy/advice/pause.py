"""Auto-pause (MinCapacity 0) offered apart: what it would cost and save, and against commitments.

Pure: the replay is the caller's (a callable from floors to a :class:`SimResult`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from policy.advice.purchase import PurchaseOption
from policy.advice.types import AutoPauseAdvice, CurrentSettings, Outcome
from policy.advice.words import plural
from policy.scaler import MIN_RUNNING_ACU
from policy.trace_replay.simulator import SimResult
from policy.types import ClusterSpec

FloatArray = npt.NDArray[np.float64]


RECUR_GAP_H = 20.0
"""Hours between the starts of two idle stretches for them to count as idle time that recurs.

ASSUMPTION: a cluster idle every night starts its idle stretch about 24 h after the last one,
give or take the few hours by which the evening's last work ends earlier or later, so 20 h;
stretches that start closer together fall on one day (an outage broken by a blip of traffic,
or two quiet spells of one day), which says nothing of the days to come.
"""

RECUR_SHARE = 0.5
"""Share of the replayed window that, in idle stretches long enough to pause, is idle time that
recurs whatever its stretches (idle time on about half the days or more).

ASSUMPTION: a cluster that is idle for half of the window or more (all-zero demand is one stretch
as long as the window) is mostly idle rather than down for a while, so pausing pays from now on.
"""

RECUR_MIN_DAYS = 2.0
"""Replayed days below which whether idle time recurs is not judged: 2 days are needed to see a
stretch come back at all, so a shorter window keeps its idle time offered as before."""


def _idle_runs(demand: FloatArray) -> list[tuple[int, int]]:
    """(first step, length in steps) of each run of zero demand (a missing step breaks a run)."""
    runs, n = [], 0
    for i, x in enumerate(demand):
        if np.isfinite(x) and x <= 0.0:
            n += 1
        else:
            if n:
                runs.append((i - n, n))
            n = 0
    if n:
        runs.append((len(demand) - n, n))
    return runs


def _one_off(
    stretches: list[tuple[int, int]], n_steps: int, step_s: int, window_from: datetime | None
) -> str | None:
    """The sentence saying the window's pausable idle time did not recur; None where it recurs.

    Args:
        stretches: (first step, steps) of the idle stretches long enough to pause.
        n_steps: the replayed window's length, steps.
        step_s: step length, seconds.
        window_from: the window's first step (aware; said in UTC); None: the start is said in
            days into the window.

    Returns:
        None where the window is shorter than :data:`RECUR_MIN_DAYS`, the stretches start
        :data:`RECUR_GAP_H` or more apart, or they cover :data:`RECUR_SHARE` of the window.
    """
    days = n_steps * step_s / 86_400
    first, last = stretches[0][0], stretches[-1][0]
    idle_steps = sum(n for _, n in stretches)
    if (
        days < RECUR_MIN_DAYS
        or (last - first) * step_s >= RECUR_GAP_H * 3600
        or idle_steps >= RECUR_SHARE * n_steps
    ):
        return None
    at = (
        f"from {(window_from.astimezone(UTC) + timedelta(seconds=first * step_s)):%Y-%m-%d %H:%M} UTC"
        if window_from is not None
        else f"from {first * step_s / 86_400:.2f} days into the window"
    )
    span_h = (last + stretches[-1][1] - first) * step_s / 3600
    what = (
        f"one idle stretch, {idle_steps * step_s / 3600:.1f} h {at}"
        if len(stretches) == 1
        else f"one idle spell, {len(stretches)} stretches with {idle_steps * step_s / 3600:.1f} h idle "
        f"within {span_h:.1f} h {at}"
    )
    if last + stretches[-1][1] == n_steps:  # still idle when the history ends: it may have gone quiet
        return (
            f"the {days:.1f} replayed days have {what}, still idle at the window's end and not seen before: "
            "an outage, a one-off or a cluster gone quiet; pausing pays only for idle time that recurs or "
            "lasts, so auto-pause (MinCapacity 0) is not offered as a saving (if the cluster is no longer "
            "used, set MinCapacity 0)"
        )
    return (
        f"the {days:.1f} replayed days have {what}, that did not recur: an outage or a one-off; pausing "
        f"pays only for idle time that recurs (idle stretches starting {RECUR_GAP_H:g} h or more apart, or "
        f"{RECUR_SHARE:.0%} of the window idle), so auto-pause (MinCapacity 0) is not offered as a saving"
    )


def auto_pause_advice(
    scored: FloatArray,
    planned: FloatArray,
    current: CurrentSettings,
    cluster: ClusterSpec,
    sim: Callable[[FloatArray], SimResult],
    recommended: Outcome,
    month: float,
    step_s: int,
    *,
    window_from: datetime | None = None,
) -> AutoPauseAdvice:
    """What MinCapacity 0 (auto-pause) would do where the timetable sits at the minimum.

    Aurora pauses after ``SecondsUntilAutoPause`` without user connections (Aurora User
    Guide, "Scaling to Zero ACUs"): demand above zero stands for activity that resets
    the timer. Pausing is offered only for idle time that recurs (:func:`_one_off`): where the
    window's pausable idle time is one stretch, or stretches of one day, in a window of
    several days, it is an outage or a one-off and no price or saving is given, only the
    sentence saying so (also among the reasons, :func:`pause_beats_commitments`).

    Args:
        scored: the replayed window's demand, ACU per step (NaN: missing).
        planned: what to apply's MinCapacity per step, ACU.
        current: today's settings (``seconds_until_auto_pause``, s).
        cluster: the cluster (its lowest running floor, ACU).
        sim: the replay of a MinCapacity series on today's layout.
        recommended: what to apply's outcome (its monthly cost, USD).
        month: replayed window to a 730-hour month, a factor.
        step_s: step length, seconds.
        window_from: the window's first step (UTC), to say when a one-off idle stretch began;
            None: said in days into the window.
    """
    runs = _idle_runs(scored)
    need = math.ceil(current.seconds_until_auto_pause / step_s)
    stretches = [(i, n) for i, n in runs if n > need]
    pausable = sum(n for _, n in stretches) * step_s / 3600.0
    longest = max((n for _, n in runs), default=0) * step_s / 60.0
    if pausable <= 0:
        return AutoPauseAdvice(
            pausable_hours=0.0,
            longest_idle_min=round(longest, 1),
            monthly_cost_usd=None,
            saving_usd_per_month=None,
            resumes=0,
            reason=f"demand is never idle for {current.seconds_until_auto_pause} s (the longest idle "
            f"stretch is {longest:.0f} min), so auto-pause would never pause: any connection resets the idle "
            "timer, so clients or monitors that keep sessions open keep it awake",
        )
    one_off = _one_off(stretches, len(scored), step_s, window_from)
    if one_off is not None:
        return AutoPauseAdvice(
            pausable_hours=round(pausable, 2),
            longest_idle_min=round(longest, 1),
            monthly_cost_usd=None,
            saving_usd_per_month=None,
            resumes=0,
            reason=one_off,
        )
    # The timetable's lowest running floor: the cluster's minimum, or 0.5 ACU when that is 0.
    lowest = max(cluster.limits.min_acu, MIN_RUNNING_ACU)
    floors = np.where(planned <= lowest, 0.0, planned)
    paused = sim(floors)
    cost = round(paused.cost_usd * month, 2)
    ends_idle = bool(scored.size) and bool(np.isfinite(scored[-1])) and scored[-1] <= 0.0
    resumes = len(stretches) - int(ends_idle and runs[-1][1] > need)  # the last never resumed
    wake = (
        f"{'each of the' if resumes > 1 else 'the'} {plural(resumes, 'resume')} leaves the first requests "
        "waiting about 15 s"
        if resumes
        else "it never resumes in the window"
    )
    return AutoPauseAdvice(
        pausable_hours=round(pausable, 2),
        longest_idle_min=round(longest, 1),
        monthly_cost_usd=cost,
        saving_usd_per_month=round(recommended.monthly_cost_usd - cost, 2),
        resumes=resumes,
        reason=f"{pausable:.1f} h of the window are idle stretches longer than "
        f"{current.seconds_until_auto_pause} s; {wake} ({paused.unserved_min:.1f} min unserved in all). "
        "A Database Savings Plan commitment is charged while paused",
    )


def pause_beats_commitments(pause: AutoPauseAdvice, options: tuple[PurchaseOption, ...]) -> list[str]:
    """The advice's reasons about auto-pause: why it is not offered, or that it beats buying capacity.

    Where the window has idle time long enough to pause but no price (it did not recur,
    :func:`_one_off`), its sentence is the reason, so the advice says why pausing is not offered.
    Otherwise, a reason when auto-pause on demand costs less than the cheapest way to buy the
    capacity: Savings Plans are charged whether used or not (sources: aws-savings-plans) and
    Reserved Instances are provisioned instances billed every hour (sources: aurora-pricing), so
    an idle cluster that pauses should buy no commitment.
    """
    if pause.monthly_cost_usd is None and pause.pausable_hours > 0:
        return [pause.reason]
    cheapest = options[0]
    if pause.monthly_cost_usd is None or pause.monthly_cost_usd >= cheapest.monthly_cost_usd:
        return []
    return [
        f"auto-pause (MinCapacity 0) runs this cluster for ${pause.monthly_cost_usd:,.2f}/month on demand, "
        f"less than the cheapest commitment ({cheapest.name}, ${cheapest.monthly_cost_usd:,.2f}/month): "
        "Savings Plans and Reserved Instances are paid every hour, paused or not, so pause and buy none"
    ]
