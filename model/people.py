"""People and money inside each organisation: enthusiasts, protectors and budget slack.

Innovation in Swedish public organisations is carried by enthusiasts (*eldsjälar*) and depends on
protectors (*beskyddare*), managers who back them (000 L3158-3168, L3322-3326, L3373-3376). Enthusiasts
arrive (more often in larger organisations) and leave at a per-person rate; leadership can change at every
general election (September, every four years: 2026, 2030, ...) and, less often, in between. Slack is
redrawn with each annual budget (000 L2571-2573; 004 L1592-1597) and is spent down during the year by the
pilots and scale-ups an organisation starts (:mod:`model.lifecycle`).

Random numbers: every quarter takes exactly three uniforms per organisation (arrivals, departures,
leadership) and every year one normal (slack), drawn for the whole run at once
from the model's ``people`` stream. Arrivals and departures are the Poisson and binomial quantiles of
their uniforms, so the number of draws never depends on the state and a lever that changed someone's
enthusiasts would shift no one else's career: scenarios share people exactly (common random numbers).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

if TYPE_CHECKING:
    from .model import InnovationModel

FIRST_ELECTION_YEAR = 2026  # Swedish general elections every four years in September: ... 2022, 2026, 2030 ...
ELECTION_QUARTER = 3
UNIFORMS_PER_QUARTER = 3  # arrivals, departures, leadership


def is_election(year, quarter):
    """Whether a quarter has a general election (numbers or arrays of years and quarters)."""
    return (quarter == ELECTION_QUARTER) & ((year - FIRST_ELECTION_YEAR) % 4 == 0)


def arrival_rate(model: "InnovationModel") -> np.ndarray:
    """Expected enthusiast arrivals per quarter, per organisation (more in larger organisations)."""
    p = model.params
    return p.enthusiast_arrival_rate * (model.scale / 1e4) ** p.enthusiast_size_elasticity


def initialise(model: "InnovationModel") -> None:
    """Draw the starting enthusiasts (from the stationary distribution), protectors and slack, and the
    uniforms and normals of every quarter; then start the first quarter."""
    p, s, rng = model.params, model.state, model.rng_people
    s.arrival_rate = arrival_rate(model)
    s.no_arrival = np.exp(-s.arrival_rate)  # P(no arrival in a quarter): the Poisson quantile's first term
    stationary = s.arrival_rate / max(p.enthusiast_leave_rate, 1e-3)
    s.enthusiasts = rng.poisson(stationary).astype(np.int32)
    s.protector = rng.random(model.n) < p.protector_share
    s.protector_lost = np.zeros(model.n, dtype=bool)
    s.slack_mean = p.slack_msek_per_10k * model.scale / 1e4
    s.slack = s.slack_mean.copy()
    s.money_left = s.slack.copy()
    model.people_uniforms = rng.random((model.n_steps, UNIFORMS_PER_QUARTER, model.n))
    model.slack_normals = rng.standard_normal((model.n_steps // 4 + 1, model.n))
    year, quarter = model.year_quarter(np.arange(model.n_steps))
    model.protector_change = np.where(is_election(year, quarter), p.protector_change_at_election,
                                      p.protector_turnover)
    model.new_budget = quarter == 1  # each Q1 the year's budget redraws slack
    start_quarter(model, 0)


def start_quarter(model: "InnovationModel", t: int) -> None:
    """Arrivals, departures, leadership changes and (in Q1) a new budget at the start of quarter ``t``
    (the compiled quarter loop, :mod:`model.quarters`, does the same for every later quarter)."""
    p, s = model.params, model.state
    _update(s.enthusiasts, s.protector, s.protector_lost, s.slack, s.money_left, s.arrival_rate, s.no_arrival,
            s.slack_mean, model.people_uniforms[t], model.slack_normals[t // 4], model.new_budget[t],
            p.enthusiast_leave_rate, model.protector_change[t], p.protector_share, p.slack_volatility)


@njit(cache=True, error_model="numpy")
def _update(enthusiasts, protector, protector_lost, slack, money_left, arrival_rate, no_arrival, slack_mean,
            u, z, new_budget, leave_rate, change_p, protector_share, sigma):
    for i in range(enthusiasts.shape[0]):
        leavers = binomial_quantile(u[1, i], enthusiasts[i], leave_rate)
        enthusiasts[i] += poisson_quantile(u[0, i], arrival_rate[i], no_arrival[i]) - leavers
        had = protector[i]
        if u[2, i] < change_p:  # new leadership; given a change, u / change_p is again uniform
            protector[i] = u[2, i] < change_p * protector_share
        protector_lost[i] = had and not protector[i]
        if new_budget:  # a new year's budget: fresh slack, and last year's unspent money is gone
            slack[i] = slack_mean[i] * math.exp(sigma * z[i] - sigma * sigma / 2.0)
            money_left[i] = slack[i]


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
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
