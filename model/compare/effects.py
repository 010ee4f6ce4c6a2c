"""How a comparison's ranking depends on the lever effect sizes its runs drew (``spridning compare
--lever-effects``, :mod:`model.calibrate.effects`).

:func:`dependence_from_runs` reads the draws back from the baseline's ``ensemble.json`` and each
scenario's per-draw means, and gives :func:`model.compare.dependence.dependence_table` for the compared
outcomes with a better direction: the comparison's ``ranking_dependence.csv``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..levers.anchors import PREFIX
from ..outcomes.catalogue import COMPARED
from ..outcomes.catalogue import outcome as outcome_of
from .dependence import dependence_table


def dependence_from_runs(replications: Mapping[str, pd.DataFrame], baseline: str, folder: Path) -> pd.DataFrame:
    """The ranking-dependence table of a comparison whose runs drew lever effects: ``replications`` are the
    scenarios' run tables (with ``draw``), ``folder`` the baseline's results folder (its ``ensemble.json``
    holds the draws). Empty when the runs did not draw lever effects."""
    path = Path(folder) / "ensemble.json"
    if "draw" not in replications[baseline].columns or not path.exists():
        return pd.DataFrame()
    draws = pd.DataFrame(json.loads(path.read_text(encoding="utf-8")).get("draws") or [])
    effects = [c for c in draws.columns if c.startswith(PREFIX)]
    if not effects:
        return pd.DataFrame()
    names = list(replications)
    criteria = {o: outcome_of(o).better for o in COMPARED
                if outcome_of(o).better and o in replications[baseline].columns}
    values = {o: np.column_stack([replications[n].groupby("draw")[o].mean().to_numpy(float) for n in names])
              for o in criteria}
    factors = draws[effects].to_numpy(float)[: len(next(iter(values.values())))] if values else draws[effects]
    labels = [c[len(PREFIX):] for c in effects]
    return dependence_table(values, criteria, factors, labels, names)
