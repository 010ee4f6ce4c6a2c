"""The innovation life cycle: one quarter of moves between stages, for every organisation and innovation.

Every move is a hazard built from named parts (design.md, "A starting point for the dynamics"), each
traceable to the evidence and each a place where a lever acts (through :class:`model.effects.Effects`):

- **awareness** ``1 - (1 - p_ext) * prod_types (1 - beta_type)^(adopting ties of that type)``;
- **starting a pilot** ``rate * enthusiasts * free capacity * social proof * affordability``;
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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .stages import ADOPTED, AWARE, DROPPED, PILOTING, STALLED, UNAWARE

if TYPE_CHECKING:
    from .model import InnovationModel


def _afford(money: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Smooth affordability in [0, 1): 1 - exp(-money / cost); a free innovation is fully affordable."""
    with np.errstate(divide="ignore", invalid="ignore"):
        a = 1.0 - np.exp(-money / cost)
    return np.where(cost > 0, a, 1.0)


def advance(model: "InnovationModel", t: int) -> np.ndarray:
    """Move every (organisation, innovation) pair at most one stage; returns the new stage array."""
    p, s, e, inn = model.params, model.state, model.effects, model.innovations
    stage = s.stage
    adopted = (stage == ADOPTED).astype(float)
    piloting = stage == PILOTING

    # --- capacity in use and money --------------------------------------------------------------
    load = piloting @ inn.pilot_need + adopted @ inn.adoption_need
    capacity = s.capacity + e.capacity_bonus
    free = capacity - load
    overload = np.clip((load - capacity) / np.maximum(load, 1e-9), 0.0, 1.0)
    cap_factor = np.clip(free[:, None] / inn.pilot_need_safe, 0.0, 1.0)
    afford_pilot = _afford((s.slack + e.pilot_grant_msek)[:, None], inn.pilot_cost * e.cost_factor)
    afford_scale = _afford((s.slack + e.scale_grant_msek)[:, None], model.scale_cost * e.cost_factor)

    # --- signals from ties -------------------------------------------------------------------------
    log_no_hear, share = model.ties.signals(adopted)
    strength = e.tie_strength[:, None]
    p_ext = np.clip(p.p_external + e.p_external_boost, 0.0, 1.0)[:, None]
    p_aware = 1.0 - (1.0 - p_ext) * np.exp(strength * log_no_hear)

    # --- moves ---------------------------------------------------------------------------------------
    u = model.rng_lifecycle.random(stage.shape)
    new = stage.copy()
    applicable = model.applicable

    if model.spec.mechanisms.lifecycle == "one_step":
        ready = applicable & ((stage == UNAWARE) | (stage == AWARE))
        new[ready & (u < p_aware)] = ADOPTED
    else:
        new[(stage == UNAWARE) & applicable & (u < p_aware)] = AWARE

        enthusiasm = p.enthusiast_floor + (1.0 - p.enthusiast_floor) * (1.0 - np.exp(-s.enthusiasts))
        if model.spec.mechanisms.contagion == "complex":
            share = (model.ties.adopting_count(adopted) >= p.complex_threshold).astype(float)
        social = p.social_proof_floor + (1.0 - p.social_proof_floor) * share
        p_pilot = p.pilot_start_rate * enthusiasm[:, None] * cap_factor * social * afford_pilot
        start = (stage == AWARE) & (u < p_pilot)
        new[start] = PILOTING
        s.pilot_age[start] = 0
        s.pilot_start[start] = t

        no_enthusiast = (s.enthusiasts == 0)[:, None]
        h_stall = (p.stall_base + p.stall_no_enthusiast * no_enthusiast
                   + p.stall_protector_lost * s.protector_lost[:, None]
                   + p.stall_overload * overload[:, None] + p.stall_no_money * (1.0 - afford_pilot))
        infra = min(1.0, p.infrastructure_level + e.infrastructure_gain)
        complexity = inn.complexity * (1.0 - infra * inn.needs_infrastructure)
        logit = (p.scale_base_logit + p.scale_capacity_weight * cap_factor
                 + p.scale_protector_weight * s.protector[:, None]
                 + p.scale_evidence_weight * model.evidence
                 + p.scale_money_weight * afford_scale
                 + p.scale_maturity_weight * s.maturity[:, None]
                 - p.scale_complexity_weight * complexity
                 + e.scale_logit_bonus[:, None])
        p_scale = 1.0 / (1.0 + np.exp(-logit))
        ending = piloting & (s.pilot_age + 1 >= inn.pilot_quarters)
        scaled = ending & (u < p_scale)
        prolonged = ending & ~scaled & (u < p_scale + (1.0 - p_scale) * p.pilot_extension)
        stalled = (ending & ~scaled & ~prolonged) | (piloting & ~ending & (u < h_stall))
        new[scaled] = ADOPTED
        new[stalled] = STALLED
        s.pilot_age[piloting & ~scaled & ~stalled] += 1
        if scaled.any():
            model.record_scaling(scaled, t - s.pilot_start[scaled])
        shared = p.failure_sharing + e.failure_sharing_boost
        model.evidence = 1.0 - (1.0 - model.evidence) * np.exp(
            -p.evidence_learning * scaled.sum(0) - p.failure_learning * min(shared, 1.0) * stalled.sum(0))

        new[((stage == STALLED) | (stage == DROPPED)) & (u < p.retry_rate)] = AWARE

    h_drop = (p.drop_base + p.drop_no_protector * ~s.protector + p.drop_no_enthusiast * (s.enthusiasts == 0)
              + p.drop_overload * overload)
    new[(stage == ADOPTED) & (u < h_drop[:, None])] = DROPPED
    if model.spec.mechanisms.lifecycle == "one_step":
        new[(stage == DROPPED) & (u < p.retry_rate)] = AWARE
    s.stage = new
    return new
