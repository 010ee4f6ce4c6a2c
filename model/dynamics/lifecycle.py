"""The innovation life cycle: one quarter of moves between stages, for every organisation and innovation.

Every move is a hazard built from named parts (design.md, "A starting point for the dynamics"), each
traceable to the evidence (docs/ODD.md §7) and each a place where a lever acts (through
:class:`model.effects.Effects`):

- **awareness** ``1 - (1 - p_ext) * prod_types (1 - beta_type)^(adopting ties of that type)``;
- **starting a pilot** ``rate * enthusiasm * free capacity * social proof * affordability``;
- **during a pilot** stalls when enthusiasts are gone, a protector is lost, capacity is overloaded or
  money does not cover it;
- **ending a pilot** scales with log-odds from capacity, protector, evidence, money, maturity and
  (effective) complexity; otherwise it is prolonged (limbo) or abandoned — the pilot swamp emerges from
  these parts, it is not a rate;
- **dropping** an adoption, more likely without protector, enthusiasts or capacity;
- **retrying** after a stall or a drop.

All moves are decided from the state at the start of the quarter with a single uniform draw per
organisation and innovation (from the model's ``lifecycle`` stream), so each pair moves at most one stage
per quarter and two scenarios see the same draws (common random numbers). The one exception is money: a
pilot started or a pilot scaled spends this year's money at once, so an organisation's later innovations
(in the scenario's order) see what is left.

The per-pair loop is compiled with numba: the world is small (about 330 organisations) but research needs
tens of thousands of runs, and a compiled pass over the state arrays costs a few microseconds where the
same rules as whole-array NumPy expressions cost a few hundred (benchmarks/bench_run.py).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..stages import ADOPTED, AWARE, DROPPED, PILOTING, STALLED, UNAWARE

#: the parameters the life cycle reads, passed to the compiled kernel as one named tuple
Rates = namedtuple("Rates", [
    "enthusiast_floor", "social_proof_floor", "complex_threshold", "pilot_start_rate",
    "stall_base", "stall_no_enthusiast", "stall_protector_lost", "stall_overload", "stall_no_money",
    "scale_base_logit", "scale_capacity_weight", "scale_protector_weight", "scale_evidence_weight",
    "scale_money_weight", "scale_maturity_weight", "scale_complexity_weight", "pilot_extension",
    "drop_base", "drop_no_protector", "drop_no_enthusiast", "drop_overload", "retry_rate",
    "p_external", "infrastructure_level", "failure_sharing", "evidence_learning", "failure_learning",
])

#: the stages of every pair and the age and start of running pilots, (n, k) arrays changed in place
Pilots = namedtuple("Pilots", ["stage", "pilot_age", "pilot_start"])
#: per organisation: which innovations apply (n, k), development capacity and digital maturity (n,)
OrgArrays = namedtuple("OrgArrays", ["applicable", "capacity", "maturity"])
#: what ties carry this quarter, (n, k): sum of log(1 - beta) over adopting ties, the share of ties that
#: adopted (simple contagion) and their count (complex contagion)
Signals = namedtuple("Signals", ["log_no_hear", "share", "count"])
#: per innovation (k,): capacity loads, costs, complexity, infrastructure need, pilot length, current
#: evidence (changed in place); and the (n, k) MSEK to scale each innovation in each organisation
InnovationArrays = namedtuple("InnovationArrays", [
    "pilot_need", "adoption_need", "pilot_cost", "complexity", "needs_infrastructure", "pilot_quarters",
    "evidence", "scale_cost",
])
#: per innovation (k,): pilots scaled and the quarters they took, summed (changed in place)
ScaleCounts = namedtuple("ScaleCounts", ["scale_count", "scale_duration"])

#: what the kernel counts each quarter (columns of ``model.tally``); the summary outcomes read these
TALLY = ("pilots_started", "pilots_scaled", "pilots_stalled", "adoptions_dropped",
         "adoptions_lost_no_enthusiast", "adoptions_lost_no_protector", "adopted")
STARTED, SCALED, STALLED_, DROPPED_, LOST_NO_ENTHUSIAST, LOST_NO_PROTECTOR, ADOPTED_COUNT = range(len(TALLY))


def rates(params) -> Rates:
    """The life cycle's parameters from the model parameters."""
    return Rates(*(float(getattr(params, name)) for name in Rates._fields))


@njit(cache=True, error_model="numpy")
def _afford(money, cost):
    """Smooth affordability in [0, 1): 1 - exp(-money / cost); a free innovation is fully affordable."""
    if cost <= 0.0:
        return 1.0
    if money <= 0.0:
        return 0.0
    return 1.0 - np.exp(-money / cost)


#: 1 - exp(-c) for c = 0, 1, ...; exactly 1.0 in double precision from 38 on (numba freezes the table)
_SATURATION = 1.0 - np.exp(-np.arange(38.0))


@njit(cache=True, error_model="numpy")
def _saturation(count):
    """1 - exp(-count) for a whole count, looked up."""
    return 1.0 if count >= 38 else _SATURATION[count]


@njit(cache=True, error_model="numpy")
def _capacity_factor(free, need):
    """Share of what a pilot needs that free capacity covers, in [0, 1] (1 if it needs none)."""
    return min(1.0, max(0.0, free / need)) if need > 0.0 else 1.0


@njit(cache=True, error_model="numpy")
def _spend(money_left, grant, cost):
    """Money left after paying ``cost``: own slack first, then the grant (never below -grant)."""
    return max(money_left - cost, -grant)


@njit(cache=True, error_model="numpy")
def _advance(pilots, u, t, one_step, complex_contagion, orgs, signals, people, effects, inn, r, counts, tally):
    """One quarter of the life cycle for every organisation and innovation, in place.

    ``u``: (n, k) uniforms of this quarter; ``t``: its index; the other arguments are the named tuples
    above (``people``: :data:`model.dynamics.people.PeopleArrays`, ``effects``:
    :data:`model.effects.LeverEffects`, ``r``: :data:`Rates`); ``tally``: this quarter's row of counts.
    """
    stage, pilot_age, pilot_start = pilots.stage, pilots.pilot_age, pilots.pilot_start
    applicable, capacity, maturity = orgs.applicable, orgs.capacity, orgs.maturity
    log_no_hear, share, count = signals.log_no_hear, signals.share, signals.count
    enthusiasts, protector, protector_lost = people.enthusiasts, people.protector, people.protector_lost
    money_left = people.money_left
    capacity_bonus, pilot_grant, scale_grant = effects.capacity_bonus, effects.pilot_grant, effects.scale_grant
    p_ext_boost, tie_strength, scale_bonus = effects.p_ext_boost, effects.tie_strength, effects.scale_bonus
    cost_factor, infrastructure_gain = effects.cost_factor, effects.infrastructure_gain
    failure_sharing_boost = effects.failure_sharing_boost
    pilot_need, adoption_need, pilot_cost = inn.pilot_need, inn.adoption_need, inn.pilot_cost
    complexity, needs_infrastructure, pilot_quarters = inn.complexity, inn.needs_infrastructure, inn.pilot_quarters
    evidence, scale_cost = inn.evidence, inn.scale_cost
    scale_count, scale_duration = counts.scale_count, counts.scale_duration
    n, k = stage.shape
    infra = min(1.0, r.infrastructure_level + infrastructure_gain)
    scaled_k, stalled_k = np.zeros(k), np.zeros(k)
    for i in range(n):
        cap = capacity[i] + capacity_bonus[i]
        # capacity in use by running pilots and adoptions, at the start of the quarter
        load = 0.0
        for j in range(k):
            if stage[i, j] == PILOTING:
                load += pilot_need[j]
            elif stage[i, j] == ADOPTED:
                load += adoption_need[j]
        free = cap - load
        overload = min(1.0, max(0.0, (load - cap) / load)) if load > 0.0 else 0.0
        no_enthusiast = enthusiasts[i] == 0
        enthusiasm = r.enthusiast_floor + (1.0 - r.enthusiast_floor) * _saturation(enthusiasts[i])
        has_protector = 1.0 if protector[i] else 0.0
        h_drop = (r.drop_base + r.drop_no_protector * (1.0 - has_protector)
                  + r.drop_no_enthusiast * no_enthusiast + r.drop_overload * overload)
        p_ext = min(1.0, max(0.0, r.p_external + p_ext_boost[i]))
        for j in range(k):
            s = stage[i, j]
            x = u[i, j]
            if s == UNAWARE or (one_step and s == AWARE):
                if applicable[i, j]:
                    z = tie_strength[i] * log_no_hear[i, j]  # <= 0
                    # p_aware = 1 - (1 - p_ext) e^z lies in [p_ext, p_ext - (1 - p_ext) z] (as e^z >= 1 + z):
                    # decide from the bounds when they suffice, which spares the exp for most pairs
                    if x < p_ext or (x < p_ext - (1.0 - p_ext) * z and x < 1.0 - (1.0 - p_ext) * np.exp(z)):
                        stage[i, j] = ADOPTED if one_step else AWARE
            elif s == AWARE:
                cap_factor = _capacity_factor(free, pilot_need[j])
                proof = (1.0 if count[i, j] >= r.complex_threshold else 0.0) if complex_contagion else share[i, j]
                social = r.social_proof_floor + (1.0 - r.social_proof_floor) * proof
                p_start = r.pilot_start_rate * enthusiasm * cap_factor * social
                if x >= p_start:  # not even if money were no object (skips the exp below, most pairs)
                    continue
                cost = pilot_cost[j] * cost_factor[i, j]
                if x < p_start * _afford(money_left[i] + pilot_grant[i], cost):
                    stage[i, j] = PILOTING
                    pilot_age[i, j] = 0
                    pilot_start[i, j] = t
                    money_left[i] = _spend(money_left[i], pilot_grant[i], cost)
                    tally[STARTED] += 1
            elif s == PILOTING:
                # every running pilot can stall, also one that is due to end or prolonged (limbo) ...
                afford = _afford(money_left[i] + pilot_grant[i], pilot_cost[j] * cost_factor[i, j])
                h_stall = min(1.0, r.stall_base + r.stall_no_enthusiast * no_enthusiast
                              + r.stall_protector_lost * (1.0 if protector_lost[i] else 0.0)
                              + r.stall_overload * overload + r.stall_no_money * (1.0 - afford))
                if x < h_stall:
                    stage[i, j] = STALLED
                    stalled_k[j] += 1
                elif pilot_age[i, j] + 1 < pilot_quarters[j]:
                    pilot_age[i, j] += 1
                else:
                    # ... and one that survives the quarter and is due ends: scaled, prolonged or abandoned,
                    # decided by the same uniform rescaled to the part of [0, 1) above the stall hazard
                    y = (x - h_stall) / (1.0 - h_stall)
                    cost = scale_cost[i, j] * cost_factor[i, j]
                    effective_complexity = complexity[j] * (1.0 - infra * needs_infrastructure[j])
                    cap_factor = _capacity_factor(free, pilot_need[j])
                    logit = (r.scale_base_logit + r.scale_capacity_weight * cap_factor
                             + r.scale_protector_weight * has_protector
                             + r.scale_evidence_weight * evidence[j]
                             + r.scale_money_weight * _afford(money_left[i] + scale_grant[i], cost)
                             + r.scale_maturity_weight * maturity[i]
                             - r.scale_complexity_weight * effective_complexity
                             + scale_bonus[i])
                    p_scale = 1.0 / (1.0 + np.exp(-logit))
                    if y < p_scale:
                        stage[i, j] = ADOPTED
                        scaled_k[j] += 1
                        scale_duration[j] += t - pilot_start[i, j]
                        money_left[i] = _spend(money_left[i], scale_grant[i], cost)
                    elif y < p_scale + (1.0 - p_scale) * r.pilot_extension:
                        pilot_age[i, j] += 1  # limbo: prolonged another quarter
                    else:
                        stage[i, j] = STALLED
                        stalled_k[j] += 1
            elif s == ADOPTED:
                if x < h_drop:
                    stage[i, j] = DROPPED
                    tally[DROPPED_] += 1
                    if no_enthusiast:
                        tally[LOST_NO_ENTHUSIAST] += 1
                    if not protector[i]:
                        tally[LOST_NO_PROTECTOR] += 1
            elif s == STALLED or s == DROPPED:
                if x < r.retry_rate:
                    stage[i, j] = AWARE
    # evidence grows with every scaling, and with the shared share of failures (000 L2118-2122)
    shared = min(1.0, r.failure_sharing + failure_sharing_boost)
    for j in range(k):
        scale_count[j] += scaled_k[j]
        tally[SCALED] += scaled_k[j]
        tally[STALLED_] += stalled_k[j]
        evidence[j] = 1.0 - (1.0 - evidence[j]) * np.exp(
            -r.evidence_learning * scaled_k[j] - r.failure_learning * shared * stalled_k[j])
    adopted = 0
    for i in range(n):
        for j in range(k):
            if stage[i, j] == ADOPTED and applicable[i, j]:
                adopted += 1
    tally[ADOPTED_COUNT] = adopted
