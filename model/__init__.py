"""spridning: an agent-based model of how innovations spread across Sweden's public sector.

The Python API mirrors the command line::

    import model
    scenario = model.load_scenario("scenarios/baseline.yaml")
    outcomes = model.run(scenario, seed=1)
    outcomes.summary["final_adoption"], outcomes.timeseries, outcomes.municipalities
    outcomes.plot()                                       # adoption over time (a matplotlib Figure)
    runs = model.replicate(scenario, replications=20)     # a list of runs, with .mean(), .summary,
    runs.plot()                                           # .timeseries (bands) and .plot()

The names below are imported when first used (PEP 562), so ``import model`` and ``spridning --help`` do
not pay for Mesa, numba and pandas until a run needs them.
"""

from __future__ import annotations

import importlib
from typing import Any

from .version import __version__

#: public name -> the module that defines it
_API = {
    "InputError": "model.errors",
    "Scenario": "model.scenario",
    "load_scenario": "model.scenario",
    "parse_scenario": "model.scenario",
    "with_overrides": "model.scenario",
    "replicate": "model.replications",
}
__all__ = sorted([*_API, "run"]) + ["__version__"]


def run(scenario: Any, seed: Any = None) -> Any:
    """One run of ``scenario`` with ``seed`` as a :class:`model.replications.Run` (its outcomes, which plot
    themselves): :func:`model.replications.run`. In a fresh environment the compiling of the dynamics starts
    before pandas and the results' modules load (:func:`model.runner.compile_ahead`)."""
    from .runner import compile_ahead

    compile_ahead(scenario, seed)
    from .replications import run as run_one

    return run_one(scenario, seed)


def __getattr__(name: str) -> Any:
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'model' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
