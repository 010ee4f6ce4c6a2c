"""An organisation's moves in a quarter (docs/ODD.md §7.6-7.12): what organisation ``i`` does with each
innovation ``j``, by the stage the pair is in, one move at most (:func:`organisation`):

- an unaware pair hears of the innovation (:func:`hazards.hears`, §7.6; one-step: adopts it, §7.13);
- an aware pair starts a pilot (:func:`starts`, §7.7), with a champion if a free enthusiast is left;
- a running pilot stalls, ends with a crisis's relief, waits for money, runs on or shows whether the
  innovation works here (:func:`pilot_quarter`, §7.9); one that worked is scaled, prolonged or abandoned
  (:func:`scaling`);
- an adoption is dropped (:func:`hazards.drop_hazard`, §7.11) or goes on being implemented;
- a stalled or dropped pair becomes aware again (:func:`hazards.retry_chance`, §7.12).

The innovations are served in order, as a pilot's start and a scale-up paid at once share the
organisation's money, and starts its free enthusiasts. Each move reads the pair's draw ``u`` (the
``lifecycle`` uniform of the quarter, (n, k), :class:`model.context.Draws`), a pilot's result also the
``result`` uniform ``w``; ``pressure`` (k,) is each innovation's mandate pressure this quarter
(:mod:`model.dynamics.events`). Arrays are per pair (n, k), per organisation (n,) or per innovation (k,);
money in MSEK.

The steps are inlined into the life cycle (:func:`model.dynamics.lifecycle._advance`), the pair's
decisions (:func:`starts`, :func:`pilot_quarter`, :func:`drop_part`: numbers in, numbers out) and the
scaling chance of a pilot that worked (:func:`scaling`) are called.
An array handed to an inlined function is a new reference to it, counted up and down (atomically) by
numba; its pruning of reference counts removes them for :func:`organisation`, which the life cycle calls
once per organisation and which reads its arrays out of the named tuples before its loop, and for
straight-line steps such as :func:`stall_pilot`, but not for a step that branches after it took the arrays
(the count falls in different branches), nor for the whole loop once one such count is left in it: so
the steps for a pair take numbers and return decisions, and :func:`organisation` makes the changes (the
quarter ran 1.3-1.9 times as long with a function per pair's move, or a pass per stage; docs/performance.md).
"""

from __future__ import annotations

from ..environment import njit
from ..stages import ADOPTED, AWARE, DROPPED, PILOTING, QUARTERS_PER_YEAR, STALLED, UNAWARE
from . import hazards
from .events import CAPACITY, EVIDENCE, MONEY, RELIEF_SINCE, SOCIAL_PROOF, TRIALS_ENDING
from .payments import afford, available, pay, scale_cost
from .tally import (BLOCKED_START, DISAPPOINTED, DROPPED_, FUNDED, LOST_DISAPPOINTED, LOST_NO_ENTHUSIAST,
                    LOST_NO_MONEY, LOST_NO_PROTECTOR, STALLED_NO_CHAMPION, STALLED_NO_MONEY,
                    STALLED_REPRIORITISED, STARTED)

#: compiled into the caller where it calls them (numba's inlining of its intermediate code, before types):
#: the same machine code as if written there, and no function of their own to compile
STEP = dict(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True, inline="always")
#: a pair's decisions, functions of numbers: compiled on their own and called (LLVM may inline them).
#: Inlined in numba's intermediate code they made :func:`organisation` bigger, and numba copies a function's
#: code twice, variable by variable, to inline it: the life cycle took 1.5 s longer to compile
DECISION = dict(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)


#: what a running pilot's quarter comes to (:func:`pilot_quarter`)
STALLS, WAITS, RUNS_ON, DISAPPOINTS, WORKED = range(5)


@njit(**DECISION)
def starts(x, m, r, flags, free, free_enthusiasts, funded, pilot_load, scale_load, relax_capacity, relax_proof,
           first, money, local, share, failed):
    """Whether an aware pair starts a pilot (§7.7), and whether money stopped a start the hazard drew: a
    pilot a grant funds (``funded``) once it can pay its ``first`` quarter (MSEK) from the ``money`` the
    pair can spend; any other if the draw ``x`` falls in :func:`hazards.start_chance` (``pilot_load``,
    ``scale_load``: the capacity the pilot and its scale-up would hold; ``local``, ``share``: the adopting
    proof ties; ``failed``: the organisation's own disappointments) times its affordability, and it can pay
    its first quarter."""
    if funded:  # a grant funds this pilot: it starts once its first quarter can be paid
        return money >= first * (1.0 - 1e-12), False
    p_start = hazards.start_chance(r, flags, free, pilot_load, scale_load, relax_capacity, relax_proof, local,
                                   share, free_enthusiasts, failed, m)
    if x >= p_start:  # not even if money were no object (skips the exp below, most pairs)
        return False, False
    start = money >= first * (1.0 - 1e-12) and x < p_start * afford(money, QUARTERS_PER_YEAR * first)
    return start, not start


@njit(**DECISION)
def pilot_quarter(x, w, m, r, no_champion, reprioritising, unpaid, overload, relief_hazard, started,
                  relief_since, age, quarters, fit):
    """What a running pilot's quarter comes to (§7.9), from its draw ``x``: it stalls
    (:func:`hazards.stall_hazard`: no champion, a new leadership ``reprioritising``, ``overload``, its cost
    ``unpaid``) or ends with a crisis's relief (:func:`hazards.relief_ending`: ``relief_hazard``, the pilot
    ``started`` in the quarter the relief began, ``relief_since``, or after) — :data:`STALLS`; else one
    that could not pay :data:`WAITS`, one not yet due (``age`` + 1 < ``quarters``) :data:`RUNS_ON`, and
    one due shows with its result draw ``w`` whether the innovation works here (``fit``; under a mandate's
    pressure ``m`` only a share 1 - m of the failures is acted on): it :data:`DISAPPOINTS`, or it
    :data:`WORKED` (so does one in limbo, decided again). Returns that, the tally column to count it in
    (the part of the stall hazard a stall's draw fell in, or a disappointment; -1 if none), and the hazard a
    pilot that worked had to pass."""
    h, base, no_champion_part, reprioritise = hazards.stall_hazard(r, no_champion, reprioritising, unpaid,
                                                                   overload, m)
    ending = hazards.relief_ending(relief_hazard, started, relief_since)
    if x < h:
        if x < base:  # which part of the hazard the draw fell in
            return STALLS, -1, h
        y = x - base
        if y < no_champion_part:
            return STALLS, STALLED_NO_CHAMPION, h
        if y < no_champion_part + reprioritise:
            return STALLS, STALLED_REPRIORITISED, h
        return STALLS, STALLED_NO_MONEY, h
    if x < h + ending:
        return STALLS, -1, h  # a trial begun under a crisis's relief that relied on it
    if unpaid:
        return WAITS, -1, h  # waits for money: it neither runs on nor ends this quarter
    if age + 1 < quarters:
        return RUNS_ON, -1, h
    if age + 1 == quarters and w >= fit + (1.0 - fit) * m:
        return DISAPPOINTS, DISAPPOINTED, h  # due, it showed (once) that the innovation does not work here
    return WORKED, -1, h + ending


@njit(**STEP)
def begin_pilot(i, j, t, championed, stage, pilot_age, pilot_start, champion):
    """Aware → piloting in quarter ``t``, with a champion if ``championed`` (straight-line: see the module)."""
    stage[i, j], pilot_age[i, j], pilot_start[i, j] = PILOTING, 0, t
    champion[i, j] = 1 if championed else 0


@njit(**STEP)
def scale_up(i, j, t, pilots, counts, scratch):
    """Piloting → adopted in quarter ``t``: implementation begins (``pilot_age`` counts its quarters), the
    champion is freed; counted in ``scratch.scaled``, with the quarters it took in
    ``counts.scale_duration`` (straight-line: see the module)."""
    pilots.stage[i, j], pilots.pilot_age[i, j], pilots.champion[i, j] = ADOPTED, 0, 0
    scratch.scaled[j] += 1
    counts.scale_duration[j] += t - pilots.pilot_start[i, j]


@njit(**STEP)
def stall_pilot(i, j, stage, champion, stalled):
    """Piloting → stalled (stopped or abandoned): the champion is freed, the stall counted in ``stalled``
    (k,), this quarter's stalls per innovation."""
    stage[i, j] = STALLED
    champion[i, j] = 0
    stalled[j] += 1


@njit(**DECISION)
def scaling(i, j, m, r, free, has_protector, infra, relax, orgs, people, effects, inn):
    """The chance that a pilot that worked is scaled (:func:`hazards.scale_chance`) and the scale-up's cost
    (MSEK, less what an event covers): from the capacity free for the scale-up (``free`` plus what the pilot
    held), a protector, the innovation's evidence (raised by a crisis's relief), whether the money the pair
    can spend affords it, the organisation's maturity, the innovation's complexity (less with shared
    infrastructure ``infra`` where it needs it), a lever's log-odds bonus and a mandate's pressure ``m``.
    Called for a pilot that worked (a few a quarter), not inlined: it keeps :func:`organisation` small."""
    lf, cover, evidence = effects.load_factor[i, j], relax[MONEY, j], inn.evidence[j]
    cost = scale_cost(i, j, inn.scale_fixed, inn.scale_per_10k, orgs.scale, effects.fixed_cost_factor[i, j], cover)
    money = available(i, j, effects.state_grant_msek, effects.grant_msek, people.money_left)
    effective_complexity = inn.complexity[j] * (1.0 - infra * inn.needs_infrastructure[j])
    kappa = hazards.capacity_factor(free + inn.pilot_need[j] * lf, inn.scale_need[j] * lf)
    kappa += (1.0 - kappa) * relax[CAPACITY, j]
    known = evidence + (1.0 - evidence) * relax[EVIDENCE, j]
    p_scale = hazards.scale_chance(r, kappa, has_protector, known, afford(money, cost), orgs.maturity[i],
                                   effective_complexity, effects.scale_logit_bonus[i], m)
    return p_scale, cost


@njit(**DECISION)
def drop_part(x, h, no_money, disappointed):
    """The tally column of the part of a drop hazard ``h`` (:func:`hazards.drop_hazard`, its no-money and
    disappointed parts last) the draw ``x`` < ``h`` fell in: disappointed, no money, or none (-1)."""
    if x >= h - disappointed:
        return LOST_DISAPPOINTED
    if x >= h - disappointed - no_money:
        return LOST_NO_MONEY
    return -1


@njit(**STEP)
def organisation(i, t, r, flags, free, free_enthusiasts, overload, reprioritising, has_protector, infra, p_ext,
                 will_drop, means_drop, u, w, pressure, relax, pilots, orgs, signals, people, effects, inn, counts,
                 scratch, tally):
    """Organisation ``i``'s moves in quarter ``t``, innovation by innovation (the module's docstring says
    which): the other numbers are the organisation's this quarter (free capacity, enthusiasts, ...; ``p_ext``:
    national channels; ``will_drop``, ``means_drop``: the people's parts of dropping). Counts stalls,
    scale-ups and disappointments per innovation in ``scratch`` (the evidence reads them) and the moves in
    ``tally``."""
    stage, pilot_age, pilot_start, champion, failed = pilots
    applicable, fit, available_from = orgs.applicable, orgs.fit, inn.available_from
    log_no_hear, local, share = signals.log_no_hear, signals.local, signals.share
    funded, load_factor, cost_factor = effects.funded_start, effects.load_factor, effects.fixed_cost_factor
    grant, state_grant, money_left = effects.grant_msek, effects.state_grant_msek, people.money_left
    pilot_need, scale_need, pilot_cost = inn.pilot_need, inn.scale_need, inn.pilot_cost
    stalled, failures, promotion = scratch.stalled, scratch.failures, scratch.promotion
    ceiling, unpaid, pilot_quarters = scratch.ceiling, scratch.unpaid, inn.pilot_quarters
    no_enthusiast, no_protector = people.enthusiasts[i] == 0, not people.protector[i]
    tie_strength = effects.tie_strength[i]
    one_step, scaling_q = flags.one_step, int(r.scaling_quarters)
    for j in range(stage.shape[1]):
        s, x, m = stage[i, j], u[i, j], pressure[j]
        if s == UNAWARE or (one_step and s == AWARE):
            # not before it is introduced (available_from)
            if applicable[i, j] and t >= available_from[j] and hazards.hears(x, p_ext, promotion[j], m,
                                                                              tie_strength * log_no_hear[i, j]):
                stage[i, j] = ADOPTED if one_step else AWARE
                if one_step:
                    pilot_age[i, j] = 127  # as if implemented long ago
        elif s == AWARE:
            if x >= ceiling[j] and not funded[i, j]:
                continue  # the draw is above any start chance (lifecycle.start_ceilings): the hazard is spared
            lf = load_factor[i, j]
            first = pilot_cost[j] * cost_factor[i, j] * (1.0 - relax[MONEY, j]) / QUARTERS_PER_YEAR
            start, blocked = starts(x, m, r, flags, free, free_enthusiasts, funded[i, j], pilot_need[j] * lf,
                                    scale_need[j] * lf, relax[CAPACITY, j], relax[SOCIAL_PROOF, j], first,
                                    available(i, j, state_grant, grant, money_left), local[i, j], share[i, j],
                                    failed[i, j])
            tally[BLOCKED_START] += blocked
            if start:
                begin_pilot(i, j, t, free_enthusiasts > 0, stage, pilot_age, pilot_start, champion)
                free_enthusiasts = max(free_enthusiasts - 1, 0)
                tally[STARTED] += 1
                if funded[i, j]:
                    tally[FUNDED] += 1
                    funded[i, j] = False
        elif s == PILOTING:
            outcome, column, h = pilot_quarter(x, w[i, j], m, r, champion[i, j] == 0, reprioritising, unpaid[j],
                                               overload, relax[TRIALS_ENDING, j], pilot_start[i, j],
                                               relax[RELIEF_SINCE, j], pilot_age[i, j], pilot_quarters[j], fit[i, j])
            if outcome == RUNS_ON:
                pilot_age[i, j] += 1
            elif outcome == STALLS or outcome == DISAPPOINTS:
                stall_pilot(i, j, stage, champion, stalled)
                if column >= 0:
                    tally[column] += 1
                if outcome == DISAPPOINTS:  # remembered, and shared as a disappointment (evidence)
                    failures[j] += 1
                    failed[i, j] = min(failed[i, j] + 1, 100)
            elif outcome == WORKED:  # scaled, prolonged or abandoned: the draw rescaled above the hazard passed
                y = (x - h) / (1.0 - h)
                p_scale, cost = scaling(i, j, m, r, free, has_protector, infra, relax, orgs, people, effects, inn)
                if y < p_scale and (scaling_q > 0 or pay(i, j, cost, state_grant, grant, money_left)):
                    scale_up(i, j, t, pilots, counts, scratch)
                elif y < p_scale + (1.0 - p_scale) * r.pilot_extension:
                    pilot_age[i, j] += 1  # limbo: prolonged another quarter
                else:
                    stall_pilot(i, j, stage, champion, stalled)
        elif s == ADOPTED:
            h, no_money, disappointed = hazards.drop_hazard(r, will_drop, means_drop, unpaid[j], fit[i, j],
                                                            one_step, m)
            if x < h:  # counted by what the organisation lacked and the part of the hazard the draw fell in
                stage[i, j] = DROPPED
                tally[DROPPED_] += 1
                tally[LOST_NO_ENTHUSIAST] += no_enthusiast  # (adding 0.0 where not: the same sums)
                tally[LOST_NO_PROTECTOR] += no_protector
                column = drop_part(x, h, no_money, disappointed)
                if column >= 0:
                    tally[column] += 1
                if column == LOST_DISAPPOINTED:
                    failures[j] += 1  # shared as a disappointment (evidence)
            elif pilot_age[i, j] < scaling_q and not unpaid[j]:
                pilot_age[i, j] += 1
        elif (s == STALLED or s == DROPPED) and x < hazards.retry_chance(r, failed[i, j], m):
            stage[i, j] = AWARE
