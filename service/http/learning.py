"""The risk quantile learnt per registered cluster: learning jobs, and the quantile a recommendation plans at.

Owns :class:`LearningInputs`, :func:`run_learning` (what the job runner,
:class:`service.http.jobs.ReplayRunner`, calls for jobs of kind ``learning``),
:func:`planning_quantile` and :func:`learning_due`. The rule is the library's
(:func:`policy.trace_replay.learn.learn_recent`, the one :func:`policy.next_plan` uses): a
replay of acuplan over the last 9 days of the cluster's stored demand (2-day warm-up + the
posture's 7-day window) with its candidate quantiles in the shadow, the cheapest within
the SLO and cost budgets. The replay takes seconds to a minute, longer than a request may
take, so a per-cluster recommendation plans at the quantile the cluster's newest succeeded
learning job chose (when it was learnt under the same ``risk_quantile``, posture and
registration, on data up to the plan's ``now``) and queues the next learning job once
``Settings.learn_every_s`` of data time has passed since the last one (not for a history
too short to learn from; 0 turns learning off). Deleting a cluster deletes its learning
jobs. The choice is stored with the recommendation (its inputs' ``config`` and the
explanation's ``risk_quantile``), so a stored recommendation stays reproducible.
Learning jobs run on the replay pool beside users' replays and advice (a fleet of N clusters
adds N replays a day there); a cluster has at most one learning job queued or running (the
store's unique index: two recommendations for one cluster at the same moment queue one).
Imports ``policy`` public names and ``service`` modules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import numpy as np
from pydantic import AwareDatetime, BaseModel, ConfigDict

from policy import ClusterSpec, PolicyConfig
from policy.config import PostureConfig
from policy.trace_replay.learn import learn_recent, learning_key
from service.store import LEARNING_JOB_KIND, JobRecord

LEARNING_KIND = LEARNING_JOB_KIND
"""The job kind of a learning job in the store's job table (deleted with its cluster)."""

STALE_JOB_S = 3 * 3600
"""A learning job queued or running this long (wall clock) no longer blocks the next one: queuing
the next marks it failed (``stale``; :meth:`service.http.jobs.ReplayRunner.submit`).
ASSUMPTION: a learning replay of 9 days takes seconds to minutes (75 s measured on 5-minute
data on a loaded 2-core machine); one left queued by a stopped process or a hung worker
must not stop the cluster learning for good."""

OVERLOADED_RETRY_S = 900
"""A learning job refused because the job pool was full is tried again after this long."""

POSTURE = PostureConfig()
"""The learning rule the service learns with: the library's default posture (as ``acuplan bench``,
``advise`` and :class:`policy.SchedulerConfig`)."""


class LearningInputs(BaseModel):
    """Everything a learning job needs, fixed at submission.

    Attributes:
        demand_acu: the cluster's demand per step ending at ``now``, ACU; None marks a
            missing step.
        now: end of the last step (UTC).
        step_s: step, seconds.
        cluster: the registered cluster.
        config: the cluster's policy configuration (its ``risk_quantile`` is the answer
            without evidence).
        posture: the learning rule (the library default).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    demand_acu: list[float | None]
    now: AwareDatetime
    step_s: int
    cluster: ClusterSpec
    config: PolicyConfig
    posture: PostureConfig = PostureConfig()


class RiskQuantileChoice(BaseModel):
    """The risk quantile a recommendation planned at, and where it came from.

    Attributes:
        risk_quantile: the quantile, in (0.5, 1).
        source: ``learnt`` (the cluster's newest learning job), ``configured`` (the service's
            or the cluster's ``risk_quantile``: nothing learnt yet, or learnt under other
            settings) or ``request`` (the request's ``config.risk_quantile``).
        reason: one sentence with the numbers behind it.
        floor_from_forecast: False when the learning found Aurora alone as good for less: the
            plan holds MinCapacity at the cluster's floor (``PolicyConfig.floor_from_forecast``).
        learnt_at: the data time (``now``) the learning replayed up to, or None.
        learning_job_id: the learning job, or None.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    risk_quantile: float
    source: Literal["learnt", "configured", "request"]
    reason: str
    floor_from_forecast: bool = True
    learnt_at: AwareDatetime | None = None
    learning_job_id: str | None = None


def run_learning(inputs: LearningInputs, report: Callable[[str, int, int], None]) -> dict[str, Any]:
    """Learn the cluster's risk quantile from the job's history.

    Args:
        inputs: the job's inputs.
        report: progress callback ``(stage, done, total)``; it raises to stop the job.

    Returns:
        ``{"risk_quantile": float | None, "reason": str, "floor_from_forecast": bool,
        "learnt_with": str, "now": ISO time}``; ``risk_quantile`` is None when the history is
        too short to say (fewer than the warm-up, ``posture.min_window_s`` and one re-plan).
        A result stored before ``floor_from_forecast`` existed reads as True.

    Raises:
        policy.InvalidRequestError: a decision of the replay rejects the history (the job
            fails with its code).
    """
    demand = np.array([np.nan if v is None else v for v in inputs.demand_acu], dtype=np.float64)
    choice = learn_recent(
        demand,
        now=inputs.now,
        step_s=inputs.step_s,
        cluster=inputs.cluster,
        policy=inputs.config,
        posture=inputs.posture,
        progress=report,
    )
    days = len(demand) * inputs.step_s / 86_400
    return {
        "risk_quantile": None if choice is None else choice.risk_quantile,
        "reason": (f"{days:.1f} days of history: too few to learn from" if choice is None else choice.reason),
        "floor_from_forecast": True if choice is None else choice.floor_from_forecast,
        "learnt_with": learning_key(inputs.config, inputs.posture),
        "now": inputs.now.isoformat(),
    }


def planning_quantile(
    config: PolicyConfig,
    *,
    requested: float | None,
    learnt: JobRecord | None,
    posture: PostureConfig,
    now: datetime,
    every_s: int,
    cluster: ClusterSpec,
    step_s: int,
) -> RiskQuantileChoice:
    """The risk quantile a per-cluster recommendation plans at.

    Args:
        config: the cluster's policy configuration (service defaults and its overrides).
        requested: the request's own ``config.risk_quantile`` (then planned at), or None.
        learnt: the cluster's newest succeeded learning job, or None.
        posture: the learning rule the service learns with.
        now: the recommendation's data time: a learning made on data after it (a backfill)
            does not apply.
        every_s: ``Settings.learn_every_s``; 0 (learning off) plans at the configured one.
        cluster: the registered cluster now: a learning made under another registration
            (limits, topology, time zone, price) does not apply.
        step_s: its metrics step, seconds (likewise).

    Returns:
        The learnt quantile when ``learnt`` chose one under this configuration's
        ``risk_quantile`` and ``posture``; else the configured one, with why.
    """
    q = config.risk_quantile
    if requested is not None:
        reason = "the request's config.risk_quantile"
        return RiskQuantileChoice(risk_quantile=requested, source="request", reason=reason)
    if not every_s:
        reason = "learning is off (ACUPLAN_LEARN_EVERY_S=0)"
        return RiskQuantileChoice(risk_quantile=q, source="configured", reason=reason)
    result = learnt.result if learnt is not None else None
    if learnt is None or result is None:
        reason = "nothing learnt for this cluster yet"
        return RiskQuantileChoice(risk_quantile=q, source="configured", reason=reason)
    if result.get("learnt_with") != learning_key(config, posture) or not _same_registration(
        LearningInputs.model_validate(learnt.request), cluster, step_s
    ):
        return RiskQuantileChoice(
            risk_quantile=q,
            source="configured",
            reason="the last learning was under another risk_quantile, posture or registration; it is "
            "learnt again",
        )
    at = datetime.fromisoformat(str(result["now"]))
    if at > now:
        reason = f"the last learning used data up to {at.isoformat()}, after this plan's now"
        return RiskQuantileChoice(risk_quantile=q, source="configured", reason=reason)
    if result.get("risk_quantile") is None:
        reason = str(result["reason"])
        return RiskQuantileChoice(
            risk_quantile=q, source="configured", reason=reason, learnt_at=at, learning_job_id=learnt.id
        )
    return RiskQuantileChoice(
        risk_quantile=float(result["risk_quantile"]),
        source="learnt",
        reason=str(result["reason"]),
        floor_from_forecast=bool(result.get("floor_from_forecast", True)),
        learnt_at=at,
        learning_job_id=learnt.id,
    )


def learning_due(
    latest: JobRecord | None,
    *,
    now: datetime,
    every_s: int,
    config: PolicyConfig,
    posture: PostureConfig,
    clock_ms: int,
    cluster: ClusterSpec,
    step_s: int,
) -> bool:
    """Whether a recommendation at ``now`` should queue a learning job for its cluster.

    Args:
        latest: the cluster's newest learning job in any state, or None.
        now: the recommendation's data time.
        every_s: ``Settings.learn_every_s`` (0: never).
        config: the merged policy configuration.
        posture: the learning rule.
        clock_ms: the store's clock (``Store.now_ms``), to age a pending job.
        cluster: the registered cluster now (another registration re-learns).
        step_s: its metrics step, seconds (likewise).

    Returns:
        False when learning is off or a job is queued or running (for less than
        :data:`STALE_JOB_S`); else True when there is none, it never ran because the pool
        was full (after :data:`OVERLOADED_RETRY_S`), it was learnt under other settings, or
        ``every_s`` of data time has passed since its ``now`` (a failed job waits as long,
        so a history that fails is not replayed on every call).
    """
    if not every_s or not posture.risk_quantiles:
        return False
    if latest is None:
        return True
    age_s = (clock_ms - latest.created_ms) / 1000
    if latest.status in ("queued", "running"):
        return age_s >= STALE_JOB_S
    if latest.status == "failed" and (latest.error or {}).get("error") == "overloaded":
        return age_s >= OVERLOADED_RETRY_S  # it never ran: the job pool was full
    asked = LearningInputs.model_validate(latest.request)
    if learning_key(asked.config, asked.posture) != learning_key(config, posture):
        return True
    if not _same_registration(asked, cluster, step_s):
        return True
    return now - asked.now >= timedelta(seconds=every_s)


def _same_registration(asked: LearningInputs, cluster: ClusterSpec, step_s: int) -> bool:
    """The job learnt on this cluster spec and metrics step (a changed registration re-learns)."""
    return asked.step_s == step_s and asked.cluster == cluster


class LearningStatus(BaseModel):
    """A registered cluster's newest risk-quantile learning job (``GET /v1/clusters/{id}/learning``).

    Attributes:
        job_id: the job (a recommendation's explanation names it), or None before the first.
        status: ``none`` (no job yet), ``queued``, ``running``, ``succeeded``, ``failed``.
        data_until: the end of the history it learns from (the recommendation's ``now``).
        risk_quantile: the quantile it chose; None until it succeeds, or when the history was
            too short to say.
        reason: why, one sentence (or what failed).
        floor_from_forecast: False when it found Aurora alone as good for less (plans hold
            MinCapacity at the cluster's floor); True otherwise, and before it succeeds.
        created_at: when it was queued.
        finished_at: when it ended, or None.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    job_id: str | None
    status: Literal["none", "queued", "running", "succeeded", "failed", "cancelled"]
    data_until: AwareDatetime | None = None
    risk_quantile: float | None = None
    reason: str
    floor_from_forecast: bool = True
    created_at: AwareDatetime | None = None
    finished_at: AwareDatetime | None = None

    @classmethod
    def of(cls, job: JobRecord | None) -> LearningStatus:
        """Describe ``job`` (None: nothing learnt yet)."""
        if job is None:
            return cls(job_id=None, status="none", reason="no learning job yet: a recommendation queues one")
        result, error = job.result or {}, job.error or {}
        detail = "; ".join(str(d.get("message", "")) for d in error.get("detail", []))
        reason = (
            str(result.get("reason", ""))
            if job.status == "succeeded"
            else f"{error.get('error', 'failed')}: {detail}".rstrip(": ")
            if job.status == "failed"
            else f"the job is {job.status}"
        )
        return cls(
            job_id=job.id,
            status=job.status,  # type: ignore[arg-type]
            data_until=LearningInputs.model_validate(job.request).now,
            risk_quantile=result.get("risk_quantile"),
            reason=reason,
            floor_from_forecast=bool(result.get("floor_from_forecast", True)),
            created_at=datetime.fromtimestamp(job.created_ms / 1000, tz=UTC),
            finished_at=None
            if job.finished_ms is None
            else datetime.fromtimestamp(job.finished_ms / 1000, tz=UTC),
        )
