"""The innovation life cycle: one quarter of moves between stages, for every organisation and innovation.

Every move is a hazard built from named parts (docs/ODD.md §7), each traceable to the evidence and each a
place where a lever or an event acts (:class:`model.effects.Effects`, :mod:`model.dynamics.events`):

- **awareness** ``1 - (1 - p_ext)(1 - promotion) * prod_types (1 - beta_type)^(adopting ties of that type)``;
  national actors promote innovations with enough evidence;
- **starting a pilot** ``(1 - exp(-rate * enthusiasm * free capacity * social proof * memory)) * affordability``; a
  pilot takes one of the organisation's free enthusiasts as its *champion*; a grant-funded pilot starts
  when it can pay its first quarter;
- **money**: a running pilot pays its running cost each quarter, a scale-up its cost in instalments while
  it is implemented, an adoption its operating cost — from earmarked state grants, then project grants,
  then the organisation's own money, never below zero; what cannot be paid waits (and may stall or drop);
- **during a pilot** it stalls when it has no champion (the champion left and no free enthusiast took
  over), while a new leadership reprioritises, when capacity is overloaded or money does not cover it;
- **ending a pilot**: the pilot shows whether the innovation works in this organisation (its value there);
  a pilot that disappoints is abandoned and remembered; one that works scales with log-odds from the change
  capacity free for the scale-up, protector, evidence, money, maturity and (effective) complexity, else is
  prolonged (limbo) or abandoned — the pilot swamp emerges from these parts, it is not a rate;
- **dropping** an adoption, more likely without protector, enthusiasts, capacity or money, and where the
  innovation delivers little;
- **retrying** after a stall or a drop, less after one's own disappointments;
- **evidence** is the share of known outcomes that were good (scale-ups; shared disappointments count
  against), so it can fall.

All moves are decided from the state at the start of the quarter, with pre-drawn uniforms (from the model's
``lifecycle`` stream: one for the move, one for the champion, one for the pilot's result), so each pair
moves at most one stage per quarter and two scenarios see the same draws (common random numbers). Money is
the exception: it is spent as innovations are served, in the scenario's order, commitments first.

The per-pair loop is compiled with numba: the world is small (about 330 organisations) but research needs
tens of thousands of runs (benchmarks/bench_run.py). Each hazard above is a named function of numbers
(:func:`hazards.hears`, :func:`hazards.start_chance`, :func:`hazards.stall_hazard`, :func:`hazards.scale_chance`,
:func:`_people_drop_hazard`, :func:`hazards.drop_hazard`, :func:`hazards.retry_chance`) inlined into :func:`_advance`,
which walks the organisations and innovations and makes every change of state; the hazards read no arrays
(in numba every array read out of a named tuple costs a reference count, per pair if done there).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from ..environment import njit

from ..stages import ADOPTED, AWARE, DROPPED, PILOTING, QUARTERS_PER_YEAR, STALLED, UNAWARE
from . import hazards, working
from .events import CAPACITY, EVIDENCE, MONEY, RELIEF_SINCE, SOCIAL_PROOF, TRIALS_ENDING

#: the parameters the life cycle reads, passed to the compiled kernel as one named tuple
Rates = namedtuple("Rates", [
    "enthusiast_floor", "social_proof_floor", "complex_threshold", "complex_threshold_share", "pilot_start_rate",
    "champion_takeover", "failure_memory",
    "stall_base", "stall_no_champion", "stall_reprioritise", "stall_overload", "stall_no_money",
    "scale_base_logit", "scale_capacity_weight", "scale_protector_weight", "scale_evidence_weight",
    "scale_money_weight", "scale_maturity_weight", "scale_complexity_weight", "pilot_extension",
    "scaling_quarters", "operating_cost_share",
    "drop_base", "drop_no_protector", "drop_no_enthusiast", "drop_overload", "drop_no_money",
    "drop_disappointed", "retry_rate",
    "p_external", "p_national_promotion", "promotion_evidence", "infrastructure_level", "failure_sharing",
    "evidence_learning", "failure_learning", "mandate_scale_weight",
])

#: per pair (n, k), changed in place: stage, quarters run (pilot; adopted: of implementation), pilot start,
#: champion (int8) and the organisation's own disappointing pilots (int8)
Pilots = namedtuple("Pilots", ["stage", "pilot_age", "pilot_start", "champion", "failed"])
#: per organisation: which innovations apply and the innovation's value there (n, k); development
#: capacity, digital maturity and population-equivalent size (n,)
OrgArrays = namedtuple("OrgArrays", ["applicable", "fit", "capacity", "maturity", "scale"])
#: what ties carry this quarter, (n, k): sum of log(1 - beta) over adopting ties, the share of the weighted
#: proof ties that adopted and their weighted count (both contagions read these: model.world.networks)
Signals = namedtuple("Signals", ["log_no_hear", "share", "local"])
#: per innovation (k,): capacity loads, costs, complexity, infrastructure need, pilot length; current
#: evidence and the observations it rests on (changed in place); the quarter it is introduced (int64:
#: before it nobody becomes aware of it)
InnovationArrays = namedtuple("InnovationArrays", [
    "pilot_need", "scale_need", "adoption_need", "pilot_cost", "scale_fixed", "scale_per_10k", "complexity",
    "needs_infrastructure", "pilot_quarters", "evidence", "evidence_weight", "available_from",
])
#: the national actors: how many promote innovations, and whether a network host shares failures
National = namedtuple("National", ["promoters", "failures_shared"])
#: per innovation (k,): pilots scaled and the quarters they took, summed; (steps, k): MSEK of costs an event
#: covered (a funded mandate, a crisis relaxing money: the state pays them, booked by
#: :func:`model.dynamics.events.book_costs`) (changed in place)
ScaleCounts = namedtuple("ScaleCounts", ["scale_count", "scale_duration", "covered"])
#: the mechanism variants: one-step life cycle, complex contagion, its threshold on the share of proof ties
Flags = namedtuple("Flags", ["one_step", "complex_contagion", "fraction"])

#: what the kernel counts each quarter (columns of ``record.tally``); the summary outcomes read these
TALLY = ("pilots_started", "pilots_scaled", "pilots_stalled", "adoptions_dropped",
         "adoptions_lost_no_enthusiast", "adoptions_lost_no_protector", "adopted",
         "pilots_disappointed", "pilots_stalled_no_champion", "pilots_stalled_reprioritised",
         "pilots_stalled_no_money", "adoptions_lost_no_money", "adoptions_lost_disappointed", "pilots_funded",
         # where money binds (model.economy): pilot quarters and scale-up or running-cost quarters that waited
         # for money, and pilot starts the start hazard drew that money stopped; MSEK paid by each payer
         "money_waiting_pilot_quarters", "money_waiting_adoption_quarters", "money_blocked_pilot_starts",
         "money_own_msek", "money_grant_msek", "money_state_grant_msek", "money_event_msek")
(STARTED, SCALED, STALLED_, DROPPED_, LOST_NO_ENTHUSIAST, LOST_NO_PROTECTOR, ADOPTED_COUNT, DISAPPOINTED,
 STALLED_NO_CHAMPION, STALLED_REPRIORITISED, STALLED_NO_MONEY, LOST_NO_MONEY, LOST_DISAPPOINTED,
 FUNDED, WAIT_PILOT, WAIT_ADOPTION, BLOCKED_START, PAID_OWN, PAID_GRANT, PAID_STATE_GRANT,
 PAID_EVENT) = range(len(TALLY))


def rates(params) -> Rates:
    """The life cycle's parameters from the model parameters."""
    return Rates(*(float(getattr(params, name)) for name in Rates._fields))


# only other kernels call these: compiled without the entry points Python and C callers need, whose
# construction was about a second of the first compilation
@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _afford(money, cost):
    """Smooth affordability in [0, 1): 1 - exp(-money / cost); a free innovation is fully affordable."""
    if cost <= 0.0:
        return 1.0
    if money <= 0.0:
        return 0.0
    return 1.0 - np.exp(-money / cost)


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _available(i, j, state_grant, grant, money_left):
    """MSEK pair (i, j) can spend: earmarked state grant, project grant and the organisation's own money."""
    return state_grant[i, j] + grant[i, j] + max(money_left[i], 0.0)


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _pay(i, j, amount, state_grant, grant, money_left):
    """Pay ``amount`` for pair (i, j), all or nothing: earmarked state grant first, then the project grant,
    then own money (never below zero). Returns whether it was paid."""
    if amount <= 0.0:
        return True
    if _available(i, j, state_grant, grant, money_left) < amount * (1.0 - 1e-12):
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
def _pay_held(i, j, amount, state_grant, grant, money_left, own, any_grants):
    """:func:`_pay` with organisation ``i``'s own money ``own`` held by the caller (in a register, not
    reloaded from memory for every pair): returns whether ``amount`` was paid and the own money left.
    Without grants (``any_grants`` false: every grant is zero) only own money pays, as :func:`_pay` would."""
    if any_grants:
        money_left[i] = own
        paid = _pay(i, j, amount, state_grant, grant, money_left)
        return paid, money_left[i]
    if amount <= 0.0:
        return True, own
    if max(own, 0.0) < amount * (1.0 - 1e-12):
        return False, own
    return True, max(own - amount, 0.0)


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _scale_cost(i, j, scale_fixed, scale_per_10k, scale, fixed_factor, cover):
    """MSEK to scale innovation j in organisation i: a fixed part (``scale_fixed``, lowered by shared
    infrastructure and call-off contracts) and a per-inhabitant part (``scale_per_10k``), less what an event
    covers (the innovations' cost arrays are passed, not their named tuple: see :func:`_advance`)."""
    return (scale_fixed[j] * fixed_factor + scale_per_10k[j] * scale[i] / 1e4) * (1.0 - cover)


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _full_cost(i, j, pilot_cost, scale_fixed, scale_per_10k, scale, fixed_factor, s, age, scaling_q,
               operating_cost_share):
    """MSEK pair (i, j) in stage ``s`` (PILOTING or ADOPTED, ``age`` quarters) owes this quarter before an
    event covers any of it: the pilot's running cost, a scale-up instalment or the adoption's running cost."""
    if s == PILOTING:
        return pilot_cost[j] * fixed_factor / 4.0
    cost = _scale_cost(i, j, scale_fixed, scale_per_10k, scale, fixed_factor, 0.0)
    return cost / scaling_q if age < scaling_q else operating_cost_share * cost / 4.0


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def start_ceilings(r, pressure, relax, ceiling):
    """Fill ``ceiling`` (k,) with a bound on each innovation's start chance this quarter
    (:func:`hazards.start_chance`), or 2.0 where there is none: without a mandate, and with floors, failure
    memory and relaxations in [0, 1], every factor of the rate is at most 1, so the chance is at most
    ``1 - exp(-pilot_start_rate)`` (1e-9 of slack covers rounding). A draw at or above it starts no pilot,
    which the life cycle then knows without the hazard."""
    bounded = (0.0 <= r.enthusiast_floor <= 1.0 and 0.0 <= r.social_proof_floor <= 1.0
               and 0.0 <= r.failure_memory <= 1.0 and r.pilot_start_rate >= 0.0)
    for j in range(pressure.shape[0]):
        if (bounded and pressure[j] == 0.0 and 0.0 <= relax[CAPACITY, j] <= 1.0
                and 0.0 <= relax[SOCIAL_PROOF, j] <= 1.0):
            ceiling[j] = -np.expm1(-r.pilot_start_rate) * (1.0 + 1e-9)
        else:
            ceiling[j] = 2.0


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def grants_held(effects):
    """Whether any organisation holds a project or state grant (``effects``: the
    :data:`model.effects.LeverEffects`): only levers give them, the life cycle only spends them."""
    grant, state_grant = effects.grant_msek, effects.state_grant_msek
    n, k = grant.shape
    for i in range(n):
        for j in range(k):
            if grant[i, j] != 0.0 or state_grant[i, j] != 0.0:
                return True
    return False


@njit(error_model="numpy", no_cfunc_wrapper=True)
def introduce(pilots, first_users, j, t, enthusiasts):
    """Introduce innovation ``j`` in quarter ``t``, in place: each organisation ``first_users`` (n, k int8)
    marks ``ADOPTED`` has scaled it (implemented long ago), each it marks ``PILOTING`` starts a pilot of it
    now, championed where the organisation has an enthusiast (``enthusiasts``, (n,)). Called when the run
    is built for innovations available from the start, and by the quarter loop for the others."""
    stage, pilot_age, pilot_start, champion = pilots.stage, pilots.pilot_age, pilots.pilot_start, pilots.champion
    for i in range(stage.shape[0]):
        first = first_users[i, j]
        if first == ADOPTED:
            stage[i, j] = ADOPTED
            pilot_age[i, j] = 127
        elif first == PILOTING:
            stage[i, j] = PILOTING
            pilot_age[i, j] = 0
            pilot_start[i, j] = t
            champion[i, j] = 1 if enthusiasts[i] > 0 else 0


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _advance(pilots, draws, t, flags, orgs, signals, people, effects, inn, r, national, pressure, relax,
             counts, tally, any_grants, scratch):
    """One quarter of the life cycle for every organisation and innovation, in place.

    ``draws``: the run's :class:`~model.context.Draws`; ``t``: the quarter; ``pressure`` (k,) and ``relax``
    (relaxable constraints, k) this quarter's events; the other arguments are the named tuples above
    (``people``: :data:`model.dynamics.people.PeopleArrays`, ``effects``: :data:`model.effects.LeverEffects`,
    ``r``: :data:`Rates`); ``tally``: this quarter's row of counts; ``any_grants``: whether any project or
    state grant is left (:func:`grants_held`; grants only fall here, so none at the start means none all
    quarter and their sums of n x k, a fifth of a quarter's work, are skipped); ``scratch``: the working
    arrays (:data:`model.dynamics.working.Scratch`), overwritten.
    """
    # every array the loops read, unpacked once: read out of its named tuple inside a loop, each read would
    # cost numba a reference count (an atomic increment and decrement), per pair
    stage, pilot_age, pilot_start, champion, failed = pilots
    u, v, w = draws.lifecycle[t], draws.champion[t], draws.result[t]
    applicable, fit, capacity, maturity, scale = orgs
    log_no_hear, share, local = signals
    enthusiasts, protector, money_left = people.enthusiasts, people.protector, people.money_left
    leavers, previous = people.leavers, people.previous
    reprioritise_left = people.reprioritise  # quarters a new leadership still reprioritises
    capacity_bonus, p_external_boost = effects.capacity_bonus, effects.p_external_boost
    tie_strength, scale_logit_bonus = effects.tie_strength, effects.scale_logit_bonus
    cost_factor, load_factor = effects.fixed_cost_factor, effects.load_factor
    grant, state_grant, funded = effects.grant_msek, effects.state_grant_msek, effects.funded_start
    pilot_need, scale_need, adoption_need = inn.pilot_need, inn.scale_need, inn.adoption_need
    pilot_cost, scale_fixed, scale_per_10k = inn.pilot_cost, inn.scale_fixed, inn.scale_per_10k
    complexity, needs_infrastructure, pilot_quarters = inn.complexity, inn.needs_infrastructure, inn.pilot_quarters
    evidence, evidence_weight, available_from = inn.evidence, inn.evidence_weight, inn.available_from
    scale_count, scale_duration, covered = counts
    n, k = stage.shape
    one_step = flags.one_step
    scaling_q = int(r.scaling_quarters)
    infra = min(1.0, r.infrastructure_level + effects.infrastructure_gain)
    scaled_k, stalled_k, failures_k, promotion = scratch.scaled, scratch.stalled, scratch.failures, scratch.promotion
    ceiling, lost, unpaid = scratch.ceiling, scratch.lost, scratch.unpaid
    for j in range(k):
        scaled_k[j] = stalled_k[j] = failures_k[j] = promotion[j] = 0.0
        lost[j] = unpaid[j] = False
        if national.promoters > 0 and evidence[j] >= r.promotion_evidence:
            promotion[j] = 1.0 - (1.0 - r.p_national_promotion) ** national.promoters
    # sums by loops adding in NumPy's order (model.dynamics.working: .sum() compiled more)
    own_before = working.total(money_left)
    grant_before = working.total2(grant) if any_grants else 0.0
    state_before = working.total2(state_grant) if any_grants else 0.0
    start_ceilings(r, pressure, relax, ceiling)
    waiting_pilots = waiting_adoptions = 0  # pair-quarters that waited for money, added to the tally once
    for i in range(n):
        # one pass over the organisation's pairs: the capacity its pilots and adoptions hold, which running
        # pilots' champions left (with the share of its enthusiasts who left this quarter), and its
        # commitments paid first — running pilots, scale-ups being implemented, adoptions' operating costs
        q_leave = leavers[i] / previous[i] if previous[i] > 0 else 0.0
        own = money_left[i]  # held here while the commitments are paid, written back after them
        load = 0.0
        staying = 0
        for j in range(k):
            lost[j] = False
            unpaid[j] = False
            s = stage[i, j]
            if s == PILOTING:
                load += pilot_need[j] * load_factor[i, j]
                if one_step:
                    continue
                if champion[i, j] == 1:
                    if v[i, j] < q_leave:
                        lost[j] = True
                    else:
                        staying += 1
                cover = relax[MONEY, j]
                amount = pilot_cost[j] * cost_factor[i, j] * (1.0 - cover) / QUARTERS_PER_YEAR
                paid, own = _pay_held(i, j, amount, state_grant, grant, money_left, own, any_grants)
                unpaid[j] = not paid
                waiting_pilots += unpaid[j]
            elif s == ADOPTED:
                need = scale_need[j] if pilot_age[i, j] < scaling_q else adoption_need[j]
                load += need * load_factor[i, j]
                if one_step:
                    continue
                cover = relax[MONEY, j]
                cost = _scale_cost(i, j, scale_fixed, scale_per_10k, scale, cost_factor[i, j], cover)
                if pilot_age[i, j] < scaling_q:
                    amount = cost / scaling_q
                else:
                    amount = r.operating_cost_share * cost / QUARTERS_PER_YEAR
                paid, own = _pay_held(i, j, amount, state_grant, grant, money_left, own, any_grants)
                unpaid[j] = not paid
                waiting_adoptions += unpaid[j]
            else:
                continue
            if cover > 0.0 and not unpaid[j]:  # the state paid the covered part: booked to the event
                covered[t, j] += cover * _full_cost(i, j, pilot_cost, scale_fixed, scale_per_10k, scale,
                                                cost_factor[i, j], s, pilot_age[i, j], scaling_q,
                                                r.operating_cost_share)
        money_left[i] = own
        cap = capacity[i] + capacity_bonus[i]
        free = cap - load
        overload = min(1.0, max(0.0, (load - cap) / load)) if load > 0.0 else 0.0
        has_protector = 1.0 if protector[i] else 0.0
        reprioritising = reprioritise_left[i] > 0
        free_enthusiasts = max(enthusiasts[i] - staying, 0)
        for j in range(k):
            if one_step or stage[i, j] != PILOTING:
                continue
            if lost[j]:  # another free enthusiast may take over (v / q_leave is again uniform)
                if free_enthusiasts > 0 and v[i, j] / q_leave < r.champion_takeover:
                    free_enthusiasts -= 1
                else:
                    champion[i, j] = 0
            elif champion[i, j] == 0 and free_enthusiasts > 0 and v[i, j] < r.champion_takeover:
                champion[i, j] = 1
                free_enthusiasts -= 1
        will_drop, means_drop = hazards.people_drop_hazards(r, has_protector, enthusiasts[i] == 0, overload)
        p_ext = min(1.0, max(0.0, r.p_external + p_external_boost[i]))
        for j in range(k):
            s = stage[i, j]
            x = u[i, j]
            m = pressure[j]
            if s == UNAWARE or (one_step and s == AWARE):
                if applicable[i, j] and t >= available_from[j]:  # not before it is introduced
                    z = tie_strength[i] * log_no_hear[i, j]  # <= 0
                    if hazards.hears(x, p_ext, promotion[j], m, z):
                        stage[i, j] = ADOPTED if one_step else AWARE
                        if one_step:
                            pilot_age[i, j] = 127
            elif s == AWARE:
                if x >= ceiling[j] and not funded[i, j]:
                    continue  # the draw is above any start chance: no pilot (the hazard is not computed)
                lf = load_factor[i, j]
                cover = relax[MONEY, j]
                first = pilot_cost[j] * cost_factor[i, j] * (1.0 - cover) / QUARTERS_PER_YEAR
                money = _available(i, j, state_grant, grant, money_left)
                if funded[i, j]:  # a grant funds this pilot: it starts once its first quarter can be paid
                    start = money >= first * (1.0 - 1e-12)
                else:
                    p_start = hazards.start_chance(r, flags, free, pilot_need[j] * lf, scale_need[j] * lf,
                                            relax[CAPACITY, j], relax[SOCIAL_PROOF, j], local[i, j],
                                            share[i, j], free_enthusiasts, failed[i, j], m)
                    if x >= p_start:  # not even if money were no object (skips the exp below, most pairs)
                        continue
                    start = money >= first * (1.0 - 1e-12) and x < p_start * _afford(money, QUARTERS_PER_YEAR * first)
                    if not start:
                        tally[BLOCKED_START] += 1
                if start:
                    stage[i, j] = PILOTING
                    pilot_age[i, j] = 0
                    pilot_start[i, j] = t
                    if free_enthusiasts > 0:
                        champion[i, j] = 1
                        free_enthusiasts -= 1
                    else:
                        champion[i, j] = 0
                    tally[STARTED] += 1
                    if funded[i, j]:
                        tally[FUNDED] += 1
                        funded[i, j] = False
            elif s == PILOTING:
                # every running pilot can stall, also one that is due to end or prolonged (limbo) ...
                h, base, no_champion, reprioritise = hazards.stall_hazard(r, champion[i, j] == 0, reprioritising,
                                                                   unpaid[j], overload, m)
                ending = hazards.relief_ending(relax[TRIALS_ENDING, j], pilot_start[i, j], relax[RELIEF_SINCE, j])
                if x < h:
                    stage[i, j] = STALLED
                    champion[i, j] = 0
                    stalled_k[j] += 1
                    if x >= base:  # which part of the hazard the draw fell in
                        y = x - base
                        if y < no_champion:
                            tally[STALLED_NO_CHAMPION] += 1
                        elif y < no_champion + reprioritise:
                            tally[STALLED_REPRIORITISED] += 1
                        else:
                            tally[STALLED_NO_MONEY] += 1
                elif x < h + ending:
                    stage[i, j] = STALLED  # a trial begun under a crisis's relief that relied on it ends with it
                    champion[i, j] = 0
                    stalled_k[j] += 1
                elif unpaid[j]:
                    pass  # waits for money: it neither runs on nor ends this quarter
                elif pilot_age[i, j] + 1 < pilot_quarters[j]:
                    pilot_age[i, j] += 1
                elif pilot_age[i, j] + 1 == pilot_quarters[j] and w[i, j] >= fit[i, j] + (1.0 - fit[i, j]) * m:
                    # ... one that is due shows (once) whether the innovation works here: this one disappoints
                    # (a mandate requires it all the same, so under pressure m only a share 1 - m is abandoned)
                    stage[i, j] = STALLED
                    champion[i, j] = 0
                    stalled_k[j] += 1
                    failures_k[j] += 1
                    if failed[i, j] < 100:
                        failed[i, j] += 1
                    tally[DISAPPOINTED] += 1
                else:
                    # ... one that worked is scaled, prolonged or abandoned, decided by the same uniform
                    # rescaled to the part of [0, 1) above the stall hazard
                    h += ending
                    y = (x - h) / (1.0 - h)
                    lf = load_factor[i, j]
                    cover = relax[MONEY, j]
                    cost = _scale_cost(i, j, scale_fixed, scale_per_10k, scale, cost_factor[i, j], cover)
                    money = _available(i, j, state_grant, grant, money_left)
                    effective_complexity = complexity[j] * (1.0 - infra * needs_infrastructure[j])
                    kappa = hazards.capacity_factor(free + pilot_need[j] * lf, scale_need[j] * lf)
                    kappa += (1.0 - kappa) * relax[CAPACITY, j]
                    known = evidence[j] + (1.0 - evidence[j]) * relax[EVIDENCE, j]
                    p_scale = hazards.scale_chance(r, kappa, has_protector, known, _afford(money, cost), maturity[i],
                                            effective_complexity, scale_logit_bonus[i], m)
                    if y < p_scale and (scaling_q > 0 or _pay(i, j, cost, state_grant, grant, money_left)):
                        stage[i, j] = ADOPTED
                        pilot_age[i, j] = 0
                        champion[i, j] = 0
                        scaled_k[j] += 1
                        scale_duration[j] += t - pilot_start[i, j]
                    elif y < p_scale + (1.0 - p_scale) * r.pilot_extension:
                        pilot_age[i, j] += 1  # limbo: prolonged another quarter
                    else:
                        stage[i, j] = STALLED
                        champion[i, j] = 0
                        stalled_k[j] += 1
            elif s == ADOPTED:
                h, no_money, disappointed = hazards.drop_hazard(r, will_drop, means_drop, unpaid[j], fit[i, j],
                                                                one_step, m)
                if x < h:
                    stage[i, j] = DROPPED
                    tally[DROPPED_] += 1
                    if enthusiasts[i] == 0:
                        tally[LOST_NO_ENTHUSIAST] += 1
                    if not protector[i]:
                        tally[LOST_NO_PROTECTOR] += 1
                    if x >= h - disappointed:
                        tally[LOST_DISAPPOINTED] += 1
                        failures_k[j] += 1
                    elif x >= h - disappointed - no_money:
                        tally[LOST_NO_MONEY] += 1
                elif pilot_age[i, j] < scaling_q and not unpaid[j]:
                    pilot_age[i, j] += 1
            elif s == STALLED or s == DROPPED:
                if x < hazards.retry_chance(r, failed[i, j], m):
                    stage[i, j] = AWARE
    # evidence: the share of known outcomes that were good; shared disappointments count against
    shared = min(1.0, r.failure_sharing + effects.failure_sharing_boost) if national.failures_shared else 0.0
    for j in range(k):
        scale_count[j] += scaled_k[j]
        tally[SCALED] += scaled_k[j]
        tally[STALLED_] += stalled_k[j]
        good = r.evidence_learning * scaled_k[j]
        bad = r.failure_learning * shared * failures_k[j]
        if good + bad > 0.0:
            weight = evidence_weight[j]
            evidence[j] = (evidence[j] * weight + good) / (weight + good + bad)
            evidence_weight[j] = weight + good + bad
    # whole counts, so adding them once gives the same sums as adding each pair's
    tally[WAIT_PILOT] += waiting_pilots
    tally[WAIT_ADOPTION] += waiting_adoptions
    tally[PAID_OWN] += own_before - working.total(money_left)
    if any_grants:  # else both were zero all quarter: nothing paid from grants (adding 0.0 changes nothing)
        tally[PAID_GRANT] += grant_before - working.total2(grant)
        tally[PAID_STATE_GRANT] += state_before - working.total2(state_grant)
    tally[PAID_EVENT] += working.total(covered[t])
    adopted = 0
    for i in range(n):
        for j in range(k):
            if stage[i, j] == ADOPTED and applicable[i, j]:
                adopted += 1
    tally[ADOPTED_COUNT] = adopted
