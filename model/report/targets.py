"""Which municipalities a portfolio's levers target, for the outlines of its difference maps (the charts
layer draws them but may not read lever targets itself)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..charts.maps import normalise_code


def targeted_codes(targets: Sequence) -> set[str]:
    """The codes of the municipalities any of ``targets`` (:class:`~model.levers.targeting.Target`
    objects, a portfolio's lever targets) admits by its filters (kinds, size bands, regions; a random or
    need-based subset of them is drawn in each run, so the whole pool is shown)."""
    from ..levers.targeting import eligible_mask
    from ..world.organisations import MUNICIPALITY, load_organisations

    orgs = load_organisations()
    mask = np.zeros(orgs.n, dtype=bool)
    for target in targets:
        mask |= eligible_mask(target, orgs)
    mask &= orgs.kind == MUNICIPALITY
    return {normalise_code(orgs.code[i]) for i in np.flatnonzero(mask)}
