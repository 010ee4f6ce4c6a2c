"""Input errors that users see: one clear message, naming the file, the field and what is allowed.

Every loader in the package (scenarios, experiments) turns bad input into an :class:`InputError`; the
command line prints its message and exits with status 2, never a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError


class InputError(Exception):
    """A user's file or argument is wrong; ``str(error)`` is the whole message."""


def suggest(word: str, allowed: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest allowed word, or an empty string."""
    close = difflib.get_close_matches(str(word), list(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def format_loc(loc: Sequence[Any]) -> str:
    """``('innovations', 1, 'complexity')`` -> ``innovations[1].complexity``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


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


def describe_validation_error(
    source: str, error: ValidationError, root: type[BaseModel], prefix: Sequence[Any] = ()
) -> str:
    """Turn pydantic's errors into lines of ``source: field: problem; allowed``."""
    lines = []
    for err in error.errors():
        loc = tuple(prefix) + tuple(err["loc"])
        where = format_loc(loc)
        kind = err["type"]
        got = err.get("input")
        if kind == "extra_forbidden":
            holder = model_at(root, err["loc"][:-1])
            allowed = sorted(holder.model_fields) if holder else []
            key = err["loc"][-1]
            lines.append(
                f"{source}: {where}: unknown key '{key}'{suggest(key, allowed)}; "
                f"allowed keys: {', '.join(allowed)}"
            )
        elif kind == "missing":
            lines.append(f"{source}: {where}: required field is missing")
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            allowed = [a.strip().strip("'") for a in expected.replace(" or ", ",").split(",") if a.strip()]
            lines.append(
                f"{source}: {where}: '{got}' is not allowed{suggest(got, allowed)}; allowed: {expected}"
            )
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            got_txt = "" if isinstance(got, dict) else f" (got {got!r})"
            lines.append(f"{source}: {where}: {msg[0].lower() + msg[1:]}{got_txt}")
    return "\n".join(lines)


def validate_mapping(schema: type[BaseModel], data: Any, source: str, what: str) -> Any:
    """``data`` (parsed YAML) validated as ``schema``, or one :class:`InputError` naming ``source``;
    ``what`` names the kind of file ("a scenario", "an experiment") in the message for a non-mapping."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: {what} must be a mapping of keys to values, got {type(data).__name__}")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(source, exc, schema)) from None
