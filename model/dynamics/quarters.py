"""Quarters of the dynamics as one compiled loop: people and budgets, tie signals, the life cycle.

The rules live where they belong — :mod:`model.dynamics.people`, :mod:`model.world.networks`,
:mod:`model.dynamics.lifecycle` — as numba kernels; this module strings them together for a stretch of quarters in
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

import numpy as np
from numba import njit

from ..stages import ADOPTED
from ..world import networks
from . import lifecycle, people

if TYPE_CHECKING:
    from ..context import RunContext


def _refresh_cache_key() -> None:
    here = Path(__file__)
    try:
        newest = max(Path(m.__file__).stat().st_mtime for m in (lifecycle, people, networks))
        if newest > here.stat().st_mtime:
            os.utime(here)
    except OSError:  # a read-only installation: nobody edits the kernels there
        pass


_refresh_cache_key()


def advance(ctx: "RunContext", t0: int, t1: int) -> None:
    """Run quarters ``t0`` to ``t1 - 1`` of the run ``ctx`` with the effects levers have set for them."""
    s, inn, ties, record = ctx.state, ctx.innovations, ctx.ties, ctx.record
    ctx.effects.settle_money(s.money_left)
    _quarters(
        t0, t1, ctx.draws, ctx.schedule, record.stage_history, record.tally,
        people.arrays(s), people.rates(ctx.params),
        ties.kernel_arguments(), lifecycle.Signals(ties.log_no_hear, ties.proof, ties.count),
        ctx.complex_contagion, ties.inverse_denominator,
        lifecycle.Pilots(s.stage, s.pilot_age, s.pilot_start), ctx.one_step,
        lifecycle.OrgArrays(ctx.applicable, s.capacity, s.maturity), ctx.effects.kernel_arguments(),
        lifecycle.InnovationArrays(inn.pilot_need, inn.adoption_need, inn.pilot_cost, inn.complexity,
                                   inn.needs_infrastructure, inn.pilot_quarters, ctx.evidence, ctx.scale_cost),
        ctx.rates, lifecycle.ScaleCounts(record.scale_count, record.scale_durations),
    )


@njit(cache=True, error_model="numpy")
def _quarters(t0, t1, draws, schedule, stage_history, tally, people_arrays, people_rates, ties, signals,
              complex_contagion, inverse_denominator, pilots, one_step, orgs, effects, inn, r, counts):
    stage = pilots.stage
    n, k = stage.shape
    adopted = np.zeros((n, k))
    for t in range(t0, t1):
        for i in range(n):
            for j in range(k):
                adopted[i, j] = 1.0 if stage[i, j] == ADOPTED else 0.0
        networks.signals_kernel(adopted, ties, signals.log_no_hear, signals.share, signals.count,
                                complex_contagion, True, inverse_denominator)
        lifecycle._advance(pilots, draws.lifecycle[t], t, one_step, complex_contagion, orgs, signals,
                           people_arrays, effects, inn, r, counts, tally[t])
        stage_history[t + 1] = stage
        if t + 1 < draws.people.shape[0]:  # people and budgets of the next quarter, before its levers act
            people._update(people_arrays, people_rates, draws.people[t + 1], draws.slack[(t + 1) // 4],
                           schedule.new_budget[t + 1], schedule.protector_change[t + 1])
