"""Alerts from the forecast, with lead time: MaxCapacity, the monthly budget, max_connections.

Owns :func:`max_connections`, :func:`max_capacity_for_connections` and
:func:`forecast_alerts`. The history goes onto whole hours (demand and connections by
their maximum, for the cost by their mean) and is forecast ``horizon`` hours ahead with
the same forecaster as the plans (:func:`forecasting.forecast_demand`, backtest-chosen
model, calibrated quantiles); hourly steps keep a week-long horizon cheap. An alert
names the first forecast hour that crosses its limit and the lead time to it:

* ``max_capacity``: the writer's need at the upper quantile, ``demand x write share /
  slo_utilisation`` (the simulator's SLO rule), above MaxCapacity within the next
  :data:`CALIBRATED_H` hours; beyond them, the need at the median forecast above
  MaxCapacity within the horizon (the median needs no calibrated spread: it is the growth
  the chosen model itself sees); else a trend of the history's daily peaks of that need
  (at least :data:`MIN_TREND_DAYS` days; rising by Mann-Kendall's test at
  :data:`TREND_ALPHA`, its slope Theil-Sen's, and fitting better than one step between
  two levels by absolute deviation) that crosses MaxCapacity within
  :data:`TREND_HORIZON_DAYS` days (the forecasters' seasons repeat the recent level; this
  is the growth they leave out). A job that recurs weekly, or one step up, is no growth: a
  least-squares line through two Monday spikes or a level shift read as +0.4-0.5 ACU/day
  and a false date;
* ``budget``: the median forecast of the next :data:`CALIBRATED_H` hours, at the
  history's own step (hourly means hide the spikes a timetable's 15-minute raises are
  for, and an hourly floor would hold a 15-minute raise for the hour), replayed on the
  simulator under today's settings and under the timetable, projected to a 730-hour month
  (those hours repeated); ``at`` is when a month's budget would be spent;
* ``connections``: the upper quantile of ``DatabaseConnections`` at or above
  ``max_connections`` within the next :data:`CALIBRATED_H` hours (or already in the
  history), which Aurora derives from the memory of MaxCapacity (AWS's table below). It
  is a static parameter: a new MaxCapacity changes it only after a reboot.

``max_connections`` for Aurora Serverless v2 (Aurora User Guide, "Performance and scaling
for Aurora Serverless v2", maximum connections; sources: aurora-max-connections): by
MaxCapacity, Aurora MySQL 1: 90, 4: 135, 8: 1,000, 16: 2,000, 32: 3,000, 64: 4,000,
128: 5,000, 192: 6,000; Aurora PostgreSQL 1: 189, 4: 823, 8: 1,669, 16: 3,360, 32 and
more: 5,000; PostgreSQL with a MinCapacity of 0 or 0.5 caps it at 2,000. Between two rows
the lower row applies (conservative: an alert comes early, never late); the same table and
rule as ``traces.signals`` (which maps the signal; ``policy`` cannot import ``traces``).
UNVERIFIED beyond PostgreSQL's 189, 3,360 and 5,000, which the cited AWS article confirms.
Pure and deterministic.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy.stats import kendalltau, theilslopes

from forecasting import ForecastingError, ForecastWarning, forecast_demand
from policy.advice.types import Alert, CurrentSettings, Engine, Outlook
from policy.scaler import ScalerModel
from policy.settings import max_capacity_remedy
from policy.trace_replay.simulator import Layout, simulate
from policy.types import quantile_label

FloatArray = npt.NDArray[np.float64]

CALIBRATED_H: Final[int] = 24
"""Hours ahead the forecast alerts and the cost projection trust (module docstring): the span
the intervals' backtest errors measure; beyond it their spread is only extrapolated
(``forecasting.intervals.extend_by_sqrt``) and on bursty series the p95 of a week ahead
exceeds any load the series has shown."""

MAX_CONNECTIONS_TABLE: Final[dict[str, tuple[tuple[float, int], ...]]] = {
    "aurora-mysql": (
        (1, 90),
        (4, 135),
        (8, 1000),
        (16, 2000),
        (32, 3000),
        (64, 4000),
        (128, 5000),
        (256, 6000),
    ),
    "aurora-postgresql": ((1, 189), (4, 823), (8, 1669), (16, 3360), (32, 5000), (256, 5000)),
}
"""``max_connections`` by MaxCapacity (ACU) per engine (sources: aurora-max-connections)."""

MIN_TREND_DAYS: Final[int] = 5
"""Whole days of history a growth trend of the daily peaks needs."""

TREND_ALPHA: Final[float] = 0.05
"""Significance of the Mann-Kendall test that the daily peaks rise (Mann 1945, Kendall 1975;
``scipy.stats.kendalltau`` of the peaks against the day): the conventional 5 %."""

TREND_HORIZON_DAYS: Final[int] = 90
"""A trend crossing further ahead than this is not an alert."""

CONNECTIONS_HEADROOM: Final[float] = 1.1
"""How far ``max_connections`` must be above the peak connections (10%), for a remedy."""

POSTGRES_LOW_MIN_CAP: Final[int] = 2000
"""Aurora PostgreSQL with MinCapacity 0 or 0.5 caps ``max_connections`` here (sources:
aurora-max-connections)."""


def max_connections(engine: Engine, max_capacity_acu: float, min_capacity_acu: float = 1.0) -> int:
    """``max_connections`` Aurora sets for a capacity range.

    Args:
        engine: ``aurora-postgresql`` or ``aurora-mysql``.
        max_capacity_acu: MaxCapacity, ACU (1-256).
        min_capacity_acu: MinCapacity, ACU (PostgreSQL caps at 2,000 when it is 0 or 0.5).

    Returns:
        The connection limit: the table's row at or below ``max_capacity_acu`` (the first
        row below 1 ACU).
    """
    rows = MAX_CONNECTIONS_TABLE[engine]
    value = rows[0][1]
    for acu, limit in rows:
        if acu <= max_capacity_acu:
            value = limit
    if engine == "aurora-postgresql" and min_capacity_acu <= 0.5:
        value = min(value, POSTGRES_LOW_MIN_CAP)
    return value


def max_capacity_for_connections(engine: Engine, connections: float, min_capacity_acu: float) -> float | None:
    """The smallest MaxCapacity (0.5 grid) whose ``max_connections`` exceeds ``connections``, or None."""
    for half in range(2, 513):
        if max_connections(engine, half / 2, min_capacity_acu) > connections:
            return half / 2
    return None


def hourly(values: FloatArray, step_s: int, how: str) -> FloatArray:
    """The last whole hours of ``values`` (ending with the series) by max or mean; NaN-free hours only.

    A step of an hour or more is taken as is. An hour with no finite step is NaN.
    """
    per = max(3600 // step_s, 1)
    n = len(values) // per * per
    blocks = values[len(values) - n :].reshape(-1, per)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN hours stay NaN
        out = np.nanmax(blocks, axis=1) if how == "max" else np.nanmean(blocks, axis=1)
    return np.asarray(out, dtype=np.float64)


def _forecast(series: FloatArray, horizon: int, quantile: float) -> tuple[FloatArray, str, tuple[str, ...]]:
    """Hourly forecast rows (p50, upper) of a series; the model and its warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForecastWarning)
        fc = forecast_demand(series, step_s=3600, horizon=horizon, quantiles=(0.5, quantile))
    return np.asarray(fc.demand_acu, dtype=np.float64), fc.model, tuple(fc.warnings)


def _median_ahead(demand: FloatArray, step_s: int, n_steps: int) -> FloatArray:
    """The p50 forecast of the next ``n_steps`` steps of ``demand`` at its own step, shape (n_steps,), ACU."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForecastWarning)
        fc = forecast_demand(demand, step_s=step_s, horizon=n_steps, quantiles=(0.5,))
    return np.asarray(fc.demand_acu[0], dtype=np.float64)


def lead_words(hours: int) -> str:
    """A lead time in words: ``9 h`` below two days, else ``2.5 days``."""
    return f"{hours} h" if hours < 48 else f"{hours / 24:.1f} days"


def _monthly_cost(
    load: FloatArray,
    floors: FloatArray,
    *,
    step_s: int,
    max_acu: float,
    n_extra: int,
    has_failover: bool,
    read_frac: float,
    model: ScalerModel,
    price: float,
) -> float:
    """Replay a load under per-step floors (both shape (n,), ACU); USD per 730-hour month."""
    n = len(load)
    layout = Layout(
        floor_acu=floors,
        max_acu=np.full(n, max_acu),
        n_extra_readers=np.full(n, n_extra, dtype=np.int64),
        has_failover=has_failover,
    )
    sim = simulate(
        load, layout, step_s=step_s, read_frac=read_frac, scaler=model, price_usd_per_acu_hour=price
    )
    return sim.cost_usd / (n * step_s / 3600.0) * 730.0


def forecast_alerts(
    demand: FloatArray,
    *,
    end: datetime,
    step_s: int,
    current: CurrentSettings,
    read_frac: float,
    price_usd_per_acu_hour: float,
    model: ScalerModel,
    recommended_floors: FloatArray,
    horizon_s: int,
    quantile: float,
    monthly_budget_usd: float | None,
    connections: FloatArray | None = None,
) -> tuple[list[Alert], Outlook]:
    """Forecast the hours after the history and raise the alerts they cross.

    Args:
        demand: the demand history, shape (n,), ACU, NaN for missing steps; ends at ``end``.
        end: the end of the history (UTC).
        step_s: its step, seconds.
        current: today's settings (MaxCapacity, floor, readers, engine).
        read_frac: the read share of demand (the writer's share is the rest when there
            are readers).
        price_usd_per_acu_hour: the ACU-hour price.
        model: the simulated scaler (with today's ``SecondsUntilAutoPause``).
        recommended_floors: the timetable's floor at each step of ``step_s`` from ``end``
            over at least the next :data:`CALIBRATED_H` hours, shape (>= CALIBRATED_H x
            3600 // step_s,), ACU.
        horizon_s: how far ahead, seconds (whole hours).
        quantile: the upper quantile compared to MaxCapacity and ``max_connections``.
        monthly_budget_usd: the budget, or None.
        connections: ``DatabaseConnections`` on the same grid as ``demand``, or None.

    Returns:
        (the alerts, the :class:`~policy.advice.types.Outlook`).
    """
    horizon = horizon_s // 3600
    alerts: list[Alert] = []
    peak = hourly(demand, step_s, "max")
    rows, fc_model, notes = _forecast(peak, horizon, quantile)
    share = 1.0 - read_frac if current.readers else 1.0
    need = rows[1] * share / model.slo_utilisation
    q = quantile_label(quantile)
    median_need = rows[0] * share / model.slo_utilisation
    over = np.flatnonzero(need[:CALIBRATED_H] > current.max_capacity_acu)
    later = np.flatnonzero(median_need[CALIBRATED_H:] > current.max_capacity_acu)
    if over.size:
        alerts.append(_crossing_alert(need, int(over[0]), f"the {q}", end, current))
    elif later.size:  # the median needs no calibrated spread; the growth the model itself sees
        alerts.append(_crossing_alert(median_need, CALIBRATED_H + int(later[0]), "the median", end, current))
    else:
        alerts += _trend_alert(peak, share=share, model=model, current=current, end=end, horizon=horizon)
    n = max(1, CALIBRATED_H * 3600 // step_s)
    load = _median_ahead(demand, step_s, n)
    common = {"step_s": step_s, "max_acu": current.max_capacity_acu, "read_frac": read_frac, "model": model}
    projected = {
        "current": _monthly_cost(
            load,
            np.full(n, current.min_capacity_acu),
            n_extra=current.n_scaling_readers,
            has_failover=current.has_failover,
            price=price_usd_per_acu_hour,
            **common,  # type: ignore[arg-type]
        ),
        "recommended": _monthly_cost(  # the timetable with one tier-1 reader, as replayed
            load,
            np.asarray(recommended_floors[:n], dtype=np.float64),
            n_extra=0,
            has_failover=True,
            price=price_usd_per_acu_hour,
            **common,  # type: ignore[arg-type]
        ),
    }
    if monthly_budget_usd is not None:
        for name, cost in projected.items():
            if cost <= monthly_budget_usd:
                continue
            hours = round(monthly_budget_usd / cost * 730.0 * 60.0) / 60.0  # whole minutes
            at = end + timedelta(hours=hours)
            alerts.append(
                Alert(
                    kind="budget",
                    source="forecast",
                    at=at,
                    lead_time_s=round(hours * 3600.0, 1),
                    value=round(cost, 2),
                    limit=monthly_budget_usd,
                    message=f"at the median demand forecast the {name} settings cost ${cost:,.2f} per month "
                    f"(the next {n * step_s / 3600.0:g} hours projected), "
                    f"over the ${monthly_budget_usd:,.2f} budget: "
                    f"a month's budget is spent by {at:%Y-%m-%d %H:%M} UTC (in {lead_words(int(hours))})",
                )
            )
    limit = conn_peak = None
    if connections is not None:
        limit = max_connections(current.engine, current.max_capacity_acu, current.min_capacity_acu)
        conn_hourly = hourly(np.asarray(connections, dtype=np.float64), step_s, "max")
        alerts += _connection_alerts(
            conn_hourly, end=end, horizon=horizon, quantile=quantile, current=current, limit=limit
        )
        if np.any(np.isfinite(conn_hourly)):
            conn_rows, _, _ = _forecast(conn_hourly, horizon, quantile)
            conn_peak = round(float(conn_rows[1].max()), 1)
    days = max(len(need) // 24, 1)
    outlook = Outlook(
        start=end,
        horizon_h=horizon,
        quantile=quantile,
        forecast_model=fc_model,
        writer_need_acu=tuple(round(float(x), 2) for x in need[: days * 24].reshape(days, -1).max(axis=1)),
        projected_monthly_cost_usd={k: round(v, 2) for k, v in projected.items()},
        max_connections=limit,
        connections_peak=conn_peak,
        warnings=notes,
    )
    return alerts, outlook


def _crossing_alert(need: FloatArray, h: int, which: str, end: datetime, current: CurrentSettings) -> Alert:
    """The ``max_capacity`` alert of a forecast need (hourly, ACU) first above MaxCapacity at hour ``h``."""
    at = end + timedelta(hours=h)
    return Alert(
        kind="max_capacity",
        source="forecast",
        at=at,
        lead_time_s=h * 3600.0,
        value=round(float(need[h]), 2),
        limit=current.max_capacity_acu,
        message=f"{which} demand forecast needs {need[h]:.1f} ACU on the writer at "
        f"{at:%Y-%m-%d %H:%M} UTC (in {lead_words(h)}), above MaxCapacity {current.max_capacity_acu:g}; "
        f"before then: {max_capacity_remedy(float(need.max()), current.max_capacity_acu)}",
    )


def _trend_alert(
    peak: FloatArray,
    *,
    share: float,
    model: ScalerModel,
    current: CurrentSettings,
    end: datetime,
    horizon: int,
) -> list[Alert]:
    """MaxCapacity reached beyond the trusted forecast hours by the growth of the daily peaks, or nothing."""
    need = _daily_need(peak, share, model)
    days = len(need)
    if days < MIN_TREND_DAYS:
        return []
    ok = np.isfinite(need)
    if ok.sum() < MIN_TREND_DAYS:
        return []
    x, y = np.arange(days, dtype=np.float64)[ok], need[ok]
    tau = kendalltau(x, y, alternative="greater")
    if not tau.pvalue < TREND_ALPHA:  # NaN (all peaks equal) is no trend either
        return []
    fit = theilslopes(y, x)  # Sen 1968: the median pairwise slope, robust to a day's spike
    slope, intercept = float(fit[0]), float(fit[1])
    if slope <= 0 or _step_deviation(y) <= float(np.sum(np.abs(y - (intercept + slope * x)))):
        return []  # a step between two levels fits at least as well: a level shift, not growth
    ahead = (current.max_capacity_acu - intercept) / slope - (days - 1)  # days after the last day
    if not min(horizon, CALIBRATED_H) / 24 <= ahead <= TREND_HORIZON_DAYS:
        return []
    hours = int(np.ceil(ahead * 24))
    at = end + timedelta(hours=hours)
    return [
        Alert(
            kind="max_capacity",
            source="forecast",
            at=at,
            lead_time_s=hours * 3600.0,
            value=round(intercept + slope * (days - 1), 2),
            limit=current.max_capacity_acu,
            message=f"the writer's daily peak need grows {slope:+.2f} ACU/day over the last {days} days "
            f"(Theil-Sen slope of the daily peaks; Mann-Kendall p = {tau.pvalue:.2g}); at that rate it "
            f"reaches MaxCapacity {current.max_capacity_acu:g} around {at:%Y-%m-%d} (in "
            f"{lead_words(hours)}): raise MaxCapacity before then or confirm the growth",
        )
    ]


def _daily_need(peak: FloatArray, share: float, model: ScalerModel) -> FloatArray:
    """The writer's peak need per whole day (the last ``len(peak) // 24``), ACU, NaN for a day unseen.

    ``peak`` holds the hourly maxima of demand, shape (h,); the result has shape (h // 24,).
    """
    days = len(peak) // 24
    daily = peak[len(peak) - days * 24 :].reshape(days, 24)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmax(daily, axis=1) * share / model.slo_utilisation, dtype=np.float64)


MIN_RISING_DAYS: Final[int] = 3
"""Days of daily peaks that rose every day before a history too short for the trend test
(:data:`MIN_TREND_DAYS`) is said to rise: by chance n peaks rise in order with probability
1/n!, 1 in 6 for 3 days, so fewer say nothing. ASSUMPTION."""

RISING_FACTOR: Final[float] = 1.2
"""The last day's peak need over the first's before a rise is worth a sentence. ASSUMPTION:
a fifth more load is growth a sizing should know of; less is a busier day."""


def untested_growth_note(
    demand: FloatArray, *, step_s: int, read_frac: float, current: CurrentSettings, model: ScalerModel
) -> list[str]:
    """Say that the daily peaks rose every day of a history too short to test for growth.

    The trend alert (Mann-Kendall over the daily peaks) needs :data:`MIN_TREND_DAYS` days:
    with fewer, a need rising every day (at least :data:`MIN_RISING_DAYS` days, by at least
    :data:`RISING_FACTOR` in all) goes unmentioned while MaxCapacity and the purchase options
    are sized to it (QA 73 #5: 1 to 31 ACU over 4 days, MaxCapacity advised 20.5 ACU).

    Args:
        demand: the whole history's demand, shape (n,), ACU, NaN where missing.
        step_s: step length, seconds.
        read_frac: the read share (the writer's share of demand, as the trend alert takes it).
        current: today's settings (its readers: the writer's share).
        model: the simulated scaler (its SLO utilisation).

    Returns:
        One sentence, or none.
    """
    share = 1.0 - read_frac if current.readers else 1.0
    need = _daily_need(hourly(demand, step_s, "max"), share, model)
    days = len(need)
    if not MIN_RISING_DAYS <= days < MIN_TREND_DAYS or not np.all(np.isfinite(need)):
        return []
    if not (np.all(np.diff(need) > 0) and need[-1] >= RISING_FACTOR * need[0]):
        return []
    return [
        f"the writer's daily peak need rose on each of the last {days} whole days ({need[0]:.3g} to "
        f"{need[-1]:.3g} ACU), too few days to test for growth (the trend test takes {MIN_TREND_DAYS}): "
        "if it keeps rising, a MaxCapacity or a purchase sized to these days falls short; advise again "
        "with a few more days"
    ]


def _step_deviation(y: FloatArray) -> float:
    """The least absolute deviation of one step between two levels (each its median) through ``y``.

    Absolute, not squared, as Theil-Sen's line it is compared with: a day's spike weighs on
    both fits alike instead of deciding between them. ``y`` has shape (n,), n >= 2.
    """
    return min(
        float(np.sum(np.abs(y[:k] - np.median(y[:k]))) + np.sum(np.abs(y[k:] - np.median(y[k:]))))
        for k in range(1, len(y))
    )


def _remedy(current: CurrentSettings, peak: float) -> str:
    """What to do when ``peak`` connections meet ``max_connections``."""
    fix = max_capacity_for_connections(current.engine, peak * CONNECTIONS_HEADROOM, current.min_capacity_acu)
    if fix is not None and fix > current.max_capacity_acu:
        return (
            f"raise MaxCapacity to {fix:g} ACU (max_connections is static: the new value applies after a "
            "reboot) or pool connections (e.g. RDS Proxy)"
        )
    low_min = current.engine == "aurora-postgresql" and current.min_capacity_acu <= 0.5
    return (
        "raise MinCapacity to 1 ACU or more (PostgreSQL caps max_connections at 2,000 below that) or pool "
        "connections (e.g. RDS Proxy); a new max_connections applies after a reboot"
        if low_min
        else "pool connections (e.g. RDS Proxy): no MaxCapacity allows that many"
    )


def _connection_alerts(
    conn: FloatArray, *, end: datetime, horizon: int, quantile: float, current: CurrentSettings, limit: int
) -> list[Alert]:
    """``max_connections`` reached in the history, or by the forecast's upper quantile."""
    if not np.any(np.isfinite(conn)):
        return []
    hist = float(np.nanmax(conn))
    if hist >= limit:
        return [
            Alert(
                kind="connections",
                source="history",
                value=round(hist, 1),
                limit=float(limit),
                message=f"DatabaseConnections reached {hist:,.0f}, at max_connections {limit:,} for "
                f"MaxCapacity {current.max_capacity_acu:g} ACU ({current.engine}): {_remedy(current, hist)}",
            )
        ]
    try:
        rows, _, _ = _forecast(conn, horizon, quantile)
    except ForecastingError:
        return []
    over = np.flatnonzero(rows[1][:CALIBRATED_H] >= limit)
    if not over.size:
        return []
    h = int(over[0])
    at = end + timedelta(hours=h)
    remedy = _remedy(current, float(rows[1].max()))
    return [
        Alert(
            kind="connections",
            source="forecast",
            at=at,
            lead_time_s=h * 3600.0,
            value=round(float(rows[1][h]), 1),
            limit=float(limit),
            message=f"the {quantile_label(quantile)} forecast of DatabaseConnections reaches "
            f"{rows[1][h]:,.0f} at {at:%Y-%m-%d %H:%M} UTC (in {lead_words(h)}), at max_connections "
            f"{limit:,} for MaxCapacity {current.max_capacity_acu:g} ACU ({current.engine}): {remedy}",
        )
    ]
