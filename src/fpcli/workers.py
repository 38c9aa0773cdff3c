"""Batches run by several processes (`--jobs N`): this one and N-1 spawned workers, stopped when fpcli is.

Workers are fed through pipes, not `concurrent.futures`: that waits for every queued task when its `with`
block is left by an exception, so a SIGTERM to fpcli (only the parent gets it, unlike a terminal's Ctrl-C)
left the workers running on. Here the workers are terminated; a worker stopped in the middle of a task
unwinds it first (so `write_output` removes its `.part` file), then exits. Workers ignore SIGINT: their
parent handles it."""

from __future__ import annotations

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
    """Which chunk of a batch an idle process takes next, so that each process compiles few rule sets.

    Items carry a routing key: a tuple of the parts it needs, costliest first (for validation: the rule sets
    a file needs, guessed from its first bytes, e.g. `("extended", "br-fr-cii")`); a process compiles each
    part on first use (0.1-1 s with Saxon, which cannot share them between processes). `seen` is the parts a
    process has met (one set per process, kept up to date here); a lacking part weighs more the earlier it
    comes in its key.
    A process takes, in this order: the earliest chunk whose parts it has all met; else the earliest chunk
    no process has all the parts of and that it lacks no more parts of than any other process (e.g. a new
    profile, or EXTENDED + French rules for the process that has met EXTENDED); else a chunk of the key with
    the most items waiting, but only when at least `steal_min` of them wait per part it lacks (compiling
    again costs less than those items take) or nobody else is working. A process never runs more than
    `window` items ahead of the earliest waiting item: the results are handed back in input order, so what
    is held back for that stays bounded (memory flat in batch size). Only the order of work changes, never
    the results.
    """

    def __init__(
        self, keys: list[tuple[Any, ...]], chunk: int, *, window: int = 256, steal_min: int = 48
    ) -> None:
        self.chunk, self.window, self.steal_min = chunk, window, steal_min
        self.queues: dict[tuple[Any, ...], list[int]] = {}  # each key's items, earliest last (popped first)
        for index, key in reversed(list(enumerate(keys))):
            self.queues.setdefault(key, []).append(index)
        self.left = len(keys)  # items not handed out yet
        self.processes: list[set[Any]] = []  # the `seen` sets of the processes that have asked

    def take(self, seen: set[Any], *, alone: bool) -> tuple[tuple[Any, ...], list[int]] | None:
        """The next chunk for a process that has met the parts `seen`, or None: let it wait. `alone`: no
        other process is busy, so waiting would stall the batch."""
        heads = {k: q[-1] for k, q in self.queues.items() if q}
        if not heads:
            return None
        limit = min(heads.values()) + self.window
        near = {k: h for k, h in heads.items() if h <= limit}
        if not any(seen is other for other in self.processes):
            self.processes.append(seen)
        others = [other for other in self.processes if other is not seen]

        def lack(k: tuple[Any, ...], met: set[Any]) -> int:  # parts come costliest first: weighed so
            return sum(len(k) - i for i, part in enumerate(k) if part not in met)

        lacks = {k: lack(k, seen) for k in near}
        own = [k for k in near if not lacks[k]]
        # nobody can run these without compiling, and nobody would compile less than this process
        unclaimed = [k for k in near if all(lacks[k] <= lack(k, other) for other in others)]
        if own:
            key = min(own, key=near.__getitem__)
        elif unclaimed:
            key = min(unclaimed, key=near.__getitem__)
        else:
            key = max(near, key=lambda k: len(self.queues[k]) / lacks[k])
            if len(self.queues[key]) < self.steal_min * lacks[key]:
                if not alone:
                    return None
                key = min(near, key=lambda k: (lacks[k], near[k]))
        seen.update(key)
        # chunks of at most `chunk` items, smaller towards the end so that no process is left with a long
        # chunk while the others wait
        size = max(1, min(self.chunk, self.left // (4 * len(self.processes))))
        queue = self.queues[key]
        indices = queue[: -size - 1 : -1]
        del queue[-size:]
        self.left -= len(indices)
        return key, indices


Mapper = Callable[..., Iterator[Any]]
CHUNK = 4  # items a chunk holds at most: one pipe round trip (and one pickled request) per chunk
AHEAD = 2  # chunks a worker holds: the one it runs and the next


@contextmanager
def routed_pool(
    jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[Mapper]:
    """`map(fn, items, key=None, local=None)` by `jobs` processes: this one and `jobs - 1` spawned workers
    (spawn, not fork: saxonche must not run in forked workers, and workers must not inherit locks), each fed
    chunks by a RoutePlan (items with the same `key(item)` go to the same process where the batch allows).
    Results in input order, handed on as soon as they are next in line.

    This process works too, one item at a time, looking after the workers between items: a spawned worker
    pays its start (interpreter, imports, compiled rule sets) again, so `--jobs 2` with two spawned workers
    and an idle parent paid that twice for one core's gain; the parent's share also covers the time the
    worker takes to start. `fn` (module-level: it is pickled) runs in the workers, `local` (default `fn`)
    here; `initializer(*initargs)` runs once in each worker before its first item. Interrupted
    (SIGINT/SIGTERM/SIGHUP) or failed: the workers are stopped at once."""
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("spawn")
    processes: list[Any] = []
    conns: list[Any] = []

    def mapper(
        fn: Callable[[Any], Any],
        items: list[Any],
        key: Callable[[Any], tuple[Any, ...]] | None = None,
        local: Callable[[Any], Any] | None = None,
    ) -> Iterator[Any]:
        for _ in range(jobs - 1):
            parent_end, child_end = ctx.Pipe()
            process = ctx.Process(
                target=_routed_worker, args=(child_end, fn, initializer, initargs), daemon=True
            )
            process.start()
            child_end.close()
            processes.append(process)
            conns.append(parent_end)
        run_here = local or fn
        # while the workers start; without `key` every item needs the same: any process takes any chunk
        plan = RoutePlan([key(item) for item in items] if key else [()] * len(items), CHUNK)
        seen: list[set[Any]] = [set() for _ in conns]
        mine: set[Any] = set()  # the parts this process has met
        here: list[int] = []  # this process's chunk, not run yet
        queued = [0] * len(conns)  # chunks sent to each worker and not answered yet
        done: dict[int, Any] = {}
        next_out = 0

        def feed() -> None:
            # a worker holds a second chunk while it runs one: it never waits for this process to look
            for w in range(len(conns)):
                while queued[w] < AHEAD:
                    taken = plan.take(seen[w], alone=not any(queued) and not here)
                    if taken is None:
                        break
                    conns[w].send([(i, items[i]) for i in taken[1]])
                    queued[w] += 1

        def collect(ready: list[Any]) -> None:
            for conn in ready:
                w = conns.index(conn)
                try:
                    message: tuple[bool, Any] = conn.recv()
                except (EOFError, OSError):
                    raise _lost(processes[w], next_out, len(items)) from None
                if not message[0]:
                    raise message[1]
                queued[w] -= 1
                done.update(message[1])

        while next_out < len(items):
            feed()
            if not here:
                taken = plan.take(mine, alone=not any(queued))
                if taken is not None:
                    here = taken[1]
            busy = [conns[w] for w in range(len(conns)) if queued[w]]
            if here:
                index = here.pop(0)
                done[index] = run_here(items[index])
                collect(wait(busy, timeout=0) if busy else [])
            elif busy:
                collect(wait(busy))
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


def _lost(process: Any, handed: int, total: int) -> Exception:
    """Why a worker stopped answering: stopped from outside (SIGKILL, as the out-of-memory killer sends, or
    SIGTERM) is the environment's doing; anything else (a crash) is fpcli's or its engines'."""
    from fpcli.errors import WorkerLostError

    process.join(timeout=5)
    code = process.exitcode
    where = f"the batch stopped after {handed} of {total} results"
    if code is not None and -code in (signal.SIGKILL, signal.SIGTERM):
        return WorkerLostError(
            f"a worker process (pid {process.pid}) was stopped by {signal.Signals(-code).name}; {where}",
            hint="the system may have run out of memory (see `dmesg`): run again, with fewer `--jobs`",
        )
    how = f"by {signal.Signals(-code).name}" if code is not None and code < 0 else f"with exit code {code}"
    return RuntimeError(f"a worker process (pid {process.pid}) ended {how}; {where}")


def _routed_worker(
    conn: Any, fn: Callable[[Any], Any], initializer: Callable[..., None] | None, initargs: tuple[Any, ...]
) -> None:
    import queue
    import threading

    _worker_start(initializer, *initargs)
    tasks: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def read() -> None:
        # A thread keeps reading what the parent sends, whatever this worker is doing: the parent may send a
        # chunk larger than a pipe holds while this worker is sending a result larger than that; each would
        # wait for the other to read. It only unpickles tasks; the work stays in the main thread (Saxon).
        try:
            while (task := conn.recv()) is not None:
                tasks.put(task)
        except (EOFError, OSError):  # the parent is gone
            pass
        tasks.put(None)

    threading.Thread(target=read, name="fpcli-tasks", daemon=True).start()
    while (task := tasks.get()) is not None:
        try:
            result: tuple[bool, Any] = (True, [(i, _call(fn, item)) for i, item in task])
        except Exception as exc:  # handed to the parent, which raises it as ProcessPoolExecutor would
            result = (False, exc)
        try:
            conn.send(result)
        except OSError:  # the parent is gone
            return
