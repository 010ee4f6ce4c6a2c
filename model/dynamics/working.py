"""The life cycle's working arrays and its sums, kept out of its compilation's critical path.

The life cycle (:func:`model.dynamics.lifecycle._advance`) needs a few (k,) arrays each quarter and the
sums of some money arrays. Allocated in the kernel (``np.zeros``, ``np.empty``) and summed with NumPy's
``.sum()``, each array type compiled NumPy's allocator and reduction once more: about half a second of the
first compilation, which a first run waits for (:mod:`model.dynamics.compiling`). So the arrays are made
once per run in Python (:func:`scratch`) and overwritten every quarter, and the sums are plain loops that
add in the order NumPy's compiled ``.sum()`` adds (first to last, row by row, from 0.0): the same numbers,
bit for bit.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..environment import njit

#: the life cycle's working arrays, per innovation (k,), filled afresh every quarter: pilots scaled,
#: stalled and failed this quarter, national promotion, the start chance's ceiling (float64); whether a
#: pilot lost its champion, whether a commitment went unpaid (bool)
Scratch = namedtuple("Scratch", ["scaled", "stalled", "failures", "promotion", "ceiling", "lost", "unpaid"])


def scratch(k: int) -> Scratch:
    """The life cycle's working arrays for ``k`` innovations (:data:`Scratch`), made once per run."""
    return Scratch(*(np.zeros(k) for _ in range(5)), np.zeros(k, dtype=np.bool_), np.zeros(k, dtype=np.bool_))


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def total(a):
    """The sum of the (m,) float array ``a``, added first to last from 0.0 (as ``a.sum()`` in numba)."""
    s = 0.0
    for x in range(a.shape[0]):
        s += a[x]
    return s


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def total2(a):
    """The sum of the (m, k) C-ordered float array ``a``, row by row (as ``a.sum()`` in numba)."""
    s = 0.0
    for x in range(a.shape[0]):
        for y in range(a.shape[1]):
            s += a[x, y]
    return s
