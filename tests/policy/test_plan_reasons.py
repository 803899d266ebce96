"""The plan's reasons name what binds: MaxCapacity on the writer, and what tier-15 readers buy."""

from datetime import UTC, datetime

import numpy as np

from placement import CapacityLimits
from policy import ClusterSpec, PolicyConfig, Recommendation
from policy.plan import plan_recommendation

START = datetime(2024, 5, 4, 12, 0, tzinfo=UTC)
N = 12  # plan steps of 900 s: the default 3-h horizon
MIN_STAYS = (
    "MinCapacity stays at 0.5 ACU: Aurora's own scaler reaches the p90 demand forecast in time from where "
    "it would be (default ramp profile: capacity doubles every 45 s), so a higher floor would buy nothing"
)
TIER1 = (
    "a promotion-tier-1 reader in use1-az2 follows the writer's capacity: failover with a ready reader "
    "restores service in < 120 s instead of < 10 min (AWS)"
)


def _plan(
    p50: float, p90: float, *, hold: float, max_acu: float = 128.0, config: PolicyConfig | None = None
) -> Recommendation:
    """A flat forecast, no floor need beyond 0.5 ACU, Aurora's scaler holding ``hold`` ACU on the writer."""
    return plan_recommendation(
        np.array([[p50] * N, [p90] * N]),
        quantiles=(0.5, 0.9),
        start=START,
        cluster=ClusterSpec(cluster_id="c1", limits=CapacityLimits(max_acu=max_acu)),
        config=config or PolicyConfig(),
        previous=None,
        forecast_model="test",
        floor_need_acu=np.full(N, 0.5),
        scaler_capacity_acu=np.full(N, hold),
    )


def test_max_capacity_below_the_writers_need_is_named_as_the_cause_and_a_warning_says_raise_it() -> None:
    # p90 2.4 ACU, half of it writes: 1.2 / 0.8 = 1.5 ACU on the writer, MaxCapacity 1. The floor
    # is 0.5 (never at MaxCapacity), which the old test missed and blamed the shortfall penalty.
    rec = _plan(2.0, 2.4, hold=1.0, max_acu=1.0)
    assert [s.min_capacity_acu for s in rec.steps] == [0.5] * N
    assert [s.shortfall_acu for s in rec.steps] == [0.5] * N  # (1.2 - 0.8) / 0.8
    assert rec.reasons == (
        MIN_STAYS,
        TIER1,
        "up to 1 tier-15 reader(s) added (up to 0.5 ACU): the p90 read demand of up to 1.2 ACU (50% of "
        "demand) needs up to 1.5 ACU of reader capacity at the 80% target utilisation, more than the "
        "tier-1 reader reaches at MaxCapacity 1 ACU",
        "6 ACU-steps of demand stay uncovered: MaxCapacity 1 ACU binds: the p90 forecast needs up to 1.5 "
        "ACU on the writer in 12 of 12 steps (its writes, 50% of up to 2.4 ACU of demand, at the 80% "
        "target utilisation), and only the writer serves writes",
    )
    assert rec.warnings == (
        "the p90 demand forecast needs up to 1.5 ACU on the writer, above MaxCapacity 1 in 12 of 12 steps "
        "(from 2024-05-04 12:00 UTC): raise MaxCapacity (cluster.limits.max_acu) to 1.5 ACU "
        "(max_connections follows MaxCapacity and changes only after a reboot)",
    )


def test_a_shortfall_with_capacity_to_spare_is_still_blamed_on_the_penalty_without_a_warning() -> None:
    # No penalty at all: reads are left short although MaxCapacity 128 would hold them.
    rec = _plan(10.0, 10.0, hold=8.0, config=PolicyConfig(shortfall_penalty_usd_per_acu_hour=0.0))
    assert rec.reasons[-1] == (
        "75 ACU-steps of demand stay uncovered: leaving it short is cheaper than capacity at the "
        "configured shortfall penalty"
    )
    assert rec.warnings == ()


def test_readers_under_max_capacity_say_they_buy_read_capacity_beyond_the_tier1_reader() -> None:
    # The sec1 repro in small: p90 17 ACU (a 1-s blip on 12 ACU taken by the plan step's max), half
    # reads: 8.5 / 0.8 = 10.625 ACU of reader capacity; the tier-1 reader follows the writer's 9.5.
    rec = _plan(17.0, 17.0, hold=9.5)
    assert [s.writer_acu for s in rec.steps] == [9.5] * N
    assert all(s.failover_reader_acu + sum(s.extra_reader_acu_by_az.values()) == 11.0 for s in rec.steps)
    assert rec.reasons == (
        MIN_STAYS,
        TIER1,
        "up to 2 tier-15 reader(s) added (up to 1.5 ACU): the p90 read demand of up to 8.5 ACU (50% of "
        "demand) needs up to 10.6 ACU of reader capacity at the 80% target utilisation, and the tier-1 "
        "reader holds 9.5 ACU following the writer; they buy the rest, at the same ACU price as a larger "
        "tier-1 reader",
    )
    assert rec.warnings == ()


def test_a_reader_for_az_spread_does_not_claim_read_demand() -> None:
    # No tier-1 reader required: reads may go to the writer (2.5 ACU need, room to 128), and the only
    # reason for the reader in another AZ is min_azs = 2.
    rec = _plan(4.0, 4.0, hold=3.0, config=PolicyConfig(require_failover_reader=False))
    assert rec.failover_az_id is None
    assert rec.reasons[-1] == (
        "up to 1 tier-15 reader(s) added (up to 0.5 ACU) because instances must span at least 2 AZs and no "
        "tier-1 reader is kept; read capacity does not need them: the p90 read demand of up to 2 ACU (50% "
        "of demand) needs up to 2.5 ACU of reader capacity at the 80% target utilisation, which the "
        "writer, after its writes, covers"
    )
