"""The limits every stored sample obeys (``service.inputs.formats.sample_problem``), said exactly."""

from __future__ import annotations

import pytest

from service.inputs.formats import MAX_DEMAND_ACU, sample_problem
from traces.uploads import MAX_DEMAND_ACU as UPLOAD_MAX_DEMAND_ACU
from traces.uploads import sample_problem as upload_sample_problem


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (1_000_001.0, "1,000,001"),
        (1_000_000.000000001, "1,000,000.000000001"),
        (-1.0, "-1"),
        (1e300, "1e+300"),
    ],
)
def test_a_demand_past_the_limits_is_said_with_all_its_digits_as_the_upload_check_says_it(
    value: float, written: str
) -> None:
    said = f"demand {written} ACU must be finite, >= 0 and <= 1,000,000 ACU"

    assert sample_problem(0, value) == said
    assert upload_sample_problem(0, value, "acu") == said  # the file formats' check: the same words


def test_the_ceiling_is_the_upload_check_s_and_is_accepted() -> None:
    assert MAX_DEMAND_ACU == UPLOAD_MAX_DEMAND_ACU == 1e6
    assert sample_problem(0, MAX_DEMAND_ACU) is None
