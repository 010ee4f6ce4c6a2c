"""The model's numeric parameters: one table, one home.

Every parameter the dynamics read is declared here once, with its default, its allowed range, its unit,
what it means and what it rests on (a seed file and lines from ``docs/evidence.md``, or "assumption").
The scenario schema (``model.scenario``), the parameter documentation (``docs/parameters.md``, written
by ``python tests/test_docs.py --write`` from :func:`markdown_table`) and the sensitivity engine's factor bounds are all derived from this
table, so they can never disagree.

Rates are per quarter (the model's time step) unless the unit says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    _P("p_external", 0.02, 0.0, 0.3, "per quarter",
       "Chance that an unaware organisation hears of an innovation through national channels "
       "(SKR, Vinnova, media) regardless of its ties; the Bass model's p.",
       "001 L1016-1082 (over 60 national support actors; SKR the hub named first); rate: assumption",
       "awareness"),
    _P("beta_neighbour", 0.04, 0.0, 0.5, "per adopting tie per quarter",
       "Awareness carried by each adopting land-border neighbour.",
       "000 L2479-2494 (networks spread information); rate: assumption", "awareness"),
    _P("beta_county", 0.02, 0.0, 0.5, "per adopting tie per quarter",
       "Awareness carried by each adopting organisation in the same county (municipalities and their region).",
       "000 L2479-2494; 004 L1710-1712 (regions and their municipalities); rate: assumption", "awareness"),
    _P("beta_skr_group", 0.015, 0.0, 0.5, "per adopting tie per quarter",
       "Awareness carried by each adopting municipality of the same SKR group (similar municipalities "
       "learn most from each other).",
       "000 L2176-2178 (what works in a large organisation need not work in a small one); rate: assumption",
       "awareness"),
    _P("beta_national", 0.01, 0.0, 0.5, "per adopting tie per quarter",
       "Awareness carried by each adopting member of SKR's national networks.",
       "001 L1016-1082, 000 L2429-2430 (SKR networks and meeting places); rate: assumption", "awareness"),
    _P("national_network_share", 0.35, 0.0, 1.0, "share",
       "Share of median-sized municipalities taking part in SKR's national networks; larger organisations "
       "take part more often (membership odds grow with the square root of size).",
       "001 L2412-2418 (those that already innovate collaborate more); share: assumption", "awareness"),
    # --- Starting a pilot ------------------------------------------------------------------------
    _P("pilot_start_rate", 0.25, 0.0, 1.0, "per quarter",
       "Chance that an aware organisation with everything in place (enthusiasts, free capacity, money, "
       "peers who adopted) starts a pilot.", ASSUMPTION, "pilot"),
    _P("enthusiast_floor", 0.05, 0.0, 1.0, "factor",
       "Pilot-start factor of an organisation with no enthusiast: development 'risks not happening at all'.",
       "000 L3322-3326, L60-61, L103-104", "pilot"),
    _P("social_proof_floor", 0.3, 0.0, 1.0, "factor",
       "Pilot-start factor when no tie has adopted yet (imitation lifts it to 1).",
       "001 L2019-2023 (each municipality reinvents the wheel); factor: assumption", "pilot"),
    _P("complex_threshold", 2, 1, 10, "adopting ties",
       "Under complex contagion: adopting ties needed before social proof is full.",
       ASSUMPTION, "pilot", integer=True),
    _P("initial_adopters", 2, 0, 20, "organisations per innovation",
       "Organisations that have already scaled each innovation when the run starts (drawn in proportion "
       "to development capacity among those it applies to).", ASSUMPTION, "pilot", integer=True),
    # --- Capacity ---------------------------------------------------------------------------------
    _P("capacity_scale", 1.0, 0.1, 5.0, "capacity units",
       "Development capacity of a 10 000-inhabitant organisation before operations take their share.",
       ASSUMPTION, "capacity"),
    _P("capacity_elasticity", 0.5, 0.0, 1.0, "exponent",
       "How development capacity grows with population (capacity ~ population^elasticity): larger "
       "organisations have more, but less per inhabitant.",
       "000 L451-455, L2507-2509; 004 L1782-1796 (small actors struggle to free resources)", "capacity"),
    _P("operations_pressure", 0.6, 0.0, 0.95, "share",
       "Mean share of development capacity eaten by running operations.",
       "000 L447-451, L2504-2513; 004 L1760-1762 (75 % of spending state-mandated)", "capacity"),
    _P("operations_pressure_spread", 0.15, 0.0, 0.4, "standard deviation",
       "Spread of operations pressure between organisations.", ASSUMPTION, "capacity"),
    _P("pilot_load", 0.6, 0.05, 3.0, "capacity units per unit complexity",
       "Capacity a running pilot occupies, times the innovation's complexity.",
       "000 L4107-4108 (even an hour a month is hard to free); size: assumption", "capacity"),
    _P("adoption_load", 0.15, 0.0, 2.0, "capacity units per unit complexity",
       "Capacity an adopted innovation keeps occupying, times its complexity.", ASSUMPTION, "capacity"),
    _P("agency_population_equivalent", 100.0, 10.0, 1000.0, "inhabitants per staff member",
       "Converts an agency's staff into the population-scale that sets its capacity and enthusiasts.",
       ASSUMPTION, "capacity"),
    # --- Digital maturity and money ----------------------------------------------------------------
    _P("digital_maturity_mean", 0.5, 0.05, 0.95, "0-1",
       "Mean digital maturity of a median-sized municipality.",
       "004 L1899-1912 (14 % of municipalities do not mention digitalisation in steering documents)",
       "maturity"),
    _P("digital_maturity_size_slope", 0.12, 0.0, 0.4, "per decade of population",
       "How much more digitally mature a ten-times larger organisation is.",
       "004 L1899-1912 (smaller municipalities aim digitalisation inward)", "maturity"),
    _P("digital_maturity_spread", 0.1, 0.0, 0.3, "standard deviation",
       "Spread of digital maturity between organisations of the same size.", ASSUMPTION, "maturity"),
    _P("slack_msek_per_10k", 1.0, 0.0, 10.0, "MSEK per year per 10 000 inhabitants",
       "Budget slack an organisation can put into development without grants.",
       "004 L1760-1762 (little discretion); amount: assumption", "money"),
    _P("slack_volatility", 0.3, 0.0, 1.0, "log-standard deviation",
       "Year-to-year variation of budget slack (annual budgets).", "000 L2571-2573; 004 L1592-1597",
       "money"),
    # --- People -----------------------------------------------------------------------------------
    _P("enthusiast_arrival_rate", 0.15, 0.0, 2.0, "people per quarter",
       "Enthusiasts arriving in a 10 000-inhabitant organisation per quarter.",
       "000 L2516-2523 (people missing especially in small organisations); rate: assumption", "people"),
    _P("enthusiast_size_elasticity", 0.5, 0.0, 1.0, "exponent",
       "How enthusiast arrivals grow with population.", "000 L2516-2523; exponent: assumption", "people"),
    _P("enthusiast_leave_rate", 0.08, 0.0, 0.5, "per person per quarter",
       "Chance that an enthusiast leaves (new job, burn-out) each quarter.",
       "000 L3158-3168, L3322-3326 (person-dependent change); rate: assumption", "people"),
    _P("protector_share", 0.6, 0.0, 1.0, "share",
       "Chance that a newly formed leadership backs innovation work (a protector).",
       "000 L3373-3376; share: assumption", "people"),
    _P("protector_change_at_election", 0.4, 0.0, 1.0, "share",
       "Chance that leadership changes at a general election (every four years, September).",
       "000 L249-251, L2825-2834; 004 L1592-1597; share: assumption", "people"),
    _P("protector_turnover", 0.02, 0.0, 0.3, "per quarter",
       "Chance that a manager leaves between elections.", ASSUMPTION, "people"),
    # --- During and ending a pilot -----------------------------------------------------------------
    _P("stall_base", 0.01, 0.0, 0.3, "per quarter", "Background hazard that a running pilot stalls.",
       ASSUMPTION, "stall"),
    _P("stall_no_enthusiast", 0.25, 0.0, 1.0, "per quarter",
       "Extra stall hazard while a pilot has no enthusiast left to carry it.",
       "000 L3322-3326, L2516-2523", "stall"),
    _P("stall_protector_lost", 0.5, 0.0, 1.0, "per event",
       "Chance that a pilot stalls in the quarter its protector is lost.", "000 L3373-3376", "stall"),
    _P("stall_overload", 0.2, 0.0, 1.0, "per quarter at full overload",
       "Extra stall hazard when running pilots and adoptions exceed development capacity.",
       "000 L447-451, L2504-2513", "stall"),
    _P("stall_no_money", 0.15, 0.0, 1.0, "per quarter",
       "Extra stall hazard when this year's slack and grants do not cover the pilot's running cost.",
       "001 L1703-1719, L2065-2069 (funding stops at exploration)", "stall"),
    _P("pilot_extension", 0.35, 0.0, 0.95, "share per quarter",
       "Chance that a finished pilot that did not scale is prolonged another quarter (limbo) rather than "
       "abandoned at once; prolonged pilots can still scale or stall later.",
       "000 L4618-4620, L2628-2631 (pilots rarely become broad implementation); share: assumption", "stall"),
    _P("scale_base_logit", -4.0, -8.0, 2.0, "log-odds",
       "Log-odds that a finished pilot is scaled, before the named parts below.", ASSUMPTION, "scale"),
    _P("scale_capacity_weight", 1.0, 0.0, 5.0, "log-odds per unit",
       "Weight of scale-up capacity (free capacity and change management) on scaling.",
       "000 L4639-4647 (scaling needs change management)", "scale"),
    _P("scale_protector_weight", 1.0, 0.0, 5.0, "log-odds", "Weight of having a protector on scaling.",
       "000 L3373-3376", "scale"),
    _P("scale_evidence_weight", 1.5, 0.0, 5.0, "log-odds per unit evidence",
       "Weight of the innovation's evidence on scaling.", "000 L2628-2631, L4633-4647", "scale"),
    _P("scale_money_weight", 1.5, 0.0, 5.0, "log-odds per unit affordability",
       "Weight of scale-up money (slack plus scale-up grants against the scale-up cost).",
       "001 L1703-1719, L2140-2144 (funding to scale, not only to pilot)", "scale"),
    _P("scale_complexity_weight", 3.0, 0.0, 8.0, "log-odds per unit complexity",
       "Penalty of effective complexity on scaling; shared infrastructure reduces effective complexity "
       "of innovations that need it.",
       "000 L4639-4647; 004 L715-717, L1084-1086, L1236-1237 (legacy systems)", "scale"),
    _P("scale_maturity_weight", 1.0, 0.0, 5.0, "log-odds per unit maturity",
       "Weight of digital maturity on scaling.", "004 L1899-1912", "scale"),
    _P("infrastructure_level", 0.2, 0.0, 1.0, "0-1",
       "How much of what innovations need is covered by shared digital infrastructure at the start.",
       "000 L1994-2013, L2271-2294; 004 L2305-2310 (solutions built per municipality)", "scale"),
    # --- Evidence ---------------------------------------------------------------------------------
    _P("evidence_learning", 0.04, 0.0, 0.5, "per adoption",
       "How fast evidence for an innovation grows with each organisation that scales it.",
       "000 L2746-2752 (make scaling of what works the norm); rate: assumption", "evidence"),
    _P("failure_sharing", 0.1, 0.0, 1.0, "share",
       "Share of stalled pilots whose lessons are shared with others.",
       "000 L2118-2122, L2171-2173 (no incentive to share, least of all failures)", "evidence"),
    _P("failure_learning", 0.02, 0.0, 0.5, "per shared failure",
       "Evidence gained from each shared failure (spares others repeating it).",
       "000 L2118-2122; rate: assumption", "evidence"),
    # --- Dropping and retrying ---------------------------------------------------------------------
    _P("drop_base", 0.004, 0.0, 0.1, "per quarter", "Background hazard of dropping an adoption.",
       ASSUMPTION, "drop"),
    _P("drop_no_protector", 0.01, 0.0, 0.2, "per quarter",
       "Extra drop hazard without a protector.", "000 L3373-3376; rate: assumption", "drop"),
    _P("drop_no_enthusiast", 0.01, 0.0, 0.2, "per quarter",
       "Extra drop hazard without any enthusiast.", "000 L3324-3326 (dependence on enthusiasts)", "drop"),
    _P("drop_overload", 0.03, 0.0, 0.3, "per quarter at full overload",
       "Extra drop hazard when development capacity is overloaded.", "000 L447-451", "drop"),
    _P("retry_rate", 0.05, 0.0, 0.5, "per quarter",
       "Chance that an organisation whose pilot stalled, or that dropped an adoption, becomes ready "
       "to try again (returns to aware).", ASSUMPTION, "drop"),
)

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
