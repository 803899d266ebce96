"""Prices of the ways to buy Aurora capacity, with their source, date and how sure they are.

Owns :class:`InstancePrice`, :class:`PriceBook`, :data:`DEFAULT_PRICE_BOOK`,
:class:`Pricing` (which prices an advice used, and what in them is not the region's own)
and :func:`advice_prices` / :func:`unpriced_region` / :func:`us_east_1_estimates` (the
region rules). Every figure is a default the caller overrides (``PriceBook.model_validate``
of their own numbers, e.g. from the AWS Price List API); nothing here is fetched. Figures marked
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

from placement.pricing import PRICES
from policy.errors import InvalidRequestError
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


US_EAST_1: Final[str] = "us-east-1"
"""The region every figure of :data:`DEFAULT_PRICE_BOOK` is for."""


def us_east_1_estimates(book: PriceBook) -> bool:
    """Whether ``book`` prices another region's instances and commitments at us-east-1's estimates.

    The one rule for which prices are estimates in a region: :data:`placement.pricing.PRICES`
    holds per region only the serverless ACU-hour rates, storage and I/O, so
    :func:`advice_prices` builds every region's book with :data:`DEFAULT_PRICE_BOOK`'s
    provisioned on-demand prices, Reserved Instance and Database Savings Plan discounts,
    which are us-east-1's (estimates: see the module docstring). Such a book, for a region
    other than us-east-1, says nothing of that region's provisioned or commitment prices;
    a purchase option that uses them (``PurchaseOption.estimate``) is then not comparable
    with the region's serverless on demand. A caller's own book with its own figures for
    those is the region's.

    Args:
        book: the price book an advice priced with.

    Returns:
        True for a region other than us-east-1 whose instance prices or commitment
        discounts are :data:`DEFAULT_PRICE_BOOK`'s.
    """
    if book.region == US_EAST_1:
        return False
    d = DEFAULT_PRICE_BOOK
    return (
        book.instances == d.instances
        or book.ri_discount == d.ri_discount
        or book.savings_plan_serverless_discount == d.savings_plan_serverless_discount
        or book.savings_plan_instance_discount == d.savings_plan_instance_discount
    )


def known_price_regions() -> str:
    """The regions with built-in Aurora Serverless v2 prices, comma-separated (``eu-west-2, us-east-1``)."""
    return ", ".join(sorted(PRICES))


def unpriced_region(region: str) -> str | None:
    """Why ``region`` cannot be priced from the built-in table, or None when it can.

    The table is :data:`placement.pricing.PRICES` (Aurora Standard and I/O-Optimized
    ACU-hour, storage and I/O prices per region; sources: aurora-pricing,
    https://aws.amazon.com/rds/aurora/pricing/). A region outside it would otherwise be
    priced at us-east-1's rates, which is the wrong bill for it.

    Args:
        region: an AWS region name.

    Returns:
        One clause naming the region and the known ones, e.g. ``no built-in Aurora price
        for 'eu-central-1' (known: eu-west-2, us-east-1)``; None for a known region.
    """
    if region in PRICES:
        return None
    return f"no built-in Aurora price for {region!r} (known: {known_price_regions()})"


class Pricing(FrozenModel):
    """The prices an advice used: the region, the ACU-hour rates, where they come from.

    Attributes:
        region: the AWS region the bill is for (the cluster's ``topology.region``).
        serverless_standard_usd_per_acu_hour: the Aurora Standard rate every replay, monthly
            cost and saving of the advice bills at, USD per ACU-hour.
        serverless_io_optimized_usd_per_acu_hour: the I/O-Optimized rate of the purchase
            comparison, USD per ACU-hour.
        source: where the rates come from.
        notes: what in the prices is not the region's own figure, one sentence each
            (empty: every price is the region's, or the caller's own book).
    """

    region: str
    serverless_standard_usd_per_acu_hour: float
    serverless_io_optimized_usd_per_acu_hour: float
    source: str
    notes: tuple[str, ...] = ()

    def sentence(self) -> str:
        """One line: ``prices: us-east-1, Aurora Serverless v2 $0.12 per ACU-hour (Standard), ...``."""
        line = (
            f"prices: {self.region}, Aurora Serverless v2 ${self.serverless_standard_usd_per_acu_hour:g} per "
            f"ACU-hour (Standard; ${self.serverless_io_optimized_usd_per_acu_hour:g} I/O-Optimized) from "
            f"{self.source}"
        )
        return "; ".join([line, *self.notes])


def advice_prices(
    region: str,
    usd_per_acu_hour: float,
    *,
    price_given: bool,
    book: PriceBook | None = None,
) -> tuple[PriceBook, Pricing]:
    """The price book of an advice for a cluster in ``region`` at ``usd_per_acu_hour``, and what it used.

    Without ``book``: the region's figures from :data:`placement.pricing.PRICES`
    (sources: aurora-pricing, https://aws.amazon.com/rds/aurora/pricing/) for the
    serverless rates, storage and I/O, with the Standard rate the cluster's own (the one
    the replays bill at); the provisioned, Reserved Instance, Savings Plan and backup
    prices stay :data:`DEFAULT_PRICE_BOOK`'s us-east-1 estimates, and a note says so
    outside us-east-1. A region outside the table keeps us-east-1's figures, and notes say
    which (the library's documented fallback; the CLI and the HTTP API refuse such a
    region without a price, :func:`unpriced_region`).

    With ``book`` (the caller's own): used as it is, once it is for the same region and
    the same Standard rate, so one advice never bills two rates.

    Args:
        region: the cluster's ``topology.region``.
        usd_per_acu_hour: the cluster's ``price_usd_per_acu_hour``.
        price_given: the caller set that price (else it was filled from the region).
        book: the caller's price book (``AdviceConfig.prices`` when given), or None.

    Returns:
        (the book to price with, the :class:`Pricing` the advice reports).

    Raises:
        InvalidRequestError: ``book`` for another region (field ``config.prices.region``)
            or at another Standard rate than the cluster's
            (``config.prices.serverless_standard_usd_per_acu_hour``).
    """
    if book is not None:
        if book.region != region:
            raise InvalidRequestError(
                f"config.prices.region={book.region!r} is not the cluster's region {region}: give the "
                f"price book for {region}",
                "config.prices.region",
            )
        rate = book.serverless_standard_usd_per_acu_hour
        if rate != usd_per_acu_hour:
            raise InvalidRequestError(
                f"config.prices.serverless_standard_usd_per_acu_hour={rate:g} "
                f"is not the cluster's price_usd_per_acu_hour={usd_per_acu_hour:g}: the replays and the "
                "purchase comparison would bill two rates; give the same rate to both",
                "config.prices.serverless_standard_usd_per_acu_hour",
            )
        pricing = Pricing(
            region=region,
            serverless_standard_usd_per_acu_hour=usd_per_acu_hour,
            serverless_io_optimized_usd_per_acu_hour=book.serverless_io_optimized_usd_per_acu_hour,
            source=f"the caller's price book (as of {book.as_of})",
        )
        return book, pricing
    known = PRICES.get(region)
    table = known if known is not None else PRICES[US_EAST_1]
    if known is not None and usd_per_acu_hour == known.standard_usd_per_acu_hour:
        source = known.source
    elif price_given or known is not None:
        source = "the cluster's own price_usd_per_acu_hour"
    else:
        source = (
            f"us-east-1's rate, assumed for {region} (no price known: give the cluster's "
            "price_usd_per_acu_hour)"
        )
    if known is None:
        notes = [
            f"{unpriced_region(region)}: its I/O-Optimized rate, storage, I/O, provisioned, Reserved "
            f"Instance, Savings Plan and backup prices are us-east-1's; to price them for {region}, post a "
            "price book in the HTTP request's options.prices (AdviceConfig.prices in the library)"
        ]
    else:
        notes = []
    priced = PriceBook(
        region=region,
        serverless_standard_usd_per_acu_hour=usd_per_acu_hour,
        serverless_io_optimized_usd_per_acu_hour=table.io_optimized_usd_per_acu_hour,
        standard_storage_usd_per_gib_month=table.standard_storage_usd_per_gib_month,
        io_optimized_storage_usd_per_gib_month=table.io_optimized_storage_usd_per_gib_month,
        io_usd_per_million=table.io_usd_per_million,
    )
    if known is not None and us_east_1_estimates(priced):  # the rule the purchase headline applies
        notes = [
            "the provisioned, Reserved Instance, Savings Plan and backup prices are us-east-1's estimates "
            f"(none built in for {region})"
        ]
    pricing = Pricing(
        region=region,
        serverless_standard_usd_per_acu_hour=usd_per_acu_hour,
        serverless_io_optimized_usd_per_acu_hour=table.io_optimized_usd_per_acu_hour,
        source=source,
        notes=tuple(notes),
    )
    return priced, pricing
