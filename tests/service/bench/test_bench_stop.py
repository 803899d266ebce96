"""A bench stopped by SIGTERM or an exception leaves no worker process behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from service.bench.run import _executor


def test_sigterm_stops_the_run_and_terminates_its_workers() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as stopped, _executor(2, None) as pool:
        futures = [pool.submit(time.sleep, 600.0) for _ in range(2)]
        assert len(multiprocessing.active_children()) >= 2  # the pool's workers are running
        os.kill(os.getpid(), signal.SIGTERM)
        for future in futures:  # not reached: SIGTERM raised SystemExit above
            future.result()
    assert stopped.value.code == 128 + signal.SIGTERM
    assert multiprocessing.active_children() == []
    assert signal.getsignal(signal.SIGTERM) is before  # the handler is restored


def test_an_error_in_the_run_terminates_its_workers() -> None:
    with pytest.raises(RuntimeError, match="stop"), _executor(2, None) as pool:
        pool.submit(time.sleep, 600.0)
        raise RuntimeError("stop")
    assert multiprocessing.active_children() == []


def test_a_finished_run_waits_for_its_jobs() -> None:
    with _executor(2, None) as pool:
        future = pool.submit(pow, 2, 10)
    assert future.result() == 1024
    assert multiprocessing.active_children() == []
