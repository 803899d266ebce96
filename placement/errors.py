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


class ObjectiveRangeError(InvalidProblemError, OverflowError):
    """The worst-case objective would not be exact in CP-SAT's double (>= 2**53 micro-USD).

    Raised for extreme combinations (e.g. a $10,000/ACU-h penalty over 30 days); real
    prices at 256 ACU x 30 days stay far below the bound.
    """

    code: ClassVar[str] = "objective_range"
