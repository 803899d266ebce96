"""ClusterSpec's price: the region's Aurora Standard rate unless the caller gives one."""

from __future__ import annotations

import pytest

from placement import Topology
from policy.types import ClusterSpec

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
