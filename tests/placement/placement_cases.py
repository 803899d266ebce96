"""Shared hand-sized placement problems: $1/ACU-h, 1-h steps, no churn, no coarsening."""

from placement import (
    CapacityLimits,
    ClientRegion,
    LatencySlo,
    PlacementProblem,
    SecondaryRegion,
)

EU = SecondaryRegion(region="eu-west-2", az_ids=("euw2-az1", "euw2-az2"))
"""A candidate secondary 75 ms from us-east-1."""

RTT = {"us-east-1": {"eu-west-2": 75.0}}

FAR_READERS = dict(
    secondaries=(EU,),
    clients=(
        ClientRegion(region="us-east-1", read_share=0.0, write_share=1.0),
        ClientRegion(region="eu-west-2", read_share=1.0, write_share=0.0),
    ),
    rtt_ms=RTT,
    latency=LatencySlo(read_p99_ms=60, write_p99_ms=1000),
)
"""All reads come from eu-west-2, whose 60-ms read SLO the primary (75 ms away) misses."""

QUIET = dict(require_failover_reader=False, min_azs=1)
"""No availability constraints (the writer alone is a valid layout)."""


def make_problem(**kw: object) -> PlacementProblem:
    base: dict[str, object] = dict(
        step_s=3600,
        price_usd_per_acu_hour=1.0,
        target_utilisation=1.0,
        read_frac=0.5,
        churn_penalty_usd_per_acu=0.0,
        reader_churn_penalty_usd=0.0,
        secondary_churn_penalty_usd=0.0,
        limits=CapacityLimits(min_acu=0.5, max_acu=16, max_extra_readers_per_az=1),
        coarsening=None,
    )
    base.update(kw)
    return PlacementProblem(**base)  # type: ignore[arg-type]
