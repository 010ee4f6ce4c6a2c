"""The fit's prior and perturbation kernel in closed form: pyabc's distributions, without scipy per call.

pyabc asks the prior for its density about five times per candidate (each perturbed proposal is checked
for a positive prior density, then weighed) and draws each proposal from its multivariate normal kernel
through pandas and scipy: together about as much CPU as the model run itself (issue 21). Here:

- :class:`FastPrior` is a ``pyabc.Distribution`` (so pyabc stores and copies it as before) of the same
  independent uniform, log-uniform or truncated normal marginals as :func:`.fit.prior_distribution` used
  to give it through scipy's ``RV``; its ``pdf`` and ``rvs`` are closed forms over plain floats (the
  truncated normal's constant taken from scipy once). The densities equal scipy's to rounding (tested to
  1e-12 relative) and the support is scipy's closed interval [low, high].
- :class:`FastNormalTransition` is pyabc's ``MultivariateNormalTransition`` (same bandwidth, same
  covariance, same density ``pdf``) whose single draw picks the particle by its weight and adds a normal
  perturbation from a factor of the covariance computed once per generation; it draws until the proposal
  lies inside the prior's support (``support``), in batches, and returns the first that does. pyabc
  itself redraws until the prior density is positive, so the proposal's distribution is the same (the
  kernel restricted to the support); the proposals outside are rejected without a pandas object or a
  density made for them.
- :class:`OneModel` is the model prior of a fit with one model (pyabc's default is scipy's ``randint``).

The draws come from NumPy's global generator, seeded per candidate by :mod:`.sampler`, so a fit is still
fixed by its seed; the numbers drawn differ from those of pyabc's scipy path (a different random stream).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyabc
from pyabc import Parameter
from pyabc.transition import MultivariateNormalTransition

from .plan import FittedParameter

#: proposals drawn at once by FastNormalTransition (about five are needed per candidate in a typical fit)
BATCH = 8


class FastPrior(pyabc.Distribution):
    """Independent marginals of ``fitted`` (uniform, loguniform or truncated normal on [low, high]), the
    same distribution as scipy's RVs would give (they are kept as the Distribution's items)."""

    def __init__(self, fitted: list[FittedParameter]) -> None:
        super().__init__(**{f.name: scipy_rv(f) for f in fitted})
        self.fitted = list(fitted)
        self.names = [f.name for f in fitted]
        self.low = np.array([f.low for f in fitted])
        self.high = np.array([f.high for f in fitted])
        self._marginals = [(f.name, f.prior, f.low, f.high, _constant(f)) for f in self.fitted]

    def copy(self) -> "FastPrior":
        """A copy (pyabc copies its priors)."""
        return FastPrior(self.fitted)

    def __reduce__(self) -> tuple:
        return FastPrior, (self.fitted,)

    def rvs(self, *args: Any, **kwargs: Any) -> Parameter:
        """One draw: a Parameter by name (truncated normals through scipy: only the prior sample draws)."""
        out = {}
        for (name, kind, low, high, c), f in zip(self._marginals, self.fitted):
            if kind == "uniform":
                out[name] = low + (high - low) * np.random.random_sample()
            elif kind == "loguniform":
                out[name] = math.exp(math.log(low) + c * np.random.random_sample())
            else:
                out[name] = float(self[name].rvs())
        return Parameter(out)

    def pdf(self, x: Parameter | dict) -> float:
        """The density at ``x`` (a value for every fitted parameter, by name): the product of the marginals'."""
        if len(x) != len(self._marginals):
            raise ValueError(f"the prior has parameters {sorted(self.names)}, got {sorted(x)}")
        density = 1.0
        for name, kind, low, high, c in self._marginals:
            v = float(x[name])
            if not low <= v <= high:
                return 0.0
            if kind == "uniform":
                density *= c
            elif kind == "loguniform":
                density *= 1.0 / (v * c)
            else:
                mean, sd, peak = c
                z = (v - mean) / sd
                density *= peak * math.exp(-0.5 * z * z)
        return density


def scipy_rv(f: FittedParameter) -> Any:
    """The prior of ``f`` as pyabc's scipy RV (what pyabc would use without :class:`FastPrior`)."""
    if f.prior == "uniform":
        return pyabc.RV("uniform", f.low, f.high - f.low)
    if f.prior == "loguniform":
        return pyabc.RV("loguniform", f.low, f.high)
    return pyabc.RV("truncnorm", (f.low - f.mean) / f.sd, (f.high - f.mean) / f.sd, loc=f.mean, scale=f.sd)


def _constant(f: FittedParameter) -> Any:
    """What the marginal's density needs: 1/(high - low) (uniform), log(high/low) (loguniform), or the mean,
    sd and density at the mean (truncated normal, from scipy: its normalising constant in the tails)."""
    if f.prior == "uniform":
        return 1.0 / (f.high - f.low)
    if f.prior == "loguniform":
        return math.log(f.high) - math.log(f.low)
    return (f.mean, f.sd, float(scipy_rv(f).pdf(f.mean)))


class OneModel(pyabc.RV):
    """The model prior of a one-model fit: model 0 with probability 1."""

    def __init__(self) -> None:
        super().__init__("randint", 0, 1)

    def rvs(self, *args: Any, **kwargs: Any) -> int:
        """Model 0."""
        return 0

    def pmf(self, x: Any, *args: Any, **kwargs: Any) -> float:
        """1 for model 0, else 0."""
        return 1.0 if x == 0 else 0.0

    def copy(self) -> "OneModel":
        """A copy."""
        return OneModel()


class FastNormalTransition(MultivariateNormalTransition):
    """pyabc's multivariate normal kernel with cheap draws restricted to ``support`` (name -> (low, high),
    the prior's; see the module docstring). ``pdf`` is pyabc's, unrestricted, as pyabc's weights use it."""

    def __init__(self, support: dict[str, tuple[float, float]]) -> None:
        super().__init__()
        self.support = dict(support)

    def fit(self, X: Any, w: np.ndarray) -> None:
        """pyabc's fit, then the draw's ingredients: particles as an array, cumulative weights, and a factor
        ``A`` of the covariance (``A @ A.T == cov``; from its eigen decomposition, as scipy's singular-safe
        normal uses)."""
        super().fit(X, w)
        self._columns = list(X.columns)
        self._X = np.asarray(X.values, dtype=float)
        weights = np.asarray(w, dtype=float)
        self._cdf = np.cumsum(weights / weights.sum())
        values, vectors = np.linalg.eigh(self.cov)
        self._factor = vectors * np.sqrt(np.clip(values, 0.0, None))
        self._low = np.array([self.support[c][0] for c in self._columns])
        self._high = np.array([self.support[c][1] for c in self._columns])

    def rvs_single(self) -> Parameter:
        """One proposal inside the support: a particle drawn by weight plus a normal perturbation, again
        until one lies inside (batches of :data:`BATCH`; pyabc's loop would redraw the same way)."""
        n, dim = len(self._cdf), self._X.shape[1]
        for _ in range(10_000):
            u = np.random.random_sample(BATCH)
            index = np.minimum(np.searchsorted(self._cdf, u, side="right"), n - 1)
            proposals = self._X[index] + np.random.standard_normal((BATCH, dim)) @ self._factor.T
            inside = np.flatnonzero(((proposals >= self._low) & (proposals <= self._high)).all(axis=1))
            if inside.size:
                return Parameter(dict(zip(self._columns, proposals[inside[0]].tolist())))
        # the support is (almost) never reached: give pyabc an outside proposal and let it warn as before
        return Parameter(dict(zip(self._columns, proposals[0].tolist())))
