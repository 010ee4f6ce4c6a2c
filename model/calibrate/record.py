"""A run's fit against the observed record: what ``spridning run`` says of a scenario whose innovations are
series of Socialstyrelsen's welfare-technology record (``model/data/observed/``).

The series, how each is measured (derived series: ``not_in_use`` of one innovation, ``in_use`` of any of
several) and each target's tolerance are the shipped calibration's (:data:`CALIBRATION`,
``calibrations/welfare_technology.yaml``): a target is the calibration's :class:`~.plan.Target` (built by
:func:`.plan._targets`, the one home of that mapping) and is measured on a run as the fit measures it
(:func:`.simulate.target_values`, :func:`.simulate.yearly_paths`). A target is *met* as in the calibration
and ``docs/validation.md``: the mean over the run's replications (over draws x replications when the run
uses the posterior ensemble) lies within two standard deviations of the observed share, the binomial
sampling error and the calibration's model discrepancy combined (:func:`.predictive.target_table`). The
2020 surge and the 2022→2023 drop in disability care are judged by :mod:`.patterns` (the drop within half
of its recorded size).

How a run gets there: every replication is measured where it ran (:func:`run_record`, called by
:func:`model.batch.folder_parts`: only numbers travel); the results folder's writer hands them to
:func:`write_record` (``record_runs.csv``, ``record_fit.csv``, ``record_patterns.csv``), and ``run`` prints
them (:func:`fit_lines`). A scenario none of whose innovations is a series of the record gets none of this.
The mapping of the series is read from the repository's calibration file; where it is absent (a package
installed without the repository) a run says nothing of the record.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, validate_mapping
from ..results import write_csv
from ..stages import QUARTERS_PER_YEAR
from ..world.organisations import MUNICIPALITY
from .observed import OBSERVED_FILE, read_by_size, read_observed
from .plan import Target, _targets
from .schema import Calibration
from .simulate import series_measures, target_values, yearly_paths

if TYPE_CHECKING:
    from .predictive import Predictive

#: the calibration whose series, measures and tolerances a run is compared with (the shipped posterior's)
CALIBRATION = Path(__file__).resolve().parents[2] / "calibrations" / "welfare_technology.yaml"
#: the files a run with record targets writes into its results folder
RUNS_FILE, FIT_FILE, PATTERNS_FILE = "record_runs.csv", "record_fit.csv", "record_patterns.csv"
#: the columns of ``record_fit.csv`` (shares as fractions; ``sd`` the tolerance's standard deviation)
FIT_COLUMNS = ["series", "band", "year", "measure", "observed", "mean", "band_low", "band_high", "sampling_sd",
               "discrepancy", "sd", "tolerance", "miss_sd", "met"]


@lru_cache(maxsize=4)
def _calibration(path: str) -> tuple[Calibration, Path] | None:
    """The calibration file ``path`` validated (and its folder), or None when there is none."""
    from ..yamlio import read_yaml

    if not Path(path).is_file():
        return None
    data, where = read_yaml(path)
    return validate_mapping(Calibration, data, path, "a calibration", where), Path(path).parent


@lru_cache(maxsize=8)
def _points(observed: str, by_size: bool) -> tuple:
    return tuple(read_observed(observed)) + (tuple(read_by_size()) if by_size else ())


@lru_cache(maxsize=16)
def resolve(innovations: tuple[str, ...], start_year: int, horizon_years: int,
            calibration: str = str(CALIBRATION)) -> tuple[tuple[Target, ...], int]:
    """The calibration's targets that a run of municipal ``innovations`` from ``start_year`` over
    ``horizon_years`` can be compared with, and the survey quarter: each series of the calibration whose
    innovations are all among ``innovations``, with its observed points in the simulated years (a
    shortened run keeps the points it reaches). ``()`` when none (or no calibration file)."""
    found = _calibration(calibration)
    if found is None:
        return (), 1
    cal, folder = found
    known = set(innovations)
    wanted = [s for s in cal.targets.series
              if set([s.innovation] if isinstance(s.innovation, str) else s.innovation or [s.series]) <= known]
    if not wanted:
        return (), cal.targets.quarter
    observed = folder / cal.targets.observed if cal.targets.observed else OBSERVED_FILE
    points = list(_points(str(observed), any(s.by_size for s in wanted)))
    # what the calibration's target builder reads of a scenario (a worker has the run's outcomes, not its scenario)
    scenario = SimpleNamespace(start_year=start_year, horizon_years=horizon_years,
                               innovations=[SimpleNamespace(name=n, applies_to=["municipality"]) for n in innovations])
    end = start_year + horizon_years
    out: list[Target] = []
    for i, s in enumerate(wanted):
        years = [p.year for p in points if p.series == s.series and p.band is None and start_year <= p.year < end
                 and (s.years is None or p.year in s.years)]
        if years:
            problems: list[Problem] = []
            out += _targets(s.model_copy(update={"years": years}), i, cal, scenario, points, problems)
    return tuple(out), cal.targets.quarter


def scenario_targets(scenario: Any) -> tuple[tuple[Target, ...], int]:
    """:func:`resolve` for a :class:`~model.scenario.Scenario` (its innovations that apply to municipalities)."""
    names = tuple(i.name for i in scenario.innovations if "municipality" in i.applies_to)
    return resolve(names, scenario.start_year, scenario.horizon_years)


def run_record(outcome: Any) -> dict[str, Any] | None:
    """One run's values of the record's targets (by key) and each measured series' share in the survey
    quarter of every simulated year (``paths``: series -> list by year), or None when the run's innovations
    are no series of the record. Computed where the run ran."""
    muni = outcome.orgs.kind == MUNICIPALITY
    names = tuple(n for k, n in enumerate(outcome.innovation_names) if outcome.applicable[muni, k].any())
    horizon = (outcome.stage_history.shape[0] - 1) // QUARTERS_PER_YEAR
    try:
        targets, quarter = resolve(names, int(outcome.start_year), horizon)
    except InputError:  # a broken calibration file is the calibration's to report, not every run's
        return None
    if not targets:
        return None
    measures = series_measures(list(targets))
    paths = yearly_paths(outcome, measures, quarter)
    return {"targets": target_values(outcome, list(targets)),
            "paths": {m.series: [float(v) for v in paths[i]] for i, m in enumerate(measures)}}


def predictive(records: Sequence[dict[str, Any]], start_year: int, per_draw: int = 0) -> Predictive:
    """The runs' records as a :class:`~.predictive.Predictive` (run = draw x ``per_draw`` + replication;
    ``per_draw`` 0: one draw), so that the calibration's tables and pattern checks read them."""
    from .predictive import Predictive

    per = per_draw or max(len(records), 1)
    cols = ["run", "draw", "replication"]
    targets = [(i, i // per, i % per, key, value) for i, r in enumerate(records) for key, value in r["targets"].items()]
    paths = [(i, i // per, i % per, series, start_year + y, value) for i, r in enumerate(records)
             for series, values in r["paths"].items() for y, value in enumerate(values)]
    return Predictive(draws=pd.DataFrame(), targets=pd.DataFrame(targets, columns=cols + ["key", "value"]),
                      paths=pd.DataFrame(paths, columns=cols + ["series", "year", "value"]),
                      bands=pd.DataFrame(columns=cols + ["series", "band", "value"]),
                      early=pd.DataFrame(columns=cols + ["ratio"]), start_year=start_year)


def fit_table(targets: Sequence[Target], runs: Predictive) -> pd.DataFrame:
    """Each target: observed share, the runs' mean and 95 % band, the tolerance (``sd``, and ``tolerance`` =
    two of it) and met or missed (:func:`.predictive.target_table`, as the calibration judges them)."""
    from .predictive import MET_SDS, target_table

    table = target_table(list(targets), {t.key for t in targets}, runs)
    table = table.rename(columns={"predicted": "mean"}).assign(tolerance=lambda t: MET_SDS * t["sd"])
    return table[FIT_COLUMNS]


def write_record(scenario: Any, records: Sequence[dict[str, Any] | None], folder: Path, per_draw: int = 0) -> bool:
    """Write ``record_runs.csv`` (every run's value of every target), ``record_fit.csv`` (:func:`fit_table`)
    and ``record_patterns.csv`` (the surge and the drop, where the run reaches their years) into ``folder``
    when ``records`` (one per run, from :func:`run_record`) hold any; whether they did."""
    if not records or any(r is None for r in records):
        return False
    try:
        targets, _ = scenario_targets(scenario)
    except InputError:  # a broken calibration file is the calibration's to report (spridning calibrate)
        return False
    if not targets:
        return False
    from .patterns import checks_frame, disability_discontinuance, surge_then_stall

    runs = predictive(records, scenario.start_year, per_draw)
    write_csv(runs.targets, folder / RUNS_FILE)
    write_csv(fit_table(targets, runs), folder / FIT_FILE)
    checks = [c for c in (surge_then_stall(runs), disability_discontinuance(runs)) if c.reproduced is not None]
    if checks:
        write_csv(checks_frame(checks), folder / PATTERNS_FILE)
    return True


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def fit_lines(folder: Path) -> list[str]:
    """What ``run`` prints of a results folder's fit against the record (nothing when it has none): a line
    per target — series (size band), year, measure, observed, the runs' mean and 95 % band, the tolerance,
    met or missed — the number met, and the pattern checks."""
    path = Path(folder) / FIT_FILE
    if not path.is_file():
        return []
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    names = [f"{r.series} [{r.band}]" if isinstance(r.band, str) and r.band else r.series for r in table.itertuples()]
    width = max(map(len, names + ["series"]))
    lines = ["Fit against the record (Socialstyrelsen's surveys; a target is met within two sd: its sampling "
             "error and the calibration's model discrepancy)",
             f"  {'series':{width}s} {'year':>4s} {'measure':10s} {'observed':>8s} {'run mean (95 % band)':>20s} "
             f"{'tolerance':>9s}  verdict"]
    for name, r in zip(names, table.itertuples()):
        band = f"{_pct(r.mean)} ({100 * r.band_low:.0f}-{100 * r.band_high:.0f})"
        lines.append(f"  {name:{width}s} {r.year:4d} {r.measure:10s} {_pct(r.observed):>8s} {band:>20s} "
                     f"{'±' + format(100 * r.tolerance, '.0f') + ' pp':>9s}  {'met' if r.met else 'missed'}")
    lines.append(f"  {int(table['met'].sum())} of {len(table)} targets met")
    patterns = Path(folder) / PATTERNS_FILE
    if patterns.is_file():
        for r in pd.read_csv(patterns).itertuples():
            shown = ("" if r.share_of_runs != r.share_of_runs else
                     f"; the whole pattern within tolerance in {100 * r.share_of_runs:.0f} % of single runs")
            lines += [f"  pattern: {r.pattern}: {r.verdict}", f"    record: {r.observed}",
                      f"    run: {r.model}{shown}"]
        lines.append("  (a pattern is reproduced when the runs' median change lies within the record's tolerance)")
    lines.append(f"  ({FIT_FILE}, {PATTERNS_FILE} and {RUNS_FILE} in the folder)")
    return lines
