"""ClusterSpec refuses placement options that break a region rule, at ``placement.<field>``;
recommend() never lets placement's internal PlacementProblem error out raw."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from placement import PlacementOptions, SecondaryRegion
from policy import ClusterSpec, InvalidRequestError, PolicyConfig, recommend
from policy.engine import decide, history_quality
from policy.types import DemandContext

NOW = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)
HISTORY = [3.5 + (i % 12) * 0.1 for i in range(600)]
US, EU_WEST_1 = "us-east-1", "eu-west-1"
EU_WEST_2 = {"region": "eu-west-2", "az_ids": ["euw2-az1", "euw2-az2"]}

QA_CASES = [
    pytest.param(
        {
            "latency": {},
            "clients": [
                {"region": US, "read_share": 0.5, "write_share": 1.0},
                {"region": EU_WEST_1, "read_share": 0.5, "write_share": 0.0},
            ],
        },
        [
            (
                "placement.rtt_ms",
                "rtt_ms has no entry for eu-west-1 <-> us-east-1, which the latency SLO needs",
            )
        ],
        id="slo_without_rtt_for_a_client_region",
    ),
    pytest.param(
        {
            "latency": {},
            "secondaries": [EU_WEST_2],
            "clients": [
                {"region": US, "read_share": 0.6, "write_share": 1.0},
                {"region": "ap-southeast-2", "read_share": 0.4, "write_share": 0.0},
            ],
            "rtt_ms": {US: {"eu-west-2": 75.0}},
        },
        [
            ("placement.rtt_ms", "rtt_ms has no entry for ap-southeast-2 <-> eu-west-2"),
            ("placement.rtt_ms", "rtt_ms has no entry for ap-southeast-2 <-> us-east-1"),
        ],
        id="client_region_without_rtt",
    ),
    pytest.param(
        {"clients": [{"region": US, "read_share": 0.5, "write_share": 0.5}]},
        [
            ("placement.clients", "clients[*].read_share must sum to 1, got 0.5"),
            ("placement.clients", "clients[*].write_share must sum to 1, got 0.5"),
        ],
        id="shares_sum_to_half",
    ),
    pytest.param(
        {"secondaries": [{"region": US, "az_ids": ["use1-az1"]}]},
        [("placement.secondaries.0.region", "secondaries[0].region 'us-east-1' is the primary region")],
        id="secondary_is_the_primary",
    ),
    pytest.param(
        {"rtt_ms": {US: {EU_WEST_1: -5}}},
        [("placement.rtt_ms.us-east-1.eu-west-1", "Input should be greater than or equal to 0")],
        id="negative_rtt",
    ),
]


def _located(exc: ValidationError) -> list[tuple[str, str]]:
    return [
        (".".join(str(p) for p in e["loc"]), str(e["msg"]).removeprefix("Value error, "))
        for e in exc.errors(include_url=False)
    ]


def _check(exc: ValidationError, expected: list[tuple[str, str]]) -> None:
    assert exc.title == "ClusterSpec"
    got = _located(exc)
    assert [loc for loc, _ in got] == [loc for loc, _ in expected]
    for (_, message), (_, part) in zip(got, expected, strict=True):
        assert message.startswith(part), message


@pytest.mark.parametrize(("placement", "expected"), QA_CASES)
def test_cluster_spec_refuses_a_broken_region_rule_at_its_placement_field(
    placement: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(ValidationError) as err:
        ClusterSpec.model_validate({"cluster_id": "x", "placement": placement})
    _check(err.value, expected)


@pytest.mark.parametrize(("placement", "expected"), QA_CASES)
def test_recommend_refuses_it_before_planning_never_as_a_placement_problem(
    placement: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(ValidationError) as err:
        recommend(HISTORY, now=NOW, cluster={"cluster_id": "x", "placement": placement})
    _check(err.value, expected)  # was: "1 validation error for PlacementProblem" with the problem's dump


def test_the_rule_holds_for_a_cluster_spec_copied_without_validation() -> None:
    bad = PlacementOptions(secondaries=(SecondaryRegion(region=US, az_ids=("use1-az1",)),))
    cluster = ClusterSpec().model_copy(update={"placement": bad})  # model_copy does not validate
    with pytest.raises(ValidationError) as err:
        recommend(HISTORY, now=NOW, cluster=cluster)
    _check(err.value, [("placement.secondaries.0.region", "secondaries[0].region 'us-east-1'")])


def test_a_placement_problem_refused_inside_decide_is_an_input_error_at_the_cluster_field() -> None:
    # decide() (the replay sweep's entry) is given a cluster no model validated.
    bad = PlacementOptions(secondaries=(SecondaryRegion(region=US, az_ids=("use1-az1",)),))
    cluster = ClusterSpec().model_copy(update={"placement": bad})
    config = PolicyConfig()
    history = np.asarray(HISTORY, dtype=np.float64)
    quality = history_quality(
        history, now=NOW, step_s=300, config=config, context=DemandContext(), previous=None
    )
    demand_q = np.tile(np.linspace(3.0, 6.0, len(config.quantiles))[:, None], (1, 36))
    with pytest.raises(InvalidRequestError) as err:
        decide(
            demand_q,
            forecast_model="test",
            forecast_warnings=(),
            history=history,
            now=NOW,
            step_s=300,
            cluster=cluster,
            config=config,
            previous=None,
            quality=quality,
            context=DemandContext(),
        )
    assert err.value.field == "cluster.placement.secondaries.0.region"
    assert str(err.value).startswith(
        "cluster.placement.secondaries.0.region: secondaries[0].region 'us-east-1' is the primary region"
    )


def test_a_horizon_of_more_plan_steps_than_the_optimiser_takes_is_refused_at_horizon_s() -> None:
    config = {"horizon_s": 7 * 86_400, "plan_step_s": 30}
    with pytest.raises(InvalidRequestError) as err:
        recommend(HISTORY, now=NOW, step_s=30, config=config)
    assert err.value.field == "config.horizon_s"
    assert str(err.value) == (
        "config.horizon_s=604800 is 20160 plan steps of config.plan_step_s=30 s; the optimiser takes at "
        "most 20000: shorten the horizon or lengthen the plan step"
    )


SECONDARY = {"secondaries": [{"region": "eu-west-2", "az_ids": ["euw2-az1", "euw2-az2"]}]}


@pytest.mark.parametrize(
    ("previous", "field", "message"),
    [
        pytest.param(
            {"writer_acu": 1, "secondary_floor_acu": {"eu-west-2": -1}},
            "previous.secondary_floor_acu.eu-west-2",
            "previous.secondary_floor_acu.eu-west-2=-1 must be a multiple of 0.5 ACU in "
            "[limits.min_acu=0.5, limits.max_acu=128] (the limits are every region's)",
            id="negative_floor",  # was a raw ValueError from placement.units (HTTP 500)
        ),
        pytest.param(
            {"writer_acu": 1, "secondary_floor_acu": {"eu-west-2": 1.3}},
            "previous.secondary_floor_acu.eu-west-2",
            "previous.secondary_floor_acu.eu-west-2=1.3 must be a multiple of 0.5 ACU in "
            "[limits.min_acu=0.5, limits.max_acu=128] (the limits are every region's)",
            id="off_grid_floor",
        ),
        pytest.param(
            {"writer_acu": 1, "secondary_readers_by_az": {"eu-west-2": {"euw2-az1": -1}}},
            "previous.secondary_readers_by_az.eu-west-2.euw2-az1",
            "previous.secondary_readers_by_az.eu-west-2.euw2-az1=-1 must be >= 0",
            id="negative_readers",
        ),
    ],
)
def test_a_deployed_secondary_layout_that_no_cluster_can_have_is_refused_at_its_field(
    previous: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidRequestError) as err:
        recommend(HISTORY, now=NOW, cluster={"placement": SECONDARY}, previous=previous)
    assert err.value.field == field
    assert str(err.value) == message
