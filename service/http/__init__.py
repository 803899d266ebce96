"""The HTTP API (FastAPI): app, dependencies, middleware, routes, wire schemas, jobs, pools.

``app`` builds the application; ``routes`` hold one router per resource; ``schemas`` the
JSON wire format; ``runtime``, ``pool`` and ``solving`` run work off the event loop;
``jobs`` and ``forecasting`` the long-running and solver-pool work; ``security`` and
``observability`` keys, metrics and logs.
"""
