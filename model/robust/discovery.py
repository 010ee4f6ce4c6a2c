"""Scenario discovery: PRIM boxes describing the worlds where a portfolio fails a threshold.

PRIM (the patient rule induction method, Friedman and Fisher 1999) peels the space of factors, a little at
a time, towards the worlds of interest — here the worlds where the chosen portfolio fails — and reports
each box on its peeling trajectory with its **coverage** (the share of all failing worlds that lie in the
box) and **density** (the share of the worlds in the box that fail). Narrow boxes are dense but cover
little; the analyst picks a point on that trade-off. The box reported is the one with the highest
coverage among those at least ``density_min`` dense (the densest, if none is), with its limits in the
factors' names and units.

The implementation is EMA Workbench's (``ema_workbench.analysis.prim``), the reference implementation of
scenario discovery (Kwakkel 2017), maintained and released on PyPI; its 2.x (Python 3.11) and 3.x
(Python 3.12 and later) interfaces are both used here; with 2.x a box less than half failing worlds
is not reported. It is imported only when discovery runs.
"""

from __future__ import annotations

import inspect
import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..parameters import BY_NAME
from ..sensitivity.factors import ResolvedFactor
from .metrics import meets
from .schema import Threshold


@dataclass
class Discovery:
    """PRIM's answer for one portfolio: the failing worlds (``failing``), the peeling trajectory
    (``tradeoff``: box, coverage, density, mass, restricted dimensions), the box chosen (``chosen``, an
    index into ``tradeoff``), its limits (``limits``: one row per factor) and notes."""

    portfolio: str
    thresholds: dict[str, Threshold]
    failing: np.ndarray
    tradeoff: pd.DataFrame = field(default_factory=pd.DataFrame)
    chosen: int | None = None
    limits: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)

    @property
    def share_failing(self) -> float:
        """Share of worlds (unweighted) where the portfolio fails."""
        return float(self.failing.mean()) if len(self.failing) else float("nan")

    def box(self) -> dict[str, float]:
        """Coverage, density, mass and restricted dimensions of the chosen box (empty if none)."""
        if self.chosen is None:
            return {}
        return {k: float(v) for k, v in self.tradeoff.iloc[self.chosen].items()}


def unit_of(f: ResolvedFactor) -> str:
    """The unit of a factor: the parameter's (``model.parameters``), MSEK for budgets, else empty."""
    if f.path.startswith("parameters.") and f.path.split(".", 1)[1] in BY_NAME:
        return BY_NAME[f.path.split(".", 1)[1]].unit
    if "msek" in f.path:
        return "MSEK/year" if f.path.endswith("per_year") else "MSEK"
    return ""


def _prim_class():
    """EMA Workbench's Prim class, imported quietly (it warns about optional parallel back-ends)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim.Prim


def prim_boxes(x: pd.DataFrame, y: np.ndarray, peel_alpha: float = 0.05, paste_alpha: float = 0.05,
               mass_min: float = 0.05) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The peeling trajectory of the first PRIM box of the cases ``y == 1`` (0/1) over the factors ``x``
    (float columns): the trajectory (``coverage, density, mass, res_dim``) and each step's box limits
    (a frame with rows 0 = lower, 1 = upper and one column per factor)."""
    Prim = _prim_class()
    kwargs = dict(peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
    if "threshold" in inspect.signature(Prim.__init__).parameters:
        # EMA Workbench 2.x: y >= threshold are the cases of interest, and a box less dense than the
        # threshold is dropped (3.x takes 0/1 and keeps every box)
        kwargs["threshold"] = 0.5
    with warnings.catch_warnings():  # EMA Workbench's own deprecation warnings (pandas' inplace=, ...)
        warnings.simplefilter("ignore")
        algorithm = Prim(x.astype(float).reset_index(drop=True), np.asarray(y, dtype=int), **kwargs)
        box = algorithm.find_box()
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].reset_index(drop=True)
    trajectory.insert(0, "box", np.arange(len(trajectory)))
    return trajectory.astype({"res_dim": int}), [lims.copy() for lims in box.box_lims]


def choose(trajectory: pd.DataFrame, density_min: float) -> tuple[int, str | None]:
    """The box with the highest coverage among those that restrict a factor and are at least
    ``density_min`` dense (ties: the denser), else the densest; and a note when no box is dense enough."""
    boxes = trajectory[trajectory["res_dim"] > 0]  # box 0 is every world: it describes nothing
    if not len(boxes):
        return 0, "PRIM restricted no factor: the failing worlds are spread over the whole space"
    dense = boxes[boxes["density"] >= density_min - 1e-12]
    if len(dense):
        best = dense.sort_values(["coverage", "density"], ascending=False).index[0]
        return int(best), None
    best = int(boxes["density"].idxmax())
    return best, (f"no box is {density_min:.0%} dense; the densest ({boxes['density'].max():.0%}) is shown")


def box_limits(lims: pd.DataFrame, initial: pd.DataFrame, factors: Sequence[ResolvedFactor]) -> pd.DataFrame:
    """One row per factor: label, path, unit, the box's lower and upper limits, the range of the worlds,
    and whether the box restricts it."""
    rows = []
    for f in factors:
        low, high = float(lims.loc[0, f.name]), float(lims.loc[1, f.name])
        low0, high0 = float(initial.loc[0, f.name]), float(initial.loc[1, f.name])
        rows.append(dict(factor=f.name, path=f.path, unit=unit_of(f), lower=low, upper=high, range_low=low0,
                         range_high=high0, restricted=bool(low > low0 or high < high0)))
    return pd.DataFrame(rows)


def discover(portfolio: str, k: int, values: Mapping[str, np.ndarray], thresholds: Mapping[str, Threshold],
             worlds: pd.DataFrame, weights: np.ndarray, factors: Sequence[ResolvedFactor], peel_alpha: float = 0.05,
             paste_alpha: float = 0.05, mass_min: float = 0.05, density_min: float = 0.8) -> Discovery:
    """PRIM for portfolio number ``k``: the worlds where it fails any of ``thresholds`` (a NaN value fails)
    described by boxes over the factors (columns of ``worlds``). Worlds with whole-number weights (a
    resampled posterior) are repeated as often as they were drawn; other weights are ignored, with a note."""
    failing = ~meets({o: values[o][:, [k]] for o in thresholds}, thresholds)[:, 0]
    result = Discovery(portfolio, dict(thresholds), failing)
    if not factors:
        result.notes.append("no factors vary across worlds: nothing to describe")
        return result
    if failing.all() or not failing.any():
        result.notes.append(f"{portfolio} {'fails' if failing.all() else 'meets the thresholds'} in every world: "
                            "there is no boundary for PRIM to find")
        return result
    x = worlds[[f.name for f in factors]].astype(float)
    y = failing.astype(int)
    w = np.asarray(weights, dtype=float)
    if not np.all(w == 1):
        if np.allclose(w, np.round(w)) and w.min() >= 1:
            repeat = np.round(w).astype(int)
            x, y = x.loc[x.index.repeat(repeat)], np.repeat(y, repeat)
        else:
            result.notes.append("PRIM treats every world alike: the posterior's weights are not used here")
    trajectory, lims = prim_boxes(x, y, peel_alpha, paste_alpha, mass_min)
    if len(trajectory) == 1:
        result.notes.append("PRIM found no box that separates the failing worlds (no box is at least half failing)")
    chosen, note = choose(trajectory, density_min)
    if note:
        result.notes.append(note)
    result.tradeoff, result.chosen = trajectory, chosen
    result.limits = box_limits(lims[chosen], lims[0], factors)
    return result
