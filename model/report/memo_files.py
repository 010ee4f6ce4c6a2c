"""Writing a comparison's memo files: ``comparison.md`` and ``comparison.xlsx`` in English, always, and
``comparison.sv.md`` and ``comparison.sv.xlsx`` beside them under ``--lang sv`` (a Swedish memo never
overwrites the English one). The one home of what the memo, the workbook and the report's top share: the
labels, the headline (:mod:`model.report.headline`) and what the numbers rest on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..charts.style import final_year_text, scenario_labels
from ..results import write_with
from .files import localised
from .headline import headline, replication_ranking, rests_on
from .memo import comparison_markdown, memo_labels, unplaced_lines

RANKING = "ranking.csv"


@dataclass
class Memo:
    """What the memo of one comparison says, in one language: ``text`` (Markdown), ``top`` (the headline
    and what it rests on, Markdown bullet lines) and ``labels`` (scenario -> what readers call it)."""

    text: str
    top: list[str]
    labels: dict[str, str]


def _draws(runs: Mapping[str, Any]) -> int:
    """Posterior draws behind the runs (0 without an ensemble), as the run manifests record them."""
    for run in runs.values():
        ensemble = run.manifest.get("ensemble")
        if isinstance(ensemble, dict) and isinstance(ensemble.get("draws"), list):
            if str(ensemble.get("file") or "").startswith("lever effects"):  # --point --lever-effects
                return 0
            return len(ensemble["draws"])
    return 0


def ranking_of(folder: Path, runs: Mapping[str, Any], baseline: str) -> pd.DataFrame | None:
    """``ranking.csv`` of the comparison when written, else the share of replications in which each
    portfolio is best (:func:`replication_ranking`) from the run folders; None when neither can be read."""
    path = Path(folder) / RANKING
    if path.is_file():
        try:
            return pd.read_csv(path)
        except (OSError, ValueError, pd.errors.ParserError):
            pass
    try:
        return replication_ranking({n: r.replication_table for n, r in runs.items()},
                                   {n: r.used_per_replication() for n, r in runs.items()}, baseline)
    except (KeyError, ValueError, OSError):
        return None


def memo(folder: Path, runs: Mapping[str, Any], table: pd.DataFrame, costs: pd.DataFrame, baseline: str,
         groups: pd.DataFrame | None = None, lang: str = "en") -> Memo:
    """The memo of the comparison in ``folder`` in ``lang``: ``runs`` are its scenarios'
    :class:`~model.report.folder.RunFolder` (the baseline first), ``table`` ``comparison.csv``, ``costs``
    ``cost_effectiveness.csv``, ``groups`` ``differences_by_group.csv``."""
    base = runs[baseline]
    spends = bool(costs.set_index("scenario").loc[baseline, "budgeted_msek"] > 0) if baseline in set(
        costs["scenario"]) else False
    labels = memo_labels(scenario_labels({n: r.description for n, r in runs.items()}), baseline, spends, lang)
    when = final_year_text(base.end_year, lang)
    period = (f"simulerat {base.start_year}–{base.end_year - 1}, utfall vid {when}" if lang == "sv" else
              f"simulated {base.start_year}–{base.end_year - 1}, outcomes at the {when}")
    ranking = ranking_of(folder, runs, baseline)
    top = headline(table, costs, baseline, labels, when, groups, ranking, lang)
    top += rests_on(len(base.replication_table), _draws(runs), lang,
                    lever_effects=(Path(folder) / "ranking_dependence.csv").is_file())
    top += unplaced_lines({n: r.usage for n, r in runs.items()}, labels, lang)
    text = comparison_markdown(table, costs, baseline, len(base.replication_table), base.manifest.get("root_seed"),
                               period, labels, lang, when, top, groups)
    return Memo(text, top, labels)


def write_memos(folder: Path, runs: Mapping[str, Any], table: pd.DataFrame, costs: pd.DataFrame, baseline: str,
                groups: pd.DataFrame | None = None, lang: str = "en") -> Memo:
    """Write ``comparison.md`` and ``comparison.xlsx`` (English) and, for ``lang`` ``sv``, their Swedish
    ``.sv`` versions beside them; return the memo in ``lang``."""
    from .workbook import write_workbook

    found = None
    for language in dict.fromkeys(("en", lang)):
        written = memo(folder, runs, table, costs, baseline, groups, language)
        write_with(Path(folder) / localised("comparison.md", language),
                   lambda tmp, text=written.text: tmp.write_text(text, encoding="utf-8"))
        notes = [line for line in written.text.splitlines() if line.startswith("*") and ":" in line]
        write_workbook(Path(folder) / localised("comparison.xlsx", language), table, costs, baseline,
                       written.labels, written.top, notes, groups, language)
        found = written
    return found
