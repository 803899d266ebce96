"""Errors of the policy package.

Owns :class:`PolicyError` and its input-error subclasses. Every public function of
``policy`` raises these (a forecasting or placement input error met on the way is
re-raised as one), each with an explicit wire ``code`` (renaming a class never changes an
API) and the ``field`` it is about. Solver and forecast *outcomes* (a fail-safe plan, a
fallback model) are data on the :class:`~policy.types.Recommendation`, not exceptions.
Imports nothing of ours.
"""

from __future__ import annotations

from typing import ClassVar


class PolicyError(Exception):
    """Base class of every error raised by ``policy``.

    Attributes:
        code: the stable wire code (HTTP ``error``), set on every class.
        field: dotted path of the offending input, or None.
    """

    code: ClassVar[str] = "policy"
    field: str | None = None


class InvalidRequestError(PolicyError, ValueError):
    """A recommendation or replay request is malformed.

    Attributes:
        field: dotted path of the offending input (``history_acu``,
            ``config.min_azs``, ``previous.writer_acu``...), or None when it is not one
            field. The message names it too.
    """

    code: ClassVar[str] = "invalid_request"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InsufficientHistoryError(InvalidRequestError):
    """The demand history is too short or too sparse to plan from (e.g. after a long gap)."""

    code: ClassVar[str] = "insufficient_history"


class UnknownPolicyError(PolicyError, ValueError):
    """A replay asked for a policy name that is not registered."""

    code: ClassVar[str] = "unknown_policy"
    field = "policies"
