"""Running independent tasks (cohort chunks) here, on local worker processes or on Dask.

Every task is a pure function of its input, so where it runs changes nothing in its result.
Three places, chosen by ``run_tasks``'s arguments:

* ``workers=1``: in this process, one task after the other;
* ``workers=N`` (N > 1): a pool of N local worker processes (``concurrent.futures``, started
  by ``fork`` where that is safe, else ``spawn``), no server needed. Each worker runs numba
  single-threaded, ignores Ctrl-C (the parent handles it and stops the pool) and exits by
  itself if the parent dies (even by SIGKILL), so a killed run leaves no stray workers. A
  worker compiles or loads a model's numerical code once and keeps it for every later task;
* ``scheduler="tcp://HOST:PORT"``: an existing ``dask.distributed`` cluster.

At most ``window`` tasks are submitted and not yet collected at any time, so memory stays
bounded whatever the number of tasks; results are handed over in the order they finish.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

SCHEDULER_TIMEOUT_SECONDS = 20
"""How long to try to connect to a Dask scheduler before giving up."""

PARENT_CHECK_SECONDS = 1.0
"""How often a local worker checks that the process that started it is still alive."""


class SchedulerUnreachable(RuntimeError):
    """The Dask scheduler named by an address cannot be reached."""


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_tasks(function: Callable[[Any], Any], tasks: Iterable[Any],
              on_result: Callable[[Any, Any], None], *, workers: int = 1,
              scheduler: str | None = None, window: int | None = None) -> None:
    """Run ``function(task)`` for every task and call ``on_result(task, result)`` for each.

    Args:
        function: a module-level function (workers import it by name), pure in its task.
        tasks: the tasks, each picklable; consumed lazily.
        on_result: called in this process, in the order tasks finish; an exception it raises
            stops the run (tasks in flight are cancelled) and propagates.
        workers: local worker processes; 1 runs every task in this process. Ignored when
            ``scheduler`` is given.
        scheduler: address of a Dask scheduler (``tcp://HOST:PORT``), or None for local.
        window: most tasks in flight at once; default twice the workers (or the Dask
            cluster's threads).

    Raises:
        SchedulerUnreachable: if ``scheduler`` cannot be reached.
        Whatever ``function`` raised for a task, or ``on_result`` raised.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if scheduler is not None:
        _run_on_dask(function, tasks, on_result, scheduler, window)
    elif workers == 1:
        for task in tasks:
            on_result(task, function(task))
    else:
        _run_on_processes(function, tasks, on_result, workers, window or 2 * workers)


def _run_on_processes(function, tasks, on_result, workers: int, window: int) -> None:
    executor = ProcessPoolExecutor(max_workers=workers,
                                   mp_context=multiprocessing.get_context(start_method()),
                                   initializer=_initialize_worker, initargs=(os.getpid(),))
    pending: dict[Future, Any] = {}
    queue = iter(tasks)
    finished = False
    try:
        for task in queue:
            pending[executor.submit(function, task)] = task
            if len(pending) >= window:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                task = pending.pop(future)
                on_result(task, future.result())
                for following in queue:
                    pending[executor.submit(function, following)] = following
                    break
        finished = True
    finally:
        if finished:
            executor.shutdown(wait=True)
        else:
            for future in pending:
                future.cancel()
            # Tasks in flight cannot be cancelled; stop their processes so that an interrupted
            # run does not go on computing chunks that nobody will write.
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    process.terminate()
            executor.shutdown(wait=False, cancel_futures=True)


def start_method() -> str:
    """How local workers are started: ``fork`` where it is safe, else ``spawn``.

    Forked workers inherit this process's imported modules and loaded model code, so they
    start in well under a second instead of several; forking is safe only on Linux and when
    this process runs no other thread (numba's thread pool included), otherwise workers are
    spawned as fresh interpreters.
    """
    if sys.platform != "linux" or threading.active_count() > 1:
        return "spawn"
    parallel = sys.modules.get("numba.np.ufunc.parallel")
    if parallel is not None and getattr(parallel, "_is_initialized", True):
        return "spawn"
    return "fork"


def _initialize_worker(parent: int) -> None:
    """Set up a local worker: Ctrl-C goes to the parent, numba uses one thread (the pool
    already fills the cores), and the worker exits when its parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(Exception):
        import numba

        numba.set_num_threads(1)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    # A worker is re-parented when its parent dies (checked through os.getppid); a worker
    # started by a fork server has that server as parent, so also ask whether the parent
    # process still exists.
    started_under = os.getppid()
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != started_under:
            os._exit(1)
        try:
            os.kill(parent, 0)
        except OSError:
            os._exit(1)


def _run_on_dask(function, tasks, on_result, scheduler: str, window: int | None) -> None:
    from distributed import Client, as_completed

    try:
        client = Client(scheduler, set_as_default=False, timeout=SCHEDULER_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, ValueError) as error:
        raise SchedulerUnreachable(f"--scheduler {scheduler}: cannot reach a Dask scheduler "
                                   f"there ({error})") from None
    with client:
        window = window or 2 * max(1, sum(client.nthreads().values()))
        queue = iter(tasks)
        pending: dict[str, tuple[Any, Any]] = {}

        def submit_next() -> Any | None:
            for task in queue:
                future = client.submit(function, task, pure=False)
                pending[future.key] = (future, task)
                return future
            return None

        first = [future for future in (submit_next() for _ in range(window)) if future]
        completed = as_completed(first, loop=client.loop)
        try:
            for future in completed:
                _, task = pending.pop(future.key)
                result = future.result()
                future.release()
                on_result(task, result)
                following = submit_next()
                if following is not None:
                    completed.add(following)
        finally:
            for future, _ in pending.values():
                with contextlib.suppress(Exception):
                    future.cancel()
