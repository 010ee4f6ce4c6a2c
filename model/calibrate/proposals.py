"""The fit's prior and perturbation kernel in closed form, on the sampler's logit scale (:mod:`.scale`).

pyabc asks the prior for its density about twice per candidate and draws each proposal from its
multivariate normal kernel through pandas and scipy: together about as much CPU as the model run itself
(issue 21). Here:

- :class:`FastPrior` is a ``pyabc.Distribution`` (so pyabc stores and copies it as before) of independent
  standard logistic marginals, one per fitted parameter: the prior of ``logit(F(x))`` whatever the
  parameter's own prior ``F`` (uniform, log-uniform, truncated normal; :mod:`.scale` says why the sampler
  works on that scale). Its ``pdf`` and ``rvs`` are closed forms over plain floats; the density equals
  scipy's logistic to rounding (tested to 1e-12 relative). A draw is ``logit(u)`` of one uniform ``u`` per
  parameter, so a uniform prior's sample is the same numbers ``low + (high - low) * u`` as before.
- :class:`DefensiveTransition` mixes pyabc's ``MultivariateNormalTransition`` (same bandwidth, same
  covariance, same density) with the prior, so that no importance weight can grow without bound. Its
  kernel draw picks the particle by its weight and adds a normal perturbation from a factor of the
  covariance computed once per generation. On the logit scale every proposal lies in the prior's support:
  nothing is redrawn.
- :class:`OneModel` is the model prior of a fit with one model (pyabc's default is scipy's ``randint``).

The draws come from NumPy's global generator, seeded per candidate by :mod:`.sampler`, so a fit is still
fixed by its seed; the numbers drawn differ from those of pyabc's scipy path (a different random stream).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyabc
from pyabc import Parameter
from pyabc.transition import MultivariateNormalTransition

from .plan import FittedParameter
from .scale import logistic_pdf, logit

#: the share of each generation's proposals drawn from the prior (:class:`DefensiveTransition`): on a
#: posterior equal to the prior in 12 dimensions it keeps the effective sample at about a third of the
#: population (0.1: a fifth; without: it fell to 2 of 300 by the third generation)
DEFENSIVE_SHARE = 0.2


class FastPrior(pyabc.Distribution):
    """The prior of ``fitted`` on the sampler's scale: a standard logistic for each parameter, independent
    (scipy's logistic RVs are kept as the Distribution's items)."""

    def __init__(self, fitted: list[FittedParameter]) -> None:
        super().__init__(**{f.name: pyabc.RV("logistic", 0.0, 1.0) for f in fitted})
        self.fitted = list(fitted)
        self.names = [f.name for f in fitted]

    def copy(self) -> "FastPrior":
        """A copy (pyabc copies its priors)."""
        return FastPrior(self.fitted)

    def __reduce__(self) -> tuple:
        return FastPrior, (self.fitted,)

    def rvs(self, *args: Any, **kwargs: Any) -> Parameter:
        """One draw: a Parameter by name, each ``logit(u)`` of a uniform ``u`` from NumPy's global generator."""
        return Parameter({name: float(logit(np.random.random_sample())) for name in self.names})

    def pdf(self, x: Parameter | dict) -> float:
        """The density at ``x`` (a value for every fitted parameter, by name): the product of the marginals'."""
        if len(x) != len(self.names):
            raise ValueError(f"the prior has parameters {sorted(self.names)}, got {sorted(x)}")
        density = 1.0
        for name in self.names:
            density *= logistic_pdf(float(x[name]))
        return density


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


class DefensiveTransition(MultivariateNormalTransition):
    """The proposal of each generation after the first: with probability :data:`DEFENSIVE_SHARE` a draw
    from ``prior`` (a :class:`FastPrior`), else pyabc's multivariate normal kernel around a particle drawn
    by weight (same bandwidth and covariance as pyabc's; cheap draws). ``pdf`` is the mixture's density,
    which pyabc's importance weights ``prior / proposal`` divide by.

    Why the mixture (a *defensive* importance sampler, Hesterberg 1995, Technometrics 37:185-194): with
    twelve parameters, several of them weakly identified, the kernel's density falls off faster than the
    prior's in the tails, so the few sets accepted out there took most of the weight — the effective sample
    of the refit of 2026-12-06 was 4-33 of 500 sets per generation, and a 9th generation put 72 % of the
    weight on one set. Mixed with the prior, no weight exceeds ``1 / DEFENSIVE_SHARE`` times the prior's
    share (tests/calibrate/test_proposals.py measures the effective sample on a known posterior). The
    price: that share of the candidates comes from the prior and is mostly rejected in late generations.
    """

    def __init__(self, prior: "FastPrior", share: float | None = None) -> None:
        super().__init__()
        self.prior = prior
        self.share = DEFENSIVE_SHARE if share is None else share

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

    def rvs_single(self) -> Parameter:
        """One proposal: from the prior (with probability ``share``), else a particle drawn by weight plus a
        normal perturbation."""
        if np.random.random_sample() < self.share:
            return self.prior.rvs()
        index = min(int(np.searchsorted(self._cdf, np.random.random_sample(), side="right")), len(self._cdf) - 1)
        proposal = self._X[index] + self._factor @ np.random.standard_normal(self._X.shape[1])
        return Parameter(dict(zip(self._columns, proposal.tolist())))

    def pdf(self, x: Parameter | pd.Series | pd.DataFrame) -> float | np.ndarray:
        """The mixture's density at ``x`` (one parameter set, or a DataFrame of them: an array)."""
        kernel = super().pdf(x)
        if isinstance(x, pd.DataFrame):
            prior = np.array([self.prior.pdf(row) for row in x[self._columns].to_dict("records")])
        else:
            prior = self.prior.pdf({c: x[c] for c in self._columns})
        return (1.0 - self.share) * kernel + self.share * prior
