"""Procurement as an innovation tool, with call-off from shared frameworks (SustainGov ID 19; IVA).

*Mechanism.* Organisations join a national procurement-support programme run by a procurement body (Adda,
Upphandlingsmyndigheten): strategic support for buyers and framework agreements others can *call off*
from, as UK councils call off a solution one council has procured (004 L2245-2248, L2426-2428; 000
L3034-3079, L4795-4817). The budget pays for ``budget / cost_per_member_msek`` members (places filled by
the target each year). Once one member has adopted an innovation, every member can call it off: its pilot
costs and the fixed part of its scale-up cost are ``1 - call_off_discount`` of the usual
(``fixed_cost_factor``) — no own tender, no fear of breaking the rules, and a supplier that already has its
first reference customer (004 L1611-1652, L2009-2010; small municipalities reach a viable scale together,
004 L1657-1664) — and the capacity its pilot and scale-up take is ``1 - load_reduction`` of the usual
(``load_factor``: no procurement project of one's own). The fixed part weighs most in small
organisations, so call-off helps them most. Run by Adda (SKR's procurement company) by default, or by
Upphandlingsmyndigheten.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..stages import ADOPTED
from .base import LeverParams, MembershipLever
from .kernels import kernels
from .registry import register
from .targeting import Target


class ProcurementParams(LeverParams):
    """The YAML parameters of the ``procurement`` lever; each field's description gives its unit, meaning and
    source (``spridning levers procurement``)."""

    type: Literal["procurement"]
    cost_per_member_msek: float = Field(
        0.1, gt=0.0, le=10.0,
        description="[MSEK per member and year] a member's share of running frameworks and of procurement "
                    "advice; assumption")
    call_off_discount: float = Field(
        0.3, ge=0.0, le=1.0,
        description="[share] how much lower pilot costs and the fixed part of scale-up costs are when calling "
                    "off a framework (no own procurement); assumption")
    load_reduction: float = Field(
        0.2, ge=0.0, le=1.0,
        description="[share] how much less capacity piloting and implementing take when calling off (no "
                    "procurement project of one's own); assumption")
    target: Target = Field(default_factory=lambda: Target(kinds=["municipality", "region"]),
                           description="who may join (default: municipalities and regions)")


@register
class Procurement(MembershipLever):
    """Procurement support and call-off frameworks: once one member has adopted an innovation, the
    others get it cheaper."""
    swedish = ("upphandling", "upphandlingsstöd", "gemensam upphandling", "samordnad upphandling", "ramavtal",
               "offentlig upphandling")

    Params = ProcurementParams
    sustaingov_id = 19
    evidence = ("ID 19: 000 L3034-3079, L4795-4817; call-off (IVA): 004 L2245-2248, L2426-2428; procurement "
                "friction: 004 L1611-1652, L2009-2010; scale through collaboration: 004 L1657-1664")
    scores = "★ prioritised; numeric scores unscored (procurement support judged 'central', 000 L4795)"
    unit_cost_fields = ("cost_per_member_msek",)
    default_operator = "adda"
    operator_roles = ("procurement_support",)

    def step(self, ctx, t, year, quarter, active) -> None:
        """Members of this year; then, in the members' rows, innovations a member has adopted are called
        off: ``fixed_cost_factor x (1 - call_off_discount)``, ``load_factor x (1 - load_reduction)``
        (compiled: :func:`model.levers.cost_kernel.call_off`)."""
        if not active:
            return
        p, e = self.p, ctx.effects
        self.update_members(ctx, year)
        if not self.member_count or (p.call_off_discount == 0 and p.load_reduction == 0):
            return
        self._call_off(ctx.state.stage, ctx.applicable, self.members, ADOPTED, 1.0 - p.call_off_discount,
                       1.0 - p.load_reduction, e.fixed_cost_factor, e.load_factor)

    def setup(self, ctx) -> None:
        super().setup(ctx)
        self._call_off = self.kernel("cost_kernel", "call_off")

    def compiled(self, ctx, t):
        """The lever's quarters as the compiled loop runs them (:mod:`model.levers.compiled`): a
        :data:`model.levers.cost_kernel.ProcurementLever` over its members, books and the run's arrays."""
        from .books import books_of, taken_of

        p, e = self.p, ctx.effects
        return kernels("cost_kernel").ProcurementLever(
            books_of(self, ctx), self.stream(), self.membership(ctx, taken_of(self, ctx)), ctx.state.stage,
            ctx.applicable, ADOPTED, 1.0 - p.call_off_discount, 1.0 - p.load_reduction,
            not (p.call_off_discount == 0 and p.load_reduction == 0), e.fixed_cost_factor, e.load_factor)

    def take_compiled(self, compiled, ctx) -> None:
        """Take back the members' count and year (:meth:`~model.levers.base.MembershipLever.take_membership`)
        and the capacity a call's applicants gave."""
        from .books import take_taken

        self.take_membership(compiled.membership, ctx)
        take_taken(self, compiled.membership.choosing.taken)
