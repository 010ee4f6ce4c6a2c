"""Lever-made ties reach the compiled signals as before, bit for bit: the sparse rows merged from each
quarter's new ties (model.world.lever_ties.take_in, in place) and the denominators redone only for the rows
they touch equal a rebuild from all ties (the rule of main c35d141, kept here as the oracle)."""

from pathlib import Path

import numpy as np
import pytest

import model
from model.model import InnovationModel
from model.world.lever_ties import denominators, stronger_ties, take_in
from model.world.networks import signals_kernel

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _rebuilt(ties):
    """The lever ties' CSR, weights and inverse denominators from scratch: every cell ever written
    (``ties._written``), sorted by row then column; all rows' denominators."""
    matrix = ties.effects.lever_ties
    rows, cols = np.nonzero(ties._written)
    indptr = np.searchsorted(rows, np.arange(ties.orgs.n + 1)).astype(np.int64)
    weights = matrix[rows, cols] if len(rows) else np.zeros(0)
    fixed = np.zeros_like(ties.proof)
    empty = ties.kernel_arguments(refresh=False)._replace(
        lever_indptr=np.zeros(ties.orgs.n + 1, dtype=np.int64), lever_indices=np.zeros(0, dtype=np.int64),
        lever_weights=np.zeros(0))
    inverse = np.zeros_like(ties.proof)
    signals_kernel(ties.applicable, empty, np.zeros_like(ties.proof), fixed, np.zeros_like(ties.proof), False,
                   inverse)
    denominators(ties.applicable, indptr, cols.astype(np.int64), weights, ties.weight_lever, fixed,
                        inverse, np.arange(ties.orgs.n, dtype=np.int64))
    return indptr, cols, weights, inverse


@pytest.mark.parametrize("seed, most", [(0, 12), (1, 12), (2, 12), (3, 12), (4, 80), (5, 80)])
def test_ties_merged_quarter_by_quarter_equal_ties_rebuilt_from_all(seed, most):
    """Up to ``most`` ties a call (80: thousands of ties), merged into the same buffers all run."""
    m = InnovationModel(model.load_scenario(SCENARIOS / "baseline.yaml"), seed=seed)
    ties, effects, n = m.ties, m.effects, m.n
    ties._written = np.zeros((n, n), dtype=bool)
    rng = np.random.default_rng(seed)
    buffers = set()
    for quarter in range(25):
        for _ in range(rng.integers(0, 3)):  # some quarters no tie, some several calls
            size = int(rng.integers(1, most))
            a = rng.integers(0, n, size)
            b = rng.integers(0, n, size) if quarter % 5 else a[::-1].copy()  # also self-ties (dropped), repeats
            weight = float(rng.choice([1.0, 0.5, 0.25 + rng.random()]))
            effects.add_ties(a, b, weight)  # overwrites: a tie may get a lower weight
            ties._written[a[a != b], b[a != b]] = ties._written[b[a != b], a[a != b]] = True
        ties.refresh()
        indptr, indices, weights, inverse = _rebuilt(ties)
        assert np.array_equal(ties.lever_indptr, indptr)
        assert np.array_equal(ties.lever_indices, indices)
        assert np.array_equal(ties.lever_weights, weights)
        assert np.array_equal(ties.inverse_denominator, inverse)  # bit for bit
        buffers.add(id(ties._indices))
    assert len(ties.lever_indices) > (1000 if most > 12 else 50)
    assert len(buffers) == 1


def test_taking_in_ties_without_room_changes_nothing_and_says_so():
    """take_in merges in place only when the buffers have room for the new ties; else it returns -1 and
    leaves the rows, weights and denominators as they were (Ties.refresh then makes room and calls again)."""
    n = 4
    matrix = np.zeros((n, n))
    matrix[0, 1] = matrix[1, 0] = matrix[2, 3] = matrix[3, 2] = 1.0
    indptr = np.array([0, 1, 2, 3, 4], dtype=np.int64)
    indices, weights = np.array([1, 0, 3, 2], dtype=np.int64), np.ones(4)  # full: no room
    applicable, fixed = np.ones((n, 2)), np.ones((n, 2))
    inverse = np.full((n, 2), 7.0)
    matrix[0, 2] = matrix[2, 0] = 0.5
    cells = np.array([0 * n + 2, 2 * n + 0], dtype=np.int64)
    before = (indptr.copy(), indices.copy(), inverse.copy())
    assert take_in(indptr, indices, weights, cells, matrix, applicable, 1.0, fixed, inverse) == -1
    assert all(np.array_equal(a, b) for a, b in zip((indptr, indices, inverse), before))
    roomy_indices, roomy_weights = np.zeros(8, dtype=np.int64), np.zeros(8)
    roomy_indices[:4], roomy_weights[:4] = indices, weights
    assert take_in(indptr, roomy_indices, roomy_weights, cells, matrix, applicable, 1.0, fixed, inverse) == 2
    assert indptr.tolist() == [0, 2, 3, 5, 6]
    assert roomy_indices[:6].tolist() == [1, 2, 0, 0, 3, 2] and roomy_weights[:6].tolist() == [1, .5, 1, .5, 1, 1]
    assert inverse[0].tolist() == [1 / 2.5] * 2 and inverse[2].tolist() == [1 / 2.5] * 2  # the touched rows
    assert inverse[1].tolist() == [7.0, 7.0]  # the others keep theirs


def _tie_numpy(matrix, a, b, weight):
    """Lever.tie and Effects.add_ties of main c35d141: the cells written (sorted) and the matrix changed."""
    keep = matrix[a, b] < weight
    a, b = a[keep], b[keep]
    a, b = a[a != b], b[a != b]
    matrix[a, b] = weight
    matrix[b, a] = weight
    return np.unique(np.concatenate((a * len(matrix) + b, b * len(matrix) + a)))


@pytest.mark.parametrize("seed", range(8))
def test_stronger_ties_keep_a_stronger_tie_and_write_what_numpy_wrote(seed):
    rng = np.random.default_rng(seed)
    n = 30
    start = np.where(rng.random((n, n)) < 0.2, rng.choice([0.5, 1.0, 2.0], (n, n)), 0.0)
    start = np.maximum(start, start.T)
    a, b = rng.integers(0, n, 40), rng.integers(0, n, 40)
    b[:3] = a[:3]  # self-ties are never made
    weight = float(rng.choice([0.5, 1.0, 1.5]))
    expected = start.copy()
    cells = _tie_numpy(expected, a, b, weight)
    got = start.copy()
    written = stronger_ties(got, a, b, weight)
    assert np.array_equal(got, expected)
    assert np.array_equal(np.unique(written), cells)
    assert 0 < len(cells) < 2 * len(a)
