"""The quarters after the programmes, in which levers' know-how and skills only act and fade: in one call.

Skills (training networks) and know-how (learning networks, job shadowing) keep easing development work
after a programme ends, for as long as any is left (:mod:`model.levers.knowhow`). While such a lever acts
the run goes a quarter at a time; issue 21 measured that those quarters made a portfolio run half as
long again. When every lever still acting does nothing but that (its years over, no capacity to give
back, nothing else lingering: :meth:`model.levers.base.Lever.fading`), the model runs the rest of the run
here instead, in one compiled call: each quarter the load factors are set back to neutral (as
:meth:`model.effects.Effects.reset_quarter` does), every lever's know-how or skills act and fade in the
levers' order (:mod:`model.levers.knowhow_kernel`, the same kernels the levers call), and then the
quarter's dynamics run (:func:`model.dynamics.quarters._quarters`). The results are those of running the
quarters one at a time, bit for bit (``tests/levers/test_fading.py``): the same arithmetic in the same
order, no random numbers, and a lever whose know-how is gone changes nothing, as a retired lever does.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..dynamics import quarters
from ..environment import njit
from ..kernelcall import BoundKernel
from .base import Lever
from .knowhow import GONE
from .knowhow_kernel import development, know_and_forget, use_and_fade

if TYPE_CHECKING:
    from ..context import RunContext

#: what :func:`_fading_quarters` does each quarter, one entry per lever in the levers' order:
#: ``skill`` (1: skills (n,), in ``skills[slot]``; 0: know-how (n, k), in ``knowhow[slot]``), ``slot``,
#: ``cut`` (share of effort saved at full level), ``fade_when_used`` and ``fade_per_quarter`` (for know-how
#: both its ``forget_per_quarter``), ``counts`` ((levers, 2) int64: skilled and in-use organisation-quarters
#: of skills, added to)
FadingLevers = namedtuple("FadingLevers", ["skill", "slot", "knowhow", "skills", "cut", "fade_when_used",
                                           "fade_per_quarter", "counts", "nobody"])


@dataclass
class Fade:
    """What one lever still does in its fading quarters: ``level`` is its own know-how ((n, k)) or skills
    ((n,)), 0-1, changed in place; ``cut``, ``fade_when_used``, ``fade_per_quarter`` as in
    :mod:`model.levers.knowhow_kernel`; ``counted`` (skills only) is called with the skilled and in-use
    organisation-quarters of the fading quarters."""

    level: np.ndarray
    cut: float
    fade_when_used: float
    fade_per_quarter: float
    counted: object = None


def may_fade(lever: Lever) -> bool:
    """Whether ``lever`` can ever only fade (its class says what fades: :meth:`Lever.fading`)."""
    return type(lever).fading is not Lever.fading


def run(ctx: "RunContext", fades: list[Fade], t0: int, t1: int) -> None:
    """Quarters ``t0`` to ``t1 - 1`` of the run ``ctx`` in which only ``fades`` act (see the module)."""
    knowhow = [f.level for f in fades if f.level.ndim == 2]
    skills = [f.level for f in fades if f.level.ndim == 1]
    n, k = ctx.state.stage.shape
    slots, seen = [], {1: 0, 2: 0}
    for f in fades:
        slots.append(seen[f.level.ndim])
        seen[f.level.ndim] += 1
    levers = FadingLevers(
        skill=np.array([f.level.ndim == 1 for f in fades], dtype=np.int64), slot=np.array(slots, dtype=np.int64),
        knowhow=np.stack(knowhow) if knowhow else np.zeros((0, n, k)),
        skills=np.stack(skills) if skills else np.zeros((0, n)),
        cut=np.array([f.cut for f in fades], dtype=float),
        fade_when_used=np.array([f.fade_when_used for f in fades], dtype=float),
        fade_per_quarter=np.array([f.fade_per_quarter for f in fades], dtype=float),
        counts=np.zeros((len(fades), 2), dtype=np.int64), nobody=np.zeros(n, dtype=np.bool_))
    ctx.effects.reset_quarter()
    ctx.effects.settle_money(ctx.state.money_left)
    loop = ctx.kernels.get("fading")
    if loop is None:
        quarters.advance(ctx, t0, t0)  # no quarter: binds (and if need be compiles) the life cycle first
        loop = ctx.kernels["fading"] = BoundKernel(_fading_quarters)
    loop(t0, t1, levers, development(ctx), GONE, *quarters.arguments(ctx))
    for i, f in enumerate(fades):  # the levers' own arrays get what the stacked copies became
        f.level[...] = levers.knowhow[levers.slot[i]] if f.level.ndim == 2 else levers.skills[levers.slot[i]]
        if f.counted is not None:
            f.counted(int(levers.counts[i, 0]), int(levers.counts[i, 1]))


@njit(error_model="numpy", no_cfunc_wrapper=True)
def _fading_quarters(t0, t1, levers, dev, gone, draws, schedule, stage_history, tally, evidence_history,
                     people_arrays, people_rates, ties, signals, inverse_denominator, pilots, flags, orgs, effects,
                     inn, r, national, events, counts, first_users):
    load = effects.load_factor
    n, k = load.shape
    for t in range(t0, t1):
        for i in range(n):  # back to neutral: the load factor is the only effect fading levers set
            for j in range(k):
                load[i, j] = 1.0
        for q in range(levers.skill.shape[0]):
            s = levers.slot[q]
            if levers.skill[q] == 1:
                skilled, used = use_and_fade(load, levers.skills[s], levers.nobody, dev, levers.cut[q],
                                             levers.fade_when_used[q], levers.fade_per_quarter[q], gone)
                levers.counts[q, 0] += skilled
                levers.counts[q, 1] += used
            else:
                know_and_forget(load, levers.knowhow[s], dev, levers.cut[q], levers.fade_per_quarter[q], gone)
        quarters._quarters(t, t + 1, draws, schedule, stage_history, tally, evidence_history, people_arrays,
                           people_rates, ties, signals, inverse_denominator, pilots, flags, orgs, effects, inn, r,
                           national, events, counts, first_users)


quarters.key_on(_fading_quarters, (__file__, "knowhow_kernel.py", "knowhow.py"))
