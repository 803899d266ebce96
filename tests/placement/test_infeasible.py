"""Conflicting hard constraints come back INFEASIBLE with the families that conflict.

One case per pair of hard families that can conflict (``capacity`` is soft and never
conflicts). Each case is feasible with either family relaxed, so the irreducible set is
exactly the pair.
"""

import pytest
from placement_cases import EU, FAR_READERS, QUIET, RTT, make_problem

from placement import (
    FAMILIES,
    AvailabilitySpec,
    CapacityLimits,
    DynamicsSpec,
    LatencySlo,
    PlacementProblem,
    PreviousLayout,
    SolveStatus,
    solve,
)
from placement.explain import relaxed

HIGH_MIN = CapacityLimits(min_acu=8, max_acu=16, max_extra_readers_per_az=1)

PAIRS: dict[tuple[str, str], PlacementProblem] = {
    # The only DR candidate is 75 ms from the writers; the write SLO is 60 ms.
    ("latency", "availability"): make_problem(
        demand_acu=(2.0,),
        secondaries=(EU,),
        rtt_ms=RTT,
        latency=LatencySlo(read_p99_ms=1000, write_p99_ms=60),
        availability=AvailabilitySpec(require_region_dr=True),
    ),
    # eu-west-2 readers need a local secondary, which serves only after an hour.
    ("latency", "dynamics"): make_problem(
        demand_acu=(2.0, 2.0), dynamics=DynamicsSpec(secondary_lead_s=3600), **FAR_READERS
    ),
    ("latency", "limits"): make_problem(demand_acu=(2.0,), max_secondaries=0, **FAR_READERS),
    # The writer (0.5 ACU, $0.50) fits; the EU reader ($0.07 more) does not.
    ("latency", "budget"): make_problem(demand_acu=(2.0,), budget_usd=0.55, **QUIET, **FAR_READERS),
    # No failover reader is deployed and a new one takes 10 minutes.
    ("availability", "dynamics"): make_problem(
        demand_acu=(2.0,), previous=PreviousLayout(writer_acu=1.0), dynamics=DynamicsSpec(reader_lead_s=600)
    ),
    # Three AZs need the writer + 2 readers; one reader is allowed.
    ("availability", "limits"): make_problem(
        demand_acu=(2.0,),
        min_azs=3,
        require_failover_reader=False,
        limits=CapacityLimits(min_acu=0.5, max_acu=16, max_readers=1, max_extra_readers_per_az=1),
    ),
    # Writer + tier-1 reader cost at least $1; the budget is $0.90.
    ("availability", "budget"): make_problem(demand_acu=(0.0,), budget_usd=0.9),
    ("limits", "budget"): make_problem(demand_acu=(0.0,), limits=HIGH_MIN, budget_usd=5.0, **QUIET),
}


def test_every_pair_of_hard_families_is_covered() -> None:
    hard = [f for f in FAMILIES if f != "capacity"]
    # Dynamics (reader lead times and dwell) only forbids: alone with limits or a budget,
    # which only forbid too, it cannot conflict. (Capacity ramps are Aurora's scaler,
    # modelled by the caller through floor_need_acu.)
    cannot = {("dynamics", "limits"), ("budget", "dynamics")}
    assert {tuple(sorted(p)) for p in PAIRS} == {
        tuple(sorted((a, b))) for i, a in enumerate(hard) for b in hard[i + 1 :]
    } - cannot


@pytest.mark.parametrize("pair", list(PAIRS), ids=["+".join(p) for p in PAIRS])
def test_conflicting_pair_is_named(pair: tuple[str, str]) -> None:
    plan = solve(PAIRS[pair])
    assert plan.status is SolveStatus.INFEASIBLE
    assert plan.conflicting_families == tuple(f for f in FAMILIES if f in pair)
    assert plan.writer_acu == ()


@pytest.mark.parametrize("pair", list(PAIRS), ids=["+".join(p) for p in PAIRS])
def test_each_pair_is_feasible_with_either_family_relaxed(pair: tuple[str, str]) -> None:
    for family in pair:
        assert solve(relaxed(PAIRS[pair], family)).has_solution, family


@pytest.mark.parametrize(
    ("problem", "family"),
    [
        (
            make_problem(demand_acu=(1.0,), availability=AvailabilitySpec(require_region_dr=True)),
            "availability",
        ),
        (
            make_problem(demand_acu=(1.0,), latency=LatencySlo(read_p99_ms=20, write_p99_ms=20), **QUIET),
            "latency",
        ),
    ],
    ids=["dr-without-candidates", "slo-below-service-time"],
)
def test_single_family_conflict_is_named(problem: PlacementProblem, family: str) -> None:
    plan = solve(problem)
    assert plan.status is SolveStatus.INFEASIBLE
    assert plan.conflicting_families == (family,)
