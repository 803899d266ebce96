"""Write a bench result for an Aurora user: one opening table, per-trace detail, plots, JSON, HTML.

Owns :func:`write_report`, :func:`summary_table`, :func:`markdown` and the plots. The
Markdown and the HTML page open with the same table: per trace and ramp profile, Aurora
alone at your floor (``reactive``) against acuplan in USD and SLO-violation minutes, the
perfect-foresight bound, and what dominates acuplan. Peers are named by what they are
(:data:`DISPLAY_NAMES`); the JSON keeps the policy ids. Plots use matplotlib's Agg backend
(no display); the HTML page embeds the PNGs as base64 data URIs, so it is one
self-contained file.
"""

from __future__ import annotations

import base64
import html
import io
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402
from PIL import Image  # noqa: E402
from rich.table import Table  # noqa: E402

from policy import ClusterSpec, HpaReadersConfig, ReplayConfig  # noqa: E402
from policy.scaler import MIN_RUNNING_ACU  # noqa: E402
from policy.trace_replay.apply import user_floor  # noqa: E402
from policy.trace_replay.posture import quantile_counts  # noqa: E402

if TYPE_CHECKING:
    from policy.trace_replay.run import PolicyRun
    from service.bench.run import BenchResult

Rows = list[list[str]]
"""A table's body: rows of cells, already formatted."""

DISPLAY_NAMES: dict[str, str] = {
    "reactive": "Aurora alone (your MinCapacity)",
    "static-peak": "static at the trace's peak (hindsight)",
    "vpa": "Kubernetes VPA-style floor (p90 +15%)",
    "predictive-scaling": "EC2 predictive-scaling style",
    "hpa-readers": "Aurora Auto Scaling of readers",
    "acuplan": "acuplan",
    "bound": "perfect-foresight bound",
}
"""What each policy id is, in the words of an Aurora user (the JSON keeps the ids)."""

COLOURS: dict[str, str] = {
    "reactive": "#d62728",
    "static-peak": "#7f7f7f",
    "vpa": "#9467bd",
    "predictive-scaling": "#ff7f0e",
    "hpa-readers": "#8c564b",
    "acuplan": "#1f77b4",
    "bound": "#2ca02c",
}

CHECK_TEXT: dict[str, str] = {
    "not_dominated": "not dominated",
    "cost_vs_reactive": "cost <= 1.02x Aurora alone",
    "slo_share_of_reactive": "SLO <= 20% of Aurora alone",
    "cost_vs_bound": "cost <= 1.25x bound",
}
"""Short text of each target check (``policy.trace_replay.scoreboard``)."""

MISSED_TEXT: dict[str, str] = {
    "not_dominated": "dominated",
    "cost_vs_reactive": "cost > 1.02x Aurora alone",
    "slo_share_of_reactive": "SLO > 20% of Aurora alone",
    "cost_vs_bound": "cost > 1.25x bound",
}
"""What a missed check was, for the opening table (``NOT met: dominated``, not ``not dominated``)."""

ZOOM_HALF_WIDTH_S = 3 * 3600
"""The capacity plot's zoom panel shows 3 h either side of the worst event."""


def display_name(label: str) -> str:
    """A point's label in words: ``reactive@2`` -> ``Aurora alone at MinCapacity 2``."""
    if label in DISPLAY_NAMES:
        return DISPLAY_NAMES[label]
    policy, _, value = label.partition("@")
    if policy == "reactive":
        return f"Aurora alone at MinCapacity {value}"
    if policy == "vpa":
        return f"VPA-style floor (p{float(value) * 100:g} +15%)"
    if policy == "predictive-scaling":
        return f"predictive-scaling style ({float(value) * 100:g}% target)"
    if policy == "acuplan":
        return f"acuplan at risk p{float(value.removeprefix('q')) * 100:g}"
    return label


def _usd(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _pct(value: float | None) -> str:
    """A share to 0.1 % (the 20 % target must not read as met at 20.1 %)."""
    return "-" if value is None else f"{value:.1%}"


def _change(value: float | None) -> str:
    return "-" if value is None else f"{value - 1.0:+.1%}"


def _min(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _dominators(labels: Sequence[str], limit: int = 2) -> str:
    if not labels:
        return "none"
    shown = ", ".join(labels[:limit])
    return shown + (f" (+{len(labels) - limit} more)" if len(labels) > limit else "")


def _span_days(trace: dict[str, Any]) -> float:
    """The scored window's length, days: the costs and minutes are totals over it."""
    span = datetime.fromisoformat(trace["scored_until"]) - datetime.fromisoformat(trace["scored_from"])
    return span.total_seconds() / 86_400


def _days(trace: dict[str, Any]) -> str:
    return f"{_span_days(trace):.1f}"


def _per_day(count: int | None, trace: dict[str, Any]) -> str:
    days = _span_days(trace)
    return "-" if count is None or days <= 0 else f"{count / days:,.1f}"


def _your_floor(config: ReplayConfig, trace: dict[str, Any]) -> str:
    """The fixed MinCapacity Aurora alone ran at on this trace, ACU (the replay's own rule)."""
    return f"{user_floor(ClusterSpec.model_validate(trace['cluster']), config):g}"


def _sections(trace: dict[str, Any], profiles: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    """(profile, {policies, frontier, targets}) for each profile the trace was scored at."""
    out = [(profiles[0], trace)]
    out += [(p, trace["profiles"][p]) for p in profiles[1:] if p in trace.get("profiles", {})]
    return out


def _verdict(t: dict[str, Any]) -> str:
    if t.get("met") is None:
        return "not judged"
    if t["met"]:
        return "met (dominance only)" if list(t.get("applicable", ())) == ["not_dominated"] else "met"
    failed = [MISSED_TEXT[k] for k, ok in t["checks"].items() if not ok]
    return "NOT met: " + "; ".join(failed)


SAME_COST = 0.01
"""Relative cost difference the verdict calls "the same" as Aurora alone (the 1% of ``dominated_by``)."""


def verdict_text(doc: dict[str, Any]) -> str:
    """The "in short" paragraph under the opening table: acuplan against Aurora alone.

    Per (trace, ramp profile) pair with both runs, acuplan is cheaper, the same (within
    :data:`SAME_COST`) or dearer than Aurora alone at your floor; for the dearer pairs it
    gives the range of the cost change and of acuplan's share of Aurora alone's SLO minutes.
    Then the targets met, and how many of those pairs were judged on dominance alone (Aurora
    alone had some SLO minutes, fewer than the 5 that bring in the 20%-share target), where
    "met" only means that no peer point is cheaper at no more minutes. '' without pairs.
    """
    cheaper: list[str] = []
    same: list[str] = []
    dearer: list[tuple[str, float, float | None]] = []
    met = judged = dominance_only = 0
    for name, trace in doc["traces"].items():
        for prof, sec in _sections(trace, doc["ramp_profiles"]):
            r, a, t = sec["policies"].get("reactive"), sec["policies"].get("acuplan"), sec["targets"]
            if t.get("met") is not None:
                judged += 1
                met += bool(t["met"])
                dominance_only += bool(t["met"]) and t.get("applicable") == ["not_dominated"]
            if r is None or a is None or r["cost_usd"] <= 0:
                continue
            change = a["cost_usd"] / r["cost_usd"] - 1.0
            label = f"{name} ({prof})"
            if change < -SAME_COST:
                cheaper.append(label)
            elif change <= SAME_COST:
                same.append(label)
            else:
                dearer.append((label, change, a.get("slo_share_of_reactive")))
    pairs = len(cheaper) + len(same) + len(dearer)
    if not pairs:
        return ""
    text = (
        f"Of {pairs} (trace, ramp profile) pairs, acuplan costs less than Aurora alone at "
        f"your floor on {len(cheaper)}, the same (within {SAME_COST:.0%}) on {len(same)} and more on "
        f"{len(dearer)}"
    )
    if dearer:
        changes = [c for _, c, _ in dearer]
        shares = [s for _, _, s in dearer if s is not None]
        text += f" ({_change(1.0 + min(changes))} to {_change(1.0 + max(changes))}"
        if shares:
            text += (
                f", for {_pct(min(shares))} to {_pct(max(shares))} of Aurora alone's SLO-violation minutes"
            )
        text += ": " + ", ".join(label for label, _, _ in dearer) + ")"
    text += f". Targets met on {met} of {judged} judged pairs"
    if dominance_only:
        text += (
            f"; {dominance_only} of those were judged on dominance alone (Aurora alone had fewer than 5 "
            'SLO-violation minutes), where "met" only says no peer point costs 1% less for no more minutes'
        )
    return _lowest_floor_words(doc, cheaper) + text + "."


def _lowest_floor_words(doc: dict[str, Any], cheaper: list[str]) -> str:
    """Why acuplan is never cheaper here, when every trace runs Aurora alone at the lowest running floor.

    Aurora bills max(MinCapacity, what its scaler holds): at 0.5 ACU
    (:data:`policy.scaler.MIN_RUNNING_ACU`) there is no floor left to drop, so what acuplan buys
    at the same floor is fewer SLO-violation minutes, and a saving needs a floor set higher
    than the scaler needs (what ``acuplan advise`` reports against a cluster's own settings).
    '' when some pair is cheaper or some trace runs at another floor.
    """
    if cheaper or not doc.get("traces"):
        return ""
    config = ReplayConfig.model_validate(doc.get("config", {}))
    floors = {float(_your_floor(config, trace)) for trace in doc["traces"].values()}
    if floors != {MIN_RUNNING_ACU}:
        return ""
    return (
        f"Every trace here runs Aurora alone at {MIN_RUNNING_ACU:g} ACU, the lowest running MinCapacity, "
        "so there is no floor left to drop: what acuplan buys at the same floor is fewer SLO-violation "
        "minutes, not a lower bill. A saving comes from a floor set above what Aurora's scaler holds "
        "(the README quick start's 8 ACU), which `acuplan advise` reports against your own settings. "
    )


SUMMARY_HEADER: list[str] = [
    "trace",
    "ramp",
    "days",
    "your floor ACU",
    "Aurora alone at your floor: USD",
    "SLO min",
    "acuplan: USD (vs Aurora alone)",
    "SLO min (share)",
    "acuplan changes per day",
    "bound USD",
    "acuplan vs bound",
    "dominated by",
    "targets",
]


SUMMARY_LEFT: tuple[int, ...] = (0, 1, 11, 12)
"""Left-aligned (text) columns of the opening table."""


def summary_rows(doc: dict[str, Any]) -> Rows:
    """The opening table's rows: one per trace and ramp profile."""
    rows: Rows = []
    config = ReplayConfig.model_validate(doc["config"])  # once, not per row
    for name, trace in doc["traces"].items():
        for prof, sec in _sections(trace, doc["ramp_profiles"]):
            pol = sec["policies"]
            r, a, b = pol.get("reactive"), pol.get("acuplan"), pol.get("bound")
            a_cost = "-" if a is None else _usd(a["cost_usd"])
            if a is not None and r is not None and r["cost_usd"] > 0:
                a_cost += f" ({_change(a['cost_usd'] / r['cost_usd'])})"
            a_slo = "-" if a is None else _min(a["slo_violation_min"])
            if a is not None and a.get("slo_share_of_reactive") is not None:
                a_slo += f" ({_pct(a['slo_share_of_reactive'])})"
            rows.append(
                [
                    name,
                    prof,
                    _days(trace),
                    _your_floor(config, trace),
                    _usd(r["cost_usd"]) if r else "-",
                    _min(r["slo_violation_min"]) if r else "-",
                    a_cost,
                    a_slo,
                    _per_day(a["scaling_actions"], trace) if a else "-",
                    _usd(b["cost_usd"]) if b else "-",
                    _x(a.get("cost_vs_bound")) if a else "-",
                    _dominators([display_name(x) for x in a["dominated_by"]]) if a else "-",
                    _verdict(sec["targets"]),
                ]
            )
    return rows


def summary_table(doc: dict[str, Any]) -> Table:
    """The opening table as a rich table (what ``acuplan bench`` prints)."""
    table = Table(title="acuplan vs Aurora alone at your floor, per trace and ramp profile")
    for i, header in enumerate(SUMMARY_HEADER):
        table.add_column(header, justify="left" if i in SUMMARY_LEFT else "right")
    for row in summary_rows(doc):
        table.add_row(*row)
    return table


POLICY_HEADER: list[str] = [
    "policy",
    "what it is",
    "cost USD",
    "cost vs bound",
    "SLO min",
    "SLO share of reactive",
    "shortfall ACU-h",
    "p99 ms (est.)",
    "scaling actions",
    "dominated by",
]


def policy_rows(section: dict[str, Any]) -> Rows:
    """One trace at one profile: a row per policy, in report order."""
    pol = section["policies"]
    return [
        [
            p,
            DISPLAY_NAMES.get(p, p),
            _usd(s["cost_usd"]),
            _x(s["cost_vs_bound"]),
            _min(s["slo_violation_min"]),
            _pct(s["slo_share_of_reactive"]),
            f"{s['shortfall_acu_h']:,.2f}",
            f"{s['p99_latency_ms']:,.0f}",
            str(s["scaling_actions"]),
            _dominators(s["dominated_by"], 3),
        ]
        for p, s in pol.items()
    ]


FRONTIER_HEADER: list[str] = ["point", "what it is", "cost USD", "cost vs bound", "SLO min", "dominated by"]


def frontier_rows(section: dict[str, Any]) -> Rows:
    """One trace at one profile: a row per swept point, by family and knob value."""
    return [
        [
            pt["label"],
            display_name(pt["label"]),
            _usd(pt["cost_usd"]),
            _x(pt["cost_vs_bound"]),
            _min(pt["slo_violation_min"]),
            _dominators(pt["dominated_by"], 3),
        ]
        for points in section["frontier"].values()
        for pt in points
    ]


def target_text(t: dict[str, Any]) -> str:
    """The targets of one trace and profile in a sentence, with the frontier evidence."""
    if t.get("met") is None:
        return f"Targets not judged: {t.get('why', '')}."
    parts = [f"{CHECK_TEXT[k]}: {'yes' if ok else 'NO'}" for k, ok in t["checks"].items()]
    r_slo = t["reactive_slo_min"]
    if r_slo == 0:
        why = "Aurora alone has no SLO minute"
    elif r_slo >= 5:
        why = f"Aurora alone has {r_slo:,.1f} SLO minutes (>= 5)"
    else:
        why = f"Aurora alone has {r_slo:,.1f} SLO minutes (between 0 and 5: only dominance applies)"
    text = f"Targets {'met' if t['met'] else 'NOT met'} ({why}): " + "; ".join(parts) + "."
    if t["dominated_by"]:
        text += f" acuplan is dominated by {', '.join(t['dominated_by'])}."
    reach = t["reaching"]
    if not t["met"]:
        text += (
            f" Frontier: {len(reach)} point(s) would meet every applicable target in acuplan's place, "
            f"cheapest first: {_dominators(reach, 4)}."
            if reach
            else " Frontier: no swept point of any family meets every applicable target on this trace."
        )
    return text


def posture_text(section: dict[str, Any]) -> str:
    """The risk quantiles acuplan planned at on one trace and profile ('' without a count)."""
    acuplan = section["policies"].get("acuplan", {})
    by_q, alone = acuplan.get("replans_by_risk_quantile") or {}, acuplan.get("replans_aurora_alone") or 0
    if not by_q and not alone:
        return ""
    total = sum(by_q.values()) + alone
    if len(by_q) == 1 and not alone:
        (q,) = by_q
        return f"acuplan planned at p{float(q) * 100:g} in all {total} re-plans."
    parts = quantile_counts(by_q, alone)
    held = (
        " (Aurora alone: MinCapacity held at your floor where no quantile kept within the budgets and "
        "Aurora alone had beaten the configured one)"
        if alone
        else ""
    )
    return f"acuplan's risk quantile, learnt from this cluster's own past: {parts} of {total} re-plans{held}."


SETTING_HEADER: list[str] = ["setting", "what it is", "targets met", "where it misses them"]

SETTINGS_SHOWN = 10
"""Settings listed besides acuplan in the one-setting table (the best by targets met)."""


def one_setting_text(doc: dict[str, Any]) -> str:
    """The paragraph over the one-setting table ('' when the document has none)."""
    records = doc.get("one_setting") or []
    if not records:
        return ""
    acuplan, others = records[0], records[1:]
    judged = acuplan["met"] + len(acuplan["missed"])
    text = (
        f"Per setting, the (trace, ramp profile) pairs, of the {judged} judged, on which it meets every "
        "applicable target in acuplan's place: a peer can sit inside the target box on one trace's "
        "frontier where acuplan does not, so this asks which one setting, used on every cluster, meets "
        f"them most often. acuplan (its risk quantile learnt per cluster) meets them on {acuplan['met']}"
    )
    alone = next((r for r in others if r["label"] == "reactive"), None)
    if alone is not None:
        text += f"; Aurora alone at your floor (`reactive`, what you have without acuplan) on {alone['met']}"
    for what, group in (
        ("at a fixed risk quantile", [r for r in others if r["label"].startswith("acuplan@")]),
        (
            "of a peer (what you could run instead)",
            [r for r in others if not r["label"].startswith("acuplan@")],
        ),
    ):
        if group:
            best = group[0]["met"]
            names = ", ".join(f"`{r['label']}`" for r in group if r["met"] == best)
            text += f"; the best setting {what}, {names}, on {best}"
    return text + "."


def one_setting_rows(doc: dict[str, Any]) -> Rows:
    """Rows: acuplan, the settings meeting the targets most often, each peer's default run.

    :data:`SETTINGS_SHOWN` settings after acuplan, then each peer's default run (Aurora alone
    first) that is not among them.
    """
    records = doc.get("one_setting") or []
    shown = records[: SETTINGS_SHOWN + 1]
    defaults = ("reactive", "predictive-scaling", "vpa", "hpa-readers")
    shown += [r for d in defaults for r in records[SETTINGS_SHOWN + 1 :] if r["label"] == d]
    rows: Rows = []
    for r in shown:
        judged = r["met"] + len(r["missed"])
        rows.append([r["label"], display_name(r["label"]), f"{r['met']} of {judged}", ", ".join(r["missed"])])
    return rows


def _md_table(header: list[str], rows: Rows, left: Sequence[int] = (0, 1)) -> list[str]:
    rule = "|" + "|".join("---" if i in left else "---:" for i in range(len(header))) + "|"
    return ["| " + " | ".join(header) + " |", rule] + ["| " + " | ".join(r) + " |" for r in rows]


def _html_table(header: list[str], rows: Rows, left: Sequence[int] = (0, 1)) -> str:
    def cell(tag: str, i: int, text: str) -> str:
        cls = " class='l'" if i in left else ""
        return f"<{tag}{cls}>{html.escape(text)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _inert_peers(doc: dict[str, Any]) -> list[str]:
    """A paragraph naming the peers that never acted on any trace and profile (or nothing)."""
    idle = []
    for name in ("hpa-readers", "vpa", "predictive-scaling"):
        runs = [
            (t if p == doc["ramp_profiles"][0] else t["profiles"][p])["policies"].get(name)
            for t in doc["traces"].values()
            for p in doc["ramp_profiles"]
        ]
        if runs and all(r is not None and r.get("scaling_actions") == 0 for r in runs):
            idle.append(name)
    if not idle:
        return []
    why = (
        " (`hpa-readers` tracks the readers' CPU, which Aurora measures against MaxCapacity: the "
        f"read load per reader never reached its {HpaReadersConfig().target_cpu_frac:.0%} target, "
        "so it adds no reader and scores as Aurora alone)"
        if "hpa-readers" in idle
        else ""
    )
    names = ", ".join(f"`{n}`" for n in idle)
    return [f"**Never acted** on any trace here: {names}{why}.", ""]


def _days_text(seconds: float) -> str:
    days = seconds / 86_400
    return f"{days:g} day" if days == 1 else f"{days:g} days"


def _posture_about(config: dict[str, Any]) -> list[str]:
    """How acuplan's production run chose its risk quantile, from the bench's replay config."""
    posture, base = config["posture"], config["policy"]["risk_quantile"]
    if not posture["risk_quantiles"]:
        return [f"**acuplan plans at p{base * 100:g}** throughout; `acuplan@qX` are fixed-quantile runs.", ""]
    candidates = ", ".join(f"p{q * 100:g}" for q in posture["risk_quantiles"])
    return [
        "**acuplan learns its risk quantile per cluster** from shadow replays of its own past "
        f"(`policy.trace_replay.posture`): once Aurora alone has had {posture['min_reactive_slo_min']:g} "
        f"SLO-violation minutes in the last {_days_text(posture['window_s'])}, every candidate "
        f"quantile ({candidates}) plans in the shadow, and each re-plan uses the cheapest that kept within "
        f"{posture['slo_share_of_reactive']:.0%} of Aurora alone's minutes at no more than "
        f"{posture['max_cost_vs_bound']:g}x the bound over the shadows' span (at least "
        f"{_days_text(posture['min_window_s'])}, at most {_days_text(posture['window_s'])}), else "
        f"p{base * 100:g}; and whenever, from the first {_days_text(posture['min_window_s'])} scored on, "
        f"Aurora alone had no more minutes than p{base * 100:g} for at least 1% less over that span (and "
        "no candidate kept within those budgets), MinCapacity is held at your floor (Aurora alone). Each "
        "trace's section says which quantiles it planned at; `acuplan@qX` are fixed-quantile runs.",
        "",
    ]


def _about(doc: dict[str, Any]) -> list[str]:
    """What the opening table says and how the bench judges it (paragraphs, Markdown)."""
    profiles = doc["ramp_profile_settings"]
    ramp = "; ".join(
        f"`{n}`: capacity doubles every {p['scale_up_doubling_s']:g} s going up, halves every "
        f"{p['scale_down_halving_s']:g} s going down, a MinCapacity change takes effect after "
        f"{p['floor_apply_delay_s']:g} s"
        for n, p in profiles.items()
    )
    scaler = doc["config"]["policy"]["scaler"]
    return [
        "**Costs and minutes are totals** over each trace's scored window (`days`: after the "
        "warm-up, to the trace's end), not per month; compare traces by their ratios.",
        "",
        f"**SLO min** (SLO-violation minutes): minutes in which some instance ran above "
        f"{scaler['slo_utilisation']:.0%} of its capacity or load went unserved (failover, resume); "
        "**shortfall ACU-h**: ACU-hours of load above capacity, summed over instances; **p99 ms "
        "(est.)**: the 99th percentile of the busiest instance's p99 latency from the simulator's "
        "queueing model (an estimate, not a measurement; it is capped at "
        f"{scaler['latency_cap_ms']:,.0f} ms, which reads as overloaded or unserved); "
        "**scaling actions**: MinCapacity and "
        "reader changes the policy made (each MinCapacity change is one ModifyDBCluster call); "
        "**acuplan changes per day**: acuplan's scaling actions per day of the scored window.",
        "",
        *_inert_peers(doc),
        "**Aurora alone at your floor** is `reactive`: Aurora Serverless v2's own scaler above a "
        "fixed MinCapacity (`your floor ACU`: the trace's cluster's MinCapacity), what you have "
        "without acuplan. "
        "acuplan's cost change is against it; its SLO share is acuplan's SLO-violation minutes "
        "over Aurora alone's. The **bound** is the cheapest MinCapacity schedule (0.5-ACU grid, "
        "changeable every trace step) with no SLO-violation minute and no shortfall, found with "
        "perfect foresight: no policy can run it, and `acuplan vs bound` is acuplan's cost over "
        "its cost. It keeps the cluster's MaxCapacity: a setting that also lowers MaxCapacity "
        "(`static-peak` pins it, so Aurora's scaler cannot overshoot to load / 0.7) can cost less.",
        "",
        *_posture_about(doc["config"]),
        "",
        "**Dominated by** lists the peer points with no more SLO-violation minutes that cost at "
        "least 1% less. Peers are what you could run instead: Aurora alone at any fixed "
        "MinCapacity (`reactive@F`, F in ACU), the Kubernetes VPA-style floor at any target "
        "percentile (`vpa@p`), the EC2 predictive-scaling-style floor at any target utilisation "
        "(`predictive-scaling@u`) and Aurora Auto Scaling of readers (`hpa-readers`). "
        "`static-peak` is not a peer: it sizes the cluster with hindsight (the maximum over the "
        "whole series, future included), so it is a baseline, not a policy anyone can run.",
        "",
        "**Targets** (what acuplan is built to meet), per trace and ramp profile: acuplan is "
        "dominated by no peer point; "
        "where Aurora alone has no SLO minute, acuplan costs at most 1.02x Aurora alone; where "
        "Aurora alone has at least 5 SLO minutes, acuplan keeps at most 20% of them at no more "
        "than 1.25x the bound. A trace meets them when every one that applies holds. Where a "
        "target is missed, the trace's section names the swept points that would meet it, or "
        "says that none does.",
        "",
        f"**Ramp profiles** of Aurora's scaler (AWS publishes no rates: ASSUMPTION, "
        f"`policy.scaler.RAMP_PROFILES`): {ramp}. acuplan plans for the profile it is scored at.",
        "",
        "**Traces from a folder** (`--traces-dir`): every series of every `*.csv` is scored like a "
        "bundled trace. A `<stem>.json` beside the CSV gives its demand rule, step and read share; "
        "without one, unit `acu` is taken as is, `percent` is read against a MaxCapacity of 16 ACU "
        "and any other unit has its p99 mapped to 16 ACU, on the series' median sampling interval. "
        "The cluster is the default one: MinCapacity 0.5 ACU, MaxCapacity the percent rule's "
        "(else 128 ACU, or `--max-acu`), a writer plus a tier-1 reader in another AZ, half the "
        "demand read-only, $0.12 per ACU-hour (us-east-1). The first 2 days are warm-up; each "
        "policy re-plans every hour.",
        "",
    ]


def code_text(doc: dict[str, Any]) -> str:
    """Which acuplan wrote the document: "acuplan 0.1.0 at commit 5a24414 ..." ("" if unrecorded)."""
    code = doc.get("code")
    if not code:
        return ""
    commit = code.get("commit")
    if not commit:
        return f"Written by acuplan {code['acuplan']} (not run from a git checkout)."
    dirty = " (with uncommitted changes)" if commit.endswith("+dirty") else ""
    return f"Written by acuplan {code['acuplan']} at commit {commit[:12]}{dirty}."


def markdown(doc: dict[str, Any], images: dict[str, str] | None = None) -> str:
    """The whole report as Markdown: the opening table, how to read it, then each trace.

    Args:
        doc: the bench document.
        images: per image key (``frontier-<trace>``, ``capacity-<trace>``), its file name.
    """
    images = images or {}
    lines = ["# acuplan bench", ""]
    if code := code_text(doc):
        lines += [code, ""]
    lines += _md_table(SUMMARY_HEADER, summary_rows(doc), SUMMARY_LEFT) + [""]
    if verdict := verdict_text(doc):
        lines += [f"**In short:** {verdict}", ""]
    lines += _about(doc)
    if text := one_setting_text(doc):
        lines += ["## One setting for every trace", "", text, ""]
        lines += _md_table(SETTING_HEADER, one_setting_rows(doc), (0, 1, 3)) + [""]
    for name, trace in doc["traces"].items():
        lines += [
            f"## {name}",
            "",
            f"{trace['source']} trace, {trace['n_steps']} steps of {trace['step_s']} s "
            f"({trace['n_missing_steps']} missing); scored {trace['scored_from']} to "
            f"{trace['scored_until']}; MaxCapacity {trace['cluster']['limits']['max_acu']:g} ACU.",
            "",
        ]
        lines += [line for w in trace.get("warnings", ()) for line in (f"**Warning:** {w}", "")]
        for prof, sec in _sections(trace, doc["ramp_profiles"]):
            lines += [f"### {name} at the `{prof}` ramp profile", ""]
            lines += _md_table(POLICY_HEADER, policy_rows(sec), (0, 1, 9)) + [""]
            lines += [target_text(sec["targets"]), ""]
            if posture := posture_text(sec):
                lines += [posture, ""]
            if sec["frontier"]:
                lines += _md_table(FRONTIER_HEADER, frontier_rows(sec), (0, 1, 5)) + [""]
        for key in (f"frontier-{name}", f"capacity-{name}"):
            if key in images:
                lines += [f"![{key}]({images[key]})", ""]
    lines += _throughput_md(doc.get("throughput")) + _timing_md(doc["timing"])
    return "\n".join(lines) + "\n"


def _throughput_md(tp: dict[str, Any] | None) -> list[str]:
    if not tp:
        return []
    lines = [
        "## Fleet throughput (timings: not deterministic)",
        "",
        f"{tp['fleet']['clusters']} clusters, {tp['fleet']['scored_cluster_days']} scored cluster-days "
        f"under {tp['fleet']['policy']}; identical results on every executor: {tp['identical']}.",
        "",
        "| executor | cores | wall s | cluster-days per core-minute (wall) | CPU s "
        "| cluster-days per CPU-minute | load avg before |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['executor']} | {r['cores']} | {r['wall_s']:.1f} | {r['cluster_days_per_core_min']:.3f} "
        f"| {r['cpu_s']:.1f} | {r['cluster_days_per_cpu_min']} | {r['load_avg_1m_before']} |"
        for r in tp["runs"]
    ]
    return lines + ["", f"Scaling ratio (1-worker wall / 2-worker wall): {tp['scaling_ratio_2_vs_1']}.", ""]


def _timing_md(timing: dict[str, Any]) -> list[str]:
    lines = [
        "## Time per re-plan (ms, median; timings: not deterministic)",
        "",
        "`forecast` is the re-plan time outside the CP-SAT solve (forecast, model build, settings).",
        "",
        "| trace | ramp | acuplan re-plan p50 | p95 | forecast p50 | solve p50 |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, per_profile in timing["per_trace"].items():
        for prof, t in per_profile.items():
            cells = [
                t["replan_ms_p50"].get("acuplan", 0),
                t["replan_ms_p95"].get("acuplan", 0),
                t["forecast_ms_p50"].get("acuplan", 0),
                t["solve_ms_p50"].get("acuplan", 0),
            ]
            lines.append(f"| {name} | {prof} | " + " | ".join(f"{c:.0f}" for c in cells) + " |")
    return lines + ["", f"Bench wall time: {timing['bench_s']:.0f} s.", ""]


FLOOR_COLOUR = "#17becf"
DEMAND_COLOUR = "#bbbbbb"


def _palette() -> Image.Image:
    """The PNGs' fixed palette (at most 256 colours).

    White first, greys in steps of 8, then each plot colour exactly with its blends towards
    white in sixteenths (anti-aliased lines and transparent fills on the white page),
    leaving out blends within 8 of white per channel: Pillow maps a pixel to a nearby entry,
    not always the nearest, so near-whites would tint the page.
    """
    rgb: list[int] = [255, 255, 255] + [g for g in range(0, 256, 8) for _ in range(3)]
    for colour in [*COLOURS.values(), FLOOR_COLOUR, DEMAND_COLOUR]:
        base = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        for k in range(1, 17):
            blend = [round(255 + (c - 255) * k / 16) for c in base]
            if min(blend) < 247:
                rgb += blend
    image = Image.new("P", (1, 1))
    image.putpalette(rgb + [0] * (768 - len(rgb)))
    return image


def _png(fig: Figure, path: Path) -> None:
    """Save ``fig`` as a palette PNG (Pillow, matplotlib's own dependency) and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=90, bbox_inches="tight")
    plt.close(fig)
    shrink_png(buffer, path)


def shrink_png(source: io.BytesIO | Path, path: Path) -> None:
    """Write the PNG ``source`` to ``path`` on the fixed palette (:func:`_palette`), optimised.

    Every plot colour is in the palette exactly, so legends keep their colours; the file
    is about a third of matplotlib's RGBA PNG (a 28-day capacity plot: 434 KB -> ~140 KB).
    No dithering: the output is deterministic.
    """
    with Image.open(source) as im:
        small = im.convert("RGB").quantize(palette=_palette(), dither=Image.Dither.NONE)
    small.save(path, format="PNG", optimize=True)


def worst_event(demand_acu: npt.NDArray[np.float64], capacity_acu: npt.NDArray[np.float64]) -> int:
    """The scored step whose demand is largest relative to the capacity it started with.

    Args:
        demand_acu: scored demand per step, shape (n,), ACU (NaN for missing).
        capacity_acu: capacity at each step's end, shape (n,), ACU (e.g. Aurora alone's);
            step k starts with step k-1's end (step 0 with its own end).

    Returns:
        The step's index; the peak-demand step when no ratio is defined; 0 when all is NaN.
    """
    start = np.concatenate([capacity_acu[:1], capacity_acu[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(start > 0, demand_acu / start, np.nan)
    if np.isfinite(ratio).any():
        return int(np.nanargmax(ratio))
    return int(np.nanargmax(demand_acu)) if np.isfinite(demand_acu).any() else 0


FULL_WINDOW_POINTS = 1500
"""The whole-window panel shows at most this many points per series: a longer window is cut
into equal buckets of whole steps (demand: each bucket's peak; capacities and MinCapacity:
their bucket means, which is what the bill follows)."""


@dataclass(frozen=True)
class _Series:
    """What one capacity panel draws, aligned on ``x`` (each point's start)."""

    x: npt.NDArray[np.float64]
    demand: npt.NDArray[np.float64]
    reactive: npt.NDArray[np.float64] | None
    acuplan: npt.NDArray[np.float64] | None
    floor: npt.NDArray[np.float64] | None
    note: str = ""


def _bucket(values: npt.NDArray[np.float64], size: int, how: str) -> npt.NDArray[np.float64]:
    """Per bucket of ``size`` steps (the last may be short): ``max`` or ``mean``, NaN-aware."""
    pad = (-len(values)) % size
    grid = np.concatenate([values, np.full(pad, np.nan)]).reshape(-1, size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN bucket stays NaN
        out = np.nanmax(grid, axis=1) if how == "max" else np.nanmean(grid, axis=1)
    return np.asarray(out, dtype=np.float64)


def _series(
    demand: npt.NDArray[np.float64], runs: dict[str, PolicyRun], lo: int, hi: int, x: npt.NDArray[np.float64]
) -> _Series:
    """Steps ``lo:hi`` of demand and the runs; bucketed when longer than :data:`FULL_WINDOW_POINTS`."""
    r, a = runs.get("reactive"), runs.get("acuplan")
    size = -(-(hi - lo) // FULL_WINDOW_POINTS)

    def cut(values: npt.NDArray[np.float64] | None, how: str) -> npt.NDArray[np.float64] | None:
        if values is None:
            return None
        return values[lo:hi] if size <= 1 else _bucket(values[lo:hi], size, how)

    floor = 2.0 * a.floor_acu if a is not None else None
    reactive = cut(r.capacity_acu if r else None, "mean")
    acuplan, floor = cut(a.capacity_acu if a else None, "mean"), cut(floor, "mean")
    if size <= 1:
        return _Series(x, demand[lo:hi], reactive, acuplan, floor)
    note = f" ({size}-step buckets: demand peak, others mean)"
    return _Series(x[::size], _bucket(demand[lo:hi], size, "max"), reactive, acuplan, floor, note)


def _capacity_lines(ax: Axes, s: _Series, dx: float) -> None:
    """Draw one panel: demand, Aurora alone's and acuplan's capacity, acuplan's floor.

    Demand and the floor are drawn from each point's start; a capacity at its step's end
    (``dx`` later), or from the bucket's start when bucketed (a bucket mean).
    """
    bucketed = bool(s.note)
    ax.fill_between(
        s.x, np.nan_to_num(s.demand), color=DEMAND_COLOUR, lw=0, step="post", label="demand (cluster)"
    )
    cap_x = s.x if bucketed else s.x + dx
    style: dict[str, Any] = {"drawstyle": "steps-post"} if bucketed else {}
    if s.reactive is not None:
        ax.plot(cap_x, s.reactive, color=COLOURS["reactive"], lw=0.9, label="Aurora alone: capacity", **style)
    if s.acuplan is not None:
        ax.plot(cap_x, s.acuplan, color=COLOURS["acuplan"], lw=0.9, label="acuplan: capacity", **style)
    if s.floor is not None:
        label = "acuplan: MinCapacity x 2 (writer + tier-1 reader hold it)"
        ax.step(s.x, s.floor, where="post", color=FLOOR_COLOUR, lw=1.0, ls="--", label=label)
    ax.set_ylabel("ACU (all instances)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)


def plot_capacity(
    name: str,
    demand_acu: npt.NDArray[np.float64],
    runs: dict[str, dict[str, PolicyRun]],
    *,
    step_s: int,
    scored_from: datetime,
    path: Path,
) -> None:
    """Demand, acuplan's MinCapacity and capacity, Aurora alone's capacity; a zoom on the worst event.

    One row per ramp profile: the whole scored window (days; bucketed beyond
    :data:`FULL_WINDOW_POINTS` steps) and, beside it, step by step, the 6 hours around the
    step where demand is largest relative to the capacity Aurora alone started it with.
    Capacities are all instances' (the writer and the tier-1 reader both hold MinCapacity,
    so the floor is drawn at twice the setting).
    """
    profiles = list(runs)
    fig, axes = plt.subplots(
        len(profiles),
        2,
        figsize=(15, 3.6 * len(profiles) + 0.6),
        gridspec_kw={"width_ratios": (3, 1)},
        squeeze=False,
    )
    n = len(demand_acu)
    days = np.arange(n) * step_s / 86_400
    for row, prof in zip(axes, profiles, strict=True):
        prof_runs = runs[prof]
        ref = prof_runs.get("reactive") or prof_runs.get("acuplan")
        k = worst_event(demand_acu, ref.capacity_acu) if ref is not None else 0
        whole = _series(demand_acu, prof_runs, 0, n, days)
        _capacity_lines(row[0], whole, step_s / 86_400)
        row[0].set_xlabel("days into the scored window")
        row[0].set_title(f"{prof} ramp profile: the scored window{whole.note}", fontsize=10, loc="left")
        half = ZOOM_HALF_WIDTH_S // step_s
        lo, hi = max(k - half, 0), min(k + half + 1, n)
        hours = (np.arange(lo, hi) - k) * step_s / 3600
        zoom = _series(demand_acu, prof_runs, lo, hi, hours)
        _capacity_lines(row[1], zoom, step_s / 3600)
        row[1].set_ylabel("")
        row[1].set_xlabel("hours from the worst event")
        row[1].axvline(0.0, color="black", lw=0.6, ls=":")
        at = scored_from + timedelta(seconds=k * step_s)
        ratio = ""
        before = ref.capacity_acu[max(k - 1, 0)] if ref is not None else 0.0
        if before > 0 and np.isfinite(demand_acu[k]):
            ratio = f": demand {demand_acu[k] / before:.2f}x the capacity Aurora alone had"
        row[1].set_title(f"worst event {at:%Y-%m-%d %H:%M} UTC{ratio}", fontsize=9, loc="left")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncols=4, fontsize=8, bbox_to_anchor=(0.5, 1.0))
    fig.suptitle(f"{name}: demand, MinCapacity and capacity", fontsize=11, y=1.04)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    _png(fig, path)


MINOR_Y: frozenset[float] = frozenset({0.5, 2.0, 3.0, 5.0, 20.0, 50.0})
"""Minor ticks of the frontier's log cost axis that get a label (besides 1x, 10x)."""

SWEPT_LEGEND: dict[str, str] = {
    "acuplan": "acuplan at risk quantile q",
    "reactive": "Aurora alone at a fixed MinCapacity (ACU)",
    "vpa": "VPA-style floor at target percentile p",
    "predictive-scaling": "predictive-scaling style at a target utilisation",
}
"""Legend text of each swept family on the frontier plot."""

KNOB_TEXT: dict[str, str] = {
    "floor_acu": "{v:g}",
    "target_percentile": "p{p:g}",
    "target_utilisation": "{p:g}%",
    "risk_quantile": "q{v:g}",
}
"""How a frontier point's knob value is written beside it on the plot."""


def _knob(pt: dict[str, Any]) -> str:
    v = float(pt["value"])
    return KNOB_TEXT.get(pt["knob"], "{v:g}").format(v=v, p=round(v * 100, 6))


def _frontier_panel(ax: Axes, section: dict[str, Any], title: str) -> None:
    """One trace at one profile: cost / bound cost against SLO minutes (symlog)."""
    pol, t = section["policies"], section["targets"]
    if "bound" not in pol:
        ax.set_title(f"{title}: no bound run", fontsize=10)
        return
    if t.get("met") is not None and t["reactive_slo_min"] >= 5:
        ax.fill_between(
            [0, 0.2 * t["reactive_slo_min"]], 0, 1.25, color="#2ca02c", alpha=0.12, label="target region"
        )
    elif t.get("met") is not None and t["reactive_slo_min"] == 0 and pol["reactive"]["cost_vs_bound"]:
        ax.axhspan(
            0, 1.02 * pol["reactive"]["cost_vs_bound"], color="#2ca02c", alpha=0.12, label="target region"
        )
    for family, points in section["frontier"].items():
        pts = list(points)
        if not pts:
            continue
        xs = [p["slo_violation_min"] for p in pts]
        ys = [p["cost_vs_bound"] for p in pts]
        colour = COLOURS.get(family, "k")
        ax.plot(
            xs, ys, "-", marker=".", color=colour, lw=1, alpha=0.6, label=SWEPT_LEGEND.get(family, family)
        )
        for i, (p, x, y) in enumerate(zip(pts, xs, ys, strict=True)):
            ax.annotate(
                _knob(p),
                (x, y),
                fontsize=6,
                color=colour,
                xytext=(3, 3 if i % 2 else -8),
                textcoords="offset points",
            )
    for p, s in pol.items():
        if p == "acuplan":
            continue
        ax.plot(
            s["slo_violation_min"],
            s["cost_vs_bound"],
            "s" if p in ("static-peak", "bound") else "o",
            ms=7,
            color=COLOURS.get(p, "k"),
            mec="black",
            mew=0.6,
            label=DISPLAY_NAMES.get(p, p) + ("" if p in ("static-peak", "bound") else " (default)"),
        )
    if "acuplan" in pol:
        a = pol["acuplan"]
        ax.plot(
            a["slo_violation_min"],
            a["cost_vs_bound"],
            "*",
            ms=16,
            color=COLOURS["acuplan"],
            mec="black",
            mew=0.8,
            label="acuplan (risk quantile learnt per cluster)",
            zorder=5,
        )
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(left=-0.1)
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}x"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}x" if round(v, 6) in MINOR_Y else ""))
    ax.set_xlabel("SLO-violation minutes (symlog)")
    ax.set_ylabel("cost / bound cost (log)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")


def plot_frontier(name: str, trace: dict[str, Any], profiles: Sequence[str], path: Path) -> None:
    """One trace's frontier, a panel per ramp profile, the legend outside the axes."""
    sections = _sections(trace, profiles)
    fig, axes = plt.subplots(1, len(sections), figsize=(6.2 * len(sections), 5.0), squeeze=False)
    for ax, (prof, sec) in zip(axes[0], sections, strict=True):
        _frontier_panel(ax, sec, f"{name}, {prof} ramp profile")
    seen: dict[str, Any] = {}
    for ax in axes[0]:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, h)
    fig.legend(list(seen.values()), list(seen), loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    fig.suptitle(
        f"{name}: cost vs SLO minutes; labels are knob values (MinCapacity ACU, VPA percentile, "
        "predictive target, acuplan risk quantile)",
        fontsize=10,
    )
    fig.tight_layout()
    _png(fig, path)


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def _md_inline(text: str) -> str:
    """Markdown paragraph -> HTML: escape, then ``code`` and **bold**."""
    out = html.escape(text)
    parts = out.split("`")
    out = "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))
    parts = out.split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


def write_html(doc: dict[str, Any], images: dict[str, Path], path: Path) -> None:
    """One self-contained page: the opening table, how to read it, each trace, throughput, timing."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>acuplan bench</title><style>",
        "body{font-family:sans-serif;max-width:1500px;margin:auto;padding:1em}"
        "table{border-collapse:collapse;margin:.5em 0;font-size:90%}td,th{border:1px solid #ccc;"
        "padding:2px 6px;text-align:right}.l{text-align:left}img{max-width:100%}"
        ".bad{color:#b00}.ok{color:#070}",
        "</style></head><body><h1>acuplan bench</h1>",
        *([f"<p>{html.escape(code)}</p>"] if (code := code_text(doc)) else []),
        _html_table(SUMMARY_HEADER, summary_rows(doc), SUMMARY_LEFT),
    ]
    parts += [f"<p>{_md_inline(p)}</p>" for p in _about(doc) if p]
    if text := one_setting_text(doc):
        parts += [
            "<h2>One setting for every trace</h2>",
            f"<p>{_md_inline(text)}</p>",
            _html_table(SETTING_HEADER, one_setting_rows(doc), (0, 1, 3)),
        ]
    for name, trace in doc["traces"].items():
        parts.append(f"<h2>{html.escape(name)}</h2>")
        parts.append(
            f"<p>{html.escape(trace['source'])} trace, {trace['n_steps']} steps of {trace['step_s']} s; "
            f"scored {html.escape(trace['scored_from'])} to {html.escape(trace['scored_until'])}.</p>"
        )
        parts += [f"<p class='bad'><b>Warning:</b> {html.escape(w)}</p>" for w in trace.get("warnings", ())]
        for prof, sec in _sections(trace, doc["ramp_profiles"]):
            t = sec["targets"]
            cls = "ok" if t.get("met") else "bad"
            parts += [
                f"<h3>{html.escape(name)} at the {html.escape(prof)} ramp profile</h3>",
                _html_table(POLICY_HEADER, policy_rows(sec), (0, 1, 9)),
                f"<p class='{cls}'>{html.escape(target_text(t))}</p>",
            ]
            if posture := posture_text(sec):
                parts.append(f"<p>{html.escape(posture)}</p>")
            if sec["frontier"]:
                parts.append(_html_table(FRONTIER_HEADER, frontier_rows(sec), (0, 1, 5)))
        for key in (f"frontier-{name}", f"capacity-{name}"):
            if key in images:
                parts.append(_img(images[key]))
    parts.append(
        "<pre>" + html.escape("\n".join(_throughput_md(doc.get("throughput")) + _timing_md(doc["timing"])))
    )
    parts.append("</pre></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


def write_report(result: BenchResult, out: Path) -> dict[str, Path]:
    """Write bench.json, bench.md, two PNGs per trace and bench.html into ``out``; return the paths.

    Args:
        result: what :func:`service.bench.run.run_bench` returned.
        out: the output folder (created).

    Returns:
        ``json``, ``md``, ``html`` and, per trace, ``frontier-<trace>`` and
        ``capacity-<trace>`` (file names ``frontier-<safe name>.png``; a trace name's
        characters other than letters, digits, ``.``, ``_`` and ``-`` become ``_``).
    """
    from service.bench.run import safe_name

    doc = result.doc
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "bench.json", "md": out / "bench.md", "html": out / "bench.html"}
    paths["json"].write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    images: dict[str, Path] = {}
    for name, trace in doc["traces"].items():
        runs = result.runs[name]
        if any(runs.values()):
            images[f"frontier-{name}"] = out / f"frontier-{safe_name(name)}.png"
            plot_frontier(name, trace, doc["ramp_profiles"], images[f"frontier-{name}"])
            m = result.members[name]
            first = next(r for r in runs.values() if r)
            n_scored = len(next(iter(first.values())).capacity_acu)
            images[f"capacity-{name}"] = out / f"capacity-{safe_name(name)}.png"
            plot_capacity(
                name,
                m.demand_acu[len(m.demand_acu) - n_scored :],
                {p: r for p, r in runs.items() if r},
                step_s=m.step_s,
                scored_from=datetime.fromisoformat(trace["scored_from"]),
                path=images[f"capacity-{name}"],
            )
    paths["md"].write_text(markdown(doc, {k: p.name for k, p in images.items()}), encoding="utf-8")
    write_html(doc, images, paths["html"])
    return paths | images
