"""The CLI names its own option where the library's warning names the MaxCapacity field."""

from datetime import UTC, datetime

import numpy as np

from placement import CapacityLimits
from policy import ClusterSpec, PolicyConfig
from policy.plan import plan_recommendation
from service.cli.recommend import recommendation_lines


def test_the_max_capacity_warning_names_max_acu() -> None:
    # p90 2.4 ACU, half writes: 1.2 / 0.8 = 1.5 ACU on the writer, above MaxCapacity 1
    rec = plan_recommendation(
        np.array([[2.0] * 12, [2.4] * 12]),
        quantiles=(0.5, 0.9),
        start=datetime(2024, 5, 4, 12, 0, tzinfo=UTC),
        cluster=ClusterSpec(cluster_id="c1", limits=CapacityLimits(max_acu=1.0)),
        config=PolicyConfig(),
        previous=None,
        forecast_model="test",
        floor_need_acu=np.full(12, 0.5),
        scaler_capacity_acu=np.full(12, 1.0),
    )
    assert [line for line in recommendation_lines(rec) if line.startswith("warning: ")] == [
        "warning: the p90 demand forecast needs up to 1.5 ACU on the writer, above MaxCapacity 1 in 12 of 12 "
        "steps (from 2024-05-04 12:00 UTC): raise MaxCapacity (--max-acu) to 1.5 ACU (max_connections "
        "follows MaxCapacity and changes only after a reboot)"
    ]


def test_the_expected_cost_says_over_what_horizon() -> None:
    # it said "expected cost: $..." without the time it covers
    rec = plan_recommendation(
        np.array([[2.0] * 12, [2.4] * 12]),
        quantiles=(0.5, 0.9),
        start=datetime(2024, 5, 4, 12, 0, tzinfo=UTC),
        cluster=ClusterSpec(cluster_id="c1", limits=CapacityLimits(max_acu=16.0)),
        config=PolicyConfig(),
        previous=None,
        forecast_model="test",
        floor_need_acu=np.full(12, 0.5),
        scaler_capacity_acu=np.full(12, 1.0),
    )
    assert len(rec.steps) * rec.step_s == 3 * 3600
    assert [line for line in recommendation_lines(rec) if "cost" in line] == [
        f"expected cost over the 3-h horizon: ${rec.expected_cost_usd:,.2f} (compute of all instances at "
        "the planned capacity)"
    ]
