"""Network-based learning on real problems, a national arena, and sharing of failures (IDs 16, 12, 21).

*Mechanism.* Organisations join learning networks: small groups that work on their own data and problems
with a qualified guide and peer support (ID 16, 000 L2735-2745, L4831-4840), meeting in a national arena
with a shared vocabulary (ID 12, 000 L2666-2679) where results *and failures* are shared (ID 21,
000 L3092-3098; today there is no incentive to share failures, 000 L2118-2122). The budget pays for
``budget / cost_per_member_msek`` members (places are filled by the target each year). While the
lever is active each member

- listens harder to its ties: every tie's awareness rate is multiplied by ``tie_strength``;
- hears more through national channels: ``p_external_boost`` is added to its external awareness rate;

and the share of stalled pilots whose lessons are shared rises by ``failure_sharing_boost`` times the
members' share of all organisations. Members joining in a year are put in groups of ``group_size`` whose members get
lasting ties to each other (the group keeps in touch after the programme).

Seminars alone spread information rather than change (000 L92-93, L2479-2494); what the groups add is
*know-how*, carried along their ties: working on real problems with peers (000 L2735-2745), each quarter a
member learns ``learn_per_peer_quarter`` of what it still lacks of an innovation from each group peer that
runs a pilot of it or has adopted it (:func:`model.levers.knowhow_kernel.learn_in_groups`; "so that not
everyone makes the same mistakes", 001 L2017-2023). A group without experience of an innovation passes on nothing of it.
Know-how lowers by ``load_cut x know-how`` the effort of the member's development work on that innovation
(:mod:`model.levers.knowhow`) and is lost at ``forget_per_quarter``. Nothing here adds capacity or scaling
odds.
Run by SKR (the hub most organisations name first, 001 L1016-1082) by default, or by the regions for their
own municipalities.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from . import knowhow
from .fading import Fade
from .base import LeverParams, MembershipLever
from .kernels import kernels
from .registry import register


class LearningNetworksParams(LeverParams):
    """The YAML parameters of the ``learning_networks`` lever; each field's description gives its unit, meaning and
    source (``spridning levers learning_networks``)."""

    type: Literal["learning_networks"]
    cost_per_member_msek: float = Field(
        0.2, gt=0.0, le=10.0,
        description="[MSEK per member and year] a guide (consultant/academic) shared by a small group, "
                    "meetings and the arena; assumption")
    tie_strength: float = Field(
        1.5, ge=1.0, le=5.0,
        description="[factor] multiplies the awareness carried by each of a member's ties; assumption")
    p_external_boost: float = Field(
        0.01, ge=0.0, le=0.5,
        description="[per quarter] added to a member's chance of hearing of an innovation nationally; assumption")
    failure_sharing_boost: float = Field(
        0.3, ge=0.0, le=1.0,
        description="[share] added to the share of stalled pilots whose lessons are shared, when everyone is "
                    "a member (scaled by the members' share); assumption (000 L2118-2122, L3092-3098)")
    group_size: int = Field(
        6, ge=0, le=50,
        description="[organisations] members per learning group, tied to each other for good; 0 = no groups; "
                    "assumption")
    learn_per_peer_quarter: float = Field(
        0.1, ge=0.0, le=1.0,
        description="[share of the gap per experienced peer and quarter] know-how of an innovation learnt "
                    "from a group peer who has done it (000 L2735-2745); assumption (range 0.03-0.3)")
    load_cut: float = Field(
        0.3, ge=0.0, le=1.0,
        description="[share] effort of development work on an innovation saved with full know-how of it "
                    "(000 L2726-2729); assumption (range 0.1-0.5)")
    forget_per_quarter: float = Field(
        0.05, ge=0.0, le=1.0,
        description="[share per quarter] know-how lost as staff move on; assumption (range 0.02-0.1)")


@register
class LearningNetworks(MembershipLever):
    """Learning networks and a national arena: members hear sooner and through stronger ties, learn know-how
    from group peers who have done it, and more failures are shared."""
    swedish = ("lärande nätverk", "lärandenätverk", "nätverk för lärande", "nätverk", "learning network")

    Params = LearningNetworksParams
    sustaingov_id = 16
    sustaingov_ids = (16, 12, 21)
    evidence = ("ID 16: 000 L2735-2745, L4831-4840; ID 12: 000 L2666-2679; ID 21: 000 L3092-3098; "
                "information is not change: 000 L92-93, L2479-2494")
    scores = ("ID 16 ★ prioritised; IDs 12 and 21 not prioritised; the report gives no qualitative "
              "feasibility/value statement for them in its text: unscored")
    unit_cost_fields = ("cost_per_member_msek",)
    default_operator = "skr"
    operator_roles = ("network_host",)
    regional = True

    def setup(self, ctx) -> None:
        super().setup(ctx)
        self.group = np.full(ctx.n, -1, dtype=int)  # (n,) the member's learning group, -1: none
        self._groups_made = 0
        self.knowhow = np.zeros((ctx.n, ctx.k))  # (n, k) 0-1, members' know-how of each innovation
        self.member_quarters = 0  # member-quarters in a group ...
        self.taught_quarters = 0  # ... with a peer who had done something the member still lacked

    def lingering(self, ctx, t) -> bool:
        """Know-how acts (and fades) as long as some is left."""
        return bool((self.knowhow > knowhow.GONE).any())

    def fading(self, ctx, t, year) -> Fade | None:
        """After its years, know-how only acts and fades (members learn only while the lever is active)."""
        if not self.only_lingering(year):
            return None
        p = self.p
        return Fade(self.knowhow, p.load_cut, p.forget_per_quarter, p.forget_per_quarter)

    def step(self, ctx, t, year, quarter, active) -> None:
        """One quarter: places filled once a year (new members form groups); then, compiled
        (:func:`model.levers.knowhow_kernel.network_quarter`): know-how acts and fades, members learn from
        their group's peers, and members listen harder to their ties and hear more nationally."""
        knowhow_kernel = kernels("knowhow_kernel")  # numba: loaded by runs, not validate
        p, e = self.p, ctx.effects
        if active and self._member_year != year:  # the year's places are filled (update_members)
            before = self.members.copy()
            self.update_members(ctx, year)
            if (self.members != before).any():
                self.group[before & ~self.members] = -1
                self._groups(ctx, self.members & ~before)
        elif active:
            self.update_members(ctx, year)  # this quarter's places are used
        learning = active and p.learn_per_peer_quarter > 0.0 and self._groups_made > 0
        in_group, taught, members = self.kernel("knowhow_kernel", "network_quarter")(
            e.load_factor, self.knowhow, self.group, self._groups_made, knowhow_kernel.development(ctx), p.load_cut,
            p.forget_per_quarter, p.learn_per_peer_quarter, knowhow.GONE, learning, self.members, active,
            e.tie_strength, p.tie_strength, e.p_external_boost, p.p_external_boost)
        if learning:
            self.member_quarters += in_group
            self.taught_quarters += taught
        if members:  # the share of stalled pilots whose lessons are shared rises with the members' share
            e.failure_sharing_boost += p.failure_sharing_boost * members / ctx.n

    def compiled(self, ctx, t):
        """The lever's quarters as the compiled loop runs them (:mod:`model.levers.compiled`): a
        :data:`model.levers.groups_kernel.LearningLever` over its members, groups, know-how, books and the
        run's arrays (members chosen by a call too; a region's part too)."""
        from .books import books_of, taken_of

        groups_kernel, p, e = kernels("groups_kernel"), self.p, ctx.effects
        return groups_kernel.LearningLever(
            books_of(self, ctx), self.stream(), self.membership(ctx, taken_of(self, ctx)), self.group,
            int(p.group_size), ctx.ties.lever_ties_arguments(), self.knowhow, e.load_factor,
            kernels("knowhow_kernel").development(ctx),
            float(p.load_cut), float(p.forget_per_quarter), float(p.learn_per_peer_quarter), float(knowhow.GONE),
            e.tie_strength, float(p.tie_strength), e.p_external_boost, float(p.p_external_boost),
            e.kernel_arguments().failure_sharing_boost, float(p.failure_sharing_boost),
            np.array([self.member_quarters, self.taught_quarters, self._groups_made], dtype=np.int64))

    def take_compiled(self, compiled, ctx) -> None:
        """Take back the members' count and year, the capacity a call's applicants gave, and the quarters and
        groups counted."""
        from .books import take_taken

        groups_kernel = kernels("groups_kernel")
        self.take_membership(compiled.membership, ctx)
        take_taken(self, compiled.membership.choosing.taken)
        self.member_quarters = int(compiled.tally[groups_kernel.MEMBER_QUARTERS])
        self.taught_quarters = int(compiled.tally[groups_kernel.TAUGHT_QUARTERS])
        self._groups_made = int(compiled.tally[groups_kernel.GROUPS])

    def _groups(self, ctx, new: np.ndarray) -> None:
        """New members form groups of ``group_size`` and are tied to each other for good."""
        size = self.p.group_size
        idx = self.rng.permutation(np.flatnonzero(new))
        if size < 2 or len(idx) < 2:
            return
        # every pair within each group, all groups at once (no pair lies in two groups, so one call ties the
        # same pairs as a call per group)
        group = np.arange(len(idx)) // size
        self.group[idx] = self._groups_made + group
        self._groups_made += int(group[-1]) + 1
        a, b = within_group_pairs(len(idx), size)
        a, b = idx[a], idx[b]
        keep = a < b
        self.tie(ctx, np.where(keep, a, b), np.where(keep, b, a), 1.0)


def within_group_pairs(n: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j), i < j, of every pair in the same group when positions 0..n-1 are cut into groups of
    ``size`` in order (the last may be smaller), in the order ``np.triu_indices(n, 1)`` lists them (by i,
    then j): the same pairs as filtering all n (n - 1) / 2 pairs to the same group, in O(n · size), not O(n²).
    """
    full, rest = divmod(n, size)
    first, second = np.triu_indices(size, 1)
    starts = np.arange(full)[:, None] * size
    a, b = (starts + first).ravel(), (starts + second).ravel()
    if rest >= 2:
        first, second = np.triu_indices(rest, 1)
        a, b = np.concatenate([a, full * size + first]), np.concatenate([b, full * size + second])
    return a, b
