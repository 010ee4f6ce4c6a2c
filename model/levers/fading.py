"""The quarters after the programmes, in which levers' know-how and skills only act and fade.

Skills (training networks) and know-how (learning networks, job shadowing) keep easing development work
after a programme ends, for as long as any is left (:mod:`model.levers.knowhow`), so the run goes on a
quarter at a time while such a lever acts; issue 21 measured that those quarters made a portfolio run half
as long again. When every lever still acting does nothing but that (its years over, no capacity to give
back, nothing else lingering: :meth:`model.levers.base.Lever.fading`), the model runs the rest of the run
here instead: each quarter the load factors are set back to neutral (as
:meth:`model.effects.Effects.reset_quarter` does), every lever's know-how or skills act and fade in the
levers' order (:mod:`model.levers.knowhow_kernel`, the kernels the levers call), and the quarter's
dynamics run (:func:`model.dynamics.quarters.advance`) — three compiled calls a quarter, without the
model's and the levers' bookkeeping. The results are those of the quarters one at a time, bit for bit
(``tests/levers/test_fading.py``): the same arithmetic in the same order, no random numbers, and a lever
whose know-how is gone changes nothing, as a retired lever does.

Why not one compiled call for all those quarters: a kernel that calls the quarter loop compiles the life
cycle into itself again, 2.5-7 s more for the first run in a fresh environment (measured), for about 15 µs a
quarter saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from .base import Lever
from .kernels import bound
from .knowhow import GONE

if TYPE_CHECKING:
    from ..context import RunContext


@dataclass
class Fade:
    """What one lever still does in its fading quarters: ``level`` is its own know-how ((n, k)) or skills
    ((n,)), 0-1, changed in place; ``cut``, ``fade_when_used``, ``fade_per_quarter`` as in
    :mod:`model.levers.knowhow_kernel` (for know-how both its ``forget_per_quarter``); ``counted`` (skills
    only) is called each quarter with the organisations skilled and of them in use."""

    level: np.ndarray
    cut: float
    fade_when_used: float
    fade_per_quarter: float
    counted: Callable[[int, int], None] | None = None


def may_fade(lever: Lever) -> bool:
    """Whether ``lever`` can ever only fade (its class says what fades: :meth:`Lever.fading`)."""
    return type(lever).fading is not Lever.fading


def run(ctx: "RunContext", fades: list[Fade], t0: int, t1: int) -> None:
    """Quarters ``t0`` to ``t1 - 1`` of the run ``ctx`` in which only ``fades`` act (see the module)."""
    from .knowhow_kernel import development, know_and_forget, use_and_fade  # numba: loaded by runs, not validate
    from ..dynamics import quarters  # here, not at the top: `spridning validate` reads levers without numba

    # bound once here (model.kernelcall): typing their named tuple cost about 4 µs a quarter and lever
    know_and_forget, use_and_fade = bound(know_and_forget), bound(use_and_fade)

    ctx.effects.reset_quarter()  # the other effects stay neutral: no lever sets them any more
    load = ctx.effects.load_factor
    dev = development(ctx)
    nobody = np.zeros(ctx.n, dtype=np.bool_)
    for t in range(t0, t1):
        load.fill(1.0)
        for f in fades:
            if f.level.ndim == 1:
                counts = use_and_fade(load, f.level, nobody, dev, f.cut, f.fade_when_used, f.fade_per_quarter, GONE)
                if f.counted is not None:
                    f.counted(*counts)
            else:
                know_and_forget(load, f.level, dev, f.cut, f.fade_per_quarter, GONE)
        quarters.advance(ctx, t, t + 1)
