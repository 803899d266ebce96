"""AWS's rule for a DB cluster identifier, checked wherever one goes into an AWS action.

Owns :func:`check_db_cluster_identifier` and :class:`InvalidDbClusterIdentifierError`; the
rule itself (the RDS API's for ``DBClusterIdentifier``: 1 to 63 letters, digits or hyphens,
the first a letter, no two consecutive hyphens, not ending with a hyphen) is
:mod:`policy.aws_names`', re-exported here. An acuplan cluster id (letters, digits and ``._:-``, up to 128
characters) may break it (``orders.db``); that is only an error where an AWS action is
rendered for it (``POST /v1/actions``, ``GET .../actions``), which then asks for the
cluster's identifier in AWS. Imports ``policy`` public names.
"""

from __future__ import annotations

from typing import ClassVar

from policy import InvalidRequestError
from policy.aws_names import DB_CLUSTER_IDENTIFIER_RULE, db_cluster_identifier_problem

__all__ = [
    "DB_CLUSTER_IDENTIFIER_RULE",
    "InvalidDbClusterIdentifierError",
    "check_db_cluster_identifier",
    "db_cluster_identifier_problem",
]


class InvalidDbClusterIdentifierError(InvalidRequestError):
    """A value that is to name an Aurora DB cluster in an AWS action breaks AWS's rule.

    Attributes:
        field: the request field or option that gave it, e.g. ``db_cluster_identifier``.
    """

    code: ClassVar[str] = "invalid_request"


def check_db_cluster_identifier(value: str, *, field: str, hint: str = "") -> str:
    """Return ``value`` when it is a valid ``DBClusterIdentifier``.

    Args:
        value: the identifier an AWS action would address.
        field: the request field or CLI option that gave it (named in the error).
        hint: what to do instead, appended after ``; `` (e.g. ``give db_cluster_identifier``).

    Returns:
        ``value``, unchanged.

    Raises:
        InvalidDbClusterIdentifierError: at ``field``, with :func:`db_cluster_identifier_problem`'s
            reason and the hint.
    """
    problem = db_cluster_identifier_problem(value)
    if problem is None:
        return value
    raise InvalidDbClusterIdentifierError(f"{problem}{'; ' + hint if hint else ''}", field=field)
