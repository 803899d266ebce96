"""One BLAS thread: the forecaster's linear algebra is tiny, and OpenBLAS's worker threads only cost.

Owns :func:`one_blas_thread`, which every fit calls (``BaseForecaster.fit_quietly``). numpy
and scipy each ship OpenBLAS, which starts a pool of worker threads, one per core, and
wakes it for the small BLAS calls of the fits, above all scipy's L-BFGS-B inside
statsmodels' Holt-Winters fit: waking, waiting for and spinning those threads costs far
more than the arithmetic. Measured on a 2-core machine with other work running: a
Holt-Winters fit on 7 days of 5-minute data took 54 ms of CPU with OpenBLAS's two threads
and 6 ms with one, and ``acuplan advise`` on the README's trace 36 s of CPU instead of 15
(everything else in the process slowed too while the idle workers spun). The results were
the same to the bit (the forecasts of a replay, the quick start's and a 21-day advice's
output), and with one thread they no longer depend on the number of cores at all: a BLAS
call split between threads may add its terms in another order.

The setting is for the whole process and stays (threadpoolctl sets it through OpenBLAS's
own ``openblas_set_num_threads``): it is made once, before the first fit, so every
forecast of the process, in any thread, runs under the same one. A program embedding
acuplan that wants more BLAS threads for its own large matrices can raise them again with
``threadpoolctl.threadpool_limits`` around that work.
"""

from __future__ import annotations

import threading

_set = False
_lock = threading.Lock()


def one_blas_thread() -> None:
    """Set numpy's and scipy's OpenBLAS (any BLAS threadpoolctl knows) to one thread, once.

    Later calls return at once. Loads scipy's BLAS first (``scipy.linalg``, which the
    forecasters use through scipy and statsmodels anyway), so both libraries are set.
    """
    global _set
    if _set:
        return
    with _lock:
        if _set:
            return
        import scipy.linalg  # noqa: F401  (loads scipy's own OpenBLAS, so it is set too)
        from threadpoolctl import ThreadpoolController

        ThreadpoolController().limit(limits=1, user_api="blas")
        _set = True
