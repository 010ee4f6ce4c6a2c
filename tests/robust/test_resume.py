"""A robust experiment interrupted and resumed gives identical results; a folder holding another
experiment is refused; common random numbers: every portfolio meets the same draws in a world."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from model.errors import InputError
from model.robust.evaluate import InProcessRuns, make_job, run_chunk
from model.robust.study import load_experiment, run_experiment

from .common import TOY, toy_experiment, write

NOISY = toy_experiment(model=f"{TOY}:noisy", replications=3, chunk_size=7,
                       thresholds={"score": {"min": 0.5}, "gap": {"max": 0.6}})


class StopsAfter(InProcessRuns):
    """Runs ``n`` chunks, then Ctrl-C."""

    def __init__(self, n: int) -> None:
        self.n = n

    def start(self, job, tasks, n_tasks):
        for i, item in enumerate(super().start(job, tasks, n_tasks)):
            if i == self.n:
                raise KeyboardInterrupt
            yield item


def _tables(folder):
    return {name: pd.read_csv(folder / name) for name in ("regret.csv", "satisficing.csv", "pairwise.csv",
                                                         "ranks.csv", "distributions.csv")}


def test_interrupted_and_resumed_gives_identical_results(tmp_path):
    path = write(tmp_path, NOISY)
    run_experiment(path, tmp_path / "whole", workers=1, progress=False, charts=False)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(path, tmp_path / "resumed", progress=False, charts=False, backend=StopsAfter(5))
    parts = list((tmp_path / "resumed" / "runs").glob("part-*.parquet"))
    assert 0 < len(parts) < len(list((tmp_path / "whole" / "runs").glob("part-*.parquet")))
    result = run_experiment(path, tmp_path / "resumed", workers=2, progress=False, charts=False)
    assert result.stats.runs_resumed == 5 * 7 and result.stats.runs_done_now == result.stats.n_runs - 35
    for name, table in _tables(tmp_path / "whole").items():
        pd.testing.assert_frame_equal(_tables(tmp_path / "resumed")[name], table, obj=name)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "resumed" / "world_outcomes.parquet"),
                                  pd.read_parquet(tmp_path / "whole" / "world_outcomes.parquet"))
    manifest = json.loads((tmp_path / "resumed" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["execution"]["runs_already_on_disk"] == 35


def test_a_folder_of_another_experiment_is_refused(tmp_path):
    run_experiment(write(tmp_path, NOISY), tmp_path / "out", workers=1, progress=False, charts=False)
    changed = write(tmp_path, {**NOISY, "replications": 2}, "changed.yaml")
    with pytest.raises(InputError, match=r"holds the runs of a different experiment.*replications"):
        run_experiment(changed, tmp_path / "out", workers=1, progress=False)


def test_common_random_numbers_across_portfolios(tmp_path):
    """noisy adds the same seed's noise to every portfolio in a world and replication: flat's score
    minus 0.5 is the noise every other portfolio meets too."""
    plan = load_experiment(write(tmp_path, NOISY))
    job = make_job(plan, "crn")
    cols = pd.DataFrame(run_chunk(job, 0, plan.n_runs))
    u = plan.worlds.values[cols.world, 0]
    level = np.select([cols.portfolio == 0, cols.portfolio == 1], [0.5, 0.0], 1.0)
    slope = np.select([cols.portfolio == 0, cols.portfolio == 1], [0.0, 1.0], -1.0)
    cols["noise"] = cols.score - (level + slope * u)
    spread = cols.groupby(["world", "replication"]).noise.agg(lambda v: v.max() - v.min())
    assert spread.max() < 1e-12  # the same draws for every portfolio
    assert cols.groupby("world").noise.std().min() > 0  # but replications differ


def test_a_dask_cluster_gives_the_same_results(tmp_path):
    import distributed

    path = write(tmp_path, NOISY)
    run_experiment(path, tmp_path / "local", workers=1, progress=False, charts=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) \
            as cluster, distributed.Client(cluster) as client:
        result = run_experiment(path, tmp_path / "dask", client=client, progress=False, charts=False)
    assert result.stats.where.startswith("inproc://")
    for name, table in _tables(tmp_path / "local").items():
        pd.testing.assert_frame_equal(_tables(tmp_path / "dask")[name], table, obj=name)
