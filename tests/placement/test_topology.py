"""Topology and SecondaryRegion: AZ IDs must belong to their region (one rule, placement.check_az_region)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from placement import AzRegionMismatchError, SecondaryRegion, Topology, az_id_prefix, check_az_region
from policy import ClusterSpec


@pytest.mark.parametrize(
    ("region", "prefix"),
    [
        ("us-east-1", "use1"),
        ("us-west-2", "usw2"),
        ("eu-central-1", "euc1"),
        ("eu-west-2", "euw2"),
        ("eu-north-1", "eun1"),
        ("sa-east-1", "sae1"),
        ("ca-central-1", "cac1"),
        ("ap-south-1", "aps1"),
        ("ap-southeast-1", "apse1"),
        ("ap-northeast-3", "apne3"),
        ("me-south-1", "mes1"),
        ("us-gov-west-1", "usgw1"),
        ("cn-northwest-1", "cnnw1"),
    ],
)
def test_az_id_prefix_of_a_region(region: str, prefix: str) -> None:
    assert az_id_prefix(region) == prefix


@pytest.mark.parametrize("region", ["xx", "", "us-east", "US-EAST-1", "us-1"])
def test_a_name_that_is_no_region_is_a_value_error_naming_it(region: str) -> None:
    # a name without a dash raised Python's own "not enough values to unpack"
    with pytest.raises(ValueError, match=f"{region!r} is not an AWS region name"):
        az_id_prefix(region)


def test_az_ids_of_another_region_are_a_typed_error_naming_them() -> None:
    with pytest.raises(AzRegionMismatchError) as err:
        check_az_region("us-west-2", ("euc1-az1", "usw2-az2", "euc1-az3"))

    assert isinstance(err.value, ValueError) and err.value.code == "az_region_mismatch"
    assert err.value.region == "us-west-2" and err.value.az_ids == ("euc1-az1", "euc1-az3")
    assert str(err.value) == (
        "az_ids ['euc1-az1', 'euc1-az3'] are not in us-west-2: its AZ IDs start with usw2- (e.g. usw2-az1)"
    )
    check_az_region("us-west-2", ("usw2-az1", "usw2-az2"))  # its own: no error


def test_a_topology_with_another_regions_az_ids_is_rejected() -> None:
    eu = {"az_ids": ("euc1-az1", "euc1-az2", "euc1-az3"), "writer_az_id": "euc1-az1"}

    with pytest.raises(ValidationError) as err:
        Topology(region="us-west-2", **eu)  # type: ignore[arg-type]

    (e,) = err.value.errors()
    assert isinstance(e["ctx"]["error"], AzRegionMismatchError)
    assert "az_ids ['euc1-az1', 'euc1-az2', 'euc1-az3'] are not in us-west-2" in e["msg"]
    assert Topology(region="eu-central-1", **eu).region == "eu-central-1"  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="are not in eu-west-2"):  # the default AZs are us-east-1's
        Topology(region="eu-west-2")
    with pytest.raises(ValidationError) as spec_err:
        ClusterSpec.model_validate({"topology": {"region": "us-west-2", **eu}})
    assert spec_err.value.errors()[0]["loc"] == ("topology",)


def test_a_secondary_region_with_another_regions_az_ids_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"az_ids \['euw2-az1'\] is not in us-west-2"):
        SecondaryRegion(region="us-west-2", az_ids=("usw2-az1", "euw2-az1"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "az_ids",
            ("us-east-1a", "use1-az2"),
            "'us-east-1a' is not an AZ ID such as use1-az1 (AZ IDs, not AZ names",
        ),
        ("region", "US-EAST-1", "'US-EAST-1' is not an AWS region name such as us-east-1"),
        # re.match with $ let a trailing newline through (it reached the plan and the AWS commands)
        ("az_ids", ("use1-az1\n", "use1-az2"), "'use1-az1\\\\n' is not an AZ ID such as use1-az1"),
        ("region", "us-east-1\n", "'us-east-1\\\\n' is not an AWS region name such as us-east-1"),
    ],
)
def test_a_malformed_az_id_or_region_says_what_the_field_takes(
    field: str, value: object, message: str
) -> None:
    # the pattern itself ("String should match pattern '^[a-z]{2,5}[0-9]+-az[0-9]+$'") said it to no user
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        Topology(**{field: value})
