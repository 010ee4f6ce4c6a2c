"""Worlds: Latin hypercube and Sobol' draws over the factors' distributions; a calibration posterior read
with its weights, or resampled in proportion to them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.robust.study import load_experiment, run_experiment
from model.robust.worlds import systematic_draws, unit_sample

from .common import toy_experiment, write


def test_latin_hypercube_has_one_world_per_stratum():
    points, notes = unit_sample("lhs", 20, 3, seed=1)
    for j in range(3):
        assert sorted(np.floor(points[:, j] * 20).astype(int)) == list(range(20))
    assert not notes
    _, notes = unit_sample("sobol", 20, 2, seed=1)
    assert "power of two" in notes[0]


def test_worlds_follow_the_factor_distributions(tmp_path):
    exp = toy_experiment(factors=[{"path": "u", "bounds": [2.0, 4.0]},
                                  {"path": "k", "bounds": [0.0, 10.0, 0.5], "dist": "triang"}],
                         worlds={"sampler": "lhs", "n": 64})
    worlds = load_experiment(write(tmp_path, exp)).worlds
    assert worlds.values[:, 0].min() >= 2.0 and worlds.values[:, 0].max() <= 4.0
    assert worlds.values[:, 1].min() >= 0 and np.all(worlds.weights == 1)


def test_systematic_resampling_follows_the_weights():
    rows, counts = systematic_draws(np.array([1.0, 0.0, 3.0]), 8, seed=3)
    assert rows.tolist() == [0, 2] and counts.tolist() == [2.0, 6.0]


def test_posterior_worlds_carry_their_weights(tmp_path):
    pd.DataFrame({"u": [0.2, 0.7, 0.9], "weight": [1.0, 1.0, 2.0]}).to_parquet(tmp_path / "post.parquet")
    exp = toy_experiment(factors=None, worlds={"sampler": "posterior", "posterior": "post.parquet"})
    result = run_experiment(write(tmp_path, exp), tmp_path / "out", workers=1, progress=False, charts=False)
    assert result.plan.worlds.weights.tolist() == [1.0, 1.0, 2.0]
    sat = result.table("satisficing").set_index("portfolio")
    assert sat.loc["rising", "share_satisficing"] == pytest.approx(3 / 4)  # u = 0.7 and 0.9 (weight 2) of 4
    resampled = load_experiment(write(tmp_path, {**exp, "worlds": {"sampler": "posterior", "posterior": "post.parquet",
                                                                   "n": 40}}, "n.yaml")).worlds
    assert resampled.weights.sum() == 40 and resampled.n == 3
