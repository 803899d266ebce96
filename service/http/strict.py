"""The route class of every ``/v1`` router: its input is checked strictly before FastAPI reads it.

Owns :class:`StrictRoute`. Before FastAPI's own handler, a request's query parameters are
checked (:func:`service.http.queries.check_query`: each once, none the endpoint does not
take) and a JSON body is read strictly (:func:`service.http.bodies.read_json_body`: its
content type, UTF-8, repeated keys). Both run after the API key check
(:class:`service.http.authn.AuthMiddleware`). Imports ``service.http.bodies`` and
``service.http.queries``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from service.http.bodies import read_json_body, takes_json
from service.http.queries import check_query

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class StrictRoute(APIRoute):
    """An ``APIRoute`` whose query string and JSON body are checked first (the module docstring)."""

    def get_route_handler(self) -> Handler:
        """Return FastAPI's handler behind the checks.

        Raises (from the returned handler):
            fastapi.exceptions.RequestValidationError: a repeated or unknown query
                parameter; a JSON body with another content type, not UTF-8 or with a
                repeated key.
        """
        handler = super().get_route_handler()
        json_body = takes_json(self)

        async def strict(request: Request) -> Response:
            check_query(self, request)
            if json_body:
                await read_json_body(request)
            return await handler(request)

        return strict
