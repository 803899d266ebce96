"""A bench stopped by SIGTERM or an exception leaves no worker process behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.process import BaseProcess

import pytest

from service.bench.run import _executor


def _new_children(before: set[BaseProcess]) -> set[BaseProcess]:
    """Live child processes that were not there before (other tests may leave their own)."""
    return set(multiprocessing.active_children()) - before


def test_sigterm_stops_the_run_and_terminates_its_workers() -> None:
    handler, others = signal.getsignal(signal.SIGTERM), set(multiprocessing.active_children())
    with pytest.raises(SystemExit) as stopped, _executor(2, None) as pool:
        futures = [pool.submit(time.sleep, 600.0) for _ in range(2)]
        assert len(_new_children(others)) >= 2  # the pool's workers are running
        os.kill(os.getpid(), signal.SIGTERM)
        for future in futures:  # not reached: SIGTERM raised SystemExit above
            future.result()
    assert stopped.value.code == 128 + signal.SIGTERM
    assert _new_children(others) == set()
    assert signal.getsignal(signal.SIGTERM) is handler  # the handler is restored


def test_an_error_in_the_run_terminates_its_workers() -> None:
    others = set(multiprocessing.active_children())
    with pytest.raises(RuntimeError, match="stop"), _executor(2, None) as pool:
        pool.submit(time.sleep, 600.0)
        raise RuntimeError("stop")
    assert _new_children(others) == set()


def test_a_finished_run_waits_for_its_jobs() -> None:
    others = set(multiprocessing.active_children())
    with _executor(2, None) as pool:
        future = pool.submit(pow, 2, 10)
    assert future.result() == 1024
    assert _new_children(others) == set()
