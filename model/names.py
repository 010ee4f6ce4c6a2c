"""Names as people write them: comparing labels, checking them, and making file names from them.

Three rules, used wherever the package reads or writes a name:

- :func:`normalise` is how two spellings are compared: Unicode NFC (so 'ä' typed as 'a' + a combining
  diaeresis, as text copied from macOS file names or some PDFs is, equals the composed 'ä'), casefolded,
  with runs of white space made one space. Region names, lever labels in ``--set`` paths and "did you
  mean" suggestions all compare normalised text.
- :func:`check_label` is what a scenario ``name:`` or a lever ``name:`` may be: readable text, Swedish
  letters and spaces included ("Kommuner i Norrland", "stöd till små kommuner").
- :data:`ALIASES` holds the Swedish (and other everyday) words people write for the names files take in
  English (``kommun`` for ``municipality``, ``förändringsteam`` for ``change_teams``), so that a "did you
  mean" suggestion (:func:`model.errors.suggest`) can name the English word; levers add their own words.
- :func:`safe_file_name` turns such a label into a file or folder name that is safe on every system
  (ASCII letters, digits, ``_``, ``-``). Every folder or file named after a scenario or lever should be
  made with it.

This module is low-level: it imports nothing from the rest of the package.
"""

from __future__ import annotations

import re
import unicodedata

#: the most characters a scenario or lever name may have
MAX_LABEL = 80
#: punctuation a label may contain besides letters, digits and spaces
LABEL_PUNCTUATION = "_-,()&+'"
_LABEL = re.compile(r"^[^\W_][\w \-,()&+']*$")
_SPACES = re.compile(r"\s+")
#: letters that NFKD does not split into a base letter and a mark
_ASCII = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "ð": "d", "Ð": "D", "þ": "th",
                        "Þ": "Th", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C, surrounding white space removed and inner runs made one space
    (the form in which labels are stored)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def normalise(text: str) -> str:
    """The form in which two names are compared: :func:`nfc`, then casefolded."""
    return nfc(text).casefold()


def check_label(text: str, what: str = "a name") -> str:
    """``text`` as a label (scenario or lever name) in NFC, or ``ValueError`` saying what is allowed.

    A label starts with a letter or digit and holds letters (å, ä, ö and other letters too), digits,
    spaces and ``_ - , ( ) & + '``; at most :data:`MAX_LABEL` characters. Dots, slashes and colons are
    refused: a lever's name is a step in ``--set levers.NAME.field`` paths, and neither kind of name may
    leave the results folder it names.
    """
    label = nfc(text)
    if not label:
        raise ValueError(f"{what} cannot be empty")
    if len(label) > MAX_LABEL:
        raise ValueError(f"{what} has {len(label)} characters; at most {MAX_LABEL} are allowed")
    if not _LABEL.match(label):
        bad = sorted({c for c in label if not (c.isalnum() or c in " " + LABEL_PUNCTUATION)})
        which = f" ({' '.join(repr(c) for c in bad)} not allowed)" if bad else ""
        raise ValueError(f"'{label}' cannot be {what}{which}; start with a letter or digit and use letters "
                         f"(å, ä, ö too), digits, spaces and {' '.join(LABEL_PUNCTUATION)}")
    return label


def safe_file_name(label: str, limit: int = MAX_LABEL) -> str:
    """A file or folder name made from ``label``: Swedish and other accented letters become their ASCII
    base letters (å, ä -> a, ö -> o), spaces and anything else not a letter, digit, ``-`` or ``_``
    become ``_``; never empty (``unnamed``), at most ``limit`` characters.

    >>> safe_file_name("Stöd till små kommuner (2026)")
    'Stod_till_sma_kommuner_2026'
    """
    text = unicodedata.normalize("NFKD", nfc(label).translate(_ASCII))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^A-Za-z0-9_-]+", "_", text.encode("ascii", "ignore").decode("ascii"))
    text = re.sub(r"_+", "_", text).strip("_-")[:limit].strip("_-")
    return text or "unnamed"


# --- Swedish words for English names -----------------------------------------------------------------------
#: Swedish (and other everyday) words people write for a name the files take in English: the folded word
#: (:func:`alias_key`) -> the English name. Kinds of organisation and targeting rules are listed here; each
#: lever declares its own words (``Lever.swedish``), added by :func:`add_aliases` when it registers.
ALIASES: dict[str, str] = {}
_FOLD = re.compile(r"[\s_\-]+")


def alias_key(word: str) -> str:
    """The form in which an alias is looked up: :func:`normalise`, with hyphens, underscores and runs of
    spaces made one space (``Kollegial-granskning`` -> ``kollegial granskning``)."""
    return _FOLD.sub(" ", normalise(word)).strip()


def add_aliases(english: str, *words: str) -> None:
    """Record ``words`` (Swedish or other everyday words) as names people write for ``english``."""
    for word in words:
        ALIASES[alias_key(word)] = english


def alias_of(word: str, allowed) -> str | None:
    """The allowed name that ``word`` is an everyday (often Swedish) word for — ``förändringsteam`` ->
    ``change_teams``, ``kommun`` -> ``municipality`` — or None if it is none, or names something not in
    ``allowed`` (an iterable of names)."""
    english = ALIASES.get(alias_key(str(word)))
    return english if english is not None and english in {str(a) for a in allowed} else None


add_aliases("municipality", "kommun", "kommuner", "kommunen", "kommunerna", "primärkommun", "primärkommuner")
add_aliases("region", "regioner", "regionen", "regionerna", "landsting", "landstinget", "landstingen")
add_aliases("agency", "myndighet", "myndigheter", "myndigheten", "myndigheterna", "statlig myndighet",
            "statliga myndigheter", "verk")
# targeting rules (target.by)
add_aliases("all", "alla")
add_aliases("capacity", "kapacitet", "behov", "svagast först")
add_aliases("application", "ansökan", "ansökningar", "utlysning", "ansöka")
add_aliases("random", "slump", "slumpvis", "slumpmässigt", "lottning")
add_aliases("size_band", "storlek", "storleksklass", "storleksgrupp")
