"""Bounded worker pools: solver work runs off the event loop, and a full pool answers 503.

Owns :class:`BoundedPool` and :class:`PoolFullError`. A pool has ``workers`` threads and
room for ``queue`` waiting tasks; a task submitted beyond that is refused at once (no
unbounded queue, no request waiting minutes). CP-SAT releases the GIL while it searches,
so threads give real parallelism for the solve. Imports ``service.http.observability`` only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from service.http.observability import ServiceMetrics

P = ParamSpec("P")
T = TypeVar("T")


class PoolFullError(Exception):
    """The pool has ``workers + queue`` tasks already; the caller should retry later.

    Attributes:
        pool: the pool's name.
    """

    def __init__(self, pool: str) -> None:
        super().__init__(f"the {pool} pool is full; retry shortly")
        self.pool = pool


class BoundedPool:
    """A thread pool that refuses work beyond ``workers + queue`` tasks.

    Args:
        name: label for metrics and messages (``solver``, ``replay``).
        workers: threads, >= 1.
        queue: tasks that may wait for a thread, >= 0.
        metrics: collectors for in-flight and rejected counts.
    """

    def __init__(self, name: str, *, workers: int, queue: int, metrics: ServiceMetrics) -> None:
        self.name = name
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"acuplan-{name}")
        self._slots = threading.BoundedSemaphore(workers + queue)
        self._in_flight = metrics.pool_in_flight.labels(pool=name)
        self._rejected = metrics.pool_rejected.labels(pool=name)
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once :meth:`shutdown` was called."""
        return self._closed

    def submit(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run ``fn(*args, **kwargs)`` on a pool thread.

        Returns:
            The task's future.

        Raises:
            PoolFullError: every slot is taken, or the pool is shutting down.
        """
        if self._closed or not self._slots.acquire(blocking=False):
            self._rejected.inc()
            raise PoolFullError(self.name)
        self._in_flight.inc()
        try:
            future = self._executor.submit(fn, *args, **kwargs)
        except RuntimeError:  # shut down between the check and the submit
            self._release(None)
            raise PoolFullError(self.name) from None
        future.add_done_callback(self._release)
        return future

    def _release(self, _future: Future[T] | None) -> None:
        self._in_flight.dec()
        self._slots.release()

    def shutdown(self, *, wait: bool = True) -> None:
        """Refuse new work and, with ``wait``, let running and queued tasks finish."""
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=not wait)
