"""The one home of the interval of a mean over replications (summaries, comparisons, paired differences)."""

from __future__ import annotations

import numpy as np


def mean_interval(values: np.ndarray, share: bool = False, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``values`` (NaNs ignored) and its t-based ``level`` confidence interval.

    With fewer than two values the interval is (NaN, NaN); with none, all three are NaN. ``share``: the
    values are shares, so the interval is clipped to [0, 1] (a paired difference of shares is not a share:
    leave it False).
    """
    from scipy.special import stdtrit  # what scipy.stats.t.ppf computes, without importing scipy.stats

    values = np.asarray(values, dtype=float)
    ok = values[~np.isnan(values)]
    if len(ok) == 0:
        return np.nan, np.nan, np.nan
    mean = float(ok.mean())
    if len(ok) < 2:
        return mean, np.nan, np.nan
    half = stdtrit(len(ok) - 1, 0.5 + level / 2) * ok.std(ddof=1) / np.sqrt(len(ok))
    low, high = mean - half, mean + half
    if share:
        low, high = max(low, 0.0), min(high, 1.0)
    return mean, float(low), float(high)
