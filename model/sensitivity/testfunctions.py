"""Test functions with known sensitivity indices, in the form the generic engine runs:
``f(params: dict, seed: int) -> dict of named outputs`` (``model: "model.sensitivity.testfunctions:ishigami"``).

They check the engine end to end (sampling, chunking, storage, averaging, SALib analysis) against
analytic answers, and let the benchmark measure the sweep machinery without the model's cost.
"""

from __future__ import annotations

import math
import os
import signal

import numpy as np


# --- Ishigami ------------------------------------------------------------------------------------------
def ishigami(params: dict, seed: int) -> dict:
    """y = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i ~ U(-pi, pi); a = 7, b = 0.1 unless given."""
    a, b = params.get("a", 7.0), params.get("b", 0.1)
    x1, x2, x3 = params["x1"], params["x2"], params["x3"]
    return {"y": math.sin(x1) + a * math.sin(x2) ** 2 + b * x3 ** 4 * math.sin(x1)}


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, dict[str, float]]:
    """Analytic first-order and total indices of :func:`ishigami` (Ishigami & Homma 1990)."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * pi ** 8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return {"S1": {"x1": v1 / var, "x2": v2 / var, "x3": 0.0},
            "ST": {"x1": (v1 + v13) / var, "x2": v2 / var, "x3": v13 / var}}


# --- linear additive ----------------------------------------------------------------------------------
def linear(params: dict, seed: int) -> dict:
    """y = sum_i a_i x_i over the factors x1, x2, ...; coefficients from the constant ``a`` (a list).

    With independent inputs of equal variance, S1_i = ST_i = a_i^2 / sum_j a_j^2.

    ``noisy`` adds N(0, ``noise``) drawn from the run's seed: with common random numbers the draw is the
    same at every sample point for a replication, so it shifts all points alike and leaves the indices
    unchanged. ``noisy_independent`` draws noise that differs between points (seeded by seed and inputs),
    which averaging over replications only reduces.
    """
    a = params.get("a", [1.0, 2.0, 3.0])
    xs = [params[f"x{i + 1}"] for i in range(len(a))]
    y = float(sum(ai * xi for ai, xi in zip(a, xs)))
    noise = float(params.get("noise", 0.0))
    rng = np.random.default_rng(seed)
    point_key = abs(hash(tuple(round(x, 12) for x in xs))) % (2**32)
    rng_point = np.random.default_rng([seed, point_key])
    return {"y": y, "noisy": y + noise * rng.standard_normal(),
            "noisy_independent": y + noise * rng_point.standard_normal()}


def linear_indices(a: list[float]) -> list[float]:
    """Analytic S1 (= ST) of :func:`linear` for coefficients ``a``: a_i^2 / sum_j a_j^2, one per factor."""
    total = sum(x * x for x in a)
    return [x * x / total for x in a]


# --- Sobol' G function --------------------------------------------------------------------------------
G_COEFFICIENTS = (0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0)


def g_function(params: dict, seed: int) -> dict:
    """Sobol' G function on x_i ~ U(0, 1): prod_i (|4 x_i - 2| + a_i) / (1 + a_i).

    x1 (a = 0) matters most, x2 next, x5..x8 (a = 99) hardly at all. Coefficients: constant ``a``.
    """
    a = params.get("a", G_COEFFICIENTS)
    y = 1.0
    for i, ai in enumerate(a):
        x = params[f"x{i + 1}"]
        y *= (abs(4 * x - 2) + ai) / (1 + ai)
    return {"y": y}


def g_function_indices(a=G_COEFFICIENTS) -> list[float]:
    """First-order indices of the G function."""
    v = [1 / (3 * (1 + ai) ** 2) for ai in a]
    total = math.prod(1 + vi for vi in v) - 1
    return [vi / total for vi in v]


# --- for tests of interrupted sweeps ---------------------------------------------------------------------
FAIL_AFTER_ENV = "SPRIDNING_TEST_FAIL_AFTER"
_calls = {"n": 0}


def flaky_ishigami(params: dict, seed: int) -> dict:
    """:func:`ishigami`, but raises after ``$SPRIDNING_TEST_FAIL_AFTER`` calls in this process (a crash
    midway through a sweep); without the variable it never fails."""
    limit = os.environ.get(FAIL_AFTER_ENV)
    if limit is not None:
        _calls["n"] += 1
        if _calls["n"] > int(limit):
            raise RuntimeError("simulated crash")
    return ishigami(params, seed)


def reset_calls() -> None:
    """Restart the count of calls that :func:`flaky_ishigami` fails after."""
    _calls["n"] = 0


KILL_ONCE_ENV = "SPRIDNING_TEST_KILL_WORKER_ONCE"


def worker_killing_ishigami(params: dict, seed: int) -> dict:
    """:func:`ishigami`, except that once, in a process other than the one that started the test, it kills
    the process it runs in (SIGKILL), as a worker lost to the out-of-memory killer: with
    ``SPRIDNING_TEST_KILL_WORKER_ONCE=MARKER_FILE:PID`` (the test's pid), the first such call creates the
    marker file and dies; later calls (the marker exists) compute normally."""
    spec = os.environ.get(KILL_ONCE_ENV)
    if spec:
        marker, pid = spec.rsplit(":", 1)
        if os.getpid() != int(pid) and not os.path.exists(marker):
            with open(marker, "x"):
                pass
            os.kill(os.getpid(), signal.SIGKILL)
    return ishigami(params, seed)
