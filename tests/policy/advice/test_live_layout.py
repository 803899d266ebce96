"""acuplan re-planning live is replayed on today's reader layout, like every other row of the advice."""

from __future__ import annotations

from policy import ClusterSpec
from policy.advice.advise import _live_on_todays_layout
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
