"""AWS's rule for a DB cluster identifier, checked wherever one goes into an AWS action.

Owns :data:`DB_CLUSTER_IDENTIFIER_RULE`, :func:`db_cluster_identifier_problem`,
:func:`check_db_cluster_identifier` and :class:`InvalidDbClusterIdentifierError`. The rule
is the RDS API's for ``DBClusterIdentifier`` (Amazon RDS API Reference, CreateDBCluster):
1 to 63 letters, digits or hyphens, the first a letter, no two consecutive hyphens, not
ending with a hyphen. An acuplan cluster id (letters, digits and ``._:-``, up to 128
characters) may break it (``orders.db``); that is only an error where an AWS action is
rendered for it (``POST /v1/actions``, ``GET .../actions``), which then asks for the
cluster's identifier in AWS. Imports ``policy`` public names.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final

from policy import InvalidRequestError

DB_CLUSTER_IDENTIFIER_RULE: Final[str] = (
    "1-63 letters, digits and hyphens, starting with a letter, with no two consecutive hyphens "
    "and not ending with a hyphen"
)
"""AWS's rule for a ``DBClusterIdentifier``, in words (the error messages quote it)."""

_SHAPE: Final[re.Pattern[str]] = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,62}")
_SHOWN: Final[int] = 80


class InvalidDbClusterIdentifierError(InvalidRequestError):
    """A value that is to name an Aurora DB cluster in an AWS action breaks AWS's rule.

    Attributes:
        field: the request field or option that gave it, e.g. ``db_cluster_identifier``.
    """

    code: ClassVar[str] = "invalid_request"


def db_cluster_identifier_problem(value: str) -> str | None:
    """Return why ``value`` is not a valid ``DBClusterIdentifier``, or None when it is.

    Args:
        value: the candidate identifier.

    Returns:
        E.g. ``'orders.db' is not a valid Aurora DBClusterIdentifier (1-63 letters, ...)``;
        the value is shown with :func:`repr` (control characters escaped) and cut after
        80 characters.
    """
    if _SHAPE.fullmatch(value) and "--" not in value and not value.endswith("-"):
        return None
    shown = repr(value[:_SHOWN]) + ("..." if len(value) > _SHOWN else "")
    return f"{shown} is not a valid Aurora DBClusterIdentifier ({DB_CLUSTER_IDENTIFIER_RULE})"


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
