"""A comparison's tables, computed from its scenarios' results folders (not from runs in memory).

Each scenario's folder (:mod:`model.batch`) holds ``replications.csv`` (one row of scalar outcomes per
replication) and ``municipalities.parquet`` (each municipality's final state per replication). Replication
*r* of every scenario ran on the same seed, so row *r* of one folder is paired with row *r* of the
baseline's. Only the columns the tables need are read, and the municipalities of at most two scenarios
(the baseline's and one other) are in memory at once, so memory grows with the replications by about
50 kB a replication, not by the runs' 2 MB.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..names import safe_file_name
from ..outcomes.catalogue import COMPARED
from ..outcomes.catalogue import outcome as outcome_of
from ..outcomes.intervals import mean_interval
from ..results import write_csv
from .effects import dependence_from_runs

#: the columns of ``municipalities.parquet`` the differences by group read
GROUP_COLUMNS = ["replication", "code", "county", "size_band", "skr_group", "adoption_share"]
COST_ROW = "cost_per_extra_adoption_msek"


def _table(source: Any) -> pd.DataFrame:
    return source if isinstance(source, pd.DataFrame) else source.replications


def comparison_table(runs: Mapping[str, Any], baseline: str) -> pd.DataFrame:
    """One row per scenario and outcome: mean with 95 % CI, and the paired difference to the baseline.

    ``runs``: scenario name -> its replications table (one row per replication, in replication order,
    one column per scalar outcome) or results with such a ``replications`` table
    (:class:`model.batch.ScenarioResults`). InputError when ``baseline`` is not among them."""
    from ..errors import InputError

    if baseline not in runs:
        raise InputError(f"baseline '{baseline}' is not among the scenarios: {', '.join(runs)}")
    base = _table(runs[baseline])
    rows = []
    for name, result in runs.items():
        reps = _table(result)
        for outcome in COMPARED:
            values = reps[outcome].to_numpy(dtype=float)
            mean, low, high = mean_interval(values, share=outcome_of(outcome).format == "percent")
            diff, dlow, dhigh = mean_interval(values - base[outcome].to_numpy(dtype=float))
            rows.append(dict(scenario=name, outcome=outcome, mean=mean, ci95_low=low, ci95_high=high,
                             diff_vs_baseline=diff, diff_ci95_low=dlow, diff_ci95_high=dhigh))
        extra = (reps["adoptions_final"] - base["adoptions_final"]).mean()
        spend = (reps["spend_msek"] - base["spend_msek"]).mean()  # head to head when the baseline spends
        cost = spend / extra if extra > 0 and name != baseline else np.nan
        rows.append(dict(scenario=name, outcome=COST_ROW, mean=cost, ci95_low=np.nan,
                         ci95_high=np.nan, diff_vs_baseline=np.nan, diff_ci95_low=np.nan, diff_ci95_high=np.nan))
    return pd.DataFrame(rows)


RANKING_COLUMNS = ["outcome", "scenario", "share_best", "share_beats_baseline", "units", "n"]


def unit_values(runs: Mapping[str, pd.DataFrame], outcome: str) -> pd.DataFrame:
    """``outcome`` per unit (rows) and scenario (columns, in ``runs``' order), the units paired across
    scenarios: posterior draws (each draw's mean over its replications; NaNs left out) when the tables have
    a ``draw`` column, else replications (row by row). ``runs``: as for :func:`ranking_table`."""
    by_draw = all("draw" in reps.columns for reps in runs.values())
    return pd.DataFrame({name: (reps.groupby("draw")[outcome].mean() if by_draw else
                                reps[outcome].reset_index(drop=True)) for name, reps in runs.items()})


def ranking_table(runs: Mapping[str, pd.DataFrame], baseline: str) -> pd.DataFrame:
    """In how many units each scenario ranks first, and beats the baseline, on each compared outcome with a
    preferred direction (:data:`RANKING_COLUMNS`, one row per outcome and scenario, in ``runs``' order).

    ``runs``: scenario name -> its replications table (one row per run, paired across scenarios by row;
    with a ``draw`` column for a posterior ensemble). A *unit* is a posterior draw — the mean of the draw's
    paired replications — when the baseline's table has ``draw``, else a replication (``units`` says which).
    ``share_best``: share of units in which the scenario is best (ties shared equally among the tied);
    ``share_beats_baseline``: share in which it is strictly better than the baseline (NaN for the baseline).
    Units where an outcome is undefined (NaN) for any scenario are left out of that outcome; ``n`` is the
    units counted. Outcomes the tables do not have are left out."""
    by_draw = "draw" in runs[baseline].columns
    rows = []
    for outcome in COMPARED:
        better = outcome_of(outcome).better
        if better is None or outcome not in runs[baseline].columns:
            continue
        values = unit_values(runs, outcome).dropna() * (1.0 if better == "higher" else -1.0)
        best = values.eq(values.max(axis=1), axis=0)
        shares = best.div(best.sum(axis=1), axis=0).mean() if len(values) else best.sum() * np.nan
        beats = values.gt(values[baseline], axis=0).mean() if len(values) else shares * np.nan
        for name in runs:
            rows.append(dict(outcome=outcome, scenario=name, share_best=float(shares[name]),
                             share_beats_baseline=np.nan if name == baseline else float(beats[name]),
                             units="posterior draws" if by_draw else "replications", n=len(values)))
    return pd.DataFrame(rows, columns=RANKING_COLUMNS)


def read_replications(folder: Path) -> pd.DataFrame:
    """A results folder's ``replications.csv`` (one row per replication, in order), its numbers exactly as
    the runs gave them (CSV keeps the shortest text that reads back to the same float, and pandas reads it
    back exactly)."""
    return pd.read_csv(Path(folder) / "replications.csv")


class FinalShares(Mapping):
    """Scenario name -> its municipalities' final state (:data:`GROUP_COLUMNS`, every replication), read
    from its folder's ``municipalities.parquet`` each time it is asked for and held by no one here, so a
    caller walking the scenarios holds one at a time."""

    def __init__(self, folders: Mapping[str, Path]) -> None:
        self.folders = dict(folders)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.folders[name] / "municipalities.parquet", columns=GROUP_COLUMNS)

    def __contains__(self, name: object) -> bool:
        return name in self.folders  # without reading the file, as Mapping's would

    def __iter__(self) -> Iterator[str]:
        return iter(self.folders)

    def __len__(self) -> int:
        return len(self.folders)


def write_comparison_outputs(folder: Path, names: list[str], baseline: str, lang: str = "en") -> pd.DataFrame:
    """Into ``folder``, whose scenario folders (``names``, each in :func:`model.names.safe_file_name`'s
    sub-folder) are written: ``comparison.csv`` (long, its cost row with the bootstrap interval),
    ``comparison_wide.csv``, ``cost_effectiveness.csv`` (cost per extra adoption of money *used*, with its
    bootstrap interval, and the frontier), ``differences_by_group.csv``, ``ranking.csv``
    (:func:`ranking_table`), ``comparison.md`` and ``comparison.xlsx`` (and their Swedish ``.sv`` versions
    with ``lang`` ``sv``), all read
    from the scenario folders' files. Returns the long table as written."""
    from ..charts.style import scenario_labels
    from ..report.costs import cost_effectiveness
    from ..report.folder import RunFolder
    from ..report.groups import group_differences
    from ..report.memo import wide_table
    from ..report.memo_files import write_memos

    paths = {name: Path(folder) / safe_file_name(name) for name in names}
    folders = {name: RunFolder.read(path) for name, path in paths.items()}
    replications = {name: read_replications(path) for name, path in paths.items()}
    table = comparison_table(replications, baseline)
    costs = cost_effectiveness({n: r["adoptions_final"].to_numpy(float) for n, r in replications.items()},
                               {n: f.used_per_replication() for n, f in folders.items()}, baseline,
                               budgeted={n: f.budgeted() for n, f in folders.items()},
                               paid={n: f.spend_per_replication() for n, f in folders.items()})
    ratio = costs.set_index("scenario")
    cost_rows = table["outcome"] == COST_ROW
    for column, source in (("mean", ""), ("ci95_low", "_low"), ("ci95_high", "_high")):
        table.loc[cost_rows, column] = table.loc[cost_rows, "scenario"].map(
            ratio[f"{COST_ROW}{source}"]).to_numpy(float)
    targets = {n: [(p.name or p.type, p.target) for p in f.levers if p.budget_msek_per_year > 0]
               for n, f in folders.items()}
    groups = group_differences(FinalShares(paths), baseline, targets)
    labels = scenario_labels({n: f.description for n, f in folders.items()})
    write_csv(table, folder / "comparison.csv")
    write_csv(wide_table(table, costs, labels), folder / "comparison_wide.csv")
    write_csv(costs, folder / "cost_effectiveness.csv")
    write_csv(groups, folder / "differences_by_group.csv")
    write_csv(ranking_table(replications, baseline), folder / "ranking.csv")  # before the memo, which cites it
    dependence = dependence_from_runs(replications, baseline, paths[baseline])  # with --lever-effects
    if len(dependence):
        write_csv(dependence, folder / "ranking_dependence.csv")
    write_memos(Path(folder), folders, table, costs, baseline, groups, lang)  # comparison.md, .xlsx (and .sv.)
    return table
