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
from contextlib import contextmanager, suppress
from typing import Any

_busy = False


class _Stop(BaseException):
    """Raised in a worker by SIGTERM while it runs a task: unwinds the task's cleanups."""


def _on_term(signum: int, frame: object) -> None:
    if _busy:
        raise _Stop
    os._exit(128 + signum)  # idle: nothing to clean up


def _worker_start(initializer: Callable[..., None] | None = None, *initargs: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_term)
    if initializer is not None:
        initializer(*initargs)


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
def process_pool(
    jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[Callable[..., Iterator[Any]]]:
    """`map(fn, items)` over a spawn-based pool (saxonche must not run in forked workers) of `jobs`
    processes, results in input order; `fn` must be a module-level function. `initializer(*initargs)` runs
    once in each worker (e.g. to hand it what every item needs, sent once instead of with each item)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(initializer, *initargs),
    )

    def mapper(fn: Callable[[Any], Any], items: Iterable[Any], chunksize: int = 1) -> Iterator[Any]:
        return pool.map(functools.partial(_call, fn), items, chunksize=chunksize)

    try:
        yield mapper
    except BaseException:
        # Interrupted (SIGINT/SIGTERM/SIGHUP) or failed: drop the queue and stop the workers now.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        _stop(processes)
        raise
    pool.shutdown(wait=True)


def _stop(processes: Iterable[Any]) -> None:
    """Interrupted (SIGINT/SIGTERM/SIGHUP) or failed: stop the workers now, killed if they will not go."""
    processes = list(processes)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


class RoutePlan:
    """Which chunk of a batch an idle worker takes next, so that each worker meets few rule sets.

    Items carry a routing key (for validation: the rule sets a file needs, guessed from its first bytes);
    a worker compiles each key's rule sets on first use (0.1-1 s with Saxon, which cannot share them between
    processes). A worker takes, in this order: the earliest chunk of a key it has already met; else the
    earliest chunk of a key no worker has met; else a chunk of a key another worker runs, but only when that
    key has at least `steal_min` items waiting (compiling again costs less than those items take) or nobody
    else is working. A worker never runs more than `window` items ahead of the earliest waiting item: the
    results are handed back in input order, so what is held back for that stays bounded (memory flat in
    batch size). Only the order of work changes, never the results.
    """

    def __init__(self, keys: list[Any], chunk: int, *, window: int = 256, steal_min: int = 48) -> None:
        self.window, self.steal_min = window, steal_min
        by_key: dict[Any, list[int]] = {}
        for index, key in enumerate(keys):
            by_key.setdefault(key, []).append(index)
        # each key's chunks, earliest last (popped first)
        self.queues = {
            k: [v[i : i + chunk] for i in range(0, len(v), chunk)][::-1] for k, v in by_key.items()
        }
        self.counts = {k: len(v) for k, v in by_key.items()}  # items of each key not handed out yet
        self.met: set[Any] = set()  # keys some worker has run

    def take(self, seen: set[Any], *, alone: bool) -> tuple[Any, list[int]] | None:
        """The next chunk for a worker that has run the keys `seen`, or None: let it wait. `alone`: no other
        worker is busy, so waiting would stall the batch."""
        heads = {k: q[-1][0] for k, q in self.queues.items() if q}
        if not heads:
            return None
        limit = min(heads.values()) + self.window
        near = {k: h for k, h in heads.items() if h <= limit}
        own = [k for k in near if k in seen]
        fresh = [k for k in near if k not in self.met]
        if own:
            key = min(own, key=near.__getitem__)
        elif fresh:
            key = min(fresh, key=near.__getitem__)
        else:
            key = max(near, key=self.counts.__getitem__)
            if self.counts[key] < self.steal_min:
                if not alone:
                    return None
                key = min(near, key=near.__getitem__)
        self.met.add(key)
        indices = self.queues[key].pop()
        self.counts[key] -= len(indices)
        return key, indices


@contextmanager
def routed_pool(jobs: int) -> Iterator[Callable[..., Iterator[Any]]]:
    """`map(fn, items, key)` over `jobs` spawned worker processes, each fed chunks by a RoutePlan (items
    with the same `key(item)` go to the same worker where the batch allows); results in input order, handed
    on as soon as they are next in line. Keys are computed while the workers start. Stopped like
    `process_pool` when interrupted."""
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("spawn")
    processes: list[Any] = []
    conns: list[Any] = []

    def mapper(fn: Callable[[Any], Any], items: list[Any], key: Callable[[Any], Any]) -> Iterator[Any]:
        for _ in range(jobs):
            parent_end, child_end = ctx.Pipe()
            process = ctx.Process(target=_routed_worker, args=(child_end, fn), daemon=True)
            process.start()
            child_end.close()
            processes.append(process)
            conns.append(parent_end)
        plan = RoutePlan([key(item) for item in items], max(1, min(8, len(items) // (jobs * 8))))
        seen: list[set[Any]] = [set() for _ in conns]
        busy: set[int] = set()
        done: dict[int, Any] = {}
        next_out = 0

        def feed() -> None:
            for w in range(len(conns)):
                if w in busy:
                    continue
                taken = plan.take(seen[w], alone=not busy)
                if taken is None:
                    continue
                key, indices = taken
                seen[w].add(key)
                conns[w].send([(i, items[i]) for i in indices])
                busy.add(w)

        feed()
        while next_out < len(items):
            ready = wait([conns[w] for w in busy])
            for conn in ready:
                w = conns.index(conn)
                try:
                    message: tuple[bool, Any] = conns[w].recv()
                except EOFError:
                    raise RuntimeError("a worker process died (see its message above)") from None
                if not message[0]:
                    raise message[1]
                busy.discard(w)
                done.update(message[1])
            feed()
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1

    try:
        yield mapper
    except BaseException:
        _stop(processes)
        raise
    for conn in conns:  # done (or the caller stopped reading): idle workers leave
        with suppress(OSError):
            conn.send(None)
    for process in processes:
        process.join(timeout=2)
        if process.is_alive():  # still busy with a chunk nobody will read
            process.terminate()
            process.join()


def _routed_worker(conn: Any, fn: Callable[[Any], Any]) -> None:
    _worker_start()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if task is None:
            return
        try:
            conn.send((True, [(i, _call(fn, item)) for i, item in task]))
        except Exception as exc:  # handed to the parent, which raises it as ProcessPoolExecutor would
            conn.send((False, exc))
