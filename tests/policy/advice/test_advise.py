"""advise(): one answer about one cluster, on synthetic series and on the bundled traces."""

import re
from datetime import UTC, datetime

import numpy as np
import pytest
from pydantic import ValidationError

from policy import ClusterSpec, InvalidRequestError
from policy.advice.advise import advise
from policy.advice.checks import check_settings
from policy.advice.schedule import schedule_floors
from policy.advice.types import AdviceConfig, CurrentSettings, ReaderSetting

START = datetime(2024, 3, 4, tzinfo=UTC)


def _office_hours(days: int, idle_nights: bool = False) -> np.ndarray:
    """4 ACU 08:00-18:00, 1 ACU otherwise (0 at night when ``idle_nights``), 5-min steps."""
    hour = (np.arange(days * 288) % 288) / 12
    night = 0.0 if idle_nights else 1.0
    return np.where((hour >= 8) & (hour < 18), 4.0, np.where((hour >= 1) & (hour < 6), night, 1.0))


def _advise_pause_allowed(demand: np.ndarray, *, today_min_acu: float):  # type: ignore[no-untyped-def]
    """Advice on a cluster whose limits allow auto-pause (MinCapacity 0), MaxCapacity 16 ACU."""
    from policy import CapacityLimits

    return advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(limits=CapacityLimits(min_acu=0, max_acu=16)),
        current=CurrentSettings(min_capacity_acu=today_min_acu, max_capacity_acu=16.0),
    )


def test_a_high_floor_binds_for_nothing_and_the_timetable_saves() -> None:
    advice = advise(
        _office_hours(4),
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=8.0, max_capacity_acu=32.0),
    )
    assert advice.current.monthly_cost_usd > advice.recommended.monthly_cost_usd
    assert advice.savings_usd_per_month == pytest.approx(
        advice.current.monthly_cost_usd - advice.recommended.monthly_cost_usd, abs=0.01
    )
    assert advice.floor_binds_for_nothing is not None
    assert (
        "MinCapacity 8 ACU sits above the writer's need: in 100% of the steps"
        in advice.floor_binds_for_nothing
    )
    # Today: two instances pinned at 8 ACU for the 2 replayed days = 16 x 730 x $0.12 a month.
    assert advice.current.monthly_cost_usd == pytest.approx(16 * 730 * 0.12, rel=1e-3)
    assert advice.bound.monthly_cost_usd <= advice.recommended.monthly_cost_usd + 1e-6
    assert advice.bound.slo_violation_min == 0.0
    assert advice.purchase_options[0].monthly_cost_usd <= advice.purchase_options[-1].monthly_cost_usd
    assert advice.schedule.entries[0].cron == "cron(0 0 ? * * *)"


def test_idle_nights_are_priced_for_auto_pause_and_explained() -> None:
    advice = advise(
        _office_hours(4, idle_nights=True),
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=0.5, max_capacity_acu=32.0),
    )
    pause = advice.auto_pause
    assert pause.pausable_hours == pytest.approx(2 * 5.0)  # 01:00-06:00 on the 2 replayed days
    assert pause.resumes == 2
    assert pause.saving_usd_per_month is not None and pause.saving_usd_per_month > 0
    assert "each of the 2 resumes leaves the first requests waiting about 15 s" in pause.reason


def test_an_idle_cluster_is_told_to_pause_not_to_buy_a_commitment() -> None:
    # All-zero demand: the cheapest purchase option was a 1-year Savings Plan ($56.94/month)
    # while auto-pause costs cents; and the one idle stretch never ends, so nothing resumes.
    advice = advise(
        np.zeros(4 * 288), start=START, step_s=300, cluster=ClusterSpec(), current=CurrentSettings()
    )
    pause = advice.auto_pause
    assert pause.resumes == 0 and "it never resumes in the window" in pause.reason
    assert pause.monthly_cost_usd is not None
    assert pause.monthly_cost_usd < advice.purchase_options[0].monthly_cost_usd
    (reason,) = [r for r in advice.reasons if r.startswith("auto-pause (MinCapacity 0) runs this cluster")]
    assert f"less than the cheapest commitment ({advice.purchase_options[0].name}" in reason
    assert reason.endswith("paid every hour, paused or not, so pause and buy none")


def test_the_capacity_advice_keeps_todays_readers_and_offers_a_failover_reader_apart() -> None:
    # QA 55 A: today a writer alone at MinCapacity 1; what to apply added a tier-1 reader
    # ($541.93 against $522.72, "keeping today's MinCapacity costs $19.21/month more") and the
    # bound, on the writer plus a reader, cost more than today at no risk.
    i = np.arange(3 * 288 + 12)
    demand = np.round(4 + 3 * np.sin(i / 288 * 2 * np.pi), 3)
    from policy import CapacityLimits

    advice = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(limits=CapacityLimits(min_acu=0.5, max_acu=16)),
        current=CurrentSettings(min_capacity_acu=1, max_capacity_acu=16, readers=()),
    )
    assert advice.keeps_today and advice.savings_usd_per_month == 0.0
    assert advice.recommended.monthly_cost_usd == advice.current.monthly_cost_usd == 522.72
    assert advice.recommended.settings.endswith("no reader as today")
    assert advice.bound.monthly_cost_usd <= advice.current.monthly_cost_usd
    assert advice.bound.settings == "perfect foresight on today's layout: the writer alone"
    assert advice.reasons[0].startswith("keep today's MinCapacity: no setting tried does better here")
    option = advice.failover_reader
    assert option is not None
    assert (option.extra_usd_per_month, option.monthly_cost_usd) == (19.21, 541.93)
    assert (option.failover_s_with, option.failover_s_without) == (120.0, 600.0)
    assert option.message in advice.reasons and "typically under 120 s" in option.message
    assert advice.tiers[0].monthly_cost_usd == option.monthly_cost_usd
    with_reader = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(limits=CapacityLimits(min_acu=0.5, max_acu=16)),
        current=CurrentSettings(min_capacity_acu=1, max_capacity_acu=16),
    )
    assert with_reader.failover_reader is None
    assert with_reader.recommended.monthly_cost_usd == 541.93


def test_a_hole_in_the_history_does_not_raise_the_timetable() -> None:
    # A 16-ACU batch in the first 5 minutes of every hour, 5 days; 6 h missing at the start of
    # day 3. The policy holds its floors while the last day is thin; read as the slots' need,
    # those held floors set the timetable's slots (QA: 8.5 ACU for 23 h a day, $1,500/month
    # against $781). Day 5 is decided on a covered history in every slot, so it sets them.
    demand = np.where(np.arange(5 * 288) % 12 == 0, 16.0, 1.0)
    kw = {
        "start": START,
        "step_s": 300,
        "cluster": ClusterSpec(),
        "current": CurrentSettings(max_capacity_acu=128),
    }
    whole = advise(demand, **kw)  # type: ignore[arg-type]
    holed = demand.copy()
    holed[2 * 288 : 2 * 288 + 72] = np.nan
    gap = advise(holed, **kw)  # type: ignore[arg-type]
    # The whole history's is an hourly timetable (8.5 ACU at hh:45, 0.5 at hh:00); the holed
    # window holds too few whole days to test a pattern, so its is daily: each sets the same
    # floor at every step of a day.
    assert whole.schedule.kind == "hourly" and whole.schedule.floors_acu == (0.5, 0.5, 0.5, 8.5)
    day = [schedule_floors(a.schedule, start=START, step_s=300, n_steps=288) for a in (whole, gap)]
    assert np.array_equal(day[0], day[1])


def test_no_idle_stretch_says_why_it_never_pauses() -> None:
    advice = advise(
        _office_hours(3), start=START, step_s=300, cluster=ClusterSpec(), current=CurrentSettings()
    )
    assert advice.auto_pause.monthly_cost_usd is None
    assert "any connection resets the idle timer" in advice.auto_pause.reason


def test_the_tier_trade_off_is_in_dollars_and_seconds() -> None:
    advice = advise(
        _office_hours(3),
        start=START,
        step_s=300,
        cluster=ClusterSpec(read_frac=0.1),
        current=CurrentSettings(readers=(ReaderSetting(az_id="use1-az2", promotion_tier=1),)),
    )
    t1, t15 = advice.tiers
    assert (t1.promotion_tier, t15.promotion_tier) == (1, 15)
    # Reads are 10 %: a tier-15 reader holds far less than the writer, so it is cheaper and
    # slower to take over. At 4 ACU of load its 0.4 ACU of reads hold 1 ACU (0.57 on the
    # grid); promoted, it needs 4/0.95 -> 4.5 ACU: 45*log2(4.5) = 97.6 s, i.e. 98 whole seconds.
    assert t15.monthly_cost_usd < t1.monthly_cost_usd
    assert t15.extra_recovery_s_p95 == 98.0


def test_budget_and_max_capacity_alerts() -> None:
    advice = advise(
        _office_hours(3) * 4,  # 16 ACU in office hours: the writer needs 8.4 ACU > MaxCapacity 8
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=0.5, max_capacity_acu=8.0),
        config=AdviceConfig(monthly_budget_usd=100.0),
    )
    kinds = {a.kind for a in advice.alerts}
    assert kinds == {"max_capacity", "budget"}
    max_alert = next(a for a in advice.alerts if a.kind == "max_capacity")
    assert "raise MaxCapacity to 8.5 ACU" in max_alert.message


def test_the_budget_projection_agrees_with_the_replay_on_a_periodic_series() -> None:
    # A 16-ACU batch in the first 5 minutes of every hour, 1 ACU otherwise: the timetable
    # raises the floor for 15 minutes an hour. The projection was made on hourly means and
    # hourly maximum floors (the raise held the whole hour): $1,489 a month against $781
    # replayed, and a false budget alert. Every day is the same, so the next day's median
    # forecast replays like the window.
    demand = np.where(np.arange(4 * 288) % 12 == 0, 16.0, 1.0)
    advice = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=0.5, max_capacity_acu=128.0),
        config=AdviceConfig(monthly_budget_usd=1.05 * 781.0),
    )
    projected = advice.outlook.projected_monthly_cost_usd
    assert projected["recommended"] == pytest.approx(advice.recommended.monthly_cost_usd, rel=0.02)
    assert projected["current"] == pytest.approx(advice.current.monthly_cost_usd, rel=0.02)
    assert advice.recommended.monthly_cost_usd < 1.05 * 781.0
    assert [a for a in advice.alerts if a.kind == "budget"] == []


def test_at_256_acu_the_max_capacity_alert_offloads_instead_of_raising() -> None:
    advice = advise(
        _office_hours(3) * 150,  # 600 ACU in office hours: the writer needs 420 ACU
        start=START,
        step_s=300,
        cluster=ClusterSpec(limits={"max_acu": 256.0}),
        current=CurrentSettings(min_capacity_acu=0.5, max_capacity_acu=256.0),
    )
    max_alert = next(a for a in advice.alerts if a.kind == "max_capacity")
    assert "raise MaxCapacity" not in max_alert.message
    assert max_alert.message.endswith(
        "MaxCapacity is already Aurora's limit of 256 ACU: move read traffic to readers (the reader "
        "endpoint) or split the workload"
    )
    assert advice.bound.slo_violation_min > 0
    assert (
        f"costs ${advice.bound.monthly_cost_usd:,.2f}/month with {advice.bound.slo_violation_min:g} (demand"
        in (advice.reasons[0])
    )


def test_bad_inputs_name_the_field() -> None:
    with pytest.raises(InvalidRequestError) as err:
        advise(np.ones(600), start=START, step_s=300, cluster=ClusterSpec(), current=CurrentSettings())
    assert err.value.field == "history" and "advice needs at least 3 days" in str(err.value)
    with pytest.raises(ValidationError, match=r"min_capacity_acu 0\.7: 0\.7 is not a multiple of 0\.5 ACU"):
        CurrentSettings(min_capacity_acu=0.7)
    with pytest.raises(ValidationError, match="exceeds max_capacity_acu"):
        CurrentSettings(min_capacity_acu=16, max_capacity_acu=8)


@pytest.mark.slow
def test_bundled_rds_with_a_floor_of_8_reports_it_binding_and_a_saving() -> None:
    from service.inputs.bundled import bundled_replay_inputs

    demand, cluster = bundled_replay_inputs("rds-cpu-cc0c53")
    advice = advise(
        demand.demand_acu,
        start=demand.start,
        step_s=demand.step_s,
        cluster=cluster,
        current=CurrentSettings(min_capacity_acu=8.0, max_capacity_acu=16.0),
    )
    assert advice.floor_binds_for_nothing is not None
    assert advice.savings_usd_per_month > 1000.0


@pytest.mark.slow
def test_bundled_azure_finds_a_cheaper_way_to_buy_than_serverless_standard() -> None:
    from service.inputs.bundled import bundled_replay_inputs

    demand, cluster = bundled_replay_inputs("azure-vm-cpu-2019")
    advice = advise(
        demand.demand_acu,
        start=demand.start,
        step_s=demand.step_s,
        cluster=cluster,
        current=CurrentSettings(),
    )
    standard = next(o for o in advice.purchase_options if o.name == "serverless_standard")
    cheapest = advice.purchase_options[0]
    assert cheapest.name.startswith("provisioned_")
    assert cheapest.monthly_cost_usd < 0.5 * standard.monthly_cost_usd
    assert "so provisioned is cheaper by" in advice.break_even


def test_policy_advise_docstring_example_runs() -> None:
    import doctest

    import policy
    from policy.advice import advise as module

    assert policy.advise is module.advise and "advise" in policy.__all__
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 6 and result.failed == 0
    from policy.advice import checks  # check_history_length's example

    result = doctest.testmod(checks, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 1 and result.failed == 0


def test_side_series_storage_secondaries_and_forecast_alerts_in_one_advice() -> None:
    from policy.advice.storage import GIB
    from policy.advice.types import SecondaryCluster

    demand = _office_hours(4) * 4  # 16 ACU in office hours: the writer needs 8.4 ACU
    volume = np.full(demand.size, np.nan)
    volume[::12] = (200 + np.arange(demand.size)[::12] / 288) * GIB  # +1 GiB/day
    stages: list[str] = []
    advice = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(
            max_capacity_acu=8.0,
            secondaries=(
                SecondaryCluster(region="eu-west-1", cluster_identifier="orders-eu", dr_target=True),
            ),
        ),
        config=AdviceConfig(backup_retention_days=8),
        connections=demand * 50,
        volume_bytes=volume,
        progress=lambda stage, done, total: stages.append(stage),
    )
    assert {"current", "acuplan", "bound", "timetable", "outlook"} <= set(stages)
    kinds = [(a.kind, a.source) for a in advice.alerts]
    # one MaxCapacity alert: the history's, with the forecast's crossing in it (not a second alert)
    assert kinds[0] == ("max_capacity", "history") and [k for k, _ in kinds].count("max_capacity") == 1
    assert (
        "the forecast reaches MaxCapacity 8 again at 2024-03-08 08:00 UTC (in 8 h)"
        in advice.alerts[0].message
    )
    assert advice.outlook.horizon_h == 168 and advice.outlook.max_connections == 1669
    assert advice.storage.source == "VolumeBytesUsed"
    assert advice.storage.growth_gib_per_day == pytest.approx(1.0)
    assert advice.storage.backup_billed_gib == pytest.approx(7.0)  # 1 GiB/day x (8 - 1) days
    (eu,) = advice.secondaries
    assert eu.dr_target and len(eu.schedule.entries) == len(advice.schedule.entries)
    with pytest.raises(InvalidRequestError) as err:
        advise(
            demand,
            start=START,
            step_s=300,
            cluster=ClusterSpec(),
            current=CurrentSettings(),
            connections=np.ones(10),
        )
    assert err.value.field == "connections"


def test_auto_pause_allowed_puts_min_capacity_0_in_the_timetable() -> None:
    from policy import CapacityLimits

    advice = advise(
        _office_hours(4, idle_nights=True),
        start=START,
        step_s=300,
        cluster=ClusterSpec(limits=CapacityLimits(min_acu=0, max_acu=32)),
        current=CurrentSettings(min_capacity_acu=0.5, max_capacity_acu=32.0),
    )
    zero = [e for e in advice.schedule.entries if e.min_capacity_acu == 0.0]
    assert zero and zero[0].at_minute == 60  # MinCapacity 0 from 01:00, when the lull starts
    # 2 replayed days cannot test whether the shape repeats: the timetable says so
    assert any(r.startswith("the replayed window holds fewer than 3 whole days") for r in advice.reasons)
    assert advice.recommended.monthly_cost_usd < advice.current.monthly_cost_usd
    assert any("the perfect-foresight bound plans running floors only" in r for r in advice.reasons)


def test_todays_floor_is_kept_when_a_change_buys_nothing() -> None:
    # Idle all the time with auto-pause on today; the cluster's limits keep acuplan at 0.5 ACU
    # or more, and a running floor costs money and buys no minute.
    advice = advise(
        np.zeros(4 * 288),
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=0.0, max_capacity_acu=64.0),
    )
    # acuplan live runs two 0.5-ACU instances (1 x 730 h x $0.12 a month) over its first scored day,
    # when nothing is judged yet; that day shows the floor bought no minute, so over the second it
    # holds today's MinCapacity 0 (pausing 300 s after the floor drops): about half of $87.60
    assert advice.acuplan.monthly_cost_usd == pytest.approx(87.6 / 2 + 0.15, abs=0.01)
    assert [e.min_capacity_acu for e in advice.schedule.entries] == [0.0]
    assert advice.recommended.monthly_cost_usd == advice.current.monthly_cost_usd
    assert advice.recommended.slo_violation_min == advice.current.slo_violation_min == 0.0
    assert advice.savings_usd_per_month == 0.0
    assert "MinCapacity 0 (auto-pause on) all day" in advice.recommended.settings
    assert any(
        r.startswith("keep today's MinCapacity: no setting tried does better here") for r in advice.reasons
    )
    assert any(
        "today's MinCapacity of 0 (auto-pause on) does as well here as a fixed MinCapacity of 0.5 ACU" in r
        for r in advice.reasons
    )


def test_a_level_shift_is_priced_at_the_new_level_and_commitments_get_a_caveat() -> None:
    # 11 days at 2 ACU, then 3 days at 10 ACU (the last 12 days are replayed)
    advice = advise(
        np.r_[np.full(11 * 288, 2.0), np.full(3 * 288, 10.0)],
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=0.5, max_capacity_acu=64.0),
    )
    # against the same hours a week earlier (2 ACU), and first: the window's averages are not the next bill
    shift = [
        r
        for r in advice.reasons[:1]
        if r.startswith(
            "demand over the last day averaged 10 ACU, 5.00x the same hours a week earlier, 2 ACU"
        )
    ]
    # at 10 ACU the writer carries 5 ACU: 5 / 0.7 -> 7.5 ACU, the tier-1 reader follows:
    # 15 ACU x 730 h x $0.12 = $1,314.00 a month
    assert (
        shift and "today's settings cost about $1,314.00/month and what to apply about $1,314.00" in shift[0]
    )
    # the outlook's own projection is named beside it, with its own numbers (not read as one figure)
    projected = advice.outlook.projected_monthly_cost_usd if advice.outlook is not None else {}
    assert (
        f"the outlook's forecast of the next day projects ${projected['current']:,.2f} and "
        f"${projected['recommended']:,.2f})" in shift[0]
    )
    assert any(
        r.startswith("the purchase options price 1- and 3-year commitments from 12.0") for r in advice.reasons
    )


def test_settings_are_checked_against_the_cluster() -> None:
    cluster = ClusterSpec()
    assert check_settings(cluster, CurrentSettings(), AdviceConfig(), step_s=300) == 900
    with pytest.raises(InvalidRequestError) as err:
        check_settings(
            cluster, CurrentSettings(readers=(ReaderSetting(az_id="euc1-az1"),)), AdviceConfig(), step_s=300
        )
    assert err.value.field == "current.readers.0.az_id"
    assert str(err.value) == (
        "current.readers[0].az_id='euc1-az1' is not one of the cluster's AZ IDs "
        "(use1-az1, use1-az2, use1-az4 in us-east-1)"
    )
    assert check_settings(cluster, CurrentSettings(), AdviceConfig(schedule_slot_s=600), step_s=900) == 900
    with pytest.raises(InvalidRequestError) as err:
        check_settings(cluster, CurrentSettings(), AdviceConfig(schedule_slot_s=900), step_s=700)
    assert err.value.field == "config.schedule_slot_s"


def test_the_timetable_is_the_cheapest_quantile_as_safe_as_acuplan_live() -> None:
    demand = _office_hours(6)
    for day in (2, 4):  # a sudden 09:00 peak on two of the six days
        demand[day * 288 + 108 : day * 288 + 114] = 12.0

    advice = advise(demand, start=START, step_s=300, cluster=ClusterSpec(), current=CurrentSettings())
    only_median = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(),
        config=AdviceConfig(schedule_quantile=0.5),
    )

    assert advice.schedule.quantile in (0.5, 0.75, 0.9)
    as_safe = advice.recommended.slo_violation_min <= advice.acuplan.slo_violation_min + 1e-9
    assert as_safe or advice.schedule.quantile == 0.9
    assert only_median.schedule.quantile == 0.5  # nothing below the configured quantile is tried
    if advice.schedule.quantile == 0.5:
        assert advice.recommended == only_median.recommended


def test_random_bursts_get_one_min_capacity_per_day_not_a_timetable_of_noise() -> None:
    # Heavy-tailed bursts with no daily pattern: slot-by-slot levels read off acuplan's floors
    # flipped MinCapacity every 30-60 minutes (37 changes a day on a 5-day trace of this kind).
    demand = np.minimum(1.0 + np.random.default_rng(7).pareto(1.2, 5 * 288), 250.0)

    advice = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(limits={"max_acu": 256}),
        current=CurrentSettings(),
    )

    # 3 replayed days after the 2-day warm-up: 72 hourly re-plans, each at a risk quantile
    held = advice.acuplan.replans_aurora_alone
    assert held is not None and sum((advice.acuplan.replans_by_risk_quantile or {}).values()) + held == 72
    assert advice.current.replans_by_risk_quantile is None and advice.bound.replans_by_risk_quantile is None
    assert len(advice.schedule.entries) == 1 and advice.schedule.slot_s == 86_400
    assert advice.schedule.entries[0].cron == "cron(0 0 ? * * *)"
    assert advice.reasons[0].startswith("a fixed MinCapacity ")  # not "the timetable": one level all day
    (note,) = [r for r in advice.reasons if "the demand shows no pattern by time of day" in r]
    assert re.search(r"p = (0\.\d\d|1\.00), at least 0\.05", note)


def test_provisioned_options_hold_a_burst_the_warm_up_saw() -> None:
    # 30 ACU for an hour on day 1 (the 2-day warm-up), 2 ACU after: a class bought for years must
    # hold that burst (per instance: 30 x max(read share 0.5, write share 0.5) / target utilisation
    # 0.8 = 18.75 ACU).
    demand = np.full(5 * 288, 2.0)
    demand[300:312] = 30.0
    advice = advise(demand, start=START, step_s=300, cluster=ClusterSpec(), current=CurrentSettings())
    sized = [o.basis for o in advice.purchase_options if "at the history's peak" in o.basis]
    assert sized and all("for the 18.8 ACU one instance needs at the history's peak" in b for b in sized)


def test_settings_not_given_are_the_clusters() -> None:
    from placement import CapacityLimits, Topology

    cluster = ClusterSpec(
        topology=Topology(
            region="eu-west-1", az_ids=("euw1-az1", "euw1-az2", "euw1-az3"), writer_az_id="euw1-az1"
        ),
        limits=CapacityLimits(min_acu=0.5, max_acu=32.0),
    )

    filled = CurrentSettings(min_capacity_acu=2.0).for_cluster(cluster)

    assert filled.max_capacity_acu == 32.0
    assert filled.readers == (ReaderSetting(az_id="euw1-az2", promotion_tier=1),)
    assert filled.for_cluster(ClusterSpec()) == filled  # everything counts as given now
    given = CurrentSettings(max_capacity_acu=8.0, readers=()).for_cluster(cluster)
    assert (given.max_capacity_acu, given.readers) == (8.0, ())
    with pytest.raises(InvalidRequestError) as err:
        CurrentSettings(min_capacity_acu=40.0).for_cluster(cluster)
    assert err.value.field == "current.min_capacity_acu"


def test_a_lowered_floor_says_what_a_demand_series_alone_cannot_check() -> None:
    from policy.advice.reasons import unchecked_note

    today = CurrentSettings(min_capacity_acu=8.0, max_capacity_acu=16.0)
    [note] = unchecked_note(0.5, today, connections_given=False)
    assert note.startswith("lowering MinCapacity from 8 to 0.5 ACU was judged on the demand series alone")
    assert "about 1 GiB of memory (against 16 GiB today)" in note and "max_connections at 2,000" in note
    mysql = today.model_copy(update={"engine": "aurora-mysql"})
    assert "max_connections" not in unchecked_note(0.5, mysql, connections_given=False)[0].split(";")[0]
    assert unchecked_note(0.5, today, connections_given=True) == []  # connections were checked
    assert unchecked_note(8.0, today, connections_given=False) == []  # not lowered


def test_the_timetable_keeps_the_min_capacity_postgres_connections_need() -> None:
    from policy.advice.timetable import connections_floor_acu

    pg16 = CurrentSettings(max_capacity_acu=16.0)
    # PostgreSQL: 2,000 connections at MinCapacity 0.5, 3,360 from 1 ACU at MaxCapacity 16.
    assert connections_floor_acu(np.array([1800.0, 2013.0]), pg16) == 1.0  # 2,214 needed
    assert connections_floor_acu(np.array([1500.0]), pg16) is None  # 1,650 fit under 2,000
    assert connections_floor_acu(np.array([3300.0]), pg16) is None  # 3,630: no MinCapacity helps
    assert (
        connections_floor_acu(np.array([2013.0]), pg16.model_copy(update={"engine": "aurora-mysql"})) is None
    )
    assert connections_floor_acu(None, pg16) is None

    demand = _office_hours(4)
    conns = np.full(len(demand), 2013.0)
    advice = advise(demand, start=START, step_s=300, cluster=ClusterSpec(), current=pg16, connections=conns)

    assert min(advice.schedule.floors_acu) >= 1.0
    kept = "what to apply keeps MinCapacity at least 1 ACU: DatabaseConnections peaked at 2,013"
    assert any(r.startswith(kept) for r in advice.reasons)


@pytest.mark.parametrize(
    ("demand", "changes", "field", "start"),
    [
        pytest.param(
            np.array(["a"] * 864), {}, "demand_acu", "demand_acu must be real numbers", id="strings"
        ),
        pytest.param(np.full((864, 1), 2.0), {}, "demand_acu", "demand_acu must be 1-D", id="column"),
        pytest.param(
            np.full(864, 2.0), {"step_s": 0}, "step_s", "step_s must be a positive integer", id="step"
        ),
        pytest.param(
            np.full(864, 2.0), {"current": None}, "current", "current must be CurrentSettings", id="none"
        ),
    ],
)
def test_bad_library_inputs_are_policy_errors_naming_the_parameter(
    demand: np.ndarray, changes: dict[str, object], field: str, start: str
) -> None:
    kwargs: dict[str, object] = {
        "start": START,
        "step_s": 300,
        "cluster": ClusterSpec(),
        "current": CurrentSettings(),
    }
    kwargs.update(changes)

    with pytest.raises(InvalidRequestError) as err:
        advise(demand, **kwargs)  # type: ignore[arg-type]

    assert err.value.field == field
    assert str(err.value).startswith(start)


@pytest.mark.parametrize(("missing", "share"), [(slice(-600, None), "0%"), (slice(-288, None), "50%")])
def test_a_replayed_window_of_gaps_is_refused_not_scored_as_free(missing: slice, share: str) -> None:
    # A missing step is replayed at the last load: a window of gaps scored MinCapacity 0.5 as
    # safe and $1,314/month cheaper than today's 8 ACU.
    demand = _office_hours(4)
    demand[missing] = np.nan
    with pytest.raises(InvalidRequestError) as err:
        advise(
            demand,
            start=START,
            step_s=300,
            cluster=ClusterSpec(),
            current=CurrentSettings(min_capacity_acu=8),
        )
    assert err.value.field == "demand_acu"
    assert str(err.value) == (
        f"only {share} of the replayed window (2024-03-06 00:00 to 2024-03-08 00:00 UTC, after the warm-up) "
        "was observed; advice needs at least 80% to say what a setting costs and risks (a missing step "
        "would be replayed at the last load)"
    )


def test_the_too_short_message_never_rounds_up_to_what_it_lacks() -> None:
    from policy.advice.checks import check_history_length

    with pytest.raises(InvalidRequestError) as err:  # 3 days minus one 5-minute step
        advise(np.ones(863), start=START, step_s=300, cluster=ClusterSpec(), current=CurrentSettings())
    assert err.value.field == "history"
    assert str(err.value) == (
        "the history has 2.996 days (863 steps of 300 s); advice needs at least 3 days (864 steps): the "
        "2-day warm-up plus one day to replay"
    )
    with pytest.raises(InvalidRequestError, match=r"has 2\.999 days \(259,199|has 2\.999 days \(259199"):
        check_history_length(3 * 86_400 - 1, 1, 2 * 86_400)
    check_history_length(864, 300, 2 * 86_400)  # exactly enough: no error


def test_observed_capacity_above_max_capacity_is_refused_naming_it() -> None:
    from policy.advice.checks import check_capacity_within_max

    capacity = np.full(4 * 288, 200.0)
    capacity[2 * 288 + 110] = 255.9  # 2024-03-06 09:10Z
    with pytest.raises(InvalidRequestError) as err:
        advise(
            capacity,
            start=START,
            step_s=300,
            cluster=ClusterSpec(),
            current=CurrentSettings(max_capacity_acu=128.0),
            capacity_acu=capacity,
        )
    assert err.value.field == "current.max_capacity_acu"
    assert str(err.value).startswith(
        "the observed capacity reached 255.9 ACU at 2024-03-06 09:10Z (1152 of 1152 steps above "
        "MaxCapacity), above current.max_capacity_acu=128: Aurora never runs an instance above its "
        "MaxCapacity, so the cluster's is at least 256 ACU"
    )
    # at MaxCapacity (ACUUtilization 100 %, float noise included) and missing steps are fine
    check_capacity_within_max(
        np.array([np.nan, 128.0, 128.0 * (1 + 1e-9)]), start=START, step_s=300, max_capacity_acu=128.0
    )
    check_capacity_within_max(None, start=START, step_s=300, max_capacity_acu=128.0)
    with pytest.raises(InvalidRequestError) as err:
        advise(
            _office_hours(4),
            start=START,
            step_s=300,
            cluster=ClusterSpec(),
            current=CurrentSettings(),
            capacity_acu=np.ones(5),
        )
    assert err.value.field == "capacity_acu"


def test_demand_above_max_capacity_without_capacity_is_one_alert_with_one_remedy() -> None:
    # Demand (not capacity: no capacity_acu) at 256 ACU in office hours with MaxCapacity 128: the
    # replay's shortfall, the stretch at Aurora's 256-ACU limit and the forecast were three alerts,
    # "raise MaxCapacity to 135 ACU" against "no higher MaxCapacity exists".
    hour = (np.arange(4 * 288) % 288) / 12
    demand = np.where((hour >= 9) & (hour < 17), 256.0, 200.0)
    advice = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(max_capacity_acu=128.0),
        progress=None,
    )
    (alert,) = [a for a in advice.alerts if a.kind == "max_capacity"]
    assert alert.source == "history" and alert.value == 256.0 and alert.limit == 128.0
    assert alert.message.startswith(
        "demand needed 134.7 ACU on the writer at its peak, above MaxCapacity 128 in 192 of 576 steps; "
        "demand sat at 256 ACU for 32.0 h of the history (from 2024-03-04 09:00Z; censored there"
    )
    assert alert.message.endswith(
        ": raise MaxCapacity to 256 ACU (max_connections follows MaxCapacity and changes only after a "
        "reboot); 256 ACU is Aurora Serverless v2's largest instance, so no higher MaxCapacity exists: move "
        "read traffic to readers (the reader endpoint) or split the workload"
    )
    assert "135" not in alert.message


def test_a_cluster_saturated_at_max_capacity_is_told_to_raise_it_not_that_nothing_does_better() -> None:
    # QA 64 #7: 2 ACU of demand against MaxCapacity 1, every minute an SLO violation: the verdict
    # read "keep today's MinCapacity: no setting tried does better here", and the tier-15 reader
    # "would have found it as ready (the writer's load was within what it held)".
    advice = advise(
        np.full(3 * 288, 2.0),
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(max_capacity_acu=1.0),
    )
    assert advice.bound.slo_violation_min == advice.current.slo_violation_min == 1440.0
    verdict = next(r for r in advice.reasons if r.startswith("keep today's MinCapacity"))
    assert verdict.startswith(
        "keep today's MinCapacity, and raise MaxCapacity: no MinCapacity does better here, as the "
        "SLO-violation minutes come from demand above MaxCapacity (the perfect-foresight bound has them "
        "too; the max_capacity alert says how far to raise it)"
    )
    tiers = next(r for r in advice.reasons if r.startswith("the failover reader at promotion tier 1"))
    assert tiers.endswith("as ready as the tier-1 reader: both at MaxCapacity, below the writer's load")
    assert any(a.kind == "max_capacity" for a in advice.alerts)


def test_a_paused_today_carries_the_bound_caveat_in_the_library_result() -> None:
    advice = advise(
        np.zeros(4 * 288),
        start=START,
        step_s=300,
        cluster=ClusterSpec(),  # limits.min_acu 0.5: acuplan plans no pause, today's settings do
        current=CurrentSettings(min_capacity_acu=0),
    )
    assert advice.current.monthly_cost_usd == 0.15 and advice.bound.monthly_cost_usd == 87.6
    assert (
        "today's settings auto-pause (MinCapacity 0), while the perfect-foresight bound plans running floors "
        "only (at least 0.5 ACU), so a plan that pauses can cost less than the bound"
    ) in advice.reasons


def test_auto_pause_is_priced_from_the_lowest_running_floor_when_min_capacity_0_is_allowed() -> None:
    """limits.min_acu 0: a timetable slot at 0.5 ACU (the lowest running floor) is what would pause.

    It was compared with 0 ACU, so no slot ever paused in the pricing and the saving read $0.
    Noisy office hours keep the forecast above exactly 0 at night, so the timetable runs 0.5 there.
    """

    rng = np.random.default_rng(4)
    t = np.arange(4 * 288)
    demand = np.where(((t % 288) >= 108) & ((t % 288) < 204), 4.0 + rng.random(t.size), 0.0)
    advice = _advise_pause_allowed(demand, today_min_acu=0.5)
    pause = advice.auto_pause

    assert pause.pausable_hours == pytest.approx(2 * 16.0, abs=0.5)
    assert pause.monthly_cost_usd is not None and pause.saving_usd_per_month is not None
    assert pause.monthly_cost_usd < advice.recommended.monthly_cost_usd
    assert pause.saving_usd_per_month == pytest.approx(
        advice.recommended.monthly_cost_usd - pause.monthly_cost_usd, abs=0.01
    )
    # nothing here sets MinCapacity 0 (4 days cannot say the nights are idle): no "pauses, so it can
    # cost less than the bound" caveat
    assert not any("plans running floors only" in r for r in advice.reasons)


def test_advice_equal_to_todays_floor_says_keep_it_not_saves_nothing() -> None:
    """The fixed floor read off acuplan's is today's own: "keep today's MinCapacity", not "a fixed
    MinCapacity saves $0.00", and no word on how a timetable that is not advised was merged."""
    rng = np.random.default_rng(2)
    advice = advise(
        0.2 + 0.1 * rng.random(4 * 288),  # Aurora's scaler holds the 0.5-ACU minimum throughout
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=0.5, max_capacity_acu=16.0),
    )

    assert [e.min_capacity_acu for e in advice.schedule.entries] == [0.5]
    assert advice.savings_usd_per_month == 0.0
    assert advice.keeps_today  # and so the document carries no command to run:
    from service.advice.report import advice_document

    assert advice_document(advice)["scheduler"]["commands"] == []
    assert advice.reasons[0].startswith(
        "keep today's MinCapacity: no setting tried does better here; today's has 0 SLO-violation minutes in "
    )
    assert not any("a fixed MinCapacity saves" in r or "this one" in r for r in advice.reasons)


def test_an_idle_cluster_kept_at_its_floor_is_told_what_auto_pause_would_save() -> None:
    # 4 idle days at a 0.5-ACU floor: no running floor beats today's, but auto-pause does;
    # the verdict said "no setting tried does better here" above an auto-pause line saving $87
    advice = advise(
        np.zeros(4 * 288),
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=0.5, max_capacity_acu=64.0),
    )
    assert advice.keeps_today and advice.savings_usd_per_month == 0.0
    pause = advice.auto_pause.saving_usd_per_month
    assert pause is not None and pause > 80
    assert advice.reasons[0].startswith(
        "keep today's MinCapacity unless the cluster may pause: no MinCapacity of 0.5 ACU or more does "
        f"better here, and auto-pause (MinCapacity 0) would save ${pause:,.2f}/month if the first requests "
        "after a pause may wait about 15 s (its line below); today's has 0 SLO-violation minutes"
    )


def test_today_is_kept_over_a_dearer_plan_that_only_shallows_the_shortfall() -> None:
    # Idle but for a few random bursts (2% of steps), auto-pause on today: a timetable read off
    # acuplan's floors had the same SLO-violation minutes for 6x the cost, and a slightly smaller
    # shortfall within those minutes; that buys nothing the advice could show (QA 50 finding 2).

    rng = np.random.default_rng(1)
    rng.random(4 * 288)
    demand = (rng.random(864) < 0.02) * np.round(rng.random(864) * 10, 1)
    advice = _advise_pause_allowed(demand, today_min_acu=0.0)
    assert advice.keeps_today and advice.savings_usd_per_month == 0.0
    assert advice.recommended.monthly_cost_usd == advice.current.monthly_cost_usd
    assert advice.recommended.slo_violation_min == advice.current.slo_violation_min
    assert advice.acuplan.monthly_cost_usd > 5 * advice.current.monthly_cost_usd  # what was advised before
    assert advice.acuplan.slo_violation_min == advice.current.slo_violation_min
    # one verdict: no reason says to apply a fixed setting that is today's own
    assert not [r for r in advice.reasons if "one modify-db-cluster" in r]
    kept = "keep today's MinCapacity: no setting tried does better here"
    assert any(r.startswith(kept) for r in advice.reasons)


def test_observed_capacity_below_min_capacity_gets_a_caveat_naming_it() -> None:
    from policy.advice.observed import below_floor_reasons

    capacity = np.full(4 * 288, 2.0)
    capacity[3 * 288 : 3 * 288 + 12] = 0.0  # an hour exported as 0 (missing) on 2024-03-07
    (caveat,) = below_floor_reasons(capacity, start=START, step_s=300, min_capacity_acu=0.5)
    assert caveat == (
        "caveat: the observed capacity fell to 0 ACU at 2024-03-07 00:00Z (12 of 1152 steps below today's "
        "MinCapacity of 0.5 ACU): Aurora never runs an instance below its MinCapacity (and pauses only "
        "with MinCapacity 0), so MinCapacity was lower then (advise on the history since it changed) or "
        "those samples are missing values exported as 0; check current.min_capacity_acu (--min-acu)"
    )
    assert below_floor_reasons(capacity, start=START, step_s=300, min_capacity_acu=0.0) == []  # paused
    assert below_floor_reasons(None, start=START, step_s=300, min_capacity_acu=0.5) == []
    missing = np.where(capacity == 0.0, np.nan, capacity)  # NaN is missing, not below
    assert below_floor_reasons(missing, start=START, step_s=300, min_capacity_acu=0.5) == []
    advice = advise(
        capacity,
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=0.5, max_capacity_acu=16.0),
        capacity_acu=capacity,
    )
    assert caveat in advice.reasons


@pytest.mark.parametrize(
    ("identifier", "ok"),
    [("orders-eu", True), ("orders--eu", False), ("orders-eu-", False), ("1orders", False)],
)
def test_a_secondary_cluster_identifier_follows_aws_rule(identifier: str, ok: bool) -> None:
    from policy.advice.types import SecondaryCluster

    if ok:
        secondary = SecondaryCluster(region="eu-west-1", cluster_identifier=identifier)
        assert secondary.cluster_identifier == identifier
        return
    with pytest.raises(ValidationError, match="is not a valid Aurora DBClusterIdentifier \\(1-63 letters"):
        SecondaryCluster(region="eu-west-1", cluster_identifier=identifier)


def test_the_timetable_pauses_where_it_would_only_run_at_the_minimum() -> None:
    # Office hours (about 4 ACU 08:00-17:00 UTC, 0 otherwise), auto-pause on today: the timetable
    # read off acuplan's floors sat at 0.5 ACU all night (its p50 slot reads a running floor), and
    # turning pausing off cost $55/month for nothing (QA 54 finding 1).

    rng = np.random.default_rng(3)
    t = np.arange(4 * 288)
    demand = np.where((t % 288 >= 96) & (t % 288 < 204), 4.0 + rng.normal(0, 0.3, t.size).clip(-1, 1), 0.0)
    advice = _advise_pause_allowed(demand, today_min_acu=0.0)
    floors = advice.schedule.floors_acu
    assert floors[0] == 0.0 and max(floors) > 0.5  # paused at night, a raise before the morning
    assert 0.5 not in floors
    said = "the timetable pauses (MinCapacity 0) in the slots where"
    assert any(r.startswith(said) for r in advice.reasons)
    assert advice.recommended.slo_violation_min < advice.current.slo_violation_min
    assert advice.recommended.monthly_cost_usd < 1.05 * advice.current.monthly_cost_usd
