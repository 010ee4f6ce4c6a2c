"""National change teams (SustainGov ID 15).

*Mechanism.* National teams of generalists and specialists support organisations' own development work on
site, for a limited time, "from inspiration to implementation" (000 L2706-2733, L4783-4793): mistakes
often show only in implementation, so successful change needs knowledge of change and of local
implementation (000 L2726-2729), and scaling needs change management the organisations lack (000
L4639-4647). Small municipalities especially ask for this hands-on support (000 L4790-4791). So an
organisation *asks* for a team when it runs a pilot whose scale decision falls within
``request_lead_quarters`` quarters (:func:`.decisions.near_decision`), has no team now and (unless
``repeat_visits``) has not had one before; the target decides who among those asking gets a team first
(``by: capacity``: the weakest first). The budget pays for ``budget / team_cost_msek_per_year`` teams, each
working with ``orgs_per_team`` organisations at a time for ``stay_quarters`` quarters, so one visit costs
``team_cost x stay_quarters / 4 / orgs_per_team`` MSEK (paid when it starts); visits bought that nobody
asks for are carried over to the next quarter of the year, and at the end of the year their money is
unplaced. While the team is there the organisation gets ``scale_bonus`` on the log-odds of scaling: the
team's change management acts on the scale decision, which falls inside the stay (``stay_quarters >
request_lead_quarters``). When it leaves it may leave ``capacity_left`` of lasting development capacity
(people who learnt by doing, 000 L3019-3028; "stärka kapacitet", 000 L4789): an assumption, 0 by default,
so that the named mechanism carries the lever's effect. Run by RISE (method support, testbeds and
innovation management, 001 L1016-1082) by default, or by the regions for their own municipalities.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from ..stages import QUARTERS_PER_YEAR
from .base import Absorption, Lever, LeverParams
from .kernels import bound, kernels
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
        4, ge=1, le=12,
        description="[quarters] how long a team stays with one organisation; more than "
                    "request_lead_quarters, so the decision falls inside the stay; assumption")
    request_lead_quarters: int = Field(
        1, ge=0, le=11,
        description="[quarters] an organisation asks for a team when a pilot's scale decision falls in this "
                    "quarter or one of the next this many (000 L2726-2729, L4639-4647); assumption")
    scale_bonus: float = Field(
        1.0, ge=0.0, le=5.0,
        description="[log-odds] added to the chance of scaling while the team is there (change management "
                    "at scale-up, 000 L4639-4647); assumption (range 0-2)")
    capacity_left: float = Field(
        0.0, ge=0.0, le=5.0,
        description="[capacity units] lasting development capacity left behind when the team leaves "
                    "(a median municipality has about 0.5); assumption (range 0-0.1), 0 by default")
    repeat_visits: bool = Field(False, description="whether an organisation can get a team more than once")

    @model_validator(mode="after")
    def _covers_the_decision(self) -> "ChangeTeamsParams":
        if self.stay_quarters <= self.request_lead_quarters:
            raise ValueError(f"stay_quarters ({self.stay_quarters}) must be more than request_lead_quarters "
                             f"({self.request_lead_quarters}): the team must still be there when the decision "
                             f"it was asked for falls")
        return self


@register
class ChangeTeams(Lever):
    """National teams support organisations on site as a pilot nears its scale decision: the decision's
    log-odds are raised while they are there."""
    swedish = ("förändringsteam", "förändringsteamen", "förändringsstöd", "förändringsledning", "change team")

    Params = ChangeTeamsParams
    sustaingov_id = 15
    evidence = ("000 L2706-2733, L4783-4793, L4900-4904; mistakes show in implementation: 000 L2726-2729; "
                "scaling needs change management: 000 L4639-4647")
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
        ``stay_quarters`` a year each; a visit costs :attr:`visit_cost` (an upper bound: only those with a
        pilot near its decision ask)."""
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
        self._last_until = -1  # the latest ``until``: no team is anywhere from the quarter after it on
        self._quarter = None  # the compiled visits (decisions_kernel.teams_quarter), bound on first use

    def lingering(self, ctx, t) -> bool:
        """A team stays ``stay_quarters`` and leaves capacity behind in the quarter it leaves."""
        return self._last_until >= t

    def step(self, ctx, t, year, quarter, active) -> None:
        p, e = self.p, ctx.effects
        if p.capacity_left > 0 and self._last_until >= t:
            leaving = self.until == t
            if leaving.any():
                e.capacity_bonus += np.where(leaving, p.capacity_left, 0.0)
        if active:
            units = self.buy(self.visit_cost, ctx, year)
            if units:
                # they ask when a pilot nears its scale decision and no team is with them
                if self.targeting.target.by == "application":  # a call: applicants pay (Targeting.choose)
                    chosen = self._visit(ctx, t, year, units)
                else:
                    chosen = self._visit_compiled(ctx, t, units)
                if len(chosen):
                    self._last_until = t + p.stay_quarters
                self.visits += len(chosen)
                self.use(ctx, year, len(chosen) * self.visit_cost, chosen, len(chosen))
                self.refund(units - len(chosen), self.visit_cost)
        if self._last_until > t:  # a team is somewhere
            # numba: loaded by runs, not validate; the kernels do near_decision's rule (model.levers.decisions)
            self.kernel("decisions_kernel", "add_bonus")(e.scale_logit_bonus, self.until, t, p.scale_bonus)

    def compiled(self, ctx, t):
        """The lever's quarters as the compiled loop runs them (:mod:`model.levers.compiled`): a
        :data:`model.levers.decisions_kernel.TeamsLever` over its own arrays, books and the run's (a region's
        part too: what it delivers is decided in the compiled loop, :mod:`model.levers.books_kernel`)."""
        from .books import books_of, taken_of

        decisions_kernel, p, s = kernels("decisions_kernel"), self.p, ctx.state
        rule = decisions_kernel.TeamRule(int(p.request_lead_quarters), int(p.stay_quarters), bool(p.repeat_visits))
        world = decisions_kernel.Asking(s.stage, s.pilot_age, ctx.applicable, ctx.innovations.pilot_quarters,
                                        ctx.effects.capacity_bonus)
        return decisions_kernel.TeamsLever(
            books_of(self, ctx), self.stream(), rule, decisions_kernel.Teams(self.until, self.visited), world,
            float(self.visit_cost), float(p.scale_bonus), float(p.capacity_left), ctx.effects.scale_logit_bonus,
            np.array([self.visits, self._last_until], dtype=np.int64),
            self.targeting.choosing(ctx, taken_of(self, ctx)))

    def take_compiled(self, compiled, ctx) -> None:
        """Take back what :meth:`compiled`'s quarters changed beside the lever's arrays and books."""
        from .books import take_taken

        decisions_kernel = kernels("decisions_kernel")
        self.visits = int(compiled.tally[decisions_kernel.VISITS])
        self._last_until = int(compiled.tally[decisions_kernel.LAST_UNTIL])
        take_taken(self, compiled.choosing.taken)

    def _visit(self, ctx, t, year, units: int) -> np.ndarray:
        """Up to ``units`` new visits among those who ask, chosen in Python (a call:
        :meth:`model.levers.targeting.Targeting.choose`); returns those visited."""
        from .decisions_kernel import asking_for_team  # numba: loaded by runs, not validate
        p, s = self.p, ctx.state
        need = asking_for_team(s.stage, s.pilot_age, ctx.applicable, ctx.innovations.pilot_quarters,
                               p.request_lead_quarters, self.until, self.visited, p.repeat_visits, t)
        chosen = self.targeting.choose(ctx, units, lever=self, need=need, year=year)
        self.until[chosen] = t + p.stay_quarters
        self.visited[chosen] = True
        return chosen

    def _visit_compiled(self, ctx, t, units: int) -> np.ndarray:
        """:meth:`_visit` in one compiled call with the same draws (:func:`model.levers.decisions_kernel.
        teams_quarter`, handed the run's lever generator), for a target without a call."""
        decisions_kernel = kernels("decisions_kernel")  # numba: loaded by runs, not validate
        if self._quarter is None:  # bound once per run (model.kernelcall): typing a generator costs more
            from .books import taken_of

            p, s = self.p, ctx.state
            self._quarter = bound(decisions_kernel.teams_quarter)
            self._rule = decisions_kernel.TeamRule(int(p.request_lead_quarters), int(p.stay_quarters),
                                                   bool(p.repeat_visits))
            self._teams = decisions_kernel.Teams(self.until, self.visited)
            self._world = decisions_kernel.Asking(s.stage, s.pilot_age, ctx.applicable,
                                                  ctx.innovations.pilot_quarters, ctx.effects.capacity_bonus)
            self._choosing = self.targeting.choosing(ctx, taken_of(self, ctx))  # no call: nothing is taken
        return self._quarter(self.stream(), units, t, self._rule, self._teams, self._world, self._choosing)
