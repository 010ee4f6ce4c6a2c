"""Who a lever reaches: the one home for targeting.

Every lever has a ``target:`` block (:class:`Target`). It says

- **who is eligible** — ``kinds`` (default: municipalities), optionally narrowed to ``size_bands`` (the
  official statistics' bands, municipalities only) and ``regions`` (counties, by code ``"01"``, region
  code ``"R01"``, county letter ``"AB"`` or name ``"Stockholms län"`` / ``"Region Stockholm"`` /
  ``"Stockholm"``, as :mod:`model.world.names` resolves them; a name that is also a municipality's,
  such as Stockholm, means the county here);
- **in what order** a lever with fewer places than eligible organisations fills them (``by``):

  ========== ===========================================================================================
  ``all``     everyone eligible; places are filled in random order
  ``size_band`` everyone eligible in ``size_bands`` (required); random order
  ``region``  everyone eligible in ``regions`` (required); random order
  ``random``  a random ``share``/``count`` of the eligible, drawn once when the lever starts
  ``capacity`` need first: lowest development capacity first (a ``share``/``count`` fixes the neediest
              group when the lever starts; without one, each round picks the currently weakest)
  ``application`` a competitive call: organisations *apply*, and applying takes capacity, so those with
              free capacity apply more often and better-resourced applications win more often; every
              applicant pays the ``application_overhead_*`` — by default people's time only, booked once
              (one economy: the hours are not charged again to the development money that pays pilots;
              docs/levers.md, "Funding") (001 L1271-1279: heavy application and reporting costs; 001
              L2412-2418: those who already innovate get more; 001 L1295-1299: support does not reach
              those who have come least far)
  ========== ===========================================================================================

Randomness comes only from the model's ``rng_levers`` stream, so targeting never shifts anyone's life
cycle, people or world draws (common random numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from ..errors import Checked
from ..world.names import COUNTY_FORMS, county_index, county_problem
from ..world.organisations import KIND_NAMES, MUNICIPALITY, SIZE_BANDS, OrgKind
from .kernels import bound, kernels

if TYPE_CHECKING:
    from ..context import RunContext

TargetBy = Literal["all", "size_band", "capacity", "application", "region", "random"]
SizeBand = Literal[SIZE_BANDS]  # type: ignore[valid-type]


class Target(Checked):
    """Who a lever reaches and in what order (see :mod:`model.levers.targeting`)."""

    by: TargetBy = Field("all", description="targeting rule: all, size_band, capacity (need first), "
                                            "application (competitive call), region or random")
    kinds: list[OrgKind] = Field(default_factory=lambda: ["municipality"], min_length=1,
                                 description="kinds of organisation eligible")
    size_bands: list[SizeBand] = Field(default_factory=list,  # type: ignore[valid-type]
                                       description=f"municipal size bands eligible ({', '.join(SIZE_BANDS)}); "
                                                   "empty = all")
    regions: list[str] = Field(default_factory=list,
                               description="counties eligible (code '01', 'R01' or name); empty = all")
    share: float | None = Field(None, gt=0.0, le=1.0,
                                description="with by random/capacity/application: share of the eligible reached")
    count: int | None = Field(None, ge=1,
                              description="with by random/capacity/application: number of organisations reached")
    application_overhead_msek: float = Field(
        0.0, ge=0.0, le=10.0,
        description="[MSEK per application] money, beyond people's time, an applicant pays from its own "
                    "development money (e.g. a consultant); default none: applying is people's time, booked "
                    "once by application_overhead_capacity (one economy); assumption, range 0-0.05")
    application_overhead_capacity: float = Field(
        0.1, ge=0.0, le=5.0,
        description="[capacity units for one quarter] people's time an application and its reporting take "
                    "(0.1 = about 40 hours, 0.025 MSEK at capacity_msek 1); 001 L1271-1279 (much time goes "
                    "to applying and reporting); value: assumption, range 0.05-0.5")
    application_half_capacity: float = Field(
        0.3, gt=0.0, le=10.0,
        description="[capacity units] free capacity at which half of those who could apply do; assumption")
    application_noise: float = Field(
        0.5, ge=0.0, le=3.0,
        description="[log-sd] noise in how applications are ranked (0 = the best-resourced always win); assumption")

    @field_validator("regions", mode="before")
    @classmethod
    def _known_regions(cls, value: Any) -> Any:
        """Every label names a county (see :mod:`model.world.names`; all unknown ones are listed); county
        codes written as YAML numbers (``1``, ``01``) are the codes ``"01"``."""
        if not isinstance(value, list):
            return value
        problems = [p for p in (county_problem(v, forms=False) for v in value) if p]
        if problems:
            raise ValueError("; ".join(problems) + f"; use {COUNTY_FORMS}")
        return [f"{v:02d}" if isinstance(v, int) else v for v in value]

    @field_validator("count")
    @classmethod
    def _no_more_than_exist(cls, value: int | None, info: ValidationInfo) -> int | None:
        """A count is at most the organisations the target's filters admit in the full world (290
        municipalities, 21 regions, the agencies); a larger one could never be met (``1e12``)."""
        if value is None or not {"kinds", "size_bands", "regions"} <= set(info.data):
            return value
        from types import SimpleNamespace

        from ..world.organisations import load_organisations

        filters = SimpleNamespace(**{k: info.data[k] for k in ("kinds", "size_bands", "regions")})
        n = int(eligible_mask(filters, load_organisations()).sum())
        if value > n:
            where = " in the size bands and regions given" if filters.size_bands or filters.regions else ""
            raise ValueError(f"{value} is more than the {n} organisations this target admits "
                             f"({', '.join(filters.kinds)}{where}); give at most {n}, or share: 1.0 for all of them")
        return value

    @model_validator(mode="after")
    def _admits_someone(self) -> "Target":
        """A target whose filters admit no organisation of the full world (small municipalities on
        Gotland, whose one municipality is not small) is refused, saying which filter excludes everyone:
        its lever's money could never be placed."""
        if not (self.size_bands or self.regions):
            return self
        why = nobody_admitted(self)
        if why:
            raise ValueError(why)
        return self

    @model_validator(mode="after")
    def _consistent(self) -> "Target":
        if self.by == "size_band" and not self.size_bands:
            raise ValueError("by: size_band needs size_bands (e.g. size_bands: ['<10k', '10-20k'])")
        if self.by == "region" and not self.regions:
            raise ValueError("by: region needs regions (e.g. regions: ['Norrbottens län'])")
        if self.size_bands and "municipality" not in self.kinds:
            raise ValueError("size_bands only apply to municipalities; add 'municipality' to kinds")
        if self.share is not None and self.count is not None:
            raise ValueError("give share or count, not both")
        if (self.share is not None or self.count is not None) and self.by in ("all", "size_band", "region"):
            raise ValueError(f"share/count choose a subset, which by: {self.by} does not; "
                             "use by: random, capacity or application")
        return self


def eligible_mask(target: Target, orgs) -> np.ndarray:
    """Organisations the target's filters admit (kinds, size bands, regions)."""
    kinds = [KIND_NAMES.index(k) for k in target.kinds]
    mask = np.isin(orgs.kind, kinds)
    if target.size_bands:
        bands = [SIZE_BANDS.index(b) for b in target.size_bands]
        mask &= (orgs.kind == MUNICIPALITY) & np.isin(orgs.size_band, bands)
    if target.regions:
        counties = [county_index(r) for r in target.regions]
        mask &= np.isin(orgs.county, counties)
    return mask


def nobody_admitted(target: Target, orgs=None) -> str:
    """Why ``target``'s filters admit no organisation of ``orgs`` (default: the full world), naming the
    filter that excludes everyone and what the others admit; '' when it admits someone."""
    if orgs is None:
        from ..world.organisations import load_organisations

        orgs = load_organisations()
    from types import SimpleNamespace

    def count(**drop) -> int:
        filters = {"kinds": target.kinds, "size_bands": target.size_bands, "regions": target.regions, **drop}
        return int(eligible_mask(SimpleNamespace(**filters), orgs).sum())

    if count() > 0:
        return ""
    kinds = ", ".join(target.kinds)
    regions = ", ".join(target.regions)
    bands = ", ".join(target.size_bands)
    in_regions = count(size_bands=[])
    if target.regions and in_regions == 0:
        return f"this target admits nobody: there is no {kinds} in regions [{regions}]; choose other kinds or regions"
    if not target.regions:
        return f"this target admits nobody: no {kinds} is in size bands [{bands}]; choose other size bands"
    region_mask = eligible_mask(SimpleNamespace(kinds=["municipality"], size_bands=[], regions=target.regions), orgs)
    have = sorted({SIZE_BANDS[b] for b in orgs.size_band[region_mask] if b >= 0}, key=SIZE_BANDS.index)
    return (f"this target admits nobody: the {in_regions} organisation{'s' if in_regions != 1 else ''} of kind "
            f"{kinds} in regions [{regions}] {'are' if in_regions != 1 else 'is'} in size bands "
            f"[{', '.join(have)}], none in [{bands}]; choose size bands [{', '.join(have)}], other regions, or "
            "drop size_bands")


def development_capacity(ctx: "RunContext") -> np.ndarray:
    """Development capacity now: the organisation's own plus what levers have added (or taken)."""
    return ctx.state.capacity + ctx.effects.capacity_bonus


def free_capacity(ctx: "RunContext") -> np.ndarray:
    """Capacity not occupied by running pilots, scale-ups being implemented and adoptions (as the life cycle
    computes it, with the load factors levers set this quarter so far); compiled
    (:func:`model.levers.targeting_kernel.free_capacity`)."""
    targeting_kernel = kernels("targeting_kernel")  # numba: loaded by runs, not by `spridning validate`
    kernel = ctx.kernels.get("free_capacity")
    if kernel is None:  # bound once per run (model.kernelcall): typing the named tuple costs more than the work
        kernel = ctx.kernels["free_capacity"] = bound(targeting_kernel.free_capacity)
    return kernel(ctx.state.capacity, ctx.effects.capacity_bonus, ctx.effects.load_factor,
                  targeting_kernel.loads(ctx))


#: eligible masks already made, by the target's filters and the world's ``load_organisations`` key (read-only)
_ELIGIBLE: dict[tuple, np.ndarray] = {}


def _run_eligible(target: Target, orgs) -> np.ndarray:
    """:func:`eligible_mask` of ``target`` in the world ``orgs``, made once per filters and world (read-only):
    every lever of every run asked for it, and its ``np.isin`` took a tenth of building a run's lever."""
    key = (tuple(target.kinds), tuple(target.size_bands), tuple(target.regions), getattr(orgs, "key", id(orgs)))
    mask = _ELIGIBLE.get(key)
    if mask is None or len(mask) != orgs.n:
        if len(_ELIGIBLE) > 256:  # a long study with ever new targets: start again
            _ELIGIBLE.clear()
        mask = _ELIGIBLE[key] = eligible_mask(target, orgs)
        mask.flags.writeable = False
    return mask


#: up to this many places a scan finds them quicker than a partial sort (hundreds of candidates)
FEW_PLACES = 16


def first_in_order(places: int, key: np.ndarray, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Positions of the first ``places`` in the stable order by ``key`` and then ``tiebreak`` (both (m,)
    floats): ``np.lexsort((tiebreak, key))[:places]`` (without a tiebreak ``np.argsort(key,
    kind="stable")[:places]``), the same positions in the same order. Why not sort them all: levers choose
    a few organisations a quarter among hundreds, and sorting hundreds of random keys took a lever's
    quarter 20 µs (issue 21); only those whose key is at most the ``places``-th smallest (the first
    ``places`` are among them, and keep their relative order) are sorted; for up to :data:`FEW_PLACES`
    compiled, without sorting (:func:`model.levers.targeting_kernel.first_places`)."""
    if 0 <= places <= FEW_PLACES:
        first_places = kernels("targeting_kernel").first_places  # numba: loaded by runs, not by validate
        return first_places(places, key, key if tiebreak is None else tiebreak)  # (key as tiebreak: none)
    if places < len(key):
        bound = np.partition(key, places - 1)[places - 1]
        if bound == bound:  # not NaN (NaN keys sort last: with one among the first places, sort them all)
            near = (key <= bound).nonzero()[0]  # ascending, as a stable sort keeps them
            near_key = key[near]
            if tiebreak is None:
                return near[np.argsort(near_key, kind="stable")[:places]]
            return near[np.lexsort((tiebreak[near], near_key))[:places]]
    order = np.lexsort((tiebreak, key)) if tiebreak is not None else np.argsort(key, kind="stable")
    return order[:places]


class Targeting:
    """A lever's target bound to one run: the eligible pool and how places are filled."""

    def __init__(self, target: Target, ctx: "RunContext") -> None:
        self.target = target
        self.rng = ctx.rng_levers
        self.eligible = _run_eligible(target, ctx.orgs)
        n_eligible = int(self.eligible.sum())
        limit = None
        if target.count is not None:
            limit = min(target.count, n_eligible)
        elif target.share is not None:
            limit = int(round(target.share * n_eligible))
        self.limit = limit
        pool = self.eligible.copy()
        if limit is not None and target.by in ("random", "capacity"):
            idx = np.flatnonzero(self.eligible)
            if target.by == "random":
                keep = self.rng.permutation(idx)[:limit]
            else:
                cap = development_capacity(ctx)[idx]
                keep = idx[first_in_order(limit, cap, self.rng.random(len(idx)))]
            pool = np.zeros_like(self.eligible)
            pool[keep] = True
        #: who can ever be reached
        self.pool = pool
        self._by_call = None  # a call's kernel, bound on first use (_call)

    def choose(self, ctx: "RunContext", places: int, lever=None, need: np.ndarray | None = None,
               year: int | None = None, call: bool = False) -> np.ndarray:
        """Up to ``places`` organisations from the pool (and ``need``), in the target's order.

        With ``by: application`` (or ``call=True``) this runs a competitive call among them, charging every
        applicant the application overhead through ``lever`` (see :meth:`model.levers.base.Lever.charge`).
        """
        candidates = self.pool if need is None else self.pool & need
        idx = candidates.nonzero()[0]  # (n,) masks: flatnonzero's result without its wrappers
        if places <= 0 or len(idx) == 0:
            return np.zeros(0, dtype=int)
        by = self.target.by
        if by == "application" or call:
            return self._call(ctx, places, candidates, lever, year)
        tiebreak = self.rng.random(len(idx))
        if by == "capacity":
            capacity = ctx.state.capacity[idx] + ctx.effects.capacity_bonus[idx]  # development_capacity's sum
            return idx[first_in_order(places, capacity, tiebreak)]
        return idx[first_in_order(places, tiebreak)]

    def _call(self, ctx, places, candidates, lever, year) -> np.ndarray:
        """A call among ``candidates`` for up to ``places``, compiled
        (:func:`model.levers.targeting_kernel.chosen_by_call`, with the lever generator's draws); every
        applicant is charged the application overhead through ``lever``."""
        t = self.target
        if self._by_call is None:  # bound once per run (model.kernelcall): typing the named tuples costs more
            targeting_kernel = kernels("targeting_kernel")
            self._by_call = bound(targeting_kernel.chosen_by_call)
            self._call_choice = self._call_rule()
            if lever is None:  # nobody to charge: the ranking reads the capacity as it is
                self._call_choice = self._call_choice._replace(overhead_capacity=0.0)
            self._applicants = np.zeros(ctx.n, dtype=bool)
            self._stream = kernels("streams").stream_of(self.rng)
        chosen = self._by_call(self._stream, candidates, places, self._call_choice, ctx.state.capacity,
                               ctx.effects.capacity_bonus, ctx.effects.load_factor,
                               kernels("targeting_kernel").loads(ctx), self._applicants)
        if lever is not None:
            lever.charge(ctx, self._applicants, t.application_overhead_msek, t.application_overhead_capacity)
        return chosen

    def choosing(self, ctx: "RunContext", taken):
        """How this target chooses, as the compiled levers' quarters take it
        (:data:`model.levers.members_kernel.Choosing`: :func:`~model.levers.members_kernel.choose` does what
        :meth:`choose` does), with ``taken`` (the lever's :data:`~model.levers.members_kernel.Taken`: what a
        call's applicants give for the quarter goes there)."""
        t = self.target
        return kernels("members_kernel").Choosing(  # numba: loaded by runs, not by validate
            self.pool, t.by == "capacity", ctx.state.capacity, ctx.effects.capacity_bonus, t.by == "application",
            self._call_rule(), ctx.effects.load_factor, kernels("targeting_kernel").loads(ctx),
            float(t.application_overhead_msek), ctx.effects.charged, taken, np.zeros(ctx.n, dtype=np.bool_),
            np.zeros(ctx.n))

    def _call_rule(self):
        """The target's call as the kernels take it (:data:`model.levers.targeting_kernel.CallChoice`)."""
        t = self.target
        return kernels("targeting_kernel").CallChoice(
            float(t.application_half_capacity), float(t.application_noise), float(t.application_overhead_capacity),
            -1 if self.limit is None else int(self.limit))

    def members(self, ctx: "RunContext", places: int, lever=None, year: int | None = None) -> np.ndarray:
        """A fixed membership of up to ``places`` organisations (networks, frameworks), as a bool mask."""
        chosen = self.choose(ctx, places, lever=lever, year=year)
        mask = np.zeros(ctx.n, dtype=bool)
        mask[chosen] = True
        return mask
