"""Hand-sized problems with a known optimum, one group per constraint family.

Every case uses $1/ACU-h, 1-h steps and no churn (``placement_cases.make_problem``), so
an objective of 12.0 means 12 ACU-hours of capacity; the default shortfall penalty is
$12 per ACU-hour of need.
"""

import pytest
from placement_cases import EU, FAR_READERS, QUIET, RTT, make_problem
from pydantic import ValidationError

from placement import (
    AvailabilitySpec,
    CapacityLimits,
    ClientRegion,
    CostModel,
    DynamicsSpec,
    IoProfile,
    LatencySlo,
    PreviousLayout,
    SolveStatus,
    max_utilisation,
    solve,
)

NO_DYNAMICS = dict(reader_lead_s=0, secondary_lead_s=0, min_dwell_s=0)


# --- capacity -------------------------------------------------------------------------


def test_capacity_covers_demand_at_target_utilisation() -> None:
    # Writes 5 ACU at 50% utilisation need a 10-ACU writer; the tier-1 reader follows it.
    plan = solve(make_problem(demand_acu=(5.0,), read_frac=0.0, target_utilisation=0.5))
    assert plan.writer_acu == (10.0,)
    assert plan.failover_reader_acu == (10.0,)
    assert plan.objective_usd == pytest.approx(20.0, abs=1e-3)  # + 1 micro-USD per half-ACU of floor


def test_capacity_shortfall_is_soft_and_priced() -> None:
    # 20 ACU of writes against a 16-ACU maximum: 4 ACU short at $12/ACU-h.
    plan = solve(make_problem(demand_acu=(20.0,), read_frac=0.0, **QUIET))
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.writer_acu == (16.0,)
    assert plan.shortfall_acu == (4.0,)
    assert plan.objective_usd == pytest.approx(16.0 + 4 * 12.0)


# --- latency --------------------------------------------------------------------------


def test_latency_slo_sets_utilisation_through_mm1() -> None:
    # M/M/1, s = 5 ms: p99 = s ln(100) / (1 - rho) = 46.05 ms at rho = 0.5, so a 46.06-ms
    # write SLO allows 50%: 8 ACU of writes need a 16-ACU writer.
    slo = LatencySlo(read_p99_ms=1000, write_p99_ms=46.06, servers=1, service_ms=5)
    plan = solve(make_problem(demand_acu=(8.0,), read_frac=0.0, latency=slo))
    assert max_utilisation(46.06, servers=1, service_ms=5) == pytest.approx(0.5)
    assert plan.writer_acu == (16.0,)
    assert plan.objective_usd == pytest.approx(32.0)


def test_latency_routes_far_reads_to_a_local_secondary() -> None:
    # eu-west-2 reads (4 ACU) cannot be served 75 ms away under a 60-ms SLO; a secondary
    # in eu-west-2 serves them at 80% (the SLO allows 87.5%, the target caps it): 5 ACU
    # at the built-in eu-west-2 price $0.14 (sources: aurora-pricing).
    plan = solve(make_problem(demand_acu=(8.0,), target_utilisation=0.8, **FAR_READERS))
    assert [s.region for s in plan.secondaries] == ["eu-west-2"]
    eu = plan.secondaries[0]
    assert sum(r.acu[0] for r in eu.readers) == 5.0
    assert [(r.client_region, r.region) for r in plan.read_routes] == [("eu-west-2", "eu-west-2")]
    assert plan.read_routes[0].utilisation == pytest.approx(0.8)
    # Primary: writes 4 ACU at 80% = 5-ACU writer and its tier-1 reader; EU: 5 ACU.
    assert plan.writer_acu == (5.0,)
    assert plan.objective_usd == pytest.approx(10.0 + 5 * 0.14)


def test_latency_writes_that_cannot_reach_the_primary_are_infeasible_and_named() -> None:
    clients = (ClientRegion(region="eu-west-2", read_share=1.0, write_share=1.0),)
    slo = LatencySlo(read_p99_ms=200, write_p99_ms=60)
    plan = solve(make_problem(demand_acu=(8.0,), clients=clients, rtt_ms=RTT, latency=slo))
    assert plan.status is SolveStatus.INFEASIBLE
    assert plan.conflicting_families == ("latency",)


# --- availability ---------------------------------------------------------------------


def test_survive_az_loss_adds_a_reader_outside_the_failover_az() -> None:
    # Reads 4: the tier-1 reader covers them, but losing its AZ must leave 4 ACU of
    # readers elsewhere: one tier 2-15 reader at 4 ACU (>= the 4-ACU floor). 4+4+4 = 12.
    plan = solve(make_problem(demand_acu=(8.0,), availability=AvailabilitySpec(survive_az_loss=True)))
    assert plan.writer_acu == (4.0,) and plan.failover_reader_acu == (4.0,)
    elsewhere = [r for r in plan.extra_readers if r.az_id != plan.failover_az_id and r.count[0]]
    assert sum(r.acu[0] for r in elsewhere) == 4.0
    assert plan.objective_usd == pytest.approx(12.0)


def test_region_dr_keeps_one_reader_in_a_secondary() -> None:
    plan = solve(
        make_problem(
            demand_acu=(8.0,),
            secondaries=(EU,),
            rtt_ms=RTT,
            availability=AvailabilitySpec(require_region_dr=True),
        )
    )
    assert [s.region for s in plan.secondaries] == ["eu-west-2"]
    assert plan.secondaries[0].is_dr_target
    # 4 + 4 on the primary; the DR reader (0.5 ACU at $0.14) also takes 0.5 ACU of reads.
    assert plan.objective_usd == pytest.approx(8.0 + 0.5 * 0.14)
    assert plan.availability == pytest.approx(1 - 159.0 / (365.25 * 86400))


def test_availability_target_makes_the_tier_decision() -> None:
    # No failover reader is required, but 99.997% needs one (99.9973% with it; 99.9954%
    # writer alone; default failure model): the optimiser chooses a tier 0-1 reader.
    kw = dict(demand_acu=(8.0,), **QUIET)
    free = solve(make_problem(**kw))
    target = solve(make_problem(availability=AvailabilitySpec(min_availability=0.99997), **kw))
    assert free.failover_az_id is None and free.availability == pytest.approx(1 - 1440 / (365.25 * 86400))
    assert target.failover_az_id is not None
    assert target.availability is not None and target.availability >= 0.99997
    assert target.objective_usd == pytest.approx(8.0)  # 4 + 4: the reads move to the reader


def test_min_azs_spreads_instances() -> None:
    plan = solve(make_problem(demand_acu=(2.0,), require_failover_reader=False, min_azs=3))
    azs = {r.az_id for r in plan.extra_readers if r.count[0]} | {"use1-az1"}
    if plan.failover_az_id:
        azs.add(plan.failover_az_id)
    assert len(azs) == 3
    assert plan.objective_usd == pytest.approx(1.0 + 1.0 + 1.0)  # writer 1, readers 1 + >= 1


# --- dynamics -------------------------------------------------------------------------


def test_with_the_scaler_modelled_the_floor_follows_its_need_not_the_demand() -> None:
    # Demand 10 ACU all on the writer; Aurora's scaler holds 6 ACU anyway and the floor
    # need is 2, 8, 0.5 ACU. The writer is billed max(floor, 6): 6 + 8 + 6 = 20.
    plan = solve(
        make_problem(
            demand_acu=(10.0, 10.0, 10.0),
            read_frac=0.0,
            floor_need_acu=(2.0, 8.0, 0.5),
            scaler_capacity_acu=(6.0, 6.0, 6.0),
            **QUIET,
        )
    )
    assert plan.min_capacity_acu == (2.0, 8.0, 0.5)
    assert plan.writer_acu == (6.0, 8.0, 6.0)
    assert plan.shortfall_acu == (0.0, 0.0, 0.0)
    assert plan.objective_usd == pytest.approx(20.0, abs=1e-3)  # + 1 micro-USD per half-ACU of floor


def test_a_floor_above_the_scalers_hold_lifts_the_failover_reader_too() -> None:
    # The tier-1 reader follows the writer's capacity: max(floor 8, hold 2) = 8 each.
    plan = solve(
        make_problem(
            demand_acu=(2.0,), read_frac=0.0, floor_need_acu=(8.0,), scaler_capacity_acu=(2.0,), min_azs=2
        )
    )
    assert plan.min_capacity_acu == (8.0,) and plan.writer_acu == (8.0,)
    assert plan.failover_reader_acu == (8.0,)
    assert plan.objective_usd == pytest.approx(16.0, abs=1e-3)


def test_a_floor_need_the_budget_cannot_pay_is_priced_as_shortfall() -> None:
    # Need 16 ACU; the budget pays 10 ACU-hours: 6 ACU of need missed at $10 each.
    plan = solve(
        make_problem(
            demand_acu=(4.0,),
            read_frac=0.0,
            floor_need_acu=(16.0,),
            shortfall_penalty_usd_per_acu_hour=10.0,
            budget_usd=10.0,
            **QUIET,
        )
    )
    assert plan.min_capacity_acu == (10.0,)
    assert plan.objective_usd == pytest.approx(10.0 + 60.0, abs=1e-3)
    # A need beyond MaxCapacity is capped there: nothing a floor could add.
    capped = solve(make_problem(demand_acu=(4.0,), read_frac=0.0, floor_need_acu=(40.0,), **QUIET))
    assert capped.min_capacity_acu == (16.0,) and capped.objective_usd == pytest.approx(16.0, abs=1e-3)


def test_scaler_capacity_needs_a_floor_need() -> None:
    with pytest.raises(ValidationError, match="scaler_capacity_acu needs floor_need_acu"):
        make_problem(demand_acu=(1.0,), scaler_capacity_acu=(1.0,))
    with pytest.raises(ValidationError, match="floor_need_acu has 1 steps, demand_acu 2"):
        make_problem(demand_acu=(1.0, 1.0), floor_need_acu=(1.0,))


def test_reader_lead_time_leaves_the_first_step_short() -> None:
    # Reads 8 ACU, max 4 per instance: the tier-1 reader gives 4, a new reader the rest,
    # but it takes an hour to create: 4 ACU short at step 0 ($48), covered at step 1.
    kw = dict(
        demand_acu=(10.0, 10.0),
        read_frac=0.8,
        limits=CapacityLimits(min_acu=0.5, max_acu=4, max_extra_readers_per_az=1),
        previous=PreviousLayout(writer_acu=2.0, failover_az_id="use1-az2"),
    )
    lead = solve(make_problem(dynamics=DynamicsSpec(reader_lead_s=3600, min_dwell_s=0), **kw))
    assert sum(r.count[0] for r in lead.extra_readers) == 0
    assert sum(r.count[1] for r in lead.extra_readers) == 1
    assert lead.shortfall_acu == (4.0, 0.0)
    assert lead.objective_usd == pytest.approx(2 * (2 + 4) + 4 + 4 * 12.0)


def test_min_dwell_keeps_a_reader_through_a_dip() -> None:
    kw = dict(
        demand_acu=(10.0, 2.5, 10.0),
        read_frac=0.8,
        limits=CapacityLimits(min_acu=2, max_acu=4, max_extra_readers_per_az=1),
        previous=PreviousLayout(writer_acu=2.0, failover_az_id="use1-az2"),
    )
    free = solve(make_problem(**kw))
    dwell = solve(make_problem(dynamics=DynamicsSpec(reader_lead_s=0, min_dwell_s=3 * 3600), **kw))
    assert [sum(r.count[t] for r in free.extra_readers) for t in range(3)] == [1, 0, 1]
    assert [sum(r.count[t] for r in dwell.extra_readers) for t in range(3)] == [1, 1, 1]
    assert dwell.objective_usd - free.objective_usd == pytest.approx(2.0)  # one 2-ACU reader-hour


# --- limits and budget ----------------------------------------------------------------


def test_max_readers_caps_read_scaling() -> None:
    # Reads 12 ACU with 4-ACU instances: the tier-1 reader + 2 tier-15 would cover them,
    # but max_readers=2 allows one tier-15: 4 ACU short.
    limits = CapacityLimits(min_acu=0.5, max_acu=4, max_readers=2, max_extra_readers_per_az=1)
    plan = solve(make_problem(demand_acu=(16.0,), read_frac=0.75, limits=limits))
    assert sum(r.count[0] for r in plan.extra_readers) == 1
    assert plan.shortfall_acu == (4.0,)


def test_max_secondaries_picks_the_cheaper_region() -> None:
    # Two candidates, one allowed: reads go where ACU is cheapest (eu-west-2 $0.14 vs an
    # overridden $0.50 in us-west-2).
    from placement import RegionPriceOverride, SecondaryRegion

    west = SecondaryRegion(region="us-west-2", az_ids=("usw2-az1",))
    prices = {
        "us-west-2": RegionPriceOverride(standard_usd_per_acu_hour=0.5, io_optimized_usd_per_acu_hour=0.6)
    }
    plan = solve(
        make_problem(
            demand_acu=(4.0,),
            secondaries=(EU, west),
            max_secondaries=1,
            cost=CostModel(region_prices=prices),
            **QUIET,
        )
    )
    assert [s.region for s in plan.secondaries] == ["eu-west-2"]


def test_budget_caps_spend_and_leaves_the_rest_short() -> None:
    plan = solve(make_problem(demand_acu=(8.0,), read_frac=0.0, budget_usd=5.0, **QUIET))
    assert plan.writer_acu == (5.0,)
    assert plan.costs is not None and plan.costs.total_usd <= 5.0
    assert plan.shortfall_acu == (3.0,)
    assert plan.objective_usd == pytest.approx(5.0 + 3 * 12.0)


# --- cost model -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("io_per_hour", "cheaper"),
    [(10e6, True), (0.0, False)],
    ids=["io-heavy-favours-io-optimized", "no-io-favours-standard"],
)
def test_io_optimized_advice(io_per_hour: float, cheaper: bool) -> None:
    # us-east-1: 8 ACU-h at $0.12 (Standard) or $0.16 (I/O-Optimized); 10 M I/Os at
    # $0.20/M = $2 only under Standard: 0.96 + 2 = 2.96 vs 1.28.
    plan = solve(
        make_problem(
            demand_acu=(8.0,), price_usd_per_acu_hour=0.12, io=IoProfile(io_requests_per_hour=io_per_hour)
        )
    )
    advice = plan.storage_advice
    assert advice is not None and advice.current == "standard"
    assert advice.io_optimized_cheaper is cheaper
    assert advice.standard_usd == pytest.approx(8 * 0.12 + io_per_hour / 1e6 * 0.20)
    assert advice.io_optimized_usd == pytest.approx(8 * 0.16)


def test_secondary_costs_storage_replicated_writes_and_transfer() -> None:
    io = IoProfile(storage_gib=730.0, write_io_per_hour=1e6, replication_gb_per_hour=1.0)
    plan = solve(
        make_problem(
            demand_acu=(8.0,),
            secondaries=(EU,),
            rtt_ms=RTT,
            availability=AvailabilitySpec(require_region_dr=True),
            io=io,
        )
    )
    costs = plan.costs
    assert costs is not None
    # Storage: 730 GiB for 1 h at $0.10/GiB-month = $0.10 per copy, 2 copies.
    assert costs.storage_usd == pytest.approx(0.20)
    assert costs.replicated_write_usd == pytest.approx(0.20)  # 1 M writes x $0.20/M
    assert costs.transfer_usd == pytest.approx(0.02)  # 1 GB x $0.02
    assert costs.total_usd == pytest.approx(
        costs.compute_usd + costs.io_usd + costs.storage_usd + costs.replicated_write_usd + costs.transfer_usd
    )
