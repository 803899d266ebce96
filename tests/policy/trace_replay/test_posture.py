"""acuplan's risk quantile learnt per cluster from shadow replays: the choice rule and the shadows."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from pydantic import ValidationError

from policy import ClusterSpec, ReplayConfig, make_policy
from policy.config import PostureConfig
from policy.trace_replay.decision import Decision
from policy.trace_replay.posture import AcuplanPolicy, ShadowScore, choose_risk_quantile
from policy.trace_replay.run import _run_policy, replay, scored_window
from policy.trace_replay.sweep import sweep_risk_quantile

START = datetime(2024, 1, 1, tzinfo=UTC)
DAY = 86_400


def _choose(candidates: dict[float, tuple[float, float]], reactive_slo: float = 100.0, **kw: float):
    return choose_risk_quantile(
        {q: ShadowScore(c, s) for q, (c, s) in candidates.items()},
        ShadowScore(90.0, reactive_slo),
        100.0,
        base=0.9,
        scored_s=kw.pop("scored_s", 7 * DAY),
        config=PostureConfig(**kw),
    )


def test_the_cheapest_candidate_within_both_budgets_is_chosen() -> None:
    # Budget: 20 % of 100 min = 20 min, 1.25 x $100 = $125. p80 misses the SLO budget,
    # p90 and p95 the cost budget: p85 is the only one within both.
    choice = _choose({0.8: (105.0, 30.0), 0.85: (118.0, 15.0), 0.9: (130.0, 5.0), 0.95: (160.0, 1.0)})
    assert choice.risk_quantile == 0.85
    assert "15.0 minutes at 1.18x the bound" in choice.reason
    assert "20% of Aurora alone's 100.0 SLO-violation minutes at no more than 1.25x" in choice.reason


def test_a_cheaper_quantile_wins_and_ties_go_to_the_lower_one() -> None:
    assert _choose({0.8: (110.0, 10.0), 0.9: (120.0, 5.0)}).risk_quantile == 0.8
    assert _choose({0.85: (110.0, 10.0), 0.95: (110.0, 5.0)}).risk_quantile == 0.85


def test_a_higher_quantile_is_chosen_when_the_default_breaks_the_slo_budget() -> None:
    choice = _choose({0.9: (105.0, 40.0), 0.95: (112.0, 18.0), 0.99: (150.0, 2.0)})
    assert choice.risk_quantile == 0.95


def test_without_a_candidate_within_both_budgets_the_configured_quantile_stays() -> None:
    choice = _choose({0.8: (105.0, 30.0), 0.95: (160.0, 1.0)})
    assert choice.risk_quantile == 0.9
    assert choice.reason.startswith("p90: no candidate quantile kept within 20%")


def test_aurora_alone_holds_the_floor_when_it_beat_the_configured_quantile_and_nothing_fits() -> None:
    # No candidate within the budgets (20 min, $125), and Aurora alone ($90, 100 min) had no more
    # minutes than p90 for at least 1 % less: the forecast bought nothing.
    choice = _choose({0.8: (95.0, 100.0), 0.9: (96.0, 100.0), 0.95: (160.0, 1.0)})
    assert choice.risk_quantile == 0.9 and not choice.floor_from_forecast
    assert choice.reason.startswith("Aurora alone: no candidate quantile kept within 20%")
    assert "p90 cost $96.00 for 100.0 SLO-violation minutes where Aurora alone cost $90.00 for 100.0" in (
        choice.reason
    )


@pytest.mark.parametrize(
    ("p90", "why"),
    [
        ((96.0, 99.0), "p90 saved a minute"),
        ((90.9, 100.0), "Aurora alone is less than 1 % cheaper (90 > 0.99 x 90.9)"),
    ],
)
def test_the_configured_quantile_stays_unless_aurora_alone_dominated_it(
    p90: tuple[float, float], why: str
) -> None:
    choice = _choose({0.8: (95.0, 100.0), 0.9: p90, 0.95: (160.0, 1.0)})
    assert choice.floor_from_forecast and choice.risk_quantile == 0.9, why
    # a candidate within both budgets wins whatever Aurora alone did
    assert _choose({0.9: (96.0, 100.0), 0.95: (120.0, 10.0)}).risk_quantile == 0.95


def test_without_evidence_the_configured_quantile_stays() -> None:
    cheap = {0.8: (100.0, 0.0)}
    few = _choose(cheap, reactive_slo=4.9)
    assert few.risk_quantile == 0.9 and few.floor_from_forecast and "4.9 SLO-violation minutes" in few.reason
    short = _choose(cheap, scored_s=0.5 * DAY)
    assert short.risk_quantile == 0.9 and "0.5 days scored, fewer than the 1 needed" in short.reason


@pytest.mark.parametrize(
    ("p90", "held"),
    [
        ((96.0, 2.0), True),  # Aurora alone ($90, 2 min): as few minutes for 6 % less
        ((96.0, 1.9), False),  # p90 saved a tenth of a minute
        ((90.5, 2.0), False),  # Aurora alone less than 1 % cheaper
    ],
)
def test_before_the_evidence_aurora_alone_holds_the_floor_when_it_beat_the_configured_quantile(
    p90: tuple[float, float], held: bool
) -> None:
    # Too few minutes of Aurora alone to judge other quantiles, but enough scored time to see that
    # the configured one bought nothing: the floor stays where Aurora alone keeps it.
    choice = _choose({0.9: p90}, reactive_slo=2.0)
    assert choice.risk_quantile == 0.9 and choice.floor_from_forecast is not held
    assert "Aurora alone had 2.0 SLO-violation minutes in the last 7.0 days, fewer than the 5" in (
        choice.reason
    )
    if held:
        assert choice.reason.startswith("Aurora alone: ")
        assert "p90 cost $96.00 for 2.0 where Aurora alone cost $90.00" in choice.reason
    short = _choose({0.9: p90}, reactive_slo=2.0, scored_s=0.5 * DAY)  # never before min_window_s
    assert short.floor_from_forecast


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"risk_quantiles": (0.9, 0.8)}, "ascending without repeats"),
        ({"risk_quantiles": (0.9, 0.9)}, "ascending without repeats"),
        ({"risk_quantiles": (0.5, 0.9)}, "each be in (0.5, 1)"),
        ({"min_window_s": 2 * DAY, "window_s": DAY}, "must not exceed window_s"),
        ({"max_cost_vs_bound": 0.9}, "greater than or equal to 1"),
    ],
)
def test_bad_posture_settings_are_refused_by_name(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match="posture|risk_quantiles|min_window_s|max_cost_vs_bound") as err:
        ReplayConfig(posture=PostureConfig.model_validate(fields))
    assert message in str(err.value)


def _bursty(days: int = 4, seed: int = 3) -> np.ndarray:
    """A daily cycle with a burst to 4x at 18:00 every day: Aurora alone's scaler lags each one."""
    rng = np.random.default_rng(seed)
    t = np.arange(days * 288)
    d = 4 + 2 * np.sin(2 * np.pi * t / 288) + rng.normal(0, 0.2, t.size)
    d[(t % 288) == 216] *= 4.0
    return np.maximum(d, 0.1)


def _replay(demand: np.ndarray, config: ReplayConfig) -> tuple[AcuplanPolicy, list[Decision]]:
    first, every = scored_window(demand, step_s=300, config=config, policies=["acuplan"])
    pol = make_policy("acuplan", demand, cluster=ClusterSpec(), config=config, step_s=300)
    assert isinstance(pol, AcuplanPolicy)
    decisions, _ = _run_policy(pol, demand, start=START, step_s=300, first=first, every=every, progress=None)
    return pol, decisions


EAGER = PostureConfig(risk_quantiles=(0.8, 0.95), min_window_s=0, min_reactive_slo_min=0.0)
"""Shadows from the first decision and choices from the second: every decision has a say."""


@pytest.fixture(scope="module")
def eager() -> AcuplanPolicy:
    return _replay(_bursty(), ReplayConfig(warmup_s=3 * DAY, posture=EAGER))[0]


def test_each_shadow_sets_what_the_risk_sweep_sets_at_its_quantile(eager: AcuplanPolicy) -> None:
    # Shadows and the sweep both plan every candidate on one forecast made for all their quantiles,
    # each from its own deployed layout: the same rule, so the same floors, step for step.
    assert [s.risk_quantile for s in eager._shadows] == [0.8, 0.9, 0.95]
    config = ReplayConfig(warmup_s=3 * DAY, posture=EAGER)
    runs = sweep_risk_quantile(
        _bursty(),
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        config=config,
        risk_quantiles=(0.8, 0.9, 0.95),
    )
    for shadow, run in zip(eager._shadows, runs, strict=True):
        assert shadow.track.start == 3 * 288
        np.testing.assert_array_equal(shadow.track.floor_acu, run.floor_acu)


def test_the_plan_applied_is_recommend_at_the_chosen_quantile_from_the_deployed_layout(
    eager: AcuplanPolicy,
) -> None:
    # Replaying with the posture's choices pinned reproduces the floors: each decision is the
    # production recommend at its chosen quantile, from what the previous decision deployed.
    chosen = [c.risk_quantile for c in eager.choices]
    assert len(set(chosen)) > 1  # the rule moved at least once on this trace
    demand = _bursty()
    config = ReplayConfig(warmup_s=3 * DAY, posture=EAGER)
    first, every = scored_window(demand, step_s=300, config=config, policies=["acuplan"])
    previous = None
    floors = []
    for k, i in enumerate(range(first, len(demand), every)):
        n_steps = min(every, len(demand) - i)
        d = eager._plan(demand[:i], START + timedelta(seconds=300 * i), n_steps, previous, chosen[k])
        floors.append(d.floor_acu)
        previous = d.layout
    _, decisions = _replay(demand, config)
    np.testing.assert_array_equal(np.concatenate(floors), np.concatenate([d.floor_acu for d in decisions]))
    assert [d.risk_quantile for d in decisions] == chosen


def test_every_choice_follows_the_rule_on_the_shadows_own_scores(eager: AcuplanPolicy) -> None:
    assert eager.choices[0].risk_quantile == 0.9  # nothing scored yet at the first decision
    later = eager.choices[1:]
    assert len(later) == 23 and all(c.risk_quantile in (0.8, 0.9, 0.95) for c in later)
    # the last choice, recomputed from the ledgers over the whole scored window
    steps = len(eager._shadows[0].track.cost_usd)
    assert steps == 23 * 12
    scores = {s.risk_quantile: s.track.score(steps) for s in eager._shadows}
    assert eager._reactive is not None and eager._bound is not None
    again = choose_risk_quantile(
        scores,
        eager._reactive.score(steps),
        eager._bound.score(steps).cost_usd,
        base=0.9,
        scored_s=steps * 300,
        config=EAGER,
    )
    assert eager.choices[-1] == again
    # the bursts show: Aurora alone is scored with violation minutes, the bound costs least
    assert eager._reactive.score(steps).slo_violation_min > 0.5
    assert all(eager._bound.score(steps).cost_usd <= s.cost_usd + 1e-9 for s in scores.values())


def test_choices_never_see_the_future() -> None:
    config = ReplayConfig(warmup_s=3 * DAY, posture=EAGER)
    demand = _bursty()
    changed = demand.copy()
    changed[3 * 288 + 144 :] *= 3.0  # the second half of the scored day
    (a, _), (b, _) = _replay(demand, config), _replay(changed, config)
    assert a.choices[:13] == b.choices[:13]
    np.testing.assert_array_equal(a._shadows[0].track.floor_acu[:144], b._shadows[0].track.floor_acu[:144])


def _idle_with_bursts(days: int = 5, seed: int = 1) -> np.ndarray:
    """Idle (0 ACU) but for two bursts a day of 10-55 minutes at 2-10 ACU, at random times."""
    rng = np.random.default_rng(seed)
    demand = np.zeros(days * 288)
    for _ in range(2 * days):
        at, steps = rng.integers(0, demand.size - 12), rng.integers(2, 12)
        demand[at : at + steps] = rng.uniform(2, 10)
    return demand


def _learnt_and_plain(demand: np.ndarray, posture: PostureConfig):  # type: ignore[no-untyped-def]
    """Replays of Aurora alone and acuplan with ``posture``, and of acuplan with learning off."""
    config = ReplayConfig(posture=posture)
    with_rule = replay(demand, start=START, step_s=300, config=config, policies=("reactive", "acuplan"))
    off = ReplayConfig(posture=PostureConfig(risk_quantiles=()))
    return with_rule, replay(demand, start=START, step_s=300, config=off, policies=("acuplan",))


def test_on_random_bursts_acuplan_falls_back_to_aurora_alone_and_pays_less() -> None:
    # Nothing ahead of a random burst is forecastable: each forecast-driven floor pays for the last
    # bursts again without saving a minute, so the posture holds Aurora alone's floor.
    demand = _idle_with_bursts()
    learnt, decisions = _replay(demand, ReplayConfig(posture=EAGER))
    alone = [d for d in decisions if d.aurora_alone]
    assert len(alone) > len(decisions) / 2
    for d, c in zip(decisions, learnt.choices, strict=True):
        assert d.aurora_alone == (not c.floor_from_forecast)
        assert (d.risk_quantile is None) == d.aurora_alone
    for d in alone:  # exactly Aurora alone's settings, as the posture scored them
        assert set(d.floor_acu) == {ClusterSpec().limits.min_acu} and not d.n_extra_readers.any()
        assert d.has_failover and d.layout is None
    with_rule, plain = _learnt_and_plain(demand, EAGER)
    acuplan, reactive = with_rule.scores["acuplan"], with_rule.scores["reactive"]
    assert acuplan.replans_aurora_alone == len(alone) and plain.scores["acuplan"].replans_aurora_alone == 0
    assert sum((acuplan.replans_by_risk_quantile or {}).values()) == len(decisions) - len(alone)
    assert with_rule.scores["reactive"].replans_aurora_alone is None
    assert acuplan.slo_violation_min == pytest.approx(reactive.slo_violation_min)
    assert acuplan.cost_usd < plain.scores["acuplan"].cost_usd
    assert acuplan.cost_usd < 1.03 * reactive.cost_usd < plain.scores["acuplan"].cost_usd


def test_a_calm_cluster_plans_at_the_configured_quantile_without_other_shadows() -> None:
    t = np.arange(4 * 288)
    calm = 4 + 2 * np.sin(2 * np.pi * t / 288)
    learnt, a = _replay(calm, ReplayConfig(warmup_s=3 * DAY))
    assert [s.risk_quantile for s in learnt._shadows] == [0.9] and not learnt._candidates_started
    assert {c.risk_quantile for c in learnt.choices} == {0.9}
    assert all(c.floor_from_forecast for c in learnt.choices)
    assert learnt._reactive is not None and learnt._reactive.score(288).slo_violation_min < 5.0
    # the lone shadow is the plan applied, step for step (no second forecast made it)
    applied = np.concatenate([d.floor_acu for d in a])
    np.testing.assert_array_equal(learnt._shadows[0].track.floor_acu, applied)
    fixed, b = _replay(calm, ReplayConfig(warmup_s=3 * DAY, posture=PostureConfig(risk_quantiles=())))
    assert fixed._reactive is not None and len(fixed._reactive.cost_usd) == 0  # nothing scored when off
    for x, y in zip(a, b, strict=True):  # the same plans: the production recommend at p90
        np.testing.assert_array_equal(x.floor_acu, y.floor_acu)


def test_advise_says_which_quantiles_the_replay_learnt() -> None:
    from policy.advice.reasons import posture_reasons

    replay = ReplayConfig()
    assert posture_reasons(None, replay) == [] and posture_reasons({"0.9": 288}, replay) == []
    (sentence,) = posture_reasons({"0.8": 36, "0.85": 227, "0.9": 26}, replay)
    assert sentence.startswith(
        "acuplan re-planning live learnt its risk quantile from this cluster's own replay (of 289 re-plans, "
    )
    assert "p80 in 36, p85 in 227, p90 in 26; p90 is the default" in sentence
    assert "today's MinCapacity where" not in sentence
    assert sentence.endswith(
        "set --risk 0.85 (config.risk_quantile over HTTP) for the posture this replay used most"
    )
    (alone,) = posture_reasons({"0.9": 20}, replay, 40)
    assert "p90 in 20, Aurora alone in 40; p90 is the default" in alone and "of 60 re-plans" in alone
    assert "else today's MinCapacity where that had cost less than the configured quantile" in alone
    assert "send config.floor_from_forecast=false to POST /v1/recommendations" in alone
    (some,) = posture_reasons({"0.9": 40}, replay, 20)  # mostly the default: nothing to set
    assert some.endswith("(policy.trace_replay.posture)")
    assert posture_reasons({"0.9": 40}, replay, 0) == []
    assert "within 20% of today's SLO-violation minutes at no more than 1.25x" in sentence


def test_replay_takes_a_dict_config_and_refuses_a_bad_one_by_name() -> None:
    from policy import replay

    demand = _bursty(days=3)
    report = replay(
        demand, start=START, step_s=300, config={"posture": {"risk_quantiles": []}}, policies=["reactive"]
    )
    assert report.scores["reactive"].n_replans == 24  # hourly over the scored day
    with pytest.raises(ValidationError, match="risk_quantiles must be ascending"):
        replay(demand, start=START, step_s=300, config={"posture": {"risk_quantiles": [0.9, 0.8]}})


def test_a_window_that_is_not_whole_steps_still_reaches_its_minimum() -> None:
    config = ReplayConfig(
        warmup_s=3 * DAY,
        posture=PostureConfig(
            risk_quantiles=(0.8,), window_s=DAY + 100, min_window_s=DAY + 100, min_reactive_slo_min=0
        ),
    )
    pol = make_policy("acuplan", _bursty(), cluster=ClusterSpec(), config=config, step_s=300)
    assert isinstance(pol, AcuplanPolicy) and pol._window_steps == 289


def test_before_any_evidence_the_configured_quantile_is_judged_against_aurora_alone() -> None:
    # Evidence never comes (Aurora alone would need 1,000 minutes), so no other quantile ever plans:
    # the configured p90 is still scored from the first decision, and once a day is scored the floor
    # stays where Aurora alone keeps it whenever p90 bought no minute for its extra cost.
    demand = _idle_with_bursts(days=6)
    patient = PostureConfig(min_reactive_slo_min=1000.0)
    learnt, decisions = _replay(demand, ReplayConfig(posture=patient))
    assert [s.risk_quantile for s in learnt._shadows] == [0.9] and not learnt._candidates_started
    assert all(c.floor_from_forecast for c in learnt.choices[:24])  # the first day: nothing to judge yet
    held = [c for c in learnt.choices if not c.floor_from_forecast]
    assert held and all(c.reason.startswith("Aurora alone: Aurora alone had ") for c in held)
    for d, c in zip(decisions, learnt.choices, strict=True):
        assert d.aurora_alone == (not c.floor_from_forecast)
    with_rule, plain = _learnt_and_plain(demand, patient)
    acuplan, reactive = with_rule.scores["acuplan"], with_rule.scores["reactive"]
    assert acuplan.replans_aurora_alone == len(held)
    assert acuplan.slo_violation_min == pytest.approx(reactive.slo_violation_min)
    assert reactive.cost_usd <= acuplan.cost_usd < plain.scores["acuplan"].cost_usd
