"""Levers decided in compiled code give the same runs bit for bit (issue 21, point 1).

``run_model`` runs the quarters in which levers' know-how and skills only act and fade in one compiled call
(model/levers/fading.py); ``step()`` still runs every quarter in Python. Both must give the same stage
history, evidence, tallies, ledger and lever state, and the compiled know-how kernels
(model/levers/knowhow_kernel.py) must compute what the vectorised rules of model/levers/knowhow.py do.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numba import njit
import pytest

import model
from model.levers import fading, knowhow
from model.levers.knowhow_kernel import development, know_and_forget, use_and_fade
from model.model import InnovationModel

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FADING = ("lever_training_networks", "lever_learning_networks", "lever_job_shadowing", "portfolio_sustaingov")


def lever_state(m) -> list:
    return [{name: value for name, value in vars(lever).items()
             if isinstance(value, (np.ndarray, int, float)) and not isinstance(value, bool)} for lever in m.levers]


@pytest.mark.parametrize("name", FADING)
def test_fading_quarters_in_one_call_are_the_quarters_one_at_a_time(name, monkeypatch):
    scenario = model.load_scenario(SCENARIOS / f"{name}.yaml")
    batched = []
    run = fading.run
    monkeypatch.setattr(fading, "run", lambda ctx, fades, t0, t1: (batched.append(t0), run(ctx, fades, t0, t1)))
    # the quarters in Python, as they go for levers without a compiled quarter (model.levers.compiled) — a
    # training network run by the regions, or chosen by a call — whose fading quarters go in one call
    monkeypatch.setattr(InnovationModel, "_run_compiled", lambda self, end: False)
    for seed in (0, 3):
        fast = InnovationModel(scenario, seed=seed)
        fast.run_model()
        slow = InnovationModel(scenario, seed=seed)
        while slow.running:
            slow.step()
        assert fast.steps == slow.steps == scenario.steps
        np.testing.assert_array_equal(fast.stage_history, slow.stage_history)
        for part in ("tally", "evidence", "covered", "scale_count", "scale_durations"):
            np.testing.assert_array_equal(getattr(fast.context.record, part), getattr(slow.context.record, part))
        np.testing.assert_array_equal(fast.effects.capacity_bonus, slow.effects.capacity_bonus)
        for a, b in zip(lever_state(fast), lever_state(slow)):
            assert a.keys() == b.keys()
            for key in a:
                np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        assert fast.context.ledger.records == slow.context.ledger.records
    assert len(batched) == 2 and 0 < batched[0] < scenario.steps  # the fading quarters did go in one call


@pytest.fixture(scope="module")
def quarter_ctx():
    """A run's context a few years in, with its load factors back to neutral."""
    m = InnovationModel(model.load_scenario(SCENARIOS / "baseline.yaml"), seed=2)
    for _ in range(12):
        m.step()
    return m.context


def test_compiled_know_how_acts_and_fades_as_the_vectorised_rule(quarter_ctx):
    ctx = quarter_ctx
    rng = np.random.default_rng(5)
    level = np.where(rng.random(ctx.state.stage.shape) < 0.5, rng.random(ctx.state.stage.shape), 0.0)
    ctx.effects.reset_quarter()
    expected = level.copy()
    knowhow.act(ctx, expected, 0.3)  # the vectorised rule, then fading as the levers did it
    expected_load = ctx.effects.load_factor.copy()
    expected *= 1.0 - 0.1
    expected[expected <= knowhow.GONE] = 0.0
    ctx.effects.reset_quarter()
    know_and_forget(ctx.effects.load_factor, level, development(ctx), 0.3, 0.1, knowhow.GONE)
    assert (expected_load < 1.0).any()
    np.testing.assert_array_equal(ctx.effects.load_factor, expected_load)
    np.testing.assert_array_equal(level, expected)


def test_compiled_skills_act_and_fade_as_the_vectorised_rule(quarter_ctx):
    ctx = quarter_ctx
    rng = np.random.default_rng(6)
    skill = np.where(rng.random(ctx.n) < 0.5, rng.random(ctx.n), 0.0)
    part = rng.random(ctx.n) < 0.2
    ctx.effects.reset_quarter()
    expected = skill.copy()
    knowhow.act(ctx, expected, 0.4)
    expected_load = ctx.effects.load_factor.copy()
    used = knowhow.in_practice(ctx)
    skilled = expected > knowhow.GONE
    expected *= 1.0 - np.where(used | part, 0.02, 0.08)
    expected[expected <= knowhow.GONE] = 0.0
    ctx.effects.reset_quarter()
    counts = use_and_fade(ctx.effects.load_factor, skill, part, development(ctx), 0.4, 0.02, 0.08, knowhow.GONE)
    assert counts == (int(skilled.sum()), int((skilled & used).sum())) and counts[1] > 0
    np.testing.assert_array_equal(ctx.effects.load_factor, expected_load)
    np.testing.assert_array_equal(skill, expected)


@njit(cache=False)
def _packed_ties(packed):
    """The lever ties' arrays the quarter loop reads (model.dynamics.packed)."""
    return packed.ties.lever_indptr, packed.ties.lever_indices, packed.ties.lever_weights


def test_the_quarter_loop_packs_its_arguments_once_and_reads_every_tie_levers_make():
    """The loop's arguments are packed once per run (again once if levers first tie after the first quarter)
    and hold the run's arrays all run: lever ties a quarter adds (a peer review ties the reviewed to its
    reviewer) are merged in place into buffers with room for every tie, and the loop reads every tie levers
    made, quarter after quarter."""
    m = InnovationModel(model.load_scenario(SCENARIOS / "lever_peer_review.yaml"), seed=0)
    ctx = m.context
    m.step()
    loop = ctx.kernels["quarters"]
    assert ctx.effects.has_lever_ties  # the first quarter's reviews tied organisations: the buffers are made
    first, handle, buffer = loop.arguments, loop.packed, ctx.ties._indices
    assert len(buffer) == ctx.n * ctx.n
    held = set()
    for _ in range(ctx.calendar.n_steps - 1):
        m.step()
        assert loop.packed is handle and loop.arguments is first and ctx.ties._indices is buffer
        indptr, indices, weights = _packed_ties(loop.packed)
        held.add(int(indptr[-1]))
        assert np.shares_memory(indices, buffer)
        dense = np.zeros((ctx.n, ctx.n))
        for i in range(ctx.n):
            span = slice(indptr[i], indptr[i + 1])
            dense[i, indices[span]] = weights[span]
        np.testing.assert_array_equal(dense, ctx.effects.lever_ties)  # the loop reads every tie levers made
    assert len(held) >= 10  # the ties grew in many quarters
