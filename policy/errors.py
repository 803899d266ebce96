"""Errors of the policy package.

Owns :class:`PolicyError` and its input-error subclasses. Solver and forecast
*outcomes* (a fail-safe plan, a fallback model) are data on the
:class:`~policy.types.Recommendation`, not exceptions. Imports nothing of ours.
"""

from __future__ import annotations


class PolicyError(Exception):
    """Base class of every error raised by ``policy``."""


class InvalidRequestError(PolicyError, ValueError):
    """A recommendation or replay request is malformed.

    Attributes:
        field: dotted path of the offending input (``history_acu``,
            ``config.min_azs``, ``previous.writer_acu``...), or None when it is not one
            field. The message names it too.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnknownPolicyError(PolicyError, ValueError):
    """A replay asked for a policy name that is not registered."""

    field = "policies"
