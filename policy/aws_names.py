"""AWS's naming rule for a DB cluster identifier, in one place.

Owns :data:`DB_CLUSTER_IDENTIFIER_RULE`, :func:`db_cluster_identifier_problem` and the
pydantic type :data:`DbClusterIdentifier`. The rule
is the RDS API's for ``DBClusterIdentifier`` (Amazon RDS API Reference, CreateDBCluster,
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html): 1 to
63 letters, digits or hyphens, the first a letter, no two consecutive hyphens, not ending
with a hyphen. Used where a value names a cluster in AWS: a global database's secondary
(:class:`policy.advice.types.SecondaryCluster`) and the actions ``service.advice`` renders.
Pure.
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from pydantic import AfterValidator, Field

DB_CLUSTER_IDENTIFIER_RULE: Final[str] = (
    "1-63 letters, digits and hyphens, starting with a letter, with no two consecutive hyphens "
    "and not ending with a hyphen"
)
"""AWS's rule for a ``DBClusterIdentifier``, in words (the error messages quote it)."""

DB_CLUSTER_IDENTIFIER_PATTERN: Final[str] = r"^[A-Za-z][A-Za-z0-9-]{0,62}$"
"""The rule's shape as a JSON-schema pattern (the hyphen conditions are checked in code)."""

_SHAPE: Final[re.Pattern[str]] = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,62}")
_SHOWN: Final[int] = 80


def db_cluster_identifier_problem(value: str) -> str | None:
    """Return why ``value`` is not a valid ``DBClusterIdentifier``, or None when it is.

    Args:
        value: the candidate identifier.

    Returns:
        E.g. ``'orders.db' is not a valid Aurora DBClusterIdentifier (1-63 letters, ...)``;
        the value is shown with :func:`repr` (control characters escaped) and cut after
        80 characters.

    Examples:
        >>> db_cluster_identifier_problem("orders-db") is None
        True
        >>> db_cluster_identifier_problem("orders--db").startswith("'orders--db' is not a valid")
        True
    """
    if _SHAPE.fullmatch(value) and "--" not in value and not value.endswith("-"):
        return None
    shown = repr(value[:_SHOWN]) + ("..." if len(value) > _SHOWN else "")
    return f"{shown} is not a valid Aurora DBClusterIdentifier ({DB_CLUSTER_IDENTIFIER_RULE})"


def _identifier(value: str) -> str:
    problem = db_cluster_identifier_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


DbClusterIdentifier = Annotated[
    str,
    Field(max_length=63, json_schema_extra={"pattern": DB_CLUSTER_IDENTIFIER_PATTERN}),
    AfterValidator(_identifier),
]
"""A ``DBClusterIdentifier`` by AWS's rule; a breach is a ValueError naming the rule in words."""
