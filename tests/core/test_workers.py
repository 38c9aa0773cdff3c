"""The routed worker pool: which worker gets which files (RoutePlan, no processes), and the pool itself
(spawned processes: results in input order, a worker's exception raised in the parent)."""

from __future__ import annotations

import os

import pytest

from fpcli.workers import RoutePlan, routed_pool


def drain(plan: RoutePlan, workers: int) -> tuple[list[set[object]], list[list[int]]]:
    """Hand out every chunk round-robin as if each worker finished at once; (keys met, indices) per worker."""
    seen: list[set[object]] = [set() for _ in range(workers)]
    got: list[list[int]] = [[] for _ in range(workers)]
    while True:
        progressed = False
        for w in range(workers):
            taken = plan.take(seen[w], alone=w == 0)
            if taken is not None:
                seen[w].add(taken[0])
                got[w] += taken[1]
                progressed = True
        if not progressed:
            return seen, got


def test_each_profile_compiled_by_one_worker_when_the_batch_allows() -> None:
    keys = ["en16931", "extended", "basic", "minimum"] * 10  # interleaved, as in a sorted directory
    seen, got = drain(RoutePlan(keys, chunk=2, steal_min=48), 2)
    assert sorted(i for g in got for i in g) == list(range(40))  # every item exactly once
    assert seen[0].isdisjoint(seen[1])  # no rule set compiled twice
    assert all(len(s) == 2 for s in seen)


def test_one_profile_is_shared_and_each_worker_takes_the_earliest_chunk() -> None:
    plan = RoutePlan(["en16931"] * 100, chunk=4)
    assert plan.take(set(), alone=True) == ("en16931", [0, 1, 2, 3])
    assert plan.take(set(), alone=False) == ("en16931", [4, 5, 6, 7])  # 92 waiting: worth compiling again
    assert plan.take({"en16931"}, alone=False) == ("en16931", [8, 9, 10, 11])


def test_few_files_of_a_busy_profile_are_not_worth_a_second_compilation() -> None:
    plan = RoutePlan(["extended"] * 10, chunk=2, steal_min=48)
    assert plan.take(set(), alone=True) == ("extended", [0, 1])
    assert plan.take(set(), alone=False) is None  # 8 left: the first worker keeps them
    assert plan.take(set(), alone=True) == ("extended", [2, 3])  # nobody else working: never stall


def test_a_worker_never_runs_further_ahead_than_the_window() -> None:
    # worker 0 meets "a", worker 1 "b"; if worker 1 stalls, worker 0 must not run past the window
    keys = ["a", "b"] * 200
    plan = RoutePlan(keys, chunk=1, window=20, steal_min=1000)
    assert plan.take(set(), alone=True) == ("a", [0])
    assert plan.take(set(), alone=False) == ("b", [1])  # worker 1 now stalls on index 1
    handed = []
    while (taken := plan.take({"a"}, alone=False)) is not None:
        handed += taken[1]
    assert handed and max(handed) <= 3 + 20  # earliest waiting is 3 ("b"), window 20
    assert all(keys[i] == "a" for i in handed)


def _square(x: int) -> tuple[int, int]:
    if x == 13:
        raise ValueError("thirteen")
    return x * x, os.getpid()


def test_routed_pool_gives_results_in_input_order_from_several_processes() -> None:
    items = [i for i in range(60) if i != 13]
    with routed_pool(2) as pool_map:
        results = list(pool_map(_square, items, lambda i: i % 3))
    assert [r[0] for r in results] == [i * i for i in items]
    pids = {r[1] for r in results}
    assert len(pids) == 2 and os.getpid() not in pids


def test_routed_pool_raises_a_worker_exception_in_the_parent() -> None:
    with pytest.raises(ValueError, match="thirteen"), routed_pool(2) as pool_map:
        list(pool_map(_square, list(range(30)), lambda i: 0))


def test_routed_pool_stops_its_workers_when_the_caller_stops_reading() -> None:
    import multiprocessing

    with routed_pool(2) as pool_map:
        for n, _ in enumerate(pool_map(_square, list(range(14, 200)), lambda i: 0)):
            if n == 3:
                break
    assert multiprocessing.active_children() == []
