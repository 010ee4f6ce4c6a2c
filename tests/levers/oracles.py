"""The levers' quarter as it was decided in NumPy before it was compiled (issue 21): each class here is the
shipped lever with the previous, vectorised ``step`` (copied from main c35d141), kept as the oracle the
compiled levers are checked against (``tests/levers/test_compiled_levers.py``). Not used by the package.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from model.levers import knowhow
from model.levers.change_teams import ChangeTeams
from model.levers.decisions import near_decision
from model.levers.job_shadowing import JobShadowing
from model.levers.learning_networks import LearningNetworks
from model.levers.peer_review import PeerReview
from model.levers.registry import REGISTRY
from model.levers.targeting import free_capacity
from model.levers.training_networks import TrainingNetworks


@contextmanager
def levers_of(*classes):
    """Runs built inside use ``classes`` for their lever types (then the shipped ones again)."""
    before = dict(REGISTRY)
    REGISTRY.update({cls.type_name(): cls for cls in classes})
    try:
        yield
    finally:
        REGISTRY.clear()
        REGISTRY.update(before)


class OldJobShadowing(JobShadowing):
    def compiled(self, ctx, t):
        return None  # quarter by quarter, in NumPy (not model.levers.compiled)

    def step(self, ctx, t, year, quarter, active) -> None:
        p = self.p
        ending = self.host_until == t
        if ending.any():
            hosts = np.flatnonzero(ending)
            self.tie(ctx, hosts, self.sender_of[hosts], p.tie_weight)
            self.sender_of[hosts] = -1
        if active:
            units = self.buy(self.placement_cost, ctx, year)
            if units:
                placed = self._place(ctx, t, year, units)
                self.refund(units - placed, self.placement_cost)
        placed_now = self.host_until > t
        self._know(ctx, placed_now)
        if placed_now.any():
            cost = np.where(placed_now, p.host_time_cost, 0.0)
            senders = self.sender_of[placed_now]
            np.add.at(cost, senders, p.sender_time_cost)
            if cost.any():
                self.use_capacity(ctx, cost)

    def _know(self, ctx, placed_now):
        from model.levers.knowhow_kernel import development, know_and_forget, learn_from_senders
        p, k = self.p, self.knowhow
        if k.any():
            know_and_forget(ctx.effects.load_factor, k, development(ctx), p.load_cut, p.forget_per_quarter,
                            knowhow.GONE)
        if placed_now.any():
            hosts, taught = learn_from_senders(k, placed_now, self.sender_of, development(ctx), p.learn_per_quarter,
                                               knowhow.GONE)
            self.placed_quarters += hosts
            self.taught_quarters += taught

    def _place(self, ctx, t, year, units):
        busy = np.zeros(ctx.n, dtype=bool)
        away = self.sender_of[self.host_until > t]
        busy[away] = True
        need = ~self.hosted & (self.host_until <= t)
        hosts = self.targeting.choose(ctx, units, lever=self, need=need, year=year)
        placed = 0
        for h in hosts:
            senders = np.flatnonzero(self.mature & ~busy)
            senders = senders[senders != h]
            if len(senders) == 0:
                break
            s = senders[self.rng.integers(len(senders))]
            busy[s] = True
            self.sender_of[h] = s
            self.host_until[h] = t + self.p.quarters
            self.hosted[h] = True
            self.pairs.append((int(h), int(s)))
            placed += 1
        placed_hosts = [h for h, _ in self.pairs[len(self.pairs) - placed:]]
        self.use(ctx, year, placed * self.placement_cost, np.array(placed_hosts, dtype=int), placed)
        return placed


class OldPeerReview(PeerReview):
    def compiled(self, ctx, t):
        return None  # quarter by quarter, in NumPy (not model.levers.compiled)

    """The rule before the compiled bonus: the bonus added by NumPy each quarter, lingering read off
    ``until``; who is reviewed is the lever's own ``_review`` (its ``_last_until`` is not read here)."""

    def lingering(self, ctx, t) -> bool:
        return bool((self.until > t).any())

    def step(self, ctx, t, year, quarter, active) -> None:
        p, e = self.p, ctx.effects
        if active:
            units = self.buy(p.cost_per_review_msek, ctx, year)
            if units:
                placed = self._review(ctx, t, year, units)
                self.refund(units - placed, p.cost_per_review_msek)
        e.scale_logit_bonus += np.where(self.until > t, p.scale_bonus, 0.0)


class OldChangeTeams(ChangeTeams):
    def compiled(self, ctx, t):
        return None  # quarter by quarter, in NumPy (not model.levers.compiled)

    def lingering(self, ctx, t) -> bool:
        return bool((self.until >= t).any())

    def step(self, ctx, t, year, quarter, active) -> None:
        p, e = self.p, ctx.effects
        leaving = self.until == t
        if leaving.any() and p.capacity_left > 0:
            e.capacity_bonus += np.where(leaving, p.capacity_left, 0.0)
        if active:
            units = self.buy(self.visit_cost, ctx, year)
            if units:
                need = near_decision(ctx, p.request_lead_quarters).any(1) & (self.until <= t)
                if not p.repeat_visits:
                    need &= ~self.visited
                chosen = self.targeting.choose(ctx, units, lever=self, need=need, year=year)
                self.until[chosen] = t + p.stay_quarters
                self.visited[chosen] = True
                self.visits += len(chosen)
                self.use(ctx, year, len(chosen) * self.visit_cost, chosen, len(chosen))
                self.refund(units - len(chosen), self.visit_cost)
        e.scale_logit_bonus += np.where(self.until > t, p.scale_bonus, 0.0)


class OldTrainingNetworks(TrainingNetworks):
    def compiled(self, ctx, t):
        return None  # quarter by quarter, in NumPy (not model.levers.compiled)

    def step(self, ctx, t, year, quarter, active) -> None:
        from model.levers.knowhow_kernel import development, use_and_fade
        p = self.p
        part = np.zeros(ctx.n, dtype=bool)
        if active:
            self.update_members(ctx, year)
            if self.members.any():
                part = self.members & (free_capacity(ctx) >= p.time_cost)
                self.quarters_member += self.members
        if self.skill.any():
            skilled, used = use_and_fade(ctx.effects.load_factor, self.skill, part, development(ctx), p.load_cut,
                                         p.fade_when_used, p.fade_per_quarter, knowhow.GONE)
            self.quarters_skilled += skilled
            self.quarters_used += used
        if part.any():
            if p.time_cost > 0:
                self.use_capacity(ctx, np.where(part, p.time_cost, 0.0))
            self.skill[part] += p.skill_gain_per_quarter * (1.0 - self.skill[part])
            self.quarters_taken_part += part


class OldLearningNetworks(LearningNetworks):
    def compiled(self, ctx, t):
        return None  # quarter by quarter, in NumPy (not model.levers.compiled)

    def step(self, ctx, t, year, quarter, active) -> None:
        p, e = self.p, ctx.effects
        if active:
            before = self.members.copy()
            self.update_members(ctx, year)
            if (self.members != before).any():
                self.group[before & ~self.members] = -1
                self._groups(ctx, self.members & ~before)
        self._know(ctx, active)
        if not active or not self.members.any():
            return
        m = self.members
        e.tie_strength[m] *= p.tie_strength
        e.p_external_boost[m] += p.p_external_boost
        e.failure_sharing_boost += p.failure_sharing_boost * m.sum() / ctx.n

    def _know(self, ctx, active):
        from model.levers.knowhow_kernel import development, know_and_forget, learn_in_groups
        p, k = self.p, self.knowhow
        if k.any():
            know_and_forget(ctx.effects.load_factor, k, development(ctx), p.load_cut, p.forget_per_quarter,
                            knowhow.GONE)
        if not active or p.learn_per_peer_quarter <= 0.0 or self._groups_made == 0:
            return
        members, taught = learn_in_groups(k, self.group, self._groups_made, development(ctx),
                                          p.learn_per_peer_quarter, knowhow.GONE)
        self.member_quarters += members
        self.taught_quarters += taught


#: every oracle, for :func:`levers_of`
OLD = (OldJobShadowing, OldPeerReview, OldChangeTeams, OldTrainingNetworks, OldLearningNetworks)
