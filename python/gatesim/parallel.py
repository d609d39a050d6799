"""Runs of a study on a pool of processes: gs.run, gs.compare, gs.sweep and gs.sensitivity
take executor= (any concurrent.futures executor) or ranks=N (an MPI pool of N worker ranks).

    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(4) as pool:
        res = gs.run("global_shutdown", replicates=100, executor=pool)
    cmp = gs.compare(["baseline", "global_shutdown"], ranks=8)   # mpi4py.futures.MPIPoolExecutor

Each job goes to a worker as bytes and its run comes back as bytes, bit for bit; runs are
taken in job order, so the results are exactly those of a serial run. The study itself (its
file, reductions, resume) stays in this process. Workers run each job with `threads` threads
(default 1: the pool's processes are the parallelism).
"""
from __future__ import annotations

import os
from contextlib import contextmanager

from . import _core


def run_job(job: bytes, threads: int = 1) -> bytes:
    """One job in a worker process: what the pool's workers call (by reference, so it pickles)."""
    return _core.run_encoded_job(job, threads)


def _workers_of(executor) -> int:
    for name in ("_max_workers", "max_workers", "num_workers"):
        value = getattr(executor, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return os.cpu_count() or 1


def in_flight(executor) -> int:
    """Jobs submitted ahead of the next one to deliver: two per worker keep every worker busy
    while the oldest job finishes, and bound what waits in memory."""
    return 2 * _workers_of(executor) + 2


@contextmanager
def pool(executor=None, ranks: int | None = None):
    """The executor a study's runs go to: executor= as given (the caller owns it), an
    mpi4py.futures.MPIPoolExecutor of `ranks` workers (shut down afterwards), or None."""
    if executor is not None and ranks is not None:
        raise ValueError("give executor= or ranks=, not both")
    if ranks is None:
        yield executor
        return
    ranks = int(ranks)
    if ranks < 1:
        raise ValueError("ranks must be at least 1")
    try:
        from mpi4py.futures import MPIPoolExecutor
    except ImportError as e:
        raise ImportError("ranks= needs mpi4py (Debian: python3-mpi4py); or pass executor=, e.g. a "
                          "concurrent.futures.ProcessPoolExecutor") from e
    mpi_pool = MPIPoolExecutor(max_workers=ranks)
    try:
        yield mpi_pool
    finally:
        mpi_pool.shutdown(wait=True, cancel_futures=True)
