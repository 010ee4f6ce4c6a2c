"""The fit's closed-form prior and kernel are pyabc's distributions: the same densities, the same draws in law."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pandas as pd
import pyabc
import pytest
from scipy import stats

from model.calibrate.plan import FittedParameter
from model.calibrate.proposals import FastNormalTransition, FastPrior, OneModel, scipy_rv

FITTED = [
    FittedParameter("a", "parameters.a", "uniform", -8.0, 4.0, None, None, False),
    FittedParameter("b", "parameters.b", "loguniform", 0.001, 0.5, None, None, False),
    FittedParameter("c", "parameters.c", "normal", 0.0, 2.0, 0.5, 0.7, False),
    FittedParameter("d", "parameters.d", "normal", 0.0, 1.0, 3.0, 0.4, False),  # the mean beyond the range
    FittedParameter("e", "parameters.e", "uniform", 1.0, 20.0, None, None, True),
]


def _point(rng: np.random.Generator, outside: float) -> dict[str, float]:
    """A point by name: each coordinate inside its range, or (with probability ``outside``) up to a tenth
    of the range beyond it."""
    x = {}
    for f in FITTED:
        width = f.high - f.low
        wide = rng.random() < outside
        x[f.name] = rng.uniform(f.low - 0.1 * width * wide, f.high + 0.1 * width * wide)
    return x


def test_the_fast_prior_density_is_scipys_to_1e_12_relative_and_zero_outside():
    fast = FastPrior(FITTED)
    scipy = pyabc.Distribution(**{f.name: scipy_rv(f) for f in FITTED})
    rng = np.random.default_rng(5)
    zeros = 0
    for _ in range(3000):
        x = _point(rng, outside=0.5)
        got, want = fast.pdf(x), scipy.pdf(x)
        if want == 0:
            zeros += 1
            assert got == 0
        else:
            assert got == pytest.approx(want, rel=1e-12, abs=0)
    assert 300 < zeros < 3000 - 300  # both sides exercised
    for f in FITTED:  # the support's ends belong to it, as in scipy
        edge = {g.name: (g.low + g.high) / 2 for g in FITTED} | {f.name: f.high}
        assert fast.pdf(edge) == pytest.approx(scipy.pdf(edge), rel=1e-12)


def test_the_fast_prior_draws_follow_the_declared_distributions():
    fast = FastPrior(FITTED)
    np.random.seed(3)
    draws = pd.DataFrame([fast.rvs() for _ in range(4000)])
    for f in FITTED:
        p = stats.kstest(draws[f.name], scipy_rv(f).cdf).pvalue
        assert p > 1e-3, (f.name, p)


def test_the_fast_prior_survives_copies_and_pickles_and_draws_generation_0_as_scipy_did():
    fast = FastPrior(FITTED)
    x = {f.name: (f.low + f.high) / 2 for f in FITTED}
    for other in (fast.copy(), copy.deepcopy(fast), pickle.loads(pickle.dumps(fast))):
        assert isinstance(other, FastPrior) and other.pdf(x) == fast.pdf(x)
    uniform_only = [f for f in FITTED if f.prior != "normal"]
    np.random.seed(9)
    ours = FastPrior(uniform_only).rvs()
    np.random.seed(9)
    theirs = pyabc.Distribution(**{f.name: scipy_rv(f) for f in uniform_only}).rvs()
    assert ours == pytest.approx(dict(theirs), rel=1e-12)  # the same draws from the same generator state
    with pytest.raises(ValueError):
        fast.pdf({"a": 0.0})


def test_one_model_prior():
    one = OneModel()
    assert one.rvs() == 0 and one.pmf(0) == 1.0 and one.pmf(1) == 0.0 and one.copy().pmf(0) == 1.0


def _population(rng: np.random.Generator, n: int = 60) -> tuple[pd.DataFrame, np.ndarray]:
    X = pd.DataFrame({"x": rng.uniform(0.0, 1.0, n), "y": rng.uniform(0.0, 0.2, n)})
    w = rng.random(n)
    return X, w / w.sum()


def test_the_fast_kernel_draws_pyabcs_kernel_restricted_to_the_support():
    """pyabc redraws until the prior density is positive: the fast kernel's draws must follow that law."""
    rng = np.random.default_rng(2)
    X, w = _population(rng)
    support = {"x": (0.0, 1.0), "y": (0.0, 0.2)}
    prior = FastPrior([FittedParameter(k, f"parameters.{k}", "uniform", lo, hi, None, None, False)
                       for k, (lo, hi) in support.items()])
    fast, slow = FastNormalTransition(prior), pyabc.MultivariateNormalTransition()
    fast.fit(X, w)
    slow.fit(X, w)
    assert np.allclose(fast.cov, slow.cov) and np.allclose(fast._factor @ fast._factor.T, fast.cov)
    np.random.seed(4)
    ours = pd.DataFrame([fast.rvs() for _ in range(3000)])
    theirs, tried = [], 0
    while len(theirs) < 3000:
        p = slow.rvs()
        tried += 1
        if all(support[k][0] <= p[k] <= support[k][1] for k in support):
            theirs.append(dict(p))
    theirs = pd.DataFrame(theirs)
    assert tried > 3300  # the support cuts the kernel: the restriction is tested
    assert ((ours >= 0).all().all() and (ours.x <= 1).all() and (ours.y <= 0.2).all())
    for column in ("x", "y"):
        assert stats.ks_2samp(ours[column], theirs[column]).pvalue > 1e-3
    assert stats.ks_2samp(ours.x + 5 * ours.y, theirs.x + 5 * theirs.y).pvalue > 1e-3  # jointly too
    point = pyabc.Parameter({"x": 0.3, "y": 0.1})
    assert fast.pdf(point) == slow.pdf(point)  # the density pyabc weighs with is its own
