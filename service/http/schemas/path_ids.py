"""Ids in URL paths, checked with a message that says what the id takes, never a raw pattern.

Owns :func:`spelled_as` and the id rules of the path parameters (:data:`CLUSTER_ID_PATTERN`,
:data:`HISTORY_ID_PATTERN`, :data:`JOB_ID_PATTERN`). FastAPI's ``Path(pattern=...)`` answers a
bad id with pydantic's ``String should match pattern '^[A-Za-z0-9][A-Za-z0-9._:-]*$'``; here the
pattern stays in the OpenAPI schema (``json_schema_extra``) and the check is an
``AfterValidator`` whose error names the rule in words, as ``placement.AzId`` does for AZ IDs.
Imports pydantic only.
"""

from __future__ import annotations

import re
from typing import Final

from pydantic import AfterValidator

CLUSTER_ID_PATTERN: Final[str] = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
"""A registered cluster's id."""

CLUSTER_ID_RULE: Final[str] = "letters, digits and ._:- only, starting with a letter or digit"
""":data:`CLUSTER_ID_PATTERN` in words."""

HISTORY_ID_PATTERN: Final[str] = r"^(_stateless:)?[A-Za-z0-9][A-Za-z0-9._:-]*$"
"""A recommendation history: a cluster id, or ``_stateless:`` and one."""

JOB_ID_PATTERN: Final[str] = r"^[0-9a-f]{32}$"
"""A replay or advice job id (a UUID's hex digits)."""


def spelled_as(pattern: str, what: str) -> AfterValidator:
    """An ``AfterValidator``: the value when it matches ``pattern``, else ValueError saying ``what`` it is.

    Args:
        pattern: the regular expression the whole value must match.
        what: the rule in words, e.g. ``a cluster id: letters, digits and ._:- only, ...``.

    Returns:
        The validator; its error is ``'<value>' is not <what>``.
    """
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


CLUSTER_ID_CHECK: Final[AfterValidator] = spelled_as(CLUSTER_ID_PATTERN, f"a cluster id ({CLUSTER_ID_RULE})")
"""The check of a cluster id in a path."""

HISTORY_ID_CHECK: Final[AfterValidator] = spelled_as(
    HISTORY_ID_PATTERN, f"a cluster id ({CLUSTER_ID_RULE}) or _stateless:<cluster id>"
)
"""The check of a recommendation history's id in a path."""

JOB_ID_CHECK: Final[AfterValidator] = spelled_as(
    JOB_ID_PATTERN, "a job id (32 lower-case hexadecimal digits, as in the Location the job was created with)"
)
"""The check of a job id in a path."""
