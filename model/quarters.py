"""Quarters of the dynamics as one compiled loop: people and budgets, tie signals, the life cycle.

The rules live where they belong — :mod:`model.people`, :mod:`model.world.networks`,
:mod:`model.lifecycle` — as numba kernels; this module strings them together for a stretch of quarters in
which no lever acts, so a run without levers (and every lever-free run of a sweep) is a single call into
compiled code, and a run with levers makes one call per quarter after the levers have acted. The order
within a quarter is the model's schedule (docs/ODD.md §3): levers act (in Python, between calls), every
organisation moves from the state at the start of the quarter, then people and (in Q1) the budget change
for the next quarter — so levers always see the people and money of the quarter they act in.

numba caches each compiled function keyed on its own source file only, so the cache of the loop below
would not notice an edit to a kernel it calls in another file (numba issue #6845).
:func:`_refresh_cache_key` marks this file as changed whenever one of those files is newer.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from numba import njit

from . import lifecycle, people
from .stages import ADOPTED
from .world import networks

if TYPE_CHECKING:
    from .model import InnovationModel


def _refresh_cache_key() -> None:
    here = Path(__file__)
    try:
        newest = max(Path(m.__file__).stat().st_mtime for m in (lifecycle, people, networks))
        if newest > here.stat().st_mtime:
            os.utime(here)
    except OSError:  # a read-only installation: nobody edits the kernels there
        pass


_refresh_cache_key()


def advance(model: "InnovationModel", t0: int, t1: int) -> None:
    """Run quarters ``t0`` to ``t1 - 1`` with the effects levers have set for them."""
    s, e, inn, p = model.state, model.effects, model.innovations, model.params
    _quarters(
        t0, t1, model.lifecycle_uniforms, model.people_uniforms, model.slack_normals, model.protector_change,
        model.new_budget, model.stage_history, model.tally, model.adopted_scratch,
        # people
        s.enthusiasts, s.protector, s.protector_lost, s.slack, s.money_left, s.arrival_rate, s.no_arrival,
        s.slack_mean, p.enthusiast_leave_rate, p.protector_share, p.slack_volatility,
        # ties
        model.ties.kernel_arguments(), model.ties.log_no_hear, model.ties.proof, model.ties.count,
        model.complex_contagion, model.ties.inverse_denominator,
        # life cycle
        s.stage, s.pilot_age, s.pilot_start, model.one_step, model.applicable, s.capacity, e.capacity_bonus,
        e.pilot_grant_msek, e.scale_grant_msek, s.maturity, e.p_external_boost, e.tie_strength,
        e.scale_logit_bonus, e.cost_factor, inn.pilot_need, inn.adoption_need, inn.pilot_cost, inn.complexity,
        inn.needs_infrastructure, e.infrastructure_gain, e.failure_sharing_boost, model.evidence,
        inn.pilot_quarters, model.scale_cost, model.rates, model.scale_count, model.scale_durations,
    )


@njit(cache=True, error_model="numpy")
def _quarters(t0, t1, lifecycle_uniforms, people_uniforms, slack_normals, protector_change, new_budget,
              stage_history,
              tally, adopted,
              enthusiasts, protector, protector_lost, slack, money_left, arrival_rate, no_arrival, slack_mean,
              leave_rate, protector_share, slack_volatility,
              ties, log_no_hear, proof, count, complex_contagion, inverse_denominator,
              stage, pilot_age, pilot_start, one_step, applicable, capacity, capacity_bonus, pilot_grant,
              scale_grant, maturity, p_ext_boost, tie_strength, scale_bonus, cost_factor, pilot_need,
              adoption_need, pilot_cost, complexity, needs_infrastructure, infrastructure_gain,
              failure_sharing_boost, evidence, pilot_quarters, scale_cost, r, scale_count, scale_duration):
    n, k = stage.shape
    for t in range(t0, t1):
        for i in range(n):
            for j in range(k):
                adopted[i, j] = 1.0 if stage[i, j] == ADOPTED else 0.0
        networks.signals_kernel(adopted, ties[0], ties[1], ties[2], ties[3], ties[4], ties[5], ties[6],
                                ties[7], ties[8], ties[9], ties[10], ties[11], ties[12],
                                log_no_hear, proof, count, complex_contagion, True, inverse_denominator)
        lifecycle._advance(
            stage, pilot_age, pilot_start, lifecycle_uniforms[t], t, one_step, complex_contagion,
            applicable, log_no_hear, proof, count, capacity, capacity_bonus, money_left, pilot_grant,
            scale_grant, enthusiasts, protector, protector_lost, maturity, p_ext_boost, tie_strength,
            scale_bonus, cost_factor, pilot_need, adoption_need, pilot_cost, complexity, needs_infrastructure,
            infrastructure_gain, failure_sharing_boost, evidence, pilot_quarters, scale_cost, r, scale_count,
            scale_duration, tally[t])
        stage_history[t + 1] = stage
        if t + 1 < people_uniforms.shape[0]:  # people and budgets of the next quarter, before its levers act
            people._update(enthusiasts, protector, protector_lost, slack, money_left, arrival_rate,
                           no_arrival, slack_mean, people_uniforms[t + 1], slack_normals[(t + 1) // 4],
                           new_budget[t + 1], leave_rate, protector_change[t + 1], protector_share,
                           slack_volatility)
