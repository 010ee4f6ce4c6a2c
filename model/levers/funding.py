"""Funding: pilot grants, scale-up grants, and grants targeted at small actors (SustainGov ID 27).

*Mechanism.* The year's budget, less ``admin_share`` for running the programme, is handed out in
``calls_per_year`` calls (quarterly rolling calls by default; one yearly allocation for formula grants).
A grant is money available to the recipient for a year from the call: for pilots (``pilot_grant_msek``:
pilots become affordable, fewer stall for lack of money) or for scaling (``scale_grant_msek``: a pilot
that ends is more likely to scale, 001 L1703-1719, L2140-2144). An organisation holds at most one running
grant from a lever at a time.

``allocation``:

- ``competitive`` — a call: the target's filters say who may apply, organisations with a need (for pilot
  money: aware of or piloting an innovation; for scale-up money: piloting) apply, applying takes capacity
  and money (``target.application_overhead_*``), and the better-resourced applications win grants of
  ``grant_msek`` (see :mod:`model.levers.targeting`: competitive calls favour those with capacity to apply,
  001 L2412-2418, L1271-1279). Money not awarded (too few applicants) is added to the next call; what is left when the
  programme ends is not awarded (``carry``) but still counts as spent.
- ``formula`` — no call and no overhead: the money is split among everyone the target reaches
  (``formula_weight``: equally or in proportion to population); with ``by: capacity`` or ``random`` and no
  ``share``/``count``, ``net budget / grant_msek`` organisations are picked in that order and get
  ``grant_msek`` each.

Three lever types share this module: ``pilot_grants`` (today's typical innovation funding),
``scale_up_grants`` ("funding to scale, not only to pilot", 001 L2140-2144) and ``small_actor_grants``
(ID 27, targeted state grants for small public organisations, 000 L4518-4537; formula-based by default,
half for pilots and half for scaling). Whether temporary grants build lasting change is contested
(000 L2638-2645): grants here leave nothing behind once they end.
"""

from __future__ import annotations

import math
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from ..stages import AWARE, PILOTING
from .base import Lever, LeverParams
from .registry import register
from .targeting import Target


class FundingParams(LeverParams):
    """The YAML parameters every grant lever shares; each field's description gives its unit, meaning and
    source."""

    grant_msek: float = Field(
        1.0, gt=0.0, le=1000.0, description="[MSEK per grant and year] size of one grant; assumption")
    allocation: Literal["competitive", "formula"] = Field(
        "competitive", description="competitive: a call (applications, overhead, best-resourced win); "
                                   "formula: split among everyone targeted")
    formula_weight: Literal["equal", "population"] = Field(
        "equal", description="with allocation: formula, how the money is split")
    admin_share: float = Field(
        0.05, ge=0.0, lt=1.0,
        description="[share of budget] spent running the programme (calls, assessment, follow-up); assumption")
    calls_per_year: Literal[1, 2, 4] = Field(
        4, description="calls (or formula instalments) a year, each handing out its share of the year's "
                       "budget as grants that run for a year; 4 = a rolling call decided each quarter")

    @model_validator(mode="after")
    def _allocation_fits_target(self):
        by = self.target.by
        if self.allocation == "competitive" and by in ("capacity", "random"):
            raise ValueError(f"allocation: competitive picks winners by application, not by: {by}; "
                             "use allocation: formula to target by capacity or at random")
        if self.allocation == "formula" and by == "application":
            raise ValueError("allocation: formula has no call; use allocation: competitive for by: application")
        return self


class PilotGrantsParams(FundingParams):
    """The YAML parameters of the ``pilot_grants`` lever; each field's description gives its unit, meaning and
    source (``spridning levers pilot_grants``)."""

    type: Literal["pilot_grants"]
    grant_msek: float = Field(
        0.8, gt=0.0, le=1000.0,
        description="[MSEK per grant and year] a typical innovation-project grant to a public organisation; "
                    "assumption")
    target: Target = Field(default_factory=lambda: Target(by="application", kinds=["municipality", "region"]),
                           description="who may apply / is funded (default: a call to municipalities and regions)")


class ScaleUpGrantsParams(FundingParams):
    """The YAML parameters of the ``scale_up_grants`` lever; each field's description gives its unit, meaning and
    source (``spridning levers scale_up_grants``)."""

    type: Literal["scale_up_grants"]
    grant_msek: float = Field(
        2.0, gt=0.0, le=1000.0,
        description="[MSEK per grant and year] money to implement and scale a piloted solution; assumption")
    target: Target = Field(default_factory=lambda: Target(by="application", kinds=["municipality", "region"]),
                           description="who may apply / is funded (default: a call to municipalities and regions)")


class SmallActorGrantsParams(FundingParams):
    """The YAML parameters of the ``small_actor_grants`` lever; each field's description gives its unit, meaning and
    source (``spridning levers small_actor_grants``)."""

    type: Literal["small_actor_grants"]
    grant_msek: float = Field(
        0.5, gt=0.0, le=1000.0,
        description="[MSEK per grant and year] used when picking by capacity/random or in a call; assumption")
    allocation: Literal["competitive", "formula"] = Field(
        "formula", description="competitive: a call; formula (default): split among everyone targeted")
    calls_per_year: Literal[1, 2, 4] = Field(
        1, description="formula instalments (or calls) a year; 1 = a yearly allocation, like a state grant")
    pilot_share: float = Field(
        0.5, ge=0.0, le=1.0,
        description="[share] of each grant usable for pilots; the rest for scaling (ID 27 money is flexible); "
                    "assumption")
    target: Target = Field(default_factory=lambda: Target(by="size_band", size_bands=["<10k", "10-20k"]),
                           description="who is funded (default: municipalities under 20 000 inhabitants)")


class _Funding(Lever):
    #: share of a grant that is pilot money (the rest is scale-up money)
    pilot_share: ClassVar[float] = 1.0
    #: who can apply in a call: "start" (aware or piloting) or "scale" (piloting)
    need: ClassVar[str] = "start"
    unit_cost_fields = ("grant_msek", "admin_share")

    def setup(self, ctx) -> None:
        self.live: list[tuple[int, np.ndarray]] = []  # (quarter the grant ends, MSEK a year per organisation)
        self.carry = 0.0  # money a call could not award (too few applicants), added to the next call
        self.grants = 0
        self.awarded_msek = 0.0
        self.recipients = np.zeros(ctx.n, dtype=bool)  # ever funded

    def _pilot_share(self) -> float:
        return self.pilot_share

    def holding(self, t: int) -> np.ndarray:
        """MSEK a year each organisation has from this lever's grants running in quarter ``t``."""
        self.live = [(until, amount) for until, amount in self.live if until > t]
        total = np.zeros(self.n)
        for _, amount in self.live:
            total += amount
        return total

    def step(self, ctx, t, year, quarter, active) -> None:
        calls = self.p.calls_per_year
        if active and (quarter - 1) % (4 // calls) == 0:
            self._call(ctx, t, year)
        money = self.holding(t)
        if money.any():
            e, share = ctx.effects, self._pilot_share()
            if share > 0:
                e.pilot_grant_msek += money * share
            if share < 1:
                e.scale_grant_msek += money * (1.0 - share)

    def _call(self, ctx, t: int, year: int) -> None:
        p = self.p
        net = self.budget * (1.0 - p.admin_share) / p.calls_per_year + self.carry
        award = np.zeros(ctx.n)
        targeting = self.targeting
        if p.allocation == "formula" and (p.target.by in ("all", "size_band", "region") or targeting.limit):
            who = targeting.pool
            weight = np.where(who, ctx.orgs.population, 0.0) if p.formula_weight == "population" else who * 1.0
            if weight.sum() > 0:
                award = net * weight / weight.sum()
        else:
            places = math.ceil(net / p.grant_msek - 1e-9)
            need = ~(self.holding(t) > 0)  # one running grant per organisation
            if p.allocation == "competitive":
                stage, app = ctx.state.stage, ctx.applicable
                ready = (stage == PILOTING) if self.need == "scale" else ((stage == AWARE) | (stage == PILOTING))
                need &= (ready & app).any(1)
            chosen = targeting.choose(ctx, places, lever=self, need=need, year=year,
                                      call=p.allocation == "competitive")
            amounts = np.full(len(chosen), p.grant_msek)
            if len(chosen) == places and places > 0:
                amounts[-1] = net - p.grant_msek * (places - 1)  # the last grant takes what is left
            award[chosen] = amounts
        self.carry = max(0.0, net - award.sum())
        if award.any():
            self.live.append((t + 4, award))  # a grant is money for a year
            self.grants += int((award > 0).sum())
            self.awarded_msek += float(award.sum())
            self.recipients |= award > 0


@register
class PilotGrants(_Funding):
    """Grants for pilots, by default through competitive calls: pilots become affordable."""

    Params = PilotGrantsParams
    sustaingov_id = None
    evidence = ("funding stops at exploration: 001 L1703-1719, L2065-2069; projectification and heavy "
                "application costs: 001 L1271-1279")
    scores = "unscored (not one of SustainGov's proposals: today's typical innovation funding)"
    pilot_share = 1.0
    need = "start"


@register
class ScaleUpGrants(_Funding):
    """Grants for scaling piloted solutions, through competitive calls: pilots scale more often."""

    Params = ScaleUpGrantsParams
    sustaingov_id = None
    evidence = "funding to scale, not only to pilot: 001 L2140-2144; 001 L1703-1719"
    scores = "unscored (proposed by Ramboll for Vinnova, 001 L2140-2144, not scored by SustainGov)"
    pilot_share = 0.0
    need = "scale"


@register
class SmallActorGrants(_Funding):
    """Targeted state grants to small municipalities, by formula: money for pilots and scaling."""

    Params = SmallActorGrantsParams
    sustaingov_id = 27
    evidence = ("000 L4518-4537 (targeted grants for smaller actors); small actors fall behind: 000 L451-455, "
                "L2507-2509; targeted grants contested: 000 L2638-2645; work better than general: 000 L3334-3336")
    scores = "unscored (ID 27 is not among the ten prioritised; its scores are only in the report's figures)"
    need = "start"

    def _pilot_share(self) -> float:
        return float(self.p.pilot_share)
