"""Practice-near exchange: job shadowing between municipalities (SustainGov ID 11).

*Mechanism.* Officials from digitally mature municipalities (such as Sundsvall) work alongside IT chiefs
in other municipalities for 3-6 months (000 L2320-2327). Each quarter the budget received buys placements
of ``quarters`` quarters at ``cost_per_quarter_msek`` each. The host is picked by the target among those
that have not hosted before; the visiting official comes from a municipality in the most mature
``1 - sender_maturity_quantile`` (not the host, not already away). During the placement the sender gives
up ``sender_time_cost`` of capacity each quarter and the host ``host_time_cost``.

What travels is *know-how*, along the placement: each quarter placed the host learns ``learn_per_quarter``
of what it still lacks of every innovation the sender is piloting or has adopted — "to contribute to
learning and change in practice" (000 L2326-2327), learning by doing rather than a course (000
L3019-3028). A sender without experience of an innovation passes on nothing of it. Know-how lowers by
``load_cut x know-how`` the effort the host's development work on that innovation takes (starting and
running a pilot, implementing a scale-up; :mod:`model.levers.knowhow`) and is lost at ``forget_per_quarter``
(staff move on). When the placement ends host and sender keep a lasting tie. Nothing adds capacity.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ..world.organisations import MUNICIPALITY
from . import knowhow
from .fading import Fade
from .base import Absorption, Lever, LeverParams
from .kernels import kernels
from .registry import register


class JobShadowingParams(LeverParams):
    """The YAML parameters of the ``job_shadowing`` lever; each field's description gives its unit, meaning and
    source (``spridning levers job_shadowing``)."""

    type: Literal["job_shadowing"]
    cost_per_quarter_msek: float = Field(
        0.3, gt=0.0, le=10.0,
        description="[MSEK per placement-quarter] the official's salary while away, travel and housing; "
                    "assumption")
    quarters: int = Field(
        2, ge=1, le=2, description="[quarters] length of a placement: 3-6 months (000 L2326)")
    sender_maturity_quantile: float = Field(
        0.75, ge=0.0, lt=1.0,
        description="[quantile] senders come from municipalities with digital maturity above this quantile; "
                    "assumption")
    learn_per_quarter: float = Field(
        0.5, ge=0.0, le=1.0,
        description="[share of the gap per placement-quarter] know-how of each innovation the sender has "
                    "done that the host learns by working alongside (000 L2326-2327); assumption (range 0.2-0.8)")
    load_cut: float = Field(
        0.3, ge=0.0, le=1.0,
        description="[share] effort of the host's development work on an innovation saved with full know-how "
                    "of it (000 L2726-2729); assumption (range 0.1-0.5)")
    forget_per_quarter: float = Field(
        0.05, ge=0.0, le=1.0,
        description="[share per quarter] know-how lost as staff move on; assumption (range 0.02-0.1)")
    sender_time_cost: float = Field(
        0.05, ge=0.0, le=5.0,
        description="[capacity units per quarter] capacity the sending municipality gives up; assumption")
    host_time_cost: float = Field(
        0.02, ge=0.0, le=5.0,
        description="[capacity units per quarter] capacity hosting takes; assumption")
    tie_weight: float = Field(
        1.0, ge=0.0, le=5.0, description="[tie weight] lasting tie between host and sender; assumption")


@register
class JobShadowing(Lever):
    """Officials from digitally mature municipalities work alongside others for 3-6 months: the host learns
    the know-how of what the sender has done, and keeps a tie; time away for the sender."""
    swedish = ("jobbskuggning", "auskultation", "auskultationer", "job shadow", "personalutbyte")

    Params = JobShadowingParams
    sustaingov_id = 11
    evidence = "000 L2320-2327 (3-6 months, officials from mature municipalities such as Sundsvall); 000 L3019-3028"
    scores = "unscored (ID 11 is not among the ten prioritised; its scores are only in the report's figures)"
    unit_cost_fields = ("cost_per_quarter_msek",)
    default_operator = "skr"
    operator_roles = ("network_host",)
    regional = True
    unit = "placements"

    @property
    def placement_cost(self) -> float:
        """MSEK one placement costs (its quarters at the quarterly cost)."""
        return self.p.cost_per_quarter_msek * self.p.quarters

    @classmethod
    def absorbable_msek(cls, params: JobShadowingParams, admitted: int, years: int) -> Absorption:
        """Each organisation admitted hosts at most once over the programme (an upper bound: a placement
        also needs a free sender among the most mature municipalities)."""
        cost = params.cost_per_quarter_msek * params.quarters
        return Absorption(admitted * cost, f"each of the {admitted} organisations admitted hosts at most one "
                                           f"placement of {cost:g} MSEK in all")

    def setup(self, ctx) -> None:
        muni = ctx.orgs.kind == MUNICIPALITY
        cut = np.quantile(ctx.state.maturity[muni], self.p.sender_maturity_quantile) if muni.any() else np.inf
        self.mature = muni & (ctx.state.maturity > cut)
        self.host_until = np.full(ctx.n, -1, dtype=int)
        self.sender_of = np.full(ctx.n, -1, dtype=int)  # host -> sender while placed
        self.hosted = np.zeros(ctx.n, dtype=bool)
        self.pairs: list[tuple[int, int]] = []  # (host, sender) of every placement
        self.knowhow = np.zeros((ctx.n, ctx.k))  # (n, k) 0-1, hosts' know-how of each innovation
        self._ending_hosts = np.zeros(ctx.n, dtype=np.int64)  # hosts and senders of placements ending, ...
        self._ending_senders = np.zeros(ctx.n, dtype=np.int64)  # ... written by the compiled quarter
        self._cost = np.zeros(ctx.n)  # capacity taking part takes this quarter, written by it
        self.placed_quarters = 0  # placement-quarters ...
        self.taught_quarters = 0  # ... in which the sender had experience the host still lacked
        self._choosing = None  # the target's choice as the placing kernel takes it (_place_compiled)
        self._placed_hosts = np.zeros(ctx.n, dtype=np.int64)  # hosts and senders a quarter placed, ...
        self._placed_senders = np.zeros(ctx.n, dtype=np.int64)  # ... written by the compiled placements

    def lingering(self, ctx, t) -> bool:
        """A placement takes its time until it ends, and ties host and sender in the quarter it ends; know-how
        acts as long as some is left."""
        return bool((self.host_until >= t).any() or (self.knowhow > knowhow.GONE).any())

    def fading(self, ctx, t, year) -> Fade | None:
        """After its years and its last placement (ended before ``t``: its tie made), know-how only acts
        and fades."""
        if not self.only_lingering(year) or (self.host_until >= t).any():
            return None
        p = self.p
        return Fade(self.knowhow, p.load_cut, p.forget_per_quarter, p.forget_per_quarter)

    def step(self, ctx, t, year, quarter, active) -> None:
        """One quarter: new placements (while active), then, compiled (:func:`model.levers.knowhow_kernel.hosts_quarter`): the
        placements ending now tie host and sender, know-how acts and fades, hosts placed now learn from their
        senders, and taking part costs both capacity."""
        knowhow_kernel = kernels("knowhow_kernel")  # numba: loaded by runs, not by validate
        p = self.p
        if active:
            units = self.buy(self.placement_cost, ctx, year)
            if units:
                placed = self._place(ctx, t, year, units)
                self.refund(units - placed, self.placement_cost)
        development = knowhow_kernel.development(ctx)
        ended, hosts, taught, any_cost = self.kernel("knowhow_kernel", "hosts_quarter")(
            ctx.effects.load_factor, self.knowhow, self.host_until, self.sender_of, t, development, p.load_cut,
            p.forget_per_quarter, p.learn_per_quarter, knowhow.GONE, p.host_time_cost, p.sender_time_cost,
            self._ending_hosts, self._ending_senders, self._cost)
        if ended:  # the tie of a placement that ended (placing others draws nothing from it: order is free)
            self.tie(ctx, self._ending_hosts[:ended], self._ending_senders[:ended], p.tie_weight)
        self.placed_quarters += hosts
        self.taught_quarters += taught
        if any_cost:
            self.use_capacity(ctx, self._cost)

    def compiled(self, ctx, t):
        """The lever's quarters from quarter ``t`` as the compiled loop runs them
        (:mod:`model.levers.compiled`): a :data:`model.levers.shadowing_kernel.ShadowingLever` over its own
        arrays, books and the run's (a region's part too)."""
        from .books import books_of, taken_of

        shadowing, p = kernels("shadowing_kernel"), self.p
        taken = taken_of(self, ctx)  # one, for a call's applicants and the time placements take
        pairs = np.zeros((ctx.n, 2), dtype=np.int64)  # an organisation hosts once at most: n placements
        pairs[:len(self.pairs)] = np.array(self.pairs, dtype=np.int64).reshape(-1, 2)
        return shadowing.ShadowingLever(
            books_of(self, ctx), self.stream(), self.targeting.choosing(ctx, taken), self.mature,
            shadowing.Placements(self.hosted, self.host_until, self.sender_of), int(p.quarters), self._placed_hosts,
            self._placed_senders, float(self.placement_cost), pairs, ctx.effects.load_factor, self.knowhow,
            kernels("knowhow_kernel").development(ctx), float(p.load_cut), float(p.forget_per_quarter),
            float(p.learn_per_quarter), float(knowhow.GONE), float(p.host_time_cost), float(p.sender_time_cost),
            self._ending_hosts, self._ending_senders, self._cost, float(p.tie_weight),
            ctx.ties.lever_ties_arguments(), taken,
            np.array([self.placed_quarters, self.taught_quarters, len(self.pairs)], dtype=np.int64))

    def take_compiled(self, compiled, ctx) -> None:
        """Take back the placements made, the quarters counted and the capacity held."""
        from .books import take_taken

        shadowing = kernels("shadowing_kernel")
        count = int(compiled.tally[shadowing.PAIRS])
        self.pairs = [(int(h), int(s)) for h, s in compiled.pairs[:count].tolist()]
        self.placed_quarters = int(compiled.tally[shadowing.PLACED_QUARTERS])
        self.taught_quarters = int(compiled.tally[shadowing.TAUGHT_QUARTERS])
        take_taken(self, compiled.taken)

    def _place(self, ctx, t, year, units: int) -> int:
        """Up to ``units`` placements: hosts by the target among those that have not hosted and are not
        hosting, in its order; each gets a sender drawn at random among the mature municipalities that are
        not the host and not away already; the first host for whom none is free ends the round. Compiled
        (:func:`model.levers.shadowing_kernel.place`) unless the target runs a call (``by: application``:
        applicants pay, :meth:`model.levers.targeting.Targeting.choose`)."""
        if self.targeting.target.by != "application":
            return self._place_compiled(ctx, t, year, units)
        need = ~self.hosted & (self.host_until <= t)
        hosts = self.targeting.choose(ctx, units, lever=self, need=need, year=year).tolist()
        senders = []
        if hosts:
            free = self.mature.copy()
            free[self.sender_of[self.host_until > t]] = False  # away already
            free = np.flatnonzero(free).tolist()  # ascending: the draw picks the r-th of them, the host left out
            for h in hosts:
                mine = free.index(h) if h in free else len(free)  # a mature host does not send to itself
                others = len(free) - (mine < len(free))
                if others == 0:
                    break
                r = int(self.rng.integers(others))
                senders.append(free.pop(r + (r >= mine)))
        hosts = np.array(hosts[:len(senders)], dtype=int)
        self.sender_of[hosts] = senders
        self.host_until[hosts] = t + self.p.quarters
        self.hosted[hosts] = True
        self.pairs.extend(zip(hosts.tolist(), senders))
        self.use(ctx, year, len(senders) * self.placement_cost, hosts, len(senders))
        return len(senders)

    def _place_compiled(self, ctx, t, year, units: int) -> int:
        """:meth:`_place` in one compiled call, with the same draws (:mod:`model.levers.shadowing_kernel`)."""
        shadowing = kernels("shadowing_kernel")  # numba: loaded by runs, not by validate
        if self._choosing is None:  # made once per run: the target's choice as the kernel takes it
            from .books import taken_of

            self._choosing = self.targeting.choosing(ctx, taken_of(self, ctx))  # no call: nothing is taken
        placed = self.kernel("shadowing_kernel", "place")(
            self.stream(), units, self._choosing, self.mature,
            shadowing.Placements(self.hosted, self.host_until, self.sender_of), t, self.p.quarters,
            self._placed_hosts, self._placed_senders)
        hosts, senders = self._placed_hosts[:placed], self._placed_senders[:placed].tolist()
        self.pairs.extend(zip(hosts.tolist(), senders))
        self.use(ctx, year, placed * self.placement_cost, hosts, placed)
        return placed
