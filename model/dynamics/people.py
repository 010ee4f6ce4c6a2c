"""People and money inside each organisation: enthusiasts, protectors and budget slack.

Innovation in Swedish public organisations is carried by enthusiasts (*eldsjälar*) and depends on
protectors (*beskyddare*), managers who back them (000 L3158-3168, L3322-3326, L3373-3376). Enthusiasts
arrive (more often in larger organisations) and leave at a per-person rate; each pilot's champion is one of
them, so the number who left this quarter (``leavers``, out of ``previous``) is what the life cycle needs
to know whether a champion has gone. The leadership of municipalities and regions can change at every
general election (September, every four years: 2026, 2030, ...) and, less often, in between; agencies'
directors-general are appointed by the government, so theirs changes at the between-elections rate in any
quarter. A new leadership — a new majority after an election, a new manager — reprioritises running pilots
for ``reprioritise_quarters`` quarters (it acts through the next annual budget). Slack is redrawn with each annual budget (000 L2571-2573; 004 L1592-1597)
and is spent during the year on pilots, scale-ups and running costs (:mod:`model.dynamics.lifecycle`).

Random numbers: every quarter takes exactly three uniforms per organisation (arrivals, departures,
leadership) and every year one normal (slack), drawn for the whole run at once
from the model's ``people`` stream. Arrivals and departures are the Poisson and binomial quantiles of
their uniforms, so the number of draws never depends on the state and a lever that changed someone's
enthusiasts would shift no one else's career: scenarios share people exactly (common random numbers).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from ..environment import njit

from .. import economy
from ..context import PeopleSchedule, State
from ..stages import QUARTERS_PER_YEAR

FIRST_ELECTION_YEAR = 2026  # Swedish general elections every four years in September: ... 2022, 2026, 2030 ...
ELECTION_QUARTER = 3
ELECTION_YEARS = 4  # years from one general election to the next
UNIFORMS_PER_QUARTER = 3  # arrivals, departures, leadership

#: the people and money of every organisation, passed to the compiled kernels as one named tuple of (n,)
#: arrays (views of the run's :class:`~model.context.State`, changed in place)
PeopleArrays = namedtuple("PeopleArrays", [
    "enthusiasts", "protector", "protector_lost", "slack", "money_left", "arrival_rate", "no_arrival",
    "slack_mean", "leavers", "previous", "reprioritise", "elected",
])
#: the parameters the people kernel reads, and the run's :data:`QuantileTables`
PeopleRates = namedtuple("PeopleRates", ["enthusiast_leave_rate", "protector_share", "slack_volatility",
                                         "protector_turnover", "reprioritise_quarters", "tables"])
#: the first cumulative probabilities of the quantiles the people kernel draws, computed once a run (when
#: first asked for) exactly as :func:`poisson_quantile` and :func:`binomial_quantile` compute them every
#: time, so a quantile is a count of the ones below the uniform instead of a loop of divisions (they were
#: most of the kernel's time) with the same result, bit for bit: ``arrivals`` (n, ARRIVAL_TERMS) per
#: organisation (its arrival rate is the run's), ``leavers`` (LEAVER_ROWS, LEAVER_TERMS) per number of
#: enthusiasts (for the run's leave rate); ``*_ready`` ((n,), (LEAVER_ROWS,) int8) say whether a row is
#: computed (1), not yet (0) or left to the loop (-1: its probabilities end inside the row)
QuantileTables = namedtuple("QuantileTables", ["arrivals", "arrivals_ready", "leavers", "leavers_ready"])
ARRIVAL_TERMS = 8  # arrivals 0-7 a quarter cover all but the largest organisations' (more: the loop)
LEAVER_TERMS = 16  # leavers 0-15 a quarter: all but the largest organisations'
LEAVER_ROWS = 512  # enthusiasts (the largest organisations' stationary count is about 300)


def is_election(year, quarter):
    """Whether a quarter has a general election (numbers or arrays of years and quarters)."""
    return (quarter == ELECTION_QUARTER) & ((year - FIRST_ELECTION_YEAR) % ELECTION_YEARS == 0)


def arrival_rate(params, scale: np.ndarray) -> np.ndarray:
    """Expected enthusiast arrivals per quarter, per organisation (more in larger organisations);
    ``scale`` is the (n,) population-equivalent size."""
    return params.enthusiast_arrival_rate * (scale / 1e4) ** params.enthusiast_size_elasticity


def arrays(state: State) -> PeopleArrays:
    """The people fields of ``state`` as the kernels' named tuple (the same arrays, not copies)."""
    return PeopleArrays(*(getattr(state, name) for name in PeopleArrays._fields))


def rates(params, n: int) -> PeopleRates:
    """The people kernel's parameters from the model parameters, with empty :data:`QuantileTables` for
    ``n`` organisations."""
    tables = QuantileTables(np.empty((n, ARRIVAL_TERMS)), np.zeros(n, dtype=np.int8),
                            np.empty((LEAVER_ROWS, LEAVER_TERMS)), np.zeros(LEAVER_ROWS, dtype=np.int8))
    return PeopleRates(*(float(getattr(params, name)) for name in PeopleRates._fields[:-1]), tables)


def initialise(state: State, params, scale: np.ndarray, calendar, rng: np.random.Generator,
               elected: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, PeopleSchedule]:
    """Draw the starting enthusiasts (from the stationary distribution), protectors and slack into
    ``state``; return the uniforms of every quarter (steps, 3, n), the normals of every budget year
    (years + 1, n) and the schedule of leadership changes and budgets. The first quarter is not started
    here (:func:`start_quarter`). ``elected``: (n,) bool, whose leadership follows the election calendar
    (default: everyone)."""
    n, steps = len(scale), calendar.n_steps
    state.arrival_rate = arrival_rate(params, scale)
    state.no_arrival = np.exp(-state.arrival_rate)  # P(no arrival in a quarter): the Poisson quantile's first term
    stationary = state.arrival_rate / max(params.enthusiast_leave_rate, 1e-3)
    state.enthusiasts = rng.poisson(stationary).astype(np.int32)
    state.protector = rng.random(n) < params.protector_share
    state.protector_lost = np.zeros(n, dtype=bool)
    state.leavers = np.zeros(n, dtype=np.int32)
    state.previous = state.enthusiasts.copy()
    state.reprioritise = np.zeros(n, dtype=np.int32)
    state.elected = np.ones(n, dtype=bool) if elected is None else np.asarray(elected, dtype=bool)
    # own money above the calibrated level is flexible money: this part pays pilots and scale-ups, the rest
    # buys people's time (model.economy.own_staff_bonus)
    state.slack_mean = economy.own_money(params, scale)[0]
    state.slack = state.slack_mean.copy()
    state.money_left = state.slack.copy()
    uniforms = rng.random((steps, UNIFORMS_PER_QUARTER, n))
    normals = rng.standard_normal((steps // QUARTERS_PER_YEAR + 1, n))
    year, quarter = calendar.year_quarter(np.arange(steps))
    schedule = PeopleSchedule(
        protector_change=np.where(is_election(year, quarter), params.protector_change_at_election,
                                  params.protector_turnover),
        new_budget=quarter == 1,  # each Q1 the year's budget redraws slack
    )
    return uniforms, normals, schedule


def start_quarter(state: State, params, draws, schedule: PeopleSchedule, t: int) -> None:
    """Arrivals, departures, leadership changes and (in Q1) a new budget at the start of quarter ``t``
    (the compiled quarter loop, :mod:`model.dynamics.quarters`, does the same for every later quarter)."""
    _update(arrays(state), rates(params, len(state.enthusiasts)), draws.people[t],
            draws.slack[t // QUARTERS_PER_YEAR],
            schedule.new_budget[t], schedule.protector_change[t])


@njit(error_model="numpy", no_cfunc_wrapper=True)
def _update(people, rates, u, z, new_budget, change_p):
    """One quarter of people and money for every organisation, in place (``u``: (3, n) uniforms, ``z``:
    (n,) normals of the budget year; ``change_p``: the chance of new leadership this quarter for those
    elected, the others' is ``protector_turnover``)."""
    enthusiasts, protector, protector_lost = people.enthusiasts, people.protector, people.protector_lost
    slack, money_left, slack_mean = people.slack, people.money_left, people.slack_mean
    arrival_rate, no_arrival = people.arrival_rate, people.no_arrival
    leavers, previous, reprioritise, elected = people.leavers, people.previous, people.reprioritise, people.elected
    leave_rate, protector_share, sigma = rates.enthusiast_leave_rate, rates.protector_share, rates.slack_volatility
    # unpacked once: an array read from a named tuple in the loop costs a reference count at every read
    arrivals, arrivals_ready, leaver_table, leavers_ready = rates.tables
    for i in range(enthusiasts.shape[0]):
        previous[i] = enthusiasts[i]
        leavers[i] = leaver_quantile(u[1, i], enthusiasts[i], leave_rate, leaver_table, leavers_ready)
        enthusiasts[i] += arrival_quantile(u[0, i], i, arrival_rate[i], no_arrival[i], arrivals,
                                           arrivals_ready) - leavers[i]
        had = protector[i]
        c = change_p if elected[i] else rates.protector_turnover
        if reprioritise[i] > 0:
            reprioritise[i] -= 1
        if u[2, i] < c:  # new leadership; given a change, u / c is again uniform
            protector[i] = u[2, i] < c * protector_share
            reprioritise[i] = rates.reprioritise_quarters  # a new leadership reprioritises running pilots
        protector_lost[i] = had and not protector[i]
        if new_budget:  # a new year's budget: fresh slack, and last year's unspent money is gone
            slack[i] = slack_mean[i] * math.exp(sigma * z[i] - sigma * sigma / 2.0)
            money_left[i] = slack[i]


@njit(error_model="numpy", no_cfunc_wrapper=True)
def poisson_quantile(u, lam, p0):
    """The Poisson(``lam``) quantile of uniform ``u``: the smallest x with P(X <= x) >= u
    (``p0 = exp(-lam)``, passed in because it is the same every quarter)."""
    if lam <= 0.0:
        return 0
    term = p0
    cdf, x = term, 0
    while u > cdf and x < 10_000:
        x += 1
        term *= lam / x
        cdf += term
        if term < 1e-300 and x > lam:  # numerically at the end of the tail
            break
    return x


@njit(error_model="numpy", no_cfunc_wrapper=True)
def binomial_quantile(u, n, p):
    """The Binomial(``n``, ``p``) quantile of uniform ``u``."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    q = 1.0 - p
    term = q ** n
    cdf, x = term, 0
    while u > cdf and x < n:
        term *= (n - x) / (x + 1) * p / q
        x += 1
        cdf += term
    return x


@njit(error_model="numpy", no_cfunc_wrapper=True, inline="always")
def arrival_quantile(u, i, lam, p0, table, ready):
    """:func:`poisson_quantile` of ``u``, ``lam``, ``p0`` for organisation ``i`` (whose arrival rate ``lam``
    is the same all run), read from its row of the ``arrivals`` of :data:`QuantileTables` (``table``,
    ``ready``)."""
    if ready[i] == 0:
        ready[i] = _poisson_row(table[i], lam, p0)
    if ready[i] > 0:
        x = _below(u, table, i)
        if x < table.shape[1]:
            return x
    return poisson_quantile(u, lam, p0)


@njit(error_model="numpy", no_cfunc_wrapper=True, inline="always")
def leaver_quantile(u, n, p, table, ready):
    """:func:`binomial_quantile` of ``u``, ``n``, ``p`` (the same all run), read from row ``n`` of the
    ``leavers`` of :data:`QuantileTables` (``table``, ``ready``)."""
    if n > 0 and 0.0 < p < 1.0 and n < table.shape[0]:
        if ready[n] == 0:
            ready[n] = _binomial_row(table[n], n, p)
        x = min(_below(u, table, n), n)  # never more than n leave (the loop's bound)
        if x < table.shape[1]:
            return x
    return binomial_quantile(u, n, p)


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _below(u, table, row):
    """How many of the nondecreasing ``table[row]`` are below ``u``: the quantile, if less than all (a
    count without branches: which way a loop of comparisons ends is a coin toss for the processor)."""
    x = 0
    for m in range(table.shape[1]):
        x += u > table[row, m]
    return x


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _poisson_row(row, lam, p0):
    """Fill ``row`` with the Poisson(``lam``) cumulative probabilities of 0, 1, ... by
    :func:`poisson_quantile`'s steps; 1, or -1 where that loop's tail test or lam <= 0 would end it in the
    row (such a row is left to the loop)."""
    if lam <= 0.0:
        return -1
    term = p0
    cdf = term
    row[0] = cdf
    for x in range(1, row.shape[0]):
        term *= lam / x
        cdf += term
        row[x] = cdf
        if term < 1e-300 and x > lam:
            return -1
    return 1


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _binomial_row(row, n, p):
    """Fill ``row`` with the Binomial(``n``, ``p``) cumulative probabilities of 0, 1, ... by
    :func:`binomial_quantile`'s steps (past n: infinity, never below a uniform); returns 1."""
    q = 1.0 - p
    term = q ** n
    cdf = term
    row[0] = cdf
    for x in range(row.shape[0] - 1):
        if x < n:
            term *= (n - x) / (x + 1) * p / q
            cdf += term
            row[x + 1] = cdf
        else:
            row[x + 1] = np.inf
    return 1
