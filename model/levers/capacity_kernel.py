"""Capacity a lever takes or lends for one quarter, given back the next, compiled.

A lever that takes development capacity for a quarter (time spent on a review, an application, a placement)
or lends it (project staff a grant pays for) changes the run's ``capacity_bonus`` and keeps the same amounts
in its own ``taken`` array (:meth:`model.levers.base.Lever.use_capacity`); the next quarter it gives them
back (:meth:`~model.levers.base.Lever.act`). The NumPy rule was three calls (``taken.any()``, an in-place
sum, a fill), about 9 µs a lever and quarter — a tenth of a grant lever's Python quarter (issue 21); this
kernel does the same arithmetic cell by cell, so a run is the same bit for bit. It draws no random numbers.
"""

from __future__ import annotations

from ..environment import njit

#: said once per command before this module's kernel is first compiled (not when loaded from the cache)
COMPILING = "the levers' code (first run with a lever that takes capacity in this environment, under 1 s)"


@njit(announce=COMPILING, error_model="numpy", no_cfunc_wrapper=True)
def give_back(capacity_bonus, taken):
    """When any of ``taken`` ((n,) capacity units: taken if positive, lent if negative) is not 0, add all of
    it to ``capacity_bonus`` ((n,), in place) and set it to 0, as ``capacity_bonus += taken; taken[:] = 0``
    did after ``taken.any()``; nothing otherwise. Returns whether it gave anything back."""
    n = taken.shape[0]
    anything = False
    for i in range(n):
        if taken[i] != 0.0:  # NaN too, as NumPy's any()
            anything = True
            break
    if not anything:
        return False
    for i in range(n):
        capacity_bonus[i] += taken[i]
        taken[i] = 0.0
    return True
