"""Map a trace series to ACU demand on a fixed UTC grid (pure, no I/O).

This module applies the demand rules (defined in :mod:`traces.rules`) and owns the
regularisation onto the ``step_s`` grid (60 s, 300 s or any positive step). It imports
nothing of ours outside ``traces``.

Worked values: 50 % at ``max_acu=16`` is 8 ACU; 20 req/s at ``acu_s_per_unit=0.1`` is
2 ACU; with ``p99_to_peak_acu`` (peak 24) a sample equal to the series' p99 is 24 ACU
and the samples above the p99 (1 % of them) exceed 24 ACU.

Grid: step ``k`` covers ``[start + k*step_s, start + (k+1)*step_s)``, where ``start``
is the first sample's timestamp floored to a multiple of ``step_s`` since the Unix
epoch. A step takes the conservative ``statistic`` (``max`` by default: a mean hides the
burst that breaches latency) of the samples inside it. A step without samples is NaN: a gauge that was not
observed is *missing*, never zero. (Count statistics such as CloudWatch ``Sum``, where
an absent datapoint can mean zero, must be filled by the caller before mapping.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal, get_args

import numpy as np
import numpy.typing as npt

from traces.errors import DemandMappingError
from traces.rules import (
    P99_PERCENTILE,
    REQUIRED_UNIT,
    AcuRule,
    DemandRule,
    P99ToPeakAcuRule,
    PercentOfMaxAcuRule,
    PerUnitRule,
    parse_demand_rule,
)
from traces.types import TraceSeries

__all__ = [
    "AcuRule",
    "DemandRule",
    "DemandSeries",
    "P99ToPeakAcuRule",
    "PercentOfMaxAcuRule",
    "PerUnitRule",
    "Statistic",
    "demand_series",
    "parse_demand_rule",
    "to_acu",
]

Statistic = Literal["max", "p95", "mean"]
"""Per-step statistic of the samples inside a step (``max`` is the default)."""

_STATISTICS: Final[tuple[str, ...]] = get_args(Statistic)


@dataclass(frozen=True, eq=False)
class DemandSeries:
    """ACU demand on a fixed UTC grid.

    Attributes:
        start: Start of step 0, timezone-aware UTC, a multiple of ``step_s`` since
            the Unix epoch.
        step_s: Step length, seconds, > 0.
        demand_acu: Demand per step, shape (n_steps,), float64, ACU; NaN where the
            step had no sample. Read-only.
        n_missing: Number of NaN steps.
    """

    start: datetime
    step_s: int
    demand_acu: npt.NDArray[np.float64]
    n_missing: int

    @property
    def n_steps(self) -> int:
        """Number of grid steps."""
        return int(self.demand_acu.shape[0])

    @property
    def ts(self) -> npt.NDArray[np.datetime64]:
        """Start of every step, shape (n_steps,), ``datetime64[s]``, UTC."""
        start = np.datetime64(int(self.start.timestamp()), "s")
        return start + np.arange(self.n_steps, dtype=np.int64) * np.timedelta64(self.step_s, "s")


def to_acu(
    series: TraceSeries,
    rule: AcuRule | PercentOfMaxAcuRule | PerUnitRule | P99ToPeakAcuRule,
) -> npt.NDArray[np.float64]:
    """Map every sample of ``series`` to ACU with ``rule`` (no regularisation).

    Args:
        series: The input series; ``series.value`` has shape (n_samples,).
        rule: The demand rule; its required input unit must match ``series.unit``.

    Returns:
        ACU per sample, shape (n_samples,), float64, >= 0.

    Raises:
        DemandMappingError: If the series is empty, the units do not match, or the
            p99 is 0 under ``p99_to_peak_acu``.
    """
    label = f"series ({series.cluster_id}, {series.signal})"
    if series.n_samples == 0:
        raise DemandMappingError(f"{label} is empty; nothing to map to demand")
    required = REQUIRED_UNIT.get(rule.rule)
    if required is not None and series.unit != required:
        raise DemandMappingError(
            f"{label} has unit {series.unit!r}; rule {rule.rule!r} needs unit {required!r}",
            field="unit",
        )
    values = series.value.astype(np.float64)
    if isinstance(rule, AcuRule):
        return values
    if isinstance(rule, PercentOfMaxAcuRule):
        return values / 100.0 * rule.max_acu
    if isinstance(rule, PerUnitRule):
        return values * rule.acu_s_per_unit
    p99 = float(np.percentile(values, P99_PERCENTILE))
    if not p99 > 0.0:
        raise DemandMappingError(f"{label} has p99 {p99!r}; rule 'p99_to_peak_acu' needs a positive p99")
    return values * (rule.peak_acu / p99)


def _reduce_bins(
    bins: npt.NDArray[np.int64], acu: npt.NDArray[np.float64], n_steps: int, statistic: Statistic
) -> npt.NDArray[np.float64]:
    """Reduce per-sample ACU into per-step values; steps without samples are NaN."""
    counts = np.bincount(bins, minlength=n_steps)
    out = np.full(n_steps, np.nan, dtype=np.float64)
    if statistic == "max":
        acc = np.full(n_steps, -np.inf, dtype=np.float64)
        np.maximum.at(acc, bins, acu)
        out[counts > 0] = acc[counts > 0]
    elif statistic == "mean":
        sums = np.bincount(bins, weights=acu, minlength=n_steps)
        out[counts > 0] = sums[counts > 0] / counts[counts > 0]
    else:  # "p95"; validated by demand_series
        order = np.argsort(bins, kind="stable")
        sorted_bins, sorted_acu = bins[order], acu[order]
        edges = np.flatnonzero(np.diff(sorted_bins)) + 1
        for group_bins, group_acu in zip(
            np.split(sorted_bins, edges), np.split(sorted_acu, edges), strict=True
        ):
            out[group_bins[0]] = np.percentile(group_acu, 95.0)
    return out


def demand_series(
    series: TraceSeries,
    *,
    step_s: int,
    rule: AcuRule | PercentOfMaxAcuRule | PerUnitRule | P99ToPeakAcuRule,
    statistic: Statistic = "max",
) -> DemandSeries:
    """Map a series to ACU demand on a fixed UTC grid of ``step_s`` seconds.

    Each step ``[start + k*step_s, start + (k+1)*step_s)`` takes ``statistic`` of the
    ACU of the samples whose ``ts`` falls inside it; ``start`` is the first sample
    floored to a multiple of ``step_s`` since the epoch, and the grid ends with the
    step holding the last sample. Steps with no sample are NaN (missing, never 0).

    Args:
        series: Input series, shape (n_samples,), strictly increasing UTC ``ts``.
        step_s: Grid step, seconds, > 0 (300 for the 5-minute traces, 60 for 1-minute
            ones; any positive step works).
        rule: How values become ACU (see the module docstring).
        statistic: ``max`` (default, conservative: a mean hides bursts), ``p95``
            (numpy ``linear`` percentile of the step's samples) or ``mean``.

    Returns:
        The demand, ``demand_acu`` of shape (n_steps,) in ACU.

    Raises:
        DemandMappingError: If ``step_s`` is not a positive int, the series is empty,
            the rule does not fit the series' unit, or ``statistic`` is unknown.

    Examples:
        >>> import numpy as np
        >>> from traces.types import TraceSeries
        >>> ts = np.array(["1970-01-01T00:00:00", "1970-01-01T00:01:00"], "datetime64[s]")
        >>> s = TraceSeries("c", "cpu", "acu", ts, np.array([1.0, 3.0]))
        >>> demand_series(s, step_s=300, rule=AcuRule()).demand_acu.tolist()
        [3.0]
    """
    if isinstance(step_s, bool) or not isinstance(step_s, int | np.integer) or step_s <= 0:
        raise DemandMappingError(f"step_s must be a positive integer number of seconds, got {step_s!r}")
    if statistic not in _STATISTICS:
        raise DemandMappingError(f"statistic {statistic!r} is not one of {_STATISTICS}")
    acu = to_acu(series, rule)
    step = int(step_s)
    seconds = series.ts.astype(np.int64)
    start_s = (int(seconds[0]) // step) * step
    bins = ((seconds - start_s) // step).astype(np.int64)
    n_steps = int(bins[-1]) + 1
    demand = _reduce_bins(bins, acu, n_steps, statistic)
    demand.flags.writeable = False
    return DemandSeries(
        start=datetime.fromtimestamp(start_s, tz=UTC),
        step_s=step,
        demand_acu=demand,
        n_missing=int(np.count_nonzero(np.isnan(demand))),
    )
