"""Lever effect sizes drawn into a posterior ensemble: ``spridning compare --lever-effects``.

:func:`with_lever_effects` adds to every draw of the comparison's ensemble (the shipped posterior's, or
``--ensemble FILE``'s; at point values an ensemble of its own) one value of each effect parameter of the
lever types the compared scenarios use (:mod:`model.levers.anchors`), drawn by a Latin hypercube over its
documented range. Every scenario meets the same draw d (common random numbers as before), and each draw
sets the values on every lever of that type the scenario leaves at its default
(:meth:`model.calibrate.ensemble.Ensemble.scenarios`). How the comparison's ranking then depends on each
is :mod:`model.compare.effects`.
"""

from __future__ import annotations

import numpy as np

from ..levers.anchors import ANCHORS, Anchor, varied
from ..yamlio import SourceMap
from .ensemble import Ensemble, EnsembleFile

#: draws of the lever effects when the comparison runs at point values
LEVER_EFFECT_DRAWS = 32


def anchors_of(scenarios: list) -> list[Anchor]:
    """The effect parameters that vary in some of ``scenarios`` (:class:`model.scenario.Scenario`), in
    :data:`model.levers.anchors.ANCHORS`' order."""
    paths = {a.path for s in scenarios for a in varied(s.model_dump(mode="python").get("levers") or [])}
    return [a for a in ANCHORS if a.path in paths]


def effect_draws(anchors: list[Anchor], n: int, seed: int) -> list[dict[str, float]]:
    """``n`` draws of the ``anchors``' values, a Latin hypercube over their ranges (whole numbers rounded)."""
    from ..robust.worlds import unit_sample

    unit, _ = unit_sample("lhs", n, len(anchors), int(np.random.SeedSequence([seed, 20]).generate_state(1)[0]))
    out = []
    for row in unit:
        draw = {}
        for a, u in zip(anchors, row):
            value = a.low + u * (a.high - a.low)
            draw[a.path] = float(round(value)) if a.integer else float(value)
        out.append(draw)
    return out


def with_lever_effects(ensemble, scenarios: list, total: int, seed: int):
    """``ensemble`` (:class:`model.calibrate.ensemble.Ensemble`, or None at point values) with the lever
    effect draws added (see the module docstring); at point values a new ensemble of
    ``min(LEVER_EFFECT_DRAWS, total)`` draws with ``total`` replications spread over them. Unchanged when
    no compared lever has an effect parameter left at its default."""
    anchors = anchors_of(scenarios)
    if not anchors:
        return ensemble
    if ensemble is None:
        n = min(LEVER_EFFECT_DRAWS, total)
        spec = EnsembleFile(description="lever effect sizes over their ranges (model/levers/anchors.py)",
                            replications=max(1, total // n), draws=effect_draws(anchors, n, seed))
        return Ensemble("lever effects (model/levers/anchors.py)", spec, SourceMap())
    draws = effect_draws(anchors, len(ensemble.draws), seed)
    spec = ensemble.spec.model_copy(update={"draws": [{**d, **e} for d, e in zip(ensemble.draws, draws)]})
    return Ensemble(ensemble.path, spec, ensemble.where, fixed=ensemble.fixed)
