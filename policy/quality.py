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
autoscale). Aurora's own scaler still moves capacity above the held floor. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from policy.types import DataQuality, Gap

MAX_GAPS_LISTED = 10
"""Gaps named in a report; the rest are counted."""


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
    return DataQuality(
        coverage_24h=round(coverage_24h, 4),
        coverage=round(float(observed.mean()) if n else 0.0, 4),
        staleness_s=staleness,
        gaps=tuple(gaps[-MAX_GAPS_LISTED:]),
        n_gaps=len(gaps),
        flags=tuple(flags),
    )
