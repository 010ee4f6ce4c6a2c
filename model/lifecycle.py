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
per quarter and two scenarios see the same draws (common random numbers).

The per-pair loop is compiled with numba: the world is small (about 330 organisations) but research needs
tens of thousands of runs, and a compiled pass over the state arrays costs a few microseconds where the
same rules as whole-array NumPy expressions cost a few hundred (benchmarks/bench_run.py).
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from .stages import ADOPTED, AWARE, DROPPED, PILOTING, STALLED, UNAWARE

if TYPE_CHECKING:
    from .model import InnovationModel

#: the parameters the life cycle reads, passed to the compiled kernel as one named tuple
Rates = namedtuple("Rates", [
    "enthusiast_floor", "social_proof_floor", "complex_threshold", "pilot_start_rate",
    "stall_base", "stall_no_enthusiast", "stall_protector_lost", "stall_overload", "stall_no_money",
    "scale_base_logit", "scale_capacity_weight", "scale_protector_weight", "scale_evidence_weight",
    "scale_money_weight", "scale_maturity_weight", "scale_complexity_weight", "pilot_extension",
    "drop_base", "drop_no_protector", "drop_no_enthusiast", "drop_overload", "retry_rate",
])


def rates(params) -> Rates:
    return Rates(*(float(getattr(params, name)) for name in Rates._fields))


@njit(cache=True)
def _afford(money, cost):
    """Smooth affordability in [0, 1): 1 - exp(-money / cost); a free innovation is fully affordable."""
    if cost <= 0.0:
        return 1.0
    return 1.0 - np.exp(-money / cost)


@njit(cache=True)
def _advance(stage, pilot_age, pilot_start, u, t, one_step, complex_contagion, applicable,
             log_no_hear, share, count, capacity, pilot_money, scale_money, enthusiasts, protector,
             protector_lost, maturity, p_ext, tie_strength, scale_bonus, pilot_need, adoption_need,
             pilot_cost, complexity, evidence, pilot_quarters, scale_cost, cost_factor, r,
             scaled_k, stalled_k, duration_k):
    n, k = stage.shape
    for i in range(n):
        # capacity in use by running pilots and adoptions, at the start of the quarter
        load = 0.0
        for j in range(k):
            if stage[i, j] == PILOTING:
                load += pilot_need[j]
            elif stage[i, j] == ADOPTED:
                load += adoption_need[j]
        free = capacity[i] - load
        overload = min(1.0, max(0.0, (load - capacity[i]) / load)) if load > 0.0 else 0.0
        no_enthusiast = 1.0 if enthusiasts[i] == 0 else 0.0
        enthusiasm = r.enthusiast_floor + (1.0 - r.enthusiast_floor) * (1.0 - np.exp(-enthusiasts[i]))
        has_protector = 1.0 if protector[i] else 0.0
        h_drop = (r.drop_base + r.drop_no_protector * (1.0 - has_protector)
                  + r.drop_no_enthusiast * no_enthusiast + r.drop_overload * overload)
        for j in range(k):
            s = stage[i, j]
            x = u[i, j]
            if s == UNAWARE or (one_step and s == AWARE):
                if applicable[i, j]:
                    p_aware = 1.0 - (1.0 - p_ext[i]) * np.exp(tie_strength[i] * log_no_hear[i, j])
                    if x < p_aware:
                        stage[i, j] = ADOPTED if one_step else AWARE
            elif s == AWARE:
                cap_factor = min(1.0, max(0.0, free / pilot_need[j])) if pilot_need[j] > 0.0 else 1.0
                afford = _afford(pilot_money[i], pilot_cost[j] * cost_factor[i, j])
                proof = (1.0 if count[i, j] >= r.complex_threshold else 0.0) if complex_contagion else share[i, j]
                social = r.social_proof_floor + (1.0 - r.social_proof_floor) * proof
                if x < r.pilot_start_rate * enthusiasm * cap_factor * social * afford:
                    stage[i, j] = PILOTING
                    pilot_age[i, j] = 0
                    pilot_start[i, j] = t
            elif s == PILOTING:
                if pilot_age[i, j] + 1 >= pilot_quarters[j]:
                    cap_factor = min(1.0, max(0.0, free / pilot_need[j])) if pilot_need[j] > 0.0 else 1.0
                    logit = (r.scale_base_logit + r.scale_capacity_weight * cap_factor
                             + r.scale_protector_weight * has_protector
                             + r.scale_evidence_weight * evidence[j]
                             + r.scale_money_weight * _afford(scale_money[i], scale_cost[i, j] * cost_factor[i, j])
                             + r.scale_maturity_weight * maturity[i]
                             - r.scale_complexity_weight * complexity[j]
                             + scale_bonus[i])
                    p_scale = 1.0 / (1.0 + np.exp(-logit))
                    if x < p_scale:
                        stage[i, j] = ADOPTED
                        scaled_k[j] += 1
                        duration_k[j] += t - pilot_start[i, j]
                    elif x < p_scale + (1.0 - p_scale) * r.pilot_extension:
                        pilot_age[i, j] += 1  # limbo: prolonged another quarter
                    else:
                        stage[i, j] = STALLED
                        stalled_k[j] += 1
                else:
                    afford = _afford(pilot_money[i], pilot_cost[j] * cost_factor[i, j])
                    h_stall = (r.stall_base + r.stall_no_enthusiast * no_enthusiast
                               + r.stall_protector_lost * (1.0 if protector_lost[i] else 0.0)
                               + r.stall_overload * overload + r.stall_no_money * (1.0 - afford))
                    if x < h_stall:
                        stage[i, j] = STALLED
                        stalled_k[j] += 1
                    else:
                        pilot_age[i, j] += 1
            elif s == ADOPTED:
                if x < h_drop:
                    stage[i, j] = DROPPED
            elif s == STALLED or s == DROPPED:
                if x < r.retry_rate:
                    stage[i, j] = AWARE


def advance(model: "InnovationModel", t: int) -> np.ndarray:
    """Move every (organisation, innovation) pair at most one stage; returns the stage array."""
    p, s, e, inn = model.params, model.state, model.effects, model.innovations
    adopted = (s.stage == ADOPTED).astype(float)
    log_no_hear, share, count = model.ties.signals(adopted)
    infra = min(1.0, p.infrastructure_level + e.infrastructure_gain)
    complexity = inn.complexity * (1.0 - infra * inn.needs_infrastructure)
    scaled_k, stalled_k, duration_k = np.zeros(model.k), np.zeros(model.k), np.zeros(model.k)
    u = model.rng_lifecycle.random(s.stage.shape)
    _advance(
        s.stage, s.pilot_age, s.pilot_start, u, t, model.one_step, model.complex_contagion, model.applicable,
        log_no_hear, share, count, s.capacity + e.capacity_bonus, s.slack + e.pilot_grant_msek,
        s.slack + e.scale_grant_msek, s.enthusiasts, s.protector, s.protector_lost, s.maturity,
        np.clip(p.p_external + e.p_external_boost, 0.0, 1.0), e.tie_strength, e.scale_logit_bonus,
        inn.pilot_need, inn.adoption_need, inn.pilot_cost, complexity, model.evidence, inn.pilot_quarters,
        model.scale_cost, e.cost_factor, model.rates, scaled_k, stalled_k, duration_k,
    )
    model.scale_durations += duration_k
    model.scale_count += scaled_k
    # evidence grows with every scaling, and with the shared share of failures (000 L2118-2122)
    shared = min(1.0, p.failure_sharing + e.failure_sharing_boost)
    model.evidence = 1.0 - (1.0 - model.evidence) * np.exp(
        -p.evidence_learning * scaled_k - p.failure_learning * shared * stalled_k)
    return s.stage
