"""Money and capacity in the life cycle: what an organisation can pay for one innovation, paying it, and
the smooth factors by which free capacity, enthusiasts and money make a move likelier.

Only other kernels call these (:mod:`model.dynamics.lifecycle`): compiled without the entry points Python
and C callers need, whose construction was about a second of the first compilation. Amounts are MSEK;
``state_grant`` and ``grant`` are (n, k) and ``money_left`` (n,), changed in place by :func:`pay`.
"""

from __future__ import annotations

import numpy as np

from ..environment import njit

#: 1 - exp(-c) for c = 0, 1, ...; exactly 1.0 in double precision from 38 on (numba freezes the table)
_SATURATION = 1.0 - np.exp(-np.arange(38.0))


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def afford(money, cost):
    """Smooth affordability in [0, 1): 1 - exp(-money / cost); a free innovation is fully affordable."""
    if cost <= 0.0:
        return 1.0
    if money <= 0.0:
        return 0.0
    return 1.0 - np.exp(-money / cost)


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def saturation(count):
    """1 - exp(-count) for a whole count, looked up."""
    return 1.0 if count >= 38 else _SATURATION[count]


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def capacity_factor(free, need):
    """Share of what a pilot needs that free capacity covers, in [0, 1] (1 if it needs none)."""
    return min(1.0, max(0.0, free / need)) if need > 0.0 else 1.0


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def available(i, j, state_grant, grant, money_left):
    """MSEK pair (i, j) can spend: earmarked state grant, project grant and the organisation's own money."""
    return state_grant[i, j] + grant[i, j] + max(money_left[i], 0.0)


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def pay(i, j, amount, state_grant, grant, money_left):
    """Pay ``amount`` for pair (i, j), all or nothing: earmarked state grant first, then the project grant,
    then own money (never below zero). Returns whether it was paid."""
    if amount <= 0.0:
        return True
    if available(i, j, state_grant, grant, money_left) < amount * (1.0 - 1e-12):
        return False
    take = min(state_grant[i, j], amount)
    state_grant[i, j] -= take
    amount -= take
    take = min(grant[i, j], amount)
    grant[i, j] -= take
    amount -= take
    if amount > 0.0:
        money_left[i] = max(money_left[i] - amount, 0.0)
    return True


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def scale_cost(i, j, inn, scale, fixed_factor, cover):
    """MSEK to scale innovation j in organisation i: a fixed part (lowered by shared infrastructure and
    call-off contracts) and a per-inhabitant part, less what an event covers."""
    return (inn.scale_fixed[j] * fixed_factor + inn.scale_per_10k[j] * scale[i] / 1e4) * (1.0 - cover)
