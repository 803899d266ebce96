"""Built-in Aurora Serverless v2 prices per region, with their sources and dates.

Owns :data:`PRICES` and :func:`region_price`. Every figure is a default that a caller
overrides through :class:`placement.specs.CostModel` (``region_prices``); the optimiser
never fetches prices. Imports nothing of ours outside ``placement``.

Sources (docs/sources.md, key aurora-pricing; collected 2025):

=============  ===========  ===============  ===========================================
region         Standard     I/O-Optimized    source
=============  ===========  ===============  ===========================================
us-east-1      $0.12/ACU-h  $0.16/ACU-h      AWS Price List usage types
                                             ``Aurora:ServerlessV2Usage`` /
                                             ``Aurora:ServerlessV2IOOptimizedUsage``
                                             (I/O-Optimized $0.156-0.16 is uncertain)
eu-west-2      $0.14/ACU-h  $0.19/ACU-h      Price List figures quoted in a third-party
                                             repo (UNVERIFIED)
any other      us-east-1 rates, flagged      no reliable figure: fetch with the AWS
                                             Pricing API (AmazonRDS, ServerlessV2) and
                                             override
=============  ===========  ===============  ===========================================

Storage and I/O (us-east-1, ``aws/agent-toolkit-for-aws`` io-optimized-pricing.md):
Standard $0.10/GiB-month + $0.20 per million I/O requests; I/O-Optimized
$0.225/GiB-month and no I/O charge. Global database replicated write I/O: $0.20 per
million per secondary, billed under both configurations. Cross-region transfer: $0.02/GB
(the common AWS inter-region rate; UNVERIFIED in sources: aurora-pricing).
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES_AS_OF = "2025 (sources: aurora-pricing)"


@dataclass(frozen=True)
class RegionPrice:
    """Prices of one region.

    Attributes:
        standard_usd_per_acu_hour: compute, Aurora Standard.
        io_optimized_usd_per_acu_hour: compute, Aurora I/O-Optimized.
        standard_storage_usd_per_gib_month: storage, Standard.
        io_optimized_storage_usd_per_gib_month: storage, I/O-Optimized.
        io_usd_per_million: I/O requests under Standard (none under I/O-Optimized).
        source: where the figures come from.
    """

    standard_usd_per_acu_hour: float
    io_optimized_usd_per_acu_hour: float
    standard_storage_usd_per_gib_month: float = 0.10
    io_optimized_storage_usd_per_gib_month: float = 0.225
    io_usd_per_million: float = 0.20
    source: str = "AWS Price List us-east-1 (sources: aurora-pricing)"


PRICES: dict[str, RegionPrice] = {
    "us-east-1": RegionPrice(0.12, 0.16),
    "eu-west-2": RegionPrice(
        0.14, 0.19, source="Price List via third-party repo, UNVERIFIED (sources: aurora-pricing)"
    ),
}
"""Known regional prices; keys are AWS region names."""

REPLICATED_WRITE_USD_PER_MILLION = 0.20
"""Global database replicated write I/O, per million per secondary (sources: aurora-pricing)."""

TRANSFER_USD_PER_GB = 0.02
"""Inter-region data transfer, USD/GB (common AWS rate; UNVERIFIED, sources: aurora-pricing)."""

HOURS_PER_MONTH = 730.0
"""AWS bills GiB-months over 730 hours."""


def region_price(region: str) -> RegionPrice:
    """Return the built-in prices of ``region``, falling back to us-east-1 (flagged).

    Args:
        region: an AWS region name such as ``eu-west-2``.

    Returns:
        The region's prices; for an unknown region, us-east-1's rates with a ``source``
        that says so.
    """
    if region in PRICES:
        return PRICES[region]
    base = PRICES["us-east-1"]
    return RegionPrice(
        base.standard_usd_per_acu_hour,
        base.io_optimized_usd_per_acu_hour,
        source=f"no price known for {region}: us-east-1 rates assumed (override them)",
    )
