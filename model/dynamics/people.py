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
#: the parameters the people kernel reads
PeopleRates = namedtuple("PeopleRates", ["enthusiast_leave_rate", "protector_share", "slack_volatility",
                                         "protector_turnover", "reprioritise_quarters"])


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


def rates(params) -> PeopleRates:
    """The people kernel's parameters from the model parameters."""
    return PeopleRates(*(float(getattr(params, name)) for name in PeopleRates._fields))


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
    _update(arrays(state), rates(params), draws.people[t], draws.slack[t // QUARTERS_PER_YEAR],
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
    for i in range(enthusiasts.shape[0]):
        previous[i] = enthusiasts[i]
        leavers[i] = binomial_quantile(u[1, i], enthusiasts[i], leave_rate)
        enthusiasts[i] += poisson_quantile(u[0, i], arrival_rate[i], no_arrival[i]) - leavers[i]
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
