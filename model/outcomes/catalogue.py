"""The outcome catalogue: every scalar outcome of a run, declared once.

Each :class:`ScalarOutcome` says what an outcome is called, its title and unit, how to print it, which
direction is better and how it is computed. The summary of a run (:func:`model.outcomes.collect.summarise`)
reports exactly these names (and one ``final_adoption.<innovation>`` per innovation); the comparison table,
the charts, the terminal printout and the sensitivity experiments read titles, units, formats and
directions from here (compare EMA Workbench's ``ScalarOutcome``). Adding an outcome means adding one entry
here and computing it in ``summarise``; a test checks that the two agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Direction = Literal["higher", "lower"]
#: how a value is shown: a share as a percentage, a difference of shares in percentage points, a count,
#: a number of years or MSEK
Format = Literal["percent", "pp", "count", "years", "msek", "number"]
Group = Literal["diffusion", "equality", "durability", "cost"]


@dataclass(frozen=True)
class ScalarOutcome:
    """One scalar outcome of a run.

    ``name`` is the key in ``Outcomes.summary``, ``summary.csv`` and experiment files; ``title`` and
    ``unit`` label tables and charts; ``format`` says how a value prints (:meth:`show`); ``better`` is the
    direction a policy analyst prefers (``None``: neither, e.g. a count of pilots stalled by design);
    ``computed`` says how it is computed, in words, for the docs; ``compared`` whether ``spridning compare``
    reports it; ``printed`` whether ``spridning run`` prints it in the terminal; ``missing`` what a run
    without a value (NaN) means when runs are ranked: ``"never"`` -- the event did not happen within the
    horizon, worse than any value (``None``: nothing; such a run is left out, with a warning).
    """

    name: str
    title: str
    unit: str
    format: Format
    group: Group
    computed: str
    better: Direction | None = None
    compared: bool = True
    printed: bool = False
    missing: Literal["never"] | None = None

    def show(self, value: float, signed: bool = False) -> str:
        """``value`` as text in this outcome's format (``signed``: a difference, with its sign)."""
        if value is None or not math.isfinite(value):
            return "n/a"
        sign = "+" if signed else ""
        if self.format == "percent":
            return f"{value * 100:{sign}.1f} %"
        if self.format == "pp":
            return f"{value * 100:{sign}.1f} pp"
        if self.format == "count":
            return f"{value:{sign},.1f}" if abs(value) < 100 else f"{value:{sign},.0f}"
        if self.format == "years":
            return f"{value:{sign}.2f} years"
        if self.format == "msek":
            return f"{value:{sign},.2f} MSEK" if abs(value) < 100 else f"{value:{sign},.0f} MSEK"
        return f"{value:{sign}.3f}"

    def is_better(self, a: float, b: float) -> bool | None:
        """Whether ``a`` is better than ``b`` (``None`` when the outcome has no preferred direction)."""
        if self.better is None:
            return None
        return a > b if self.better == "higher" else a < b


_SHARE = "share of applicable organisation–innovation pairs"
OUTCOMES: tuple[ScalarOutcome, ...] = (
    # diffusion
    ScalarOutcome("final_adoption", "Final adoption", _SHARE, "percent", "diffusion",
                  "adopted pairs at the horizon / applicable pairs", "higher", printed=True),
    ScalarOutcome("adoptions_final", "Adoptions at the horizon", "organisation–innovation pairs", "count",
                  "diffusion", "count of adopted applicable pairs at the horizon", "higher", compared=False),
    ScalarOutcome("final_adoption_pop", "Final adoption, population-weighted", "share of inhabitants served",
                  "percent", "diffusion",
                  "inhabitants served by an adopter / inhabitants served (mean of municipal and regional "
                  "coverage where both apply; agencies weigh nothing)", "higher", printed=True),
    ScalarOutcome("time_to_50_years", "Years to 50 % adoption", "years", "years", "diffusion",
                  "first quarter at which final_adoption's share reaches 0.5, in years; NaN if never",
                  "lower", missing="never"),
    ScalarOutcome("pilots_started", "Pilots started", "pilots", "count", "diffusion",
                  "pilots started over the run (aware -> piloting)", None),
    ScalarOutcome("pilots_scaled", "Pilots scaled up", "pilots", "count", "diffusion",
                  "pilots scaled over the run (piloting -> adopted)", "higher"),
    ScalarOutcome("pilots_stalled", "Pilots stalled", "pilots", "count", "diffusion",
                  "pilots stalled over the run (piloting -> stalled)", "lower"),
    ScalarOutcome("adoptions_dropped", "Adoptions dropped", "adoptions", "count", "durability",
                  "adoptions abandoned over the run (adopted -> dropped)", "lower"),
    ScalarOutcome("pilot_to_scale_rate", "Pilot-to-scale rate", "share of finished pilots", "percent",
                  "diffusion", "pilots_scaled / (pilots_scaled + pilots_stalled); NaN if none finished",
                  "higher", printed=True),
    ScalarOutcome("mean_years_pilot_to_scale", "Years from pilot start to scale-up", "years", "years",
                  "diffusion", "mean time from a pilot's start to its scale-up, over scale-ups; NaN if none",
                  "lower"),
    ScalarOutcome("pilots_disappointed", "Pilots that disappointed", "pilots", "count", "diffusion",
                  "pilots abandoned because the innovation did not work in the organisation (a result)", None,
                  compared=False),
    ScalarOutcome("pilots_stalled_no_champion", "Pilots stalled without a champion", "pilots", "count",
                  "diffusion", "pilots stalled while nobody championed them (the champion left, nobody took over)",
                  "lower", compared=False),
    ScalarOutcome("pilots_stalled_reprioritised", "Pilots stalled by a new leadership", "pilots", "count",
                  "diffusion", "pilots stalled while a new leadership without a protector reprioritised", "lower",
                  compared=False),
    ScalarOutcome("pilots_stalled_no_money", "Pilots stalled for lack of money", "pilots", "count", "diffusion",
                  "pilots stalled in a quarter their running cost could not be paid", "lower", compared=False),
    ScalarOutcome("pilots_funded", "Grant-funded pilots started", "pilots", "count", "diffusion",
                  "pilots started because a grant funded them", None, compared=False),
    # durability
    ScalarOutcome("adoptions_lost_no_enthusiast", "Adoptions dropped without an enthusiast", "adoptions",
                  "count", "durability", "drops in quarters when the organisation had no enthusiast", "lower",
                  compared=False),
    ScalarOutcome("adoptions_lost_no_protector", "Adoptions dropped without a protector", "adoptions",
                  "count", "durability", "drops in quarters when the organisation had no protector", "lower",
                  compared=False),
    ScalarOutcome("adoptions_lost_no_money", "Adoptions dropped for lack of money", "adoptions", "count",
                  "durability", "drops in a quarter the running cost could not be paid (e.g. a temporary grant "
                  "had ended)", "lower", compared=False),
    ScalarOutcome("adoptions_lost_disappointed", "Adoptions dropped as disappointing", "adoptions", "count",
                  "durability", "drops because the innovation delivered little in the organisation", None,
                  compared=False),
    # equality (over municipalities: each one's share of applicable innovations adopted at the horizon)
    ScalarOutcome("final_adoption_municipalities", "Mean municipal adoption", "share of applicable innovations",
                  "percent", "equality", "mean over municipalities of their share adopted", "higher"),
    ScalarOutcome("adoption_small", "Adoption in small municipalities", "share of applicable innovations",
                  "percent", "equality", "mean share adopted among municipalities under 10 000 inhabitants",
                  "higher"),
    ScalarOutcome("adoption_large", "Adoption in large municipalities", "share of applicable innovations",
                  "percent", "equality", "mean share adopted among municipalities over 100 000 inhabitants",
                  "higher"),
    ScalarOutcome("gap_small_large", "Adoption gap: large − small municipalities", "percentage points", "pp",
                  "equality", "adoption_large − adoption_small", "lower", printed=True),
    ScalarOutcome("gap_skr_a_c", "Adoption gap: SKR group A − C", "percentage points", "pp", "equality",
                  "mean share adopted in SKR main group A (large cities) − group C (smaller towns, rural)",
                  "lower", compared=False),
    ScalarOutcome("gini", "Gini coefficient of municipal adoption", "0–1", "number", "equality",
                  "Gini coefficient of municipalities' shares adopted", "lower", printed=True),
    ScalarOutcome("theil", "Theil index of municipal adoption", "nats", "number", "equality",
                  "Theil T index of municipalities' shares adopted", "lower"),
    ScalarOutcome("theil_between_regions", "Theil index between counties", "nats", "number", "equality",
                  "between-county part of the Theil index (exact decomposition)", "lower", compared=False),
    ScalarOutcome("theil_within_regions", "Theil index within counties", "nats", "number", "equality",
                  "within-county part of the Theil index (exact decomposition)", "lower", compared=False),
    ScalarOutcome("share_no_adoption", "Municipalities with no adoption", "share of municipalities", "percent",
                  "equality", "share of municipalities that adopted none of their applicable innovations",
                  "lower", printed=True),
    # cost
    ScalarOutcome("spend_msek", "Money used", "MSEK over the run", "msek", "cost",
                  "MSEK the levers placed with a taker over the run (reviews held, teams sent, grants awarded net "
                  "of money returned, members' places, infrastructure built, administration)", None),
    ScalarOutcome("budget_msek", "Money budgeted", "MSEK over the run", "msek", "cost",
                  "MSEK the levers (and earmarked state grants) were given over the run", None, compared=False),
    ScalarOutcome("unplaced_msek", "Money unplaced", "MSEK over the run", "msek", "cost",
                  "budgeted money never used: beyond the operators' delivery capacity or without a taker",
                  "lower", compared=False),
    ScalarOutcome("unplaced_capacity_msek", "Unplaced: beyond operators' capacity", "MSEK over the run", "msek",
                  "cost", "budgeted money an operator could not deliver (national actors' yearly capacity, "
                  "regions' own money)", "lower", compared=False),
    ScalarOutcome("unplaced_no_taker_msek", "Unplaced: no taker", "MSEK over the run", "msek", "cost",
                  "delivered money that found no taker within its year", "lower", compared=False),
)

#: derived in a comparison, not in a run: a portfolio's money used per extra adoption against the baseline
COST_PER_EXTRA_ADOPTION = ScalarOutcome(
    "cost_per_extra_adoption_msek", "Cost per extra adoption", "MSEK per organisation–innovation pair", "msek",
    "cost", "mean money used (spend_msek) / mean extra adoptions at the horizon against the baseline (paired "
    "replications); NaN without extra adoptions", "lower", compared=False)
#: beside it, the money budgeted per extra adoption (what the programme cost the state, used or not)
BUDGET_PER_EXTRA_ADOPTION = ScalarOutcome(
    "budget_per_extra_adoption_msek", "Budget per extra adoption", "MSEK per organisation–innovation pair", "msek",
    "cost", "mean money budgeted (budget_msek) / mean extra adoptions at the horizon against the baseline "
    "(paired replications); NaN without extra adoptions", "lower", compared=False)

BY_NAME: dict[str, ScalarOutcome] = {o.name: o for o in OUTCOMES + (COST_PER_EXTRA_ADOPTION,
                                                                     BUDGET_PER_EXTRA_ADOPTION)}
#: the prefix of the per-innovation outcomes, ``final_adoption.<innovation name>``
PER_INNOVATION = "final_adoption."
COMPARED: tuple[str, ...] = tuple(o.name for o in OUTCOMES if o.compared)
PRINTED: tuple[str, ...] = tuple(o.name for o in OUTCOMES if o.printed)


def outcome(name: str) -> ScalarOutcome:
    """The declared outcome called ``name`` (``final_adoption.<innovation>`` included).

    Raises ``KeyError`` for a name that is not declared.
    """
    if name in BY_NAME:
        return BY_NAME[name]
    if name.startswith(PER_INNOVATION):
        innovation = name[len(PER_INNOVATION):]
        base = BY_NAME["final_adoption"]
        return ScalarOutcome(name, f"Final adoption of {innovation}", "share of applicable organisations",
                             base.format, base.group, f"final adoption of the innovation {innovation}",
                             base.better, compared=False)
    raise KeyError(name)


def is_outcome(name: str) -> bool:
    """Whether ``name`` is a declared scalar outcome (or a per-innovation one)."""
    return name in BY_NAME or (name.startswith(PER_INNOVATION) and len(name) > len(PER_INNOVATION))
