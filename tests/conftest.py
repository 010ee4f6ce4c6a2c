"""Shared fixtures: scenarios are loaded once; runs are short (about 5 ms each)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import model
from tests.support import mechanism_world

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def baseline() -> model.Scenario:
    """The shipped baseline in the mechanism tests' world (:func:`tests.support.mechanism_world`)."""
    return mechanism_world(model.load_scenario(SCENARIOS / "baseline.yaml"))


def _paired_difference(scenario_a, scenario_b, outcome, reps=30, seed=0):
    """Mean and standard error of outcome(b) - outcome(a) over paired runs on common random numbers."""
    diffs = []
    for s in range(reps):
        a = model.run(scenario_a, seed=seed + s).summary[outcome]
        b = model.run(scenario_b, seed=seed + s).summary[outcome]
        diffs.append(b - a)
    diffs = np.array(diffs)
    return diffs.mean(), diffs.std(ddof=1) / np.sqrt(len(diffs))


@pytest.fixture(scope="session")
def paired_difference():
    """``paired_difference(a, b, outcome, reps=30)`` -> (mean of b - a, standard error)."""
    return _paired_difference


def pytest_configure(config):
    """Register the ``slow`` marker (subprocesses, browsers, large runs) unless pyproject.toml already does."""
    if not any(line.startswith("slow") for line in config.getini("markers")):
        config.addinivalue_line("markers", "slow: takes more than a few seconds or starts processes")
