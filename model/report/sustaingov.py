"""SustainGov's feasibility–value placement of the levers, beside the value the model finds.

SustainGov scores its 30 proposals on feasibility and value, but gives the numbers only in figures; its
text places some of them (000 L4889–4916, quoted in ``docs/levers.md``): IDs 20 and 26 are easy to carry
out and foundational; IDs 2 and 15 have more effect but need more resources, coordination and long-term
work; IDs 4, 7, 8 and 13 have especially high value but lower feasibility. :data:`PLACEMENT` holds
exactly that, and every other lever is *unscored*. Nothing numeric is invented.

The simulated side comes from a comparison: for each scenario, its extra adoptions per MSEK used and its
change in the small–large gap per MSEK (percentage points; negative narrows the gap), both against the
baseline. A scenario whose only lever with a budget is one lever measures that lever; a portfolio is
shown as the portfolio, with the SustainGov IDs of its levers.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..levers import REGISTRY

#: SustainGov ID -> (feasibility, value) as the report's text places it (000 L4889–4916)
PLACEMENT = {20: ("higher", "foundational"), 26: ("higher", "foundational"),
             2: ("lower", "higher"), 15: ("lower", "higher"),
             4: ("lower", "especially high"), 7: ("lower", "especially high"), 8: ("lower", "especially high"),
             13: ("lower", "especially high")}
FEASIBILITY = ("lower", "higher")
VALUE = ("foundational", "higher", "especially high")


def lever_ids(lever_type: str) -> tuple[int, ...]:
    """The SustainGov IDs a lever type models (empty for levers that are not SustainGov proposals)."""
    cls = REGISTRY.get(lever_type)
    return tuple(cls.ids()) if cls is not None else ()


def placement(ids: tuple[int, ...]) -> tuple[str, str] | None:
    """(feasibility, value) of the first of ``ids`` the report's text places, or None (unscored)."""
    for i in ids:
        if i in PLACEMENT:
            return PLACEMENT[i]
    return None


def report_matrix() -> pd.DataFrame:
    """Every registered lever with its IDs, the report's placement (or ``unscored``) and its ``scores`` text."""
    rows = []
    for name, cls in sorted(REGISTRY.items()):
        ids = tuple(cls.ids())
        where = placement(ids)
        rows.append(dict(lever=name, ids=", ".join(str(i) for i in ids) or "—",
                         feasibility=where[0] if where else "unscored", value=where[1] if where else "unscored",
                         scores=cls.scores))
    return pd.DataFrame(rows)


def simulated_value(table: pd.DataFrame, costs: pd.DataFrame, levers: Mapping[str, list[tuple[str, str, float]]],
                    baseline: str) -> pd.DataFrame:
    """Per scenario besides the baseline: what it measures (one lever, or a portfolio), the SustainGov IDs,
    the report's placement, extra adoptions per MSEK used and the change in the small–large gap per MSEK.

    ``table``: the long ``comparison.csv``; ``costs``: ``cost_effectiveness.csv``; ``levers``: scenario ->
    its levers as ``(name, type, budget MSEK/year)``.
    """
    gap = table[table["outcome"] == "gap_small_large"].set_index("scenario")["diff_vs_baseline"]
    money = costs.set_index("scenario")
    rows = []
    for scenario, entries in levers.items():
        if scenario == baseline:
            continue
        funded = [e for e in entries if e[2] > 0]
        types = [t for _, t, _ in funded]
        ids = tuple(dict.fromkeys(i for t in types for i in lever_ids(t)))
        where = placement(ids) if len(funded) == 1 else None
        cost = float(money.loc[scenario, "incremental_cost_msek"]) if scenario in money.index else np.nan
        extra = float(money.loc[scenario, "extra_adoptions"]) if scenario in money.index else np.nan
        per = cost if np.isfinite(cost) and cost > 0 else np.nan
        rows.append(dict(scenario=scenario, measures=funded[0][0] if len(funded) == 1 else "portfolio",
                         lever_types=", ".join(types), ids=", ".join(str(i) for i in ids) or "—",
                         feasibility=where[0] if where else ("unscored" if len(funded) == 1 else "portfolio"),
                         value=where[1] if where else ("unscored" if len(funded) == 1 else "portfolio"),
                         extra_adoptions_per_msek=extra / per, gap_pp_per_msek=float(gap.get(scenario, np.nan)) * 100 / per,
                         incremental_cost_msek=cost))
    return pd.DataFrame(rows)
