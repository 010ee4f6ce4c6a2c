"""A tiny calibration problem shared by the calibration tests: two innovations over six years among the
municipalities only, observed shares made by the model itself from known parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

TRUE = {"p_external": 0.04, "pilot_start_rate": 0.5}
YEARS = (2012, 2013, 2014, 2015)

SCENARIO = """\
name: tiny
start_year: 2010
horizon_years: 6
replications: 2
seed: 7
world: {regions: false, agencies: false}
innovations:
  - {name: alpha, complexity: 0.3, evidence: 0.3}
  - {name: beta, complexity: 0.6, evidence: 0.2}
"""

CALIBRATION = """\
name: tiny_fit
scenario: tiny.yaml
seed: 11
parameters:
  - path: parameters.p_external
    prior: loguniform
    low: 0.005
    high: 0.2
  - path: parameters.pilot_start_rate
    low: 0.05
    high: 1.0
targets:
  observed: observed.csv
  discrepancy: 0.01
  series: [alpha, beta]
budget:
  runs: {runs}
  population: {population}
  generations: {generations}
ensemble:
  draws: 6
  replications: 2
"""


def synthetic_observed(folder: Path) -> Path:
    """``observed.csv`` in ``folder``: the mean in-use shares of 20 runs of the tiny scenario at the known
    parameters (:data:`TRUE`), in the columns of the shipped observed file."""
    from model.calibrate.simulate import SeriesMeasure, yearly_paths
    from model.runner import replication_seed, run
    from model.scenario import load_scenario, with_overrides

    scenario = with_overrides(load_scenario(folder / "tiny.yaml"),
                              {f"parameters.{k}": v for k, v in TRUE.items()})
    measures = [SeriesMeasure(n, (n,), "in_use") for n in ("alpha", "beta")]
    paths = np.mean([yearly_paths(run(scenario, replication_seed(99, r)), measures, 1) for r in range(20)], axis=0)
    lines = ["innovation,year,size_group,share_pct,n_municipalities,source_url"]
    for i, m in enumerate(measures):
        for year in YEARS:
            lines.append(f"{m.series},{year},all,{100 * paths[i, year - 2010]:.2f},,synthetic")
    path = folder / "observed.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_problem(folder: Path, runs: int = 2500, population: int = 100, generations: int = 6) -> Path:
    """The tiny scenario, its synthetic observations and a calibration file in ``folder``; returns the
    calibration file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny.yaml").write_text(SCENARIO, encoding="utf-8")
    synthetic_observed(folder)
    path = folder / "tiny_fit.yaml"
    path.write_text(CALIBRATION.format(runs=runs, population=population, generations=generations),
                    encoding="utf-8")
    return path


def pytest_configure(config):
    # until the project registers it for every test folder (a second registration is harmless)
    config.addinivalue_line("markers", "slow: takes more than about 5 s (excluded from the fast tier)")


@pytest.fixture(scope="package")
def problem(tmp_path_factory) -> Path:
    """The calibration file of the tiny problem (at most 2500 runs, 100 per generation, 6 generations)."""
    return write_problem(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="package")
def straight(problem, tmp_path_factory):
    """The tiny problem fitted without interruption, on two worker processes."""
    from model.calibrate.fit import fit
    from model.calibrate.plan import load_calibration

    return fit(load_calibration(problem), tmp_path_factory.mktemp("straight") / "fit", workers=2, progress=False)
