"""Run work on several threads at once; fail with what any of them raised (the store's concurrency tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_in_threads(n_threads: int, work: Callable[[int], object]) -> None:
    """Call ``work(t)`` for t in 0..n_threads-1, each on its own thread; fail with every error raised."""
    errors: list[BaseException] = []

    def run(t: int) -> None:
        try:
            work(t)
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
