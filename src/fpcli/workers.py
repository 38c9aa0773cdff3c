"""Process pools for batches that stop when fpcli is stopped.

`concurrent.futures` waits for every queued task when its `with` block is left by an exception, so a
SIGTERM to fpcli (only the parent gets it, unlike a terminal's Ctrl-C) left the workers running on. Here the
queue is cancelled and the workers are terminated; a worker stopped in the middle of a task unwinds it first
(so `write_output` removes its `.part` file), then exits. Workers ignore SIGINT: their parent handles it.
"""

from __future__ import annotations

import functools
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

_busy = False


class _Stop(BaseException):
    """Raised in a worker by SIGTERM while it runs a task: unwinds the task's cleanups."""


def _on_term(signum: int, frame: object) -> None:
    if _busy:
        raise _Stop
    os._exit(128 + signum)  # idle: nothing to clean up


def _worker_start() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_term)


def _call(fn: Callable[[Any], Any], item: Any) -> Any:
    global _busy  # noqa: PLW0603 (one task at a time per worker process)
    _busy = True
    try:
        return fn(item)
    except _Stop:
        os._exit(128 + signal.SIGTERM)
    finally:
        _busy = False


@contextmanager
def process_pool(jobs: int) -> Iterator[Callable[..., Iterator[Any]]]:
    """`map(fn, items)` over a spawn-based pool (saxonche must not run in forked workers) of `jobs`
    processes, results in input order; `fn` must be a module-level function."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start
    )

    def mapper(fn: Callable[[Any], Any], items: Iterable[Any], chunksize: int = 1) -> Iterator[Any]:
        return pool.map(functools.partial(_call, fn), items, chunksize=chunksize)

    try:
        yield mapper
    except BaseException:
        # Interrupted (SIGINT/SIGTERM/SIGHUP) or failed: drop the queue and stop the workers now.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        raise
    pool.shutdown(wait=True)
