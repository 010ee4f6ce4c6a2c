"""Results from Python: one run that plots itself, and replications with means, bands and a plot.

``model.run`` and ``model.replicate`` (the package's API, :mod:`model`) return these; they are the
runner's results (:func:`model.runner.run`, :func:`model.runner.replicate`) with methods for an analyst
in a notebook, as Covasim's ``sim.plot()`` and Starsim's ``MultiSim``::

    outcomes = model.run(scenario, seed=1)
    outcomes.plot()                     # adoption over time: a matplotlib Figure
    runs = model.replicate(scenario, replications=20)
    runs[0], len(runs), list(runs)      # a list of the runs, as before
    runs.mean()                         # each scalar outcome's mean over the runs (a pandas Series)
    runs.summary                        # mean, 95 % interval of the mean, 2.5-97.5 % of runs, per outcome
    runs.timeseries                     # per quarter, innovation, group and measure: mean and band
    runs.plot()                         # the curves with their band

The drawing is :func:`model.charts.scenario.diffusion_chart`, the chart of ``spridning run``; the
intervals are :func:`model.results.summary_table`'s and the bands :func:`model.charts.shaping.mean_band`'s,
so numbers and pictures are those of a results folder.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from .batch import replication_table
from .outcomes.collect import Outcomes
from .results import summary_table
from .runner import replicate as _replicate
from .runner import run as _run
from .scenario import Scenario

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn (``model.run`` stays without it)
    from matplotlib.figure import Figure

#: the per-quarter measures :attr:`Replications.timeseries` summarises (columns of ``Outcomes.timeseries``)
MEASURES = ("adoption_share", "adoption_share_pop", "piloting_share", "stalled_share", "pilots_started",
            "pilots_scaled", "pilots_stalled", "adoptions_dropped")
#: the columns that identify a row of a run's timeseries
KEYS = ["step", "year", "innovation", "group_type", "group"]


class Run(Outcomes):
    """The outcomes of one run (:class:`~model.outcomes.collect.Outcomes`) that can draw themselves."""

    @classmethod
    def of(cls, outcomes: Outcomes) -> "Run":
        """``outcomes`` as a :class:`Run` (the same arrays and already-computed frames, nothing copied)."""
        if isinstance(outcomes, cls):
            return outcomes
        run = cls.__new__(cls)
        run.__dict__.update(outcomes.__dict__)
        return run

    def plot(self, lang: str = "en") -> Figure:
        """Adoption over time — all innovations, unweighted and weighted by population, and one panel per
        innovation — as ``spridning run`` draws it (a single run: lines, no band). Returns the matplotlib
        Figure (``fig.savefig("adoption.png")``); in a notebook it shows itself. ``lang``: ``en`` or
        ``sv``."""
        from .charts.scenario import diffusion_chart

        return diffusion_chart(self.timeseries, title=self.scenario_name, lang=lang)


class Replications(list):
    """The replications of a scenario: a list of :class:`Run` in replication order (index, iterate,
    ``len`` as on a list) with summaries over them. Frames are computed on first use and kept: do not
    modify them, or the list, afterwards."""

    @cached_property
    def _table(self) -> pd.DataFrame:
        return replication_table([run.summary for run in self])

    @property
    def replications(self) -> pd.DataFrame:
        """One row per replication (column ``replication``), one column per scalar outcome."""
        return self._table

    def mean(self) -> pd.Series:
        """Each scalar outcome's mean over the replications (indexed by outcome name)."""
        return self._table.drop(columns="replication").mean()

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Per scalar outcome: the mean over replications, the 95 % confidence interval of the mean
        (``ci95_low``, ``ci95_high``) and where 95 % of single runs fall (``run_p2.5``, ``run_p97.5``), as in
        a results folder's ``summary.csv`` (:func:`model.results.summary_table`)."""
        return summary_table(self._table.drop(columns="replication"))

    @cached_property
    def stacked(self) -> pd.DataFrame:
        """Every run's ``timeseries`` stacked, with a ``replication`` column (as ``timeseries.parquet``)."""
        return pd.concat([run.timeseries.assign(replication=r) for r, run in enumerate(self)], ignore_index=True)

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """Per quarter (``step``, ``year``), innovation, group and ``measure`` (:data:`MEASURES`): the
        ``mean`` over replications, the band where 95 % of runs fall (``low``, ``high``: the 2.5th and 97.5th
        percentiles) and ``n``, the replications with a value."""
        from .charts.shaping import mean_band

        frames = [mean_band(self.stacked, measure, by=KEYS).assign(measure=measure) for measure in MEASURES
                  if measure in self.stacked.columns]
        return pd.concat(frames, ignore_index=True)[KEYS + ["measure", "mean", "low", "high", "n"]]

    def plot(self, lang: str = "en") -> Figure:
        """Adoption over time as ``spridning run`` draws it: the mean over replications with the band where
        95 % of runs fall. Returns the matplotlib Figure. ``lang``: ``en`` or ``sv``."""
        name = self[0].scenario_name if self else ""
        from .charts.scenario import diffusion_chart

        return diffusion_chart(self.stacked, title=name, lang=lang)


def run(scenario: Scenario, seed: Any = None) -> Run:
    """One run of ``scenario`` with ``seed`` (:func:`model.runner.run`), as a :class:`Run`."""
    return Run.of(_run(scenario, seed))


def replicate(scenario: Scenario, replications: int | None = None, seed: int | None = None,
              workers: int | None = None, progress: Callable[[int], None] | None = None,
              announce: Callable[[str], None] | None = None) -> Replications:
    """The replications of ``scenario`` (:func:`model.runner.replicate`: replications 0 to R-1 of root seed
    ``seed``, default the scenario's) as :class:`Replications`."""
    runs = _replicate(scenario, replications, seed, workers, progress, announce)
    return Replications(Run.of(outcome) for outcome in runs)
