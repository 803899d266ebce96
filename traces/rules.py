"""The demand rules: how a load signal's unit becomes ACU (pure data, validated once).

Owns :class:`AcuRule`, :class:`PercentOfMaxAcuRule`, :class:`PerUnitRule`,
:class:`P99ToPeakAcuRule`, the :data:`DemandRule` union and :func:`parse_demand_rule`.
:mod:`traces.demand` applies them; trace metadata (:mod:`traces.metadata`) names one.
Imports nothing of ours, so every module of ``traces`` may import it.

======================  ==========  ============================================
rule                    input unit  ACU per sample
======================  ==========  ============================================
``acu``                 acu         value
``percent_of_max_acu``  percent     value / 100 * max_acu   (AWS measures
                                    CPUUtilization against the MAX ACU; sources:
                                    aurora-metrics)
``per_unit``            per_s       value * acu_s_per_unit  (events/s * ACU*s/event)
``p99_to_peak_acu``     any         value * peak_acu / p99(values)
======================  ==========  ============================================
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, TypeAdapter

P99_PERCENTILE: Final[float] = 99.0
"""Percentile used by ``p99_to_peak_acu`` (numpy ``linear`` interpolation)."""


class _RuleBase(BaseModel):
    """Frozen, extra-forbidding base of every demand rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class AcuRule(_RuleBase):
    """Values are ACU already (e.g. ``ServerlessDatabaseCapacity``); input unit ``acu``."""

    rule: Literal["acu"] = "acu"


class PercentOfMaxAcuRule(_RuleBase):
    """ACU = percent / 100 * ``max_acu``; input unit ``percent``.

    AWS measures Aurora Serverless v2 ``CPUUtilization`` and ``ACUUtilization``
    against the cluster's *maximum* ACU (reference [1] of the module docstring), so
    the mapping uses ``max_acu``, not the current capacity.

    Attributes:
        max_acu: The MaxCapacity the percentages refer to, ACU, > 0.
    """

    rule: Literal["percent_of_max_acu"] = "percent_of_max_acu"
    max_acu: PositiveFloat


class PerUnitRule(_RuleBase):
    """ACU = rate * ``acu_s_per_unit``; input unit ``per_s``.

    Attributes:
        acu_s_per_unit: ACU-seconds one event costs (ACU*s per event), > 0;
            events/s * ACU*s/event = ACU.
    """

    rule: Literal["per_unit"] = "per_unit"
    acu_s_per_unit: PositiveFloat


class P99ToPeakAcuRule(_RuleBase):
    """Scale the series so its p99 maps to ``peak_acu``; any input unit.

    This is what benchmarks do with public traces of unknown scale. The p99 is taken
    over the series' raw samples (:data:`P99_PERCENTILE`, numpy ``linear``
    interpolation); samples above it map above ``peak_acu``.

    Attributes:
        peak_acu: ACU the series' p99 maps to, > 0.
    """

    rule: Literal["p99_to_peak_acu"] = "p99_to_peak_acu"
    peak_acu: PositiveFloat


DemandRule = Annotated[
    AcuRule | PercentOfMaxAcuRule | PerUnitRule | P99ToPeakAcuRule,
    Field(discriminator="rule"),
]
"""A demand rule; JSON form e.g. ``{"rule": "percent_of_max_acu", "max_acu": 16}``."""

_RULE_ADAPTER: TypeAdapter[AcuRule | PercentOfMaxAcuRule | PerUnitRule | P99ToPeakAcuRule] = TypeAdapter(
    DemandRule
)

REQUIRED_UNIT: Final[dict[str, str]] = {
    "acu": "acu",
    "percent_of_max_acu": "percent",
    "per_unit": "per_s",
}


def parse_demand_rule(
    data: Any,
) -> AcuRule | PercentOfMaxAcuRule | PerUnitRule | P99ToPeakAcuRule:
    """Validate a demand rule given as a mapping (e.g. parsed JSON).

    Args:
        data: Mapping with a ``rule`` key and that rule's parameters.

    Returns:
        The frozen rule object.

    Raises:
        pydantic.ValidationError: If the rule is unknown, a parameter is missing,
            not positive, or an extra key is present.
    """
    return _RULE_ADAPTER.validate_python(data)
