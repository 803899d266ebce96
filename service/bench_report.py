"""Write a bench result: terminal and Markdown tables, ``bench.json``, PNG plots, one HTML page.

Owns :func:`write_report`, :func:`score_table` and :func:`markdown`. Plots use matplotlib
with the Agg backend (no display); the HTML page embeds the PNGs as base64, so it is a
single self-contained file.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from rich.table import Table  # noqa: E402

from policy import POLICY_NAMES  # noqa: E402

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("cost USD", "cost_usd", ",.2f"),
    ("shortfall ACU-h", "shortfall_acu_h", ",.2f"),
    ("SLO-violation min", "slo_violation_min", ",.1f"),
    ("p99 ms (est.)", "p99_latency_ms", ",.0f"),
    ("scaling actions", "scaling_actions", "d"),
    ("reader churn", "reader_churn", "d"),
    ("cost vs bound", "cost_vs_bound", ".2f"),
)

COLOURS: dict[str, str] = {
    "reactive": "#d62728",
    "static-peak": "#7f7f7f",
    "vpa": "#9467bd",
    "predictive-scaling": "#ff7f0e",
    "hpa-readers": "#8c564b",
    "acuplan": "#1f77b4",
    "bound": "#2ca02c",
}


def _cell(score: dict[str, Any], key: str, spec: str) -> str:
    value = score.get(key)
    if value is None:
        return "-"
    return f"{value:{spec}}" + ("x" if key == "cost_vs_bound" else "")


def _rows(trace: dict[str, Any]) -> list[list[str]]:
    return [
        [name] + [_cell(s, key, spec) for _, key, spec in COLUMNS] for name, s in trace["policies"].items()
    ]


def score_table(name: str, trace: dict[str, Any]) -> Table:
    """A rich table of one trace's scores, one row per policy."""
    t = trace["targets"]
    verdict = "met" if t.get("met") else "NOT met"
    table = Table(
        title=f"{name}: scored {trace['scored_from'][:16]} to {trace['scored_until'][:16]} UTC",
        caption=f"targets {verdict}: {_target_text(t)}",
    )
    table.add_column("policy")
    for header, _, _ in COLUMNS:
        table.add_column(header, justify="right")
    for row in _rows(trace):
        table.add_row(*row)
    return table


def _target_text(t: dict[str, Any]) -> str:
    if t.get("met") is None:
        return str(t.get("why", ""))
    share = t["slo_share_of_reactive"]
    share_text = "n/a (reactive has none)" if share is None else f"{share:.0%}"
    return (
        f"acuplan SLO {t['acuplan_slo_min']:.1f} min = {share_text} of reactive (<= 20%: "
        f"{'yes' if t['slo_ok'] else 'no'}); cost {t['acuplan_cost_vs_bound']:.2f}x bound (<= 1.25x: "
        f"{'yes' if t['cost_vs_bound_ok'] else 'no'}); cheaper than static-peak: "
        f"{'yes' if t['cheaper_than_static_peak'] else 'no'}"
    )


def markdown(doc: dict[str, Any]) -> str:
    """The whole report as Markdown: a table per trace, targets, throughput, re-plan timing."""
    head = "| policy | " + " | ".join(h for h, _, _ in COLUMNS) + " |"
    rule = "|---|" + "---:|" * len(COLUMNS)
    lines = ["# acuplan bench", ""]
    for name, trace in doc["traces"].items():
        lines += [f"## {name}", "", f"Scored {trace['scored_from']} to {trace['scored_until']}.", ""]
        lines += [head, rule] + ["| " + " | ".join(r) + " |" for r in _rows(trace)]
        lines += [
            "",
            f"Targets {'met' if trace['targets'].get('met') else 'NOT met'}: "
            f"{_target_text(trace['targets'])}.",
            "",
        ]
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
        "`forecast` is the re-plan time outside the CP-SAT solve (forecast, model build, settings); "
        "the bound does no forecast, so its re-plan is the planning cost alone.",
        "",
        "| trace | acuplan re-plan p50 | p95 | forecast p50 | solve p50 | bound re-plan p50 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, t in timing["per_trace"].items():
        cells = [
            t["replan_ms_p50"].get("acuplan", 0),
            t["replan_ms_p95"].get("acuplan", 0),
            t["forecast_ms_p50"].get("acuplan", 0),
            t["solve_ms_p50"].get("acuplan", 0),
            t["replan_ms_p50"].get("bound", 0),
        ]
        lines.append(f"| {name} | " + " | ".join(f"{c:.0f}" for c in cells) + " |")
    return lines + ["", f"Bench wall time: {timing['bench_s']:.0f} s.", ""]


def _png(fig: Figure, path: Path) -> None:
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def plot_capacity(name: str, demand_acu: np.ndarray, runs: dict[str, Any], step_s: int, path: Path) -> None:
    """Demand vs total capacity over the scored window, one panel per policy."""
    names = [p for p in POLICY_NAMES if p in runs]
    fig, axes = plt.subplots(len(names), 1, figsize=(13, 1.8 * len(names) + 0.6), sharex=True, sharey=True)
    fig.subplots_adjust(hspace=0.5)
    axes = np.atleast_1d(axes)
    days = np.arange(len(demand_acu)) * step_s / 86_400
    for ax, p in zip(axes, names, strict=True):
        ax.fill_between(days, np.nan_to_num(demand_acu), color="#999999", lw=0, label="demand", step="post")
        ax.plot(
            days, runs[p].capacity_acu, color=COLOURS.get(p, "k"), lw=0.7, label="capacity (all instances)"
        )
        s = runs[p].score
        ax.set_ylabel("ACU")
        ax.set_title(
            f"{p}: ${s.cost_usd:,.0f}, SLO {s.slo_violation_min:,.1f} min, "
            f"shortfall {s.shortfall_acu_h:,.2f} ACU-h",
            fontsize=9,
            loc="left",
        )
        ax.grid(alpha=0.3)
    axes[0].legend(loc="upper right", fontsize=8, ncols=2)
    axes[-1].set_xlabel("days into the scored window")
    fig.suptitle(f"{name}: demand vs capacity per policy", fontsize=11)
    _png(fig, path)


def plot_frontier(doc: dict[str, Any], path: Path) -> None:
    """Cost vs SLO-violation minutes per trace: default points, swept knobs, the target box."""
    names = list(doc["traces"])
    cols = min(3, len(names))
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.3 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names, strict=False):
        _frontier_panel(ax, name, doc["traces"][name])
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=5, fontsize=8, bbox_to_anchor=(0.5, -0.02))
    fig.suptitle("Cost vs SLO violation; shaded: acuplan's target region", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    _png(fig, path)


def _frontier_panel(ax: Any, name: str, trace: dict[str, Any]) -> None:
    """One trace: cost (relative to the bound when it ran, else USD) against SLO minutes."""
    pol, t = trace["policies"], trace["targets"]
    y_key = "cost_vs_bound" if "bound" in pol else "cost_usd"
    if t.get("met") is not None:
        cap = min(1.25, pol["static-peak"]["cost_vs_bound"])
        ax.fill_between([0, t["slo_limit_min"]], 0, cap, color="#2ca02c", alpha=0.15, label="target region")
    for knob_policy, points in trace.get("frontier", {}).items():
        pts = [p for p in points if "production" not in p["label"]]
        xs = [p["slo_violation_min"] for p in pts]
        ys = [p[y_key] for p in pts]
        colour = COLOURS.get(knob_policy, "k")
        ax.plot(xs, ys, "-", marker=".", color=colour, lw=1, alpha=0.7, label=f"{knob_policy} swept")
        for p, x, y in zip(pts, xs, ys, strict=True):
            ax.annotate(f"{p['value']:g}", (x, y), fontsize=6, xytext=(2, 2), textcoords="offset points")
    for p, s in pol.items():
        ax.plot(
            s["slo_violation_min"],
            s[y_key],
            "o",
            ms=7,
            color=COLOURS.get(p, "k"),
            mec="black",
            mew=0.6,
            label=p,
        )
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(left=0)
    ax.set_yscale("log")
    ax.set_xlabel("SLO-violation minutes (symlog)")
    ax.set_ylabel("cost / bound cost (log)" if y_key == "cost_vs_bound" else "cost USD (log)")
    ax.set_title(name, fontsize=10)
    ax.grid(alpha=0.3, which="both")


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def _html_table(trace: dict[str, Any]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in ["policy"] + [c[0] for c in COLUMNS])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in _rows(trace)
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def write_html(doc: dict[str, Any], images: dict[str, Path], path: Path) -> None:
    """One self-contained page: tables, targets, the plots (base64), throughput and timing."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>acuplan bench</title><style>",
        "body{font-family:sans-serif;max-width:1400px;margin:auto;padding:1em}"
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;"
        "text-align:right}td:first-child{text-align:left}img{max-width:100%}.bad{color:#b00}.ok{color:#070}",
        "</style></head><body><h1>acuplan bench</h1>",
        "<p>Every bundled trace replayed under every policy on one simulator of Aurora Serverless v2 "
        "(reactive scaler, reader lead time, auto-pause, failover; parameters and sources in "
        "<code>policy.config.ScalerModel</code>). p99 latency is an M/M/1 estimate from utilisation.</p>",
        "<h2>Cost vs SLO-violation frontier</h2>",
        _img(images["frontier"]),
    ]
    for name, trace in doc["traces"].items():
        t = trace["targets"]
        cls = "ok" if t.get("met") else "bad"
        parts += [
            f"<h2>{html.escape(name)}</h2>",
            _html_table(trace),
            f"<p class='{cls}'>Targets {'met' if t.get('met') else 'NOT met'}: "
            f"{html.escape(_target_text(t))}</p>",
            _img(images[name]),
        ]
    parts.append(
        "<pre>" + html.escape("\n".join(_throughput_md(doc.get("throughput")) + _timing_md(doc["timing"])))
    )
    parts.append("</pre></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


def write_report(
    doc: dict[str, Any], runs: dict[str, dict[str, Any]], demand: dict[str, Any], out: Path
) -> dict[str, Path]:
    """Write bench.json, bench.md, the PNGs and bench.html into ``out``; return the paths.

    Args:
        doc: the bench document (see ``service.bench.run_bench``).
        runs: per trace, per policy, the PolicyRun (capacity series for the plots).
        demand: per trace, the scored demand series and step: ``(demand_acu, step_s)``.
        out: the output folder (created).
    """
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "bench.json", "md": out / "bench.md", "html": out / "bench.html"}
    paths["json"].write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    paths["md"].write_text(markdown(doc), encoding="utf-8")
    images: dict[str, Path] = {"frontier": out / "frontier.png"}
    plot_frontier(doc, images["frontier"])
    for name in doc["traces"]:
        images[name] = out / f"capacity-{name}.png"
        scored, step_s = demand[name]
        plot_capacity(name, scored, runs[name], step_s, images[name])
    write_html(doc, images, paths["html"])
    return paths | images
