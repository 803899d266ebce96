"""``target_utilisation`` is bounded below: a target near 0 plans unbounded capacity (QA 73 #4)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from policy.config import MIN_TARGET_UTILISATION, PolicyConfig, PredictiveScalingConfig


@pytest.mark.parametrize("config", [PolicyConfig, PredictiveScalingConfig])
@pytest.mark.parametrize("target", [1e-9, 0.0, 0.099, 1.01])
def test_a_target_outside_10_to_100_percent_is_refused_at_the_field(config: type, target: float) -> None:
    with pytest.raises(ValidationError) as err:
        config(target_utilisation=target)

    assert [e["loc"] for e in err.value.errors()] == [("target_utilisation",)]


@pytest.mark.parametrize("target", [MIN_TARGET_UTILISATION, 0.4, 0.8, 1.0])
def test_a_target_from_10_to_100_percent_is_taken(target: float) -> None:
    assert PolicyConfig(target_utilisation=target).target_utilisation == target
    assert PredictiveScalingConfig(target_utilisation=target).target_utilisation == target
    assert MIN_TARGET_UTILISATION == 0.1
