"""Every lever effect parameter with its plausible range and what the range rests on: one declarative table.

An *effect parameter* is a lever field that says how much one unit of the lever changes an organisation
(a log-odds bonus, capacity gained or given up, a tie's weight, a cost or load reduction), as opposed to
its unit costs (what the money buys: ``Lever.unit_cost_fields``), its delivery design (how long a team
stays, how many organisations it serves) and its targeting (who asks, who is chosen). The grant levers
(``pilot_grants``, ``scale_up_grants``, ``small_actor_grants``) have none: their only effect is the
money they hand out, whose work is set by the model's economy, not by a lever constant.

Each :class:`Anchor` gives ``low``, ``high`` and ``default`` (the value the lever's ``Params`` field
has; a test holds them equal), the ``unit``, ``kind`` — ``"evaluation"`` when the range is converted
from an evaluation of a comparable measure (the conversion is in ``source``) or ``"assumption"`` when no
evaluation was found and the range is a documented judgement — and ``source``, the citation or the
reasoning.

The table serves three places:

- ``spridning robust`` varies every effect parameter of the levers its portfolios use over its range in
  each world, on top of the calibration posterior (:func:`model.robust.worlds.with_lever_effects`), so
  regret, ranking stability and the value of information (EVPI/EVPPI) include them;
- the ranking-dependence table (:mod:`model.compare.dependence`) says how much a ranking of portfolios
  depends on each of them;
- ``docs/levers.md`` lists them (:func:`markdown`, written by ``python -m model.levers.listing --write``).

Citations "000 L123" are lines of the seed reports (docs/sources.md); the others give title, publisher or
journal, year and where the text was found.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

#: the scenario-path prefix of a lever effect factor in robust worlds: ``lever_effects.TYPE.FIELD``
PREFIX = "lever_effects."


@dataclass(frozen=True)
class Anchor:
    """One lever effect parameter's range: ``low`` <= ``default`` <= ``high`` in ``unit``; ``kind`` says
    whether it is converted from an evaluation or an assumption; ``source`` says from what, or why."""

    lever: str
    field: str
    low: float
    high: float
    default: float
    unit: str
    kind: Literal["evaluation", "assumption"]
    source: str
    integer: bool = False

    @property
    def path(self) -> str:
        """The factor path in robust worlds: ``lever_effects.TYPE.FIELD``."""
        return f"{PREFIX}{self.lever}.{self.field}"

    @property
    def name(self) -> str:
        """The label in worlds.csv, the value-of-information table and the dependence table: ``TYPE.FIELD``."""
        return f"{self.lever}.{self.field}"


# --- the evaluations the "evaluation" rows convert ---------------------------------------------------------
_FACILITATION = ("Baskerville, Liddy & Hogg, 'Systematic review and meta-analysis of practice facilitation within "
                 "primary care settings', Annals of Family Medicine 10(1):63-74, 2012 (doi 10.1370/afm.1312; found "
                 "via annfammed.org): 23 controlled studies, 1 398 practices; practices with an external facilitator "
                 "working on site were 2.76 (95 % CI 2.18-3.43) times as likely to adopt the guideline, i.e. +1.02 "
                 "(0.78-1.23) on the log-odds; publication bias was evident, so the range is extended down to 0.5")
_OUTREACH = ("O'Brien et al., 'Educational outreach visits: effects on professional practice and health care "
             "outcomes', Cochrane Database of Systematic Reviews 2007(4):CD000409 (found via pubmed 17943742): "
             "69 trials; median adjusted risk difference in compliance +5.6 points (IQR 3.0-9.0) after a visit "
             "by a trained outsider; at a 20-50 % base rate that is +0.12 to +0.56 on the log-odds (median about "
             "+0.25). A two-day peer workshop (000 L1819) is one visit, so the range is 0.1-0.7 and the default "
             "0.3 near its median; Interreg Europe's own follow-ups report policies 'improved' (433 by October 2020, "
             "Interreg Europe news on the 2020 update evaluation by EureConsult, Spatial Foresight and "
             "Technopolis) but no effect size per review")
_CENTRAL_PURCHASING = ("Bandiera, Prat & Valletti, 'Active and passive waste in government spending: evidence from "
                       "a policy experiment', American Economic Review 99(4), 2009: standard goods bought by Italian "
                       "public bodies off the central Consip framework were markedly cheaper than their own "
                       "purchases; prices fell on average 28 % while Consip centralised purchases in 2002-2005 "
                       "(Corriere della Sera, 16 May 2012, via cinquantamila.it). The discount here also covers "
                       "the tender a municipality no longer runs, so 0.1-0.4")
_COLLABORATIVES = ("quality-improvement collaboratives, the nearest evaluated form of a learning network: 7 of 9 "
                   "controlled studies found an effect on at least one process or outcome (Schouten et al., BMJ "
                   "336:1491, 2008), but none gives an effect per member on hearing of or trying an innovation")


def _a(lever: str, field: str, low: float, high: float, default: float, unit: str, kind: str, source: str,
       integer: bool = False) -> Anchor:
    return Anchor(lever, field, low, high, default, unit, kind, source, integer)  # type: ignore[arg-type]


#: every lever effect parameter, in the order of docs/levers.md
ANCHORS: tuple[Anchor, ...] = (
    # peer_review (SustainGov 2)
    _a("peer_review", "scale_bonus", 0.1, 0.7, 0.3, "log-odds", "evaluation", _OUTREACH),
    _a("peer_review", "bonus_quarters", 2, 8, 4, "quarters", "assumption",
       "advice acts for the months until the next decision point; a year is the middle, half a year to two years "
       "the range (no follow-up of Interreg peer reviews measures how long advice lasts)", integer=True),
    _a("peer_review", "tie_weight", 0.5, 1.5, 1.0, "tie weight", "assumption",
       "a lasting contact between reviewer and reviewed: half to one and a half times an ordinary tie "
       "(peer exchange valued above formal training, 000 L3019-3028)"),
    # change_teams (SustainGov 15)
    _a("change_teams", "scale_bonus", 0.5, 1.25, 1.0, "log-odds", "evaluation", _FACILITATION),
    _a("change_teams", "capacity_left", 0.0, 0.1, 0.0, "capacity units", "assumption",
       "people who learnt by doing stay (000 L3019-3028), but the review of facilitation finds sustainability "
       "unmeasured: from nothing (the default: the team acts on the scale decision) to a fifth of a median "
       "municipality's 0.5 units"),
    # training_networks (SustainGov 26)
    _a("training_networks", "skill_gain_per_quarter", 0.1, 0.5, 0.25, "share of the gap per quarter", "assumption",
       "courses alone do not change the organisation (000 L4188-4191) and capability 'cannot be trained into "
       "being' (000 L3019-3028): a quarter of taking part closes a tenth to a half of the gap to full skill"),
    _a("training_networks", "load_cut", 0.05, 0.4, 0.2, "share of effort at full skill", "assumption",
       "buyers who do not know how to use a technology implement the wrong things (000 L2072-2074): full "
       "skill saves a twentieth to two fifths of the effort of development work"),
    _a("training_networks", "fade_per_quarter", 0.1, 0.35, 0.2, "share per unused quarter", "evaluation",
       "skills not used in practice fade (000 L4186-4191); Arthur et al., 'Factors that influence skill decay "
       "and retention', Human Performance 11(1):57-101, 1998 (d about -1.4 after more than a year of non-use) "
       "and Tatel & Ackerman, Psychological Bulletin, 2025 (doi 10.1037/bul0000481: half of a trained skill "
       "lost after 6.5-13 months without use) give about 0.16-0.31 a quarter"),
    _a("training_networks", "fade_when_used", 0.0, 0.05, 0.0, "share per used quarter", "assumption",
       "skills in use are kept (000 L3019-3028: one learns by doing): from none to a twentieth a quarter"),
    _a("training_networks", "time_cost", 0.01, 0.04, 0.02, "capacity units per quarter", "assumption",
       "'even an hour a month for development can be hard to free' (000 L4107-4108): half to twice the "
       "default"),
    # job_shadowing (SustainGov 11)
    _a("job_shadowing", "learn_per_quarter", 0.2, 0.8, 0.5, "share of the gap per quarter", "assumption",
       "3-6 months alongside an official from a mature municipality (000 L2320-2327): a placement-quarter "
       "closes a fifth to four fifths of the gap in know-how of the sender's innovations"),
    _a("job_shadowing", "load_cut", 0.1, 0.5, 0.3, "share of effort at full know-how", "assumption",
       "mistakes are found during implementation (000 L2726-2729): knowing how saves a tenth to half the effort"),
    _a("job_shadowing", "forget_per_quarter", 0.02, 0.1, 0.05, "share per quarter", "assumption",
       "know-how of a particular innovation kept by the host: half to twice the default loss a quarter"),
    _a("job_shadowing", "sender_time_cost", 0.025, 0.1, 0.05, "capacity units per quarter", "assumption",
       "one official away for the quarter: half to twice the default share of the sender's development time"),
    _a("job_shadowing", "host_time_cost", 0.01, 0.04, 0.02, "capacity units per quarter", "assumption",
       "time hosting takes: half to twice the default"),
    _a("job_shadowing", "tie_weight", 0.5, 1.5, 1.0, "tie weight", "assumption",
       "a lasting tie between host and sender: half to one and a half times an ordinary tie"),
    # learning_networks (SustainGov 16, 12, 21)
    _a("learning_networks", "tie_strength", 1.0, 2.0, 1.5, "factor", "assumption",
       f"members' ties carry from no more to twice the awareness; {_COLLABORATIVES}"),
    _a("learning_networks", "p_external_boost", 0.0, 0.02, 0.01, "per quarter", "assumption",
       f"a national arena adds from nothing to twice the default chance of hearing; {_COLLABORATIVES}"),
    _a("learning_networks", "failure_sharing_boost", 0.1, 0.5, 0.3, "share", "assumption",
       "failures are rarely shared today (000 L2118-2122, L3092-3098); a network of everyone shares a tenth "
       "to a half more of them"),
    _a("learning_networks", "group_size", 4, 10, 6, "organisations", "assumption",
       "a group one guide can hold together; collaboratives work in teams of a handful of organisations",
       integer=True),
    _a("learning_networks", "learn_per_peer_quarter", 0.03, 0.3, 0.1, "share of the gap per peer and quarter",
       "assumption", f"exchange of experience is what moves practice (000 L3019-3028): each experienced group "
       f"peer closes a thirtieth to three tenths of the gap a quarter; {_COLLABORATIVES}"),
    _a("learning_networks", "load_cut", 0.1, 0.5, 0.3, "share of effort at full know-how", "assumption",
       "as for job shadowing: knowing how saves a tenth to half the effort of development work"),
    _a("learning_networks", "forget_per_quarter", 0.02, 0.1, 0.05, "share per quarter", "assumption",
       "know-how of a particular innovation kept: half to twice the default loss a quarter"),
    # procurement (SustainGov 19)
    _a("procurement", "call_off_discount", 0.1, 0.4, 0.3, "share", "evaluation", _CENTRAL_PURCHASING),
    _a("procurement", "load_reduction", 0.1, 0.4, 0.2, "share", "assumption",
       "no procurement project of one's own (004 L1611-1652, L2009-2010): a tenth to two fifths less of the "
       "capacity a pilot and scale-up take"),
    # infrastructure (SustainGov 7, 8)
    _a("infrastructure", "max_gain", 0.3, 0.9, 0.6, "0-1", "assumption",
       "what a programme can add to the infrastructure level: half to one and a half times the default "
       "(shared infrastructure 'especially high value', 000 L4916-4959)"),
    _a("infrastructure", "lag_years", 1, 4, 2, "years", "assumption",
       "from money to infrastructure in use: one to four years for national shared solutions "
       "(004 L2305-2310)", integer=True),
    _a("infrastructure", "cost_reduction", 0.25, 0.75, 0.5, "share per unit gain", "assumption",
       "legacy systems make each new solution expensive (004 L715-717, L1084-1086): half to one and a half "
       "times the default"),
    _a("infrastructure", "load_reduction", 0.25, 0.75, 0.5, "share per unit gain", "assumption",
       "nobody builds their own integration: half to one and a half times the default"),
)

#: (lever type, field) -> its anchor
BY_KEY: dict[tuple[str, str], Anchor] = {(a.lever, a.field): a for a in ANCHORS}
#: ``lever_effects.TYPE.FIELD`` -> its anchor
BY_PATH: dict[str, Anchor] = {a.path: a for a in ANCHORS}


def field_default(anchor: Anchor) -> Any:
    """The default of the anchored field on its lever's ``Params`` (KeyError if the lever or field is gone)."""
    from .registry import REGISTRY

    return REGISTRY[anchor.lever].Params.model_fields[anchor.field].default


def varied(levers: list[dict[str, Any]]) -> list[Anchor]:
    """The anchors that vary for a portfolio whose ``levers`` (scenario mappings) are given: those of every
    lever type with a budget whose field is left at its default (a scenario that sets an effect size on
    purpose keeps it), in :data:`ANCHORS`' order."""
    out = []
    for anchor in ANCHORS:
        for lever in levers:
            if lever.get("type") == anchor.lever and float(lever.get("budget_msek_per_year") or 0.0) > 0 \
                    and lever.get(anchor.field, field_default(anchor)) == field_default(anchor):
                out.append(anchor)
                break
    return out


def apply(data: dict[str, Any], path: str, value: float) -> int:
    """Set the effect parameter ``path`` (``lever_effects.TYPE.FIELD``) to ``value`` on every lever of that
    type in the scenario mapping ``data`` that leaves it at its default, in place; returns how many levers
    were set (0 when the portfolio has none: a lever effect is a factor of every world, not every
    portfolio)."""
    anchor = BY_PATH[path]
    default = field_default(anchor)
    value = int(round(value)) if anchor.integer else float(value)
    count = 0
    for lever in data.get("levers") or []:
        if lever.get("type") == anchor.lever and lever.get(anchor.field, default) == default:
            lever[anchor.field] = value
            count += 1
    return count


def with_values(data: dict[str, Any], values: dict[str, float]) -> dict[str, Any]:
    """A copy of the scenario mapping ``data`` with each ``lever_effects.TYPE.FIELD -> value`` applied."""
    data = copy.deepcopy(data)
    for path, value in values.items():
        apply(data, path, value)
    return data


def markdown() -> str:
    """The effect-parameter table of ``docs/levers.md``: lever, parameter, default, range, unit, kind, source."""
    lines = ["| lever | parameter | default | range | unit | kind | rests on |", "|---|---|---|---|---|---|---|"]
    for a in ANCHORS:
        cell = lambda s: str(s).replace("|", "\\|")  # noqa: E731
        lines.append(f"| `{a.lever}` | `{a.field}` | {a.default:g} | {a.low:g}-{a.high:g} | {cell(a.unit)} | "
                     f"{a.kind} | {cell(a.source)} |")
    return "\n".join(lines)
