"""The region rules of placement options (placement.specs.region_problems), each located at its field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from placement import PlacementOptions, PlacementProblem, Topology, region_problems

EU = {"region": "eu-west-2", "az_ids": ["euw2-az1", "euw2-az2"]}


def _errors(exc: ValidationError) -> list[tuple[str, str]]:
    return [
        (".".join(str(p) for p in e["loc"]), str(e["msg"]).removeprefix("Value error, "))
        for e in exc.errors(include_url=False)
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param(
            {"secondaries": [EU, EU]},
            [("secondaries.1.region", "secondaries[1].region 'eu-west-2' is already secondaries[0]")],
            id="secondary_twice",
        ),
        pytest.param(
            {"clients": [{"region": "us-east-1", "read_share": 0.5, "write_share": 1.0}]},
            [("clients", "clients[*].read_share must sum to 1, got 0.5")],
            id="read_shares_sum_to_half",
        ),
        pytest.param(
            {
                "clients": [
                    {"region": "us-east-1", "read_share": 0.5, "write_share": 0.5},
                    {"region": "us-east-1", "read_share": 0.5, "write_share": 0.5},
                ]
            },
            [("clients.1.region", "clients[1].region 'us-east-1' is already clients[0]")],
            id="client_twice",
        ),
        pytest.param(
            {"rtt_ms": {"us-east-1": {"eu-west-1": -5}}},
            [("rtt_ms.us-east-1.eu-west-1", "Input should be greater than or equal to 0")],
            id="negative_rtt",
        ),
    ],
)
def test_placement_options_refuse_a_broken_region_rule_at_its_field(
    options: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(ValidationError) as err:
        PlacementOptions.model_validate(options)
    got = _errors(err.value)
    assert [loc for loc, _ in got] == [loc for loc, _ in expected]
    for (_, message), (_, part) in zip(got, expected, strict=True):
        assert message.startswith(part), message


def test_the_rules_about_the_primary_wait_for_it() -> None:
    # Alone, options cannot know the primary: a secondary in us-east-1 and the round trips an
    # SLO needs are checked where the primary is known, every missing one at once.
    options = PlacementOptions.model_validate(
        {
            "secondaries": [{"region": "us-east-1", "az_ids": ["use1-az1"]}, EU],
            "clients": [{"region": "ap-southeast-2", "read_share": 1.0, "write_share": 1.0}],
            "latency": {},
        }
    )
    problems = region_problems(options, primary="us-east-1")
    assert [(p.loc, p.message) for p in problems] == [
        (
            ("secondaries", 0, "region"),
            "secondaries[0].region 'us-east-1' is the primary region (topology.region): a secondary "
            "of a global database is in another region",
        ),
        (
            ("rtt_ms",),
            "rtt_ms has no entry for ap-southeast-2 <-> eu-west-2, which the latency SLO needs (a client "
            "region and a region that may serve it): give rtt_ms['ap-southeast-2']['eu-west-2']",
        ),
        (
            ("rtt_ms",),
            "rtt_ms has no entry for ap-southeast-2 <-> us-east-1, which the latency SLO needs (a client "
            "region and a region that may serve it): give rtt_ms['ap-southeast-2']['us-east-1']",
        ),
    ]


def test_without_a_latency_slo_no_round_trip_is_needed() -> None:
    clients = [
        {"region": "us-east-1", "read_share": 0.5, "write_share": 1.0},
        {"region": "eu-west-1", "read_share": 0.5, "write_share": 0.0},
    ]
    options = PlacementOptions.model_validate({"clients": clients})
    assert region_problems(options, primary="us-east-1") == []


def test_problem_locates_a_secondary_in_its_primary_region() -> None:
    with pytest.raises(ValidationError) as err:
        PlacementProblem(
            demand_acu=(4.0,),
            topology=Topology(),
            secondaries=({"region": "us-east-1", "az_ids": ("use1-az1",)},),  # type: ignore[arg-type]
        )
    assert _errors(err.value) == [
        (
            "secondaries.0.region",
            "secondaries[0].region 'us-east-1' is the primary region (topology.region): a secondary "
            "of a global database is in another region",
        )
    ]
