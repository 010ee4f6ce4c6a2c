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

The life cycle is compiled with numba: the world is small (about 330 organisations) but research needs
tens of thousands of runs (benchmarks/bench_run.py). Each hazard above is a named function of numbers
(:mod:`model.dynamics.hazards`). A quarter (:func:`_advance`) is named steps:

1. :func:`_begin_quarter` — the working arrays emptied, national promotion, the start chances' ceilings;
2. for each organisation: :func:`_commitments` (capacity held, champions who left, commitments paid),
   :func:`_free_capacity`, :func:`_champions` (champions replaced or lost), then
   :func:`model.dynamics.moves.organisation` — each innovation's move by its stage;
3. :func:`_learn` (evidence) and :func:`_count_quarter` (the quarter's tally).

Payments are :mod:`model.dynamics.payments`, the tally's columns :mod:`model.dynamics.tally`. The steps are
inlined where they are called, and those called once per organisation read their arrays out of the named
tuples before their loop over innovations, where numba's pruning of reference counts removes what such a
read costs (an atomic increment and decrement); :mod:`model.dynamics.moves` says what keeps that pruning
working.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..environment import njit

from ..stages import ADOPTED, AWARE, DROPPED, PILOTING, QUARTERS_PER_YEAR, STALLED, UNAWARE
from . import hazards, moves, working
from .events import CAPACITY, MONEY, SOCIAL_PROOF
from .moves import STEP
from .payments import full_cost, pay_held, scale_cost
from .tally import (ADOPTED_COUNT, PAID_EVENT, PAID_GRANT, PAID_OWN, PAID_STATE_GRANT, SCALED, STALLED_,
                    WAIT_ADOPTION, WAIT_PILOT)
from .tally import TALLY  # noqa: F401 - the columns of record.tally, named here for their readers

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

def rates(params) -> Rates:
    """The life cycle's parameters from the model parameters."""
    return Rates(*(float(getattr(params, name)) for name in Rates._fields))


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


@njit(**STEP)
def _begin_quarter(r, national, inn, people, effects, pressure, relax, any_grants, scratch):
    """Before the quarter's moves: the working arrays (:data:`working.Scratch`) emptied, each innovation's
    national promotion (by every promoter, if its evidence has reached ``promotion_evidence``, §7.6) and its
    start chance's ceiling (:func:`start_ceilings`). Returns the MSEK of own money, project grants and state
    grants held before the quarter (the tally's payments are what is gone after it)."""
    scaled, stalled, failures, promotion = scratch.scaled, scratch.stalled, scratch.failures, scratch.promotion
    lost, unpaid, evidence = scratch.lost, scratch.unpaid, inn.evidence
    for j in range(evidence.shape[0]):
        scaled[j] = stalled[j] = failures[j] = promotion[j] = 0.0
        lost[j] = unpaid[j] = False
        if national.promoters > 0 and evidence[j] >= r.promotion_evidence:
            promotion[j] = 1.0 - (1.0 - r.p_national_promotion) ** national.promoters
    start_ceilings(r, pressure, relax, scratch.ceiling)
    # sums by loops adding in NumPy's order (model.dynamics.working: .sum() compiled more)
    own = working.total(people.money_left)
    grant = working.total2(effects.grant_msek) if any_grants else 0.0
    state_grant = working.total2(effects.state_grant_msek) if any_grants else 0.0
    return own, grant, state_grant


@njit(**STEP)
def _commitments(i, t, q_leave, own, any_grants, one_step, r, scaling_q, v, relax, pilots, orgs, people, effects,
                 inn, counts, scratch):
    """One pass over organisation ``i``'s pairs before its moves (§7.2, §7.4, §7.8): the capacity its
    pilots and adoptions hold; which running pilots' champions left (the champion draw ``v`` under
    ``q_leave``, the share of its enthusiasts who left this quarter: into ``scratch.lost``); and its
    commitments, paid first — running pilots, scale-ups being implemented, adoptions' operating costs —
    from grants and its own money ``own`` (held by the caller); what could not be paid is marked in
    ``scratch.unpaid``, and what an event covered is booked in ``counts.covered`` (steps, k). Returns the
    own money left, the capacity held, the champions staying, and the pilots and adoptions that waited for
    money."""
    stage, pilot_age, champion = pilots.stage, pilots.pilot_age, pilots.champion
    lost, unpaid, covered, scale = scratch.lost, scratch.unpaid, counts.covered, orgs.scale
    load_factor, cost_factor = effects.load_factor, effects.fixed_cost_factor
    state_grant, grant = effects.state_grant_msek, effects.grant_msek
    pilot_need, scale_need, adoption_need = inn.pilot_need, inn.scale_need, inn.adoption_need
    pilot_cost, scale_fixed, scale_per_10k = inn.pilot_cost, inn.scale_fixed, inn.scale_per_10k
    load = 0.0
    staying = waiting_pilots = waiting_adoptions = 0
    for j in range(stage.shape[1]):
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
            paid, own = pay_held(i, j, amount, state_grant, grant, own, any_grants)
            unpaid[j] = not paid
            waiting_pilots += unpaid[j]
        elif s == ADOPTED:
            need = scale_need[j] if pilot_age[i, j] < scaling_q else adoption_need[j]
            load += need * load_factor[i, j]
            if one_step:
                continue
            cover = relax[MONEY, j]
            cost = scale_cost(i, j, scale_fixed, scale_per_10k, scale, cost_factor[i, j], cover)
            if pilot_age[i, j] < scaling_q:
                amount = cost / scaling_q
            else:
                amount = r.operating_cost_share * cost / QUARTERS_PER_YEAR
            paid, own = pay_held(i, j, amount, state_grant, grant, own, any_grants)
            unpaid[j] = not paid
            waiting_adoptions += unpaid[j]
        else:
            continue
        if cover > 0.0 and not unpaid[j]:  # the state paid the covered part: booked to the event
            covered[t, j] += cover * full_cost(i, j, pilot_cost, scale_fixed, scale_per_10k, scale,
                                               cost_factor[i, j], s, pilot_age[i, j], scaling_q,
                                               r.operating_cost_share)
    return own, load, staying, waiting_pilots, waiting_adoptions


@njit(**STEP)
def _champions(i, q_leave, free_enthusiasts, r, one_step, v, pilots, scratch):
    """Organisation ``i``'s running pilots whose champion left (``lost``) are taken over by a free
    enthusiast with chance ``champion_takeover`` (``v / q_leave`` is again uniform) or lose their champion;
    a pilot without one finds one with that chance (§7.2). Returns the free enthusiasts left."""
    stage, champion, lost = pilots.stage, pilots.champion, scratch.lost
    for j in range(stage.shape[1]):
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
    return free_enthusiasts


@njit(**STEP)
def _free_capacity(capacity, load):
    """An organisation's free capacity and overload in [0, 1] (§7.8) from its ``capacity`` (a lever's bonus
    included) and the ``load`` its pilots and adoptions hold."""
    overload = min(1.0, max(0.0, (load - capacity) / load)) if load > 0.0 else 0.0
    return capacity - load, overload


@njit(**STEP)
def _learn(r, national, effects, inn, scratch):
    """Evidence after the quarter's moves (§7.10): the share of known outcomes that were good, from this
    quarter's scale-ups and (shared, through a network host) disappointments, in place."""
    shared = min(1.0, r.failure_sharing + effects.failure_sharing_boost[0]) if national.failures_shared else 0.0
    evidence, evidence_weight = inn.evidence, inn.evidence_weight
    scaled, failures = scratch.scaled, scratch.failures
    for j in range(evidence.shape[0]):
        good = r.evidence_learning * scaled[j]
        bad = r.failure_learning * shared * failures[j]
        if good + bad > 0.0:
            weight = evidence_weight[j]
            evidence[j] = (evidence[j] * weight + good) / (weight + good + bad)
            evidence_weight[j] = weight + good + bad


@njit(**STEP)
def _count_quarter(t, money_before, waiting_pilots, waiting_adoptions, any_grants, pilots, orgs, people, effects,
                   counts, scratch, tally):
    """The quarter's counts: pilots scaled (also in the run's ``scale_count``) and stalled, pair-quarters
    that waited for money, MSEK each payer paid (``money_before`` less what is left; events: what they
    covered), and the adoptions of pairs the innovation applies to."""
    scale_count, scaled, stalled = counts.scale_count, scratch.scaled, scratch.stalled
    for j in range(scaled.shape[0]):
        scale_count[j] += scaled[j]
        tally[SCALED] += scaled[j]
        tally[STALLED_] += stalled[j]
    # whole counts, so adding them once gives the same sums as adding each pair's
    tally[WAIT_PILOT] += waiting_pilots
    tally[WAIT_ADOPTION] += waiting_adoptions
    own_before, grant_before, state_before = money_before
    tally[PAID_OWN] += own_before - working.total(people.money_left)
    if any_grants:  # else both were zero all quarter: nothing paid from grants (adding 0.0 changes nothing)
        tally[PAID_GRANT] += grant_before - working.total2(effects.grant_msek)
        tally[PAID_STATE_GRANT] += state_before - working.total2(effects.state_grant_msek)
    tally[PAID_EVENT] += working.total(counts.covered[t])
    stage, applicable, adopted = pilots.stage, orgs.applicable, 0
    for i in range(stage.shape[0]):
        for j in range(stage.shape[1]):
            if stage[i, j] == ADOPTED and applicable[i, j]:
                adopted += 1
    tally[ADOPTED_COUNT] = adopted


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _advance(a, t, any_grants):
    """One quarter of the life cycle for every organisation and innovation, in place: organisation by
    organisation its commitments (:func:`_commitments`) and champions (:func:`_champions`), then each pair's
    move (:func:`model.dynamics.moves.organisation`); then the evidence and the quarter's counts.

    ``a``: the run's :data:`~model.dynamics.quarters.QuarterArguments`, packed
    (:mod:`model.dynamics.packed`: the quarter loop calls this by address, :mod:`model.dynamics.native`);
    the fields read here are the named tuples above (``people``: :data:`model.dynamics.people.PeopleArrays`,
    ``effects``: :data:`model.effects.LeverEffects`, ``rates``: :data:`Rates`), ``draws`` (the run's
    :class:`~model.context.Draws`), ``events`` (this quarter's ``pressure`` (k,) and ``relax``, relaxable
    constraints, k), ``tally`` (this quarter's row of counts) and ``scratch`` (the working arrays,
    :data:`model.dynamics.working.Scratch`, overwritten). ``t``: the quarter; ``any_grants``: whether any
    project or state grant is left (:func:`grants_held`; grants only fall here, so none at the start means
    none all quarter and their sums of n x k, a fifth of a quarter's work, are skipped).
    """
    # the arrays this loop reads, unpacked once: an array read out of its named tuple (or the packed
    # structure) inside a loop costs numba a reference count (an atomic increment and decrement) at every
    # read. The steps it calls, once per organisation, unpack theirs before their loop over innovations:
    # numba's pruning of reference counts then removes those of the whole pass (measured: docs/performance.md)
    pilots, draws, flags, orgs, signals, people = a.pilots, a.draws, a.flags, a.orgs, a.signals, a.people
    effects, inn, r, national, counts, scratch = a.effects, a.inn, a.rates, a.national, a.counts, a.scratch
    pressure, relax, tally = a.events.pressure[t], a.events.relax[t], a.tally[t]
    u, v, w = draws.lifecycle[t], draws.champion[t], draws.result[t]
    capacity, enthusiasts, protector = orgs.capacity, people.enthusiasts, people.protector
    leavers, previous, reprioritise = people.leavers, people.previous, people.reprioritise
    money_left = people.money_left
    capacity_bonus, p_external_boost = effects.capacity_bonus, effects.p_external_boost
    one_step, scaling_q = flags.one_step, int(r.scaling_quarters)
    infra = min(1.0, r.infrastructure_level + effects.infrastructure_gain[0])
    money_before = _begin_quarter(r, national, inn, people, effects, pressure, relax, any_grants, scratch)
    waiting_pilots = waiting_adoptions = 0  # pair-quarters that waited for money, added to the tally once
    for i in range(pilots.stage.shape[0]):
        q_leave = leavers[i] / previous[i] if previous[i] > 0 else 0.0
        money_left[i], load, staying, waited_pilots, waited_adoptions = _commitments(
            i, t, q_leave, money_left[i], any_grants, one_step, r, scaling_q, v, relax, pilots, orgs, people, effects,
            inn, counts, scratch)
        waiting_pilots += waited_pilots
        waiting_adoptions += waited_adoptions
        free, overload = _free_capacity(capacity[i] + capacity_bonus[i], load)
        has_protector = 1.0 if protector[i] else 0.0
        free_enthusiasts = _champions(i, q_leave, max(enthusiasts[i] - staying, 0), r, one_step, v, pilots, scratch)
        p_ext = min(1.0, max(0.0, r.p_external + p_external_boost[i]))
        will_drop, means_drop = hazards.people_drop_hazards(r, has_protector, enthusiasts[i] == 0, overload)
        moves.organisation(i, t, r, flags, free, free_enthusiasts, overload, reprioritise[i] > 0, has_protector,
                           infra, p_ext, will_drop, means_drop, u, w, pressure, relax, pilots, orgs, signals, people,
                           effects, inn, counts, scratch, tally)
    _learn(r, national, effects, inn, scratch)
    _count_quarter(t, money_before, waiting_pilots, waiting_adoptions, any_grants, pilots, orgs, people, effects,
                   counts, scratch, tally)
