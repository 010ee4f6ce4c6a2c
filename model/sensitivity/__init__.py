"""Sensitivity analysis and sweeps at scale (Sobol', Morris) over model and lever parameters.

    from model.sensitivity import run_experiment
    result = run_experiment("experiments/sobol_main.yaml", workers=2)
    result.indices("final_adoption")       # S1, S1_conf, ST, ST_conf per factor
    result.warnings                        # convergence and noise warnings

The command line is ``spridning sensitivity EXPERIMENT``; see ``docs/sensitivity.md``.
Names are imported on first use, so ``spridning`` starts fast when it only registers the command.
"""

from importlib import import_module

_WHERE = {
    "Experiment": "experiment", "Plan": "experiment", "load_experiment": "experiment",
    "parse_experiment": "experiment", "RunFailed": "engines", "SensitivityResult": "study",
    "run_experiment": "study",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
