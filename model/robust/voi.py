"""Value of information for the choice between portfolios: which unknown, if measured, would most change it.

The decision is to pick one of ``D`` portfolios; its consequence in world ``w`` is the net benefit
``NB[w, d]``: the chosen outcome oriented so that higher is better (the outcome itself if the outcome
catalogue says higher is better, its negative if lower is), in the outcome's own unit. Worlds are draws
of the uncertain parameters ``X[w, j]`` (with weights, e.g. from a calibration posterior). Deciding now,
on expected value, picks ``argmax_d E[NB_d]``.

- **EVPI**, the expected value of perfect information: ``E_w[max_d NB[w, d]] - max_d E_w[NB[w, d]]``, what
  choosing with every unknown known would gain on average over choosing now.
- **EVPPI** of one parameter ``phi``: ``E_phi[max_d E[NB_d | phi]] - max_d E[NB_d]``, the gain from learning
  ``phi`` alone (the rest still unknown). ``E[NB_d | phi]`` is estimated by the regression method of
  Strong, Oakley & Brennan (2014), *Estimating multiparameter partial expected value of perfect
  information from a probabilistic sensitivity analysis sample: a nonparametric regression approach*,
  Medical Decision Making 34(3):311-326: for every decision a smooth regression of ``NB[:, d]`` on ``phi``
  over the worlds (here a penalised cubic regression spline, statsmodels' B-spline basis with knots at
  quantiles and its integrated squared second-derivative penalty, the penalty chosen by generalised
  cross-validation as in a GAM; a parameter with at most :data:`DISCRETE` distinct values gets its group
  means). Run-to-run noise in ``NB`` is averaged out by the regression, so EVPPI needs no noise-free values.

Both are in the outcome's unit per decision (a share's EVPI of 0.004 is 0.4 percentage points of final
adoption). Caveats, as Strong et al. state them: with few worlds the EVPPI estimate is biased upwards (the
maximum of noisy fitted values), so it is reported with an interval and clipped to ``[0, EVPI]`` (flagged
``clipped``); EVPI itself is computed from the per-world values, so noise left in them (a world's value is
a mean over few replications) inflates EVPI, never EVPPI. Parameters correlated with others (a posterior)
carry in their EVPPI what they tell about the others; that is the definition, not an error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: a parameter with at most this many distinct values is regressed on its groups (a step function)
DISCRETE = 12
#: basis dimension of the regression spline (statsmodels' ``df``, the intercept included; mgcv's default
#: ``k``), lowered to one per :data:`WORLDS_PER_DF` worlds, at least 4 (a cubic polynomial), so that few
#: worlds are not overfitted
SPLINE_DF = 10
WORLDS_PER_DF = 10
#: the penalties tried, relative to ``trace(B'WB) / trace(S)``
PENALTIES = 10.0 ** np.arange(-8.0, 6.01, 0.5)
#: draws for the standard errors at most (more change the second digit of a standard error only)
MAX_RESAMPLES = 2000


# --- the decision's values -------------------------------------------------------------------------------
def oriented(matrix: np.ndarray, better: str) -> np.ndarray:
    """``NB[world, portfolio]``: ``matrix`` (same shape, the outcome's values) if higher is better, its
    negative if ``better == "lower"``; raises ValueError for any other direction."""
    if better not in ("higher", "lower"):
        raise ValueError(f"better must be 'higher' or 'lower', not {better!r}")
    m = np.asarray(matrix, dtype=float)
    return m if better == "higher" else -m


def usable(nb: np.ndarray, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Which portfolios (columns of ``nb``, worlds x portfolios) and worlds take part, and why not.

    A portfolio without any value (NaN everywhere: the baseline's cost per extra adoption) is left out;
    so is one with an infinitely bad value (-inf: it spends and gains nothing) in some world, since its
    expected value is then -inf and no decision-maker picks it. Worlds in which a remaining portfolio has
    no value (NaN) are left out. Returns (portfolio indices kept, world mask kept, notes in words)."""
    nb = np.asarray(nb, dtype=float)
    notes = []
    empty = [k for k in range(nb.shape[1]) if np.isnan(nb[:, k]).all()]
    worst = [k for k in range(nb.shape[1]) if k not in empty and np.isneginf(nb[:, k]).any()]
    if empty:
        notes.append(f"left out, without a value in any world: {', '.join(names[k] for k in empty)}")
    if worst:
        notes.append(f"left out, with no gain for its money in some world (its expected value is then "
                     f"infinitely bad; EVPI and EVPPI are lower bounds without it): "
                     f"{', '.join(names[k] for k in worst)}")
    keep = np.array([k for k in range(nb.shape[1]) if k not in empty and k not in worst], dtype=int)
    worlds = ~np.isnan(nb[:, keep]).any(axis=1) & np.isfinite(nb[:, keep]).all(axis=1) if len(keep) else \
        np.zeros(nb.shape[0], dtype=bool)
    if len(keep) and (~worlds).any():
        notes.append(f"{int((~worlds).sum())} of {nb.shape[0]} worlds left out, where a portfolio has no value")
    return keep, worlds, notes


def _normalised(weights: np.ndarray | None, n: int) -> np.ndarray:
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,) or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"weights must be {n} finite values, at least 0, not all 0")
    return w / w.mean()


def gain(nb: np.ndarray, weights: np.ndarray | None = None) -> float:
    """``mean_w max_d nb[w, d] - max_d mean_w nb[w, d]`` (weighted means over worlds): the EVPI of the
    values ``nb`` (worlds x decisions, finite), or the EVPPI of fitted conditional means."""
    nb = np.asarray(nb, dtype=float)
    w = _normalised(weights, nb.shape[0])
    return float((w @ nb.max(axis=1) - (w @ nb).max()) / w.sum())


def evpi(nb: np.ndarray, weights: np.ndarray | None = None) -> float:
    """The expected value of perfect information of ``nb[world, decision]`` (finite values, higher better),
    in ``nb``'s unit; 0 with a single decision. Noise within a world's value inflates it (see the module)."""
    return gain(nb, weights)


# --- the regression ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Smooth:
    """A fitted regression of every decision's net benefit on one parameter: ``basis`` (worlds x k),
    ``coef`` (k x decisions), each decision's coefficient covariance ``cov`` (decisions x k x k, Wood's
    Bayesian covariance ``sigma^2 (B'WB + lambda S)^-1``) and the effective degrees of freedom ``edf``
    (decisions)."""

    basis: np.ndarray
    coef: np.ndarray
    cov: np.ndarray
    edf: np.ndarray

    @property
    def fitted(self) -> np.ndarray:
        """``E[NB_d | phi]`` at every world: worlds x decisions."""
        return self.basis @ self.coef


def design(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The regression's basis (worlds x k, an intercept first) and penalty (k x k) for parameter values
    ``x`` (worlds): group indicators without penalty for at most :data:`DISCRETE` distinct values, else
    statsmodels' cubic B-spline basis (knots at quantiles, dimension as :data:`SPLINE_DF` says) and its
    integrated squared second derivative."""
    x = np.asarray(x, dtype=float)
    levels = np.unique(x)
    if len(levels) <= DISCRETE:
        groups = (x[:, None] == levels[None, :]).astype(float)
        return groups, np.zeros((len(levels), len(levels)))
    from statsmodels.gam.api import BSplines

    df = max(4, min(SPLINE_DF, len(levels) - 2, len(x) // WORLDS_PER_DF))
    splines = BSplines(x[:, None], df=[df], degree=[3])
    basis = np.column_stack([np.ones(len(x)), splines.basis])
    penalty = np.zeros((basis.shape[1], basis.shape[1]))
    penalty[1:, 1:] = splines.smoothers[0].cov_der2
    return basis, penalty


def smooth(x: np.ndarray, nb: np.ndarray, weights: np.ndarray | None = None) -> Smooth:
    """``E[nb[:, d] | x]`` for every decision ``d`` by penalised weighted least squares on :func:`design`,
    each decision's penalty chosen among :data:`PENALTIES` by generalised cross-validation
    (``n RSS / (n - edf)^2``; on a tie, the largest). ``x``: worlds; ``nb``: worlds x decisions, finite."""
    nb = np.asarray(nb, dtype=float)
    n, d = nb.shape
    w = _normalised(weights, n)
    basis, penalty = design(x)
    gram = basis.T @ (w[:, None] * basis)
    cross = basis.T @ (w[:, None] * nb)
    scale = np.trace(gram) / np.trace(penalty) if penalty.any() else 0.0
    best = [(math.inf, None, None, None)] * d
    for lam in (PENALTIES[::-1] * scale if penalty.any() else [0.0]):  # on a tie the smoothest wins
        inverse = np.linalg.pinv(gram + lam * penalty, hermitian=True)
        coef = inverse @ cross
        edf = float(np.trace(inverse @ gram))
        rss = w @ (nb - basis @ coef) ** 2
        score = n * rss / max(n - edf, 1e-9) ** 2
        for j in range(d):
            if score[j] < best[j][0]:
                sigma2 = rss[j] / max(n - edf, 1.0)
                best[j] = (score[j], coef[:, j], sigma2 * inverse, edf)
    return Smooth(basis, np.column_stack([b[1] for b in best]), np.stack([b[2] for b in best]),
                  np.array([b[3] for b in best]))


# --- EVPPI ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Partial:
    """One parameter's EVPPI (in the decision's unit): the estimate ``value`` (clipped to [0, EVPI]),
    ``raw`` before clipping, its standard error ``se``, the ``level`` interval ``(low, high)`` = ``value +/- z
    se`` clipped to [0, EVPI], whether it was ``clipped``, and the regression's effective degrees of freedom
    (largest over decisions)."""

    value: float
    raw: float
    se: float
    low: float
    high: float
    clipped: bool
    edf: float


def _resampled_gain(fitted: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """:func:`gain` of ``fitted`` (worlds x decisions x draws) with each draw's worlds taken ``counts``
    (draws x worlds) times: one value per draw."""
    n = counts.sum(axis=1)
    best = np.einsum("bw,wb->b", counts, fitted.max(axis=1))
    means = np.einsum("bw,wdb->bd", counts, fitted)
    return (best - means.max(axis=1)) / n


def _draws(fit: Smooth, w: np.ndarray, resamples: int, rng: np.random.Generator, block: int = 50) -> np.ndarray:
    """EVPPI over ``resamples`` draws of the coefficients from their covariance (the regression's
    uncertainty, as Strong et al. estimate the standard error) and of the worlds with replacement in
    proportion to their weights (the Monte Carlo error of the outer mean); ``block`` draws at a time."""
    n, k, d = fit.basis.shape[0], fit.coef.shape[0], fit.coef.shape[1]
    roots = []
    for j in range(d):
        values, vectors = np.linalg.eigh(fit.cov[j])
        roots.append(vectors * np.sqrt(np.clip(values, 0.0, None)))
    out = []
    for start in range(0, resamples, block):
        b = min(block, resamples - start)
        coef = np.stack([fit.coef[:, [j]] + roots[j] @ rng.standard_normal((k, b)) for j in range(d)], axis=1)
        fitted = np.einsum("wk,kdb->wdb", fit.basis, coef)
        out.append(_resampled_gain(fitted, rng.multinomial(n, w / w.sum(), size=b)))
    return np.concatenate(out)


def evppi(x: np.ndarray, nb: np.ndarray, weights: np.ndarray | None = None, total: float | None = None,
          level: float = 0.95, resamples: int = 500, rng: np.random.Generator | None = None) -> Partial:
    """The EVPPI of parameter ``x`` (worlds) for the decision ``nb`` (worlds x decisions, finite, higher
    better), in ``nb``'s unit: ``mean_w max_d g_d(x_w) - max_d mean_w g_d(x_w)`` with ``g_d`` from
    :func:`smooth`. Clipped to ``[0, total]`` (``total``: the EVPI, computed if not given). With one
    decision or a constant parameter: 0."""
    nb = np.asarray(nb, dtype=float)
    total = evpi(nb, weights) if total is None else total
    if nb.shape[1] < 2 or len(np.unique(x)) < 2:
        return Partial(0.0, 0.0, 0.0, 0.0, 0.0, False, 1.0)
    fit = smooth(x, nb, weights)
    raw = gain(fit.fitted, weights)
    draws = _draws(fit, _normalised(weights, len(nb)), resamples, rng or np.random.default_rng(0))
    # the draws' own percentiles sit above the estimate (the maximum of noisy fitted values): their spread
    # is the standard error, the interval is centred on the estimate
    from scipy.stats import norm

    se = float(draws.std(ddof=1))
    value, top = min(max(raw, 0.0), max(total, 0.0)), max(total, 0.0)
    half = float(norm.ppf(0.5 + level / 2)) * se
    return Partial(value, raw, se, min(max(value - half, 0.0), top), min(value + half, top), value != raw,
                   float(fit.edf.max()))


def evpi_interval(nb: np.ndarray, weights: np.ndarray | None = None, level: float = 0.95, resamples: int = 500,
                  rng: np.random.Generator | None = None) -> tuple[float, float]:
    """Percentile bootstrap interval of the EVPI over worlds (drawn in proportion to their weights)."""
    nb = np.asarray(nb, dtype=float)
    rng = rng or np.random.default_rng(0)
    p = _normalised(weights, len(nb))
    counts = rng.multinomial(len(nb), p / p.sum(), size=resamples)
    draws = (counts @ nb.max(axis=1) - (counts @ nb).max(axis=1)) / len(nb)
    return float(np.quantile(draws, (1 - level) / 2)), float(np.quantile(draws, (1 + level) / 2))


# --- the table of an experiment ---------------------------------------------------------------------------
def value_of_information(matrix: np.ndarray, better: str, parameters: np.ndarray, parameter_names: Sequence[str],
                         names: Sequence[str], weights: np.ndarray | None = None, level: float = 0.95,
                         resamples: int = 500, seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    """One criterion's value of information: ``matrix[world, portfolio]`` the outcome (its direction
    ``better``), ``parameters[world, j]`` the worlds' values of ``parameter_names``, ``names`` the
    portfolios. Portfolios and worlds without values are left out first (:func:`usable`); ``resamples``
    (at most :data:`MAX_RESAMPLES`) draws give the standard errors and intervals.

    Returns one row per parameter, largest EVPPI first: ``parameter, evppi, evppi_low, evppi_high,
    evppi_se, share_of_evpi, clipped, edf, evpi, evpi_low, evpi_high, chosen_now, worlds, portfolios`` (values
    in the outcome's unit, as a gain in its better direction), and the notes on what was left out. An
    empty table when fewer than two portfolios or four worlds remain."""
    nb = oriented(matrix, better)
    keep, worlds, notes = usable(nb, names)
    if len(keep) < 2 and np.isneginf(nb).any():
        return pd.DataFrame(), ["fewer than two portfolios gain something for their money in every world, so their "
                                "expected value is infinitely bad and the choice on expected value undefined (a ratio "
                                "is infinite where its denominator is 0); a criterion that adds up, such as "
                                "adoptions_final or spend_msek, has a value of information"]
    if len(keep) < 2 or worlds.sum() < 4:
        return pd.DataFrame(), notes + [f"{len(keep)} portfolio(s) and {int(worlds.sum())} world(s) with values: "
                                        "at least 2 and 4 are needed"]
    nb, x = nb[np.ix_(worlds, keep)], np.asarray(parameters, dtype=float)[worlds]
    w = _normalised(weights[worlds] if weights is not None else None, len(nb))
    rng, resamples = np.random.default_rng(seed), min(resamples, MAX_RESAMPLES)
    total = evpi(nb, w)
    low, high = evpi_interval(nb, w, level, resamples, rng)
    chosen = names[keep[int(np.argmax(w @ nb))]]
    rows = []
    for j, name in enumerate(parameter_names):
        part = evppi(x[:, j], nb, w, total, level, resamples, rng)
        rows.append(dict(parameter=name, evppi=part.value, evppi_low=part.low, evppi_high=part.high,
                         evppi_se=part.se, share_of_evpi=part.value / total if total > 0 else math.nan,
                         clipped=part.clipped, edf=part.edf, evpi=total, evpi_low=low, evpi_high=high,
                         chosen_now=chosen, worlds=int(worlds.sum()), portfolios=len(keep)))
    table = pd.DataFrame(rows)
    if len(table):
        table = table.sort_values("evppi", ascending=False, kind="stable").reset_index(drop=True)
    return table, notes


def voi_table(values: Mapping[str, np.ndarray], criteria: Mapping[str, str], parameters: np.ndarray,
              parameter_names: Sequence[str], names: Sequence[str], weights: np.ndarray | None = None,
              level: float = 0.95, resamples: int = 500, seed: int = 0) -> pd.DataFrame:
    """:func:`value_of_information` for every criterion (outcome -> better direction), stacked, with the
    columns ``criterion, better, unit`` first (the unit from the outcome catalogue) and a ``note`` on what
    was left out. Empty without parameters."""
    from ..outcomes.catalogue import is_outcome, outcome

    frames = []
    for i, (criterion, better) in enumerate(criteria.items()):
        if not len(parameter_names):
            break
        table, notes = value_of_information(values[criterion], better, parameters, parameter_names, names, weights,
                                            level, resamples, seed + i)
        if not len(table):
            table = pd.DataFrame({"parameter": list(parameter_names)})
        table.insert(0, "unit", outcome(criterion).unit if is_outcome(criterion) else "")
        table.insert(0, "better", better)
        table.insert(0, "criterion", criterion)
        table["note"] = "; ".join(notes)
        frames.append(table)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
