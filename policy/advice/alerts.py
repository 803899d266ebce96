"""The history's alerts of the advice: ``budget`` and the one ``max_capacity`` alert, and their order.

The forecast's alerts are :mod:`policy.advice.outlook`'s; :func:`max_capacity_alerts` folds the
forecast's ``max_capacity`` crossing into the history's alert so it carries one remedy. Pure.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from placement import MAX_ACU_LIMIT
from policy.advice.outlook import lead_words
from policy.advice.types import ALERT_KINDS, AdviceConfig, Alert, CurrentSettings, Outcome
from policy.max_capacity import over_max_capacity
from policy.quality import pinned_remedy
from policy.scaler import ScalerModel, half_ceil
from policy.settings import max_capacity_remedy
from policy.types import Pinned

FloatArray = npt.NDArray[np.float64]


def budget_alerts(outcomes: dict[str, Outcome], config: AdviceConfig) -> list[Alert]:
    """The replayed window's ``budget`` alerts: today's or the recommended settings over the budget."""
    if config.monthly_budget_usd is None:
        return []
    out = []
    for name in ("current", "recommended"):
        cost = outcomes[name].monthly_cost_usd
        if cost > config.monthly_budget_usd:
            out.append(
                Alert(
                    kind="budget",
                    value=cost,
                    limit=config.monthly_budget_usd,
                    message=f"the {name} settings cost ${cost:,.2f}/month, over the "
                    f"${config.monthly_budget_usd:,.2f} budget",
                )
            )
    return out


def _max_capacity_fix(need_acu: float, pinned: tuple[Pinned, ...], max_capacity_acu: float) -> str:
    """The one remedy of the ``max_capacity`` alert, so its facts cannot call for two different ones.

    Demand that sat at Aurora's 256-ACU limit: raise MaxCapacity to 256 ACU where it is lower,
    and offload (:func:`policy.quality.pinned_remedy`: no higher MaxCapacity exists); demand
    censored at MaxCapacity: raise it well above (``pinned_remedy``) unless the writer's
    need asks for more; else raise it to the writer's need (:func:`max_capacity_remedy`).

    Args:
        need_acu: the writer's largest need, history or forecast, ACU (0 when never above).
        pinned: the stretches at a ceiling (:func:`policy.quality.pinned_at_ceiling`).
        max_capacity_acu: MaxCapacity today, ACU.
    """
    at_limit = next((p for p in pinned if p.ceiling_acu >= MAX_ACU_LIMIT), None)
    if at_limit is not None:
        offload = pinned_remedy(at_limit)
        if max_capacity_acu >= MAX_ACU_LIMIT:
            return offload
        return (
            f"raise MaxCapacity to {MAX_ACU_LIMIT:g} ACU (max_connections follows MaxCapacity and changes "
            f"only after a reboot); {offload}"
        )
    if pinned and min(2.0 * max_capacity_acu, MAX_ACU_LIMIT) >= min(half_ceil(need_acu), MAX_ACU_LIMIT):
        return pinned_remedy(pinned[0])
    return max_capacity_remedy(need_acu, max_capacity_acu)


def max_capacity_alerts(
    demand: FloatArray,
    pinned: tuple[Pinned, ...],
    ahead: list[Alert],
    forecast_need_acu: float,
    *,
    current: CurrentSettings,
    writer_share: float,
    model: ScalerModel,
) -> list[Alert]:
    """The one ``max_capacity`` alert: the replay's shortfall, censored stretches, the forecast's crossing.

    When the history shows MaxCapacity too low (the writer's need above it in the replayed
    window, or demand sitting at a ceiling), its facts and the forecast's crossing go into
    one ``history`` alert with one remedy (:func:`_max_capacity_fix`); else the forecast's
    alert stands alone (with its lead time).

    Args:
        demand: demand over the replayed window, shape (n,), ACU, NaN where missing.
        pinned: the whole history's stretches at a ceiling.
        ahead: the forecast's ``max_capacity`` alerts (at most one).
        forecast_need_acu: the writer's largest need over the forecast, ACU.
        current: today's settings.
        writer_share: the writer's share of demand.
        model: the simulated scaler (its SLO utilisation).

    Returns:
        At most one alert.
    """
    m = current.max_capacity_acu
    over = over_max_capacity(demand, shares=(writer_share,), max_acu=m, model=model)  # the one rule
    if not over.n_over and not pinned:
        return ahead
    peak = over.peak_need_acu
    facts = []
    if over.n_over:
        facts.append(
            f"demand needed {peak:.1f} ACU on the writer at its peak, above MaxCapacity {m:g} in "
            f"{over.n_over} of {len(demand)} steps"
        )
    facts += [
        f"demand sat at {p.ceiling_acu:g} ACU for {p.hours:.1f} h of the history (from "
        f"{p.runs[0].start:%Y-%m-%d %H:%M}Z; censored there: the replayed SLO-violation minutes understate "
        "the shortfall)"
        for p in pinned
    ]
    crossing = next((a for a in ahead if a.at is not None and a.lead_time_s is not None), None)
    if crossing is not None and crossing.at is not None and crossing.lead_time_s is not None:
        facts.append(
            f"the forecast reaches MaxCapacity {m:g} again at {crossing.at:%Y-%m-%d %H:%M} UTC "
            f"(in {lead_words(round(crossing.lead_time_s / 3600))})"
        )
    need_acu = max(peak if over.n_over else 0.0, forecast_need_acu if ahead else 0.0)
    value = max(([peak] if over.n_over else []) + [p.ceiling_acu for p in pinned])
    return [
        Alert(
            kind="max_capacity",
            value=round(value, 2),
            limit=m,
            message="; ".join(facts) + f": {_max_capacity_fix(need_acu, pinned, m)}",
        )
    ]


def alert_order(alert: Alert) -> tuple[int, int, float]:
    """Alerts by kind, the history's first, then by lead time."""
    return (
        ALERT_KINDS.index(alert.kind),
        alert.source != "history",
        alert.lead_time_s if alert.lead_time_s is not None else -1.0,
    )
