"""Provisioned instances are sized on today's readers, the load split as the replay splits it (QA 64 #1)."""

from datetime import UTC, datetime

import numpy as np
import pytest

from policy import ClusterSpec
from policy.advice.advise import advise
from policy.advice.types import CurrentSettings, ReaderSetting
from policy.trace_replay.simulator import instance_loads

START = datetime(2024, 3, 4, tzinfo=UTC)


def _burst() -> np.ndarray:
    """2 ACU for 5 days, 30 ACU for an hour on day 1 (in the warm-up), 5-min steps."""
    demand = np.full(5 * 288, 2.0)
    demand[300:312] = 30.0
    return demand


def _sized(advice) -> set[str]:  # type: ignore[no-untyped-def]
    """The provisioned options' 'N x class (... for the X ACU one instance needs ...)' parts."""
    return {o.basis.split(" x $")[0] for o in advice.purchase_options if "at the history's peak" in o.basis}


def test_with_no_reader_the_writer_is_sized_for_the_whole_peak() -> None:
    # QA 64 #1: `--readers none` replayed everything on the writer, but the purchase options sized
    # one instance for half the peak (5.1 ACU for an 8.1 ACU peak: a db.r6g.large, too small).
    # 30 ACU x 1 (no reader: the writer takes all) / target utilisation 0.8 = 37.5 ACU.
    advice = advise(
        _burst(), start=START, step_s=300, cluster=ClusterSpec(), current=CurrentSettings(readers=())
    )
    sized = _sized(advice)
    assert sized and all(
        s.startswith("1 x ") and s.endswith("for the 37.5 ACU one instance needs at the history's peak)")
        for s in sized
    )
    assert advice.break_even.startswith("1 x db.")
    assert "mixed_provisioned_writer" not in {o.name for o in advice.purchase_options}


def test_reads_are_split_over_every_reader_as_the_replay_splits_them() -> None:
    # Read share 0.8 over a tier-1 and a tier-15 reader: the writer gets 30 x 0.2 = 6 ACU, each
    # reader 30 x 0.8 / 2 = 12 ACU (policy.trace_replay.simulator's routing), so the busiest
    # instance needs 12 / 0.8 = 15 ACU, not 30 x 0.8 / 0.8 = 30 ACU (one reader taking all reads).
    cluster = ClusterSpec(read_frac=0.8)
    azs = [a for a in cluster.topology.az_ids if a != cluster.topology.writer_az_id]
    readers = (ReaderSetting(az_id=azs[0], promotion_tier=1), ReaderSetting(az_id=azs[-1], promotion_tier=15))
    advice = advise(
        _burst(), start=START, step_s=300, cluster=cluster, current=CurrentSettings(readers=readers)
    )
    sized = _sized(advice)
    assert sized and all(
        s.startswith("3 x ") and s.endswith("for the 15.0 ACU one instance needs at the history's peak)")
        for s in sized
    )
    assert advice.break_even.startswith("3 x db.")


def test_today_with_one_reader_is_sized_as_before() -> None:
    # Writer and one tier-1 reader at read share 0.5: 30 x 0.5 / 0.8 = 18.75 ACU each, 2 instances.
    advice = advise(_burst(), start=START, step_s=300, cluster=ClusterSpec(), current=CurrentSettings())
    sized = _sized(advice)
    assert sized and all(
        s.startswith("2 x ") and s.endswith("for the 18.8 ACU one instance needs at the history's peak)")
        for s in sized
    )


@pytest.mark.parametrize(
    ("read_frac", "n_readers", "loads"),
    [(0.5, 0, (8.0, 0.0)), (0.5, 1, (4.0, 4.0)), (0.5, 2, (4.0, 2.0)), (0.75, 3, (2.0, 2.0))],
)
def test_instance_loads_is_the_routing_rule(read_frac: float, n_readers: int, loads: tuple) -> None:  # type: ignore[type-arg]
    assert instance_loads(8.0, read_frac, n_readers) == pytest.approx(loads)


def test_instances_hold_at_least_the_capacity_the_cluster_was_seen_running() -> None:
    # QA 73 #4: the cluster's capacity metric showed 12.8 ACU per instance, the replay's split
    # sized the instances for 8. A steady 2 ACU (2 x 0.5 / 0.8 = 1.25 ACU per instance on a
    # writer and its tier-1 reader, said as 1.2) with an observed capacity of 12.5 ACU for an hour.
    demand = np.full(5 * 288, 2.0)
    capacity = np.full(5 * 288, 1.0)
    capacity[600:612] = 12.5
    advice = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=1.0, max_capacity_acu=16.0),
        capacity_acu=capacity,
    )
    sized = _sized(advice)
    assert sized and all(
        s.endswith("for the 12.5 ACU one instance needs at the history's peak)") for s in sized
    )
    # a capacity at today's MinCapacity shows the setting, not the load: it sizes nothing
    floor_only = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=8.0, max_capacity_acu=16.0),
        capacity_acu=np.full(5 * 288, 8.0),
    )
    assert all(
        s.endswith("for the 1.2 ACU one instance needs at the history's peak)") for s in _sized(floor_only)
    )
