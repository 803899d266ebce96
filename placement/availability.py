"""The availability figure: downtime per year of the writer endpoint for a layout.

Owns :func:`downtime_s_per_year`, :func:`availability` and :func:`unavailability_terms`
(the same formula as integer coefficients for the model). Pure; imports nothing of ours
outside ``placement``.

With ``w = instance_failures_per_year + az_outages_per_year`` and
``g = region_outages_per_year``::

    downtime = w * (recreate_s - e * (recreate_s - unready_s) - r * (unready_s - ready_s))
             + g * (outage_s - d * (outage_s - region_failover_s))

where ``r`` = a ready tier 0-1 reader in another AZ, ``e`` = any reader in another AZ at
every step (``e >= r``), ``d`` = a DR secondary region. With the default
:class:`~placement.specs.FailureModel`:

==================================  =============  ==============
layout                              downtime/year  availability
==================================  =============  ==============
writer only                         1440 s         99.9954%
+ tier 2-15 reader in another AZ    1080 s         99.9966%
+ tier 0-1 reader in another AZ     864 s          99.9973%
+ DR secondary region               159 s          99.99950%
==================================  =============  ==============
"""

from __future__ import annotations

from placement.specs import FailureModel
from placement.units import SECONDS_PER_YEAR, probability_to_ppb


def downtime_s_per_year(model: FailureModel, *, ready: bool, spare: bool, dr: bool) -> float:
    """Return the expected writer-endpoint downtime per year, seconds.

    Args:
        model: the failure model.
        ready: a tier 0-1 reader in another AZ (fails over in ``failover_ready_s``).
        spare: some reader in another AZ at every step (implied by ``ready``).
        dr: a DR secondary region.

    Returns:
        Seconds of downtime per year.
    """
    w = model.instance_failures_per_year + model.az_outages_per_year
    if ready:
        writer_s = model.failover_ready_s
    elif spare:
        writer_s = model.failover_unready_s
    else:
        writer_s = model.recreate_s
    region_s = model.region_failover_s if dr else model.region_outage_s
    return w * writer_s + model.region_outages_per_year * region_s


def availability(model: FailureModel, *, ready: bool, spare: bool, dr: bool) -> float:
    """Return 1 - downtime / year for a layout (see :func:`downtime_s_per_year`)."""
    return 1.0 - downtime_s_per_year(model, ready=ready, spare=spare, dr=dr) / SECONDS_PER_YEAR


def unavailability_terms(model: FailureModel) -> tuple[int, int, int, int]:
    """Return the integer unavailability (ppb) as ``base - e*c_e - r*c_r - d*c_d``.

    Args:
        model: the failure model.

    Returns:
        ``(base, c_e, c_r, c_d)`` in parts per billion of a year.
    """
    w = model.instance_failures_per_year + model.az_outages_per_year
    g = model.region_outages_per_year

    def ppb(seconds: float) -> int:
        return probability_to_ppb(seconds / SECONDS_PER_YEAR)

    base = ppb(w * model.recreate_s + g * model.region_outage_s)
    c_e = ppb(w * (model.recreate_s - model.failover_unready_s))
    c_r = ppb(w * (model.failover_unready_s - model.failover_ready_s))
    c_d = ppb(g * (model.region_outage_s - model.region_failover_s))
    return base, c_e, c_r, c_d
