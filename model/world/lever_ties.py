"""The ties levers make, as the compiled signals read them: compressed sparse rows kept up to date in place.

Levers write ties in the run's (n, n) matrix of lever-tie weights (:func:`stronger_ties`: a peer review ties
reviewer and reviewed, a learning network its groups); :meth:`model.world.networks.Ties.refresh` merges the
cells written since it last looked into the sparse rows the tie signals read, with the inverse denominators
of the rows they touch (:func:`take_in`), once per quarter in which levers made a tie. The rows' buffers
are made with room for every tie when levers first tie organisations, so from then on the quarter loop's
arguments hold the same arrays (issue 21: the rows had been made anew every such quarter, and the loop's
arguments with them).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..environment import njit

#: said once per command before the lever ties' kernels are first compiled (not when loaded from the cache)
LEVER_TIES_COMPILING = "the levers' code (first run with levers that make ties in this environment, about 2 s)"


#: the lever ties as levers whose quarters run in the compiled loop write and take them in
#: (:func:`write_and_take_in`; :meth:`model.world.networks.Ties.lever_ties_arguments`): ``matrix`` (n, n) the
#: lever-tie weights, the compressed sparse rows ``indptr``, ``indices``, ``weights`` (buffers with room for
#: every tie), ``applicable`` (n, k) float, ``proof_weight``, the denominators' ``fixed`` part and
#: ``inverse`` (n, k), and ``written`` ((1,) int64: the quarters' writes so far, for Python's version count)
LeverTies = namedtuple("LeverTies", ["matrix", "indptr", "indices", "weights", "applicable", "proof_weight",
                                     "fixed", "inverse", "written"])


@njit(announce=LEVER_TIES_COMPILING, error_model="numpy", no_cfunc_wrapper=True)
def take_in_written(ties, cells):
    """Take the ``cells`` a lever just wrote ((m,) int64, flat ``row * n + column``, unsorted, m > 0) into
    the sparse rows at once, as :meth:`model.world.networks.Ties.refresh` takes in a quarter's cells before
    the quarter's dynamics (``ties``: a :data:`LeverTies`). Returns :func:`take_in`'s count."""
    ties.written[0] += 1
    return take_in(ties.indptr, ties.indices, ties.weights, _sorted(cells), ties.matrix, ties.applicable,
                   ties.proof_weight, ties.fixed, ties.inverse)


@njit(announce=LEVER_TIES_COMPILING, error_model="numpy", no_cfunc_wrapper=True)
def _sorted(values):
    """``values`` ((m,) int64) sorted ascending, a new array (sorted integers are the same whichever sort
    made them)."""
    order = stable_order(values)
    out = np.empty_like(values)
    for r in range(order.shape[0]):
        out[r] = values[order[r]]
    return out


@njit(announce=LEVER_TIES_COMPILING, error_model="numpy", no_cfunc_wrapper=True)
def stable_order(keys):
    """(m,) positions of ``keys`` ((m,)) in ascending order, equal keys in the order of their positions:
    a bottom-up merge sort (NumPy's ``argsort(kind="stable")`` order; written out, as numba's own sorts
    took seconds to compile). Also the grant calls' ranking (:mod:`model.levers.funding_kernel`)."""
    m = len(keys)
    order, spare = np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64)
    for r in range(m):
        order[r] = r
    width = 1
    while width < m:
        for lo in range(0, m, 2 * width):
            mid, hi = min(lo + width, m), min(lo + 2 * width, m)
            a, b = lo, mid
            for out in range(lo, hi):
                if b < hi and (a >= mid or keys[order[b]] < keys[order[a]]):  # strictly smaller: b first
                    spare[out] = order[b]
                    b += 1
                else:
                    spare[out] = order[a]
                    a += 1
        order, spare = spare, order
        width *= 2
    return order


@njit(announce=LEVER_TIES_COMPILING, error_model="numpy", no_cfunc_wrapper=True)
def denominators(applicable, indptr, indices, weights, proof_weight, fixed, inverse, rows):
    """1 / the weighted applicable ties per organisation and innovation, 0 where there are none, for the
    organisations ``rows`` ((m,) int64): the ``fixed`` part of cliques and borders plus the lever ties,
    added one by one in the order :func:`model.world.networks._csr_signals` adds them (so the sums are the
    same, bit for bit)."""
    n, k = applicable.shape
    for i in rows:
        for j in range(k):
            d = fixed[i, j]
            for p in range(indptr[i], indptr[i + 1]):
                d += proof_weight * (weights[p] * applicable[indices[p], j])
            inverse[i, j] = 1.0 / d if d > 0 else 0.0


@njit(announce=LEVER_TIES_COMPILING, error_model="numpy", no_cfunc_wrapper=True)
def take_in(indptr, indices, weights, cells, matrix, applicable, proof_weight, fixed, inverse):
    """Merge the ``cells`` (flat indices ``row * n + column``, sorted, repeats allowed: sorted by NumPy
    before the call, as numba's sort would take seconds to compile) into the lever ties' compressed sparse
    rows in place — ``indptr`` (n + 1,), ``indices`` sorted within each row and their ``weights``, both
    buffers with room beyond ``indptr[n]`` — where not yet there; the rows the cells touch are read again
    from the (n, n) ``matrix`` of lever-tie weights (a tie written again may have a new weight) and get
    their inverse denominators anew (:func:`denominators`, the others keep theirs). Returns the
    number of new ties, or -1, having changed nothing, when the buffers lack the room (a guard: numba does
    not check bounds, and :meth:`model.world.networks.Ties.refresh` gives buffers of n x n)."""
    n = indptr.shape[0] - 1
    fresh = np.empty(cells.shape[0], dtype=np.int64)  # columns of the new ties, by row then column
    fresh_end = np.zeros(n + 1, dtype=np.int64)  # new ties per row, at row + 1, then summed: their ends
    touched = np.zeros(n, dtype=np.bool_)
    m = 0
    for c in range(cells.shape[0]):
        if c > 0 and cells[c] == cells[c - 1]:
            continue
        row = cells[c] // n
        touched[row] = True
        if not _in_row(indices, indptr[row], indptr[row + 1], cells[c] - row * n):
            fresh[m] = cells[c] - row * n
            m += 1
            fresh_end[row + 1] += 1
    if indptr[n] + m > indices.shape[0]:
        return -1
    for i in range(n):
        fresh_end[i + 1] += fresh_end[i]
    # from the last row back: a row moves by the new ties of the rows before it, so every tie is read before
    # a tie of a later position is written over it
    for i in range(n - 1, -1, -1):
        p, f, q = indptr[i + 1] - 1, fresh_end[i + 1] - 1, indptr[i + 1] + fresh_end[i + 1] - 1
        first_old, first_fresh = indptr[i], fresh_end[i]
        if not touched[i]:
            if fresh_end[i] > 0:  # moved, unchanged
                while p >= first_old:
                    indices[q], weights[q] = indices[p], weights[p]
                    p -= 1
                    q -= 1
            continue
        while p >= first_old or f >= first_fresh:  # old and new columns merged, largest first
            if f >= first_fresh and (p < first_old or fresh[f] > indices[p]):
                indices[q] = fresh[f]
                f -= 1
            else:
                indices[q] = indices[p]
                p -= 1
            weights[q] = matrix[i, indices[q]]
            q -= 1
    rows = np.empty(n, dtype=np.int64)
    r = 0
    for i in range(n):
        indptr[i + 1] += fresh_end[i + 1]
        if touched[i]:
            rows[r] = i
            r += 1
    denominators(applicable, indptr, indices, weights, proof_weight, fixed, inverse, rows[:r])
    return m


@njit(announce=LEVER_TIES_COMPILING, error_model="numpy", no_cfunc_wrapper=True)
def stronger_ties(matrix, a, b, weight):
    """Symmetric ties of ``weight`` between ``a[i]`` and ``b[i]`` ((m,) int64) written in the (n, n)
    ``matrix`` of lever-tie weights where the tie there is weaker (read before any is written) and
    ``a[i] != b[i]``: an existing stronger tie is kept. Returns the cells written, flat indices
    ``row * n + column``, both directions ((2 x written,) int64): :meth:`model.levers.base.Lever.tie`."""
    n, m = matrix.shape[0], a.shape[0]
    weaker = np.empty(m, dtype=np.bool_)
    for i in range(m):
        weaker[i] = matrix[a[i], b[i]] < weight
    cells = np.empty(2 * m, dtype=np.int64)
    c = 0
    for i in range(m):
        if weaker[i] and a[i] != b[i]:
            matrix[a[i], b[i]] = weight
            matrix[b[i], a[i]] = weight
            cells[c], cells[c + 1] = a[i] * n + b[i], b[i] * n + a[i]
            c += 2
    return cells[:c]


@njit(announce=LEVER_TIES_COMPILING, error_model="numpy", no_cfunc_wrapper=True)
def _in_row(indices, start, stop, column):
    """Whether ``column`` is among the sorted ``indices[start:stop]`` (binary search)."""
    lo, hi = start, stop
    while lo < hi:
        mid = (lo + hi) // 2
        if indices[mid] < column:
            lo = mid + 1
        else:
            hi = mid
    return lo < stop and indices[lo] == column
