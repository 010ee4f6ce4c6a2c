"""Who a lever reaches, compiled: free development capacity, the rule of
:func:`model.levers.targeting.free_capacity` (issue 21: with its (n, k) intermediate arrays it was a tenth
of a grant call's time), and the order a target fills places in — by capacity or at random
(:func:`choose_in_order`) or by a call (:func:`chosen_by_call`), drawing from the run's lever generator as
:meth:`model.levers.targeting.Targeting.choose` draws.

An organisation's free capacity is its development capacity (own plus what levers added or took) less the
capacity its running pilots, scale-ups being implemented and adoptions hold, each weighted by the quarter's
load factor (levers that ease the work lower it). The vectorised rule summed each row of the (n, k) loads
with NumPy, which adds a row pairwise (:func:`row_sum` does the same additions in the same order), so the
results are the same bit for bit (``tests/levers/test_grant_kernels.py``).
"""

from __future__ import annotations

import hashlib
import math
from collections import namedtuple
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import stages
from ..environment import njit
from ..stages import ADOPTED, PILOTING
from ..world import lever_ties
from ..world.lever_ties import stable_order
from . import streams
from .streams import generator

#: said once per command before this module's kernels are first compiled (not when loaded from the cache)
COMPILING = "the levers' code (first run with these levers in this environment, about 2 s)"

if TYPE_CHECKING:
    from ..context import RunContext

#: what the held capacity is made of: ``stage`` (n, k) int8, ``pilot_age`` (n, k) int16 [quarters; adopted:
#: quarters of implementation], per innovation (k,) the capacity units a pilot, a scale-up being
#: implemented and an adoption hold, ``scaling_quarters`` int [quarters a scale-up is implemented]
Loads = namedtuple("Loads", ["stage", "pilot_age", "pilot_need", "scale_need", "adoption_need", "scaling_quarters"])

#: what an organisation's free capacity is computed from besides the load factors: ``capacity`` and
#: ``capacity_bonus`` (n,) [capacity units], ``held_by`` a :data:`Loads` (for kernels that compute it:
#: :func:`free_capacity_of`)
CapacityArrays = namedtuple("CapacityArrays", ["capacity", "capacity_bonus", "held_by"])

#: rows summed in blocks of eight above this length (NumPy's ``PW_BLOCKSIZE``), halved above it
_BLOCK = 128


def loads(ctx: "RunContext") -> Loads:
    """This run's :data:`Loads` (the state's own arrays, not copies), made once per run (``ctx.run_views``:
    levers ask for it every quarter)."""
    found = ctx.run_views.get("loads")
    if found is None:
        s, inn = ctx.state, ctx.innovations
        found = ctx.run_views["loads"] = Loads(s.stage, s.pilot_age, inn.pilot_need, inn.scale_need,
                                               inn.adoption_need, int(ctx.params.scaling_quarters))
    return found


@njit(announce=COMPILING, error_model="numpy", inline="always")
def row_sum(values, start, count):
    """The sum of ``values[start:start + count]`` added as NumPy's ``sum(axis=1)`` adds a row: 0 plus the
    row summed pairwise (:func:`_pairwise`)."""
    if count <= _BLOCK:
        return 0.0 + _block_sum(values, start, count)
    return 0.0 + _pairwise(values, start, count)


@njit(announce=COMPILING, error_model="numpy")
def _pairwise(values, start, count):
    """NumPy's pairwise sum of ``values[start:start + count]``: a row of up to :data:`_BLOCK` as
    :func:`_block_sum` adds it; a longer one split in two (at a multiple of eight), each half summed so,
    then the two added — recursion written out with stacks (numba cannot cache a recursive kernel)."""
    if count <= _BLOCK:
        return _block_sum(values, start, count)
    # tasks: a segment to sum (count > 0) or "add the last two sums" (count 0); a depth-first walk
    task_start, task_count = np.empty(128, dtype=np.int64), np.empty(128, dtype=np.int64)
    sums = np.empty(128)
    tasks, done = 1, 0
    task_start[0], task_count[0] = start, count
    while tasks:
        tasks -= 1
        at, size = task_start[tasks], task_count[tasks]
        if size == 0:
            done -= 1
            sums[done - 1] = sums[done - 1] + sums[done]
        elif size <= _BLOCK:
            sums[done] = _block_sum(values, at, size)
            done += 1
        else:
            half = size // 2
            half -= half % 8
            task_start[tasks], task_count[tasks] = 0, 0  # then add them
            task_start[tasks + 1], task_count[tasks + 1] = at + half, size - half  # second half second
            task_start[tasks + 2], task_count[tasks + 2] = at, half  # first half first
            tasks += 3
    return sums[0]


@njit(announce=COMPILING, error_model="numpy", inline="always")
def _block_sum(values, start, count):
    """NumPy's sum of up to :data:`_BLOCK` values: fewer than eight one by one (from 0), else eight running
    sums combined as a tree, then the rest one by one."""
    if count < 8:
        total = 0.0
        for i in range(count):
            total += values[start + i]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    i = 8
    while i < count - count % 8:
        at = start + i
        r0 += values[at]
        r1 += values[at + 1]
        r2 += values[at + 2]
        r3 += values[at + 3]
        r4 += values[at + 4]
        r5 += values[at + 5]
        r6 += values[at + 6]
        r7 += values[at + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < count:
        total += values[start + i]
        i += 1
    return total


@njit(announce=COMPILING, error_model="numpy")
def free_capacity(capacity, capacity_bonus, load_factor, held_by):
    """(n,) capacity units free now: ``capacity + capacity_bonus`` ((n,) each) less, summed over the
    innovations (:func:`row_sum`), the capacity each running pilot, scale-up being implemented and adoption
    holds (:func:`held`, from ``held_by``, a :data:`Loads`) times ``load_factor`` ((n, k)). May be negative
    (more held than there is). Called from Python; kernels call :func:`free_capacity_of` (numba, loading a
    cached kernel, registers its callees' versions without what they need to return an array to Python:
    a kernel called from both failed so)."""
    return free_capacity_of(capacity, capacity_bonus, load_factor, held_by)


@njit(announce=COMPILING, error_model="numpy")
def free_capacity_of(capacity, capacity_bonus, load_factor, held_by):
    """:func:`free_capacity`, for other kernels to call."""
    stage, pilot_age = held_by.stage, held_by.pilot_age
    pilot_need, scale_need, adoption_need = held_by.pilot_need, held_by.scale_need, held_by.adoption_need
    scaling_quarters = held_by.scaling_quarters
    n, k = stage.shape
    weighted = np.empty(k)
    free = np.empty(n)
    for i in range(n):
        for j in range(k):
            need = held(stage[i, j], pilot_age[i, j], scaling_quarters, pilot_need[j], scale_need[j], adoption_need[j])
            weighted[j] = need * load_factor[i, j]
        free[i] = (capacity[i] + capacity_bonus[i]) - row_sum(weighted, 0, k)
    return free


@njit(announce=COMPILING, error_model="numpy")
def held(stage, pilot_age, scaling_quarters, pilot_need, scale_need, adoption_need):
    """Capacity units a pair in ``stage`` holds (before load factors): ``pilot_need`` while it pilots,
    ``scale_need`` while a scale-up is implemented (adopted, ``pilot_age`` below ``scaling_quarters``),
    ``adoption_need`` once adopted, else 0. The vectorised rule added the three needs times their masks
    (``True x need + 0.0 + 0.0``); with needs finite and at least 0 (as the parameters are validated) that
    is the one need, bit for bit."""
    if stage == PILOTING:
        return pilot_need
    if stage == ADOPTED:
        return scale_need if pilot_age < scaling_quarters else adoption_need
    return 0.0


@njit(announce=COMPILING, error_model="numpy")
def first_places(places, key, tiebreak):
    """Positions of the first ``places`` (at most all) of ``key`` ((m,) floats) in ``np.lexsort((tiebreak,
    key))``'s order — by key, then ``tiebreak`` ((m,) floats), then position; NaN after every number — in
    that order, ((places,) int64): each the earliest of those not yet taken, found by a scan. For the few
    places a lever fills in a quarter among hundreds a scan is quicker than a sort (issue 21);
    :func:`model.levers.targeting.first_in_order` sorts for many places."""
    m = key.shape[0]
    places = min(places, m)
    taken = np.zeros(m, dtype=np.bool_)
    first = np.empty(places, dtype=np.int64)
    for p in range(places):
        best = -1
        for i in range(m):  # ascending: a tie keeps the earlier position, as a stable sort does
            if not taken[i] and (best < 0 or _earlier(key[i], tiebreak[i], key[best], tiebreak[best])):
                best = i
        taken[best] = True
        first[p] = best
    return first


@njit(announce=COMPILING, error_model="numpy")
def choose_in_order(candidates, units, by_capacity, capacity, capacity_bonus, rng):
    """Up to ``units`` of ``candidates`` ((m,) int64 organisations) in a target's order, as
    :meth:`model.levers.targeting.Targeting.choose` orders them: a uniform tiebreak per candidate from
    ``rng`` (the run's lever generator: m draws, the Python rule's), then by development capacity
    (``capacity + capacity_bonus``, when ``by_capacity``) or by the tiebreak alone. Returns the chosen
    organisations ((<= units,) int64, in that order); draws nothing when ``units <= 0`` or there is no
    candidate."""
    m = candidates.shape[0]
    if units <= 0 or m == 0:
        return np.zeros(0, dtype=np.int64)
    tiebreak = rng.random(m)
    key = tiebreak
    if by_capacity:
        key = np.empty(m)
        for a in range(m):
            key[a] = capacity[candidates[a]] + capacity_bonus[candidates[a]]
    return candidates[first_places(units, key, tiebreak)]


#: a target's call (``by: application``; :class:`model.levers.targeting.Target`): ``half_capacity``
#: [capacity units] (an organisation applies with probability ``free / (free + half_capacity)`` of its free
#: capacity), ``noise`` [log-sd] of the applications' quality, ``overhead_capacity`` [capacity units] an
#: application takes for the quarter (charged by the caller; the ranking reads the capacity left), ``limit``
#: (organisations chosen at most; -1: no limit)
CallChoice = namedtuple("CallChoice", ["half_capacity", "noise", "overhead_capacity", "limit"])


@njit(announce=COMPILING, error_model="numpy")
def chosen_by_call(rng, candidates, places, call, capacity, capacity_bonus, load_factor, held_by, applicants):
    """A call among ``candidates`` ((n,) bool, at least one) for up to ``places`` (at most ``call.limit``), as
    :meth:`model.levers.targeting.Targeting.choose` runs it for ``by: application``: draws ``u`` and ``z``
    ((n,) each, uniform and normal) from ``rng`` (the run's lever generator, a
    :data:`~model.levers.streams.Stream` or the Generator); a candidate applies when ``u`` is below
    ``free / (free + half_capacity)`` of its free capacity (:func:`free_capacity_of`; marked in
    ``applicants``, (n,) bool, written whole); applications are ranked by the log of the capacity left once
    the overhead is taken (:func:`log_capacity_of`) plus ``noise`` x ``z``, best first, equal ones in the
    organisations' order. Returns the chosen organisations ((<= places,) int64, best first). The caller
    charges the applicants' overhead."""
    rng = generator(rng)
    if call.limit >= 0 and places > call.limit:
        places = call.limit
    free = free_capacity_of(capacity, capacity_bonus, load_factor, held_by)
    n = capacity.shape[0]
    u = rng.random(n)
    z = rng.standard_normal(n)
    count = 0
    for i in range(n):
        f = max(free[i], 0.0)
        applicants[i] = candidates[i] and u[i] < f / (f + call.half_capacity)
        count += applicants[i]
    idx, quality = np.empty(count, dtype=np.int64), np.empty(count)
    overhead, r = call.overhead_capacity, 0
    for i in range(n):
        if applicants[i]:
            left = capacity_bonus[i] - overhead if overhead > 0 else capacity_bonus[i]
            idx[r] = i
            quality[r] = -(log_capacity_of(capacity[i] + left) + call.noise * z[i])  # best first
            r += 1
    order = stable_order(quality)
    return idx[order[:min(places, count)]]


@njit(error_model="numpy")
def log_capacity_of(capacity):
    """The log of an applicant's development ``capacity`` [capacity units] once it has applied, at least
    1e-9: what a call ranks applications on (the better-resourced write better applications: 001
    L2412-2418). The C library's log (``math.log``, which numba's is): NumPy's ``np.log`` goes through its
    own SIMD loop on a CPU with AVX-512 and differs from it in the last bit for about 0.04 % of values, so a
    rule that took NumPy's log would rank differently, once in a while, by the machine it ran on and by
    whether it ran in compiled code or in Python."""
    return math.log(capacity if capacity >= 1e-9 or capacity != capacity else 1e-9)


@njit(announce=COMPILING, error_model="numpy", inline="always")
def _order(a, b):
    """-1, 0 or 1 as ``a`` sorts before, with or after ``b`` in NumPy's sorts (NaN after every number)."""
    if a != a:
        return 0 if b != b else 1
    if b != b:
        return -1
    return -1 if a < b else (1 if a > b else 0)


@njit(announce=COMPILING, error_model="numpy", inline="always")
def _earlier(key_a, tiebreak_a, key_b, tiebreak_b):
    """Whether (``key_a``, ``tiebreak_a``) sorts strictly before (``key_b``, ``tiebreak_b``)."""
    by_key = _order(key_a, key_b)
    return by_key < 0 if by_key != 0 else _order(tiebreak_a, tiebreak_b) < 0


def key_on_sources(namespace: dict, *sources) -> None:
    """Make the compile cache of every kernel defined in ``namespace`` (a module's globals) stale whenever
    its file or one of ``sources`` (modules whose kernels or constants it compiles in) changes — and what
    those compile in, as they declared it here (:func:`compiled_in`): numba keys a cached kernel on its own
    file only (as :func:`model.dynamics.quarters._key_on_all_kernels` does for the quarter loop: each cache
    is stamped with a hash of the files). Without numba's cache (or with other numba internals) nothing is
    done."""
    namespace["_COMPILED_IN"] = sources
    digest = hashlib.sha256()
    for path in compiled_in(namespace["__file__"], sources):
        digest.update(Path(path).read_bytes())
    for kernel in list(namespace.values()):
        if getattr(kernel, "__module__", None) == namespace["__name__"] and hasattr(kernel, "py_func"):
            try:
                kernel._cache._cache_file._source_stamp = digest.digest()
            except AttributeError:  # no cache (numba found nowhere to write it), or another numba's internals
                pass


def compiled_in(own: str, sources) -> list[str]:
    """The files a kernel module (file ``own``) compiles in: its own, then each of ``sources`` (modules or
    paths) followed by what that module declared it compiles in (:func:`key_on_sources`), depth first, each
    once. A kernel compiled in with another is part of its machine code, so a change to what it compiles in
    must recompile both."""
    files: list[str] = [str(own)]

    def add(source) -> None:
        path = str(getattr(source, "__file__", source))
        if path not in files:
            files.append(path)
            for further in getattr(source, "_COMPILED_IN", ()):
                add(further)

    for source in sources:
        add(source)
    return files


key_on_sources(globals(), stages, streams, lever_ties)  # the stages' codes, the lever stream, the stable order
