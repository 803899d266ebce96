"""OpenAPI ``responses`` entries for the one error shape, by status code.

Owns :func:`errors`. Every entry points at :class:`service.http.schemas.recommendations.ErrorResponse`, so the
schema documents one error body for every status.
"""

from __future__ import annotations

from typing import Any, Final

from service.http.schemas.recommendations import ErrorResponse

_DESCRIPTIONS: Final[dict[int, str]] = {
    401: "`unauthorized`: API keys are configured and none (or an invalid one) was sent",
    403: "`forbidden`: the key lacks this endpoint's scope",
    404: "`not_found`: no such cluster, recommendation or job",
    409: "`conflict`: the request conflicts with what is stored (a job that has not succeeded yet; "
    "a registration changing `step_s` over stored metrics)",
    413: "`request_too_large`: the body exceeds the configured limit",
    422: "Invalid request: `invalid_request` (wire format, cross-field rules, a body that is not JSON) "
    "or a policy error code; `detail` lists `{field, message}` with `field` a dotted path or null",
    500: "`internal_error` with an empty `detail` (never a traceback)",
    503: "`overloaded` (solver pool full) or `timeout` (deadline passed); retry after `Retry-After` s",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return the ``responses=`` mapping for these statuses (401, 403, 413, 500 always added)."""
    codes = sorted({401, 403, 413, 500, *statuses})
    return {code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]} for code in codes}
