"""Know-how and skills held by an organisation's staff, and where they act: shared by the levers that build
them (training networks, job shadowing, learning networks).

*Where they act.* Development work — starting a pilot, running it, implementing a scale-up — takes
capacity (the life cycle's ``load_factor`` multiplies it per organisation and innovation). Staff who know
how to do it need less of it: "it is often first in implementation that mistakes are discovered, so
knowledge of change and of local implementation is needed" (000 L2726-2729); buyers who "do not know how
[the technology] is to be used risk implementing the wrong things" (000 L2072-2074). So a share ``cut`` of
the effort of the pairs an organisation is *developing* (:func:`developing`) is saved, in proportion to its
skill or know-how (0-1). Running an adopted innovation (operations) is not development and is untouched.

*Where they come from.* Know-how of one innovation is learnt from organisations that have done it (run a
pilot of it or adopted it): each experienced partner passes on a share ``rate`` of what is still to learn
per quarter, ``1 - (1 - rate) ** partners`` of the gap in all (compiled, as the levers run it:
:func:`model.levers.knowhow_kernel.learn_in_groups`, :func:`~model.levers.knowhow_kernel.learn_from_senders`)
— so what a lever carries depends on who has experience nearby, not on a price ("so that not every
organisation makes the same mistakes", 001 L2017-2023).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..stages import ADOPTED, AWARE, PILOTING

if TYPE_CHECKING:
    from ..context import RunContext

#: skill or know-how below which it counts as gone (a lever holding none stops acting)
GONE = 1e-3


def developing(ctx: "RunContext") -> np.ndarray:
    """(n, k) bool: pairs whose capacity is development work — an aware organisation deciding whether it
    can start a pilot, a running pilot, a scale-up being implemented (not an adoption in operation). Made
    once a quarter while levers act (``ctx.derived`` name ``developing``; read-only)."""
    def compute():
        s = ctx.state
        implementing = (s.stage == ADOPTED) & (s.pilot_age < int(ctx.params.scaling_quarters))
        return ((s.stage == AWARE) | (s.stage == PILOTING) | implementing) & ctx.applicable
    return ctx.derived("developing", compute)


def in_practice(ctx: "RunContext") -> np.ndarray:
    """(n,) bool: the organisation runs a pilot or implements a scale-up this quarter (skills are in use):
    developing something it is not merely aware of."""
    return (developing(ctx) & (ctx.state.stage != AWARE)).any(1)


def act(ctx: "RunContext", level: np.ndarray, cut: float) -> np.ndarray:
    """Lower this quarter's effort of development work by ``cut x level`` (``level``: (n, k) or (n,) 0-1);
    returns the (n, k) bool pairs where it acted (developing, with some skill or know-how)."""
    level = level if level.ndim == 2 else np.broadcast_to(level[:, None], ctx.effects.load_factor.shape)
    cells = developing(ctx) & (level > 0.0)
    if cut > 0.0 and cells.any():
        np.multiply(ctx.effects.load_factor, 1.0 - cut * level, out=ctx.effects.load_factor, where=cells)
    return cells
