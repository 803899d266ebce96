"""recommend() passes the multi-region placement problem through and surfaces its extras."""

from datetime import UTC, datetime

import numpy as np

from placement import (
    AvailabilitySpec,
    ClientRegion,
    DynamicsSpec,
    IoProfile,
    LatencySlo,
    PlacementOptions,
    PreviousLayout,
    SecondaryRegion,
    SolverParams,
)
from policy import ClusterSpec, PolicyConfig, Recommendation, recommend

NOW = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)
EU = SecondaryRegion(region="eu-west-2", az_ids=("euw2-az1", "euw2-az2"))
GLOBAL = PlacementOptions(
    secondaries=(EU,),
    clients=(
        ClientRegion(region="us-east-1", read_share=0.5, write_share=1.0),
        ClientRegion(region="eu-west-2", read_share=0.5, write_share=0.0),
    ),
    rtt_ms={"us-east-1": {"eu-west-2": 75.0}},
    latency=LatencySlo(read_p99_ms=60, write_p99_ms=300),
    io=IoProfile(io_requests_per_hour=50e6, storage_gib=100),
)


def _history(days: int = 3) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(days * 288)
    return np.maximum(0.0, 6 + 4 * np.sin(2 * np.pi * t / 288) + rng.normal(0, 0.3, t.size))


def test_single_region_recommendation_carries_cost_advice_and_availability() -> None:
    rec = recommend(_history(), now=NOW)
    assert rec.secondary_regions == ()
    assert rec.availability is not None and 0.9999 < rec.availability < 1.0
    assert rec.cost_breakdown_usd["compute_usd"] == rec.expected_cost_usd
    assert rec.io_optimized_cheaper is False  # no I/O stated: Standard is cheaper
    assert rec.infeasible_families == () and rec.binding_constraints == ()


def test_far_readers_get_a_secondary_region_and_io_heavy_load_gets_io_optimized_advice() -> None:
    rec = recommend(_history(), now=NOW, cluster=ClusterSpec(placement=GLOBAL))
    assert rec.secondary_regions == ("eu-west-2",)
    assert all(s.secondary_acu_by_region["eu-west-2"] > 0 for s in rec.steps)
    assert all(s.capacity_acu >= s.writer_acu + s.secondary_acu_by_region["eu-west-2"] for s in rec.steps)
    assert rec.io_optimized_cheaper is True  # 50 M I/Os per hour at $0.20/M
    assert any("I/O-Optimized" in r for r in rec.reasons)
    assert any("eu-west-2" in r for r in rec.reasons)
    assert Recommendation.model_validate_json(rec.model_dump_json()) == rec


def test_conflicting_hard_constraints_give_a_fail_safe_plan_naming_the_families() -> None:
    options = GLOBAL.model_copy(update={"max_secondaries": 0})
    rec = recommend(_history(), now=NOW, cluster=ClusterSpec(placement=options))
    assert rec.is_fail_safe
    assert rec.infeasible_families == ("latency", "limits")
    assert any("latency + limits" in r for r in rec.reasons)


def test_a_fail_safe_plan_bills_what_aurora_holds_not_just_the_floor() -> None:
    """The writer's capacity is max(floor, the scaler's level) in a fail-safe plan too: on a
    steady 100 ACU it read 0.5 ACU and $0.36 over 3 h against the optimal plan's $51.48."""
    history, now = np.full(864, 100.0), datetime(2024, 3, 4, tzinfo=UTC)
    solved = recommend(history, now=now)
    failed = recommend(history, now=now, cluster={"placement": {"budget_usd": 0.01}})
    assert failed.is_fail_safe and not solved.is_fail_safe
    # half of 100 ACU on the writer / 0.7, on the grid; the tier-1 reader follows it
    assert [s.writer_acu for s in failed.steps] == [71.5] * len(failed.steps)
    assert failed.steps[0].capacity_acu == solved.steps[0].capacity_acu == 143.0
    assert failed.expected_cost_usd == solved.expected_cost_usd


def test_explain_surfaces_binding_constraints_and_shadow_costs() -> None:
    config = PolicyConfig(solver=SolverParams(explain=True))
    rec = recommend(_history(), now=NOW, cluster=ClusterSpec(placement=GLOBAL), config=config)
    assert "latency: relax" in rec.shadow_costs_usd
    assert any(k.startswith("availability: +1 nine") for k in rec.shadow_costs_usd)
    assert rec.binding_constraints  # the failover reader (availability) costs money


def test_dynamics_lead_time_with_the_deployed_layout() -> None:
    options = PlacementOptions(dynamics=DynamicsSpec(reader_lead_s=1800), availability=AvailabilitySpec())
    previous = PreviousLayout(writer_acu=8.0, failover_az_id="use1-az2")
    rec = recommend(_history(), now=NOW, cluster=ClusterSpec(placement=options), previous=previous)
    assert not rec.is_fail_safe
    assert rec.failover_az_id == "use1-az2"  # a new tier-1 AZ cannot be ready in time
    assert sum(rec.steps[0].extra_readers_by_az.values()) == 0


def test_fail_safe_keeps_deployed_secondaries() -> None:
    options = GLOBAL.model_copy(update={"max_secondaries": 0})
    previous = PreviousLayout(
        writer_acu=4.0,
        failover_az_id="use1-az2",
        secondary_floor_acu={"eu-west-2": 2.0},
        secondary_readers_by_az={"eu-west-2": {"euw2-az1": 1}},
    )
    rec = recommend(_history(), now=NOW, cluster=ClusterSpec(placement=options), previous=previous)
    assert rec.is_fail_safe
    assert rec.secondary_regions == ("eu-west-2",)  # never removed on an error path
    assert all(s.secondary_acu_by_region == {"eu-west-2": 2.0} for s in rec.steps)
