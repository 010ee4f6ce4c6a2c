"""Input errors that users see: one clear message, naming the file, the line, the field and what is allowed.

Every loader in the package (scenarios, experiments) turns bad input into an :class:`InputError`; the
command line prints its message and exits with status 2, never a traceback. A message has one line per
problem, ``FILE:LINE: field: problem; what to do`` (the line when the file's
:class:`~model.yamlio.SourceMap` knows it), ordered by line, so every mistake of a file is reported at once.

Schemas of user input derive from :class:`Checked`: a number field takes a number and nothing else — not a
yes/no value (YAML reads ``yes``/``no``/``on``/``off`` as true/false), not text (``"150 MSEK"``, ``"10 %"``),
not a date (``2027-01-01`` where a year belongs) — and says what to write instead. A whole-number field
also takes a number with nothing after the point (``10.0`` is 10; ``10.5`` is refused), so values that
sweeps and overrides compute as floats stay usable.
"""

from __future__ import annotations

import datetime
import difflib
import re
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from .names import alias_of, nfc, normalise
from .strict import Strict


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (``loc``, a path of keys and list indices) and what (``text``,
    the problem and what is allowed). ``yes_no`` is the ``true``/``false`` the text shows for a yes/no
    value, replaced by the word the file used (``on``) when the source map knows it."""

    loc: tuple = ()
    text: str = ""
    yes_no: str | None = None


class InputError(Exception):
    """A user's file or argument is wrong; ``str(error)`` is the whole message, ``problems`` its parts
    (when the message was made from :class:`Problem` objects)."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class Where(Protocol):
    """Where values stand in a source (see :class:`model.yamlio.SourceMap`)."""

    def line(self, loc: Sequence[Any]) -> int | None:
        """The line of ``loc`` (or of the nearest enclosing key that has one), or None."""

    def text(self, loc: Sequence[Any]) -> str | None:
        """The scalar at ``loc`` as written, when YAML read it as something other than text."""


def suggest(word: str, allowed: Iterable[str], same: Callable[[str], str] = nfc) -> str:
    """`` (did you mean 'x'?)`` for the closest allowed word, or an empty string.

    Closeness is judged on normalised text (:func:`model.names.normalise`: NFC, casefolded). A
    suggestion that is the word itself — equal after ``same``: Unicode NFC by default (so a name typed in
    decomposed form is not "corrected" to a name that looks exactly like it); pass
    :func:`~model.names.normalise` where matching ignores case — is never made, and none is made when the
    word is itself one of the allowed. A Swedish or everyday word for an allowed name
    (:data:`model.names.ALIASES`: ``kommun``, ``förändringsteam``) suggests that name."""
    options: dict[str, str] = {}
    for a in allowed:
        options.setdefault(normalise(a), str(a))
    if any(same(a) == same(word) for a in options.values()):
        return ""
    if (english := alias_of(word, options.values())) is not None:
        return f" (did you mean '{english}'?)"
    close = difflib.get_close_matches(normalise(word), list(options), n=1, cutoff=0.6)
    return f" (did you mean '{options[close[0]]}'?)" if close else ""


def format_loc(loc: Sequence[Any]) -> str:
    """``('innovations', 1, 'complexity')`` -> ``innovations[1].complexity``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def render(source: str | Callable[[Problem], str], problems: Sequence[Problem], where: Where | None = None) -> str:
    """The message of ``problems``: one ``source:LINE: field: text`` line each, ordered by line (problems
    without a line keep their order, after those with one); ``source: text`` for a problem of the whole
    file (empty ``loc``). ``source`` may be a function giving each problem's source (e.g. the ``--set``
    argument that caused it)."""
    rows = []
    for order, p in enumerate(problems):
        head = source(p) if callable(source) else source
        line = where.line(p.loc) if where is not None else None
        text = p.text
        raw = where.text(p.loc) if where is not None and p.yes_no else None
        if raw:
            text = text.replace(f"({p.yes_no})", f"({raw})")
        head = f"{head}:{line}" if line else head
        rows.append(((line is None, line or 0, order), f"{head}: {format_loc(p.loc)}: {text}" if p.loc
                     else f"{head}: {text}"))
    return "\n".join(text for _, text in sorted(rows))


def fail(source: str, problems: Sequence[Problem], where: Where | None = None) -> InputError:
    """An :class:`InputError` for ``problems`` (see :func:`render`), to raise."""
    return InputError(render(source, problems, where), problems)


# --- pydantic's errors as problems ----------------------------------------------------------------------
def _unwrap(annotation: Any) -> Any:
    """The model class inside ``Optional[X]``, ``list[X]``, ``dict[str, X]``, if any."""
    args = getattr(annotation, "__args__", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in args or ():
        found = _unwrap(arg)
        if found is not None:
            return found
    return None


def model_at(root: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel] | None:
    """The pydantic model class that holds the field at ``loc`` (used to list allowed keys)."""
    current: type[BaseModel] | None = root
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current


def _msek_hint(loc: Sequence[Any], got: Any) -> str:
    """For an amount in MSEK that is too large: it was probably written in kronor."""
    name = str(loc[-1]) if loc else ""
    if "msek" not in name or not isinstance(got, (int, float)):
        return ""
    kronor = f"{got:,.0f}".replace(",", " ")
    return f"; amounts are in MSEK (millions of kronor): {kronor} kronor is {got / 1e6:g} MSEK, so write {got / 1e6:g}"


def validation_problems(error: ValidationError, root: type[BaseModel], prefix: Sequence[Any] = ()) -> list[Problem]:
    """pydantic's errors as :class:`Problem` objects (``prefix`` is prepended to every location)."""
    problems = []
    for err in error.errors():
        loc = tuple(prefix) + tuple(err["loc"])
        kind, got, ctx = err["type"], err.get("input"), err.get("ctx", {})
        yes_no = None
        if kind == "extra_forbidden":
            holder = model_at(root, err["loc"][:-1])
            allowed = sorted(holder.model_fields) if holder else []
            key = err["loc"][-1]
            text = f"unknown key '{key}'{suggest(key, allowed)}; allowed keys: {', '.join(allowed)}"
        elif kind == "missing":
            text = "required field is missing"
        elif kind == "literal_error":
            expected = ctx.get("expected", "")
            allowed = [a.strip().strip("'") for a in expected.replace(" or ", ",").split(",") if a.strip()]
            text = f"'{got}' is not allowed{suggest(str(got), allowed)}; allowed: {expected}"
        elif kind == "number_type":
            text, yes_no = ctx["problem"], ctx.get("yes_no")
        else:
            msg = err["msg"]
            msg = msg.removeprefix("Value error, ")
            # a validator's own message names the value; a mapping or list would drown the message
            got_txt = "" if kind == "value_error" or isinstance(got, (dict, list)) else f" (got {got!r})"
            text = f"{msg[0].lower() + msg[1:]}{got_txt}"
            if kind == "less_than_equal":
                text += _msek_hint(loc, got)
            elif kind == "string_type" and isinstance(got, (int, float, datetime.date)):
                text += "; put text in quotes"
        problems.append(Problem(loc, text, yes_no))
    return problems


def validate_mapping(schema: type[BaseModel], data: Any, source: str, what: str, where: Where | None = None) -> Any:
    """``data`` (parsed YAML) validated as ``schema``, or one :class:`InputError` naming ``source`` (and the
    lines, with ``where``); ``what`` names the kind of file ("a scenario", "an experiment") in the message
    for a non-mapping."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: {what} must be a mapping of keys to values, got {type(data).__name__}")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise fail(source, validation_problems(exc, schema), where) from None


# --- numbers are numbers -------------------------------------------------------------------------------
_NUMBER = r"[-+]?\d[\d ]*(?:[.,]\d+)?"
_WITH_UNIT = re.compile(rf"^({_NUMBER})\s*(msek|mkr|mnkr|miljoner(?: kronor| kr)?|milj\.? ?kr|kr|sek|kronor)$", re.I)
_PERCENT = re.compile(rf"^({_NUMBER})\s*(%|procent|percent)$", re.I)


def _as_float(text: str) -> float:
    return float(text.replace(" ", "").replace(",", "."))


def _text_hint(text: str, field: str, integer: bool) -> str:
    """What to write instead of the text ``text`` in the number field ``field``."""
    stripped = text.strip()
    if match := _WITH_UNIT.match(stripped):
        value, unit = _as_float(match.group(1)), match.group(2).lower()
        msek = value / 1e6 if unit in ("kr", "sek", "kronor") else value
        return f"write the number of MSEK, e.g. {msek:g}"
    if match := _PERCENT.match(stripped):
        return f"write a share as a number between 0 and 1, e.g. {_as_float(match.group(1)) / 100:g}"
    if integer and field.endswith("year") and (match := re.match(r"^(\d{4})\b", stripped)):
        return f"write the year, e.g. {match.group(1)}"
    if re.fullmatch(r"[-+]?\d+,\d+", stripped):
        return f"write decimals with a point, e.g. {stripped.replace(',', '.')}"
    if re.fullmatch(r"[-+]?\d{1,3}( \d{3})+(\.\d+)?", stripped):
        return f"write the number without spaces, e.g. {stripped.replace(' ', '')}"
    if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", stripped):
        return "write it without quotes"
    if match := re.match(r"^([-+]?\d+(?:\.\d+)?)\s*[^\W\d_]", stripped):
        return f"write the number alone, e.g. {match.group(1)}"
    return ""


def number_problem(value: Any, integer: bool, field: str = "") -> tuple[str, str | None] | None:
    """Why ``value`` cannot stand in a number field (``integer``: a whole-number field called ``field``),
    as (problem, the yes/no word shown or None), or None if it can (numbers, and anything pydantic judges)."""
    year = integer and field.endswith("year")
    expected = "a year" if year else "a whole number" if integer else "a number"
    if isinstance(value, bool):
        word = str(value).lower()
        return f"expected {expected}, got a yes/no value ({word})", word
    if isinstance(value, (datetime.date, datetime.datetime)):
        hint = f"; write the year, e.g. {value.year}" if year else ""
        return f"expected {expected}, got a date ({value.isoformat()}){hint}", None
    if isinstance(value, str):
        hint = _text_hint(value, field, integer)
        return f"expected {expected}, got text ('{value}')" + (f"; {hint}" if hint else ""), None
    return None


def _number_kind(annotation: Any) -> tuple[bool, bool] | None:
    """(is it a whole-number field, may it be None) for a number annotation, else None."""
    args = typing.get_args(annotation)
    optional = type(None) in args
    core = [a for a in args if a is not type(None)] if args else [annotation]
    if len(core) != 1 or core[0] not in (int, float):
        return None
    return core[0] is int, optional


class Checked(Strict):
    """A :class:`~model.strict.Strict` schema whose number fields take numbers only (see the module's
    docstring); the base of scenario, parameter, innovation, lever and target schemas."""

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: Any) -> Any:
        if type(value) in (float, int):  # a number (not a yes/no value): fine in any field, as below
            return value
        field = cls.model_fields.get(info.field_name)
        kind = _number_kind(field.annotation) if field is not None else None
        if kind is None:
            return value
        integer, optional = kind
        if value is None and not optional:
            raise PydanticCustomError("number_type", "{problem}",
                                      {"problem": f"expected {'a whole number' if integer else 'a number'}, "
                                                  "got nothing (the value is empty)"})
        problem = number_problem(value, integer, info.field_name)
        if problem is None:
            return value
        text, yes_no = problem
        ctx = {"problem": text} if yes_no is None else {"problem": text, "yes_no": yes_no}
        raise PydanticCustomError("number_type", "{problem}", ctx)
