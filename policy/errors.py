"""Errors of the policy package.

Owns :class:`PolicyError` and its input-error subclasses. Solver and forecast
*outcomes* (a fail-safe plan, a fallback model) are data on the
:class:`~policy.types.Recommendation`, not exceptions. Imports nothing of ours.
"""


class PolicyError(Exception):
    """Base class of every error raised by ``policy``."""


class InvalidRequestError(PolicyError, ValueError):
    """A recommendation or replay request is malformed; the message names the field."""


class UnknownPolicyError(PolicyError, ValueError):
    """A replay asked for a policy name that is not registered."""
