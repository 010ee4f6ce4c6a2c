"""Who hosts a job-shadowing placement and who is sent, compiled: the placements of a quarter of
:mod:`model.levers.job_shadowing` in one call (issue 21: levers decided in compiled code).

The rules are the lever's (its module docstring and :meth:`~model.levers.job_shadowing.JobShadowing._place`):
hosts as the target chooses them (:func:`model.levers.members_kernel.choose`, as
:meth:`model.levers.targeting.Targeting.choose`: in its order or by its call), then for each host in turn a
sender drawn among the free mature municipalities. The draws come from the run's lever
generator, handed to the kernel (numba draws from a NumPy ``Generator`` as NumPy does: the same uniforms,
the same bounded integers), in the same order and number as the Python rule drew them, so the same
placements are made and the stream is left where it was (bit for bit: ``tests/levers/test_compiled_levers.py``
checks the runs and the next draw against the lever's previous rule). Handing numba the generator costs a
few microseconds a call, less than the twenty or thirty the Python rule took.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..environment import njit
from ..world import lever_ties
from . import books_kernel, capacity_kernel, knowhow_kernel, members_kernel, streams, targeting_kernel
from .streams import generator
from .targeting_kernel import key_on_sources

#: said once per command before this module's kernels are first compiled (not when loaded from the cache)
COMPILING = "the levers' code (first run with job shadowing in this environment, about 2 s)"

#: the lever's placements, (n,) each, changed in place: ``hosted`` bool (has hosted), ``host_until`` int
#: (the host is placed while t < host_until; -1 never), ``sender_of`` int (a host's sender while placed, -1)
Placements = namedtuple("Placements", ["hosted", "host_until", "sender_of"])



@njit(announce=COMPILING, error_model="numpy")
def place(rng, units, choosing, mature, placements, t, quarters, hosts_out, senders_out):
    """Up to ``units`` placements of ``quarters`` quarters starting in quarter ``t``: hosts among the pool
    that have not hosted and are not hosting, as the target chooses (``choosing``:
    :func:`model.levers.members_kernel.choose`), each with a sender drawn at random among the ``mature``
    ((n,) bool) municipalities that are not the host and not away already; the first host for whom none is
    free ends the round. Writes the hosts and senders placed to the first entries of ``hosts_out`` and
    ``senders_out`` ((n,) int64) and into ``placements``; returns how many. ``rng``: the run's lever
    generator (draws as the Python rule did: the target's, then a bounded integer per host given a sender),
    or its :data:`model.levers.streams.Stream` (the same draws, cheaper to hand over)."""
    rng = generator(rng)  # a Stream (streams.stream_of) or the Generator itself
    hosted, host_until, sender_of = placements
    n = hosted.shape[0]
    need = np.empty(n, dtype=np.bool_)
    for i in range(n):
        need[i] = not hosted[i] and host_until[i] <= t
    hosts = members_kernel.choose(choosing, need, units, rng)
    if hosts.shape[0] == 0:
        return 0
    return _senders(rng, hosts, mature, placements, t, quarters, hosts_out, senders_out)


@njit(announce=COMPILING, error_model="numpy")
def _senders(rng, hosts, mature, placements, t, quarters, hosts_out, senders_out):
    """The senders of ``hosts`` ((c,) int64, in the target's order), drawn in turn from the free ``mature``
    municipalities in ascending order (the host itself left out): the r-th of the others; the placements
    written (:func:`place`). Returns how many hosts got a sender."""
    hosted, host_until, sender_of = placements
    n = mature.shape[0]
    free = mature.copy()
    for i in range(n):
        if host_until[i] > t:
            free[sender_of[i]] = False  # away already
    order = np.flatnonzero(free)  # ascending
    left = order.shape[0]
    placed = 0
    for a in range(hosts.shape[0]):
        h = hosts[a]
        mine = left  # a mature host does not send to itself: its position among the free
        for p in range(left):
            if order[p] == h:
                mine = p
                break
        others = left - (1 if mine < left else 0)
        if others == 0:
            break
        r = rng.integers(0, others)
        pick = r + (1 if r >= mine else 0)
        sender = order[pick]
        for p in range(pick, left - 1):  # taken: the free keep their order
            order[p] = order[p + 1]
        left -= 1
        hosts_out[placed], senders_out[placed] = h, sender
        sender_of[h] = sender
        host_until[h] = t + quarters
        hosted[h] = True
        placed += 1
    return placed


#: a job-shadowing lever's whole quarter as the compiled loop runs it (:func:`shadowing_lever_quarter`):
#: ``books`` (:data:`model.levers.books_kernel.Books`), ``rng`` (the run's lever
#: :data:`~model.levers.streams.Stream`), :func:`place`'s ``choosing``, ``mature``, ``placements``,
#: ``quarters``, ``placed_hosts`` and ``placed_senders``; ``placement_cost`` [MSEK]; ``pairs`` ((n, 2) int64:
#: every placement's host and sender, in order, ``tally[PAIRS]`` of them; changed);
#: :func:`model.levers.knowhow_kernel.hosts_quarter`'s ``load_factor``, ``knowhow``, ``dev``, ``cut``,
#: ``forget``, ``learn``, ``gone``, ``host_cost``, ``sender_cost``, ``ending_hosts``, ``ending_senders`` and
#: ``cost``; ``tie_weight``, ``ties`` (the run's :data:`model.world.lever_ties.LeverTies`), ``taken``
#: (:data:`model.levers.members_kernel.Taken`) and ``tally`` ((3,) int64: placement-quarters, of which
#: taught, and placements; changed)
ShadowingLever = namedtuple("ShadowingLever", [
    "books", "rng", "choosing", "mature", "placements", "quarters", "placed_hosts", "placed_senders",
    "placement_cost", "pairs", "load_factor", "knowhow", "dev", "cut", "forget", "learn", "gone", "host_cost",
    "sender_cost", "ending_hosts", "ending_senders", "cost", "tie_weight", "ties", "taken", "tally"])

#: the fields of :data:`ShadowingLever`'s ``tally``
PLACED_QUARTERS, TAUGHT_QUARTERS, PAIRS = 0, 1, 2


@njit(announce=COMPILING, error_model="numpy")
def shadowing_lever_quarter(lever, t):
    """Quarter ``t`` of job shadowing, as :meth:`model.levers.job_shadowing.JobShadowing.step` and
    :meth:`model.levers.base.Lever.act` do it in Python, with the same draws and arithmetic: last quarter's
    time given back, money in, placements bought and made (:func:`place`), the placements ending now tying
    host and sender (the ties taken in at once), know-how acting, fading and learnt
    (:func:`model.levers.knowhow_kernel.hosts_quarter`), the time taking part takes, and the year's money
    lapsing."""
    books, tally = lever.books, lever.tally
    members_kernel.give_back(lever.taken)
    active = books_kernel.receive(books, t)
    if active:
        units = books_kernel.buy(books, t, lever.placement_cost)
        if units:
            hosts, senders = lever.placed_hosts, lever.placed_senders
            placed = place(lever.rng, units, lever.choosing, lever.mature, lever.placements, t, lever.quarters,
                           hosts, senders)
            for a in range(placed):
                lever.pairs[tally[PAIRS] + a, 0] = hosts[a]
                lever.pairs[tally[PAIRS] + a, 1] = senders[a]
            tally[PAIRS] += placed
            books_kernel.use(books, t, placed * lever.placement_cost, hosts[:placed], placed)
            books_kernel.refund(books, units - placed, lever.placement_cost)
    placements = lever.placements
    ended, hosts_now, taught, any_cost = knowhow_kernel.hosts_quarter(
        lever.load_factor, lever.knowhow, placements.host_until, placements.sender_of, t, lever.dev, lever.cut,
        lever.forget, lever.learn, lever.gone, lever.host_cost, lever.sender_cost, lever.ending_hosts,
        lever.ending_senders, lever.cost)
    if ended and lever.tie_weight > 0:  # the tie of a placement that ended
        cells = lever_ties.stronger_ties(lever.ties.matrix, lever.ending_hosts[:ended], lever.ending_senders[:ended],
                                         lever.tie_weight)
        if cells.shape[0]:
            lever_ties.take_in_written(lever.ties, cells)
    tally[PLACED_QUARTERS] += hosts_now
    tally[TAUGHT_QUARTERS] += taught
    if any_cost:
        members_kernel.take_capacity(lever.taken, lever.cost)
    books_kernel.lapse(books, t, active)


# compiled in: the target's choice, the stream, the books, capacity, know-how and ties
key_on_sources(globals(), targeting_kernel, streams, books_kernel, capacity_kernel, knowhow_kernel, members_kernel,
               lever_ties)
