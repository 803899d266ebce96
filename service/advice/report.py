"""Present an :class:`~policy.advice.types.Advice`: the terminal table, the JSON, one HTML page.

Owns :func:`advice_table`, :func:`advice_document` and :func:`advice_html`. The table and
the page open with one comparison (today's settings, today's bill from the observed capacity
when the input has one, what to apply, acuplan re-planning live, the perfect-foresight
bound: monthly cost and SLO-violation minutes, in the region and at the rate the caption names),
then what to set (the timetable, as EventBridge Scheduler commands and Terraform), how to
buy the capacity, the reader's promotion tier, auto-pause and alerts. The page is one
self-contained file (the plot is a PNG data URI; matplotlib's Agg backend, no display).
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import numpy as np
from rich.table import Table

from policy.advice.types import Advice
from service.advice.scheduler import scheduler_commands, scheduler_terraform

ROWS: tuple[tuple[str, str], ...] = (
    ("current", "your settings today"),
    ("recommended", "what to apply"),
    ("acuplan", "acuplan re-planning live"),
    ("bound", "perfect-foresight bound"),
)
"""The comparison's rows: the Advice attribute and its label."""


def saving_words(saving_usd_per_month: float) -> str:
    """``saving 1,178.72 USD/month against today``, or ``costs 91.41 USD/month more than today``."""
    if saving_usd_per_month < 0:
        return f"costs {-saving_usd_per_month:,.2f} USD/month more than today"
    return f"saving {saving_usd_per_month:,.2f} USD/month against today"


OBSERVED_LABEL = "observed today"
"""The row of today's bill from the observed capacity metric (only when the input has one)."""


def _observed_row(advice: Advice) -> list[str]:
    """Today's bill from the observed capacity: its cost, its difference from the simulated today's."""
    o = advice.observed
    assert o is not None
    pct = "" if o.difference_pct is None else f"{o.difference_pct:+.0f}%"
    plural = "s" if o.instances != 1 else ""
    return [
        OBSERVED_LABEL,
        f"{o.monthly_cost_usd:,.2f}",
        pct,
        "",
        "",
        f"capacity metric x {o.instances} instance{plural}",
    ]


def pricing_words(advice: Advice) -> str:
    """``us-east-1, $0.12 per ACU-hour``: the region and rate every dollar figure uses ("" if unknown)."""
    p = advice.pricing
    return "" if p is None else f"{p.region}, ${p.serverless_standard_usd_per_acu_hour:g} per ACU-hour"


def _comparison(advice: Advice) -> list[list[str]]:
    today = advice.current.monthly_cost_usd
    out = []
    for key, label in ROWS:
        if key == "recommended" and advice.observed is not None:  # next to the simulated today
            out.append(_observed_row(advice))
        o = getattr(advice, key)
        change = (o.monthly_cost_usd - today) / today if today > 0 else 0.0
        out.append(
            [
                label,
                f"{o.monthly_cost_usd:,.2f}",
                ("0%" if abs(change) < 0.005 else f"{change:+.0%}") if key != "current" else "",
                f"{o.slo_violation_min:g}",
                f"{o.p99_latency_ms:g}",
                o.settings,
            ]
        )
    return out


HEADERS = ("", "USD / month", "vs today", "SLO-violation min", "p99 ms", "settings")


def timetable_rows(advice: Advice) -> list[list[str]]:
    """The timetable's entries as rows: days, time (with the zone unless UTC), MinCapacity, cron.

    Args:
        advice: the advice; its ``schedule``.

    Returns:
        One row of four strings per entry, in the timetable's order, e.g.
        ``["MON,TUE,WED,THU,FRI", "08:45 Europe/Berlin", "8.5", "cron(45 8 ? * MON-FRI *)"]``;
        an hourly timetable's ``["every hour", "hh:45", "8.5", "cron(45 * ? * * *)"]``.
    """
    zone = advice.schedule.timezone
    return [
        [
            "every hour" if x.every_hour else ",".join(x.weekdays) if len(x.weekdays) < 7 else "every day",
            (f"hh:{x.at_minute:02d}" if x.every_hour else f"{x.at_minute // 60:02d}:{x.at_minute % 60:02d}")
            + ("" if zone == "UTC" else f" {zone}"),
            f"{x.min_capacity_acu:g}",
            x.cron,
        ]
        for x in advice.schedule.entries
    ]


def advice_table(advice: Advice) -> Table:
    """The opening comparison as a rich table (the CLI prints it).

    Args:
        advice: the advice.

    Returns:
        A table titled with the cluster and the replayed window.
    """
    days = (advice.window_until - advice.window_from).total_seconds() / 86_400
    priced = pricing_words(advice)
    table = Table(
        title=f"{advice.cluster_id}: {days:.1f} days replayed ({advice.ramp_profile} ramp profile)",
        caption=f"{saving_words(advice.savings_usd_per_month)}"
        + (f" ({priced})" if priced else "")
        + f"; SLO-violation minutes are totals over the {days:.1f} replayed days",
    )
    for h in HEADERS:
        table.add_column(h, justify="left" if h in ("", "settings") else "right", overflow="fold")
    for row in _comparison(advice):
        table.add_row(*row)
    return table


def advice_document(advice: Advice) -> dict[str, Any]:
    """The advice as JSON-ready data, with the timetable rendered for EventBridge Scheduler.

    Args:
        advice: the advice.

    Returns:
        ``advice.model_dump(mode="json")`` plus ``scheduler``: ``commands`` (AWS CLI; none
        when ``advice.keeps_today``: nothing to change), ``terraform`` (HCL) and
        ``secondaries`` (per global-database secondary: its region, cluster identifier,
        commands with ``--region`` and Terraform on a provider aliased to the region; no
        entries when it keeps its settings). Nothing is executed.
    """
    doc = advice.model_dump(mode="json")
    doc["scheduler"] = {
        # today's own settings: nothing to run (a modify-db-cluster to the same values changes nothing)
        "commands": [] if advice.keeps_today else scheduler_commands(advice.schedule, advice.cluster_id),
        "terraform": scheduler_terraform(advice.schedule, advice.cluster_id),
        "secondaries": [
            {
                "region": s.region,
                "cluster_identifier": s.cluster_identifier,
                "commands": scheduler_commands(s.schedule, s.cluster_identifier, region=s.region),
                "terraform": scheduler_terraform(s.schedule, s.cluster_identifier, region=s.region),
            }
            for s in advice.secondaries
        ],
    }
    return doc


def _plot(advice: Advice) -> str:
    """Demand, MinCapacity and capacity today and under the timetable, as a PNG data URI.

    Loads matplotlib (the ``bench`` extra) here, so the table and JSON need none.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = advice.series
    first = np.datetime64(int(s.start.timestamp()), "s")
    hours = first + np.arange(len(s.demand_max_acu)) * np.timedelta64(3600, "s")
    fig, ax = plt.subplots(figsize=(11, 4.2), dpi=100)
    ax.plot(hours, s.demand_max_acu, color="#444444", lw=0.8, label="demand (hourly max)")
    ax.plot(hours, s.current_capacity_acu, color="#d62728", lw=1.0, label="cluster capacity, your settings")
    ax.step(
        hours, s.current_floor_acu, where="post", color="#d62728", ls="--", lw=1.0, label="MinCapacity today"
    )
    ax.plot(hours, s.recommended_capacity_acu, color="#1f77b4", lw=1.0, label="cluster capacity, timetable")
    ax.step(
        hours,
        s.recommended_floor_acu,
        where="post",
        color="#1f77b4",
        ls="--",
        lw=1.0,
        label="MinCapacity, timetable (per instance)",
    )
    ax.set_ylabel("ACU")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _html_table(headers: tuple[str, ...] | list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def advice_html(advice: Advice) -> str:
    """The advice as one self-contained HTML page.

    Args:
        advice: the advice.

    Returns:
        The page (UTF-8 text).
    """
    doc = advice_document(advice)
    e = html.escape
    options = [
        [o.name, f"{o.monthly_cost_usd:,.2f}", o.instance_class or "", "yes" if o.estimate else "", o.basis]
        for o in advice.purchase_options
    ]
    entries = timetable_rows(advice)
    tiers = [
        [f"tier {t.promotion_tier}", f"{t.monthly_cost_usd:,.2f}", f"{t.extra_recovery_s_p95:g}"]
        for t in advice.tiers
    ]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>acuplan advice: {e(advice.cluster_id)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
        "font-size:13px}th{background:#eee}pre{background:#f6f6f6;padding:8px;overflow-x:auto;"
        "font-size:12px}</style></head><body>",
        f"<h1>{e(advice.cluster_id)}</h1>",
        f"<p>Replayed {advice.window_from:%Y-%m-%d %H:%M} to {advice.window_until:%Y-%m-%d %H:%M} UTC on one "
        f"simulator of Aurora Serverless v2 ({e(advice.ramp_profile)} ramp profile): "
        f"<b>{e(saving_words(advice.savings_usd_per_month))}</b>"
        + (f" ({e(pricing_words(advice))})" if advice.pricing else "")
        + ".</p>",
        _html_table(list(HEADERS), _comparison(advice)),
        "<ul>" + "".join(f"<li>{e(r)}</li>" for r in advice.reasons) + "</ul>",
        f"<img alt='demand, MinCapacity and capacity' src='{_plot(advice)}'>",
        f"<h2>What to apply: the MinCapacity schedule ({e(advice.schedule.kind)}, "
        f"{e(advice.schedule.timezone)})</h2>",
        _html_table(["days", "at", "MinCapacity ACU", "EventBridge expression"], entries),
        "<h3>AWS CLI (nothing is executed)</h3><pre>"
        + e("\n".join(doc["scheduler"]["commands"]) or "nothing to change: keep today's settings")
        + "</pre>",
        "<h3>Terraform</h3><pre>" + e(doc["scheduler"]["terraform"]) + "</pre>",
        "<h2>Buying the capacity</h2>",
        f"<p><b>{e(advice.cheapest_way)}</b></p>" if advice.cheapest_way else "",
        f"<p>{e(advice.break_even)}.</p>",
        _html_table(["option", "USD / month", "class", "estimate", "how"], options),
        "<h2>The failover reader's promotion tier</h2>",
        _html_table(["reader", "USD / month", "extra recovery after a failover, s (p95)"], tiers),
        "<h2>Auto-pause</h2>",
        f"<p>{e(advice.auto_pause.reason)}.</p>",
    ]
    if advice.floor_binds_for_nothing:
        parts.append(f"<h2>Today's floor</h2><p>{e(advice.floor_binds_for_nothing)}.</p>")
    parts.append("<h2>Alerts</h2>")
    parts.append(
        "<ul>" + "".join(f"<li>{e(a.kind)}: {e(a.message)}</li>" for a in advice.alerts) + "</ul>"
        if advice.alerts
        else "<p>None.</p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)
