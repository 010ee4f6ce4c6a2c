"""Labels in English (the default) or Swedish (``--lang sv``): one dictionary, one function.

Charts, the comparison memo and the report write their fixed text in English and pass it through
:func:`tr`; a Swedish reader gets the entry of :data:`SWEDISH` (text without an entry stays English, so a
missing translation shows as English, never as an error). Outcome titles come from the outcome catalogue
in English and from :data:`OUTCOME_TITLES_SV` in Swedish (:func:`outcome_title`).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

LANGUAGES = ("en", "sv")

OUTCOME_TITLES_SV = {
    "final_adoption": "Slutlig spridning",
    "adoptions_final": "Införanden vid horisonten",
    "final_adoption_pop": "Slutlig spridning, befolkningsviktad",
    "time_to_50_years": "År till 50 % spridning",
    "pilots_started": "Startade piloter",
    "pilots_scaled": "Piloter som skalats upp",
    "pilots_stalled": "Piloter som avstannat",
    "adoptions_dropped": "Avvecklade införanden",
    "pilot_to_scale_rate": "Andel piloter som skalas upp",
    "mean_years_pilot_to_scale": "År från pilotstart till uppskalning",
    "adoptions_lost_no_enthusiast": "Avvecklade utan eldsjäl",
    "adoptions_lost_no_protector": "Avvecklade utan beskyddare",
    "final_adoption_municipalities": "Genomsnittlig kommunal spridning",
    "adoption_small": "Spridning i små kommuner",
    "adoption_large": "Spridning i stora kommuner",
    "gap_small_large": "Spridningsgap: stora − små kommuner",
    "gap_skr_a_c": "Spridningsgap: SKR-grupp A − C",
    "gini": "Gini-koefficient för kommunal spridning",
    "theil": "Theil-index för kommunal spridning",
    "theil_between_regions": "Theil-index mellan län",
    "theil_within_regions": "Theil-index inom län",
    "share_no_adoption": "Kommuner utan något införande",
    "spend_msek": "Kostnad",
    "cost_per_extra_adoption_msek": "Kostnad per extra införande",
    "budget_per_extra_adoption_msek": "Budget per extra införande",
    "pilots_disappointed": "Piloter som gjort besvikna",
    "pilots_stalled_no_champion": "Piloter som avstannat utan eldsjäl",
    "pilots_stalled_reprioritised": "Piloter som avstannat efter ny ledning",
    "pilots_stalled_no_money": "Piloter som avstannat i brist på pengar",
    "pilots_funded": "Startade piloter med bidrag",
    "adoptions_lost_no_money": "Avvecklade i brist på pengar",
    "adoptions_lost_disappointed": "Avvecklade efter besvikelse",
    "budget_msek": "Budgeterade pengar",
    "unplaced_msek": "Oplacerade pengar",
    "unplaced_capacity_msek": "Oplacerat: utöver operatörernas kapacitet",
    "unplaced_no_taker_msek": "Oplacerat: ingen mottagare",
}

#: the stock innovations' names (scenarios' ``innovations[].name``) in Swedish; others are shown made readable
INNOVATIONS_SV = {
    "digital_home_care": "Digital hemtjänst", "service_design": "Tjänstedesign", "ai_casework": "AI i handläggning",
    "remote_care": "Vård på distans",
}

#: the outcome catalogue's units (model.outcomes.catalogue) in Swedish
UNITS_SV = {
    "share of applicable organisation–innovation pairs": "andel av tillämpliga par organisation–innovation",
    "share of inhabitants served": "andel av invånarna som verksamheterna betjänar", "years": "år",
    "pilots": "piloter", "share of finished pilots": "andel av avslutade piloter", "adoptions": "införanden",
    "share of applicable innovations": "andel av tillämpliga innovationer", "percentage points": "procentenheter",
    "0–1": "0–1", "nats": "nat", "share of municipalities": "andel av kommunerna",
    "MSEK over the run": "mnkr under perioden", "organisation–innovation pairs": "par organisation–innovation",
    "MSEK per organisation–innovation pair": "mnkr per par organisation–innovation",
}

SWEDISH = {
    # general
    "Year": "År", "Scenario": "Scenario", "baseline": "jämförelsealternativ", "(baseline)": "(jämförelsealternativ)",
    "95 % of runs": "95 % av körningarna", "Programme years": "Programår",
    "Mean over replications": "Medelvärde över replikeringar",
    "replications": "replikeringar", "replications per scenario.": "replikeringar per scenario.",
    "end of": "slutet av",
    # diffusion and size bands
    "Adoption of innovations over time": "Spridning av innovationer över tid",
    "All innovations": "Alla innovationer", "Adoption share (%)": "Spridning (%)",
    "Share of organisations (unweighted)": "Andel organisationer (oviktad)",
    "Weighted by population served": "Viktad med befolkning",
    "Adoption by municipality size": "Spridning efter kommunstorlek",
    "Municipality size (inhabitants)": "Kommunstorlek (invånare)",
    "Adoption share, all innovations (%)": "Spridning, alla innovationer (%)",
    "under 10 000": "under 10 000", "over 100 000": "över 100 000",
    "Gap (percentage points)": "Gap (procentenheter)", "Mean gap": "Medelgap",
    "Pilots: how many start, scale up or stall": "Piloter: hur många startar, skalas upp eller avstannar",
    "Pilot events per year": "Pilothändelser per år", "Pilots started": "Startade piloter",
    "Pilots scaled up (adopted)": "Uppskalade piloter (införda)", "Pilots stalled": "Avstannade piloter",
    "Currently in pilot or stalled": "Pågående eller avstannade piloter",
    "In pilot": "I pilot", "Stalled": "Avstannad",
    "Adoption by municipality": "Spridning per kommun",
    "Final adoption share (%)": "Slutlig spridning (%)",
    "Adoption share: organisations that have adopted, among those the innovation applies to (all innovations: share "
    "of applicable organisation–innovation pairs).": "Spridning: organisationer som har infört, bland dem "
    "innovationen gäller (alla innovationer: andel av tillämpliga par organisation–innovation).",
    "Paired differences from the baseline": "Parade skillnader mot jämförelsealternativet",
    "Adoption over time by scenario": "Spridning över tid per scenario",
    "Gap between large and small municipalities by scenario": "Gapet mellan stora och små kommuner per scenario",
    "Differences by county, size band, SKR group and target group":
        "Skillnader per län, storleksklass, SKR-grupp och målgrupp",
    "SustainGov matrix": "SustainGov-matrisen", "Difference from the baseline, animated":
        "Skillnad mot jämförelsealternativet, animerad",
    "Adoption over time": "Spridning över tid", "Gap between large and small municipalities":
        "Gapet mellan stora och små kommuner", "Pilots started, scaled and stalled":
        "Piloter startade, uppskalade och avstannade",
    "Adoption by municipality at the horizon": "Spridning per kommun vid horisonten",
    "Adoption by municipality, animated": "Spridning per kommun, animerad",
    # comparison
    "Adoption over time, by scenario": "Spridning över tid, per scenario",
    "Adoption gap between large and small municipalities, by scenario":
        "Spridningsgap mellan stora och små kommuner, per scenario",
    "Difference from the baseline, by scenario": "Skillnad mot jämförelsealternativet, per scenario",
    "Outcomes by scenario": "Utfall per scenario",
    "higher is better": "högre är bättre", "lower is better": "lägre är bättre",
    "difference, percentage points": "skillnad, procentenheter", "difference": "skillnad",
    # cost-effectiveness
    "Cost-effectiveness frontier": "Kostnadseffektivitetsfront",
    "Extra adoptions against the baseline (organisation–innovation pairs)":
        "Extra införanden jämfört med jämförelsealternativet (organisation–innovation)",
    "Incremental cost (MSEK used over the run)": "Merkostnad (mnkr använda under perioden)",
    "frontier": "på fronten", "dominated": "dominerad", "extendedly dominated": "utsträckt dominerad",
    "Frontier": "Front", "Dominated": "Dominerad", "Extendedly dominated": "Utsträckt dominerad",
    # groups
    "Difference from the baseline by group": "Skillnad mot jämförelsealternativet per grupp",
    "County": "Län", "Size band": "Storleksklass", "SKR group": "SKR-grupp", "Lever target group": "Målgrupp",
    "Difference in adoption share (percentage points)": "Skillnad i spridning (procentenheter)",
    # maps
    "Difference from the baseline by municipality": "Skillnad mot jämförelsealternativet per kommun",
    "Difference in adoption share (pp)": "Skillnad i spridning (procentenheter)",
    "Stockholm county": "Stockholms län", "no data": "uppgift saknas",
    "Adoption by municipality over the years": "Spridning per kommun över åren",
    # SustainGov
    "SustainGov: feasibility and value, and what the model finds":
        "SustainGov: genomförbarhet och värde, och vad modellen visar",
    "Feasibility (report)": "Genomförbarhet (rapporten)", "Value (report)": "Värde (rapporten)",
    "unscored": "ej poängsatt",
    "Extra adoptions per MSEK": "Extra införanden per mnkr",
    "Change in small–large gap per MSEK (pp)": "Förändring av gapet små–stora per mnkr (procentenheter)",
    # a run's charts (model.charts.scenario, model.charts.maps, model.charts.bands)
    "Adoption share: share of applicable municipality–innovation pairs adopted.":
        "Spridning: andel av tillämpliga par kommun–innovation som är införda.",
    "Gap computed per replication.": "Gapet är beräknat per replikering.",
    "Above 0: large municipalities have adopted a larger share of applicable innovations.":
        "Över 0: stora kommuner har infört en större andel av tillämpliga innovationer.",
    "Share of organisation–innovation pairs (%)": "Andel par organisation–innovation (%)",
    "Bars: mean over replications of pilots per calendar year (all organisations and innovations); "
    "whiskers: 2.5th–97.5th percentile of replications.":
        "Staplar: medelvärde över replikeringar av piloter per kalenderår (alla organisationer och innovationer); "
        "felstaplar: 2,5:e–97,5:e percentilen av replikeringarna.",
    "Bars: pilots per calendar year in the single replication (all organisations and innovations).":
        "Staplar: piloter per kalenderår i den enda replikeringen (alla organisationer och innovationer).",
    " * Part of the year only (the horizon ends within it).": " * Endast del av året (horisonten slutar under det).",
    "Colour: each municipality's share of applicable innovations adopted at the end,\naveraged over replications "
    "(a share, not a probability).": "Färg: varje kommuns andel av tillämpliga innovationer som är införda vid "
    "slutet,\nmedelvärde över replikeringar (en andel, inte en sannolikhet).",
    "Colour: each municipality's share of applicable innovations adopted.":
        "Färg: varje kommuns andel av tillämpliga innovationer som är införda.",
    "Colour: each municipality's share of applicable innovations adopted,\naveraged over replications.":
        "Färg: varje kommuns andel av tillämpliga innovationer som är införda,\nmedelvärde över replikeringar.",
    "Across municipalities": "Över kommunerna", "median": "median", "lowest": "lägst", "highest": "högst",
    "replication": "replikering", "to": "till", "pp": "p.e.",
    # a run's report (model.report.html, model.report.assumptions)
    "none within the horizon": "inga inom horisonten", "feasibility": "genomförbarhet", "value": "värde",
    "scenario": "scenario", "scenario file": "scenariofil",
    "SHA-256 of the resolved scenario": "SHA-256 av det upplösta scenariot", "root seed": "rotfrö",
    "seeds": "frön", "created": "skapad", "wall time (s)": "körtid (s)", "platform": "plattform",
    "more rows in the CSV file.": "rader till i CSV-filen.",
    # the seeds notes of a manifest (model.batch, model.calibrate.ensemble)
    "replication r ran model.run(scenario, model.runner.replication_seed(root_seed, r)), i.e. "
    "numpy.random.SeedSequence(root_seed, spawn_key=(r,))": "replikering r körde model.run(scenario, "
    "model.runner.replication_seed(root_seed, r)), dvs. numpy.random.SeedSequence(root_seed, spawn_key=(r,))",
    "run i (draw i // R, replication i % R) ran model.run(scenario with the draw's values, "
    "model.runner.replication_seed(root_seed, i)): its own seed, the same in every scenario over these draws":
    "körning i (dragning i // R, replikering i % R) körde model.run(scenario med dragningens värden, "
    "model.runner.replication_seed(root_seed, i)): ett eget frö, detsamma i varje scenario över dessa dragningar",
    "municipality": "kommun", "region": "region", "agency": "myndighet", "true": "ja", "false": "nej",
    "municipalities": "kommuner", "regions": "regioner", "agencies": "myndigheter", "counties": "län",
    "everyone eligible": "alla som uppfyller villkoren", "by size band": "efter storleksklass",
    "by county": "efter län", "at random": "slumpvis", "need first (lowest capacity)":
        "störst behov först (lägst kapacitet)", "competitive call": "konkurrensutsatt utlysning",
    "of them": "av dem",
    # SustainGov's placement of a lever (model.report.sustaingov.PLACEMENT)
    "higher": "högre", "lower": "lägre", "foundational": "grundläggande", "especially high": "särskilt högt",
    # lever_usage.csv's columns (model.report.html.usage)
    "Operator": "Operatör", "Unit": "Enhet", "Budget (MSEK)": "Budget (mnkr)", "Delivered (MSEK)": "Levererat (mnkr)",
    "Used (MSEK)": "Använt (mnkr)", "Returned (MSEK)": "Återfört (mnkr)",
    "Unplaced capacity (MSEK)": "Oplacerat, kapacitet (mnkr)", "Unplaced no taker (MSEK)":
        "Oplacerat, ingen mottagare (mnkr)", "Bought": "Köpt", "Placed": "Placerat", "Applications": "Ansökningar",
    "Takers": "Mottagare", "Takers municipality": "Mottagare: kommuner", "Takers region": "Mottagare: regioner",
    "Takers agency": "Mottagare: myndigheter", "Takers <10k": "Mottagare: under 10 000",
    "Takers 10-20k": "Mottagare: 10 000–20 000", "Takers 20-50k": "Mottagare: 20 000–50 000",
    "Takers 50-100k": "Mottagare: 50 000–100 000", "Takers >100k": "Mottagare: över 100 000",
    # the levers' units (their ``unit``: what a lever's operator delivers)
    "visits": "besök", "members": "medlemmar", "placements": "auskultationsplatser", "organisations paid":
        "organisationer som fått betalt", "grants": "bidrag", "reviews": "granskningar", "MSEK built": "mnkr byggt",
}


#: chart captions: key -> (English, Swedish)
CAPTIONS = {
    "outcomes": ("Points: mean over replications; bars: 95 % confidence interval of the mean. Dotted line: baseline.",
                 "Punkter: medelvärde över replikeringar; staplar: 95 % konfidensintervall för medelvärdet. Prickad "
                 "linje: jämförelsealternativet."),
    "differences": ("Points: mean over replications of the difference to the baseline in the same replication "
                    "(common random numbers); bars: 95 % confidence interval. A bar that crosses the line at 0 is a "
                    "difference the replications cannot tell from none.",
                    "Punkter: medelvärde över replikeringar av skillnaden mot jämförelsealternativet i samma "
                    "replikering (gemensamma slumptal); staplar: 95 % konfidensintervall. En stapel som korsar linjen "
                    "vid 0 är en skillnad som replikeringarna inte kan skilja från ingen skillnad."),
    "frontier": ("Points: mean over paired replications; whiskers: 95 % confidence intervals. Line: the frontier, "
                 "from the baseline through the portfolios no other beats; labels on it: incremental cost per extra "
                 "adoption (MSEK) of moving to the next dearer portfolio. Dominated: another portfolio costs no more "
                 "and adds at least as much. Extendedly dominated: a mix of its neighbours on the frontier adds more "
                 "for the money.",
                 "Punkter: medelvärde över parade replikeringar; staplar: 95 % konfidensintervall. Linje: fronten, "
                 "från jämförelsealternativet genom de portföljer som ingen annan slår; etiketter på den: merkostnad "
                 "per extra införande (mnkr) för att gå till nästa dyrare portfölj. Dominerad: en annan portfölj "
                 "kostar högst lika mycket och ger minst lika mycket. Utsträckt dominerad: en blandning av grannarna "
                 "på fronten ger mer för pengarna."),
    "groups": ("Each municipality's share of its applicable innovations adopted at the horizon, averaged over the "
               "group's municipalities (unweighted); points: mean over replications of the portfolio minus the "
               "baseline in the same replication; bars: 95 % confidence interval. A lever's target group: the "
               "municipalities its target admits.",
               "Varje kommuns andel av sina tillämpliga innovationer som är införda vid horisonten, medelvärde över "
               "gruppens kommuner (oviktat); punkter: medelvärde över replikeringar av portföljen minus "
               "jämförelsealternativet i samma replikering; staplar: 95 % konfidensintervall. Ett styrmedels "
               "målgrupp: de kommuner dess target släpper in."),
    "sustaingov": ("Left: where SustainGov's text places each lever (the report's numeric scores are only in its "
                   "figures, so none is invented; the rest are unscored). Right: per compared scenario, extra "
                   "adoptions per MSEK used and the change in the gap between large and small municipalities per "
                   "MSEK, both against the baseline (below zero: the gap narrows). A scenario with one lever "
                   "measures that lever; portfolios are shown whole.",
                   "Vänster: var SustainGovs text placerar varje styrmedel (rapportens numeriska poäng finns bara i "
                   "dess figurer, så inga hittas på; övriga är ej poängsatta). Höger: per jämfört scenario, extra "
                   "införanden per använd mnkr och förändringen av gapet mellan stora och små kommuner per mnkr, båda "
                   "mot jämförelsealternativet (under noll: gapet minskar). Ett scenario med ett styrmedel mäter det "
                   "styrmedlet; portföljer visas hela."),
}


def caption(key: str, lang: str = "en") -> str:
    """The caption :data:`CAPTIONS` holds under ``key``, in ``lang``."""
    return CAPTIONS[key][lang == "sv"]


#: the language of the chart being drawn (set by :func:`speaking`), read by what is made inside it and
#: formats later (tick formatters format at save time, after the chart function has returned)
_SPOKEN: contextvars.ContextVar[str] = contextvars.ContextVar("chart_language", default="en")


def spoken() -> str:
    """The language of the chart being drawn (``en`` outside :func:`speaking`)."""
    return _SPOKEN.get()


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Draw in ``lang`` within the block (:func:`model.charts.style.styled` wraps each chart in it)."""
    token = _SPOKEN.set(lang if lang in LANGUAGES else "en")
    try:
        yield
    finally:
        _SPOKEN.reset(token)


def check_language(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else ValueError naming them."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return lang


def tr(text: str, lang: str = "en") -> str:
    """``text`` in ``lang``: itself in English, its Swedish entry (or itself, lacking one) in Swedish."""
    return SWEDISH.get(text, text) if lang == "sv" else text


def outcome_unit(unit: str, lang: str = "en") -> str:
    """An outcome's unit (the catalogue's English ``unit``) in ``lang``."""
    return UNITS_SV.get(unit, unit) if lang == "sv" else unit


def replications_count(count: int, lang: str = "en") -> str:
    """``2 replications`` / ``2 replikeringar`` (``1 replication`` / ``1 replikering``)."""
    if lang == "sv":
        return f"{count} replikering{'ar' if count != 1 else ''}"
    return f"{count} replication{'s' if count != 1 else ''}"


def innovation_name(name: str, readable: str, lang: str = "en") -> str:
    """An innovation's name for a reader: ``readable`` (its name made readable) in English, its
    :data:`INNOVATIONS_SV` entry (or ``readable``, lacking one) in Swedish."""
    return INNOVATIONS_SV.get(name, readable) if lang == "sv" else readable


def outcome_title(name: str, title: str, lang: str = "en") -> str:
    """An outcome's title in ``lang`` (``title`` is the catalogue's English one)."""
    return OUTCOME_TITLES_SV.get(name, title) if lang == "sv" else title
