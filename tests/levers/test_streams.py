"""A kernel handed the run's lever generator as a :data:`model.levers.streams.Stream` draws the same numbers,
in the same order, as one handed the ``Generator`` (and leaves the stream where NumPy would)."""

import copy

import numpy as np
from numba import njit

from model.levers.streams import generator, stream_of


@njit
def _draws(rng, m, high):
    """(m,) uniforms, a bounded integer below ``high``, (2, 3) uniforms, in that order."""
    rng = generator(rng)
    return rng.random(m), rng.integers(0, high), rng.random((2, 3))


def test_a_stream_draws_what_its_generator_draws_and_leaves_it_where_numpy_would():
    for seed in range(5):
        handed = np.random.default_rng(seed)
        handed.random(seed)  # somewhere inside the stream
        reference = copy.deepcopy(handed)
        by_stream = _draws(stream_of(handed), 7, 10 + seed)
        by_generator = _draws(copy.deepcopy(reference), 7, 10 + seed)
        by_numpy = (reference.random(7), reference.integers(0, 10 + seed), reference.random((2, 3)))
        for a, b, c in zip(by_stream, by_generator, by_numpy):
            assert np.array_equal(a, b) and np.array_equal(a, c)
        assert handed.random() == reference.random()  # the next draw: the stream moved as NumPy's did
        assert handed.integers(0, 1000) == reference.integers(0, 1000)
