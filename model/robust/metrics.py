"""Robustness metrics over an ensemble of worlds: distributions, regret, satisficing, pairwise wins, ranks.

Everything here works on plain arrays: for each outcome a matrix ``values[world, portfolio]`` (each
portfolio's mean over the replications of that world) and a weight per world (1 for sampled worlds; a
posterior's weights otherwise). Shares are weighted; their intervals are Wilson score intervals with the
effective number of worlds ``(sum w)^2 / sum w^2``; intervals of mean regret are bootstrap percentile
intervals over worlds.

- **Regret** of a portfolio in a world: how much worse it does than the best portfolio of that world
  (``best - value`` when higher is better, ``value - best`` when lower is). A portfolio with a small
  *maximum* regret holds up in every world; minimax regret is Savage's criterion.
- **Satisficing**: the share of worlds in which a portfolio meets every threshold the analyst sets.
- **Pairwise**: the share of worlds in which A does strictly better than B (ties are reported apart).
- **Ranks**: each portfolio's place in each world (1 = best; tied portfolios share their places equally),
  how often it holds each place, and Kendall's W corrected for ties, the concordance of the rankings
  across worlds (1: the same ranking in every world; 0: no agreement).

Ties (values within :data:`TIE`) never pick one portfolio: every table that ranks portfolios gives tied
ones the same rank (1, 1, 3), and "most often best" names them all. An outcome whose missing value means
"never" (the catalogue's ``missing``) is ranked with NaN as the worst value (:func:`worst_filled`); other
missing values are left out, and :func:`missing_notes` says where.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from .schema import COST, Threshold

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
TIE = 1e-12  # relative: values this close count as equal


# --- weighted statistics -------------------------------------------------------------------------------------
def effective_n(weights: np.ndarray) -> float:
    """Kish's effective sample size of ``weights``: ``(sum w)^2 / sum w^2`` (the count for equal weights)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w ** 2).sum()) if len(w) and (w ** 2).sum() > 0 else 0.0


def wilson(share: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a share observed in ``n`` (possibly effective) trials; (NaN, NaN) if n=0."""
    from scipy.stats import norm

    if n <= 0 or not math.isfinite(share):
        return math.nan, math.nan
    z = float(norm.ppf(0.5 + level / 2))
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(max(share * (1 - share) / n + z * z / (4 * n * n), 0.0))
    return max(0.0, centre - half), min(1.0, centre + half)


def weighted_share(hit: np.ndarray, weights: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """The weighted share of ``hit`` (booleans) and its Wilson interval on the effective number."""
    w = np.asarray(weights, dtype=float)
    if w.sum() <= 0:
        return math.nan, math.nan, math.nan
    share = float((w * np.asarray(hit, dtype=float)).sum() / w.sum())
    return (share, *wilson(share, effective_n(w), level))


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles of ``values`` with ``weights`` (NaN dropped; +/-inf kept: they sort to the ends), by the
    inverted weighted distribution function (for equal weights: the lower empirical quantile)."""
    v, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    keep = ~np.isnan(v)
    v, w = v[keep], w[keep]
    if not len(v):
        return np.full(len(qs), np.nan)
    order = np.argsort(v, kind="stable")
    v, cum = v[order], np.cumsum(w[order])
    cum /= cum[-1]
    return np.array([v[min(np.searchsorted(cum, q - 1e-12), len(v) - 1)] for q in qs])


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """Mean of ``values`` with ``weights``, NaN dropped (+inf if any value is +inf)."""
    v, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    keep = ~np.isnan(v)
    if not keep.any() or w[keep].sum() <= 0:
        return math.nan
    v, w = v[keep], w[keep]
    if np.isinf(v).any():
        return float(v[np.isinf(v)][0])
    return float((v * w).sum() / w.sum())


# --- per-world values ----------------------------------------------------------------------------------------
def world_means(runs: pd.DataFrame, n_worlds: int, n_portfolios: int, outcomes: Sequence[str],
                baseline: int | None) -> dict[str, np.ndarray]:
    """For each outcome, ``values[world, portfolio]``: the mean over the replications (NaN ignored).

    With ``COST`` among ``outcomes`` and a ``baseline`` (its portfolio index), the cost per extra adoption
    in each world is derived as ``spend_msek / (adoptions_final - baseline's adoptions_final)`` (means over
    the paired replications): +inf where a portfolio spends but gains nothing, NaN where it spends nothing
    and gains nothing (the baseline itself)."""
    keys = list(dict.fromkeys([o for o in outcomes if o != COST] +
                              (["spend_msek", "adoptions_final"] if COST in outcomes else [])))
    grouped = runs.groupby(["world", "portfolio"], sort=True)[keys].mean()
    index = pd.MultiIndex.from_product([range(n_worlds), range(n_portfolios)], names=["world", "portfolio"])
    grouped = grouped.reindex(index)
    values = {k: grouped[k].to_numpy(dtype=float).reshape(n_worlds, n_portfolios) for k in keys}
    if COST in outcomes and baseline is not None:
        extra = values["adoptions_final"] - values["adoptions_final"][:, [baseline]]
        spend = values["spend_msek"]
        with np.errstate(divide="ignore", invalid="ignore"):
            cost = np.where(extra > 0, spend / np.where(extra > 0, extra, 1), np.where(spend > 0, np.inf, np.nan))
        cost[:, baseline] = np.nan
        values[COST] = cost
    return {o: values[o] for o in outcomes}


def distributions(values: Mapping[str, np.ndarray], weights: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
    """Per portfolio and outcome: the weighted mean, standard deviation, 5-25-50-75-95 % quantiles, min and
    max over worlds, and the worlds without a value (NaN) or with an infinite one."""
    rows = []
    for outcome, matrix in values.items():
        for k, name in enumerate(names):
            v = matrix[:, k]
            finite = np.isfinite(v)
            mean = weighted_mean(v[finite], weights[finite]) if finite.any() else math.nan
            sd = (math.sqrt(weighted_mean((v[finite] - mean) ** 2, weights[finite])) if finite.sum() > 1 else math.nan)
            q = weighted_quantiles(v, weights, QUANTILES)
            rows.append(dict(portfolio=name, outcome=outcome, mean=mean, sd=sd,
                             **{f"p{int(round(x * 100)):02d}": y for x, y in zip(QUANTILES, q)},
                             min=float(np.nanmin(v)) if (~np.isnan(v)).any() else math.nan,
                             max=float(np.nanmax(v)) if (~np.isnan(v)).any() else math.nan,
                             worlds_nan=int(np.isnan(v).sum()), worlds_inf=int(np.isinf(v).sum())))
    return pd.DataFrame(rows)


# --- ties and missing values ------------------------------------------------------------------------------------
def worst_filled(matrix: np.ndarray, better: str) -> np.ndarray:
    """``matrix`` with every NaN replaced by the worst possible value (-inf where higher is better, +inf
    where lower is): for an outcome whose missing value means "never" (the outcome catalogue's
    ``missing``), a world without a value is worse than any value."""
    m = np.array(matrix, dtype=float)
    m[np.isnan(m)] = -np.inf if better == "higher" else np.inf
    return m


def _close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise: equal, or within :data:`TIE` (relative) of each other."""
    with np.errstate(invalid="ignore"):
        near = np.abs(a - b) <= TIE * np.maximum(np.maximum(np.abs(a), np.abs(b)), 1.0)
    return (a == b) | (near & np.isfinite(a) & np.isfinite(b))


def competition_ranks(values: Sequence[float], higher_first: bool) -> np.ndarray:
    """Ranks 1, 1, 3, ... of ``values`` (values within :data:`TIE` of the first of a group share its
    rank, the next value skips the places the group took); NaN ranks last."""
    v = np.asarray(values, dtype=float)
    key = np.where(np.isnan(v), np.inf, -v if higher_first else v)
    order = np.argsort(key, kind="stable")
    ranks = np.empty(len(v), dtype=int)
    first = None
    for position, i in enumerate(order):
        if first is None or not _close(np.array(key[i]), np.array(key[first])) or np.isnan(v[i]):
            first, rank = i, position + 1
        ranks[i] = rank
    return ranks


def leaders(names: Sequence[str], ranks: Sequence[int]) -> list[str]:
    """The names ranked first (every one of them when several tie)."""
    return [n for n, r in zip(names, ranks) if r == 1]


def tied_places(scored: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ``scored[world, portfolio]`` (higher is better, no NaN, infinities allowed): the first and last
    place (1 = best) of each portfolio's tie group in each world. A portfolio alone holds one place
    (first == last); ``t`` portfolios tied take ``t`` places together."""
    worlds, n = scored.shape
    order = np.argsort(-scored, axis=1, kind="stable")
    s = np.take_along_axis(scored, order, axis=1)
    same = _close(s[:, 1:], s[:, :-1])
    place = np.broadcast_to(np.arange(1, n + 1), (worlds, n))
    starts = np.concatenate([np.ones((worlds, 1), bool), ~same], axis=1)
    ends = np.concatenate([~same, np.ones((worlds, 1), bool)], axis=1)
    first_sorted = np.maximum.accumulate(np.where(starts, place, 0), axis=1)
    last_sorted = np.minimum.accumulate(np.where(ends, place, n + 1)[:, ::-1], axis=1)[:, ::-1]
    first, last = np.empty_like(first_sorted), np.empty_like(last_sorted)
    np.put_along_axis(first, order, first_sorted, axis=1)
    np.put_along_axis(last, order, last_sorted, axis=1)
    return first, last


def missing_notes(values: Mapping[str, np.ndarray], criteria: Mapping[str, str], names: Sequence[str],
                  never: Collection[str] = ()) -> list[str]:
    """One warning per criterion and portfolio without a value in some worlds: for an outcome in ``never``
    those worlds count as worse than any value; otherwise they are left out of its regret, and worlds
    where any portfolio has no value are left out of the ranks and ranking stability."""
    notes = []
    for outcome, better in criteria.items():
        m = np.asarray(values[outcome], dtype=float)
        gaps = [(names[k], int(np.isnan(m[:, k]).sum())) for k in range(m.shape[1])]
        gaps = [(n, c) for n, c in gaps if c]
        for name, count in gaps:
            if outcome == COST and count == len(m):
                continue  # the baseline: no cost per extra adoption against itself, by definition
            if outcome in never:
                notes.append(f"{outcome}: {name} has no value in {count} of {len(m)} worlds (never reached within "
                             "the horizon); regret, ranks and 'A beats B' count those worlds as worse than any value")
            elif count < len(m):
                notes.append(f"{outcome}: {name} has no value (NaN) in {count} of {len(m)} worlds; its regret and "
                             f"'best in' are computed over the other {len(m) - count} worlds only")
            else:
                notes.append(f"{outcome}: {name} has no value (NaN) in any world; it has no regret or rank")
        full = [k for k in range(m.shape[1]) if not np.isnan(m[:, k]).all()]
        kept = int((~np.isnan(m[:, full]).any(axis=1)).sum()) if full else 0
        if outcome not in never and len(full) > 1 and kept < len(m):
            notes.append(f"{outcome}: ranks and ranking stability use the {kept} of {len(m)} worlds in which every "
                         "portfolio has a value")
    return notes


# --- regret --------------------------------------------------------------------------------------------------
def regret(matrix: np.ndarray, better: str) -> np.ndarray:
    """``regret[world, portfolio]``: how far each portfolio falls short of the best one of its world
    (0 for the best and for every portfolio tied with it, equal infinities included; +inf for an infinitely
    bad value -- a cost without gain, a "never" -- where another portfolio has a finite one; NaN stays NaN)."""
    m = np.asarray(matrix, dtype=float)
    scored = (1.0 if better == "higher" else -1.0) * m  # higher is better now
    best = np.where(np.isnan(scored), -np.inf, scored).max(axis=1, keepdims=True) if m.size else scored
    with np.errstate(invalid="ignore"):
        out = best - scored
    out[_close(scored, np.broadcast_to(best, scored.shape))] = 0.0
    out[np.isnan(m)] = np.nan
    return out


def bootstrap_mean(values: np.ndarray, weights: np.ndarray, resamples: int, level: float,
                   rng: np.random.Generator) -> tuple[float, float]:
    """Percentile bootstrap interval of the weighted mean over worlds (worlds drawn in proportion to their
    weights); (NaN, NaN) with fewer than two worlds with a value."""
    v, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    keep = ~np.isnan(v)
    v, w = v[keep], w[keep]
    if len(v) < 2:
        return math.nan, math.nan
    if np.isinf(v).any():
        return float(np.inf), float(np.inf)
    resamples = max(10, min(resamples, int(5e7 // len(v))))  # memory: resamples x worlds indices
    draws = rng.choice(len(v), size=(resamples, len(v)), p=w / w.sum())
    means = v[draws].mean(axis=1)
    return float(np.quantile(means, (1 - level) / 2)), float(np.quantile(means, (1 + level) / 2))


def regret_table(values: Mapping[str, np.ndarray], criteria: Mapping[str, str], weights: np.ndarray,
                 names: Sequence[str], level: float = 0.95, resamples: int = 1000, seed: int = 0,
                 never: Collection[str] = ()) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Per criterion (outcome -> better direction) and portfolio: mean regret with its bootstrap interval,
    median, 90th percentile and maximum regret, the share of worlds where the portfolio is the best or tied
    for best (over the worlds where any portfolio has a value), the worlds where it spends without gain
    (infinite cost) and, for an outcome in ``never``, the worlds without a value (counted as worse than any
    value), and its rank by maximum regret (1 = minimax regret; ties share the rank) and by mean regret.
    Also each criterion's regret matrix. Portfolios without any value (the baseline's cost) get no row."""
    rng = np.random.default_rng(seed)
    rows, matrices = [], {}
    for outcome, better in criteria.items():
        raw = np.asarray(values[outcome], dtype=float)
        r = regret(worst_filled(raw, better) if outcome in never else raw, better)
        matrices[outcome] = r
        judged = ~np.isnan(r).all(axis=1)  # worlds where some portfolio has a value
        part = []
        for k, name in enumerate(names):
            v = r[:, k]
            if np.isnan(v).all():
                continue
            low, high = bootstrap_mean(v, weights, resamples, level, rng)
            q50, q90 = weighted_quantiles(v, weights, (0.5, 0.9))
            never_k = np.isnan(raw[:, k]) if outcome in never else np.zeros(len(v), bool)
            best = weighted_share(v[judged] == 0, weights[judged], level)[0]
            part.append(dict(criterion=outcome, better=better, portfolio=name,
                             mean_regret=weighted_mean(v, weights), mean_low=low, mean_high=high,
                             median_regret=q50, p90_regret=q90, max_regret=float(np.nanmax(v)),
                             share_best=best, worlds_no_gain=int((np.isinf(v) & ~never_k).sum()),
                             worlds_never=int(never_k.sum())))
        frame = pd.DataFrame(part)
        if len(frame):
            frame["rank_max_regret"] = competition_ranks(frame["max_regret"], higher_first=False)
            frame["rank_mean_regret"] = competition_ranks(frame["mean_regret"], higher_first=False)
        rows.append(frame)
    return (pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()), matrices


# --- satisficing -----------------------------------------------------------------------------------------------
def meets(values: Mapping[str, np.ndarray], thresholds: Mapping[str, Threshold]) -> np.ndarray:
    """``ok[world, portfolio]``: whether every threshold is met (a NaN value never meets one)."""
    first = next(iter(values.values()))
    ok = np.ones(first.shape, dtype=bool)
    for outcome, threshold in thresholds.items():
        ok &= np.asarray(threshold.met(values[outcome]), dtype=bool)
    return ok


def satisficing_table(values: Mapping[str, np.ndarray], thresholds: Mapping[str, Threshold], weights: np.ndarray,
                      names: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Per portfolio: the share of worlds meeting every threshold with its Wilson interval, and the share
    meeting each threshold alone (columns ``meets_<outcome>``)."""
    every = meets(values, thresholds)
    rows = []
    for k, name in enumerate(names):
        share, low, high = weighted_share(every[:, k], weights, level)
        row = dict(portfolio=name, share_satisficing=share, low=low, high=high)
        for outcome, threshold in thresholds.items():
            row[f"meets_{outcome}"] = weighted_share(threshold.met(values[outcome][:, k]), weights, level)[0]
        rows.append(row)
    table = pd.DataFrame(rows)
    table["rank"] = competition_ranks(table["share_satisficing"], higher_first=True)
    return table


def satisficing_notes(table: pd.DataFrame) -> list[str]:
    """A warning when the thresholds cannot tell the portfolios apart: no portfolio meets them in any world,
    or every portfolio in every world (``table`` as :func:`satisficing_table` makes it)."""
    shares = table["share_satisficing"].to_numpy(dtype=float)
    if len(shares) and np.all(shares == 0):
        return ["satisficing: no portfolio meets the thresholds in any world; they cannot tell the portfolios "
                "apart (lower them, or check their units: shares are 0-1)"]
    if len(shares) and np.all(shares == 1):
        return ["satisficing: every portfolio meets the thresholds in every world; they cannot tell the "
                "portfolios apart (raise them)"]
    return []


# --- pairwise ---------------------------------------------------------------------------------------------------
def pairwise_table(values: Mapping[str, np.ndarray], criteria: Mapping[str, str], weights: np.ndarray,
                   names: Sequence[str], level: float = 0.95, never: Collection[str] = ()) -> pd.DataFrame:
    """For every criterion and ordered pair (A, B): the share of worlds where A does strictly better than
    B, its Wilson interval, and the share of ties, over the worlds where both have a value (for an outcome
    in ``never``: every world, a missing value being worse than any)."""
    rows = []
    for outcome, better in criteria.items():
        m = np.asarray(values[outcome], dtype=float)
        m = worst_filled(m, better) if outcome in never else m
        s = m if better == "higher" else -m
        for a, name_a in enumerate(names):
            for b, name_b in enumerate(names):
                if a == b:
                    continue
                both = ~np.isnan(m[:, a]) & ~np.isnan(m[:, b])
                if not both.any():
                    continue
                x, y, w = s[both, a], s[both, b], weights[both]
                tie = _close(x, y)
                share, low, high = weighted_share((x > y) & ~tie, w, level)
                rows.append(dict(criterion=outcome, a=name_a, b=name_b, share_a_better=share, low=low, high=high,
                                 share_ties=weighted_share(tie, w, level)[0], worlds=int(both.sum())))
    return pd.DataFrame(rows)


# --- ranks ------------------------------------------------------------------------------------------------------
def rank_tables(values: Mapping[str, np.ndarray], criteria: Mapping[str, str], weights: np.ndarray,
                names: Sequence[str], never: Collection[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per criterion and portfolio: mean rank and the share of worlds at each place (``rank_1`` ...); and
    per criterion: Kendall's W, the portfolios most often best and that share.

    Ties (values within :data:`TIE`): ``t`` portfolios tied for places p..p+t-1 each hold 1/t of every one
    of those places, so a portfolio's shares add up to 1, so do a place's, and ``mean_rank`` (the mean of
    the average ranks) is the mean place. "Best" is the share of worlds in which a portfolio is best or
    tied for best, and ``most_often_best`` names every portfolio with the largest share (", "-joined).
    Kendall's W is corrected for ties: ``12 S / (n^3 - n - mean_j T_j)`` with ``T_j`` the sum of
    ``t^3 - t`` over world j's tie groups (NaN when every world ties every portfolio). Portfolios without
    any value are left out; so are worlds where a remaining portfolio has none (for an outcome in
    ``never``, a missing value is worse than any value instead)."""
    share_rows, stability = [], []
    for outcome, better in criteria.items():
        m = np.asarray(values[outcome], dtype=float)
        m = worst_filled(m, better) if outcome in never else m
        keep = [k for k in range(m.shape[1]) if not np.isnan(m[:, k]).all()]
        if len(keep) < 2:
            continue
        sub = m[:, keep]
        rows_ok = ~np.isnan(sub).any(axis=1)
        if not rows_ok.any():
            continue
        first, last = tied_places(sub[rows_ok] if better == "higher" else -sub[rows_ok])
        w = weights[rows_ok] / weights[rows_ok].sum()
        n = len(keep)
        size = last - first + 1
        mean_ranks = (w[:, None] * (first + last) / 2).sum(axis=0)
        for i, k in enumerate(keep):
            row = dict(criterion=outcome, portfolio=names[k], mean_rank=float(mean_ranks[i]))
            for r in range(1, n + 1):
                held = (first[:, i] <= r) & (r <= last[:, i])
                row[f"rank_{r}"] = float((w * held / size[:, i]).sum())
            share_rows.append(row)
        ties = float((w * (size ** 2 - 1).sum(axis=1)).sum())  # mean over worlds of sum over groups (t^3 - t)
        spread = n ** 3 - n - ties
        kendall_w = 12 * float(((mean_ranks - (n + 1) / 2) ** 2).sum()) / spread if spread > TIE else math.nan
        best = (w[:, None] * (first == 1)).sum(axis=0)
        top = [names[keep[i]] for i in np.flatnonzero(_close(best, np.full(n, best.max())))]
        stability.append(dict(criterion=outcome, better=better, kendall_w=kendall_w, worlds=int(rows_ok.sum()),
                              most_often_best=", ".join(top), share_best=float(best.max()), tied_best=len(top)))
    return pd.DataFrame(share_rows), pd.DataFrame(stability)
