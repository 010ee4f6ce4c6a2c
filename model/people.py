"""People and money inside each organisation: enthusiasts, protectors and budget slack.

Innovation in Swedish public organisations is carried by enthusiasts (*eldsjälar*) and depends on
protectors (*beskyddare*), managers who back them (000 L3158-3168, L3322-3326, L3373-3376). Enthusiasts
arrive (more often in larger organisations) and leave at a per-person rate; leadership can change at every
general election (September, every four years: 2026, 2030, ...) and, less often, in between. Slack is
redrawn with each annual budget (000 L2571-2573; 004 L1592-1597).

All draws come from the model's ``people`` stream, so levers that change no person leave these draws,
and therefore everyone's careers, identical across scenarios (common random numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import InnovationModel

FIRST_ELECTION_YEAR = 2026  # Swedish general elections every four years in September: ... 2022, 2026, 2030 ...
ELECTION_QUARTER = 3


def is_election(year: int, quarter: int) -> bool:
    return quarter == ELECTION_QUARTER and (year - FIRST_ELECTION_YEAR) % 4 == 0


def arrival_rate(model: "InnovationModel") -> np.ndarray:
    """Expected enthusiast arrivals per quarter, per organisation (more in larger organisations)."""
    p = model.params
    return p.enthusiast_arrival_rate * (model.scale / 1e4) ** p.enthusiast_size_elasticity


def initialise(model: "InnovationModel") -> None:
    """Draw the starting enthusiasts (from the stationary distribution), protectors and slack."""
    p, s, rng = model.params, model.state, model.rng_people
    s.arrival_rate = arrival_rate(model)
    stationary = s.arrival_rate / max(p.enthusiast_leave_rate, 1e-3)
    s.enthusiasts = rng.poisson(stationary).astype(np.int32)
    s.protector = rng.random(model.n) < p.protector_share
    s.protector_lost = np.zeros(model.n, dtype=bool)
    s.slack_mean = p.slack_msek_per_10k * model.scale / 1e4
    s.slack = s.slack_mean.copy()


def update(model: "InnovationModel", year: int, quarter: int) -> None:
    """One quarter of arrivals, departures, leadership changes and (in Q1) a new budget."""
    p, s, rng = model.params, model.state, model.rng_people
    arrivals = rng.poisson(s.arrival_rate)
    leavers = rng.binomial(s.enthusiasts, p.enthusiast_leave_rate)
    s.enthusiasts = s.enthusiasts - leavers + arrivals

    change_u, new_u = rng.random((2, model.n))
    change_p = p.protector_change_at_election if is_election(year, quarter) else p.protector_turnover
    changes = change_u < change_p
    had = s.protector
    s.protector = np.where(changes, new_u < p.protector_share, had)
    s.protector_lost = had & ~s.protector

    if quarter == 1:
        slack_u = rng.standard_normal(model.n)
        sigma = p.slack_volatility
        s.slack = s.slack_mean * np.exp(sigma * slack_u - sigma**2 / 2)
