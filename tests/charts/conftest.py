"""Fixtures of the chart tests: synthetic frames with known values, and two real runs of the baseline."""

from __future__ import annotations

import pandas as pd
import pytest

import model
from tests.charts.support import ROOT, make_municipalities, make_timeseries


@pytest.fixture(scope="module")
def timeseries() -> pd.DataFrame:
    return make_timeseries()


@pytest.fixture(scope="module")
def municipalities() -> pd.DataFrame:
    return make_municipalities()


@pytest.fixture(scope="module")
def model_runs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two real runs of the baseline, stacked with a replication column (as ``model.batch`` does)."""
    scenario = model.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    outcomes = [model.run(scenario, seed=seed) for seed in (1, 2)]
    ts = pd.concat([o.timeseries.assign(replication=r) for r, o in enumerate(outcomes)], ignore_index=True)
    munis = pd.concat([o.municipalities.assign(replication=r) for r, o in enumerate(outcomes)], ignore_index=True)
    return ts, munis
