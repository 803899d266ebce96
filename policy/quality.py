"""How far a demand history can be trusted, and the rule that follows: hold, never guess.

Owns :func:`assess_history` (the :class:`~policy.types.DataQuality` it returns is part of
a Recommendation, so it lives in :mod:`policy.types`). A plan is only as good as its
history: when the last sample is old (**stale**), when too few of the last day's steps
were observed (**thin**), or when the source said its answer was incomplete (**partial**:
a CloudWatch ``PartialData`` or ``InternalError`` status, a ``NextToken`` left unread,
passed in by the caller per query Id), the plan must not move capacity on a guess:
:func:`policy.recommend` then holds the deployed floor exactly (neither lower nor higher),
keeps the deployed readers, and says why in ``Recommendation.data_quality``. The
forecaster fills gaps from a day earlier; this keeps a plan from scaling down on a fill,
and from ratcheting up on one (a raise made on untrusted data would be the floor the next
held plan must keep). It is what the Kubernetes HPA does without a metric: it skips
scaling ("Algorithm details", kubernetes.io/docs/tasks/run-application/horizontal-pod-
autoscale). Aurora's own scaler still moves capacity above the held floor.

Also owns the **ceiling** rule, :func:`pinned_at_ceiling`: a history whose demand sits at
MaxCapacity (CPU or ACU utilisation at 100 %, ``ServerlessDatabaseCapacity`` at
MaxCapacity) for a sustained stretch is *censored* there: the metrics cannot show demand
above the ceiling, so a replay over it understates the shortfall. Only a signal the ceiling
caps is censored: cluster demand in ACU (or from a rate) may pass MaxCapacity, which caps each
instance, and where it does the replay counts the shortfall per instance. That is no reason to hold
the plan (the data is complete; it is the cluster that was too small), so it is a note
(:attr:`DataQuality.notes`, the advice's reasons and a ``max_capacity`` alert), never a flag.
Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from placement import MAX_ACU_LIMIT
from policy.types import DataQuality, Gap, Pinned

MAX_GAPS_LISTED = 10
"""Gaps named in a report; the rest are counted."""

PINNED_TOLERANCE = 0.01
"""A step is *at the ceiling* when its demand is within this share of it (either side).

AWS measures ``CPUUtilization`` and ``ACUUtilization`` of Aurora Serverless v2 against
MaxCapacity, and reads a value approaching 100 % as the instance having scaled up as high as
it can, MaxCapacity being the remedy (sources: aurora-metrics; that sentence is paraphrased
and UNVERIFIED against the live page here, a third-party summary of the page says the same:
dev.classmethod.jp, "monitor-amazon-aurora-serverless-v2-metrics"); so a percent at 100 %,
or ``ServerlessDatabaseCapacity`` at MaxCapacity, is demand censored at the ceiling. ASSUMPTION
1 %: a saturated instance reports 99.x % as often as 100 % (background work, averaging
inside the period); capacity moves in 0.5-ACU steps, so below 50 ACU only MaxCapacity
itself is within 1 % (15.5 of 16 ACU is not), and at 256 ACU 253.5 ACU and up are."""

PINNED_MIN_S = 900
"""A stretch at the ceiling counts when it lasts at least this long, seconds (and
:data:`PINNED_MIN_STEPS` steps). ASSUMPTION 15 min: three 5-minute CloudWatch periods, the
resolution most exports hold: one or two 5-minute ``Maximum`` samples at 100 % are a burst
the replay (which keeps each step's maximum) already counts as a shortfall, three in a row
the shortest stretch such an export tells from a burst; finer steps need as many seconds
(15 one-minute steps), so the rule does not get stricter or looser with the export's step."""

PINNED_MIN_STEPS = 3
"""Least consecutive steps at the ceiling for a stretch (with :data:`PINNED_MIN_S`): a
single sample, or two, at 100 % is never a sustained ceiling, at any step."""

PINNED_LISTED = 3
"""Stretches at the ceiling named in a sentence; the rest are counted."""


def _gaps(missing: npt.NDArray[np.bool_], first: datetime, step_s: int) -> list[Gap]:
    out, start = [], None
    for i, m in enumerate([*missing.tolist(), False]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            out.append(
                Gap(
                    start=first + timedelta(seconds=start * step_s),
                    end=first + timedelta(seconds=i * step_s),
                    steps=i - start,
                )
            )
            start = None
    return out


def assess_history(
    history_acu: npt.NDArray[np.float64],
    *,
    now: datetime,
    step_s: int,
    stale_after_s: int,
    min_coverage_24h: float,
    source_flags: Sequence[str] = (),
    max_capacity_acu: float | None = None,
) -> DataQuality:
    """Measure a history's coverage and staleness and flag what makes it untrustworthy.

    Args:
        history_acu: demand per step ending at ``now``, shape (n,), ACU; NaN = missing.
        now: end of the last step (UTC).
        step_s: step length, seconds.
        stale_after_s: the last observation may be at most this old.
        min_coverage_24h: the least share of the last day's steps that must be observed.
        source_flags: problems the source reported (partial or failed queries by Id),
            one sentence each; they flag the history as they are.
        max_capacity_acu: the cluster's MaxCapacity, ACU: where demand sat at it (or at
            the 256-ACU instance limit) long enough, ``pinned`` and ``notes`` say so
            (:func:`pinned_at_ceiling`); None: not checked.

    Returns:
        The :class:`DataQuality` (``held`` is set by the caller that acts on it).
    """
    n = len(history_acu)
    observed = np.isfinite(history_acu)
    day = max(86_400 // step_s, 1)
    # Over the whole day: steps before a history shorter than a day count as unobserved
    # (an hour of data is 4% of the day, not 100%).
    coverage_24h = float(observed[-day:].sum() / day)
    last = int(np.flatnonzero(observed)[-1]) if observed.any() else -1
    staleness = float((n - 1 - last) * step_s) if last >= 0 else float(n * step_s)
    first = now - timedelta(seconds=n * step_s)
    gaps = _gaps(~observed, first, step_s)
    flags = list(source_flags)
    if staleness > stale_after_s:
        flags.append(
            f"stale: the last sample ends {staleness / 60:.0f} min before now "
            f"(more than {stale_after_s / 60:.0f} min)"
        )
    if coverage_24h < min_coverage_24h:
        flags.append(
            f"thin: {coverage_24h:.0%} of the last day's steps were observed "
            f"(less than {min_coverage_24h:.0%})"
        )
    pinned = (
        ()
        if max_capacity_acu is None
        else pinned_at_ceiling(history_acu, start=first, step_s=step_s, max_capacity_acu=max_capacity_acu)
    )
    return DataQuality(
        coverage_24h=round(coverage_24h, 4),
        coverage=round(float(observed.mean()) if n else 0.0, 4),
        staleness_s=staleness,
        gaps=tuple(gaps[-MAX_GAPS_LISTED:]),
        n_gaps=len(gaps),
        flags=tuple(flags),
        pinned=pinned,
        notes=tuple(pinned_note(p) for p in pinned),
    )


def pinned_note(p: Pinned) -> str:
    """The data-quality sentence for a :class:`Pinned`: how long, when, what it means for the replay.

    Example: ``demand sat at MaxCapacity (16 ACU: CPU or ACU utilisation within 1% of 100 %,
    or capacity at the ceiling) for 16.0 h in 4 stretches of 15 min or more (2024-03-06
    10:00-14:00Z, ...): demand there is censored ...``.
    """
    listed = ", ".join(_interval(r) for r in p.runs[:PINNED_LISTED])
    more = len(p.runs) - PINNED_LISTED
    where = (
        f"MaxCapacity ({p.ceiling_acu:g} ACU"
        if p.ceiling_acu <= p.max_capacity_acu
        else f"Aurora's instance limit ({p.ceiling_acu:g} ACU, above MaxCapacity {p.max_capacity_acu:g}"
    )
    n = len(p.runs)
    return (
        f"demand sat at {where}: CPU or ACU utilisation at {100 * (1 - PINNED_TOLERANCE):g}-100 %, or "
        f"capacity at the ceiling) for {p.hours:.1f} h in {n} stretch{'es' if n != 1 else ''} of "
        f"{PINNED_MIN_S // 60} min or more ({listed}{f', and {more} more' if more > 0 else ''}): demand "
        "there is censored (the metrics cannot show what the cluster wanted above the ceiling), so the "
        "replayed SLO-violation minutes and the forecast peaks understate the real shortfall"
    )


def pinned_remedy(p: Pinned) -> str:
    """What to do about a ceiling: raise MaxCapacity (twice today's, at most 256 ACU), or offload at 256."""
    if p.ceiling_acu >= MAX_ACU_LIMIT:
        return (
            f"{MAX_ACU_LIMIT:g} ACU is Aurora Serverless v2's largest instance, so no higher MaxCapacity "
            "exists: move read traffic to readers (the reader endpoint) or split the workload"
        )
    target = min(2.0 * p.ceiling_acu, MAX_ACU_LIMIT)
    return (
        f"MaxCapacity {p.ceiling_acu:g} ACU was binding: raise it (e.g. to {target:g} ACU; how far demand "
        f"goes above {p.ceiling_acu:g} ACU is unknown) and read the metrics again (max_connections follows "
        "MaxCapacity and changes only after a reboot)"
    )


def _interval(run: Gap) -> str:
    """``2024-03-06 10:00-14:00Z``, or with both dates when the stretch crosses midnight."""
    same_day = (run.end - timedelta(seconds=1)).date() == run.start.date()
    end = f"{run.end:%H:%M}" if same_day else f"{run.end:%Y-%m-%d %H:%M}"
    return f"{run.start:%Y-%m-%d %H:%M}-{end}Z"


def pinned_at_ceiling(
    history_acu: npt.NDArray[np.float64],
    *,
    start: datetime,
    step_s: int,
    max_capacity_acu: float,
    capped: npt.ArrayLike | None = None,
) -> tuple[Pinned, ...]:
    """Find the sustained stretches where a capped signal sat at MaxCapacity or at the 256-ACU limit.

    The one rule for a censored history (the CLI, the HTTP API and the library all reach it
    through :func:`policy.recommend`'s data quality and :func:`policy.advise`): a step is
    at a ceiling when its demand is within :data:`PINNED_TOLERANCE` of it (CPU or ACU
    utilisation of 99-100 % maps to 99-100 % of MaxCapacity) and comes from a signal the
    ceiling caps; a stretch counts when it runs at least :data:`PINNED_MIN_STEPS`
    consecutive steps and :data:`PINNED_MIN_S` seconds. A missing step ends a stretch. The
    ceilings are MaxCapacity and, when it is lower, Aurora's instance limit of 256 ACU
    (``ServerlessDatabaseCapacity`` at 256 ACU is censored whatever MaxCapacity the caller
    assumed).

    Only a signal that cannot show more than the ceiling is censored there: an instance's
    capacity (``ServerlessDatabaseCapacity``, ``ACUUtilization``) or a percent read against
    MaxCapacity (``CPUUtilization``). Demand in ACU or from a rate is the cluster's load, not
    one instance's capacity: it may pass MaxCapacity (which caps each instance, not the
    cluster), so it is never censored by it, and whether MaxCapacity binds is the replay's
    question (:func:`policy.max_capacity.over_max_capacity`, per instance). ``capped`` says
    which steps come from a capped signal; without it a ceiling caps the history only when
    no step rises above it (beyond :data:`PINNED_TOLERANCE`): a series that goes above a
    ceiling was not capped by it.

    Args:
        history_acu: demand per step, shape (n,), ACU; NaN = missing.
        start: start of step 0 (UTC).
        step_s: step length, seconds, > 0.
        max_capacity_acu: the cluster's MaxCapacity, ACU.
        capped: per step, shape (n,), bool: True where the step's demand comes from a signal
            capped at MaxCapacity (the CLI's :func:`service.inputs.signals.capped_steps`);
            None: unknown (the rule above).

    Returns:
        One :class:`Pinned` per ceiling with at least one stretch (MaxCapacity first);
        empty when demand never sat at a ceiling that long.

    Raises:
        ValueError: ``capped`` not of ``history_acu``'s shape.

    Examples:
        >>> from datetime import UTC, datetime
        >>> h = np.array([4.0, 16.0, 4.0, 15.9, 16.0, 16.0, 4.0])
        >>> at = datetime(2024, 3, 4, tzinfo=UTC)
        >>> [p.runs[0].steps for p in pinned_at_ceiling(h, start=at, step_s=300, max_capacity_acu=16)]
        [3]
        >>> pinned_at_ceiling(np.append(h, 20.0), start=at, step_s=300, max_capacity_acu=16)
        ()
        >>> pinned_at_ceiling(h, start=at, step_s=300, max_capacity_acu=16, capped=np.zeros(7, bool))
        ()
    """
    h = np.asarray(history_acu, dtype=np.float64)
    mask = None if capped is None else np.asarray(capped, dtype=bool)
    if mask is not None and mask.shape != h.shape:
        raise ValueError(f"capped has shape {mask.shape}, the history {h.shape}")
    top = float(np.max(h, initial=-np.inf, where=np.isfinite(h)))
    least = max(PINNED_MIN_STEPS, -(-PINNED_MIN_S // step_s))
    out = []
    for ceiling in dict.fromkeys((float(max_capacity_acu), float(MAX_ACU_LIMIT))):
        if ceiling < max_capacity_acu:
            continue
        if mask is None and top > (1.0 + PINNED_TOLERANCE) * ceiling:
            continue  # the history goes above this ceiling: not a signal it caps
        at = np.abs(h - ceiling) <= PINNED_TOLERANCE * ceiling  # NaN: False
        if mask is not None:
            at &= mask
        # vectorised (recommend runs this at every replayed decision): +1 where a run starts, -1 after it
        edges = np.diff(np.concatenate(([0], at.astype(np.int8), [0])))
        first, after = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        long = after - first >= least
        runs = [
            Gap(
                start=start + timedelta(seconds=int(a) * step_s),
                end=start + timedelta(seconds=int(b) * step_s),
                steps=int(b - a),
            )
            for a, b in zip(first[long], after[long], strict=True)
        ]
        if runs:
            out.append(
                Pinned(
                    ceiling_acu=ceiling, max_capacity_acu=max_capacity_acu, step_s=step_s, runs=tuple(runs)
                )
            )
    return tuple(out)
