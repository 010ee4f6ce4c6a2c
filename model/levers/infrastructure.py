"""Shared digital solutions and data infrastructure (SustainGov IDs 7 and 8).

*Mechanism.* One actor with mandate, funding and trust builds shared solutions so that not every
municipality builds its own (000 L2271-2294, L4934-4959; 004 L2305-2310; legacy systems make each new
solution expensive, 004 L715-717, L1084-1086). Money becomes usable infrastructure only after
``lag_years``; the infrastructure built grows with the cumulative money delivered, with diminishing
returns::

    gain = max_gain * (1 - exp(-delivered_msek / build_msek))

``gain`` is added to the scenario's ``infrastructure_level`` (``infrastructure_gain``, lasting and for
everyone: it lowers the effective complexity of innovations that need infrastructure when pilots end), and
for the organisations targeted innovations that need infrastructure cost less to pilot and their scale-up's
fixed part is lower (``fixed_cost_factor`` times ``1 - cost_reduction * gain``) and they take less capacity
(``load_factor`` times ``1 - load_reduction * gain``): nobody builds their own integration. The fixed part
of a scale-up weighs most in small organisations, so shared infrastructure helps them most (004
L1657-1664, L2303-2311). What is built stays after the money stops. Built by DIGG by default (or Inera); all
the money its operator delivers is used (built).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from .base import Absorption, Lever, LeverParams
from .kernels import kernels
from .registry import register
from .targeting import Target
from ..stages import QUARTERS_PER_YEAR


class InfrastructureParams(LeverParams):
    """The YAML parameters of the ``infrastructure`` lever; each field's description gives its unit, meaning and
    source (``spridning levers infrastructure``)."""

    type: Literal["infrastructure"]
    build_msek: float = Field(
        1000.0, gt=0.0, le=1e6,
        description="[MSEK] cumulative investment that builds 63 % of the attainable gain (national shared "
                    "infrastructure costs hundreds of MSEK to billions; 60 MSEK for one AI workshop at two "
                    "agencies is 'modest', 000 L2144-2148); assumption")
    max_gain: float = Field(
        0.6, ge=0.0, le=1.0,
        description="[0-1] most a programme can add to the infrastructure level; assumption")
    lag_years: int = Field(
        2, ge=0, le=10, description="[years] from money spent to infrastructure in use; assumption")
    cost_reduction: float = Field(
        0.5, ge=0.0, le=1.0,
        description="[share per unit gain] how much lower the pilot costs and the fixed part of scale-up costs "
                    "of innovations needing infrastructure become (x (1 - cost_reduction x gain)); assumption")
    load_reduction: float = Field(
        0.5, ge=0.0, le=1.0,
        description="[share per unit gain] how much less capacity piloting and implementing innovations "
                    "needing infrastructure take (x (1 - load_reduction x gain)); assumption")
    target: Target = Field(default_factory=lambda: Target(kinds=["municipality", "region", "agency"]),
                           description="who gets the lower cost (default: everyone; by all, size_band or region)")

    @model_validator(mode="after")
    def _whole_groups(self):
        if self.target.by not in ("all", "size_band", "region"):
            raise ValueError(f"infrastructure is built for whole groups: target.by must be all, size_band or "
                             f"region, not {self.target.by}")
        return self


@register
class Infrastructure(Lever):
    """Shared digital infrastructure, built up over years with a lag: innovations that need it become
    simpler and cheaper for everyone."""
    swedish = ("infrastruktur", "digital infrastruktur", "gemensam infrastruktur", "gemensam digital infrastruktur")

    Params = InfrastructureParams
    sustaingov_id = 7
    sustaingov_ids = (7, 8)
    evidence = "IDs 7-8: 000 L2271-2294, L4934-4959; 004 L715-717, L1084-1086, L1236-1237, L2305-2310"
    scores = ("IDs 7 and 8: especially high value but lower feasibility (000 L4916-4959; the feasibility-value framework, 000 L886-1024); "
              "numeric scores unscored")
    unit_cost_fields = ("build_msek",)
    default_operator = "digg"
    operator_roles = ("infrastructure_provider",)
    unit = "MSEK built"

    @classmethod
    def absorbable_msek(cls, params: InfrastructureParams, admitted: int, years: int) -> Absorption:
        """All the money delivered is built: nothing is unplaced for lack of takers."""
        return Absorption(float("inf"), "all the money delivered is built")

    def setup(self, ctx) -> None:
        self._lower_costs = self.kernel("cost_kernel", "lower_costs")
        self.spent = np.zeros(ctx.calendar.n_steps)  # MSEK per quarter
        self.gain = 0.0
        self.needs = ctx.innovations.needs_infrastructure > 0
        self.cells = self.targeting.pool[:, None] & self.needs[None, :]  # (n, k) where it lowers costs
        p = self.p
        self._lowers = (p.cost_reduction > 0 or p.load_reduction > 0) and bool(self.needs.any())
        self._lag = QUARTERS_PER_YEAR * p.lag_years  # [quarters] from money spent to infrastructure in use
        self._reached_year: int | None = None  # the year whose takers are marked

    def _gain(self, t: int, spent: np.ndarray | None = None) -> float:
        """The gain in use in quarter ``t``: from the money spent (``spent``, default the lever's, MSEK per
        quarter) up to ``lag_years`` before."""
        p = self.p
        ready = t - self._lag
        spent = self.spent if spent is None else spent
        # np.add.reduce is what ndarray.sum calls (the same pairwise sum), without its Python wrapper
        delivered = float(np.add.reduce(spent[: ready + 1])) if ready >= 0 else 0.0
        return p.max_gain * (1.0 - np.exp(-delivered / p.build_msek))

    def compiled(self, ctx, t):
        """The lever's quarters from quarter ``t`` as the compiled loop runs them
        (:mod:`model.levers.compiled`): a :data:`model.levers.cost_kernel.InfrastructureLever` over its own
        arrays, books and the run's, with the gain in use in every quarter worked out here (by NumPy, as
        :meth:`_gain` does: its sums and exponential in compiled code could differ in the last bit) from the
        money it will spend, which nothing in the run changes (a national operator's: the lever is never run
        by the regions)."""
        from .books import books_of

        books, p, e = books_of(self, ctx), self.p, ctx.effects
        spent, pot = self.spent.copy(), self.pot  # as the quarters will spend it (Lever.act, step)
        for q in range(t, ctx.calendar.n_steps):
            year = q // QUARTERS_PER_YEAR
            if books.active[year]:
                pot += books.delivered[year] / QUARTERS_PER_YEAR
                spent[q], pot = pot, 0.0
        gains = np.zeros(ctx.calendar.n_steps)
        for q in range(max(t, self._lag), ctx.calendar.n_steps):
            gains[q] = self._gain(q, spent)
        reached = -1 if self._reached_year is None else self._reached_year - ctx.calendar.start_year
        return kernels("cost_kernel").InfrastructureLever(
            books, self.targeting.pool, self.spent, gains, int(self._lag), bool(self._lowers), float(p.cost_reduction),
            float(p.load_reduction), self.cells, e.kernel_arguments().infrastructure_gain, e.fixed_cost_factor,
            e.load_factor, np.array([self.gain]), np.array([reached], dtype=np.int64))

    def take_compiled(self, compiled, ctx) -> None:
        """Take back the gain in use and the year whose takers are marked."""
        self.gain = float(compiled.gain[0])
        reached = int(compiled.reached[0])
        self._reached_year = None if reached < 0 else ctx.calendar.start_year + reached

    def step(self, ctx, t, year, quarter, active) -> None:
        """Spend what the operator delivers (when active); then the gain of the money spent ``lag_years``
        ago is in use: added to the infrastructure level and lowering the targeted costs (compiled:
        :func:`model.levers.cost_kernel.lower_costs`)."""
        p, e = self.p, ctx.effects
        if active:
            self.spent[t] = self.pot
            # everyone targeted is reached: marked once a year (the same mask every quarter)
            reached = self.targeting.pool if self._reached_year != year else None
            self._reached_year = year
            self.use(ctx, year, self.pot, reached, self.pot)
            self.usage(ctx, year).bought += self.pot
            self.pot = 0.0
        if t >= self._lag:  # before, nothing spent is in use yet: the gain is 0
            gain = self._gain(t)
            if gain != self.gain:
                e.infrastructure_gain += gain - self.gain
                self.gain = gain
        if self.gain > 0 and self._lowers:
            self._lower_costs(self.cells, 1.0 - p.cost_reduction * self.gain, 1.0 - p.load_reduction * self.gain,
                              e.fixed_cost_factor, e.load_factor)

