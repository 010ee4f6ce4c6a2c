"""National peer reviews (SustainGov ID 2).

*Mechanism.* Teams from organisations that have already scaled an innovation work with organisations
that ask for it (opt-in), in the two-day workshop format of Interreg Europe's peer reviews (000 L1808-1824,
L1895-1903, L4765-4781). Each quarter the budget received buys ``budget / cost_per_review_msek`` reviews.
An organisation *asks* when it is willing (a share ``opt_in_share``, drawn once) and is piloting or
considering (aware of) an innovation someone has adopted; the target decides who among those asking gets a
review first. The reviewer is an organisation that has
adopted the pilot's innovation (same kind of organisation where possible). The reviewed organisation gets
``scale_bonus`` on the log-odds of scaling for ``bonus_quarters`` quarters (concrete advice on scaling,
peer exchange valued above formal training, 000 L3019-3028) and a lasting tie to its reviewer in
``lever_ties`` (the tie carries awareness and social proof of every innovation the reviewer adopts).
Run by SKR by default (or by the regions for their own municipalities). Reviews bought when nobody asks
are carried over to the next quarter of the year; at the end of the year their money is unplaced.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ..stages import ADOPTED, AWARE, PILOTING, QUARTERS_PER_YEAR
from .base import Absorption, Lever, LeverParams
from .registry import register


class PeerReviewParams(LeverParams):
    """The YAML parameters of the ``peer_review`` lever; each field's description gives its unit, meaning and
    source (``spridning levers peer_review``)."""

    type: Literal["peer_review"]
    cost_per_review_msek: float = Field(
        0.25, gt=0.0, le=10.0,
        description="[MSEK per review] a two-day workshop with a team of 3-5 peers: preparation, travel, "
                    "days and follow-up; assumption (format: 000 L1819)")
    opt_in_share: float = Field(
        0.5, ge=0.0, le=1.0,
        description="[share] organisations willing to ask for a review (opt-in, 000 L1895-1903); assumption")
    scale_bonus: float = Field(
        0.7, ge=0.0, le=5.0,
        description="[log-odds] added to the reviewed organisation's chance of scaling; assumption")
    bonus_quarters: int = Field(
        4, ge=1, le=20, description="[quarters] how long the review's advice lifts scaling; assumption")
    tie_weight: float = Field(
        1.0, ge=0.0, le=5.0,
        description="[tie weight] strength of the lasting tie between reviewer and reviewed; assumption")


@register
class PeerReview(Lever):
    """Teams from organisations that scaled an innovation review organisations that ask: a time-limited
    boost to scaling and a lasting tie."""
    swedish = ("kollegial granskning", "kollegiala granskningar", "kollegial bedömning", "kamratgranskning",
               "peer review", "peer reviews", "peer-granskning")

    Params = PeerReviewParams
    sustaingov_id = 2
    evidence = "000 L117, L1808-1824, L1895-1903, L4765-4781; 4 Interreg peer reviews so far: 000 L1810"
    scores = ("★ prioritised; more potential to change the system than the easy measures but needs more "
              "resources, coordination and long-term work (000 L4900-4904); numeric scores unscored")
    unit_cost_fields = ("cost_per_review_msek",)
    default_operator = "skr"
    operator_roles = ("network_host", "method_support")
    regional = True
    unit = "reviews"

    @classmethod
    def absorbable_msek(cls, params: PeerReviewParams, admitted: int, years: int) -> Absorption:
        """The willing share of those admitted, each reviewed at most once per ``bonus_quarters``."""
        willing = admitted * params.opt_in_share
        per_year = QUARTERS_PER_YEAR / params.bonus_quarters
        return Absorption(willing * per_year * params.cost_per_review_msek * years,
                          f"about {willing:.0f} of the {admitted} organisations admitted ask (opt_in_share "
                          f"{params.opt_in_share:g}), each at most one review of {params.cost_per_review_msek:g} "
                          f"MSEK per {params.bonus_quarters} quarters")

    def setup(self, ctx) -> None:
        self.willing = self.rng.random(ctx.n) < self.p.opt_in_share
        self.until = np.zeros(ctx.n, dtype=int)  # the bonus lasts while t < until
        self.reviews = 0

    def lingering(self, ctx, t) -> bool:
        """A review's bonus lasts ``bonus_quarters``."""
        return bool((self.until > t).any())

    def step(self, ctx, t, year, quarter, active) -> None:
        p, e = self.p, ctx.effects
        if active:
            units = self.buy(p.cost_per_review_msek, ctx, year)
            if units:
                placed = self._review(ctx, t, year, units)
                self.refund(units - placed, p.cost_per_review_msek)
        e.scale_logit_bonus += np.where(self.until > t, p.scale_bonus, 0.0)

    def _review(self, ctx, t, year: int, units: int) -> int:
        stage, app = ctx.state.stage, ctx.applicable
        adopted = ctx.derived("adopted", lambda: (stage == ADOPTED) & app)
        working_on = ctx.derived("working_on", lambda: ((stage == PILOTING) | (stage == AWARE)) & app)
        # they ask when willing, are piloting or considering an innovation someone has already adopted,
        # and are not under review already
        askable = working_on & adopted.any(0)[None, :]
        asks = self.willing & askable.any(1) & (self.until <= t)
        chosen = self.targeting.choose(ctx, units, lever=self, need=asks, year=year)
        if len(chosen) == 0:
            return 0
        # the innovation each chosen organisation asks about: one at random among those it could
        pick = self.rng.random((len(chosen), ctx.k)) + askable[chosen]
        ks = pick.argmax(1)
        # its reviewer: an adopter of that innovation, of the same kind where possible, else any kind
        kind = ctx.orgs.kind
        can = adopted[:, ks].T  # (chosen, n)
        key = self.rng.random(can.shape)
        key += can * (1.0 + (kind[None, :] == kind[chosen][:, None]))  # priority 0, 1 or 2 plus a tiebreak
        reviewers = key.argmax(1)
        ok = key[np.arange(len(chosen)), reviewers] >= 1.0
        chosen, reviewers = chosen[ok], reviewers[ok]
        self.tie(ctx, chosen, reviewers, self.p.tie_weight)
        self.until[chosen] = t + self.p.bonus_quarters
        self.reviews += len(chosen)
        self.use(ctx, year, len(chosen) * self.p.cost_per_review_msek, chosen, len(chosen))
        return len(chosen)
