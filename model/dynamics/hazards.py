"""The life cycle's named hazards: the chance of each move between stages as a function of numbers.

Each is a formula of docs/ODD.md §7 with its named parts (the evidence for each part is given there and in
:mod:`model.dynamics.lifecycle`; :mod:`model.dynamics.moves` calls them for every organisation and innovation
each quarter). They read no arrays — in numba an array read out of a named tuple costs a reference count
per call — and are inlined where they are called, so splitting them out costs nothing at run time.
"""

from __future__ import annotations

import numpy as np

from ..environment import njit


#: 1 - exp(-c) for c = 0, 1, ...; exactly 1.0 in double precision from 38 on (numba freezes the table)
SATURATION = 1.0 - np.exp(-np.arange(38.0))


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def saturation(count):
    """1 - exp(-count) for a whole count, looked up."""
    return 1.0 if count >= 38 else SATURATION[count]


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def capacity_factor(free, need):
    """Share of what a pilot needs that free capacity covers, in [0, 1] (1 if it needs none)."""
    return min(1.0, max(0.0, free / need)) if need > 0.0 else 1.0


#: the hazards below: functions of numbers (and the parameters' named tuple), inlined into the life cycle
#: where it calls them; they read no arrays, which in numba would cost a reference count per pair and call
HAZARD = dict(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True, inline="always")


@njit(**HAZARD)
def memory(r, failed):
    """Failure memory: ``failure_memory`` to the power of the organisation's own disappointments with an
    innovation (``failed``, a count in [0, 100]). Raised to it as an unsigned count: numba's power for a
    signed exponent has a path that raises (for a negative one), which kept numba from pruning the
    reference counts of the life cycle's passes that call it (docs/performance.md); the multiplications
    are the same."""
    return r.failure_memory ** np.uint8(failed)


@njit(**HAZARD)
def hears(x, p_ext, promotion, m, z):
    """Awareness: whether the draw ``x`` makes an organisation hear of an innovation, from national channels
    (``p_ext``), national promotion (``promotion``) or its adopting ties (``z``: their summed log(1 - beta),
    <= 0); a mandate (pressure ``m`` > 0) makes everyone it applies to know of it."""
    p = 1.0 - (1.0 - p_ext) * (1.0 - promotion)
    if m > 0.0:
        p = 1.0  # a law or national target: everyone it applies to knows of it
    # p_aware = 1 - (1 - p) e^z lies in [p, p - (1 - p) z] (as e^z >= 1 + z): decide from the
    # bounds when they suffice, which spares the exp for most pairs
    return x < p or (x < p - (1.0 - p) * z and x < 1.0 - (1.0 - p) * np.exp(z))


@njit(**HAZARD)
def start_chance(r, flags, free, pilot_load, scale_load, relax_capacity, relax_proof, local, share,
                  free_enthusiasts, failed, m):
    """Starting a pilot, money aside: a hazard, ``1 - exp(-rate * enthusiasm * free capacity * social proof *
    memory)`` in a quarter (``rate``: ``pilot_start_rate`` per quarter; ``pilot_load``, ``scale_load``: the
    capacity the pilot and its scale-up would hold; ``local``, ``share``: the weighted adopting proof ties and
    their share; ``failed``: the organisation's own disappointments); a mandate's pressure ``m`` raises it in
    proportion to the capacity free to implement it, never forcing it.

    The factors scale a rate, not a chance: a product of chances capped the quarter's chance at
    ``pilot_start_rate`` itself, so an organisation with half its capacity free could never start faster than
    half the cap, and the calibration piled the rate against its bound of 1 (21 % of its posterior weight in
    the top tenth, 2026-12-07). For small products the two forms agree (``1 - e^-x ~ x``)."""
    kappa = capacity_factor(free, pilot_load)
    kappa += (1.0 - kappa) * relax_capacity
    # social proof is full from a threshold of adopting proof ties on (Centola & Macy 2007): one tie under
    # simple contagion, a weight or share of them under complex; the same ties and weights
    if flags.complex_contagion:
        threshold = r.complex_threshold_share if flags.fraction else r.complex_threshold
        level = share if flags.fraction else local
        proof = 1.0 if level >= threshold * (1.0 - 1e-9) else 0.0
    else:
        proof = 1.0 if local > 0.0 else 0.0
    proof += (1.0 - proof) * relax_proof
    social = r.social_proof_floor + (1.0 - r.social_proof_floor) * proof
    enthusiasm = r.enthusiast_floor + (1.0 - r.enthusiast_floor) * saturation(free_enthusiasts)
    p_start = -np.expm1(-r.pilot_start_rate * enthusiasm * kappa * social * memory(r, failed))
    if m > 0.0:  # a mandate: in proportion to the capacity free to implement it, never forced
        implement = capacity_factor(free, scale_load)
        p_start += (1.0 - p_start) * m * implement
    return p_start


@njit(**HAZARD)
def stall_hazard(r, no_champion, reprioritising, unpaid, overload, m):
    """Stalling a running pilot: a base hazard, more without a champion, while a new leadership
    reprioritises, when capacity is overloaded (``overload`` in [0, 1]) or money does not cover it. A
    mandate's pressure ``m`` removes the discretionary parts (giving up, a new leadership's priorities), not
    the want of a champion, capacity or money. Returns the hazard, its base part (giving up and overload)
    and its no-champion and reprioritising parts, in the order the draw is read."""
    no_champion = r.stall_no_champion if no_champion else 0.0
    reprioritise = (r.stall_reprioritise if reprioritising else 0.0) * (1.0 - m)
    no_money = r.stall_no_money if unpaid else 0.0
    base = r.stall_base * (1.0 - m) + r.stall_overload * overload
    return min(1.0, base + no_champion + reprioritise + no_money), base, no_champion, reprioritise


@njit(**HAZARD)
def relief_ending(hazard, started, since):
    """Ending a running trial begun under a crisis's relief (quarter ``started`` >= ``since``, the quarter
    the relief began) as the relief fades: ``hazard`` (:func:`model.dynamics.events.trials_ending`; 0 while
    the relief holds and without a crisis that ends trials). A trial begun before the relief did not rely on
    it. The part of the draw above the stall hazard decides it, before the pilot's result."""
    return hazard if started >= since else 0.0


@njit(**HAZARD)
def scale_chance(r, kappa, has_protector, known, affordable, maturity, effective_complexity, bonus, m):
    """Scaling a pilot that worked: log-odds from the change capacity free for the scale-up (``kappa``),
    protector, evidence (``known``), money (``affordable``), maturity, effective complexity, a lever's
    ``bonus`` and a mandate's pressure ``m``."""
    logit = (r.scale_base_logit + r.scale_capacity_weight * kappa
             + r.scale_protector_weight * has_protector
             + r.scale_evidence_weight * known
             + r.scale_money_weight * affordable
             + r.scale_maturity_weight * maturity
             - r.scale_complexity_weight * effective_complexity
             + bonus + r.mandate_scale_weight * m)
    return 1.0 / (1.0 + np.exp(-logit))


@njit(**HAZARD)
def people_drop_hazards(r, has_protector, no_enthusiast, overload):
    """The parts of dropping an adoption that the organisation's people decide: the will to go on (a base
    hazard, more without a protector) and the means (more without enthusiasts and when capacity is
    overloaded). A mandate's pressure replaces the will, not the means (model.dynamics.events)."""
    will = r.drop_base + r.drop_no_protector * (1.0 - has_protector)
    means = r.drop_no_enthusiast * no_enthusiast + r.drop_overload * overload
    return will, means


@njit(**HAZARD)
def drop_hazard(r, will_drop, means_drop, unpaid, fit, one_step, m):
    """Dropping an adoption: the people's parts, more where money does not cover it and where the innovation
    delivers little (``fit``); a mandate's pressure ``m`` holds the will and the disappointment, not the
    means. Returns the hazard and its no-money and disappointed parts (the draw reads them last)."""
    if one_step:
        return will_drop + means_drop, 0.0, 0.0
    no_money = r.drop_no_money if unpaid else 0.0
    disappointed = r.drop_disappointed * (1.0 - fit) * (1.0 - m)
    return will_drop * (1.0 - m) + means_drop + no_money + disappointed, no_money, disappointed


@njit(**HAZARD)
def retry_chance(r, failed, m):
    """Retrying after a stall or a drop, less after one's own disappointments (``failed``); a mandate at
    least ``m``."""
    return max(r.retry_rate * memory(r, failed), m)
