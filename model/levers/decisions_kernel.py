"""Who asks for help as a pilot nears its scale decision, and the bonus that help gives, compiled: the
per-quarter part of :mod:`model.levers.decisions` that change teams (ID 15) and peer reviews (ID 2) run
(issue 21: levers decided in compiled code).

The rules are :func:`model.levers.decisions.near_decision` and the levers' own (their module docstrings);
these kernels do them cell by cell with the same arithmetic, so the results are the same bit for bit
(``tests/levers/test_compiled_levers.py`` checks them against the vectorised rules). They draw no random
numbers, but for :func:`teams_quarter`, which chooses as :meth:`model.levers.targeting.Targeting.choose`
chooses (:func:`model.levers.members_kernel.choose`: in the target's order or by its call), drawing from the
run's lever generator as it draws.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..environment import njit
from ..stages import PILOTING
from . import books_kernel, members_kernel, streams, targeting_kernel
from .streams import generator
from .targeting_kernel import key_on_sources

#: said once per command before this module's kernels are first compiled (not when loaded from the cache)
COMPILING = "the levers' code (first run with change teams or peer review in this environment, about 1 s)"

#: a change-team lever's own arrays, (n,) each: ``until`` int (a team is on site while t < until; changed),
#: ``visited`` bool (changed)
Teams = namedtuple("Teams", ["until", "visited"])

#: what asking reads of the run: ``stage`` (n, k) int8, ``pilot_age`` (n, k) [quarters], ``applicable``
#: (n, k) bool, ``pilot_quarters`` (k,); and ``capacity_bonus`` (n,) [capacity units] (a leaving team's
#: capacity left behind goes there)
Asking = namedtuple("Asking", ["stage", "pilot_age", "applicable", "pilot_quarters", "capacity_bonus"])

#: the lever's rule: ``lead_quarters``, ``stay_quarters`` [quarters], ``repeat_visits``
TeamRule = namedtuple("TeamRule", ["lead_quarters", "stay_quarters", "repeat_visits"])


@njit(announce=COMPILING, error_model="numpy")
def asking_for_team(stage, pilot_age, applicable, pilot_quarters, lead_quarters, until, visited, repeat_visits, t):
    """(n,) bool: who asks for a change team in quarter ``t``: an organisation running a pilot of an
    applicable innovation whose scale decision falls within ``lead_quarters``
    (:func:`model.levers.decisions.near_decision`), with no team now (``until <= t``) and, unless
    ``repeat_visits``, never ``visited``. ``stage`` (n, k) int8, ``pilot_age`` (n, k) [quarters],
    ``pilot_quarters`` (k,) [quarters], ``until`` (n,) [quarter the team leaves], ``visited`` (n,) bool."""
    n, k = stage.shape
    asks = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if until[i] > t or (visited[i] and not repeat_visits):
            continue
        for j in range(k):
            if applicable[i, j] and stage[i, j] == PILOTING:
                if max(pilot_quarters[j] - 1 - np.int64(pilot_age[i, j]), 0) <= lead_quarters:
                    asks[i] = True
                    break
    return asks


@njit(announce=COMPILING, error_model="numpy")
def add_bonus(scale_logit_bonus, until, t, bonus):
    """Add ``bonus`` [log-odds] to ``scale_logit_bonus`` ((n,), in place) where the help still lasts in
    quarter ``t`` (``until`` (n,) > ``t``): a review's advice, a team on site."""
    for i in range(until.shape[0]):
        scale_logit_bonus[i] += bonus if until[i] > t else 0.0


@njit(announce=COMPILING, error_model="numpy")
def teams_quarter(rng, units, t, rule, teams, world, choosing):
    """A quarter's new visits in one call: who asks (:func:`asking_for_team`), up to ``units`` of them as the
    target chooses (``choosing``: :func:`model.levers.members_kernel.choose`, with ``rng``, the run's lever
    generator or its :data:`~model.levers.streams.Stream`), each visited from ``t`` for ``stay_quarters``
    (``teams`` changed). Returns the organisations visited ((c,) int64, in the order chosen)."""
    rng = generator(rng)  # a Stream (streams.stream_of) or the Generator itself
    until, visited = teams
    asks = asking_for_team(world.stage, world.pilot_age, world.applicable, world.pilot_quarters, rule.lead_quarters,
                           until, visited, rule.repeat_visits, t)
    chosen = members_kernel.choose(choosing, asks, units, rng)
    for a in range(chosen.shape[0]):
        until[chosen[a]] = t + rule.stay_quarters
        visited[chosen[a]] = True
    return chosen


#: a change-team lever's whole quarter as the compiled loop runs it (:func:`teams_lever_quarter`):
#: ``books`` (:data:`model.levers.books_kernel.Books`), ``rng`` (the run's lever
#: :data:`~model.levers.streams.Stream`), ``rule`` (:data:`TeamRule`), ``teams`` (:data:`Teams`), ``world``
#: (:data:`Asking`), ``visit_cost`` [MSEK a visit], ``scale_bonus`` [log-odds], ``capacity_left`` [capacity
#: units], ``scale_logit_bonus`` ((n,) the run's effect, changed), ``tally`` ((2,) int64: visits so far, and
#: the latest quarter a team leaves, changed), ``choosing`` (:data:`model.levers.members_kernel.Choosing`: who
#: is visited, and what a call's applicants give)
TeamsLever = namedtuple("TeamsLever", ["books", "rng", "rule", "teams", "world", "visit_cost", "scale_bonus",
                                       "capacity_left", "scale_logit_bonus", "tally", "choosing"])

#: the fields of :data:`TeamsLever`'s ``tally``
VISITS, LAST_UNTIL = 0, 1


@njit(announce=COMPILING, error_model="numpy")
def teams_lever_quarter(lever, t):
    """Quarter ``t`` of a change-team lever, as :meth:`model.levers.change_teams.ChangeTeams.step` and
    :meth:`model.levers.base.Lever.act` do it in Python, with the same draws and arithmetic: money in
    (:func:`~model.levers.books_kernel.receive`), capacity left where a team leaves now, new visits bought
    and made (:func:`teams_quarter`), the bonus where a team is, and the year's money lapsing."""
    books, until, tally = lever.books, lever.teams.until, lever.tally
    members_kernel.give_back(lever.choosing.taken)  # what a call's applicants gave last quarter
    active = books_kernel.receive(books, t)
    if lever.capacity_left > 0 and tally[LAST_UNTIL] >= t:
        leaving = False
        for i in range(until.shape[0]):
            leaving = leaving or until[i] == t
        if leaving:  # where it is not, 0.0 is added, as np.where(leaving, capacity_left, 0.0) adds it
            capacity_bonus = lever.world.capacity_bonus
            for i in range(until.shape[0]):
                capacity_bonus[i] += lever.capacity_left if until[i] == t else 0.0
    if active:
        units = books_kernel.buy(books, t, lever.visit_cost)
        if units:
            chosen = teams_quarter(lever.rng, units, t, lever.rule, lever.teams, lever.world, lever.choosing)
            visits = chosen.shape[0]
            if visits:
                tally[LAST_UNTIL] = t + lever.rule.stay_quarters
            tally[VISITS] += visits
            books_kernel.use(books, t, visits * lever.visit_cost, chosen, visits)
            books_kernel.refund(books, units - visits, lever.visit_cost)
    if tally[LAST_UNTIL] > t:  # a team is somewhere
        add_bonus(lever.scale_logit_bonus, until, t, lever.scale_bonus)
    books_kernel.lapse(books, t, active)


# teams_quarter compiles in the target's choice and the stream, teams_lever_quarter the books
key_on_sources(globals(), members_kernel, targeting_kernel, streams, books_kernel)
