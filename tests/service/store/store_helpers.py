"""Helpers of the store tests: raw job rows for migration tests, and work run on several threads at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


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


def job_row(
    job_id: str, status: str, created_ms: int, *, kind: str, cluster_id: str | None, **values: Any
) -> dict[str, Any]:
    """A ``replay_jobs`` row as inserted under an older schema; ``values`` sets or overrides columns."""
    row: dict[str, Any] = {
        "id": job_id,
        "kind": kind,
        "cluster_id": cluster_id,
        "status": status,
        "created_ms": created_ms,
        "started_ms": None,
        "finished_ms": None,
        "request": {"job": job_id},
        "result": None,
        "error": None,
        "cancel_requested": False,
    }
    return row | values
