"""Numerical libraries run one thread per process.

The model's arrays are small (``n x n`` for a few hundred states at most), and the work
that parallelises is many runs, one per process. numpy's BLAS threads on top of that
oversubscribe the cores: on two busy cores, a 200-state valuation went from 3 ms to 30 ms
and 200 states x 100 steps from 1.8 s to 6 s. Results do not depend on the thread count.
"""

from __future__ import annotations

import os

VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def prefer_single_thread() -> None:
    """One thread for libraries loaded from now on, unless the user's environment says
    otherwise (set before numpy is imported: the command line's start)."""
    for var in VARIABLES:
        os.environ.setdefault(var, "1")


def single_threaded() -> None:
    """One thread in this process now, libraries already loaded included (sweep workers)."""
    from threadpoolctl import threadpool_limits

    for var in VARIABLES:
        os.environ[var] = "1"
    threadpool_limits(1)
