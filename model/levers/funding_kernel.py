"""Grant calls, compiled: the per-quarter work of :mod:`model.levers.funding`'s pilot and scale-up grants.

The rules are the lever's (its module docstring, :class:`model.levers.funding.PilotGrants` and
:class:`~model.levers.funding.ScaleUpGrants`); these kernels apply them pair by pair in the order the
vectorised rules did — who may apply, who applies, the ranking (a stable sort of the applications,
best first), one innovation each (the first largest of its random numbers among its candidates), the
grants in rank order while the round's money lasts, then each quarter the follow-up (project staff lent
while a funded pilot or scale-up runs, the earmarked rest returned when it ends) — with the same
arithmetic, so a run is the same bit for bit (``tests/levers/test_grant_kernels.py`` checks them
against the vectorised rules). A round (:func:`call_round`) draws its numbers inside the kernel from the
run's lever stream (:mod:`model.levers.streams`: the numbers NumPy drew, in the same order) and ranks on
the C library's log (:func:`log_capacity_of`); the lever keeps the ledger, the money carried to the next
round and the own money applications cost (issue 21: a call's Python work was most of what a grant lever
cost).
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING

import numpy as np

from .. import stages
from ..environment import njit
from ..stages import ADOPTED, AWARE, PILOTING, QUARTERS_PER_YEAR
from ..world import lever_ties
from ..world.lever_ties import stable_order
from . import streams, targeting_kernel
from .streams import generator
from .targeting_kernel import free_capacity_of, key_on_sources, loads, log_capacity_of, row_sum

#: said once per command before this module's kernels are first compiled (not when loaded from the cache)
COMPILING = "the levers' code (first run with grants in this environment, about 7 s)"

if TYPE_CHECKING:
    from ..context import RunContext

#: what a call reads and changes of the run (its own arrays, not copies): ``stage`` (n, k) int8,
#: ``pilot_age`` (n, k) int16 [quarters], ``applicable`` (n, k) bool, ``enthusiasts`` (n,) int,
#: ``capacity`` and ``capacity_bonus`` (n,) [capacity units], ``load_factor`` and ``fixed_cost_factor``
#: (n, k), ``funded_start`` (n, k) bool and ``grant_msek`` (n, k) [MSEK] (changed), ``scale`` (n,)
#: [population-equivalent], per innovation (k,) ``pilot_quarters`` [quarters], ``pilot_cost`` [MSEK/year],
#: ``scale_cost_fixed`` [MSEK] and ``scale_cost_per_10k`` [MSEK per 10 000 inhabitants], and ``loads``
#: (:data:`model.levers.targeting_kernel.Loads`: what the free capacity is computed from)
CallRun = namedtuple("CallRun", [
    "stage", "pilot_age", "applicable", "enthusiasts", "capacity", "capacity_bonus", "load_factor",
    "fixed_cost_factor", "funded_start", "grant_msek", "scale", "pilot_quarters", "pilot_cost",
    "scale_cost_fixed", "scale_cost_per_10k", "loads",
])

#: the lever's own record, per pair (n, k) (changed): ``earmarked`` [MSEK it put into the pair's grant],
#: ``staff`` [capacity units of project staff], ``funded`` bool (funded now), ``award_year`` int;
#: ``recipients`` (n,) bool (ever funded)
GrantBook = namedtuple("GrantBook", ["earmarked", "staff", "funded", "award_year", "recipients"])

#: the call's rules: ``scale_up`` (False: pilot grants), ``start_at_once`` (a pilot grant starts its
#: pilot), ``by_need`` (rank the least capacity first, else quality), ``noise`` [log-sd],
#: ``half_capacity`` [capacity units], ``limit`` (organisations funded at most in a round; -1: no limit),
#: ``staff_msek_per_year``, ``max_grant_msek`` [MSEK], ``capacity_msek`` [MSEK per capacity unit and
#: year], ``scaling_quarters`` [quarters a scale-up is implemented]
CallRule = namedtuple("CallRule", [
    "scale_up", "start_at_once", "by_need", "noise", "half_capacity", "limit", "staff_msek_per_year",
    "max_grant_msek", "capacity_msek", "scaling_quarters",
])


#: what the kernels hand back, written into the lever's arrays (made once: a kernel returning an array costs
#: a microsecond for the array alone): ``candidates`` (n, k) bool and ``applicants`` (n,) bool (a round's),
#: ``rows`` (n,) int and ``amounts`` (n,) [MSEK] (its grants, in rank order, the first ones), ``lent`` (n,)
#: [capacity units] (a quarter's project staff), ``returned`` (n x k,) [MSEK] and ``returned_year`` (n x k,)
#: int (the first ones: earmarked money a quarter took back and the year of its grant)
Work = namedtuple("Work", ["candidates", "applicants", "rows", "amounts", "lent", "returned", "returned_year"])


def work(n: int, k: int) -> Work:
    """A :data:`Work` for ``n`` organisations and ``k`` innovations."""
    return Work(np.zeros((n, k), dtype=np.bool_), np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.int64),
                np.zeros(n), np.zeros(n), np.zeros(n * k), np.zeros(n * k, dtype=np.int64))


def call_run(ctx: "RunContext") -> CallRun:
    """This run's :data:`CallRun` (the run's own arrays)."""
    s, e, inn = ctx.state, ctx.effects, ctx.innovations
    return CallRun(s.stage, s.pilot_age, ctx.applicable, s.enthusiasts, s.capacity, e.capacity_bonus,
                   e.load_factor, e.fixed_cost_factor, e.funded_start, e.grant_msek, ctx.scale,
                   inn.pilot_quarters, inn.pilot_cost, inn.scale_cost_fixed, inn.scale_cost_per_10k, loads(ctx))


@njit(announce=COMPILING, error_model="numpy")
def call_round(rng, run, book, rule, pool, overhead_capacity, money, year, taken, out):
    """A round of the call in one compiled call: its draws from ``rng`` (the run's lever generator, as a
    :data:`~model.levers.streams.Stream`) in the order and shapes the lever drew them with NumPy — ``u``
    (n,) who applies, ``z`` (n,) the ranking's noise, ``pick`` (n, k) which candidate —, who applies
    (:func:`applications`), the application's ``overhead_capacity`` [capacity units] taken from each
    applicant for this quarter (from ``run.capacity_bonus``, and added to ``taken``, (n,): what the lever
    gives back next quarter; every organisation's entry written, as the vectorised rule did, none when it
    is 0), and the grants of ``money`` [MSEK] for ``year`` (:func:`awards`), ranked on the log of each
    applicant's development capacity once it has applied (:func:`log_capacity`). Returns
    (the number of applicants, the number of grants); ``out`` holds them as :func:`applications` and
    :func:`awards` write it. (One call for what took three kernels and a dozen NumPy calls, issue 21.)"""
    rng = generator(rng)
    n, k = run.stage.shape
    u = rng.random(n)
    z = rng.standard_normal(n)
    pick = rng.random((n, k))
    applying = applications(run, book, rule, pool, u, out)
    if overhead_capacity > 0:
        capacity_bonus, applicants = run.capacity_bonus, out.applicants
        for i in range(n):
            amount = overhead_capacity if applicants[i] else 0.0
            capacity_bonus[i] -= amount
            taken[i] += amount
    if applying == 0:
        return 0, 0
    idx = np.flatnonzero(out.applicants)
    log_capacity = np.empty(idx.shape[0])
    capacity, capacity_bonus = run.capacity, run.capacity_bonus
    for r in range(idx.shape[0]):
        log_capacity[r] = log_capacity_of(capacity[idx[r]] + capacity_bonus[idx[r]])
    return applying, awards(run, book, rule, idx, log_capacity, z, pick, money, year, out)



@njit(announce=COMPILING, error_model="numpy")
def applications(run, book, rule, pool, u, out):
    """Who may apply and who does, written into ``out`` (a :data:`Work`): ``candidates``, the pairs an
    organisation of ``pool`` ((n,) bool) could apply for (:func:`_candidate`), and ``applicants``, those
    with a candidate and an enthusiast whose draw ``u`` ((n,) uniform) is below ``free / (free +
    half_capacity)`` of their free capacity. Returns the number of applicants."""
    stage, pilot_age, applicable = run.stage, run.pilot_age, run.applicable
    funded_start, pilot_quarters, enthusiasts = run.funded_start, run.pilot_quarters, run.enthusiasts
    funded, scale_up, half = book.funded, rule.scale_up, rule.half_capacity
    candidates, applicants = out.candidates, out.applicants
    free = free_capacity_of(run.capacity, run.capacity_bonus, run.load_factor, run.loads)
    n, k = stage.shape
    count = 0
    for i in range(n):
        has = False
        for j in range(k):
            candidates[i, j] = pool[i] and _candidate(stage[i, j], pilot_age[i, j], pilot_quarters[j],
                                                      applicable[i, j], funded[i, j], funded_start[i, j], scale_up)
            has |= candidates[i, j]
        applicants[i] = False
        if has and enthusiasts[i] > 0:
            f = max(free[i], 0.0)
            applicants[i] = u[i] < f / (f + half)
            count += applicants[i]
    return count


@njit(announce=COMPILING, error_model="numpy")
def _candidate(stage, pilot_age, pilot_quarters, applicable, funded, starting, scale_up):
    """Whether an organisation could apply for an innovation, from the pair's ``stage``, ``pilot_age``,
    whether it is ``applicable``, ``funded`` by the lever and ``starting`` a funded pilot now, and the
    innovation's ``pilot_quarters``: for a pilot grant one it knows of and is not piloting nor already
    funded for; for a scale-up grant one it pilots in the pilot's last two quarters (or prolonged after it
    worked) and is not funded for. (Scalars, not arrays: a helper that takes arrays costs reference counting
    at every call, which made the kernel ten times slower.)"""
    if not applicable or funded:
        return False
    if scale_up:
        return stage == PILOTING and pilot_age + 2 >= pilot_quarters
    return stage == AWARE and not starting


@njit(announce=COMPILING, error_model="numpy")
def awards(run, book, rule, applicants, log_capacity, z, pick, money, year, out):
    """The round's grants: ``applicants`` ((m,) indices, ascending) ranked (:func:`_ranked`, from their
    ``log_capacity`` (m,) and the noise draws ``z`` (n,)), each for one innovation among its candidates
    (``out.candidates``: the first largest of ``pick`` (n, k) uniform), funded in rank order while
    ``money`` [MSEK] lasts (a grant larger than what is left is skipped). A pilot grant pays the pilot's
    running costs (times the fixed-cost factor) and ``staff_msek_per_year`` for its planned length, a
    scale-up grant the scale-up's cost (fixed part times the fixed-cost factor, plus the part per 10 000
    inhabitants) and staff while it is implemented (:func:`_years`), at most ``max_grant_msek``. Each grant
    is booked for ``year``: all but its staff earmarked for the pair (``run.grant_msek``,
    ``book.earmarked``), its staff lent while it runs (``book.staff``, capacity units at ``capacity_msek``
    per unit and year), the pair funded (a pilot grant that starts at once: its pilot starts now), the
    organisation a recipient. Returns their number, m; ``out.rows[:m]`` and ``out.amounts[:m]`` [MSEK]
    are the grants, in rank order. (One loop, no helpers taking the named tuples: each such helper took
    a second to compile.)"""
    order = _ranked(applicants, log_capacity, z, rule.by_need, rule.noise)
    if rule.limit >= 0 and len(order) > rule.limit:
        order = order[: rule.limit]
    scale_up, scaling_quarters, staff_msek_per_year = rule.scale_up, rule.scaling_quarters, rule.staff_msek_per_year
    starts = not rule.scale_up and rule.start_at_once
    candidates, fixed_cost_factor, scale = out.candidates, run.fixed_cost_factor, run.scale
    pilot_quarters, pilot_cost = run.pilot_quarters, run.pilot_cost
    scale_cost_fixed, scale_cost_per_10k = run.scale_cost_fixed, run.scale_cost_per_10k
    k = pick.shape[1]
    won, awarded = 0, 0.0
    for r in range(len(order)):
        i = order[r]
        j, best = 0, pick[i, 0] * (1.0 if candidates[i, 0] else 0.0)  # the first largest of pick x candidates
        for c in range(1, k):
            value = pick[i, c] * (1.0 if candidates[i, c] else 0.0)
            if value > best:
                j, best = c, value
        years = _years(scale_up, scaling_quarters, pilot_quarters[j])
        if scale_up:
            cost = scale_cost_fixed[j] * fixed_cost_factor[i, j] + scale_cost_per_10k[j] * scale[i] / 1e4
        else:
            cost = pilot_cost[j] * fixed_cost_factor[i, j] * years
        staff = staff_msek_per_year * years
        amount = min(cost + staff, rule.max_grant_msek)
        if amount > money - awarded + 1e-9:
            continue
        awarded += amount
        earmark = max(amount - staff, 0.0)
        run.grant_msek[i, j] += earmark
        book.earmarked[i, j] += earmark
        book.staff[i, j] = min(staff, amount) / rule.capacity_msek / years
        book.funded[i, j] = True
        book.award_year[i, j] = year
        if starts:
            run.funded_start[i, j] = True
        book.recipients[i] = True
        out.rows[won], out.amounts[won] = i, amount
        won += 1
    return won


@njit(announce=COMPILING, error_model="numpy")
def _years(scale_up, scaling_quarters, pilot_quarters):
    """Years a grant runs (its staff is paid for): a scale-up's ``scaling_quarters``, a pilot's
    ``pilot_quarters``, at least a quarter."""
    if scale_up:
        return max(scaling_quarters / QUARTERS_PER_YEAR, 0.25)
    return max(pilot_quarters / QUARTERS_PER_YEAR, 0.25)


@njit(announce=COMPILING, error_model="numpy")
def _ranked(applicants, log_capacity, z, by_need, noise):
    """``applicants`` best first: quality ``log_capacity`` (or, by need, its negative) plus ``noise`` x
    their ``z``, sorted stably (equal qualities keep the applicants' order)."""
    m = len(applicants)
    quality = np.empty(m)
    for r in range(m):
        own = -log_capacity[r] if by_need else log_capacity[r]
        quality[r] = own + noise * z[applicants[r]]
    positions = stable_order(-quality)
    ranked = np.empty(m, dtype=np.int64)
    for r in range(m):
        ranked[r] = applicants[positions[r]]
    return ranked


@njit(announce=COMPILING, error_model="numpy")
def follow_up(run, book, rule, taken, out):
    """A quarter's follow-up of the funded pairs: the project staff of those that run (:func:`_running`)
    into ``out.lent`` ((n,) capacity units) and, when any runs, lent for this quarter (added to
    ``run.capacity_bonus``, and taken from ``taken``, (n,): what the lever gives back next quarter, for every
    organisation as the vectorised rule did); a pair ends when it no longer runs, its
    pilot is not starting now and it does not wait for its pilot (a pilot grant not tied to a start, while
    the pilot has not started): it is then no longer funded, and what is left of its grant, up to what this
    lever earmarked, is taken back from ``grant_msek`` unless it was adopted — into ``out.returned`` with
    the year of its grant in ``out.returned_year``, row by row. Returns (whether any funded pair runs,
    the number of amounts taken back, whether any pair is still funded)."""
    stage, pilot_age, funded_start, grant_msek = run.stage, run.pilot_age, run.funded_start, run.grant_msek
    funded, staff, earmarked, award_year = book.funded, book.staff, book.earmarked, book.award_year
    scale_up, waits = rule.scale_up, not rule.scale_up and not rule.start_at_once
    scaling_quarters = int(rule.scaling_quarters)
    lent, returned, returned_year = out.lent, out.returned, out.returned_year
    n, k = stage.shape
    staffed = np.empty(k)
    count, any_running, any_funded = 0, False, False
    for i in range(n):
        row_funded = False
        for j in range(k):
            staffed[j] = 0.0  # (staff x False: staff is finite and at least 0)
            if not funded[i, j]:
                continue
            row_funded = True
            if _running(stage[i, j], pilot_age[i, j], scaling_quarters, scale_up):
                staffed[j] = staff[i, j] * 1.0
                any_running = True
                any_funded = True
            elif funded_start[i, j] or (waits and stage[i, j] == AWARE):
                any_funded = True  # starting now, or waiting for its pilot
            else:  # ended
                funded[i, j] = False
                if stage[i, j] != ADOPTED:
                    back = min(grant_msek[i, j], earmarked[i, j])
                    grant_msek[i, j] -= back
                    returned[count], returned_year[count] = back, award_year[i, j]
                    count += 1
                earmarked[i, j] = 0.0
        lent[i] = row_sum(staffed, 0, k) if row_funded else 0.0
    if any_running:  # Lever.lend_capacity's arithmetic: the negated staff taken (bit for bit)
        capacity_bonus = run.capacity_bonus
        for i in range(n):
            amount = -lent[i]
            capacity_bonus[i] -= amount
            taken[i] += amount
    return any_running, count, any_funded


@njit(announce=COMPILING, error_model="numpy")
def _running(stage, pilot_age, scaling_quarters, scale_up):
    """Whether the pilot (or, for a scale-up grant, the pilot or the scale-up being implemented) of a pair
    in ``stage`` with ``pilot_age`` runs."""
    return stage == PILOTING or (scale_up and stage == ADOPTED and pilot_age < scaling_quarters)


# compiled in: free capacity, the stages' codes, the lever stream
key_on_sources(globals(), targeting_kernel, stages, streams, lever_ties)  # lever_ties: the stable order
