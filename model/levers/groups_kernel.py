"""A learning network's quarter in compiled code, its groups formed and tied there, for the compiled loop
(:mod:`model.levers.compiled`; issue 21: levers decided in compiled code).

:func:`learning_lever_quarter` does what :meth:`model.levers.learning_networks.LearningNetworks.step` and
:meth:`model.levers.base.Lever.act` do in Python, with the same draws and arithmetic in the same order: the
year's members (:func:`model.levers.members_kernel.update_members`); new members in groups of
``group_size`` in a random order (:func:`form_groups`: NumPy's ``Generator.permutation``, written out, on
the run's lever generator) tied to each other for good, their ties taken in at once
(:func:`model.world.lever_ties.take_in_written`); then the network's quarter
(:func:`model.levers.knowhow_kernel.network_quarter`). The runs are those of the quarters in Python, bit
for bit (``tests/levers/test_compiled_quarters.py``).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba.np.random.random_methods import random_interval

from .. import stages
from ..environment import njit
from ..stages import QUARTERS_PER_YEAR
from ..world import lever_ties
from . import books_kernel, knowhow_kernel, members_kernel, streams, targeting_kernel
from .knowhow_kernel import COMPILING
from .streams import generator
from .targeting_kernel import key_on_sources

#: a learning network's whole quarter as the compiled loop runs it (:func:`learning_lever_quarter`):
#: ``books`` (:data:`model.levers.books_kernel.Books`), ``rng`` (the run's lever
#: :data:`~model.levers.streams.Stream`), ``membership`` (:data:`model.levers.members_kernel.Membership`),
#: ``group`` ((n,) int64 each member's group, -1 none; changed), ``group_size``, ``ties`` (the run's
#: :data:`model.world.lever_ties.LeverTies`), ``knowhow`` ((n, k) 0-1; changed), the run's ``load_factor``,
#: ``dev`` (:data:`model.levers.knowhow_kernel.Development`), the lever's ``cut``, ``forget``, ``rate``
#: [share per peer and quarter], ``gone``, the run's ``tie_strength`` and ``p_external_boost`` ((n,) effects,
#: changed) and the lever's ``tie_factor`` and ``external_boost``, the run's ``failure_sharing`` ((1,)
#: effect, changed) and the lever's ``failure_sharing_boost``, and ``tally`` ((3,) int64: member-quarters
#: in a group, of which taught, and groups made; changed)
LearningLever = namedtuple("LearningLever", ["books", "rng", "membership", "group", "group_size", "ties", "knowhow",
                                             "load_factor", "dev", "cut", "forget", "rate", "gone", "tie_strength",
                                             "tie_factor", "p_external_boost", "external_boost", "failure_sharing",
                                             "failure_sharing_boost", "tally"])

#: the fields of :data:`LearningLever`'s ``tally``
MEMBER_QUARTERS, TAUGHT_QUARTERS, GROUPS = 0, 1, 2


@njit(announce=COMPILING, error_model="numpy")
def within_group_pairs(n, size):
    """Positions (i, j), i < j, of every pair in the same group when positions 0..n-1 are cut into groups of
    ``size`` in order (the last may be smaller), by i then j: :func:`model.levers.learning_networks.
    within_group_pairs`. Returns ((m,) int64, (m,) int64)."""
    count = 0
    for start in range(0, n, size):
        members = min(start + size, n) - start
        count += members * (members - 1) // 2
    first, second = np.empty(count, dtype=np.int64), np.empty(count, dtype=np.int64)
    m = 0
    for start in range(0, n, size):
        stop = min(start + size, n)
        for i in range(start, stop):
            for j in range(i + 1, stop):
                first[m], second[m] = i, j
                m += 1
    return first, second


@njit(announce=COMPILING, error_model="numpy")
def _permuted(values, rng):
    """A copy of ``values`` ((m,)) in a random order from ``rng`` (a numba ``Generator``), as NumPy's
    ``Generator.permutation`` orders a 1-d array (and numba's, which translates it): Fisher-Yates from the
    last position down, each drawing a position at most its own (``random_interval``), swapping when it
    differs. Written out for 1-d arrays: numba's, for any array, took seconds to compile."""
    out = values.copy()
    for i in range(out.shape[0] - 1, 0, -1):
        j = np.int64(random_interval(rng.bit_generator, i))
        if i != j:
            out[i], out[j] = out[j], out[i]
    return out


@njit(announce=COMPILING, error_model="numpy")
def form_groups(lever, new, rng):
    """New members ``new`` ((n,) bool) in groups of ``group_size``, in a random order from ``rng`` (a numba
    ``Generator``), numbered after those made, and tied to each other for good (weight 1; the ties taken in
    at once): :meth:`model.levers.learning_networks.LearningNetworks._groups`."""
    order = _permuted(np.flatnonzero(new), rng)
    size, n_new = lever.group_size, order.shape[0]
    if size < 2 or n_new < 2:
        return
    made = lever.tally[GROUPS]
    for a in range(n_new):
        lever.group[order[a]] = made + a // size
    lever.tally[GROUPS] = made + (n_new - 1) // size + 1
    first, second = within_group_pairs(n_new, size)
    low, high = np.empty(first.shape[0], dtype=np.int64), np.empty(first.shape[0], dtype=np.int64)
    for p in range(first.shape[0]):
        a, b = order[first[p]], order[second[p]]
        low[p], high[p] = (a, b) if a < b else (b, a)
    if low.shape[0]:
        cells = lever_ties.stronger_ties(lever.ties.matrix, low, high, 1.0)
        if cells.shape[0]:
            lever_ties.take_in_written(lever.ties, cells)


@njit(announce=COMPILING, error_model="numpy")
def learning_lever_quarter(lever, t):
    """Quarter ``t`` of a learning network (the module docstring)."""
    books, membership, tally = lever.books, lever.membership, lever.tally
    members = membership.members
    members_kernel.give_back(membership.choosing.taken)  # what a call's applicants gave last quarter
    active = books_kernel.receive(books, t)
    if active and membership.tally[members_kernel.YEAR] != t // QUARTERS_PER_YEAR:  # the year's places filled
        before = members.copy()
        members_kernel.update_members(books, membership, lever.rng, t)
        changed = False
        for i in range(members.shape[0]):
            changed = changed or members[i] != before[i]
        if changed:
            for i in range(members.shape[0]):
                if before[i] and not members[i]:
                    lever.group[i] = -1
            form_groups(lever, members & ~before, generator(lever.rng))
    elif active:
        members_kernel.update_members(books, membership, lever.rng, t)  # this quarter's places are used
    learning = active and lever.rate > 0.0 and tally[GROUPS] > 0
    in_group, taught, count = knowhow_kernel.network_quarter(
        lever.load_factor, lever.knowhow, lever.group, tally[GROUPS], lever.dev, lever.cut, lever.forget, lever.rate,
        lever.gone, learning, members, active, lever.tie_strength, lever.tie_factor, lever.p_external_boost,
        lever.external_boost)
    if learning:
        tally[MEMBER_QUARTERS] += in_group
        tally[TAUGHT_QUARTERS] += taught
    if count:  # the share of stalled pilots whose lessons are shared rises with the members' share
        lever.failure_sharing[0] += lever.failure_sharing_boost * count / members.shape[0]
    books_kernel.lapse(books, t, active)


key_on_sources(globals(), books_kernel, knowhow_kernel, lever_ties, members_kernel, streams, targeting_kernel, stages)
