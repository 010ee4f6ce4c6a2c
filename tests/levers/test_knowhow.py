"""Training builds skills that fade unless used; job shadowing and learning networks carry know-how along
ties (model/levers/knowhow.py). Each lever's named mechanism, switched off, removes most of its effect.

Paired runs on common random numbers in the mechanism tests' world (tests.support.mechanism_world: the
calibrated world has capacity to spare, so effort-saving levers do almost nothing there — see
docs/levers.md). "Removes more than half" is asserted as: the per-seed difference
``effect(on) - effect(off) - effect(on) / 2`` has a mean more than 2 standard errors above zero.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import model
from model.levers import knowhow
from model.model import InnovationModel
from tests.support import mechanism_world

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
REPS = 60
HORIZON = 8


@pytest.fixture(scope="module")
def base() -> model.Scenario:
    # the mechanism world first: with_overrides marks every parameter as set by the scenario
    return model.with_overrides(mechanism_world(model.load_scenario(SCENARIOS / "baseline.yaml")),
                                {"horizon_years": HORIZON})


def effects(base, lever, reps=REPS, outcome="final_adoption") -> np.ndarray:
    """Per-seed paired difference outcome(with lever) - outcome(without)."""
    with_ = model.with_overrides(base, {"levers": [lever]})
    return np.array([model.run(with_, s).summary[outcome] - model.run(base, s).summary[outcome]
                     for s in range(reps)])


def assert_removes_most(on: np.ndarray, off: np.ndarray) -> None:
    """The effect is there (> 3 se) and switching the mechanism off removes more than half of it (> 2 se)."""
    se = lambda x: x.std(ddof=1) / np.sqrt(len(x))  # noqa: E731
    assert on.mean() > 3 * se(on), f"no effect: {on.mean():.4g} (se {se(on):.2g})"
    rest = on - off - on / 2
    assert rest.mean() > 2 * se(rest), (f"off removes {1 - off.mean() / on.mean():.0%} of {on.mean():.4g}; "
                                        f"not surely more than half")


def test_unused_skills_fade_and_used_skills_last(base):
    entry = {"type": "training_networks", "budget_msek_per_year": 30, "duration_years": 1,
             "fade_per_quarter": 0.2, "fade_when_used": 0.0, "skill_gain_per_quarter": 0.25}
    m = InnovationModel(model.with_overrides(base, {"levers": [entry], "horizon_years": 3}), seed=1)
    lever = m.levers[0]
    for _ in range(4):  # the programme's year: members take part when they have the time
        m.step()
    took_part = lever.quarters_taken_part == 4
    assert took_part.any()
    assert np.allclose(lever.skill[took_part], 1 - 0.75 ** 4)  # each quarter closes a quarter of the gap
    before = lever.skill.copy()
    used = knowhow.in_practice(m.context)  # the life cycle has not yet moved: what next quarter's step sees
    m.step()
    had = before > knowhow.GONE
    assert np.allclose(lever.skill[had & ~used], before[had & ~used] * 0.8)  # unused: a fifth lost
    assert np.allclose(lever.skill[had & used], before[had & used])  # used in practice: kept
    assert (had & ~used).any() and (had & used).any()
    unused = np.ones(m.context.n, dtype=bool)
    for _ in range(6):  # after the programme skills never grow; those never used lose a fifth a quarter
        unused &= ~knowhow.in_practice(m.context)
        m.step()
    assert (lever.skill[had] <= before[had] + 1e-12).all()
    gone = had & ~used & unused
    assert gone.any() and np.allclose(lever.skill[gone], np.where(before[gone] * 0.8 ** 7 > knowhow.GONE,
                                                                  before[gone] * 0.8 ** 7, 0.0))


@pytest.mark.slow
def test_training_effect_goes_through_skills_in_use(base):
    lever = {"type": "training_networks", "budget_msek_per_year": 30, "duration_years": 2}
    on = effects(base, lever)
    assert_removes_most(on, effects(base, {**lever, "load_cut": 0.0}))  # skills that act nowhere
    # skills kept only by use: if use did not keep them, most of the effect would go
    fading = effects(base, {**lever, "fade_when_used": lever.get("fade_per_quarter", 0.2)})
    diff = on - fading
    assert diff.mean() > 3 * diff.std(ddof=1) / np.sqrt(REPS)
    assert diff.mean() > 0.5 * on.mean()


@pytest.mark.slow
def test_job_shadowing_effect_travels_along_the_placement(base):
    lever = {"type": "job_shadowing", "budget_msek_per_year": 30, "duration_years": 4}
    reps = 3 * REPS  # the know-how's own part (beside the tie) is about 2.6 standard errors over 60 pairs
    on = effects(base, lever, reps=reps)
    assert_removes_most(on, effects(base, {**lever, "learn_per_quarter": 0.0, "tie_weight": 0.0}, reps=reps))
    no_knowhow = effects(base, {**lever, "learn_per_quarter": 0.0}, reps=reps)  # the tie alone
    diff = on - no_knowhow
    assert diff.mean() > 3 * diff.std(ddof=1) / np.sqrt(reps)


@pytest.mark.slow
def test_learning_networks_effect_travels_along_the_members_ties(base):
    lever = {"type": "learning_networks", "budget_msek_per_year": 60, "duration_years": 4,
             "target": {"kinds": ["municipality", "region", "agency"]}}
    # the path along ties: know-how from group peers and the members' stronger ties; what is left is the
    # national arena (p_external_boost) and shared failures. Know-how alone is about 60 % of the effect
    # (measured over 200 pairs: 2.3 standard errors above half), the tie path as a whole about 80 %.
    on = effects(base, lever, reps=2 * REPS)
    off = effects(base, {**lever, "learn_per_peer_quarter": 0.0, "tie_strength": 1.0}, reps=2 * REPS)
    assert_removes_most(on, off)


def test_know_how_comes_only_from_experienced_partners():
    """The compiled rule the levers run: each group peer who pilots or has adopted an innovation passes on a
    share ``rate`` of the gap; organisations outside the group and innovations nobody has done teach nothing."""
    from model.levers.knowhow_kernel import Development, learn_in_groups
    from model.stages import ADOPTED, AWARE, PILOTING, UNAWARE

    stage = np.array([[AWARE, AWARE], [PILOTING, UNAWARE], [ADOPTED, AWARE], [ADOPTED, ADOPTED]], dtype=np.int8)
    dev = Development(stage, np.zeros((4, 2), dtype=np.int16), np.ones((4, 2), dtype=bool), 4)
    k = np.zeros((4, 2))
    group = np.array([0, 0, 0, -1])  # the fourth, experienced in both, is in no group
    members, taught = learn_in_groups(k, group, 1, dev, 0.5, knowhow.GONE)
    # the first has two experienced peers: 1 - 0.5 ** 2 of the gap; the others one each
    assert np.allclose(k, [[0.75, 0], [0.5, 0], [0.5, 0], [0, 0]])
    assert (members, taught) == (3, 3)


@pytest.mark.parametrize("size", [2, 3, 5, 8])
def test_learning_groups_tie_exactly_the_pairs_within_each_group(size):
    """Members cut into groups of ``size`` in order: the pairs tied are those of all n (n - 1) / 2 pairs that
    share a group, in the same order (so the ties, and every run, are the same as a filter over all pairs)."""
    from model.levers.learning_networks import within_group_pairs

    for n in range(0, 3 * size + 2):
        group = np.arange(n) // size
        a, b = np.triu_indices(n, 1)
        same = group[a] == group[b]
        got_a, got_b = within_group_pairs(n, size)
        assert np.array_equal(got_a, a[same]) and np.array_equal(got_b, b[same]), n
    got_a, _ = within_group_pairs(100, size)
    # the number of pairs: full groups of size and one of the remainder
    full, rest = divmod(100, size)
    assert len(got_a) == full * size * (size - 1) // 2 + rest * (rest - 1) // 2
