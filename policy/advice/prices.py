"""Prices of the ways to buy Aurora capacity, with their source, date and how sure they are.

Owns :class:`InstancePrice`, :class:`PriceBook` and :data:`DEFAULT_PRICE_BOOK`. Every
figure is a default the caller overrides (``PriceBook.model_validate`` of their own
numbers, e.g. from the AWS Price List API); nothing here is fetched. Figures marked
``estimate`` were not read off an AWS page for this release: check them at
https://aws.amazon.com/rds/aurora/pricing/ before acting on a small difference.

=====================================  ==========================================
figure                                 source
=====================================  ==========================================
Serverless v2 $0.12 / $0.16 per ACU-h  AWS Price List usage types
(Standard / I/O-Optimized, us-east-1)  ``Aurora:ServerlessV2Usage`` /
                                       ``Aurora:ServerlessV2IOOptimizedUsage``
                                       (:mod:`placement.pricing`)
storage $0.10 / $0.225 per GiB-month,  Aurora pricing page (Standard / I/O-Optimized)
I/O $0.20 per million (Standard only)
backup $0.021 per GiB-month            Aurora pricing page (estimate)
provisioned r6g/r7g/r8g/r6i/r7i        Aurora pricing page, us-east-1 on-demand,
on-demand $/h                          Aurora PostgreSQL (estimate: collected from
                                       price mirrors, 2025-2026)
memory per class (GiB)                 Aurora User Guide, "DB instance classes"
Reserved Instances: 1 year no upfront  Aurora pricing page, Reserved Instances
~30 %, 3 years all upfront ~55 % off   (estimate)
Database Savings Plans: 1 year, no     AWS announcement of 2025-12-02 ("Database
upfront; up to 35 % on Aurora          Savings Plans"); the covered families and
Serverless v2, up to 20 % on Gen 7+    rates from AWS's agent toolkit
instances (r7g, r7i, r8g); not r6g,    (aws/agent-toolkit-for-aws, commitment
r6i; the commitment is charged every   pricing references); rates are "up to":
hour, paused or not                    estimate
=====================================  ==========================================
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import Field

from policy.types import FrozenModel

ACU_GIB: Final[float] = 2.0
"""1 ACU is about 2 GiB of memory with matching CPU (Aurora User Guide, "How Aurora
Serverless v2 works"): a provisioned class's memory / 2 is its ACU equivalent."""

HOURS_PER_MONTH: Final[float] = 730.0
"""AWS prices a month as 730 hours."""

PRICES_AS_OF: Final[str] = "2026-12"
"""When the defaults below were last checked."""

Family = Literal["r6g", "r7g", "r8g", "r6i", "r7i"]


class InstancePrice(FrozenModel):
    """One provisioned DB instance class.

    Attributes:
        instance_class: e.g. ``db.r6g.large``.
        family: the instance family.
        memory_gib: its memory, GiB.
        on_demand_usd_per_hour: on-demand price, USD per hour.
        estimate: True when the price is not read off an AWS page for this release.
    """

    instance_class: str
    family: Family
    memory_gib: float = Field(gt=0)
    on_demand_usd_per_hour: float = Field(gt=0)
    estimate: bool = True

    @property
    def acu_equivalent(self) -> float:
        """Memory in ACU at 2 GiB per ACU."""
        return self.memory_gib / ACU_GIB


_SIZES: Final[tuple[tuple[str, float, float], ...]] = (
    # size, memory GiB, price multiple of .large (sizes double; 12xlarge is 24x)
    ("large", 16, 1),
    ("xlarge", 32, 2),
    ("2xlarge", 64, 4),
    ("4xlarge", 128, 8),
    ("8xlarge", 256, 16),
    ("12xlarge", 384, 24),
    ("16xlarge", 512, 32),
)

_LARGE_USD_PER_HOUR: Final[dict[Family, float]] = {
    "r6g": 0.260,
    "r7g": 0.276,
    "r8g": 0.276,
    "r6i": 0.290,
    "r7i": 0.305,
}
"""db.<family>.large on-demand, us-east-1, Aurora PostgreSQL (estimate); larger sizes scale
linearly with memory, as the pricing page lists them."""


def _instances() -> tuple[InstancePrice, ...]:
    return tuple(
        InstancePrice(
            instance_class=f"db.{family}.{size}",
            family=family,
            memory_gib=memory,
            on_demand_usd_per_hour=round(large * multiple, 4),
        )
        for family, large in _LARGE_USD_PER_HOUR.items()
        for size, memory, multiple in _SIZES
    )


class PriceBook(FrozenModel):
    """Every price the purchase comparison uses (one region, USD).

    Attributes:
        region: the AWS region the prices are for.
        as_of: when they were checked.
        serverless_standard_usd_per_acu_hour: Aurora Serverless v2, Standard.
        serverless_io_optimized_usd_per_acu_hour: Aurora Serverless v2, I/O-Optimized.
        standard_storage_usd_per_gib_month: storage under Standard.
        io_optimized_storage_usd_per_gib_month: storage under I/O-Optimized.
        io_usd_per_million: I/O requests under Standard.
        io_optimized_instance_premium: provisioned instances cost this much more under
            I/O-Optimized (the pricing page lists 30 % more; estimate).
        backup_usd_per_gib_month: backup storage beyond the free amount.
        instances: provisioned classes and their on-demand prices.
        ri_discount: Reserved Instance discount per term (``1yr_no_upfront``,
            ``3yr_all_upfront``) on provisioned on-demand.
        savings_plan_serverless_discount: Database Savings Plan discount on Serverless v2.
        savings_plan_instance_discount: ... on the provisioned families it covers.
        savings_plan_families: provisioned families a Database Savings Plan covers.
    """

    region: str = "us-east-1"
    as_of: str = PRICES_AS_OF
    serverless_standard_usd_per_acu_hour: float = Field(default=0.12, gt=0)
    serverless_io_optimized_usd_per_acu_hour: float = Field(default=0.16, gt=0)
    standard_storage_usd_per_gib_month: float = Field(default=0.10, ge=0)
    io_optimized_storage_usd_per_gib_month: float = Field(default=0.225, ge=0)
    io_usd_per_million: float = Field(default=0.20, ge=0)
    io_optimized_instance_premium: float = Field(default=0.30, ge=0)
    backup_usd_per_gib_month: float = Field(default=0.021, ge=0)
    instances: tuple[InstancePrice, ...] = Field(default_factory=_instances, min_length=1)
    ri_discount: dict[str, float] = Field(
        default_factory=lambda: {"1yr_no_upfront": 0.30, "3yr_all_upfront": 0.55}
    )
    savings_plan_serverless_discount: float = Field(default=0.35, ge=0, lt=1)
    savings_plan_instance_discount: float = Field(default=0.20, ge=0, lt=1)
    savings_plan_families: tuple[Family, ...] = ("r7g", "r7i", "r8g")


DEFAULT_PRICE_BOOK: Final[PriceBook] = PriceBook()
"""The built-in us-east-1 prices (see the module docstring for each figure's source)."""
