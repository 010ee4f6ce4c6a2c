"""Scenario discovery: PRIM (EMA Workbench) recovers a known box on constructed data, in the factors'
names and units, through an experiment too."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.robust.discovery import choose, discover, unit_of
from model.robust.schema import Threshold
from model.robust.study import run_experiment
from model.sensitivity.factors import ResolvedFactor

from .common import toy_experiment, write


def _factor(name: str, path: str | None = None) -> ResolvedFactor:
    return ResolvedFactor(name, path or name, "unif", [0.0, 1.0], None, False, None, 0)


@pytest.mark.slow
def test_prim_recovers_a_known_box():
    """Worlds fail exactly where a > 0.6 and b < 0.3; c does not matter."""
    rng = np.random.default_rng(1)
    x = rng.random((600, 3))
    fails = (x[:, 0] > 0.6) & (x[:, 1] < 0.3)
    values = {"y": np.where(fails, 0.0, 1.0)[:, None]}
    factors = [_factor("a", "parameters.scale_base_logit"), _factor("b"), _factor("c")]
    d = discover("P", 0, values, {"y": Threshold(min=0.5)}, pd.DataFrame(x, columns=["a", "b", "c"]),
                 np.ones(600), factors, density_min=0.9)
    box = d.box()
    assert box["density"] >= 0.9 and box["coverage"] >= 0.9
    limits = d.limits.set_index("factor")
    assert limits.loc["a", "lower"] == pytest.approx(0.6, abs=0.03) and limits.loc["a", "restricted"]
    assert limits.loc["b", "upper"] == pytest.approx(0.3, abs=0.03) and limits.loc["b", "restricted"]
    assert not limits.loc["c", "restricted"]
    assert limits.loc["a", "unit"] == "log-odds"  # the parameter's unit from model.parameters
    assert d.share_failing == pytest.approx(fails.mean())


def test_choose_prefers_coverage_among_dense_boxes():
    trajectory = pd.DataFrame({"box": [0, 1, 2, 3], "coverage": [1.0, 0.9, 0.7, 0.5],
                               "density": [0.2, 0.6, 0.85, 1.0], "mass": [1, 0.5, 0.3, 0.2], "res_dim": [0, 1, 2, 2]})
    assert choose(trajectory, 0.8) == (2, None)
    best, note = choose(trajectory.iloc[:2], 0.8)
    assert best == 1 and "densest" in note
    assert choose(trajectory.assign(density=0.9), 0.8)[0] == 1  # never box 0, which restricts nothing
    assert "restricted no factor" in choose(trajectory.iloc[:1], 0.8)[1]


def test_nothing_to_find_when_a_portfolio_never_fails():
    d = discover("P", 0, {"y": np.ones((10, 1))}, {"y": Threshold(min=0.5)}, pd.DataFrame({"a": np.arange(10.0)}),
                 np.ones(10), [_factor("a")])
    assert d.chosen is None and "every world" in d.notes[0]


def test_units_of_budgets():
    assert unit_of(_factor("x", "levers.peer_review.budget_msek_per_year")) == "MSEK/year"


@pytest.mark.slow
def test_discovery_in_an_experiment(tmp_path):
    """rising (score u) fails score >= 0.6 exactly where u < 0.6: the box is u below about 0.6."""
    exp = toy_experiment(worlds={"sampler": "sobol", "n": 64}, factors=[{"path": "u", "bounds": [0.0, 1.0]},
                                                                         {"path": "noise", "bounds": [0.0, 1.0]}],
                         discovery={"portfolio": "rising", "density_min": 0.95})
    result = run_experiment(write(tmp_path, exp), tmp_path / "out", workers=1, progress=False)
    d = result.analysis.discovery
    limits = d.limits.set_index("factor")
    assert limits.loc["u", "upper"] == pytest.approx(0.6, abs=0.05) and not limits.loc["noise", "restricted"]
    assert (tmp_path / "out" / "discovery" / "rising-box.csv").exists()
    assert (tmp_path / "out" / "charts" / "discovery.png").exists()
    assert "Scenario discovery" in (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
