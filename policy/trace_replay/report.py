"""Replay results: per-policy scores and the report that carries them.

Owns :class:`PolicyScore` and :class:`ReplayReport`. Everything in a report except its
``timing`` section is deterministic for a fixed input. Imports nothing of ours but
``policy.types``.
"""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from policy.types import ClusterSpec, FrozenModel

POLICY_NAMES: tuple[str, ...] = (
    "reactive",
    "static-peak",
    "vpa",
    "predictive-scaling",
    "hpa-readers",
    "acuplan",
    "bound",
)
"""Replay policies, in report order: two baselines, three peers (each from its public
description: VPA, EC2 predictive scaling, Aurora Auto Scaling of readers), ours, and
``bound``, the perfect-foresight lower bound (a limit, not a policy)."""

HISTORY_POLICIES: tuple[str, ...] = ("acuplan",)
"""The policies of :data:`POLICY_NAMES` that forecast from the history before each decision
(through :func:`policy.recommend`, which refuses an empty history), so a replay of any of
them needs a warm-up of at least one step (:func:`policy.steps.first_scored_step`). The
others decide without history at first: the fixed floors, the bound, and the peers
(``predictive-scaling`` keeps the user's floor until it has 24 h of data, as AWS does)."""


class PolicyScore(FrozenModel):
    """How one policy did over the scored window of a trace.

    Attributes:
        cost_usd: compute cost of all instances' capacity (ACU-seconds x price).
        shortfall_acu_h: ACU-hours of load above capacity (summed over instances).
        slo_violation_min: minutes in which some instance ran above the SLO utilisation
            or load went unserved (failover outage, resume from pause).
        p99_latency_ms: estimated p99 latency: the 99th percentile over scored time of
            the busiest instance's M/M/1 p99 (model and parameters: ScalerModel).
        scaling_actions: setting changes the policy made (MinCapacity/MaxCapacity
            changes plus reader instances created or deleted).
        reader_churn: reader instances created plus deleted.
        unserved_min: minutes with some load unserved (failover outage, resume).
        cost_vs_bound: cost_usd / the bound's cost_usd (None without a bound run).
        slo_share_of_reactive: slo_violation_min / reactive's (None without a reactive run
            or when reactive has no SLO-violation minute).
        mean_capacity_acu: time-average of total capacity.
        peak_capacity_acu: largest total capacity at any step end.
        n_replans: decisions taken.
        fail_safe_replans: decisions where the optimiser gave no plan.
        replans_by_risk_quantile: ``acuplan`` only: how many decisions planned at each risk
            quantile (keys like ``"0.85"``), the quantile learnt from the cluster's own past
            (:mod:`policy.trace_replay.posture`); None for other policies.
        replans_aurora_alone: ``acuplan`` only: how many decisions held Aurora alone's floor
            instead (the posture found the forecast bought nothing); None for other policies.
    """

    cost_usd: float
    shortfall_acu_h: float
    slo_violation_min: float
    p99_latency_ms: float
    scaling_actions: int
    reader_churn: int
    unserved_min: float
    cost_vs_bound: float | None
    slo_share_of_reactive: float | None = None
    mean_capacity_acu: float
    peak_capacity_acu: float
    n_replans: int
    fail_safe_replans: int
    replans_by_risk_quantile: dict[str, int] | None = None
    replans_aurora_alone: int | None = None


class ReplayTiming(FrozenModel):
    """Wall-clock measurements of a replay (not deterministic; excluded from equality).

    Attributes:
        total_s: the whole replay.
        per_policy_s: wall time per policy.
        replan_ms_p50: median time per re-plan (forecast + solve) per policy.
        replan_ms_p95: 95th percentile per policy.
        solve_ms_p50: median CP-SAT wall time per re-plan per policy.
        forecast_ms_p50: median time per re-plan outside the CP-SAT solve (the forecast,
            plus building the model and the settings) per policy.
    """

    total_s: float
    per_policy_s: dict[str, float]
    replan_ms_p50: dict[str, float]
    replan_ms_p95: dict[str, float]
    solve_ms_p50: dict[str, float]
    forecast_ms_p50: dict[str, float] = Field(default_factory=dict)


class ReplayReport(FrozenModel):
    """The result of replaying policies over one demand series.

    Attributes:
        trace: a name for the input (e.g. the bundled trace name).
        cluster: the cluster the replay simulated.
        step_s: trace step, seconds.
        start: start of the first step of the series.
        scored_from: start of the scored window (after warm-up).
        scored_until: end of the scored window.
        n_steps: steps in the series.
        n_missing_steps: steps without data (not scored for shortfall or SLO).
        replan_every_s: decision interval.
        scores: per policy name, in :data:`POLICY_NAMES` order.
        timing: wall-clock timings (the only non-deterministic part).
        warnings: what the scores cannot see: missing steps in the scored window
            (:func:`policy.trace_replay.run.missing_warning`), demand MaxCapacity cannot serve
            within the SLO, where the bound keeps SLO minutes and shortfall
            (:func:`policy.trace_replay.over_max.max_capacity_warning`).
    """

    trace: str
    cluster: ClusterSpec
    step_s: int
    start: AwareDatetime
    scored_from: AwareDatetime
    scored_until: AwareDatetime
    n_steps: int
    n_missing_steps: int
    replan_every_s: int
    scores: dict[str, PolicyScore]
    timing: ReplayTiming | None = Field(default=None)
    warnings: tuple[str, ...] = ()
