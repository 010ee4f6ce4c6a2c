"""The life cycle's uniforms shared by runs that start from the same generator state (model.dynamics.uniforms)."""

from pathlib import Path

import numpy as np
import pytest

import model
from model.dynamics import uniforms
from model.model import InnovationModel
from model.outcomes.collect import collect

ROOT = Path(__file__).resolve().parents[2]
SHAPE = (6, 5, 3)


@pytest.fixture(autouse=True)
def sharing_off_after():
    yield
    uniforms.share(0)


def _fresh(seed: int = 7) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_off_by_default_each_call_draws_anew():
    uniforms.share(0)
    first, second = (uniforms.life_cycle_uniforms(_fresh(), SHAPE) for _ in range(2))
    assert all(a is not b and np.array_equal(a, b) for a, b in zip(first, second))


def test_shared_arrays_are_what_the_generator_would_draw_and_it_moves_on_as_if_it_had():
    plain = _fresh()
    expected = (plain.random(SHAPE), plain.random(SHAPE, dtype=np.float32), plain.random(SHAPE, dtype=np.float32))
    uniforms.share(2**20)
    drawn = uniforms.life_cycle_uniforms(_fresh(), SHAPE)
    rng = _fresh()
    shared = uniforms.life_cycle_uniforms(rng, SHAPE)
    assert all(a is b for a, b in zip(drawn, shared))  # the kept arrays, not drawn again
    for got, want in zip(shared, expected):
        assert got.dtype == want.dtype and np.array_equal(got, want)
    # the next draws are those after the three arrays, half-used 32-bit words included
    assert rng.bit_generator.state == plain.bit_generator.state
    assert np.array_equal(rng.random(5, dtype=np.float32), plain.random(5, dtype=np.float32))


def test_other_state_or_shape_draws_anew():
    uniforms.share(2**20)
    kept = uniforms.life_cycle_uniforms(_fresh(), SHAPE)
    used = _fresh()
    used.random()  # the same seed, another state
    assert uniforms.life_cycle_uniforms(used, SHAPE)[0] is not kept[0]
    assert uniforms.life_cycle_uniforms(_fresh(), (6, 5, 2))[0].shape == (6, 5, 2)
    assert uniforms.life_cycle_uniforms(_fresh(8), SHAPE)[0] is not kept[0]


def test_the_limit_drops_the_least_recently_used_and_keeps_nothing_larger():
    size = int(np.prod(SHAPE)) * (8 + 4 + 4)
    uniforms.share(2 * size)
    a = uniforms.life_cycle_uniforms(_fresh(1), SHAPE)
    b = uniforms.life_cycle_uniforms(_fresh(2), SHAPE)
    assert uniforms.life_cycle_uniforms(_fresh(1), SHAPE)[0] is a[0]  # 1 used last, 2 is the oldest now
    uniforms.life_cycle_uniforms(_fresh(3), SHAPE)
    assert uniforms.life_cycle_uniforms(_fresh(1), SHAPE)[0] is a[0]
    assert uniforms.life_cycle_uniforms(_fresh(2), SHAPE)[0] is not b[0]
    uniforms.share(size - 1)
    big = uniforms.life_cycle_uniforms(_fresh(1), SHAPE)
    assert uniforms.life_cycle_uniforms(_fresh(1), SHAPE)[0] is not big[0]


def test_share_forgets_and_refuses_a_negative_limit():
    uniforms.share(2**20)
    kept = uniforms.life_cycle_uniforms(_fresh(), SHAPE)
    uniforms.share(2**20)
    assert uniforms.life_cycle_uniforms(_fresh(), SHAPE)[0] is not kept[0]
    with pytest.raises(ValueError, match="must be 0 \\(off\\) or a number of bytes, not -1"):
        uniforms.share(-1)


def test_other_bit_generators_are_keyed_by_their_whole_state():
    uniforms.share(2**20)
    kept = uniforms.life_cycle_uniforms(np.random.Generator(np.random.MT19937(3)), SHAPE)
    again = uniforms.life_cycle_uniforms(np.random.Generator(np.random.MT19937(3)), SHAPE)
    other = uniforms.life_cycle_uniforms(np.random.Generator(np.random.MT19937(4)), SHAPE)
    assert again[0] is kept[0] and other[0] is not kept[0]


SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_runs_sharing_the_uniforms_are_the_runs_and_leave_them_as_drawn(path):
    scenario = model.load_scenario(path)
    uniforms.share(0)
    alone = InnovationModel(scenario, seed=3)
    alone.run_model()
    untouched = InnovationModel(scenario, seed=3).context.draws  # built, not run
    uniforms.share(uniforms.STUDY_LIMIT_BYTES)
    first = InnovationModel(scenario, seed=3)
    first.run_model()
    second = InnovationModel(scenario, seed=3)  # built from the first run's arrays, after it ran
    assert second.context.draws.lifecycle is first.context.draws.lifecycle
    second.run_model()
    for name in ("lifecycle", "champion", "result"):  # nothing wrote to them
        assert np.array_equal(getattr(second.context.draws, name), getattr(untouched, name))
    expected = collect(alone).summary
    for run in (first, second):
        assert np.array_equal(run.stage_history, alone.stage_history)
        summary = collect(run).summary
        assert summary.keys() == expected.keys()
        assert np.array_equal([summary[k] for k in expected], [expected[k] for k in expected], equal_nan=True)
