"""Errors of the placement package.

Owns the exception types raised by ``placement``. Solver outcomes (infeasible, timed
out) are *not* errors: they come back as :class:`placement.types.SolveStatus` in a
:class:`placement.types.PlacementPlan`. Imports nothing of ours.
"""

from typing import ClassVar


class PlacementError(Exception):
    """Base class of every error raised by ``placement``.

    Attributes:
        code: the stable wire code, set explicitly on every class.
    """

    code: ClassVar[str] = "placement"


class InvalidProblemError(PlacementError, ValueError):
    """A placement problem is malformed: wrong shape, negative demand, bad topology.

    The message names the field, the value and the rule it breaks.
    """

    code: ClassVar[str] = "invalid_problem"


class AzRegionMismatchError(InvalidProblemError):
    """AZ IDs that are not in the region they are given for (``euc1-az1`` in ``us-west-2``).

    Raised by :func:`placement.specs.check_az_region`; inside a model's validation (a
    :class:`placement.types.Topology` or :class:`placement.specs.SecondaryRegion`) it
    arrives wrapped in a ``pydantic.ValidationError``, whose entry's ``ctx["error"]`` is
    this error.

    Attributes:
        region: the region.
        az_ids: the AZ IDs that are not in it, in the order given.
        prefix: the prefix of the region's AZ IDs, e.g. ``usw2``.
        defaults: the AZ IDs are defaults the caller did not give (a region without
            ``az_ids``); the message says so and asks for the region's ``az_ids``.
    """

    code: ClassVar[str] = "az_region_mismatch"

    def __init__(self, region: str, az_ids: tuple[str, ...], prefix: str, *, defaults: bool = False) -> None:
        verb = "are" if len(az_ids) > 1 else "is"
        if defaults:  # the caller gave a region but no AZ IDs: name the defaults as defaults
            message = (
                f"az_ids was not given, and the default AZ IDs {list(az_ids)} {verb} not in {region}: "
                f"give az_ids (and writer_az_id) for {region}, whose AZ IDs start with {prefix}- "
                f"(e.g. {prefix}-az1)"
            )
        else:
            message = (
                f"az_ids {list(az_ids)} {verb} not in {region}: its AZ IDs start with {prefix}- "
                f"(e.g. {prefix}-az1)"
            )
        super().__init__(message)
        self.region = region
        self.az_ids = az_ids
        self.prefix = prefix
        self.defaults = defaults


class ObjectiveRangeError(InvalidProblemError, OverflowError):
    """The worst-case objective would not be exact in CP-SAT's double (>= 2**53 micro-USD).

    Raised for extreme combinations (e.g. a $10,000/ACU-h penalty over 30 days); real
    prices at 256 ACU x 30 days stay far below the bound.
    """

    code: ClassVar[str] = "objective_range"
