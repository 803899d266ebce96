"""Peer policies, each written from its public description: vpa, predictive-scaling, hpa-readers.

Owns :class:`VpaPolicy`, :class:`PredictiveScalingPolicy` and :class:`HpaReadersPolicy`.
Each docstring names its source (keys of docs/sources.md: vpa, ec2-predictive,
aurora-autoscaling); the parameters are in :class:`~policy.config.PeerConfig`. Every
peer sets only what its original sets (a floor, or a reader count); Aurora's reactive
scaler in the simulator does the rest, as it would on Aurora. Pure: decisions depend only
on the history before ``now``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from placement import PreviousLayout, acu_to_half_acu_ceil, half_acu_to_acu
from policy.config import HpaReadersConfig, PredictiveScalingConfig, VpaConfig
from policy.trace_replay.decision import Decision, FloatArray


def half_up(acu: float) -> float:
    """Round ``acu`` up to the 0.5-ACU grid (sources: aurora-capacity)."""
    return float(half_acu_to_acu(acu_to_half_acu_ceil(acu)))


def _fixed(floor: float, max_acu: float, n_steps: int, n_extra: int = 0) -> Decision:
    return Decision(
        floor_acu=np.full(n_steps, floor),
        max_acu=max_acu,
        n_extra_readers=np.full(n_steps, n_extra, dtype=np.int64),
        has_failover=True,
    )


def decaying_percentiles(
    values: FloatArray, ages_s: FloatArray, percentiles: tuple[float, ...], cfg: VpaConfig
) -> tuple[float, ...]:
    """Percentiles of an exponentially bucketed, exponentially decaying histogram (VPA).

    Bucket i starts at ``first * ((1 + g)^i - 1) / g`` (first = ``min_bucket_acu``,
    g = ``bucket_growth_frac``); a sample of age a weighs 2^(-a / half_life). Like
    VPA's ``Histogram.Percentile``, a percentile returns the end of the bucket in which
    the cumulative weight reaches p of the total, and 0 for an empty histogram.

    Args:
        values: samples, shape (n,), ACU (NaN ignored).
        ages_s: age of each sample, shape (n,), seconds.
        percentiles: each in (0, 1).
        cfg: histogram parameters.

    Returns:
        One value per percentile, ACU.
    """
    ok = np.isfinite(values)
    x, w = np.maximum(values[ok], 0.0), np.exp2(-ages_s[ok] / cfg.half_life_s)
    if x.size == 0:
        return tuple(0.0 for _ in percentiles)
    g, first = cfg.bucket_growth_frac, cfg.min_bucket_acu
    idx = np.floor(np.log1p(x * g / first) / math.log1p(g)).astype(np.int64)
    weight = np.bincount(idx, weights=w)
    cum = np.cumsum(weight)
    out = []
    for p in percentiles:
        i = int(np.searchsorted(cum, p * cum[-1]))
        out.append(first * ((1.0 + g) ** (i + 1) - 1.0) / g)
    return tuple(out)


@dataclass
class VpaPolicy:
    """The Kubernetes VPA recommender applied to MinCapacity (sources: vpa).

    Source: kubernetes/autoscaler ``vertical-pod-autoscaler/pkg/recommender/logic/
    recommender.go`` (target p90, lower p50, upper p95, +15% margin, confidence
    multipliers) and ``model/aggregations_config.go`` (24-h half-life, 5% buckets).

    The histogram holds the busier instance's load per step (ACU is CPU and memory
    together, so the CPU path is used; every sample weighs 1 before decay). Bounds:
    target = p90 x 1.15; lower = p50 x 1.15 x (1 + 0.001/days)^-2; upper = p95 x 1.15 x
    (1 + 1/days), with ``days`` the history length (VPA's confidence). Like VPA's
    updater, the floor moves to the target only when the floor in force is outside
    [lower, upper], else it stays (no churn inside the band).
    """

    cfg: VpaConfig
    busier_share: float
    min_acu: float
    max_acu: float
    step_s: int
    name: str = "vpa"

    def decide(
        self, history_acu: FloatArray, *, now: datetime, n_steps: int, previous: PreviousLayout | None
    ) -> Decision:
        """Recommend from the decaying histogram and apply it if the floor is out of band."""
        n = len(history_acu)
        ages = (n - np.arange(n, dtype=np.float64) - 0.5) * self.step_s
        c = self.cfg
        p = (c.lower_percentile, c.target_percentile, c.upper_percentile)
        lo, target, hi = decaying_percentiles(history_acu * self.busier_share, ages, p, c)
        days = max(np.isfinite(history_acu).sum() * self.step_s / 86_400.0, 1e-3)
        margin = 1.0 + c.margin_frac
        lower, upper = lo * margin * (1.0 + 0.001 / days) ** -2, hi * margin * (1.0 + 1.0 / days)
        current = previous.writer_acu if previous is not None else None
        floor = current if current is not None and lower <= current <= upper else target * margin
        floor = min(max(half_up(floor), self.min_acu), self.max_acu)
        d = _fixed(floor, self.max_acu, n_steps)
        return Decision(
            d.floor_acu, d.max_acu, d.n_extra_readers, True, layout=PreviousLayout(writer_acu=floor)
        )


def _hourly_means(history_acu: FloatArray, first_ts: float, step_s: int, hour_s: int) -> dict[int, float]:
    """Mean load per absolute hour index (epoch-aligned), over the observed steps."""
    ok = np.isfinite(history_acu)
    hours = ((first_ts + np.arange(len(history_acu)) * step_s) // hour_s).astype(np.int64)[ok]
    if hours.size == 0:
        return {}
    base = int(hours[0])
    sums = np.bincount(hours - base, weights=history_acu[ok])
    counts = np.bincount(hours - base)
    return {base + int(i): float(sums[i] / counts[i]) for i in np.flatnonzero(counts)}


@dataclass
class PredictiveScalingPolicy:
    """EC2 / Application Auto Scaling predictive scaling applied to MinCapacity (sources: ec2-predictive).

    Source: docs.aws.amazon.com/autoscaling/application/userguide/
    aas-predictive-scaling-how-it-works.html. Every ``refresh_s`` (6 h, epoch-aligned)
    it forecasts the load metric hourly for the next 48 h from at most 14 days of
    history, and only after 24 h of data. AWS does not publish its model; ours is the
    mean of the same hour of day over the available days (ASSUMPTION: it captures the
    daily pattern that AWS says the forecast learns). Capacity per hour = forecast x the
    busier instance's share / target utilisation, launched ``scheduling_buffer_s``
    early. The forecast only ever sets the floor (max with the user's floor): it never
    scales in by itself; scale-in is left to Aurora's reactive scaler.
    """

    cfg: PredictiveScalingConfig
    busier_share: float
    target_utilisation: float
    user_floor_acu: float
    max_acu: float
    step_s: int
    name: str = "predictive-scaling"

    def _forecast(self, history_acu: FloatArray, now_ts: float) -> dict[int, float]:
        """Hourly forecast issued at the last refresh boundary at or before ``now_ts``."""
        c, hour = self.cfg, self.cfg.forecast_step_s
        issue_ts = now_ts // c.refresh_s * c.refresh_s
        n_known = len(history_acu) - round((now_ts - issue_ts) / self.step_s)
        first_ts = now_ts - len(history_acu) * self.step_s
        keep = min(n_known, c.max_history_s // self.step_s)
        past = history_acu[max(n_known - keep, 0) : max(n_known, 0)]
        start_ts = first_ts + max(n_known - keep, 0) * self.step_s
        if np.isfinite(past).sum() * self.step_s < c.min_history_s:
            return {}
        means = _hourly_means(past, start_ts, self.step_s, hour)
        per_day = 86_400 // hour
        first_hour = int(issue_ts // hour)
        out = {}
        for h in range(first_hour, first_hour + c.forecast_horizon_s // hour):
            same = [
                means[h - k * per_day]
                for k in range(1, c.max_history_s // 86_400 + 1)
                if h - k * per_day in means
            ]
            if same:
                out[h] = float(np.mean(same))
        return out

    def decide(
        self, history_acu: FloatArray, *, now: datetime, n_steps: int, previous: PreviousLayout | None
    ) -> Decision:
        """Set each step's floor from the forecast hour it falls in (plus the buffer)."""
        now_ts = now.timestamp()
        forecast = self._forecast(history_acu, now_ts)
        hour = self.cfg.forecast_step_s
        floors = np.empty(n_steps)
        for j in range(n_steps):
            h = int((now_ts + j * self.step_s + self.cfg.scheduling_buffer_s) // hour)
            need = forecast.get(h, 0.0) * self.busier_share / self.target_utilisation
            floors[j] = min(max(half_up(need), self.user_floor_acu), self.max_acu)
        return Decision(floors, self.max_acu, np.zeros(n_steps, dtype=np.int64), has_failover=True)


@dataclass
class HpaReadersPolicy:
    """Aurora Auto Scaling of the reader count: target tracking on average reader CPU.

    Source: Aurora User Guide ``Aurora.Integrating.AutoScaling.md`` (sources: aurora-ha):
    Application Auto Scaling target tracking on the average CPU of the readers, 0-15
    replicas, scale-out and scale-in cooldowns of 300 s, new replicas at tier 15. The
    writer keeps the user's fixed floor (as under ``reactive``) and the tier-1 reader
    counts as the first replica. Aurora measures CPUUtilization against MaxCapacity
    (sources: aurora-metrics), so the metric is (read load per reader) / MaxCapacity. The rule is
    HPA's (sources: hpa): desired = ceil(n x metric / target), left alone within a 10%
    tolerance. It acts on every metric sample (``decide_every_s`` = the trace step) and
    must be called in time order: it keeps its reader count and cooldown clock.
    """

    cfg: HpaReadersConfig
    read_frac: float
    user_floor_acu: float
    max_acu: float
    max_readers: int
    step_s: int
    name: str = "hpa-readers"
    decide_every_s: int = 0
    _n: int = field(default=-1, init=False)
    _last_out_s: float = field(default=-math.inf, init=False)
    _last_scale_s: float = field(default=-math.inf, init=False)

    def __post_init__(self) -> None:
        self.decide_every_s = self.step_s

    def _desired(self, load: float) -> int:
        c = self.cfg
        metric = load * self.read_frac / max(self._n, 1) / self.max_acu
        ratio = metric / c.target_cpu_frac
        if abs(ratio - 1.0) <= c.tolerance_frac:
            return self._n
        desired = math.ceil(max(self._n, 1) * ratio)
        return min(max(desired, c.min_readers), min(c.max_readers, self.max_readers))

    def decide(
        self, history_acu: FloatArray, *, now: datetime, n_steps: int, previous: PreviousLayout | None
    ) -> Decision:
        """Track the target from the last metric sample, within the cooldowns."""
        c, t = self.cfg, now.timestamp()
        if self._n < 0:
            self._n = min(c.min_readers, self.max_readers)
        observed = history_acu[np.isfinite(history_acu)]
        desired = self._desired(float(observed[-1])) if observed.size else self._n
        if desired > self._n and t - self._last_out_s >= c.scale_out_cooldown_s:
            self._n, self._last_out_s, self._last_scale_s = desired, t, t
        elif desired < self._n and t - self._last_scale_s >= c.scale_in_cooldown_s:
            self._n, self._last_scale_s = desired, t
        has_failover = self._n >= 1
        d = _fixed(self.user_floor_acu, self.max_acu, n_steps, max(self._n - 1, 0))
        return Decision(d.floor_acu, d.max_acu, d.n_extra_readers, has_failover)
