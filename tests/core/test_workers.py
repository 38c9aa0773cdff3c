"""The routed worker pool: which worker gets which files (RoutePlan, no processes), and the pool itself
(spawned processes: results in input order, a worker's exception raised in the parent)."""

from __future__ import annotations

import os

import pytest

from fpcli.workers import RoutePlan, routed_pool


def drain(plan: RoutePlan, workers: int) -> tuple[list[set[object]], list[list[int]]]:
    """Hand out every chunk round-robin as if each process finished at once; when none takes one, the
    first takes one as the only one working. (Parts met, indices) per process."""
    seen: list[set[object]] = [set() for _ in range(workers)]
    got: list[list[int]] = [[] for _ in range(workers)]
    while True:
        progressed = False
        for w in range(workers):
            taken = plan.take(seen[w], alone=False)
            if taken is not None:
                got[w] += taken[1]
                progressed = True
        if not progressed:
            taken = plan.take(seen[0], alone=True)
            if taken is None:
                return seen, got
            got[0] += taken[1]


def test_each_profile_compiled_by_one_process_when_the_batch_allows() -> None:
    keys = [("en16931",), ("extended",), ("basic",), ("minimum",)] * 10  # interleaved, as in a sorted directory
    seen, got = drain(RoutePlan(keys, chunk=2, steal_min=48), 2)
    assert sorted(i for g in got for i in g) == list(range(40))  # every item exactly once
    assert seen[0].isdisjoint(seen[1])  # no rule set compiled twice
    assert all(len(s) == 2 for s in seen)


def test_one_profile_is_shared_and_each_process_takes_the_earliest_chunk() -> None:
    plan = RoutePlan([("en16931",)] * 100, chunk=4)
    first, second = set(), set()
    assert plan.take(first, alone=True) == (("en16931",), [0, 1, 2, 3])
    assert plan.take(second, alone=False) == (("en16931",), [4, 5, 6, 7])  # 92 waiting: worth compiling again
    assert plan.take(first, alone=False) == (("en16931",), [8, 9, 10, 11])
    assert first == second == {"en16931"}  # the plan keeps each process's parts


def test_chunks_shrink_towards_the_end_of_the_batch() -> None:
    """No process is left with a long chunk while the other waits: the last chunks hold one item."""
    plan = RoutePlan([()] * 40, chunk=4)
    first, second = set(), set()
    sizes = []
    while (taken := plan.take(first if len(sizes) % 2 else second, alone=True)) is not None:
        sizes.append(len(taken[1]))
    assert sum(sizes) == 40
    assert sizes[0] == 4 and sizes[-3:] == [1, 1, 1]
    assert sizes == sorted(sizes, reverse=True)


def test_few_files_of_a_busy_profile_are_not_worth_a_second_compilation() -> None:
    plan = RoutePlan([("extended",)] * 40, chunk=2, steal_min=48)
    first, second = set(), set()
    assert plan.take(first, alone=True) == (("extended",), [0, 1])
    assert plan.take(second, alone=False) is None  # 38 left: the first process keeps them
    assert plan.take(second, alone=True) == (("extended",), [2, 3])  # nobody else working: never stall


def test_a_key_goes_to_the_process_that_has_met_its_parts() -> None:
    """A file needing EXTENDED and the French rules goes to the process that has compiled EXTENDED, not
    to the one that has compiled EN16931 + French rules: one compilation of the French rules instead of a
    second of EXTENDED's (the larger)."""
    keys = [("extended",)] * 4 + [("en16931", "br-fr-cii")] * 4 + [("extended", "br-fr-cii")] * 4
    plan = RoutePlan(keys, chunk=4, steal_min=48, window=4)
    first, second = set(), set()
    assert plan.take(first, alone=True) == (("extended",), [0, 1, 2])
    assert plan.take(second, alone=False) == (("en16931", "br-fr-cii"), [4])  # the earliest nobody has met
    assert plan.take(second, alone=False) == (("en16931", "br-fr-cii"), [5])
    assert plan.take(second, alone=False) == (("en16931", "br-fr-cii"), [6])
    assert plan.take(second, alone=False) == (("en16931", "br-fr-cii"), [7])
    assert plan.take(second, alone=False) is None  # would compile EXTENDED again for 4 files
    assert plan.take(first, alone=False)[0] == ("extended",)
    assert plan.take(first, alone=False)[0] == ("extended", "br-fr-cii")


def test_items_without_a_key_go_to_any_process() -> None:
    plan = RoutePlan([()] * 40, chunk=2)
    assert plan.take(set(), alone=True) == ((), [0, 1])
    assert plan.take(set(), alone=False) == ((), [2, 3])


def test_a_worker_never_runs_further_ahead_than_the_window() -> None:
    # worker 0 meets "a", worker 1 "b"; if worker 1 stalls, worker 0 must not run past the window
    keys = [("a",), ("b",)] * 200
    plan = RoutePlan(keys, chunk=1, window=20, steal_min=1000)
    first, second = set(), set()
    assert plan.take(first, alone=True) == (("a",), [0])
    assert plan.take(second, alone=False) == (("b",), [1])  # the second process now stalls on index 1
    handed = []
    while (taken := plan.take(first, alone=False)) is not None:
        handed += taken[1]
    assert handed and max(handed) <= 3 + 20  # earliest waiting is 3 ("b"), window 20
    assert all(keys[i] == ("a",) for i in handed)


def _square(x: int) -> tuple[int, int]:
    if x == 13:
        raise ValueError("thirteen")
    return x * x, os.getpid()


def test_routed_pool_gives_results_in_input_order_from_several_processes() -> None:
    """`jobs` processes work: this one and jobs - 1 spawned workers."""
    items = [i for i in range(60) if i != 13]
    with routed_pool(3) as pool_map:
        results = list(pool_map(_square, items, lambda i: (i % 3,)))
    assert [r[0] for r in results] == [i * i for i in items]
    pids = {r[1] for r in results}
    assert len(pids) == 3 and os.getpid() in pids


def _offset(x: int) -> int:
    return x + _STATE["offset"]


_STATE: dict[str, int] = {}


def _start(offset: int) -> None:
    _STATE["offset"] = offset


def test_routed_pool_runs_the_initializer_in_each_worker_and_local_here() -> None:
    """Workers get what every item needs once (`initializer`); this process runs `local` instead of `fn`."""
    with routed_pool(2, initializer=_start, initargs=(1000,)) as pool_map:
        results = list(pool_map(_offset, list(range(40)), local=lambda x: x + 2000))
    assert len(results) == 40
    assert all(r - i in (1000, 2000) for i, r in enumerate(results))
    assert {r - i for i, r in enumerate(results)} == {1000, 2000}  # both processes worked


def test_routed_pool_raises_a_worker_exception_in_the_parent() -> None:
    with pytest.raises(ValueError, match="thirteen"), routed_pool(2) as pool_map:
        list(pool_map(_square, list(range(30)), lambda i: (0,)))


def test_routed_pool_stops_its_workers_when_the_caller_stops_reading() -> None:
    import multiprocessing

    with routed_pool(2) as pool_map:
        for n, _ in enumerate(pool_map(_square, list(range(14, 200)), lambda i: (0,))):
            if n == 3:
                break
    assert multiprocessing.active_children() == []


def _sleepy(x: int) -> int:
    import time

    time.sleep(0.05)
    return x


def test_a_worker_killed_from_outside_is_reported_as_such() -> None:
    """The out-of-memory killer's SIGKILL is the environment's failure (exit 4, a hint), not fpcli's bug."""
    import multiprocessing
    import signal as signals

    from fpcli.errors import ExitCode, WorkerLostError

    got: list[int] = []
    with pytest.raises(WorkerLostError) as caught, routed_pool(2) as pool_map:
        for n, result in enumerate(pool_map(_sleepy, list(range(400)))):
            got.append(result)
            if n == 5:
                (worker,) = multiprocessing.active_children()
                os.kill(worker.pid, signals.SIGKILL)
    assert caught.value.exit_code == ExitCode.REMOTE
    assert "stopped by SIGKILL" in caught.value.message and "of 400 results" in caught.value.message
    assert got == list(range(len(got)))  # what was handed on before stays in order
    assert multiprocessing.active_children() == []


def _echo_big(item: bytes) -> bytes:
    return item * 3


def test_large_chunks_and_large_results_do_not_deadlock() -> None:
    """A worker holds a second chunk while it runs one: the parent may be blocked sending it (more than a pipe
    holds) while the worker answers with more than a pipe holds. The worker reads before it answers."""
    import multiprocessing
    import threading

    items = [bytes([i % 256]) * 100_000 for i in range(160)]  # chunks of 4: 400 KB; answers 1.2 MB
    out: list[bytes] = []

    def consume() -> None:
        with routed_pool(2) as pool_map:
            out.extend(pool_map(_echo_big, items))

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    thread.join(timeout=60)
    if thread.is_alive():
        for child in multiprocessing.active_children():
            child.kill()
        pytest.fail("routed_pool deadlocked on large chunks and results")
    assert out == [item * 3 for item in items]
