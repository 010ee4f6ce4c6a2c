"""National peer reviews (SustainGov ID 2).

*Mechanism.* Teams from organisations that have already scaled an innovation work with organisations
that ask for it (opt-in: "de organisationer som vill åstadkomma en förändring", 000 L1899-1901), in the
two-day workshop format of Interreg Europe's peer reviews, tailored advice on a specific challenge (000
L1805-1808, L1819, L4765-4781). The challenge here is the one the reports name: scaling a pilot, which
needs change management and the ability to adapt a solution to a new context (000 L4639-4647). So an
organisation *asks* when it is willing (a share ``opt_in_share``, drawn once) and has a running pilot whose
scale decision falls within ``request_lead_quarters`` quarters (:func:`.decisions.near_decision`) of an
innovation someone has adopted; each quarter the budget received buys ``budget / cost_per_review_msek``
reviews and the target decides who among those asking gets one first (reviews bought when nobody asks are
carried over to the next quarter of the year; at the end of the year their money is unplaced). The
reviewer is an organisation that has adopted the pilot's innovation (same kind of organisation where
possible). The reviewed organisation gets ``scale_bonus`` on the log-odds of scaling for ``bonus_quarters``
quarters from the review, which cover the decision (``bonus_quarters > request_lead_quarters``): the
review's advice acts on the scale decision and nowhere else. It also leaves a lasting tie to the reviewer
in ``lever_ties`` (peer exchange valued above formal training, 000 L3019-3028; the tie carries awareness
and social proof of every innovation the reviewer adopts). Run by SKR by default (or by the regions for
their own municipalities).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from ..stages import QUARTERS_PER_YEAR
from .base import Absorption, Lever, LeverParams
from .kernels import bound, kernels
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
        description="[share] organisations willing to ask for a review (opt-in, 000 L1899-1901); assumption")
    request_lead_quarters: int = Field(
        1, ge=0, le=8,
        description="[quarters] an organisation asks when a pilot's scale decision falls in this quarter or "
                    "one of the next this many (the review is about scaling it, 000 L4639-4647); assumption")
    scale_bonus: float = Field(
        0.3, ge=0.0, le=5.0,
        description="[log-odds] added to the reviewed organisation's chance of scaling while the review's "
                    "advice lasts; from evaluations of outreach visits (O'Brien et al. 2007, Cochrane CD000409: "
                    "+0.12 to +0.56), range 0.1-0.7 (model/levers/anchors.py)")
    bonus_quarters: int = Field(
        4, ge=1, le=20,
        description="[quarters] how long the review's advice lifts scaling, from the quarter of the review; "
                    "more than request_lead_quarters, so it covers the decision; assumption")
    tie_weight: float = Field(
        1.0, ge=0.0, le=5.0,
        description="[tie weight] strength of the lasting tie between reviewer and reviewed; assumption")

    @model_validator(mode="after")
    def _covers_the_decision(self) -> "PeerReviewParams":
        if self.bonus_quarters <= self.request_lead_quarters:
            raise ValueError(f"bonus_quarters ({self.bonus_quarters}) must be more than request_lead_quarters "
                             f"({self.request_lead_quarters}): the review's advice must last until the "
                             f"decision it was asked for")
        return self


@register
class PeerReview(Lever):
    """Teams from organisations that scaled an innovation review organisations that ask as a pilot nears its
    scale decision: the decision's log-odds are raised, and a lasting tie is made."""
    swedish = ("kollegial granskning", "kollegiala granskningar", "kollegial bedömning", "kamratgranskning",
               "peer review", "peer reviews", "peer-granskning")

    Params = PeerReviewParams
    sustaingov_id = 2
    evidence = ("000 L117, L1805-1824, L1898-1901, L4765-4781; 4 Interreg peer reviews so far: 000 L1810; "
                "scaling needs change management: 000 L4639-4647")
    scores = ("★ prioritised; more potential to change the system than the easy measures but needs more "
              "resources, coordination and long-term work (000 L4900-4904); numeric scores unscored")
    unit_cost_fields = ("cost_per_review_msek",)
    default_operator = "skr"
    operator_roles = ("network_host", "method_support")
    regional = True
    unit = "reviews"

    @classmethod
    def absorbable_msek(cls, params: PeerReviewParams, admitted: int, years: int) -> Absorption:
        """The willing share of those admitted, each reviewed at most once per ``bonus_quarters`` (an upper
        bound: only those with a pilot near its decision ask)."""
        willing = admitted * params.opt_in_share
        per_year = QUARTERS_PER_YEAR / params.bonus_quarters
        return Absorption(willing * per_year * params.cost_per_review_msek * years,
                          f"about {willing:.0f} of the {admitted} organisations admitted ask (opt_in_share "
                          f"{params.opt_in_share:g}), each at most one review of {params.cost_per_review_msek:g} "
                          f"MSEK per {params.bonus_quarters} quarters, when a pilot nears its scale decision")

    def setup(self, ctx) -> None:
        self.willing = self.rng.random(ctx.n) < self.p.opt_in_share
        self.until = np.zeros(ctx.n, dtype=int)  # the bonus lasts while t < until
        self.innovation = np.full(ctx.n, -1)  # the innovation of each organisation's last review
        self.reviews = 0
        self._last_until = 0  # the latest ``until``: no bonus lasts from that quarter on
        self._quarter = None  # the compiled quarter (reviewers.quarter), bound on first use

    def lingering(self, ctx, t) -> bool:
        """A review's bonus lasts ``bonus_quarters``."""
        return self._last_until > t

    def step(self, ctx, t, year, quarter, active) -> None:
        p = self.p
        if active:
            units = self.buy(p.cost_per_review_msek, ctx, year)
            if units:
                placed = self._review(ctx, t, year, units)
                self.refund(units - placed, p.cost_per_review_msek)
        if self._last_until > t:  # someone's review still lifts scaling (compiled: model.levers.decisions_kernel)
            self.kernel("decisions_kernel", "add_bonus")(ctx.effects.scale_logit_bonus, self.until, t, p.scale_bonus)

    def compiled(self, ctx, t):
        """The lever's quarters as the compiled loop runs them (:mod:`model.levers.compiled`): a
        :data:`model.levers.reviewers.ReviewLever` over its own arrays, books and the run's (a region's part
        too)."""
        from .books import books_of, taken_of

        reviewers, p, s, e = kernels("reviewers"), self.p, ctx.state, ctx.effects
        rule = reviewers.ReviewRule(int(p.request_lead_quarters), int(p.bonus_quarters), float(p.tie_weight))
        ties = ctx.ties.lever_ties_arguments()
        world = reviewers.ReviewWorld(s.stage, s.pilot_age, ctx.applicable, ctx.innovations.pilot_quarters,
                                      ctx.orgs.kind, ties.matrix)
        return reviewers.ReviewLever(
            books_of(self, ctx), self.stream(), rule, reviewers.Reviewing(self.willing, self.until, self.innovation),
            world, float(p.cost_per_review_msek), float(p.scale_bonus), e.scale_logit_bonus, ties,
            np.array([self.reviews, self._last_until], dtype=np.int64),
            self.targeting.choosing(ctx, taken_of(self, ctx)))

    def take_compiled(self, compiled, ctx) -> None:
        """Take back what :meth:`compiled`'s quarters changed beside the lever's arrays and books."""
        from .books import take_taken

        reviewers = kernels("reviewers")
        self.reviews = int(compiled.tally[reviewers.REVIEWS])
        self._last_until = int(compiled.tally[reviewers.LAST_UNTIL])
        take_taken(self, compiled.choosing.taken)

    def _review(self, ctx, t, year: int, units: int) -> int:
        """Up to ``units`` reviews this quarter; returns how many were held. They ask when willing, not under
        review already, and running a pilot near its scale decision of an innovation someone has scaled (a
        peer who can advise on it); those the target chooses get a review of one such pilot, chosen at random,
        by an adopter of that innovation, of the same kind where possible (a random tiebreak)."""
        if self.targeting.target.by == "application":  # a call: applicants pay (Targeting.choose)
            chosen, cells = self._ask_and_review(ctx, t, year, units)
        else:
            chosen, cells = self._ask_and_review_compiled(ctx, t, year, units)
        if len(cells):
            ctx.effects.ties_written(cells)
        if len(chosen):
            self._last_until = t + self.p.bonus_quarters
        self.reviews += len(chosen)
        self.use(ctx, year, len(chosen) * self.p.cost_per_review_msek, chosen, len(chosen))
        return len(chosen)

    def _ask_and_review(self, ctx, t, year: int, units: int):
        """The reviews (reviewed, tie cells written) with the target's choice in Python
        (:meth:`model.levers.targeting.Targeting.choose`); the rest compiled (:mod:`model.levers.reviewers`)."""
        from .reviewers import asking, review  # numba: loaded by runs, not validate
        s = ctx.state
        asks, askable = asking(s.stage, s.pilot_age, ctx.applicable, ctx.innovations.pilot_quarters,
                               self.p.request_lead_quarters, self.willing, self.until, t)
        chosen = self.targeting.choose(ctx, units, lever=self, need=asks, year=year)
        if len(chosen) == 0:
            return chosen, chosen
        u_pilot = self.rng.random((len(chosen), ctx.k))
        u_reviewer = self.rng.random((len(chosen), ctx.n))
        return review(chosen.astype(np.int64, copy=False), askable, (u_pilot, u_reviewer),
                      (s.stage, ctx.applicable, ctx.orgs.kind), ctx.effects.lever_ties, float(self.p.tie_weight),
                      self.until, self.innovation, t + self.p.bonus_quarters)

    def _ask_and_review_compiled(self, ctx, t, year: int, units: int):
        """:meth:`_ask_and_review` in one compiled call, with the same draws
        (:func:`model.levers.reviewers.quarter`, handed the run's lever generator), for a target without a
        call."""
        reviewers = kernels("reviewers")  # numba: loaded by runs, not validate
        if self._quarter is None:  # bound once per run (model.kernelcall): typing a generator costs more
            from .books import taken_of

            p, s, e = self.p, ctx.state, ctx.effects
            self._quarter = bound(reviewers.quarter)
            self._rule = reviewers.ReviewRule(int(p.request_lead_quarters), int(p.bonus_quarters), float(p.tie_weight))
            self._reviewing = reviewers.Reviewing(self.willing, self.until, self.innovation)
            self._world = reviewers.ReviewWorld(s.stage, s.pilot_age, ctx.applicable, ctx.innovations.pilot_quarters,
                                                ctx.orgs.kind, e.lever_ties)
            self._choosing = self.targeting.choosing(ctx, taken_of(self, ctx))  # no call: nothing is taken
        return self._quarter(self.stream(), units, t, self._rule, self._reviewing, self._world, self._choosing)
