"""ClusterSpec's price: the region's Aurora Standard rate unless the caller gives one, never below
what the optimiser resolves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from pydantic import ValidationError

from placement import Topology
from policy import recommend
from policy.types import MIN_PRICE_USD_PER_ACU_HOUR, ClusterSpec

EU_WEST_2 = {"region": "eu-west-2", "az_ids": ["euw2-az1", "euw2-az2"], "writer_az_id": "euw2-az1"}


def test_default_cluster_is_priced_at_us_east_1_standard() -> None:
    # $0.12 per ACU-hour: AWS Price List, Aurora:ServerlessV2Usage, us-east-1.
    assert ClusterSpec().price_usd_per_acu_hour == pytest.approx(0.12)


@pytest.mark.parametrize("topology", [EU_WEST_2, Topology(**EU_WEST_2)], ids=["json", "model"])
def test_cluster_without_price_is_priced_at_its_region(topology: object) -> None:
    # placement.pricing's eu-west-2 Standard rate, $0.14 per ACU-hour.
    spec = ClusterSpec.model_validate({"topology": topology})
    assert spec.price_usd_per_acu_hour == pytest.approx(0.14)


def test_given_price_wins_over_the_region() -> None:
    spec = ClusterSpec.model_validate({"topology": EU_WEST_2, "price_usd_per_acu_hour": 0.2})
    assert spec.price_usd_per_acu_hour == pytest.approx(0.2)


def test_region_without_a_built_in_price_gets_us_east_1() -> None:
    topology = {"region": "ap-south-1", "az_ids": ["aps1-az1", "aps1-az2"], "writer_az_id": "aps1-az1"}
    assert ClusterSpec.model_validate({"topology": topology}).price_usd_per_acu_hour == pytest.approx(0.12)


def test_a_stored_cluster_keeps_its_price() -> None:
    stored = ClusterSpec.model_validate({"topology": EU_WEST_2, "price_usd_per_acu_hour": 0.5}).model_dump()
    assert ClusterSpec.model_validate(stored).price_usd_per_acu_hour == pytest.approx(0.5)


def test_a_price_under_the_solver_resolution_is_refused_at_its_field() -> None:
    with pytest.raises(ValidationError) as err:
        ClusterSpec(price_usd_per_acu_hour=1e-9)
    assert err.value.errors()[0]["loc"] == ("price_usd_per_acu_hour",)
    assert "greater than or equal to 0.001" in err.value.errors()[0]["msg"]


def test_the_lowest_price_plans_the_floors_the_aws_price_plans() -> None:
    # A daily 60-ACU peak 10 minutes ahead: Aurora's scaler cannot climb from 2 ACU in time,
    # so MinCapacity goes up first; at 1e-9 USD per ACU-hour the micro-USD objective lost it.
    t = np.arange(4 * 288 - 190)
    history = np.where((t % 288 >= 100) & (t % 288 < 140), 60.0, 2.0)
    now = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=300 * t.size)
    floors = [
        [s.min_capacity_acu for s in recommend(history, now=now, step_s=300, cluster=ClusterSpec(**p)).steps]
        for p in ({}, {"price_usd_per_acu_hour": MIN_PRICE_USD_PER_ACU_HOUR})
    ]
    assert floors[0] == floors[1] and floors[0][0] > 2.0
