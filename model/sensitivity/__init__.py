"""Sensitivity analysis and sweeps at scale (Sobol', Morris) over model and lever parameters.

    from model.sensitivity import run_experiment
    result = run_experiment("experiments/sobol_main.yaml", workers=2)
    result.indices("final_adoption")       # S1, S1_conf, ST, ST_conf per factor
    result.warnings                        # convergence and noise warnings

The command line is ``spridning sensitivity EXPERIMENT``; see ``docs/sensitivity.md``.
Names are imported on first use, so ``spridning`` starts fast when it only registers the command.

Layers, each importing only those above it in this list (never the other way):

``schema``        the experiment file as a pydantic schema; reserved names and result file names
``userfunction``  finding and loading a ``model: "module:function"``
``factors``       factors resolved against the scenario or function; bounds and sampled-value checks
``plan``          the resolved experiment: SALib problem, sample, model inputs, fingerprint definition
``evaluate``      what a worker runs (a job, a chunk of runs) and the trial run; the backend contract
``pool``          backends on this machine: in this process, or a process pool
``cluster``       the backend on a Dask cluster
``sweep``         chunks streamed to Parquet, resume, chunk size, a backend chosen
``analysis``      indices, diagnostics and warnings from the runs
``study``         loading, :func:`run_experiment`, the files and the manifest written
"""

from importlib import import_module

_WHERE = {
    "Experiment": "schema", "Plan": "plan", "load_experiment": "study", "parse_experiment": "study",
    "RunFailed": "evaluate", "SensitivityResult": "study", "run_experiment": "study",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
