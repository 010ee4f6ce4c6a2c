"""Reading a results folder back: a run's (``manifest.json`` beside ``summary.csv``) or a comparison's
(``comparison.csv`` beside one run folder per scenario).

Frames are read when first asked for. Files another part of the tool may or may not have written —
``lever_usage.csv``, ``municipal_adoption_by_year.parquet`` — read as None when absent. A file the report
needs that is missing, or any file that cannot be read (truncated, not a table), is an
:class:`~model.errors.InputError` naming the folder, the file and the command that writes it again;
:meth:`RunFolder.check` and :meth:`ComparisonFolder.check` find that before anything is drawn.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..names import safe_file_name
from ..results import write_parquet
from ..stages import QUARTERS_PER_YEAR

BY_YEAR = "municipal_adoption_by_year.parquet"
USAGE = "lever_usage.csv"
#: the files of a run folder its report is drawn from (the outcomes table, the charts and maps)
RUN_NEEDS = ("summary.csv", "timeseries.parquet", "municipalities.parquet")
#: the files of each scenario's run folder inside a comparison folder that the comparison's report reads
COMPARISON_RUN_NEEDS = ("timeseries.parquet",)
#: files read when present (their absence only leaves a part out of the report)
OPTIONAL = ("replications.csv", "spend.csv", USAGE, BY_YEAR)
COMPARE = "spridning compare"
#: CSVs of a comparison folder read when present (``sustaingov.csv`` is the report's own, rewritten by it)
COMPARISON_OPTIONAL = ("cost_effectiveness.csv", "differences_by_group.csv")
_USED = re.compile(r"(used.*msek|msek.*used)", re.IGNORECASE)


def write_adoption_by_year(folder: Path, outcomes: list) -> Path:
    """``municipal_adoption_by_year.parquet``: each municipality's share of applicable innovations adopted
    at the start and at the end of every simulated year, mean over the runs ``outcomes`` (columns ``code``,
    ``year``, ``adoption_share``, ``replications``); the maps over the years are drawn from it."""
    from ..charts.shaping import municipality_adoption_over_time

    return write_parquet(municipality_adoption_over_time(outcomes, every=QUARTERS_PER_YEAR), Path(folder) / BY_YEAR)


def read_file(folder: Path, name: str, read: Callable[[Path], Any], command: str) -> Any:
    """``read(folder / name)``; InputError naming ``folder``, the file and ``command`` (the one that
    writes it again) when the file is missing or cannot be read (truncated, damaged, not what it should be)."""
    path = Path(folder) / name
    try:
        return read(path)
    except FileNotFoundError:
        raise InputError(f"{folder}: {name} is missing; rerun `{command}` to write it again (the report is "
                         "drawn from it)") from None
    except (OSError, ValueError, KeyError) as error:  # pandas', pyarrow's and json's parse errors are ValueErrors
        reason = " ".join(str(error).split())[:120] or type(error).__name__
        raise InputError(f"{folder}: {name} cannot be read ({reason}); it is damaged or incomplete: rerun "
                         f"`{command}` to write it again") from None


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV file the tool wrote, read whole; ValueError when its last line is cut off (every line the
    tool writes ends with a line break, so a file cut short mid-line is told apart from a complete one)."""
    with open(path, "rb") as file:
        if file.seek(0, os.SEEK_END):  # an empty file is pandas' to name
            file.seek(-1, os.SEEK_END)
            if file.read(1) not in (b"\n", b"\r"):
                raise ValueError("its last line is cut off")
    return pd.read_csv(path)


def check_table(folder: Path, name: str, command: str) -> None:
    """InputError (:func:`read_file`) unless ``folder / name`` is a readable table: a Parquet file's footer
    and schema (cheap: a truncated file has no footer), or a CSV file parsed whole (:func:`read_csv`)."""
    import pyarrow.parquet as pq

    read_file(folder, name, pq.read_schema if name.endswith(".parquet") else read_csv, command)


def _json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


@dataclass
class RunFolder:
    """One scenario's results folder, as :mod:`model.batch` writes it. ``command``: the command that writes
    it (named in messages about its files)."""

    path: Path
    manifest: dict[str, Any] = field(repr=False)
    command: str = "spridning run"

    @classmethod
    def read(cls, path: str | Path, command: str = "spridning run") -> "RunFolder":
        """The folder at ``path``; InputError unless it holds a run's readable ``manifest.json``."""
        path = Path(path)
        if not (path / "manifest.json").exists():
            raise InputError(f"{path}: not a results folder (no manifest.json); give the folder that "
                             "`spridning run` or `spridning compare` wrote")
        return cls(path, read_file(path, "manifest.json", _json, command), command)

    def check(self, needs: tuple[str, ...] = RUN_NEEDS) -> "RunFolder":
        """This folder, once the files ``needs`` are there and readable and so are those of
        :data:`OPTIONAL` that are there; else InputError naming the first that is not (:func:`read_file`)."""
        for name in needs:
            check_table(self.path, name, self.command)
        for name in OPTIONAL:
            if (self.path / name).exists():
                check_table(self.path, name, self.command)
        return self

    @property
    def scenario(self) -> dict[str, Any]:
        """The scenario as it ran, defaults filled in (``scenario_resolved`` of the manifest)."""
        return self.manifest.get("scenario_resolved", {})

    @property
    def name(self) -> str:
        """The scenario's name."""
        return str(self.scenario.get("name", self.path.name))

    @property
    def description(self) -> str:
        """The scenario's description (may be empty)."""
        return " ".join(str(self.scenario.get("description", "")).split())

    @property
    def start_year(self) -> int:
        """The first simulated year."""
        return int(self.scenario.get("start_year", 0))

    @property
    def end_year(self) -> int:
        """The year the horizon reaches (the last simulated year is the one before)."""
        return self.start_year + int(self.scenario.get("horizon_years", 0))

    @property
    def replications(self) -> int:
        """How many replications ran."""
        return int(self.manifest.get("replications", 0))

    def _read(self, name: str, read: Callable[[Path], Any] = read_csv) -> Any:
        return read_file(self.path, name, read, self.command)

    def _csv(self, name: str) -> pd.DataFrame | None:
        return self._read(name) if (self.path / name).exists() else None

    @cached_property
    def summary(self) -> pd.DataFrame:
        """``summary.csv``."""
        return self._read("summary.csv")

    @cached_property
    def replication_table(self) -> pd.DataFrame:
        """``replications.csv``: one row per replication."""
        return self._read("replications.csv")

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """``timeseries.parquet``."""
        return self._read("timeseries.parquet", pd.read_parquet)

    @cached_property
    def municipalities(self) -> pd.DataFrame:
        """``municipalities.parquet`` (codes as 4-digit text)."""
        frame = self._read("municipalities.parquet", pd.read_parquet)
        return frame.assign(code=frame["code"].astype(str).str.zfill(4))

    @cached_property
    def spend(self) -> pd.DataFrame | None:
        """``spend.csv`` (MSEK per lever, year and replication), or None."""
        return self._csv("spend.csv")

    @cached_property
    def usage(self) -> pd.DataFrame | None:
        """``lever_usage.csv`` when the run wrote one, else None."""
        return self._csv(USAGE)

    @cached_property
    def by_year(self) -> pd.DataFrame | None:
        """``municipal_adoption_by_year.parquet`` when written, else None."""
        if not (self.path / BY_YEAR).exists():
            return None
        frame = self._read(BY_YEAR, pd.read_parquet)
        return frame.assign(code=frame["code"].astype(str).str.zfill(4))

    @cached_property
    def levers(self) -> list:
        """The scenario's levers as validated parameter objects (:class:`model.levers.base.LeverParams`)."""
        from ..scenario import parse_scenario

        if not self.scenario.get("levers"):
            return []
        return list(parse_scenario(self.scenario, str(self.path / "manifest.json")).levers)

    def budgeted(self) -> float:
        """MSEK the levers were given over the simulated years (budget x active years, as they spend)."""
        return float(sum(p.budget_msek_per_year * len(p.active_years(self.start_year, self.end_year))
                         for p in self.levers))

    def programmes(self) -> list[tuple[int, int, str]]:
        """``(first year, year after the last, lever name)`` of each lever with a budget, within the horizon."""
        out = []
        for p in self.levers:
            years = p.active_years(self.start_year, self.end_year)
            if p.budget_msek_per_year > 0 and len(years):
                out.append((years.start, years.stop, p.name or p.type))
        return out

    def spend_per_replication(self) -> np.ndarray:
        """MSEK the programmes paid out in each replication (``spend_msek`` of ``replications.csv``)."""
        return self.replication_table["spend_msek"].to_numpy(dtype=float)

    def used_per_replication(self) -> np.ndarray:
        """MSEK *used* in each replication: from ``lever_usage.csv`` where it has a column of money used
        (per replication if it has a ``replication`` column, else its total spread evenly), otherwise the
        money paid out (:meth:`spend_per_replication`)."""
        paid = self.spend_per_replication()
        usage = self.usage
        columns = [c for c in (usage.columns if usage is not None else ()) if _USED.search(str(c))]
        if not columns:
            return paid
        column = columns[0]
        if "replication" in usage.columns:
            used = usage.groupby("replication")[column].sum()
            return used.reindex(range(len(paid)), fill_value=0.0).to_numpy(dtype=float)
        return np.full(len(paid), float(usage[column].sum()) / max(len(paid), 1))


@dataclass
class ComparisonFolder:
    """A comparison's folder, as :func:`model.compare.run_comparison` writes it."""

    path: Path
    record: dict[str, Any] = field(repr=False)

    @classmethod
    def read(cls, path: str | Path) -> "ComparisonFolder":
        """The folder at ``path``; InputError unless it holds a readable ``comparability.json`` naming the
        baseline."""
        path = Path(path)
        record = read_file(path, "comparability.json", _json, COMPARE)
        if not isinstance(record.get("baseline"), dict) or "name" not in record["baseline"]:
            raise InputError(f"{path}: comparability.json names no baseline; it is damaged or incomplete: rerun "
                             f"`{COMPARE}` to write it again")
        return cls(path, record)

    @property
    def baseline(self) -> str:
        """The baseline's name."""
        return str(self.record["baseline"]["name"])

    @cached_property
    def runs(self) -> dict[str, RunFolder]:
        """Scenario name -> its run folder, the baseline first, then in the order of ``comparison.csv``."""
        found = {}
        for sub in sorted(p for p in self.path.iterdir() if (p / "manifest.json").is_file()):
            run = RunFolder.read(sub, COMPARE)
            found[run.name] = run
        return {n: found[n] for n in self.scenarios() if n in found}

    def scenarios(self) -> list[str]:
        """The compared scenarios' names: the baseline, then in the order of ``comparison.csv``."""
        if "scenario" not in self.table.columns:
            raise InputError(f"{self.path}: comparison.csv has no column 'scenario'; it is damaged: rerun "
                             f"`{COMPARE}` to write it again")
        return list(dict.fromkeys([self.baseline] + [str(n) for n in pd.unique(self.table["scenario"])]))

    def check(self) -> "ComparisonFolder":
        """This folder, once ``comparison.csv`` and each compared scenario's run folder (with the files
        of :data:`COMPARISON_RUN_NEEDS`) are there and readable, and so are the optional CSVs that are there;
        else InputError naming the first that is not."""
        runs = self.runs
        check_table(self.path, "comparison.csv", COMPARE)
        for name in self.scenarios():
            if name not in runs:
                raise InputError(f"{self.path}: the run folder of scenario '{name}' ({safe_file_name(name)}/ "
                                 f"with its manifest.json) is missing; rerun `{COMPARE}` to write it again")
            runs[name].check(COMPARISON_RUN_NEEDS)
        for name in COMPARISON_OPTIONAL:
            if (self.path / name).exists():
                check_table(self.path, name, COMPARE)
        return self

    @cached_property
    def table(self) -> pd.DataFrame:
        """``comparison.csv`` (long: scenario, outcome, mean and paired difference with intervals)."""
        return read_file(self.path, "comparison.csv", read_csv, COMPARE)

    def optional(self, name: str) -> pd.DataFrame | None:
        """A CSV of the comparison folder, or None when absent."""
        return read_file(self.path, name, read_csv, COMPARE) if (self.path / name).exists() else None


def is_comparison(path: str | Path) -> bool:
    """Whether ``path`` is a comparison's folder (else it should be a run's): it holds ``comparison.csv``
    or ``comparability.json`` (either names it one when the other is lost)."""
    return (Path(path) / "comparison.csv").exists() or (Path(path) / "comparability.json").exists()
