"""What a running app holds: settings, store, worker pools, metrics; started and stopped once.

Owns :class:`Runtime`, :func:`start_runtime` and :func:`stop_runtime`, called from the
app's lifespan (:func:`service.http.app.create_app`). Start-up opens the store (migrating it
when ``auto_migrate``), starts the solver pool and the replay runner, and re-queues
replays a previous process left running. Shutdown (graceful, e.g. on SIGTERM) marks the
app as draining (``/readyz`` answers 503), lets queued solves and the running replay
finish or be re-queued, and closes the database pool. Imports ``service`` modules only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from service.http.jobs import ReplayRunner
from service.http.observability import ServiceMetrics
from service.http.pool import BoundedPool
from service.settings import Settings
from service.store import Store, open_engine

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """The live state of one app.

    Attributes:
        settings: the settings it was started with.
        store: the database.
        metrics: Prometheus collectors.
        solver_pool: bounded threads for recommendation and forecast work.
        replays: the replay-job runner.
        clock: wall clock, seconds since the epoch (injectable).
        draining: True once shutdown began.
    """

    settings: Settings
    store: Store
    metrics: ServiceMetrics
    solver_pool: BoundedPool
    replays: ReplayRunner
    clock: Callable[[], float] = time.time
    draining: bool = field(default=False)


def start_runtime(settings: Settings, metrics: ServiceMetrics) -> Runtime:
    """Open the store and start the pools.

    Args:
        settings: the service settings.
        metrics: the app's collectors.

    Returns:
        The runtime; replays left by a stopped process are queued again.

    Raises:
        service.store.StoreUnavailableError: the database cannot be opened or migrated
            (the message says why; the server does not start).
    """
    engine = open_engine(settings.resolved_database_url, auto_migrate=settings.auto_migrate)
    store = Store(engine)
    pool = BoundedPool(
        "solver", workers=settings.solver_pool_workers, queue=settings.solver_pool_queue, metrics=metrics
    )
    replays = ReplayRunner(store, settings=settings, metrics=metrics)
    runtime = Runtime(settings=settings, store=store, metrics=metrics, solver_pool=pool, replays=replays)
    replays.resume()
    logger.info("service started", extra={"database": engine.url.render_as_string(hide_password=True)})
    return runtime


def stop_runtime(runtime: Runtime) -> None:
    """Drain and close: finish queued solves, stop replays (re-queued next start), close the DB.

    Args:
        runtime: from :func:`start_runtime`.
    """
    runtime.draining = True
    runtime.solver_pool.shutdown(wait=True)
    runtime.replays.shutdown()
    runtime.store.close()
    logger.info("service stopped")
