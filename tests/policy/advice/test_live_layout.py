"""acuplan re-planning live is replayed on today's reader layout, like every other row of the advice."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from policy import ClusterSpec
from policy.advice.advise import _live_on_todays_layout, _live_readers, advise
from policy.advice.types import CurrentSettings, ReaderSetting
from policy.config import PolicyConfig, ReplayConfig


def test_without_a_reader_today_acuplan_plans_none_and_stays_in_one_az() -> None:
    # It planned its own tier-1 reader in a second AZ (require_failover_reader, min_azs 2), so
    # its row priced an instance no other row pays for (QA 58: $800.58 against $723.92 today).
    replay = _live_on_todays_layout(
        ReplayConfig(), CurrentSettings(min_capacity_acu=4, readers=()), ClusterSpec()
    )
    assert replay.policy.require_failover_reader is False
    assert replay.policy.min_azs == 1


def test_a_tier_2_reader_in_another_az_keeps_two_azs() -> None:
    cluster = ClusterSpec()
    other = next(az for az in cluster.topology.az_ids if az != cluster.topology.writer_az_id)
    current = CurrentSettings(min_capacity_acu=4, readers=(ReaderSetting(az_id=other, promotion_tier=2),))
    replay = _live_on_todays_layout(ReplayConfig(), current, cluster)
    assert replay.policy.require_failover_reader is False
    assert replay.policy.min_azs == 2


def test_a_failover_reader_today_or_a_configured_policy_is_kept() -> None:
    cluster = ClusterSpec()
    other = next(az for az in cluster.topology.az_ids if az != cluster.topology.writer_az_id)
    with_reader = CurrentSettings(min_capacity_acu=4, readers=(ReaderSetting(az_id=other),))
    assert _live_on_todays_layout(ReplayConfig(), with_reader, cluster) == ReplayConfig()
    configured = ReplayConfig(policy=PolicyConfig(require_failover_reader=True, min_azs=2))
    assert (
        _live_on_todays_layout(configured, CurrentSettings(min_capacity_acu=4, readers=()), cluster)
        == configured
    )


def test_acuplan_live_adds_no_reader_today_does_not_have() -> None:
    cluster = ClusterSpec()
    other = next(az for az in cluster.topology.az_ids if az != cluster.topology.writer_az_id)
    tier1 = CurrentSettings(min_capacity_acu=4, readers=(ReaderSetting(az_id=other),))
    limits = _live_readers(cluster, tier1, ReplayConfig()).limits
    assert (limits.max_readers, limits.max_extra_readers_per_az) == (1, 0)
    two = CurrentSettings(
        min_capacity_acu=4,
        readers=(ReaderSetting(az_id=other), ReaderSetting(az_id=other, promotion_tier=2)),
    )
    limits = _live_readers(cluster, two, ReplayConfig()).limits
    assert (limits.max_readers, limits.max_extra_readers_per_az) == (2, 1)
    # no reader today, but the caller's policy asks acuplan for a failover reader: room for it
    configured = ReplayConfig(policy=PolicyConfig(require_failover_reader=True, min_azs=2))
    limits = _live_readers(cluster, CurrentSettings(min_capacity_acu=4, readers=()), configured).limits
    assert (limits.max_readers, limits.max_extra_readers_per_az) == (1, 0)


def test_a_writer_held_at_maxcapacity_gets_no_read_scaling_reader_live() -> None:
    # QA 64 #6 / QA 68 #5: a constant 2 ACU at MaxCapacity 1 on a writer and its tier-1 reader.
    # acuplan live planned a read-scaling reader on its first day (+25 %, $218.68 against
    # $175.20/month) for the same minutes: a reader the advice never offers, in the row every
    # timetable is judged against. On today's readers it is today's cost and minutes.
    advice = advise(
        np.full(4 * 288, 2.0),
        start=datetime(2024, 5, 6, tzinfo=UTC),
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=0.5, max_capacity_acu=1.0),
    )
    assert advice.current.slo_violation_min > 0  # MaxCapacity binds: every minute is a violation
    assert advice.acuplan.monthly_cost_usd == advice.current.monthly_cost_usd
    assert advice.acuplan.slo_violation_min == advice.current.slo_violation_min
    assert advice.acuplan.scaling_actions == 0
