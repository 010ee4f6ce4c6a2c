"""The diffusion model in a robust experiment (two years, two worlds, one replication): the cost per
extra adoption against the baseline, the files and charts, --check, and the report's section."""

from __future__ import annotations

import json

import numpy as np

from model.cli import main
from model.robust import robustness_section
from model.robust.schema import COST
from model.robust.study import run_experiment

from .common import SCENARIOS, write

EXP = {
    "name": "tiny",
    "baseline": str(SCENARIOS / "baseline.yaml"),
    "portfolios": [str(SCENARIOS / "portfolio_status_quo.yaml"), str(SCENARIOS / "portfolio_sustaingov.yaml")],
    "overrides": {"horizon_years": 2},
    "factors": [{"path": "parameters.pilot_start_rate", "bounds": [0.1, 0.4]}],
    "worlds": {"sampler": "lhs", "n": 2},
    "replications": 1,
    "thresholds": {"final_adoption": {"min": 0.0}},
}


def test_portfolios_of_the_model(tmp_path, capsys):
    path = write(tmp_path, EXP)
    assert main(["robust", str(path), "--check"]) == 0
    assert "2 worlds x 3 portfolios x 1 replications = 6" in capsys.readouterr().out
    result = run_experiment(path, tmp_path / "out", workers=1, progress=False)
    cost = result.analysis.values[COST]
    assert np.isnan(cost[:, 0]).all() and (cost[:, 1:] > 0).all()  # the baseline has none; portfolios spend
    names = {p.name for p in result.plan.portfolios}
    assert names == {"baseline", "portfolio_status_quo", "portfolio_sustaingov"}
    out = tmp_path / "out"
    for name in ("regret.csv", "satisficing.csv", "pairwise.csv", "summary.md", "charts/regret.png",
                 "charts/distributions.png", "world_outcomes.parquet"):
        assert (out / name).exists(), name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["worlds"]["n"] == 2 and manifest["baseline"] == "baseline"
    section = robustness_section(out)
    assert section.startswith('<section class="robustness">') and "data:image/png;base64," in section


def test_the_portfolios_of_a_world_share_its_uniforms_and_give_the_unshared_runs(tmp_path):
    # a robust study runs every portfolio of a world on the world's seeds, so its evaluator shares the life-cycle
    # uniforms drawn from them (model.dynamics.uniforms); each run must still be the run that draws its own
    from model.dynamics import uniforms
    from model.model import InnovationModel
    from model.robust.evaluate import evaluator, make_job
    from model.robust.plan import world_seed
    from model.robust.study import load_experiment
    from model.scenario import load_scenario, with_overrides
    from model.sensitivity.evaluate import fresh

    plan = load_experiment(write(tmp_path, EXP), probe_runs=False)
    evaluate = evaluator(make_job(plan, "shared uniforms"))
    seeds = [world_seed(plan.seed, world, 0) for world in range(2)]
    try:
        shared = [evaluate(p, plan.worlds.values[w], fresh(seeds[w])) for w in range(2) for p in range(3)]
        base = with_overrides(load_scenario(SCENARIOS / "baseline.yaml"), {"horizon_years": 2})
        built = [InnovationModel(base, fresh(seeds[0])).context.draws.lifecycle for _ in range(2)]
        assert built[0] is built[1]  # sharing is on where the study's runs ran
        uniforms.share(0)
        alone = [evaluate(p, plan.worlds.values[w], fresh(seeds[w])) for w in range(2) for p in range(3)]
    finally:
        uniforms.share(0)
    for got, want in zip(shared, alone):
        assert got.keys() == want.keys()
        assert np.array_equal([got[k] for k in want], [want[k] for k in want], equal_nan=True)
