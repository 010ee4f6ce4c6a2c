"""Robustness of intervention portfolios across plausible worlds: regret, satisficing, pairwise wins,
ranking stability, value of information, scenario discovery (PRIM) and a budget search (NSGA-II).

    from model.robust import run_experiment
    result = run_experiment("experiments/robust_portfolios.yaml", workers=2)
    result.table("regret")          # mean and maximum regret per portfolio and criterion
    result.table("satisficing")     # share of worlds meeting the thresholds, with intervals

The command line is ``spridning robust EXPERIMENT``; see ``docs/robustness.md``. The HTML report calls
:func:`robustness_section` on a results folder. Names are imported on first use.

Layers, each importing only those above it in this list (and :mod:`model.sensitivity`'s machinery):

``schema``     the experiment file as a pydantic schema, read with the line of every key
``worlds``     factors resolved (as in sensitivity experiments); worlds drawn (LHS, Sobol') or read from a
               calibration posterior
``plan``       portfolios loaded and checked comparable; the resolved experiment and its seeds
``evaluate``   what a worker runs (a chunk of world x portfolio x replication runs); the backends; the
               trial run
``stream``     chunks streamed to Parquet, fingerprint and resume
``metrics``    distributions, regret, satisficing, pairwise wins, ranks (plain arrays)
``discovery``  PRIM boxes of the worlds where a portfolio fails (EMA Workbench)
``voi``        the value of information: EVPI, EVPPI per parameter (regression method, Strong et al. 2014)
``voi_text``   the value of information in words (the summary's and the report's section)
``search``     the budget search: allocations and targeting, Optuna's NSGA-II, the Pareto front
``outputs``    tables, the summary, charts and the manifest written
``study``      loading, :func:`run_experiment`
``report``     :func:`robustness_section`, an HTML fragment of a results folder
"""

from importlib import import_module

_WHERE = {
    "RobustPlan": "plan", "RobustResult": "study", "load_experiment": "study", "parse_experiment": "study",
    "run_experiment": "study", "robustness_section": "report",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
