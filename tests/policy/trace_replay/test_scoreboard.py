"""The scoreboard (policy.trace_replay.scoreboard): dominance by peers and issue 9's targets."""

from __future__ import annotations

import pytest

from policy.trace_replay.scoreboard import (
    PEER_POLICIES,
    ScorePoint,
    TargetCheck,
    check_targets,
    dominated_by,
    one_setting,
)


def _p(label: str, cost: float, slo: float) -> ScorePoint:
    return ScorePoint(label, label.split("@")[0], cost, slo)


def test_static_peak_bound_and_acuplan_are_not_peers() -> None:
    assert PEER_POLICIES == ("reactive", "vpa", "predictive-scaling", "hpa-readers")
    assert _p("reactive@2", 1, 0).is_peer and _p("hpa-readers", 1, 0).is_peer
    assert not any(_p(x, 1, 0).is_peer for x in ("static-peak", "bound", "acuplan", "acuplan@q0.8"))


def test_a_peer_dominates_with_no_more_minutes_and_at_least_1pct_less_cost() -> None:
    me = _p("acuplan", 100.0, 2.0)
    points = [
        _p("reactive", 99.0, 2.0),  # exactly 0.99x, same minutes: dominates
        _p("vpa", 99.01, 0.0),  # 0.9901x: not 1 % cheaper
        _p("reactive@1", 50.0, 2.01),  # cheaper but more minutes
        _p("predictive-scaling@0.6", 80.0, 1.0),  # cheaper and fewer minutes: dominates
        _p("static-peak", 10.0, 0.0),  # would dominate, but hindsight is no peer
        _p("bound", 10.0, 0.0),  # a limit, no peer
        _p("acuplan@q0.8", 10.0, 0.0),  # acuplan's own sweep, no peer
    ]

    assert dominated_by(me, points) == ["predictive-scaling@0.6", "reactive"]  # cheapest first


def test_a_point_never_dominates_itself_and_equal_points_do_not_dominate_each_other() -> None:
    a, twin = _p("reactive", 50.0, 1.0), _p("reactive@0.5", 50.0, 1.0)

    assert dominated_by(a, [a, twin]) == []
    assert dominated_by(twin, [a, twin]) == []


def test_zero_cost_point_is_dominated_only_by_zero_cost_peers() -> None:
    assert dominated_by(_p("acuplan", 0.0, 0.0), [_p("reactive", 0.0, 0.0)]) == ["reactive"]
    assert dominated_by(_p("acuplan", 0.0, 0.0), [_p("reactive", 0.01, 0.0)]) == []


def test_where_reactive_has_no_slo_minute_acuplan_may_cost_2pct_more_if_not_dominated() -> None:
    reactive, bound = _p("reactive", 100.0, 0.0), _p("bound", 90.0, 0.0)

    ok = check_targets(_p("acuplan", 101.0, 0.0), reactive, bound, [reactive])
    dominated = check_targets(_p("acuplan", 101.5, 0.0), reactive, bound, [reactive])
    too_costly = check_targets(_p("acuplan", 102.5, 0.0), reactive, bound, [reactive])

    assert ok.met is True
    assert ok.applicable == ("not_dominated", "cost_vs_reactive")
    assert ok.checks == {"not_dominated": True, "cost_vs_reactive": True}
    assert ok.limits == {"cost_vs_reactive": 1.02}
    assert ok.acuplan_cost_vs_reactive == pytest.approx(1.01)
    assert ok.acuplan_slo_share_of_reactive is None  # reactive has no minute to share
    # Within 1.02x, but reactive (0 minutes) costs <= 0.99x: dominance binds first (~1.0101x).
    assert dominated.met is False
    assert dominated.checks == {"not_dominated": False, "cost_vs_reactive": True}
    assert dominated.dominated_by == ("reactive",)
    assert too_costly.checks == {"not_dominated": False, "cost_vs_reactive": False}


@pytest.mark.parametrize(
    ("cost", "slo", "met", "checks"),
    [
        (125.0, 2.0, True, {"not_dominated": True, "slo_share_of_reactive": True, "cost_vs_bound": True}),
        (125.0, 2.01, False, {"not_dominated": True, "slo_share_of_reactive": False, "cost_vs_bound": True}),
        (125.5, 2.0, False, {"not_dominated": True, "slo_share_of_reactive": True, "cost_vs_bound": False}),
    ],
    ids=["met-at-both-limits", "over-20pct-of-reactive", "over-1.25x-bound"],
)
def test_where_reactive_has_5_or_more_minutes_share_and_bound_apply(
    cost: float, slo: float, met: bool, checks: dict[str, bool]
) -> None:
    reactive, bound = _p("reactive", 80.0, 10.0), _p("bound", 100.0, 0.0)

    t = check_targets(_p("acuplan", cost, slo), reactive, bound, [reactive])

    assert t.met is met and t.checks == checks
    assert t.applicable == ("not_dominated", "slo_share_of_reactive", "cost_vs_bound")
    assert t.limits == {"slo_share_of_reactive": 0.2, "cost_vs_bound": 1.25}
    assert t.acuplan_cost_vs_bound == pytest.approx(cost / 100.0)
    assert t.acuplan_slo_share_of_reactive == pytest.approx(slo / 10.0)


def test_between_0_and_5_reactive_minutes_only_dominance_applies() -> None:
    reactive, bound = _p("reactive", 80.0, 4.9), _p("bound", 50.0, 0.0)
    vpa = _p("vpa", 90.0, 4.0)

    free = check_targets(_p("acuplan", 200.0, 4.5), reactive, bound, [reactive])
    beaten = check_targets(_p("acuplan", 100.0, 4.5), reactive, bound, [reactive, vpa])

    assert free.applicable == ("not_dominated",) and free.met is True  # 4x the bound is not judged
    # reactive is cheaper but has more minutes (4.9 > 4.5); vpa has fewer and costs 0.9x.
    assert beaten.met is False and beaten.dominated_by == ("vpa",)


def test_missing_references_leave_the_targets_unjudged() -> None:
    reactive = _p("reactive", 80.0, 10.0)

    assert check_targets(None, reactive, None, []).met is None
    assert check_targets(_p("acuplan", 1, 0), None, None, []).met is None
    no_bound = check_targets(_p("acuplan", 90.0, 1.0), reactive, None, [reactive])
    assert no_bound.met is None and "bound" in no_bound.why
    # Without a bound, the zero-minute case is still judged (it needs none).
    zero = _p("reactive", 80.0, 0.0)
    assert check_targets(_p("acuplan", 80.0, 0.0), zero, None, [zero]).met is True


def test_reaching_lists_the_swept_points_that_would_meet_the_targets() -> None:
    reactive, bound = _p("reactive", 80.0, 10.0), _p("bound", 100.0, 0.0)
    peers = [reactive, _p("reactive@4", 200.0, 0.0), _p("vpa", 110.0, 1.5)]
    sweep = [_p("acuplan@q0.8", 105.0, 3.0), _p("acuplan@q0.99", 120.0, 1.0)]

    t = check_targets(_p("acuplan", 111.0, 2.5), reactive, bound, peers, candidates=[*peers, *sweep])

    # q0.8 keeps 30 % of the minutes; reactive@4 costs 2x the bound; vpa and q0.99 reach the box.
    assert t.met is False and t.checks["slo_share_of_reactive"] is False
    assert t.reaching == ("vpa", "acuplan@q0.99")
    assert t.dominated_by == ()  # vpa has 1.5 <= 2.5 minutes but costs 110 > 0.99 x 111


def test_one_setting_counts_the_sections_each_setting_meets_acuplan_first() -> None:
    sections = [
        ("a/default", TargetCheck(met=True, reaching=("vpa", "reactive@8"))),
        ("a/slow", TargetCheck(met=False, reaching=("reactive@8",))),
        ("b/default", TargetCheck(met=True, reaching=("acuplan@q0.9",))),
        ("b/slow", TargetCheck(met=None, why="needs a bound run", reaching=("vpa",))),  # not judged
    ]

    records = one_setting(sections)

    assert [(r.label, r.met, r.missed) for r in records] == [
        ("acuplan", 2, ("a/slow",)),
        ("reactive@8", 2, ("b/default",)),
        ("acuplan@q0.9", 1, ("a/default", "a/slow")),
        ("vpa", 1, ("a/slow", "b/default")),
    ]
    assert all(r.met + len(r.missed) == 3 for r in records)  # every judged section, once


def test_one_setting_of_an_empty_suite_is_acuplan_with_nothing_judged() -> None:
    assert [(r.label, r.met, r.missed) for r in one_setting([])] == [("acuplan", 0, ())]
