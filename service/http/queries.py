"""Query parameters checked before FastAPI reads them: each given once, none an endpoint does not take.

Owns :func:`check_query`, which :class:`service.http.strict.StrictRoute` calls first for
every endpoint that declares query parameters. FastAPI takes the last of a repeated
parameter (``?limit=1&limit=2`` is ``limit=2``) and ignores one the endpoint does not
declare (``/metrics/upload?bogus=1``), both without a word; the advice endpoints, which take
none, refuse every one with their own message (:mod:`service.http.routes.advice`), as the
CLI refuses an option that changes nothing. Here, for an endpoint with query parameters:

* a parameter given more than once is a 422 ``invalid_request`` at its name, with the values;
* a parameter the endpoint does not take is a 422 at its name, listing those it takes.

Imports FastAPI only.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute


def query_names(route: APIRoute) -> tuple[str, ...]:
    """The query parameters ``route`` declares (their aliases), in declaration order."""
    return tuple(p.alias for p in route.dependant.query_params)


def check_query(route: APIRoute, request: Request) -> None:
    """Refuse a repeated query parameter, and one the route does not take.

    Args:
        route: the matched route; a route declaring no query parameters is not checked
            (its own dependencies decide, e.g. the advice endpoints refuse every one).
        request: the request (its query string).

    Raises:
        fastapi.exceptions.RequestValidationError: one entry per parameter at its name:
            ``limit is given 2 times ('1', '2'); give it once`` or ``bogus='1' is not a
            parameter of this endpoint; it takes limit, after``.
    """
    taken = query_names(route)
    if not taken:
        return
    errors = []
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name in seen:
            continue
        seen.add(name)
        values = request.query_params.getlist(name)
        if name not in taken:
            msg = f"{name}={values[0]!r} is not a parameter of this endpoint; it takes {', '.join(taken)}"
        elif len(values) > 1:
            shown = ", ".join(repr(v) for v in values)
            msg = f"{name} is given {len(values)} times ({shown}); give it once"
        else:
            continue
        errors.append({"type": "value_error", "loc": ("query", name), "msg": msg, "input": None})
    if errors:
        raise RequestValidationError(errors)
