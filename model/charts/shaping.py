"""The numbers behind the charts: pandas in, pandas out, nothing drawn.

The frames are those :mod:`model.batch` writes. ``timeseries`` has one row per (replication,) step,
innovation (or ``all``) and group: columns ``step``, ``year`` (the end of the quarter, fractional),
``innovation``, ``group_type`` (``overall``, ``kind``, ``size_band``, ...), ``group``, the shares
``adoption_share``, ``adoption_share_pop``, ``piloting_share``, ``stalled_share`` (0-1) and the counts of
the quarter's pilot events. ``municipalities`` has one row per (replication,) municipality at the end:
``code``, ``size_band``, ``adoption_share``, .... A single run's frame needs no ``replication`` column.

Uncertainty across replications is always summarised the same way: :func:`mean_band` gives the mean and
the 2.5th to 97.5th percentile of the replications (:data:`BAND`), where 95 % of runs fall.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..stages import ADOPTED, QUARTERS_PER_YEAR
from ..world.organisations import MUNICIPALITY, SIZE_BANDS

BAND = (2.5, 97.5)  # percentiles of the replications shaded around every mean
SMALL, LARGE = SIZE_BANDS[0], SIZE_BANDS[-1]
PILOT_EVENTS = ("pilots_started", "pilots_scaled", "pilots_stalled")

#: the rows of ``timeseries.parquet`` the charts draw (pyarrow filters, OR of ANDs): every innovation's
#: overall rows (:func:`~model.charts.scenario.diffusion_chart`), the size bands of all innovations together
#: (``size_band_chart``, ``gap_chart``) and all innovations' overall rows (``pilots_chart``)
OVERALL = [[("group_type", "==", "overall")]]
SIZE_BANDS_ALL = [[("group_type", "==", "size_band"), ("innovation", "==", "all")]]
ALL_OVERALL = [[("group_type", "==", "overall"), ("innovation", "==", "all")]]
CHART_ROWS = OVERALL + SIZE_BANDS_ALL
CHART_COLUMNS = ["step", "year", "innovation", "group_type", "group", "adoption_share", "adoption_share_pop",
                 "piloting_share", "stalled_share", *PILOT_EVENTS, "replication"]
#: the label columns, read as categories (a few bytes a row instead of a string each)
LABEL_COLUMNS = ["innovation", "group_type", "group"]
#: timeseries rows up to which the charts' rows are read (or gathered) once for all charts (a few MB)
READ_ONCE_ROWS = 2 ** 19


def with_replication(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``replication`` column (a single run's frame counts as replication 0)."""
    return frame if "replication" in frame.columns else frame.assign(replication=0)


def n_replications(frame: pd.DataFrame) -> int:
    """How many replications ``frame`` holds (1 without a ``replication`` column)."""
    return int(with_replication(frame)["replication"].nunique())


def select(timeseries: pd.DataFrame, innovation: str = "all", group_type: str = "overall",
           group: str | None = None) -> pd.DataFrame:
    """Rows of ``timeseries`` for one innovation (or ``all``) and group type (and optionally group).

    The result always has a ``replication`` column. Raises ValueError naming what is missing when
    ``timeseries`` lacks one of the columns ``innovation``, ``group_type``, ``group``, ``year``, or has
    no rows for the selection.
    """
    missing = {"innovation", "group_type", "group", "year"} - set(timeseries.columns)
    if missing:
        raise ValueError(f"timeseries lacks column(s) {sorted(missing)}")
    mask = (timeseries["innovation"] == innovation) & (timeseries["group_type"] == group_type)
    if group is not None:
        mask &= timeseries["group"] == group
    picked = with_replication(timeseries.loc[mask])
    if picked.empty:
        where = f"innovation={innovation!r}, group_type={group_type!r}" + (f", group={group!r}" if group else "")
        raise ValueError(f"timeseries has no rows for {where}")
    return picked


def mean_band(frame: pd.DataFrame, value: str, by: str | Sequence[str] = "year",
              percentiles: tuple[float, float] = BAND) -> pd.DataFrame:
    """Mean and percentile band of ``value`` across replications, for each value of ``by``.

    ``frame`` must hold one row per replication and ``by`` value (a single run needs no ``replication``
    column). Returns ``by`` columns plus ``mean``, ``low``, ``high`` (the given percentiles of the
    replications, linear interpolation as :func:`numpy.percentile`) and ``n`` (replications with a
    value), sorted by ``by``. Missing values are left out, not counted as zero. Raises ValueError when a
    column is missing or a replication has more than one row for a ``by`` value.
    """
    keys = [by] if isinstance(by, str) else list(by)
    frame = with_replication(frame)
    missing = {value, *keys} - set(frame.columns)
    if missing:
        raise ValueError(f"cannot compute a band: column(s) {sorted(missing)} missing")
    duplicated = frame.duplicated(keys + ["replication"])
    if duplicated.any():
        example = frame.loc[duplicated, keys + ["replication"]].iloc[0].to_dict()
        raise ValueError(f"more than one row per replication and {keys} (e.g. {example}): select one "
                         "innovation and group first")
    grouped = frame.groupby(keys, sort=True)[value]
    lo, hi = percentiles
    out = pd.DataFrame({
        "mean": grouped.mean(),
        "low": grouped.quantile(lo / 100),
        "high": grouped.quantile(hi / 100),
        "n": grouped.count(),
    })
    return out.reset_index()


def gap_series(timeseries: pd.DataFrame, large: str = LARGE, small: str = SMALL, value: str = "adoption_share",
               innovation: str = "all") -> pd.DataFrame:
    """Per replication and year: ``value`` of the ``large`` size band minus that of the ``small`` one.

    Columns ``replication``, ``year``, ``gap`` (a share difference: 0.10 is 10 percentage points).
    Raises ValueError naming a size band that ``timeseries`` does not have.
    """
    bands = select(timeseries, innovation, "size_band")
    present = set(bands["group"])
    for band in (large, small):
        if band not in present:
            raise ValueError(f"timeseries has no size band {band!r} (has {sorted(present)})")
    wide = bands[bands["group"].isin([large, small])].pivot(index=["replication", "year"], columns="group",
                                                           values=value)
    gap = (wide[large] - wide[small]).rename("gap")
    return gap.reset_index()


def calendar_year(frame: pd.DataFrame) -> np.ndarray:
    """The calendar year in which each row's events happened (step t covers the quarter ending at ``year``)."""
    return np.floor(frame["year"].to_numpy() - 0.25 + 1e-9).astype(int)


def pilot_events_by_year(timeseries: pd.DataFrame, innovation: str = "all",
                         events: Sequence[str] = PILOT_EVENTS) -> pd.DataFrame:
    """Pilot events per calendar year: mean and band over replications of each replication's yearly sum.

    Step 0 is the starting state (no events). Returns ``event``, ``calendar_year``, ``mean``, ``low``,
    ``high``, ``n`` and ``quarters`` (quarters of that year simulated: 4 unless the horizon cuts it).
    """
    rows = select(timeseries, innovation, "overall")
    if "step" in rows.columns:
        rows = rows[rows["step"] > 0]
    rows = rows.assign(calendar_year=calendar_year(rows))
    quarters = rows.groupby("calendar_year")["year"].nunique().rename("quarters")
    yearly = rows.groupby(["replication", "calendar_year"], as_index=False)[list(events)].sum()
    frames = [mean_band(yearly, event, "calendar_year").assign(event=event) for event in events]
    out = pd.concat(frames, ignore_index=True).merge(quarters, on="calendar_year")
    return out[["event", "calendar_year", "mean", "low", "high", "n", "quarters"]]


def final_values(municipalities: pd.DataFrame, value: str = "adoption_share") -> pd.Series:
    """Mean over replications of each municipality's final ``value``, indexed by ``code``.

    Raises ValueError when ``municipalities`` lacks ``code`` or ``value``.
    """
    if "code" not in municipalities.columns or value not in municipalities.columns:
        raise ValueError(f"municipalities needs columns 'code' and {value!r}")
    return municipalities.groupby("code")[value].mean()


def municipal_shares(outcome: Any) -> np.ndarray:
    """One run's share of applicable innovations each municipality has adopted, per quarter: a (quarters
    + 1, municipalities) float array (0 where no innovation applies), municipalities in the order of the
    run's organisations."""
    muni = np.flatnonzero(outcome.orgs.kind == MUNICIPALITY)
    applicable = outcome.applicable[muni]
    adopted = ((outcome.stage_history[:, muni] == ADOPTED) & applicable).sum(2)
    n = applicable.sum(1)
    return np.divide(adopted, n, out=np.zeros(adopted.shape), where=n > 0)


class MunicipalAdoption:
    """The sum over runs of :func:`municipal_shares`, gathered one run at a time (in a fixed order, so the
    mean is the same to the bit as summing the runs at once), and its mean as a frame (:meth:`frame`)."""

    def __init__(self) -> None:
        self.total: np.ndarray | None = None
        self.runs = 0
        self.codes: list[str] = []
        self.start_year = 0

    def add(self, outcome: Any = None, shares: np.ndarray | None = None, codes: Sequence[str] = (),
            start_year: int = 0) -> None:
        """Add one run: its :class:`~model.outcomes.collect.Outcomes`, or its :func:`municipal_shares`
        with the municipalities' ``codes`` and the run's ``start_year``. Runs of different lengths count up
        to the shortest."""
        if outcome is not None:
            shares = municipal_shares(outcome)
            orgs = outcome.orgs
            codes = [orgs.code[i] for i in np.flatnonzero(orgs.kind == MUNICIPALITY)]
            start_year = outcome.start_year
        if self.total is None:
            self.total, self.codes, self.start_year = np.zeros(shares.shape), list(codes), start_year
        steps = min(len(self.total), len(shares))
        self.total = self.total[:steps]
        self.total += shares[:steps]
        self.runs += 1

    def frame(self, every: int = 1) -> pd.DataFrame:
        """Columns ``code``, ``year``, ``adoption_share`` (mean over the runs), ``replications``; every
        ``every``-th quarter (the first and last always). Raises ValueError when no run was added."""
        if self.total is None:
            raise ValueError("no runs given")
        steps = len(self.total)
        picks = sorted(set(range(0, steps, max(1, int(every)))) | {steps - 1})
        return pd.DataFrame({
            "code": np.tile(self.codes, len(picks)),
            "year": np.repeat(self.start_year + np.asarray(picks) / QUARTERS_PER_YEAR, len(self.codes)),
            "adoption_share": (self.total[picks] / self.runs).ravel(),
            "replications": self.runs,
        })


def municipality_adoption_over_time(outcomes: Any, every: int = 1) -> pd.DataFrame:
    """Each municipality's share of applicable innovations adopted, per quarter, mean over the given runs.

    ``outcomes`` is one :class:`~model.outcomes.collect.Outcomes` or a sequence of them (replications of one
    scenario); ``every`` keeps every n-th quarter (the first and last are always kept). Columns ``code``,
    ``year``, ``adoption_share``, ``replications``. The written results hold only the final state of each
    municipality, so this needs the runs themselves (``model.run`` / ``model.replicate``;
    :class:`MunicipalAdoption` gathers them one at a time). Raises ValueError for an empty sequence.
    """
    runs = list(outcomes) if isinstance(outcomes, (list, tuple)) else [outcomes]
    adoption = MunicipalAdoption()
    for o in runs:
        adoption.add(o)
    return adoption.frame(every)


class ChartRows:
    """The charts' rows (:data:`CHART_ROWS`, :data:`CHART_COLUMNS`) of a folder's ``timeseries.parquet``,
    gathered from each run's Arrow table as it is written (:meth:`add`, in file order), so that the charts
    need not read the file back: :meth:`frame` is the frame
    :func:`~model.charts.scenario.read_rows` reads from the file (labels as categories of every label in
    the file, as its dictionaries hold them). Past :data:`READ_ONCE_ROWS` rows of the file it holds nothing
    (the charts read their rows from the file, each its own)."""

    def __init__(self) -> None:
        self.parts: list | None = []
        self.rows = 0

    def add(self, table: Any) -> None:
        """Keep the charts' rows of one run's table (``pyarrow.Table`` of the file's schema)."""
        if self.parts is None:
            return
        self.rows += table.num_rows
        if self.rows > READ_ONCE_ROWS:
            self.parts = None
            return
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        columns = [c for c in CHART_COLUMNS if c in table.schema.names]
        table = table.select(columns)
        for name in LABEL_COLUMNS:  # as Parquet's dictionary pages hold them: every label, in order of appearance
            if name in columns and not pa.types.is_dictionary(table.schema.field(name).type):
                i = table.schema.get_field_index(name)
                table = table.set_column(i, table.schema.field(name).with_type(
                    pa.dictionary(pa.int32(), table.schema.field(name).type)), pc.dictionary_encode(table[name]))
        self.parts.append(table.filter(pq.filters_to_expression(CHART_ROWS)))

    def frame(self) -> pd.DataFrame | None:
        """The rows gathered, as :func:`~model.charts.scenario.read_rows` reads them; None past
        :data:`READ_ONCE_ROWS` rows or when nothing was added."""
        if not self.parts:
            return None
        import pyarrow as pa

        return pa.concat_tables(self.parts).to_pandas(split_blocks=True, self_destruct=True)
