"""replay(): explicit clock, four policies, deterministic scores."""

import importlib
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from policy import (
    POLICY_NAMES,
    ClusterSpec,
    InvalidRequestError,
    PolicyConfig,
    ReplayConfig,
    ReplayReport,
    UnknownPolicyError,
    make_policy,
    replay,
)
from policy.settings import aurora_settings
from policy.types import PlanStep

START = datetime(2024, 1, 1, tzinfo=UTC)


def _demand(days: int = 3, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(days * 288)
    d = np.maximum(0.0, 5 + 4 * np.sin(2 * np.pi * t / 288) + rng.normal(0, 0.3, t.size))
    d[rng.random(t.size) < 0.01] *= 3  # bursts
    d[100] = np.nan  # a missing step
    return d


@pytest.fixture(scope="module")
def report() -> ReplayReport:
    return replay(_demand(), start=START, step_s=300, trace_name="synthetic")


def test_report_has_every_policy_with_the_required_keys(report: ReplayReport) -> None:
    assert list(report.scores) == list(POLICY_NAMES)
    for score in report.model_dump(mode="json")["scores"].values():
        assert {
            "cost_usd",
            "shortfall_acu_h",
            "slo_violation_min",
            "scaling_actions",
            "cost_vs_bound",
        } <= set(score)
    assert report.n_missing_steps == 1
    assert report.scored_from == datetime(2024, 1, 3, tzinfo=UTC)
    assert report.scores["acuplan"].n_replans == 24  # one a hour over the scored day


def test_the_bound_is_safe_and_no_safe_policy_is_cheaper(report: ReplayReport) -> None:
    bound = report.scores["bound"]
    assert bound.slo_violation_min == 0.0 and bound.shortfall_acu_h == 0.0
    safe = {n: s for n, s in report.scores.items() if s.slo_violation_min == 0.0 and s.shortfall_acu_h == 0.0}
    assert "static-peak" in safe
    for name, s in safe.items():
        assert s.cost_usd >= bound.cost_usd - 1e-6, name
    for s in report.scores.values():
        assert s.cost_vs_bound == pytest.approx(s.cost_usd / bound.cost_usd, rel=1e-4)


def test_baselines_behave_as_defined(report: ReplayReport) -> None:
    s = report.scores
    assert s["static-peak"].shortfall_acu_h == 0.0 and s["static-peak"].scaling_actions == 0
    assert s["reactive"].scaling_actions == 0
    assert s["static-peak"].cost_usd > s["acuplan"].cost_usd
    # Perfect foresight with a pre-warm leaves no shortfall; reactive has some.
    assert s["bound"].shortfall_acu_h == 0.0
    assert s["reactive"].shortfall_acu_h > 0.0
    assert s["acuplan"].slo_violation_min < s["reactive"].slo_violation_min


def test_two_identical_runs_give_identical_reports(report: ReplayReport) -> None:
    again = replay(_demand(), start=START, step_s=300, trace_name="synthetic")
    assert again.model_dump(exclude={"timing"}) == report.model_dump(exclude={"timing"})


def test_policies_see_only_the_past(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, datetime, int]] = []

    class Spy:
        name = "reactive"

        def decide(self, history_acu, *, now, n_steps, previous):  # type: ignore[no-untyped-def]
            seen.append((len(history_acu), now, n_steps))
            return make_policy(
                "reactive", d, cluster=ClusterSpec(), config=ReplayConfig(), step_s=300
            ).decide(history_acu, now=now, n_steps=n_steps, previous=previous)

    d = _demand()
    monkeypatch.setattr(
        importlib.import_module("policy.trace_replay.run"), "make_policy", lambda *a, **k: Spy()
    )
    replay(d, start=START, step_s=300, policies=["reactive"])
    assert seen[0] == (576, datetime(2024, 1, 3, tzinfo=UTC), 12)
    assert all(now == START + timedelta(seconds=300 * n) for n, now, _ in seen)
    assert [n for n, _, _ in seen] == list(range(576, 864, 12))


def test_warmup_longer_than_the_trace_is_rejected() -> None:
    with pytest.raises(InvalidRequestError, match="leaves nothing to score"):
        replay(_demand(days=1), start=START, step_s=300)


def test_unknown_policy_is_rejected() -> None:
    with pytest.raises(UnknownPolicyError, match="unknown policies \\['keda'\\]"):
        replay(_demand(), start=START, step_s=300, policies=["keda"])


def test_reader_windows_become_reader_instances() -> None:
    def step(i: int, n: int) -> PlanStep:
        return PlanStep(
            start=datetime(2024, 1, 1, i, tzinfo=UTC),
            demand_p50_acu=1,
            demand_risk_acu=1,
            min_capacity_acu=2.0,
            writer_acu=2.0,
            failover_reader_acu=2.0,
            extra_readers_by_az={"use1-az4": n},
            extra_reader_acu_by_az={"use1-az4": 2.0 * n},
            capacity_acu=4 + 2 * n,
            shortfall_acu=0,
            shortfall_probability=0.05,
        )

    steps = tuple(step(i, n) for i, n in enumerate([0, 2, 1, 0]))
    s = aurora_settings(steps, "use1-az2", ClusterSpec(), PolicyConfig(plan_step_s=3600))
    windows = [(r.role, r.promotion_tier, r.needed_from.hour, r.needed_until.hour) for r in s.readers]
    assert windows == [("failover", 1, 0, 4), ("read_scaling", 15, 1, 3), ("read_scaling", 15, 1, 2)]
    assert len(s.capacity_changes) == 1


def test_a_missing_day_in_the_scored_window_is_named_in_the_warnings(report: ReplayReport) -> None:
    assert report.warnings == ()  # one missing step, in the warm-up
    demand = _demand()
    demand[-288:] = np.nan  # the whole scored day
    demand[-300] = np.nan  # and one step of the warm-up: not counted
    gap = replay(demand, start=START, step_s=300, policies=["reactive", "bound"])
    assert gap.warnings == (
        "288 of the scored window's 288 steps (100.0%) are missing, the longest gap 24.0 h from "
        "2024-01-03 00:00 UTC: the simulator holds the last observed load through a gap, so its cost "
        "counts and its SLO minutes and shortfall do not",
    )
    short = _demand()
    short[-100:-88] = np.nan  # 1 h: a re-plan the scores cannot judge
    assert (
        replay(short, start=START, step_s=300, policies=["reactive"])
        .warnings[0]
        .startswith(
            "12 of the scored window's 288 steps (4.2%) are missing, the longest gap 1.0 h from "
            "2024-01-03 15:40"
        )
    )
    one = _demand()
    one[-50] = np.nan  # a missed sample: 0.3%, 5 min
    assert replay(one, start=START, step_s=300, policies=["reactive"]).warnings == ()
