"""The model's numeric parameters: one table, one home.

Every parameter the dynamics read is declared here once, with its default, its allowed range, its unit,
what it means and what it rests on (a seed report and lines, "000 L3322-3326", the reports listed in
``docs/sources.md``; or "assumption").
The scenario schema (``model.scenario``), the parameter documentation (``docs/parameters.md``, written
by ``python tests/test_docs.py --write`` from :func:`markdown_table`) and the sensitivity engine's factor bounds are all derived from this
table, so they can never disagree.

Rates are per quarter (the model's time step) unless the unit says otherwise.

Calibrated by default: the parameters the shipped calibration fits (``calibrations/welfare_technology.yaml``)
take as default their posterior median, read from ``model/data/posterior/welfare_technology/
posterior_summary.csv`` (:data:`POSTERIOR`; written by ``make posterior``, see its ``SOURCE.md``). The
numbers written in the table below for them are the values assumed before the calibration, kept as
provenance; :data:`CALIBRATED` holds each one's median and 95 % interval.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Parameter:
    name: str
    default: float
    low: float
    high: float
    unit: str
    meaning: str
    source: str
    group: str
    integer: bool = False


ASSUMPTION = "assumption"

_P = Parameter

PARAMETERS: tuple[Parameter, ...] = (
    # --- Awareness -------------------------------------------------------------------------------
    _P("p_external", 0.02, 0.0, 0.5, "per quarter",
       "Chance that an unaware organisation hears of an innovation through general channels (media, "
       "suppliers, conferences) regardless of its ties and of national actors; the Bass model's p.",
       "001 L1016-1082 (over 60 national support actors; support is hard to navigate, 001 L1494-1518); "
       "value: assumption", "awareness"),
    _P("p_national_promotion", 0.003, 0.0, 0.1, "per promoting actor per quarter",
       "Chance that an unaware organisation hears of an innovation from one national actor that promotes it "
       "(a network host or a sector agency in the world, once the innovation's evidence reaches "
       "promotion_evidence): SKR packages and spreads methods, sector agencies publish knowledge support.",
       "001 L1016-1082 (SKR spreads methods); 000 L2423-2430 (sector agencies with resources should drive "
       "system questions); value: assumption", "awareness"),
    _P("promotion_evidence", 0.5, 0.0, 1.0, "0-1",
       "Evidence an innovation needs before national actors promote it.", ASSUMPTION, "awareness"),
    _P("beta_neighbour", 0.04, 0.0, 0.5, "per adopting tie per quarter",
       "Awareness carried by each adopting land-border neighbour.",
       "000 L2479-2494 (networks spread information); value: assumption", "awareness"),
    _P("beta_county", 0.02, 0.0, 0.5, "per adopting tie per quarter",
       "Awareness carried by each adopting organisation in the same county (municipalities and their region).",
       ASSUMPTION, "awareness"),
    _P("beta_skr_group", 0.015, 0.0, 0.5, "per adopting tie per quarter",
       "Awareness carried by each adopting municipality of the same SKR group (similar municipalities "
       "learn most from each other).",
       "000 L2176-2178 (what works in a large organisation need not work in a small one); value: assumption",
       "awareness"),
    _P("beta_national", 0.01, 0.0, 0.5, "per adopting tie per quarter",
       "Awareness carried by each adopting member of the same national network (SKR's, or eSam's for agencies).",
       "001 L1016-1082, 000 L2429-2430 (SKR networks and meeting places); value: assumption", "awareness"),
    _P("national_network_share", 0.35, 0.0, 1.0, "share",
       "Chance that a median-sized municipality takes part in SKR's national networks; the odds grow with the "
       "square root of size (a form chosen because those who work broadly with innovation collaborate more).",
       "001 L2412-2418 (those who innovate broadly collaborate more with external actors); share and form: "
       "assumption", "awareness"),
    # --- Starting a pilot ------------------------------------------------------------------------
    _P("pilot_start_rate", 0.4, 0.0, 5.0, "per quarter",
       "Hazard rate at which an aware organisation with everything in place (a free enthusiast, free capacity, "
       "money, peers who adopted) starts a pilot; the other factors scale the rate, and the chance in a quarter "
       "is 1 - exp(-rate x factors) (at most 0.993 at the top of the range).", ASSUMPTION, "pilot"),
    _P("enthusiast_floor", 0.05, 0.0, 1.0, "factor",
       "Pilot-start factor of an organisation with no free enthusiast: development 'risks not happening at all'.",
       "000 L3322-3326, L60-61, L103-104; value: assumption", "pilot"),
    _P("social_proof_floor", 0.3, 0.0, 1.0, "factor",
       "Pilot-start factor when no proof tie has adopted yet (imitation lifts it to 1 as the share of "
       "adopting proof ties -- land borders, lever-made ties -- grows).",
       "001 L2019-2023 (each municipality reinvents the wheel); value: assumption", "pilot"),
    _P("complex_threshold", 2, 1, 10, "tie weight",
       "Under complex contagion with a count threshold: weighted adopting proof ties (a land border weighs 1) "
       "below which social proof is nothing; from it on it is the share of adopting ties, as under simple "
       "contagion.",
       "assumption (2, as in Centola & Macy 2007)", "pilot", integer=True),
    _P("complex_threshold_share", 0.2, 0.01, 1.0, "share of proof ties",
       "Under complex contagion with a fraction threshold: share of the weighted proof ties that must have "
       "adopted before there is any social proof (from it on the share itself, as under simple contagion).",
       ASSUMPTION, "pilot"),
    _P("county_tie_strength", 0.0, 0.0, 1.0, "tie weight",
       "Weight of a tie to an organisation of the same county in social proof, simple and complex contagion "
       "alike (a land border weighs 1; 0: county ties carry awareness only).",
       "004 L1798-1804 (collaboration between municipalities little used in digitalisation); value: "
       "assumption", "pilot"),
    _P("initial_adopters", 2, 0, 20, "organisations per innovation",
       "Organisations that have already scaled each innovation when the run starts (drawn in proportion "
       "to development capacity among those it applies to); an innovation's own `initial_adopters` replaces "
       "it.", ASSUMPTION, "pilot", integer=True),
    _P("champion_takeover", 0.25, 0.0, 1.0, "share per quarter",
       "Chance that another, free enthusiast takes over a pilot whose champion has left (each quarter while it "
       "has none).",
       "000 L3322-3326 (development rests on enthusiasts), L2516-2523 (the people are missing especially in "
       "small organisations); value: assumption", "pilot"),
    _P("failure_memory", 0.2, 0.0, 1.0, "factor per failed pilot",
       "Factor on an organisation's chance to pilot or retry an innovation again, for each of its own pilots "
       "of it that disappointed.",
       "000 L2118-2122 (lessons of failures are rarely shared: an organisation learns from its own); "
       "value: assumption", "pilot"),
    # --- Capacity ---------------------------------------------------------------------------------
    _P("capacity_scale", 1.0, 0.1, 20.0, "capacity units",
       "Development capacity of a 10 000-inhabitant organisation before operations take their share.",
       ASSUMPTION, "capacity"),
    _P("capacity_elasticity", 0.5, 0.0, 1.0, "exponent",
       "How development capacity grows with population (capacity ~ population^elasticity): larger "
       "organisations have more, but less per inhabitant.",
       "000 L451-455, L2507-2509; 004 L1782-1796 (small actors struggle to free resources); value: assumption",
       "capacity"),
    _P("operations_pressure", 0.6, 0.0, 0.95, "share",
       "Mean share of development capacity eaten by running operations.",
       "000 L447-451, L2504-2513 (no time for development beside operations); value: assumption (004 "
       "L1760-1762's 75 % is the share of spending on state-mandated tasks, another quantity)", "capacity"),
    _P("operations_pressure_spread", 0.15, 0.0, 0.4, "standard deviation",
       "Spread of operations pressure between organisations.", ASSUMPTION, "capacity"),
    _P("pilot_load", 0.6, 0.05, 3.0, "capacity units per unit complexity",
       "Capacity a running pilot occupies, times the innovation's complexity.",
       "000 L4107-4108 (even an hour a month is hard to free); value: assumption", "capacity"),
    _P("scale_load", 1.5, 0.0, 3.0, "capacity units per unit complexity",
       "Dedicated change capacity a scale-up holds while it is being implemented (scaling_quarters), times "
       "the innovation's complexity.",
       "000 L4639-4647 (scaling needs change management, resources and the ability to adapt); value: "
       "assumption", "capacity"),
    _P("scaling_quarters", 4, 0, 12, "quarters",
       "How long a scale-up is being implemented: it holds scale_load and pays its cost in instalments.",
       ASSUMPTION, "capacity", integer=True),
    _P("adoption_load", 0.15, 0.0, 2.0, "capacity units per unit complexity",
       "Capacity an adopted innovation keeps occupying once implemented, times its complexity.", ASSUMPTION,
       "capacity"),
    _P("agency_population_equivalent", 100.0, 10.0, 1000.0, "inhabitants per staff member",
       "Converts an agency's staff into the population-scale that sets its capacity and enthusiasts.",
       ASSUMPTION, "capacity"),
    # --- Digital maturity and money ----------------------------------------------------------------
    _P("digital_maturity_mean", 0.5, 0.05, 0.95, "0-1",
       "Mean digital maturity of a median-sized municipality.",
       "004 L1899-1912 (14 % of municipalities do not mention digitalisation in steering documents); value: "
       "assumption", "maturity"),
    _P("digital_maturity_size_slope", 0.12, 0.0, 0.4, "per decade of population",
       "How much more digitally mature a ten-times larger organisation is.",
       "004 L1899-1912 (smaller municipalities aim digitalisation inward); value: assumption", "maturity"),
    _P("digital_maturity_spread", 0.1, 0.0, 0.3, "standard deviation",
       "Spread of digital maturity between organisations of the same size.", ASSUMPTION, "maturity"),
    _P("slack_msek_per_10k", 1.0, 0.0, 10.0, "MSEK per year per 10 000 inhabitants",
       "Budget slack an organisation can put into development without grants.",
       "004 L1760-1762 (little discretion); value: assumption", "money"),
    _P("slack_volatility", 0.3, 0.0, 1.0, "log-standard deviation",
       "Year-to-year variation of budget slack (annual budgets).",
       "000 L2571-2573; 004 L1592-1597 (annual budgets); value: assumption", "money"),
    _P("operating_cost_share", 0.1, 0.0, 1.0, "share of the scale-up cost per year",
       "Running cost of an implemented innovation per year, as a share of its scale-up cost; paid each "
       "quarter from earmarked grants, then the organisation's own money.", ASSUMPTION, "money"),
    _P("capacity_msek", 1.0, 0.1, 10.0, "MSEK per capacity unit and year",
       "What a unit of development capacity (project staff, people's time) costs a year, whoever pays: a "
       "grant's project staff, the staff share of flexible money (model/economy.py).",
       ASSUMPTION, "money"),
    _P("flexible_staff_share", 0.5, 0.0, 1.0, "share",
       "Share of flexible money — own development money above the calibrated level, formula grants "
       "(small_actor_grants) — that buys people's time at capacity_msek; the rest pays pilots and scale-ups "
       "(model/economy.py).",
       "000 L4102-4108 (what small municipalities lack most is time and people); value: assumption", "money"),
    # --- People -----------------------------------------------------------------------------------
    _P("enthusiast_arrival_rate", 0.15, 0.0, 2.0, "people per quarter",
       "Enthusiasts arriving in a 10 000-inhabitant organisation per quarter.",
       "000 L2516-2523 (people missing especially in small organisations); value: assumption", "people"),
    _P("enthusiast_size_elasticity", 0.5, 0.0, 1.0, "exponent",
       "How enthusiast arrivals grow with population.", "000 L2516-2523; value: assumption", "people"),
    _P("enthusiast_leave_rate", 0.08, 0.0, 0.5, "per person per quarter",
       "Chance that an enthusiast leaves (new job, burn-out) each quarter; a pilot's champion is one of them.",
       "000 L3158-3168, L3322-3326 (person-dependent change); value: assumption", "people"),
    _P("protector_share", 0.6, 0.0, 1.0, "share",
       "Chance that a newly formed leadership backs innovation work (a protector).",
       "000 L3373-3376; value: assumption", "people"),
    _P("protector_change_at_election", 0.4, 0.0, 1.0, "share",
       "Chance that the leadership of a municipality or region changes at a general election (every four "
       "years, September); agencies' directors-general are appointed, not elected.",
       "000 L249-251, L2825-2834; 004 L1592-1597; value: assumption", "people"),
    _P("protector_turnover", 0.02, 0.0, 0.3, "per quarter",
       "Chance that a manager leaves between elections (for agencies: in any quarter).", ASSUMPTION, "people"),
    _P("reprioritise_quarters", 4, 0, 12, "quarters",
       "How long a new leadership (a new majority, a new manager) goes on reprioritising running pilots.",
       "000 L2571-2573, 004 L1592-1597 (a new majority acts through the next annual budget); value: "
       "assumption", "people", integer=True),
    # --- During and ending a pilot -----------------------------------------------------------------
    _P("stall_base", 0.01, 0.0, 0.3, "per quarter", "Background hazard that a running pilot stalls.",
       ASSUMPTION, "stall"),
    _P("stall_no_champion", 0.5, 0.0, 1.0, "per quarter",
       "Extra stall hazard of a pilot without a champion (its champion left and nobody took over, or it was "
       "started without one).",
       "000 L3322-3326, L2516-2523; value: assumption", "stall"),
    _P("stall_reprioritise", 0.1, 0.0, 1.0, "per quarter",
       "Extra stall hazard of a pilot while a new leadership reprioritises (reprioritise_quarters after a "
       "leadership change).",
       "000 L2825-2834 (stable majorities stabilise officials' work), L3373-3376 (when a protector leaves, "
       "innovation work can collapse although the budget remains); value: assumption", "stall"),
    _P("stall_overload", 0.2, 0.0, 1.0, "per quarter at full overload",
       "Extra stall hazard when running pilots and adoptions exceed development capacity.",
       "000 L447-451, L2504-2513; value: assumption", "stall"),
    _P("stall_no_money", 0.15, 0.0, 1.0, "per quarter",
       "Extra stall hazard in a quarter a pilot cannot pay its running cost (it waits that quarter).",
       "001 L1703-1719, L2065-2069 (funding stops at exploration); value: assumption", "stall"),
    _P("pilot_extension", 0.25, 0.0, 0.95, "share per quarter",
       "Chance that a finished pilot that worked but did not scale is prolonged another quarter (limbo) rather "
       "than abandoned; prolonged pilots can still scale or stall later.",
       "000 L4618-4620, L2628-2631 (pilots rarely become broad implementation); value: assumption", "stall"),
    _P("scale_base_logit", -3.6, -8.0, 4.0, "log-odds",
       "Log-odds that a finished pilot that worked is scaled, before the named parts below.", ASSUMPTION,
       "scale"),
    _P("scale_capacity_weight", 1.0, 0.0, 5.0, "log-odds per unit",
       "Weight of the change capacity free for the scale-up (share of scale_load it finds) on scaling.",
       "000 L4639-4647 (scaling needs change management); value: assumption", "scale"),
    _P("scale_protector_weight", 1.0, 0.0, 5.0, "log-odds", "Weight of having a protector on scaling.",
       "000 L3373-3376; value: assumption", "scale"),
    _P("scale_evidence_weight", 1.5, 0.0, 5.0, "log-odds per unit evidence",
       "Weight of the innovation's evidence on scaling.", "000 L2628-2631, L4633-4647; value: assumption",
       "scale"),
    _P("scale_money_weight", 1.5, 0.0, 5.0, "log-odds per unit affordability",
       "Weight of scale-up money (own money and earmarked grants against the scale-up cost) on scaling.",
       "001 L1703-1719, L2140-2144 (funding to scale, not only to pilot); value: assumption", "scale"),
    _P("scale_complexity_weight", 2.0, 0.0, 8.0, "log-odds per unit complexity",
       "Penalty of effective complexity on scaling; shared infrastructure reduces effective complexity "
       "of innovations that need it.",
       "000 L4639-4647; 004 L715-717, L1084-1086, L1236-1237 (legacy systems); value: assumption", "scale"),
    _P("scale_maturity_weight", 1.0, 0.0, 5.0, "log-odds per unit maturity",
       "Weight of digital maturity on scaling.", "004 L1899-1912; value: assumption", "scale"),
    _P("infrastructure_level", 0.2, 0.0, 1.0, "0-1",
       "How much of what innovations need is covered by shared digital infrastructure at the start.",
       "000 L1994-2013, L2271-2294; 004 L2305-2310 (solutions built per municipality); value: assumption",
       "scale"),
    # --- Evidence ---------------------------------------------------------------------------------
    _P("evidence_prior_weight", 10.0, 1.0, 100.0, "observations",
       "How many observed pilots the initial evidence of an innovation is worth: evidence is the share of "
       "known outcomes that were good, starting from the innovation's evidence with this weight.",
       ASSUMPTION, "evidence"),
    _P("evidence_learning", 1.0, 0.0, 5.0, "observations per scale-up",
       "Weight of one organisation's scale-up as a good outcome in the evidence.", ASSUMPTION, "evidence"),
    _P("failure_sharing", 0.1, 0.0, 1.0, "share",
       "Share of disappointing pilots and adoptions whose lessons are shared with others (through the "
       "platforms and arenas of a network host such as SKR; none without one).",
       "000 L2114-2122, L2171-2173 (few share lessons, least of all failures, e.g. on SKR's Dela Digitalt); "
       "value: assumption", "evidence"),
    _P("failure_learning", 1.0, 0.0, 5.0, "observations per shared failure",
       "Weight of one shared disappointment as a bad outcome in the evidence (shared failures lower others' "
       "expectations).", ASSUMPTION, "evidence"),
    # --- Dropping and retrying ---------------------------------------------------------------------
    _P("drop_base", 0.004, 0.0, 0.1, "per quarter", "Background hazard of dropping an adoption.",
       ASSUMPTION, "drop"),
    _P("drop_no_protector", 0.01, 0.0, 0.2, "per quarter",
       "Extra drop hazard without a protector.", "000 L3373-3376; value: assumption", "drop"),
    _P("drop_no_enthusiast", 0.01, 0.0, 0.2, "per quarter",
       "Extra drop hazard without any enthusiast.", "000 L3324-3326 (dependence on enthusiasts); value: "
       "assumption", "drop"),
    _P("drop_overload", 0.03, 0.0, 0.3, "per quarter at full overload",
       "Extra drop hazard when development capacity is overloaded.", "000 L447-451; value: assumption", "drop"),
    _P("drop_no_money", 0.3, 0.0, 1.0, "per quarter",
       "Extra drop hazard in a quarter an adoption's running cost (or a scale-up's instalment) cannot be paid, "
       "e.g. when the temporary grant that paid it has ended.",
       "000 L2638-2645 (temporary money: organisations do not invest long-term); value: assumption", "drop"),
    _P("drop_disappointed", 0.03, 0.0, 1.0, "per quarter at no value",
       "Extra drop hazard of an innovation that does not deliver in this organisation: times one minus its "
       "value there.",
       "municipalities ended small-scale trials of digital supervision in 2022-2023 (observed data, "
       "welfare_technology_adoption.csv); value: assumption", "drop"),
    _P("retry_rate", 0.05, 0.0, 1.0, "per quarter",
       "Chance that an organisation whose pilot stalled, or that dropped an adoption, becomes ready "
       "to try again (returns to aware); times failure_memory for each of its own disappointing pilots.",
       ASSUMPTION, "drop"),
    # --- Events ------------------------------------------------------------------------------------
    _P("mandate_scale_weight", 4.0, 0.0, 10.0, "log-odds at full pressure",
       "Added to the log-odds of scaling an innovation a law or national target requires, times the pressure "
       "(events: type mandate).",
       "000 L2836-2843 (big change comes through legislation or strong external pressure); value: assumption",
       "events"),
)

#: the shipped posterior whose medians are the defaults of the parameters it fits (see the module docstring)
POSTERIOR = Path(__file__).parent / "data" / "posterior" / "welfare_technology"


@dataclass(frozen=True)
class Calibrated:
    """One fitted parameter of the shipped posterior: its median (the default) and 95 % interval."""

    name: str
    median: float
    low: float
    high: float
    assumed: float  # the default before the calibration (the table's number)


def _read_posterior(folder: Path) -> dict[str, tuple[float, float, float]]:
    """``posterior_summary.csv``'s ``parameters.*`` rows: name -> (median, 2.5 %, 97.5 % quantile)."""
    path = folder / "posterior_summary.csv"
    if not path.is_file():  # only before the first `make posterior` (a checkout's package data is complete)
        import warnings

        warnings.warn(f"{path} is missing: the fitted parameters keep their assumed defaults; regenerate it "
                      "with `make posterior`", stacklevel=2)
        return {}
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        return {r["path"].removeprefix("parameters."): (float(r["median"]), float(r["q2_5"]), float(r["q97_5"]))
                for r in rows if r["path"].startswith("parameters.")}
    except (OSError, KeyError, ValueError) as exc:  # a broken installation, not a user's input
        raise RuntimeError(f"{path}: cannot read the shipped posterior ({exc}); reinstall spridning or "
                           "regenerate it with `make posterior`") from None


def _calibrate(table: tuple[Parameter, ...]) -> tuple[tuple[Parameter, ...], dict[str, Calibrated]]:
    """``table`` with each fitted parameter's default at its posterior median (3 significant digits) and its
    provenance in ``source``, and the fitted parameters."""
    fitted = _read_posterior(POSTERIOR)
    unknown = sorted(set(fitted) - {p.name for p in table})
    if unknown:
        raise RuntimeError(f"{POSTERIOR}/posterior_summary.csv fits unknown parameters: {', '.join(unknown)}")
    out, calibrated = [], {}
    for p in table:
        if p.name in fitted:
            median, low, high = fitted[p.name]
            value = round(median) if p.integer else float(f"{median:.3g}")
            evidence = p.source if p.source != ASSUMPTION else ""
            evidence = evidence.replace("; value: assumption", "").replace("value: assumption", "").strip("; ")
            source = (f"{evidence + '; ' if evidence else ''}value: posterior median of the welfare_technology "
                      f"calibration (95 % interval {low:.3g} – {high:.3g}; assumed before: {p.default:g}; "
                      "model/data/posterior/welfare_technology/SOURCE.md)")
            calibrated[p.name] = Calibrated(p.name, value, low, high, assumed=p.default)
            p = replace(p, default=value, source=source)
        out.append(p)
    return tuple(out), calibrated


#: the fitted parameters of the shipped posterior, by name (their defaults in PARAMETERS are its medians)
PARAMETERS, CALIBRATED = _calibrate(PARAMETERS)

BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}


def defaults() -> dict[str, float]:
    """Every parameter's default value, by name."""
    return {p.name: p.default for p in PARAMETERS}


def markdown_table() -> str:
    """The parameter table of ``docs/parameters.md``."""
    lines = [
        "| group | name | default | range | unit | meaning | rests on |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in PARAMETERS:
        lines.append(
            f"| {p.group} | `{p.name}` | {p.default:g} | {p.low:g} – {p.high:g} | {p.unit} | "
            f"{p.meaning} | {p.source} |"
        )
    return "\n".join(lines)
