"""spridning: an agent-based model of how innovations spread across Sweden's public sector.

The Python API mirrors the command line::

    import model
    scenario = model.load_scenario("scenarios/baseline.yaml")
    outcomes = model.run(scenario, seed=1)
    outcomes.summary["final_adoption"], outcomes.timeseries, outcomes.municipalities
"""

from .errors import InputError
from .runner import replicate, run
from .scenario import Scenario, load_scenario, parse_scenario, with_overrides

__version__ = "0.1.0"
__all__ = ["InputError", "Scenario", "load_scenario", "parse_scenario", "replicate", "run", "with_overrides",
           "__version__"]
