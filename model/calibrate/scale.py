"""The scale the sampler works on: each fitted parameter as the logit of its prior's cumulative probability.

A fitted parameter ``x`` with prior CDF ``F`` (uniform, log-uniform or truncated normal on [low, high]) is
sampled as ``z = logit(F(x))``, which is unbounded, and its prior on that scale is the standard logistic
distribution, the same for every parameter. Why: pyabc's normal kernel on the bounded scale reaches past
the prior's ends, and the importance weight ``prior / proposal`` divides by the kernel's density *without*
the part cut off there, so a set near an end of k parameters was over-weighted by up to 2**k; and a
log-uniform prior's density (1/x) gave the few sets at its low end hundreds of times the weight of those at
its high end. In the refit of 2026-12-06 (on the bounded scale) the effective sample of each generation was
4–33 of 500 sets and a 9th generation collapsed onto one (docs/calibration.md, "Weights"). On the logit
scale the kernel never leaves the support and the prior's density is smooth: weights stay even.

The map is one-to-one, so the posterior is the same distribution, read back on the parameter's own scale
(:func:`to_model` on every stored set). A uniform prior's sample is the same numbers as before (``x = low +
(high - low) * u`` from the same uniform ``u``).

Shapes: the functions take a float or an array and return the same shape.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .plan import FittedParameter

#: how far from 0 and 1 a cumulative probability is kept (logit(1e-12) is about -27.6: a finite number)
EPS = 1e-12


def logit(u: Any) -> Any:
    """log(u / (1 - u)), with ``u`` kept within [EPS, 1 - EPS]."""
    u = np.clip(u, EPS, 1.0 - EPS)
    return np.log(u) - np.log1p(-u)


def expit(z: Any) -> Any:
    """1 / (1 + exp(-z)), without overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def logistic_pdf(z: float) -> float:
    """The standard logistic density at ``z`` (the prior of every parameter on the sampler's scale)."""
    e = math.exp(-abs(z))
    return e / (1.0 + e) ** 2


def cdf(f: FittedParameter, x: Any) -> Any:
    """The prior's cumulative probability of ``x`` (0 below ``low``, 1 above ``high``)."""
    x = np.asarray(x, dtype=float)
    if f.prior == "uniform":
        u = (x - f.low) / (f.high - f.low)
    elif f.prior == "loguniform":
        u = (np.log(np.maximum(x, f.low)) - math.log(f.low)) / (math.log(f.high) - math.log(f.low))
    else:
        u = _truncated_normal(f).cdf(x)
    return np.clip(u, 0.0, 1.0)


def quantile(f: FittedParameter, u: Any) -> Any:
    """The prior's value at cumulative probability ``u`` (the inverse of :func:`cdf`), within [low, high]."""
    u = np.asarray(u, dtype=float)
    if f.prior == "uniform":
        x = f.low + (f.high - f.low) * u
    elif f.prior == "loguniform":
        x = np.exp(math.log(f.low) + (math.log(f.high) - math.log(f.low)) * u)
    else:
        x = _truncated_normal(f).ppf(u)
    return np.clip(x, f.low, f.high)


def to_sampler(f: FittedParameter, x: Any) -> Any:
    """``x`` on the sampler's scale: logit of the prior's cumulative probability."""
    return logit(cdf(f, x))


def to_model(f: FittedParameter, z: Any) -> Any:
    """A sampler value ``z`` on the parameter's own scale (inside [low, high])."""
    return quantile(f, expit(z))


def model_values(fitted: list[FittedParameter], sampled: dict[str, Any]) -> dict[str, float]:
    """The fitted parameters' values by name, from a set of sampler values by name (pyabc's Parameter)."""
    return {f.name: float(to_model(f, float(sampled[f.name]))) for f in fitted}


def _truncated_normal(f: FittedParameter) -> Any:
    from scipy import stats

    return stats.truncnorm((f.low - f.mean) / f.sd, (f.high - f.mean) / f.sd, loc=f.mean, scale=f.sd)
