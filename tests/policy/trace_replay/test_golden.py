"""A golden replay report on a short slice of a bundled real trace.

Three days of ``elb-requests-8c0756`` (bursty ELB requests; two days of warm-up, one scored
day, hourly re-plans) under reactive, static-peak, acuplan and the bound. The report is
compared with ``golden/elb-requests-8c0756-3d.json``: the forecast-free policies exactly
(to the stored rounding), acuplan within a small tolerance (its forecasts run through
statsmodels and BLAS, whose last digits may move between releases). Any change to the
simulator, the scaler model, the floors or the scoring shows up here as a diff to review.

To accept a deliberate change: ``ACUPLAN_UPDATE_GOLDEN=1 pytest tests/policy/trace_replay/test_golden.py``
and commit the new file with the reason.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from policy import ReplayConfig, replay
from service.inputs.bundled import bundled_replay_inputs

GOLDEN = Path(__file__).parent / "golden" / "elb-requests-8c0756-3d.json"
TRACE = "elb-requests-8c0756"
POLICIES = ("reactive", "static-peak", "acuplan", "bound")
KEYS = ("cost_usd", "shortfall_acu_h", "slo_violation_min", "scaling_actions", "n_replans")


def _report() -> dict[str, Any]:
    demand, cluster = bundled_replay_inputs(TRACE)
    n = 3 * 86_400 // demand.step_s
    report = replay(
        demand.demand_acu[:n],
        start=demand.start,
        step_s=demand.step_s,
        cluster=cluster,
        config=ReplayConfig(replan_every_s=3600, warmup_s=2 * 86_400),
        policies=list(POLICIES),
        trace_name=f"{TRACE}[:3d]",
    )
    doc = report.model_dump(mode="json")
    return {
        "trace": doc["trace"],
        "n_steps": doc["n_steps"],
        "scored_from": doc["scored_from"],
        "scored_until": doc["scored_until"],
        "scores": {
            name: {key: round(score[key], 4) if isinstance(score[key], float) else score[key] for key in KEYS}
            for name, score in doc["scores"].items()
        },
    }


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    got = _report()
    if os.environ.get("ACUPLAN_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n")
    return got


def test_the_slice_and_its_window_match_the_golden_report(report: dict[str, Any]) -> None:
    golden = json.loads(GOLDEN.read_text())
    assert {k: report[k] for k in ("trace", "n_steps", "scored_from", "scored_until")} == {
        k: golden[k] for k in ("trace", "n_steps", "scored_from", "scored_until")
    }
    assert list(report["scores"]) == list(POLICIES)


@pytest.mark.parametrize("name", ["reactive", "static-peak", "bound"])
def test_forecast_free_policies_match_the_golden_report_exactly(report: dict[str, Any], name: str) -> None:
    assert report["scores"][name] == json.loads(GOLDEN.read_text())["scores"][name]


def test_acuplan_matches_the_golden_report_within_tolerance(report: dict[str, Any]) -> None:
    got, want = report["scores"]["acuplan"], json.loads(GOLDEN.read_text())["scores"]["acuplan"]
    assert got["n_replans"] == want["n_replans"]
    assert got["cost_usd"] == pytest.approx(want["cost_usd"], rel=0.01)
    assert got["slo_violation_min"] == pytest.approx(want["slo_violation_min"], abs=1.0)
    assert got["shortfall_acu_h"] == pytest.approx(want["shortfall_acu_h"], abs=0.05)
