"""How much a ranking of portfolios depends on each uncertain lever effect: a low/high split table.

The runs behind a comparison (a robust experiment's worlds, or a comparison's posterior draws) each met
one value of every uncertain factor, among them the levers' effect parameters
(:mod:`model.levers.anchors`). For one outcome, :func:`ranking_dependence` takes each portfolio's value
per unit (world or draw) and, for each factor:

- ``best``: the portfolio best on average over all units (weighted), and ``share_holds`` the (weighted)
  share of units in which it is the best — how often the headline ranking holds at all;
- splits the units at the factor's weighted median into a *low* and a *high* half and gives, in each,
  the portfolio best on average there (``best_low``, ``best_high``) and the share of that half's units in
  which the overall best is best (``holds_low``, ``holds_high``);
- ``swing = holds_high - holds_low``: how far the factor alone moves the chance that the ranking holds;
  ``reverses`` is true when the best on average differs between the halves;
- ``noise95``: the swing that no factor unrelated to the outcome would exceed, among all ``m`` factors of
  the table, in 95 % of tables: the difference of two proportions under no dependence,
  ``z * sqrt(p (1 - p) (1/n_low + 1/n_high))`` with ``p = share_holds``, the halves' effective numbers of
  units and ``z`` the two-sided Šidák quantile for ``m`` factors (1.96 for one, about 3.1 for 30: one band
  per factor would call one factor in twenty "clear" by chance); ``clear`` says ``|swing| > noise95``. With
  few units (40 draws, 30 factors: noise95 about 0.5) few swings are clear.

It is a one-factor-at-a-time reading of draws made jointly (the other factors vary within each half), so it
costs no runs beyond those already made; the value of information (:mod:`model.robust.voi`) is the joint
measure. Rows are sorted by ``|swing|``, the largest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

COLUMNS = ["criterion", "factor", "best", "share_holds", "split_at", "best_low", "best_high", "holds_low",
           "holds_high", "swing", "reverses", "noise95", "clear", "units"]


def _best_share(scores: np.ndarray, weights: np.ndarray, k: int) -> float:
    """Weighted share of the rows of ``scores`` (units x portfolios, larger is better) in which column ``k``
    is the best; ties shared equally."""
    top = scores == scores.max(axis=1, keepdims=True)
    share = top[:, k] / top.sum(axis=1)
    return float((share * weights).sum() / weights.sum()) if weights.sum() > 0 else float("nan")


def _sidak_z(m: int, level: float = 0.95) -> float:
    """The two-sided normal quantile that ``m`` independent tests all stay within with probability ``level``
    (Šidák): 1.96 for one test at 95 %."""
    return NormalDist().inv_cdf(1.0 - (1.0 - level ** (1.0 / m)) / 2.0)


def _weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(x, kind="stable")
    cumulative = np.cumsum(w[order])
    return float(x[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def ranking_dependence(values: np.ndarray, better: str, factors: np.ndarray, factor_names: Sequence[str],
                       names: Sequence[str], weights: np.ndarray | None = None, criterion: str = "") -> pd.DataFrame:
    """The dependence table (:data:`COLUMNS`, see the module docstring) for one outcome.

    ``values[unit, portfolio]``: each portfolio's outcome per unit (portfolios without any value and then
    units with a NaN are left out; an infinite cost counts as the worst); ``better``:
    ``higher`` or ``lower``; ``factors[unit, j]``: the unit's value of ``factor_names[j]``; ``names``: the
    portfolios; ``weights``: per unit (default 1). A factor that takes one value in every unit gets no row."""
    values = np.asarray(values, dtype=float)
    factors = np.asarray(factors, dtype=float).reshape(len(values), -1)
    w = np.ones(len(values)) if weights is None else np.asarray(weights, dtype=float)
    present = ~np.isnan(values).all(axis=0)  # e.g. the baseline has no cost per extra adoption
    values, names = values[:, present], [n for n, p in zip(names, present) if p]
    keep = ~np.isnan(values).any(axis=1)
    scores, factors, w = (values if better == "higher" else -values)[keep], factors[keep], w[keep]
    rows = []
    if len(scores) == 0 or scores.shape[1] < 2:
        return pd.DataFrame(rows, columns=COLUMNS)
    mean = (scores * w[:, None]).sum(0) / w.sum()
    k = int(np.argmax(mean))
    holds = _best_share(scores, w, k)
    varying = sum(1 for j in range(factors.shape[1]) if np.ptp(factors[:, j]) > 0)
    z = _sidak_z(max(varying, 1))
    for j, factor in enumerate(factor_names):
        x = factors[:, j]
        if np.ptp(x) == 0:
            continue
        cut = _weighted_median(x, w)
        low = x <= cut
        if low.all():  # the median is the largest value: split below it
            low = x < cut
        halves, inverse = {}, 0.0
        for label, mask in (("low", low), ("high", ~low)):
            part, pw = scores[mask], w[mask]
            best = int(np.argmax((part * pw[:, None]).sum(0) / pw.sum()))
            halves[label] = (names[best], _best_share(part, pw, k))
            inverse += (pw ** 2).sum() / pw.sum() ** 2  # 1 / the half's effective number of units
        swing = halves["high"][1] - halves["low"][1]
        noise = z * float(np.sqrt(holds * (1.0 - holds) * inverse))
        rows.append(dict(criterion=criterion, factor=factor, best=names[k], share_holds=holds, split_at=cut,
                         best_low=halves["low"][0], best_high=halves["high"][0], holds_low=halves["low"][1],
                         holds_high=halves["high"][1], swing=swing,
                         reverses=halves["low"][0] != halves["high"][0], noise95=noise,
                         clear=bool(abs(swing) > noise), units=int(len(x))))
    table = pd.DataFrame(rows, columns=COLUMNS)
    if len(table):
        table = table.iloc[np.argsort(-table["swing"].abs().to_numpy(), kind="stable")].reset_index(drop=True)
    return table


def dependence_table(values: dict[str, np.ndarray], criteria: dict[str, str], factors: np.ndarray,
                     factor_names: Sequence[str], names: Sequence[str], weights: np.ndarray | None = None,
                     only: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`ranking_dependence` for every criterion (outcome -> better direction), stacked; ``only``
    keeps the factors named (e.g. the lever effects), all when None."""
    chosen = [j for j, n in enumerate(factor_names) if only is None or n in only]
    frames = [ranking_dependence(values[c], better, np.asarray(factors)[:, chosen],
                                 [factor_names[j] for j in chosen], names, weights, c)
              for c, better in criteria.items() if better in ("higher", "lower") and c in values]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
