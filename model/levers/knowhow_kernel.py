"""Know-how and skills acting and fading, compiled: the per-quarter part of :mod:`model.levers.knowhow`.

Training networks (skills, (n,)), learning networks and job shadowing (know-how, (n, k)) each quarter lower
the effort of the development work their holders do and then let what they hold fade — also every quarter
after their programme ends, for as long as anything is left (issue 21: those quarters are run one at a
time, so their Python work was most of what a lever cost then). The rules are
:func:`model.levers.knowhow.developing`, :func:`~model.levers.knowhow.act` and
:func:`~model.levers.knowhow.in_practice`; the kernels below do the same arithmetic cell by cell in the
same order (``1 - cut x level``, then one multiplication; ``level x (1 - fade)``), so the results are the
same bit for bit (checked against the vectorised rules in ``tests/levers/test_fading.py``). They draw no
random numbers.

Each lever's whole quarter is one call here too (:func:`train`, :func:`network_quarter`,
:func:`hosts_quarter`: issue 21, levers decided in compiled code), checked against the levers' previous
NumPy rules in ``tests/levers/test_compiled_levers.py``. They call the kernels above, so they live in this
file: numba keys a kernel's cache on its own file, and a kernel compiled with a callee from another file
would keep a stale copy of it when only that file changed — the one such callee, the free capacity
(:func:`model.levers.targeting_kernel.free_capacity_of`, for :func:`train`), is why this file's caches are
keyed on that file too (:func:`~model.levers.targeting_kernel.key_on_sources`).
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING

import numpy as np

from ..environment import njit
from ..stages import ADOPTED, AWARE, PILOTING
from . import books_kernel, capacity_kernel, members_kernel, streams, targeting_kernel
from .targeting_kernel import free_capacity_of, key_on_sources

#: said once per command before this module's kernels are first compiled (not when loaded from the cache)
COMPILING = "the levers' code (first run with training, learning networks or job shadowing in this environment, about 2 s)"

if TYPE_CHECKING:
    from ..context import RunContext

#: the state that says which pairs are development work (:func:`model.levers.knowhow.developing`):
#: ``stage`` (n, k) int8, ``pilot_age`` (n, k) int16 [quarters], ``applicable`` (n, k) bool,
#: ``scaling_quarters`` int [quarters a scale-up is implemented]
Development = namedtuple("Development", ["stage", "pilot_age", "applicable", "scaling_quarters"])


def development(ctx: "RunContext") -> Development:
    """This run's :data:`Development` (the state's own arrays, not copies), made once per run
    (``ctx.run_views``: levers ask for it every quarter)."""
    found = ctx.run_views.get("development")
    if found is None:
        s = ctx.state
        found = ctx.run_views["development"] = Development(s.stage, s.pilot_age, ctx.applicable,
                                                           int(ctx.params.scaling_quarters))
    return found


@njit(announce=COMPILING, error_model="numpy")
def _developing(stage, pilot_age, applicable, scaling_quarters, i, j):
    """Whether organisation ``i``'s work on innovation ``j`` is development work (see the module).

    Takes the arrays, not the named tuple: reading an array out of a named tuple inside a loop costs a
    reference count up and down each time, which made these kernels ten times slower (issue 21)."""
    if not applicable[i, j]:
        return False
    s = stage[i, j]
    return s == AWARE or s == PILOTING or (s == ADOPTED and pilot_age[i, j] < scaling_quarters)


@njit(announce=COMPILING, error_model="numpy")
def know_and_forget(load_factor, knowhow, dev, cut, forget, gone):
    """One quarter of know-how ``knowhow`` ((n, k) 0-1, in place): where it is held and the pair is
    development work, ``load_factor`` ((n, k), in place) is multiplied by ``1 - cut x knowhow``; then it
    fades by a share ``forget`` and what is at most ``gone`` is set to 0."""
    n, k = knowhow.shape
    stage, pilot_age, applicable, scaling_quarters = dev.stage, dev.pilot_age, dev.applicable, dev.scaling_quarters
    keep = 1.0 - forget
    for i in range(n):
        for j in range(k):
            level = knowhow[i, j]
            if level > 0.0 and cut > 0.0 and _developing(stage, pilot_age, applicable, scaling_quarters, i, j):
                load_factor[i, j] *= 1.0 - cut * level
            level *= keep
            knowhow[i, j] = 0.0 if level <= gone else level


@njit(announce=COMPILING, error_model="numpy")
def use_and_fade(load_factor, skill, taking_part, dev, cut, fade_when_used, fade_per_quarter, gone):
    """One quarter of skills ``skill`` ((n,) 0-1, in place): they ease development work as
    :func:`know_and_forget` does, then fade by ``fade_when_used`` where in use (the organisation runs a
    pilot or implements a scale-up) or ``taking_part`` ((n,) bool), else by ``fade_per_quarter``; at most
    ``gone`` is 0. Returns (organisations with skill above ``gone`` before fading, of which in use)."""
    n, k = load_factor.shape
    stage, pilot_age, applicable, scaling_quarters = dev.stage, dev.pilot_age, dev.applicable, dev.scaling_quarters
    skilled = 0
    used_skilled = 0
    for i in range(n):
        level = skill[i]
        used = False
        for j in range(k):
            if _developing(stage, pilot_age, applicable, scaling_quarters, i, j):
                if level > 0.0 and cut > 0.0:
                    load_factor[i, j] *= 1.0 - cut * level
                if stage[i, j] != AWARE:
                    used = True
        if level > gone:
            skilled += 1
            if used:
                used_skilled += 1
        fade = fade_when_used if used or taking_part[i] else fade_per_quarter
        level *= 1.0 - fade
        skill[i] = 0.0 if level <= gone else level
    return skilled, used_skilled


@njit(announce=COMPILING, error_model="numpy")
def learn_in_groups(knowhow, group, groups, dev, rate, gone):
    """One quarter of learning in groups (the rule of :mod:`model.levers.knowhow`): each organisation in a group
    (``group`` (n,) its group, -1: none; ``groups`` groups made) moves its know-how ``knowhow`` ((n, k), in
    place) towards 1 by ``1 - (1 - rate) ** peers`` of the gap, ``peers`` being the other members of its
    group that run a pilot of the innovation or have adopted it (counted for applicable innovations only).
    Returns (members in a group, of which had a peer who had done something they still lacked, know-how
    below ``1 - gone``)."""
    n, k = knowhow.shape
    stage, applicable = dev.stage, dev.applicable
    done = np.zeros((groups, k))
    members = 0
    for i in range(n):
        if group[i] >= 0:
            members += 1
            for j in range(k):
                if _experienced(stage, applicable, i, j):
                    done[group[i], j] += 1.0
    taught = 0
    keep = 1.0 - rate
    lacking = 1.0 - gone
    # keep ** peers for every count of peers there can be, each the same power a cell would compute (peers is
    # a whole number): a power per member and innovation was most of a network's quarter
    most = 0
    for g in range(groups):
        for j in range(k):
            most = max(most, int(done[g, j]))
    powers = np.empty(most + 1)
    for count in range(most + 1):
        powers[count] = keep ** float(count)
    for i in range(n):
        if group[i] < 0:
            continue
        was_taught = False
        for j in range(k):
            own = 1.0 if _experienced(stage, applicable, i, j) else 0.0
            peers = (done[group[i], j] - own) * (1.0 if applicable[i, j] else 0.0)
            level = knowhow[i, j]
            if peers > 0.0 and level < lacking:
                was_taught = True
            knowhow[i, j] = level + (1.0 - powers[int(peers)]) * (1.0 - level)
        if was_taught:
            taught += 1
    return members, taught


@njit(announce=COMPILING, error_model="numpy")
def learn_from_senders(knowhow, placed, sender_of, dev, rate, gone):
    """One quarter of hosts learning from the organisations that sent them staff
    (the rule of :mod:`model.levers.knowhow` with one partner): a host ``placed`` ((n,) bool) moves its know-how
    ``knowhow`` ((n, k), in place) towards 1 by ``rate`` of the gap for each applicable innovation its
    sender (``sender_of`` (n,)) runs a pilot of or has adopted. Returns (hosts placed, of which had
    something to learn: know-how below ``1 - gone`` of such an innovation)."""
    n, k = knowhow.shape
    stage, applicable = dev.stage, dev.applicable
    hosts = 0
    taught = 0
    lacking = 1.0 - gone
    share = 1.0 - (1.0 - rate)  # one experienced partner: 1 - (1 - rate) ** 1, as the vectorised rule has it
    for i in range(n):
        if not placed[i]:
            continue
        hosts += 1
        was_taught = False
        for j in range(k):
            if applicable[i, j] and _experienced(stage, applicable, sender_of[i], j):
                level = knowhow[i, j]
                if level < lacking:
                    was_taught = True
                if rate > 0.0:
                    knowhow[i, j] = level + share * (1.0 - level)
        if was_taught:
            taught += 1
    return hosts, taught


@njit(announce=COMPILING, error_model="numpy")
def _experienced(stage, applicable, i, j):
    """Whether organisation ``i`` runs a pilot of innovation ``j`` or has adopted it (it has done it)."""
    s = stage[i, j]
    return applicable[i, j] and (s == PILOTING or s == ADOPTED)


@njit(announce=COMPILING, error_model="numpy")
def train(load_factor, skill, members, capacity_of, taking_part_now, time_cost, dev, cut, fade_when_used,
          fade_per_quarter, gain, gone, quarters_member, quarters_taken_part, cost):
    """One quarter of a training network (:mod:`model.levers.training_networks`): while
    ``taking_part_now`` (active, with members), the ``members`` ((n,) bool) whose free capacity (before this
    quarter's skills act: :func:`model.levers.targeting_kernel.free_capacity_of` of ``capacity_of``, a
    :data:`~model.levers.targeting_kernel.CapacityArrays`, computed here rather than in a call of its own)
    is at least ``time_cost`` take part; skills ``skill`` ((n,) 0-1, in
    place) act and fade (:func:`use_and_fade`, with those taking part in use); then those taking part gain
    ``gain`` of the gap to 1. Counts member-quarters and quarters taken part ((n,) int, in place), and
    writes ``cost`` ((n,)): ``time_cost`` for those taking part, else 0. Returns (organisations skilled, of
    which in use, organisations taking part)."""
    n = skill.shape[0]
    part = np.zeros(n, dtype=np.bool_)
    if taking_part_now:
        capacity, capacity_bonus, held_by = capacity_of
        free = free_capacity_of(capacity, capacity_bonus, load_factor, held_by)
        for i in range(n):
            part[i] = members[i] and free[i] >= time_cost
            quarters_member[i] += 1 if members[i] else 0
    skilled, used = use_and_fade(load_factor, skill, part, dev, cut, fade_when_used, fade_per_quarter, gone)
    taking = 0
    for i in range(n):
        cost[i] = time_cost if part[i] else 0.0
        if part[i]:
            skill[i] = skill[i] + gain * (1.0 - skill[i])
            quarters_taken_part[i] += 1
            taking += 1
    return skilled, used, taking


@njit(announce=COMPILING, error_model="numpy")
def network_quarter(load_factor, knowhow, group, groups, dev, cut, forget, rate, gone, learning, members, acting,
                    tie_strength, tie_factor, p_external_boost, external_boost):
    """One quarter of a learning network (:mod:`model.levers.learning_networks`): know-how ``knowhow`` ((n, k)
    0-1, in place) acts and fades (:func:`know_and_forget`); while ``learning``, members learn from their
    group's peers (:func:`learn_in_groups`, ``group`` (n,), ``groups`` made); while ``acting``, each of the
    ``members`` ((n,) bool) has its ``tie_strength`` ((n,), in place) multiplied by ``tie_factor`` and
    ``external_boost`` added to its ``p_external_boost`` ((n,), in place). Returns (members in a group, of
    which taught, members)."""
    know_and_forget(load_factor, knowhow, dev, cut, forget, gone)
    in_group, taught = 0, 0
    if learning:
        in_group, taught = learn_in_groups(knowhow, group, groups, dev, rate, gone)
    count = 0
    if acting:
        for i in range(members.shape[0]):
            if members[i]:
                tie_strength[i] *= tie_factor
                p_external_boost[i] += external_boost
                count += 1
    return in_group, taught, count


@njit(announce=COMPILING, error_model="numpy")
def hosts_quarter(load_factor, knowhow, host_until, sender_of, t, dev, cut, forget, learn, gone, host_cost,
                  sender_cost, ending_hosts, ending_senders, cost):
    """One quarter ``t`` of job shadowing (:mod:`model.levers.job_shadowing`), after this quarter's placements
    are made (who is placed with whom is drawn in Python: a few draws a quarter, and handing numba the
    generator costs more than they do, about 15 µs a call).

    - Placements ending now (``host_until == t``): their hosts and senders are written to ``ending_hosts``
      and ``ending_senders`` ((n,) int, the first ``ended`` entries, hosts in index order) for the lasting
      tie, and the host's ``sender_of`` is cleared (-1).
    - Know-how ``knowhow`` ((n, k) 0-1, in place) eases development work and fades
      (:func:`know_and_forget`), then hosts placed now (``host_until > t``)
      learn from their senders (:func:`learn_from_senders`).
    - ``cost`` ((n,), written) is the capacity taking part takes this quarter: ``host_cost`` for each host
      placed now, plus ``sender_cost`` for its sender.

    Returns (ended, hosts placed, of which taught, whether any cost)."""
    n = host_until.shape[0]
    ended = 0
    for i in range(n):
        if host_until[i] == t:
            ending_hosts[ended] = i
            ending_senders[ended] = sender_of[i]
            sender_of[i] = -1
            ended += 1
    know_and_forget(load_factor, knowhow, dev, cut, forget, gone)
    placed_now = host_until > t
    hosts, taught = learn_from_senders(knowhow, placed_now, sender_of, dev, learn, gone)
    any_cost = False
    for i in range(n):
        cost[i] = host_cost if placed_now[i] else 0.0
    for i in range(n):
        if placed_now[i]:
            cost[sender_of[i]] += sender_cost
    for i in range(n):
        if cost[i] != 0.0:
            any_cost = True
    return ended, hosts, taught, any_cost


#: a training network's whole quarter as the compiled loop runs it (:func:`training_lever_quarter`): ``books``
#: (:data:`model.levers.books_kernel.Books`), ``rng`` (the run's lever :data:`~model.levers.streams.Stream`),
#: ``membership`` (:data:`model.levers.members_kernel.Membership`), ``taken`` (the capacity taking part
#: takes: :data:`model.levers.members_kernel.Taken`), and :func:`train`'s arguments beside them: the run's
#: ``load_factor`` (n, k), ``skill`` (n,), ``capacity_of``, ``time_cost``, ``dev``, ``cut``,
#: ``fade_when_used``, ``fade_per_quarter``, ``gain``, ``gone``, ``quarters_member``, ``quarters_taken_part``
#: and ``cost`` (n,); ``tally`` ((2,) int64: organisation-quarters skilled, of which in use; changed)
TrainingLever = namedtuple("TrainingLever", ["books", "rng", "membership", "taken", "load_factor", "skill",
                                             "capacity_of", "time_cost", "dev", "cut", "fade_when_used",
                                             "fade_per_quarter", "gain", "gone", "quarters_member",
                                             "quarters_taken_part", "cost", "tally"])

#: the fields of :data:`TrainingLever`'s ``tally``
SKILLED, USED = 0, 1


@njit(announce=COMPILING, error_model="numpy")
def training_lever_quarter(lever, t):
    """Quarter ``t`` of a training network, as :meth:`model.levers.training_networks.TrainingNetworks.step`
    and :meth:`model.levers.base.Lever.act` do it in Python: last quarter's time given back, money in, the
    year's members (:func:`model.levers.members_kernel.update_members`), skills acting, fading and learnt
    (:func:`train`), the time taking part takes, and the year's money lapsing."""
    books, membership, tally = lever.books, lever.membership, lever.tally
    members_kernel.give_back(lever.taken)
    active = books_kernel.receive(books, t)
    taking_part = False
    if active:
        members_kernel.update_members(books, membership, lever.rng, t)
        taking_part = membership.tally[members_kernel.COUNT] > 0
    skilled, used, taking = train(lever.load_factor, lever.skill, membership.members, lever.capacity_of,
                                  taking_part, lever.time_cost, lever.dev, lever.cut, lever.fade_when_used,
                                  lever.fade_per_quarter, lever.gain, lever.gone, lever.quarters_member,
                                  lever.quarters_taken_part, lever.cost)
    tally[SKILLED] += skilled
    tally[USED] += used
    if taking and lever.time_cost > 0:
        members_kernel.take_capacity(lever.taken, lever.cost)
    books_kernel.lapse(books, t, active)


# train compiles in the free capacity; training_lever_quarter the books, members, capacity and stream
key_on_sources(globals(), targeting_kernel, books_kernel, capacity_kernel, members_kernel, streams)
