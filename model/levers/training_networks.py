"""Networks that share training resources, with a shared platform (SustainGov ID 26).

*Mechanism.* Municipalities and regions pool training resources and development programmes to lower costs
and raise quality, with a platform for the training on offer (000 L4501-4516, L4846-4859). The budget
pays for ``budget / cost_per_member_msek`` members (places filled by the target each year). Training builds
capacity slowly and for good: each quarter a member takes part it gains ``capacity_gain_per_year / 4`` of
lasting development capacity, up to ``max_gain`` in all. Taking part costs time: ``time_cost`` of capacity
that quarter, and a member whose free capacity is below that cannot take part that quarter — "even an
hour a month for development can be hard to free" in small municipalities (000 L4107-4108, L4102-4104),
so those with the greatest need gain least unless their load is light. Individual courses do not change
the organisation (000 L4188-4191): the gain is small per quarter. Run by SKR by default, or by the regions
for their own municipalities.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from .base import LeverParams, MembershipLever
from .registry import register
from .targeting import free_capacity
from ..stages import QUARTERS_PER_YEAR


class TrainingNetworksParams(LeverParams):
    """The YAML parameters of the ``training_networks`` lever; each field's description gives its unit, meaning and
    source (``spridning levers training_networks``)."""

    type: Literal["training_networks"]
    cost_per_member_msek: float = Field(
        0.1, gt=0.0, le=10.0,
        description="[MSEK per member and year] a member's share of pooled courses, coordination and the "
                    "platform; assumption (market context: ~7 bn SEK a year on training, 000 L3571-3576)")
    capacity_gain_per_year: float = Field(
        0.03, ge=0.0, le=1.0,
        description="[capacity units per year of taking part] lasting capacity gained (a median municipality "
                    "has about 0.5); assumption")
    max_gain: float = Field(
        0.15, ge=0.0, le=5.0, description="[capacity units] most a member can gain in all; assumption")
    time_cost: float = Field(
        0.02, ge=0.0, le=1.0,
        description="[capacity units per quarter] time taking part takes from development work "
                    "(000 L4107-4108); assumption")


@register
class TrainingNetworks(MembershipLever):
    """Shared training networks: slow, lasting capacity gains for members who can free the time to take
    part."""
    swedish = ("utbildningsnätverk", "utbildning", "kompetensutveckling", "kompetensnätverk", "training network")

    Params = TrainingNetworksParams
    sustaingov_id = 26
    evidence = "000 L4501-4516, L4846-4859; time cost: 000 L4102-4108; courses alone: 000 L4188-4191"
    scores = ("★ prioritised; 'relatively simple' to carry out and foundational for later steps "
              "(000 L4895-4899); numeric scores unscored")
    unit_cost_fields = ("cost_per_member_msek",)
    default_operator = "skr"
    operator_roles = ("network_host", "method_support")
    regional = True

    def setup(self, ctx) -> None:
        super().setup(ctx)
        self.gained = np.zeros(ctx.n)
        self.quarters_taken_part = np.zeros(ctx.n, dtype=int)

    def step(self, ctx, t, year, quarter, active) -> None:
        if not active:
            return
        p = self.p
        self.update_members(ctx, year)
        if not self.members.any():
            return
        part = self.members & (free_capacity(ctx) >= p.time_cost)
        if not part.any():
            return
        if p.time_cost > 0:
            self.use_capacity(ctx, np.where(part, p.time_cost, 0.0))
        gain = np.where(part, np.minimum(p.capacity_gain_per_year / QUARTERS_PER_YEAR, p.max_gain - self.gained), 0.0)
        gain = np.maximum(gain, 0.0)
        if gain.any():
            ctx.effects.capacity_bonus += gain
            self.gained += gain
        self.quarters_taken_part += part
