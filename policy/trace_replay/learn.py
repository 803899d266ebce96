"""Learn a cluster's risk quantile from its own history, for a caller that plans one step at a time.

Owns :func:`learn_risk_quantile`: it replays ``acuplan`` with its risk posture
(:mod:`policy.trace_replay.posture`) over a demand history and returns the choice the last
decision made, so :func:`policy.next_plan` (the scheduler entry point) plans at the quantile
a replay of the same history would have chosen. One rule, one implementation: the
scheduler does not keep the posture's shadows in its state, it re-learns from the history
it keeps. Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import numpy.typing as npt

from policy.config import ReplayConfig
from policy.trace_replay.posture import AcuplanPolicy, PostureChoice
from policy.trace_replay.run import _run_policy, scored_window
from policy.types import ClusterSpec


def learn_risk_quantile(
    demand_acu: npt.ArrayLike,
    *,
    start: datetime,
    step_s: int,
    cluster: ClusterSpec,
    config: ReplayConfig,
) -> PostureChoice:
    """Replay acuplan over ``demand_acu`` and return the risk quantile its last decision chose.

    The history is replayed as ``acuplan bench``/``advise`` replay it: a re-plan every
    ``config.replan_every_s`` after ``config.warmup_s``, the risk quantile learnt by
    ``config.posture``'s rule (shadows once Aurora alone at the cluster's floor has had
    ``min_reactive_slo_min`` violation minutes in the window; the cheapest candidate
    within the budgets over at least ``min_window_s`` of their scores, else
    ``config.policy.risk_quantile``). Cost: one replay of the history, i.e. one
    :func:`policy.recommend` per re-plan on a calm cluster, and one shared forecast plus one
    solve per candidate more once the shadows run.

    Args:
        demand_acu: demand per step ending now, shape (n_steps,), ACU; NaN marks a missing step.
        start: start of step 0, timezone-aware.
        step_s: step length, seconds.
        cluster: the cluster (its ``limits.min_acu`` is Aurora alone's floor).
        config: the replay configuration (``policy``, ``posture``, ``scaler``, warm-up and
            re-plan interval).

    Returns:
        The last decision's :class:`PostureChoice` (``config.policy.risk_quantile`` with
        the reason "the configured risk quantile" until the rule has evidence and scores).

    Raises:
        InvalidRequestError: the history leaves nothing to score after the warm-up, or the
            errors of :func:`policy.recommend` on a decision (field named).
    """
    demand = np.asarray(demand_acu, dtype=np.float64)
    first, every = scored_window(demand, step_s=step_s, config=config, policies=("acuplan",))
    policy = AcuplanPolicy(cluster=cluster, config=config, step_s=step_s)
    _run_policy(policy, demand, start=start, step_s=step_s, first=first, every=every, progress=None)
    return policy.choices[-1]
