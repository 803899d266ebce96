"""Configuration of the policy engine and of replay: explicit, frozen, no environment.

Owns :class:`PolicyConfig`, :class:`ScalerModel` (the simulated Aurora reactive scaler)
and :class:`ReplayConfig`. Every default carries its rationale or source. Imports only
``forecasting`` and ``placement`` config types.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forecasting import ForecastConfig
from placement import SolverParams

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
        risk_quantile: the forecast quantile the plan must cover (p95: a one-in-twenty
            step may need Aurora's own scaler to go above the floor).
        target_utilisation: capacity covers demand / 0.8, i.e. 20% headroom, the usual
            target-tracking level for CPU (assumption until the latency model lands).
        shortfall_penalty_usd_per_acu_hour: cost of one ACU-hour of uncovered demand;
            None (default) means 100x the cluster's ACU price ($12/ACU-h in us-east-1),
            so covering demand is always far cheaper than leaving it short.
        churn_penalty_usd_per_acu: $0.002 per ACU the floor moves: damps flapping.
        reader_churn_penalty_usd: $0.05 per reader created or deleted.
        min_azs: spread instances over >= 2 AZs (Aurora multi-AZ practice, FACTS.md A3).
        require_failover_reader: keep a tier-1 reader in another AZ (restores service in
            < 120 s instead of < 10 min, FACTS.md A3).
        prewarm_s: raise each floor this long before the step that needs it, because
            Aurora needs time to scale up to a new floor too. 300 s is EC2 predictive
            scaling's default SchedulingBufferTime (FACTS.md C7).
        forecast: forecasting configuration.
        solver: CP-SAT knobs (1 worker, seed 0, 2-s limit).
    """

    horizon_s: int = Field(default=3 * 3600, gt=0, le=7 * 86_400)
    plan_step_s: int = Field(default=900, gt=0, le=86_400)
    risk_quantile: float = Field(default=0.95, gt=0.5, lt=1.0)
    target_utilisation: float = Field(default=0.8, gt=0.0, le=1.0)
    shortfall_penalty_usd_per_acu_hour: float | None = Field(default=None, ge=0.0, le=10_000.0)
    churn_penalty_usd_per_acu: float = Field(default=0.002, ge=0.0, le=1_000.0)
    reader_churn_penalty_usd: float = Field(default=0.05, ge=0.0, le=1_000.0)
    min_azs: int = Field(default=2, ge=1, le=6)
    require_failover_reader: bool = True
    prewarm_s: int = Field(default=300, ge=0, le=3600)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    solver: SolverParams = Field(default_factory=SolverParams)

    def shortfall_penalty_for(self, price_usd_per_acu_hour: float) -> float:
        """Return the shortfall penalty in USD per ACU-hour for a cluster's ACU price."""
        if self.shortfall_penalty_usd_per_acu_hour is not None:
            return self.shortfall_penalty_usd_per_acu_hour
        return SHORTFALL_PRICE_MULTIPLE * price_usd_per_acu_hour

    @property
    def quantiles(self) -> tuple[float, ...]:
        """Quantiles requested from the forecaster: p50, p90 and the risk quantile."""
        return tuple(sorted({0.5, 0.9, self.risk_quantile}))


class ScalerModel(_Frozen):
    """Model of Aurora Serverless v2's own reactive scaler, used by the replay simulator.

    AWS publishes no scale-up rate or cooldown (FACTS.md A2); what it does say is that
    capacity is re-evaluated continuously, that "the larger the current capacity, the
    larger the scaling increment", and that it scales down when capacity is higher than
    needed. We model, per instance and between step boundaries:

    * target = max(floor, load / scaler_target_utilisation), clipped to MaxCapacity;
    * scale-up is exponential: c(t) = c0 * 2^(t / doubling_s) until the target (so the
      increment grows with current capacity, as AWS describes). ASSUMPTION:
      doubling_s = 45 s, i.e. 0.5 -> 16 ACU in about 4 minutes;
    * scale-down decays toward the target: c(t) = target + (c0 - target) * 2^(-t /
      scale_down_half_life_s). ASSUMPTION: half-life 300 s (slower than up);
    * tier 0-1 readers never go below the writer's capacity (FACTS.md A3).

    Attributes:
        scaler_target_utilisation: load / capacity the scaler steers to (ASSUMPTION 0.7).
        doubling_s: time to double capacity when scaling up, seconds (ASSUMPTION).
        scale_down_half_life_s: half-life of the excess capacity, seconds (ASSUMPTION).
        slo_utilisation: a minute counts as an SLO violation while load exceeds this
            share of capacity (queueing delay explodes near saturation; ASSUMPTION 0.95).
    """

    scaler_target_utilisation: float = Field(default=0.7, gt=0.0, le=1.0)
    doubling_s: float = Field(default=45.0, gt=0.0, le=3600.0)
    scale_down_half_life_s: float = Field(default=300.0, gt=0.0, le=86_400.0)
    slo_utilisation: float = Field(default=0.95, gt=0.0, le=1.0)


class ReplayConfig(_Frozen):
    """How a replay runs.

    Attributes:
        replan_every_s: decision interval; each policy re-plans this often from the past.
        warmup_s: history the policies see before scoring starts (2 days: Holt-Winters
            needs two daily seasons, like statsmodels and PHPA require).
        reactive_floor_acu: the fixed MinCapacity of the ``reactive`` baseline; None
            means the cluster's ``limits.min_acu`` (the default users have).
        policy: configuration of ``acuplan`` (and ``oracle``, which shares the optimiser).
        scaler: the simulated Aurora reactive scaler.
    """

    replan_every_s: int = Field(default=3600, gt=0, le=7 * 86_400)
    warmup_s: int = Field(default=2 * 86_400, ge=0)
    reactive_floor_acu: float | None = Field(default=None, ge=0.5, le=256.0)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    scaler: ScalerModel = Field(default_factory=ScalerModel)

    @model_validator(mode="after")
    def _check(self) -> ReplayConfig:
        if self.policy.horizon_s < self.replan_every_s:
            raise ValueError(
                f"policy.horizon_s={self.policy.horizon_s} must cover replan_every_s={self.replan_every_s}"
            )
        return self
