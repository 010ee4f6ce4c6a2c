"""The lever registry: lever ``type`` name -> lever class, filled as the lever modules are imported.

It sits below everything that looks levers up (the scenario schema, the model, the listing), and imports
no lever itself, so the lever modules can register themselves without an import circle.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

from ..names import add_aliases

if TYPE_CHECKING:
    from .base import Lever

#: lever type name -> lever class (filled in by :func:`register` as each lever module is imported)
REGISTRY: dict[str, type["Lever"]] = {}


def register(cls: type["Lever"]) -> type["Lever"]:
    """Class decorator: add a lever to :data:`REGISTRY` under its ``type`` name. The lever's one-line
    ``description`` (shown by ``spridning levers`` and ``docs/levers.md``) is its docstring's first
    paragraph, so it is written once. Its ``swedish`` words become aliases that "did you mean" suggests
    the lever for (:data:`model.names.ALIASES`)."""
    if cls.__doc__:
        cls.description = " ".join(inspect.cleandoc(cls.__doc__).split("\n\n")[0].split())
    REGISTRY[cls.type_name()] = cls
    add_aliases(cls.type_name(), *cls.swedish)
    return cls
