"""Lever-made ties reach the compiled signals as before, bit for bit: the sparse rows merged from each
quarter's new ties (model.world.networks._insert_lever_ties) and the denominators redone only for the rows
they touch equal a rebuild from all ties (the rule of main c35d141, kept here as the oracle)."""

from pathlib import Path

import numpy as np
import pytest

import model
from model.model import InnovationModel
from model.world.networks import _lever_denominators, signals_kernel

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
    _lever_denominators(ties.applicable, indptr, cols.astype(np.int64), weights, ties.weight_lever, fixed,
                        inverse, np.arange(ties.orgs.n, dtype=np.int64))
    return indptr, cols, weights, inverse


@pytest.mark.parametrize("seed", range(4))
def test_ties_merged_quarter_by_quarter_equal_ties_rebuilt_from_all(seed):
    m = InnovationModel(model.load_scenario(SCENARIOS / "baseline.yaml"), seed=seed)
    ties, effects, n = m.ties, m.effects, m.n
    ties._written = np.zeros((n, n), dtype=bool)
    rng = np.random.default_rng(seed)
    for quarter in range(25):
        for _ in range(rng.integers(0, 3)):  # some quarters no tie, some several calls
            size = int(rng.integers(1, 12))
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
    assert len(ties.lever_indices) > 50
