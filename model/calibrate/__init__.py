"""Calibration: the model fitted to Sweden's welfare-technology record, and checked on what it was not fitted to.

    from model.calibrate import load_calibration, fit
    plan = load_calibration("calibrations/welfare_technology.yaml")
    result = fit(plan, "results/welfare_technology-calibration", workers=2)
    result.posterior            # parameter sets and weights (the last generation of ABC-SMC)

The command line is ``spridning calibrate CALIBRATION``; see ``docs/calibration.md`` and, for the checks
out of sample, ``docs/validation.md``. Names are imported on first use, so that ``spridning`` starts fast
(pyabc takes seconds to import) and ``--ensemble`` runs never import pyabc.

Modules, each importing only those above it in this list:

``observed``    the observed shares shipped with the package, with their sampling error
``schema``      the calibration file as a pydantic schema
``plan``        the file resolved against its scenario and the observed file: priors and targets
``simulate``    measures of a run (shares in use, adopted, by size band, early adopters) and the simulator
``ensemble``    posterior ensemble files, and running scenarios over them (``run``/``compare --ensemble``)
``sampler``     pyabc's sampling made reproducible (numbered, seeded candidates) on processes or Dask
``store``       pyabc's database verified: every generation recorded when stored and checked on resume
``fit``         ABC-SMC with pyabc: resumable, with progress
``predictive``  the posterior predictive: draws, runs measured in workers, targets met and missed
``patterns``    the reported patterns the fit did not use, and the gradient by municipality size
``outputs``     the files of a fit: posterior, calibrated scenario, ensemble, tables, charts
``validation``  leave-one-series-out fits and the pattern checks, written to ``docs/validation.md``
"""

from importlib import import_module

_WHERE = {
    "load_calibration": "plan", "parse_calibration": "plan", "CalibrationPlan": "plan", "fit": "fit",
    "FitResult": "fit", "load_ensemble": "ensemble", "run_ensemble": "ensemble", "calibrate": "outputs",
    "read_observed": "observed",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
