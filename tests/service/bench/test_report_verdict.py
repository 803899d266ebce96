"""The bench report's "in short" paragraph: acuplan against Aurora alone, counted from the document."""

import json
from datetime import datetime
from pathlib import Path

from service.bench.report import markdown, summary_rows, verdict_text


def _sec(
    reactive: tuple[float, float], acuplan: tuple[float, float], applicable: list[str], met: bool
) -> dict:
    def run(cost: float, slo: float) -> dict:
        return {"cost_usd": cost, "slo_violation_min": slo, "dominated_by": []}

    a = run(*acuplan) | {"slo_share_of_reactive": acuplan[1] / reactive[1] if reactive[1] else None}
    return {
        "policies": {"reactive": run(*reactive), "acuplan": a},
        "targets": {"met": met, "applicable": applicable, "checks": dict.fromkeys(applicable, met)},
        "frontier": [],
    }


def _doc() -> dict:
    both = ["not_dominated", "slo_share_of_reactive", "cost_vs_bound"]
    return {
        "ramp_profiles": ["default", "slow"],
        "traces": {
            # Aurora alone has 100 SLO minutes: acuplan keeps 15 of them for 20% more money
            "web": _sec((100.0, 100.0), (120.0, 15.0), both, True)
            | {"profiles": {"slow": _sec((110.0, 300.0), (150.0, 120.0), both, False)}},
            # 2 SLO minutes: only dominance is judged; acuplan costs 0.5% less
            "batch": _sec((50.0, 2.0), (49.75, 2.0), ["not_dominated"], True),
            # no SLO minute: the 1.02x cost target applies too; acuplan costs 2% less
            "idle": _sec((10.0, 0.0), (9.8, 0.0), ["not_dominated", "cost_vs_reactive"], True),
        },
    }


def test_the_verdict_counts_cheaper_same_and_dearer_pairs() -> None:
    assert verdict_text(_doc()) == (
        "Of 4 (trace, ramp profile) pairs, acuplan costs less than Aurora alone at your floor on 1, the "
        "same (within 1%) on 1 and more on 2 (+20.0% to +36.4%, for 15.0% to 40.0% of Aurora alone's "
        "SLO-violation minutes: web (default), web (slow)). Targets met on 3 of 4 judged pairs; 1 of "
        "those were judged on dominance alone (Aurora alone had fewer than 5 SLO-violation minutes), where "
        '"met" only says no peer point costs 1% less for no more minutes.'
    )


def test_the_verdict_opens_the_markdown_report_under_the_table() -> None:
    doc = json.loads((Path(__file__).parents[3] / "benchmarks/results/bench/bench.json").read_text())
    lines = markdown(doc).splitlines()
    at = next(i for i, x in enumerate(lines) if x.startswith("**In short:** "))
    assert lines[at - 2].startswith("| ") and lines[at - 1] == "" and at < 30
    assert lines[at] == f"**In short:** {verdict_text(doc)}"


def test_no_pairs_no_verdict() -> None:
    assert verdict_text({"ramp_profiles": ["default"], "traces": {}}) == ""


def test_the_opening_tables_targets_cell_says_what_was_missed() -> None:
    from service.bench.report import _verdict

    missed = _doc()["traces"]["web"]["profiles"]["slow"]["targets"]
    # was "NOT met: not dominated; ..." (the check's name, read as its result)
    assert _verdict(missed) == "NOT met: dominated; SLO > 20% of Aurora alone; cost > 1.25x bound"
    assert _verdict(_doc()["traces"]["web"]["targets"]) == "met"
    assert _verdict(_doc()["traces"]["batch"]["targets"]) == "met (dominance only)"  # under 5 SLO minutes


def test_the_opening_table_gives_your_floor_and_acuplan_s_changes_per_day() -> None:
    doc = json.loads((Path(__file__).parents[3] / "benchmarks/results/bench/bench.json").read_text())
    trace = doc["traces"]["asg-cpu-misconfiguration"]
    row = next(r for r in summary_rows(doc) if r[:2] == ["asg-cpu-misconfiguration", "slow"])
    assert doc["config"]["reactive_floor_acu"] is None  # so Aurora alone ran at the cluster's MinCapacity
    assert row[3] == f"{trace['cluster']['limits']['min_acu']:g}" == "0.5"
    span = datetime.fromisoformat(trace["scored_until"]) - datetime.fromisoformat(trace["scored_from"])
    actions = trace["profiles"]["slow"]["policies"]["acuplan"]["scaling_actions"]
    assert row[8] == f"{actions / (span.total_seconds() / 86_400):,.1f}"


def test_a_trace_s_replay_warnings_are_printed_under_its_heading() -> None:
    doc = json.loads((Path(__file__).parents[3] / "benchmarks/results/bench/bench.json").read_text())
    warning = "3,456 of the scored window's 3,457 steps (100.0%) need more than MaxCapacity 2 ACU can serve"
    doc["traces"]["rds-cpu-cc0c53"]["warnings"] = [warning]
    lines = markdown(doc).splitlines()
    at = lines.index("## rds-cpu-cc0c53")
    assert lines[at + 4] == f"**Warning:** {warning}"
    assert sum(line.startswith("**Warning:**") for line in lines) == 1  # the other traces have none


def test_the_verdict_says_why_acuplan_is_never_cheaper_at_the_lowest_floor() -> None:
    # QA 64: "acuplan never saves money against Aurora alone at your floor" read as a failure;
    # at 0.5 ACU there is no floor to drop, and the page now says so first.
    doc = {
        "ramp_profiles": ["default"],
        "config": {},
        "traces": {
            "web": _sec((100.0, 100.0), (120.0, 15.0), ["not_dominated"], True) | {"cluster": {}},
            "idle": _sec((10.0, 0.0), (10.0, 0.0), ["not_dominated"], True) | {"cluster": {}},
        },
    }
    assert verdict_text(doc).startswith(
        "Every trace here runs Aurora alone at 0.5 ACU, the lowest running MinCapacity, so there is no "
        "floor left to drop: what acuplan buys at the same floor is fewer SLO-violation minutes, not a "
        "lower bill. A saving comes from a floor set above what Aurora's scaler holds (the README quick "
        "start's 8 ACU), which `acuplan advise` reports against your own settings. Of 2 (trace, ramp "
        "profile) pairs,"
    )
    doc["traces"]["idle"]["cluster"] = {"limits": {"min_acu": 2.0}}
    assert verdict_text(doc).startswith("Of 2 ")
