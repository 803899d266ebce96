"""recommend(): the decision path shared by HTTP, replay and library callers."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

import policy.engine
import policy.plan
import policy.scaler
import policy.settings
from placement import PlacementPlan, PreviousLayout, SolveStatus, is_on_half_acu_grid
from policy import (
    CapacityLimits,
    ClusterSpec,
    InvalidRequestError,
    Layout,
    PolicyConfig,
    Recommendation,
    ScalerModel,
    recommend,
    simulate,
)

NOW = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)


def _history(days: int = 3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(days * 288)
    return np.maximum(0.0, 6 + 4 * np.sin(2 * np.pi * t / 288) + rng.normal(0, 0.3, t.size))


def test_recommendation_shape_grid_bounds_and_settings() -> None:
    cluster = ClusterSpec(limits=CapacityLimits(min_acu=1.0, max_acu=32.0))
    rec = recommend(_history(), now=NOW, step_s=300, cluster=cluster)
    assert rec.mode == "ForecastOnly"
    assert len(rec.steps) == 12  # 3 h at 900-s plan steps
    assert rec.steps[0].start == NOW
    assert rec.steps[-1].start == NOW + timedelta(seconds=11 * 900)
    assert rec.solver.status is SolveStatus.OPTIMAL
    assert rec.forecast_model == "holt_winters"
    assert rec.failover_az_id in {"use1-az2", "use1-az4"}
    for s in rec.steps:
        for acu in (s.min_capacity_acu, s.writer_acu, s.failover_reader_acu):
            assert is_on_half_acu_grid(acu) and 1.0 <= acu <= 32.0
        # the writer holds max(floor, what Aurora's scaler holds for the median): at least
        # the floor, and at least the median's write share at the scaler's 70% target
        assert s.writer_acu >= s.min_capacity_acu
        assert s.writer_acu >= s.demand_p50_acu * 0.5 / 0.7 - 0.5
        assert s.failover_reader_acu >= s.writer_acu
        assert 0.0 <= s.shortfall_probability <= 0.5
    changes = rec.settings.capacity_changes
    assert changes[0].at == NOW and changes[0].min_capacity_acu == rec.steps[0].min_capacity_acu
    assert all(c.reason for c in changes)
    assert all(c.max_capacity_acu == 32.0 for c in changes)
    failover = [r for r in rec.settings.readers if r.role == "failover"]
    assert len(failover) == 1 and failover[0].promotion_tier == 1
    assert rec.expected_cost_usd == pytest.approx(sum(s.capacity_acu for s in rec.steps) * 0.25 * 0.12)
    # A smooth daily cycle the scaler follows on its own: the floor stays at the minimum.
    assert all(s.min_capacity_acu == 1.0 for s in rec.steps)
    assert "MinCapacity stays at 1 ACU: Aurora's own scaler reaches the p90" in rec.reasons[0]


def test_recommendation_round_trips_through_json() -> None:
    rec = recommend(_history(), now=NOW)
    again = Recommendation.model_validate_json(rec.model_dump_json())
    assert again == rec


def test_identical_inputs_give_identical_recommendations() -> None:
    a = recommend(_history(), now=NOW).model_dump(exclude={"solver": {"solve_time_s"}})
    b = recommend(_history(), now=NOW).model_dump(exclude={"solver": {"solve_time_s"}})
    assert a == b


def test_short_history_falls_back_and_says_so() -> None:
    rec = recommend(_history()[:100], now=NOW)
    assert rec.forecast_model != "holt_winters"
    assert rec.warnings, "a fallback must be reported"


def test_no_one_plan_step_dip_between_two_raises() -> None:
    # A 35-minute sawtooth (2 to 8 ACU) the forecast repeats: the 15-minute blocks' floor
    # needs alternate (5, 4, 5, 3.5, 5, ...) though no history-step lull is that short.
    history = np.array([2.0 + i % 7 for i in range(2016)])
    now = datetime(2024, 4, 1, tzinfo=UTC) + timedelta(seconds=300 * 2016)
    rec = recommend(history, now=now, step_s=300, cluster=ClusterSpec(limits=CapacityLimits(max_acu=64)))
    floors = [s.min_capacity_acu for s in rec.steps]
    for i in range(1, len(floors) - 1):  # no single step below both neighbours
        assert not (floors[i] < floors[i - 1] and floors[i] < floors[i + 1]), floors
    assert len(rec.settings.capacity_changes) <= 5


@pytest.mark.parametrize(
    ("history", "cap_acu"),
    [
        # writer share 0.5 of 4 ACU at the 0.95 SLO utilisation: 2.1 -> 2.5 ACU on the grid
        ([3.5, 4.0], 2.5),
        ([30.0], 16.0),  # 15 / 0.95 = 15.8 -> 16 ACU
    ],
    ids=["readme-two-points", "one-point"],
)
def test_an_untrusted_history_with_nothing_to_hold_never_raises_the_floor_past_what_it_showed(
    history: list[float], cap_acu: float
) -> None:
    now = datetime(2024, 3, 4, tzinfo=UTC) + timedelta(minutes=5 * len(history))
    rec = recommend(np.array(history), now=now, step_s=300, cluster=ClusterSpec())
    assert rec.data_quality is not None and rec.data_quality.flags and not rec.data_quality.held
    assert max(s.min_capacity_acu for s in rec.steps) == cap_acu
    capped = [r for r in rec.reasons if "no deployed layout was given to hold" in r]
    assert capped and f"MinCapacity is capped at {cap_acu:g} ACU" in capped[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"now": datetime(2024, 3, 4, 12)}, "now must be timezone-aware"),
        ({"history_acu": [1.0, -1.0]}, "history_acu[1]=-1.0 must be >= 0 ACU; 1 invalid value(s) in total"),
        ({"history_acu": [1.0, np.inf]}, "history_acu[1]=inf must be finite (use NaN for missing)"),
        ({"history_acu": [1.0, 2e6]}, "history_acu[1]=2000000.0 must be <= 1e+06 ACU"),
        ({"history_acu": []}, "history_acu is empty; need at least 1 observed step"),
        ({"history_acu": [[1.0]]}, "history_acu must be 1-D (n_steps,), got shape (1, 1)"),
        ({"history_acu": [np.nan, np.nan]}, "history_acu has 2 steps, all missing (NaN)"),
        ({"step_s": 420}, "step_s=420 must divide the plan step plan_step_s=900: e.g. 60, 300, 900"),
    ],
    ids=["naive-now", "negative", "infinite", "too-big", "empty", "2-d", "all-missing", "step-mismatch"],
)
def test_bad_input_raises_a_typed_error_naming_the_field(kwargs: dict, message: str) -> None:
    args = {"history_acu": _history(), "now": NOW, "step_s": 300} | kwargs
    with pytest.raises(InvalidRequestError) as err:
        recommend(**args)
    assert message in str(err.value)
    assert err.value.field == ("now" if "now" in kwargs else next(iter(kwargs)))


def test_fail_safe_never_scales_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        policy.plan, "solve", lambda *a, **k: PlacementPlan(status=SolveStatus.NO_SOLUTION_AT_TIMEOUT)
    )
    previous = PreviousLayout(writer_acu=20.0, failover_az_id="use1-az2")
    rec = recommend(_history(), now=NOW, previous=previous)
    assert rec.is_fail_safe
    assert rec.solver.status is SolveStatus.NO_SOLUTION_AT_TIMEOUT
    assert all(s.min_capacity_acu >= 20.0 and s.writer_acu >= 20.0 for s in rec.steps)
    assert rec.failover_az_id == "use1-az2"
    assert "fail-safe" in rec.reasons[0]


def test_without_floor_from_forecast_the_floor_stays_at_min_acu_and_the_plan_says_why() -> None:
    # the sawtooth above raises the floor when it follows the forecast
    history = np.array([2.0 + i % 7 for i in range(2016)])
    now = datetime(2024, 4, 1, tzinfo=UTC) + timedelta(seconds=300 * 2016)
    cluster = ClusterSpec(limits=CapacityLimits(min_acu=1.0, max_acu=64))
    raised = recommend(history, now=now, step_s=300, cluster=cluster)
    held = recommend(
        history, now=now, step_s=300, cluster=cluster, config=PolicyConfig(floor_from_forecast=False),
        previous=PreviousLayout(writer_acu=5.0),
    )  # fmt: skip
    assert max(s.min_capacity_acu for s in raised.steps) > 1.0
    assert {s.min_capacity_acu for s in held.steps} == {1.0}  # lowered from the deployed 5 ACU at once
    assert [c.min_capacity_acu for c in held.settings.capacity_changes] == [1.0]
    assert any("MinCapacity stays at the cluster's floor (1 ACU)" in r for r in held.reasons)
    assert not any("floor_from_forecast" in r for r in raised.reasons)


def test_higher_risk_quantile_never_lowers_the_floor() -> None:
    low = recommend(_history(), now=NOW, config=PolicyConfig(risk_quantile=0.6))
    high = recommend(_history(), now=NOW, config=PolicyConfig(risk_quantile=0.99))
    assert sum(s.min_capacity_acu for s in high.steps) >= sum(s.min_capacity_acu for s in low.steps)


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        (PreviousLayout(writer_acu=200.0), "previous.writer_acu=200.0 is outside"),
        (PreviousLayout(writer_acu=2.0, failover_az_id="use1-az1"), "previous.failover_az_id='use1-az1'"),
        (PreviousLayout(writer_acu=2.0, extra_readers_by_az={"euw1-az1": 1}), "names AZs ['euw1-az1']"),
    ],
    ids=["floor-above-max", "failover-in-writer-az", "unknown-az"],
)
def test_previous_layout_must_fit_the_cluster(previous: PreviousLayout, message: str) -> None:
    cluster = ClusterSpec(limits=CapacityLimits(max_acu=16.0))
    with pytest.raises(InvalidRequestError) as err:
        recommend(_history(), now=NOW, cluster=cluster, previous=previous)
    assert message in str(err.value)


def test_absurd_demand_is_rejected_not_overflowed() -> None:
    with pytest.raises(InvalidRequestError) as err:
        recommend([1e12, 1e12], now=NOW)
    assert err.value.field == "history_acu"


def test_demand_beyond_the_cluster_is_clipped_and_reported_as_shortfall() -> None:
    # 5,000 ACU of demand on a cluster that can hold at most 16 x (1 + 7) = 128 ACU.
    cluster = ClusterSpec(limits=CapacityLimits(max_acu=16.0))
    rec = recommend(np.full(100, 5000.0), now=NOW, cluster=cluster)
    assert all(s.writer_acu == 16.0 for s in rec.steps)
    assert all(s.shortfall_acu > 5000 / 0.8 - 16 * 8 - 1 for s in rec.steps)
    assert any("exceeds what the cluster can serve" in w for w in rec.warnings)


@pytest.mark.parametrize(
    ("cluster", "config", "field"),
    [
        (ClusterSpec(limits=CapacityLimits(max_readers=0)), PolicyConfig(), "cluster.limits.max_readers"),
        (ClusterSpec(), PolicyConfig(min_azs=4), "config.min_azs"),
        (
            ClusterSpec(limits=CapacityLimits(max_readers=0)),
            PolicyConfig(require_failover_reader=False, min_azs=2),
            "config.min_azs",
        ),
    ],
    ids=["no-room-for-failover", "more-azs-than-topology", "no-readers-for-spread"],
)
def test_conflicting_hard_constraints_are_input_errors(
    cluster: ClusterSpec, config: PolicyConfig, field: str
) -> None:
    with pytest.raises(InvalidRequestError) as err:
        recommend(_history(), now=NOW, cluster=cluster, config=config)
    assert err.value.field == field
    assert field in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"now": "2024-03-04T12:00Z"}, "now"),
        ({"step_s": "300"}, "step_s"),
        ({"history_acu": ["a"]}, "history_acu"),
    ],
    ids=["now-string", "step-string", "history-strings"],
)
def test_wrong_argument_types_are_typed_errors(kwargs: dict, field: str) -> None:
    args = {"history_acu": _history(), "now": NOW, "step_s": 300} | kwargs
    with pytest.raises(InvalidRequestError) as err:
        recommend(**args)
    assert err.value.field == field


def test_now_too_late_for_the_horizon() -> None:
    with pytest.raises(InvalidRequestError, match="horizon ends past year 9999"):
        recommend(_history(), now=datetime(9999, 12, 31, 23, 0, tzinfo=UTC))


def _daily_jump(days: float, step_s: int = 300) -> np.ndarray:
    """1 ACU, except 24 ACU from 09:00 to 11:00 UTC every day (deterministic ripple)."""
    t = np.arange(int(days * 86_400 / step_s)) * step_s
    hour = (t % 86_400) / 3600
    ripple = 0.05 * np.sin(t / 977.0)
    return np.where((hour >= 9) & (hour < 11), 24.0, 1.0) + ripple


def test_a_forecast_jump_raises_the_floor_just_in_time_and_removes_the_ramp() -> None:
    # Four days of history; now is 07:30 on day 5. The forecast knows the 09:00 jump, so
    # the floor goes up shortly before it (Aurora's scaler needs 45*log2(12/1) ~ 160 s
    # plus the 60-s settings delay to climb), and stays at the minimum before.
    start = datetime(2024, 3, 1, tzinfo=UTC)
    history = _daily_jump(5)
    now = start + timedelta(days=4, hours=7, minutes=30)
    cluster = ClusterSpec(limits=CapacityLimits(min_acu=0.5, max_acu=64.0))
    rec = recommend(history[: 4 * 288 + 90], now=now, cluster=cluster)
    floors = {s.start: s.min_capacity_acu for s in rec.steps}
    assert floors[now] == 0.5  # 07:30-07:45: nothing to prepare for yet
    assert floors[now + timedelta(minutes=75)] > 0.5  # 08:45-09:00: the block before the jump
    raise_ = next(c for c in rec.settings.capacity_changes if c.min_capacity_acu > 0.5)
    assert "must be at 13 ACU from 08:5" in raise_.reason
    assert "until 09:00 UTC to serve the p90 demand forecast, 24 ACU at 09:00" in raise_.reason
    # Replay the plan's floors over what really happens that morning: no SLO minute,
    # while Aurora alone at 0.5 ACU ramps late.
    day = _daily_jump(5)[4 * 288 + 90 : 4 * 288 + 90 + 36]
    planned = np.array(
        [
            policy.settings.floor_at(rec.settings.capacity_changes, now + timedelta(seconds=300 * j))
            for j in range(36)
        ]
    )
    layout = Layout(planned, np.full(36, 64.0), np.zeros(36, dtype=np.int64), has_failover=True)
    alone = Layout(np.full(36, 0.5), np.full(36, 64.0), np.zeros(36, dtype=np.int64), has_failover=True)
    kw = dict(step_s=300, read_frac=0.5, scaler=ScalerModel(), price_usd_per_acu_hour=0.12)
    assert simulate(day, layout, **kw).slo_violation_min == 0.0  # type: ignore[arg-type]
    assert simulate(day, alone, **kw).slo_violation_min > 1.0  # type: ignore[arg-type]


def test_fail_safe_keeps_deployed_readers_and_reports_no_phantom_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        policy.plan, "solve", lambda *a, **k: PlacementPlan(status=SolveStatus.NO_SOLUTION_AT_TIMEOUT)
    )
    previous = PreviousLayout(writer_acu=4.0, extra_readers_by_az={"use1-az4": 1})
    rec = recommend(
        _history(), now=NOW, config=PolicyConfig(require_failover_reader=False), previous=previous
    )
    assert rec.failover_az_id is None
    assert all(s.failover_reader_acu == 0.0 for s in rec.steps)
    assert all(s.extra_readers_by_az["use1-az4"] == 1 for s in rec.steps)
    assert all(s.capacity_acu == 2 * s.writer_acu for s in rec.steps)


def test_an_unprecedented_level_is_a_reason_and_lifts_the_plan() -> None:
    history = 2 + np.sin(2 * np.pi * np.arange(4 * 288) / 288)  # 1-3 ACU for 4 days
    history[-12:] = 8.0  # the last hour at 8 ACU: 5.0 ACU above every hourly mean before it
    cluster = ClusterSpec(limits=CapacityLimits(min_acu=0.5, max_acu=64.0))

    rec = recommend(history, now=NOW, step_s=300, cluster=cluster)

    [warning] = [w for w in rec.warnings if w.startswith("unprecedented level:")]
    assert "averaged 8 ACU" in warning and "5% above every hourly mean" in warning
    assert [r for r in rec.reasons if "unprecedented level:" in r] == [
        f"the forecast saw an {warning} (forecasting.unprecedented)"
    ]
    # The model repeats yesterday (~2 ACU): its last hour's errors (~6 ACU) lift the whole
    # forecast (forecasting.bias), which then covers the 5.01-ACU excess by itself.
    assert [w for w in rec.warnings if w.startswith("biased forecast:")]
    assert "the forecast already follows it" in warning
    first = rec.steps[0]
    assert first.demand_p50_acu >= 8.0 and first.demand_risk_acu >= 8.0
    assert first.capacity_acu >= 8.0


def test_demand_beyond_max_capacity_reads_as_a_likely_shortfall() -> None:
    """A flat 300 ACU against MaxCapacity 128: every quantile of demand is above what can be
    served, so P(shortfall) is at least 1 - q_min (it read 1 - risk_quantile = 0.1 before)."""
    rec = recommend(np.full(3 * 288, 300.0), now=NOW)

    assert all(s.shortfall_acu > 0 for s in rec.steps)
    assert min(s.shortfall_probability for s in rec.steps) >= 0.9 - 1e-9


@pytest.mark.parametrize(
    ("history", "message"),
    [
        pytest.param(np.array([1 + 5j, 2 + 9j]), "got complex128 values", id="complex"),
        pytest.param(np.array([True, False, True]), "got bool values", id="bool"),
        pytest.param(np.array(["1", "2"]), "got <U1 values", id="text"),
        pytest.param([1.0, True], "history_acu[1]=True must be a real number", id="bool_in_a_list"),
        pytest.param([None, "3", 1.0], "history_acu[1]='3' must be a real number", id="text_in_a_list"),
        pytest.param([1 + 5j, 2.0], "history_acu[0]=(1+5j) must be a real number", id="complex_in_a_list"),
    ],
)
def test_history_that_is_not_real_numbers_is_refused_not_coerced(history: object, message: str) -> None:
    """Complex values lost their imaginary part and booleans or text read as numbers before."""
    with pytest.raises(InvalidRequestError) as info:
        recommend(history, now=NOW)  # type: ignore[arg-type]
    assert info.value.field == "history_acu"
    assert message in str(info.value) and "NaN or None for a missing step" in str(info.value)


def test_now_before_the_epoch_is_refused_like_the_http_service_does() -> None:
    with pytest.raises(InvalidRequestError) as info:
        recommend(np.ones(3), now=datetime(1, 1, 2, tzinfo=UTC))
    assert info.value.field == "now" and "must be at or after 1970-01-01T00:00:00Z" in str(info.value)


def test_shortfall_probability_reads_the_shortfall_in_demand_units() -> None:
    """Noisy 280 ACU against MaxCapacity 128: what the plan serves is risk - shortfall x target
    utilisation (shortfall is capacity), about the median here, so P(shortfall) is about 0.5;
    subtracting the capacity shortfall from demand read 0.6."""
    rng = np.random.default_rng(0)
    rec = recommend(280 + 60 * rng.standard_normal(3 * 288).clip(-3, 3), now=NOW)
    s = rec.steps[0]
    served = s.demand_risk_acu - s.shortfall_acu * rec.target_utilisation

    assert served == pytest.approx(s.demand_p50_acu, rel=0.01)
    assert 0.45 < s.shortfall_probability < 0.55


def test_lowering_to_a_floor_still_needed_says_what_it_still_buys() -> None:
    """A step down from 3 to 1 ACU where 1 ACU is still needed for a later peak: the reason said
    "the higher floor would buy nothing" while the 1-ACU step's own floor_reason said it was needed."""
    rec = recommend(_history(), now=NOW)
    base = rec.steps[0]
    floors, why = [3.0, 3.0, 1.0, 1.0, 0.5], ["", "", "", "must be at 1 ACU by 01:00 UTC (test)", ""]
    steps = tuple(
        base.model_copy(
            update={"start": NOW + timedelta(minutes=15 * i), "min_capacity_acu": f, "floor_reason": w}
        )
        for i, (f, w) in enumerate(zip(floors, why, strict=True))
    )

    changes = policy.settings._capacity_changes(steps, 32.0, "p90")

    assert [c.min_capacity_acu for c in changes] == [3.0, 1.0, 0.5]
    assert changes[1].reason == "lower to 1 ACU, the floor still needed: must be at 1 ACU by 01:00 UTC (test)"
    assert changes[2].reason.startswith("lower to 0.5 ACU: from ")
    assert "would buy nothing" in changes[2].reason


def test_demand_the_scaler_cannot_reach_in_time_is_shortfall_not_covered() -> None:
    """Planning at the very start of a known daily 100-ACU jump with the scaler near 1 ACU: no
    MinCapacity set now takes effect and ramps in time, so the step is short (it read covered,
    P(short) 0.1, and "the scaler reaches the p90 demand forecast in time")."""
    demand = np.ones(5 * 288)
    for day in range(5):
        demand[day * 288 + 144 : day * 288 + 147] = 100.0
    history = demand[: 4 * 288 + 144]
    rec = recommend(history, now=datetime(2024, 3, 1, tzinfo=UTC) + timedelta(seconds=300 * len(history)))
    first = rec.steps[0]
    assert first.demand_risk_acu == pytest.approx(100.0, rel=0.01)
    assert first.shortfall_acu > 100.0 and first.shortfall_probability >= 0.5
    assert rec.steps[1].shortfall_acu == 0.0  # later steps are reachable (and planned for)
    assert "cannot reach all of the p90 demand forecast in time" in rec.reasons[0]
    assert any("stay uncovered: Aurora's scaler cannot climb to it in time" in r for r in rec.reasons)


def _spiky(days: int = 3) -> np.ndarray:
    """4 ACU, with half an hour at 40 ACU 2024-03-02 21:20-21:50 UTC (steps 400-405 before NOW)."""
    h = np.full(days * 288, 4.0)
    h[400:406] = 40.0
    return h


def test_observed_demand_beyond_max_capacity_is_warned_with_the_setting_to_raise() -> None:
    # 40 ACU, half of it writes, at the 0.8 target: 25 ACU on the writer, MaxCapacity 16. The forecast
    # of the next 3 h (4 ACU) never comes near it, so only the history can say so.
    cluster = ClusterSpec(limits=CapacityLimits(min_acu=0.5, max_acu=16.0))
    rec = recommend(_spiky(), now=NOW, step_s=300, cluster=cluster)
    assert rec.warnings == (
        "observed demand peaked at 40 ACU (2024-03-02 21:20 UTC), which needs 25 ACU on the writer, above "
        "MaxCapacity 16 ACU in 6 of 864 observed steps: the cluster as configured could not serve it at the "
        "target utilisation 0.8; raise MaxCapacity (cluster.limits.max_acu) to 25 ACU (max_connections "
        "follows MaxCapacity and changes only after a reboot)",
    )


def test_the_observed_max_capacity_warning_does_not_change_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = ClusterSpec(limits=CapacityLimits(min_acu=0.5, max_acu=16.0))
    warned = recommend(_spiky(), now=NOW, step_s=300, cluster=cluster)
    monkeypatch.setattr(policy.engine, "observed_beyond_max_warning", lambda *a, **k: None)
    silent = recommend(_spiky(), now=NOW, step_s=300, cluster=cluster)
    solver_time = {"solver": {"solve_time_s"}}
    assert len(warned.warnings) == len(silent.warnings) + 1
    assert warned.model_dump(exclude={**solver_time, "warnings": True}) == silent.model_dump(
        exclude={**solver_time, "warnings": True}
    )


def test_observed_demand_the_readers_take_is_not_beyond_max_capacity() -> None:
    # 24 ACU, half reads: the writer needs 24 x 0.5 / 0.8 = 15 ACU, under MaxCapacity 16; readers
    # take the reads. Nothing to warn of (the constant-history fallback is the only warning).
    cluster = ClusterSpec(limits=CapacityLimits(min_acu=0.5, max_acu=16.0))
    rec = recommend(np.full(864, 24.0), now=NOW, step_s=300, cluster=cluster)
    assert rec.warnings == (
        "history is constant (24 ACU over 864 steps); backtest skipped; using seasonal_naive",
    )


def test_the_observed_max_capacity_warning_asks_for_the_forecasts_need_when_it_is_larger() -> None:
    cluster = ClusterSpec(limits=CapacityLimits(min_acu=0.5, max_acu=16.0))
    config = PolicyConfig()
    rec = recommend(np.full(864, 40.0), now=NOW, step_s=300, cluster=cluster, config=config)
    history = np.full(864, 30.0)  # needs 18.75 ACU on the writer; the plan's forecast 25
    warning = policy.engine.observed_beyond_max_warning(
        history, rec, now=NOW, step_s=300, cluster=cluster, config=config
    )
    assert warning == (
        "observed demand peaked at 30 ACU (2024-03-01 12:00 UTC), which needs 18.8 ACU on the writer, above "
        "MaxCapacity 16 ACU in 864 of 864 observed steps: the cluster as configured could not serve it at "
        "the target utilisation 0.8, and the p90 demand forecast needs up to 25 ACU; raise MaxCapacity "
        "(cluster.limits.max_acu) to 25 ACU (max_connections follows MaxCapacity and changes only after a "
        "reboot)"
    )


def test_a_lull_of_hours_keeps_a_floor_for_the_old_level_at_the_slow_ramp() -> None:
    """ec2-cpu-step-825cc2's shape at the slow ramp profile: days at ~15 ACU, then 11 hours at
    ~4 ACU. The old level may come back at once (it did there, 4 -> 14 ACU in one step), and
    from 4 ACU the slow scaler needs minutes to reach it: MinCapacity is raised for it
    (policy.lull). It used to stay at 0.5 ACU once the lull was two hours old."""
    rng = np.random.default_rng(5)
    history = np.r_[15.0 + 0.3 * rng.standard_normal(4 * 288), 4.0 + 0.1 * rng.standard_normal(11 * 12)]
    scaler = ScalerModel(ramp=policy.scaler.RAMP_PROFILES["slow"])
    cluster = ClusterSpec(limits=CapacityLimits(min_acu=0.5, max_acu=128.0))

    rec = recommend(history, now=NOW, step_s=300, cluster=cluster, config=PolicyConfig(scaler=scaler))

    [lull] = [w for w in rec.warnings if w.startswith("lull: ")]
    assert "unprecedented drop: " in lull and "each of the 10 hours since it began" in lull
    assert rec.steps[0].demand_risk_acu >= 14.0 and rec.steps[0].demand_p50_acu < 5.0
    assert rec.settings.capacity_changes[0].min_capacity_acu >= 4.0
