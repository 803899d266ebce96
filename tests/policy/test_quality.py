"""Data quality decides how bold a plan may be: stale, thin or partial data never scales down."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from placement import PreviousLayout
from policy import InsufficientHistoryError, recommend
from policy.quality import assess_history, pinned_at_ceiling, pinned_note, pinned_remedy
from policy.types import DemandContext

NOW = datetime(2024, 3, 4, 12, tzinfo=UTC)
DEPLOYED = PreviousLayout(writer_acu=8.0, failover_az_id="use1-az2", extra_readers_by_az={"use1-az4": 1})


def _steady(days: int = 3) -> np.ndarray:
    return np.full(days * 288, 2.0)


def test_assess_names_stale_and_thin_data_and_lists_gaps() -> None:
    h = _steady()
    h[-9:] = np.nan  # 45 minutes without a sample
    q = assess_history(h, now=NOW, step_s=300, stale_after_s=900, min_coverage_24h=0.8)
    assert q.staleness_s == 2700.0
    assert q.flags == ("stale: the last sample ends 45 min before now (more than 15 min)",)
    assert q.n_gaps == 1 and q.gaps[0].steps == 9 and q.gaps[0].end == NOW
    thin = _steady()
    thin[-288:-1:2] = np.nan  # half of the last day
    q = assess_history(thin, now=NOW, step_s=300, stale_after_s=900, min_coverage_24h=0.8)
    assert q.flags == ("thin: 50% of the last day's steps were observed (less than 80%)",)
    assert q.n_gaps == 144


def test_a_trusted_history_may_lower_the_deployed_floor() -> None:
    rec = recommend(_steady(), now=NOW, previous=DEPLOYED)
    assert rec.data_quality is not None and rec.data_quality.flags == () and not rec.data_quality.held
    assert min(s.min_capacity_acu for s in rec.steps) < 8.0


def test_stale_data_holds_the_deployed_layout_and_says_why() -> None:
    h = _steady()
    h[-9:] = np.nan
    rec = recommend(h, now=NOW, previous=DEPLOYED)
    assert rec.data_quality is not None and rec.data_quality.held
    assert all(s.min_capacity_acu >= 8.0 for s in rec.steps)
    assert all(s.extra_readers_by_az.get("use1-az4", 0) >= 1 for s in rec.steps)
    assert rec.failover_az_id == "use1-az2"
    assert [s.min_capacity_acu for s in rec.steps] == [8.0] * 12
    assert rec.reasons[0].startswith("the plan holds the deployed MinCapacity (neither lowered nor raised")
    assert "stale: the last sample ends 45 min before now" in rec.reasons[0]


def test_thin_data_holds_the_deployed_layout_and_says_why() -> None:
    h = _steady()
    h[-288:-1:2] = np.nan  # half of the last day's steps observed; the last one is, so not stale
    thin = "thin: 50% of the last day's steps were observed (less than 80%)"

    rec = recommend(h, now=NOW, previous=DEPLOYED)

    assert rec.data_quality is not None and rec.data_quality.held
    assert rec.data_quality.flags == (thin,) and rec.data_quality.coverage_24h == 0.5
    assert [s.min_capacity_acu for s in rec.steps] == [8.0] * 12
    assert all(s.extra_readers_by_az.get("use1-az4", 0) >= 1 for s in rec.steps)
    assert rec.failover_az_id == "use1-az2"
    assert rec.reasons[0] == (
        "the plan holds the deployed MinCapacity (neither lowered nor raised on a forecast from gaps) and "
        f"keeps the deployed readers because the data cannot be trusted: {thin}"
    )
    # the same history without a layout to hold scales down to the 0.5-ACU limit
    free = recommend(h, now=NOW)
    assert free.data_quality is not None and free.data_quality.flags == (thin,) and not free.data_quality.held
    assert min(s.min_capacity_acu for s in free.steps) == 0.5


def test_a_partial_source_answer_holds_too() -> None:
    flag = "partial: CloudWatch query 'cpu' (CPUUtilization) returned PartialData"
    rec = recommend(_steady(), now=NOW, previous=DEPLOYED, context=DemandContext(source_flags=(flag,)))
    assert rec.data_quality is not None and rec.data_quality.flags == (flag,) and rec.data_quality.held
    assert all(s.min_capacity_acu >= 8.0 for s in rec.steps)


def test_without_a_deployed_layout_the_flags_are_reported_but_nothing_is_held() -> None:
    h = _steady()
    h[-9:] = np.nan
    rec = recommend(h, now=NOW)
    assert rec.data_quality is not None and rec.data_quality.flags and not rec.data_quality.held


def test_a_blank_last_day_is_refused_without_a_layout_to_hold_and_held_with_one() -> None:
    h = _steady(4)
    h[-288:] = np.nan  # the whole last day missing: the forecaster would plan from a fill

    with pytest.raises(InsufficientHistoryError) as err:
        recommend(h, now=NOW)

    assert err.value.field == "history_acu"
    assert str(err.value).startswith(
        "the 24 h before now hold no observation (the last ended 24 h before now)"
    )
    held = recommend(h, now=NOW, previous=DEPLOYED)
    assert held.data_quality is not None and held.data_quality.held
    assert all(s.min_capacity_acu >= 8.0 for s in held.steps)


def test_the_memory_working_set_is_kept_as_a_floor() -> None:
    # CPU says 2 ACU; the buffer cache holds 20 GiB (10 ACU) over the last hour.
    ws = (None,) * (3 * 288 - 12) + (9.2,) * 11 + (10.0,)
    rec = recommend(
        _steady(),
        now=NOW,
        context=DemandContext(working_set_acu=ws, binding_share={"cpu": 0.8, "memory": 0.2}),
    )
    assert all(s.min_capacity_acu >= 10.0 for s in rec.steps)
    assert any("MinCapacity stays at least 10 ACU to hold the memory working set" in r for r in rec.reasons)
    assert any("cpu bound in 80% of the steps, memory bound in 20% of the steps" in r for r in rec.reasons)


def test_a_held_plan_does_not_raise_the_floor_on_a_forecast_made_of_fills() -> None:
    # Every day demand jumps to 24 ACU from 12:30 to 13:30; today's data stops at 11:15.
    h = _steady()
    k = np.arange(len(h)) % 288
    h[(k >= 6) & (k < 18)] = 24.0
    h[-9:] = np.nan

    held = recommend(h, now=NOW, previous=DEPLOYED)
    free = recommend(h, now=NOW)

    # From the fill, the free plan raises MinCapacity ahead of the jump; the held one keeps
    # the deployed 8 ACU (a raise would be the floor the next held plan must keep: a ratchet).
    assert max(s.min_capacity_acu for s in free.steps) > 8.0
    assert held.data_quality is not None and held.data_quality.held
    assert [s.min_capacity_acu for s in held.steps] == [8.0] * 12


def test_more_deployed_readers_in_an_az_than_the_optimiser_may_add_are_planned_not_fail_safe() -> None:
    # Aurora allows any AZ up to 15 readers; limits.max_extra_readers_per_az (2) only bounds
    # what acuplan adds. Five deployed in one AZ made the model infeasible (a fail-safe plan).
    five = PreviousLayout(writer_acu=2.0, failover_az_id="use1-az2", extra_readers_by_az={"use1-az4": 5})
    rec = recommend(_steady(), now=NOW, previous=five)
    assert rec.solver.status.value == "optimal" and not rec.is_fail_safe
    assert all(sum(s.extra_readers_by_az.values()) <= 2 for s in rec.steps)  # 2 ACU of demand needs none

    h = _steady()
    h[-9:] = np.nan  # stale: the five are held, and no AZ goes above max(2, what is deployed there)
    held = recommend(h, now=NOW, previous=five)
    assert not held.is_fail_safe
    assert all(s.extra_readers_by_az.get("use1-az4") == 5 for s in held.steps)
    assert all(s.extra_readers_by_az.get(a, 0) <= 2 for s in held.steps for a in ("use1-az1", "use1-az2"))


def test_a_history_shorter_than_a_day_is_thin_like_the_same_hour_after_a_blank_day() -> None:
    hour = np.full(12, 2.0)
    padded = np.r_[np.full(276, np.nan), hour]
    q_short = assess_history(hour, now=NOW, step_s=300, stale_after_s=900, min_coverage_24h=0.8)
    q_padded = assess_history(padded, now=NOW, step_s=300, stale_after_s=900, min_coverage_24h=0.8)
    assert q_short.coverage_24h == q_padded.coverage_24h == round(12 / 288, 4)
    thin = ("thin: 4% of the last day's steps were observed (less than 80%)",)
    assert q_short.flags == q_padded.flags == thin
    rec = recommend(hour, now=NOW, previous=DEPLOYED)
    assert rec.data_quality is not None and rec.data_quality.held
    assert [s.min_capacity_acu for s in rec.steps] == [8.0] * 12


def test_a_held_plan_gives_no_reason_that_says_the_forecast_chose_its_floor_or_readers() -> None:
    h = np.full(3 * 288, 8.0)
    h[-9:] = np.nan
    rec = recommend(h, now=NOW, previous=DEPLOYED)
    assert rec.data_quality is not None and rec.data_quality.held
    assert rec.reasons[0].startswith("the plan holds the deployed MinCapacity")
    assert not any(
        r.startswith(("MinCapacity is raised", "MinCapacity stays at", "up to")) for r in rec.reasons
    )
    assert all(s.floor_reason == "" for s in rec.steps)


def test_demand_beyond_max_capacity_is_blamed_on_the_limits_not_the_penalty() -> None:
    rec = recommend(np.full(3 * 288, 8.0), now=NOW, cluster={"limits": {"max_acu": 1.0}})
    short = [r for r in rec.reasons if "ACU-steps of demand stay uncovered" in r]
    # the writer needs 8 x 0.5 / 0.8 = 5 ACU: MaxCapacity is named, not the limits in general
    assert short and "MaxCapacity 1 ACU binds: the p90 forecast needs up to 5 ACU on the writer" in short[0]
    assert any("raise MaxCapacity (cluster.limits.max_acu) to 5 ACU" in w for w in rec.warnings)


def test_a_history_older_than_the_forecasters_window_is_refused_even_with_a_layout_to_hold() -> None:
    h = np.r_[_steady(), np.full(15 * 288, np.nan)]  # the last sample ended 15 days ago
    with pytest.raises(InsufficientHistoryError) as err:
        recommend(h, now=NOW, previous=DEPLOYED)
    assert err.value.field == "history_acu"
    assert str(err.value) == (
        "the 14 days before now hold no observation (the last ended 15.0 days before now), and the "
        "forecaster reads no further back: send recent data, or plan at an earlier now"
    )


# --- demand pinned at a ceiling (censored): policy.quality.pinned_at_ceiling ---------------------


def _cpu_pinned(days: int = 4, *, pinned: float = 100.0) -> np.ndarray:
    """CPUUtilization of 16 ACU as demand: ~30 % all day, ``pinned`` % from 10:00 to 14:00 UTC."""
    hour = np.arange(days * 288) % 288 / 12
    cpu = np.where((hour >= 10) & (hour < 14), pinned, 30.0 + np.arange(days * 288) % 5)
    return cpu / 100 * 16


START = datetime(2024, 3, 4, tzinfo=UTC)


def test_a_cpu_pinned_at_100_percent_every_day_is_found_with_its_hours_and_times() -> None:
    (p,) = pinned_at_ceiling(_cpu_pinned(), start=START, step_s=300, max_capacity_acu=16)
    assert (p.ceiling_acu, p.max_capacity_acu, p.hours, len(p.runs)) == (16.0, 16.0, 16.0, 4)
    assert [(r.start, r.end, r.steps) for r in p.runs[:2]] == [
        (datetime(2024, 3, 4, 10, tzinfo=UTC), datetime(2024, 3, 4, 14, tzinfo=UTC), 48),
        (datetime(2024, 3, 5, 10, tzinfo=UTC), datetime(2024, 3, 5, 14, tzinfo=UTC), 48),
    ]
    note = pinned_note(p)
    assert note.startswith("demand sat at MaxCapacity (16 ACU") and "for 16.0 h in 4 stretches" in note
    assert "(2024-03-04 10:00-14:00Z, 2024-03-05 10:00-14:00Z, 2024-03-06 10:00-14:00Z, and 1 more)" in note
    assert "censored" in note and "understate" in note
    assert "raise it (e.g. to 32 ACU" in pinned_remedy(p)


def test_within_one_percent_of_the_ceiling_counts_and_two_percent_below_does_not() -> None:
    (p,) = pinned_at_ceiling(_cpu_pinned(pinned=99.2), start=START, step_s=300, max_capacity_acu=16)
    assert p.hours == 16.0
    assert pinned_at_ceiling(_cpu_pinned(pinned=98.0), start=START, step_s=300, max_capacity_acu=16) == ()


def test_a_series_that_touches_100_percent_once_or_twice_is_not_flagged() -> None:
    h = np.full(3 * 288, 30.0 / 100 * 16)
    h[100] = 16.0  # one 5-minute maximum at 100 %
    h[200:202] = 16.0  # two in a row
    h[300:303:2] = 16.0  # at, below, at: not consecutive
    assert pinned_at_ceiling(h, start=START, step_s=300, max_capacity_acu=16) == ()
    h[400:403] = 16.0  # three in a row, 15 minutes: sustained
    (p,) = pinned_at_ceiling(h, start=START, step_s=300, max_capacity_acu=16)
    assert [(r.start, r.steps) for r in p.runs] == [(START + timedelta(seconds=400 * 300), 3)]


def test_at_one_minute_steps_a_stretch_needs_15_minutes_and_a_missing_step_ends_it() -> None:
    h = np.full(600, 4.0)
    h[100:114] = 16.0  # 14 min
    h[200:215] = 16.0  # 15 min
    h[300:320] = 16.0
    h[310] = np.nan  # 10 + 9 min, split by a missing step
    (p,) = pinned_at_ceiling(h, start=START, step_s=60, max_capacity_acu=16)
    assert [(r.start, r.steps) for r in p.runs] == [(START + timedelta(minutes=200), 15)]


def test_capacity_at_the_256_acu_instance_limit_is_censored_whatever_maxcapacity_was_assumed() -> None:
    h = np.where(np.arange(3 * 288) % 288 < 96, 256.0, 40.0)  # 8 h a day at 256 ACU
    (own,) = pinned_at_ceiling(h, start=START, step_s=300, max_capacity_acu=256)
    assert (own.ceiling_acu, own.hours) == (256.0, 24.0)
    assert "no higher MaxCapacity exists" in pinned_remedy(own)
    (limit,) = pinned_at_ceiling(h, start=START, step_s=300, max_capacity_acu=128)
    assert (limit.ceiling_acu, limit.max_capacity_acu) == (256.0, 128.0)
    assert "Aurora's instance limit (256 ACU, above MaxCapacity 128" in pinned_note(limit)


def test_recommend_notes_a_pinned_history_in_its_data_quality_and_reasons_without_holding() -> None:
    rec = recommend(_cpu_pinned(3), now=START + timedelta(days=3), cluster={"limits": {"max_acu": 16}})
    dq = rec.data_quality
    assert dq is not None and dq.flags == () and not dq.held
    assert [(p.ceiling_acu, p.hours) for p in dq.pinned] == [(16.0, 12.0)]
    assert len(dq.notes) == 1 and dq.notes[0].startswith("demand sat at MaxCapacity (16 ACU")
    assert any(r.startswith("the history sat at 16 ACU for 12.0 h") and "raise it" in r for r in rec.reasons)
    steady = recommend(_steady(), now=NOW, cluster={"limits": {"max_acu": 16}})
    assert steady.data_quality is not None and steady.data_quality.notes == ()


def test_cluster_demand_that_passes_maxcapacity_is_not_censored_on_its_way_through() -> None:
    # QA 64: demand in ACU (the cluster's load) rising 4 -> 20 crosses 16 slowly enough to stay
    # within 1 % of it for 23 steps; MaxCapacity caps each instance, not this series, which goes above.
    h = np.linspace(4.0, 20.0, 4 * 288)
    assert pinned_at_ceiling(h, start=START, step_s=300, max_capacity_acu=16) == ()
    # the same numbers from a signal the caller says is capped are censored (only there)
    capped = h < 17.0  # e.g. a capacity signal binding below 17 ACU, a load signal above
    (p,) = pinned_at_ceiling(h, start=START, step_s=300, max_capacity_acu=16, capped=capped)
    assert p.ceiling_acu == 16.0 and sum(r.steps for r in p.runs) >= 3
    assert pinned_at_ceiling(h, start=START, step_s=300, max_capacity_acu=16, capped=~capped) == ()
    with pytest.raises(ValueError, match="capped has shape"):
        pinned_at_ceiling(h, start=START, step_s=300, max_capacity_acu=16, capped=capped[:5])


def test_a_percent_series_at_100_percent_stays_censored_and_a_told_uncapped_one_near_256_is_not() -> None:
    (p,) = pinned_at_ceiling(_cpu_pinned(), start=START, step_s=300, max_capacity_acu=16)
    assert (p.ceiling_acu, p.hours) == (16.0, 16.0)
    h = np.where(np.arange(3 * 288) % 288 < 96, 255.0, 100.0)  # demand in ACU near Aurora's limit
    assert pinned_at_ceiling(h, start=START, step_s=300, max_capacity_acu=256) != ()  # unknown source
    none = np.zeros(len(h), dtype=bool)
    assert pinned_at_ceiling(h, start=START, step_s=300, max_capacity_acu=256, capped=none) == ()
