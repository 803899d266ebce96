"""Configuration of the policy engine and of replay: explicit, frozen, no environment.

Owns :class:`PolicyConfig`, :class:`ReplayConfig` and the peer configurations (the scaler
model, :class:`~policy.scaler.ScalerModel`, lives in :mod:`policy.scaler`). Every default
carries its rationale or source. Imports only ``forecasting`` and ``placement`` config
types and :mod:`policy.scaler`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from forecasting import ForecastConfig
from placement import SolverParams, is_on_half_acu_grid
from policy.scaler import ScalerModel
from policy.steps import DEFAULT_WARMUP_S, check_replan_within_horizon

MIN_TARGET_UTILISATION = 0.1
"""Lowest ``target_utilisation`` accepted: capacity covers demand / target, so 0.1 already
plans ten times the demand (90 % headroom). ASSUMPTION: no AWS document gives a lower bound
for Aurora's target tracking (the Aurora User Guide's reader auto scaling example targets
40 % CPU; acuplan's default is 80 %); a target below 10 % buys capacity no target-tracking
setting in use would, and is most likely a unit slip (1e-9, or 0.008 for 80 %), which would
otherwise plan up to MaxCapacity and report a shortfall of billions of ACU."""

SHORTFALL_PRICE_MULTIPLE = 100.0
"""Default shortfall penalty as a multiple of the ACU price: an uncovered ACU-hour costs
100x a provisioned one, so the optimiser leaves demand short only when limits bind."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class PolicyConfig(_Frozen):
    """How ``acuplan`` turns history into a plan.

    Attributes:
        horizon_s: how far ahead to plan. 3 h covers the next re-plan with margin.
        plan_step_s: the plan's step. Demand is aggregated to it by the max over the
            finer steps inside (conservative); 900 s keeps a 3-h CP-SAT solve at
            12 steps (tens of ms) instead of 36.
        risk_quantile: the forecast quantile the plan must be able to serve within the SLO
            from a step's first second: MinCapacity is raised where, and only as far as,
            Aurora's own scaler, starting from where it would be, cannot climb to this
            quantile of demand in time (:mod:`policy.floors`). Where the scaler would be
            is taken at the opposite quantile (1 - risk_quantile): the plan guards
            against a low step followed by a high one at the same risk. p90 (the VPA
            recommender's target percentile, kubernetes/autoscaler) is kept from the
            first product; ``acuplan bench`` sweeps it (0.7-0.99) on every trace.
        target_utilisation: readers' capacity covers read demand / 0.8, i.e. 20%
            headroom, the usual target-tracking level for CPU; it also decides when
            read-scaling readers are needed (the writer's floor follows ``scaler``).
            At least :data:`MIN_TARGET_UTILISATION` (0.1) and at most 1; outside, a
            ``pydantic.ValidationError`` at ``target_utilisation``.
        shortfall_penalty_usd_per_acu_hour: cost of one ACU-hour of uncovered demand;
            None (default) means 100x the cluster's ACU price ($12/ACU-h in us-east-1),
            so covering demand is always far cheaper than leaving it short.
        churn_penalty_usd_per_acu: $0.002 per ACU the floor moves: damps flapping.
        reader_churn_penalty_usd: $0.05 per reader created or deleted.
        min_azs: spread instances over >= 2 AZs (Aurora User Guide, "High availability
            for Amazon Aurora": Multi-AZ deployments).
        require_failover_reader: keep a tier-1 reader in another AZ ("service is
            typically restored in less than 120 seconds" with a replica instead of
            "less than 10 minutes" without, same page).
        working_set_window_s: the plan keeps MinCapacity at the largest working set of
            this recent span (1 h; Neon's autoscaler estimates the working set over 1-60
            minute windows, neondatabase/autoscaling "autoscaling algorithm").
        stale_after_s: a history whose last sample ends more than this before ``now`` is
            stale, and the plan holds the deployed layout (15 min: three 5-minute
            CloudWatch periods; metrics normally arrive within a few minutes).
        min_coverage_24h: a history with fewer observed steps in its last day is thin,
            and the plan holds the deployed layout (80 %).
        floor_dip_hold_s: a raised MinCapacity is not lowered for a lull this short or
            shorter that the plan says is followed by another raise (no floor ping-pong).
            900 s, one plan step: between the Kubernetes HPA's 300-s scale-down
            stabilisation window and the 15 minutes DynamoDB auto scaling waits before a
            scale-in.
        floor_decrease_tolerance: a re-plan keeps the deployed MinCapacity while its plan
            would lower it by at most this share (0.1: the Kubernetes HPA's default
            tolerance, here on scale-down only; raises are never held): on a short square
            wave fresh forecasts otherwise move the floor one grid step down and up again
            every re-plan (:func:`policy.floors.hold_small_decreases`). 0 turns it off.
        floor_from_forecast: True: MinCapacity is raised where the forecast says Aurora's
            scaler will not reach the risk quantile in time (above). False: MinCapacity
            stays at ``limits.min_acu`` (and the working set) over the whole horizon, Aurora's
            own scaler does the rest, and only readers follow the forecast. The risk posture
            turns it off for a cluster where Aurora's own scaler was as good for less
            (:mod:`policy.trace_replay.posture`): a forecast that buys no SLO minute is not
            worth paying for.
        scaler: the Aurora the plan assumes: its scaler's target and SLO utilisation and
            ramp profile (how fast it climbs, how long a MinCapacity change takes).
            ``ReplayConfig`` hands the simulated one to ``acuplan`` unless this is set.
        forecast: forecasting configuration.
        solver: CP-SAT knobs (1 worker, seed 0, 2-s limit).
    """

    horizon_s: int = Field(default=3 * 3600, gt=0, le=7 * 86_400)
    plan_step_s: int = Field(default=900, gt=0, le=86_400)
    risk_quantile: float = Field(default=0.9, gt=0.5, lt=1.0)
    target_utilisation: float = Field(default=0.8, ge=MIN_TARGET_UTILISATION, le=1.0)
    shortfall_penalty_usd_per_acu_hour: float | None = Field(default=None, ge=0.0, le=10_000.0)
    churn_penalty_usd_per_acu: float = Field(default=0.002, ge=0.0, le=1_000.0)
    reader_churn_penalty_usd: float = Field(default=0.05, ge=0.0, le=1_000.0)
    min_azs: int = Field(default=2, ge=1, le=6)
    require_failover_reader: bool = True
    floor_dip_hold_s: int = Field(default=900, ge=0, le=86_400)
    floor_decrease_tolerance: float = Field(default=0.1, ge=0.0, lt=1.0)
    working_set_window_s: int = Field(default=3600, gt=0, le=7 * 86_400)
    stale_after_s: int = Field(default=900, gt=0, le=7 * 86_400)
    min_coverage_24h: float = Field(default=0.8, ge=0.0, le=1.0)
    floor_from_forecast: bool = True
    scaler: ScalerModel = Field(default_factory=ScalerModel)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    solver: SolverParams = Field(default_factory=SolverParams)

    def shortfall_penalty_for(self, price_usd_per_acu_hour: float) -> float:
        """Return the shortfall penalty in USD per ACU-hour for a cluster's ACU price."""
        if self.shortfall_penalty_usd_per_acu_hour is not None:
            return self.shortfall_penalty_usd_per_acu_hour
        return SHORTFALL_PRICE_MULTIPLE * price_usd_per_acu_hour

    @property
    def low_quantile(self) -> float:
        """Where the plan assumes the scaler would be: the 1 - risk_quantile forecast."""
        return round(1.0 - self.risk_quantile, 9)

    @property
    def quantiles(self) -> tuple[float, ...]:
        """Quantiles requested from the forecaster: the low one, p50, p90 and the risk quantile."""
        return tuple(sorted({self.low_quantile, 0.5, 0.9, self.risk_quantile}))


class FailoverEvent(_Frozen):
    """An instance failure injected into a replay (sources: aurora-ha for what follows).

    Attributes:
        at_s: seconds after the start of the scored window, before its end (the replay
            refuses an event at or past it: :func:`policy.trace_replay.run.scored_window`).
        kind: ``writer`` (the writer instance fails) or ``az`` (the writer's AZ fails:
            the writer and the read-scaling readers in that AZ are lost).
    """

    at_s: int = Field(ge=0)
    kind: Literal["writer", "az"] = "writer"


class VpaConfig(_Frozen):
    """The ``vpa`` peer: Kubernetes VPA recommender defaults (sources: vpa).

    Source: kubernetes/autoscaler ``vertical-pod-autoscaler/pkg/recommender/logic/
    recommender.go`` and ``model/aggregations_config.go``.

    Attributes:
        target_percentile: the target's percentile of the decaying histogram (p90).
        lower_percentile: the lower bound's percentile (p50).
        upper_percentile: the upper bound's percentile (p95).
        margin_frac: safety margin on every bound (+15%).
        half_life_s: sample weight halves every 24 h.
        bucket_growth_frac: histogram buckets grow 5% each.
        min_bucket_acu: first bucket boundary (0.01, VPA's CPU histogram start in cores).
    """

    target_percentile: float = Field(default=0.9, gt=0.0, lt=1.0)
    lower_percentile: float = Field(default=0.5, gt=0.0, lt=1.0)
    upper_percentile: float = Field(default=0.95, gt=0.0, lt=1.0)
    margin_frac: float = Field(default=0.15, ge=0.0, le=10.0)
    half_life_s: float = Field(default=86_400.0, gt=0.0)
    bucket_growth_frac: float = Field(default=0.05, gt=0.0, le=1.0)
    min_bucket_acu: float = Field(default=0.01, gt=0.0)


class PredictiveScalingConfig(_Frozen):
    """The ``predictive-scaling`` peer: EC2 / Application Auto Scaling style (sources: ec2-predictive).

    Source: docs.aws.amazon.com/autoscaling/application/userguide/
    aas-predictive-scaling-how-it-works.html and API_PredictiveScalingConfiguration.

    Attributes:
        forecast_horizon_s: hourly forecast for the next 48 h.
        refresh_s: a new forecast every 6 h.
        forecast_step_s: forecast granularity, 1 h.
        min_history_s: needs >= 24 h of data before it forecasts.
        max_history_s: uses at most 14 days of history.
        scheduling_buffer_s: capacity is launched this early (SchedulingBufferTime, 300 s).
        target_utilisation: load / capacity of the scaling metric's target value, in
            [:data:`MIN_TARGET_UTILISATION`, 1]; None means ``PolicyConfig.target_utilisation``
            (the same target as ``acuplan``).
    """

    forecast_horizon_s: int = Field(default=48 * 3600, gt=0)
    refresh_s: int = Field(default=6 * 3600, gt=0)
    forecast_step_s: int = Field(default=3600, gt=0)
    min_history_s: int = Field(default=24 * 3600, ge=0)
    max_history_s: int = Field(default=14 * 86_400, gt=0)
    scheduling_buffer_s: int = Field(default=300, ge=0, lt=3600)
    target_utilisation: float | None = Field(default=None, ge=MIN_TARGET_UTILISATION, le=1.0)


class HpaReadersConfig(_Frozen):
    """The ``hpa-readers`` peer: Aurora Auto Scaling of the reader count (sources: aurora-ha, hpa).

    Source: Aurora User Guide ``Aurora.Integrating.AutoScaling.md`` (target tracking on
    average reader CPU, 0-15 replicas, 300-s cooldowns, new replicas at tier 15).

    Attributes:
        target_cpu_frac: target average reader CPUUtilization, which Aurora measures
            against MaxCapacity (sources: aurora-metrics). ASSUMPTION 0.7 (AWS gives no default).
        scale_out_cooldown_s: 300 s (AWS default).
        scale_in_cooldown_s: 300 s (AWS default).
        tolerance_frac: no change while the metric is within 10% of the target (HPA's
            default tolerance, sources: hpa; AWS publishes none for target tracking).
        min_readers: replica count range lower end, counting the tier-1 reader.
        max_readers: replica count range upper end (15 in Aurora).
    """

    target_cpu_frac: float = Field(default=0.7, gt=0.0, le=1.0)
    scale_out_cooldown_s: int = Field(default=300, ge=0)
    scale_in_cooldown_s: int = Field(default=300, ge=0)
    tolerance_frac: float = Field(default=0.1, ge=0.0, lt=1.0)
    min_readers: int = Field(default=1, ge=0, le=15)
    max_readers: int = Field(default=15, ge=0, le=15)


class PeerConfig(_Frozen):
    """Configuration of the peer policies the replay scores beside ``acuplan``."""

    vpa: VpaConfig = Field(default_factory=VpaConfig)
    predictive: PredictiveScalingConfig = Field(default_factory=PredictiveScalingConfig)
    hpa_readers: HpaReadersConfig = Field(default_factory=HpaReadersConfig)


class PostureConfig(_Frozen):
    """How a replay learns ``acuplan``'s risk quantile per cluster from shadow replays of its own past.

    Every decision, the simulator scores the demand that followed the last one under Aurora
    alone at the user's floor, under the perfect-foresight bound of that stretch and under
    the configured quantile's own plans. Once Aurora alone has had ``min_reactive_slo_min``
    violation minutes in the last ``window_s`` (before that nothing says another quantile
    would do better), every candidate quantile also plans in the shadow, each through
    :func:`policy.recommend` (its own forecast) from its own deployed layout, and is scored
    the same way (:mod:`policy.trace_replay.posture`). Over the span the shadows have been
    scored (at most ``window_s``; at least ``min_window_s`` before anything moves), the next
    plan uses the cheapest candidate that kept at most ``slo_share_of_reactive`` of Aurora
    alone's SLO-violation minutes at no more than ``max_cost_vs_bound`` times the bound;
    without one, or with fewer than ``min_reactive_slo_min`` minutes of Aurora alone in that
    span, ``policy.risk_quantile`` -- or MinCapacity held at Aurora alone's floor when
    Aurora alone had no more minutes than ``policy.risk_quantile`` for at least 1 % less.
    Choosing among a family of recommenders by what each would have cost on the job's own
    recent history is what Google's Autopilot does for its ML recommender (Rzadca et al.,
    "Autopilot: workload autoscaling at Google", EuroSys 2020, section 4.2).

    Attributes:
        risk_quantiles: the candidate quantiles, each in (0.5, 1), ascending; ``policy.risk_quantile``
            is a candidate too (added when not listed). Empty: no learning, every plan at
            ``policy.risk_quantile``.
            ASSUMPTION p80-p99 with p85: the risk sweep's quantiles around the default p90.
        slo_share_of_reactive: the SLO budget, as a share of Aurora alone's violation minutes
            over the window. Default 0.2: the target issue 9 sets for acuplan (a user's choice,
            not tuned on any trace).
        max_cost_vs_bound: the cost budget, as a multiple of the window's perfect-foresight
            bound. Default 1.25: issue 9's target (as above).
        window_s: how far back the candidates are scored. ASSUMPTION 7 days: a weekly cycle,
            the calibration window of the forecaster (``ForecastConfig.calibration_s``).
        min_window_s: the least scored time before the quantile may move. ASSUMPTION 1 day:
            one daily cycle.
        min_reactive_slo_min: the least violation minutes of Aurora alone in the window before
            the quantile may move (fewer say nothing about the budget). Default 5: the
            threshold at which issue 9's SLO target applies.
    """

    risk_quantiles: tuple[float, ...] = (0.8, 0.85, 0.9, 0.95, 0.99)
    slo_share_of_reactive: float = Field(default=0.2, ge=0.0, le=1.0)
    max_cost_vs_bound: float = Field(default=1.25, ge=1.0)
    window_s: int = Field(default=7 * 86_400, gt=0, le=28 * 86_400)
    min_window_s: int = Field(default=86_400, ge=0, le=28 * 86_400)
    min_reactive_slo_min: float = Field(default=5.0, ge=0.0)

    @model_validator(mode="after")
    def _check(self) -> PostureConfig:
        bad = [q for q in self.risk_quantiles if not 0.5 < q < 1.0]
        if bad:
            raise ValueError(f"risk_quantiles must each be in (0.5, 1), got {bad}")
        if list(self.risk_quantiles) != sorted(set(self.risk_quantiles)):
            got = list(self.risk_quantiles)
            raise ValueError(f"risk_quantiles must be ascending without repeats, got {got}")
        if self.min_window_s > self.window_s:
            raise ValueError(f"min_window_s ({self.min_window_s}) must not exceed window_s ({self.window_s})")
        return self


class ReplayConfig(_Frozen):
    """How a replay runs.

    Attributes:
        replan_every_s: decision interval; each policy re-plans this often from the past.
        warmup_s: history the policies see before scoring starts (2 days: Holt-Winters
            needs two daily seasons, like statsmodels and PHPA require).
        reactive_floor_acu: the fixed MinCapacity users have without acuplan: the
            ``reactive`` baseline's, the floor under ``predictive-scaling`` and
            ``hpa-readers``, and Aurora alone's in acuplan's posture shadows; None means the
            cluster's ``limits.min_acu`` (the default users have); 0 turns on auto-pause
            (sources: aurora-pause). A MinCapacity Aurora accepts: on the 0.5-ACU grid
            (0, 0.5, 1, ...), at most 256; :func:`policy.replay` also refuses one outside
            the cluster's [``limits.min_acu``, ``limits.max_acu``] (0 excepted), and
            :func:`policy.replay_policy` one above ``limits.max_acu``.
        policy: configuration of ``acuplan``.
        scaler: the simulated Aurora cluster (scaler, readers, pause, failover, latency).
        peers: configuration of the peer policies.
        posture: how ``acuplan`` learns its risk quantile from its own past (the risk
            sweep and a fixed-quantile replay set ``risk_quantiles`` empty).
        failover_events: instance failures to inject, in the scored window (an event at
            or past its end is refused by the replay, which knows the window:
            :func:`policy.trace_replay.run.scored_window`).

    Raises:
        pydantic.ValidationError: a field's own rule, e.g. a ``reactive_floor_acu`` off the
            0.5-ACU grid (``1.3``, ``0.2``), or a ``replan_every_s`` beyond the horizon.
    """

    replan_every_s: int = Field(default=3600, gt=0, le=7 * 86_400)
    warmup_s: int = Field(default=DEFAULT_WARMUP_S, ge=0)
    reactive_floor_acu: float | None = Field(default=None, ge=0.0, le=256.0)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    scaler: ScalerModel = Field(default_factory=ScalerModel)
    peers: PeerConfig = Field(default_factory=PeerConfig)
    posture: PostureConfig = Field(default_factory=PostureConfig)
    failover_events: tuple[FailoverEvent, ...] = ()

    @field_validator("reactive_floor_acu")
    @classmethod
    def _reactive_floor_on_grid(cls, value: float | None) -> float | None:
        if value is not None and not is_on_half_acu_grid(value):
            raise ValueError(
                f"reactive_floor_acu={value:g} is not a MinCapacity Aurora accepts: a multiple of 0.5 ACU "
                "(Serverless v2 moves in 0.5-ACU steps), or 0 for auto-pause"
            )
        return value

    @property
    def planning_config(self) -> PolicyConfig:
        """``acuplan``'s configuration, planning for the simulated scaler unless it names its own."""
        if "scaler" in self.policy.model_fields_set:
            return self.policy
        return self.policy.model_copy(update={"scaler": self.scaler})

    @model_validator(mode="after")
    def _check(self) -> ReplayConfig:
        check_replan_within_horizon(self.replan_every_s, self.policy.horizon_s)
        return self
