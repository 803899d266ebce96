"""Learn a cluster's risk quantile from its own history, for a caller that plans one step at a time.

Owns :func:`learn_risk_quantile`: it replays ``acuplan`` with its risk posture
(:mod:`policy.trace_replay.posture`) over a demand history and returns the choice the last
decision made, so :func:`policy.next_plan` (the scheduler entry point) and the HTTP
service's per-cluster recommendations plan at the quantile a replay of the same history
would have chosen. :func:`learn_recent` is the one rule both use (which part of the history,
how much is enough) and :func:`learning_key` names the settings a choice was learnt under.
One rule, one implementation: no caller keeps the posture's shadows, they re-learn from the
history they keep. Pure: no clock, no I/O.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from policy.config import PolicyConfig, PostureConfig, ReplayConfig
from policy.trace_replay.posture import AcuplanPolicy, PostureChoice
from policy.trace_replay.run import Progress, _run_policy, scored_window
from policy.types import ClusterSpec


def learn_risk_quantile(
    demand_acu: npt.ArrayLike,
    *,
    start: datetime,
    step_s: int,
    cluster: ClusterSpec,
    config: ReplayConfig,
    progress: Progress | None = None,
) -> PostureChoice:
    """Replay acuplan over ``demand_acu`` and return the risk quantile its last decision chose.

    The history is replayed as ``acuplan bench``/``advise`` replay it: a re-plan every
    ``config.replan_every_s`` after ``config.warmup_s``, the risk quantile learnt by
    ``config.posture``'s rule (the configured quantile scored against Aurora alone from the
    first decision, the other candidates once Aurora alone at the cluster's floor has had
    ``min_reactive_slo_min`` violation minutes in the window; the cheapest candidate
    within the budgets over at least ``min_window_s`` of their scores, else
    ``config.policy.risk_quantile``, or the cluster's floor held where Aurora alone
    dominated it). Cost: one replay of the history, i.e. one
    :func:`policy.recommend` per re-plan on a calm cluster, and one shared forecast plus one
    solve per candidate more once the shadows run.

    Args:
        demand_acu: demand per step ending now, shape (n_steps,), ACU; NaN marks a missing step.
        start: start of step 0, timezone-aware.
        step_s: step length, seconds.
        cluster: the cluster (its ``limits.min_acu`` is Aurora alone's floor).
        config: the replay configuration (``policy``, ``posture``, ``scaler``, warm-up and
            re-plan interval).
        progress: called ``(policy name, decisions done, decisions total)`` after each
            decision; it may raise to stop the replay.

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
    _run_policy(policy, demand, start=start, step_s=step_s, first=first, every=every, progress=progress)
    return policy.choices[-1]


def learnt_planning(
    policy: PolicyConfig, risk_quantile: float | None, floor_from_forecast: bool
) -> PolicyConfig:
    """The planning configuration under what was learnt (the one rule the scheduler and HTTP service apply).

    Args:
        policy: the configured planning configuration.
        risk_quantile: the learnt quantile, or None (nothing learnt: ``policy`` as it is).
        floor_from_forecast: the learnt :attr:`PostureChoice.floor_from_forecast`; False
            turns ``policy.floor_from_forecast`` off, True leaves it as configured (an operator
            who turned it off keeps it off).

    Returns:
        ``policy`` with the learnt quantile and floor rule.
    """
    if risk_quantile is None:
        return policy
    update: dict[str, object] = {"risk_quantile": risk_quantile}
    if not floor_from_forecast:
        update["floor_from_forecast"] = False
    return policy.model_copy(update=update)


def learning_key(policy: PolicyConfig, posture: PostureConfig) -> str:
    """The settings a risk quantile is learnt under, as canonical JSON.

    A choice learnt under one key does not apply under another: an operator who changes
    ``policy.risk_quantile`` or the posture gets what they set until the next learning.

    Args:
        policy: the planning configuration (its ``risk_quantile`` is the answer without evidence).
        posture: the learning rule.

    Returns:
        ``{"posture": ..., "risk_quantile": ...}`` with sorted keys.
    """
    return json.dumps(
        {"risk_quantile": policy.risk_quantile, "posture": posture.model_dump(mode="json")}, sort_keys=True
    )


def learn_recent(
    history_acu: npt.ArrayLike,
    *,
    now: datetime,
    step_s: int,
    cluster: ClusterSpec,
    policy: PolicyConfig,
    posture: PostureConfig,
    progress: Progress | None = None,
) -> PostureChoice | None:
    """Learn the risk quantile from the end of a history, or None when it is too short to say.

    The replay covers the default warm-up plus ``posture.window_s`` before ``now`` (older
    history cannot change the choice) and needs the warm-up, ``posture.min_window_s`` and one
    re-plan interval before a choice can differ from ``policy.risk_quantile``: a shorter
    history gives None (nothing learnt yet). The replay is :func:`learn_risk_quantile`'s,
    with the scaler ``policy.scaler`` plans for.

    Args:
        history_acu: demand per step ending at ``now``, shape (n_steps,), ACU; NaN marks a
            missing step.
        now: end of the last step, timezone-aware.
        step_s: step length, seconds.
        cluster: the cluster (its ``limits.min_acu`` is Aurora alone's floor).
        policy: the planning configuration.
        posture: the learning rule; no candidates (``risk_quantiles`` empty) learns nothing.
        progress: as :func:`learn_risk_quantile`'s.

    Returns:
        The choice, or None (history too short, or no candidate quantiles).

    Raises:
        InvalidRequestError: the errors of :func:`policy.recommend` on a decision (field named).
    """
    replay = ReplayConfig(policy=policy, posture=posture, scaler=policy.scaler)
    history = np.asarray(history_acu, dtype=np.float64)
    if not posture.risk_quantiles or not enough_to_learn(len(history), step_s, posture):
        return None
    history = history[-math.ceil(learning_span_s(posture) / step_s) :]
    start = now - timedelta(seconds=len(history) * step_s)
    return learn_risk_quantile(
        history, start=start, step_s=step_s, cluster=cluster, config=replay, progress=progress
    )


def enough_to_learn(n_steps: int, step_s: int, posture: PostureConfig) -> bool:
    """Whether ``n_steps`` of history can say more than ``policy.risk_quantile`` (:func:`learn_recent`).

    The default warm-up, ``posture.min_window_s`` of scored shadows and one re-plan interval.
    """
    replay = ReplayConfig()
    return n_steps * step_s >= replay.warmup_s + posture.min_window_s + replay.replan_every_s


def learning_span_s(posture: PostureConfig) -> int:
    """Seconds of history :func:`learn_recent` replays: the default warm-up plus ``posture.window_s``.

    Older history cannot change the choice, so a caller may keep only this much.
    """
    return ReplayConfig().warmup_s + posture.window_s
