"""What the same capacity costs bought each way: serverless, provisioned, commitments, mixed.

Owns :class:`CapacityProfile`, :class:`PurchaseOption`, :func:`purchase_options` and
:func:`headline_option` (which of them the advice headlines, and why not a cheaper one). Pure
arithmetic on a :class:`~policy.advice.prices.PriceBook`; every option's formula is in
its ``basis`` so a reader can redo it by hand. Monthly means 730 hours.

Options (``name``):

* ``serverless_standard`` / ``serverless_io_optimized``: mean cluster ACU x 730 x the
  ACU-hour price, plus storage and (Standard only) I/O requests.
* ``provisioned_on_demand`` (cheapest family) and one per family: every instance (the
  writer and each reader, so a failover target can carry the writer's load) of the
  smallest memory-optimised class whose memory at 2 GiB per ACU holds the peak, on-demand.
* ``provisioned_ri_1yr_no_upfront`` / ``provisioned_ri_3yr_all_upfront``: the same
  instances under Reserved Instances (effective hourly rate after the discount).
* ``savings_plan_serverless``: a 1-year Database Savings Plan on Serverless v2 (left out
  when the best commitment rounds to $0/h: the cluster is paused or idle most hours). The
  commitment ``c`` ($/h, post-discount) that minimises the bill over the history is the
  newsvendor quantile: with discount d, each hour costs ``c + max(s_h - c/(1-d), 0)``
  for on-demand spend ``s_h``, whose derivative in c vanishes when a share (1 - d) of
  hours exceeds ``c/(1-d)``, i.e. ``c = (1-d) x quantile_d(s)``. The commitment is paid
  every hour, paused or not.
* ``savings_plan_provisioned``: the provisioned instances on a family the plan covers
  (r7g, r7i, r8g), at its instance discount (steady usage: fully covered).
* ``mixed_provisioned_writer``: a provisioned writer (on-demand, cheapest family) with the
  readers left serverless; those readers can no longer follow the writer (Aurora User
  Guide: with a provisioned writer, serverless readers scale on their own), so their
  replayed own capacity is what they cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import numpy as np
import numpy.typing as npt
from pydantic import Field, field_validator

from policy.advice.prices import HOURS_PER_MONTH, InstancePrice, PriceBook, us_east_1_estimates
from policy.types import FrozenModel

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CapacityProfile:
    """What a cluster needs, as a replay of its advised settings over its history found.

    Attributes:
        hourly_acu: the cluster's serverless capacity (every instance), mean per hour,
            shape (n_hours,), ACU.
        reader_hourly_acu: the readers' own serverless capacity per hour (what they
            would hold scaling on their own), shape (n_hours,), ACU.
        peak_instance_acu: the capacity one provisioned instance must hold: the busiest
            instance's part of the history's peak demand, routed over the layout's instances
            as the simulator routes it (:func:`policy.trace_replay.simulator.instance_loads`:
            the writer takes everything when there is no reader), at the target utilisation, ACU.
        n_instances: instances in the layout (the writer plus readers), >= 1.
        mean_acu: mean cluster capacity over the whole window, ACU, billed as the
            simulator bills it (the hourly means drop a trailing part-hour; this does not,
            so serverless Standard prices exactly what the advice's table says).
        storage_gib: cluster storage, GiB (0 if unknown).
        io_million_per_month: storage I/O requests per month, millions (0 if unknown).
    """

    hourly_acu: FloatArray
    reader_hourly_acu: FloatArray
    peak_instance_acu: float
    n_instances: int
    mean_acu: float
    storage_gib: float = 0.0
    io_million_per_month: float = 0.0


_TERMS: tuple[tuple[str, str], ...] = (
    ("_on_demand", "on demand"),
    ("_ri_1yr_no_upfront", "1-year Reserved Instances, no upfront"),
    ("_ri_3yr_all_upfront", "3-year Reserved Instances, all upfront"),
    ("_savings_plan", "1-year Database Savings Plan"),
)
"""Provisioned options' name endings in words."""


class PurchaseOption(FrozenModel):
    """One way to buy the capacity, priced per month.

    Attributes:
        name: the option's id (see the module docstring).
        monthly_cost_usd: what it costs per 730-hour month, compute + storage + I/O, USD
            rounded to the cent (as printed).
        compute_usd_per_month: the compute part, USD rounded to the cent.
        instance_class: the provisioned class, or None for serverless.
        n_instances: provisioned instances, 0 for serverless.
        commitment_usd_per_hour: a Savings Plan's hourly commitment, or None.
        estimate: True when a price it uses is an estimate (see the PriceBook).
        basis: the formula with its numbers, one line.
    """

    name: str
    monthly_cost_usd: float
    compute_usd_per_month: float
    instance_class: str | None = None
    n_instances: int = Field(default=0, ge=0)
    commitment_usd_per_hour: float | None = None
    estimate: bool = False
    basis: str

    @property
    def label(self) -> str:
        """The option in words, e.g. ``2 x db.r6g.large, 3-year Reserved Instances, all upfront``.

        Derived from ``name`` (not stored, so documents and stored jobs keep their shape).
        """
        fixed = {
            "serverless_standard": "Serverless v2 on demand, Aurora Standard storage",
            "serverless_io_optimized": "Serverless v2 on demand, Aurora I/O-Optimized storage",
            "savings_plan_serverless": "Serverless v2 on a 1-year Database Savings Plan, no upfront",
            "mixed_provisioned_writer": f"a {self.instance_class} writer on demand, serverless readers",
        }
        if self.name in fixed:
            return fixed[self.name]
        how = next(
            (words for end, words in _TERMS if self.name.endswith(end)),
            self.name,
        )
        return f"{self.n_instances} x {self.instance_class}, {how}"

    @property
    def commitment_years(self) -> int:
        """The term it commits to, years: 0 on demand, 1 or 3.

        1 for 1-year Reserved Instances and Database Savings Plans (1-year terms only here),
        3 for 3-year Reserved Instances. Derived from ``name``, as :attr:`label` is.
        """
        if "_ri_3yr" in self.name:
            return 3
        if "_ri_1yr" in self.name or "savings_plan" in self.name:
            return 1
        return 0

    @field_validator("monthly_cost_usd", "compute_usd_per_month")
    @classmethod
    def _cents(cls, usd: float) -> float:
        return round(usd, 2)  # 190.52999999999997 in the JSON was 190.53 in the table


def _storage(p: CapacityProfile, book: PriceBook, *, io_optimized: bool) -> float:
    if io_optimized:
        return p.storage_gib * book.io_optimized_storage_usd_per_gib_month
    return (
        p.storage_gib * book.standard_storage_usd_per_gib_month
        + p.io_million_per_month * book.io_usd_per_million
    )


def smallest_class(instances: tuple[InstancePrice, ...], family: str, acu: float) -> InstancePrice | None:
    """The smallest class of ``family`` whose memory holds ``acu`` ACU (at 2 GiB per ACU), or None."""
    fits = [i for i in instances if i.family == family and i.acu_equivalent >= acu]
    return min(fits, key=lambda i: i.memory_gib) if fits else None


def savings_plan_commitment(hourly_spend_usd: FloatArray, discount: float) -> float:
    """The hourly commitment that minimises a Savings Plan bill over ``hourly_spend_usd``.

    Args:
        hourly_spend_usd: on-demand spend per hour, shape (n_hours,), USD.
        discount: the plan's discount, in [0, 1).

    Returns:
        ``(1 - discount) x`` the ``discount``-quantile of the spend (lower interpolation),
        USD per hour (see the module docstring).
    """
    if len(hourly_spend_usd) == 0 or discount <= 0:
        return 0.0
    return float((1.0 - discount) * np.quantile(hourly_spend_usd, discount, method="lower"))


def _serverless(p: CapacityProfile, book: PriceBook) -> list[PurchaseOption]:
    out = []
    for name, price, io_opt in (
        ("serverless_standard", book.serverless_standard_usd_per_acu_hour, False),
        ("serverless_io_optimized", book.serverless_io_optimized_usd_per_acu_hour, True),
    ):
        compute = p.mean_acu * HOURS_PER_MONTH * price
        out.append(
            PurchaseOption(
                name=name,
                monthly_cost_usd=compute + _storage(p, book, io_optimized=io_opt),
                compute_usd_per_month=compute,
                basis=f"{p.mean_acu:.2f} ACU mean x 730 h x ${price}/ACU-h + storage/I/O",
            )
        )
    d = book.savings_plan_serverless_discount
    spend = np.asarray(p.hourly_acu) * book.serverless_standard_usd_per_acu_hour
    c = savings_plan_commitment(spend, d)
    if round(c, 4) == 0.0:  # a cluster paused or idle most hours: the best plan commits nothing
        return out  # and is Serverless Standard on demand; offering it would sell a $0 commitment
    hourly = c + np.maximum(spend - c / (1.0 - d), 0.0)
    compute = float(np.mean(hourly)) * HOURS_PER_MONTH if len(hourly) else 0.0
    out.append(
        PurchaseOption(
            name="savings_plan_serverless",
            monthly_cost_usd=compute + _storage(p, book, io_optimized=False),
            compute_usd_per_month=compute,
            commitment_usd_per_hour=round(c, 4),
            estimate=True,
            basis=f"commit ${c:.3f}/h (1 year, no upfront) covering ${c / (1 - d):.3f}/h of on-demand at "
            f"{d:.0%} off; spend above it on demand; paid every hour, paused or not",
        )
    )
    return out


def _provisioned(p: CapacityProfile, book: PriceBook) -> list[PurchaseOption]:
    out = []
    families = sorted({i.family for i in book.instances})
    for family in families:
        cls = smallest_class(book.instances, family, p.peak_instance_acu)
        if cls is None:
            continue
        n = p.n_instances
        on_demand = n * cls.on_demand_usd_per_hour * HOURS_PER_MONTH
        storage = _storage(p, book, io_optimized=False)
        rows: list[tuple[str, float, float | None]] = [(f"provisioned_{family}_on_demand", on_demand, None)]
        rows += [
            (f"provisioned_{family}_ri_{term}", on_demand * (1 - d), None)
            for term, d in book.ri_discount.items()
        ]
        if family in book.savings_plan_families:
            d = book.savings_plan_instance_discount
            rows.append(
                (
                    f"provisioned_{family}_savings_plan",
                    on_demand * (1 - d),
                    on_demand * (1 - d) / HOURS_PER_MONTH,
                )
            )
        for name, compute, commit in rows:
            out.append(
                PurchaseOption(
                    name=name,
                    monthly_cost_usd=compute + storage,
                    compute_usd_per_month=compute,
                    instance_class=cls.instance_class,
                    n_instances=n,
                    commitment_usd_per_hour=round(commit, 4) if commit is not None else None,
                    estimate=cls.estimate or name != f"provisioned_{family}_on_demand",
                    basis=f"{n} x {cls.instance_class} ({cls.acu_equivalent:g} ACU of memory for the "
                    f"{p.peak_instance_acu:.1f} ACU one instance needs at the history's peak) x "
                    f"${cls.on_demand_usd_per_hour}/h x 730 h"
                    + ("" if name.endswith("on_demand") else f", {1 - compute / on_demand:.0%} off"),
                )
            )
    return out


def _mixed(p: CapacityProfile, book: PriceBook, provisioned: list[PurchaseOption]) -> list[PurchaseOption]:
    on_demand = [o for o in provisioned if o.name.endswith("_on_demand")]
    if not on_demand or p.n_instances < 2:
        return []
    best = min(on_demand, key=lambda o: o.monthly_cost_usd)
    writer = best.compute_usd_per_month / best.n_instances
    readers = (
        float(np.mean(p.reader_hourly_acu)) * HOURS_PER_MONTH * book.serverless_standard_usd_per_acu_hour
    )
    return [
        PurchaseOption(
            name="mixed_provisioned_writer",
            monthly_cost_usd=writer + readers + _storage(p, book, io_optimized=False),
            compute_usd_per_month=writer + readers,
            instance_class=best.instance_class,
            n_instances=1,
            estimate=True,
            basis=f"1 x {best.instance_class} writer on demand + serverless readers at their own "
            f"{float(np.mean(p.reader_hourly_acu)):.2f} ACU mean (they cannot follow a provisioned writer)",
        )
    ]


def purchase_options(profile: CapacityProfile, book: PriceBook) -> tuple[PurchaseOption, ...]:
    """Price every way to buy ``profile``'s capacity, cheapest first.

    Args:
        profile: the capacity the advised settings need (from a replay).
        book: the prices.

    Returns:
        The options sorted by monthly cost (ties by name). Provisioned options appear only
        for families with a class large enough for the peak.
    """
    provisioned = _provisioned(profile, book)
    options = _serverless(profile, book) + provisioned + _mixed(profile, book, provisioned)
    return tuple(sorted(options, key=lambda o: (round(o.monthly_cost_usd, 6), o.name)))


LONG_COMMITMENT_MIN_HISTORY_H: Final[float] = 30 * 24.0
"""Replayed hours below which no commitment longer than 1 year headlines the purchase options.

ASSUMPTION (no AWS or study figure): a month of history shows at least one whole month's
cycle (month-end jobs, four of each weekday); fewer days say too little of the next 3 years
to lock a 3-year Reserved Instance to them. The options themselves stay in the advice."""

COMMITMENT_MIN_SAVING: Final[float] = 0.05
"""A commitment headlines only when it costs at least this share less than the cheapest way
to buy the capacity with none.

ASSUMPTION: a saving under 5 % is within the error of the estimated discounts (the
Reserved Instance and Savings Plan rates are "up to" estimates: :mod:`policy.advice.prices`)
and of a replay of a short history, while a commitment is paid every hour for its whole
term, paused or not, whatever the load becomes (QA 68: a 3-year Reserved Instance saving
$7/month, 4 %, against a plan that pauses every night)."""


@dataclass(frozen=True)
class Headline:
    """The purchase option the advice headlines, and why cheaper ones are not it.

    Attributes:
        option: the option to headline (one of the advice's ``purchase_options``).
        clauses: what was passed over and why, one clause each (no parentheses), in the
            order: priced at us-east-1's estimates, a term too long, a saving too small.
    """

    option: PurchaseOption
    clauses: tuple[str, ...] = ()


def _usd(o: PurchaseOption) -> str:
    return f"${o.monthly_cost_usd:,.2f}/month"


def headline_option(
    options: tuple[PurchaseOption, ...],
    book: PriceBook,
    *,
    history_h: float,
    growth_at: datetime | None = None,
    capped: bool = False,
) -> Headline:
    """The cheapest option worth buying, of ``options`` (cheapest first), and what it passed over.

    Four rules, in order, each over what the last left:

    1. Outside us-east-1 on us-east-1's estimates (:func:`~policy.advice.prices.us_east_1_estimates`),
       an option that uses one (``estimate``: provisioned, Reserved Instances, Savings Plans,
       a provisioned writer) is set aside: it is not comparable with the region's own
       serverless prices.
    2. On a history under :data:`LONG_COMMITMENT_MIN_HISTORY_H`, or beside a forecast of
       growth past MaxCapacity (``growth_at``), no commitment longer than 1 year: the options
       are sized to the history's peak.
    3. Where MaxCapacity held the history's demand down (``capped``: a ``max_capacity``
       alert from the history), the peak the instances must hold is unknown: no option sized
       to instances (provisioned on demand or reserved, a provisioned writer) headlines, and
       no commitment longer than 1 year.
    4. A commitment headlines only if it saves at least :data:`COMMITMENT_MIN_SAVING` against
       the cheapest option without one; else that option does.

    A clause is given only for an option passed over that costs less than the headline.

    Args:
        options: from :func:`purchase_options`, cheapest first.
        book: the price book they were priced with.
        history_h: the replayed window, hours.
        growth_at: when a ``max_capacity`` alert forecasts the writer's need past MaxCapacity
            (UTC), or None.
        capped: the history's demand was held at or needed more than MaxCapacity (a
            ``max_capacity`` alert from the history).

    Returns:
        The :class:`Headline`.
    """
    clauses: list[str] = []
    long_ok = history_h >= LONG_COMMITMENT_MIN_HISTORY_H and growth_at is None and not capped
    allowed = [o for o in options if long_ok or o.commitment_years <= 1]
    borrowed = us_east_1_estimates(book)
    regional = [o for o in allowed if not (borrowed and o.estimate)] or allowed
    set_aside = next((o for o in allowed if o not in regional), None)
    kept = [o for o in options if not (borrowed and o.estimate)] or list(options)
    unsized = [o for o in regional if o.instance_class is None]
    sized = next((o for o in regional if o.instance_class is not None), None)
    if capped and unsized:
        regional, kept = unsized, [o for o in kept if o.instance_class is None]
    free = [o for o in regional if o.commitment_years == 0]
    bound = [o for o in regional if o.commitment_years > 0]
    pick = regional[0]
    if pick.commitment_years > 0 and free:
        saving = free[0].monthly_cost_usd - pick.monthly_cost_usd
        if saving < COMMITMENT_MIN_SAVING * free[0].monthly_cost_usd:
            pick = free[0]
    if set_aside is not None and set_aside.monthly_cost_usd < pick.monthly_cost_usd:
        clauses.append(
            "provisioned, Reserved Instance and Savings Plan options set aside as priced at us-east-1's "
            f"estimates, none built in for {book.region}: the cheapest, {set_aside.label}, reads "
            f"{_usd(set_aside)}; price it in {book.region} before comparing"
        )
    if capped and unsized and sized is not None and sized.monthly_cost_usd < pick.monthly_cost_usd:
        clauses.append(
            "options sized to instances set aside: MaxCapacity held the history's demand down, as the "
            f"max_capacity alert says, so the size it needs is unknown; the cheapest, {sized.label}, reads "
            f"{_usd(sized)}"
        )
    longer = next((o for o in kept if o.commitment_years > 1), None)
    if not long_ok and longer is not None and longer.monthly_cost_usd < pick.monthly_cost_usd:
        why = [f"{history_h / 24:.1f} replayed days"] if history_h < LONG_COMMITMENT_MIN_HISTORY_H else []
        if growth_at is not None:
            why.append(f"a forecast of growth past MaxCapacity by {growth_at:%Y-%m-%d}")
        if capped:
            why.append("demand held down by MaxCapacity")
        clauses.append(
            f"a longer commitment was left out, {longer.label}, {_usd(longer)}: "
            f"{longer.commitment_years} years is too long to commit to on {' with '.join(why)}"
        )
    cheaper = bound[0] if bound else None
    if (
        pick.commitment_years == 0
        and cheaper is not None
        and cheaper.monthly_cost_usd < pick.monthly_cost_usd
    ):
        saving = pick.monthly_cost_usd - cheaper.monthly_cost_usd
        clauses.append(
            f"the cheapest commitment, {cheaper.label}, saves ${saving:,.2f}/month "
            f"({saving / pick.monthly_cost_usd:.0%}), under {COMMITMENT_MIN_SAVING:.0%}: not worth its term"
        )
    return Headline(option=pick, clauses=tuple(clauses))


def cheapest_way_sentence(
    options: tuple[PurchaseOption, ...],
    book: PriceBook,
    *,
    history_h: float,
    auto_pause_usd_per_month: float | None = None,
    growth_at: datetime | None = None,
    capped: bool = False,
) -> str:
    """One line: the cheapest way to buy (or run) what to apply, with its caveats.

    Auto-pause on demand where it costs less than every option (a commitment is paid paused
    or not), else :func:`headline_option`'s pick with its passed-over clauses, a short-history
    caveat under :data:`LONG_COMMITMENT_MIN_HISTORY_H`, and, for a sized option beside a
    forecast of growth past MaxCapacity, that it is sized to the history.

    Args:
        options: from :func:`purchase_options`, cheapest first (at least one).
        book: the price book they were priced with.
        history_h: the replayed window, hours.
        auto_pause_usd_per_month: what to apply with MinCapacity 0 where it idles, USD/month,
            or None where auto-pause is not offered.
        growth_at: when a ``max_capacity`` alert forecasts the writer's need past MaxCapacity
            (UTC), or None.
        capped: the history's demand was held at or needed more than MaxCapacity
            (:func:`headline_option`).

    Returns:
        E.g. ``cheapest way to buy it: $170.82/month, 2 x db.r6g.large, ... (priced from 5.0
        replayed days: check a month or more first)``.
    """
    cheapest = options[0]
    if auto_pause_usd_per_month is not None and auto_pause_usd_per_month < cheapest.monthly_cost_usd:
        return (
            "cheapest way to run it: auto-pause (MinCapacity 0) on demand at "
            f"${auto_pause_usd_per_month:,.2f}/month (the cheapest commitment, {cheapest.label}, costs "
            f"${cheapest.monthly_cost_usd:,.2f}/month, paid paused or not)"
        )
    days = history_h / 24
    caveat = (
        ""
        if history_h >= LONG_COMMITMENT_MIN_HISTORY_H
        else f" (priced from {days:.1f} replayed days: check a month or more first)"
    )
    headline = headline_option(options, book, history_h=history_h, growth_at=growth_at, capped=capped)
    pick = headline.option
    sized = pick.instance_class is not None or pick.commitment_usd_per_hour is not None
    if growth_at is not None and sized:  # the reasons' commitment caveat, on the line it is about
        caveat += (
            " (sized to the history: the max_capacity alert forecasts the need past MaxCapacity by "
            f"{growth_at:%Y-%m-%d})"
        )

    caveat += "".join(f" ({clause})" for clause in headline.clauses)
    return f"cheapest way to buy it: ${pick.monthly_cost_usd:,.2f}/month, {pick.label}{caveat}"


def break_even_sentence(
    profile: CapacityProfile, options: tuple[PurchaseOption, ...], book: PriceBook
) -> str:
    """One sentence: when the cheapest provisioned layout beats serverless Standard, and why.

    Args:
        profile: the capacity profile.
        options: from :func:`purchase_options`.
        book: the prices.

    Returns:
        E.g. "2 x db.r6g.4xlarge on demand cost $3,037/month at any load; serverless
        Standard costs as much when the cluster's capacity (all instances) averages 34.7 ACU,
        and this one's averages 80.0 ACU, so provisioned is cheaper by $3,971/month." The
        averages are the billed capacity of every instance (writer and readers), not demand.
    """
    on_demand = [o for o in options if o.name.startswith("provisioned_") and o.name.endswith("_on_demand")]
    serverless = next(o for o in options if o.name == "serverless_standard")
    if not on_demand:
        return (
            f"no memory-optimised class holds the {profile.peak_instance_acu:.1f} ACU one instance needs at "
            "the history's peak, "
            "so provisioned is not an option"
        )
    best = min(on_demand, key=lambda o: o.monthly_cost_usd)
    even = best.compute_usd_per_month / (HOURS_PER_MONTH * book.serverless_standard_usd_per_acu_hour)
    mean = profile.mean_acu
    gap = abs(serverless.monthly_cost_usd - best.monthly_cost_usd)
    winner = "provisioned" if best.monthly_cost_usd < serverless.monthly_cost_usd else "serverless"
    # the rule the purchase headline applies: another region's instance price is us-east-1's
    at = (
        f" at us-east-1's instance price, an estimate: none built in for {book.region}, so price it there "
        "before comparing"
        if us_east_1_estimates(book) and best.estimate
        else ""
    )
    return (
        f"{best.n_instances} x {best.instance_class} on demand cost ${best.compute_usd_per_month:,.0f}/month "
        f"at any load; serverless Standard costs as much when the cluster's capacity (all instances) "
        f"averages {even:.1f} ACU, and this one's averages {mean:.1f} ACU, so {winner} is cheaper by "
        f"${gap:,.0f}/month{at}"
    )
