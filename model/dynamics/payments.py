"""What the life cycle pays, and who pays it: costs in MSEK and the order of payers (docs/ODD.md §7.4).

A running pilot costs the innovation's ``pilot_cost`` a year, paid each quarter; a scale-up costs a fixed
part and a part per inhabitant (:func:`scale_cost`), paid in instalments over ``scaling_quarters``, then
``operating_cost_share`` of it a year to keep it running. Money earmarked for the pair pays first (an
earmarked state grant, then a project grant), then the organisation's own money, never below zero
(:func:`pay`; :mod:`model.economy` gives the prices and their sources). What cannot be paid in full is not
paid at all this quarter: the pilot or adoption waits for money.

These kernels take the arrays they read (the grants ``state_grant``, ``grant`` (n, k) and own money
``money_left`` (n,), MSEK; the innovations' cost arrays (k,)), not the run's named tuples: the life cycle
calls them for every pair, and in numba every array read out of a named tuple costs a reference count.
"""

from __future__ import annotations

import numpy as np

from ..environment import njit
from ..stages import PILOTING, QUARTERS_PER_YEAR

#: only other kernels call these: compiled without the entry points Python and C callers need, whose
#: construction was about a second of the first compilation
KERNEL = dict(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)


@njit(**KERNEL)
def afford(money, cost):
    """Smooth affordability in [0, 1): 1 - exp(-money / cost); a free innovation is fully affordable."""
    if cost <= 0.0:
        return 1.0
    if money <= 0.0:
        return 0.0
    return 1.0 - np.exp(-money / cost)


@njit(**KERNEL)
def available(i, j, state_grant, grant, money_left):
    """MSEK pair (i, j) can spend: earmarked state grant, project grant and the organisation's own money."""
    return state_grant[i, j] + grant[i, j] + max(money_left[i], 0.0)


@njit(**KERNEL)
def payers(amount, state_grant, grant, own):
    """Pay ``amount`` MSEK all or nothing from a pair's earmarked state grant, then its project grant, then
    the organisation's ``own`` money (never below zero): whether it was paid, and what is left of each."""
    if amount <= 0.0:
        return True, state_grant, grant, own
    if state_grant + grant + max(own, 0.0) < amount * (1.0 - 1e-12):
        return False, state_grant, grant, own
    take = min(state_grant, amount)
    state_grant -= take
    amount -= take
    take = min(grant, amount)
    grant -= take
    amount -= take
    if amount > 0.0:
        own = max(own - amount, 0.0)
    return True, state_grant, grant, own


# pay and pay_held read their arrays first and write them back last, unconditionally (the same numbers
# where nothing was paid): with no branch between, numba's pruning removes their reference counts, which
# would otherwise stop it pruning those of the life cycle's passes that call them (docs/performance.md)
@njit(**KERNEL)
def pay(i, j, amount, state_grant, grant, money_left):
    """Pay ``amount`` for pair (i, j), all or nothing (:func:`payers`), from the earmarked state grants
    ``state_grant`` and project grants ``grant`` (n, k) and own money ``money_left`` (n,), in place.
    Returns whether it was paid."""
    paid, state_grant[i, j], grant[i, j], money_left[i] = payers(amount, state_grant[i, j], grant[i, j],
                                                                 money_left[i])
    return paid


@njit(**KERNEL)
def pay_held(i, j, amount, state_grant, grant, own, any_grants):
    """:func:`pay` with organisation ``i``'s own money ``own`` held by the caller (in a register, not
    reloaded from memory for every pair): returns whether ``amount`` was paid and the own money left.
    Without grants (``any_grants`` false: every grant is zero) only own money pays, as :func:`pay` would."""
    held_state, held_grant = state_grant[i, j], grant[i, j]
    if any_grants:
        paid, held_state, held_grant, own = payers(amount, held_state, held_grant, own)
    elif amount <= 0.0:
        paid = True
    elif max(own, 0.0) < amount * (1.0 - 1e-12):
        paid = False
    else:
        paid, own = True, max(own - amount, 0.0)
    state_grant[i, j], grant[i, j] = held_state, held_grant
    return paid, own


@njit(**KERNEL)
def scale_cost(i, j, scale_fixed, scale_per_10k, scale, fixed_factor, cover):
    """MSEK to scale innovation j in organisation i: a fixed part (``scale_fixed``, lowered by shared
    infrastructure and call-off contracts: ``fixed_factor``) and a per-inhabitant part (``scale_per_10k``,
    ``scale`` (n,) the organisations' population-equivalent sizes), less the share ``cover`` an event
    covers."""
    return (scale_fixed[j] * fixed_factor + scale_per_10k[j] * scale[i] / 1e4) * (1.0 - cover)


@njit(**KERNEL)
def full_cost(i, j, pilot_cost, scale_fixed, scale_per_10k, scale, fixed_factor, s, age, scaling_q,
              operating_cost_share):
    """MSEK pair (i, j) in stage ``s`` (PILOTING or ADOPTED, ``age`` quarters) owes this quarter before an
    event covers any of it: the pilot's running cost, a scale-up instalment or the adoption's running cost."""
    pilot = pilot_cost[j] * fixed_factor / QUARTERS_PER_YEAR
    cost = scale_cost(i, j, scale_fixed, scale_per_10k, scale, fixed_factor, 0.0)  # arrays read before branches
    if s == PILOTING:
        return pilot
    return cost / scaling_q if age < scaling_q else operating_cost_share * cost / QUARTERS_PER_YEAR
