"""National change teams (SustainGov ID 15).

*Mechanism.* National teams of generalists and specialists support organisations' own development work on
site, for a limited time, "from inspiration to implementation" (000 L2706-2733, L4783-4793; small
municipalities especially ask for this hands-on support). The budget pays for
``budget / team_cost_msek_per_year`` teams, each working with ``orgs_per_team`` organisations at a time
for ``stay_quarters`` quarters, so one visit costs ``team_cost x stay_quarters / 4 / orgs_per_team`` MSEK
(paid when it starts). A visit goes to an organisation the target picks among those with something to
implement (aware of an innovation or piloting one) that has not had a team before. While the team is
there the organisation gets ``scale_bonus`` on the log-odds of scaling (change management, the part
that is missing: 000 L4639-4647); when it leaves it leaves ``capacity_left`` of lasting development
capacity (people who learnt by doing, 000 L3019-3028). Run by RISE (method support, testbeds and
innovation management, 001 L1016-1082) by default, or by the regions for their own municipalities.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ..stages import AWARE, PILOTING, QUARTERS_PER_YEAR
from .base import Absorption, Lever, LeverParams
from .registry import register


class ChangeTeamsParams(LeverParams):
    """The YAML parameters of the ``change_teams`` lever; each field's description gives its unit, meaning and
    source (``spridning levers change_teams``)."""

    type: Literal["change_teams"]
    team_cost_msek_per_year: float = Field(
        5.0, gt=0.0, le=100.0,
        description="[MSEK per team-year] about four experienced generalists/specialists at full cost with "
                    "travel; assumption")
    orgs_per_team: int = Field(
        2, ge=1, le=10, description="[organisations] supported by one team at the same time; assumption")
    stay_quarters: int = Field(
        4, ge=1, le=12, description="[quarters] how long a team stays with one organisation; assumption")
    scale_bonus: float = Field(
        1.0, ge=0.0, le=5.0,
        description="[log-odds] added to the chance of scaling while the team is there; assumption")
    capacity_left: float = Field(
        0.1, ge=0.0, le=5.0,
        description="[capacity units] lasting development capacity left behind when the team leaves "
                    "(a median municipality has about 0.5); assumption")
    repeat_visits: bool = Field(False, description="whether an organisation can get a team more than once")


@register
class ChangeTeams(Lever):
    """National teams support organisations on site for a limited time: scaling is easier while they are
    there, and some capacity stays."""
    swedish = ("förändringsteam", "förändringsteamen", "förändringsstöd", "förändringsledning", "change team")

    Params = ChangeTeamsParams
    sustaingov_id = 15
    evidence = "000 L2706-2733, L4783-4793, L4900-4904; scaling needs change management: 000 L4639-4647"
    scores = ("★ prioritised; more potential to change the system but needs more resources, coordination "
              "and long-term work (000 L4900-4904); numeric scores unscored")
    unit_cost_fields = ("team_cost_msek_per_year",)
    default_operator = "rise"
    operator_roles = ("method_support", "network_host")
    regional = True
    unit = "visits"

    @property
    def visit_cost(self) -> float:
        """MSEK one organisation's visit costs: a team's yearly cost for the stay, shared by the
        organisations a team supports at once."""
        return self.cost_of_visit(self.p)

    @staticmethod
    def cost_of_visit(p: ChangeTeamsParams) -> float:
        """[MSEK] one visit: ``team_cost_msek_per_year x stay_quarters / 4 / orgs_per_team``."""
        return p.team_cost_msek_per_year * p.stay_quarters / QUARTERS_PER_YEAR / p.orgs_per_team

    @classmethod
    def absorbable_msek(cls, params: ChangeTeamsParams, admitted: int, years: int) -> Absorption:
        """One visit per organisation admitted over the programme (``repeat_visits: false``), or one per
        ``stay_quarters`` a year each; a visit costs :attr:`visit_cost`."""
        visit = cls.cost_of_visit(params)
        if not params.repeat_visits:
            return Absorption(admitted * visit, f"each of the {admitted} organisations the target admits can get "
                                                f"one visit of {visit:g} MSEK in all (repeat_visits: false)")
        per_year = QUARTERS_PER_YEAR / params.stay_quarters  # a team stays stay_quarters, then the next may come
        return Absorption(admitted * visit * per_year * years,
                          f"{admitted} organisations admitted, each at most one visit of {visit:g} MSEK per "
                          f"{params.stay_quarters} quarters")

    def setup(self, ctx) -> None:
        self.until = np.full(ctx.n, -1, dtype=int)  # team present while t < until
        self.visited = np.zeros(ctx.n, dtype=bool)
        self.visits = 0

    def lingering(self, ctx, t) -> bool:
        """A team stays ``stay_quarters`` and leaves capacity behind in the quarter it leaves."""
        return bool((self.until >= t).any())

    def step(self, ctx, t, year, quarter, active) -> None:
        p, e = self.p, ctx.effects
        leaving = self.until == t
        if leaving.any() and p.capacity_left > 0:
            e.capacity_bonus += np.where(leaving, p.capacity_left, 0.0)
        if active:
            units = self.buy(self.visit_cost, ctx, year)
            if units:
                stage, app = ctx.state.stage, ctx.applicable
                working_on = ctx.derived("working_on", lambda: ((stage == PILOTING) | (stage == AWARE)) & app)
                need = working_on.any(1) & (self.until <= t)
                if not p.repeat_visits:
                    need &= ~self.visited
                chosen = self.targeting.choose(ctx, units, lever=self, need=need, year=year)
                self.until[chosen] = t + p.stay_quarters
                self.visited[chosen] = True
                self.visits += len(chosen)
                self.use(ctx, year, len(chosen) * self.visit_cost, chosen, len(chosen))
                self.refund(units - len(chosen), self.visit_cost)
        e.scale_logit_bonus += np.where(self.until > t, p.scale_bonus, 0.0)
