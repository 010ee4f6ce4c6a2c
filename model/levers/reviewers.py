"""Who asks for a peer review and who reviews them, compiled: the per-quarter part of
:mod:`model.levers.peer_review` (issue 21: levers decided in compiled code).

The rules are the lever's (its module docstring); these kernels do them cell by cell on the state at the
start of the quarter, with the lever's uniforms drawn before the call in the same order and shapes as
before, so the same numbers are drawn and the same pairs made (bit for bit: the identity check of issue
21; ``tests/levers/test_fading.py`` and the peer-review tests).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..environment import njit
from ..stages import ADOPTED, PILOTING
from ..world import lever_ties
from . import books_kernel, decisions_kernel, members_kernel, streams, targeting_kernel
from .streams import generator
from .targeting_kernel import key_on_sources

#: said once per command before this module's kernels are first compiled (not when loaded from the cache)
COMPILING = "the levers' code (first run with peer review in this environment, about 2 s)"

#: the lever's own arrays, (n,) each: ``willing`` bool (would ask), ``until`` int (a review's bonus lasts
#: while t < until; changed), ``innovation`` int (of the last review; changed)
Reviewing = namedtuple("Reviewing", ["willing", "until", "innovation"])

#: what the reviews read of the run: ``stage`` (n, k) int8, ``pilot_age`` (n, k) [quarters], ``applicable``
#: (n, k) bool, ``pilot_quarters`` (k,), ``kind`` (n,), ``ties`` (n, n) lever-tie weights (changed)
ReviewWorld = namedtuple("ReviewWorld", ["stage", "pilot_age", "applicable", "pilot_quarters", "kind", "ties"])

#: the lever's rule: ``lead_quarters`` [quarters before the decision one asks], ``bonus_quarters``
#: [quarters a review's bonus lasts], ``tie_weight``
ReviewRule = namedtuple("ReviewRule", ["lead_quarters", "bonus_quarters", "tie_weight"])


@njit(announce=COMPILING, error_model="numpy")
def asking(stage, pilot_age, applicable, pilot_quarters, lead_quarters, willing, until, t):
    """Who asks this quarter ``t``: ((n,) bool asks, (n, k) bool askable). A pair is *askable* when the
    organisation runs a pilot of an applicable innovation whose scale decision falls within
    ``lead_quarters`` (:func:`model.levers.decisions.near_decision`) and someone has adopted the innovation;
    an organisation *asks* when ``willing``, not under review (``until <= t``) and it has an askable pair.
    ``stage`` (n, k) int8, ``pilot_age`` (n, k) [quarters], ``pilot_quarters`` (k,) [quarters]."""
    n, k = stage.shape
    adopted_somewhere = np.zeros(k, dtype=np.bool_)
    for i in range(n):
        for j in range(k):
            if applicable[i, j] and stage[i, j] == ADOPTED:
                adopted_somewhere[j] = True
    askable = np.zeros((n, k), dtype=np.bool_)
    asks = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        for j in range(k):
            if applicable[i, j] and stage[i, j] == PILOTING and adopted_somewhere[j]:
                left = max(pilot_quarters[j] - 1 - np.int64(pilot_age[i, j]), 0)
                if left <= lead_quarters:
                    askable[i, j] = True
                    asks[i] = willing[i] and until[i] <= t
    return asks, askable


@njit(announce=COMPILING, error_model="numpy")
def _first_max(values):
    best = 0
    for i in range(1, values.shape[0]):
        if values[i] > values[best]:
            best = i
    return best


@njit(announce=COMPILING, error_model="numpy")
def pair(chosen, askable, u_pilot, u_reviewer, stage, applicable, kind):
    """The pilot each chosen organisation is reviewed on and its reviewer: (ks, reviewers, found), (c,)
    each. The pilot: the largest of ``u_pilot`` ((c, k) uniforms) plus 1 where askable. The reviewer: the
    largest of ``u_reviewer`` ((c, n) uniforms) plus 1 for an adopter of that innovation, 2 for one of the
    same kind (``kind`` (n,)); ``found`` where that is an adopter (always, when someone has adopted it)."""
    c = chosen.shape[0]
    n, k = stage.shape
    ks = np.zeros(c, dtype=np.int64)
    reviewers = np.zeros(c, dtype=np.int64)
    found = np.zeros(c, dtype=np.bool_)
    pick = np.empty(k)
    key = np.empty(n)
    for a in range(c):
        me = chosen[a]
        for j in range(k):
            pick[j] = u_pilot[a, j] + (1.0 if askable[me, j] else 0.0)
        j = _first_max(pick)
        ks[a] = j
        for i in range(n):
            priority = 0.0
            if applicable[i, j] and stage[i, j] == ADOPTED:
                priority = 2.0 if kind[i] == kind[me] else 1.0
            key[i] = u_reviewer[a, i] + priority
        reviewers[a] = _first_max(key)
        found[a] = key[reviewers[a]] >= 1.0
    return ks, reviewers, found


@njit(announce=COMPILING, error_model="numpy")
def review(chosen, askable, draws, world, ties, tie_weight, until, innovation, bonus_until):
    """The reviews of a quarter, after the lever has chosen who asks and drawn its uniforms: each of
    ``chosen`` ((c,) int64) gets its pilot and reviewer (:func:`pair`; ``draws``: the (u_pilot, u_reviewer)
    uniforms, ``world``: (stage, applicable, kind)), and where an adopter reviews it: a lasting tie of
    ``tie_weight`` (``ties``, the (n, n) lever-tie weights: :func:`model.world.lever_ties.stronger_ties`;
    none when the weight is 0), its bonus lasts while t < ``bonus_until`` (``until``, (n,)) and
    ``innovation`` ((n,)) is the pilot's. One call for what took four (issue 21). Returns the reviewed,
    (r,) int64 in ``chosen``'s order, and the tie cells written (flat ``row * n + column``)."""
    stage, applicable, kind = world
    ks, reviewers, found = pair(chosen, askable, draws[0], draws[1], stage, applicable, kind)
    reviewed, by, on = chosen[found], reviewers[found], ks[found]
    cells = np.zeros(0, dtype=np.int64)
    if tie_weight > 0 and reviewed.shape[0] > 0:
        cells = lever_ties.stronger_ties(ties, reviewed, by, tie_weight)
    for a in range(reviewed.shape[0]):
        until[reviewed[a]] = bonus_until
        innovation[reviewed[a]] = on[a]
    return reviewed, cells



@njit(announce=COMPILING, error_model="numpy")
def quarter(rng, units, t, rule, lever, world, choosing):
    """A quarter's reviews in one call: who asks (:func:`asking`), up to ``units`` of them as the target
    chooses (``choosing``: :func:`model.levers.members_kernel.choose`, in its order or by its call), the
    uniforms of their pilots and reviewers, and the reviews (:func:`review`). ``rng``: the run's lever
    generator (or its :data:`~model.levers.streams.Stream`, cheaper to hand over), drawn from as the
    Python rule drew (the same numbers, in the same order: the target's, then (c, k) and (c, n)). Returns
    what :func:`review` returns (nothing when nobody asks)."""
    rng = generator(rng)  # a Stream (streams.stream_of) or the Generator itself
    stage, pilot_age, applicable, pilot_quarters, kind, ties = world
    willing, until, innovation = lever
    asks, askable = asking(stage, pilot_age, applicable, pilot_quarters, rule.lead_quarters, willing, until, t)
    n, k = stage.shape
    chosen = members_kernel.choose(choosing, asks, units, rng)
    c = chosen.shape[0]
    if c == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    draws = (rng.random((c, k)), rng.random((c, n)))
    return review(chosen, askable, draws, (stage, applicable, kind), ties, rule.tie_weight, until, innovation,
                  t + rule.bonus_quarters)


#: a peer-review lever's whole quarter as the compiled loop runs it (:func:`review_lever_quarter`): ``books``
#: (:data:`model.levers.books_kernel.Books`), ``rng`` (the run's lever :data:`~model.levers.streams.Stream`),
#: ``rule`` (:data:`ReviewRule`), ``reviewing`` (:data:`Reviewing`), ``world`` (:data:`ReviewWorld`),
#: ``cost`` [MSEK a review], ``scale_bonus`` [log-odds], ``scale_logit_bonus`` ((n,) the run's effect,
#: changed), ``ties`` (the run's :data:`model.world.lever_ties.LeverTies`), ``tally`` ((2,) int64: reviews
#: so far, and the latest quarter a review's bonus lasts until, changed), ``choosing``
#: (:data:`model.levers.members_kernel.Choosing`: who is reviewed, and what a call's applicants give)
ReviewLever = namedtuple("ReviewLever", ["books", "rng", "rule", "reviewing", "world", "cost", "scale_bonus",
                                         "scale_logit_bonus", "ties", "tally", "choosing"])

#: the fields of :data:`ReviewLever`'s ``tally``
REVIEWS, LAST_UNTIL = 0, 1


@njit(announce=COMPILING, error_model="numpy")
def review_lever_quarter(lever, t):
    """Quarter ``t`` of a peer-review lever, as :meth:`model.levers.peer_review.PeerReview.step` and
    :meth:`model.levers.base.Lever.act` do it in Python, with the same draws and arithmetic: money in
    (:func:`~model.levers.books_kernel.receive`), reviews bought and held (:func:`quarter`), their ties
    taken in at once (:func:`model.world.lever_ties.take_in_written`, as Python's quarter takes them in
    before the dynamics), the bonus where a review's advice lasts, and the year's money lapsing."""
    books, tally = lever.books, lever.tally
    members_kernel.give_back(lever.choosing.taken)  # what a call's applicants gave last quarter
    active = books_kernel.receive(books, t)
    if active:
        units = books_kernel.buy(books, t, lever.cost)
        if units:
            reviewed, cells = quarter(lever.rng, units, t, lever.rule, lever.reviewing, lever.world, lever.choosing)
            if cells.shape[0]:
                lever_ties.take_in_written(lever.ties, cells)
            reviews = reviewed.shape[0]
            if reviews:
                tally[LAST_UNTIL] = t + lever.rule.bonus_quarters
            tally[REVIEWS] += reviews
            books_kernel.use(books, t, reviews * lever.cost, reviewed, reviews)
            books_kernel.refund(books, units - reviews, lever.cost)
    if tally[LAST_UNTIL] > t:  # someone's review still lifts scaling
        decisions_kernel.add_bonus(lever.scale_logit_bonus, lever.reviewing.until, t, lever.scale_bonus)
    books_kernel.lapse(books, t, active)


# compiled in: the tie rule, the target's choice, the stream, the books, the bonus
key_on_sources(globals(), lever_ties, members_kernel, targeting_kernel, streams, books_kernel, decisions_kernel)
