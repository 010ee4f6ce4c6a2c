"""Model functions for the tests, in the form ``model: "tests.sensitivity.functions:NAME"`` runs."""

from __future__ import annotations

import math


def echo(params: dict, seed: int) -> dict:
    """Reports every argument it got as ``got_<key>``, and ``y``, the sum of the numbers among them."""
    out = {f"got_{key}": float(value) for key, value in params.items() if isinstance(value, (int, float))}
    out["y"] = sum(out.values())
    return out


def with_reserved_output(params: dict, seed: int) -> dict:
    """Returns an output named like a column of the run files."""
    return {"y": params["x1"] + params["x2"], "run": 1.0}


def blowup(params: dict, seed: int) -> dict:
    """Infinite above x = 0.9 (+inf) and below x = 0.05 (-inf); ``flat`` is 3 everywhere; ``huge`` varies
    but its variance overflows."""
    x, y = params["x"], params["y"]
    out = math.inf if x > 0.9 else (-math.inf if x < 0.05 else x + 2 * y)
    return {"out": out, "flat": 3.0, "huge": 1e200 * x}


SLOW_SECONDS = 0.05


def slow(params: dict, seed: int) -> dict:
    """Takes :data:`SLOW_SECONDS` per call (to keep worker processes busy): reports ``y``, the sum of the
    numbers among its arguments, and the robustness toy's ``score = level + slope * u``."""
    import time

    time.sleep(SLOW_SECONDS)
    numbers = [float(v) for v in params.values() if isinstance(v, (int, float))]
    score = params.get("level", 0.0) + params.get("slope", 0.0) * params.get("u", 0.0)
    return {"y": sum(numbers), "score": float(score)}
