"""Today's bill from the observed capacity, beside the simulated one, and the caveats it raises.

Owns :func:`observed_today` (the comparison, :class:`~policy.advice.types.ObservedToday`),
:func:`observed_reasons` (its sentence and caveat) and :func:`below_floor_reasons` (observed capacity
below today's MinCapacity). Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from policy.advice.checks import CAPACITY_TOLERANCE
from policy.advice.prices import HOURS_PER_MONTH
from policy.advice.types import ObservedToday
from policy.trace_replay.simulator import SimResult

FloatArray = npt.NDArray[np.float64]

OBSERVED_TOLERANCE = 0.10
"""The largest relative gap between today's bill from the observed capacity and from the
simulation of today's settings at which the simulation is trusted as today's
(:func:`observed_reasons`). ASSUMPTION: a tenth of the bill, not fitted to any cluster;
beyond it the simulated "today", and every saving measured against it, misstate
the cluster's bill by more than the typical saving of a timetable over a fixed floor."""


OBSERVED_TOLERANCE_USD_PER_MONTH = 1.0
"""A gap under this many USD a month is no caveat, whatever its share (an idle cluster's $0.00
observed against $0.15 simulated is -100 % of nothing). ASSUMPTION: a dollar a month is below
any setting a user would change for it."""


def observed_today(
    capacity_acu: FloatArray, today: SimResult, instances: int, step_s: int, usd_per_acu_hour: float
) -> ObservedToday | None:
    """Today's bill from the observed capacity over the replayed window, beside the simulated one.

    The observed capacity is taken per instance: CloudWatch's cluster-level
    ``ServerlessDatabaseCapacity`` is the mean over the cluster's instances, and an
    instance's own series is that instance's (Aurora User Guide, "Important Amazon
    CloudWatch metrics for Aurora Serverless v2",
    https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html;
    sources: aurora-metrics; the cluster-level mean is paraphrased, UNVERIFIED against the
    live page), so the cluster's ACU-hours are the mean x ``instances`` x hours. Both sides
    are summed over the steps with an observed sample only; Aurora bills ACU-hours at the
    ACU-hour rate (sources: aurora-pricing), 730 hours a month.

    Args:
        capacity_acu: observed capacity over the replayed window, shape (n,), ACU, NaN
            where missing.
        today: the replay of today's settings over the same window (its
            ``cost_usd_by_step``, shape (n,)).
        instances: today's instances, the writer and its readers (>= 1).
        step_s: step length, seconds.
        usd_per_acu_hour: the ACU-hour rate the replay billed at, USD.

    Returns:
        The comparison, or None when no step of the window has an observed sample.
    """
    seen = np.isfinite(capacity_acu)
    if not seen.any():
        return None
    hours = float(seen.sum()) * step_s / 3600.0
    mean = float(np.mean(capacity_acu[seen]))
    acu_h = mean * instances * hours
    sim_acu_h = float(np.sum(today.cost_usd_by_step[seen])) / usd_per_acu_hour
    month = HOURS_PER_MONTH / hours
    return ObservedToday(
        hours=round(hours, 2),
        instances=instances,
        mean_capacity_acu=round(mean, 3),
        acu_hours=round(acu_h, 2),
        monthly_cost_usd=round(acu_h * usd_per_acu_hour * month, 2),
        simulated_acu_hours=round(sim_acu_h, 2),
        simulated_monthly_cost_usd=round(sim_acu_h * usd_per_acu_hour * month, 2),
        difference_pct=None if sim_acu_h <= 0 else round((acu_h - sim_acu_h) / sim_acu_h * 100.0, 1),
    )


def observed_reasons(observed: ObservedToday | None, usd_per_acu_hour: float) -> list[str]:
    """The observed bill of today in a sentence, and a caveat when it is not the simulated one.

    Args:
        observed: :func:`observed_today`, or None (nothing is said).
        usd_per_acu_hour: the ACU-hour rate, USD.

    Returns:
        One sentence, and a second one (``caveat: ...``) when the two differ by more than
        :data:`OBSERVED_TOLERANCE` (or the simulation bills nothing where capacity was seen)
        and by at least :data:`OBSERVED_TOLERANCE_USD_PER_MONTH`.
    """
    if observed is None:
        return []
    o = observed
    pct = o.difference_pct
    gap = (
        "the simulation bills nothing there"
        if pct is None
        else f"{abs(pct):.1f}% {'above' if pct >= 0 else 'below'} the simulation"
    )
    out = [
        f"observed today: the capacity metric averaged {o.mean_capacity_acu:g} ACU per instance over the "
        f"{o.hours:g} observed hours of the replayed window, {o.acu_hours:,.1f} ACU-hours for today's "
        f"{o.instances} instance{'s' if o.instances != 1 else ''} (${o.monthly_cost_usd:,.2f}/month at "
        f"${usd_per_acu_hour:g} per ACU-hour), against {o.simulated_acu_hours:,.1f} ACU-hours "
        f"(${o.simulated_monthly_cost_usd:,.2f}/month) for today's settings replayed over the same steps: "
        f"{gap}"
    ]
    if pct is None and o.acu_hours <= 0:
        return out
    if abs(o.monthly_cost_usd - o.simulated_monthly_cost_usd) < OBSERVED_TOLERANCE_USD_PER_MONTH:
        return out
    if pct is None or abs(pct) > OBSERVED_TOLERANCE * 100:
        out.append(
            f"caveat: the observed capacity and the simulation of today's settings differ by more than "
            f"{OBSERVED_TOLERANCE:.0%}, so the simulator's view of today, and the saving measured against "
            "it, is not trustworthy for this cluster: check that today's MinCapacity, MaxCapacity and "
            "readers are the ones given, and whether demand was estimated from capacity (a capacity "
            "series read as demand already holds today's floor and Aurora's headroom)"
        )
    return out


def below_floor_reasons(
    capacity_acu: FloatArray | None, *, start: datetime, step_s: int, min_capacity_acu: float
) -> list[str]:
    """A caveat when the observed capacity went below today's MinCapacity.

    The mirror of :func:`policy.advice.checks.check_capacity_within_max`, a caveat rather than an
    error. Aurora never runs an instance below its MinCapacity and pauses (capacity 0) only with
    MinCapacity 0 (sources: aurora-capacity, aurora-pause in ``docs/sources.md``). Capacity
    below it means today's MinCapacity was lower when those samples were taken, or they are
    missing values an export wrote as 0; either way the comparison with today's settings is
    off there.

    Args:
        capacity_acu: the observed capacity per step, shape (n,), ACU, NaN where missing;
            None: nothing to check.
        start: start of step 0 (UTC).
        step_s: step length, seconds.
        min_capacity_acu: today's MinCapacity, ACU.

    Returns:
        One ``caveat: ...`` sentence naming the lowest observed capacity, its first step's
        time and the steps below, or nothing.
    """
    if capacity_acu is None:
        return []
    cap = np.asarray(capacity_acu, dtype=np.float64)
    below = np.flatnonzero(cap < min_capacity_acu * (1.0 - CAPACITY_TOLERANCE))  # NaN: False
    if not below.size:
        return []
    low = float(np.nanmin(cap))
    at = start + timedelta(seconds=int(np.flatnonzero(cap == low)[0]) * step_s)
    return [
        f"caveat: the observed capacity fell to {low:g} ACU at {at:%Y-%m-%d %H:%M}Z ({below.size} of "
        f"{cap.size} steps below today's MinCapacity of {min_capacity_acu:g} ACU): Aurora never runs an "
        "instance below its MinCapacity (and pauses only with MinCapacity 0), so MinCapacity was lower "
        "then (advise on the history since it changed) or those samples are missing values exported as 0; "
        "check current.min_capacity_acu (--min-acu)"
    ]
