"""The dashboard's words in English and Swedish, and its number and quarter formats.

One table (:data:`WORDS`: English text -> Swedish text) and :func:`say`; numbers through :func:`number`
and :func:`percent` (Swedish: decimal comma, a space before ``%``), the model's time through
:func:`quarter_text` (``2031 Q1``: the quarter the model has reached). Plain Python, no Solara, so the
page and the tests share it.
"""

from __future__ import annotations

from ..charts.language import LANGUAGES  # noqa: F401 - one home for the languages offered
from ..stages import QUARTERS_PER_YEAR

WORDS = {
    "Innovations spreading across Sweden's public sector": "Innovationer som sprids i Sveriges offentliga sektor",
    "Scenario": "Scenario",
    "Seed": "Slumpfrö",
    "Reset": "Återställ",
    "Play": "Spela",
    "Pause": "Paus",
    "Step": "Steg",
    "Scenario's values": "Scenariots värden",
    "Settings take effect at Reset.": "Inställningarna gäller från Återställ.",
    "Extra money a year (MSEK)": "Extra pengar per år (mnkr)",
    "Key parameters": "Nyckelparametrar",
    "Language": "Språk",
    # levers
    "peer_review": "Kollegial granskning",
    "change_teams": "Förändringsteam",
    "small_actor_grants": "Bidrag till små aktörer",
    "learning_networks": "Lärande nätverk",
    "training_networks": "Utbildningsnätverk",
    # parameters
    "p_external": "Kännedom via allmänna kanaler (per kvartal)",
    "enthusiast_leave_rate": "Eldsjälar som slutar (per kvartal)",
    "capacity_scale": "Utvecklingskapacitet (skala)",
    # status line and figures
    "quarter": "kvartal",
    "of": "av",
    "adoption": "spridning",
    "the scenario's own settings": "scenariots egna inställningar",
    "Municipalities by stage": "Kommuner efter steg",
    "no innovation yet": "ingen innovation än",
    "aware": "känner till",
    "piloting": "pilot pågår",
    "adopted at least one": "infört minst en",
    "Diffusion": "Spridning",
    "Adoption share": "Andel infört",
    "Equality": "Jämlikhet",
    "Gap large − small (pp)": "Gap stora − små (procentenheter)",
    "Gap (pp)": "Gap (procentenheter)",
    "Gini": "Gini",
    "Year": "År",
}

#: English labels of the levers and parameters (the code names are the keys)
ENGLISH_LABELS = {
    "peer_review": "Peer review",
    "change_teams": "Change teams",
    "small_actor_grants": "Grants to small actors",
    "learning_networks": "Learning networks",
    "training_networks": "Training networks",
    "p_external": "Awareness through general channels (per quarter)",
    "enthusiast_leave_rate": "Enthusiasts leaving (per quarter)",
    "capacity_scale": "Development capacity (scale)",
}


def say(text: str, lang: str = "en") -> str:
    """``text`` in ``lang``: Swedish from :data:`WORDS`, English as given (a code name: its label)."""
    if lang == "sv":
        return WORDS.get(text, text)
    return ENGLISH_LABELS.get(text, text)


def number(value: float, lang: str = "en", decimals: int | None = None) -> str:
    """``value`` with ``decimals`` decimals (None: as few as show it, ``g``); Swedish with a decimal comma."""
    text = f"{value:g}" if decimals is None else f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang == "sv" else text


def percent(share: float, lang: str = "en", decimals: int = 1) -> str:
    """A share (0-1) as ``12.3%`` (English) or ``12,3 %`` (Swedish)."""
    text = number(share * 100, lang, decimals)
    return f"{text} %" if lang == "sv" else f"{text}%"


def quarter_text(start_year: int, quarter: int) -> str:
    """The quarter the model has reached after ``quarter`` quarters from the start of ``start_year``:
    ``quarter`` 0 of 2026 -> ``2026 Q1``, 4 -> ``2027 Q1``, 5 -> ``2027 Q2``."""
    return f"{start_year + quarter // QUARTERS_PER_YEAR} Q{quarter % QUARTERS_PER_YEAR + 1}"
