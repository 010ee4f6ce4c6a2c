"""The outcome catalogue: every scalar outcome of a run, declared once.

Each :class:`ScalarOutcome` says what an outcome is called, its title and unit, how to print it, which
direction is better (how each is computed: docs/ODD.md). The summary of a run (:func:`model.outcomes.collect.summarise`)
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
    ``compared`` whether ``spridning compare`` reports it (docs/ODD.md says how each is
    computed); ``printed`` whether ``spridning run`` prints it in the terminal; ``missing`` what a run
    without a value (NaN) means when runs are ranked: ``"never"`` -- the event did not happen within the
    horizon, worse than any value (``None``: nothing; such a run is left out, with a warning).
    """

    name: str
    title: str
    unit: str
    format: Format
    group: Group
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
    ScalarOutcome("final_adoption", "Final adoption", _SHARE, "percent", "diffusion", "higher", printed=True),
    ScalarOutcome("adoptions_final", "Adoptions at the horizon", "organisation–innovation pairs", "count",
                  "diffusion", "higher", compared=False),
    ScalarOutcome("final_adoption_pop", "Final adoption, population-weighted", "share of inhabitants served",
                  "percent", "diffusion", "higher", printed=True),
    ScalarOutcome("time_to_50_years", "Years to 50 % adoption", "years", "years", "diffusion", "lower",
                  missing="never"),
    ScalarOutcome("pilots_started", "Pilots started", "pilots", "count", "diffusion", None),
    ScalarOutcome("pilots_scaled", "Pilots scaled up", "pilots", "count", "diffusion", "higher"),
    ScalarOutcome("pilots_stalled", "Pilots stalled", "pilots", "count", "diffusion", "lower"),
    ScalarOutcome("adoptions_dropped", "Adoptions dropped", "adoptions", "count", "durability", "lower"),
    ScalarOutcome("pilot_to_scale_rate", "Pilot-to-scale rate", "share of finished pilots", "percent", "diffusion",
                  "higher", printed=True),
    ScalarOutcome("mean_years_pilot_to_scale", "Years from pilot start to scale-up", "years", "years", "diffusion",
                  "lower"),
    ScalarOutcome("pilots_disappointed", "Pilots that disappointed", "pilots", "count", "diffusion", None,
                  compared=False),
    ScalarOutcome("pilots_stalled_no_champion", "Pilots stalled without a champion", "pilots", "count", "diffusion",
                  "lower", compared=False),
    ScalarOutcome("pilots_stalled_reprioritised", "Pilots stalled by a new leadership", "pilots", "count",
                  "diffusion", "lower", compared=False),
    ScalarOutcome("pilots_stalled_no_money", "Pilots stalled for lack of money", "pilots", "count", "diffusion",
                  "lower", compared=False),
    ScalarOutcome("pilots_funded", "Grant-funded pilots started", "pilots", "count", "diffusion", None,
                  compared=False),
    # durability
    ScalarOutcome("adoptions_lost_no_enthusiast", "Adoptions dropped without an enthusiast", "adoptions", "count",
                  "durability", "lower", compared=False),
    ScalarOutcome("adoptions_lost_no_protector", "Adoptions dropped without a protector", "adoptions", "count",
                  "durability", "lower", compared=False),
    ScalarOutcome("adoptions_lost_no_money", "Adoptions dropped for lack of money", "adoptions", "count",
                  "durability", "lower", compared=False),
    ScalarOutcome("adoptions_lost_disappointed", "Adoptions dropped as disappointing", "adoptions", "count",
                  "durability", None, compared=False),
    # equality (over municipalities: each one's share of applicable innovations adopted at the horizon)
    ScalarOutcome("final_adoption_municipalities", "Mean municipal adoption", "share of applicable innovations",
                  "percent", "equality", "higher"),
    ScalarOutcome("adoption_small", "Adoption in small municipalities", "share of applicable innovations", "percent",
                  "equality", "higher"),
    ScalarOutcome("adoption_large", "Adoption in large municipalities", "share of applicable innovations", "percent",
                  "equality", "higher"),
    ScalarOutcome("gap_small_large", "Adoption gap: large − small municipalities", "percentage points", "pp",
                  "equality", "lower", printed=True),
    ScalarOutcome("gap_skr_a_c", "Adoption gap: SKR group A − C", "percentage points", "pp", "equality", "lower",
                  compared=False),
    ScalarOutcome("gini", "Gini coefficient of municipal adoption", "0–1", "number", "equality", "lower",
                  printed=True),
    ScalarOutcome("theil", "Theil index of municipal adoption", "nats", "number", "equality", "lower"),
    ScalarOutcome("theil_between_regions", "Theil index between counties", "nats", "number", "equality", "lower",
                  compared=False),
    ScalarOutcome("theil_within_regions", "Theil index within counties", "nats", "number", "equality", "lower",
                  compared=False),
    ScalarOutcome("share_no_adoption", "Municipalities with no adoption", "share of municipalities", "percent",
                  "equality", "lower", printed=True),
    # cost
    ScalarOutcome("spend_msek", "Money used", "MSEK over the run", "msek", "cost", None),
    # where money binds and who paid (model.economy; counted by the life cycle)
    ScalarOutcome("money_waiting_pilot_quarters", "Pilot quarters waiting for money", "pilot-quarters", "count",
                  "cost", "lower", compared=False),
    ScalarOutcome("money_waiting_adoption_quarters", "Scale-up or running-cost quarters waiting for money",
                  "adoption-quarters", "count", "cost", "lower", compared=False),
    ScalarOutcome("money_blocked_pilot_starts", "Pilot starts stopped by money", "pilot starts", "count", "cost",
                  "lower", compared=False),
    ScalarOutcome("money_own_msek", "Own money spent on innovations", "MSEK over the run", "msek", "cost", None,
                  compared=False),
    ScalarOutcome("money_grant_msek", "Project grants spent", "MSEK over the run", "msek", "cost", None,
                  compared=False),
    ScalarOutcome("money_state_grant_msek", "Earmarked state grants spent", "MSEK over the run", "msek", "cost",
                  None, compared=False),
    ScalarOutcome("money_event_msek", "Costs paid by the state under events", "MSEK over the run", "msek", "cost",
                  None, compared=False),
    ScalarOutcome("budget_msek", "Money budgeted", "MSEK over the run", "msek", "cost", None, compared=False),
    ScalarOutcome("unplaced_msek", "Money unplaced", "MSEK over the run", "msek", "cost", "lower", compared=False),
    ScalarOutcome("unplaced_capacity_msek", "Unplaced: beyond operators' capacity", "MSEK over the run", "msek",
                  "cost", "lower", compared=False),
    ScalarOutcome("unplaced_no_taker_msek", "Unplaced: no taker", "MSEK over the run", "msek", "cost", "lower",
                  compared=False),
)

#: derived in a comparison, not in a run: a portfolio's money used per extra adoption against the baseline
COST_PER_EXTRA_ADOPTION = ScalarOutcome("cost_per_extra_adoption_msek", "Cost per extra adoption",
                                        "MSEK per organisation–innovation pair", "msek", "cost", "lower",
                                        compared=False)
#: beside it, the money budgeted per extra adoption (what the programme cost the state, used or not)
BUDGET_PER_EXTRA_ADOPTION = ScalarOutcome("budget_per_extra_adoption_msek", "Budget per extra adoption",
                                          "MSEK per organisation–innovation pair", "msek", "cost", "lower",
                                          compared=False)

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
                             base.format, base.group, base.better, compared=False)
    raise KeyError(name)


def is_outcome(name: str) -> bool:
    """Whether ``name`` is a declared scalar outcome (or a per-innovation one)."""
    return name in BY_NAME or (name.startswith(PER_INNOVATION) and len(name) > len(PER_INNOVATION))
