"""Which running pilots approach their scale decision: who asks for a peer review or a change team.

The life cycle (:mod:`model.dynamics.lifecycle`) decides a running pilot's fate in the quarter in which
``pilot_age + 1`` reaches the innovation's ``pilot_quarters`` (a pilot that worked is then scaled,
prolonged or abandoned; a prolonged one decides again every quarter). Scaling needs change management the
organisations lack (000 L4639-4647), and mistakes show only in implementation (000 L2726-2729): this is the
step peer reviews (ID 2) and change teams (ID 15) support, so organisations ask for them when a pilot
approaches it. Levers act at the start of a quarter, before the life cycle, so quarter ``t``'s state says
how many quarters are left.
"""

from __future__ import annotations

import numpy as np

from ..stages import PILOTING


def quarters_to_decision(ctx) -> np.ndarray:
    """(n, k) int: quarters from this one to each running pilot's scale decision (0: it falls in this
    quarter, also for a prolonged pilot), -1 where no pilot of an applicable innovation runs. A pilot waiting
    for money or stalling on the way decides later or never; this counts the quarters if it runs on."""
    def compute():
        s, inn = ctx.state, ctx.innovations
        left = np.maximum(inn.pilot_quarters[None, :] - 1 - s.pilot_age.astype(np.int64), 0)
        return np.where((s.stage == PILOTING) & ctx.applicable, left, -1)
    return ctx.derived("to_decision", compute)


def near_decision(ctx, lead_quarters: int) -> np.ndarray:
    """(n, k) bool: a running pilot whose scale decision falls in this quarter or one of the next
    ``lead_quarters``."""
    left = quarters_to_decision(ctx)
    return (left >= 0) & (left <= lead_quarters)
