"""Toy models with known answers for the robustness tests (``model: "tests.robust.toy:NAME"``)."""

from __future__ import annotations

import math

import numpy as np


def linear(params: dict, seed: int) -> dict:
    """Deterministic: ``score = level + slope * u`` (u a factor in [0, 1]); ``gap = 1 - score``; the
    portfolio is given by its constants ``level`` and ``slope``."""
    score = params["level"] + params["slope"] * params["u"]
    return {"score": score, "gap": 1.0 - score, "spend_msek": params.get("spend", 0.0),
            "adoptions_final": 100 * score}


def noisy(params: dict, seed: int) -> dict:
    """:func:`linear` plus noise from ``seed`` (common random numbers: the same seed, the same noise)."""
    out = linear(params, seed)
    out["score"] += 0.05 * np.random.default_rng(seed).standard_normal()
    return out


def budget(params: dict, seed: int) -> dict:
    """A budget toy: diffusion = sqrt(a) + 2 sqrt(b) x (1 if b's target is 'small' else 0.5), with a tiny
    noise; spend = a + b. Under a + b <= 10 the best diffusion is a = 2, b = 8, target small."""
    a, b = params.get("a", 0.0), params.get("b", 0.0)
    reach = 1.0 if params.get("b.target", "small") == "small" else 0.5
    noise = 1e-3 * np.random.default_rng(seed).standard_normal()
    return {"diffusion": math.sqrt(a) + 2 * math.sqrt(b) * reach + noise, "spend": a + b}


def budget_gaps(params: dict, seed: int) -> dict:
    """:func:`budget` with two objectives that may have no value: ``reach_years`` (lower is better) is NaN
    unless lever ``a`` gets at least 5 MSEK (then 10 - a) and the factor ``u`` (0 if not given) is at most
    0.5; ``never`` is NaN for every allocation."""
    out = budget(params, seed)
    a = params.get("a", 0.0)
    out["reach_years"] = 10.0 - a if a >= 5 and params.get("u", 0.0) <= 0.5 else math.nan
    out["never"] = math.nan
    return out
