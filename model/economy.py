"""One economy: what a krona buys, at one price list, whoever pays it (issue 20, point 1).

Money reaches an organisation from three payers — its own development money (budget slack, redrawn each
year), lever money (project grants, formula grants) and state money (earmarked grants, a funded mandate, a
crisis) — and buys the same three things at the same prices whoever paid:

===================  =========================================================  ===============================
what it buys         price                                                      source
===================  =========================================================  ===============================
a pilot              the innovation's ``pilot_cost_msek`` a year while it runs,  the scenario's innovations
                     paid each quarter                                          (assumption, per innovation)
a scale-up           ``scale_cost_fixed_msek`` + ``scale_cost_msek_per_10k``    the scenario's innovations
                     per 10 000 inhabitants, in instalments over                (assumption, per innovation)
                     ``scaling_quarters``; then ``operating_cost_share`` of it
                     a year to keep it running
people's time        ``capacity_msek`` per capacity unit and year (project      parameters.py: assumption,
                     staff: temporary development capacity)                     about one full-time post
===================  =========================================================  ===============================

*Who pays first* (:func:`model.dynamics.payments.pay`): money earmarked for that pair (an earmarked state
grant, then a project grant), then the organisation's own money; a cost an event covers is paid by the
state and booked to the event (:func:`model.dynamics.events.book_costs`).

*Flexible money* — money an organisation may spend as it likes: its own development money and formula
grants (``small_actor_grants``) — is split the same way whoever pays: ``flexible_staff_share`` of it buys
people's time at ``capacity_msek``, the rest pays pilots and scale-ups (what small municipalities lack
most is time and people, 000 L4102-4108; the share is an assumption). *Earmarked money* (project grants,
earmarked state grants) pays its named pilot's or scale-up's costs and, for a project grant, the project
staff it names at the same ``capacity_msek``.

The calibrated world's development capacity (``capacity_scale``) already contains the people the
organisations' own money pays for at the level the calibration ran at (:data:`REFERENCE_OWN_MONEY_PER_10K`,
the shipped ``slack_msek_per_10k``): only own money above (or below) that level buys (or loses) people's
time, so the shipped world is the calibrated one, and a krona of own money at the margin does what a krona
of a formula grant does (``tests/test_economy.py``). An organisation keeps at least
:data:`CAPACITY_FLOOR` of its capacity however little money it has (an assumption: statutory work keeps
some development alive).

*Where money binds* is counted by the life cycle (outcomes ``money_waiting_pilot_quarters``,
``money_waiting_adoption_quarters``, ``money_blocked_pilot_starts``) with what each payer spent
(``money_own_msek``, ``money_grant_msek``, ``money_state_grant_msek``, ``money_event_msek``).
"""

from __future__ import annotations

import numpy as np

from .parameters import PARAMETERS

#: [MSEK per year per 10 000 inhabitants] own development money at which the capacity was calibrated: the
#: shipped ``slack_msek_per_10k`` (docs/calibration.md)
REFERENCE_OWN_MONEY_PER_10K = next(p.default for p in PARAMETERS if p.name == "slack_msek_per_10k")
#: [share of calibrated capacity] the least development capacity an organisation keeps when its own money is
#: below the reference (assumption)
CAPACITY_FLOOR = 0.05


def staff_units(msek_per_year, params):
    """Capacity units of people's time ``msek_per_year`` [MSEK/year] (number or array) pays for."""
    return np.asarray(msek_per_year, dtype=float) / params.capacity_msek


def flexible_split(msek, params) -> tuple[np.ndarray, np.ndarray]:
    """Flexible money ``msek`` (number or (n,) array, MSEK for a year) as (MSEK left to pay pilots and
    scale-ups, capacity units of people's time for the year), split by ``flexible_staff_share``."""
    msek = np.asarray(msek, dtype=float)
    share = float(params.flexible_staff_share)
    return msek * (1.0 - share), staff_units(msek * share, params)


def own_money(params, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each organisation's own development money: (mean MSEK a year for pilots and scale-ups, capacity units
    it adds to or takes from the calibrated capacity). ``scale``: (n,) population-equivalent size. Money
    above the reference level is flexible money (:func:`flexible_split`); at the reference both parts are
    the calibrated world's (the money unchanged, no capacity added)."""
    reference = REFERENCE_OWN_MONEY_PER_10K * scale / 1e4
    extra = (params.slack_msek_per_10k - REFERENCE_OWN_MONEY_PER_10K) * scale / 1e4
    money, staff = flexible_split(extra, params)
    return reference + money, staff


def own_staff_bonus(params, scale: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """(n,) capacity units of people's time own money adds to the calibrated development ``capacity`` (or
    takes from it, never below :data:`CAPACITY_FLOOR` of it), a lasting part of the run's capacity bonus
    (:class:`model.effects.Effects`): the organisations' starting state (first pilots and adopters, drawn by
    capacity) is the observed one whatever the money."""
    staff = own_money(params, scale)[1]
    return np.maximum(capacity + staff, CAPACITY_FLOOR * capacity) - capacity


def pilot_cost_per_year(pilot_cost: np.ndarray, fixed_cost_factor: np.ndarray) -> np.ndarray:
    """MSEK a year a pilot costs to run (its innovation's ``pilot_cost_msek``, lowered by call-off contracts
    and shared infrastructure through ``fixed_cost_factor``)."""
    return pilot_cost * fixed_cost_factor


def scale_up_cost(fixed: np.ndarray, per_10k: np.ndarray, scale: np.ndarray,
                  fixed_cost_factor: np.ndarray) -> np.ndarray:
    """MSEK to scale an innovation up: its fixed part (times ``fixed_cost_factor``) and its part per 10 000
    inhabitants (``scale``: population-equivalent size); the same formula as the life cycle's."""
    return fixed * fixed_cost_factor + per_10k * scale / 1e4
