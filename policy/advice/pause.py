"""Auto-pause (MinCapacity 0) offered apart: what it would cost and save, and against commitments.

Pure: the replay is the caller's (a callable from floors to a :class:`SimResult`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from policy.advice.purchase import PurchaseOption
from policy.advice.types import AutoPauseAdvice, CurrentSettings, Outcome
from policy.scaler import MIN_RUNNING_ACU
from policy.trace_replay.simulator import SimResult
from policy.types import ClusterSpec

FloatArray = npt.NDArray[np.float64]


def _idle_runs(demand: FloatArray, step_s: int) -> list[int]:
    """Lengths (steps) of the runs of zero demand (missing steps break a run)."""
    runs, n = [], 0
    for x in demand:
        if np.isfinite(x) and x <= 0.0:
            n += 1
        else:
            if n:
                runs.append(n)
            n = 0
    if n:
        runs.append(n)
    return runs


def auto_pause_advice(
    scored: FloatArray,
    planned: FloatArray,
    current: CurrentSettings,
    cluster: ClusterSpec,
    sim: Callable[[FloatArray], SimResult],
    recommended: Outcome,
    month: float,
    step_s: int,
) -> AutoPauseAdvice:
    """What MinCapacity 0 (auto-pause) would do where the timetable sits at the minimum.

    Aurora pauses after ``SecondsUntilAutoPause`` without user connections (Aurora User
    Guide, "Scaling to Zero ACUs"): demand above zero stands for activity that resets
    the timer.
    """
    runs = _idle_runs(scored, step_s)
    need = math.ceil(current.seconds_until_auto_pause / step_s)
    pausable = sum(r for r in runs if r > need) * step_s / 3600.0
    longest = max(runs, default=0) * step_s / 60.0
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
    # The timetable's lowest running floor: the cluster's minimum, or 0.5 ACU when that is 0.
    lowest = max(cluster.limits.min_acu, MIN_RUNNING_ACU)
    floors = np.where(planned <= lowest, 0.0, planned)
    paused = sim(floors)
    cost = round(paused.cost_usd * month, 2)
    ends_idle = bool(scored.size) and bool(np.isfinite(scored[-1])) and scored[-1] <= 0.0
    resumes = sum(1 for r in runs if r > need) - int(ends_idle and runs[-1] > need)  # the last never resumed
    wake = (
        f"each of the {resumes} resume{'s' if resumes != 1 else ''} leaves the first requests waiting "
        "about 15 s"
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
    """A reason when auto-pause on demand costs less than the cheapest way to buy the capacity.

    Savings Plans are charged whether used or not (sources: aws-savings-plans) and Reserved
    Instances are provisioned instances billed every hour (sources: aurora-pricing), so an
    idle cluster that pauses should buy no commitment.
    """
    cheapest = options[0]
    if pause.monthly_cost_usd is None or pause.monthly_cost_usd >= cheapest.monthly_cost_usd:
        return []
    return [
        f"auto-pause (MinCapacity 0) runs this cluster for ${pause.monthly_cost_usd:,.2f}/month on demand, "
        f"less than the cheapest commitment ({cheapest.name}, ${cheapest.monthly_cost_usd:,.2f}/month): "
        "Savings Plans and Reserved Instances are paid every hour, paused or not, so pause and buy none"
    ]
