"""The budget search (Optuna's NSGA-II) finds the known best allocation of a toy problem; its front points
are scenario files that `spridning run` and `compare` accept; an interrupted search resumes exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from model.compare import plan_comparison
from model.robust.study import run_experiment
from model.scenario import load_scenario

from .common import SCENARIOS, TOY, write

SEARCH = {
    "name": "toysearch",
    "model": f"{TOY}:budget",
    "baseline": {"name": "nothing", "constants": {}},
    "replications": 2,
    "seed": 5,
    "search": {"budget_msek_per_year": 10, "step_msek": 1,
               "levers": ["a", {"type": "b", "targets": ["small", "all"]}],
               "trials": 240, "population": 24,
               "objectives": [{"name": "diffusion", "better": "higher"}, {"name": "spend", "better": "lower"}]},
}


def test_search_finds_the_known_best_allocation(tmp_path):
    """diffusion = sqrt(a) + 2 sqrt(b) (b targeted at 'small'; half with 'all'), a + b <= 10: the most
    diffusion is a = 2, b = 8, small; the front runs from spending nothing to spending it all."""
    result = run_experiment(write(tmp_path, SEARCH), tmp_path / "out", workers=1, progress=False)
    front = result.search.front
    top = front.sort_values("diffusion").iloc[-1]
    assert (top.a_msek, top.b_msek, top.b_target) == (2.0, 8.0, "small")
    assert front.spend.min() == 0.0 and (front.total_msek <= 10).all()
    assert (front.loc[front.b_msek > 0, "b_target"] == "small").all()  # 'all' is dominated everywhere
    assert (tmp_path / "out" / "search" / "pareto.png").exists()


def test_no_charts_draws_no_pareto_chart_and_finds_the_same_front(tmp_path):
    drawn = run_experiment(write(tmp_path, SEARCH), tmp_path / "a", workers=1, progress=False)
    plain = run_experiment(write(tmp_path, SEARCH), tmp_path / "b", workers=1, progress=False, charts=False)
    assert not (tmp_path / "b" / "search" / "pareto.png").exists()
    assert drawn.search.front.equals(plain.search.front)


def test_interrupted_search_resumes_to_the_same_front(tmp_path, monkeypatch):
    from model.robust import search as search_module

    exp = write(tmp_path, {**SEARCH, "search": {**SEARCH["search"], "trials": 60, "population": 12}})
    whole = run_experiment(exp, tmp_path / "whole", workers=1, progress=False).search
    real, calls = search_module._evaluate, []

    def stops_in_the_third_generation(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(search_module, "_evaluate", stops_in_the_third_generation)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(exp, tmp_path / "resumed", workers=1, progress=False)
    monkeypatch.setattr(search_module, "_evaluate", real)
    resumed = run_experiment(exp, tmp_path / "resumed", workers=1, progress=False).search
    assert resumed.runs_done < whole.runs_done  # the first generations were read back, not run
    pd.testing.assert_frame_equal(resumed.trials, whole.trials)


def test_front_points_are_scenarios_run_and_compare_accept(tmp_path):
    exp = {
        "name": "modelsearch",
        "baseline": str(SCENARIOS / "baseline.yaml"),
        "replications": 1,
        "search": {"budget_msek_per_year": 100, "step_msek": 50, "duration_years": 2,
                   "levers": ["peer_review", {"type": "change_teams", "targets": [{"by": "capacity"}, {"by": "random",
                                                                                                       "share": 0.5}]}],
                   "trials": 4, "population": 2},
        "overrides": {"horizon_years": 2},
    }
    result = run_experiment(write(tmp_path, exp), tmp_path / "out", workers=1, progress=False)
    files = sorted((tmp_path / "out" / "search" / "front").glob("point-*.yaml"))
    assert files and len(files) == len(result.search.front)
    for path in files:
        scenario = load_scenario(path)
        assert scenario.budget_msek_per_year == 100 and scenario.horizon_years == 2
    plan_comparison([str(p) for p in files], str(files[0]))  # comparable with each other: compare accepts them
