"""Replications one by one (model.runner.replicated): in replication order whatever order they finish in,
with a bounded number waiting, and what ``keep`` returns instead of whole outcomes."""

import gc
import weakref

import pytest

import model
from model import runner

SCENARIO = model.with_overrides(model.load_scenario("scenarios/baseline.yaml"), {"horizon_years": 1})


class Kept:
    alive: "weakref.WeakSet[Kept]" = weakref.WeakSet()
    most = 0

    def __init__(self, replication: int) -> None:
        self.replication = replication
        Kept.alive.add(self)
        Kept.most = max(Kept.most, len(Kept.alive))


def keep(outcome, replication):
    return Kept(replication)


@pytest.mark.slow
def test_results_arriving_in_reverse_are_yielded_in_order_with_at_most_one_pool_waiting(monkeypatch):
    pools = []

    def reversed_pool(function, jobs, workers, chunksize=1):  # every pool's jobs finish last to first
        jobs = list(jobs)
        pools.append(len(jobs))
        for job in reversed(jobs):
            yield function(job)

    monkeypatch.setattr(runner, "imap_indexed", reversed_pool)
    monkeypatch.setattr(runner, "POOL_WORTH_SECONDS", 0.0)
    monkeypatch.setattr(runner, "WINDOW_PER_WORKER", 3)
    Kept.alive, Kept.most = weakref.WeakSet(), 0
    order = []
    for kept in runner.replicated(SCENARIO, 20, seed=1, workers=2, keep=keep):
        order.append(kept.replication)
        del kept
        gc.collect()
    assert order == list(range(20))
    assert pools == [6, 6, 6, 1]  # replication 0 runs here, the rest 3 per worker at a time
    assert Kept.most <= 6 + 1


def test_keep_gives_what_is_kept_of_each_run_and_replicate_whole_outcomes():
    whole = runner.replicate(SCENARIO, 3, seed=4, workers=1)
    kept = list(runner.replicated(SCENARIO, 3, seed=4, workers=1, keep=lambda o, r: (r, o.summary)))
    assert kept == [(r, o.summary) for r, o in enumerate(whole)]
