"""Inequality measures used for the equality outcomes.

Plain functions of a vector of adoption levels (one value per municipality), so they can be checked
against hand-computed values.
"""

from __future__ import annotations

import math

import numpy as np


def gini(x: np.ndarray) -> float:
    """Gini coefficient (mean absolute difference over twice the mean) of a 1-d vector of levels >= 0;
    0 when it is empty, all equal or all zero.

    Every sum is ``math.fsum`` (correctly rounded) of elementwise products, so the result has the same bits
    on every machine: a BLAS dot product's rounding depends on the CPU's kernel.
    """
    xs = np.sort(np.asarray(x, dtype=float))
    n = len(xs)
    total = math.fsum(xs.tolist()) if n else 0.0
    if total == 0:
        return 0.0
    # sum_ij |x_i - x_j| = 2 sum_i (2i - n - 1) x_(i) over the sorted values (i = 1..n)
    weights = 2 * np.arange(1, n + 1) - n - 1
    total_abs_diff = 2.0 * math.fsum((weights * xs).tolist())
    return float(total_abs_diff / (n * n) / (2 * (total / n)))


def _theil_terms(x: np.ndarray, mean) -> np.ndarray:
    """(x / mean) ln(x / mean), with 0 ln 0 = 0; ``mean`` a number or one value per element."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = x / mean
        return np.where(r > 0, r * np.log(r), 0.0)


def theil(x: np.ndarray) -> float:
    """Theil T index ``mean((x/mu) ln(x/mu))``, with 0 ln 0 = 0; 0 when all are equal or all zero."""
    x = np.asarray(x, dtype=float)
    mean = x.mean() if len(x) else 0.0
    if mean == 0:
        return 0.0
    return float(_theil_terms(x, mean).mean())


def theil_decomposition(x: np.ndarray, groups: np.ndarray) -> tuple[float, float, float]:
    """(total, between, within) Theil T with groups; total == between + within exactly.

    between = sum_g s_g ln(mu_g / mu), within = sum_g s_g T_g, where s_g = (N_g mu_g) / (N mu) is the
    group's share of the total.
    """
    x = np.asarray(x, dtype=float)
    mean = x.mean() if len(x) else 0.0
    if mean == 0:
        return 0.0, 0.0, 0.0
    _, group = np.unique(np.asarray(groups), return_inverse=True)
    size = np.bincount(group)
    group_sum = np.bincount(group, weights=x)
    group_mean = group_sum / size
    share = group_sum / x.sum()
    has = share > 0
    # each group's own Theil index, from its members' terms (groups with mean 0 contribute nothing)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.bincount(group, weights=_theil_terms(x, group_mean[group]), minlength=len(size)) / size
    between = float(np.sum(share[has] * np.log(group_mean[has] / mean)))
    within = float(np.sum(share[has] * own[has]))
    return theil(x), between, within
