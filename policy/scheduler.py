"""A stable entry point for schedulers: new observations in, the next plan out, state explicit.

Owns :class:`Observation`, :class:`SchedulerConfig`, :class:`SchedulerState`,
:class:`SchedulerResult`, :func:`new_state` and :func:`next_plan`. A scheduler (cron, a
Kubernetes CronJob, an Airflow task) calls :func:`next_plan` every few minutes with the
samples it saw since the last call and keeps the returned state for the next call. The
state is a frozen pydantic model: ``state.model_dump_json()`` and
``SchedulerState.model_validate_json(text)`` round-trip it exactly, so it can live in a
file, a database row or a workflow variable. Nothing here reads a clock, a file or the
environment (``now`` is an argument), and the same inputs give the same plan.

What the state carries:

* the demand history on the step grid (``history_acu``, ``None`` for a missing step),
  trimmed to ``max_history_steps``; a step takes the max of its samples, and a sample
  repeated in a later call raises that max only (the same rule as ``traces.demand_series``);
* the last plan, for the **warm start** (the layout it prescribes at ``now`` becomes
  ``previous`` for :func:`policy.recommend`, which hints the solver and charges churn
  penalties for moving away from it) and for **hysteresis**: a plan is reused, not
  re-solved, until ``replan_every_s`` has passed, it no longer covers the next step, or
  observed demand went above what it covered (its risk-quantile demand and its usable
  capacity, capacity x target utilisation).

* the **risk quantile learnt** for this cluster: every ``learn_every_s`` (a day), at a
  re-plan, :func:`policy.trace_replay.learn.learn_risk_quantile` replays acuplan over the
  history the state keeps with the posture rule that ``advise`` and ``acuplan bench`` use
  (:mod:`policy.trace_replay.posture`), and the plans until the next learning are made at
  the quantile it chose. That call takes one replay of the history (seconds on a calm
  cluster, about a minute once the candidates' shadows run); ``learn_every_s=0`` plans at
  ``policy.risk_quantile`` always.

A caller that knows what is actually deployed passes it as ``deployed``; it then replaces
the layout derived from the last plan. Imports ``placement`` public names and ``policy``
modules; never ``service`` or ``traces``.

Examples:
    >>> from datetime import UTC, datetime, timedelta
    >>> state = new_state(ClusterSpec(cluster_id="orders"), step_s=300)
    >>> t0 = datetime(2024, 5, 6, tzinfo=UTC)
    >>> obs = [Observation(ts=t0 + timedelta(minutes=5 * i), demand_acu=4.0) for i in range(12)]
    >>> result = next_plan(state, obs, now=t0 + timedelta(hours=1))
    >>> result.replanned, result.plan.generated_at == t0 + timedelta(hours=1)
    (True, True)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from placement import PreviousLayout
from policy.config import PolicyConfig, PostureConfig
from policy.engine import recommend
from policy.errors import InsufficientHistoryError, InvalidRequestError, PolicyError
from policy.steps import check_step_s
from policy.trace_replay.learn import learn_recent, learning_key, learnt_planning
from policy.types import ClusterSpec, Recommendation

STATE_VERSION: Literal[1] = 1
"""Version of :class:`SchedulerState`'s JSON; a breaking change bumps it (VPA checkpoints)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Observation(_Frozen):
    """One demand sample.

    Attributes:
        ts: sample time, timezone-aware.
        demand_acu: demand at ``ts``, ACU, finite and >= 0.
    """

    ts: AwareDatetime
    demand_acu: float = Field(ge=0.0, le=1e6)


class SchedulerConfig(_Frozen):
    """How :func:`next_plan` plans and when it re-plans.

    Attributes:
        policy: the policy configuration passed to :func:`policy.recommend`.
        replan_every_s: reuse a plan at most this long (900 s = the default plan step:
            a new plan each time the floor may change).
        max_history_steps: history kept in the state (4,032 = 14 days at 300 s, what
            EC2 predictive scaling looks at; about 80 kB of JSON with the last plan).
        learn_every_s: re-learn the risk quantile from the kept history this often, at a
            re-plan (a day: the posture's shortest scoring span); 0: never, plan at
            ``policy.risk_quantile``.
        posture: the learning rule (candidates, budgets, windows; see
            :class:`~policy.config.PostureConfig`); empty ``risk_quantiles`` also turns
            learning off.
    """

    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    replan_every_s: int = Field(default=900, gt=0, le=7 * 86_400)
    max_history_steps: int = Field(default=4032, ge=1, le=100_000)
    learn_every_s: int = Field(default=86_400, ge=0, le=28 * 86_400)
    posture: PostureConfig = Field(default_factory=PostureConfig)


class SchedulerState(_Frozen):
    """Everything :func:`next_plan` remembers between calls (serialisable, versioned).

    Attributes:
        version: :data:`STATE_VERSION`.
        cluster: the cluster being planned.
        step_s: history step, seconds; grid steps start at multiples of it since the epoch.
        history_start: start of ``history_acu[0]`` (UTC), or None before any sample.
        history_acu: demand per step, ACU; None marks a step without samples.
        last_plan: the last plan returned, or None.
        last_planned_at: the ``now`` of the last solve, or None.
        risk_quantile: the risk quantile learnt for this cluster, or None (not yet learnt:
            plans use ``policy.risk_quantile``).
        risk_quantile_reason: why, one sentence with the numbers ('' before learning).
        floor_from_forecast: False when the learning found Aurora alone as good for less
            (:mod:`policy.trace_replay.posture`): plans then hold MinCapacity at the cluster's
            floor (``PolicyConfig.floor_from_forecast``) until the next learning says otherwise.
        learnt_at: the ``now`` of the last learning, or None.
        learnt_with: the configuration it was learnt with (``policy.risk_quantile`` and the
            posture, as JSON); under any other, nothing learnt applies: it is cleared, and
            learnt again at the next re-plan if learning is on.
    """

    version: Literal[1] = STATE_VERSION
    cluster: ClusterSpec
    step_s: int = Field(gt=0, le=86_400)
    history_start: AwareDatetime | None = None
    history_acu: tuple[float | None, ...] = ()
    last_plan: Recommendation | None = None
    last_planned_at: AwareDatetime | None = None
    risk_quantile: float | None = Field(default=None, gt=0.5, lt=1.0)
    risk_quantile_reason: str = ""
    floor_from_forecast: bool = True
    learnt_at: AwareDatetime | None = None
    learnt_with: str = ""


class SchedulerResult(_Frozen):
    """What one call returns.

    Attributes:
        state: the state to pass to the next call.
        plan: the plan in force from ``now`` (new or reused).
        replanned: True when the solver ran in this call.
        reason: why the plan was (or was not) recomputed, one line.
    """

    state: SchedulerState
    plan: Recommendation
    replanned: bool
    reason: str


def new_state(
    cluster: ClusterSpec, *, step_s: int = 300, config: SchedulerConfig | None = None
) -> SchedulerState:
    """Return the empty state for a cluster.

    Args:
        cluster: the cluster.
        step_s: history step, seconds; must divide the policy's ``plan_step_s``.
        config: the configuration :func:`next_plan` will be called with, to check
            ``step_s`` against its ``policy.plan_step_s`` now; None: ``step_s`` must divide
            a day (the plan step is checked at :func:`next_plan`).

    Returns:
        A state without history or plan.

    Raises:
        InvalidRequestError: (field ``step_s``) not a positive integer or not dividing the
            plan step (a day without ``config``), here rather than at the first
            :func:`next_plan`.
    """
    if config is None:  # the plan step is not known yet: a step must at least divide a day
        try:
            check_step_s(step_s, 86_400)
        except InvalidRequestError:
            raise InvalidRequestError(
                f"step_s={step_s!r} must be a whole number of seconds that divides a day (86400), e.g. 60, "
                "300, 900, 3600",
                "step_s",
            ) from None
    else:
        check_step_s(step_s, _checked(config, ())[0].policy.plan_step_s)
    return SchedulerState(cluster=cluster, step_s=step_s)


def _epoch(ts: datetime) -> int:
    return math.floor(ts.timestamp())


def _merge(state: SchedulerState, observations: Sequence[Observation], keep: int) -> SchedulerState:
    """Add samples to the grid (max per step) and keep the newest ``keep`` steps.

    Samples older than the kept window are dropped before the grid is built, so a stray
    old timestamp never allocates more than ``keep`` steps.
    """
    if not observations:
        return state
    step, n_old = state.step_s, len(state.history_acu)
    stamps = [_epoch(o.ts) // step * step for o in observations]
    old_start = _epoch(state.history_start) if state.history_start is not None else max(stamps)
    end = max(old_start + n_old * step, max(stamps) + step)
    start = max(min(old_start, *stamps), end - keep * step)
    values: list[float | None] = [None] * ((end - start) // step)
    for j, v in enumerate(state.history_acu):
        i = (old_start - start) // step + j
        if 0 <= i < len(values):
            values[i] = v
    for t, o in zip(stamps, observations, strict=True):
        i = (t - start) // step
        if i >= 0:
            current = values[i]
            values[i] = o.demand_acu if current is None else max(current, o.demand_acu)
    return state.model_copy(
        update={"history_start": datetime.fromtimestamp(start, tz=UTC), "history_acu": tuple(values)}
    )


def _history_until(state: SchedulerState, now_s: int, keep: int) -> list[float]:
    """Return the last ``keep`` history steps ending at ``now_s`` (NaN for missing).

    Raises:
        InvalidRequestError: no observation yet, or ``now`` not after the first one.
        InsufficientHistoryError: no observation in the window (a long gap before ``now``).
    """
    if state.history_start is None:
        raise InvalidRequestError("no observation yet: pass at least one Observation", "observations")
    start = _epoch(state.history_start)
    n = (now_s - start) // state.step_s
    if n <= 0:
        raise InvalidRequestError(f"now is not after the first observed step ({state.history_start})", "now")
    first = max(n - keep, 0)
    data = [math.nan if v is None else v for v in state.history_acu[first:n]]
    data += [math.nan] * (n - first - len(data))
    if all(math.isnan(v) for v in data):
        seen = [i for i, v in enumerate(state.history_acu) if v is not None]
        last = datetime.fromtimestamp(start + seen[-1] * state.step_s, tz=UTC) if seen else None
        raise InsufficientHistoryError(
            f"no observation in the {len(data)} steps of {state.step_s} s before now="
            f"{datetime.fromtimestamp(now_s, tz=UTC).isoformat()}; the last one was at "
            f"{last.isoformat() if last else 'never'}: pass recent observations first",
            "observations",
        )
    return data


def layout_at(plan: Recommendation, now: datetime, cluster: ClusterSpec) -> PreviousLayout:
    """Return the layout ``plan`` prescribes at ``now`` (its last step once it has ended).

    The writer floor is the MinCapacity in force at ``now`` (so pre-warming counts),
    clamped to the cluster's limits; AZs no longer in the topology are dropped.

    Args:
        plan: a recommendation.
        now: a timezone-aware time at or after ``plan.generated_at``.
        cluster: the cluster as it is now.

    Returns:
        The layout to pass as ``previous``.
    """
    steps = [s for s in plan.steps if s.start <= now] or [plan.steps[0]]
    step = steps[-1]
    schedule = plan.settings.capacity_changes
    changes = [c for c in schedule if c.at <= now] or [schedule[0]]
    limits, azs = cluster.limits, set(cluster.topology.az_ids)
    floor = min(max(changes[-1].min_capacity_acu, limits.min_acu), limits.max_acu)
    readers = {az: n for az, n in sorted(step.extra_readers_by_az.items()) if az in azs and n > 0}
    failover = plan.failover_az_id if step.failover_reader_acu > 0 else None
    if failover is not None and (failover not in azs or failover == cluster.topology.writer_az_id):
        failover = None
    return PreviousLayout(writer_acu=floor, extra_readers_by_az=readers, failover_az_id=failover)


def _replan_reason(state: SchedulerState, now: datetime, config: SchedulerConfig) -> str | None:
    """Return why a new plan is needed at ``now``, or None when the last one still holds."""
    plan, at = state.last_plan, state.last_planned_at
    if plan is None or at is None:
        return "first plan"
    if plan.cluster_id != state.cluster.cluster_id:
        return "the cluster changed"
    if now - at >= timedelta(seconds=config.replan_every_s):
        return f"re-plan interval of {config.replan_every_s} s elapsed"
    if plan.horizon_end <= now + timedelta(seconds=plan.step_s):
        return "the last plan ends within one step"
    start_s, step = _epoch(state.history_start or at), state.step_s
    for s in plan.steps:
        first = max(0, (_epoch(s.start) - start_s) // step)
        last = min(len(state.history_acu), (_epoch(s.start) + plan.step_s - start_s) // step)
        seen = [v for v in state.history_acu[first:last] if v is not None]
        # The plan's capacity is the scaler's level for the median forecast (Aurora scales above
        # it), so demand over it alone says nothing: half the steps would. The plan was wrong
        # when demand went above both it and the risk-quantile demand the plan was made to cover.
        covered = max(s.capacity_acu * plan.target_utilisation, s.demand_risk_acu)
        if seen and max(seen) > covered:
            when = s.start.isoformat()
            return (
                f"demand {max(seen):g} ACU exceeded the {covered:g} ACU the plan covered at {when} "
                f"(its p{plan.risk_quantile * 100:g} demand and usable capacity)"
            )
    return None


def next_plan(
    state: SchedulerState,
    observations: Sequence[Observation] = (),
    *,
    now: datetime,
    config: SchedulerConfig | None = None,
    deployed: PreviousLayout | None = None,
) -> SchedulerResult:
    """Fold in new observations and return the plan in force from ``now``.

    Args:
        state: from :func:`new_state` or the previous call.
        observations: samples seen since the last call (Observations or dicts of their
            fields), any order, none after ``now`` (a sample's ``ts`` is the start of the
            period it measures); one in the step that ends after ``now`` is kept for later
            calls but not used yet.
        now: decision time, timezone-aware; floored to the ``step_s`` grid.
        config: planning and re-planning knobs (a :class:`SchedulerConfig` or a dict of
            its fields); default :class:`SchedulerConfig()`.
        deployed: the layout actually deployed, when the caller knows it; default: the
            layout the last plan prescribes at ``now`` (none before the first plan).

    Returns:
        The new state, the plan, whether it was re-solved and why.

    Raises:
        InvalidRequestError: ``state`` not a :class:`SchedulerState` (field ``state``),
            ``observations`` not a sequence, ``config`` or an observation that does not
            validate (field ``config`` / ``observations``), an observation after ``now`` (field
            ``observations``), ``now`` not a datetime, naive, or before the last plan's
            time, no observation was ever given, or the history does not reach back before
            ``now``;
            and every input error of :func:`policy.recommend` (its ``field`` names the
            input). Every error is a :class:`policy.PolicyError`.
        InsufficientHistoryError: no observation in the ``max_history_steps`` before
            ``now`` (a long gap), or too few for a forecast.
    """
    if not isinstance(state, SchedulerState):
        raise InvalidRequestError(
            f"state must be a SchedulerState (from new_state() or the last call), got {type(state).__name__}",
            "state",
        )
    config, observations = _checked(config, observations)
    if not isinstance(now, datetime):
        raise InvalidRequestError(f"now must be a timezone-aware datetime, got {type(now).__name__}", "now")
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidRequestError(f"now must be timezone-aware, got {now.isoformat()}", "now")
    now_s = _epoch(now) // state.step_s * state.step_s
    at = datetime.fromtimestamp(now_s, tz=UTC)
    if state.last_planned_at is not None and at < state.last_planned_at:
        raise InvalidRequestError(
            f"now={at.isoformat()} is before the last plan's time {state.last_planned_at.isoformat()}: "
            "the clock must not go backwards (start from new_state() to plan a past time)",
            "now",
        )
    for i, o in enumerate(observations):  # a future sample would slide the kept window past the history
        if o.ts > now:
            raise InvalidRequestError(
                f"observations[{i}].ts {o.ts.isoformat()} is in the future (after now, {now.isoformat()}): "
                "a sample's ts is the start of the period it measures; the state is unchanged",
                "observations",
            )
    merged = _merge(state, observations, config.max_history_steps)
    why = "the caller reported the deployed layout" if deployed else _replan_reason(merged, at, config)
    if why is None and merged.last_plan is not None and merged.last_planned_at is not None:
        age = int((at - merged.last_planned_at).total_seconds())
        held = f"held: planned {age} s ago and demand stayed within the plan"
        return SchedulerResult(state=merged, plan=merged.last_plan, replanned=False, reason=held)
    previous = deployed
    if previous is None and merged.last_plan is not None:
        previous = layout_at(merged.last_plan, at, merged.cluster)
    history = _history_until(merged, now_s, config.max_history_steps)
    merged = _learn(merged, history, at, config)
    planning = learnt_planning(config.policy, merged.risk_quantile, merged.floor_from_forecast)
    plan = recommend(
        history, now=at, step_s=merged.step_s, cluster=merged.cluster, config=planning, previous=previous
    )
    new = merged.model_copy(update={"last_plan": plan, "last_planned_at": at})
    return SchedulerResult(state=new, plan=plan, replanned=True, reason=why or "re-planned")


def _checked(
    config: SchedulerConfig | None, observations: Sequence[Observation]
) -> tuple[SchedulerConfig, list[Observation]]:
    """The config and observations as models (dicts are validated), or an error naming the input."""
    try:
        checked = SchedulerConfig.model_validate(config if config is not None else {})
    except ValidationError as exc:
        raise InvalidRequestError(f"config: {_first_error(exc)}", "config") from None
    if isinstance(observations, str | bytes | Mapping) or not isinstance(observations, Iterable):
        raise InvalidRequestError(
            f"observations must be a sequence of Observations, got {type(observations).__name__}",
            "observations",
        )
    try:
        samples = [Observation.model_validate(o) for o in observations]
    except ValidationError as exc:
        raise InvalidRequestError(f"observations: {_first_error(exc)}", "observations") from None
    return checked, samples


def _first_error(exc: ValidationError) -> str:
    e = exc.errors()[0]
    where = ".".join(str(p) for p in e["loc"])
    return f"{where + ': ' if where else ''}{e['msg']} ({exc.error_count()} error(s))"


def _learn(
    state: SchedulerState, history: list[float], at: datetime, config: SchedulerConfig
) -> SchedulerState:
    """Re-learn the risk quantile when ``learn_every_s`` has passed and the history allows it.

    What was learnt under other settings (``policy.risk_quantile``, the posture) or with
    learning off is cleared first: an operator who changes the quantile gets it.

    Which part of the history is replayed and how much is enough is
    :func:`~policy.trace_replay.learn.learn_recent`'s rule: shorter histories wait, nothing
    stored. A replay that fails (a decision's input error) keeps the quantile learnt before
    and says why.
    """
    posture = config.posture
    key = learning_key(config.policy, posture)
    learning = bool(config.learn_every_s and posture.risk_quantiles)
    if state.learnt_with not in ("", key) or not learning:  # learnt under other settings, or off
        state = state.model_copy(
            update={
                "risk_quantile": None,
                "risk_quantile_reason": "",
                "floor_from_forecast": True,
                "learnt_at": None,
                "learnt_with": "",
            }
        )
    if not learning:
        return state
    if state.learnt_at is not None and at - state.learnt_at < timedelta(seconds=config.learn_every_s):
        return state
    try:
        choice = learn_recent(
            history, now=at, step_s=state.step_s, cluster=state.cluster, policy=config.policy, posture=posture
        )
    except PolicyError as exc:
        reason = f"kept: learning from the history failed ({exc})"
        return state.model_copy(update={"risk_quantile_reason": reason, "learnt_at": at, "learnt_with": key})
    if choice is None:  # too short to say yet: nothing stored, learnt again at the next re-plan
        return state
    return state.model_copy(
        update={
            "risk_quantile": choice.risk_quantile,
            "risk_quantile_reason": choice.reason,
            "floor_from_forecast": choice.floor_from_forecast,
            "learnt_at": at,
            "learnt_with": key,
        }
    )
