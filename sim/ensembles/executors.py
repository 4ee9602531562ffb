"""Where the runs of a sweep execute: this process, a local process pool, or Dask.

All executors offer one operation, :meth:`map_chunks`: run ``fn(ctx, chunk)`` for each chunk
and yield results as they finish, with a bounded number of chunks in flight so that a sweep
of any size holds only a few chunks in memory. The run context (base scenario, outputs,
reference) is shipped once per worker - as a process-pool initializer, or scattered to
every Dask worker - so the base scenario is parsed once per worker, not once per run. The
caller hands in ``install``, the pool initializer that keeps the context in a worker, so
executors know nothing of what they run (and import nothing of it).
Because each run's seed depends only on its indices, the executor and the number of
workers change speed, never results.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from sim.errors import InputError


class SerialExecutor:
    """Runs chunks in this process; the reference for the others and easy to debug."""

    def __init__(self, workers: int = 1):
        self.workers = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map_chunks(self, fn: Callable, ctx: Any, chunks: Iterable[list],
                   install: Callable[[Any], None] | None = None) -> Iterator[list]:
        for chunk in chunks:
            yield fn(ctx, chunk)


def _start_worker(main_pid: int, install: Callable[[Any], None] | None, ctx: Any) -> None:
    """Pool initializer: end with the sweep's main process, run numpy single-threaded,
    then keep the context."""
    from sim.ensembles.orphans import worker_started
    from sim.threads import single_threaded

    worker_started(main_pid)
    single_threaded()
    if install is not None:
        install(ctx)


class LocalExecutor:
    """A local process pool with bounded submission, in which the calling process is one of
    the ``workers``.

    The caller runs chunks too: it would otherwise sit idle while the pool works, and the
    pool takes most of a second to start (its server process imports the model), in which
    the caller, with the model already imported, runs the first chunks. So ``workers``
    processes compute: the caller and ``workers - 1`` pool processes. Each pool process
    holds a few chunks, so that it never waits while the caller is busy with its own, and
    at the end the caller takes back chunks the pool has not started, so that neither side
    waits long for the other's last chunk.

    ``forkserver`` is used where available: pool processes fork from a clean server process
    that has imported the model once, so they start fast without inheriting the parent's
    threads (pyarrow's pools, tqdm's monitor), which plain ``fork`` would copy in an
    undefined state. Set ``ALLIANCE_SIM_MP_CONTEXT=fork`` or ``spawn`` to change it. The
    start method is passed explicitly because other libraries (Mesa's ``batch_run``)
    change the process-wide default.
    """

    def __init__(self, workers: int, in_flight_per_worker: int = 3):
        self.workers = max(1, int(workers))
        self.in_flight = max(1, self.workers - 1) * in_flight_per_worker  # chunks held by the pool
        method = os.environ.get("ALLIANCE_SIM_MP_CONTEXT") or (
            "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
        self._mp = mp.get_context(method)
        if method == "forkserver":
            self._mp.set_forkserver_preload(["sim.ensembles.orphans", "sim.ensembles.sweep", "sim.run.simulate"])
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        return False

    def map_chunks(self, fn: Callable, ctx: Any, chunks: Iterable[list],
                   install: Callable[[Any], None] | None = None) -> Iterator[list]:
        from threadpoolctl import threadpool_limits

        if self.workers == 1:  # no pool: the caller is the one worker
            yield from SerialExecutor().map_chunks(fn, ctx, chunks, install)
            return
        self._pool = ProcessPoolExecutor(self.workers - 1, mp_context=self._mp, initializer=_start_worker,
                                         initargs=(os.getpid(), install, ctx))
        single = threadpool_limits(1)  # the caller computes too: one BLAS thread, as in the pool
        try:
            yield from self._share(fn, ctx, iter(chunks))
        finally:
            single.restore_original_limits()

    def _share(self, fn: Callable, ctx: Any, it: Iterator[list]) -> Iterator[list]:
        """Keep the pool's chunks in flight, collect what it finished, and otherwise run the
        next chunk here; at the end, take back the chunks the pool has not started."""
        pending: dict = {}  # future -> its chunk, to take back one the pool has not started
        exhausted = False
        while True:
            while not exhausted and len(pending) < self.in_flight:
                chunk = next(it, None)
                if chunk is None:
                    exhausted = True
                    break
                pending[self._pool.submit(fn, ctx.key, chunk)] = chunk
            finished = [f for f in pending if f.done()]
            for f in finished:
                del pending[f]
                yield f.result()
            if finished:
                continue
            chunk = None if exhausted else next(it, None)
            if chunk is None:
                exhausted = True
                chunk = next((pending.pop(f) for f in list(pending) if f.cancel()), None)
            if chunk is not None:
                yield fn(ctx, chunk)
                continue
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                del pending[f]
                yield f.result()


class DaskExecutor:
    """Dask distributed: a ``LocalCluster`` of ``workers`` single-threaded processes, or an
    existing cluster at ``scheduler`` (then ``workers`` only sets how many chunks are kept
    in flight).

    The base scenario travels with the run context, but files the scenario refers to
    (calibrated tables, pairwise CSVs) are read by the workers: on a remote cluster every
    worker needs this package installed and the repository at the same path.
    """

    def __init__(self, workers: int, scheduler: str | None = None,
                 in_flight_per_worker: int = 3, processes: bool = True):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - dask is a dependency
            raise InputError(None, "--executor", "dask[distributed] installed") from None
        self.workers = max(1, int(workers))
        self._cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="10s")
            except OSError as exc:
                raise InputError(None, "--scheduler", "the address of a running Dask "
                                 "scheduler", got=scheduler) from exc
            n = len(self.client.scheduler_info().get("workers", {})) or self.workers
            self.in_flight = n * in_flight_per_worker
        else:
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                         processes=processes, dashboard_address=None,
                                         silence_logs=40)
            self.client = Client(self._cluster)
            self.in_flight = self.workers * in_flight_per_worker

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
        return False

    def map_chunks(self, fn: Callable, ctx: Any, chunks: Iterable[list],
                   install: Callable[[Any], None] | None = None) -> Iterator[list]:
        from distributed import as_completed
        ctx_future = self.client.scatter(ctx, broadcast=True)
        it = iter(chunks)
        ac = as_completed()
        n = 0
        for chunk in it:
            ac.add(self.client.submit(fn, ctx_future, chunk, pure=False))
            n += 1
            if n >= self.in_flight:
                break
        for fut in ac:
            result = fut.result()
            fut.release()
            nxt = next(it, None)
            if nxt is not None:
                ac.add(self.client.submit(fn, ctx_future, nxt, pure=False))
            yield result


def make_executor(kind: str, workers: int = 1, scheduler: str | None = None):
    """The executor named on the command line (``local`` with one worker runs in-process);
    a ``scheduler`` goes only with ``dask``, the one executor that can use it."""
    if scheduler and kind != "dask":
        raise InputError(None, "--scheduler", "to be given with --executor dask (a Dask scheduler runs only "
                         "Dask's workers)", got=scheduler)
    if kind == "local":
        return SerialExecutor() if workers <= 1 else LocalExecutor(workers)
    if kind == "serial":
        return SerialExecutor()
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    raise InputError(None, "--executor", "one of local, dask", got=kind)
