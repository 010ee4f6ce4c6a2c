"""Networks that share training resources, with a shared platform (SustainGov ID 26).

*Mechanism.* Municipalities and regions pool training resources and development programmes to lower costs
and raise quality, with a platform for the training on offer (000 L4501-4516, L4846-4859). The budget
pays for ``budget / cost_per_member_msek`` members (places filled by the target each year).

Training builds *individual skills* held by the member's staff (``skill``, 0-1), not capacity: each
quarter a member takes part, its skill closes ``skill_gain_per_quarter`` of the gap to 1. Skills act only
where they are used — they lower by ``load_cut x skill`` the effort of the member's development work
(starting and running pilots, implementing scale-ups; :mod:`model.levers.knowhow`), the "training with a
clear link to operations, where knowledge is put straight into practical work" the evidence asks for
(000 L4195-4200, L2730-2733). Skills *fade unless used*: a quarter in which the organisation neither runs
a pilot nor implements a scale-up (nor takes part) loses ``fade_per_quarter`` of its skill ("you go on a
course, come back ... and nothing happens", 000 L4186-4191; capability "cannot be trained into being" but
grows by "learning by doing", 000 L3019-3028); a quarter of use loses only ``fade_when_used`` (staff
turnover). Taking part costs time: ``time_cost`` of capacity that quarter, and a member whose free
capacity is below that cannot take part — "even an hour a month for development can be hard to free"
(000 L4107-4108, L4102-4104). Run by SKR by default, or by the regions for their own municipalities.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from . import knowhow
from .base import LeverParams, MembershipLever
from .fading import Fade
from .kernels import kernels
from .registry import register

GONE = knowhow.GONE


class TrainingNetworksParams(LeverParams):
    """The YAML parameters of the ``training_networks`` lever; each field's description gives its unit, meaning and
    source (``spridning levers training_networks``)."""

    type: Literal["training_networks"]
    cost_per_member_msek: float = Field(
        0.1, gt=0.0, le=10.0,
        description="[MSEK per member and year] a member's share of pooled courses, coordination and the "
                    "platform; assumption (market context: ~7 bn SEK a year on training, 000 L3571-3576)")
    skill_gain_per_quarter: float = Field(
        0.25, ge=0.0, le=1.0,
        description="[share of the gap to full skill per quarter of taking part] how fast staff learn; "
                    "assumption (range 0.1-0.5)")
    load_cut: float = Field(
        0.2, ge=0.0, le=1.0,
        description="[share] effort of development work (pilots, scale-ups) saved at full skill, where the "
                    "skill is used (000 L4195-4200); assumption (range 0.05-0.4)")
    fade_per_quarter: float = Field(
        0.2, ge=0.0, le=1.0,
        description="[share per quarter] skill lost in a quarter it is not used (000 L4186-4191); assumption "
                    "(range 0.1-0.35: skills unused for a year are largely lost, Arthur et al. 1998)")
    fade_when_used: float = Field(
        0.0, ge=0.0, le=1.0,
        description="[share per quarter] skill lost in a quarter it is used (staff leaving); assumption "
                    "(range 0-0.05)")
    time_cost: float = Field(
        0.02, ge=0.0, le=1.0,
        description="[capacity units per quarter] time taking part takes from development work "
                    "(000 L4107-4108); assumption")


@register
class TrainingNetworks(MembershipLever):
    """Shared training networks: skills for members who can free the time to take part, which ease their
    development work where used and fade where not."""
    swedish = ("utbildningsnätverk", "utbildning", "kompetensutveckling", "kompetensnätverk", "training network")

    Params = TrainingNetworksParams
    sustaingov_id = 26
    evidence = ("000 L4501-4516, L4846-4859; time cost: 000 L4102-4108; skills fade unless used: 000 L4186-4200, "
                "L3019-3028; where they act: 000 L2726-2733")
    scores = ("★ prioritised; 'relatively simple' to carry out and foundational for later steps "
              "(000 L4895-4899); numeric scores unscored")
    unit_cost_fields = ("cost_per_member_msek",)
    default_operator = "skr"
    operator_roles = ("network_host", "method_support")
    regional = True

    def setup(self, ctx) -> None:
        super().setup(ctx)
        self.skill = np.zeros(ctx.n)  # (n,) 0-1, held by the organisation's staff
        self.quarters_taken_part = np.zeros(ctx.n, dtype=int)
        self.quarters_member = np.zeros(ctx.n, dtype=int)  # member-quarters, for how often time binds
        self.quarters_skilled = 0  # organisation-quarters with some skill ...
        self.quarters_used = 0  # ... of which the skill was in use
        self._cost = np.zeros(ctx.n)  # capacity taking part takes this quarter, written by the compiled quarter

    def lingering(self, ctx, t) -> bool:
        """Skills act (and fade) as long as anyone has some left."""
        return bool((self.skill > GONE).any())

    def fading(self, ctx, t, year) -> Fade | None:
        """After its years, skills only act and fade (nobody takes part any more)."""
        if not self.only_lingering(year):
            return None
        return Fade(self.skill, self.p.load_cut, self.p.fade_when_used, self.p.fade_per_quarter, self._counted)

    def _counted(self, skilled: int, used: int) -> None:
        self.quarters_skilled += skilled
        self.quarters_used += used

    def compiled(self, ctx, t):
        """The lever's quarters as the compiled loop runs them (:mod:`model.levers.compiled`): a
        :data:`model.levers.knowhow_kernel.TrainingLever` over its members, skills, books and the run's
        arrays (members chosen by a call too; a region's part too)."""
        from .books import books_of, taken_of

        knowhow_kernel, targeting_kernel, p = kernels("knowhow_kernel"), kernels("targeting_kernel"), self.p
        taken = taken_of(self, ctx)  # one, for the members' call and the time taking part takes
        capacity_of = targeting_kernel.CapacityArrays(ctx.state.capacity, ctx.effects.capacity_bonus,
                                                      targeting_kernel.loads(ctx))
        return knowhow_kernel.TrainingLever(
            books_of(self, ctx), self.stream(), self.membership(ctx, taken), taken, ctx.effects.load_factor,
            self.skill, capacity_of, float(p.time_cost), knowhow_kernel.development(ctx), float(p.load_cut),
            float(p.fade_when_used), float(p.fade_per_quarter), float(p.skill_gain_per_quarter), float(GONE),
            self.quarters_member, self.quarters_taken_part, self._cost,
            np.array([self.quarters_skilled, self.quarters_used], dtype=np.int64))

    def take_compiled(self, compiled, ctx) -> None:
        """Take back the members' count and year, the capacity held and the quarters counted."""
        from .books import take_taken

        knowhow_kernel = kernels("knowhow_kernel")
        self.take_membership(compiled.membership, ctx)
        take_taken(self, compiled.taken)
        self.quarters_skilled = int(compiled.tally[knowhow_kernel.SKILLED])
        self.quarters_used = int(compiled.tally[knowhow_kernel.USED])

    def step(self, ctx, t, year, quarter, active) -> None:
        """One quarter: members who can free the time take part; skills act and fade, then those taking part
        learn (compiled: :func:`model.levers.knowhow_kernel.train`)."""
        # numba: loaded by runs, not validate
        knowhow_kernel, targeting_kernel = kernels("knowhow_kernel"), kernels("targeting_kernel")
        p = self.p
        taking_part = False
        if active:
            self.update_members(ctx, year)
            taking_part = self.member_count > 0  # (members.sum(), kept beside them)
        # free capacity before skills act this quarter: computed by train from these arrays
        capacity_of = targeting_kernel.CapacityArrays(ctx.state.capacity, ctx.effects.capacity_bonus,
                                                      targeting_kernel.loads(ctx))
        train = self.kernel("knowhow_kernel", "train")  # bound once per run: typing its tuples costs ~4 µs
        skilled, used, taking = train(ctx.effects.load_factor, self.skill, self.members, capacity_of, taking_part,
                                      p.time_cost, knowhow_kernel.development(ctx), p.load_cut, p.fade_when_used,
                                      p.fade_per_quarter, p.skill_gain_per_quarter, GONE, self.quarters_member,
                                      self.quarters_taken_part, self._cost)
        self.quarters_skilled += skilled
        self.quarters_used += used
        if taking and p.time_cost > 0:
            self.use_capacity(ctx, self._cost)
