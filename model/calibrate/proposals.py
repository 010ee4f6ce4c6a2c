"""The fit's prior and perturbation kernel in closed form: pyabc's distributions, without scipy per call.

pyabc asks the prior for its density about five times per candidate (each perturbed proposal is checked
for a positive prior density, then weighed) and draws each proposal from its multivariate normal kernel
through pandas and scipy: together about as much CPU as the model run itself (issue 21). Here:

- :class:`FastPrior` is a ``pyabc.Distribution`` (so pyabc stores and copies it as before) of the same
  independent uniform, log-uniform or truncated normal marginals as :func:`.fit.prior_distribution` used
  to give it through scipy's ``RV``; its ``pdf`` and ``rvs`` are closed forms over plain floats (the
  truncated normal's constant taken from scipy once). The densities equal scipy's to rounding (tested to
  1e-12 relative) and the support is scipy's (the same test on the same standardised value).
- :class:`FastNormalTransition` is pyabc's ``MultivariateNormalTransition`` (same bandwidth, same
  covariance, same density ``pdf``) whose single draw picks the particle by its weight and adds a normal
  perturbation from a factor of the covariance computed once per generation; it draws until the proposal
  lies inside the prior's support (tested as the prior tests it), in batches, and returns the first that does. pyabc
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
        # the support tested as scipy tests it: the standardised value (x - shift) / scale within [lo, hi]
        # (for a truncated normal that is not the same as x within [low, high] at the ends, by rounding)
        self.bounds = {f.name: _bounds(f) for f in self.fitted}
        self._marginals = [(f.name, f.prior, *self.bounds[f.name], _constant(f)) for f in self.fitted]

    def copy(self) -> "FastPrior":
        """A copy (pyabc copies its priors)."""
        return FastPrior(self.fitted)

    def __reduce__(self) -> tuple:
        return FastPrior, (self.fitted,)

    def rvs(self, *args: Any, **kwargs: Any) -> Parameter:
        """One draw: a Parameter by name (truncated normals through scipy: only the prior sample draws)."""
        out = {}
        for f, (name, kind, *_, c) in zip(self.fitted, self._marginals):
            if kind == "uniform":
                out[name] = f.low + (f.high - f.low) * np.random.random_sample()
            elif kind == "loguniform":
                out[name] = math.exp(math.log(f.low) + c * np.random.random_sample())
            else:
                out[name] = float(self[name].rvs())
        return Parameter(out)

    def pdf(self, x: Parameter | dict) -> float:
        """The density at ``x`` (a value for every fitted parameter, by name): the product of the marginals'."""
        if len(x) != len(self._marginals):
            raise ValueError(f"the prior has parameters {sorted(self.names)}, got {sorted(x)}")
        density = 1.0
        for name, kind, shift, scale, lo, hi, c in self._marginals:
            v = float(x[name])
            if not lo <= (v - shift) / scale <= hi:
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


def _bounds(f: FittedParameter) -> tuple[float, float, float, float]:
    """``(shift, scale, lo, hi)``: x is in the support of ``f``'s prior when ``lo <= (x - shift) / scale <= hi``
    (scipy's test: on the standardised value of a distribution with loc and scale)."""
    if f.prior == "uniform":
        return f.low, f.high - f.low, 0.0, 1.0
    if f.prior == "loguniform":
        return 0.0, 1.0, f.low, f.high
    return f.mean, f.sd, (f.low - f.mean) / f.sd, (f.high - f.mean) / f.sd


def _constant(f: FittedParameter) -> Any:
    """What the marginal's density needs: 1/(high - low) (uniform), log(high/low) (loguniform), or the mean,
    sd and the density's factor ``peak`` with density ``peak * exp(-z**2 / 2)`` (truncated normal: from
    scipy's density at the middle of the range, its normalising constant computed as scipy does in the
    tails; the mean itself may lie outside the range)."""
    if f.prior == "uniform":
        return 1.0 / (f.high - f.low)
    if f.prior == "loguniform":
        return math.log(f.high) - math.log(f.low)
    middle = (f.low + f.high) / 2
    z = (middle - f.mean) / f.sd
    return (f.mean, f.sd, float(scipy_rv(f).pdf(middle)) * math.exp(0.5 * z * z))


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
    """pyabc's multivariate normal kernel with cheap draws restricted to the support of ``prior`` (a
    :class:`FastPrior`; see the module docstring). ``pdf`` is pyabc's, unrestricted, as pyabc's weights
    use it."""

    def __init__(self, prior: FastPrior) -> None:
        super().__init__()
        self.bounds = dict(prior.bounds)

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
        self._shift, self._scale, self._lo, self._hi = np.array([self.bounds[c] for c in self._columns]).T

    def rvs_single(self) -> Parameter:
        """One proposal inside the support: a particle drawn by weight plus a normal perturbation, again
        until one lies inside (batches of :data:`BATCH`; pyabc's loop would redraw the same way)."""
        n, dim = len(self._cdf), self._X.shape[1]
        for _ in range(10_000):
            u = np.random.random_sample(BATCH)
            index = np.minimum(np.searchsorted(self._cdf, u, side="right"), n - 1)
            proposals = self._X[index] + np.random.standard_normal((BATCH, dim)) @ self._factor.T
            standard = (proposals - self._shift) / self._scale  # the prior's test of its support
            inside = np.flatnonzero(((standard >= self._lo) & (standard <= self._hi)).all(axis=1))
            if inside.size:
                return Parameter(dict(zip(self._columns, proposals[inside[0]].tolist())))
        # the support is (almost) never reached: give pyabc an outside proposal and let it warn as before
        return Parameter(dict(zip(self._columns, proposals[0].tolist())))
