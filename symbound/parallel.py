"""Running many independent tasks: on any ``concurrent.futures`` executor, with a progress bar.

Sweeps, the appendix's checks and the layer-collapse experiments hand their tasks to
:func:`run_tasks`.  Without an executor the tasks run in this process; with one
(a local process pool from :func:`process_pool`, or a Dask cluster's
``client.get_executor()``) they run there, and the results come back in the order
the tasks were given, so nothing depends on which worker finished first.  Use
process-based executors: python-flint's precision is a per-process setting.  The
pool's workers run their numerical libraries on one thread each
(:data:`WORKER_ENVIRONMENT`): there is already a worker per core.

>>> run_tasks(None, pow, [(2, 3), (3, 2)], Progress(False))
[8, 9]
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from typing import Any, TextIO

__all__ = [
    "WORKER_ENVIRONMENT",
    "Progress",
    "cores",
    "fork_imap",
    "process_pool",
    "run_tasks",
    "stream_tasks",
]

#: Set in every worker's environment (unless this process's own sets the variable): one
#: BLAS/OpenMP thread per worker.  With a worker per core, library threads on top only
#: compete for the same cores; on a loaded 2-core machine a 19 x 384 by 384 x 1152 float64
#: product took 5.3 ms with OpenBLAS's threads and 0.58 ms with one.
WORKER_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _die_with_parent(parent: int) -> None:
    """Worker initialiser: ask Linux to kill this worker when its parent dies (a killed
    ``symbound appendix`` must not leave workers computing for a minute)."""
    try:
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL))
    except (OSError, AttributeError):  # not Linux: the pool's own checks remain
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


class _WorkerProcess(multiprocessing.context.SpawnProcess):
    """A spawned process started with :data:`WORKER_ENVIRONMENT` added to this process's
    environment (which is restored at once: only the child keeps it)."""

    def start(self):
        added = {k: v for k, v in WORKER_ENVIRONMENT.items() if k not in os.environ}
        os.environ.update(added)
        try:
            super().start()
        finally:
            for k in added:
                os.environ.pop(k, None)


class _WorkerContext(multiprocessing.context.SpawnContext):
    Process = _WorkerProcess


def process_pool(jobs: int | None) -> ProcessPoolExecutor | None:
    """A ``spawn`` process pool of ``jobs`` workers (default: the cores); None for one job.

    Its workers die with this process, even when it is killed, and run their numerical
    libraries on one thread each (:data:`WORKER_ENVIRONMENT`)."""
    jobs = jobs or cores()
    if jobs == 1:
        return None
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_WorkerContext(),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )


class Progress:
    """A one-line progress bar on a stream (``\\r`` updates, a newline at the end).

    ``enabled=None`` shows it when the stream is a terminal."""

    def __init__(self, enabled: bool | None, stream: TextIO | None = None, width: int = 20):
        self.stream = sys.stderr if stream is None else stream
        self.enabled = self.stream.isatty() if enabled is None else bool(enabled)
        self.width = width
        self.label, self.total, self.done, self.unit, self.last = "", 0, 0, "", 0.0

    def start(self, label: str, total: int, unit: str) -> None:
        self.label, self.total, self.done, self.unit = label, total, 0, unit
        self._draw(force=True)

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        self._draw(force=self.done >= self.total)
        if self.enabled and self.done >= self.total:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, force: bool) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        filled = self.width * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        w = len(str(self.total))
        self.stream.write(f"\r  {self.label} [{bar}] {self.done:>{w}}/{self.total} {self.unit}")
        self.stream.flush()


def run_tasks(
    executor: Executor | None,
    fn: Callable[..., Any],
    arglists: Sequence[tuple],
    progress: Progress,
    weights: Sequence[int] | None = None,
) -> list[Any]:
    """``fn(*args)`` for each argument tuple, results in the order given.

    With an executor the tasks run there and the progress bar moves (by each task's
    weight, default 1) as they complete; the results are still returned in order.
    """
    weights = [1] * len(arglists) if weights is None else weights
    results: list[Any] = [None] * len(arglists)
    if executor is None:
        for i, args in enumerate(arglists):
            results[i] = fn(*args)
            progress.advance(weights[i])
        return results
    futures = {executor.submit(fn, *args): i for i, args in enumerate(arglists)}
    try:
        for future in as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            progress.advance(weights[i])
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return results


def stream_tasks(
    executor: Executor | None,
    fn: Callable[..., Any],
    arglists: Iterable[tuple],
    progress: Progress,
    weight: Callable[[tuple], int] = lambda args: 1,
    window: int = 16,
) -> Iterator[Any]:
    """``fn(*args)`` for each argument tuple, yielded in the order given, with at most
    ``window`` tasks in flight: memory does not grow with the number of tasks (a sweep
    of 10^8 instances holds a few chunks at a time, not all of them).

    >>> list(stream_tasks(None, pow, iter([(2, 3), (3, 2)]), Progress(False)))
    [8, 9]
    """
    if executor is None:
        for args in arglists:
            yield fn(*args)
            progress.advance(weight(args))
        return
    pending: deque = deque()
    try:
        for args in arglists:
            pending.append((executor.submit(fn, *args), weight(args)))
            if len(pending) >= window:
                future, w = pending.popleft()
                yield future.result()
                progress.advance(w)
        while pending:
            future, w = pending.popleft()
            yield future.result()
            progress.advance(w)
    finally:
        for future, _ in pending:
            future.cancel()


def _forked(fn: Callable[[Any], Any], x: Any, conn, parent: int) -> None:
    """A forked worker: ``fn(x)``, or the exception it raised, sent back on ``conn``."""
    _die_with_parent(parent)
    try:
        out = (True, fn(x))
    except BaseException as exc:  # sent to the parent, which raises it
        out = (False, exc)
    try:
        conn.send(out)
    except Exception as exc:  # a result that does not pickle
        conn.send((False, RuntimeError(f"a worker's result could not be sent back: {exc}")))
    conn.close()


def fork_imap(fn: Callable[[Any], Any], items: Sequence[Any], jobs: int) -> Iterator[Any]:
    """``fn(x)`` for each of ``items``, yielded in order, with up to ``jobs`` computed ahead
    in forked worker processes.

    For work that cannot be pickled (a lemma built here, with its closures): each worker
    is forked with ``fn`` and its item in memory; only the result travels back.  Closing
    the iterator early kills the workers still computing (work run ahead and not needed
    costs no waiting).  Sequential, and lazy, when ``jobs`` is 1 or the platform cannot
    fork.  The results are those of the sequential loop; an exception is raised when its
    item's turn comes.

    >>> list(fork_imap(abs, [-1, 2, -3], 2))
    [1, 2, 3]
    """
    if jobs <= 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for x in items:
            yield fn(x)
        return
    ctx = multiprocessing.get_context("fork")
    running: dict[int, tuple[Any, Any]] = {}  # index -> (process, connection)
    done: dict[int, tuple[bool, Any]] = {}
    started = 0
    try:
        for i in range(len(items)):
            while i not in done:
                while started < len(items) and len(running) < jobs:
                    receive, send = ctx.Pipe(duplex=False)
                    proc = ctx.Process(
                        target=_forked, args=(fn, items[started], send, os.getpid()), daemon=True
                    )
                    proc.start()
                    send.close()
                    running[started] = (proc, receive)
                    started += 1
                ready = multiprocessing.connection.wait([c for _, c in running.values()])
                for j in [j for j, (_, c) in running.items() if c in ready]:
                    proc, conn = running.pop(j)
                    try:
                        done[j] = conn.recv()
                    except EOFError:
                        done[j] = (False, RuntimeError(f"a worker died (exit {proc.exitcode})"))
                    conn.close()
                    proc.join()
            ok, value = done.pop(i)
            if not ok:
                raise value
            yield value
    finally:
        for proc, conn in running.values():
            proc.kill()
            proc.join()
            conn.close()
